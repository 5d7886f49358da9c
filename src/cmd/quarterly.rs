//! `csqa quarterly --quarter YYYYQn` (or `--half YYYYHn`): the system-module
//! review.

use clap::{ArgGroup, Args};

use crate::cli::GlobalArgs;
use crate::config::Config;
use crate::error::Result;
use crate::jobs::period::Period;
use crate::jobs::quarterly;
use crate::lock::RunLock;
use crate::manifest::Manifest;
use crate::output::OutputDir;
use crate::progress::Progress;
use crate::standards::Standards;

#[derive(Args, Debug)]
#[command(group(ArgGroup::new("period").required(true).args(["quarter", "half"])))]
pub struct QuarterlyArgs {
    /// The quarter to review, YYYYQn (2026Q3), cut in the configured time zone
    #[arg(long, value_name = "YYYYQn")]
    pub quarter: Option<String>,
    /// The half-year to review instead, YYYYHn (2026H2)
    #[arg(long, value_name = "YYYYHn")]
    pub half: Option<String>,
}

pub fn run(global: &GlobalArgs, args: QuarterlyArgs) -> Result<()> {
    let cfg = global.config()?;
    let period = match (&args.quarter, &args.half) {
        (Some(q), _) => Period::quarter(q, cfg.timezone)?,
        (None, Some(h)) => Period::half(h, cfg.timezone)?,
        (None, None) => {
            return Err(crate::error::Error::usage(
                "give --quarter YYYYQn or --half YYYYHn",
            ))
        }
    };
    let lock = RunLock::acquire(&cfg.out_dir)?;
    run_locked(&cfg, global.quiet, &lock, &period)
}

/// Build the period's review under a lock already held (`csqa run-due`
/// holds one for all its jobs).
pub fn run_locked(cfg: &Config, quiet: bool, lock: &RunLock, period: &Period) -> Result<()> {
    let progress = Progress::new(quiet);
    // Listed before reading: a file landing during the run makes the
    // review due again rather than pass unnoticed.
    let fingerprint = crate::schedule::Job::Quarterly(period.clone()).fingerprint(cfg)?;
    let standards = Standards::load(&cfg.data_dir, cfg.timezone)?;
    let pack = quarterly::run(cfg, &standards, period, |s| progress.step(s))?;
    let computed_ms = progress.elapsed_ms();

    progress.step("writing");
    let ignored = pack.checked.ignored_files(cfg)?;
    let mut out = OutputDir::begin(
        lock,
        std::path::Path::new("quarterly").join(&period.label),
        cfg.timezone,
    )?;
    let sessions = i64::try_from(pack.sessions).unwrap_or(i64::MAX);
    let folder = cfg.out_dir.join("quarterly").join(&period.label);
    let restated = crate::restate::of(&folder, "system_review", sessions, cfg.timezone);
    for (name, df) in &pack.tables {
        out.write_table(name, df)?;
    }
    out.write_rejects(&pack.checked)?;
    let written = pack.tables.len();
    // The page, the workbook and report.md: one report, three renderings.
    let report = crate::pages::quarterly::report(&crate::pages::quarterly::QuarterlyPage {
        pack: &pack,
        standards: &standards,
        cfg,
        ignored: &ignored,
        restated: restated.as_ref(),
    })?;
    out.write_report(&report)?;
    let mut manifest = Manifest::new(
        "quarterly",
        &period.label,
        cfg,
        &standards,
        Some(period.last().end),
        &pack.checked,
    );
    manifest.fingerprint = Some(fingerprint);
    manifest.restated = restated;
    manifest.sessions = Some(sessions);
    manifest.timings_ms.insert("compute".into(), computed_ms);
    let target = out.commit_with_manifest(manifest, progress.elapsed_ms())?;
    progress.finish();
    let rejected: u64 = pack
        .checked
        .tables
        .values()
        .map(|(c, _)| c.stats.rejected)
        .sum();
    let to_revise = pack
        .tables
        .iter()
        .find(|(n, _)| n == "system_review")
        .and_then(|(_, df)| df.column("recommendation").ok()?.str().ok().cloned())
        .map(|r| {
            r.iter()
                .filter(|r| r.is_some_and(|r| r.starts_with("revise")))
                .count()
        })
        .unwrap_or(0);
    // A period not over yet (or with exports missing) is said on the line
    // cron mails, not only in the report.
    let partial = if pack.months_without_sessions.is_empty() {
        String::new()
    } else {
        format!(
            ", NO SESSIONS in {}",
            pack.months_without_sessions.join(", ")
        )
    };
    println!(
        "quarterly {}: {} sessions{partial}, {written} tables, {to_revise} modules to revise, {rejected} rows rejected; written to {} in {:.1}s",
        period.label,
        pack.sessions,
        target.display(),
        progress.elapsed_s()
    );
    Ok(())
}
