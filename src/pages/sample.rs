//! The sampling plan as people see it: planned against drawn per strategy.

use polars::prelude::*;

use super::{data_quality, f64s, quality_notes, rejected_rows, strs};
use crate::config::Config;
use crate::error::Result;
use crate::i18n::Lang;
use crate::render::{chart, Chart, Report, Section, Table};
use crate::tables::CheckedTables;

/// What the sample job hands its page: its period, seed and tables.
pub struct SamplePack<'a> {
    pub period: &'a str,
    pub seed: u64,
    pub candidates: usize,
    /// Distinct sessions drawn (a double-scored session has two tasks).
    pub sessions: usize,
    pub allocation: &'a DataFrame,
    pub sample: &'a DataFrame,
    /// Each reviewer's capacity and tasks, when the plan names reviewers.
    pub reviewers: Option<&'a DataFrame>,
    pub checked: &'a CheckedTables,
    /// Files of the data folder that were not read.
    pub ignored: &'a [String],
}

pub fn report(p: &SamplePack, cfg: &Config) -> Result<Report> {
    let (lang, tz) = (cfg.lang, cfg.timezone);
    let mut s = Section::new(lang.t("sec.allocation"));
    s.intro = Some(lang.fill(
        "sec.allocation.intro",
        &[
            ("sessions", p.sessions.to_string()),
            ("candidates", p.candidates.to_string()),
            ("tasks", p.sample.height().to_string()),
            ("seed", p.seed.to_string()),
        ],
    ));
    s.charts.push(allocation_chart(p, lang));
    let allocation = Table::from_frame("allocation", p.allocation, lang, tz)?;
    s.tables.push(allocation.clone());
    let reviewers = match p.reviewers {
        Some(r) => Some(Table::from_frame("sample_reviewers", r, lang, tz)?),
        None => None,
    };
    s.tables.extend(reviewers.clone());
    let mut quality = Section::new(lang.t("sec.quality"));
    quality.tables.push(data_quality(p.checked, lang, tz)?);
    quality.notes = quality_notes(p.checked, p.ignored, lang);
    Ok(Report {
        lang,
        title: lang.t("title.sample"),
        period: days(p.period),
        facts: vec![
            (lang.t("fact.job"), lang.t("job.sample")),
            (lang.t("fact.period"), days(p.period)),
            (lang.t("fact.timezone"), tz.name().to_string()),
            (lang.t("fact.seed"), p.seed.to_string()),
            (lang.t("fact.candidates"), p.candidates.to_string()),
            (
                lang.t("fact.rejected"),
                rejected_rows(p.checked).to_string(),
            ),
        ],
        alerts: Vec::new(),
        sections: vec![s, quality],
        sheets: [allocation, Table::from_frame("sample", p.sample, lang, tz)?]
            .into_iter()
            .chain(reviewers)
            .chain([data_quality(p.checked, lang, tz)?])
            .collect(),
    })
}

/// Planned against drawn per strategy, in plan order: a strategy's total
/// row (empty part) where it has one, else the sum of its parts. Risk tiers
/// plan what the tiers above left, so summing them would count the quota
/// again for every tier.
pub fn strategy_totals(
    strategy: &[String],
    part: &[String],
    planned: &[Option<f64>],
    drawn: &[Option<f64>],
) -> Vec<(String, f64, f64)> {
    let mut order: Vec<String> = Vec::new();
    for s in strategy {
        if !order.contains(s) {
            order.push(s.clone());
        }
    }
    let value = |v: &[Option<f64>], i: usize| v.get(i).copied().flatten().unwrap_or(0.0);
    order
        .into_iter()
        .map(|name| {
            let rows: Vec<usize> = (0..strategy.len())
                .filter(|&i| strategy[i] == name)
                .collect();
            let totals: Vec<usize> = rows
                .iter()
                .copied()
                .filter(|&i| part.get(i).is_none_or(|p| p.is_empty()))
                .collect();
            let used = if totals.is_empty() { rows } else { totals };
            let sum = |v: &[Option<f64>]| used.iter().map(|&i| value(v, i)).sum();
            (name, sum(planned), sum(drawn))
        })
        .collect()
}

fn allocation_chart(p: &SamplePack, lang: Lang) -> Chart {
    let totals = strategy_totals(
        &strs(p.allocation, "strategy"),
        &strs(p.allocation, "part"),
        &f64s(p.allocation, "planned"),
        &f64s(p.allocation, "drawn"),
    );
    let order: Vec<String> = totals.iter().map(|(s, _, _)| lang.term(s)).collect();
    let series = vec![
        (
            lang.t("legend.planned"),
            totals.iter().map(|t| t.1).collect(),
        ),
        (lang.t("legend.drawn"), totals.iter().map(|t| t.2).collect()),
    ];
    let svg = chart::bars(&chart::Bars {
        id: "allocation",
        categories: &order,
        series: &series,
        x_title: &lang.t("axis.strategy"),
        y_title: &lang.t("axis.sessions"),
    });
    Chart {
        title: lang.t("chart.allocation"),
        caption: format!("{}; {}", p.period, lang.t("axis.sessions")),
        svg,
    }
}

/// The plan's days as people read them: `2026-10-01 – 2026-10-07` (the
/// folder's `2026-10-01_2026-10-07`), one day alone.
fn days(period: &str) -> String {
    match period.split_once('_') {
        Some((from, to)) if from == to => from.to_string(),
        Some((from, to)) => format!("{from} – {to}"),
        None => period.to_string(),
    }
}
