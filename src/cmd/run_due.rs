//! `csqa run-due [--now T] [--dry-run]`: build every pack that is due,
//! oldest first, under one lock of the output folder.

use std::time::Instant;

use chrono::{DateTime, Utc};
use clap::Args;

use crate::cli::GlobalArgs;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::lock::RunLock;
use crate::schedule::attempts::{self, Attempt};
use crate::schedule::{self, Job, Planned, State};

#[derive(Args, Debug)]
pub struct RunDueArgs {
    /// The time to plan for [default: now]: a local date (2026-10-06) or an RFC 3339 time
    #[arg(long, value_name = "TIME")]
    pub now: Option<String>,
    /// Print what is due and why; build nothing
    #[arg(long)]
    pub dry_run: bool,
}

pub fn run(global: &GlobalArgs, args: RunDueArgs) -> Result<()> {
    let cfg = global.config()?;
    // The monthly packs run on the configured engine: a half-set one is a
    // configuration error before anything is built, not a run of failures.
    if cfg.schedule.monthly {
        cfg.engine.check()?;
    }
    let now = match &args.now {
        Some(text) => schedule::parse_now(text, &cfg)?,
        None => Utc::now(),
    };
    if args.dry_run {
        print_plan(&schedule::plan(&cfg, now)?, &stamp(now, &cfg));
        return Ok(());
    }
    let lock = RunLock::acquire(&cfg.out_dir)?;
    // Planned under the lock: another run may have just built some packs.
    let due: Vec<Planned> = schedule::plan(&cfg, now)?
        .into_iter()
        .filter(|p| matches!(p.state, State::Due(_)))
        .collect();
    if due.is_empty() {
        println!("run-due {}: nothing due", stamp(now, &cfg));
        return Ok(());
    }
    let started = Instant::now();
    let mut attempts = attempts::load(&cfg.out_dir);
    let mut failed = 0;
    for planned in &due {
        let attempt = run_one(&cfg, global.quiet, &lock, planned);
        failed += usize::from(!attempt.ok);
        attempts.insert(planned.job.name(), attempt);
        // Saved after each job: a run killed later still leaves the record.
        attempts::save(&cfg.out_dir, &attempts)?;
    }
    if failed > 0 {
        return Err(Error::other(format!(
            "run-due: {failed} of {} jobs failed; they stay due and are retried on the next run",
            due.len()
        )));
    }
    println!(
        "run-due: {} jobs done in {:.1}s",
        due.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Run one due job with a line as it starts and one as it ends; not ok when
/// it failed (or waits for its last month, which failed).
fn run_one(cfg: &Config, quiet: bool, lock: &RunLock, planned: &Planned) -> Attempt {
    let name = planned.job.name();
    let why = match &planned.state {
        State::Due(why) => why.join(", "),
        _ => String::new(),
    };
    if let Job::Quarterly(period) = &planned.job {
        let last = Job::Monthly(period.last().clone());
        if cfg.schedule.monthly && !schedule::is_built(cfg, &last) {
            let error = format!("waits for monthly {}", last.label());
            println!("run-due: {name} skipped: {error}");
            return attempt(Err(error), 0.0);
        }
    }
    println!("run-due: {name} started ({why})");
    let started = Instant::now();
    let result = planned.job.run(cfg, quiet, lock);
    let secs = started.elapsed().as_secs_f64();
    match result {
        Ok(true) => {
            println!("run-due: {name} done in {secs:.1}s");
            attempt(Ok(()), secs)
        }
        Ok(false) => {
            println!(
                "run-due: {name} skipped in {secs:.1}s: no sessions of its lines in its window"
            );
            attempt(Ok(()), secs)
        }
        Err(e) => {
            println!("run-due: {name} FAILED in {secs:.1}s: {e}");
            eprintln!("csqa: {name}: {e}");
            attempt(Err(e.to_string()), secs)
        }
    }
}

fn attempt(result: std::result::Result<(), String>, seconds: f64) -> Attempt {
    Attempt {
        at: Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        ok: result.is_ok(),
        seconds,
        error: result.err(),
    }
}

/// One line per candidate: due (why), built, or no data yet.
fn print_plan(plan: &[Planned], now: &str) {
    println!("run-due {now} (dry run):");
    for p in plan {
        let name = p.job.name();
        match &p.state {
            State::Due(why) => println!("  due       {name} ({})", why.join(", ")),
            State::Built => println!("  built     {name}"),
            State::NoData => println!("  no data   {name}"),
        }
    }
}

/// A time for people: local, with its offset.
fn stamp(t: DateTime<Utc>, cfg: &Config) -> String {
    t.with_timezone(&cfg.timezone)
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}
