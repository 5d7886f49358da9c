//! A monthly pack built again over one already in place says so: its
//! report notes the restatement and how many sessions came since, and its
//! manifest keeps the headline figures (the ALL row of business_lines) it
//! replaced.

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
    /// The replaced pack's ALL row of business_lines, column → value.
    pub previous_figures: BTreeMap<String, serde_json::Value>,
}

impl Restatement {
    /// The line for the top of report.md.
    pub fn note(&self) -> String {
        let added = self.sessions_now.saturating_sub(self.sessions_before);
        let change = match added {
            0 => "no session added".to_string(),
            1 => "1 session added".to_string(),
            n if n > 0 => format!("{n} sessions added"),
            n => format!("{} sessions fewer", n.saturating_neg()),
        };
        format!(
            "> Restated on {}: {change} since the previous build ({}; {} sessions then, {} now). The figures it replaced are kept in manifest.json (`restated.previous_figures`).\n",
            self.restated_on, self.previous_built_at, self.sessions_before, self.sessions_now
        )
    }
}

#[derive(Deserialize)]
struct Built {
    started_at: String,
}

/// The restatement of the pack in `folder` (None: nothing was built there
/// yet, or its figures cannot be read, as for a damaged folder), against
/// this build's ALL row of business_lines.
pub fn of(folder: &Path, business_lines: Option<&DataFrame>, tz: Tz) -> Option<Restatement> {
    let text = std::fs::read_to_string(folder.join("manifest.json")).ok()?;
    let built: Built = serde_json::from_str(&text).ok()?;
    let file = std::fs::File::open(folder.join("business_lines.parquet")).ok()?;
    let previous = ParquetReader::new(file).finish().ok()?;
    let previous_figures = all_row(&previous)?;
    let sessions_before = previous_figures.get("sessions")?.as_f64()? as i64;
    let sessions_now = all_row(business_lines?)?.get("sessions")?.as_f64()? as i64;
    Some(Restatement {
        restated_on: Utc::now().with_timezone(&tz).date_naive().to_string(),
        previous_built_at: built.started_at,
        sessions_before,
        sessions_now,
        previous_figures,
    })
}

/// The row whose business_line is ALL, numbers as numbers, the rest as text.
fn all_row(df: &DataFrame) -> Option<BTreeMap<String, serde_json::Value>> {
    let lines = df.column("business_line").ok()?.str().ok()?.clone();
    let i = lines.iter().position(|l| l == Some("ALL"))?;
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
