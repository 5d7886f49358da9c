//! `csqa monthly --month YYYY-MM`: the monthly review pack.

use clap::Args;

use crate::cli::GlobalArgs;
use crate::config::Config;
use crate::error::Result;
use crate::jobs::monthly;
use crate::jobs::period::Month;
use crate::lock::RunLock;
use crate::manifest::Manifest;
use crate::output::OutputDir;
use crate::progress::Progress;
use crate::standards::Standards;

#[derive(Args, Debug)]
pub struct MonthlyArgs {
    /// The month to report, YYYY-MM, cut in the configured time zone
    #[arg(long, value_name = "YYYY-MM")]
    pub month: String,
}

pub fn run(global: &GlobalArgs, args: MonthlyArgs) -> Result<()> {
    let cfg = global.config()?;
    let month = Month::parse(&args.month, cfg.timezone)?;
    let lock = RunLock::acquire(&cfg.out_dir)?;
    run_locked(&cfg, global.quiet, &lock, &month)
}

/// Build the month's pack under a lock already held (`csqa run-due` holds
/// one for all its jobs).
pub fn run_locked(cfg: &Config, quiet: bool, lock: &RunLock, month: &Month) -> Result<()> {
    let progress = Progress::new(quiet);
    // Listed before reading: a file landing during the run makes the pack
    // due again rather than pass unnoticed.
    let fingerprint = crate::schedule::Job::Monthly(month.clone()).fingerprint(cfg)?;
    let standards = Standards::load(&cfg.data_dir, cfg.timezone)?;
    let pack = build(cfg, &standards, month, &progress)?;
    // The trend's earlier months: from earlier packs, else from the data.
    progress.step("trend months");
    let earlier = crate::jobs::trend::earlier_months(cfg, &standards, month)?;
    let computed_ms = progress.elapsed_ms();

    progress.step("writing");
    let ignored = pack.checked.ignored_files(cfg)?;
    let sessions = month_sessions(&pack);
    let folder = cfg.out_dir.join("monthly").join(&month.label);
    let restated = crate::restate::of(&folder, "business_lines", sessions, cfg.timezone);
    let mut out = OutputDir::begin(
        lock,
        std::path::Path::new("monthly").join(&month.label),
        cfg.timezone,
    )?;
    // The pack's tables and sla_overrides beside them; rejects/ aside.
    let mut tables_written = 0;
    for (name, df) in &pack.tables {
        out.write_table(name, df)?;
        tables_written += 1;
    }
    out.write_table("sla_overrides", &pack.overrides)?;
    tables_written += 1;
    out.write_rejects(&pack.checked)?;
    let context = crate::pages::monthly::PackContext {
        ignored: &ignored,
        restated: restated.as_ref(),
        earlier: &earlier,
    };
    out.write_report(&crate::pages::monthly::report(
        &pack, &standards, cfg, &context,
    )?)?;
    let mut manifest = Manifest::new(
        "monthly",
        &month.label,
        cfg,
        &standards,
        Some(month.end),
        &pack.checked,
    );
    manifest.fingerprint = Some(fingerprint);
    manifest.restated = restated;
    manifest.sessions = Some(sessions);
    manifest.sessions_passes = Some(pack.sessions_passes);
    manifest.engine = pack.engine.kind.as_str().to_string();
    manifest.rejects_at = pack.engine.rejects_at.clone();
    manifest.fcr_complete = Some(pack.fcr.complete);
    manifest.timings_ms.insert("compute".into(), computed_ms);
    let target = out.commit_with_manifest(manifest, progress.elapsed_ms())?;
    progress.finish();
    let written = Written {
        sessions,
        tables: tables_written,
        ignored: &ignored,
        target: &target,
    };
    println!("{}", summary_line(&pack, &written, progress.elapsed_s()));
    Ok(())
}

/// What a run wrote, for its summary line.
struct Written<'a> {
    sessions: i64,
    tables: usize,
    ignored: &'a [String],
    target: &'a std::path::Path,
}

/// The one line a run ends with.
fn summary_line(pack: &monthly::MonthlyPack, w: &Written, secs: f64) -> String {
    let rejected: u64 = pack
        .checked
        .tables
        .values()
        .map(|(c, _)| c.stats.rejected)
        .sum();
    // A file dropped into a table folder in another format is named, not
    // passed over: the user may think its rows were counted.
    let ignored_note = if w.ignored.is_empty() {
        String::new()
    } else {
        format!(
            ", {} ignored (not .parquet): {}",
            super::plural(w.ignored.len(), "file"),
            w.ignored.join(", ")
        )
    };
    format!(
        "monthly {}: {} sessions, {} tables, {rejected} rows rejected, FCR {}{ignored_note}; written to {} in {secs:.1}s",
        pack.month.label,
        w.sessions,
        w.tables,
        if pack.fcr.complete { "complete" } else { "INCOMPLETE" },
        w.target.display(),
    )
}

/// The pack from the configured engine.
fn build(
    cfg: &Config,
    standards: &Standards,
    month: &Month,
    progress: &Progress,
) -> Result<monthly::MonthlyPack> {
    let step = |s: &str| progress.step(s);
    match cfg.engine.kind {
        crate::engine::EngineKind::Polars => monthly::run(cfg, standards, month, step),
        #[cfg(feature = "spark")]
        crate::engine::EngineKind::Spark => {
            crate::engine::spark::run_monthly(cfg, standards, month, step)
        }
        #[cfg(not(feature = "spark"))]
        crate::engine::EngineKind::Spark => {
            cfg.engine.check()?;
            Err(crate::error::Error::other(
                "the spark engine is not built in",
            ))
        }
    }
}

/// The month's sessions: the ALL row of business_lines.
fn month_sessions(pack: &monthly::MonthlyPack) -> i64 {
    pack.tables
        .iter()
        .find(|(n, _)| n == "business_lines")
        .and_then(|(_, df)| {
            let lines = df.column("business_line").ok()?.str().ok()?.clone();
            let i = lines.iter().position(|l| l == Some("ALL"))?;
            df.column("sessions")
                .ok()?
                .cast(&polars::prelude::DataType::Int64)
                .ok()?
                .i64()
                .ok()?
                .get(i)
        })
        .unwrap_or(0)
}
