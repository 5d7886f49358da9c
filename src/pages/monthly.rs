//! The monthly review pack as people see it: trends by line, the repeat-cause
//! Pareto per line, the calibration forest plot, the iteration table.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use polars::prelude::*;

use super::{bools, data_quality, f64s, monthly_notes, quality_notes, rejected_rows, strs};
use crate::config::Config;
use crate::error::Result;
use crate::i18n::Lang;
use crate::jobs::monthly::MonthlyPack;
use crate::jobs::period::add_months;
use crate::jobs::trend::{EarlierMonths, TREND_MONTHS};
use crate::metrics::iteration;
use crate::render::chart::{self, ForestRow};
use crate::render::{Chart, Report, Section, Table};
use crate::restate::Restatement;
use crate::standards::{Sla, Standards};

/// The three trend metrics: column, chart title key.
const TREND_METRICS: [(&str, &str); 3] = [
    ("csat", "chart.trend.csat"),
    ("fcr", "chart.trend.fcr"),
    ("complaint_rate", "chart.trend.complaint_rate"),
];

/// What the monthly report is told beside the pack: the files of the data
/// folder that were not read, and whether it restates an earlier build.
pub struct PackContext<'a> {
    pub ignored: &'a [String],
    pub restated: Option<&'a Restatement>,
    /// The trend's months before last month.
    pub earlier: &'a EarlierMonths,
}

pub fn report(
    pack: &MonthlyPack,
    standards: &Standards,
    cfg: &Config,
    context: &PackContext,
) -> Result<Report> {
    let lang = cfg.lang;
    let table = |name: &str| pack_table(pack, name);
    let names = ModuleNames::new(table("iteration"), lang);
    let mut sections = Vec::new();
    if let Some(bl) = table("business_lines") {
        sections.push(lines(bl, pack, cfg)?);
        sections.push(trends(pack, bl, context.earlier, cfg)?);
        sections.extend(monthly_notes::moved_most(bl, table("agents"), lang));
    }
    sections.push(sla_by_day(
        &pack.daily_first_response_sla,
        pack,
        &standards.sla,
        cfg,
    )?);
    if let Some(rc) = table("repeat_causes") {
        sections.push(causes(rc, &pack.month.label, cfg)?);
    }
    if let Some(ag) = table("agreement") {
        sections.push(calibration(ag, pack, &names, cfg)?);
    }
    if let Some(it) = table("iteration") {
        sections.push(iteration(it, pack, &names, cfg)?);
    }
    if pack.overrides.height() > 0 {
        let mut s = Section::new(lang.t("sec.overrides"));
        let t = Table::from_frame("sla_overrides", &pack.overrides, lang, cfg.timezone)?;
        s.tables.push(t);
        sections.push(s);
    }
    sections.push(quality(pack, context.ignored, cfg)?);
    sections.extend(super::actions::open_actions(cfg, standards, &pack.month)?);
    Ok(Report {
        lang,
        title: lang.t("title.monthly"),
        period: pack.month.label.clone(),
        facts: facts(pack, cfg),
        alerts: monthly_notes::alerts(pack, context.restated, lang),
        sections,
        sheets: sheets(pack, cfg)?,
    })
}

fn pack_table<'a>(pack: &'a MonthlyPack, name: &str) -> Option<&'a DataFrame> {
    pack.tables
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, df)| df)
}

/// The workbook: every table of the pack, the overrides, data quality.
fn sheets(pack: &MonthlyPack, cfg: &Config) -> Result<Vec<Table>> {
    let (lang, tz) = (cfg.lang, cfg.timezone);
    let mut sheets = Vec::new();
    let names = ModuleNames::new(pack_table(pack, "iteration"), lang);
    for (name, df) in &pack.tables {
        let mut sheet = Table::from_frame(name, df, lang, tz)?;
        super::localise_names(&mut sheet, df, lang, &|id| names.get(id));
        if name == "iteration" {
            sheet.set_text("recommendation", recommendations(df, pack, lang));
        }
        sheets.push(sheet);
    }
    sheets.push(Table::from_frame(
        "sla_overrides",
        &pack.overrides,
        lang,
        tz,
    )?);
    sheets.push(data_quality(&pack.checked, lang, tz)?);
    Ok(sheets)
}

/// Each row's recommendation of the iteration table in `lang` (the table
/// keeps the canonical English; an unknown module keeps it too).
fn recommendations(it: &DataFrame, pack: &MonthlyPack, lang: Lang) -> Vec<String> {
    let canonical = strs(it, "recommendation");
    strs(it, "module_id")
        .iter()
        .zip(canonical)
        .map(|(id, text)| match pack.recommendations.get(id) {
            Some(found) => iteration::recommendation_text(found, lang),
            None => text,
        })
        .collect()
}

/// Business lines against last month.
fn lines(bl: &DataFrame, pack: &MonthlyPack, cfg: &Config) -> Result<Section> {
    let lang = cfg.lang;
    let mut s = Section::new(lang.t("sec.lines"));
    let previous = ("previous", pack.previous.label.clone());
    s.intro = Some(lang.fill("sec.lines.intro", &[previous]));
    s.tables.push(Table::select(
        "business_lines",
        bl,
        &[
            "business_line",
            "sessions",
            "csat",
            "prev_csat",
            "fcr",
            "prev_fcr",
            "complaint_rate",
            "prev_complaint_rate",
            "qa_score",
            "first_response_sla",
            "reply_sla",
            "cph",
        ],
        lang,
        cfg.timezone,
    )?);
    Ok(s)
}

/// The standard-iteration table, the scorecard versions that took effect
/// in the month, and how many appeals were overturned.
fn iteration(
    it: &DataFrame,
    pack: &MonthlyPack,
    names: &ModuleNames,
    cfg: &Config,
) -> Result<Section> {
    let (lang, tz) = (cfg.lang, cfg.timezone);
    let mut s = Section::new(lang.t("sec.iteration"));
    s.intro = Some(lang.t("sec.iteration.intro"));
    let mut t = Table::select(
        "iteration",
        it,
        &[
            "module_name",
            "review_cycle",
            "reviews",
            "defect_rate",
            "defect_change_pts",
            "agreement_headline",
            "overturn_rate",
            "recommendation",
        ],
        lang,
        tz,
    )?;
    let ids = strs(it, "module_id");
    t.set_text("module_name", ids.iter().map(|id| names.get(id)).collect());
    t.set_text("recommendation", recommendations(it, pack, lang));
    s.tables.push(t);
    if let Some(ch) = pack_table(pack, "scorecard_changes").filter(|c| c.height() > 0) {
        let columns = [
            "version",
            "effective_from",
            "module_id",
            "change",
            "defect_rate_before",
            "defect_rate_after",
            "agreement_before",
            "agreement_after",
        ];
        s.tables
            .push(Table::select("scorecard_changes", ch, &columns, lang, tz)?);
    }
    if let Some(o) = pack_table(pack, "overturned_cases").filter(|o| o.height() > 0) {
        let n = ("n", o.height().to_string());
        s.notes.push(lang.fill("note.overturned", &[n]));
    }
    Ok(s)
}

/// Rows read, used and rejected per table, and what reading took on trust.
fn quality(pack: &MonthlyPack, ignored: &[String], cfg: &Config) -> Result<Section> {
    let lang = cfg.lang;
    let mut s = Section::new(lang.t("sec.quality"));
    s.tables
        .push(data_quality(&pack.checked, lang, cfg.timezone)?);
    s.notes = quality_notes(&pack.checked, ignored, lang);
    let bl = pack_table(pack, "business_lines");
    s.notes.extend(monthly_notes::quality(pack, bl, lang));
    Ok(s)
}

fn facts(pack: &MonthlyPack, cfg: &Config) -> Vec<(String, String)> {
    let lang = cfg.lang;
    let mut facts = vec![
        (lang.t("fact.job"), lang.t("job.monthly")),
        (lang.t("fact.period"), pack.month.label.clone()),
        (lang.t("fact.timezone"), cfg.timezone.name().to_string()),
        (
            lang.t("fact.data_as_of"),
            pack.fcr
                .data_until
                .as_deref()
                .map_or_else(|| "—".into(), super::as_of),
        ),
        (
            lang.t("fact.fcr_complete"),
            lang.t(if pack.fcr.complete { "yes" } else { "no" }),
        ),
    ];
    let incomplete: Vec<&str> = pack
        .fcr
        .lines
        .iter()
        .filter(|l| !l.complete)
        .map(|l| l.line.as_str())
        .collect();
    if !incomplete.is_empty() {
        facts.push((lang.t("fact.fcr_incomplete_lines"), incomplete.join(", ")));
    }
    facts.push((
        lang.t("fact.rejected"),
        rejected_rows(&pack.checked).to_string(),
    ));
    facts
}

/// Module names in the page's language, from the iteration table.
pub(super) struct ModuleNames(BTreeMap<String, String>);

impl ModuleNames {
    fn new(iteration: Option<&DataFrame>, lang: Lang) -> ModuleNames {
        let Some(it) = iteration else {
            return ModuleNames(BTreeMap::new());
        };
        let (ids, en, zh) = (
            strs(it, "module_id"),
            strs(it, "module_name"),
            strs(it, "module_name_zh"),
        );
        let names = ids
            .into_iter()
            .zip(en.into_iter().zip(zh))
            .map(|(id, (en, zh))| {
                let zh_ok = !zh.is_empty() && zh != "—";
                let name = match lang {
                    Lang::Zh if zh_ok => zh,
                    _ if en.is_empty() => id.clone(),
                    _ => en,
                };
                (id, name)
            })
            .collect();
        ModuleNames(names)
    }

    pub(super) fn get(&self, id: &str) -> String {
        self.0.get(id).cloned().unwrap_or_else(|| id.to_string())
    }
}

/// One month's business-line figures: line → metric → value.
type MonthFigures = BTreeMap<String, BTreeMap<&'static str, Option<f64>>>;

fn figures(df: &DataFrame, prefix: &str) -> MonthFigures {
    let lines = strs(df, "business_line");
    let mut out: MonthFigures = BTreeMap::new();
    for (metric, _) in TREND_METRICS {
        let values = f64s(df, &format!("{prefix}{metric}"));
        for (line, v) in lines.iter().zip(values) {
            out.entry(line.clone()).or_default().insert(metric, v);
        }
    }
    out
}

/// Where the trend's months came from: earlier packs, the data, this run.
fn trend_source(earlier: &EarlierMonths, lang: Lang) -> String {
    let mut parts = Vec::new();
    for (key, months) in [
        ("chart.trend.source_packs", &earlier.from_packs),
        ("chart.trend.source_data", &earlier.from_data),
    ] {
        if !months.is_empty() {
            let labels: Vec<&str> = months.keys().map(String::as_str).collect();
            parts.push(format!(
                "{}{}{}",
                lang.t(key),
                lang.t("punct.colon"),
                labels.join(", ")
            ));
        }
    }
    parts.push(lang.t("chart.trend.source_run"));
    parts.join("; ")
}

fn month_label(d: NaiveDate) -> String {
    d.format("%Y-%m").to_string()
}

/// CSAT, FCR and complaint rate by line over the last 12 months: this month
/// and last from this run, earlier months from the packs already in the
/// output folder or else from the data (`earlier`); the caption says which.
fn trends(
    pack: &MonthlyPack,
    bl: &DataFrame,
    earlier: &EarlierMonths,
    cfg: &Config,
) -> Result<Section> {
    let lang = cfg.lang;
    let mut by_month: BTreeMap<String, MonthFigures> = BTreeMap::new();
    for (label, df) in earlier.from_packs.iter().chain(&earlier.from_data) {
        by_month.insert(label.clone(), figures(df, ""));
    }
    by_month.insert(pack.previous.label.clone(), figures(bl, "prev_"));
    by_month.insert(pack.month.label.clone(), figures(bl, ""));
    let first = by_month.keys().next().cloned().unwrap_or_default();
    let months: Vec<String> = (0..TREND_MONTHS)
        .rev()
        .map(|back| month_label(add_months(pack.month.first_day, -back)))
        .filter(|m| *m >= first)
        .collect();
    let lines = strs(bl, "business_line");
    let rows = TrendRows {
        months: &months,
        lines: &lines,
        by_month: &by_month,
        earlier,
    };
    let caption = format!(
        "{} – {}; %; {}",
        months.first().map_or("", String::as_str),
        pack.month.label,
        trend_source(earlier, lang)
    );
    let mut s = Section::new(lang.t("sec.trends"));
    for (metric, title) in TREND_METRICS {
        s.charts.push(Chart {
            title: lang.t(title),
            caption: caption.clone(),
            svg: trend_chart(&rows, metric, lang),
        });
    }
    s.tables.push(trend_table(&rows, cfg)?);
    Ok(s)
}

/// One metric by line over the trend's months.
fn trend_chart(r: &TrendRows, metric: &str, lang: Lang) -> String {
    let series: Vec<(String, Vec<Option<f64>>)> = r
        .lines
        .iter()
        .map(|line| {
            let values = r
                .months
                .iter()
                .map(|m| {
                    r.by_month
                        .get(m)
                        .and_then(|f| f.get(line))
                        .and_then(|v| v.get(metric).copied().flatten())
                })
                .collect();
            (line.clone(), values)
        })
        .collect();
    let y_title = format!("{} (%)", lang.column(metric));
    chart::lines(&chart::LineChart {
        id: &format!("trend-{metric}"),
        x_labels: r.months,
        series: &series,
        x_title: &lang.t("axis.month"),
        y_title: &y_title,
        percent: true,
        bands: &[],
    })
}

/// What the trend charts drew, for its table.
struct TrendRows<'a> {
    months: &'a [String],
    lines: &'a [String],
    by_month: &'a BTreeMap<String, MonthFigures>,
    earlier: &'a EarlierMonths,
}

/// The trend's figures as a table: a row per month and line, with where
/// the month's figures came from.
fn trend_table(r: &TrendRows, cfg: &Config) -> Result<Table> {
    let lang = cfg.lang;
    let (mut month, mut line, mut source) = (Vec::new(), Vec::new(), Vec::new());
    let mut values: [Vec<Option<f64>>; 3] = Default::default();
    for m in r.months {
        let Some(figures) = r.by_month.get(m) else {
            continue;
        };
        let from = if r.earlier.from_packs.contains_key(m) {
            lang.t("trend.source.pack")
        } else if r.earlier.from_data.contains_key(m) {
            lang.t("trend.source.data")
        } else {
            lang.t("trend.source.run")
        };
        for l in r.lines {
            let Some(f) = figures.get(l) else {
                continue;
            };
            month.push(m.clone());
            line.push(l.clone());
            source.push(from.clone());
            for ((metric, _), v) in TREND_METRICS.iter().zip(values.iter_mut()) {
                v.push(f.get(metric).copied().flatten());
            }
        }
    }
    let [csat, fcr, complaint_rate] = values;
    let df = DataFrame::new_infer_height(vec![
        Column::new("month".into(), month),
        Column::new("business_line".into(), line),
        Column::new("csat".into(), csat),
        Column::new("fcr".into(), fcr),
        Column::new("complaint_rate".into(), complaint_rate),
        Column::new("source".into(), source),
    ])?;
    Table::from_frame("trend", &df, lang, cfg.timezone)
}

/// How many causes a Pareto shows per line.
const PARETO_CAUSES: usize = 8;

/// How many causes the table shows per line.
const TABLE_CAUSES: f64 = 5.0;

/// The repeat-cause Pareto per line, `ALL` first, and the top causes of
/// each line as a table.
fn causes(rc: &DataFrame, period: &str, cfg: &Config) -> Result<Section> {
    let lang = cfg.lang;
    let mut s = pareto_charts(rc, period, lang);
    let top = rc
        .clone()
        .lazy()
        .filter(col("rank").lt_eq(lit(TABLE_CAUSES)))
        .collect()?;
    let columns = [
        "business_line",
        "label",
        "repeats",
        "share",
        "cumulative_share",
    ];
    let mut t = Table::select("repeat_causes", &top, &columns, lang, cfg.timezone)?;
    let (code, label) = (strs(&top, "cause"), strs(&top, "label"));
    let shown = code
        .iter()
        .zip(&label)
        .map(|(c, l)| lang.cause(c, l))
        .collect();
    t.set_text("label", shown);
    s.tables.push(t);
    Ok(s)
}

/// One Pareto chart per line, `ALL` first.
fn pareto_charts(rc: &DataFrame, period: &str, lang: Lang) -> Section {
    let (line, code, label) = (
        strs(rc, "business_line"),
        strs(rc, "cause"),
        strs(rc, "label"),
    );
    let (repeats, cum, rank) = (
        f64s(rc, "repeats"),
        f64s(rc, "cumulative_share"),
        f64s(rc, "rank"),
    );
    let mut lines: Vec<String> = Vec::new();
    for l in &line {
        if !lines.contains(l) {
            lines.push(l.clone());
        }
    }
    lines.sort_by_key(|l| l != "ALL");
    let mut s = Section::new(lang.t("sec.causes"));
    s.intro = Some(lang.t("sec.causes.intro"));
    for l in &lines {
        let mut rows: Vec<usize> = (0..rc.height()).filter(|&i| &line[i] == l).collect();
        rows.sort_by(|&a, &b| {
            rank[a]
                .unwrap_or(f64::MAX)
                .total_cmp(&rank[b].unwrap_or(f64::MAX))
        });
        rows.truncate(PARETO_CAUSES);
        let labels: Vec<String> = rows
            .iter()
            .map(|&i| lang.cause(&code[i], &label[i]))
            .collect();
        let counts: Vec<f64> = rows.iter().map(|&i| repeats[i].unwrap_or(0.0)).collect();
        let cumulative: Vec<f64> = rows.iter().map(|&i| cum[i].unwrap_or(0.0)).collect();
        let total: f64 = (0..rc.height())
            .filter(|&i| &line[i] == l)
            .filter_map(|i| repeats[i])
            .sum();
        let svg = chart::pareto(&chart::Pareto {
            id: &format!("pareto-{l}"),
            labels: &labels,
            counts: &counts,
            cumulative: &cumulative,
            y_title: &lang.t("axis.repeats"),
            y2_title: &lang.t("axis.cumulative_pct"),
            legend: [&lang.t("axis.repeats"), &lang.t("legend.cumulative")],
        });
        s.charts.push(Chart {
            title: format!("{} · {l}", lang.t("chart.pareto")),
            caption: format!("{period}; {} {total:.0}", lang.t("axis.repeats")),
            svg,
        });
    }
    s
}

/// The forest plot of every module's headline over all lines, and its table.
fn calibration(
    ag: &DataFrame,
    pack: &MonthlyPack,
    names: &ModuleNames,
    cfg: &Config,
) -> Result<Section> {
    let lang = cfg.lang;
    let all = ag
        .clone()
        .lazy()
        .filter(col("business_line").eq(lit("ALL")))
        .collect()?;
    let mut s = Section::new(lang.t("sec.calibration"));
    s.intro = Some(calibration_intro(pack, lang));
    match forest_chart(&all, pack, names, lang) {
        Some(chart) => s.charts.push(chart),
        None => s.notes.push(lang.t("note.no_calibration")),
    }
    let mut t = Table::select(
        "agreement",
        &all,
        &[
            "module_id",
            "items",
            "raters",
            "headline",
            "ci_low",
            "ci_high",
            "band",
            "percent_agreement",
            "flagged",
        ],
        lang,
        cfg.timezone,
    )?;
    let module = strs(&all, "module_id");
    t.set_text("module_id", module.iter().map(|id| names.get(id)).collect());
    s.tables.push(t);
    if let Some(dis) = pack_table(pack, "disagreements") {
        s.notes
            .extend(monthly_notes::disagreements(&all, dis, names, lang));
    }
    Ok(s)
}

/// Every module's headline with its interval against the threshold; None
/// without calibration items.
fn forest_chart(
    all: &DataFrame,
    pack: &MonthlyPack,
    names: &ModuleNames,
    lang: Lang,
) -> Option<Chart> {
    let (module, band) = (strs(all, "module_id"), strs(all, "band"));
    let (items, head) = (f64s(all, "items"), f64s(all, "headline"));
    let (lo, hi, flagged) = (
        f64s(all, "ci_low"),
        f64s(all, "ci_high"),
        bools(all, "flagged"),
    );
    let rows: Vec<ForestRow> = (0..all.height())
        .map(|i| ForestRow {
            label: format!("{} (n={})", names.get(&module[i]), items[i].unwrap_or(0.0)),
            estimate: head[i],
            low: lo[i],
            high: hi[i],
            flagged: flagged[i],
            judged: band[i] != "too few items",
        })
        .collect();
    if rows.is_empty() {
        None
    } else {
        let threshold = pack.agreement.threshold;
        let svg = chart::forest(&chart::Forest {
            id: "forest-agreement",
            rows: &rows,
            threshold,
            x_title: &format!(
                "{} ({})",
                lang.t("axis.headline"),
                lang.term(pack.agreement.headline.as_str())
            ),
            legend: [&lang.t("legend.threshold"), &lang.t("legend.flagged")],
        });
        Some(Chart {
            title: lang.t("chart.forest"),
            caption: format!(
                "{}; {} {:.2}; {}",
                pack.month.label,
                lang.t("legend.threshold"),
                threshold,
                lang.t("caption.ci95")
            ),
            svg,
        })
    }
}

/// What the chart shows, and the rule the modules were judged by.
fn calibration_intro(pack: &MonthlyPack, lang: Lang) -> String {
    let a = &pack.agreement;
    let rule = lang.fill(
        "sec.calibration.rule",
        &[
            ("headline", lang.term(a.headline.as_str())),
            ("threshold", format!("{:.2}", a.threshold)),
            ("min_items", a.min_items.to_string()),
        ],
    );
    let gap = if lang == Lang::Zh { "" } else { " " };
    format!("{}{gap}{rule}", lang.t("sec.calibration.intro"))
}

/// The first-response SLA by day, one line per business line, with the
/// days an emergency override was in force shaded.
fn sla_by_day(
    daily: &DataFrame,
    pack: &MonthlyPack,
    standards: &Sla,
    cfg: &Config,
) -> Result<Section> {
    let lang = cfg.lang;
    let days: Vec<NaiveDate> = pack
        .month
        .first_day
        .iter_days()
        .take_while(|d| *d < pack.month.next_first_day())
        .collect();
    let x_labels: Vec<String> = days.iter().map(|d| d.format("%d").to_string()).collect();
    let day_of = daily_dates(daily)?;
    let (lines, values) = (strs(daily, "business_line"), f64s(daily, "sla"));
    let mut order: Vec<String> = Vec::new();
    for l in &lines {
        if !order.contains(l) {
            order.push(l.clone());
        }
    }
    order.sort_by_key(|l| l != "ALL");
    let series: Vec<(String, Vec<Option<f64>>)> = order
        .iter()
        .map(|line| {
            let mut by_day = vec![None; days.len()];
            for i in (0..daily.height()).filter(|&i| &lines[i] == line) {
                if let Some(pos) = day_of[i].and_then(|d| days.iter().position(|x| *x == d)) {
                    by_day[pos] = values[i];
                }
            }
            (line.clone(), by_day)
        })
        .collect();
    let bands = override_days(standards, &days, cfg.timezone);
    let y_title = format!("{} (%)", lang.column("first_response_sla"));
    let svg = chart::lines(&chart::LineChart {
        id: "sla-by-day",
        x_labels: &x_labels,
        series: &series,
        x_title: &lang.t("axis.day"),
        y_title: &y_title,
        percent: true,
        bands: &bands,
    });
    let mut s = Section::new(lang.t("sec.sla"));
    s.intro = Some(lang.t("sec.sla.intro"));
    s.charts.push(Chart {
        title: lang.t("chart.sla_by_day"),
        caption: format!(
            "{}; %; {}",
            pack.month.label,
            lang.t(if bands.is_empty() {
                "chart.sla_by_day.no_override"
            } else {
                "chart.sla_by_day.shaded"
            })
        ),
        svg,
    });
    Ok(s)
}

/// The `local_date` column as dates.
fn daily_dates(daily: &DataFrame) -> Result<Vec<Option<NaiveDate>>> {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    let days = daily.column("local_date")?.cast(&DataType::Int32)?;
    Ok(days
        .i32()?
        .iter()
        .map(|d| d.and_then(|d| epoch.checked_add_signed(chrono::Duration::days(d.into()))))
        .collect())
}

/// The days of `days` on which each override was in force, as index spans
/// labelled with its reason (and line).
fn override_days(
    standards: &Sla,
    days: &[NaiveDate],
    tz: chrono_tz::Tz,
) -> Vec<(usize, usize, String)> {
    let (Some(first), Some(last)) = (days.first(), days.last()) else {
        return Vec::new();
    };
    standards
        .overrides
        .iter()
        .filter_map(|o| {
            let from = o.from.with_timezone(&tz).date_naive().max(*first);
            let end = o.to.checked_sub_signed(chrono::Duration::microseconds(1))?;
            let until = end.with_timezone(&tz).date_naive().min(*last);
            if until < from {
                return None;
            }
            let index = |d: NaiveDate| days.iter().position(|x| *x == d);
            let label = match &o.business_line {
                Some(line) => format!("{} ({line})", o.reason),
                None => o.reason.clone(),
            };
            Some((index(from)?, index(until)?, label))
        })
        .collect()
}
