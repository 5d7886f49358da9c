//! The quarterly system-module review (系统模块): module figures by month
//! that never blend across a change of a module's definition, their trends,
//! what a module's failures mean to customers, reviewers drifting, and a
//! recommendation per module.
//!
//! A module's *series* is the run of scorecard versions in which its scale,
//! weight, group and scope stay the same, named after the version that
//! started it: a defect rate on a 1-5 scale and one on pass/fail are
//! different measurements, so every figure is per series and a trend reads
//! only the series in force at the period's end.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use polars::prelude::*;

use crate::config::{AgreementConfig, IterationConfig, QuarterlyConfig};
use crate::i18n::Lang;
use crate::jobs::period::Month;
use crate::metrics::iteration;
use crate::standards::{Module, Standards};
use crate::stats;

/// A module's definition changed with a version: a new series starts.
#[derive(Debug, Clone)]
pub struct SeriesChange {
    pub module_id: String,
    /// The version that changed it, which names the new series.
    pub version: String,
    pub effective_from: NaiveDate,
    /// `added`, or what changed (`scale 1-5 → pass_fail`).
    pub change: String,
}

/// Which series each (version, module) belongs to.
#[derive(Debug, Clone, Default)]
pub struct SeriesMap {
    /// (version, module_id) → series.
    pub series: BTreeMap<(String, String), String>,
    /// Every change after a module's first version, oldest first.
    pub changes: Vec<SeriesChange>,
}

impl SeriesMap {
    pub fn of(standards: &Standards) -> SeriesMap {
        let mut map = SeriesMap::default();
        // module → (its definition in the previous version, its series)
        let mut last: BTreeMap<String, (Module, String)> = BTreeMap::new();
        for (i, sc) in standards.scorecards.iter().enumerate() {
            let mut now = BTreeMap::new();
            for m in &sc.modules {
                let change = match last.get(&m.id) {
                    Some((before, _)) => iteration::change(Some(before), Some(m)),
                    // A module of the first version starts its series quietly.
                    None if i == 0 => None,
                    None => Some("added".to_string()),
                };
                let series = match (&change, last.get(&m.id)) {
                    (None, Some((_, s))) => s.clone(),
                    _ => sc.version.clone(),
                };
                if let Some(change) = change {
                    map.changes.push(SeriesChange {
                        module_id: m.id.clone(),
                        version: sc.version.clone(),
                        effective_from: sc.effective_from,
                        change,
                    });
                }
                map.series
                    .insert((sc.version.clone(), m.id.clone()), series.clone());
                now.insert(m.id.clone(), (m.clone(), series));
            }
            last = now;
        }
        map
    }

    /// (scorecard_version, module_id, series) for joining to review rows.
    pub fn frame(&self) -> PolarsResult<DataFrame> {
        let (mut v, mut m, mut s) = (Vec::new(), Vec::new(), Vec::new());
        for ((version, module), series) in &self.series {
            v.push(version.clone());
            m.push(module.clone());
            s.push(series.clone());
        }
        DataFrame::new_infer_height(vec![
            Column::new("scorecard_version".into(), v),
            Column::new("module_id".into(), m),
            Column::new("series".into(), s),
        ])
    }

    /// The versions of `series` of `module` in force at some time in `month`.
    pub fn versions_in(
        &self,
        standards: &Standards,
        module: &str,
        series: &str,
        month: &Month,
    ) -> Vec<String> {
        let at_start = standards.scorecard_at(month.start).map(|s| &s.version);
        standards
            .scorecards
            .iter()
            .filter(|sc| sc.effective_from_utc < month.end)
            .filter(|sc| sc.effective_from_utc >= month.start || Some(&sc.version) == at_start)
            .filter(|sc| {
                self.series.get(&(sc.version.clone(), module.to_string()))
                    == Some(&series.to_string())
            })
            .map(|sc| sc.version.clone())
            .collect()
    }

    /// The series of `module` in force at the end of `month` (the last one
    /// seen when the module was removed).
    pub fn current(&self, standards: &Standards, module: &str, month: &Month) -> Option<String> {
        standards
            .scorecards
            .iter()
            .filter(|sc| sc.effective_from_utc < month.end)
            .filter_map(|sc| self.series.get(&(sc.version.clone(), module.to_string())))
            .next_back()
            .cloned()
    }
}

/// One row of `module_months`, as the trends and rules read it.
#[derive(Debug, Clone, Default)]
pub struct MonthFigures {
    pub module_id: String,
    pub month: String,
    pub line: String,
    pub series: String,
    pub scale: String,
    pub reviews: u64,
    pub defects: u64,
    pub mean_score: Option<f64>,
    pub agreement_items: u64,
    pub headline: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    /// The headline is judged (enough items) and below the threshold.
    pub flagged: bool,
    /// Enough calibration items to judge the headline.
    pub judged: bool,
    pub appeals: u64,
    pub overturned: u64,
    pub upheld: u64,
}

impl MonthFigures {
    pub fn defect_rate(&self) -> Option<f64> {
        (self.reviews > 0).then(|| self.defects as f64 / self.reviews as f64)
    }
}

/// The trend of one metric of one module and line over the trailing months.
#[derive(Debug, Clone, Default)]
pub struct Trend {
    pub module_id: String,
    pub line: String,
    /// `defect_rate` or `agreement`.
    pub metric: &'static str,
    pub series: String,
    pub points: usize,
    pub first_month: Option<String>,
    pub last_month: Option<String>,
    pub mk: Option<stats::MannKendall>,
    /// Change per month, in the metric's units.
    pub sen_slope: Option<f64>,
    pub q_value: Option<f64>,
    pub verdict: &'static str,
    /// Quarter-over-quarter (defect rate only): this period's and the
    /// previous period's reviews and defects of the series.
    pub qoq: Option<Qoq>,
}

#[derive(Debug, Clone, Copy, Default)]
pub struct Qoq {
    pub reviews: u64,
    pub defects: u64,
    pub prev_reviews: u64,
    pub prev_defects: u64,
    pub z: Option<f64>,
    pub p: Option<f64>,
}

impl Qoq {
    pub fn defect_rate(&self) -> Option<f64> {
        (self.reviews > 0).then(|| self.defects as f64 / self.reviews as f64)
    }
    pub fn prev_defect_rate(&self) -> Option<f64> {
        (self.prev_reviews > 0).then(|| self.prev_defects as f64 / self.prev_reviews as f64)
    }
}

pub const TOO_FEW_POINTS: &str = "too few points";

/// The points of a series: (month index, value), oldest first.
type Points = Vec<(f64, f64)>;

/// Mann–Kendall and Sen's slope over `points` (when there are at least
/// `min_points`); the verdict and q-value come once every test is in.
fn trend_of(points: &Points, min_points: u32) -> (Option<stats::MannKendall>, Option<f64>) {
    if points.len() < min_points as usize {
        return (None, None);
    }
    let (t, y): (Vec<f64>, Vec<f64>) = points.iter().copied().unzip();
    (stats::mann_kendall(&y), stats::sen_slope(&t, &y))
}

/// Inputs of the trends: the module_months rows, the months of the trend
/// window and of the period and the previous period, and the current series.
pub struct TrendInputs<'a> {
    pub months: &'a [MonthFigures],
    pub trend_months: &'a [String],
    pub period_months: &'a [String],
    pub previous_months: &'a [String],
    /// module → series in force at the period's end.
    pub current: &'a BTreeMap<String, String>,
    pub cfg: &'a QuarterlyConfig,
}

/// `module_trends`: per module and line, the defect-rate and agreement
/// trends of the current series, with q-values over every test run.
pub fn trends(x: &TrendInputs) -> Vec<Trend> {
    let mut keys: BTreeSet<(String, String)> = BTreeSet::new();
    for f in x.months {
        if x.current.get(&f.module_id) == Some(&f.series) {
            keys.insert((f.module_id.clone(), f.line.clone()));
        }
    }
    let mut out = Vec::new();
    for (module, line) in keys {
        let series = x.current.get(&module).cloned().unwrap_or_default();
        let rows: Vec<&MonthFigures> = x
            .months
            .iter()
            .filter(|f| f.module_id == module && f.line == line && f.series == series)
            .collect();
        let index = |m: &str| x.trend_months.iter().position(|t| t == m);
        let mut defect: Points = Vec::new();
        let mut agreement: Points = Vec::new();
        let mut labels: (Vec<&str>, Vec<&str>) = (Vec::new(), Vec::new());
        for f in &rows {
            let Some(i) = index(&f.month) else { continue };
            if f.reviews >= u64::from(x.cfg.min_reviews) {
                if let Some(r) = f.defect_rate() {
                    defect.push((i as f64, r));
                    labels.0.push(&f.month);
                }
            }
            if let (true, Some(h)) = (f.judged, f.headline) {
                agreement.push((i as f64, h));
                labels.1.push(&f.month);
            }
        }
        defect.sort_by(|a, b| a.0.total_cmp(&b.0));
        agreement.sort_by(|a, b| a.0.total_cmp(&b.0));
        labels.0.sort();
        labels.1.sort();
        let sum = |months: &[String], pick: fn(&MonthFigures) -> u64| -> u64 {
            rows.iter()
                .filter(|f| months.contains(&f.month))
                .map(|f| pick(f))
                .sum()
        };
        let mut qoq = Qoq {
            reviews: sum(x.period_months, |f| f.reviews),
            defects: sum(x.period_months, |f| f.defects),
            prev_reviews: sum(x.previous_months, |f| f.reviews),
            prev_defects: sum(x.previous_months, |f| f.defects),
            ..Qoq::default()
        };
        if let Some((z, p)) =
            stats::two_proportion_z(qoq.defects, qoq.reviews, qoq.prev_defects, qoq.prev_reviews)
        {
            (qoq.z, qoq.p) = (Some(z), Some(p));
        }
        for (metric, points, months, qoq) in [
            ("defect_rate", &defect, &labels.0, Some(qoq)),
            ("agreement", &agreement, &labels.1, None),
        ] {
            let (mk, sen_slope) = trend_of(points, x.cfg.min_points);
            out.push(Trend {
                module_id: module.clone(),
                line: line.clone(),
                metric,
                series: series.clone(),
                points: points.len(),
                first_month: months.first().map(|m| m.to_string()),
                last_month: months.last().map(|m| m.to_string()),
                mk,
                sen_slope,
                q_value: None,
                verdict: TOO_FEW_POINTS,
                qoq,
            });
        }
    }
    judge(&mut out, x.cfg.alpha);
    out
}

/// Benjamini–Hochberg over the trends of one metric tested across every
/// module and line, then each verdict: a significant rise of the defect
/// rate, or fall of agreement, is worsening.
fn judge(trends: &mut [Trend], alpha: f64) {
    for metric in ["defect_rate", "agreement"] {
        judge_metric(trends, metric, alpha);
    }
}

fn judge_metric(trends: &mut [Trend], metric: &str, alpha: f64) {
    let tested: Vec<usize> = (0..trends.len())
        .filter(|&i| trends[i].mk.is_some() && trends[i].metric == metric)
        .collect();
    let p: Vec<f64> = tested
        .iter()
        .filter_map(|&i| trends[i].mk.map(|m| m.p))
        .collect();
    let q = stats::benjamini_hochberg(&p);
    for (&i, q) in tested.iter().zip(q) {
        let t = &mut trends[i];
        t.q_value = Some(q);
        let s = t.mk.map(|m| m.s).unwrap_or(0.0);
        let rising = s > 0.0;
        t.verdict = if q >= alpha || s == 0.0 {
            "no trend"
        } else if rising == (t.metric == "defect_rate") {
            "worsening"
        } else {
            "improving"
        };
    }
}

/// Sessions and outcomes of the sessions where a module failed, or passed.
#[derive(Debug, Clone, Copy, Default)]
pub struct OutcomeCounts {
    pub sessions: u64,
    pub rated: u64,
    pub satisfied: u64,
    pub in_fcr: u64,
    pub followed: u64,
    pub complaints: u64,
}

impl OutcomeCounts {
    /// (numerator, denominator) of `metric`.
    fn of(&self, metric: &str) -> (u64, u64) {
        match metric {
            "csat" => (self.satisfied, self.rated),
            "repeat_rate" => (self.followed, self.in_fcr),
            _ => (self.complaints, self.sessions),
        }
    }
}

pub const OUTCOME_METRICS: [&str; 3] = ["csat", "repeat_rate", "complaint_rate"];

/// One row of `module_outcomes`: failed minus passed, Newcombe 95 %.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    pub module_id: String,
    pub metric: &'static str,
    pub failed_n: u64,
    pub failed_value: Option<f64>,
    pub passed_n: u64,
    pub passed_value: Option<f64>,
    pub difference: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    pub failed_sessions: u64,
    pub passed_sessions: u64,
}

/// `module_outcomes` from (failed, passed) counts per module.
pub fn outcomes(counts: &BTreeMap<String, (OutcomeCounts, OutcomeCounts)>) -> Vec<Outcome> {
    let mut out = Vec::new();
    for (module, (failed, passed)) in counts {
        for metric in OUTCOME_METRICS {
            let (fx, fnn) = failed.of(metric);
            let (px, pn) = passed.of(metric);
            let share = |x: u64, n: u64| (n > 0).then(|| x as f64 / n as f64);
            let diff = stats::newcombe_diff(fx, fnn, px, pn);
            out.push(Outcome {
                module_id: module.clone(),
                metric,
                failed_n: fnn,
                failed_value: share(fx, fnn),
                passed_n: pn,
                passed_value: share(px, pn),
                difference: diff.map(|d| d.0),
                ci_low: diff.map(|d| d.1),
                ci_high: diff.map(|d| d.2),
                failed_sessions: failed.sessions,
                passed_sessions: passed.sessions,
            });
        }
    }
    out
}

/// A reviewer's leniency in one month.
#[derive(Debug, Clone, Default)]
pub struct ReviewerMonth {
    pub reviewer_id: String,
    pub month: String,
    pub items: u64,
    pub leniency: f64,
    pub agreement: f64,
}

/// A reviewer's leniency trend over the trailing months.
#[derive(Debug, Clone, Default)]
pub struct Drift {
    pub points: usize,
    pub mk: Option<stats::MannKendall>,
    pub sen_slope: Option<f64>,
    pub q_value: Option<f64>,
    pub verdict: &'static str,
}

/// Per reviewer: the leniency trend over months with at least `min_items`
/// items, q-values over the reviewers tested; `drifting lenient` or
/// `drifting strict` when significant, else `steady`.
pub fn drift(
    rows: &[ReviewerMonth],
    trend_months: &[String],
    min_items: u32,
    cfg: &QuarterlyConfig,
) -> BTreeMap<String, Drift> {
    let mut points: BTreeMap<String, Points> = BTreeMap::new();
    for r in rows {
        points.entry(r.reviewer_id.clone()).or_default();
        let i = trend_months.iter().position(|m| *m == r.month);
        if let (Some(i), true) = (i, r.items >= u64::from(min_items)) {
            if let Some(p) = points.get_mut(&r.reviewer_id) {
                p.push((i as f64, r.leniency));
            }
        }
    }
    let mut out: BTreeMap<String, Drift> = BTreeMap::new();
    for (who, mut p) in points {
        p.sort_by(|a, b| a.0.total_cmp(&b.0));
        let (mk, sen_slope) = trend_of(&p, cfg.min_points);
        out.insert(
            who,
            Drift {
                points: p.len(),
                mk,
                sen_slope,
                q_value: None,
                verdict: TOO_FEW_POINTS,
            },
        );
    }
    let tested: Vec<String> = out
        .iter()
        .filter(|(_, d)| d.mk.is_some())
        .map(|(k, _)| k.clone())
        .collect();
    let p: Vec<f64> = tested
        .iter()
        .filter_map(|k| out.get(k).and_then(|d| d.mk).map(|m| m.p))
        .collect();
    for (k, q) in tested.iter().zip(stats::benjamini_hochberg(&p)) {
        if let Some(d) = out.get_mut(k) {
            let s = d.mk.map(|m| m.s).unwrap_or(0.0);
            d.q_value = Some(q);
            d.verdict = if q >= cfg.alpha || s == 0.0 {
                "steady"
            } else if s > 0.0 {
                "drifting lenient"
            } else {
                "drifting strict"
            };
        }
    }
    out
}

/// What a module's quarterly recommendation is decided on (line `ALL`,
/// the series in force at the period's end).
#[derive(Debug, Clone, Default)]
pub struct ReviewFigures<'a> {
    pub headline_label: &'a str,
    /// Months of the period whose agreement was judged, and flagged.
    pub months_judged: u32,
    pub months_flagged: u32,
    pub defect: Option<&'a Trend>,
    pub agreement: Option<&'a Trend>,
    /// The CSAT outcome link.
    pub csat: Option<&'a Outcome>,
    pub overturned: u64,
    pub decided: u64,
}

/// The recommendation, every rule that fires with its numbers, else
/// `stable`: the canonical English text of the `recommendation` column.
pub fn recommend(
    f: &ReviewFigures,
    agreement: &AgreementConfig,
    it: &IterationConfig,
    q: &QuarterlyConfig,
) -> String {
    recommend_in(f, agreement, it, q, Lang::En)
}

/// The recommendation worded in `lang` (the page's and workbook's text).
pub fn recommend_in(
    f: &ReviewFigures,
    agreement: &AgreementConfig,
    it: &IterationConfig,
    q: &QuarterlyConfig,
    lang: Lang,
) -> String {
    let mut why = Vec::new();
    if f.months_flagged >= q.flagged_months && f.months_flagged > 0 {
        why.push(lang.fill(
            "qrec.flagged",
            &[
                ("threshold", format!("{:.2}", agreement.threshold)),
                ("flagged", f.months_flagged.to_string()),
                ("judged", f.months_judged.to_string()),
            ],
        ));
    }
    for t in [f.defect, f.agreement].into_iter().flatten() {
        if t.verdict == "worsening" {
            why.push(worsening(t, f.headline_label, lang));
        }
    }
    if f.decided > 0 && f.decided >= u64::from(it.min_decided_appeals) {
        let rate = f.overturned as f64 / f.decided as f64;
        if rate >= it.overturn_threshold {
            why.push(lang.fill(
                "rec.overturned",
                &[
                    ("pct", format!("{:.0}", rate * 100.0)),
                    ("overturned", f.overturned.to_string()),
                    ("decided", f.decided.to_string()),
                ],
            ));
        }
    }
    if let Some(text) = f.csat.and_then(|o| weight_finding(o, q, lang)) {
        why.push(text);
    }
    if why.is_empty() {
        lang.t("rec.stable")
    } else {
        why.join(&lang.t("rec.sep"))
    }
}

/// A worsening trend of the defect rate or the agreement headline.
fn worsening(t: &Trend, headline_label: &str, lang: Lang) -> String {
    let slope = t.sen_slope.unwrap_or(0.0);
    let q = format!("{:.2}", t.q_value.unwrap_or(1.0));
    if t.metric == "defect_rate" {
        let slope = format!("{:+.1}", slope * 100.0);
        lang.fill("qrec.defect_worsening", &[("slope", slope), ("q", q)])
    } else {
        let args = [
            ("label", headline_label.to_string()),
            ("slope", format!("{slope:+.3}")),
            ("q", q),
        ];
        lang.fill("qrec.agreement_worsening", &args)
    }
}

/// Failures that do not move CSAT (enough sessions either way, an interval
/// that holds zero): the module's weight deserves review.
fn weight_finding(o: &Outcome, q: &QuarterlyConfig, lang: Lang) -> Option<String> {
    let enough = o.failed_n >= u64::from(q.min_outcome_sessions)
        && o.passed_n >= u64::from(q.min_outcome_sessions);
    let (d, lo, hi) = (o.difference?, o.ci_low?, o.ci_high?);
    (enough && lo <= 0.0 && hi >= 0.0).then(|| {
        let args = [
            ("diff", format!("{:+.1}", d * 100.0)),
            ("low", format!("{:.1}", lo * 100.0)),
            ("high", format!("{:.1}", hi * 100.0)),
        ];
        lang.fill("qrec.weight", &args)
    })
}
