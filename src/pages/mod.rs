//! Each job's report described for `crate::render`: which facts go on the
//! cover, which charts and tables make the page, which tables the workbook
//! holds. A new job's page is one more module here: build a
//! `render::Report` from the job's tables and hand it to
//! `OutputDir::write_report`.

pub mod monthly;
pub mod quarterly;
pub mod sample;
pub mod validate;

use chrono_tz::Tz;
use polars::prelude::*;

use crate::error::Result;
use crate::i18n::Lang;
use crate::render::Table;
use crate::tables::CheckedTables;

/// Rows read, used, duplicates and rejected per input table: the data
/// quality table of every job.
pub fn data_quality(checked: &CheckedTables, lang: Lang, tz: Tz) -> Result<Table> {
    let stats: Vec<_> = checked
        .tables
        .iter()
        .map(|(name, (c, _))| (*name, &c.stats))
        .collect();
    let df = DataFrame::new_infer_height(vec![
        Column::new(
            "table".into(),
            stats.iter().map(|(n, _)| n.to_string()).collect::<Vec<_>>(),
        ),
        Column::new(
            "rows_in".into(),
            stats.iter().map(|(_, s)| s.rows_in).collect::<Vec<_>>(),
        ),
        Column::new(
            "used".into(),
            stats.iter().map(|(_, s)| s.used).collect::<Vec<_>>(),
        ),
        Column::new(
            "duplicates".into(),
            stats.iter().map(|(_, s)| s.duplicates).collect::<Vec<_>>(),
        ),
        Column::new(
            "rejected".into(),
            stats.iter().map(|(_, s)| s.rejected).collect::<Vec<_>>(),
        ),
    ])?;
    Table::from_frame("data_quality", &df, lang, tz)
}

/// Rows rejected over every input table.
pub fn rejected_rows(checked: &CheckedTables) -> u64 {
    checked.tables.values().map(|(c, _)| c.stats.rejected).sum()
}

pub(crate) fn f64s(df: &DataFrame, name: &str) -> Vec<Option<f64>> {
    df.column(name)
        .ok()
        .and_then(|c| c.cast(&DataType::Float64).ok())
        .and_then(|c| c.f64().ok().map(|ca| ca.iter().collect()))
        .unwrap_or_else(|| vec![None; df.height()])
}

pub(crate) fn strs(df: &DataFrame, name: &str) -> Vec<String> {
    df.column(name)
        .ok()
        .and_then(|c| c.cast(&DataType::String).ok())
        .and_then(|c| {
            c.str()
                .ok()
                .map(|ca| ca.iter().map(|s| s.unwrap_or("").to_string()).collect())
        })
        .unwrap_or_else(|| vec![String::new(); df.height()])
}

pub(crate) fn bools(df: &DataFrame, name: &str) -> Vec<bool> {
    df.column(name)
        .ok()
        .and_then(|c| {
            c.bool()
                .ok()
                .map(|b| b.iter().map(|v| v.unwrap_or(false)).collect())
        })
        .unwrap_or_else(|| vec![false; df.height()])
}
