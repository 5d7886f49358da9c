//! The quarterly review's statistics against reference values. Each value
//! was computed with the Python call in the comment beside it (scipy 1.x,
//! statsmodels, pymannkendall); Python is not needed to run the tests.

use csqa::stats::{benjamini_hochberg, mann_kendall, newcombe_diff, sen_slope, two_proportion_z};

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol
}

#[test]
fn mann_kendall_matches_pymannkendall_without_ties() {
    // pymannkendall.original_test([0.10,0.12,0.11,0.15,0.18,0.21]):
    // s=13, var_s=28.3333, z=2.2544074479065386, Tau=0.8666..., p=0.024170547174545254
    // By hand: 15 pairs, all rising but (0.12, 0.11): S = 14 - 1 = 13;
    // var = 6·5·17/18 = 28.33; z = (13-1)/√28.33 = 2.2544.
    let r = mann_kendall(&[0.10, 0.12, 0.11, 0.15, 0.18, 0.21]).expect("6 points");
    assert_eq!(r.s, 13.0);
    assert!(close(r.var_s, 28.333333333333332, 1e-12));
    assert!(close(r.z, 2.2544074479065386, 1e-12));
    assert!(close(r.tau, 0.8666666666666667, 1e-12));
    assert!(close(r.p, 0.024170547174545254, 1e-9));
}

#[test]
fn mann_kendall_corrects_the_variance_for_ties() {
    // pymannkendall.original_test([0.2,0.2,0.25,0.2,0.3,0.3,0.25]):
    // s=10, var_s=38.666666666666664, z=1.4473519220310231, Tau=0.47619047619047616,
    // p=0.14779838390287714. Ties: 0.2 ×3, 0.25 ×2, 0.3 ×2:
    // var = (7·6·19 − 3·2·11 − 2·1·9 − 2·1·9)/18 = (798 − 66 − 36)/18 = 38.67.
    let r = mann_kendall(&[0.2, 0.2, 0.25, 0.2, 0.3, 0.3, 0.25]).expect("7 points");
    assert_eq!(r.s, 10.0);
    assert!(close(r.var_s, 38.666666666666664, 1e-12));
    assert!(close(r.z, 1.4473519220310231, 1e-12));
    assert!(close(r.tau, 0.47619047619047616, 1e-12));
    assert!(close(r.p, 0.14779838390287714, 1e-9));
}

#[test]
fn mann_kendall_all_ties_and_short_series() {
    // pymannkendall.original_test([0.5]*5): s=0, var_s=0, z=0, Tau=0, p=1.0
    let r = mann_kendall(&[0.5; 5]).expect("5 points");
    assert_eq!((r.s, r.var_s, r.z, r.tau, r.p), (0.0, 0.0, 0.0, 0.0, 1.0));
    // pymannkendall.original_test([0.3,0.2,0.25,0.1]) (n < 5: computed, the
    // verdict is what says too few points): s=-4, var_s=8.6667,
    // z=-1.0190493307301363, Tau=-0.6666..., p=0.3081795474670539
    let r = mann_kendall(&[0.3, 0.2, 0.25, 0.1]).expect("4 points");
    assert_eq!(r.s, -4.0);
    assert!(close(r.z, -1.0190493307301363, 1e-12));
    assert!(close(r.tau, -0.6666666666666666, 1e-12));
    assert!(close(r.p, 0.3081795474670539, 1e-9));
    assert!(mann_kendall(&[0.3]).is_none());
    assert!(mann_kendall(&[]).is_none());
}

#[test]
fn sen_slope_matches_scipy_theilslopes() {
    // scipy.stats.theilslopes([0.10,0.12,0.11,0.15,0.18,0.21], [0,1,2,3,4,5])[0] == 0.022
    let y = [0.10, 0.12, 0.11, 0.15, 0.18, 0.21];
    let t = [0.0, 1.0, 2.0, 3.0, 4.0, 5.0];
    assert!(close(sen_slope(&t, &y).expect("slope"), 0.022, 1e-12));
    // A month with zero reviews leaves a gap at t=2:
    // scipy.stats.theilslopes([0.10,0.12,0.15,0.18,0.21], [0,1,3,4,5])[0] == 0.020999999999999998
    let y = [0.10, 0.12, 0.15, 0.18, 0.21];
    let t = [0.0, 1.0, 3.0, 4.0, 5.0];
    assert!(close(sen_slope(&t, &y).expect("slope"), 0.021, 1e-12));
    // With ties (21 slopes, several zero):
    // scipy.stats.theilslopes([0.2,0.2,0.25,0.2,0.3,0.3,0.25], range(7))[0] == 0.016666666666666663
    let y = [0.2, 0.2, 0.25, 0.2, 0.3, 0.3, 0.25];
    let t: Vec<f64> = (0..7).map(f64::from).collect();
    assert!(close(
        sen_slope(&t, &y).expect("slope"),
        0.016666666666666663,
        1e-12
    ));
    assert!(sen_slope(&[1.0], &[0.5]).is_none());
}

#[test]
fn benjamini_hochberg_matches_statsmodels() {
    // multipletests([0.01,0.04,0.03,0.20,0.005], method="fdr_bh")[1] ==
    // [0.025, 0.05, 0.05, 0.2, 0.025]: sorted 0.005·5/1=0.025, 0.01·5/2=0.025,
    // 0.03·5/3=0.05, 0.04·5/4=0.05, 0.2·5/5=0.2.
    let q = benjamini_hochberg(&[0.01, 0.04, 0.03, 0.20, 0.005]);
    let want = [0.025, 0.05, 0.05, 0.2, 0.025];
    for (a, b) in q.iter().zip(want) {
        assert!(close(*a, b, 1e-12), "{q:?}");
    }
    // multipletests([0.5,0.5,1.0], method="fdr_bh")[1] == [0.75, 0.75, 1.0]
    let q = benjamini_hochberg(&[0.5, 0.5, 1.0]);
    assert_eq!(q, vec![0.75, 0.75, 1.0]);
    assert!(benjamini_hochberg(&[]).is_empty());
}

#[test]
fn two_proportion_z_matches_proportions_ztest() {
    // proportions_ztest([30,18],[150,160]) == (2.1282530107725903, 0.03331611176253344)
    // pooled 48/310; z = (0.2 − 0.1125)/√(p(1−p)(1/150+1/160))
    let (z, p) = two_proportion_z(30, 150, 18, 160).expect("test");
    assert!(close(z, 2.1282530107725903, 1e-12));
    assert!(close(p, 0.03331611176253344, 1e-9));
    // proportions_ztest([5,5],[100,100]) == (0.0, 1.0)
    assert_eq!(two_proportion_z(5, 100, 5, 100), Some((0.0, 1.0)));
    // No reviews last quarter, or no defect anywhere: nothing to test.
    assert_eq!(two_proportion_z(5, 100, 0, 0), None);
    assert_eq!(two_proportion_z(0, 100, 0, 80), None);
}

#[test]
fn newcombe_difference_matches_statsmodels() {
    // confint_proportions_2indep(30,150,18,160, method="newcomb", compare="diff")
    // == (0.006540562446179565, 0.16918599942944168); diff = 0.2 − 0.1125 = 0.0875
    let (d, lo, hi) = newcombe_diff(30, 150, 18, 160).expect("interval");
    assert!(close(d, 0.0875, 1e-12));
    assert!(close(lo, 0.006540562446179565, 1e-12));
    assert!(close(hi, 0.16918599942944168, 1e-12));
    // A zero count: confint_proportions_2indep(0,40,3,60, method="newcomb",
    // compare="diff") == (-0.1370051647634852, 0.043577241915026516)
    let (d, lo, hi) = newcombe_diff(0, 40, 3, 60).expect("interval");
    assert!(close(d, -0.05, 1e-12));
    assert!(close(lo, -0.1370051647634852, 1e-12));
    assert!(close(hi, 0.043577241915026516, 1e-12));
    assert!(newcombe_diff(0, 0, 3, 60).is_none());
}
