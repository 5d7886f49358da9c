//! AB calibration (对标): who agreed with whom, module by module.
//!
//! Items are (session, module) pairs scored in a calibration round by at
//! least two distinct reviewers; a reviewer's latest score counts, an N/A
//! score is a missing rating, and a pair left with fewer than two ratings is
//! no item. Categories are the module's whole scale. Pass/fail modules use
//! AC1 and nominal alpha; graded modules AC2 with ordinal weights and ordinal
//! alpha. The statistics themselves are `crate::agreement`.
//!
//! A month's calibration ratings run to millions at scale, so they are held
//! as ids into sorted word lists (`Names`): a rating is a few integers, and
//! ids compare as their texts do, so every order below is the texts' order.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use polars::prelude::*;

use crate::agreement::{self, AlphaLevel, RatingMatrix, Weighting};
use crate::columns::{f64s, i64s};
use crate::config::{AgreementConfig, Headline};

/// An index into one of the sorted word lists of `Names`.
pub type Id = u32;

/// The distinct values of one text column, sorted: a value's id is its index.
#[derive(Debug, Clone, Default)]
pub struct Words(Vec<String>);

impl Words {
    /// Sorted, distinct words (duplicates are dropped).
    pub fn new(mut words: Vec<String>) -> Words {
        words.sort_unstable();
        words.dedup();
        Words(words)
    }

    pub fn text(&self, id: Id) -> &str {
        self.0.get(id as usize).map_or("", String::as_str)
    }

    pub fn id(&self, text: &str) -> Option<Id> {
        let i = self.0.binary_search_by(|w| w.as_str().cmp(text)).ok()?;
        Id::try_from(i).ok()
    }

    /// The texts of `ids`, joined by ", ".
    pub fn joined(&self, ids: &[Id]) -> String {
        ids.iter()
            .map(|&i| self.text(i))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The texts behind the ids of the ratings.
#[derive(Debug, Clone, Default)]
pub struct Names {
    pub round: Words,
    pub session: Words,
    pub line: Words,
    pub module: Words,
    pub reviewer: Words,
}

/// One calibration score as read, after validation.
#[derive(Debug, Clone, Copy)]
pub struct Rating {
    pub round: Id,
    pub session: Id,
    pub line: Id,
    pub module: Id,
    pub reviewer: Id,
    /// Only ordered (the latest score's tie-break), never shown.
    pub review: Id,
    /// `reviewed_at` in microseconds: the latest score of a reviewer counts.
    pub at: i64,
    pub score: Option<f64>,
    pub scale: (i64, i64),
}

/// A period's calibration ratings and the texts of their ids.
#[derive(Debug, Clone, Default)]
pub struct Ratings {
    pub names: Names,
    pub rows: Vec<Rating>,
}

/// The calibration reviews of the period's sessions: `reviews` are validated
/// and enriched review rows, `sessions` has session_id and business_line of
/// the period's sessions only.
pub fn ratings(reviews: LazyFrame, sessions: LazyFrame) -> PolarsResult<Ratings> {
    ratings_of(with_lines(calibration_rows(reviews), sessions))
}

/// The calibration rows of `reviews`, only the columns a rating needs.
pub fn calibration_rows(reviews: LazyFrame) -> LazyFrame {
    reviews
        .filter(col("calibration_round").is_not_null())
        .select([
            col("calibration_round"),
            col("session_id"),
            col("module_id"),
            col("reviewer_id"),
            col("review_id"),
            col("reviewed_at").cast(DataType::Int64),
            col("score"),
            col("scale_min").cast(DataType::Int64),
            col("scale_max").cast(DataType::Int64),
        ])
}

/// `calibration_rows` of the `sessions` (session_id, business_line), with
/// the session's line. The hash table on the calibration rows; the
/// sessions (tens of millions at scale) stream past it. Row order is not
/// kept: nothing below depends on it.
pub fn with_lines(rows: LazyFrame, sessions: LazyFrame) -> LazyFrame {
    rows.join(
        sessions.select([col("session_id"), col("business_line")]),
        [col("session_id")],
        [col("session_id")],
        JoinArgs {
            build_side: Some(JoinBuildSide::ForceLeft),
            ..JoinArgs::new(JoinType::Inner)
        },
    )
}

/// The ratings of `joined` calibration rows with their lines (`with_lines`).
pub fn ratings_of(joined: LazyFrame) -> PolarsResult<Ratings> {
    let df = crate::load::collect_streaming(joined)?;
    let (round, round_ids) = interned(&df, "calibration_round")?;
    let (session, session_ids) = interned(&df, "session_id")?;
    let (line, line_ids) = interned(&df, "business_line")?;
    let (module, module_ids) = interned(&df, "module_id")?;
    let (reviewer, reviewer_ids) = interned(&df, "reviewer_id")?;
    let (_, review_ids) = interned(&df, "review_id")?;
    // Key columns are never null in validated reviews.
    let whole = |name: &str| -> PolarsResult<Vec<i64>> {
        Ok(i64s(&df, name)?
            .into_iter()
            .map(Option::unwrap_or_default)
            .collect())
    };
    let (at, min, max) = (
        whole("reviewed_at")?,
        whole("scale_min")?,
        whole("scale_max")?,
    );
    let score = f64s(&df, "score")?;
    let rows = (0..df.height())
        .map(|i| Rating {
            round: round_ids[i],
            session: session_ids[i],
            line: line_ids[i],
            module: module_ids[i],
            reviewer: reviewer_ids[i],
            review: review_ids[i],
            at: at[i],
            score: score[i],
            scale: (min[i], max[i]),
        })
        .collect();
    Ok(Ratings {
        names: Names {
            round,
            session,
            line,
            module,
            reviewer,
        },
        rows,
    })
}

/// The sorted distinct values of a text column and each row's id among them
/// (a null reads as "").
fn interned(df: &DataFrame, name: &str) -> PolarsResult<(Words, Vec<Id>)> {
    let column = df.column(name)?.str()?;
    let words = Words::new(
        column
            .unique()?
            .iter()
            .map(|v| v.unwrap_or_default().to_string())
            .collect(),
    );
    let ids = {
        let index: HashMap<&str, Id> = words
            .0
            .iter()
            .enumerate()
            .map(|(i, w)| Ok((w.as_str(), Id::try_from(i).map_err(|_| too_many(name))?)))
            .collect::<PolarsResult<_>>()?;
        column
            .iter()
            .map(|v| {
                index
                    .get(v.unwrap_or_default())
                    .copied()
                    .unwrap_or_default()
            })
            .collect()
    };
    Ok((words, ids))
}

fn too_many(name: &str) -> PolarsError {
    polars_err!(ComputeError: "reviews: more than {} distinct {name} values among the calibration ratings", Id::MAX)
}

/// A (session, module) pair with at least two reviewers' scores.
#[derive(Debug, Clone)]
pub struct Item {
    pub round: Id,
    pub session: Id,
    pub line: Id,
    pub module: Id,
    pub scale: (i64, i64),
    /// (reviewer, score) in reviewer order, N/A left out.
    pub scores: Vec<(Id, f64)>,
}

/// Items keyed by (session, module), or by (round, session, module) when
/// `by_round`, in that order: each reviewer's latest score counts.
pub fn items(ratings: &[Rating], by_round: bool) -> Vec<Item> {
    let round = |r: &Rating| if by_round { r.round } else { 0 };
    let pair = |r: &Rating| (round(r), r.session, r.module);
    // Read order never matters: a reviewer's scores of an item differ in
    // (reviewed_at, review_id), or they are copies of one review row, which
    // the checks fold.
    let mut sorted: Vec<&Rating> = ratings.iter().collect();
    sorted.sort_by_key(|r| (pair(r), r.reviewer));
    sorted
        .chunk_by(|a, b| pair(a) == pair(b))
        .filter_map(|scored| {
            let latest: Vec<&Rating> = scored
                .chunk_by(|a, b| a.reviewer == b.reviewer)
                .filter_map(|own| {
                    own.iter().copied().reduce(|kept, r| {
                        if (r.at, r.review) > (kept.at, kept.review) {
                            r
                        } else {
                            kept
                        }
                    })
                })
                .collect();
            let newest = latest.iter().max_by_key(|r| (r.at, r.review))?;
            let scores: Vec<(Id, f64)> = latest
                .iter()
                .filter(|r| r.scale == newest.scale)
                .filter_map(|r| Some((r.reviewer, r.score?)))
                .collect();
            (scores.len() >= 2).then_some(Item {
                round: newest.round,
                session: newest.session,
                line: newest.line,
                module: newest.module,
                scale: newest.scale,
                scores,
            })
        })
        .collect()
}
/// Every coefficient for one group of items of one module and scale.
#[derive(Debug, Clone, Default)]
pub struct Coefficients {
    pub items: usize,
    /// Reviewer ids, in order.
    pub raters: Vec<Id>,
    pub percent_agreement: Option<f64>,
    pub cohen_kappa: Option<f64>,
    pub fleiss_kappa: Option<f64>,
    pub krippendorff_alpha: Option<f64>,
    pub gwet_ac1: Option<f64>,
    pub gwet_ac1_se: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    pub p_value: Option<f64>,
    pub headline: Option<f64>,
    pub band: Option<&'static str>,
    pub flagged: bool,
    /// Why a coefficient is null.
    pub note: String,
}

/// The band of a module with fewer than `[agreement] min_items` items.
pub const TOO_FEW_ITEMS: &str = "too few items";

/// The coefficients of a group of items. With fewer than two items every
/// coefficient is null (the contract: undefined, with the reason in `note`);
/// with fewer than `min_items` they are computed but the band is
/// `too few items` and the module is not flagged.
pub fn coefficients(items: &[&Item], scale: (i64, i64), cfg: &AgreementConfig) -> Coefficients {
    let mut c = computed(items, scale, cfg);
    if c.items < 2 {
        c = Coefficients {
            items: c.items,
            raters: c.raters,
            note: "fewer than two items: no coefficient is defined".into(),
            ..Coefficients::default()
        };
    }
    if c.items < cfg.min_items as usize {
        c.band = Some(TOO_FEW_ITEMS);
        c.flagged = false;
    }
    c
}

fn computed(items: &[&Item], scale: (i64, i64), cfg: &AgreementConfig) -> Coefficients {
    let raters: Vec<Id> = items
        .iter()
        .flat_map(|i| i.scores.iter().map(|(who, _)| *who))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let matrix = RatingMatrix::new(
        items
            .iter()
            .map(|i| raters.iter().map(|r| score_of(i, *r)).collect())
            .collect(),
    );
    let categories: Vec<f64> = (scale.0..=scale.1).map(|v| v as f64).collect();
    let pass_fail = scale.1 - scale.0 == 1;
    let (weights, level) = if pass_fail {
        (Weighting::Identity, AlphaLevel::Nominal)
    } else {
        (Weighting::Ordinal, AlphaLevel::Ordinal)
    };
    let mut notes = Vec::new();
    let mut keep = |name: &str, r: agreement::Coefficient| match r {
        Ok(v) => Some(v),
        Err(why) => {
            notes.push(format!("{name}: {why}"));
            None
        }
    };
    let percent_agreement = keep(
        "percent_agreement",
        agreement::percent_agreement(&matrix, &categories, Weighting::Identity),
    );
    let cohen_kappa = keep(
        "cohen_kappa",
        agreement::cohen_kappa(&matrix, &categories, Weighting::Identity),
    );
    let fleiss_kappa = keep(
        "fleiss_kappa",
        agreement::fleiss_kappa(&matrix, &categories),
    );
    let krippendorff_alpha = keep(
        "krippendorff_alpha",
        agreement::krippendorff_alpha(&matrix, &categories, level),
    );
    let gwet = agreement::gwet_ac(&matrix, &categories, weights);
    let gwet_ac1 = keep(
        "gwet_ac1",
        gwet.as_ref().map(|g| g.coef).map_err(Clone::clone),
    );
    let g = gwet.ok();
    let headline = match cfg.headline {
        Headline::GwetAc1 => gwet_ac1,
        Headline::FleissKappa => fleiss_kappa,
        Headline::KrippendorffAlpha => krippendorff_alpha,
        Headline::CohenKappa => cohen_kappa,
        Headline::PercentAgreement => percent_agreement,
    };
    Coefficients {
        items: items.len(),
        raters,
        percent_agreement,
        cohen_kappa,
        fleiss_kappa,
        krippendorff_alpha,
        gwet_ac1,
        gwet_ac1_se: g.as_ref().and_then(|g| g.se),
        ci_low: g.as_ref().and_then(|g| g.ci_low),
        ci_high: g.as_ref().and_then(|g| g.ci_high),
        p_value: g.as_ref().and_then(|g| g.p_value),
        headline,
        band: headline.map(agreement::landis_koch),
        flagged: headline.is_some_and(|h| h < cfg.threshold),
        note: notes.join("; "),
    }
}

/// The score `reviewer` gave `item`, if any.
fn score_of(item: &Item, reviewer: Id) -> Option<f64> {
    let at = item
        .scores
        .binary_search_by_key(&reviewer, |(who, _)| *who)
        .ok()?;
    item.scores.get(at).map(|(_, v)| *v)
}

/// A module and the scale its items were scored on.
type GroupKey = (Id, (i64, i64));

/// The pack's four calibration tables.
pub struct CalibrationTables {
    pub agreement: DataFrame,
    pub agreement_rounds: DataFrame,
    pub disagreements: DataFrame,
    pub reviewers: DataFrame,
}

pub fn tables(ratings: &Ratings, cfg: &AgreementConfig) -> PolarsResult<CalibrationTables> {
    let names = &ratings.names;
    let overall = items(&ratings.rows, false);
    let per_round = items(&ratings.rows, true);

    // agreement: per line, then ALL (the `true` sorts it last); modules in order.
    let mut by_line: BTreeMap<((bool, Id), GroupKey), Vec<&Item>> = BTreeMap::new();
    for item in &overall {
        for line in [(false, item.line), (true, 0)] {
            by_line
                .entry((line, (item.module, item.scale)))
                .or_default()
                .push(item);
        }
    }
    let mut agreement = CoefficientRows::new(&["business_line", "module_id"]);
    for (((all, line), (module, scale)), group) in &by_line {
        let line = if *all { "ALL" } else { names.line.text(*line) };
        agreement.push(
            vec![line.to_string(), names.module.text(*module).to_string()],
            *scale,
            coefficients(group, *scale, cfg),
        );
    }

    let mut by_round: BTreeMap<(Id, GroupKey), Vec<&Item>> = BTreeMap::new();
    for item in &per_round {
        by_round
            .entry((item.round, (item.module, item.scale)))
            .or_default()
            .push(item);
    }
    let mut rounds = CoefficientRows::new(&["calibration_round", "module_id", "reviewers"]);
    for ((round, (module, scale)), group) in &by_round {
        let c = coefficients(group, *scale, cfg);
        rounds.push(
            vec![
                names.round.text(*round).to_string(),
                names.module.text(*module).to_string(),
                names.reviewer.joined(&c.raters),
            ],
            *scale,
            c,
        );
    }

    Ok(CalibrationTables {
        agreement: agreement.frame()?,
        agreement_rounds: rounds.frame()?,
        disagreements: disagreements(&per_round, names)?,
        reviewers: reviewers(&overall, &names.reviewer)?,
    })
}

/// Rows of coefficients with leading key columns, built column by column.
struct CoefficientRows {
    keys: Vec<(&'static str, Vec<String>)>,
    scale: Vec<String>,
    rows: Vec<Coefficients>,
}

impl CoefficientRows {
    fn new(keys: &[&'static str]) -> CoefficientRows {
        CoefficientRows {
            keys: keys.iter().map(|k| (*k, Vec::new())).collect(),
            scale: Vec::new(),
            rows: Vec::new(),
        }
    }

    fn push(&mut self, keys: Vec<String>, scale: (i64, i64), c: Coefficients) {
        for ((_, column), value) in self.keys.iter_mut().zip(keys) {
            column.push(value);
        }
        self.scale.push(format!("{}-{}", scale.0, scale.1));
        self.rows.push(c);
    }

    fn frame(self) -> PolarsResult<DataFrame> {
        let f = |get: fn(&Coefficients) -> Option<f64>| -> Vec<Option<f64>> {
            self.rows.iter().map(get).collect()
        };
        let mut columns: Vec<Column> = self
            .keys
            .iter()
            .map(|(name, values)| Column::new((*name).into(), values.clone()))
            .collect();
        columns.extend([
            Column::new("scale".into(), self.scale.clone()),
            Column::new(
                "items".into(),
                self.rows.iter().map(|c| c.items as u32).collect::<Vec<_>>(),
            ),
            Column::new(
                "raters".into(),
                self.rows
                    .iter()
                    .map(|c| c.raters.len() as u32)
                    .collect::<Vec<_>>(),
            ),
            Column::new("percent_agreement".into(), f(|c| c.percent_agreement)),
            Column::new("cohen_kappa".into(), f(|c| c.cohen_kappa)),
            Column::new("fleiss_kappa".into(), f(|c| c.fleiss_kappa)),
            Column::new("krippendorff_alpha".into(), f(|c| c.krippendorff_alpha)),
            Column::new("gwet_ac1".into(), f(|c| c.gwet_ac1)),
            Column::new("gwet_ac1_se".into(), f(|c| c.gwet_ac1_se)),
            Column::new("ci_low".into(), f(|c| c.ci_low)),
            Column::new("ci_high".into(), f(|c| c.ci_high)),
            Column::new("p_value".into(), f(|c| c.p_value)),
            Column::new("headline".into(), f(|c| c.headline)),
            Column::new(
                "band".into(),
                self.rows.iter().map(|c| c.band).collect::<Vec<_>>(),
            ),
            Column::new(
                "flagged".into(),
                self.rows.iter().map(|c| c.flagged).collect::<Vec<_>>(),
            ),
            Column::new(
                "note".into(),
                self.rows.iter().map(|c| c.note.clone()).collect::<Vec<_>>(),
            ),
        ]);
        DataFrame::new_infer_height(columns)
    }
}

/// The calibration meeting's agenda: every item whose reviewers scored it
/// differently, modules with the most disagreements first.
fn disagreements(per_round: &[Item], names: &Names) -> PolarsResult<DataFrame> {
    let values = |i: &Item| i.scores.iter().map(|(_, v)| *v).collect::<Vec<_>>();
    let split: Vec<&Item> = per_round
        .iter()
        .filter(|i| {
            let mut v = i.scores.iter().map(|(_, v)| *v);
            let first = v.next();
            v.any(|s| Some(s) != first)
        })
        .collect();
    let mut per_module: BTreeMap<Id, usize> = BTreeMap::new();
    for i in &split {
        *per_module.entry(i.module).or_default() += 1;
    }
    let count = |i: &Item| per_module.get(&i.module).copied().unwrap_or_default();
    let mut rows = split;
    rows.sort_by(|a, b| {
        count(b)
            .cmp(&count(a))
            .then_with(|| (a.module, a.round, a.session).cmp(&(b.module, b.round, b.session)))
    });
    let text = |f: &dyn Fn(&Item) -> String| rows.iter().map(|i| f(i)).collect::<Vec<_>>();
    let fmt = |v: f64| format!("{v}");
    DataFrame::new_infer_height(vec![
        Column::new(
            "calibration_round".into(),
            text(&|i| names.round.text(i.round).to_string()),
        ),
        Column::new(
            "session_id".into(),
            text(&|i| names.session.text(i.session).to_string()),
        ),
        Column::new(
            "business_line".into(),
            text(&|i| names.line.text(i.line).to_string()),
        ),
        Column::new(
            "module_id".into(),
            text(&|i| names.module.text(i.module).to_string()),
        ),
        Column::new(
            "reviewers".into(),
            text(&|i| {
                let who: Vec<Id> = i.scores.iter().map(|(w, _)| *w).collect();
                names.reviewer.joined(&who)
            }),
        ),
        Column::new(
            "scores".into(),
            text(&|i| {
                values(i)
                    .into_iter()
                    .map(fmt)
                    .collect::<Vec<_>>()
                    .join(", ")
            }),
        ),
        Column::new(
            "min_score".into(),
            rows.iter()
                .map(|i| values(i).into_iter().fold(f64::INFINITY, f64::min))
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "max_score".into(),
            rows.iter()
                .map(|i| values(i).into_iter().fold(f64::NEG_INFINITY, f64::max))
                .collect::<Vec<_>>(),
        ),
    ])
}

/// Per reviewer over the period's items: how many they scored, leniency (the
/// mean of their normalised score minus the mean of the others' on the same
/// item) and agreement (the share of their pairings with another reviewer on
/// an item that gave the same score).
pub fn reviewers(items: &[Item], names: &Words) -> PolarsResult<DataFrame> {
    #[derive(Default)]
    struct Acc {
        items: u32,
        lean: f64,
        same: u32,
        pairs: u32,
    }
    let mut acc: BTreeMap<Id, Acc> = BTreeMap::new();
    for item in items {
        let span = (item.scale.1 - item.scale.0) as f64;
        let norm = |v: f64| (v - item.scale.0 as f64) / span;
        for &(who, own) in &item.scores {
            let others: Vec<f64> = item
                .scores
                .iter()
                .filter(|(w, _)| *w != who)
                .map(|(_, v)| *v)
                .collect();
            let a = acc.entry(who).or_default();
            a.items += 1;
            a.lean +=
                norm(own) - others.iter().map(|v| norm(*v)).sum::<f64>() / others.len() as f64;
            a.same += others.iter().filter(|v| **v == own).count() as u32;
            a.pairs += others.len() as u32;
        }
    }
    DataFrame::new_infer_height(vec![
        Column::new(
            "reviewer_id".into(),
            acc.keys()
                .map(|k| names.text(*k).to_string())
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "items".into(),
            acc.values().map(|a| a.items).collect::<Vec<_>>(),
        ),
        Column::new(
            "leniency".into(),
            acc.values()
                .map(|a| a.lean / f64::from(a.items))
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "agreement".into(),
            acc.values()
                .map(|a| f64::from(a.same) / f64::from(a.pairs))
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "pairs".into(),
            acc.values().map(|a| a.pairs).collect::<Vec<_>>(),
        ),
    ])
}
