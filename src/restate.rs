//! A pack built again over one already in place says so: its report notes
//! the restatement and how many sessions came since, and its manifest keeps
//! the headline figures it replaced (the ALL row of a monthly pack's
//! business_lines; the rows of a quarterly system_review or an impact
//! summary).

use std::collections::BTreeMap;
use std::path::Path;

use chrono::Utc;
use chrono_tz::Tz;
use polars::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Restatement {
    /// The local date of this build.
    pub restated_on: String,
    /// When the replaced pack was built.
    pub previous_built_at: String,
    pub sessions_before: i64,
    pub sessions_now: i64,
    /// The replaced pack's headline: the ALL row (column → value) of a table
    /// with one, else every row.
    pub previous_figures: serde_json::Value,
}

#[derive(Deserialize)]
struct Built {
    started_at: String,
    /// The sessions the pack reported on (see `Manifest::sessions`).
    sessions: Option<i64>,
}

/// The restatement of the pack in `folder` (None: nothing was built there
/// yet, or its figures cannot be read, as for a damaged folder): this build
/// reports on `sessions_now` sessions; `headline` names the table whose
/// replaced figures are kept.
pub fn of(folder: &Path, headline: &str, sessions_now: i64, tz: Tz) -> Option<Restatement> {
    let text = std::fs::read_to_string(folder.join("manifest.json")).ok()?;
    let built: Built = serde_json::from_str(&text).ok()?;
    let file = std::fs::File::open(folder.join(format!("{headline}.parquet"))).ok()?;
    let previous = ParquetReader::new(file).finish().ok()?;
    let all = all_row(&previous);
    let sessions_before = built.sessions.or_else(|| {
        let n = all.as_ref()?.get("sessions")?.as_f64()?;
        Some(n as i64)
    })?;
    let previous_figures = match all {
        Some(row) => serde_json::Value::from(serde_json::Map::from_iter(row)),
        None => serde_json::Value::from(rows(&previous)?),
    };
    Some(Restatement {
        restated_on: Utc::now().with_timezone(&tz).date_naive().to_string(),
        // In the zone the report speaks, with its offset (the previous
        // manifest's started_at is UTC); the same instant either way.
        previous_built_at: crate::zone::in_zone(&built.started_at, tz),
        sessions_before,
        sessions_now,
        previous_figures,
    })
}

/// Every row of a (small) table as column → value.
fn rows(df: &DataFrame) -> Option<Vec<serde_json::Value>> {
    (0..df.height())
        .map(|i| row(df, i).map(|r| serde_json::Value::from(serde_json::Map::from_iter(r))))
        .collect()
}

/// The row whose business_line is ALL, if the table has one.
fn all_row(df: &DataFrame) -> Option<BTreeMap<String, serde_json::Value>> {
    let lines = df.column("business_line").ok()?.str().ok()?.clone();
    let i = lines.iter().position(|l| l == Some("ALL"))?;
    row(df, i)
}

/// Row `i`, numbers as numbers, the rest as text.
fn row(df: &DataFrame, i: usize) -> Option<BTreeMap<String, serde_json::Value>> {
    let mut row = BTreeMap::new();
    for column in df.columns() {
        let value = if column.dtype().is_primitive_numeric() {
            let v = column.cast(&DataType::Float64).ok()?.f64().ok()?.get(i);
            v.map(serde_json::Value::from)
                .unwrap_or(serde_json::Value::Null)
        } else {
            let v = column.cast(&DataType::String).ok()?;
            v.str()
                .ok()?
                .get(i)
                .map(|s| serde_json::Value::from(s.to_string()))
                .unwrap_or(serde_json::Value::Null)
        };
        row.insert(column.name().to_string(), value);
    }
    Some(row)
}
