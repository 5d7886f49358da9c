//! `csqa run-due`: which (job, period) packs are due at a given time, and
//! why. A period is a candidate once it has closed plus the grace of
//! `[schedule]`, for the last `lookback_months` closed months and the
//! quarters ending in them; it is due when its pack was never built or was
//! built from other inputs (`fingerprint`). Deciding lists files and reads
//! manifests only: no data is loaded.

use std::path::Path;

use chrono::{DateTime, Datelike, Days, Duration, NaiveDate, Utc};
use serde::Deserialize;

use crate::config::{Config, SampleCadence};
use crate::error::{Error, Result};
use crate::fingerprint::{partition_month, Fingerprint};
use crate::jobs::period::{add_months, Month, Period};

pub mod attempts;
mod job;
pub mod status;

pub use job::Job;

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
    crate::load::require_sessions_folder(cfg)?;
    let grace = Duration::days(i64::from(cfg.grace_days()));
    let months = closed_months(cfg, now);
    let mut jobs = Vec::new();
    for month in months.iter().rev() {
        if cfg.schedule.monthly {
            jobs.push((Job::Monthly(month.clone()), month.end + grace));
        }
        if cfg.schedule.quarterly && month.first_day.month() % 3 == 0 {
            let text = format!("{}Q{}", month.first_day.year(), month.first_day.month() / 3);
            let quarter = Period::quarter(&text, cfg.timezone)?;
            jobs.push((Job::Quarterly(quarter), month.end + grace));
        }
    }
    if cfg.schedule.impact {
        jobs.extend(impact_jobs(cfg, now, grace, months.first())?);
    }
    jobs.extend(sample_job(cfg, now));
    // Stable: a month stays before the quarter it closes.
    jobs.sort_by_key(|(_, due_from)| *due_from);
    jobs.into_iter()
        .map(|(job, due_from)| {
            let state = state(cfg, &job)?;
            Ok(Planned {
                job,
                due_from,
                state,
            })
        })
        .collect()
}

/// Each event of events.toml (when there is one) that ended `grace` ago;
/// each open action that started before the last closed month ended,
/// measured to that month's end.
fn impact_jobs(
    cfg: &Config,
    now: DateTime<Utc>,
    grace: Duration,
    last_closed: Option<&Month>,
) -> Result<Vec<(Job, DateTime<Utc>)>> {
    if !cfg.data_dir.join("events.toml").is_file() {
        return Ok(Vec::new());
    }
    let mut jobs = Vec::new();
    for event in crate::events::load(&cfg.data_dir, cfg.timezone)? {
        let (to_month, due_from) = match (event.end, last_closed) {
            (Some(end), _) => (None, end + grace),
            (None, Some(m)) if event.start < m.end => (Some(m.clone()), m.end + grace),
            (None, _) => continue,
        };
        if due_from <= now {
            let event = Box::new(event);
            jobs.push((Job::Impact { event, to_month }, due_from));
        }
    }
    Ok(jobs)
}

/// The last sampling window (week Monday..Sunday, or day) that ended at
/// least a day before `now`: a plan is drawn for the work ahead, never for
/// windows long past.
fn sample_job(cfg: &Config, now: DateTime<Utc>) -> Option<(Job, DateTime<Utc>)> {
    let length = match cfg.schedule.sample {
        SampleCadence::Off => return None,
        SampleCadence::Daily => 1,
        SampleCadence::Weekly => 7,
    };
    // A day for the last day's exports to land.
    let today = now.with_timezone(&cfg.timezone).date_naive();
    let mut to = today.checked_sub_days(Days::new(2))?;
    if length == 7 {
        // Back to the last Sunday.
        let back = u64::from(to.weekday().num_days_from_sunday());
        to = to.checked_sub_days(Days::new(back))?;
    }
    let from = to.checked_sub_days(Days::new(length - 1))?;
    let due_day = to.checked_add_days(Days::new(2))?;
    let due_from = crate::standards::local_midnight_utc(due_day, cfg.timezone);
    let plan = cfg.schedule.sample_plan.clone();
    Some((Job::Sample { from, to, plan }, due_from))
}

/// The last month that ended at least the grace before `now`.
pub fn last_closed_month(cfg: &Config, now: DateTime<Utc>) -> Month {
    let grace = Duration::days(i64::from(cfg.grace_days()));
    let tz = cfg.timezone;
    let today = now.with_timezone(&tz).date_naive();
    let mut first = NaiveDate::from_ymd_opt(today.year(), today.month(), 1).unwrap_or(today);
    // The month of `now` has not closed; step back until one closed `grace` ago.
    let mut month = Month::starting(first, tz);
    while month.end + grace > now {
        first = add_months(first, -1);
        month = Month::starting(first, tz);
    }
    month
}

/// The last `lookback_months` months that ended at least `grace` before
/// `now`, newest first.
fn closed_months(cfg: &Config, now: DateTime<Utc>) -> Vec<Month> {
    let tz = cfg.timezone;
    let first = last_closed_month(cfg, now).first_day;
    (0..cfg.schedule.lookback_months as i32)
        .map(|i| Month::starting(add_months(first, -i), tz))
        .collect()
}

/// Built, due (why) or without data, from the stored manifest and the files
/// there are now.
fn state(cfg: &Config, job: &Job) -> Result<State> {
    let now = job.fingerprint(cfg)?;
    let last = job.last_day(cfg);
    let last_month = NaiveDate::from_ymd_opt(last.year(), last.month(), 1);
    let has_sessions = now.data.keys().any(|path| {
        path.starts_with("sessions") && partition_month(path).is_none_or(|m| Some(m) == last_month)
    });
    if !has_sessions {
        return Ok(State::NoData);
    }
    let Some(stored) = stored_fingerprint(&cfg.out_dir.join(job.folder())) else {
        return Ok(State::Due(vec!["never built".into()]));
    };
    // A sampling plan handed to reviewers is never redrawn.
    if matches!(job, Job::Sample { .. }) {
        return Ok(State::Built);
    }
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
