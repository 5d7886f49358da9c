//! The months before last month in the monthly trend charts (up to a year
//! with this month): each from its earlier pack in the output folder when
//! there is one, else computed from the data with the pack's own rules —
//! the contract check, FCR's window and its look-ahead — one month at a
//! time, so that no more sessions are in memory than for the pack itself.

use std::collections::BTreeMap;
use std::path::Path;

use polars::prelude::*;

use crate::config::Config;
use crate::error::Result;
use crate::jobs::period::{add_months, Month};
use crate::jobs::pipeline::{self, ReadWindows};
use crate::standards::Standards;

/// How many months the trend charts span, this one included.
pub const TREND_MONTHS: i32 = 12;

/// Per month label, its business lines (business_line, csat, fcr,
/// complaint_rate), by where they came from.
#[derive(Default)]
pub struct EarlierMonths {
    pub from_packs: BTreeMap<String, DataFrame>,
    pub from_data: BTreeMap<String, DataFrame>,
}

/// The trend's months before last month: from earlier packs, else from the
/// data; a month the data has no session of is left out (a gap).
pub fn earlier_months(cfg: &Config, standards: &Standards, month: &Month) -> Result<EarlierMonths> {
    let mut out = EarlierMonths::default();
    for back in 2..TREND_MONTHS {
        let m = Month::starting(add_months(month.first_day, -back), cfg.timezone);
        if let Some(df) = earlier_pack(&cfg.out_dir, &m.label) {
            out.from_packs.insert(m.label, df);
        } else if let Some(df) = from_data(cfg, standards, &m)? {
            out.from_data.insert(m.label, df);
        }
    }
    Ok(out)
}

/// An earlier pack's business_lines, if it is there and readable.
fn earlier_pack(out_dir: &Path, label: &str) -> Option<DataFrame> {
    let path = out_dir
        .join("monthly")
        .join(label)
        .join("business_lines.parquet");
    let file = std::fs::File::open(path).ok()?;
    ParquetReader::new(file).finish().ok()
}

/// The month's rates from the data, read as the pack reads its month
/// (sessions one FCR window before and after); None without sessions.
fn from_data(cfg: &Config, standards: &Standards, m: &Month) -> Result<Option<DataFrame>> {
    let windows = ReadWindows::months(cfg, m, m, None, &m.label)?;
    let (_, used) = pipeline::load_sessions(cfg, standards, &windows, |_| {})?;
    if used.height() == 0 {
        return Ok(None);
    }
    let rates = pipeline::line_rates(used, cfg, standards, m)?;
    Ok((rates.height() > 0).then_some(rates))
}
