//! Standards over time: scorecard versions across a month, appeals, the
//! standard-iteration table and its rules, each figure computed by hand.

use csqa::config::{AgreementConfig, IterationConfig};
use csqa::i18n::Lang;
use csqa::metrics::iteration::{
    findings, recommend, recommendation_code, recommendation_text, ModuleFigures,
};
use polars::prelude::*;

use crate::common::*;

const STANDARDS: &str = r#"
[[scorecard]]
version = "v1"
effective_from = 2026-01-01
[[scorecard.modules]]
id = "greeting"
name = "Greeting"
name_zh = "开场"
group = "service"
scope = "single_point"
scale = "pass_fail"
weight = 10
[[scorecard.modules]]
id = "empathy"
name = "Empathy"
group = "service"
scope = "single_point"
scale = "0-5"
weight = 20
[[scorecard.modules]]
id = "accuracy"
name = "Accuracy"
group = "resolution"
scope = "system"
scale = "0-5"
weight = 30

# Takes effect mid-October: empathy rescaled, accuracy dropped, verification new.
[[scorecard]]
version = "v2"
effective_from = 2026-10-16
[[scorecard.modules]]
id = "greeting"
name = "Greeting"
name_zh = "开场"
group = "service"
scope = "single_point"
scale = "pass_fail"
weight = 10
[[scorecard.modules]]
id = "empathy"
name = "Empathy"
group = "service"
scope = "single_point"
scale = "1-10"
weight = 20
[[scorecard.modules]]
id = "verification"
name = "Verification"
group = "service"
scope = "single_point"
scale = "pass_fail"
weight = 10
"#;

/// September: q1..q4 (line a), reviews S1..S4 on 09-20.
/// October: o1..o4 line a with reviews R1..R4 on 10-10 (v1), o5..o8 line b
/// with reviews R5..R8 on 10-20 (v2). R9 scores accuracy under v2 (unknown
/// module) and R10 scores empathy 0 under v2 (off the 1-10 scale).
fn fixture() -> Fixture {
    let fx = Fixture::new();
    fx.config("[iteration]\nmin_decided_appeals = 3");
    fx.file("data/standards.toml", STANDARDS.as_bytes());
    let ids = [
        "q1", "q2", "q3", "q4", "o1", "o2", "o3", "o4", "o5", "o6", "o7", "o8",
    ];
    let lines = ["a", "a", "a", "a", "a", "a", "a", "a", "b", "b", "b", "b"];
    let starts: Vec<&str> = ids
        .iter()
        .map(|id| {
            if id.starts_with('q') {
                "2026-09-05T03:00:00Z"
            } else {
                "2026-10-05T03:00:00Z"
            }
        })
        .collect();
    fx.parquet(
        "sessions/part-0.parquet",
        sessions(&ids, &lines, &starts, vec![]),
    );

    let n = None;
    let s = |v: f64| Some(v);
    // (review, session, reviewed_at, module, score)
    let rows: Vec<(&str, &str, &str, &str, Option<f64>)> = vec![
        ("S1", "q1", "2026-09-20T00:00:00Z", "greeting", s(1.)),
        ("S2", "q2", "2026-09-20T00:00:00Z", "greeting", s(1.)),
        ("S3", "q3", "2026-09-20T00:00:00Z", "greeting", s(1.)),
        ("S4", "q4", "2026-09-20T00:00:00Z", "greeting", s(0.)),
        ("S1", "q1", "2026-09-20T00:00:00Z", "empathy", s(5.)),
        ("S2", "q2", "2026-09-20T00:00:00Z", "empathy", s(3.)),
        ("R1", "o1", "2026-10-10T00:00:00Z", "greeting", s(1.)),
        ("R2", "o2", "2026-10-10T00:00:00Z", "greeting", s(0.)),
        ("R3", "o3", "2026-10-10T00:00:00Z", "greeting", s(0.)),
        ("R4", "o4", "2026-10-10T00:00:00Z", "greeting", s(1.)),
        ("R1", "o1", "2026-10-10T00:00:00Z", "empathy", s(5.)),
        ("R2", "o2", "2026-10-10T00:00:00Z", "empathy", s(4.)),
        ("R3", "o3", "2026-10-10T00:00:00Z", "empathy", n),
        ("R4", "o4", "2026-10-10T00:00:00Z", "empathy", s(5.)),
        ("R1", "o1", "2026-10-10T00:00:00Z", "accuracy", s(5.)),
        ("R2", "o2", "2026-10-10T00:00:00Z", "accuracy", s(2.)),
        ("R3", "o3", "2026-10-10T00:00:00Z", "accuracy", s(3.)),
        ("R4", "o4", "2026-10-10T00:00:00Z", "accuracy", s(5.)),
        ("R5", "o5", "2026-10-20T00:00:00Z", "greeting", s(1.)),
        ("R6", "o6", "2026-10-20T00:00:00Z", "greeting", s(1.)),
        ("R7", "o7", "2026-10-20T00:00:00Z", "greeting", s(0.)),
        ("R8", "o8", "2026-10-20T00:00:00Z", "greeting", s(0.)),
        ("R5", "o5", "2026-10-20T00:00:00Z", "empathy", s(10.)),
        ("R6", "o6", "2026-10-20T00:00:00Z", "empathy", s(7.)),
        ("R7", "o7", "2026-10-20T00:00:00Z", "empathy", s(10.)),
        ("R8", "o8", "2026-10-20T00:00:00Z", "empathy", s(10.)),
        ("R5", "o5", "2026-10-20T00:00:00Z", "verification", s(1.)),
        ("R6", "o6", "2026-10-20T00:00:00Z", "verification", s(0.)),
        ("R7", "o7", "2026-10-20T00:00:00Z", "verification", s(1.)),
        ("R8", "o8", "2026-10-20T00:00:00Z", "verification", s(1.)),
        ("R9", "o5", "2026-10-20T00:00:00Z", "accuracy", s(5.)),
        ("R10", "o6", "2026-10-20T00:00:00Z", "empathy", s(0.)),
    ];
    let reviews = DataFrame::new_infer_height(vec![
        Column::new(
            "review_id".into(),
            rows.iter().map(|r| r.0).collect::<Vec<_>>(),
        ),
        Column::new(
            "session_id".into(),
            rows.iter().map(|r| r.1).collect::<Vec<_>>(),
        ),
        Column::new("reviewer_id".into(), vec!["qa1"; rows.len()]),
        ts_col(
            "reviewed_at",
            &rows.iter().map(|r| Some(r.2)).collect::<Vec<_>>(),
        ),
        Column::new(
            "module_id".into(),
            rows.iter().map(|r| r.3).collect::<Vec<_>>(),
        ),
        Column::new("score".into(), rows.iter().map(|r| r.4).collect::<Vec<_>>()),
    ])
    .expect("reviews");
    fx.parquet("reviews/part-0.parquet", reviews);

    // greeting: R2, R3 overturned (line a), R8 upheld and R6 pending (b);
    // accuracy: R2 upheld; empathy: R3 appealed though its score was N/A
    // (pending); S4 belongs to September.
    let appeals: Vec<(&str, &str, &str)> = vec![
        ("R2", "greeting", "overturned"),
        ("R3", "greeting", "overturned"),
        ("R8", "greeting", "upheld"),
        ("R6", "greeting", "pending"),
        ("R2", "accuracy", "upheld"),
        ("R3", "empathy", "pending"),
        ("S4", "greeting", "overturned"),
    ];
    let decided: Vec<Option<&str>> = appeals
        .iter()
        .map(|a| (a.2 != "pending").then_some("2026-10-25T00:00:00Z"))
        .collect();
    let df = DataFrame::new_infer_height(vec![
        Column::new(
            "review_id".into(),
            appeals.iter().map(|a| a.0).collect::<Vec<_>>(),
        ),
        Column::new(
            "module_id".into(),
            appeals.iter().map(|a| a.1).collect::<Vec<_>>(),
        ),
        ts_col(
            "filed_at",
            &vec![Some("2026-10-22T00:00:00Z"); appeals.len()],
        ),
        Column::new(
            "outcome".into(),
            appeals.iter().map(|a| a.2).collect::<Vec<_>>(),
        ),
        ts_col("decided_at", &decided),
    ])
    .expect("appeals");
    fx.parquet("appeals/part-0.parquet", df);
    let out = fx.run(&["monthly", "--month", "2026-10"]);
    assert!(out.status.success(), "{}", stderr(&out));
    fx
}

#[test]
fn reviews_are_checked_against_the_version_in_force() {
    let fx = fixture();
    let rej = fx.read("monthly/2026-10/rejects/reviews.parquet");
    assert_eq!(rej.height(), 2);
    let r9 = row_where(&rej, "review_id", "R9");
    assert_eq!(
        str_at(&rej, "reason", r9).as_deref(),
        Some("unknown module_id")
    );
    let r10 = row_where(&rej, "review_id", "R10");
    assert_eq!(
        str_at(&rej, "reason", r10).as_deref(),
        Some("score off the module's scale")
    );
    assert_eq!(
        str_at(&rej, "scorecard_version", r10).as_deref(),
        Some("v2")
    );
}

#[test]
fn appeals_by_module_and_line() {
    let fx = fixture();
    let ap = fx.read("monthly/2026-10/appeals.parquet");
    let cols = [
        "reviews",
        "appeals",
        "appeal_rate",
        "overturned",
        "upheld",
        "pending",
        "overturn_rate",
    ];
    let s = |v: f64| Some(v);
    assert_rows(
        rows(&ap, &["business_line", "module_id"], &cols),
        vec![
            // Line a: R1..R4. accuracy 4 scored, R2 upheld.
            (
                "a/accuracy",
                vec![s(4.), s(1.), s(0.25), s(0.), s(1.), s(0.), s(0.)],
            ),
            // empathy: 3 scored (R3 N/A), the appeal on R3 pending: no
            // decided appeal, no overturn rate.
            (
                "a/empathy",
                vec![s(3.), s(1.), s(1. / 3.), s(0.), s(0.), s(1.), None],
            ),
            (
                "a/greeting",
                vec![s(4.), s(2.), s(0.5), s(2.), s(0.), s(0.), s(1.)],
            ),
            // Line b: R5..R8 (R9, R10 rejected).
            (
                "b/empathy",
                vec![s(4.), s(0.), s(0.), s(0.), s(0.), s(0.), None],
            ),
            (
                "b/greeting",
                vec![s(4.), s(2.), s(0.5), s(0.), s(1.), s(1.), s(0.)],
            ),
            (
                "b/verification",
                vec![s(4.), s(0.), s(0.), s(0.), s(0.), s(0.), None],
            ),
            (
                "ALL/accuracy",
                vec![s(4.), s(1.), s(0.25), s(0.), s(1.), s(0.), s(0.)],
            ),
            (
                "ALL/empathy",
                vec![s(7.), s(1.), s(1. / 7.), s(0.), s(0.), s(1.), None],
            ),
            // September's S4 appeal is not October's.
            (
                "ALL/greeting",
                vec![s(8.), s(4.), s(0.5), s(2.), s(1.), s(1.), s(2. / 3.)],
            ),
            (
                "ALL/verification",
                vec![s(4.), s(0.), s(0.), s(0.), s(0.), s(0.), None],
            ),
        ],
    );
    let cases = fx.read("monthly/2026-10/overturned_cases.parquet");
    let reviews: Vec<String> = (0..cases.height())
        .map(|i| str_at(&cases, "review_id", i).unwrap_or_default())
        .collect();
    assert_eq!(reviews, ["R2", "R3"]);
}

#[test]
fn the_iteration_table_follows_its_rules() {
    let fx = fixture();
    let it = fx.read("monthly/2026-10/iteration.parquet");
    let cols = [
        "reviews",
        "defect_rate",
        "prev_defect_rate",
        "defect_change_pts",
        "appeals",
        "overturn_rate",
    ];
    let s = |v: f64| Some(v);
    assert_rows(
        rows(&it, &["module_id", "review_cycle"], &cols),
        vec![
            // Single-point first. empathy: below full marks R2 (4 of 5) and
            // R6 (7 of 10) out of 7 scored; September 1 of 2.
            (
                "empathy/monthly",
                vec![
                    s(7.),
                    s(2. / 7.),
                    s(0.5),
                    s((2. / 7. - 0.5) * 100.),
                    s(1.),
                    None,
                ],
            ),
            // greeting: R2 R3 R7 R8 fail of 8; September 1 of 4 → +25 pts.
            (
                "greeting/monthly",
                vec![s(8.), s(0.5), s(0.25), s(25.), s(4.), s(2. / 3.)],
            ),
            (
                "verification/monthly",
                vec![s(4.), s(0.25), None, None, s(0.), None],
            ),
            // System modules last, for the quarterly review.
            (
                "accuracy/quarterly",
                vec![s(4.), s(0.5), None, None, s(1.), s(0.)],
            ),
        ],
    );
    let rec: Vec<String> = (0..it.height())
        .map(|i| str_at(&it, "recommendation", i).unwrap_or_default())
        .collect();
    assert_eq!(
        rec,
        [
            "stable",
            "clarify rule: 67% of appeals overturned (2 of 3 decided); coach: defect rate +25 pts (no calibration data)",
            "stable",
            "stable",
        ]
    );
    assert_eq!(str_at(&it, "module_name_zh", 1).as_deref(), Some("开场"));
    let report =
        std::fs::read_to_string(fx.out().join("monthly/2026-10/report.md")).expect("report");
    assert!(
        report.contains("| Greeting | monthly | 8 | 50.0% | 25.0 |"),
        "{report}"
    );
}

#[test]
fn a_version_taking_effect_mid_month_is_shown_before_and_after() {
    let fx = fixture();
    let ch = fx.read("monthly/2026-10/scorecard_changes.parquet");
    let what: Vec<String> = (0..ch.height())
        .map(|i| str_at(&ch, "change", i).unwrap_or_default())
        .collect();
    assert_eq!(what, ["removed", "scale 0-5 → 1-10", "added"]);
    let s = |v: f64| Some(v);
    assert_rows(
        rows(
            &ch,
            &["version", "module_id"],
            &[
                "reviews_before",
                "defect_rate_before",
                "reviews_after",
                "defect_rate_after",
            ],
        ),
        vec![
            ("v2/accuracy", vec![s(4.), s(0.5), s(0.), None]),
            // Before: R1 5, R2 4, R3 N/A, R4 5 → 1 of 3; after: R6 of 4.
            ("v2/empathy", vec![s(3.), s(1. / 3.), s(4.), s(0.25)]),
            ("v2/verification", vec![s(0.), None, s(4.), s(0.25)]),
        ],
    );
    // No calibration scores: no agreement on either side.
    assert_eq!(f64_at(&ch, "agreement_after", 1), None);
}

#[test]
fn recommendations_read_in_the_reports_language() {
    let agreement = AgreementConfig::default(); // gwet_ac1, 0.80
    let it = IterationConfig::default(); // 30 % of ≥ 5 decided, +5 pts
                                         // 5 of 13 decided appeals overturned: 38 % ≥ 30 %; defect rate 18 % →
                                         // 30 %: +12 pts ≥ 5, with no calibration data. Both rules fire.
    let f = ModuleFigures {
        defect_rate: Some(0.30),
        prev_defect_rate: Some(0.18),
        headline: None,
        flagged: false,
        too_few_items: false,
        overturned: 5,
        decided: 13,
    };
    let found = findings(&f, "AC1", &agreement, &it);
    assert_eq!(
        recommendation_text(&found, Lang::En),
        "clarify rule: 38% of appeals overturned (5 of 13 decided); \
         coach: defect rate +12 pts (no calibration data)"
    );
    assert_eq!(
        recommendation_text(&found, Lang::Zh),
        "规则需澄清：38% 的申诉被改判（已裁定 13 条，改判 5 条）；\
         需辅导：缺陷率变化 +12 个百分点（无对标数据）"
    );
    assert_eq!(recommendation_code(&found), "clarify_rule+coach");
    // AC1 0.62 below 0.80: the rule, in Chinese; nothing fires: stable.
    let low = ModuleFigures {
        headline: Some(0.62),
        flagged: true,
        defect_rate: Some(0.18),
        overturned: 0,
        ..f.clone()
    };
    let found = findings(&low, "AC1", &agreement, &it);
    assert_eq!(
        recommendation_text(&found, Lang::Zh),
        "规则需澄清：AC1 0.62 < 0.80"
    );
    assert_eq!(recommendation_code(&found), "clarify_rule");
    let calm = ModuleFigures {
        flagged: false,
        ..low
    };
    let found = findings(&calm, "AC1", &agreement, &it);
    assert_eq!(recommendation_text(&found, Lang::Zh), "稳定");
    assert_eq!(recommendation_code(&found), "stable");
}

#[test]
fn the_iteration_table_shows_its_recommendations_in_chinese() {
    // The fixture's greeting module: 2 of 3 decided appeals overturned
    // (67 %, min_decided_appeals 3) and defect rate 25 % → 50 % (+25 pts)
    // without calibration. The CSV keeps the English text and the code; the
    // page, report.md and the workbook word it in the report's language.
    let fx = fixture();
    let out = fx.run(&["monthly", "--month", "2026-10", "--lang", "zh"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let csv = fx.out().join("monthly/2026-10/iteration.csv");
    let csv = std::fs::read_to_string(csv).expect("csv");
    assert!(
        csv.contains(
            "clarify rule: 67% of appeals overturned (2 of 3 decided); \
             coach: defect rate +25 pts (no calibration data),clarify_rule+coach"
        ),
        "{csv}"
    );
    let zh = "规则需澄清：67% 的申诉被改判（已裁定 3 条，改判 2 条）；\
              需辅导：缺陷率变化 +25 个百分点（无对标数据）";
    for file in ["report.md", "report.html"] {
        let text =
            std::fs::read_to_string(fx.out().join("monthly/2026-10").join(file)).expect("report");
        assert!(text.contains(zh), "{file}:\n{text}");
        assert!(!text.contains("clarify rule"), "{file}:\n{text}");
    }
}

#[test]
fn recommendation_rules_one_by_one() {
    let agreement = AgreementConfig::default(); // gwet_ac1, 0.80
    let it = IterationConfig::default(); // 30 % of ≥ 5 decided, +5 pts
    let base = ModuleFigures {
        defect_rate: Some(0.20),
        prev_defect_rate: Some(0.18),
        headline: Some(0.9),
        flagged: false,
        too_few_items: false,
        overturned: 1,
        decided: 10,
    };
    assert_eq!(recommend(&base, "AC1", &agreement, &it), "stable");
    let low = ModuleFigures {
        headline: Some(0.62),
        flagged: true,
        ..base.clone()
    };
    assert_eq!(
        recommend(&low, "AC1", &agreement, &it),
        "clarify rule: AC1 0.62 < 0.80"
    );
    // Just under the threshold (the bundled 2026-07's identity check): as
    // many decimals as read apart, never "0.80 < 0.80".
    let just_under = ModuleFigures {
        headline: Some(0.798),
        flagged: true,
        ..base.clone()
    };
    assert_eq!(
        recommend(&just_under, "AC1", &agreement, &it),
        "clarify rule: AC1 0.798 < 0.800"
    );
    let hair = ModuleFigures {
        headline: Some(0.79996),
        flagged: true,
        ..base.clone()
    };
    assert_eq!(
        recommend(&hair, "AC1", &agreement, &it),
        "clarify rule: AC1 0.79996 < 0.80000"
    );
    let overturned = ModuleFigures {
        overturned: 5,
        decided: 13,
        ..base.clone()
    };
    assert_eq!(
        recommend(&overturned, "AC1", &agreement, &it),
        "clarify rule: 38% of appeals overturned (5 of 13 decided)"
    );
    // Four decided appeals are too few to judge, however many overturned.
    let few = ModuleFigures {
        overturned: 4,
        decided: 4,
        ..base.clone()
    };
    assert_eq!(recommend(&few, "AC1", &agreement, &it), "stable");
    let worse = ModuleFigures {
        defect_rate: Some(0.30),
        ..base.clone()
    };
    assert_eq!(
        recommend(&worse, "AC1", &agreement, &it),
        "coach: defect rate +12 pts with agreement fine"
    );
    // A rise with poor agreement is the rule's fault, not the agents'.
    let both = ModuleFigures {
        defect_rate: Some(0.30),
        headline: Some(0.62),
        flagged: true,
        ..base.clone()
    };
    assert_eq!(
        recommend(&both, "AC2", &agreement, &it),
        "clarify rule: AC2 0.62 < 0.80"
    );
}
