//! `csqa run-due`: which (job, period) packs are due at a given time, and
//! why. A period is a candidate once it has closed plus the grace of
//! `[schedule]`, for the last `lookback_months` closed months and the
//! quarters ending in them; it is due when its pack was never built or was
//! built from other inputs (`fingerprint`). Deciding lists files and reads
//! manifests only: no data is loaded.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use serde::Deserialize;

use crate::config::Config;
use crate::error::{Error, Result};
use crate::fingerprint::{partition_month, Fingerprint, JobMonths};
use crate::jobs::period::{add_months, Month, Period};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum JobKind {
    Monthly,
    Quarterly,
}

impl JobKind {
    pub fn name(self) -> &'static str {
        match self {
            JobKind::Monthly => "monthly",
            JobKind::Quarterly => "quarterly",
        }
    }
}

/// A job's period.
#[derive(Debug, Clone)]
pub enum Job {
    Monthly(Month),
    Quarterly(Period),
}

impl Job {
    pub fn kind(&self) -> JobKind {
        match self {
            Job::Monthly(_) => JobKind::Monthly,
            Job::Quarterly(_) => JobKind::Quarterly,
        }
    }

    pub fn label(&self) -> &str {
        match self {
            Job::Monthly(m) => &m.label,
            Job::Quarterly(p) => &p.label,
        }
    }

    /// The period's last month.
    fn last_month(&self) -> &Month {
        match self {
            Job::Monthly(m) => m,
            Job::Quarterly(p) => p.last(),
        }
    }

    /// The pack's folder below the output directory.
    pub fn folder(&self) -> PathBuf {
        Path::new(self.kind().name()).join(self.label())
    }

    /// What the job would read now.
    pub fn fingerprint(&self, cfg: &Config) -> Result<Fingerprint> {
        match self {
            Job::Monthly(month) => monthly_fingerprint(cfg, month),
            Job::Quarterly(period) => quarterly_fingerprint(cfg, period),
        }
    }
}

/// The monthly pack reads the month and the one before (month-over-month),
/// the month's messages and, for its open actions, events.toml.
pub fn monthly_fingerprint(cfg: &Config, month: &Month) -> Result<Fingerprint> {
    let months = [month.previous(cfg.timezone), month.clone()];
    let job = JobMonths {
        months: &months,
        messages: Some(std::slice::from_ref(month)),
        events: true,
    };
    Fingerprint::of(cfg, &job)
}

/// The quarterly review reads its trend months and the previous period, no
/// messages.
pub fn quarterly_fingerprint(cfg: &Config, period: &Period) -> Result<Fingerprint> {
    let tz = cfg.timezone;
    let trend = period.trailing(cfg.quarterly.trend_months, tz);
    let months = crate::jobs::quarterly::months_read(&trend, &period.previous(tz), period, tz);
    let job = JobMonths {
        months: &months,
        messages: None,
        events: false,
    };
    Fingerprint::of(cfg, &job)
}

/// Where a candidate stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum State {
    /// Built from the inputs there are now.
    Built,
    /// To build, with the reasons (`never built`, `3 input files changed`).
    Due(Vec<String>),
    /// Its month holds no session file yet: nothing to build.
    NoData,
}

#[derive(Debug, Clone)]
pub struct Planned {
    pub job: Job,
    /// When it became due: the period's end plus the grace.
    pub due_from: DateTime<Utc>,
    pub state: State,
}

/// Every candidate (job, period) at `now`, oldest first (a month before the
/// quarter it closes), with its state.
pub fn plan(cfg: &Config, now: DateTime<Utc>) -> Result<Vec<Planned>> {
    let grace = Duration::days(i64::from(cfg.grace_days()));
    let mut planned = Vec::new();
    for month in closed_months(cfg, now, grace) {
        let quarter_ends = month.first_day.month() % 3 == 0;
        if cfg.schedule.quarterly && quarter_ends {
            let text = format!("{}Q{}", month.first_day.year(), month.first_day.month() / 3);
            planned.push(Job::Quarterly(Period::quarter(&text, cfg.timezone)?));
        }
        if cfg.schedule.monthly {
            planned.push(Job::Monthly(month));
        }
    }
    // closed_months runs newest first; quarters were pushed before their
    // last month, so reversing puts each month before its quarter.
    planned.reverse();
    planned
        .into_iter()
        .map(|job| {
            let state = state(cfg, &job)?;
            let due_from = job.last_month().end + grace;
            Ok(Planned {
                job,
                due_from,
                state,
            })
        })
        .collect()
}

/// The last `lookback_months` months that ended at least `grace` before
/// `now`, newest first.
fn closed_months(cfg: &Config, now: DateTime<Utc>, grace: Duration) -> Vec<Month> {
    let tz = cfg.timezone;
    let today = now.with_timezone(&tz).date_naive();
    let mut first = NaiveDate::from_ymd_opt(today.year(), today.month(), 1).unwrap_or(today);
    // The month of `now` has not closed; step back until one closed `grace` ago.
    let mut month = Month::starting(first, tz);
    while month.end + grace > now {
        first = add_months(first, -1);
        month = Month::starting(first, tz);
    }
    (0..cfg.schedule.lookback_months as i32)
        .map(|i| Month::starting(add_months(first, -i), tz))
        .collect()
}

/// Built, due (why) or without data, from the stored manifest and the files
/// there are now.
fn state(cfg: &Config, job: &Job) -> Result<State> {
    let now = job.fingerprint(cfg)?;
    let last = job.last_month().first_day;
    let has_sessions = now.data.keys().any(|path| {
        path.starts_with("sessions") && partition_month(path).is_none_or(|m| m == last)
    });
    if !has_sessions {
        return Ok(State::NoData);
    }
    let Some(stored) = stored_fingerprint(&cfg.out_dir.join(job.folder())) else {
        return Ok(State::Due(vec!["never built".into()]));
    };
    let why = match stored {
        Some(fp) => fp.differences(&now),
        None => vec!["built without a fingerprint".into()],
    };
    Ok(if why.is_empty() {
        State::Built
    } else {
        State::Due(why)
    })
}

#[derive(Deserialize)]
struct StoredManifest {
    #[serde(default)]
    fingerprint: Option<Fingerprint>,
}

/// None: no readable manifest (never built, or its folder is damaged);
/// Some(None): built by a csqa that kept no fingerprint.
fn stored_fingerprint(folder: &Path) -> Option<Option<Fingerprint>> {
    let text = std::fs::read_to_string(folder.join("manifest.json")).ok()?;
    let manifest: StoredManifest = serde_json::from_str(&text).ok()?;
    Some(manifest.fingerprint)
}

/// Whether the pack of `job` exists (a manifest was committed).
pub fn is_built(cfg: &Config, job: &Job) -> bool {
    stored_fingerprint(&cfg.out_dir.join(job.folder())).is_some()
}

/// `--now`: an RFC 3339 instant, or a local date (its midnight in the
/// configured zone).
pub fn parse_now(text: &str, cfg: &Config) -> Result<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(t.with_timezone(&Utc));
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map(|d| crate::standards::local_midnight_utc(d, cfg.timezone))
        .map_err(|_| {
            Error::usage(format!(
                "--now {text} is neither a date (2026-10-06) nor an RFC 3339 time (2026-10-06T02:00:00+08:00)"
            ))
        })
}
