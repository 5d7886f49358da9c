//! The quarterly (or half-yearly) system-module review as people see it:
//! the modules under review, module trends with the scorecard versions
//! marked, what failures mean to customers (forest plots), rater drift,
//! the versions in force and the data's quality. report.md is this same
//! report as Markdown.

use std::collections::BTreeMap;

use chrono::Datelike;
use polars::prelude::*;

use super::{data_quality, f64s, quality_notes, rejected_rows, strs};
use crate::config::Config;
use crate::error::Result;
use crate::i18n::Lang;
use crate::jobs::quarterly::QuarterlyPack;
use crate::render::chart::{self, ForestRow, ForestScale, Marker};
use crate::render::{display, Cell, Chart, Column as PageColumn, Kind, Report, Section, Table};
use crate::restate::Restatement;
use crate::standards::Standards;

/// The outcomes a module's failures are compared on: metric, chart title key.
const OUTCOMES: [(&str, &str); 3] = [
    ("csat", "q.chart.outcome.csat"),
    ("repeat_rate", "q.chart.outcome.repeat_rate"),
    ("complaint_rate", "q.chart.outcome.complaint_rate"),
];

/// `module_outcomes` columns that are shares.
const OUTCOME_SHARES: [&str; 2] = ["failed_value", "passed_value"];

/// `module_outcomes` columns that are differences of shares.
const OUTCOME_DIFFERENCES: [&str; 3] = ["difference", "ci_low", "ci_high"];

/// `system_review` columns that are differences of shares.
const REVIEW_DIFFERENCES: [&str; 5] = [
    "csat_difference",
    "csat_ci_low",
    "csat_ci_high",
    "repeat_difference",
    "complaint_difference",
];

/// What the page is built from besides the pack.
pub struct QuarterlyPage<'a> {
    pub pack: &'a QuarterlyPack,
    pub standards: &'a Standards,
    pub cfg: &'a Config,
    /// Files in the data folder that were not read.
    pub ignored: &'a [String],
    pub restated: Option<&'a Restatement>,
}

pub fn report(p: &QuarterlyPage) -> Result<Report> {
    let (pack, lang, tz) = (p.pack, p.cfg.lang, p.cfg.timezone);
    let table = |name: &str| {
        pack.tables
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, df)| df)
    };
    let names = ModuleNames::new(p.standards, lang);
    let mut sections = Vec::new();
    if let Some(sr) = table("system_review") {
        sections.push(under_review(sr, pack, &names, p.cfg)?);
    }
    if let Some(mm) = table("module_months") {
        sections.push(trends(mm, table("module_trends"), p, &names)?);
    }
    if let Some(oc) = table("module_outcomes") {
        sections.push(outcomes(oc, &names, p.cfg)?);
    }
    if let Some(rd) = table("rater_drift") {
        sections.push(drift(rd, pack, p.cfg));
    }
    sections.push(versions(pack, &names, lang));
    let quality = data_quality(&pack.checked, lang, tz)?;
    let mut s = Section::new(lang.t("sec.quality"));
    s.notes = quality_notes(&pack.checked, p.ignored, lang);
    s.tables.push(quality.clone());
    sections.push(s);

    let mut sheets = Vec::new();
    for (name, df) in &pack.tables {
        let mut t = Table::from_frame(name, df, lang, tz)?;
        super::localise_names(&mut t, df, lang, &|id| names.get(id));
        if name == "system_review" {
            t.set_text("recommendation", recommendations(df, pack));
        }
        mark_rows(&mut t, df, lang);
        sheets.push(t);
    }
    sheets.push(quality);
    Ok(Report {
        lang,
        title: lang.t("title.quarterly"),
        period: pack.period.label.clone(),
        facts: facts(pack, p.cfg),
        alerts: alerts(pack, p.restated, lang),
        sections,
        sheets,
    })
}

fn alerts(pack: &QuarterlyPack, restated: Option<&Restatement>, lang: Lang) -> Vec<String> {
    let mut alerts: Vec<String> = restated
        .map(|r| super::restated_alert(r, lang))
        .into_iter()
        .collect();
    if !pack.months_without_sessions.is_empty() {
        let months = ("months", pack.months_without_sessions.join(", "));
        alerts.push(lang.fill("alert.q.months_without_sessions", &[months]));
    }
    alerts
}

/// The system review's recommendations in the report's language, row by
/// row (the CSV keeps the English).
fn recommendations(sr: &DataFrame, pack: &QuarterlyPack) -> Vec<String> {
    strs(sr, "module_id")
        .iter()
        .zip(strs(sr, "recommendation"))
        .map(|(id, en)| pack.recommendations.get(id).cloned().unwrap_or(en))
        .collect()
}

fn facts(pack: &QuarterlyPack, cfg: &Config) -> Vec<(String, String)> {
    let lang = cfg.lang;
    let first = pack.trend_months.first().map_or("—", String::as_str);
    let last = pack.trend_months.last().map_or("—", String::as_str);
    vec![
        (lang.t("fact.job"), lang.t("job.quarterly")),
        (
            lang.t("fact.period"),
            format!(
                "{} ({} – {})",
                pack.period.label,
                pack.period.first().label,
                pack.period.last().label
            ),
        ),
        (lang.t("fact.timezone"), cfg.timezone.name().to_string()),
        (
            lang.t("fact.data_as_of"),
            pack.data_until
                .as_deref()
                .map_or_else(|| "—".into(), super::as_of),
        ),
        (lang.t("fact.sessions"), pack.sessions.to_string()),
        (
            lang.t("fact.trend_months"),
            format!("{first} – {last} ({})", pack.trend_months.len()),
        ),
        (lang.t("fact.compared_with"), pack.previous.label.clone()),
        (
            lang.t("fact.versions"),
            if pack.versions.is_empty() {
                "—".to_string()
            } else {
                pack.versions.join(", ")
            },
        ),
        (
            lang.t("fact.rejected"),
            rejected_rows(&pack.checked).to_string(),
        ),
    ]
}

/// Module names in the page's language, from every scorecard (the newest
/// definition of a module wins): `name_zh` in Chinese when it has one.
pub struct ModuleNames(BTreeMap<String, String>);

impl ModuleNames {
    pub fn new(standards: &Standards, lang: Lang) -> ModuleNames {
        let mut names = BTreeMap::new();
        for sc in &standards.scorecards {
            for m in &sc.modules {
                let zh = m.name_zh.clone().filter(|z| !z.trim().is_empty());
                let name = match (lang, zh) {
                    (Lang::Zh, Some(zh)) => zh,
                    _ if m.name.is_empty() => m.id.clone(),
                    _ => m.name.clone(),
                };
                names.insert(m.id.clone(), name);
            }
        }
        ModuleNames(names)
    }

    pub fn get(&self, id: &str) -> String {
        self.0.get(id).cloned().unwrap_or_else(|| id.to_string())
    }

    fn column(&self, df: &DataFrame) -> Vec<String> {
        strs(df, "module_id")
            .iter()
            .map(|id| self.get(id))
            .collect()
    }
}

/// Rows people should look at, in the page and the workbook: modules to
/// revise, drifting raters (and, by `Table`, flagged agreement); outcome
/// values as the shares they are; the previous defect rate titled as the
/// previous period (a quarter or half), not the monthly pack's last month.
fn mark_rows(t: &mut Table, df: &DataFrame, lang: Lang) {
    relabel(t, "prev_defect_rate", lang.t("q.col.prev_defect_rate"));
    match t.name.as_str() {
        "module_outcomes" => {
            set_kinds(t, &OUTCOME_SHARES, Kind::Percent);
            set_kinds(t, &OUTCOME_DIFFERENCES, Kind::Points);
        }
        "system_review" => set_kinds(t, &REVIEW_DIFFERENCES, Kind::Points),
        _ => {}
    }
    let marked: Vec<bool> = match t.name.as_str() {
        "system_review" => strs(df, "recommendation")
            .iter()
            .map(|r| r.starts_with("revise"))
            .collect(),
        "rater_drift" => strs(df, "verdict")
            .iter()
            .map(|v| v.starts_with("drifting"))
            .collect(),
        _ => return,
    };
    for (f, m) in t.flagged.iter_mut().zip(marked) {
        *f |= m;
    }
}

/// Show the columns `keys` as `kind` (shares as percent, differences of
/// shares in points).
fn set_kinds(t: &mut Table, keys: &[&str], kind: Kind) {
    for key in keys {
        t.set_kind(key, kind);
    }
}

/// The meeting's agenda: every module under review, those to revise first
/// (highlighted), and the modules whose definition changed.
fn under_review(
    sr: &DataFrame,
    pack: &QuarterlyPack,
    names: &ModuleNames,
    cfg: &Config,
) -> Result<Section> {
    let lang = cfg.lang;
    let mut s = Section::new(lang.t("q.sec.review"));
    s.intro = Some(lang.t(if sr.height() == 0 {
        "q.sec.review.none"
    } else {
        "q.sec.review.intro"
    }));
    let mut t = Table::select(
        "system_review",
        sr,
        &[
            "module_id",
            "module_name",
            "scope",
            "reviews",
            "prev_defect_rate",
            "defect_rate",
            "qoq_p",
            "defect_trend",
            "agreement_trend",
            "months_flagged",
            "months_judged",
            "overturn_rate",
            "recommendation",
        ],
        lang,
        cfg.timezone,
    )?;
    t.set_text("module_name", names.column(sr));
    t.set_text("recommendation", recommendations(sr, pack));
    mark_rows(&mut t, sr, lang);
    s.tables.push(t);
    let (ids, changes) = (strs(sr, "module_id"), strs(sr, "series_changes"));
    for (id, change) in ids.iter().zip(changes) {
        if !change.is_empty() && change != "—" {
            s.notes.push(lang.fill(
                "q.note.split",
                &[("module", &names.get(id)), ("change", &change)],
            ));
        }
    }
    Ok(s)
}

fn relabel(t: &mut Table, key: &str, label: String) {
    if let Some(c) = t.columns.iter_mut().find(|c| c.key == key) {
        c.label = label;
    }
}

/// Each module's defect rate and agreement by month (line ALL), one line
/// per module and series, so a definition change breaks the line; the
/// months a scorecard version took effect marked. Then the trend tests.
fn trends(
    mm: &DataFrame,
    tests: Option<&DataFrame>,
    p: &QuarterlyPage,
    names: &ModuleNames,
) -> Result<Section> {
    let (pack, lang) = (p.pack, p.cfg.lang);
    let months = &pack.trend_months;
    let markers = version_markers(p.standards, months, pack);
    let mut s = Section::new(lang.t("q.sec.trends"));
    s.intro = Some(lang.t("q.sec.trends.intro"));
    let span = format!(
        "{} – {}",
        months.first().map_or("", String::as_str),
        months.last().map_or("", String::as_str)
    );
    for (metric, title, percent) in [
        ("defect_rate", "q.chart.defect_rate", true),
        ("agreement_headline", "q.chart.agreement", false),
    ] {
        let series = module_series(mm, metric, months, names);
        let y_title = if percent {
            format!("{} (%)", lang.column(metric))
        } else {
            lang.column(metric)
        };
        let svg = chart::lines_marked(
            &chart::LineChart {
                id: &format!("module-{metric}"),
                x_labels: months,
                series: &series,
                x_title: &lang.t("axis.month"),
                y_title: &y_title,
                percent,
                bands: &[],
            },
            &markers,
        );
        let unit = if percent { "%; " } else { "" };
        s.charts.push(Chart {
            title: lang.t(title),
            caption: format!("{span}; {unit}{}", lang.t("q.chart.trend.caption")),
            svg,
        });
    }
    if let Some(tr) = tests {
        s.tables.push(trend_tests(tr, names, p.cfg)?);
    }
    Ok(s)
}

/// One series per module and definition series over `months`: named by the
/// module, with the series when the module has more than one.
fn module_series(
    mm: &DataFrame,
    metric: &str,
    months: &[String],
    names: &ModuleNames,
) -> Vec<(String, Vec<Option<f64>>)> {
    let (id, month, line, series) = (
        strs(mm, "module_id"),
        strs(mm, "month"),
        strs(mm, "business_line"),
        strs(mm, "series"),
    );
    let values = f64s(mm, metric);
    // (module, series) in the order first met, rows of line ALL.
    let mut keys: Vec<(String, String)> = Vec::new();
    let mut by_key: BTreeMap<(String, String), Vec<Option<f64>>> = BTreeMap::new();
    for i in (0..mm.height()).filter(|&i| line[i] == "ALL") {
        let key = (id[i].clone(), series[i].clone());
        if !keys.contains(&key) {
            keys.push(key.clone());
        }
        let row = by_key
            .entry(key)
            .or_insert_with(|| vec![None; months.len()]);
        if let Some(pos) = months.iter().position(|m| *m == month[i]) {
            row[pos] = values[i];
        }
    }
    let split = |module: &str| keys.iter().filter(|(m, _)| m == module).count() > 1;
    keys.iter()
        .map(|(module, series)| {
            let name = if split(module) {
                format!("{} ({series})", names.get(module))
            } else {
                names.get(module)
            };
            let values = by_key.get(&(module.clone(), series.clone())).cloned();
            (name, values.unwrap_or_default())
        })
        .collect()
}

/// A dashed line at each scorecard version that took effect within the
/// trend months (after the first), placed at its day within the month; its
/// tooltip names the modules it changed.
fn version_markers(standards: &Standards, months: &[String], pack: &QuarterlyPack) -> Vec<Marker> {
    let mut out = Vec::new();
    for sc in &standards.scorecards {
        let from = sc.effective_from;
        let label = from.format("%Y-%m").to_string();
        let Some(at) = months.iter().position(|m| *m == label) else {
            continue;
        };
        if at == 0 && from.day() == 1 {
            continue;
        }
        let days = crate::jobs::period::add_months(from.with_day(1).unwrap_or(from), 1)
            .signed_duration_since(from.with_day(1).unwrap_or(from))
            .num_days()
            .max(1);
        let changed: Vec<String> = pack
            .changes
            .iter()
            .filter(|c| c.version == sc.version)
            .map(|c| format!("{} {}", c.module_id, c.change))
            .collect();
        let mut detail = format!("{} {}", sc.version, from);
        if !changed.is_empty() {
            detail = format!("{detail}: {}", changed.join("; "));
        }
        out.push(Marker {
            at,
            offset: f64::from(from.day() - 1) / days as f64,
            label: format!("{} ({})", sc.version, from.format("%m-%d")),
            detail,
        });
    }
    out
}

/// The trend tests of line ALL (per line in the workbook and CSV).
fn trend_tests(tr: &DataFrame, names: &ModuleNames, cfg: &Config) -> Result<Table> {
    let all = tr
        .clone()
        .lazy()
        .filter(col("business_line").eq(lit("ALL")))
        .collect()?;
    let mut t = Table::select(
        "module_trends",
        &all,
        &[
            "module_id",
            "metric",
            "series",
            "points",
            "mk_tau",
            "mk_p",
            "sen_slope",
            "q_value",
            "verdict",
        ],
        cfg.lang,
        cfg.timezone,
    )?;
    t.set_text("module_id", names.column(&all));
    // A defect rate's slope is a share per month, in points; agreement's
    // is a coefficient's. The workbook keeps the numbers.
    let slopes: Vec<String> = strs(&all, "metric")
        .iter()
        .zip(f64s(&all, "sen_slope"))
        .map(|(metric, v)| {
            let kind = if metric == "agreement" {
                Kind::Coefficient
            } else {
                Kind::Points
            };
            display(&v.map_or(Cell::Empty, Cell::Num), kind, cfg.lang)
        })
        .collect();
    t.set_text("sen_slope", slopes);
    Ok(t)
}

/// Do failures matter to customers: one forest plot per outcome, each
/// module's difference (failed − passed) with its 95 % interval; an
/// interval clear of zero is marked.
fn outcomes(oc: &DataFrame, names: &ModuleNames, cfg: &Config) -> Result<Section> {
    let lang = cfg.lang;
    let (id, metric) = (strs(oc, "module_id"), strs(oc, "metric"));
    let (d, lo, hi, failed_n) = (
        f64s(oc, "difference"),
        f64s(oc, "ci_low"),
        f64s(oc, "ci_high"),
        f64s(oc, "failed_n"),
    );
    let min_n = f64::from(cfg.quarterly.min_outcome_sessions);
    let mut s = Section::new(lang.t("q.sec.outcomes"));
    s.intro = Some(lang.t("q.sec.outcomes.intro"));
    for (m, title) in OUTCOMES {
        let rows: Vec<ForestRow> = (0..oc.height())
            .filter(|&i| metric[i] == m)
            .map(|i| {
                let judged = failed_n[i].is_some_and(|n| n >= min_n);
                let clear = matches!((lo[i], hi[i]), (Some(l), Some(h)) if l > 0.0 || h < 0.0);
                ForestRow {
                    label: names.get(&id[i]),
                    estimate: d[i],
                    low: lo[i],
                    high: hi[i],
                    flagged: judged && clear,
                    judged,
                }
            })
            .collect();
        if rows.is_empty() {
            continue;
        }
        let svg = chart::forest_scaled(
            &chart::Forest {
                id: &format!("outcome-{m}"),
                rows: &rows,
                threshold: 0.0,
                x_title: &lang.t("q.axis.difference"),
                legend: [
                    &lang.t("q.legend.no_difference"),
                    &lang.t("q.legend.matters"),
                ],
            },
            &ForestScale::around(&rows, 0.0, 100.0, 1),
        );
        s.charts.push(Chart {
            title: lang.t(title),
            caption: lang.t("q.chart.outcome.caption"),
            svg,
        });
    }
    let mut t = Table::select(
        "module_outcomes",
        oc,
        &[
            "module_id",
            "metric",
            "failed_n",
            "failed_value",
            "passed_n",
            "passed_value",
            "difference",
            "ci_low",
            "ci_high",
        ],
        lang,
        cfg.timezone,
    )?;
    t.set_text("module_id", names.column(oc));
    set_kinds(&mut t, &OUTCOME_SHARES, Kind::Percent);
    set_kinds(&mut t, &OUTCOME_DIFFERENCES, Kind::Points);
    s.tables.push(t);
    Ok(s)
}

/// One row per reviewer of `rater_drift` (its trend repeats on each month's
/// row): the first row's index, in order.
fn reviewer_rows(who: &[String]) -> Vec<usize> {
    (0..who.len())
        .filter(|&i| i == 0 || who[i] != who[i - 1])
        .collect()
}

/// Rater drift: each reviewer's leniency trend (Sen slope per month) with
/// zero (no drift) drawn and the drifting reviewers (q below alpha) marked;
/// then leniency by month per reviewer, drifting rows highlighted.
fn drift(rd: &DataFrame, pack: &QuarterlyPack, cfg: &Config) -> Section {
    let lang = cfg.lang;
    let (who, verdict) = (strs(rd, "reviewer_id"), strs(rd, "verdict"));
    let (slope, q) = (f64s(rd, "leniency_slope"), f64s(rd, "q_value"));
    let first = reviewer_rows(&who);
    let rows: Vec<ForestRow> = first
        .iter()
        .map(|&i| ForestRow {
            label: match q[i] {
                Some(q) => format!(
                    "{} (q = {})",
                    who[i],
                    display(&Cell::Num(q), Kind::PValue, lang)
                ),
                None => who[i].clone(),
            },
            estimate: slope[i],
            low: None,
            high: None,
            flagged: verdict[i].starts_with("drifting"),
            judged: q[i].is_some(),
        })
        .collect();
    let mut s = Section::new(lang.t("q.sec.drift"));
    s.intro = Some(lang.t("q.sec.drift.intro"));
    if !rows.is_empty() {
        let flagged = lang.fill(
            "q.legend.drifting",
            &[("alpha", &cfg.quarterly.alpha.to_string())],
        );
        let svg = chart::forest_scaled(
            &chart::Forest {
                id: "rater-drift",
                rows: &rows,
                threshold: 0.0,
                x_title: &lang.t("q.axis.leniency_slope"),
                legend: [&lang.t("q.legend.no_drift"), &flagged],
            },
            &ForestScale::around(&rows, 0.0, 1.0, 3),
        );
        s.charts.push(Chart {
            title: lang.t("q.chart.drift"),
            caption: format!(
                "{} – {}; {}",
                pack.trend_months.first().map_or("", String::as_str),
                pack.trend_months.last().map_or("", String::as_str),
                lang.t("q.chart.drift.caption")
            ),
            svg,
        });
    }
    s.tables.push(drift_by_month(rd, &first, pack, lang));
    s
}

/// Leniency by month, one row per reviewer, with the trend's slope, q and
/// verdict (the figures of `rater_drift`, pivoted).
fn drift_by_month(rd: &DataFrame, first: &[usize], pack: &QuarterlyPack, lang: Lang) -> Table {
    let (who, month, verdict) = (
        strs(rd, "reviewer_id"),
        strs(rd, "month"),
        strs(rd, "verdict"),
    );
    let (lean, slope, q) = (
        f64s(rd, "leniency"),
        f64s(rd, "leniency_slope"),
        f64s(rd, "q_value"),
    );
    let num = |v: Option<f64>| v.map_or(Cell::Empty, Cell::Num);
    let column = |key: &str, label: String, kind: Kind, cells: Vec<Cell>| PageColumn {
        key: key.to_string(),
        label,
        kind,
        cells,
    };
    let mut columns = vec![column(
        "reviewer_id",
        lang.column("reviewer_id"),
        Kind::Text,
        first.iter().map(|&i| Cell::Text(who[i].clone())).collect(),
    )];
    for m in &pack.trend_months {
        let cells = first
            .iter()
            .map(|&i| {
                let j = (i..rd.height())
                    .take_while(|&j| who[j] == who[i])
                    .find(|&j| month[j] == *m);
                j.map_or(Cell::Empty, |j| num(lean[j]))
            })
            .collect();
        columns.push(column(m, m.clone(), Kind::Coefficient, cells));
    }
    columns.push(column(
        "leniency_slope",
        lang.column("leniency_slope"),
        Kind::Coefficient,
        first.iter().map(|&i| num(slope[i])).collect(),
    ));
    columns.push(column(
        "q_value",
        lang.column("q_value"),
        Kind::Coefficient,
        first.iter().map(|&i| num(q[i])).collect(),
    ));
    columns.push(column(
        "verdict",
        lang.column("verdict"),
        Kind::Text,
        first
            .iter()
            .map(|&i| Cell::Text(lang.term(&verdict[i])))
            .collect(),
    ));
    Table {
        name: "rater_drift".into(),
        title: lang.t("q.table.leniency_by_month"),
        columns,
        flagged: first
            .iter()
            .map(|&i| verdict[i].starts_with("drifting"))
            .collect(),
    }
}

/// The module definitions that changed in the months read.
fn versions(pack: &QuarterlyPack, names: &ModuleNames, lang: Lang) -> Section {
    let mut s = Section::new(lang.t("q.sec.versions"));
    if pack.changes.is_empty() {
        s.intro = Some(lang.t("q.sec.versions.none"));
    }
    for c in &pack.changes {
        s.notes.push(lang.fill(
            "q.note.version",
            &[
                ("version", &c.version),
                ("from", &c.effective_from.to_string()),
                ("module", &names.get(&c.module_id)),
                ("id", &c.module_id),
                ("change", &c.change),
            ],
        ));
    }
    s
}
