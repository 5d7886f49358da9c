//! `csqa validate`: every check of the data contract, nothing computed.

use clap::Args;
use polars::prelude::*;

use crate::cli::GlobalArgs;
use crate::error::Result;
use crate::lock::RunLock;
use crate::manifest::Manifest;
use crate::output::OutputDir;
use crate::progress::Progress;
use crate::standards::Standards;
use crate::tables::CheckedTables;

#[derive(Args, Debug)]
pub struct ValidateArgs {}

pub fn run(global: &GlobalArgs, _args: ValidateArgs) -> Result<()> {
    let progress = Progress::new(global.quiet);
    let cfg = global.config()?;
    let lock = RunLock::acquire(&cfg.out_dir)?;
    let standards = Standards::load(&cfg.data_dir, cfg.timezone)?;
    let (checked, _) = CheckedTables::all(&cfg, &standards, |t| {
        progress.step(&format!("checking {t}"))
    })?;

    let mut out = OutputDir::begin(&lock, "validate", cfg.timezone)?;
    let (summary, reasons) = summary_tables(&checked)?;
    out.write_table("summary", &summary)?;
    out.write_table("reject_reasons", &reasons)?;
    out.write_rejects(&checked)?;
    out.write_report(&crate::pages::validate::report(
        &summary, &reasons, &checked, &cfg,
    )?)?;
    let manifest = Manifest::new("validate", "all", &cfg, &standards, None, &checked);
    let target = out.commit_with_manifest(manifest, progress.elapsed_ms())?;
    progress.finish();

    println!(
        "{:<14} {:>6} {:>10} {:>10} {:>10} {:>10}",
        "table", "files", "rows", "used", "duplicates", "rejected"
    );
    let (mut rows, mut rejected) = (0, 0);
    for (name, (c, files)) in &checked.tables {
        let s = &c.stats;
        rows += s.rows_in;
        rejected += s.rejected;
        println!(
            "{name:<14} {:>6} {:>10} {:>10} {:>10} {:>10}",
            s.files, s.rows_in, s.used, s.duplicates, s.rejected
        );
        for (reason, n) in &s.rejected_by_reason {
            println!("{:<14}   rejected {n:>8}  {reason}", "");
        }
        if s.superseded > 0 {
            let n = s.superseded;
            println!(
                "{:<14}   superseded {n:>6}  by a later export (counted as duplicates)",
                ""
            );
        }
        for (column, n) in &s.blanks_read_as_null {
            println!("{:<14}   blank {n:>11}  {column} read as null", "");
        }
        if s.ambiguous_local_times > 0 {
            let n = s.ambiguous_local_times;
            println!(
                "{:<14}   ambiguous {n:>7}  local times read as the earlier instant",
                ""
            );
        }
        for f in &files.ignored {
            println!("{:<14}   ignored (not .parquet): {f}", "");
        }
    }
    for t in crate::contract::ALL_TABLES.iter() {
        if !checked.tables.contains_key(t.name) {
            println!("{:<14} absent", t.name);
            // A folder holding only other files (an export saved as CSV):
            // say so rather than pass over them in silence.
            let dir = cfg.data_dir.join(t.name);
            if dir.is_dir() {
                for f in crate::load::discover(&dir, &cfg.data_dir)?.1 {
                    println!("{:<14}   ignored (not .parquet): {f}", "");
                }
            }
        }
    }
    println!(
        "validate: {} tables, {rows} rows, {rejected} rejected; written to {} in {:.1}s",
        checked.tables.len(),
        target.display(),
        progress.elapsed_s()
    );
    Ok(())
}

fn summary_tables(checked: &CheckedTables) -> Result<(DataFrame, DataFrame)> {
    let mut t = Vec::new();
    let (mut files, mut rows, mut used, mut dups, mut rej) =
        (vec![], vec![], vec![], vec![], vec![]);
    let (mut rt, mut rr, mut rn) = (Vec::new(), Vec::new(), Vec::new());
    for (name, (c, _)) in &checked.tables {
        let s = &c.stats;
        t.push(name.to_string());
        files.push(s.files as u64);
        rows.push(s.rows_in);
        used.push(s.used);
        dups.push(s.duplicates);
        rej.push(s.rejected);
        for (reason, n) in &s.rejected_by_reason {
            rt.push(name.to_string());
            rr.push(reason.clone());
            rn.push(*n);
        }
    }
    let summary = DataFrame::new_infer_height(vec![
        Column::new("table".into(), t),
        Column::new("files".into(), files),
        Column::new("rows_in".into(), rows),
        Column::new("used".into(), used),
        Column::new("duplicates".into(), dups),
        Column::new("rejected".into(), rej),
    ])?;
    let reasons = DataFrame::new_infer_height(vec![
        Column::new("table".into(), rt),
        Column::new("reason".into(), rr),
        Column::new("rows".into(), rn),
    ])?;
    Ok((summary, reasons))
}
