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

    pub fn starting(first_day: NaiveDate, tz: Tz) -> Month {
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

/// A period of whole months reviewed together: a quarter (`2026Q3`) or a
/// half-year (`2026H2`).
#[derive(Debug, Clone)]
pub struct Period {
    pub label: String,
    /// Its months, oldest first.
    pub months: Vec<Month>,
}

impl Period {
    /// `YYYYQn` (n in 1..=4).
    pub fn quarter(text: &str, tz: Tz) -> Result<Period> {
        Period::parse(text, 'Q', 3, tz)
            .ok_or_else(|| Error::usage(format!("--quarter {text} is not a quarter like 2026Q3")))
    }

    /// `YYYYHn` (n in 1..=2).
    pub fn half(text: &str, tz: Tz) -> Result<Period> {
        Period::parse(text, 'H', 6, tz)
            .ok_or_else(|| Error::usage(format!("--half {text} is not a half-year like 2026H2")))
    }

    fn parse(text: &str, kind: char, len: u32, tz: Tz) -> Option<Period> {
        let (year, n) = text.split_once(kind)?;
        let (year, n): (i32, u32) = (year.parse().ok()?, n.parse().ok()?);
        if year.to_string().len() != 4 || n == 0 || n > 12 / len {
            return None;
        }
        let first = NaiveDate::from_ymd_opt(year, (n - 1) * len + 1, 1)?;
        Some(Period::of(kind, len, first, tz))
    }

    fn of(kind: char, len: u32, first: NaiveDate, tz: Tz) -> Period {
        Period {
            label: format!("{}{kind}{}", first.year(), first.month0() / len + 1),
            months: (0..len as i32)
                .map(|i| Month::starting(add_months(first, i), tz))
                .collect(),
        }
    }

    fn kind(&self) -> (char, u32) {
        let len = self.months.len() as u32;
        (if len == 3 { 'Q' } else { 'H' }, len)
    }

    pub fn first(&self) -> &Month {
        &self.months[0]
    }

    pub fn last(&self) -> &Month {
        &self.months[self.months.len() - 1]
    }

    /// The period of the same kind just before.
    pub fn previous(&self, tz: Tz) -> Period {
        let (kind, len) = self.kind();
        Period::of(
            kind,
            len,
            add_months(self.first().first_day, -(len as i32)),
            tz,
        )
    }

    /// The `n` months ending with the period's last month, oldest first.
    pub fn trailing(&self, n: u32, tz: Tz) -> Vec<Month> {
        let last = self.last().first_day;
        (0..n as i32)
            .rev()
            .map(|i| Month::starting(add_months(last, -i), tz))
            .collect()
    }
}
