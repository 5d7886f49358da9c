//! Markdown helpers of the reports still written by hand (quarterly), and
//! their data-quality section. The monthly, sample and validate reports are
//! `render::markdown` of their pages.

use std::fmt::Write;

use polars::prelude::*;

pub(crate) fn f64s(df: &DataFrame, name: &str) -> Vec<Option<f64>> {
    df.column(name)
        .ok()
        .and_then(|c| c.cast(&DataType::Float64).ok())
        .and_then(|c| c.f64().ok().map(|ca| ca.iter().collect()))
        .unwrap_or_else(|| vec![None; df.height()])
}

/// A column's values as table cells (see `cell`), null as "—".
pub(crate) fn strs(df: &DataFrame, name: &str) -> Vec<String> {
    df.column(name)
        .ok()
        .and_then(|c| c.cast(&DataType::String).ok())
        .and_then(|c| {
            c.str()
                .ok()
                .map(|ca| ca.iter().map(|s| s.map_or("—".into(), cell)).collect())
        })
        .unwrap_or_else(|| vec!["—".into(); df.height()])
}

/// Text from the exports as a Markdown table cell: never read as a formula
/// when pasted into a spreadsheet (as in the CSVs), and a `|` does not end
/// the cell.
pub fn cell(text: &str) -> String {
    crate::output::spreadsheet_safe(text).replace('|', "\\|")
}

pub(crate) fn pct(v: Option<f64>) -> String {
    v.map(|x| format!("{:.1}%", x * 100.0))
        .unwrap_or_else(|| "—".into())
}

pub(crate) fn num(v: Option<f64>, decimals: usize) -> String {
    v.map(|x| format!("{x:.decimals$}"))
        .unwrap_or_else(|| "—".into())
}

/// The data-quality section every job's report.md shares: rows read, used,
/// duplicated and rejected per table, the reasons, what was taken on trust,
/// and the files not read. A job adds its own lines after it.
pub(crate) fn data_quality(
    md: &mut String,
    checked: &crate::tables::CheckedTables,
    ignored: &[String],
) {
    let _ = writeln!(md, "## Data quality\n");
    let _ = writeln!(
        md,
        "| table | rows read | used | duplicates | rejected |\n|---|---:|---:|---:|---:|"
    );
    for (name, (c, _)) in &checked.tables {
        let s = &c.stats;
        let _ = writeln!(
            md,
            "| {name} | {} | {} | {} | {} |",
            s.rows_in, s.used, s.duplicates, s.rejected
        );
    }
    md.push('\n');
    for (name, (c, _)) in &checked.tables {
        for (reason, n) in &c.stats.rejected_by_reason {
            let _ = writeln!(
                md,
                "- {name}: {n} rows rejected ({reason}); see `rejects/{name}.csv`"
            );
        }
    }
    for (name, (c, _)) in &checked.tables {
        read_notes(md, name, &c.stats);
    }
    for f in ignored {
        let _ = writeln!(md, "- ignored, not read (not .parquet): `{f}`");
    }
}

/// What reading `table` took on trust: rows superseded by a later export,
/// blank strings read as null, local times read as the earlier of two.
fn read_notes(md: &mut String, table: &str, s: &crate::validate::TableStats) {
    if s.superseded > 0 {
        let _ = writeln!(
            md,
            "- {table}: {} rows superseded by a later export of the same key (counted as duplicates)",
            s.superseded
        );
    }
    for (column, n) in &s.blanks_read_as_null {
        let _ = writeln!(md, "- {table}: {n} blank `{column}` read as null");
    }
    if s.ambiguous_local_times > 0 {
        let _ = writeln!(
            md,
            "- {table}: {} rows with a local time that daylight saving repeats, read as the earlier instant",
            s.ambiguous_local_times
        );
    }
}
