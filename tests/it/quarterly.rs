//! `csqa quarterly` on a hand-built half-year (2026-04..2026-09, UTC) with a
//! known worsening module, a known drifting reviewer and a scale change
//! mid-quarter. Expected figures are computed by hand below and, for the
//! statistics, with the Python call named beside them.

use polars::prelude::*;

use crate::common::*;

const STANDARDS: &str = r#"
[[scorecard]]
version = "v1"
effective_from = 2026-01-01
[[scorecard.modules]]
id = "solve"
name = "Problem solved"
group = "resolution"
scope = "system"
scale = "pass_fail"
weight = 1
[[scorecard.modules]]
id = "tone"
name = "Tone"
name_zh = "语气"
group = "service"
scope = "system"
scale = "0-2"
weight = 1
[[scorecard.modules]]
id = "greet"
name = "Greeting"
group = "service"
scope = "single_point"
scale = "pass_fail"
weight = 1

[[scorecard]]
version = "v2"
effective_from = 2026-08-15
[[scorecard.modules]]
id = "solve"
name = "Problem solved"
group = "resolution"
scope = "system"
scale = "pass_fail"
weight = 1
[[scorecard.modules]]
id = "tone"
name = "Tone"
name_zh = "语气"
group = "service"
scope = "system"
scale = "pass_fail"
weight = 1
[[scorecard.modules]]
id = "greet"
name = "Greeting"
group = "service"
scope = "single_point"
scale = "pass_fail"
weight = 1
"#;

const MONTHS: [&str; 6] = ["04", "05", "06", "07", "08", "09"];

/// Reviewers who alone fail a passing calibration item, per month: noise
/// that keeps A, B and D free of any trend.
const STRICT_NOISE: [&[&str]; 6] = [
    &["A", "B"],
    &["D"],
    &["B", "A"],
    &["D", "B"],
    &["A"],
    &["B", "D"],
];

#[derive(Default)]
struct Rows {
    s_id: Vec<String>,
    s_start: Vec<String>,
    s_end: Vec<String>,
    s_customer: Vec<String>,
    s_rating: Vec<Option<i64>>,
    r_review: Vec<String>,
    r_session: Vec<String>,
    r_reviewer: Vec<String>,
    r_at: Vec<String>,
    r_module: Vec<String>,
    r_score: Vec<f64>,
    r_round: Vec<Option<String>>,
}

impl Rows {
    fn session(&mut self, id: &str, start: &str, rating: Option<i64>) {
        self.s_id.push(id.into());
        self.s_start.push(format!("{start}:00:00Z"));
        self.s_end.push(format!("{start}:10:00Z"));
        self.s_customer.push(format!("cust-{id}"));
        self.s_rating.push(rating);
    }
    #[allow(clippy::too_many_arguments)]
    fn score(
        &mut self,
        review: &str,
        session: &str,
        who: &str,
        at: &str,
        module: &str,
        s: f64,
        round: Option<&str>,
    ) {
        self.r_review.push(review.into());
        self.r_session.push(session.into());
        self.r_reviewer.push(who.into());
        self.r_at.push(format!("{at}:30:00Z"));
        self.r_module.push(module.into());
        self.r_score.push(s);
        self.r_round.push(round.map(str::to_string));
    }
}

/// Month i (0 = April): 40 reviewed sessions, `solve` failed on the first
/// 4(i+1) (10 %, 20 %, … 60 %: worsening), `tone` failed on j ∈ {0,1,36,37}
/// (on its 0-2 scale a 1, on pass/fail from 2026-08-15 a 0), `greet` failed
/// on j ∈ {38,39}. A session rates 2 when `solve` failed, else 5. Session j
/// starts on day 1 + j % 28 at 10:00 (j < 28) or 11:00, reviewed at :30.
/// Calibration: 12 sessions a month scored on `greet` by A, B, C and D;
/// items 0-5 fail, 6-11 pass; C passes the first i failing items (drifting
/// lenient), and STRICT_NOISE reviewers fail one passing item each.
pub(crate) fn half_year() -> Fixture {
    let fx = Fixture::new();
    fx.config("[quarterly]\nmin_outcome_sessions = 10");
    fx.file("data/standards.toml", STANDARDS.as_bytes());
    let mut r = Rows::default();
    for (i, m) in MONTHS.iter().enumerate() {
        for j in 0..40usize {
            let id = format!("s-{m}-{j}");
            let start = format!("2026-{m}-{:02}T{}", 1 + j % 28, 10 + j / 28);
            let solve_failed = j < 4 * (i + 1);
            r.session(&id, &start, Some(if solve_failed { 2 } else { 5 }));
            let review = format!("rv-{m}-{j}");
            let tone_v2 = *m == "09" || (*m == "08" && 1 + j % 28 >= 15);
            let tone_failed = [0, 1, 36, 37].contains(&j);
            let tone = match (tone_failed, tone_v2) {
                (false, false) => 2.0,
                (true, false) => 1.0,
                (false, true) => 1.0,
                (true, true) => 0.0,
            };
            let greet = if j >= 38 { 0.0 } else { 1.0 };
            for (module, score) in [
                ("solve", f64::from(u8::from(!solve_failed))),
                ("tone", tone),
                ("greet", greet),
            ] {
                r.score(&review, &id, "R0", &start, module, score, None);
            }
        }
        let round = format!("AB-{m}");
        for t in 0..12usize {
            let id = format!("c-{m}-{t}");
            let start = format!("2026-{m}-{:02}T15", 1 + t);
            r.session(&id, &start, None);
            for who in ["A", "B", "C", "D"] {
                let mut score = if t < 6 { 0.0 } else { 1.0 };
                if who == "C" && t < i {
                    score = 1.0;
                }
                if let Some(k) = STRICT_NOISE[i].iter().position(|x| *x == who) {
                    if t == 6 + k {
                        score = 0.0;
                    }
                }
                let review = format!("cal-{m}-{t}-{who}");
                r.score(&review, &id, who, &start, "greet", score, Some(&round));
            }
        }
    }
    fn opt(v: &[String]) -> Vec<Option<&str>> {
        v.iter().map(|s| Some(s.as_str())).collect()
    }
    let sessions = DataFrame::new_infer_height(vec![
        Column::new("session_id".into(), r.s_id.clone()),
        Column::new("customer_id".into(), r.s_customer.clone()),
        Column::new("business_line".into(), vec!["retail"; r.s_id.len()]),
        Column::new("channel".into(), vec!["chat"; r.s_id.len()]),
        ts_col("started_at", &opt(&r.s_start)),
        ts_col("ended_at", &opt(&r.s_end)),
        Column::new("rating".into(), r.s_rating.clone()),
    ])
    .expect("sessions");
    let reviews = DataFrame::new_infer_height(vec![
        Column::new("review_id".into(), r.r_review.clone()),
        Column::new("session_id".into(), r.r_session.clone()),
        Column::new("reviewer_id".into(), r.r_reviewer.clone()),
        ts_col("reviewed_at", &opt(&r.r_at)),
        Column::new("module_id".into(), r.r_module.clone()),
        Column::new("score".into(), r.r_score.clone()),
        Column::new("calibration_round".into(), r.r_round.clone()),
    ])
    .expect("reviews");
    fx.parquet("sessions/part-0.parquet", sessions);
    fx.parquet("reviews/part-0.parquet", reviews);
    fx
}

fn row_of(df: &DataFrame, keys: &[(&str, &str)]) -> usize {
    (0..df.height())
        .find(|&i| {
            keys.iter()
                .all(|(c, v)| str_at(df, c, i).as_deref() == Some(*v))
        })
        .unwrap_or_else(|| panic!("no row {keys:?}"))
}

fn close(a: Option<f64>, b: f64, tol: f64, what: &str) {
    let a = a.unwrap_or_else(|| panic!("{what}: null"));
    assert!((a - b).abs() <= tol, "{what}: {a} != {b}");
}

#[test]
fn finds_the_worsening_module_the_drifting_reviewer_and_splits_at_the_scale_change() {
    let fx = half_year();
    let o = fx.run(&["quarterly", "--quarter", "2026Q3"]);
    assert!(o.status.success(), "{}", stderr(&o));
    // 2026Q3 = Jul..Sep: 40 + 12 sessions a month.
    assert!(
        stdout(&o).contains("quarterly 2026Q3: 156 sessions"),
        "{}",
        stdout(&o)
    );

    // solve: defect rates 0.1 … 0.6 over Apr..Sep.
    // pymannkendall.original_test([0.1,0.2,0.3,0.4,0.5,0.6]): s=15, Tau=1.0,
    // p=0.008534920414227098; scipy.stats.theilslopes(same, range(6))[0] = 0.1
    let tr = fx.read("quarterly/2026Q3/module_trends.parquet");
    let i = row_of(
        &tr,
        &[
            ("module_id", "solve"),
            ("business_line", "ALL"),
            ("metric", "defect_rate"),
        ],
    );
    assert_eq!(u64_at(&tr, "points", i), Some(6));
    close(f64_at(&tr, "mk_s", i), 15.0, 0.0, "S");
    close(f64_at(&tr, "mk_tau", i), 1.0, 1e-12, "tau");
    close(f64_at(&tr, "mk_p", i), 0.008534920414227098, 1e-9, "MK p");
    close(f64_at(&tr, "sen_slope", i), 0.1, 1e-12, "Sen slope");
    // The defect-rate family holds four tests: solve and greet, each for ALL
    // and retail (one line, so the same series twice). greet's defects a
    // month: 2 regular + 24 calibration fails − C's i passes + the noise
    // fails = 28, 26, 26, 25, 23, 23 of 40 + 48 = 88 scores;
    // pymannkendall.original_test([28,26,26,25,23,23] / 88).p = 0.019363849765463348.
    // multipletests([p_solve, p_solve, p_greet, p_greet], method="fdr_bh")[1][0]
    // = 0.017069840828454197 (= 0.00853 · 4 / 2).
    let q = f64_at(&tr, "q_value", i).expect("q");
    close(Some(q), 0.017069840828454197, 1e-12, "solve q");
    let g = row_of(
        &tr,
        &[
            ("module_id", "greet"),
            ("business_line", "ALL"),
            ("metric", "defect_rate"),
        ],
    );
    close(
        f64_at(&tr, "mk_p", g),
        0.019363849765463348,
        1e-9,
        "greet p",
    );
    assert_eq!(str_at(&tr, "verdict", g).as_deref(), Some("improving"));
    assert_eq!(str_at(&tr, "verdict", i).as_deref(), Some("worsening"));
    // QoQ: Q3 defects 16+20+24 = 60 of 120, Q2 4+8+12 = 24 of 120.
    // statsmodels proportions_ztest([60,24],[120,120]) = (4.871987657646901, 1.1048107239139928e-06)
    close(f64_at(&tr, "defect_rate", i), 0.5, 1e-12, "Q3 rate");
    close(f64_at(&tr, "prev_defect_rate", i), 0.2, 1e-12, "Q2 rate");
    close(f64_at(&tr, "qoq_z", i), 4.871987657646901, 1e-9, "z");
    close(f64_at(&tr, "qoq_p", i), 1.1048107239139928e-06, 1e-12, "p");

    // tone: its scale changed on 2026-08-15, so August is split. v1 part:
    // sessions on days 1-14 (j 0..13 and 28..39) = 26 reviews, defects j ∈
    // {0,1,36,37} = 4; v2 part: days 15-28 (j 14..27) = 14 reviews, none failed.
    let mm = fx.read("quarterly/2026Q3/module_months.parquet");
    let v1 = row_of(
        &mm,
        &[
            ("module_id", "tone"),
            ("month", "2026-08"),
            ("business_line", "ALL"),
            ("series", "v1"),
        ],
    );
    let v2 = row_of(
        &mm,
        &[
            ("module_id", "tone"),
            ("month", "2026-08"),
            ("business_line", "ALL"),
            ("series", "v2"),
        ],
    );
    assert_eq!(
        (u64_at(&mm, "reviews", v1), u64_at(&mm, "defects", v1)),
        (Some(26), Some(4))
    );
    close(
        f64_at(&mm, "defect_rate", v1),
        4.0 / 26.0,
        1e-12,
        "tone v1 Aug",
    );
    assert_eq!(
        (u64_at(&mm, "reviews", v2), u64_at(&mm, "defects", v2)),
        (Some(14), Some(0))
    );
    assert_eq!(str_at(&mm, "scale", v1).as_deref(), Some("0-2"));
    assert_eq!(str_at(&mm, "scale", v2).as_deref(), Some("0-1"));
    assert_eq!(
        str_at(&mm, "series_change", v2).as_deref(),
        Some("v2: scale 0-2 → pass_fail")
    );
    assert_eq!(str_at(&mm, "version", v2).as_deref(), Some("v2"));
    // Its trend reads only the v2 series: September (40 reviews) is the one
    // month with at least 30 reviews.
    let t = row_of(
        &tr,
        &[
            ("module_id", "tone"),
            ("business_line", "ALL"),
            ("metric", "defect_rate"),
        ],
    );
    assert_eq!(str_at(&tr, "series", t).as_deref(), Some("v2"));
    assert_eq!(u64_at(&tr, "points", t), Some(1));
    assert_eq!(str_at(&tr, "verdict", t).as_deref(), Some("too few points"));
    assert_eq!(f64_at(&tr, "mk_p", t), None);

    // C's leniency, month i: (i passes over three fails, each +1, and the
    // noise items, +1/3 each) / 12 = 2/36, 1/12+1/36, 2/12+2/36, 3/12+2/36,
    // 4/12+1/36, 5/12+2/36: strictly rising.
    // pymannkendall.original_test(those) p = 0.008534920414227098;
    // scipy.stats.theilslopes(those, range(6))[0] = 0.08333333333333333.
    // Four reviewers tested: C's q = 0.00853 · 4 / 1 = 0.0341 < 0.05. A, B, D
    // (p 0.452, 0.133, 0.133 with pymannkendall) stay steady.
    let rd = fx.read("quarterly/2026Q3/rater_drift.parquet");
    let c = row_of(&rd, &[("reviewer_id", "C"), ("month", "2026-09")]);
    close(
        f64_at(&rd, "leniency", c),
        5.0 / 12.0 + 2.0 / 36.0,
        1e-12,
        "C Sep",
    );
    close(
        f64_at(&rd, "leniency_slope", c),
        1.0 / 12.0,
        1e-12,
        "C slope",
    );
    close(f64_at(&rd, "mk_p", c), 0.008534920414227098, 1e-9, "C p");
    close(
        f64_at(&rd, "q_value", c),
        0.008534920414227098 * 4.0,
        1e-9,
        "C q",
    );
    assert_eq!(
        str_at(&rd, "verdict", c).as_deref(),
        Some("drifting lenient")
    );
    for who in ["A", "B", "D"] {
        let k = row_of(&rd, &[("reviewer_id", who), ("month", "2026-09")]);
        assert_eq!(
            str_at(&rd, "verdict", k).as_deref(),
            Some("steady"),
            "{who}"
        );
    }
    assert_eq!(rd.height(), 24, "4 reviewers × 6 months");

    // Outcomes, Q3. solve failed on 60 sessions, all rated 2 (CSAT 0/60);
    // passed on 60, all rated 5 (60/60): −100 pts.
    // confint_proportions_2indep(0,60,60,60, method="newcomb", compare="diff") = (-1.0, -0.9149041506275478)
    // tone failed on 12 sessions (j 0,1 rated 2; j 36,37 rated 5: 6/12) and
    // passed on 108 (60 − 6 = 54 of them with solve failed: 54/108): 0 pts.
    // confint_proportions_2indep(6,12,54,108, method="newcomb", compare="diff") = (-0.2630785844580465, 0.26307858445804655)
    let oc = fx.read("quarterly/2026Q3/module_outcomes.parquet");
    let s = row_of(&oc, &[("module_id", "solve"), ("metric", "csat")]);
    assert_eq!(
        (u64_at(&oc, "failed_n", s), u64_at(&oc, "passed_n", s)),
        (Some(60), Some(60))
    );
    close(f64_at(&oc, "difference", s), -1.0, 1e-12, "solve diff");
    close(f64_at(&oc, "ci_low", s), -1.0, 1e-12, "solve low");
    close(
        f64_at(&oc, "ci_high", s),
        -0.9149041506275478,
        1e-12,
        "solve high",
    );
    let t = row_of(&oc, &[("module_id", "tone"), ("metric", "csat")]);
    assert_eq!(
        (u64_at(&oc, "failed_n", t), u64_at(&oc, "passed_n", t)),
        (Some(12), Some(108))
    );
    close(f64_at(&oc, "difference", t), 0.0, 1e-12, "tone diff");
    close(
        f64_at(&oc, "ci_low", t),
        -0.2630785844580465,
        1e-12,
        "tone low",
    );
    close(
        f64_at(&oc, "ci_high", t),
        0.26307858445804655,
        1e-12,
        "tone high",
    );

    // The meeting's table: solve to revise first, with its numbers; tone's
    // failures do not move CSAT.
    let sr = fx.read("quarterly/2026Q3/system_review.parquet");
    assert_eq!(str_at(&sr, "module_id", 0).as_deref(), Some("solve"));
    let rec = str_at(&sr, "recommendation", 0).expect("recommendation");
    assert_eq!(
        rec,
        format!("revise: defect rate worsening (Sen slope +10.0 pts/month, q = {q:.2})")
    );
    let t = row_of(&sr, &[("module_id", "tone")]);
    assert_eq!(
        str_at(&sr, "recommendation", t).as_deref(),
        Some("review weight: failures do not move CSAT (+0.0 pts [-26.3, 26.3])")
    );
    assert_eq!(
        str_at(&sr, "series_changes", t).as_deref(),
        Some("v2 from 2026-08-15: scale 0-2 → pass_fail")
    );
    let report =
        std::fs::read_to_string(fx.out().join("quarterly/2026Q3/report.md")).expect("report");
    assert!(report.contains("revise: defect rate worsening"), "{report}");
    assert!(report.contains("| C | "), "{report}");
    assert!(report.contains("drifting lenient"), "{report}");
    assert!(
        report.contains("v2 from 2026-08-15: Tone (tone) scale 0-2 → pass_fail"),
        "{report}"
    );
}

#[test]
fn half_year_and_bad_periods() {
    let fx = half_year();
    let o = fx.run(&["quarterly", "--half", "2026H1"]);
    assert!(o.status.success(), "{}", stderr(&o));
    // 2026H1 holds April..June here: 3 × 52 sessions.
    assert!(
        stdout(&o).contains("quarterly 2026H1: 156 sessions"),
        "{}",
        stdout(&o)
    );
    assert!(fx.out().join("quarterly/2026H1/system_review.csv").exists());
    for bad in [
        ["--quarter", "2026Q5"],
        ["--half", "2026H3"],
        ["--quarter", "26Q1"],
    ] {
        let o = fx.run(&["quarterly", bad[0], bad[1]]);
        assert_eq!(o.status.code(), Some(2), "{bad:?}: {}", stderr(&o));
    }
    // A quarter without sessions is bad input naming the folder.
    let o = fx.run(&["quarterly", "--quarter", "2025Q1"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("no sessions started in 2025Q1"),
        "{}",
        stderr(&o)
    );
}

const THREE_VERSIONS: &str = r#"
[[scorecard]]
version = "v1"
effective_from = 2026-01-01
[[scorecard.modules]]
id = "m1"
name = "One"
group = "service"
scope = "system"
scale = "pass_fail"
weight = 1
[[scorecard.modules]]
id = "m2"
name = "Two"
group = "service"
scope = "system"
scale = "0-5"
weight = 1

[[scorecard]]
version = "v2"
effective_from = 2026-03-01
[[scorecard.modules]]
id = "m1"
name = "One"
group = "service"
scope = "system"
scale = "pass_fail"
weight = 2
[[scorecard.modules]]
id = "m2"
name = "Two renamed"
group = "service"
scope = "system"
scale = "0-5"
weight = 1
[[scorecard.modules]]
id = "m3"
name = "Three"
group = "resolution"
scope = "single_point"
scale = "pass_fail"
weight = 1

[[scorecard]]
version = "v3"
effective_from = 2026-05-01
[[scorecard.modules]]
id = "m1"
name = "One"
group = "service"
scope = "system"
scale = "pass_fail"
weight = 2
[[scorecard.modules]]
id = "m2"
name = "Two"
group = "resolution"
scope = "system"
scale = "0-5"
weight = 1
[[scorecard.modules]]
id = "m3"
name = "Three"
group = "resolution"
scope = "single_point"
scale = "pass_fail"
weight = 1
"#;

#[test]
fn series_split_at_each_definition_change_and_start_for_an_added_module() {
    use csqa::metrics::modules::SeriesMap;
    let standards =
        csqa::standards::Standards::parse(THREE_VERSIONS, chrono_tz::UTC, "test").expect("parse");
    let map = SeriesMap::of(&standards);
    let series = |v: &str, m: &str| map.series.get(&(v.to_string(), m.to_string())).cloned();
    // m1: weight 1 → 2 in v2 starts series v2, which v3 continues.
    assert_eq!(
        [series("v1", "m1"), series("v2", "m1"), series("v3", "m1")],
        [Some("v1".into()), Some("v2".into()), Some("v2".into())]
    );
    // m2: a new name is no change; its group changes in v3.
    assert_eq!(
        [series("v1", "m2"), series("v2", "m2"), series("v3", "m2")],
        [Some("v1".into()), Some("v1".into()), Some("v3".into())]
    );
    // m3: added by v2.
    assert_eq!(
        [series("v1", "m3"), series("v2", "m3"), series("v3", "m3")],
        [None, Some("v2".into()), Some("v2".into())]
    );
    let changes: Vec<String> = map
        .changes
        .iter()
        .map(|c| {
            format!(
                "{} {} {}: {}",
                c.module_id, c.version, c.effective_from, c.change
            )
        })
        .collect();
    assert_eq!(
        changes,
        [
            "m1 v2 2026-03-01: weight 1 → 2",
            "m3 v2 2026-03-01: added",
            "m2 v3 2026-05-01: group service → resolution",
        ]
    );
}

/// One `ALL` row of module_months for the trend tests.
fn month(
    module: &str,
    month: &str,
    reviews: u64,
    defects: u64,
) -> csqa::metrics::modules::MonthFigures {
    csqa::metrics::modules::MonthFigures {
        module_id: module.into(),
        month: month.into(),
        line: "ALL".into(),
        series: "v1".into(),
        scale: "0-1".into(),
        reviews,
        defects,
        ..Default::default()
    }
}

#[test]
fn trends_skip_a_month_without_reviews_and_wait_for_an_added_module() {
    use csqa::metrics::modules::{trends, TrendInputs};
    let labels = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let trend_months = labels(&[
        "2026-04", "2026-05", "2026-06", "2026-07", "2026-08", "2026-09",
    ]);
    // x: 40 reviews a month with 4, 8, —, 16, 20, 24 defects (none in June):
    // rates 0.1, 0.2, 0.4, 0.5, 0.6 at months 0, 1, 3, 4, 5.
    // y: added in July, 3 months of 40 reviews: too few points.
    // z: 29 reviews a month, below min_reviews 30: no point at all.
    let mut rows = vec![
        month("x", "2026-04", 40, 4),
        month("x", "2026-05", 40, 8),
        month("x", "2026-07", 40, 16),
        month("x", "2026-08", 40, 20),
        month("x", "2026-09", 40, 24),
    ];
    for m in ["2026-07", "2026-08", "2026-09"] {
        rows.push(month("y", m, 40, 2));
    }
    for m in &trend_months {
        rows.push(month("z", m, 29, 3));
    }
    let current = ["x", "y", "z"]
        .iter()
        .map(|m| (m.to_string(), "v1".to_string()))
        .collect();
    let cfg = csqa::config::QuarterlyConfig::default();
    let out = trends(&TrendInputs {
        months: &rows,
        trend_months: &trend_months,
        period_months: &labels(&["2026-07", "2026-08", "2026-09"]),
        previous_months: &labels(&["2026-04", "2026-05", "2026-06"]),
        current: &current,
        cfg: &cfg,
    });
    let find = |m: &str| {
        out.iter()
            .find(|t| t.module_id == m && t.metric == "defect_rate")
            .expect("trend")
    };
    let x = find("x");
    assert_eq!((x.points, x.first_month.as_deref()), (5, Some("2026-04")));
    // pymannkendall.original_test([0.1,0.2,0.4,0.5,0.6]): s=10, var_s=16.6667,
    // z=2.2045407685048604, p=0.0274863361115103
    let mk = x.mk.expect("tested");
    assert_eq!(mk.s, 10.0);
    assert!((mk.z - 2.2045407685048604).abs() < 1e-12);
    assert!((mk.p - 0.0274863361115103).abs() < 1e-9);
    // scipy.stats.theilslopes([0.1,0.2,0.4,0.5,0.6], [0,1,3,4,5])[0] = 0.1
    // (by position, ignoring the gap, theilslopes(same, range(5)) gives 0.129).
    assert!((x.sen_slope.expect("slope") - 0.1).abs() < 1e-12);
    // The only defect-rate test: q = p.
    assert!((x.q_value.expect("q") - 0.0274863361115103).abs() < 1e-9);
    assert_eq!(x.verdict, "worsening");
    // QoQ: 16 + 20 + 24 = 60 of 120 against 4 + 8 = 12 of 80.
    // proportions_ztest([60,12],[120,80]) = (5.0518148554092255, 4.3763180221643196e-07)
    let q = x.qoq.expect("qoq");
    assert_eq!(
        (q.defects, q.reviews, q.prev_defects, q.prev_reviews),
        (60, 120, 12, 80)
    );
    assert!((q.z.expect("z") - 5.0518148554092255).abs() < 1e-9);
    assert!((q.p.expect("p") - 4.3763180221643196e-07).abs() < 1e-15);
    let y = find("y");
    assert_eq!(
        (y.points, y.verdict, y.mk.is_none()),
        (3, "too few points", true)
    );
    assert!(
        y.qoq.expect("qoq").z.is_none(),
        "no reviews last quarter: no test"
    );
    let z = find("z");
    assert_eq!((z.points, z.verdict), (0, "too few points"));
}

#[test]
fn recommendation_rules_fire_with_their_numbers() {
    use csqa::metrics::modules::{recommend, Outcome, ReviewFigures};
    let agreement = csqa::config::AgreementConfig::default();
    let iteration = csqa::config::IterationConfig::default();
    let quarterly = csqa::config::QuarterlyConfig::default();
    let csat = |failed_n: u64, d: f64, lo: f64, hi: f64| Outcome {
        module_id: "m".into(),
        metric: "csat",
        failed_n,
        passed_n: 200,
        difference: Some(d),
        ci_low: Some(lo),
        ci_high: Some(hi),
        ..Default::default()
    };
    let holds_zero = csat(30, -0.004, -0.021, 0.013);
    let f = ReviewFigures {
        headline_label: "AC1",
        months_judged: 3,
        months_flagged: 3,
        csat: Some(&holds_zero),
        overturned: 5,
        decided: 13,
        ..Default::default()
    };
    assert_eq!(
        recommend(&f, &agreement, &iteration, &quarterly),
        "revise: agreement below 0.80 in 3 of 3 months; clarify rule: 38% of appeals overturned (5 of 13 decided); review weight: failures do not move CSAT (-0.4 pts [-2.1, 1.3])"
    );
    // The same findings worded for a Chinese page.
    assert_eq!(
        csqa::metrics::modules::recommend_in(
            &f,
            &agreement,
            &iteration,
            &quarterly,
            csqa::i18n::Lang::Zh
        ),
        "需修订：3 个月中有 3 个月一致性低于 0.80；规则需澄清：38% 的申诉被改判（已裁定 13 条，改判 5 条）；需复核权重：该模块不合格并未影响满意度（-0.4 个百分点 [-2.1, 1.3]）"
    );
    // One flagged month of two needed, 29 failed sessions of 30 needed, an
    // interval that excludes 0, 4 of 13 overturned (31 % ≥ 30 %: fires).
    let few = csat(29, -0.004, -0.021, 0.013);
    let moves = csat(100, -0.05, -0.08, -0.02);
    for (outcome, flagged) in [(&few, 1), (&moves, 1)] {
        let f = ReviewFigures {
            months_flagged: flagged,
            csat: Some(outcome),
            overturned: 4,
            ..f.clone()
        };
        assert_eq!(
            recommend(&f, &agreement, &iteration, &quarterly),
            "clarify rule: 31% of appeals overturned (4 of 13 decided)"
        );
    }
    let quiet = ReviewFigures {
        months_flagged: 0,
        csat: None,
        overturned: 0,
        ..f
    };
    assert_eq!(
        recommend(&quiet, &agreement, &iteration, &quarterly),
        "stable"
    );
}

/// A quarter not over yet (the bundled data ends 2026-10-31): the summary
/// line and the report say which months have no session, in both
/// languages, rather than passing a one-month review off as a quarter's.
#[test]
fn a_quarter_with_months_without_sessions_says_which() {
    let dir = tempfile::tempdir().expect("tmp");
    let data = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
    let run = |lang: &str| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_csqa"))
            .current_dir(dir.path())
            .args(["--quiet", "--lang", lang, "--data-dir"])
            .arg(&data)
            .args(["--out-dir", lang, "quarterly", "--quarter", "2026Q4"])
            .output()
            .expect("run csqa");
        assert!(out.status.success(), "{}", stderr(&out));
        let report = dir.path().join(lang).join("quarterly/2026Q4/report.md");
        (
            stdout(&out),
            std::fs::read_to_string(report).expect("report"),
        )
    };
    let (line, report) = run("en");
    assert!(
        line.contains(" sessions, NO SESSIONS in 2026-11, 2026-12, "),
        "{line}"
    );
    assert!(
        report.contains("> **No sessions in 2026-11, 2026-12: the period is not over"),
        "{report}"
    );
    let (_, report) = run("zh");
    assert!(report.contains("> **2026-11, 2026-12 没有会话"), "{report}");
    // A whole quarter says nothing of the kind.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_csqa"))
        .current_dir(dir.path())
        .args(["--quiet", "--data-dir"])
        .arg(&data)
        .args(["--out-dir", "q3", "quarterly", "--quarter", "2026Q3"])
        .output()
        .expect("run csqa");
    assert!(!stdout(&out).contains("NO SESSIONS"), "{}", stdout(&out));
}
