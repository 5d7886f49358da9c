//! The command line: global options shared by every command, one subcommand
//! per job, each with examples in its help.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::config::Config;
use crate::error::Result;

#[derive(Parser, Debug)]
#[command(
    name = "csqa",
    version = crate::engine::VERSION,
    about = "Quality metrics for contact-centre QA teams, from Parquet exports",
    long_about = "csqa reads a data directory of Parquet exports (sessions, QA reviews, repeat-visit \
causes, messages, appeals, agent hours), checks every row against the data contract, and \
writes summary tables and reports for QA review meetings.",
    after_help = "Examples:\n  csqa validate\n  csqa monthly --month 2026-10\n  csqa run-due --dry-run\n  csqa status\n  csqa generate --out /tmp/demo --from 2026-08 --months 3\n  csqa query queries/examples/sessions_by_line.sql\n\nExit codes: 0 success, 2 bad input or usage, 75 another csqa run holds OUT_DIR/.lock \
(try again later), 1 anything else."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Args, Debug, Clone)]
pub struct GlobalArgs {
    /// Configuration file [default: csqa.toml in the working directory, else built-in defaults]
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Data directory (overrides the config's data_dir)
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Output directory (overrides the config's out_dir)
    #[arg(long, global = true, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
    /// No progress on the terminal; only the summary line and errors
    #[arg(long, short, global = true)]
    pub quiet: bool,
    /// Language of report.html, report.xlsx and report.md: en or zh (overrides the config's lang, itself en unless set); refused by commands that write no report
    #[arg(long, global = true, value_enum, value_name = "LANG")]
    pub lang: Option<crate::i18n::Lang>,
    /// Engine for the monthly pack's row-level work (overrides [engine] kind): polars (this machine) or spark (a cluster through Spark Connect)
    #[arg(long, global = true, value_enum, value_name = "ENGINE")]
    pub engine: Option<crate::engine::EngineKind>,
    /// Spark Connect endpoint, sc://host:15002 (overrides [engine] url)
    #[arg(long, global = true, value_name = "URL")]
    pub spark_url: Option<String>,
}

impl GlobalArgs {
    pub fn config(&self) -> Result<Config> {
        let mut cfg = Config::load(self.config.as_deref())?;
        // Run from the wrong folder, the built-in defaults cut months in
        // UTC: say so where a person sees it (cron runs are --quiet).
        if cfg.source.is_none() && !self.quiet {
            eprintln!(
                "csqa: no csqa.toml here and no --config: built-in defaults (time zone {})",
                cfg.timezone.name()
            );
        }
        if let Some(d) = &self.data_dir {
            cfg.data_dir = d.clone();
        }
        if let Some(d) = &self.out_dir {
            cfg.out_dir = d.clone();
        }
        if let Some(lang) = self.lang {
            cfg.lang = lang;
        }
        if let Some(kind) = self.engine {
            cfg.engine.kind = kind;
        }
        if let Some(url) = &self.spark_url {
            cfg.engine.url = Some(url.clone());
        }
        Ok(cfg)
    }
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Check every table against the data contract; write rejects and a summary
    #[command(
        after_help = "Examples:\n  csqa validate\n  csqa validate --data-dir /exports/qa --out-dir /reports\n\n\
Writes OUT_DIR/validate/: summary.{parquet,csv}, reject_reasons.{parquet,csv}, \
rejects/<table>.{parquet,csv} (each rejected row with its reason), report.html, report.xlsx, \
report.md (in --lang) and manifest.json. \
Exits 0 when only rows were rejected, 2 when a file or column is unusable."
    )]
    Validate(crate::cmd::validate::ValidateArgs),
    /// The monthly review pack: CSAT, FCR, repeat causes, complaints, CPH, QA, SLA by business line
    #[command(
        after_help = "Examples:\n  csqa monthly --month 2026-10\n  csqa monthly --month 2026-10 --config /etc/csqa/csqa.toml --out-dir /srv/qa-reports\n  csqa monthly --month 2026-10 --engine spark --spark-url sc://spark-gw:15002   (the row-level work on a Spark cluster)\n\n\
Reads the month, the month before (for month-over-month) and the FCR look-ahead past the \
month's end; writes OUT_DIR/monthly/YYYY-MM/ atomically: business_lines, repeat_causes, \
agents, categories, sla_overrides, appeals, overturned_cases, agreement, agreement_rounds, \
disagreements, reviewers, iteration, scorecard_changes (each .parquet and .csv), rejects/, \
report.html, report.xlsx, report.md (in --lang) and manifest.json."
    )]
    Monthly(crate::cmd::monthly::MonthlyArgs),
    /// The quarterly system-module review: module trends across scorecard changes, outcome links, rater drift
    #[command(
        after_help = "Examples:\n  csqa quarterly --quarter 2026Q3\n  csqa quarterly --half 2026H2\n\n\
Reads the period, the trailing months of the trends ([quarterly] trend_months) and the previous \
period; writes OUT_DIR/quarterly/<period>/ atomically: system_review, module_months, module_trends, \
module_outcomes, rater_drift (each .parquet and .csv), rejects/, report.html, report.xlsx, \
report.md (in --lang) and manifest.json."
    )]
    Quarterly(crate::cmd::quarterly::QuarterlyArgs),
    /// A cross-department impact report: an event of events.toml against its baseline
    #[command(
        after_help = "Examples:\n  csqa impact --event checkout-outage\n  csqa impact --all\n\n\
Compares the event window with its baseline on the event's lines, and the same windows on the \
other lines (the control); writes OUT_DIR/impact/<event-id>/ atomically: summary, excess, \
categories, causes, daily (and status for an action), each .parquet and .csv, report.html, \
report.xlsx, report.md (in --lang) and manifest.json. No output holds a customer or session id."
    )]
    Impact(crate::cmd::impact::ImpactArgs),
    /// A sampling plan for QA reviewers (抽检): risk, repeat visits, business, time slots, random
    #[command(
        after_help = "Examples:\n  csqa sample --from 2026-10-01 --to 2026-10-07\n  csqa sample --from 2026-10-01 --to 2026-10-07 --plan plans/weekly.toml --seed 42\n  csqa sample size --population 1000\n\n\
Draws from the agent-handled sessions that started in the window and have no review yet, \
following the [sampling] plan of the config (or --plan); writes OUT_DIR/sample/FROM_TO/ \
atomically: sample.{parquet,csv} (one row per review task), allocation.{parquet,csv} \
(planned against drawn per strategy), report.html, report.xlsx, report.md (in --lang) and \
manifest.json."
    )]
    Sample(crate::cmd::sample::SampleArgs),
    /// Build every pack that is due: closed months and quarters never built or built from other inputs
    #[command(
        after_help = "Examples:\n  csqa run-due\n  csqa run-due --dry-run\n  csqa run-due --now 2026-10-06 --dry-run\n\n\
Candidates are the last [schedule] lookback_months months closed at least grace_days ago and \
the quarters ending in them. A candidate is due when its pack was never built, or its \
manifest's fingerprint (input files' size and time, config, standards.toml, events.toml, \
extra SQL, csqa version) differs from what it would read now. Jobs run oldest first, a month \
before its quarter, under one lock; one failing does not stop the others. \
Exit codes: 0 all done or nothing due, 1 a job failed, 2 bad config, 75 another run holds OUT_DIR/.lock."
    )]
    RunDue(crate::cmd::run_due::RunDueArgs),
    /// What run-due has built, what is due or failed and why, and how fresh the data is
    #[command(
        after_help = "Examples:\n  csqa status\n  csqa status --json\n  csqa status --now 2026-10-06\n\n\
Per job and period of the lookback: built (when, from how many input files), due (why), \
failed (the last attempt's error) or no data; then the newest row of each table at or before \
now, with a warning when the newest session is older than [schedule] stale_after_days. \
Reads manifests and the tables' time columns; takes no lock and writes nothing."
    )]
    Status(crate::cmd::status::StatusArgs),
    /// Write a synthetic data directory (demo, tests, benchmarks)
    #[command(
        after_help = "Examples:\n  csqa generate --out data --from 2026-08 --months 3 --sessions-per-month 20000 --seed 7\n  csqa generate --out /tmp/big --months 3 --sessions-per-month 10000000\n\n\
Deterministic for a seed. Writes month-partitioned Parquet for every table of the data \
contract plus standards.toml."
    )]
    Generate(crate::cmd::generate::GenerateArgs),
    /// Run one SQL file over the validated tables
    #[command(
        after_help = "Examples:\n  csqa query queries/examples/sessions_by_line.sql\n  csqa query my.sql --output result.csv\n\n\
Tables: sessions (with local_month, local_date, local_hour), reviews (with the scorecard module \
in force and the normalised score), repeat_causes, messages, appeals, agent_hours; each \
holds only rows that passed validation."
    )]
    Query(crate::cmd::query::QueryArgs),
}

pub fn run(cli: Cli) -> Result<()> {
    // Only the monthly pack runs on Spark: the flags are refused elsewhere,
    // not ignored. (An `[engine]` in the config leaves the other jobs on
    // this machine.)
    let monthly = matches!(cli.command, Command::Monthly(_) | Command::RunDue(_));
    if !monthly && (cli.global.engine.is_some() || cli.global.spark_url.is_some()) {
        return Err(crate::error::Error::usage(
            "--engine and --spark-url choose the engine of the monthly pack (monthly, run-due); other commands run on this machine",
        ));
    }
    match cli.command {
        Command::Validate(args) => crate::cmd::validate::run(&cli.global, args),
        Command::Monthly(args) => crate::cmd::monthly::run(&cli.global, args),
        Command::Quarterly(args) => crate::cmd::quarterly::run(&cli.global, args),
        Command::Impact(args) => crate::cmd::impact::run(&cli.global, args),
        Command::Sample(args) => crate::cmd::sample::run(&cli.global, args),
        Command::RunDue(args) => crate::cmd::run_due::run(&cli.global, args),
        Command::Status(args) => crate::cmd::status::run(&cli.global, args),
        Command::Generate(args) => crate::cmd::generate::run(&cli.global, args),
        Command::Query(args) => crate::cmd::query::run(&cli.global, args),
    }
}
