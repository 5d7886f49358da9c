//! The standard-iteration review (质检标准迭代): one row per scorecard module
//! with the figures that say whether its rule needs clarifying, and the
//! before/after view of a scorecard version that took effect in the month.
//!
//! A module's defect rate is the share of its (non-N/A) scores below full
//! marks; for pass/fail modules, the fails.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use polars::prelude::*;

use crate::config::{AgreementConfig, Headline, IterationConfig};
use crate::i18n::Lang;
use crate::jobs::period::Month;
use crate::load::instant_lit;
use crate::metrics::calibration::{self, Rating, Ratings};
use crate::standards::{Module, Scorecard, Standards};

/// What a module's recommendation is decided on.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ModuleFigures {
    pub defect_rate: Option<f64>,
    pub prev_defect_rate: Option<f64>,
    /// The calibration headline over all lines; None without calibration.
    pub headline: Option<f64>,
    pub flagged: bool,
    /// Fewer calibration items than `[agreement] min_items`: the headline
    /// is shown but judges nothing.
    pub too_few_items: bool,
    pub overturned: u32,
    /// Overturned plus upheld: pending appeals are not decided.
    pub decided: u32,
}

/// A rule of the standard-iteration review that fired for a module, with
/// the numbers that made it fire.
#[derive(Debug, Clone, PartialEq)]
pub enum Finding {
    /// The calibration headline is below the threshold.
    LowAgreement {
        label: String,
        headline: f64,
        threshold: f64,
    },
    /// At least `overturn_threshold` of at least `min_decided_appeals`
    /// decided appeals were overturned.
    Overturned { overturned: u32, decided: u32 },
    /// The defect rate rose by at least `defect_rise_pts` while agreement is
    /// not flagged.
    DefectRise { pts: f64, agreement: Calibrated },
}

/// What calibration says of a module whose defect rate rose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Calibrated {
    Fine,
    TooFewItems,
    NoData,
}

impl Finding {
    /// What the finding asks of the meeting: `clarify_rule` or `coach`.
    pub fn code(&self) -> &'static str {
        match self {
            Finding::LowAgreement { .. } | Finding::Overturned { .. } => "clarify_rule",
            Finding::DefectRise { .. } => "coach",
        }
    }

    /// The finding in words, in `lang`.
    pub fn text(&self, lang: Lang) -> String {
        match self {
            Finding::LowAgreement {
                label,
                headline,
                threshold,
            } => {
                let (headline, threshold) = apart(*headline, *threshold);
                lang.fill(
                    "rec.low_agreement",
                    &[
                        ("label", label.clone()),
                        ("headline", headline),
                        ("threshold", threshold),
                    ],
                )
            }
            Finding::Overturned {
                overturned,
                decided,
            } => {
                let rate = f64::from(*overturned) / f64::from(*decided) * 100.0;
                lang.fill(
                    "rec.overturned",
                    &[
                        ("pct", format!("{rate:.0}")),
                        ("overturned", overturned.to_string()),
                        ("decided", decided.to_string()),
                    ],
                )
            }
            Finding::DefectRise { pts, agreement } => {
                let key = match agreement {
                    Calibrated::Fine => "rec.defect_rise.fine",
                    Calibrated::TooFewItems => "rec.defect_rise.too_few",
                    Calibrated::NoData => "rec.defect_rise.no_data",
                };
                lang.fill(key, &[("pts", format!("{pts:+.0}"))])
            }
        }
    }
}

/// The rules that fire for a module, in the order the meeting takes them:
/// agreement, appeals, then the defect rate.
pub fn findings(
    f: &ModuleFigures,
    headline_label: &str,
    agreement: &AgreementConfig,
    it: &IterationConfig,
) -> Vec<Finding> {
    let mut found = Vec::new();
    if let (true, Some(h)) = (f.flagged, f.headline) {
        found.push(Finding::LowAgreement {
            label: headline_label.to_string(),
            headline: h,
            threshold: agreement.threshold,
        });
    }
    if f.decided > 0 && f.decided >= it.min_decided_appeals {
        let rate = f64::from(f.overturned) / f64::from(f.decided);
        if rate >= it.overturn_threshold {
            found.push(Finding::Overturned {
                overturned: f.overturned,
                decided: f.decided,
            });
        }
    }
    if let (Some(now), Some(before)) = (f.defect_rate, f.prev_defect_rate) {
        let pts = (now - before) * 100.0;
        if pts >= it.defect_rise_pts && !f.flagged {
            let agreement = if f.too_few_items {
                Calibrated::TooFewItems
            } else if f.headline.is_some() {
                Calibrated::Fine
            } else {
                Calibrated::NoData
            };
            found.push(Finding::DefectRise { pts, agreement });
        }
    }
    found
}

/// Two figures to two decimals, or to as many more (up to six) as they
/// need to read apart: `0.798 < 0.800`, never `0.80 < 0.80`.
fn apart(a: f64, b: f64) -> (String, String) {
    let at = |d: usize| (format!("{a:.d$}"), format!("{b:.d$}"));
    (2..=6)
        .map(at)
        .find(|(x, y)| x != y)
        .unwrap_or_else(|| at(6))
}

/// The recommendation in `lang`: every finding, `stable` when none.
pub fn recommendation_text(found: &[Finding], lang: Lang) -> String {
    if found.is_empty() {
        return lang.t("rec.stable");
    }
    let texts: Vec<String> = found.iter().map(|f| f.text(lang)).collect();
    texts.join(&lang.t("rec.sep"))
}

/// The recommendation as a code: `stable`, `clarify_rule`, `coach`, or
/// both joined by `+`.
pub fn recommendation_code(found: &[Finding]) -> String {
    let mut codes: Vec<&str> = found.iter().map(Finding::code).collect();
    codes.dedup();
    if codes.is_empty() {
        "stable".into()
    } else {
        codes.join("+")
    }
}

/// The canonical recommendation (the `recommendation` column, in English)
/// with the rule and the numbers that produced it; every rule that fires is
/// listed, `stable` when none does:
/// - `clarify rule: AC1 0.62 < 0.80` — the calibration headline is below the
///   threshold;
/// - `clarify rule: 38% of appeals overturned (5 of 13 decided)`;
/// - `coach: defect rate +12 pts with agreement fine` (`too few
///   calibration items` instead of `with agreement fine` below
///   `min_items`).
pub fn recommend(
    f: &ModuleFigures,
    headline_label: &str,
    agreement: &AgreementConfig,
    it: &IterationConfig,
) -> String {
    recommendation_text(&findings(f, headline_label, agreement, it), Lang::En)
}

/// The headline's name as the meeting reads it.
pub fn headline_label(h: Headline, pass_fail: bool) -> &'static str {
    match h {
        Headline::GwetAc1 if pass_fail => "AC1",
        Headline::GwetAc1 => "AC2",
        Headline::FleissKappa => "Fleiss' kappa",
        Headline::KrippendorffAlpha => "alpha",
        Headline::CohenKappa => "Cohen's kappa",
        Headline::PercentAgreement => "percent agreement",
    }
}

/// The scorecard versions in force at some time in the month, oldest first.
fn versions_in<'a>(standards: &'a Standards, month: &Month) -> Vec<&'a Scorecard> {
    standards
        .scorecards
        .iter()
        .filter(|s| s.effective_from_utc < month.end)
        .filter(|s| {
            s.effective_from_utc >= month.start
                || standards
                    .scorecard_at(month.start)
                    .is_some_and(|at| at.version == s.version)
        })
        .collect()
}

/// (scored, below full marks) per module, for `review_modules` rows kept by
/// `keep`.
fn defects(review_modules: &LazyFrame, keep: Expr) -> PolarsResult<BTreeMap<String, (u32, u32)>> {
    let df = review_modules
        .clone()
        .filter(keep.and(col("score").is_not_null()))
        .group_by([col("module_id")])
        .agg([
            len().cast(DataType::UInt32).alias("scored"),
            col("score")
                .lt(col("scale_max"))
                .cast(DataType::UInt32)
                .sum()
                .alias("defects"),
        ])
        .collect()?;
    let ids = df.column("module_id")?.str()?;
    let scored = df.column("scored")?.u32()?;
    let below = df.column("defects")?.cast(&DataType::UInt32)?;
    let below = below.u32()?;
    Ok(ids
        .iter()
        .zip(scored.iter().zip(below.iter()))
        .filter_map(|(id, (n, d))| Some((id?.to_string(), (n?, d.unwrap_or(0)))))
        .collect())
}

fn rate((n, d): (u32, u32)) -> Option<f64> {
    (n > 0).then(|| f64::from(d) / f64::from(n))
}

/// Rows of a small table keyed by module, from one of the pack's tables'
/// `ALL` rows.
fn all_rows(df: &DataFrame) -> PolarsResult<Vec<usize>> {
    let lines = df.column("business_line")?.str()?;
    Ok((0..df.height())
        .filter(|&i| lines.get(i) == Some("ALL"))
        .collect())
}

pub struct IterationInputs<'a> {
    pub standards: &'a Standards,
    pub month: &'a Month,
    pub previous: &'a Month,
    /// Module scores of the two months' reviews with local_month.
    pub review_modules: &'a LazyFrame,
    /// The pack's `agreement` and `appeals` tables.
    pub agreement: &'a DataFrame,
    pub appeals: &'a DataFrame,
    pub ratings: &'a Ratings,
    pub agreement_cfg: &'a AgreementConfig,
    pub iteration_cfg: &'a IterationConfig,
}

/// The `iteration` table: single-point modules first (monthly review), then
/// system modules (marked for the quarterly review).
pub fn iteration(x: &IterationInputs) -> PolarsResult<Iteration> {
    let modules = modules_of_month(x);
    let now = defects(
        x.review_modules,
        col("local_month").eq(lit(x.month.label.clone())),
    )?;
    let before = defects(
        x.review_modules,
        col("local_month").eq(lit(x.previous.label.clone())),
    )?;
    let agreement = agreement_by_module(x.agreement, &modules)?;
    let appeals = appeals_by_module(x.appeals)?;

    let mut order: Vec<&Module> = modules.values().copied().collect();
    order.sort_by_key(|m| (m.scope.as_str() != "single_point", m.id.clone()));
    let mut rows = Rows::default();
    for m in order {
        let scored = now.get(&m.id).copied().unwrap_or((0, 0));
        let (headline, flagged, too_few_items) = agreement
            .get(&m.id)
            .copied()
            .unwrap_or((None, false, false));
        let (appeals, overturned, upheld) = appeals.get(&m.id).copied().unwrap_or((0, 0, 0));
        let figures = ModuleFigures {
            defect_rate: rate(scored),
            prev_defect_rate: before.get(&m.id).copied().and_then(rate),
            headline,
            flagged,
            too_few_items,
            overturned,
            decided: overturned + upheld,
        };
        let label = headline_label(x.agreement_cfg.headline, m.scale.is_pass_fail());
        let found = findings(&figures, label, x.agreement_cfg, x.iteration_cfg);
        rows.push(m, &figures, scored.0, appeals, found);
    }
    let findings = rows
        .module_id
        .iter()
        .cloned()
        .zip(rows.findings.clone())
        .collect();
    Ok(Iteration {
        table: rows.frame()?,
        findings,
    })
}

/// Each module of the month with its newest definition in the month.
fn modules_of_month<'a>(x: &IterationInputs<'a>) -> BTreeMap<&'a str, &'a Module> {
    let mut modules = BTreeMap::new();
    for sc in versions_in(x.standards, x.month) {
        for m in &sc.modules {
            modules.insert(m.id.as_str(), m);
        }
    }
    modules
}

/// module → (headline, flagged, too few items).
type AgreementByModule = BTreeMap<String, (Option<f64>, bool, bool)>;

/// module → (headline, flagged, too few items), from the row on the
/// module's current scale when its scale changed in the month.
fn agreement_by_module(
    agreement: &DataFrame,
    modules: &BTreeMap<&str, &Module>,
) -> PolarsResult<AgreementByModule> {
    let mut out = AgreementByModule::new();
    let (ids, scales) = (
        agreement.column("module_id")?.str()?,
        agreement.column("scale")?.str()?,
    );
    let head = agreement.column("headline")?.f64()?;
    let flag = agreement.column("flagged")?.bool()?;
    let band = agreement.column("band")?.str()?;
    for i in all_rows(agreement)? {
        let (Some(id), Some(scale)) = (ids.get(i), scales.get(i)) else {
            continue;
        };
        let current = modules.get(id).map(|m| {
            let (a, b) = m.scale.bounds();
            format!("{a}-{b}")
        });
        if current.as_deref() == Some(scale) || !out.contains_key(id) {
            let too_few = band.get(i) == Some(calibration::TOO_FEW_ITEMS);
            let flagged = flag.get(i).unwrap_or(false);
            out.insert(id.to_string(), (head.get(i), flagged, too_few));
        }
    }
    Ok(out)
}

/// module → (appeals, overturned, upheld).
fn appeals_by_module(appeals: &DataFrame) -> PolarsResult<BTreeMap<String, (u32, u32, u32)>> {
    let ids = appeals.column("module_id")?.str()?;
    let n = |c: &str| -> PolarsResult<Vec<u32>> {
        Ok(appeals
            .column(c)?
            .cast(&DataType::UInt32)?
            .u32()?
            .iter()
            .map(|v| v.unwrap_or(0))
            .collect())
    };
    let (total, over, upheld) = (n("appeals")?, n("overturned")?, n("upheld")?);
    let mut out = BTreeMap::new();
    for i in all_rows(appeals)? {
        if let Some(id) = ids.get(i) {
            out.insert(id.to_string(), (total[i], over[i], upheld[i]));
        }
    }
    Ok(out)
}

/// The `iteration` table and each module's findings (the page words them
/// in its language; the table keeps the canonical English).
pub struct Iteration {
    pub table: DataFrame,
    /// module_id → the rules that fired.
    pub findings: BTreeMap<String, Vec<Finding>>,
}

#[derive(Default)]
struct Rows {
    module_id: Vec<String>,
    name: Vec<String>,
    name_zh: Vec<Option<String>>,
    group: Vec<&'static str>,
    scope: Vec<&'static str>,
    cycle: Vec<&'static str>,
    reviews: Vec<u32>,
    defect: Vec<Option<f64>>,
    prev_defect: Vec<Option<f64>>,
    change: Vec<Option<f64>>,
    headline: Vec<Option<f64>>,
    flagged: Vec<bool>,
    appeals: Vec<u32>,
    overturn: Vec<Option<f64>>,
    recommendation: Vec<String>,
    code: Vec<String>,
    findings: Vec<Vec<Finding>>,
}

impl Rows {
    /// One module's row: its figures, review count, appeals and findings.
    fn push(
        &mut self,
        m: &Module,
        figures: &ModuleFigures,
        reviews: u32,
        appeals: u32,
        found: Vec<Finding>,
    ) {
        self.module_id.push(m.id.clone());
        self.name.push(m.name.clone());
        self.name_zh.push(m.name_zh.clone());
        self.group.push(m.group.as_str());
        self.scope.push(m.scope.as_str());
        self.cycle.push(if m.scope.as_str() == "single_point" {
            "monthly"
        } else {
            "quarterly"
        });
        self.reviews.push(reviews);
        self.change
            .push(match (figures.defect_rate, figures.prev_defect_rate) {
                (Some(a), Some(b)) => Some((a - b) * 100.0),
                _ => None,
            });
        self.defect.push(figures.defect_rate);
        self.prev_defect.push(figures.prev_defect_rate);
        self.headline.push(figures.headline);
        self.flagged.push(figures.flagged);
        self.appeals.push(appeals);
        self.overturn.push(
            (figures.decided > 0)
                .then(|| f64::from(figures.overturned) / f64::from(figures.decided)),
        );
        self.recommendation
            .push(recommendation_text(&found, Lang::En));
        self.code.push(recommendation_code(&found));
        self.findings.push(found);
    }

    fn frame(self) -> PolarsResult<DataFrame> {
        DataFrame::new_infer_height(vec![
            Column::new("module_id".into(), self.module_id),
            Column::new("module_name".into(), self.name),
            Column::new("module_name_zh".into(), self.name_zh),
            Column::new("group".into(), self.group),
            Column::new("scope".into(), self.scope),
            Column::new("review_cycle".into(), self.cycle),
            Column::new("reviews".into(), self.reviews),
            Column::new("defect_rate".into(), self.defect),
            Column::new("prev_defect_rate".into(), self.prev_defect),
            Column::new("defect_change_pts".into(), self.change),
            Column::new("agreement_headline".into(), self.headline),
            Column::new("agreement_flagged".into(), self.flagged),
            Column::new("appeals".into(), self.appeals),
            Column::new("overturn_rate".into(), self.overturn),
            Column::new("recommendation".into(), self.recommendation),
            Column::new("recommendation_code".into(), self.code),
        ])
    }
}

/// How a module's definition changed from one version to the next; None
/// when it did not.
pub fn change(before: Option<&Module>, after: Option<&Module>) -> Option<String> {
    match (before, after) {
        (None, Some(_)) => Some("added".into()),
        (Some(_), None) => Some("removed".into()),
        (Some(b), Some(a)) => {
            let scale = |m: &Module| {
                let (x, y) = m.scale.bounds();
                if m.scale.is_pass_fail() {
                    "pass_fail".to_string()
                } else {
                    format!("{x}-{y}")
                }
            };
            let mut what = Vec::new();
            if b.scale != a.scale {
                what.push(format!("scale {} → {}", scale(b), scale(a)));
            }
            if b.weight != a.weight {
                what.push(format!("weight {} → {}", b.weight, a.weight));
            }
            if b.group != a.group {
                what.push(format!("group {} → {}", b.group.as_str(), a.group.as_str()));
            }
            if b.scope != a.scope {
                what.push(format!("scope {} → {}", b.scope.as_str(), a.scope.as_str()));
            }
            (!what.is_empty()).then(|| what.join(", "))
        }
        (None, None) => None,
    }
}

/// For each scorecard version that took effect during the month, the
/// modules it changed with their defect rate and agreement headline before
/// and after it (reviews and calibration scores of the month's sessions,
/// split at the moment it took effect).
pub fn scorecard_changes(x: &IterationInputs) -> PolarsResult<DataFrame> {
    let mut out = ChangeRows::default();
    let cards = &x.standards.scorecards;
    for (k, card) in cards.iter().enumerate() {
        let eff = card.effective_from_utc;
        if k == 0 || eff < x.month.start || eff >= x.month.end {
            continue;
        }
        let prev = &cards[k - 1];
        let find = |sc: &'_ Scorecard, id: &str| sc.modules.iter().find(|m| m.id == id).cloned();
        let mut ids: Vec<&str> = prev
            .modules
            .iter()
            .chain(&card.modules)
            .map(|m| m.id.as_str())
            .collect();
        ids.sort();
        ids.dedup();
        let in_month = col("local_month").eq(lit(x.month.label.clone()));
        let split = col("reviewed_at").gt_eq(instant_lit(eff));
        let before = defects(x.review_modules, in_month.clone().and(split.clone().not()))?;
        let after = defects(x.review_modules, in_month.and(split))?;
        for id in ids {
            let (b, a) = (find(prev, id), find(card, id));
            let Some(what) = change(b.as_ref(), a.as_ref()) else {
                continue;
            };
            out.version.push(card.version.clone());
            out.effective_from.push(card.effective_from.to_string());
            out.module_id.push(id.to_string());
            out.change.push(what);
            let (nb, na) = (
                before.get(id).copied().unwrap_or((0, 0)),
                after.get(id).copied().unwrap_or((0, 0)),
            );
            out.reviews_before.push(nb.0);
            out.defect_before.push(rate(nb));
            out.reviews_after.push(na.0);
            out.defect_after.push(rate(na));
            out.agreement_before
                .push(b.and_then(|m| headline_between(x, &m, None, Some(eff))));
            out.agreement_after
                .push(a.and_then(|m| headline_between(x, &m, Some(eff), None)));
        }
    }
    out.frame()
}

/// The module's calibration headline over all lines from scores given in
/// [from, to).
fn headline_between(
    x: &IterationInputs,
    m: &Module,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
) -> Option<f64> {
    let (from, to) = (
        from.map(|t| t.timestamp_micros()),
        to.map(|t| t.timestamp_micros()),
    );
    let module = x.ratings.names.module.id(&m.id)?;
    let kept: Vec<Rating> = x
        .ratings
        .rows
        .iter()
        .filter(|r| r.module == module && r.scale == m.scale.bounds())
        .filter(|r| from.is_none_or(|f| r.at >= f) && to.is_none_or(|t| r.at < t))
        .copied()
        .collect();
    let items = calibration::items(&kept, false);
    let refs: Vec<&calibration::Item> = items.iter().collect();
    if refs.is_empty() {
        return None;
    }
    calibration::coefficients(&refs, m.scale.bounds(), x.agreement_cfg).headline
}

#[derive(Default)]
struct ChangeRows {
    version: Vec<String>,
    effective_from: Vec<String>,
    module_id: Vec<String>,
    change: Vec<String>,
    reviews_before: Vec<u32>,
    defect_before: Vec<Option<f64>>,
    reviews_after: Vec<u32>,
    defect_after: Vec<Option<f64>>,
    agreement_before: Vec<Option<f64>>,
    agreement_after: Vec<Option<f64>>,
}

impl ChangeRows {
    fn frame(self) -> PolarsResult<DataFrame> {
        DataFrame::new_infer_height(vec![
            Column::new("version".into(), self.version),
            Column::new("effective_from".into(), self.effective_from),
            Column::new("module_id".into(), self.module_id),
            Column::new("change".into(), self.change),
            Column::new("reviews_before".into(), self.reviews_before),
            Column::new("defect_rate_before".into(), self.defect_before),
            Column::new("reviews_after".into(), self.reviews_after),
            Column::new("defect_rate_after".into(), self.defect_after),
            Column::new("agreement_before".into(), self.agreement_before),
            Column::new("agreement_after".into(), self.agreement_after),
        ])
    }
}
