//! Golden values for `agreement`, each produced by a reference library on the
//! data written inline next to it. Versions used: irrCAC 0.4.4 (Python port of
//! Gwet's R package; same estimates as R irrCAC `gwet.ac1.raw` & co., checked),
//! scikit-learn 1.9.1, statsmodels 0.15.0, krippendorff 0.9.0.
//!
//! Conventions in the comments:
//! * `CAC(df, weights=W, categories=C).gwet()` is `irrCAC.raw.CAC`; the data
//!   frame has one row per item and one column per rater, NaN = missing
//!   (irrCAC itself drops rows with no rating).
//! * `alpha(level, C)` is `krippendorff.alpha(reliability_data=<raters × items>,
//!   level_of_measurement=level, value_domain=C)`.
//! * `cohen(W, C)` is `sklearn.metrics.cohen_kappa_score(r1, r2, labels=C, weights=W)`.
//! * `sm_fleiss` is `statsmodels.stats.inter_rater.fleiss_kappa(aggregate_raters(data)[0])`.

use csqa::agreement::*;

/// Missing rating in the inline tables below.
const NA: f64 = f64::NAN;
/// Tolerance for coefficients.
const COEF: f64 = 1e-6;
/// Tolerance for standard errors, CI bounds and p-values.
const INF: f64 = 1e-4;

fn mat(rows: &[&[f64]]) -> RatingMatrix {
    RatingMatrix::new(
        rows.iter()
            .map(|r| r.iter().map(|&v| (!v.is_nan()).then_some(v)).collect())
            .collect(),
    )
}

/// `count` copies of each row, in order.
fn repeated(rows: &[(usize, &[f64])]) -> RatingMatrix {
    let mut all: Vec<&[f64]> = Vec::new();
    for &(count, row) in rows {
        all.extend(std::iter::repeat_n(row, count));
    }
    mat(&all)
}

#[track_caller]
fn close(actual: f64, expected: f64, tol: f64) {
    assert!(
        (actual - expected).abs() <= tol,
        "got {actual}, expected {expected} (tolerance {tol})"
    );
}

#[track_caller]
fn coef(actual: Coefficient, expected: f64) {
    match actual {
        Ok(v) => close(v, expected, COEF),
        Err(e) => panic!("expected {expected}, got Undefined({e})"),
    }
}

/// irrCAC's estimate, standard error, 95% CI and (two-sided) p-value.
#[derive(Debug)]
struct Gwet {
    coef: f64,
    se: f64,
    lo: f64,
    hi: f64,
    p: f64,
}

#[track_caller]
fn gwet(actual: Result<GwetResult, Undefined>, expected: Gwet) {
    let r = match actual {
        Ok(r) => r,
        Err(e) => panic!("expected {expected:?}, got Undefined({e})"),
    };
    close(r.coef, expected.coef, COEF);
    close(r.se.unwrap_or(f64::NAN), expected.se, INF);
    close(r.ci_low.unwrap_or(f64::NAN), expected.lo, INF);
    close(r.ci_high.unwrap_or(f64::NAN), expected.hi, INF);
    close(r.p_value.unwrap_or(f64::NAN), expected.p, INF);
}

#[track_caller]
fn matrix(actual: Vec<Vec<f64>>, expected: &[&[f64]]) {
    assert_eq!(actual.len(), expected.len());
    for (a, e) in actual.iter().zip(expected) {
        assert_eq!(a.len(), e.len());
        for (&x, &y) in a.iter().zip(e.iter()) {
            close(x, y, 1e-12);
        }
    }
}

const SCALE_1_5: [f64; 5] = [1., 2., 3., 4., 5.];
const SCALE_0_5: [f64; 6] = [0., 1., 2., 3., 4., 5.];
const PASS_FAIL: [f64; 2] = [0., 1.];

#[test]
fn weights_match_irrcac() {
    use Weighting::*;
    // irrCAC.weights.Weights(Gwet { coef: 1, se: 2, lo: 3, hi: 4, p: 5 }).ordinal() / .linear() / .quadratic()
    matrix(
        weights(&SCALE_1_5, Ordinal),
        &[
            &[1.0, 0.9, 0.7, 0.4, 0.0],
            &[0.9, 1.0, 0.9, 0.7, 0.4],
            &[0.7, 0.9, 1.0, 0.9, 0.7],
            &[0.4, 0.7, 0.9, 1.0, 0.9],
            &[0.0, 0.4, 0.7, 0.9, 1.0],
        ],
    );
    matrix(
        weights(&SCALE_1_5, Linear),
        &[
            &[1.0, 0.75, 0.5, 0.25, 0.0],
            &[0.75, 1.0, 0.75, 0.5, 0.25],
            &[0.5, 0.75, 1.0, 0.75, 0.5],
            &[0.25, 0.5, 0.75, 1.0, 0.75],
            &[0.0, 0.25, 0.5, 0.75, 1.0],
        ],
    );
    matrix(
        weights(&SCALE_1_5, Quadratic),
        &[
            &[1.0, 0.9375, 0.75, 0.4375, 0.0],
            &[0.9375, 1.0, 0.9375, 0.75, 0.4375],
            &[0.75, 0.9375, 1.0, 0.9375, 0.75],
            &[0.4375, 0.75, 0.9375, 1.0, 0.9375],
            &[0.0, 0.4375, 0.75, 0.9375, 1.0],
        ],
    );
    // Uneven scale: ordinal uses ranks, linear/quadratic use the values.
    // irrCAC.weights.Weights([0, 1, 2, 5]).ordinal() / .linear() / .quadratic()
    let uneven = [0., 1., 2., 5.];
    matrix(
        weights(&uneven, Ordinal),
        &[
            &[1.0, 0.8333333333333334, 0.5, 0.0],
            &[0.8333333333333334, 1.0, 0.8333333333333334, 0.5],
            &[0.5, 0.8333333333333334, 1.0, 0.8333333333333334],
            &[0.0, 0.5, 0.8333333333333334, 1.0],
        ],
    );
    matrix(
        weights(&uneven, Linear),
        &[
            &[1.0, 0.8, 0.6, 0.0],
            &[0.8, 1.0, 0.8, 0.19999999999999996],
            &[0.6, 0.8, 1.0, 0.4],
            &[0.0, 0.19999999999999996, 0.4, 1.0],
        ],
    );
    matrix(
        weights(&uneven, Quadratic),
        &[
            &[1.0, 0.96, 0.84, 0.0],
            &[0.96, 1.0, 0.96, 0.3599999999999999],
            &[0.84, 0.96, 1.0, 0.64],
            &[0.0, 0.3599999999999999, 0.64, 1.0],
        ],
    );
    // Identity; rows follow ascending category order whatever the input order.
    matrix(
        weights(&[2., 0., 1.], Identity),
        &[&[1.0, 0.0, 0.0], &[0.0, 1.0, 0.0], &[0.0, 0.0, 1.0]],
    );
    matrix(
        weights(&[5., 1., 3.], Linear),
        &[&[1.0, 0.5, 0.0], &[0.5, 1.0, 0.5], &[0.0, 0.5, 1.0]],
    );
    // A single category: R irrCAC's *.weights() special case q == 1.
    matrix(weights(&[3.], Quadratic), &[&[1.0]]);
    assert!(weights(&[], Ordinal).is_empty());
}

/// The `krippendorff` package's README / doctest example: 3 coders × 15 units
/// (given there as coders × units; transposed here). Two units have no value.
#[rustfmt::skip]
fn kripp_3x15() -> RatingMatrix {
    mat(&[
        &[NA, 1., NA], &[NA, NA, NA], &[NA, 2., 2.], &[NA, 1., 1.],
        &[NA, 3., 3.], &[3., 3., 4.], &[4., 4., 4.], &[1., 3., NA],
        &[2., NA, 2.], &[1., NA, 1.], &[1., NA, 1.], &[3., NA, 3.],
        &[3., NA, 3.], &[NA, NA, NA], &[3., NA, 4.],
    ])
}

#[test]
fn krippendorff_package_readme_example() {
    let m = kripp_3x15();
    let c = [1., 2., 3., 4.];
    // alpha("nominal", [1, 2, 3, 4])
    coef(
        krippendorff_alpha(&m, &c, AlphaLevel::Nominal),
        0.691358024691358,
    );
    // alpha("ordinal", [1, 2, 3, 4])
    coef(
        krippendorff_alpha(&m, &c, AlphaLevel::Ordinal),
        0.8067214199413153,
    );
    // alpha("interval", [1, 2, 3, 4])
    coef(
        krippendorff_alpha(&m, &c, AlphaLevel::Interval),
        0.8108448928121059,
    );
}

/// irrCAC's `cac.raw4raters` (R) = `irrCAC.datasets.raw_4raters()` (Python):
/// 12 units × 4 raters, categories 1..5. It is also the example of
/// Krippendorff (2011) "Computing Krippendorff's alpha-reliability", section C
/// (there the single rating of unit 12 sits under observer B, not C; no
/// coefficient here depends on which rater gave it).
#[rustfmt::skip]
fn raw_4raters() -> RatingMatrix {
    mat(&[
        &[1., 1., NA, 1.], &[2., 2., 3., 2.], &[3., 3., 3., 3.], &[3., 3., 3., 3.],
        &[2., 2., 2., 2.], &[1., 2., 3., 4.], &[4., 4., 4., 4.], &[1., 1., 2., 1.],
        &[2., 2., 2., 2.], &[NA, 5., 5., 5.], &[NA, NA, 1., 1.], &[NA, NA, 3., NA],
    ])
}

#[test]
fn irrcac_raw_4raters() {
    let m = raw_4raters();
    let c = SCALE_1_5;
    // CAC(df, categories=[1..5]).gwet()["est"]["pa"]  (R pa.coeff.raw: 0.8181818)
    coef(
        percent_agreement(&m, &c, Weighting::Identity),
        0.818181818181818,
    );
    // CAC(df, categories=[1..5]).gwet(): AC1 0.77544, se 0.14295, CI (0.46081, 1)
    gwet(
        gwet_ac(&m, &c, Weighting::Identity),
        Gwet {
            coef: 0.775444068126995,
            se: 0.142949950640765,
            lo: 0.46081334813208,
            hi: 1.0,
            p: 0.0002087209840633264,
        },
    );
    // CAC(df, categories=[1..5]).fleiss()
    coef(fleiss_kappa(&m, &c), 0.761169275422411);
    // 0.74342 is irrCAC's krippen.alpha.raw / CAC.krippendorff() (unweighted),
    // = 0.743421052631579, which equals the krippendorff package at the
    // nominal level: alpha("nominal", [1..5]) = 0.743421052631579.
    coef(
        krippendorff_alpha(&m, &c, AlphaLevel::Nominal),
        0.743421052631579,
    );
    // alpha("ordinal", [1..5]); Krippendorff (2011) reports 0.815.
    coef(
        krippendorff_alpha(&m, &c, AlphaLevel::Ordinal),
        0.8153875037548814,
    );
    // alpha("interval", [1..5]); Krippendorff (2011) reports 0.849.
    coef(
        krippendorff_alpha(&m, &c, AlphaLevel::Interval),
        0.8491071428571428,
    );
    // CAC(df, weights="ordinal", categories=[1..5]).gwet()  (R: AC2 0.89894, se 0.1069)
    gwet(
        gwet_ac(&m, &c, Weighting::Ordinal),
        Gwet {
            coef: 0.898939769907511,
            se: 0.106903523815436,
            lo: 0.663646700429164,
            hi: 1.0,
            p: 4.053928770453297e-06,
        },
    );
    // CAC(df, weights="ordinal", categories=[1..5]).gwet()["est"]["pa"]
    coef(
        percent_agreement(&m, &c, Weighting::Ordinal),
        0.968181818181818,
    );
}

/// The kappa paradox: 100 calls, pass(1)/fail(0); 90 both pass, 5 A pass/B
/// fail, 5 A fail/B pass, none both fail.
fn paradox() -> RatingMatrix {
    repeated(&[(90, &[1., 1.]), (5, &[1., 0.]), (5, &[0., 1.])])
}

#[test]
fn kappa_paradox() {
    let m = paradox();
    // cohen(None, [0, 1])
    coef(
        cohen_kappa(&m, &PASS_FAIL, Weighting::Identity),
        -0.05263157894736836,
    );
    // CAC(df, categories=[0, 1]).gwet(); p underflows to 0.0 in irrCAC.
    gwet(
        gwet_ac(&m, &PASS_FAIL, Weighting::Identity),
        Gwet {
            coef: 0.889502762430939,
            se: 0.036629381014606,
            lo: 0.816822123698488,
            hi: 0.96218340116339,
            p: 0.0,
        },
    );
    // CAC(df, categories=[0, 1]).gwet()["est"]["pa"]
    coef(percent_agreement(&m, &PASS_FAIL, Weighting::Identity), 0.9);
    // sm_fleiss; CAC(...).fleiss() gives -0.052631578947381
    coef(fleiss_kappa(&m, &PASS_FAIL), -0.05263157894736725);
    // alpha("nominal", [0, 1])
    coef(
        krippendorff_alpha(&m, &PASS_FAIL, AlphaLevel::Nominal),
        -0.047368421052631726,
    );
}

#[test]
fn unused_declared_category_changes_ac1_not_alpha() {
    #[rustfmt::skip]
    let m = mat(&[
        &[1., 1.], &[1., 1.], &[0., 0.], &[1., 0.], &[1., 1.],
        &[0., 0.], &[1., 1.], &[0., 1.], &[1., 1.], &[1., 1.],
        &[0., 0.], &[1., 1.],
    ]);
    let three = [0., 1., 2.];
    // CAC(df, categories=[0, 1]).gwet()
    gwet(
        gwet_ac(&m, &PASS_FAIL, Weighting::Identity),
        Gwet {
            coef: 0.7,
            se: 0.215195471395406,
            lo: 0.226357960941657,
            hi: 1.0,
            p: 0.007696058069027734,
        },
    );
    // CAC(df, categories=[0, 1, 2]).gwet()
    gwet(
        gwet_ac(&m, &three, Weighting::Identity),
        Gwet {
            coef: 0.785714285714286,
            se: 0.146992395133308,
            lo: 0.462186205380825,
            hi: 1.0,
            p: 0.00023550654028636764,
        },
    );
    for c in [&PASS_FAIL[..], &three[..]] {
        // CAC(df, categories=c).gwet()["est"]["pa"], the same for both
        coef(
            percent_agreement(&m, c, Weighting::Identity),
            0.833333333333333,
        );
        // alpha("nominal", c), the same for both
        coef(krippendorff_alpha(&m, c, AlphaLevel::Nominal), 0.640625);
        // cohen(None, c), the same for both
        coef(cohen_kappa(&m, c, Weighting::Identity), 0.625);
        // CAC(df, categories=c).fleiss(), the same for both
        coef(fleiss_kappa(&m, c), 0.625);
    }
}

#[test]
fn single_category_data() {
    // Everyone passes everything.
    let two = repeated(&[(10, &[1., 1.])]);
    let mut rows: Vec<&[f64]> = vec![&[1., 1., 1.]; 7];
    rows.push(&[1., NA, 1.]);
    let three = mat(&rows);
    // cohen(None, [0, 1]) -> nan
    assert_eq!(
        cohen_kappa(&two, &PASS_FAIL, Weighting::Identity),
        Err(Undefined::OneCategoryOnly)
    );
    // sm_fleiss -> nan. (irrCAC's CAC.fleiss() returns 1.0 for `two` only
    // because pe rounds to 0.9999999999999998, and divides by zero for `three`.)
    assert_eq!(
        fleiss_kappa(&two, &PASS_FAIL),
        Err(Undefined::OneCategoryOnly)
    );
    assert_eq!(
        fleiss_kappa(&three, &PASS_FAIL),
        Err(Undefined::OneCategoryOnly)
    );
    for m in [&two, &three] {
        // alpha("nominal", [0, 1]) -> nan (0/0)
        assert_eq!(
            krippendorff_alpha(m, &PASS_FAIL, AlphaLevel::Nominal),
            Err(Undefined::OneCategoryOnly)
        );
        // CAC(df, categories=[0, 1]).gwet(): AC1 1.0; irrCAC reports se as
        // 1e-15 (it replaces 0 to divide), CI (1, 1), p 0.0; R irrCAC: se 0.
        gwet(
            gwet_ac(m, &PASS_FAIL, Weighting::Identity),
            Gwet {
                coef: 1.0,
                se: 0.0,
                lo: 1.0,
                hi: 1.0,
                p: 0.0,
            },
        );
        // CAC(df, categories=[0, 1]).gwet()["est"]["pa"]
        coef(percent_agreement(m, &PASS_FAIL, Weighting::Identity), 1.0);
    }
    assert_eq!(Undefined::OneCategoryOnly.to_string(), "one category only");
}

#[test]
fn three_raters_with_gaps_and_single_ratings() {
    // Two items have a single rating (kept for π and n, dropped for pa) and
    // one item has none (dropped entirely).
    #[rustfmt::skip]
    let m = mat(&[
        &[1., 1., 1.], &[1., 1., 0.], &[1., NA, 1.], &[0., 0., NA],
        &[1., 1., 1.], &[NA, 1., NA], &[0., 1., 1.], &[1., 1., 1.],
        &[NA, NA, NA], &[1., 0., NA], &[1., 1., 1.], &[NA, NA, 0.],
        &[0., 0., 0.], &[1., 1., 1.],
    ]);
    // CAC(df, categories=[0, 1]).gwet()  (R gwet.ac1.raw: 0.62419, se 0.23093)
    gwet(
        gwet_ac(&m, &PASS_FAIL, Weighting::Identity),
        Gwet {
            coef: 0.624185948006565,
            se: 0.230932340144056,
            lo: 0.1210276025165,
            hi: 1.0,
            p: 0.01920621678865464,
        },
    );
    // CAC(df, categories=[0, 1]).gwet()["est"]["pa"]
    coef(
        percent_agreement(&m, &PASS_FAIL, Weighting::Identity),
        0.787878787878788,
    );
    // CAC(df, categories=[0, 1]).fleiss()
    coef(fleiss_kappa(&m, &PASS_FAIL), 0.513001715265866);
    // alpha("nominal", [0, 1])
    coef(
        krippendorff_alpha(&m, &PASS_FAIL, AlphaLevel::Nominal),
        0.5056818181818181,
    );
}

/// 0-5 graded scores, 2 raters with gaps.
#[rustfmt::skip]
fn graded_two_raters() -> RatingMatrix {
    mat(&[
        &[5., 5.], &[4., 5.], &[3., 3.], &[2., 3.], &[5., 4.],
        &[0., 1.], &[4., 4.], &[3., NA], &[5., 5.], &[1., 2.],
        &[NA, 4.], &[4., 3.], &[2., 2.], &[5., 5.], &[3., 4.],
    ])
}

#[test]
fn graded_two_raters_with_gaps() {
    use Weighting::*;
    let m = graded_two_raters();
    let c = SCALE_0_5;
    // CAC(df, weights=W, categories=[0..5]).gwet() for W = identity, ordinal,
    // linear, quadratic; then ["est"]["pa"] of the same call.
    let cases = [
        (
            Identity,
            Gwet {
                coef: 0.362012395187751,
                se: 0.175235267691496,
                lo: -0.013829874210529,
                hi: 0.73785466458603,
                p: 0.05786625270284573,
            },
            0.461538461538462,
        ),
        (
            Ordinal,
            Gwet {
                coef: 0.88294314381271,
                se: 0.097575491512713,
                lo: 0.673664528549292,
                hi: 1.0,
                p: 3.1741511663518907e-07,
            },
            0.964102564102564,
        ),
        (
            Linear,
            Gwet {
                coef: 0.748382458662832,
                se: 0.105225600654214,
                lo: 0.522695991151612,
                hi: 0.974068926174053,
                p: 5.236074925196732e-06,
            },
            0.892307692307692,
        ),
        (
            Quadratic,
            Gwet {
                coef: 0.92373066027457,
                se: 0.098365815189137,
                lo: 0.712756969310812,
                hi: 1.0,
                p: 2.0232214392734704e-07,
            },
            0.978461538461539,
        ),
    ];
    for (w, expected, pa) in cases {
        gwet(gwet_ac(&m, &c, w), expected);
        coef(percent_agreement(&m, &c, w), pa);
    }
    // CAC(df, categories=[0..5]).fleiss()
    coef(fleiss_kappa(&m, &c), 0.309664694280079);
    // alpha(level, [0..5]) for nominal, ordinal, interval
    coef(
        krippendorff_alpha(&m, &c, AlphaLevel::Nominal),
        0.339622641509434,
    );
    coef(
        krippendorff_alpha(&m, &c, AlphaLevel::Ordinal),
        0.8683298683298684,
    );
    coef(
        krippendorff_alpha(&m, &c, AlphaLevel::Interval),
        0.8761500353857041,
    );
    // Gaps: Cohen's kappa is undefined.
    assert_eq!(
        cohen_kappa(&m, &c, Identity),
        Err(Undefined::NotTwoCompleteRaters)
    );
}

#[test]
fn graded_three_raters_with_gaps() {
    use Weighting::*;
    #[rustfmt::skip]
    let m = mat(&[
        &[4., 4., 5.], &[3., 3., 3.], &[5., 5., 5.], &[2., 3., 2.],
        &[4., NA, 4.], &[1., 2., 1.], &[5., 4., NA], &[3., 3., 4.],
        &[0., 1., 0.], &[4., 4., 4.], &[NA, 2., 3.], &[5., 5., 4.],
        &[2., 2., 2.], &[3., NA, NA], &[4., 5., 5.], &[1., 1., 2.],
    ]);
    let c = SCALE_0_5;
    // CAC(df, weights=W, categories=[0..5]).gwet() and its ["est"]["pa"]
    // (R gwet.ac1.raw ordinal: 0.88676, se 0.06386; quadratic: 0.92561, se 0.06355)
    let cases = [
        (
            Identity,
            Gwet {
                coef: 0.41782096340707,
                se: 0.119299950248938,
                lo: 0.163539138663723,
                hi: 0.672102788150418,
                p: 0.0032085326891078125,
            },
            0.511111111111111,
        ),
        (
            Ordinal,
            Gwet {
                coef: 0.886756032171582,
                se: 0.063860780973387,
                lo: 0.750639999586793,
                hi: 1.0,
                p: 5.742171182987477e-10,
            },
            0.967407407407408,
        ),
        (
            Linear,
            Gwet {
                coef: 0.762929703942753,
                se: 0.071153830679478,
                lo: 0.611268903876175,
                hi: 0.914590504009332,
                p: 1.9813156448833524e-08,
            },
            0.902222222222222,
        ),
        (
            Quadratic,
            Gwet {
                coef: 0.925610883634922,
                se: 0.063546142555557,
                lo: 0.790165486962831,
                hi: 1.0,
                p: 2.9362667852694813e-10,
            },
            0.980444444444444,
        ),
    ];
    for (w, expected, pa) in cases {
        gwet(gwet_ac(&m, &c, w), expected);
        coef(percent_agreement(&m, &c, w), pa);
    }
    // CAC(df, categories=[0..5]).fleiss()
    coef(fleiss_kappa(&m, &c), 0.389815817984832);
    // alpha(level, [0..5])
    coef(
        krippendorff_alpha(&m, &c, AlphaLevel::Nominal),
        0.4225352112676056,
    );
    coef(
        krippendorff_alpha(&m, &c, AlphaLevel::Ordinal),
        0.8861798182110683,
    );
    coef(
        krippendorff_alpha(&m, &c, AlphaLevel::Interval),
        0.8943571244524607,
    );
}

#[test]
fn weighted_cohen_two_raters_complete() {
    use Weighting::*;
    #[rustfmt::skip]
    let m = mat(&[
        &[5., 5.], &[4., 5.], &[3., 3.], &[2., 3.], &[5., 4.],
        &[0., 1.], &[4., 4.], &[3., 2.], &[5., 5.], &[1., 2.],
        &[4., 4.], &[4., 3.], &[2., 2.], &[5., 5.], &[3., 4.],
        &[1., 1.], &[2., 4.], &[5., 3.], &[4., 4.], &[3., 3.],
    ]);
    let c = SCALE_0_5;
    // cohen(None, [0..5]), cohen("linear", [0..5]), cohen("quadratic", [0..5])
    coef(cohen_kappa(&m, &c, Identity), 0.3690851735015773);
    coef(cohen_kappa(&m, &c, Linear), 0.605263157894737);
    coef(cohen_kappa(&m, &c, Quadratic), 0.7852348993288591);
    // scikit-learn has no ordinal weights: irrCAC.table.CAC(pd.crosstab(r1, r2
    // over categories 0..5), weights="ordinal").cohen()
    coef(cohen_kappa(&m, &c, Ordinal), 0.733079122974261);
    // CAC(df, weights="ordinal", categories=[0..5]).gwet()
    gwet(
        gwet_ac(&m, &c, Ordinal),
        Gwet {
            coef: 0.843283582089553,
            se: 0.04858796862227,
            lo: 0.741587795008308,
            hi: 0.944979369170798,
            p: 4.1233683134578314e-13,
        },
    );
    // sm_fleiss; CAC(df, categories=[0..5]).fleiss() gives 0.367088607594937
    coef(fleiss_kappa(&m, &c), 0.36708860759493667);
    // alpha("ordinal", [0..5]), alpha("interval", [0..5])
    coef(
        krippendorff_alpha(&m, &c, AlphaLevel::Ordinal),
        0.759970457902511,
    );
    coef(
        krippendorff_alpha(&m, &c, AlphaLevel::Interval),
        0.7903225806451614,
    );
}

#[test]
fn fixed_pair_all_coefficients_together() {
    // One QA pair, 24 calls: 0 = fail, 1 = partial, 2 = pass.
    #[rustfmt::skip]
    let m = mat(&[
        &[2., 2.], &[2., 2.], &[1., 2.], &[2., 2.], &[0., 0.],
        &[2., 1.], &[2., 2.], &[1., 1.], &[2., 2.], &[0., 1.],
        &[2., 2.], &[2., 2.], &[1., 1.], &[2., 2.], &[2., 0.],
        &[2., 2.], &[1., 2.], &[2., 2.], &[0., 0.], &[2., 2.],
        &[2., 2.], &[1., 1.], &[2., 2.], &[2., 2.],
    ]);
    let c = [0., 1., 2.];
    // cohen(None, [0, 1, 2])
    coef(cohen_kappa(&m, &c, Weighting::Identity), 0.5804195804195804);
    // sm_fleiss; CAC(df, categories=[0, 1, 2]).fleiss() gives 0.580419580419581
    coef(fleiss_kappa(&m, &c), 0.5804195804195803);
    // alpha("nominal", [0, 1, 2])
    coef(
        krippendorff_alpha(&m, &c, AlphaLevel::Nominal),
        0.5891608391608392,
    );
    // CAC(df, categories=[0, 1, 2]).gwet()  (R gwet.ac1.raw: 0.72286, se 0.11871)
    gwet(
        gwet_ac(&m, &c, Weighting::Identity),
        Gwet {
            coef: 0.722863741339492,
            se: 0.118707645605508,
            lo: 0.47729826684273,
            hi: 0.968429215836253,
            p: 3.275605013675076e-06,
        },
    );
    // CAC(df, categories=[0, 1, 2]).gwet()["est"]["pa"]
    coef(
        percent_agreement(&m, &c, Weighting::Identity),
        0.791666666666667,
    );
}

#[test]
fn uneven_scale_ranks_for_cohen_values_for_irrcac() {
    #[rustfmt::skip]
    let m = mat(&[
        &[0., 0.], &[1., 2.], &[2., 2.], &[5., 5.], &[5., 2.],
        &[1., 1.], &[0., 1.], &[2., 5.], &[5., 5.], &[1., 1.],
    ]);
    let c = [0., 1., 2., 5.];
    // scikit-learn weights by label rank: cohen(W, [0, 1, 2, 5])
    coef(
        cohen_kappa(&m, &c, Weighting::Identity),
        0.45945945945945954,
    );
    coef(cohen_kappa(&m, &c, Weighting::Linear), 0.6610169491525424);
    coef(
        cohen_kappa(&m, &c, Weighting::Quadratic),
        0.8214285714285714,
    );
    // irrCAC (Python) weights by value: CAC(df, weights=W, categories=[0, 1, 2, 5]).gwet()
    // (R gwet.ac1.raw gives the same without categ.labels; with numeric
    // categ.labels R turns them into text and weights by rank: 0.68872 linear)
    coef(
        gwet_ac(&m, &c, Weighting::Linear).map(|r| r.coef),
        0.611650485436893,
    );
    coef(
        gwet_ac(&m, &c, Weighting::Quadratic).map(|r| r.coef),
        0.728260869565217,
    );
    // alpha("interval", [0, 1, 2, 5]), alpha("ordinal", [0, 1, 2, 5])
    coef(
        krippendorff_alpha(&m, &c, AlphaLevel::Interval),
        0.7293447293447293,
    );
    coef(
        krippendorff_alpha(&m, &c, AlphaLevel::Ordinal),
        0.8293689320388349,
    );
}

#[test]
fn one_item_has_no_standard_error() {
    let m = mat(&[&[1., 0.]]);
    // R gwet.ac1.raw(data.frame(1, 0), categ.labels=0:1): AC1 -1, se NA
    // (the Python port divides by zero).
    let r = gwet_ac(&m, &PASS_FAIL, Weighting::Identity);
    assert_eq!(
        r,
        Ok(GwetResult {
            coef: -1.0,
            se: None,
            ci_low: None,
            ci_high: None,
            p_value: None
        })
    );
    // cohen(None, [0, 1]) and alpha("nominal", [0, 1]) on the one item
    coef(cohen_kappa(&m, &PASS_FAIL, Weighting::Identity), 0.0);
    coef(krippendorff_alpha(&m, &PASS_FAIL, AlphaLevel::Nominal), 0.0);
}

#[test]
fn undefined_cases() {
    use Weighting::*;
    // No item with two ratings: irrCAC pa is nan (0/0); the krippendorff
    // package raises "at least one unit with values assigned by at least two coders".
    let singles = mat(&[&[1., NA, NA], &[NA, 0., NA], &[NA, NA, 1.]]);
    let none = Err(Undefined::NoPairableItem);
    assert_eq!(percent_agreement(&singles, &PASS_FAIL, Identity), none);
    assert_eq!(fleiss_kappa(&singles, &PASS_FAIL), none);
    assert_eq!(
        krippendorff_alpha(&singles, &PASS_FAIL, AlphaLevel::Nominal),
        none
    );
    assert_eq!(
        gwet_ac(&singles, &PASS_FAIL, Identity),
        Err(Undefined::NoPairableItem)
    );
    let empty = RatingMatrix::new(vec![]);
    assert_eq!(empty.n_raters(), 0);
    assert_eq!(percent_agreement(&empty, &PASS_FAIL, Identity), none);
    assert_eq!(
        gwet_ac(&empty, &PASS_FAIL, Identity),
        Err(Undefined::NoPairableItem)
    );
    assert_eq!(
        krippendorff_alpha(&empty, &PASS_FAIL, AlphaLevel::Interval),
        none
    );
    assert_eq!(
        Undefined::NoPairableItem.to_string(),
        "no item with two ratings"
    );

    // Cohen's kappa needs two raters on every item.
    let three = mat(&[&[1., 1., 0.], &[0., 0., 0.]]);
    let gap = mat(&[&[1., 1.], &[0., NA]]);
    for m in [&three, &gap] {
        let r = cohen_kappa(m, &PASS_FAIL, Identity);
        assert_eq!(r, Err(Undefined::NotTwoCompleteRaters));
    }
    assert_eq!(
        Undefined::NotTwoCompleteRaters.to_string(),
        "needs exactly two raters scoring every item"
    );
    assert_eq!(
        cohen_kappa(&empty, &PASS_FAIL, Identity),
        Err(Undefined::NotTwoCompleteRaters)
    );

    // A rating outside the declared scale is reported, not a panic.
    let bad = mat(&[&[1., 7.], &[0., 0.]]);
    let not_in = Err(Undefined::RatingNotInCategories(7.0));
    assert_eq!(percent_agreement(&bad, &PASS_FAIL, Identity), not_in);
    assert_eq!(cohen_kappa(&bad, &PASS_FAIL, Identity), not_in);
    assert_eq!(fleiss_kappa(&bad, &PASS_FAIL), not_in);
    assert_eq!(
        krippendorff_alpha(&bad, &PASS_FAIL, AlphaLevel::Ordinal),
        not_in
    );
    assert_eq!(
        gwet_ac(&bad, &PASS_FAIL, Quadratic),
        Err(Undefined::RatingNotInCategories(7.0))
    );
    assert!(matches!(
        percent_agreement(&mat(&[&[1.0, 0.5]]), &PASS_FAIL, Identity),
        Err(Undefined::RatingNotInCategories(v)) if v == 0.5
    ));

    // Ragged rows, bad scales.
    let ragged = RatingMatrix::new(vec![vec![Some(1.0), Some(1.0)], vec![Some(0.0)]]);
    assert_eq!(
        fleiss_kappa(&ragged, &PASS_FAIL),
        Err(Undefined::RaggedMatrix)
    );
    let ok = mat(&[&[1., 1.], &[0., 1.]]);
    assert_eq!(
        fleiss_kappa(&ok, &[0., 1., 1.]),
        Err(Undefined::InvalidCategories)
    );
    assert_eq!(
        fleiss_kappa(&ok, &[0., 1., f64::NAN]),
        Err(Undefined::InvalidCategories)
    );
    assert_eq!(
        gwet_ac(&ok, &[1.], Identity),
        Err(Undefined::TooFewCategories)
    );
    assert_eq!(
        cohen_kappa(&ok, &[], Identity),
        Err(Undefined::TooFewCategories)
    );
    // Percent agreement needs only one category.
    coef(percent_agreement(&mat(&[&[1., 1.]]), &[1.], Linear), 1.0);

    // Every reason has a short message.
    for u in [
        Undefined::TooFewCategories,
        Undefined::InvalidCategories,
        Undefined::RatingNotInCategories(3.5),
        Undefined::RaggedMatrix,
        Undefined::NoPairableItem,
        Undefined::OneCategoryOnly,
        Undefined::NotTwoCompleteRaters,
        Undefined::NotFinite,
    ] {
        assert!(!u.to_string().is_empty());
    }
}

#[test]
fn category_order_does_not_matter() {
    let m = raw_4raters();
    let shuffled = [3., 5., 1., 4., 2.];
    for w in [
        Weighting::Identity,
        Weighting::Ordinal,
        Weighting::Quadratic,
    ] {
        assert_eq!(gwet_ac(&m, &shuffled, w), gwet_ac(&m, &SCALE_1_5, w));
    }
    for level in [
        AlphaLevel::Nominal,
        AlphaLevel::Ordinal,
        AlphaLevel::Interval,
    ] {
        assert_eq!(
            krippendorff_alpha(&m, &shuffled, level),
            krippendorff_alpha(&m, &SCALE_1_5, level)
        );
    }
}

#[test]
fn landis_koch_boundaries() {
    let cases = [
        (-1.0, "poor"),
        (-0.0001, "poor"),
        (0.0, "slight"),
        (0.2, "slight"),
        (0.2001, "fair"),
        (0.4, "fair"),
        (0.4001, "moderate"),
        (0.6, "moderate"),
        (0.6001, "substantial"),
        (0.8, "substantial"),
        (0.8001, "almost perfect"),
        (1.0, "almost perfect"),
        (f64::NAN, "undefined"),
    ];
    for (v, label) in cases {
        assert_eq!(landis_koch(v), label, "{v}");
    }
}

/// Small deterministic sweep: whatever the data, results are finite or Undefined.
#[test]
fn never_nan_or_inf() {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move |n: u64| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state % n
    };
    let scale = [1., 2., 3.];
    for _ in 0..2000 {
        let items = 1 + next(6) as usize;
        let raters = 1 + next(4) as usize;
        let m = RatingMatrix::new(
            (0..items)
                .map(|_| {
                    (0..raters)
                        .map(|_| match next(5) {
                            0 => None,
                            k => Some(scale[(k as usize - 1) % 3]),
                        })
                        .collect()
                })
                .collect(),
        );
        for w in [
            Weighting::Identity,
            Weighting::Ordinal,
            Weighting::Linear,
            Weighting::Quadratic,
        ] {
            for v in [percent_agreement(&m, &scale, w), cohen_kappa(&m, &scale, w)]
                .into_iter()
                .flatten()
            {
                assert!(v.is_finite(), "{m:?}");
            }
            if let Ok(r) = gwet_ac(&m, &scale, w) {
                for v in [Some(r.coef), r.se, r.ci_low, r.ci_high, r.p_value]
                    .into_iter()
                    .flatten()
                {
                    assert!(v.is_finite(), "{m:?}");
                }
                assert!(r.ci_high.is_none_or(|h| h <= 1.0));
                assert!(r.p_value.is_none_or(|p| (0.0..=1.0).contains(&p)));
            }
        }
        if let Ok(v) = fleiss_kappa(&m, &scale) {
            assert!(v.is_finite(), "{m:?}");
        }
        for level in [
            AlphaLevel::Nominal,
            AlphaLevel::Ordinal,
            AlphaLevel::Interval,
        ] {
            if let Ok(v) = krippendorff_alpha(&m, &scale, level) {
                assert!(v.is_finite(), "{m:?}");
            }
        }
    }
}
