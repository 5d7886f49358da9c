//! The monthly pack's calibration tables against the reference libraries.
//!
//! Values computed with irrCAC 0.4.4 (`CAC(df, weights, categories).gwet()`,
//! `.fleiss()`, and `pa` of the identity-weighted run), krippendorff 0.9.0
//! (`alpha(..., level_of_measurement, value_domain)`) and scikit-learn 1.9.1
//! (`cohen_kappa_score(labels=[0, 1])`) on the matrices written below.

use csqa::config::{AgreementConfig, Headline, IterationConfig};
use csqa::metrics::calibration::{coefficients, items, Id, Item, Rating, Words};
use csqa::metrics::iteration::{recommend, ModuleFigures};
use polars::prelude::*;

use crate::common::*;

const NA: Option<f64> = None;

/// Graded `empathy` (0-5) by qa1, qa2, qa3 in round R2; None = N/A or no
/// review. g14 has one score only: no item. g01..g08 are line b, the rest c.
fn graded() -> Vec<(&'static str, [Option<f64>; 3])> {
    let s = |v: f64| Some(v);
    vec![
        ("g01", [s(4.), s(4.), s(5.)]),
        ("g02", [s(3.), s(3.), s(3.)]),
        ("g03", [s(5.), s(5.), s(5.)]),
        ("g04", [s(2.), s(3.), s(2.)]),
        ("g05", [s(4.), NA, s(4.)]),
        ("g06", [s(1.), s(2.), s(1.)]),
        ("g07", [s(5.), s(4.), NA]),
        ("g08", [s(3.), s(3.), s(4.)]),
        ("g09", [s(0.), s(1.), s(0.)]),
        ("g10", [s(4.), s(4.), s(4.)]),
        ("g11", [NA, s(2.), s(3.)]),
        ("g12", [s(5.), s(5.), s(4.)]),
        ("g13", [s(2.), s(2.), s(2.)]),
        ("g14", [s(3.), NA, NA]),
        ("g15", [s(4.), s(5.), s(5.)]),
        ("g16", [s(1.), s(1.), s(2.)]),
    ]
}

/// Pass/fail `resolution` by qa1, qa2 in round R1: the kappa paradox — 90
/// both pass, 5 qa1 only, 5 qa2 only. All line a.
fn paradox() -> Vec<(String, [f64; 2])> {
    (1..=100)
        .map(|i| {
            let pair = if i <= 90 {
                [1., 1.]
            } else if i <= 95 {
                [1., 0.]
            } else {
                [0., 1.]
            };
            (format!("p{i:03}"), pair)
        })
        .collect()
}

/// review_id, session_id, reviewer_id, reviewed_at, module_id, score,
/// calibration_round.
type ReviewRow = (
    String,
    String,
    String,
    &'static str,
    &'static str,
    Option<f64>,
    Option<&'static str>,
);

fn fixture(config: &str) -> Fixture {
    let fx = Fixture::new();
    fx.config(config);
    let mut ids = Vec::new();
    let mut lines = Vec::new();
    for (id, _) in paradox() {
        ids.push(id);
        lines.push("a".to_string());
    }
    for (id, _) in graded() {
        ids.push(id.to_string());
        lines.push(if id <= "g08" { "b" } else { "c" }.to_string());
    }
    let starts = vec!["2026-10-05T03:00:00Z"; ids.len()];
    let id_refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    let line_refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    fx.parquet(
        "sessions/part-0.parquet",
        sessions(&id_refs, &line_refs, &starts, vec![]),
    );

    // One row per (review, module score).
    let mut rows: Vec<ReviewRow> = Vec::new();
    for (id, pair) in paradox() {
        for (who, score) in ["qa1", "qa2"].iter().zip(pair) {
            rows.push((
                format!("{id}-{who}"),
                id.clone(),
                who.to_string(),
                "2026-10-20T00:00:00Z",
                "resolution",
                Some(score),
                Some("R1"),
            ));
        }
    }
    for (id, scores) in graded() {
        for (k, score) in scores.iter().enumerate() {
            let who = ["qa1", "qa2", "qa3"][k];
            // g07's qa3 and g14's qa3 wrote no review; other gaps are N/A.
            if score.is_none() && (id == "g07" || id == "g14") && who == "qa3" {
                continue;
            }
            rows.push((
                format!("{id}-{who}"),
                id.to_string(),
                who.to_string(),
                "2026-10-21T00:00:00Z",
                "empathy",
                *score,
                Some("R2"),
            ));
        }
    }
    // Overridden: qa1's earlier score of g01 in the same round.
    rows.push((
        "g01-qa1-early".into(),
        "g01".into(),
        "qa1".into(),
        "2026-10-10T00:00:00Z",
        "empathy",
        Some(0.0),
        Some("R2"),
    ));
    // Not a calibration review: ignored by every calibration table.
    rows.push((
        "p001-qa3".into(),
        "p001".into(),
        "qa3".into(),
        "2026-10-20T00:00:00Z",
        "resolution",
        Some(0.0),
        None,
    ));

    let reviews = DataFrame::new_infer_height(vec![
        Column::new(
            "review_id".into(),
            rows.iter().map(|r| r.0.clone()).collect::<Vec<_>>(),
        ),
        Column::new(
            "session_id".into(),
            rows.iter().map(|r| r.1.clone()).collect::<Vec<_>>(),
        ),
        Column::new(
            "reviewer_id".into(),
            rows.iter().map(|r| r.2.clone()).collect::<Vec<_>>(),
        ),
        ts_col(
            "reviewed_at",
            &rows.iter().map(|r| Some(r.3)).collect::<Vec<_>>(),
        ),
        Column::new(
            "module_id".into(),
            rows.iter().map(|r| r.4).collect::<Vec<_>>(),
        ),
        Column::new("score".into(), rows.iter().map(|r| r.5).collect::<Vec<_>>()),
        Column::new(
            "calibration_round".into(),
            rows.iter().map(|r| r.6).collect::<Vec<_>>(),
        ),
    ])
    .expect("reviews");
    fx.parquet("reviews/part-0.parquet", reviews);
    let out = fx.run(&["monthly", "--month", "2026-10"]);
    assert!(out.status.success(), "{}", stderr(&out));
    fx
}

/// Expected coefficients of one row.
struct Want {
    items: f64,
    raters: f64,
    pa: f64,
    cohen: Option<f64>,
    fleiss: f64,
    alpha: f64,
    ac: f64,
    se: f64,
    lo: f64,
    hi: f64,
}

const PARADOX: Want = Want {
    items: 100.0,
    raters: 2.0,
    pa: 0.9,
    cohen: Some(-0.05263157894736836),
    fleiss: -0.052631578947381,
    alpha: -0.047368421052631726, // nominal
    ac: 0.889502762430939,        // AC1
    se: 0.036629381014606,
    lo: 0.816822123698488,
    hi: 0.96218340116339,
};

/// All 15 graded items; AC2 with ordinal weights, ordinal alpha.
const GRADED_ALL: Want = Want {
    items: 15.0,
    raters: 3.0,
    pa: 0.511111111111111,
    cohen: None,
    fleiss: 0.389265885256015,
    alpha: 0.8861798182110683,
    ac: 0.887007799124976,
    se: 0.026943949595441,
    lo: 0.82921877471277,
    hi: 0.944796823537183,
};

const GRADED_B: Want = Want {
    items: 8.0,
    raters: 3.0,
    pa: 0.541666666666667,
    cohen: None,
    fleiss: 0.400681044267877,
    alpha: 0.8598936862660013,
    ac: 0.904578313253012,
    se: 0.03468989951953,
    lo: 0.822549735584022,
    hi: 0.986606890922002,
};

const GRADED_C: Want = Want {
    items: 7.0,
    raters: 3.0,
    pa: 0.476190476190476,
    cohen: None,
    fleiss: 0.348377997179126,
    alpha: 0.893078431372549,
    ac: 0.877669902912622,
    se: 0.044789886922292,
    lo: 0.768072997896425,
    hi: 0.987266807928818,
};

fn check(df: &DataFrame, row: usize, want: &Want, what: &str) {
    let near = |column: &str, expected: f64, tol: f64| {
        let got = f64_at(df, column, row).unwrap_or_else(|| panic!("{what}.{column} is null"));
        assert!(
            (got - expected).abs() < tol,
            "{what}.{column}: {got} != {expected}"
        );
    };
    near("items", want.items, 1e-9);
    near("raters", want.raters, 1e-9);
    near("percent_agreement", want.pa, 1e-6);
    near("fleiss_kappa", want.fleiss, 1e-6);
    near("krippendorff_alpha", want.alpha, 1e-6);
    near("gwet_ac1", want.ac, 1e-6);
    near("gwet_ac1_se", want.se, 1e-4);
    near("ci_low", want.lo, 1e-4);
    near("ci_high", want.hi, 1e-4);
    match want.cohen {
        Some(k) => near("cohen_kappa", k, 1e-6),
        None => {
            assert_eq!(f64_at(df, "cohen_kappa", row), None, "{what}.cohen_kappa");
            let note = str_at(df, "note", row).unwrap_or_default();
            assert!(note.contains("cohen_kappa"), "{what}: {note}");
        }
    }
}

fn keys(df: &DataFrame, a: &str, b: &str) -> Vec<String> {
    (0..df.height())
        .map(|i| {
            format!(
                "{}/{}",
                str_at(df, a, i).unwrap_or_default(),
                str_at(df, b, i).unwrap_or_default()
            )
        })
        .collect()
}

#[test]
fn agreement_by_line_and_overall_matches_the_references() {
    // Lines b and c have 8 and 7 items: judged here with min_items = 2.
    let fx = fixture("[agreement]\nmin_items = 2");
    let ag = fx.read("monthly/2026-10/agreement.parquet");
    assert_eq!(
        keys(&ag, "business_line", "module_id"),
        [
            "a/resolution",
            "b/empathy",
            "c/empathy",
            "ALL/empathy",
            "ALL/resolution"
        ]
    );
    check(&ag, 0, &PARADOX, "a/resolution");
    check(&ag, 1, &GRADED_B, "b/empathy");
    check(&ag, 2, &GRADED_C, "c/empathy");
    check(&ag, 3, &GRADED_ALL, "ALL/empathy");
    check(&ag, 4, &PARADOX, "ALL/resolution");
    // Default headline: AC1/AC2 against 0.80 — none flagged.
    for i in 0..ag.height() {
        assert_eq!(
            ag.column("flagged")
                .expect("flagged")
                .bool()
                .expect("bool")
                .get(i),
            Some(false)
        );
        assert_eq!(str_at(&ag, "band", i).as_deref(), Some("almost perfect"));
    }
    assert_eq!(str_at(&ag, "scale", 3).as_deref(), Some("0-5"));
}

#[test]
fn the_kappa_paradox_is_flagged_when_kappa_is_the_headline() {
    let fx = fixture("[agreement]\nheadline = \"fleiss_kappa\"\nthreshold = 0.6");
    let ag = fx.read("monthly/2026-10/agreement.parquet");
    let flagged = |i: usize| {
        ag.column("flagged")
            .expect("flagged")
            .bool()
            .expect("bool")
            .get(i)
    };
    // 90 % raw agreement, yet Fleiss' kappa −0.053: poor, flagged.
    let headline = f64_at(&ag, "headline", 4).unwrap_or(f64::NAN);
    assert!((headline - PARADOX.fleiss).abs() < 1e-6, "{headline}");
    assert_eq!(str_at(&ag, "band", 4).as_deref(), Some("poor"));
    assert_eq!(flagged(4), Some(true));
    // Empathy's Fleiss' kappa 0.389 is below 0.6 too; its band is fair.
    assert_eq!(str_at(&ag, "band", 3).as_deref(), Some("fair"));
    assert_eq!(flagged(3), Some(true));
    let report =
        std::fs::read_to_string(fx.out().join("monthly/2026-10/report.md")).expect("report");
    assert!(report.contains("Headline Fleiss κ"), "{report}");
    assert!(
        report.contains(
            "First disagreements on Problem solved (the sessions are in disagreements.csv): qa1, qa2 scored 1, 0;"
        ),
        "{report}"
    );
}

#[test]
fn rounds_carry_their_reviewers() {
    let fx = fixture("");
    let rounds = fx.read("monthly/2026-10/agreement_rounds.parquet");
    assert_eq!(
        keys(&rounds, "calibration_round", "module_id"),
        ["R1/resolution", "R2/empathy"]
    );
    assert_eq!(str_at(&rounds, "reviewers", 0).as_deref(), Some("qa1, qa2"));
    assert_eq!(
        str_at(&rounds, "reviewers", 1).as_deref(),
        Some("qa1, qa2, qa3")
    );
    check(&rounds, 0, &PARADOX, "R1/resolution");
    // The earlier 0 of qa1 on g01 is replaced by the later 4 within R2.
    check(&rounds, 1, &GRADED_ALL, "R2/empathy");
}

#[test]
fn disagreements_are_the_meetings_agenda() {
    let fx = fixture("");
    let dis = fx.read("monthly/2026-10/disagreements.parquet");
    // 10 split empathy items (g01 g04 g06 g07 g08 g09 g11 g12 g15 g16) and
    // 10 split resolution items (p091..p100): equal counts, so by module.
    assert_eq!(dis.height(), 20);
    let first = |c: &str| str_at(&dis, c, 0);
    assert_eq!(first("calibration_round").as_deref(), Some("R2"));
    assert_eq!(first("session_id").as_deref(), Some("g01"));
    assert_eq!(first("business_line").as_deref(), Some("b"));
    assert_eq!(first("module_id").as_deref(), Some("empathy"));
    assert_eq!(first("reviewers").as_deref(), Some("qa1, qa2, qa3"));
    assert_eq!(first("scores").as_deref(), Some("4, 4, 5"));
    let g07 = row_where(&dis, "session_id", "g07");
    assert_eq!(str_at(&dis, "reviewers", g07).as_deref(), Some("qa1, qa2"));
    assert_close(f64_at(&dis, "min_score", g07), 4.0, "min");
    assert_close(f64_at(&dis, "max_score", g07), 5.0, "max");
    assert_eq!(str_at(&dis, "module_id", 10).as_deref(), Some("resolution"));
    assert_eq!(str_at(&dis, "session_id", 10).as_deref(), Some("p091"));
}

#[test]
fn reviewers_leniency_and_agreement() {
    let fx = fixture("");
    let rv = fx.read("monthly/2026-10/reviewers.parquet");
    // Over 100 paradox items and 15 graded ones (qa1 N/A on g11), normalised
    // scores: leniency = mean(own − mean of others), agreement = equal
    // pairings / pairings. Computed independently with numpy.
    let want = [
        ("qa1", 114.0, -0.0043859649122807015, 106.0 / 126.0),
        ("qa2", 114.0, 0.0008771929824561407, 103.0 / 126.0),
        ("qa3", 14.0, 0.02857142857142857, 13.0 / 26.0),
    ];
    assert_eq!(rv.height(), 3);
    for (i, (who, items, leniency, agreement)) in want.into_iter().enumerate() {
        assert_eq!(str_at(&rv, "reviewer_id", i).as_deref(), Some(who));
        assert_close(f64_at(&rv, "items", i), items, who);
        assert!(
            (f64_at(&rv, "leniency", i).unwrap_or(f64::NAN) - leniency).abs() < 1e-12,
            "{who} leniency"
        );
        assert!(
            (f64_at(&rv, "agreement", i).unwrap_or(f64::NAN) - agreement).abs() < 1e-12,
            "{who} agreement"
        );
    }
}

fn flagged_at(df: &DataFrame, i: usize) -> Option<bool> {
    df.column("flagged")
        .expect("flagged")
        .bool()
        .expect("bool")
        .get(i)
}

#[test]
fn modules_below_min_items_are_shown_but_never_flagged() {
    // Fleiss' kappa against 0.6, default min_items 10: b/empathy (8 items,
    // kappa 0.401) and c/empathy (7 items, 0.348) would be flagged; they
    // keep their coefficients but are not judged. ALL/empathy (15 items,
    // 0.389) and the resolution rows (100 items, −0.053) are flagged.
    let fx = fixture("[agreement]\nheadline = \"fleiss_kappa\"\nthreshold = 0.6");
    let ag = fx.read("monthly/2026-10/agreement.parquet");
    check(&ag, 1, &GRADED_B, "b/empathy");
    check(&ag, 2, &GRADED_C, "c/empathy");
    for (i, what) in [(1, "b/empathy"), (2, "c/empathy")] {
        assert_eq!(
            str_at(&ag, "band", i).as_deref(),
            Some("too few items"),
            "{what}"
        );
        assert_eq!(flagged_at(&ag, i), Some(false), "{what}");
    }
    for (i, band) in [(0, "poor"), (3, "fair"), (4, "poor")] {
        assert_eq!(str_at(&ag, "band", i).as_deref(), Some(band), "row {i}");
        assert_eq!(flagged_at(&ag, i), Some(true), "row {i}");
    }
}

#[test]
fn the_iteration_rule_does_not_fire_below_min_items() {
    // min_items 20: ALL/empathy's 15 items are too few, so its Fleiss'
    // kappa 0.389 < 0.6 is no reason to clarify the rule; resolution's
    // 100 items with −0.053 still are.
    let fx = fixture("[agreement]\nheadline = \"fleiss_kappa\"\nthreshold = 0.6\nmin_items = 20");
    let ag = fx.read("monthly/2026-10/agreement.parquet");
    assert_eq!(str_at(&ag, "band", 3).as_deref(), Some("too few items"));
    assert_eq!(flagged_at(&ag, 3), Some(false));
    let it = fx.read("monthly/2026-10/iteration.parquet");
    let recommendation = |module: &str| {
        str_at(&it, "recommendation", row_where(&it, "module_id", module)).unwrap_or_default()
    };
    assert_eq!(recommendation("empathy"), "stable");
    assert_eq!(
        recommendation("resolution"),
        "clarify rule: Fleiss' kappa -0.05 < 0.60"
    );
    let report =
        std::fs::read_to_string(fx.out().join("monthly/2026-10/report.md")).expect("report");
    assert!(
        report.contains("fewer than 20 items is not judged"),
        "{report}"
    );
}

#[test]
fn min_items_below_two_is_a_config_error() {
    let fx = Fixture::new();
    fx.config("[agreement]\nmin_items = 1");
    let out = fx.run(&["validate"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("min_items"), "{}", stderr(&out));
}

/// Reviewer ids of the hand-made items below.
const QA1: Id = 0;
const QA2: Id = 1;

/// A pass/fail item of one round, line and module; `scores` in reviewer order.
fn item(session: Id, scores: &[(Id, f64)]) -> Item {
    Item {
        round: 0,
        session,
        line: 0,
        module: 0,
        scale: (0, 1),
        scores: scores.to_vec(),
    }
}

#[test]
fn one_item_has_no_coefficient() {
    // One pass/fail item scored 1 and 0: on its own it would give percent
    // agreement 0 and Fleiss' kappa (0 − 0.5)/(1 − 0.5) = −1, "poor" and
    // flagged. The contract: fewer than two items, every coefficient null.
    let one = item(1, &[(QA1, 1.0), (QA2, 0.0)]);
    let c = coefficients(&[&one], (0, 1), &AgreementConfig::default());
    assert_eq!(c.items, 1);
    assert_eq!(c.raters, [QA1, QA2]);
    for (name, v) in [
        ("percent_agreement", c.percent_agreement),
        ("cohen_kappa", c.cohen_kappa),
        ("fleiss_kappa", c.fleiss_kappa),
        ("krippendorff_alpha", c.krippendorff_alpha),
        ("gwet_ac1", c.gwet_ac1),
        ("gwet_ac1_se", c.gwet_ac1_se),
        ("ci_low", c.ci_low),
        ("ci_high", c.ci_high),
        ("p_value", c.p_value),
        ("headline", c.headline),
    ] {
        assert_eq!(v, None, "{name}");
    }
    assert_eq!(c.band, Some("too few items"));
    assert!(!c.flagged);
    assert!(c.note.contains("fewer than two items"), "{}", c.note);
}

#[test]
fn two_items_have_coefficients_but_below_min_items_no_verdict() {
    // Two items (1,1) and (1,0): percent agreement (1 + 0)/2 = 0.5, Fleiss'
    // π = (3/4, 1/4), pe = 10/16, kappa = (0.5 − 0.625)/0.375 = −1/3.
    let items = [
        item(1, &[(QA1, 1.0), (QA2, 1.0)]),
        item(2, &[(QA1, 1.0), (QA2, 0.0)]),
    ];
    let refs: Vec<&Item> = items.iter().collect();
    let cfg = AgreementConfig {
        headline: Headline::FleissKappa,
        ..AgreementConfig::default()
    };
    let c = coefficients(&refs, (0, 1), &cfg);
    assert_close(c.percent_agreement, 0.5, "percent agreement");
    assert_close(c.fleiss_kappa, -1.0 / 3.0, "fleiss");
    assert_close(c.headline, -1.0 / 3.0, "headline");
    assert_eq!(c.band, Some("too few items"));
    assert!(!c.flagged);
    // With min_items 2 the same figures are judged: poor, flagged.
    let judged = coefficients(
        &refs,
        (0, 1),
        &AgreementConfig {
            min_items: 2,
            ..cfg
        },
    );
    assert_eq!(judged.band, Some("poor"));
    assert!(judged.flagged);
}

#[test]
fn coaching_is_not_said_with_agreement_fine_on_too_few_items() {
    let figures = ModuleFigures {
        defect_rate: Some(0.30),
        prev_defect_rate: Some(0.18),
        headline: Some(0.9),
        flagged: false,
        too_few_items: true,
        overturned: 0,
        decided: 0,
    };
    assert_eq!(
        recommend(
            &figures,
            "AC1",
            &AgreementConfig::default(),
            &IterationConfig::default()
        ),
        "coach: defect rate +12 pts (too few calibration items)"
    );
}

#[test]
fn words_give_ids_that_sort_as_their_texts() {
    let words = Words::new(
        ["qa3", "qa1", "qa2", "qa1"]
            .into_iter()
            .map(String::from)
            .collect(),
    );
    assert_eq!(words.id("qa1"), Some(0));
    assert_eq!(words.id("qa3"), Some(2));
    assert_eq!(words.id("qa9"), None);
    assert_eq!(words.text(1), "qa2");
    assert_eq!(words.joined(&[0, 2]), "qa1, qa3");
}

/// A rating of round `round`, session `session`, module 0, line 0.
fn rating(round: Id, session: Id, reviewer: Id, review: Id, at: i64, score: Option<f64>) -> Rating {
    Rating {
        round,
        session,
        line: 0,
        module: 0,
        reviewer,
        review,
        at,
        score,
        scale: (0, 1),
    }
}

#[test]
fn items_take_each_reviewers_latest_score_on_the_newest_scale() {
    let graded = |r: Rating, score: f64| Rating {
        scale: (1, 5),
        score: Some(score),
        ..r
    };
    let ratings = [
        // Session 1: reviewer 0 changed their mind (1 at t10, 0 at t20).
        rating(0, 1, 0, 1, 10, Some(1.0)),
        rating(0, 1, 1, 2, 15, Some(1.0)),
        rating(0, 1, 0, 3, 20, Some(0.0)),
        // Session 2: one N/A leaves a single score, no item.
        rating(0, 2, 0, 4, 10, None),
        rating(0, 2, 1, 5, 10, Some(1.0)),
        // Session 3: rescored on a 1–5 scale; the old pass/fail score drops.
        rating(0, 3, 0, 6, 10, Some(1.0)),
        graded(rating(0, 3, 1, 7, 20, None), 3.0),
        graded(rating(0, 3, 2, 8, 30, None), 4.0),
        // Session 4: reviewer 0's two scores at the same instant; the higher
        // review id counts (review 10 gave 0), whatever the order read.
        rating(0, 4, 0, 10, 10, Some(0.0)),
        rating(0, 4, 0, 9, 10, Some(1.0)),
        rating(0, 4, 1, 11, 5, Some(0.0)),
        // Session 5: scored in round 0, then again in round 1.
        rating(0, 5, 0, 12, 10, Some(1.0)),
        rating(0, 5, 1, 13, 10, Some(1.0)),
        rating(1, 5, 0, 14, 40, Some(0.0)),
        rating(1, 5, 1, 15, 40, Some(1.0)),
    ];
    // (round, session, scale, scores) of each item.
    type Shape = (Id, Id, (i64, i64), Vec<(Id, f64)>);
    let shape = |items: Vec<Item>| -> Vec<Shape> {
        items
            .into_iter()
            .map(|i| (i.round, i.session, i.scale, i.scores))
            .collect()
    };
    assert_eq!(
        shape(items(&ratings, false)),
        [
            (0, 1, (0, 1), vec![(0, 0.0), (1, 1.0)]),
            (0, 3, (1, 5), vec![(1, 3.0), (2, 4.0)]),
            (0, 4, (0, 1), vec![(0, 0.0), (1, 0.0)]),
            (1, 5, (0, 1), vec![(0, 0.0), (1, 1.0)]),
        ]
    );
    // By round, session 5 is an item of each round and comes last.
    assert_eq!(
        shape(items(&ratings, true)),
        [
            (0, 1, (0, 1), vec![(0, 0.0), (1, 1.0)]),
            (0, 3, (1, 5), vec![(1, 3.0), (2, 4.0)]),
            (0, 4, (0, 1), vec![(0, 0.0), (1, 0.0)]),
            (0, 5, (0, 1), vec![(0, 1.0), (1, 1.0)]),
            (1, 5, (0, 1), vec![(0, 0.0), (1, 1.0)]),
        ]
    );
}
