//! `events.toml`: the incidents and improvement actions an impact report
//! measures. Times without an offset are local in the configured zone.
//! Everything that can be checked without the data is checked on load;
//! what needs the data (a line that does not exist, a baseline without
//! sessions) is checked by the impact job, naming the event and field.

use std::path::Path;

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use serde::Deserialize;

use crate::error::{Error, Result};
use crate::standards::toml_instant;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Something went wrong: its cost is measured.
    Incident,
    /// An improvement: whether it moved its metric is checked.
    Action,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Up,
    Down,
}

/// The metrics an action may set out to move: the summary's rows.
pub const METRICS: [&str; 8] = [
    "contacts_per_day",
    "complaint_rate",
    "csat",
    "fcr",
    "repeat_rate",
    "first_response_sla",
    "reply_sla",
    "qa_score",
];

/// How the baseline is chosen.
#[derive(Debug, Clone, PartialEq)]
pub enum Baseline {
    /// The same length just before the start.
    Before,
    /// The same weekdays and hours of the four weeks before (events of at
    /// most a week).
    Weekdays,
    /// An explicit window.
    Explicit(DateTime<Utc>, DateTime<Utc>),
}

#[derive(Debug, Clone)]
pub struct Event {
    pub id: String,
    pub title: String,
    pub department: String,
    pub kind: Kind,
    pub lines: Vec<String>,
    /// Empty: every category.
    pub categories: Vec<String>,
    pub start: DateTime<Utc>,
    /// None: still running (an action checked as it goes).
    pub end: Option<DateTime<Utc>>,
    pub baseline: Baseline,
    pub cost_per_contact: Option<f64>,
    pub currency: Option<String>,
    pub metric: Option<String>,
    pub direction: Option<Direction>,
    pub target: Option<f64>,
}

/// Weeks a `weekdays` baseline looks back.
pub const BASELINE_WEEKS: i64 = 4;

impl Event {
    /// The baseline windows for an event window ending at `end`.
    pub fn baseline_windows(&self, end: DateTime<Utc>) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
        let length = end - self.start;
        match self.baseline {
            Baseline::Before => vec![(self.start - length, self.start)],
            Baseline::Weekdays => (1..=BASELINE_WEEKS)
                .map(|k| {
                    let back = Duration::days(7 * k);
                    (self.start - back, end - back)
                })
                .collect(),
            Baseline::Explicit(from, to) => vec![(from, to)],
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    event: Vec<RawEvent>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEvent {
    id: String,
    title: String,
    department: String,
    kind: Kind,
    lines: Vec<String>,
    #[serde(default)]
    categories: Vec<String>,
    start: toml::value::Datetime,
    end: Option<toml::value::Datetime>,
    baseline: Option<String>,
    baseline_start: Option<toml::value::Datetime>,
    baseline_end: Option<toml::value::Datetime>,
    cost_per_contact: Option<f64>,
    currency: Option<String>,
    metric: Option<String>,
    direction: Option<Direction>,
    target: Option<f64>,
}

/// The events of `data_dir/events.toml`; a missing file is an error, since
/// only the impact report reads it.
pub fn load(data_dir: &Path, tz: Tz) -> Result<Vec<Event>> {
    let path = data_dir.join("events.toml");
    let text = std::fs::read_to_string(&path).map_err(|e| {
        Error::bad_input(format!(
            "cannot read {}: {e} (impact reports need the events file)",
            path.display()
        ))
    })?;
    parse(&text, tz).map_err(|e| Error::bad_input(format!("{}: {e}", path.display())))
}

/// Parse and check the file's text.
pub fn parse(text: &str, tz: Tz) -> std::result::Result<Vec<Event>, String> {
    let raw: RawFile = toml::from_str(text).map_err(|e| naming_the_event(text, &e))?;
    let mut events: Vec<Event> = Vec::new();
    for r in raw.event {
        let event = check(r, tz)?;
        if events.iter().any(|e| e.id == event.id) {
            return Err(format!("event \"{}\": id is used twice", event.id));
        }
        events.push(event);
    }
    Ok(events)
}

/// A parse error (an unknown field, a wrong type) with the event it falls
/// in named, as the checks below name theirs: by its id, else by its place.
fn naming_the_event(text: &str, e: &toml::de::Error) -> String {
    let message = e.to_string();
    let Some((before, at)) = e.span().and_then(|s| text.split_at_checked(s.start)) else {
        return message;
    };
    // A key of the event points inside it; a missing field points at the
    // event's own header.
    let header = |l: &str| l.trim_start().starts_with("[[event]]");
    let k = before.lines().filter(|l| header(l)).count() + usize::from(header(at));
    if k == 0 {
        return message;
    }
    let id = toml::from_str::<toml::Value>(text).ok().and_then(|v| {
        let id = v.get("event")?.get(k - 1)?.get("id")?.as_str()?.to_string();
        Some(id)
    });
    match id {
        Some(id) => format!("event \"{id}\": {message}"),
        None => format!("[[event]] number {k}: {message}"),
    }
}

fn check(r: RawEvent, tz: Tz) -> std::result::Result<Event, String> {
    check_id(&r.id)?;
    let which = format!("event \"{}\"", r.id);
    let instant = |field: &str, d: &toml::value::Datetime| {
        toml_instant(d, tz).map_err(|e| format!("{which}: {field} = {d} {e}"))
    };
    let start = instant("start", &r.start)?;
    let end = r.end.as_ref().map(|d| instant("end", d)).transpose()?;
    if end.is_some_and(|e| e <= start) {
        return Err(format!("{which}: end must be after start"));
    }
    if end.is_none() && r.kind == Kind::Incident {
        return Err(format!(
            "{which}: end is missing (only an action may run without an end)"
        ));
    }
    if r.lines.is_empty() || r.lines.iter().any(|l| l.trim().is_empty()) {
        return Err(format!(
            "{which}: lines must name at least one business line"
        ));
    }
    let baseline = baseline(&r, &which, start, end, &instant)?;
    if let Some(c) = r.cost_per_contact {
        if !(c.is_finite() && c >= 0.0) {
            return Err(format!(
                "{which}: cost_per_contact = {c} must be a non-negative number"
            ));
        }
    }
    check_goal(&r, &which)?;
    Ok(Event {
        id: r.id,
        title: r.title,
        department: r.department,
        kind: r.kind,
        lines: r.lines,
        categories: r.categories,
        start,
        end,
        baseline,
        cost_per_contact: r.cost_per_contact,
        currency: r.currency,
        metric: r.metric,
        direction: r.direction,
        target: r.target,
    })
}

/// The id names the output folder: letters, digits, '.', '-', '_', not
/// starting with '.'.
fn check_id(id: &str) -> std::result::Result<(), String> {
    let ok = !id.is_empty()
        && !id.starts_with('.')
        && id.len() <= 100
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "event \"{id}\": id must be 1-100 letters, digits, '.', '-' or '_' and not start with '.' (it names the output folder)"
        ))
    }
}

/// Reads a date-time field of the event as an instant, or says which.
type ReadInstant<'a> =
    &'a dyn Fn(&str, &toml::value::Datetime) -> std::result::Result<DateTime<Utc>, String>;

fn baseline(
    r: &RawEvent,
    which: &str,
    start: DateTime<Utc>,
    end: Option<DateTime<Utc>>,
    instant: ReadInstant,
) -> std::result::Result<Baseline, String> {
    let explicit = (&r.baseline_start, &r.baseline_end);
    match (r.baseline.as_deref(), explicit) {
        (None | Some("explicit"), (Some(from), Some(to))) => {
            let from = instant("baseline_start", from)?;
            let to = instant("baseline_end", to)?;
            if to <= from {
                return Err(format!("{which}: baseline_end must be after baseline_start"));
            }
            if from < end.unwrap_or(DateTime::<Utc>::MAX_UTC) && to > start {
                return Err(format!(
                    "{which}: baseline_start..baseline_end overlaps the event window"
                ));
            }
            Ok(Baseline::Explicit(from, to))
        }
        (Some("before"), (None, None)) => Ok(Baseline::Before),
        (Some("weekdays"), (None, None)) => {
            match end {
                Some(end) if end - start <= Duration::days(7) => Ok(Baseline::Weekdays),
                _ => Err(format!(
                    "{which}: baseline = \"weekdays\" needs an event of at most 7 days with an end (the same weekdays of the 4 weeks before)"
                )),
            }
        }
        (None, (None, None)) => Err(format!(
            "{which}: baseline is missing (\"before\", \"weekdays\", or baseline_start and baseline_end)"
        )),
        (Some(b), (None, None)) => Err(format!(
            "{which}: baseline = \"{b}\" is not \"before\", \"weekdays\" or \"explicit\""
        )),
        _ => Err(format!(
            "{which}: baseline_start and baseline_end go together, without baseline = \"before\" or \"weekdays\""
        )),
    }
}

/// An action names the metric it should move and which way; an incident
/// names neither.
fn check_goal(r: &RawEvent, which: &str) -> std::result::Result<(), String> {
    match r.kind {
        Kind::Action => {
            let metric = r.metric.as_deref().ok_or_else(|| {
                format!("{which}: metric is missing (an action names the metric it should move)")
            })?;
            if !METRICS.contains(&metric) {
                return Err(format!(
                    "{which}: metric = \"{metric}\" is not one of {}",
                    METRICS.join(", ")
                ));
            }
            if r.direction.is_none() {
                return Err(format!(
                    "{which}: direction is missing (\"up\" or \"down\")"
                ));
            }
            if r.target.is_some_and(|t| !t.is_finite()) {
                return Err(format!("{which}: target must be a number"));
            }
            Ok(())
        }
        Kind::Incident => {
            if r.metric.is_some() || r.direction.is_some() || r.target.is_some() {
                return Err(format!(
                    "{which}: metric, direction and target are for kind = \"action\""
                ));
            }
            Ok(())
        }
    }
}
