//! `csqa monthly --month YYYY-MM`: the monthly review pack.

use clap::Args;

use crate::cli::GlobalArgs;
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
    let progress = Progress::new(global.quiet);
    let cfg = global.config()?;
    let month = Month::parse(&args.month, cfg.timezone)?;
    let lock = RunLock::acquire(&cfg.out_dir)?;
    let standards = Standards::load(&cfg.data_dir, cfg.timezone)?;
    let pack = monthly::run(&cfg, &standards, &month, |s| progress.step(s))?;
    let computed_ms = progress.elapsed_ms();

    progress.step("writing");
    let ignored = pack.checked.ignored_files(&cfg)?;
    let mut out = OutputDir::begin(&lock, std::path::Path::new("monthly").join(&month.label))?;
    // The pack's tables and sla_overrides beside them; rejects/ aside.
    let mut tables_written = 0;
    for (name, df) in &pack.tables {
        super::write_local(&mut out, name, df, cfg.timezone)?;
        tables_written += 1;
    }
    super::write_local(&mut out, "sla_overrides", &pack.overrides, cfg.timezone)?;
    tables_written += 1;
    for (name, (c, _)) in &pack.checked.tables {
        if c.rejects.height() > 0 {
            super::write_local(
                &mut out,
                &format!("rejects/{name}"),
                &c.rejects,
                cfg.timezone,
            )?;
        }
    }
    out.write_text("report.md", &crate::report::monthly(&pack, &ignored))?;
    out.write_report(&crate::pages::monthly::report(&pack, &standards, &cfg)?)?;
    let mut manifest = Manifest::new(
        "monthly",
        &month.label,
        &cfg,
        &standards,
        Some(month.end),
        &pack.checked,
    );
    manifest.fcr_complete = Some(pack.fcr_complete);
    manifest.timings_ms.insert("compute".into(), computed_ms);
    let target = out.commit_with_manifest(manifest, progress.elapsed_ms())?;
    progress.finish();

    let sessions = pack
        .tables
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
        .unwrap_or(0);
    let rejected: u64 = pack
        .checked
        .tables
        .values()
        .map(|(c, _)| c.stats.rejected)
        .sum();
    // A file dropped into a table folder in another format is named, not
    // passed over: the user may think its rows were counted.
    let ignored_note = if ignored.is_empty() {
        String::new()
    } else {
        format!(
            ", {} ignored (not .parquet): {}",
            plural(ignored.len(), "file"),
            ignored.join(", ")
        )
    };
    println!(
        "monthly {}: {sessions} sessions, {tables_written} tables, {rejected} rows rejected, FCR {}{ignored_note}; written to {} in {:.1}s",
        month.label,
        if pack.fcr_complete { "complete" } else { "INCOMPLETE" },
        target.display(),
        progress.elapsed_s()
    );
    Ok(())
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}
