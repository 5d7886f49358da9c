//! `csqa sample`: a sampling plan for QA reviewers, and `csqa sample size`.

use std::collections::BTreeSet;
use std::fmt::Write;
use std::path::{Path, PathBuf};

use chrono::{Duration, NaiveDate, Timelike};
use clap::{Args, Subcommand};
use polars::prelude::*;
use serde::Deserialize;

use crate::cli::GlobalArgs;
use crate::columns::{bools, i64s, strings};
use crate::config::Config;
use crate::contract;
use crate::enrich;
use crate::error::{Error, Result};
use crate::load::{instant_lit, utc_dtype, Window};
use crate::lock::RunLock;
use crate::manifest::Manifest;
use crate::output::OutputDir;
use crate::progress::Progress;
use crate::sampling::{self, Candidate, Plan, Sample};
use crate::standards::{local_midnight_utc, Standards};
use crate::tables::CheckedTables;

#[derive(Args, Debug)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct SampleArgs {
    #[command(subcommand)]
    pub command: Option<SampleCommand>,
    /// First local date of the window, YYYY-MM-DD
    #[arg(long, required = true, value_name = "DATE")]
    pub from: Option<String>,
    /// Last local date of the window (included), YYYY-MM-DD
    #[arg(long, required = true, value_name = "DATE")]
    pub to: Option<String>,
    /// A plan file with a [sampling] table [default: [sampling] of the config]
    #[arg(long, value_name = "FILE")]
    pub plan: Option<PathBuf>,
    /// Random seed [default: the plan's seed, else 0]; the same seed gives the same sample
    #[arg(long)]
    pub seed: Option<u64>,
}

#[derive(Subcommand, Debug)]
pub enum SampleCommand {
    /// Cochran's sample size with finite-population correction
    #[command(
        after_help = "Examples:\n  csqa sample size --population 1000\n  csqa sample size --population 4200 --margin 0.03 --confidence 0.99"
    )]
    Size(SizeArgs),
}

#[derive(Args, Debug)]
pub struct SizeArgs {
    /// Sessions in the population (an agent's month, a line's week, ...)
    #[arg(long)]
    pub population: u64,
    /// Margin of error, as a fraction
    #[arg(long, default_value_t = 0.05)]
    pub margin: f64,
    /// Confidence level
    #[arg(long, default_value_t = 0.95)]
    pub confidence: f64,
    // Sample size reads and writes nothing: these shadow the global flags
    // so that its help leaves them out, and are refused when given.
    #[arg(long, value_name = "FILE", hide = true)]
    pub config: Option<PathBuf>,
    #[arg(long, value_name = "DIR", hide = true)]
    pub data_dir: Option<PathBuf>,
    #[arg(long, value_name = "DIR", hide = true)]
    pub out_dir: Option<PathBuf>,
}

/// `csqa sample size`: Cochran's formula on the command line's numbers only.
fn sample_size(global: &GlobalArgs, s: &SizeArgs) -> Result<()> {
    let given = [
        ("--config", s.config.is_some() || global.config.is_some()),
        (
            "--data-dir",
            s.data_dir.is_some() || global.data_dir.is_some(),
        ),
        ("--out-dir", s.out_dir.is_some() || global.out_dir.is_some()),
        ("--lang", global.lang.is_some()),
    ];
    if let Some((flag, _)) = given.iter().find(|(_, set)| *set) {
        return Err(Error::usage(format!(
            "sample size reads no data and writes no file: {flag} has no meaning here"
        )));
    }
    let n = sampling::cochran(s.population, s.margin, s.confidence).ok_or_else(|| {
        Error::usage("--population must be positive, --margin and --confidence in (0, 1)")
    })?;
    println!(
        "sample size: {n} of {} sessions (±{:.1}% at {:.0}% confidence, p = 0.5)",
        s.population,
        s.margin * 100.0,
        s.confidence * 100.0
    );
    Ok(())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PlanFile {
    sampling: Plan,
}

pub fn run(global: &GlobalArgs, args: SampleArgs) -> Result<()> {
    if let Some(SampleCommand::Size(s)) = &args.command {
        return sample_size(global, s);
    }
    let cfg = global.config()?;
    let date = |flag: &str, v: &Option<String>| -> Result<NaiveDate> {
        let v = v.as_deref().unwrap_or_default();
        NaiveDate::parse_from_str(v, "%Y-%m-%d")
            .map_err(|_| Error::usage(format!("--{flag} {v} is not a date like 2026-10-01")))
    };
    let (from, to) = (date("from", &args.from)?, date("to", &args.to)?);
    if to < from {
        return Err(Error::usage("--to is before --from"));
    }
    let plan = plan_of(&cfg, args.plan.as_deref())?;
    let lock = RunLock::acquire(&cfg.out_dir)?;
    run_locked(&cfg, global.quiet, &lock, from, to, &plan, args.seed)
}

/// The plan of `path` (a file with a [sampling] table), else the config's.
pub fn plan_of(cfg: &Config, path: Option<&Path>) -> Result<Plan> {
    match path {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| Error::bad_input(format!("cannot read {}: {e}", path.display())))?;
            let file: PlanFile = toml::from_str(&text)
                .map_err(|e| Error::bad_input(format!("{}: {e}", path.display())))?;
            file.sampling
                .check()
                .map_err(|e| Error::bad_input(format!("{}: {e}", path.display())))?;
            Ok(file.sampling)
        }
        None => cfg.sampling.clone().ok_or_else(|| {
            Error::usage("no sampling plan: add [sampling] to csqa.toml or pass --plan FILE")
        }),
    }
}

/// Draw the plan for local dates `from..=to` under a lock already held
/// (`csqa run-due` holds one for all its jobs).
pub fn run_locked(
    cfg: &Config,
    quiet: bool,
    lock: &RunLock,
    from: NaiveDate,
    to: NaiveDate,
    plan: &Plan,
    seed: Option<u64>,
) -> Result<()> {
    let progress = Progress::new(quiet);
    let seed = seed.or(plan.seed).unwrap_or(0);
    let standards = Standards::load(&cfg.data_dir, cfg.timezone)?;
    let period = format!("{from}_{to}");

    progress.step("reading sessions and reviews");
    let (candidates, checked) = candidates(cfg, &standards, from, to)?;
    if candidates.is_empty() {
        return Err(Error::bad_input(format!(
            "no agent-handled sessions started between {from} and {to} ({})",
            cfg.timezone.name()
        )));
    }
    progress.step("drawing");
    let round = format!("AB-{period}");
    let sample = sampling::draw(&candidates, plan, seed, &round, cfg.fcr.window_hours);

    let mut out = OutputDir::begin(lock, PathBuf::from("sample").join(&period), cfg.timezone)?;
    let (tasks, allocation) = (
        sample_frame(&candidates, &sample)?,
        allocation_frame(&sample)?,
    );
    out.write_table("sample", &tasks)?;
    out.write_table("allocation", &allocation)?;
    let reviewers = reviewers_frame(&sample, plan)?;
    let ignored = checked.ignored_files(cfg)?;
    let page = crate::pages::sample::SamplePack {
        period: &period,
        seed,
        candidates: candidates.iter().filter(|c| !c.reviewed).count(),
        sessions: sample
            .assignments
            .iter()
            .map(|a| a.candidate)
            .collect::<BTreeSet<_>>()
            .len(),
        allocation: &allocation,
        sample: &tasks,
        reviewers: reviewers.as_ref(),
        checked: &checked,
        ignored: &ignored,
    };
    out.write_report(&crate::pages::sample::report(&page, cfg)?)?;
    let mut manifest = Manifest::new("sample", &period, cfg, &standards, None, &checked);
    manifest.command.push(format!("(seed {seed})"));
    let target = out.commit_with_manifest(manifest, progress.elapsed_ms())?;
    progress.finish();
    println!(
        "sample {period}: {} from {} candidates (seed {seed}); written to {} in {:.1}s",
        outcome(&sample, plan),
        candidates.iter().filter(|c| !c.reviewed).count(),
        target.display(),
        progress.elapsed_s()
    );
    Ok(())
}

/// What was drawn, in words: sessions (with what the per-agent top-up added
/// and whether `max_total` cut it) and review tasks (with those no reviewer
/// had capacity for).
fn outcome(s: &Sample, plan: &Plan) -> String {
    let sessions: BTreeSet<usize> = s.assignments.iter().map(|a| a.candidate).collect();
    let part = |strategy: &str| s.allocation.iter().find(|a| a.strategy == strategy);
    let mut text = format!("{} sessions", sessions.len());
    if let Some(top_up) = part("agent_minimum").filter(|a| a.drawn > 0 || a.planned > 0) {
        let capped = match plan.max_total {
            Some(max) if top_up.drawn < top_up.planned && top_up.note.contains("max_total") => {
                format!(", capped by max_total {max}")
            }
            _ => String::new(),
        };
        let _ = write!(
            text,
            " ({} by the strategies + {} to reach per_agent_min {}{capped})",
            sessions.len().saturating_sub(top_up.drawn as usize),
            top_up.drawn,
            plan.per_agent_min
        );
    }
    let _ = write!(text, ", {} review tasks", s.assignments.len());
    if let Some(unassigned) = part("unassigned") {
        let _ = write!(
            text,
            " ({} of them unassigned: reviewer capacity exhausted)",
            unassigned.drawn
        );
    }
    text
}

/// Agent-handled sessions that started in the window, with repeat flags (read
/// from one FCR window earlier) and whether any review covers them.
fn candidates(
    cfg: &Config,
    standards: &Standards,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<(Vec<Candidate>, CheckedTables)> {
    let start = local_midnight_utc(from, cfg.timezone);
    let end = local_midnight_utc(to + Duration::days(1), cfg.timezone);
    let lookback = start
        .checked_sub_signed(cfg.fcr_window())
        .ok_or_else(|| crate::error::Error::bad_input(format!("{from}: date out of range")))?;
    let checked = CheckedTables::load(
        cfg,
        standards,
        &[&contract::SESSIONS, &contract::REVIEWS],
        |spec| {
            (spec.name == "sessions").then_some(Window::Instants {
                column: "started_at",
                from: Some(lookback),
                to: Some(end),
            })
        },
        |_| {},
    )?;
    let reviewed = reviewed_sessions(&checked)?;
    let sessions = checked
        .used("sessions")
        .ok_or_else(|| Error::bad_input("no sessions table"))?
        .clone();
    let df = enrich::sessions(sessions.lazy(), cfg)?
        .filter(
            col("started_at")
                .gt_eq(instant_lit(start))
                .and(col("agent_id").is_not_null()),
        )
        .select([
            col("session_id"),
            col("business_line"),
            col("category"),
            col("agent_id"),
            col("started_at").cast(DataType::Int64),
            col("complaint").fill_null(lit(false)),
            col("public_opinion").fill_null(lit(false)),
            col("rating"),
            col("is_repeat"),
        ])
        .collect()?;
    Ok((candidate_rows(&df, &reviewed, cfg.timezone)?, checked))
}

/// The sessions that already have a review.
fn reviewed_sessions(checked: &CheckedTables) -> Result<BTreeSet<String>> {
    Ok(match checked.used("reviews") {
        Some(r) => r
            .column("session_id")?
            .str()?
            .iter()
            .flatten()
            .map(str::to_string)
            .collect(),
        None => BTreeSet::new(),
    })
}

/// One candidate per enriched session row.
fn candidate_rows(
    df: &DataFrame,
    reviewed: &BTreeSet<String>,
    tz: chrono_tz::Tz,
) -> Result<Vec<Candidate>> {
    let (ids, lines, cats, agents) = (
        strings(df, "session_id")?,
        strings(df, "business_line")?,
        strings(df, "category")?,
        strings(df, "agent_id")?,
    );
    // started_at is never null in validated sessions; flags read null as false.
    let starts = i64s(df, "started_at")?;
    let ratings = i64s(df, "rating")?;
    let (complaint, opinion, repeat) = (
        bools(df, "complaint")?,
        bools(df, "public_opinion")?,
        bools(df, "is_repeat")?,
    );
    Ok((0..df.height())
        .map(|i| {
            let id = ids[i].clone().unwrap_or_default();
            let started_at = starts[i].unwrap_or_default();
            let local = chrono::DateTime::from_timestamp_micros(started_at)
                .unwrap_or_default()
                .with_timezone(&tz);
            Candidate {
                reviewed: reviewed.contains(&id),
                session_id: id,
                business_line: lines[i].clone().unwrap_or_default(),
                category: cats[i].clone(),
                agent_id: agents[i].clone(),
                started_at,
                minute: local.hour() * 60 + local.minute(),
                complaint: complaint[i].unwrap_or(false),
                public_opinion: opinion[i].unwrap_or(false),
                rating: ratings[i],
                is_repeat: repeat[i].unwrap_or(false),
            }
        })
        .collect())
}

fn sample_frame(c: &[Candidate], s: &Sample) -> Result<DataFrame> {
    let pick = |f: fn(&Candidate) -> Option<String>| -> Vec<Option<String>> {
        s.assignments.iter().map(|a| f(&c[a.candidate])).collect()
    };
    Ok(DataFrame::new_infer_height(vec![
        Column::new("session_id".into(), pick(|c| Some(c.session_id.clone()))),
        Column::new(
            "business_line".into(),
            pick(|c| Some(c.business_line.clone())),
        ),
        Column::new("category".into(), pick(|c| c.category.clone())),
        Column::new("agent_id".into(), pick(|c| c.agent_id.clone())),
        Column::new(
            "started_at".into(),
            s.assignments
                .iter()
                .map(|a| c[a.candidate].started_at)
                .collect::<Vec<_>>(),
        )
        .cast(&utc_dtype())?,
        Column::new(
            "strategy".into(),
            s.assignments.iter().map(|a| a.strategy).collect::<Vec<_>>(),
        ),
        Column::new(
            "reason".into(),
            s.assignments
                .iter()
                .map(|a| a.reason.clone())
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "reviewer_id".into(),
            s.assignments
                .iter()
                .map(|a| a.reviewer_id.clone())
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "calibration_round".into(),
            s.assignments
                .iter()
                .map(|a| a.calibration_round.clone())
                .collect::<Vec<_>>(),
        ),
    ])?)
}

fn allocation_frame(s: &Sample) -> Result<DataFrame> {
    let a = &s.allocation;
    Ok(DataFrame::new_infer_height(vec![
        Column::new(
            "strategy".into(),
            a.iter().map(|x| x.strategy).collect::<Vec<_>>(),
        ),
        Column::new(
            "part".into(),
            a.iter().map(|x| x.part.clone()).collect::<Vec<_>>(),
        ),
        Column::new(
            "planned".into(),
            a.iter().map(|x| x.planned).collect::<Vec<_>>(),
        ),
        Column::new(
            "drawn".into(),
            a.iter().map(|x| x.drawn).collect::<Vec<_>>(),
        ),
        Column::new(
            "note".into(),
            a.iter().map(|x| x.note.clone()).collect::<Vec<_>>(),
        ),
    ])?)
}

/// Each reviewer of the plan with their capacity and the tasks drawn for
/// them; None when the plan names no reviewer.
fn reviewers_frame(s: &Sample, plan: &Plan) -> Result<Option<DataFrame>> {
    if plan.reviewers.is_empty() {
        return Ok(None);
    }
    let tasks = |id: &str| {
        let n = s
            .assignments
            .iter()
            .filter(|a| a.reviewer_id.as_deref() == Some(id))
            .count();
        u32::try_from(n).unwrap_or(u32::MAX)
    };
    let r = &plan.reviewers;
    Ok(Some(DataFrame::new_infer_height(vec![
        Column::new(
            "reviewer_id".into(),
            r.iter().map(|x| x.id.clone()).collect::<Vec<_>>(),
        ),
        Column::new(
            "capacity".into(),
            r.iter().map(|x| x.capacity).collect::<Vec<_>>(),
        ),
        Column::new(
            "tasks".into(),
            r.iter().map(|x| tasks(&x.id)).collect::<Vec<_>>(),
        ),
    ])?))
}
