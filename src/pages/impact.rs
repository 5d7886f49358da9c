//! An impact report as people see it, for the department that owns the
//! event: the days of the event's lines against the control with the
//! windows shaded, the changes with their 95 % intervals, what the event
//! cost, what grew most. Nothing is recomputed: every figure is read from
//! the tables `csqa impact` writes.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use polars::prelude::*;

use super::impact_daily;
use super::{data_quality, f64s, rejected_rows, strs};
use crate::config::Config;
use crate::error::Result;
use crate::events::{Direction, Kind as EventKind};
use crate::i18n::Lang;
use crate::jobs::impact::ImpactReport;
use crate::render::chart::{self, IntervalRow};
use crate::render::{Cell, Chart, Column, Kind, Report, Section, Table};
use crate::restate::Restatement;

/// How many categories and causes the page lists (the CSV has them all).
const GROWN_ROWS: usize = 5;

pub fn report(r: &ImpactReport, cfg: &Config, restated: Option<&Restatement>) -> Result<Report> {
    let (lang, tz) = (cfg.lang, cfg.timezone);
    let table = |name: &str| r.tables.iter().find(|(n, _)| n == name).map(|(_, df)| df);
    let mut sections = Vec::new();
    if let Some(daily) = table("daily") {
        sections.push(impact_daily::section(r, daily, lang, tz)?);
    }
    if let Some(summary) = table("summary") {
        sections.push(changes(r, summary, table("status"), lang, tz));
    }
    if let Some(excess) = table("excess") {
        sections.push(cost(r, excess, lang, tz)?);
    }
    for (name, key) in [("categories", "category"), ("causes", "cause")] {
        if let Some(df) = table(name) {
            sections.push(grown(df, name, key, lang, tz)?);
        }
    }
    let quality = data_quality(&r.checked, lang, tz)?;
    let mut s = Section::new(lang.t("sec.quality"));
    s.notes.push(lang.t("note.impact.rejected"));
    s.tables.push(quality.clone());
    sections.push(s);

    let mut sheets = Vec::new();
    for (name, df) in &r.tables {
        let mut sheet = Table::from_frame(name, df, lang, tz)?;
        super::localise_names(&mut sheet, df, lang, &|id| id.to_string());
        sheets.push(sheet);
    }
    sheets.push(quality);
    Ok(Report {
        lang,
        title: format!(
            "{}{}{}",
            lang.t("title.impact"),
            lang.t("punct.colon"),
            r.event.title
        ),
        period: format!("{} – {}", local(r.event.start, tz), local(r.end, tz)),
        facts: facts(r, cfg),
        alerts: alerts(r, restated, lang),
        sections,
        sheets,
    })
}

/// The windows compared, for a chart's caption: "event window 2026-07-14
/// 09:00 – 2026-07-17 09:00 (3.00 days), baseline 12.00 days".
fn windows(r: &ImpactReport, lang: Lang, tz: Tz) -> String {
    let days = lang.t("unit.days");
    format!(
        "{} {} – {} ({:.2} {days}), {} {:.2} {days}",
        lang.t("band.event"),
        local(r.event.start, tz),
        local(r.end, tz),
        r.event_days,
        lang.t("band.baseline"),
        r.baseline_days
    )
}

fn local(t: DateTime<Utc>, tz: Tz) -> String {
    t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string()
}

fn facts(r: &ImpactReport, cfg: &Config) -> Vec<(String, String)> {
    let (lang, tz) = (cfg.lang, cfg.timezone);
    let e = &r.event;
    let kind = lang.t(match e.kind {
        EventKind::Incident => "kind.incident",
        EventKind::Action => "kind.action",
    });
    let mut facts = vec![
        (lang.t("fact.job"), lang.t("job.impact")),
        (lang.t("fact.event"), e.id.clone()),
        (lang.t("fact.owner"), format!("{} ({kind})", e.department)),
        (lang.t("fact.lines"), e.lines.join(", ")),
    ];
    if !e.categories.is_empty() {
        facts.push((lang.t("col.category"), e.categories.join(", ")));
    }
    let baseline: Vec<String> = r
        .baseline
        .iter()
        .map(|(a, b)| format!("{} – {}", local(*a, tz), local(*b, tz)))
        .collect();
    let days = lang.t("unit.days");
    facts.extend([
        (
            lang.t("fact.event_window"),
            format!(
                "{} – {} ({:.2} {days})",
                local(e.start, tz),
                local(r.end, tz),
                r.event_days
            ),
        ),
        (
            lang.t("fact.baseline"),
            format!("{} ({:.2} {days})", baseline.join("; "), r.baseline_days),
        ),
        (
            lang.t("fact.control"),
            if r.control_lines.is_empty() {
                lang.t("none")
            } else {
                r.control_lines.join(", ")
            },
        ),
        (lang.t("fact.timezone"), tz.name().to_string()),
        (
            lang.t("fact.data_as_of"),
            r.data_until
                .map_or_else(|| "—".into(), |t| super::as_of_in(t, tz)),
        ),
        (
            lang.t("fact.fcr_complete"),
            lang.t(if r.fcr_complete {
                "fact.impact.fcr_complete"
            } else {
                "no"
            }),
        ),
    ]);
    if let Some(status) = &r.status {
        facts.push((lang.t("fact.status"), status_text(status, lang)));
    }
    facts.push((
        lang.t("fact.rejected"),
        rejected_rows(&r.checked).to_string(),
    ));
    facts
}

fn alerts(r: &ImpactReport, restated: Option<&Restatement>, lang: Lang) -> Vec<String> {
    let mut alerts = Vec::new();
    if let Some(note) = restated {
        alerts.push(super::restated_alert(note, lang));
    }
    if r.running {
        alerts.push(lang.t("alert.impact.running"));
    }
    if !r.fcr_complete {
        alerts.push(lang.t("alert.impact.fcr_incomplete"));
    }
    alerts
}

/// How a summary metric's values read: contacts a day, a share, or points.
#[derive(Clone, Copy, PartialEq)]
pub(super) enum Unit {
    PerDay,
    Share,
    Points,
}

pub(super) fn unit_of(metric: &str) -> Unit {
    match metric {
        "contacts_per_day" => Unit::PerDay,
        "qa_score" => Unit::Points,
        _ => Unit::Share,
    }
}

fn dash() -> String {
    "—".into()
}

/// A value of `unit`: 4.58% for a share, 131.00 otherwise.
pub(super) fn value(v: Option<f64>, unit: Unit) -> String {
    match (v, unit) {
        (Some(x), Unit::Share) => format!("{:.2}%", x * 100.0),
        (Some(x), _) => format!("{x:.2}"),
        (None, _) => dash(),
    }
}

/// A difference of `unit`: +3.66 pts for shares, +22.00 otherwise.
fn change(v: Option<f64>, unit: Unit, lang: Lang) -> String {
    match (v, unit) {
        (Some(x), Unit::Share) => format!("{:+.2} {}", x * 100.0, lang.t("unit.pts")),
        (Some(x), _) => format!("{x:+.2}"),
        (None, _) => dash(),
    }
}

/// A rate ratio: ×1.044.
fn ratio(v: Option<f64>) -> String {
    v.map_or_else(dash, |x| format!("×{x:.3}"))
}

pub fn p_value(v: Option<f64>) -> String {
    match v {
        Some(p) if p < 0.0001 => "<0.0001".into(),
        Some(p) => format!("{p:.4}"),
        None => dash(),
    }
}

/// "low to high", each by `f`.
fn interval(lo: Option<f64>, hi: Option<f64>, f: impl Fn(Option<f64>) -> String) -> String {
    match (lo, hi) {
        (Some(_), Some(_)) => format!("{} – {}", f(lo), f(hi)),
        _ => dash(),
    }
}

/// A column of text cells shown as numbers (right-aligned).
fn text_column(key: &str, label: String, cells: Vec<String>) -> Column {
    Column {
        key: key.to_string(),
        label,
        kind: Kind::Score,
        cells: cells.into_iter().map(Cell::Text).collect(),
    }
}

/// Event against baseline: the changes as forest plots and as a table.
fn changes(
    r: &ImpactReport,
    df: &DataFrame,
    status: Option<&DataFrame>,
    lang: Lang,
    tz: Tz,
) -> Section {
    let mut s = Section::new(lang.t("sec.impact.summary"));
    s.intro = Some(lang.t("sec.impact.summary.intro"));
    if let Some(st) = status {
        s.notes.push(status_note(r, st, lang));
    }
    let period = windows(r, lang, tz);
    s.charts.extend(rate_changes(df, lang, &period));
    s.charts.extend(contact_ratios(df, lang, &period));
    s.tables.push(summary_table(df, lang));
    s
}

/// An action's status in the page's language (the CSV keeps the English
/// term); an unknown one as it is.
fn status_text(status: &str, lang: Lang) -> String {
    crate::i18n::lookup(lang, &format!("status.{status}"))
        .map_or_else(|| status.to_string(), str::to_string)
}

/// "Status: target met (Repeat rate down, target 12.00%)."
fn status_note(r: &ImpactReport, st: &DataFrame, lang: Lang) -> String {
    let metric = r.event.metric.as_deref().unwrap_or("");
    let direction = match r.event.direction {
        Some(Direction::Up) => lang.t("direction.up"),
        Some(Direction::Down) => lang.t("direction.down"),
        None => String::new(),
    };
    // The sentence is a template of the language: its word order and
    // punctuation are the language's own.
    lang.t("note.impact.status")
        .replace(
            "{status}",
            &status_text(strs(st, "status").first().map_or("", String::as_str), lang),
        )
        .replace("{metric}", &lang.column(metric))
        .replace("{direction}", &direction)
        .replace("{target}", &value(r.event.target, unit_of(metric)))
}

/// Each rate's change against the baseline and its difference-in-
/// differences against the control, in percentage points with 95 %
/// intervals.
fn rate_changes(df: &DataFrame, lang: Lang, period: &str) -> Option<Chart> {
    let metric = strs(df, "metric");
    let cols = [
        "abs_change",
        "ci_low",
        "ci_high",
        "did",
        "did_ci_low",
        "did_ci_high",
    ];
    let [abs, lo, hi, did, dlo, dhi] = cols.map(|c| f64s(df, c));
    let pts = |v: Option<f64>| v.map(|x| x * 100.0);
    let mut rows = Vec::new();
    for i in (0..df.height()).filter(|&i| unit_of(&metric[i]) == Unit::Share) {
        let name = lang.column(&metric[i]);
        rows.push(IntervalRow {
            label: format!("{name} · {}", lang.t("row.vs_baseline")),
            estimate: pts(abs[i]),
            low: pts(lo[i]),
            high: pts(hi[i]),
        });
        rows.push(IntervalRow {
            label: format!("{name} · {}", lang.t("row.did")),
            estimate: pts(did[i]),
            low: pts(dlo[i]),
            high: pts(dhi[i]),
        });
    }
    if rows.is_empty() {
        return None;
    }
    Some(change_chart(
        ChangeScale {
            id: "changes-rates",
            reference: 0.0,
            axis: "axis.change_pts",
            unit: "unit.pts",
            decimals: 2,
            title: "chart.rate_changes",
        },
        &rows,
        lang,
        period,
    ))
}

/// Contacts per day: the rate ratio against the baseline and the ratio of
/// rate ratios against the control, with 95 % intervals; 1 is no change.
fn contact_ratios(df: &DataFrame, lang: Lang, period: &str) -> Option<Chart> {
    let i = strs(df, "metric")
        .iter()
        .position(|m| m == "contacts_per_day")?;
    let cols = [
        "rel_change",
        "ci_low",
        "ci_high",
        "did",
        "did_ci_low",
        "did_ci_high",
    ];
    let [rel, lo, hi, did, dlo, dhi] = cols.map(|c| f64s(df, c));
    let rows = [
        IntervalRow {
            label: lang.t("row.vs_baseline"),
            estimate: rel[i].map(|x| x + 1.0),
            low: lo[i],
            high: hi[i],
        },
        IntervalRow {
            label: lang.t("row.did"),
            estimate: did[i],
            low: dlo[i],
            high: dhi[i],
        },
    ];
    Some(change_chart(
        ChangeScale {
            id: "changes-contacts",
            reference: 1.0,
            axis: "axis.rate_ratio",
            unit: "axis.rate_ratio",
            decimals: 3,
            title: "chart.contact_ratio",
        },
        &rows,
        lang,
        period,
    ))
}

/// What sets one chart of changes apart: its id, the value of no change,
/// the i18n keys of its axis, unit and title, and the decimals shown.
struct ChangeScale {
    id: &'static str,
    reference: f64,
    axis: &'static str,
    unit: &'static str,
    decimals: usize,
    title: &'static str,
}

/// Changes with their 95 % intervals against the line of no change.
fn change_chart(scale: ChangeScale, rows: &[IntervalRow], lang: Lang, period: &str) -> Chart {
    let svg = chart::intervals(&chart::Intervals {
        id: scale.id,
        rows,
        reference: scale.reference,
        x_title: &lang.t(scale.axis),
        decimals: scale.decimals,
        legend: [&lang.t("legend.no_change"), &lang.t("legend.clear")],
    });
    Chart {
        title: lang.t(scale.title),
        caption: format!(
            "{period}; {}; {}",
            lang.t(scale.unit),
            lang.t("caption.ci95")
        ),
        svg,
    }
}

/// The summary's figures, row by row, with each row's unit.
struct SummaryFigures {
    units: Vec<Unit>,
    columns: std::collections::BTreeMap<&'static str, Vec<Option<f64>>>,
}

impl SummaryFigures {
    fn new(df: &DataFrame) -> SummaryFigures {
        let names = [
            "event_value",
            "baseline_value",
            "abs_change",
            "rel_change",
            "p_value",
            "ci_low",
            "ci_high",
            "control_abs_change",
            "control_rel_change",
            "did",
            "did_p_value",
        ];
        SummaryFigures {
            units: strs(df, "metric").iter().map(|m| unit_of(m)).collect(),
            columns: names.into_iter().map(|c| (c, f64s(df, c))).collect(),
        }
    }

    fn get(&self, column: &str, i: usize) -> Option<f64> {
        self.columns
            .get(column)
            .and_then(|v| v.get(i).copied().flatten())
    }

    /// A column of text cells: `f` of each row's index and unit.
    fn column(&self, key: &str, label: String, f: &dyn Fn(usize, Unit) -> String) -> Column {
        let cells = self
            .units
            .iter()
            .enumerate()
            .map(|(i, u)| f(i, *u))
            .collect();
        text_column(key, label, cells)
    }
}

/// The summary as read: each row in its metric's unit.
fn summary_table(df: &DataFrame, lang: Lang) -> Table {
    let fig = SummaryFigures::new(df);
    let metric = Column {
        key: "metric".into(),
        label: lang.t("col.metric"),
        kind: Kind::Text,
        cells: strs(df, "metric")
            .iter()
            .map(|m| Cell::Text(lang.column(m)))
            .collect(),
    };
    let mut columns = vec![metric];
    columns.extend(against_baseline(&fig, lang));
    columns.extend(against_control(&fig, lang));
    Table {
        name: "summary".into(),
        title: lang.table("summary"),
        columns,
        flagged: vec![false; df.height()],
    }
}

/// Event, baseline, change, relative change, p-value.
fn against_baseline(fig: &SummaryFigures, lang: Lang) -> Vec<Column> {
    vec![
        fig.column("event_value", lang.t("imp.event"), &|i, u| {
            value(fig.get("event_value", i), u)
        }),
        fig.column("baseline_value", lang.t("imp.baseline"), &|i, u| {
            value(fig.get("baseline_value", i), u)
        }),
        fig.column("abs_change", lang.t("imp.change"), &|i, u| {
            change(fig.get("abs_change", i), u, lang)
        }),
        fig.column("rel_change", lang.t("imp.relative"), &|i, _| {
            fig.get("rel_change", i)
                .map_or_else(dash, |x| format!("{:+.1}%", x * 100.0))
        }),
        fig.column("p_value", lang.column("p_value"), &|i, _| {
            p_value(fig.get("p_value", i))
        }),
    ]
}

/// The interval, the control's change, the DiD and its p-value. For
/// contacts per day the interval, the control's change and the DiD are
/// rate ratios; for the other metrics differences.
fn against_control(fig: &SummaryFigures, lang: Lang) -> Vec<Column> {
    let diff = |v: Option<f64>, u: Unit| change(v, u, lang);
    vec![
        fig.column("ci", lang.t("imp.interval"), &|i, u| {
            let (lo, hi) = (fig.get("ci_low", i), fig.get("ci_high", i));
            match u {
                Unit::PerDay => interval(lo, hi, ratio),
                _ => interval(lo, hi, |v| diff(v, u)),
            }
        }),
        fig.column(
            "control_change",
            lang.t("imp.control_change"),
            &|i, u| match u {
                Unit::PerDay => ratio(fig.get("control_rel_change", i).map(|x| x + 1.0)),
                _ => diff(fig.get("control_abs_change", i), u),
            },
        ),
        fig.column("did", lang.t("imp.did"), &|i, u| match u {
            Unit::PerDay => ratio(fig.get("did", i)),
            _ => diff(fig.get("did", i), u),
        }),
        fig.column("did_p_value", lang.column("did_p_value"), &|i, _| {
            p_value(fig.get("did_p_value", i))
        }),
    ]
}

/// What the event cost (an incident) or the contacts against the baseline
/// (an action): excess counts with their intervals as a forest plot and a
/// table.
fn cost(r: &ImpactReport, df: &DataFrame, lang: Lang, tz: Tz) -> Result<Section> {
    let mut s = Section::new(lang.t(match r.event.kind {
        EventKind::Incident => "sec.impact.cost",
        EventKind::Action => "sec.impact.contacts",
    }));
    s.intro = Some(lang.t("sec.impact.cost.intro"));
    let names: Vec<String> = strs(df, "measure").iter().map(|m| lang.column(m)).collect();
    s.charts
        .push(excess_chart(r, df, &names, lang, &windows(r, lang, tz)));
    s.tables.push(excess_table(df, names, lang, tz)?);
    Ok(s)
}

/// The excess of each measure with its 95 % interval; the caption gives
/// the event's days and its price per contact.
fn excess_chart(
    r: &ImpactReport,
    df: &DataFrame,
    names: &[String],
    lang: Lang,
    period: &str,
) -> Chart {
    let [ex, lo, hi] = ["excess", "ci_low", "ci_high"].map(|c| f64s(df, c));
    let rows: Vec<IntervalRow> = (0..df.height())
        .map(|i| IntervalRow {
            label: names.get(i).cloned().unwrap_or_default(),
            estimate: ex[i],
            low: lo[i],
            high: hi[i],
        })
        .collect();
    let svg = chart::intervals(&chart::Intervals {
        id: "excess",
        rows: &rows,
        reference: 0.0,
        x_title: &lang.t("axis.excess"),
        decimals: 1,
        legend: [&lang.t("legend.no_change"), &lang.t("legend.clear")],
    });
    let price = r
        .event
        .cost_per_contact
        .map(|c| {
            format!(
                "; {} {c} {}",
                lang.t("fact.cost_per_contact"),
                r.event.currency.as_deref().unwrap_or("")
            )
        })
        .unwrap_or_default();
    Chart {
        title: lang.t("chart.excess"),
        caption: format!("{period}{price}; {}", lang.t("caption.ci95")),
        svg,
    }
}

/// The excess table: counts and excess as numbers, intervals and cost as
/// text (cost with two decimals and its currency).
fn excess_table(df: &DataFrame, names: Vec<String>, lang: Lang, tz: Tz) -> Result<Table> {
    let columns = [
        "measure",
        "event_count",
        "expected",
        "excess",
        "excess_with_control",
    ];
    let mut t = Table::select("excess", df, &columns, lang, tz)?;
    t.set_text("measure", names);
    for c in t.columns.iter_mut() {
        c.kind = match c.key.as_str() {
            "measure" => Kind::Text,
            "event_count" => Kind::Count,
            _ => Kind::Score,
        };
    }
    let [lo, hi, cost, clo, chi] =
        ["ci_low", "ci_high", "cost", "cost_low", "cost_high"].map(|c| f64s(df, c));
    let currency = strs(df, "currency");
    let one = |v: Option<f64>| v.map_or_else(dash, |x| format!("{x:.1}"));
    let money = |v: Option<f64>| v.map_or_else(dash, |x| format!("{x:.2}"));
    let rows = 0..df.height();
    let after_excess = t.columns.len().min(4);
    t.columns.insert(
        after_excess,
        text_column(
            "excess_ci",
            lang.t("imp.interval"),
            rows.clone().map(|i| interval(lo[i], hi[i], one)).collect(),
        ),
    );
    t.columns.push(text_column(
        "cost",
        lang.column("cost"),
        rows.clone()
            .map(|i| match cost[i] {
                Some(_) => format!("{} {}", money(cost[i]), currency[i])
                    .trim()
                    .to_string(),
                None => dash(),
            })
            .collect(),
    ));
    t.columns.push(text_column(
        "cost_ci",
        lang.t("imp.cost_interval"),
        rows.map(|i| interval(clo[i], chi[i], money)).collect(),
    ));
    Ok(t)
}

/// The categories or causes that grew most: the first rows of the table
/// (it is sorted by excess, largest first) whose excess is above 0; a row
/// that shrank did not grow, whatever its rank.
fn grown(df: &DataFrame, name: &str, key: &str, lang: Lang, tz: Tz) -> Result<Section> {
    let mut s = Section::new(lang.t(&format!("sec.impact.{name}")));
    if df.height() == 0 {
        s.notes.push(lang.t("note.none_in_windows"));
        return Ok(s);
    }
    let top = df
        .clone()
        .lazy()
        .filter(col("excess").gt(lit(0.0)))
        .limit(GROWN_ROWS as IdxSize)
        .collect()?;
    s.intro = Some(lang.fill("sec.impact.grown.intro", &[("n", df.height().to_string())]));
    if top.height() == 0 {
        s.notes.push(lang.t("note.impact.none_grew"));
        return Ok(s);
    }
    let mut t = Table::select(
        name,
        &top,
        &[
            key,
            "event_count",
            "baseline_count",
            "event_per_day",
            "baseline_per_day",
            "excess",
            "p_value",
        ],
        lang,
        tz,
    )?;
    for c in t.columns.iter_mut() {
        if matches!(
            c.key.as_str(),
            "event_per_day" | "baseline_per_day" | "excess"
        ) {
            c.kind = Kind::Score;
        }
    }
    let names: Vec<String> = match key {
        "cause" => strs(&top, "cause")
            .iter()
            .zip(strs(&top, "label"))
            .map(|(code, label)| {
                if label.is_empty() {
                    code.clone()
                } else {
                    lang.cause(code, &label)
                }
            })
            .collect(),
        _ => strs(&top, key),
    };
    t.set_text(key, names);
    if let Some(c) = t.columns.iter_mut().find(|c| c.key == "cause") {
        c.label = lang.column("label");
    }
    let p: Vec<String> = f64s(&top, "p_value").into_iter().map(p_value).collect();
    if let Some(c) = t.columns.iter_mut().find(|c| c.key == "p_value") {
        *c = text_column("p_value", c.label.clone(), p);
    }
    s.tables.push(t);
    Ok(s)
}
