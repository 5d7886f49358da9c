//! The jobs `csqa run-due` builds, what each reads (its fingerprint) and how
//! it runs under the run's lock.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Datelike, NaiveDate, Utc};

use crate::config::Config;
use crate::error::Result;
use crate::events::Event;
use crate::fingerprint::{extra_queries, Fingerprint, JobMonths};
use crate::jobs::period::{add_months, Month, Period};
use crate::lock::RunLock;

/// A job and its period.
#[derive(Debug, Clone)]
pub enum Job {
    Monthly(Month),
    Quarterly(Period),
    /// A sampling plan for local dates `from..=to`.
    Sample {
        from: NaiveDate,
        to: NaiveDate,
        plan: Option<PathBuf>,
    },
    /// An event's impact report; an open action is measured to the end of
    /// `to_month`, the last closed month.
    Impact {
        event: Box<Event>,
        to_month: Option<Month>,
    },
}

/// What a job reads, for its fingerprint.
struct Reads {
    months: Vec<Month>,
    messages: Option<Vec<Month>>,
    events: bool,
    tables: Option<&'static [&'static str]>,
    extra: Vec<(String, PathBuf)>,
}

impl Job {
    pub fn kind(&self) -> &'static str {
        match self {
            Job::Monthly(_) => "monthly",
            Job::Quarterly(_) => "quarterly",
            Job::Sample { .. } => "sample",
            Job::Impact { .. } => "impact",
        }
    }

    pub fn label(&self) -> String {
        match self {
            Job::Monthly(m) => m.label.clone(),
            Job::Quarterly(p) => p.label.clone(),
            Job::Sample { from, to, .. } => format!("{from}_{to}"),
            Job::Impact { event, .. } => event.id.clone(),
        }
    }

    /// "monthly 2026-09", for the log.
    pub fn name(&self) -> String {
        format!("{} {}", self.kind(), self.label())
    }

    /// The pack's folder below the output directory.
    pub fn folder(&self) -> PathBuf {
        Path::new(self.kind()).join(self.label())
    }

    /// What the job would read now.
    pub fn fingerprint(&self, cfg: &Config) -> Result<Fingerprint> {
        let reads = self.reads(cfg);
        Fingerprint::of(
            cfg,
            &JobMonths {
                months: &reads.months,
                messages: reads.messages.as_deref(),
                events: reads.events,
                tables: reads.tables,
                extra: reads.extra,
            },
        )
    }

    fn reads(&self, cfg: &Config) -> Reads {
        let tz = cfg.timezone;
        match self {
            // The month and the one before (month-over-month), the month's
            // messages and, for its open actions, events.toml.
            Job::Monthly(month) => Reads {
                months: vec![month.previous(tz), month.clone()],
                messages: Some(vec![month.clone()]),
                events: true,
                tables: None,
                extra: extra_queries(cfg),
            },
            // Its trend months and the previous period, no messages.
            Job::Quarterly(period) => {
                let trend = period.trailing(cfg.quarterly.trend_months, tz);
                Reads {
                    months: crate::jobs::quarterly::months_read(
                        &trend,
                        &period.previous(tz),
                        period,
                        tz,
                    ),
                    messages: None,
                    events: false,
                    tables: None,
                    extra: Vec::new(),
                }
            }
            Job::Sample { from, to, plan } => Reads {
                months: months_between(*from, *to, cfg),
                messages: None,
                events: false,
                tables: Some(&["sessions", "reviews"]),
                extra: plan
                    .iter()
                    .map(|p| ("plan".to_string(), p.clone()))
                    .collect(),
            },
            Job::Impact { event, to_month } => {
                let end = impact_end(event, to_month.as_ref());
                let read_from = event
                    .baseline_windows(end)
                    .iter()
                    .map(|w| w.0)
                    .fold(event.start, |a, b| a.min(b));
                let local = |t: DateTime<Utc>| t.with_timezone(&tz).date_naive();
                let months = months_between(local(read_from), local(end), cfg);
                Reads {
                    messages: Some(months.clone()),
                    months,
                    events: true,
                    tables: None,
                    extra: Vec::new(),
                }
            }
        }
    }

    /// The month whose partition must hold sessions for the job to have
    /// data: the period's last.
    pub fn last_day(&self, cfg: &Config) -> NaiveDate {
        let tz = cfg.timezone;
        match self {
            Job::Monthly(m) => m.first_day,
            Job::Quarterly(p) => p.last().first_day,
            Job::Sample { to, .. } => *to,
            // The end is exclusive: its last day is the one before a midnight end.
            Job::Impact { event, to_month } => (impact_end(event, to_month.as_ref())
                - chrono::Duration::seconds(1))
            .with_timezone(&tz)
            .date_naive(),
        }
    }

    /// Build the job's pack under `lock`. Ok(false): an impact event with no
    /// sessions in its window, left unbuilt.
    pub fn run(&self, cfg: &Config, quiet: bool, lock: &RunLock) -> Result<bool> {
        match self {
            Job::Monthly(month) => crate::cmd::monthly::run_locked(cfg, quiet, lock, month)?,
            Job::Quarterly(period) => crate::cmd::quarterly::run_locked(cfg, quiet, lock, period)?,
            Job::Sample { from, to, plan } => {
                let plan = crate::cmd::sample::plan_of(cfg, plan.as_deref())?;
                crate::cmd::sample::run_locked(cfg, quiet, lock, *from, *to, &plan, None)?
            }
            Job::Impact { event, to_month } => {
                let to_month = to_month.clone();
                return crate::cmd::impact::run_event_locked(cfg, quiet, lock, event, to_month);
            }
        }
        Ok(true)
    }
}

/// The end an impact report measures to: the event's end, or for an open
/// action the end of the last closed month.
fn impact_end(event: &Event, to_month: Option<&Month>) -> DateTime<Utc> {
    match (event.end, to_month) {
        (Some(end), _) => end,
        (None, Some(m)) => m.end,
        (None, None) => event.start,
    }
}

/// Every month from `from`'s to `to`'s, oldest first.
fn months_between(from: NaiveDate, to: NaiveDate, cfg: &Config) -> Vec<Month> {
    let first_of = |d: NaiveDate| NaiveDate::from_ymd_opt(d.year(), d.month(), 1).unwrap_or(d);
    let (mut day, last) = (first_of(from), first_of(to));
    let mut out = Vec::new();
    while day <= last {
        out.push(Month::starting(day, cfg.timezone));
        day = add_months(day, 1);
    }
    out
}
