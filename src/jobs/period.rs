//! Calendar periods cut in the configured time zone.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use chrono_tz::Tz;

use crate::error::{Error, Result};
use crate::standards::local_midnight_utc;

#[derive(Debug, Clone)]
pub struct Month {
    pub first_day: NaiveDate,
    pub label: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

impl Month {
    pub fn parse(text: &str, tz: Tz) -> Result<Month> {
        let day = NaiveDate::parse_from_str(&format!("{text}-01"), "%Y-%m-%d")
            .ok()
            .filter(|_| text.len() == 7)
            .ok_or_else(|| Error::usage(format!("--month {text} is not a month like 2026-10")))?;
        Ok(Month::starting(day, tz))
    }

    fn starting(first_day: NaiveDate, tz: Tz) -> Month {
        Month {
            first_day,
            label: format!("{:04}-{:02}", first_day.year(), first_day.month()),
            start: local_midnight_utc(first_day, tz),
            end: local_midnight_utc(add_months(first_day, 1), tz),
        }
    }

    pub fn previous(&self, tz: Tz) -> Month {
        Month::starting(add_months(self.first_day, -1), tz)
    }

    /// The first day of the next month.
    pub fn next_first_day(&self) -> NaiveDate {
        add_months(self.first_day, 1)
    }
}

/// The first day of the month `n` months after `d`'s month (n may be negative).
pub fn add_months(d: NaiveDate, n: i32) -> NaiveDate {
    let total = d.year() * 12 + d.month0() as i32 + n;
    NaiveDate::from_ymd_opt(total.div_euclid(12), total.rem_euclid(12) as u32 + 1, 1).unwrap_or(d)
}
