//! `csqa generate`: a synthetic data directory.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use clap::Args;

use crate::cli::GlobalArgs;
use crate::error::{Error, Result};
use crate::generate::{generate, GenerateOptions, Timestamps};
use crate::progress::Progress;

#[derive(Args, Debug)]
pub struct GenerateArgs {
    /// Folder to write (created; existing table folders are replaced)
    /// [default: --data-dir]
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Same as --out: the data directory to write
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Not used here: shadows the global flag so that this help leaves it out
    #[arg(long, value_name = "DIR", hide = true)]
    pub out_dir: Option<PathBuf>,
    /// First month, YYYY-MM
    #[arg(long, default_value = "2026-08", value_name = "YYYY-MM")]
    pub from: String,
    /// Number of months
    #[arg(long, default_value_t = 3)]
    pub months: u32,
    /// Base sessions per month (follow-up visits come on top, about 10 %)
    #[arg(long, default_value_t = 20_000)]
    pub sessions_per_month: u64,
    /// Random seed: the same seed gives the same data
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Time zone of the simulated centre [default: the config's timezone]
    #[arg(long)]
    pub timezone: Option<String>,
    /// How the files write timestamps: mixed (sessions, causes and appeals
    /// as UTC instants; reviews and messages as naive local time), aware
    /// (every one an instant) or naive (every one local time)
    #[arg(long, value_enum, default_value_t = Timestamps::Mixed)]
    pub timestamps: Timestamps,
}

/// The folder to write: `--out`, or `--data-dir` (the folder the other
/// commands then read); both only when they name the same folder. Generate
/// writes no job output, so `--out-dir` is refused rather than ignored.
fn target_dir(global: &GlobalArgs, args: &GenerateArgs) -> Result<PathBuf> {
    if global.lang.is_some() {
        return Err(Error::usage(
            "generate writes no report: --lang has no meaning here",
        ));
    }
    if args.out_dir.is_some() || global.out_dir.is_some() {
        return Err(Error::usage(
            "generate writes a data directory: give it with --out DIR or --data-dir DIR; --out-dir has no meaning here",
        ));
    }
    let data_dir = args.data_dir.as_ref().or(global.data_dir.as_ref());
    match (&args.out, data_dir) {
        (Some(out), Some(data)) if absolute(out)? != absolute(data)? => Err(Error::usage(format!(
            "--out {} and --data-dir {} name different folders; give one",
            out.display(),
            data.display()
        ))),
        (Some(dir), _) | (None, Some(dir)) => Ok(dir.clone()),
        (None, None) => Err(Error::usage(
            "generate needs the folder to write: --out DIR (or --data-dir DIR)",
        )),
    }
}

fn absolute(path: &Path) -> Result<PathBuf> {
    std::path::absolute(path).map_err(|e| Error::usage(format!("{}: {e}", path.display())))
}

pub fn run(global: &GlobalArgs, args: GenerateArgs) -> Result<()> {
    let out_dir = target_dir(global, &args)?;
    let progress = Progress::new(global.quiet);
    let cfg = global.config()?;
    let from = NaiveDate::parse_from_str(&format!("{}-01", args.from), "%Y-%m-%d")
        .map_err(|_| Error::usage(format!("--from {} is not a month like 2026-08", args.from)))?;
    if args.months == 0 || args.sessions_per_month == 0 {
        return Err(Error::usage(
            "--months and --sessions-per-month must be positive",
        ));
    }
    let timezone = match &args.timezone {
        Some(name) => name
            .parse()
            .map_err(|_| Error::usage(format!("--timezone {name} is not an IANA time zone")))?,
        None => cfg.timezone,
    };
    for table in [
        "sessions",
        "reviews",
        "repeat_causes",
        "messages",
        "appeals",
        "agent_hours",
    ] {
        let dir = out_dir.join(table);
        if dir.exists() {
            std::fs::remove_dir_all(&dir)
                .map_err(|e| Error::other(format!("cannot replace {}: {e}", dir.display())))?;
        }
    }
    let opts = GenerateOptions {
        out: out_dir.clone(),
        from,
        months: args.months,
        sessions_per_month: args.sessions_per_month,
        seed: args.seed,
        timezone,
        chunk: 1_000_000,
        timestamps: args.timestamps,
    };
    let summary = generate(&opts, |s| progress.step(s))?;
    progress.finish();
    println!(
        "generate: {} sessions over {} months in {} files, written to {} in {:.1}s",
        summary.sessions,
        args.months,
        summary.files,
        out_dir.display(),
        progress.elapsed_s()
    );
    Ok(())
}
