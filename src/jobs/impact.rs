//! A cross-department impact report: an event window (an incident, or an
//! improvement action) against its baseline, on the event's lines, with the
//! lines the event did not touch as the control. Sessions are read, checked
//! and enriched by the shared pipeline, so every figure is summed from the
//! same per-session indicator columns as the monthly pack's. The outputs
//! hold counts and rates only: no customer or session identifiers.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use polars::prelude::*;

use crate::config::Config;
use crate::contract;
use crate::error::{Error, Result};
use crate::events::{Direction, Event, Kind};
use crate::impact_stats::{self as st, Tested};
use crate::jobs::pipeline::{self, ReadWindows};
use crate::load::{instant_lit, one_of, ordered_join};
use crate::metrics::sla;
use crate::standards::{local_midnight_utc, Standards};
use crate::tables::CheckedTables;

/// Which lines a session belongs to and which window it started in.
const SCOPE: &str = "scope";
const WINDOW: &str = "window";
pub const EVENT_LINES: &str = "event lines";
pub const CONTROL: &str = "control";
pub const EVENT: &str = "event";
pub const BASELINE: &str = "baseline";
const BETWEEN: &str = "between";

pub struct ImpactReport {
    pub event: Event,
    /// The event window's end as measured: its end, or the end of the data
    /// when it is still running.
    pub end: DateTime<Utc>,
    pub running: bool,
    pub baseline: Vec<(DateTime<Utc>, DateTime<Utc>)>,
    pub event_days: f64,
    pub baseline_days: f64,
    /// The event's lines have data one FCR window past the window's end.
    pub fcr_complete: bool,
    /// The control lines (none when the event covers every line).
    pub control_lines: Vec<String>,
    pub checked: CheckedTables,
    pub tables: Vec<(String, DataFrame)>,
    /// For an action: its status.
    pub status: Option<String>,
    /// The latest session start of the event's lines in the data read.
    pub data_until: Option<DateTime<Utc>>,
}

/// The sums of one (scope, window) cell, from the indicator columns.
#[derive(Debug, Clone, Copy, Default)]
struct Cell {
    sessions: u64,
    rated: u64,
    satisfied: u64,
    in_fcr: u64,
    followed: u64,
    repeats: u64,
    complaints: u64,
    frs_measured: u64,
    frs_met: u64,
    replies: u64,
    replies_met: u64,
}

type Cells = BTreeMap<(String, String), Cell>;

/// The report of `event`; None when its lines have no sessions in its
/// window (an event still ahead, or before the data). An event without an
/// end is measured to `until` (the end of the last closed month, so the
/// same data gives the same report all month), else to now.
pub fn run(
    cfg: &Config,
    standards: &Standards,
    event: &Event,
    until: Option<DateTime<Utc>>,
    mut step: impl FnMut(&str),
) -> Result<Option<ImpactReport>> {
    let Some(loaded) = load(cfg, standards, event, until, &mut step)? else {
        return Ok(None);
    };
    step("comparing windows");
    let Loaded {
        checked,
        sessions,
        messages,
        end,
        baseline,
        fcr_complete,
        data_until,
    } = loaded;
    let event_days = days(end - event.start);
    let baseline_days = baseline.iter().map(|(a, b)| days(*b - *a)).sum();
    let exposure = Exposure {
        event: event_days,
        baseline: baseline_days,
    };
    let mut cells = cells(&sessions)?;
    add_replies(&mut cells, messages, &sessions)?;
    let qa = qa_scores(&checked, standards, &sessions)?;
    let summary = summary(&cells, &qa, exposure)?;
    let status = match event.kind {
        Kind::Action => Some(action_status(
            event,
            &summary,
            event_days,
            cfg.impact.min_days,
            fcr_complete,
        )?),
        Kind::Incident => None,
    };
    let calendar = Calendar {
        tz: cfg.timezone,
        from: earliest(&baseline, event.start),
        start: event.start,
        end,
        baseline: baseline.clone(),
    };
    let mut tables = vec![
        ("excess".to_string(), excess(&cells, exposure, event)?),
        ("categories".to_string(), categories(&sessions, exposure)?),
        (
            "causes".to_string(),
            causes(&checked, standards, &sessions, exposure)?,
        ),
        ("daily".to_string(), daily(&sessions, &calendar)?),
    ];
    if let Some(s) = &status {
        tables.push(("status".to_string(), status_frame(event, s, &summary)?));
    }
    tables.insert(0, ("summary".to_string(), summary));
    Ok(Some(ImpactReport {
        event: event.clone(),
        end,
        running: event.end.is_none_or(|e| e > end),
        baseline,
        event_days,
        baseline_days,
        fcr_complete,
        control_lines: control_lines(&sessions)?,
        checked,
        tables,
        status,
        data_until,
    }))
}

/// What the comparison works on: the checked tables, the labelled
/// sessions of the event and baseline windows (and the days between), the
/// scan of their messages, and the windows as measured.
struct Loaded {
    checked: CheckedTables,
    sessions: DataFrame,
    messages: Option<LazyFrame>,
    end: DateTime<Utc>,
    baseline: Vec<(DateTime<Utc>, DateTime<Utc>)>,
    fcr_complete: bool,
    data_until: Option<DateTime<Utc>>,
}

/// Read and check what the event needs, cut its window at the end of the
/// data, enrich and label the sessions. None: no data in its window.
fn load(
    cfg: &Config,
    standards: &Standards,
    event: &Event,
    until: Option<DateTime<Utc>>,
    mut step: impl FnMut(&str),
) -> Result<Option<Loaded>> {
    // The read reaches the event's end, or `until` (else now) for one still
    // running; the window is cut at the end of the data below.
    let planned_end = event.end.or(until).unwrap_or_else(Utc::now);
    let read_from = earliest(&event.baseline_windows(planned_end), event.start);
    let windows = ReadWindows::instants(cfg, read_from, planned_end, &event.id)?;
    let (mut checked, sessions_used) =
        pipeline::load_sessions(cfg, standards, &windows, &mut step)?;
    let Some(end) = measured_end(event, planned_end, &sessions_used, cfg) else {
        return Ok(None);
    };
    let baseline = event.baseline_windows(end);
    check_data_covers(event, &baseline, &sessions_used, cfg)?;
    // FCR is complete when each of the event's lines has data one FCR
    // window past the window's end.
    let latest = latest_by_line(&sessions_used, &event.lines)?;
    let fcr_complete = event.lines.iter().all(|l| {
        latest
            .get(l)
            .is_some_and(|&t| t >= (end + cfg.fcr_window()).timestamp_micros())
    });

    step("repeat visits and FCR");
    let from = earliest(&baseline, event.start);
    let sessions = pipeline::enrich_sessions_between(sessions_used, cfg, standards, from, end)?;
    let sessions = label_sessions(sessions, event, end, &baseline)?;
    if !check_lines_and_baseline(event, &sessions)? {
        return Ok(None);
    }
    pipeline::load_review_tables(&mut checked, cfg, standards, &windows, &mut step)?;
    step("reading messages");
    let messages = checked.load_scan(
        cfg,
        &contract::MESSAGES,
        windows.window(&contract::MESSAGES).as_ref(),
    )?;
    Ok(Some(Loaded {
        checked,
        sessions,
        messages,
        end,
        baseline,
        fcr_complete,
        data_until: latest
            .values()
            .copied()
            .max()
            .and_then(DateTime::<Utc>::from_timestamp_micros),
    }))
}

fn earliest(windows: &[(DateTime<Utc>, DateTime<Utc>)], start: DateTime<Utc>) -> DateTime<Utc> {
    windows.iter().map(|w| w.0).fold(start, DateTime::min)
}

fn days(d: Duration) -> f64 {
    d.num_microseconds().unwrap_or(i64::MAX) as f64 / 86_400e6
}

/// The end of the event window as measured: its end when the data reaches
/// it, else (still running, or the export stops early) the local midnight
/// after the last session read. None: no session after its start.
fn measured_end(
    event: &Event,
    planned_end: DateTime<Utc>,
    sessions: &DataFrame,
    cfg: &Config,
) -> Option<DateTime<Utc>> {
    let latest = crate::columns::micros(sessions, "started_at")
        .ok()?
        .into_iter()
        .flatten()
        .max()
        .and_then(DateTime::<Utc>::from_timestamp_micros)
        .filter(|t| *t >= event.start)?;
    let tz = cfg.timezone;
    let day_after = latest
        .with_timezone(&tz)
        .date_naive()
        .succ_opt()
        .map(|d| local_midnight_utc(d, tz))
        .unwrap_or(planned_end);
    Some(planned_end.min(day_after))
}

/// The data must begin by the baseline's first day: a baseline window
/// before the data would count its days without its contacts and make the
/// event look worse than it was.
fn check_data_covers(
    event: &Event,
    baseline: &[(DateTime<Utc>, DateTime<Utc>)],
    sessions: &DataFrame,
    cfg: &Config,
) -> Result<()> {
    let tz = cfg.timezone;
    let day = |t: DateTime<Utc>| t.with_timezone(&tz).date_naive();
    let first = crate::columns::micros(sessions, "started_at")?
        .into_iter()
        .flatten()
        .min()
        .and_then(DateTime::<Utc>::from_timestamp_micros);
    let from = earliest(baseline, event.start);
    match first {
        Some(first) if day(first) > day(from) => Err(Error::bad_input(format!(
            "event \"{}\": baseline: starts {} but the sessions in {} begin on {}",
            event.id,
            day(from),
            cfg.data_dir.join("sessions").display(),
            day(first)
        ))),
        _ => Ok(()),
    }
}

/// The latest session start (µs) of each of `lines` in the data read.
fn latest_by_line(sessions: &DataFrame, lines: &[String]) -> Result<BTreeMap<String, i64>> {
    let df = sessions
        .clone()
        .lazy()
        .filter(one_of(
            "business_line",
            &lines.iter().map(String::as_str).collect::<Vec<_>>(),
        ))
        .group_by([col("business_line")])
        .agg([col("started_at")
            .cast(DataType::Int64)
            .max()
            .alias("latest")])
        .collect()?;
    let names = crate::columns::strings(&df, "business_line")?;
    let latest = crate::columns::i64s(&df, "latest")?;
    Ok(names
        .into_iter()
        .zip(latest)
        .filter_map(|(n, t)| Some((n?, t?)))
        .collect())
}

/// `scope` (event lines or control) and `window` (event, baseline, between)
/// for each session, kept to the event's categories when it names some.
fn label_sessions(
    sessions: DataFrame,
    event: &Event,
    end: DateTime<Utc>,
    baseline: &[(DateTime<Utc>, DateTime<Utc>)],
) -> Result<DataFrame> {
    let lines: Vec<&str> = event.lines.iter().map(String::as_str).collect();
    let within = |from: DateTime<Utc>, to: DateTime<Utc>| {
        col("started_at")
            .gt_eq(instant_lit(from))
            .and(col("started_at").lt(instant_lit(to)))
    };
    let in_baseline = baseline
        .iter()
        .map(|(a, b)| within(*a, *b))
        .reduce(|a, b| a.or(b))
        .unwrap_or(lit(false));
    let mut lf = sessions.lazy().with_columns([
        when(one_of("business_line", &lines))
            .then(lit(EVENT_LINES))
            .otherwise(lit(CONTROL))
            .alias(SCOPE),
        when(within(event.start, end))
            .then(lit(EVENT))
            .when(in_baseline)
            .then(lit(BASELINE))
            .otherwise(lit(BETWEEN))
            .alias(WINDOW),
    ]);
    if !event.categories.is_empty() {
        let cats: Vec<&str> = event.categories.iter().map(String::as_str).collect();
        lf = lf.filter(one_of("category", &cats));
    }
    Ok(lf.collect()?)
}

/// Every line of the event has sessions in the windows read, and the
/// baseline has sessions of the event's lines. False: the event window has
/// none.
fn check_lines_and_baseline(event: &Event, sessions: &DataFrame) -> Result<bool> {
    let seen = crate::columns::strings(sessions, "business_line")?;
    for line in &event.lines {
        if !seen.iter().any(|l| l.as_deref() == Some(line)) {
            return Err(Error::bad_input(format!(
                "event \"{}\": lines: no sessions of business line \"{line}\" in the event or baseline window",
                event.id
            )));
        }
    }
    let scopes = crate::columns::strings(sessions, SCOPE)?;
    let windows = crate::columns::strings(sessions, WINDOW)?;
    let has = |w: &str| {
        scopes
            .iter()
            .zip(&windows)
            .any(|(s, x)| s.as_deref() == Some(EVENT_LINES) && x.as_deref() == Some(w))
    };
    if !has(EVENT) {
        return Ok(false);
    }
    if !has(BASELINE) {
        return Err(Error::bad_input(format!(
            "event \"{}\": baseline: no sessions of the event's lines in the baseline window",
            event.id
        )));
    }
    Ok(true)
}

fn control_lines(sessions: &DataFrame) -> Result<Vec<String>> {
    let lines = crate::columns::strings(sessions, "business_line")?;
    let scopes = crate::columns::strings(sessions, SCOPE)?;
    let mut out: Vec<String> = lines
        .into_iter()
        .zip(scopes)
        .filter(|(_, s)| s.as_deref() == Some(CONTROL))
        .filter_map(|(l, _)| l)
        .collect();
    out.sort();
    out.dedup();
    Ok(out)
}

/// Sums of the indicator columns per (scope, window): the same columns the
/// monthly SQL sums.
fn cells(sessions: &DataFrame) -> Result<Cells> {
    let sum = |c: &str, name: &str| col(c).cast(DataType::UInt64).sum().alias(name);
    let df = sessions
        .clone()
        .lazy()
        .group_by([col(SCOPE), col(WINDOW)])
        .agg([
            len().cast(DataType::UInt64).alias("sessions"),
            sum("rated", "rated"),
            sum("satisfied", "satisfied"),
            sum("in_fcr", "in_fcr"),
            sum("followed_n", "followed"),
            sum("repeat_n", "repeats"),
            sum("complaint_n", "complaints"),
            sum("frs_measured", "frs_measured"),
            sum("frs_met", "frs_met"),
        ])
        .collect()?;
    let scopes = crate::columns::strings(&df, SCOPE)?;
    let windows = crate::columns::strings(&df, WINDOW)?;
    let u = |name: &str| -> Result<Vec<u64>> {
        Ok(df
            .column(name)?
            .u64()?
            .iter()
            .map(|v| v.unwrap_or(0))
            .collect())
    };
    let (n, rated, satisfied, in_fcr) =
        (u("sessions")?, u("rated")?, u("satisfied")?, u("in_fcr")?);
    let (followed, repeats, complaints) = (u("followed")?, u("repeats")?, u("complaints")?);
    let (frs_measured, frs_met) = (u("frs_measured")?, u("frs_met")?);
    let mut out = Cells::new();
    for i in 0..df.height() {
        let (Some(s), Some(w)) = (scopes[i].clone(), windows[i].clone()) else {
            continue;
        };
        out.insert(
            (s, w),
            Cell {
                sessions: n[i],
                rated: rated[i],
                satisfied: satisfied[i],
                in_fcr: in_fcr[i],
                followed: followed[i],
                repeats: repeats[i],
                complaints: complaints[i],
                frs_measured: frs_measured[i],
                frs_met: frs_met[i],
                replies: 0,
                replies_met: 0,
            },
        );
    }
    Ok(out)
}

/// Reply events of the sessions, judged against the reply threshold in
/// force, counted into their cells.
fn add_replies(cells: &mut Cells, messages: Option<LazyFrame>, sessions: &DataFrame) -> Result<()> {
    let Some(messages) = messages else {
        return Ok(());
    };
    let keys = sessions.clone().lazy().select([
        col("session_id"),
        col(SCOPE),
        col(WINDOW),
        col("reply_threshold_s"),
    ]);
    let df = sla::reply_events(messages, keys)?
        .group_by([col(SCOPE), col(WINDOW)])
        .agg([
            len().cast(DataType::UInt64).alias("replies"),
            col("reply_s")
                .lt_eq(col("reply_threshold_s"))
                .cast(DataType::UInt64)
                .sum()
                .alias("met"),
        ])
        .collect()?;
    let scopes = crate::columns::strings(&df, SCOPE)?;
    let windows = crate::columns::strings(&df, WINDOW)?;
    let replies = df.column("replies")?.u64()?.clone();
    let met = df.column("met")?.u64()?.clone();
    for i in 0..df.height() {
        let (Some(s), Some(w)) = (scopes[i].clone(), windows[i].clone()) else {
            continue;
        };
        let cell = cells.entry((s, w)).or_default();
        cell.replies = replies.get(i).unwrap_or(0);
        cell.replies_met = met.get(i).unwrap_or(0);
    }
    Ok(())
}

/// QA scores of the reviewed sessions per (scope, window).
type Scores = BTreeMap<(String, String), Vec<f64>>;

fn qa_scores(
    checked: &CheckedTables,
    standards: &Standards,
    sessions: &DataFrame,
) -> Result<Scores> {
    let keys = pipeline::session_keys(sessions);
    let reviews = pipeline::review_figures(checked, standards, &keys)?;
    let labels = sessions
        .clone()
        .lazy()
        .select([col("session_id"), col(SCOPE), col(WINDOW)]);
    let df = reviews
        .review_scores
        .filter(col("review_score").is_not_null())
        .select([col("session_id"), col("review_score")])
        .join(
            labels,
            [col("session_id")],
            [col("session_id")],
            ordered_join(JoinType::Inner),
        )
        .collect()?;
    let scopes = crate::columns::strings(&df, SCOPE)?;
    let windows = crate::columns::strings(&df, WINDOW)?;
    let scores = crate::columns::f64s(&df, "review_score")?;
    let mut out = Scores::new();
    for ((s, w), v) in scopes.into_iter().zip(windows).zip(scores) {
        if let (Some(s), Some(w), Some(v)) = (s, w, v) {
            out.entry((s, w)).or_default().push(v);
        }
    }
    Ok(out)
}

#[derive(Debug, Clone, Copy)]
struct Exposure {
    event: f64,
    baseline: f64,
}

fn cell(cells: &Cells, scope: &str, window: &str) -> Cell {
    cells
        .get(&(scope.to_string(), window.to_string()))
        .copied()
        .unwrap_or_default()
}

/// One summary row under construction.
struct Row {
    metric: &'static str,
    event: Option<f64>,
    baseline: Option<f64>,
    event_n: u64,
    baseline_n: u64,
    test: &'static str,
    tested: Tested,
    ci_of: &'static str,
    control_event: Option<f64>,
    control_baseline: Option<f64>,
    did_of: &'static str,
    did: Tested,
}

fn ratio(x: u64, n: u64) -> Option<f64> {
    (n > 0).then(|| x as f64 / n as f64)
}

/// A rate row: successes and trials of a cell, e.g. complaints of sessions.
fn rate_row(metric: &'static str, cells: &Cells, part: impl Fn(&Cell) -> (u64, u64)) -> Row {
    let [e, b, ce, cb] = [
        (EVENT_LINES, EVENT),
        (EVENT_LINES, BASELINE),
        (CONTROL, EVENT),
        (CONTROL, BASELINE),
    ]
    .map(|(s, w)| part(&cell(cells, s, w)));
    Row {
        metric,
        event: ratio(e.0, e.1),
        baseline: ratio(b.0, b.1),
        event_n: e.1,
        baseline_n: b.1,
        test: "two-proportion z-test",
        tested: st::two_proportions(e.0, e.1, b.0, b.1),
        ci_of: "difference",
        control_event: ratio(ce.0, ce.1),
        control_baseline: ratio(cb.0, cb.1),
        did_of: "difference of differences",
        did: st::did_proportions([e, b, ce, cb]),
    }
}

fn contacts_row(cells: &Cells, x: Exposure) -> Row {
    let n = |s, w| cell(cells, s, w).sessions;
    let (e, b) = (n(EVENT_LINES, EVENT), n(EVENT_LINES, BASELINE));
    let (ce, cb) = (n(CONTROL, EVENT), n(CONTROL, BASELINE));
    let per_day = |k: u64, d: f64| (d > 0.0).then(|| k as f64 / d);
    // Without control lines there is no control rate (not 0 a day).
    let has_control = cells.keys().any(|(s, _)| s == CONTROL);
    let control = |k: u64, d: f64| per_day(k, d).filter(|_| has_control);
    Row {
        metric: "contacts_per_day",
        event: per_day(e, x.event),
        baseline: per_day(b, x.baseline),
        event_n: e,
        baseline_n: b,
        test: "exact conditional Poisson test",
        tested: st::poisson_rates(e, x.event, b, x.baseline),
        ci_of: "rate ratio",
        control_event: control(ce, x.event),
        control_baseline: control(cb, x.baseline),
        did_of: "ratio of rate ratios",
        did: st::did_rates([
            (e, x.event),
            (b, x.baseline),
            (ce, x.event),
            (cb, x.baseline),
        ]),
    }
}

fn qa_row(qa: &Scores) -> Row {
    let get = |s: &str, w: &str| {
        qa.get(&(s.to_string(), w.to_string()))
            .cloned()
            .unwrap_or_default()
    };
    let mean = |v: &[f64]| (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64);
    let (e, b) = (get(EVENT_LINES, EVENT), get(EVENT_LINES, BASELINE));
    let (ce, cb) = (get(CONTROL, EVENT), get(CONTROL, BASELINE));
    Row {
        metric: "qa_score",
        event: mean(&e),
        baseline: mean(&b),
        event_n: e.len() as u64,
        baseline_n: b.len() as u64,
        test: "Welch t-test",
        tested: st::welch(&e, &b),
        ci_of: "difference",
        control_event: mean(&ce),
        control_baseline: mean(&cb),
        did_of: "difference of differences",
        did: Tested::NONE,
    }
}

fn summary(cells: &Cells, qa: &Scores, x: Exposure) -> Result<DataFrame> {
    let rows = vec![
        contacts_row(cells, x),
        rate_row("complaint_rate", cells, |c| (c.complaints, c.sessions)),
        rate_row("csat", cells, |c| (c.satisfied, c.rated)),
        rate_row("fcr", cells, |c| {
            (c.in_fcr - c.followed.min(c.in_fcr), c.in_fcr)
        }),
        rate_row("repeat_rate", cells, |c| (c.followed, c.in_fcr)),
        rate_row("first_response_sla", cells, |c| (c.frs_met, c.frs_measured)),
        rate_row("reply_sla", cells, |c| (c.replies_met, c.replies)),
        qa_row(qa),
    ];
    summary_frame(&rows)
}

fn summary_frame(rows: &[Row]) -> Result<DataFrame> {
    let f = |name: &str, get: &dyn Fn(&Row) -> Option<f64>| {
        Column::new(name.into(), rows.iter().map(get).collect::<Vec<_>>())
    };
    let s = |name: &str, get: &dyn Fn(&Row) -> &str| {
        Column::new(name.into(), rows.iter().map(get).collect::<Vec<_>>())
    };
    let diff = |a: Option<f64>, b: Option<f64>| Some(a? - b?);
    let rel = |a: Option<f64>, b: Option<f64>| {
        let b = b.filter(|b| *b != 0.0)?;
        Some(a? / b - 1.0)
    };
    Ok(DataFrame::new_infer_height(vec![
        s("metric", &|r| r.metric),
        f("event_value", &|r| r.event),
        f("baseline_value", &|r| r.baseline),
        f("abs_change", &|r| diff(r.event, r.baseline)),
        f("rel_change", &|r| rel(r.event, r.baseline)),
        Column::new(
            "event_n".into(),
            rows.iter().map(|r| r.event_n).collect::<Vec<_>>(),
        ),
        Column::new(
            "baseline_n".into(),
            rows.iter().map(|r| r.baseline_n).collect::<Vec<_>>(),
        ),
        s("test", &|r| r.test),
        f("statistic", &|r| r.tested.statistic),
        f("p_value", &|r| r.tested.p_value),
        s("ci_of", &|r| r.ci_of),
        f("ci_low", &|r| r.tested.ci_low),
        f("ci_high", &|r| r.tested.ci_high),
        f("control_event_value", &|r| r.control_event),
        f("control_baseline_value", &|r| r.control_baseline),
        f("control_abs_change", &|r| {
            diff(r.control_event, r.control_baseline)
        }),
        f("control_rel_change", &|r| {
            rel(r.control_event, r.control_baseline)
        }),
        s("did_of", &|r| r.did_of),
        f("did", &|r| r.did.statistic),
        f("did_p_value", &|r| r.did.p_value),
        f("did_ci_low", &|r| r.did.ci_low),
        f("did_ci_high", &|r| r.did.ci_high),
    ])?)
}

/// Excess contacts, complaints and repeat visits of the event's lines, with
/// intervals, the control's rate ratio and the excess once the control's
/// swing is taken out, and their cost.
fn excess(cells: &Cells, x: Exposure, event: &Event) -> Result<DataFrame> {
    type Count = fn(&Cell) -> u64;
    let measures: [(&str, Count); 3] = [
        ("contacts", |c| c.sessions),
        ("complaints", |c| c.complaints),
        ("repeat_visits", |c| c.repeats),
    ];
    let cost = |v: Option<f64>| Some(v? * event.cost_per_contact?);
    let mut cols: BTreeMap<&str, Vec<Option<f64>>> = BTreeMap::new();
    let mut names = Vec::new();
    for (name, count) in measures {
        let k = |s, w| count(&cell(cells, s, w));
        let (e, b) = (k(EVENT_LINES, EVENT), k(EVENT_LINES, BASELINE));
        let (ce, cb) = (k(CONTROL, EVENT), k(CONTROL, BASELINE));
        let ex = st::excess_count(e, x.event, b, x.baseline);
        // The control's rate ratio: how much the centre swung without the event.
        let control_ratio = (ce > 0 && cb > 0 && x.event > 0.0 && x.baseline > 0.0)
            .then(|| (ce as f64 / x.event) / (cb as f64 / x.baseline));
        let adjusted = ex.and_then(|ex| Some(ex.expected * control_ratio?));
        names.push(name);
        let mut push = |c: &'static str, v: Option<f64>| cols.entry(c).or_default().push(v);
        push("event_count", Some(e as f64));
        push("baseline_count", Some(b as f64));
        push("expected", ex.map(|x| x.expected));
        push("excess", ex.map(|x| x.excess));
        push("ci_low", ex.and_then(|x| x.ci_low));
        push("ci_high", ex.and_then(|x| x.ci_high));
        push("control_rate_ratio", control_ratio);
        push("expected_with_control", adjusted);
        push("excess_with_control", adjusted.map(|a| e as f64 - a));
        push("cost", cost(ex.map(|x| x.excess)));
        push("cost_low", cost(ex.and_then(|x| x.ci_low)));
        push("cost_high", cost(ex.and_then(|x| x.ci_high)));
    }
    let n = names.len();
    let mut columns = vec![Column::new("measure".into(), names)];
    for c in [
        "event_count",
        "baseline_count",
        "expected",
        "excess",
        "ci_low",
        "ci_high",
        "control_rate_ratio",
        "expected_with_control",
        "excess_with_control",
        "cost",
        "cost_low",
        "cost_high",
    ] {
        columns.push(Column::new(c.into(), cols.remove(c).unwrap_or_default()));
    }
    columns.push(Column::new("event_days".into(), vec![x.event; n]));
    columns.push(Column::new("baseline_days".into(), vec![x.baseline; n]));
    columns.push(Column::new(
        "currency".into(),
        vec![event.currency.clone(); n],
    ));
    Ok(DataFrame::new_infer_height(columns)?)
}

/// Counts of (key, window) among the event lines' sessions or repeat
/// causes, compared per key: per day in each window, shares, the excess
/// with its interval and the exact test, largest excess first.
fn grown(counts: DataFrame, key: &str, x: Exposure) -> Result<DataFrame> {
    let keys = crate::columns::strings(&counts, key)?;
    let windows = crate::columns::strings(&counts, WINDOW)?;
    let n = crate::columns::i64s(&counts, "n")?;
    let mut by_key: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    for ((k, w), c) in keys.into_iter().zip(windows).zip(n) {
        let k = k.unwrap_or_else(|| "(none)".into());
        let c = u64::try_from(c.unwrap_or(0)).unwrap_or(0);
        let slot = by_key.entry(k).or_default();
        match w.as_deref() {
            Some(EVENT) => slot.0 = slot.0.saturating_add(c),
            Some(BASELINE) => slot.1 = slot.1.saturating_add(c),
            _ => {}
        }
    }
    let (te, tb) = by_key.values().fold((0u64, 0u64), |(a, b), (e, x)| {
        (a.saturating_add(*e), b.saturating_add(*x))
    });
    let mut rows: Vec<(String, u64, u64, Option<st::Excess>, Tested)> = by_key
        .into_iter()
        .map(|(k, (e, b))| {
            (
                k,
                e,
                b,
                st::excess_count(e, x.event, b, x.baseline),
                st::poisson_rates(e, x.event, b, x.baseline),
            )
        })
        .collect();
    let excess_of = |r: &(String, u64, u64, Option<st::Excess>, Tested)| {
        r.3.map(|x| x.excess).unwrap_or(f64::NEG_INFINITY)
    };
    rows.sort_by(|a, b| excess_of(b).total_cmp(&excess_of(a)).then(a.0.cmp(&b.0)));
    let per_day = |k: u64, d: f64| (d > 0.0).then(|| k as f64 / d);
    let col_f = |name: &str, v: Vec<Option<f64>>| Column::new(name.into(), v);
    Ok(DataFrame::new_infer_height(vec![
        Column::new(
            key.into(),
            rows.iter().map(|r| r.0.clone()).collect::<Vec<_>>(),
        ),
        Column::new(
            "event_count".into(),
            rows.iter().map(|r| r.1).collect::<Vec<_>>(),
        ),
        Column::new(
            "baseline_count".into(),
            rows.iter().map(|r| r.2).collect::<Vec<_>>(),
        ),
        col_f(
            "event_per_day",
            rows.iter().map(|r| per_day(r.1, x.event)).collect(),
        ),
        col_f(
            "baseline_per_day",
            rows.iter().map(|r| per_day(r.2, x.baseline)).collect(),
        ),
        col_f("event_share", rows.iter().map(|r| ratio(r.1, te)).collect()),
        col_f(
            "baseline_share",
            rows.iter().map(|r| ratio(r.2, tb)).collect(),
        ),
        col_f(
            "excess",
            rows.iter().map(|r| r.3.map(|x| x.excess)).collect(),
        ),
        col_f(
            "excess_low",
            rows.iter().map(|r| r.3.and_then(|x| x.ci_low)).collect(),
        ),
        col_f(
            "excess_high",
            rows.iter().map(|r| r.3.and_then(|x| x.ci_high)).collect(),
        ),
        col_f("p_value", rows.iter().map(|r| r.4.p_value).collect()),
    ])?)
}

fn event_lines_in_windows(sessions: &DataFrame) -> LazyFrame {
    sessions.clone().lazy().filter(
        col(SCOPE)
            .eq(lit(EVENT_LINES))
            .and(one_of(WINDOW, &[EVENT, BASELINE])),
    )
}

/// The category mix of the event's lines: which categories grew most.
fn categories(sessions: &DataFrame, x: Exposure) -> Result<DataFrame> {
    let counts = event_lines_in_windows(sessions)
        .group_by([col("category"), col(WINDOW)])
        .agg([len().cast(DataType::Int64).alias("n")])
        .collect()?;
    grown(counts, "category", x)
}

/// The repeat-visit causes QA noted on the event lines' sessions: which
/// grew most.
fn causes(
    checked: &CheckedTables,
    standards: &Standards,
    sessions: &DataFrame,
    x: Exposure,
) -> Result<DataFrame> {
    let causes = checked.used_or_empty(&contract::REPEAT_CAUSES, standards)?;
    let counts = causes
        .lazy()
        .select([col("session_id"), col("cause")])
        .join(
            event_lines_in_windows(sessions).select([col("session_id"), col(WINDOW)]),
            [col("session_id")],
            [col("session_id")],
            ordered_join(JoinType::Inner),
        )
        .group_by([col("cause"), col(WINDOW)])
        .agg([len().cast(DataType::Int64).alias("n")])
        .collect()?;
    let table = grown(counts, "cause", x)?;
    let labels: Vec<Option<String>> = crate::columns::strings(&table, "cause")?
        .iter()
        .map(|c| c.as_ref().and_then(|c| standards.causes.get(c).cloned()))
        .collect();
    let mut table = table;
    table.insert_column(1, Column::new("label".into(), labels))?;
    Ok(table)
}

/// One row per local day, scope and window from the baseline's start to the
/// event's end, for the chart; a day without sessions is a row of zeros
/// (its window: event, baseline or between, by what the day overlaps).
fn daily(sessions: &DataFrame, calendar: &Calendar) -> Result<DataFrame> {
    let sum = |c: &str| col(c).cast(DataType::Int64).sum();
    // A day without a denominator has no rate (not 0).
    let rate = |x: &str, n: &str, name: &str| {
        when(col(n).gt(lit(0)))
            .then(col(x).cast(DataType::Float64) / col(n).cast(DataType::Float64))
            .otherwise(lit(NULL).cast(DataType::Float64))
            .alias(name)
    };
    let counted = sessions
        .clone()
        .lazy()
        .group_by([col("local_date"), col(SCOPE), col(WINDOW)])
        .agg([
            len().cast(DataType::Int64).alias("sessions"),
            sum("complaint_n").alias("complaints"),
            sum("rated").alias("rated"),
            sum("satisfied").alias("satisfied"),
            sum("in_fcr").alias("fcr_sessions"),
            sum("followed_n").alias("followed"),
            sum("frs_measured").alias("frs_measured"),
            sum("frs_met").alias("frs_met"),
        ])
        .with_columns([
            rate("complaints", "sessions", "complaint_rate"),
            rate("satisfied", "rated", "csat"),
            rate("followed", "fcr_sessions", "repeat_rate"),
            rate("frs_met", "frs_measured", "first_response_sla"),
        ])
        .select([
            col("local_date"),
            col(SCOPE),
            col(WINDOW),
            col("sessions"),
            col("complaints"),
            col("complaint_rate"),
            col("rated"),
            col("csat"),
            col("fcr_sessions"),
            col("repeat_rate"),
            col("frs_measured"),
            col("first_response_sla"),
        ])
        .collect()?;
    let scopes: Vec<&str> = if control_lines(sessions)?.is_empty() {
        vec![EVENT_LINES]
    } else {
        vec![EVENT_LINES, CONTROL]
    };
    let empty = empty_days(calendar, &scopes)?
        .lazy()
        .join(
            counted.clone().lazy(),
            [col("local_date"), col(SCOPE)],
            [col("local_date"), col(SCOPE)],
            JoinArgs::new(JoinType::Anti),
        )
        .collect()?;
    Ok(concat(
        [counted.lazy(), empty.lazy()],
        UnionArgs {
            to_supertypes: true,
            ..Default::default()
        },
    )?
    .sort([SCOPE, "local_date", WINDOW], Default::default())
    .collect()?)
}

/// The windows of the report in local days.
struct Calendar {
    tz: chrono_tz::Tz,
    from: DateTime<Utc>,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    baseline: Vec<(DateTime<Utc>, DateTime<Utc>)>,
}

/// Zero rows for every local day and scope of the calendar, typed as the
/// counted rows.
fn empty_days(c: &Calendar, scopes: &[&str]) -> Result<DataFrame> {
    let first = c.from.with_timezone(&c.tz).date_naive();
    let last = (c.end - Duration::microseconds(1))
        .with_timezone(&c.tz)
        .date_naive();
    let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    let overlaps = |a: DateTime<Utc>, b: DateTime<Utc>, from: DateTime<Utc>, to: DateTime<Utc>| {
        a < to && from < b
    };
    let (mut dates, mut scope_col, mut windows) = (Vec::new(), Vec::new(), Vec::new());
    for day in first.iter_days().take_while(|d| *d <= last) {
        let from = local_midnight_utc(day, c.tz);
        let to = day
            .succ_opt()
            .map_or(c.end, |d| local_midnight_utc(d, c.tz));
        let window = if overlaps(from, to, c.start, c.end) {
            EVENT
        } else if c.baseline.iter().any(|(a, b)| overlaps(from, to, *a, *b)) {
            BASELINE
        } else {
            BETWEEN
        };
        for scope in scopes {
            dates.push(i32::try_from((day - epoch).num_days()).unwrap_or(0));
            scope_col.push(*scope);
            windows.push(window);
        }
    }
    let n = dates.len();
    let zeros = |name: &str| Column::new(name.into(), vec![0i64; n]);
    let nulls = |name: &str| Column::new(name.into(), vec![None::<f64>; n]);
    Ok(DataFrame::new_infer_height(vec![
        Column::new("local_date".into(), dates).cast(&DataType::Date)?,
        Column::new(SCOPE.into(), scope_col),
        Column::new(WINDOW.into(), windows),
        zeros("sessions"),
        zeros("complaints"),
        nulls("complaint_rate"),
        zeros("rated"),
        nulls("csat"),
        zeros("fcr_sessions"),
        nulls("repeat_rate"),
        zeros("frs_measured"),
        nulls("first_response_sla"),
    ])?)
}

/// An action's status: `too early` before `min_days` days of data;
/// `awaiting FCR window` when its metric is FCR or the repeat rate and the
/// data does not yet reach one FCR window past its end (late repeat visits
/// would still move the figure); else `target met` when the event value
/// reached the target; `moving as planned` / `wrong way` when the change is
/// significant (p < 0.05) in / against the planned direction; else `no
/// effect`.
fn action_status(
    event: &Event,
    summary: &DataFrame,
    days_passed: f64,
    min_days: u32,
    fcr_complete: bool,
) -> Result<String> {
    if days_passed < f64::from(min_days) {
        return Ok("too early".into());
    }
    let needs_fcr = matches!(event.metric.as_deref(), Some("fcr" | "repeat_rate"));
    if needs_fcr && !fcr_complete {
        return Ok("awaiting FCR window".into());
    }
    let (Some(metric), Some(direction)) = (&event.metric, event.direction) else {
        return Err(Error::other(format!(
            "event \"{}\": an action without a metric",
            event.id
        )));
    };
    let row = crate::columns::strings(summary, "metric")?
        .iter()
        .position(|m| m.as_deref() == Some(metric.as_str()))
        .ok_or_else(|| Error::other(format!("no summary row for {metric}")))?;
    let at = |c: &str| -> Result<Option<f64>> { Ok(crate::columns::f64s(summary, c)?[row]) };
    let (value, change, p) = (at("event_value")?, at("abs_change")?, at("p_value")?);
    let sign = match direction {
        Direction::Up => 1.0,
        Direction::Down => -1.0,
    };
    let met = match (value, event.target) {
        (Some(v), Some(t)) => sign * (v - t) >= 0.0,
        _ => false,
    };
    Ok(match (met, change, p) {
        (true, _, _) => "target met",
        (_, Some(c), Some(p)) if p < 0.05 && sign * c > 0.0 => "moving as planned",
        (_, Some(c), Some(p)) if p < 0.05 && sign * c < 0.0 => "wrong way",
        _ => "no effect",
    }
    .into())
}

fn status_frame(event: &Event, status: &str, summary: &DataFrame) -> Result<DataFrame> {
    let metric = event.metric.clone().unwrap_or_default();
    let row = crate::columns::strings(summary, "metric")?
        .iter()
        .position(|m| m.as_deref() == Some(metric.as_str()));
    let at = |c: &str| -> Result<Option<f64>> {
        Ok(row.and_then(|i| {
            crate::columns::f64s(summary, c)
                .ok()?
                .get(i)
                .copied()
                .flatten()
        }))
    };
    Ok(DataFrame::new_infer_height(vec![
        Column::new("event_id".into(), [event.id.clone()]),
        Column::new("metric".into(), [metric]),
        Column::new(
            "direction".into(),
            [match event.direction {
                Some(Direction::Up) => "up",
                Some(Direction::Down) => "down",
                None => "",
            }],
        ),
        Column::new("target".into(), [event.target]),
        Column::new("event_value".into(), [at("event_value")?]),
        Column::new("baseline_value".into(), [at("baseline_value")?]),
        Column::new("abs_change".into(), [at("abs_change")?]),
        Column::new("p_value".into(), [at("p_value")?]),
        Column::new("status".into(), [status.to_string()]),
    ])?)
}
