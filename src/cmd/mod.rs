//! One module per command: parse its arguments, run the job, print the
//! summary line.

pub mod generate;
pub mod monthly;
pub mod quarterly;
pub mod query;
pub mod sample;
pub mod validate;

use chrono_tz::Tz;
use polars::prelude::*;

use crate::error::Result;
use crate::output::OutputDir;

/// Every zoned timestamp column of `df` shown in the configured zone: the
/// instant is unchanged (Parquet keeps it, zone-aware), and CSV prints local
/// time with its offset, as report.md does. Naive columns are left alone.
pub fn local_times(df: &DataFrame, tz: Tz) -> Result<DataFrame> {
    let zone = crate::load::pl_tz(tz);
    let mut out = df.clone();
    for column in df.columns() {
        if let DataType::Datetime(_, Some(_)) = column.dtype() {
            let mut ca = column.datetime()?.clone();
            ca.set_time_zone(zone.clone())?;
            out.with_column(ca.into_column())?;
        }
    }
    Ok(out)
}

/// Write one table of a job's output with its timestamps in local time: the
/// one way every command hands a table to the writer.
pub fn write_local(out: &mut OutputDir, name: &str, df: &DataFrame, tz: Tz) -> Result<()> {
    out.write_table(name, &mut local_times(df, tz)?)
}

/// Write a job's tables, and each checked table's rejected rows under
/// `rejects/`, with timestamps in local time; returns the tables written
/// (rejects not counted).
pub fn write_tables(
    out: &mut OutputDir,
    tables: &[(String, DataFrame)],
    checked: &crate::tables::CheckedTables,
    tz: Tz,
) -> Result<usize> {
    for (name, df) in tables {
        write_local(out, name, df, tz)?;
    }
    for (name, (c, _)) in &checked.tables {
        if c.rejects.height() > 0 {
            write_local(out, &format!("rejects/{name}"), &c.rejects, tz)?;
        }
    }
    Ok(tables.len())
}
