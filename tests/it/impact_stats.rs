//! The impact report's statistics against reference libraries. Expected
//! values come from scipy 1.x / statsmodels 0.15 (the calls are named above
//! each case), except the difference-in-differences, computed by hand.

use csqa::impact_stats::{
    did_proportions, did_rates, excess_count, poisson_rates, two_proportions, welch, Tested,
};

fn close(actual: Option<f64>, expected: f64, what: &str) {
    let a = actual.unwrap_or_else(|| panic!("{what}: None, expected {expected}"));
    let tol = 1e-9 * expected.abs().max(1.0);
    assert!((a - expected).abs() < tol, "{what}: {a} != {expected}");
}

fn check(t: Tested, statistic: f64, p: f64, low: f64, high: f64) {
    close(t.statistic, statistic, "statistic");
    close(t.p_value, p, "p_value");
    close(t.ci_low, low, "ci_low");
    close(t.ci_high, high, "ci_high");
}

#[test]
fn two_proportions_match_statsmodels() {
    // proportions_ztest([30, 18], [200, 220]);
    // confint_proportions_2indep(30, 200, 18, 220, compare="diff", method="newcomb")
    check(
        two_proportions(30, 200, 18, 220),
        2.193448656521883,
        0.028275069962724244,
        0.00690262668090378,
        0.1314980030841445,
    );
    // Zero events in the event window: proportions_ztest([0, 5], [50, 60]), newcomb
    check(
        two_proportions(0, 50, 5, 60),
        -2.089277235093362,
        0.03668277440246529,
        -0.18068942018334413,
        0.0022209513715717444,
    );
    // All 7 of 7: proportions_ztest([7, 3], [7, 9]), newcomb
    check(
        two_proportions(7, 7, 3, 9),
        2.732520204255893,
        0.006285181643384471,
        0.19424297928265022,
        0.8794161816130892,
    );
    // Nothing to compare: no sessions in a window; nothing varies (0 of
    // 10 and 0 of 10) gives no z but an interval around 0.
    assert_eq!(two_proportions(0, 0, 3, 9), Tested::NONE);
    let flat = two_proportions(0, 10, 0, 10);
    assert_eq!((flat.statistic, flat.p_value), (None, None));
    assert!(flat.ci_low.is_some_and(|l| l < 0.0) && flat.ci_high.is_some_and(|h| h > 0.0));
}

#[test]
fn poisson_rates_match_exact_conditional_test() {
    // 125 contacts in 3 days against 300 in 12: rate ratio (125/3)/(300/12) = 1.6667.
    // test_poisson_2indep(125, 3, 300, 12, method="exact-cond").pvalue
    //   == binomtest(125, 425, 3/15).pvalue; interval:
    // binomtest(125, 425, 0.2).proportion_ci(method="exact") → s, ratio s/(1-s)*12/3
    check(
        poisson_rates(125, 3.0, 300, 12.0),
        125.0 / 3.0 / 25.0,
        3.6208246697317e-06,
        1.34178440928589,
        2.0600778736260312,
    );
    // Zero events in a one-day window against 40 in 7 days:
    // test_poisson_2indep(0, 1, 40, 7, method="exact-cond")
    check(
        poisson_rates(0, 1.0, 40, 7.0),
        0.0,
        0.0075338567401078554,
        0.0,
        0.6762575898705377,
    );
    // Zero baseline: 12 against 0; the ratio and its upper bound are unbounded.
    // test_poisson_2indep(12, 1, 0, 3, method="exact-cond")
    let t = poisson_rates(12, 1.0, 0, 3.0);
    close(t.p_value, 5.960464477539063e-08, "p_value");
    close(t.ci_low, 8.335791991674473, "ci_low");
    assert_eq!(t.ci_high, Some(f64::INFINITY));
    // No contacts at all, or no exposure: no test.
    assert_eq!(poisson_rates(0, 1.0, 0, 3.0), Tested::NONE);
    assert_eq!(poisson_rates(3, 0.0, 4, 3.0), Tested::NONE);
}

#[test]
fn excess_contacts_and_their_interval() {
    // 125 in 3 days, baseline 300 in 12: expected 300 × 3/12 = 75, excess 50;
    // interval 125 × (1 − 1/ratio) over the ratio interval above:
    // 125 × (1 − 1/1.34178440928589) = 31.840473674510676,
    // 125 × (1 − 1/2.0600778736260312) = 64.3226821178453.
    let e = excess_count(125, 3.0, 300, 12.0).expect("excess");
    close(Some(e.expected), 75.0, "expected");
    close(Some(e.excess), 50.0, "excess");
    close(e.ci_low, 31.840473674510676, "ci_low");
    close(e.ci_high, 64.3226821178453, "ci_high");
    // Zero baseline: every contact is excess; the interval tops out at 12.
    let e = excess_count(12, 1.0, 0, 3.0).expect("excess");
    close(Some(e.excess), 12.0, "excess");
    close(e.ci_low, 10.560424730849183, "ci_low");
    close(e.ci_high, 12.0, "ci_high");
    // Zero events: excess −40/7, interval from the exact Poisson interval
    // of 40 (scipy chi2.ppf(0.025, 80)/2 = 28.5766, chi2.ppf(0.975, 82)/2 =
    // 54.4686), scaled by 1/7.
    let e = excess_count(0, 1.0, 40, 7.0).expect("excess");
    close(Some(e.excess), -40.0 / 7.0, "excess");
    close(e.ci_low, -54.468646963984064 / 7.0, "ci_low");
    close(e.ci_high, -28.576586441788965 / 7.0, "ci_high");
    assert_eq!(excess_count(3, 1.0, 4, 0.0), None);
}

#[test]
fn welch_matches_scipy() {
    // t = ttest_ind([80, 90, 70, 85], [60, 75, 70, 65, 72], equal_var=False);
    // t.confidence_interval(0.95)
    check(
        welch(&[80.0, 90.0, 70.0, 85.0], &[60.0, 75.0, 70.0, 65.0, 72.0]),
        2.5552645409341856,
        0.04921582085468296,
        0.0639467827086797,
        25.63605321729131,
    );
    assert_eq!(welch(&[80.0], &[60.0, 75.0]), Tested::NONE);
}

#[test]
fn difference_in_differences_by_hand() {
    // Event lines 30/100 → 10/100 in the baseline; control 20/100 → 10/100.
    // d = (0.30 − 0.10) − (0.20 − 0.10) = 0.10;
    // var = .3·.7/100 + .1·.9/100 + .2·.8/100 + .1·.9/100
    //     = .0021 + .0009 + .0016 + .0009 = 0.0055,
    // se = 0.0741620, z = 1.348400, p = 2(1 − Φ(1.348400)) = 0.1775299
    // (scipy norm.sf), interval 0.10 ± 1.959964 × 0.0741620.
    let se = 0.0055f64.sqrt();
    let t = did_proportions([(30, 100), (10, 100), (20, 100), (10, 100)]);
    close(t.statistic, 0.10, "did");
    close(t.ci_low, 0.10 - 1.959963984540054 * se, "ci_low");
    close(t.ci_high, 0.10 + 1.959963984540054 * se, "ci_high");
    let p = t.p_value.expect("p");
    assert!((p - 0.1775299).abs() < 1e-6, "p {p}");

    // Contacts: event lines 200 in 2 days vs 400 in 8 (ratio 2), control
    // 300 in 2 vs 960 in 8 (ratio 1.25): ratio of ratios 1.6;
    // se of its log = √(1/200 + 1/400 + 1/300 + 1/960) = 0.0940878.
    let t = did_rates([(200, 2.0), (400, 8.0), (300, 2.0), (960, 8.0)]);
    close(t.statistic, 1.6, "did ratio");
    let se: f64 = (1.0 / 200.0 + 1.0 / 400.0 + 1.0 / 300.0 + 1.0 / 960.0f64).sqrt();
    close(
        t.ci_low,
        (1.6f64.ln() - 1.959963984540054 * se).exp(),
        "ci_low",
    );
    close(
        t.ci_high,
        (1.6f64.ln() + 1.959963984540054 * se).exp(),
        "ci_high",
    );
    assert_eq!(
        did_rates([(0, 2.0), (400, 8.0), (300, 2.0), (960, 8.0)]),
        Tested::NONE
    );
}
