//! The quarterly review's output tables, built from the figures the job
//! computed: `system_review` (with its recommendation per module),
//! `module_months`, `module_trends`, `module_outcomes` and `rater_drift`.

use std::collections::{BTreeMap, BTreeSet};

use polars::prelude::*;

use crate::config::Config;
use crate::error::Result;
use crate::jobs::period::{Month, Period};
use crate::metrics::iteration::headline_label;
use crate::metrics::modules::{
    self, Drift, MonthFigures, Outcome, Qoq, ReviewerMonth, SeriesMap, Trend,
};
use crate::standards::{Module, Standards};

/// One column from a value per row.
fn column<R, V>(name: &str, rows: &[R], f: impl Fn(&R) -> V) -> Column
where
    Series: NamedFrom<Vec<V>, [V]>,
{
    Column::new(name.into(), rows.iter().map(f).collect::<Vec<V>>())
}

fn rate(x: u64, n: u64) -> Option<f64> {
    (n > 0).then(|| x as f64 / n as f64)
}

/// `module_months`, with the versions in force in each row's month and the
/// change that started a series, in the month it took effect.
pub fn module_months(
    months: &[MonthFigures],
    series: &SeriesMap,
    standards: &Standards,
    read: &[Month],
) -> Result<DataFrame> {
    let month_of = |label: &str| read.iter().find(|m| m.label == label);
    let versions = |f: &MonthFigures| {
        month_of(&f.month)
            .map(|m| {
                series
                    .versions_in(standards, &f.module_id, &f.series, m)
                    .join(", ")
            })
            .unwrap_or_default()
    };
    let change = |f: &MonthFigures| {
        let m = month_of(&f.month)?;
        series
            .changes
            .iter()
            .find(|c| {
                c.module_id == f.module_id
                    && c.version == f.series
                    && c.effective_from >= m.first_day
                    && c.effective_from < m.next_first_day()
            })
            .map(|c| format!("{}: {}", c.version, c.change))
    };
    Ok(DataFrame::new_infer_height(vec![
        column("module_id", months, |f| f.module_id.clone()),
        column("month", months, |f| f.month.clone()),
        column("business_line", months, |f| f.line.clone()),
        column("series", months, |f| f.series.clone()),
        column("version", months, versions),
        column("scale", months, |f| f.scale.clone()),
        column("series_change", months, change),
        column("reviews", months, |f| f.reviews),
        column("defects", months, |f| f.defects),
        column("defect_rate", months, MonthFigures::defect_rate),
        column("mean_score", months, |f| f.mean_score),
        column("agreement_items", months, |f| f.agreement_items),
        column("agreement_headline", months, |f| f.headline),
        column("ci_low", months, |f| f.ci_low),
        column("ci_high", months, |f| f.ci_high),
        column("agreement_flagged", months, |f| f.flagged),
        column("appeals", months, |f| f.appeals),
        column("overturned", months, |f| f.overturned),
        column("overturn_rate", months, |f| {
            rate(f.overturned, f.overturned + f.upheld)
        }),
    ])?)
}

pub fn module_trends(trends: &[Trend]) -> Result<DataFrame> {
    let qoq = |f: fn(&Qoq) -> Option<f64>| move |t: &Trend| t.qoq.as_ref().and_then(f);
    Ok(DataFrame::new_infer_height(vec![
        column("module_id", trends, |t| t.module_id.clone()),
        column("business_line", trends, |t| t.line.clone()),
        column("metric", trends, |t| t.metric),
        column("series", trends, |t| t.series.clone()),
        column("points", trends, |t| t.points as u64),
        column("first_month", trends, |t| t.first_month.clone()),
        column("last_month", trends, |t| t.last_month.clone()),
        column("mk_s", trends, |t| t.mk.map(|m| m.s)),
        column("mk_tau", trends, |t| t.mk.map(|m| m.tau)),
        column("mk_z", trends, |t| t.mk.map(|m| m.z)),
        column("mk_p", trends, |t| t.mk.map(|m| m.p)),
        column("sen_slope", trends, |t| t.sen_slope),
        column("q_value", trends, |t| t.q_value),
        column("verdict", trends, |t| t.verdict),
        column("reviews", trends, |t| t.qoq.map(|q| q.reviews)),
        column("defect_rate", trends, qoq(Qoq::defect_rate)),
        column("prev_reviews", trends, |t| t.qoq.map(|q| q.prev_reviews)),
        column("prev_defect_rate", trends, qoq(Qoq::prev_defect_rate)),
        column("qoq_z", trends, qoq(|q| q.z)),
        column("qoq_p", trends, qoq(|q| q.p)),
    ])?)
}

pub fn module_outcomes(outcomes: &[Outcome]) -> Result<DataFrame> {
    Ok(DataFrame::new_infer_height(vec![
        column("module_id", outcomes, |o| o.module_id.clone()),
        column("metric", outcomes, |o| o.metric),
        column("failed_sessions", outcomes, |o| o.failed_sessions),
        column("failed_n", outcomes, |o| o.failed_n),
        column("failed_value", outcomes, |o| o.failed_value),
        column("passed_sessions", outcomes, |o| o.passed_sessions),
        column("passed_n", outcomes, |o| o.passed_n),
        column("passed_value", outcomes, |o| o.passed_value),
        column("difference", outcomes, |o| o.difference),
        column("ci_low", outcomes, |o| o.ci_low),
        column("ci_high", outcomes, |o| o.ci_high),
        column("interval", outcomes, |_| "newcombe 95%"),
    ])?)
}

/// One row per reviewer and month of the trend window with calibration
/// items, the reviewer's trend repeated on each row.
pub fn rater_drift(
    rows: &[ReviewerMonth],
    drift: &BTreeMap<String, Drift>,
    trend_months: &[String],
    period_months: &[String],
) -> Result<DataFrame> {
    let mut rows: Vec<&ReviewerMonth> = rows
        .iter()
        .filter(|r| trend_months.contains(&r.month))
        .collect();
    rows.sort_by(|a, b| (&a.reviewer_id, &a.month).cmp(&(&b.reviewer_id, &b.month)));
    let trend = |f: fn(&Drift) -> Option<f64>| {
        move |r: &&ReviewerMonth| drift.get(&r.reviewer_id).and_then(f)
    };
    Ok(DataFrame::new_infer_height(vec![
        column("reviewer_id", &rows, |r| r.reviewer_id.clone()),
        column("month", &rows, |r| r.month.clone()),
        column("in_period", &rows, |r| period_months.contains(&r.month)),
        column("items", &rows, |r| r.items),
        column("leniency", &rows, |r| r.leniency),
        column("agreement", &rows, |r| r.agreement),
        column("points", &rows, |r| {
            drift.get(&r.reviewer_id).map(|d| d.points as u64)
        }),
        column("leniency_slope", &rows, trend(|d| d.sen_slope)),
        column("mk_tau", &rows, trend(|d| d.mk.map(|m| m.tau))),
        column("mk_p", &rows, trend(|d| d.mk.map(|m| m.p))),
        column("q_value", &rows, trend(|d| d.q_value)),
        column("verdict", &rows, |r| {
            drift.get(&r.reviewer_id).map(|d| d.verdict)
        }),
    ])?)
}

/// `system_review`: one row per system module, and per single-point module
/// whose agreement was flagged in `[quarterly] flagged_months` or more
/// months of the period; modules to revise first.
pub struct SystemReview<'a> {
    pub cfg: &'a Config,
    pub standards: &'a Standards,
    pub period: &'a Period,
    pub series: &'a SeriesMap,
    /// module → series in force at the period's end.
    pub current: &'a BTreeMap<String, String>,
    pub months: &'a [MonthFigures],
    pub trends: &'a [Trend],
    pub outcomes: &'a [Outcome],
    /// Every month read, and the period's labels.
    pub read: &'a [Month],
    pub period_months: &'a [String],
}

/// One module's row of `system_review`.
struct ReviewRow<'a> {
    module: &'a Module,
    series: String,
    versions: String,
    changes: Option<String>,
    /// Defect-rate and agreement trends (line `ALL`).
    trend: [Option<&'a Trend>; 2],
    /// CSAT, repeat rate and complaint rate.
    outcomes: [Option<&'a Outcome>; 3],
    /// Months of the period flagged, judged.
    flagged: (u32, u32),
    /// Appeals, overturned, upheld in the period.
    appeals: (u64, u64, u64),
    recommendation: String,
    /// The recommendation in the report's language.
    shown: String,
}

/// Each module's recommendation in the report's language (module id →
/// text).
pub type Recommendations = BTreeMap<String, String>;

impl<'a> SystemReview<'a> {
    /// Every table of the review, in the order they are reported, and each
    /// module's recommendation in the report's language (module id → text).
    pub fn tables(
        &self,
        modules_in_period: &BTreeMap<String, &'a Module>,
        reviewer_months: &[ReviewerMonth],
        drift: &BTreeMap<String, Drift>,
        trend_months: &[String],
    ) -> Result<(Vec<(String, DataFrame)>, Recommendations)> {
        let named = |name: &str, df: DataFrame| (name.to_string(), df);
        let (review, shown) = self.frame(modules_in_period)?;
        let tables = vec![
            named("system_review", review),
            named(
                "module_months",
                module_months(self.months, self.series, self.standards, self.read)?,
            ),
            named("module_trends", module_trends(self.trends)?),
            named("module_outcomes", module_outcomes(self.outcomes)?),
            named(
                "rater_drift",
                rater_drift(reviewer_months, drift, trend_months, self.period_months)?,
            ),
        ];
        Ok((tables, shown))
    }

    fn frame(
        &self,
        modules_in_period: &BTreeMap<String, &'a Module>,
    ) -> Result<(DataFrame, Recommendations)> {
        let mut rows: Vec<ReviewRow> = modules_in_period
            .iter()
            .filter_map(|(id, module)| self.row(id, module))
            .collect();
        // Modules to revise first, then other findings, then stable ones.
        rows.sort_by_key(|r| {
            let rank = if r.recommendation.starts_with("revise") {
                0
            } else if r.recommendation == "stable" {
                2
            } else {
                1
            };
            (
                rank,
                r.module.scope.as_str() != "system",
                r.module.id.clone(),
            )
        });
        let shown = rows
            .iter()
            .map(|r| (r.module.id.clone(), r.shown.clone()))
            .collect();
        Ok((frame(&rows)?, shown))
    }

    /// The period's `ALL` rows of a module.
    fn period_rows(&self, id: &str) -> Vec<&'a MonthFigures> {
        self.months
            .iter()
            .filter(|f| {
                f.module_id == id && f.line == "ALL" && self.period_months.contains(&f.month)
            })
            .collect()
    }

    /// Months of the period whose agreement was flagged, and judged.
    fn flagged_months(months: &[&MonthFigures]) -> (u32, u32) {
        let flagged: BTreeSet<&str> = months
            .iter()
            .filter(|f| f.flagged)
            .map(|f| f.month.as_str())
            .collect();
        let judged: BTreeSet<&str> = months
            .iter()
            .filter(|f| f.judged)
            .map(|f| f.month.as_str())
            .collect();
        (flagged.len() as u32, judged.len() as u32)
    }

    /// A module's row; none for a single-point module not flagged often
    /// enough to come to the quarterly meeting.
    fn row(&self, id: &str, module: &'a Module) -> Option<ReviewRow<'a>> {
        let months = self.period_rows(id);
        let flagged = Self::flagged_months(&months);
        let system = module.scope.as_str() == "system";
        if !system && flagged.0 < self.cfg.quarterly.flagged_months.max(1) {
            return None;
        }
        let trend = |metric: &str| {
            self.trends
                .iter()
                .find(|t| t.module_id == id && t.line == "ALL" && t.metric == metric)
        };
        let outcome = |metric: &str| {
            self.outcomes
                .iter()
                .find(|o| o.module_id == id && o.metric == metric)
        };
        let appeals = months.iter().fold((0, 0, 0), |a, f| {
            (a.0 + f.appeals, a.1 + f.overturned, a.2 + f.upheld)
        });
        let trend = [trend("defect_rate"), trend("agreement")];
        let outcomes = [
            outcome("csat"),
            outcome("repeat_rate"),
            outcome("complaint_rate"),
        ];
        let figures = modules::ReviewFigures {
            headline_label: headline_label(
                self.cfg.agreement.headline,
                module.scale.is_pass_fail(),
            ),
            months_judged: flagged.1,
            months_flagged: flagged.0,
            defect: trend[0],
            agreement: trend[1],
            csat: outcomes[0],
            overturned: appeals.1,
            decided: appeals.1 + appeals.2,
        };
        let c = self.cfg;
        let recommendation = modules::recommend(&figures, &c.agreement, &c.iteration, &c.quarterly);
        let shown =
            modules::recommend_in(&figures, &c.agreement, &c.iteration, &c.quarterly, c.lang);
        Some(ReviewRow {
            module,
            series: self.current.get(id).cloned().unwrap_or_default(),
            versions: self.versions(id, &months),
            changes: self.changes(id),
            trend,
            outcomes,
            flagged,
            appeals,
            recommendation,
            shown,
        })
    }

    /// The versions in force over the period, in order (`v1 → v2`).
    fn versions(&self, id: &str, months: &[&MonthFigures]) -> String {
        let mut versions: Vec<String> = Vec::new();
        for m in self
            .read
            .iter()
            .filter(|m| self.period_months.contains(&m.label))
        {
            for f in months.iter().filter(|f| f.month == m.label) {
                for v in self.series.versions_in(self.standards, id, &f.series, m) {
                    if !versions.contains(&v) {
                        versions.push(v);
                    }
                }
            }
        }
        versions.join(" → ")
    }

    /// The module's definition changes that took effect in the period.
    fn changes(&self, id: &str) -> Option<String> {
        let (from, to) = (
            self.period.first().first_day,
            self.period.last().next_first_day(),
        );
        let changes: Vec<String> = self
            .series
            .changes
            .iter()
            .filter(|c| c.module_id == id && c.effective_from >= from && c.effective_from < to)
            .map(|c| format!("{} from {}: {}", c.version, c.effective_from, c.change))
            .collect();
        (!changes.is_empty()).then(|| changes.join("; "))
    }
}

fn frame(rows: &[ReviewRow]) -> Result<DataFrame> {
    let trend =
        |i: usize, f: fn(&Trend) -> Option<f64>| move |r: &ReviewRow| r.trend[i].and_then(f);
    let outcome =
        |i: usize, f: fn(&Outcome) -> Option<f64>| move |r: &ReviewRow| r.outcomes[i].and_then(f);
    let qoq = |f: fn(&Qoq) -> Option<f64>| {
        move |r: &ReviewRow| r.trend[0].and_then(|t| t.qoq.as_ref()).and_then(f)
    };
    Ok(DataFrame::new_infer_height(vec![
        column("module_id", rows, |r| r.module.id.clone()),
        column("module_name", rows, |r| r.module.name.clone()),
        column("module_name_zh", rows, |r| r.module.name_zh.clone()),
        column("scope", rows, |r| r.module.scope.as_str()),
        column("group", rows, |r| r.module.group.as_str()),
        column("series", rows, |r| r.series.clone()),
        column("versions", rows, |r| r.versions.clone()),
        column("series_changes", rows, |r| r.changes.clone()),
        column("reviews", rows, |r| {
            r.trend[0].and_then(|t| t.qoq).map(|q| q.reviews)
        }),
        column("defect_rate", rows, qoq(Qoq::defect_rate)),
        column("prev_defect_rate", rows, qoq(Qoq::prev_defect_rate)),
        column("qoq_p", rows, qoq(|q| q.p)),
        column("defect_trend", rows, |r| r.trend[0].map(|t| t.verdict)),
        column("defect_sen_slope", rows, trend(0, |t| t.sen_slope)),
        column("defect_q", rows, trend(0, |t| t.q_value)),
        column("agreement_trend", rows, |r| r.trend[1].map(|t| t.verdict)),
        column("agreement_sen_slope", rows, trend(1, |t| t.sen_slope)),
        column("agreement_q", rows, trend(1, |t| t.q_value)),
        column("months_flagged", rows, |r| r.flagged.0),
        column("months_judged", rows, |r| r.flagged.1),
        column("csat_difference", rows, outcome(0, |o| o.difference)),
        column("csat_ci_low", rows, outcome(0, |o| o.ci_low)),
        column("csat_ci_high", rows, outcome(0, |o| o.ci_high)),
        column("repeat_difference", rows, outcome(1, |o| o.difference)),
        column("complaint_difference", rows, outcome(2, |o| o.difference)),
        column("appeals", rows, |r| r.appeals.0),
        column("overturn_rate", rows, |r| {
            rate(r.appeals.1, r.appeals.1 + r.appeals.2)
        }),
        column("recommendation", rows, |r| r.recommendation.clone()),
    ])?)
}
