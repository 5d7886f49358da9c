//! Calendar periods cut in the configured time zone.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use chrono_tz::Tz;

use crate::error::{Error, Result};
use crate::generate::add_months;
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
        let total = self.first_day.year() * 12 + self.first_day.month0() as i32 - 1;
        let day = NaiveDate::from_ymd_opt(total.div_euclid(12), total.rem_euclid(12) as u32 + 1, 1)
            .unwrap_or(self.first_day);
        Month::starting(day, tz)
    }
}
