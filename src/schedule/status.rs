//! `csqa status`: every scheduled (job, period) in the lookback — built
//! (when, from what), due (why), failed (the last attempt's error), no data —
//! and how fresh the data is: the newest row of each table at or before
//! `now`, with a warning when the newest session is older than `[schedule]
//! stale_after_days`.

use chrono::{DateTime, Duration, Utc};
use polars::prelude::*;
use serde::{Deserialize, Serialize};

use crate::config::Config;
use crate::contract::{self, Kind, TableSpec};
use crate::error::Result;
use crate::load::{collect_streaming, instant_lit};
use crate::schedule::{attempts, plan, Planned, State};

#[derive(Debug, Serialize)]
pub struct Status {
    pub now: String,
    pub jobs: Vec<JobStatus>,
    pub freshness: Vec<Freshness>,
    pub warnings: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct JobStatus {
    pub job: String,
    pub period: String,
    /// built, due, failed or no data.
    pub state: &'static str,
    pub due_from: String,
    /// When the pack in place was built, and from how many input files
    /// with which csqa.
    pub built_at: Option<String>,
    pub built_from_files: Option<usize>,
    pub built_by: Option<String>,
    /// Why it is due (never built, 3 input files changed, ...).
    pub why: Vec<String>,
    /// The error of the last attempt, when it failed.
    pub error: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct Freshness {
    pub table: &'static str,
    /// The newest instant (or date) of the table's time column at or before
    /// now, local; None when the table has no such row.
    pub newest: Option<String>,
    /// Why the table could not be read, if it could not.
    pub error: Option<String>,
}

pub fn status(cfg: &Config, now: DateTime<Utc>) -> Result<Status> {
    let tried = attempts::load(&cfg.out_dir);
    let jobs = plan(cfg, now)?
        .iter()
        .map(|p| job_status(cfg, p, tried.get(&p.job.name())))
        .collect();
    let freshness: Vec<Freshness> = contract::ALL_TABLES
        .iter()
        .filter_map(|spec| freshness(cfg, spec, now))
        .collect();
    let warnings = stale_warning(cfg, &freshness, now).into_iter().collect();
    Ok(Status {
        now: local(cfg, now),
        jobs,
        freshness,
        warnings,
    })
}

fn job_status(cfg: &Config, p: &Planned, last: Option<&attempts::Attempt>) -> JobStatus {
    let built = built(cfg, p);
    let (state, why, error) = match &p.state {
        State::Built => ("built", Vec::new(), None),
        State::NoData => ("no data", Vec::new(), None),
        State::Due(why) => match last.filter(|a| !a.ok) {
            Some(a) => ("failed", why.clone(), a.error.clone()),
            None => ("due", why.clone(), None),
        },
    };
    JobStatus {
        job: p.job.kind().to_string(),
        period: p.job.label(),
        state,
        due_from: local(cfg, p.due_from),
        built_at: built
            .as_ref()
            .map(|b| crate::zone::in_zone(&b.started_at, cfg.timezone)),
        built_from_files: built
            .as_ref()
            .and_then(|b| b.fingerprint.as_ref())
            .map(|f| f.data.len()),
        built_by: built.map(|b| b.csqa_version),
        why,
        error,
    }
}

#[derive(Deserialize)]
struct BuiltManifest {
    started_at: String,
    csqa_version: String,
    #[serde(default)]
    fingerprint: Option<crate::fingerprint::Fingerprint>,
}

fn built(cfg: &Config, p: &Planned) -> Option<BuiltManifest> {
    let path = cfg.out_dir.join(p.job.folder()).join("manifest.json");
    serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()
}

/// The newest row of a table at or before `now` (None: the table is absent).
fn freshness(cfg: &Config, spec: &'static TableSpec, now: DateTime<Utc>) -> Option<Freshness> {
    let column = spec
        .columns
        .iter()
        .find(|c| matches!(c.kind, Kind::Timestamp | Kind::Date))?;
    let newest = match crate::load::load_table(cfg, spec, None) {
        Ok(None) => return None,
        Ok(Some(table)) => newest(table.lf, column.name, column.kind, now, cfg),
        Err(e) => Err(e),
    };
    Some(match newest {
        Ok(newest) => Freshness {
            table: spec.name,
            newest,
            error: None,
        },
        Err(e) => Freshness {
            table: spec.name,
            newest: None,
            error: Some(e.to_string()),
        },
    })
}

/// The column's maximum at or before `now`, in one streaming pass.
fn newest(
    lf: LazyFrame,
    column: &str,
    kind: Kind,
    now: DateTime<Utc>,
    cfg: &Config,
) -> Result<Option<String>> {
    let c = col(column);
    let (upper, as_int) = match kind {
        Kind::Date => (
            lit(now.with_timezone(&cfg.timezone).date_naive()),
            c.clone().cast(DataType::Int32).cast(DataType::Int64),
        ),
        _ => (instant_lit(now), c.clone().cast(DataType::Int64)),
    };
    let df = collect_streaming(lf.filter(c.lt_eq(upper)).select([as_int.max().alias("m")]))?;
    let max = df.column("m")?.i64()?.get(0);
    Ok(max.and_then(|v| match kind {
        Kind::Date => chrono::NaiveDate::from_num_days_from_ce_opt(
            i32::try_from(v).ok()?.checked_add(719_163)?,
        )
        .map(|d| d.to_string()),
        _ => DateTime::from_timestamp_micros(v).map(|t| local(cfg, t)),
    }))
}

/// A warning when the newest session is older than `stale_after_days`.
fn stale_warning(cfg: &Config, fresh: &[Freshness], now: DateTime<Utc>) -> Option<String> {
    let days = cfg.schedule.stale_after_days;
    let sessions = fresh.iter().find(|f| f.table == "sessions")?;
    let text = sessions.newest.as_deref()?;
    let newest = DateTime::parse_from_rfc3339(text).ok()?;
    (now - newest.with_timezone(&Utc) > Duration::days(i64::from(days))).then(|| {
        format!(
            "the newest session started {text}, more than {days} days before now: are the exports still arriving?"
        )
    })
}

fn local(cfg: &Config, t: DateTime<Utc>) -> String {
    t.with_timezone(&cfg.timezone)
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}
