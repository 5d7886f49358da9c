//! Small statistics for the quarterly review, as pure functions: the
//! Mann–Kendall trend test, Sen's (Theil–Sen) slope, Benjamini–Hochberg
//! q-values, the two-proportion z-test and Newcombe's interval for a
//! difference of proportions. Each follows the reference implementation
//! named on it, and the tests hold them to its values.

use statrs::distribution::{ContinuousCDF, Normal};

/// z of a two-sided 95 % interval.
pub const Z95: f64 = 1.959_963_984_540_054;

fn normal_cdf(z: f64) -> f64 {
    match Normal::new(0.0, 1.0) {
        Ok(n) => n.cdf(z),
        Err(_) => f64::NAN,
    }
}

/// Two-sided p-value of a standard normal statistic.
fn two_sided_p(z: f64) -> f64 {
    (2.0 * (1.0 - normal_cdf(z.abs()))).clamp(0.0, 1.0)
}

/// The Mann–Kendall test with the tie-corrected variance, as
/// `pymannkendall.original_test`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MannKendall {
    pub s: f64,
    pub var_s: f64,
    pub z: f64,
    /// Kendall's tau: S over the number of pairs.
    pub tau: f64,
    pub p: f64,
}

/// Mann–Kendall over a series in time order; None below two points. With
/// every value tied (S = 0, variance 0) there is no trend: z = 0, p = 1.
pub fn mann_kendall(x: &[f64]) -> Option<MannKendall> {
    let n = x.len();
    if n < 2 {
        return None;
    }
    let mut s = 0.0;
    for i in 0..n {
        for j in i + 1..n {
            s += sign(x[j] - x[i]);
        }
    }
    let nf = n as f64;
    let ties: f64 = tie_groups(x)
        .into_iter()
        .map(|t| {
            let t = t as f64;
            t * (t - 1.0) * (2.0 * t + 5.0)
        })
        .sum();
    let var_s = (nf * (nf - 1.0) * (2.0 * nf + 5.0) - ties) / 18.0;
    // Continuity correction towards zero.
    let z = if s > 0.0 && var_s > 0.0 {
        (s - 1.0) / var_s.sqrt()
    } else if s < 0.0 && var_s > 0.0 {
        (s + 1.0) / var_s.sqrt()
    } else {
        0.0
    };
    Some(MannKendall {
        s,
        var_s,
        z,
        tau: s / (0.5 * nf * (nf - 1.0)),
        p: two_sided_p(z),
    })
}

fn sign(d: f64) -> f64 {
    if d > 0.0 {
        1.0
    } else if d < 0.0 {
        -1.0
    } else {
        0.0
    }
}

/// Sizes of the groups of equal values (groups of one included).
fn tie_groups(x: &[f64]) -> Vec<usize> {
    let mut sorted = x.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mut groups = Vec::new();
    let mut i = 0;
    while i < sorted.len() {
        let mut j = i + 1;
        while j < sorted.len() && sorted[j] == sorted[i] {
            j += 1;
        }
        groups.push(j - i);
        i = j;
    }
    groups
}

/// Sen's slope: the median of the slopes between every two points with
/// different `t`, as `scipy.stats.theilslopes(y, t)`. `t` lets a month
/// without a point leave a gap. None without two distinct times.
pub fn sen_slope(t: &[f64], y: &[f64]) -> Option<f64> {
    let mut slopes = Vec::new();
    for i in 0..t.len().min(y.len()) {
        for j in i + 1..t.len().min(y.len()) {
            let dt = t[j] - t[i];
            if dt != 0.0 {
                slopes.push((y[j] - y[i]) / dt);
            }
        }
    }
    median(&mut slopes)
}

fn median(v: &mut [f64]) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let m = v.len() / 2;
    Some(if v.len() % 2 == 1 {
        v[m]
    } else {
        (v[m - 1] + v[m]) / 2.0
    })
}

/// Benjamini–Hochberg adjusted p-values (q-values), in the input order, as
/// `statsmodels.stats.multitest.multipletests(p, method="fdr_bh")[1]`.
pub fn benjamini_hochberg(p: &[f64]) -> Vec<f64> {
    let m = p.len();
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&a, &b| p[a].total_cmp(&p[b]));
    let mut q = vec![0.0; m];
    let mut running = 1.0_f64;
    for rank in (0..m).rev() {
        let i = order[rank];
        running = running.min(p[i] * m as f64 / (rank + 1) as f64);
        q[i] = running.min(1.0);
    }
    q
}

/// A two-proportion z-test with the pooled variance, as
/// `statsmodels.stats.proportion.proportions_ztest([x1, x2], [n1, n2])`:
/// (z, two-sided p). None when a group is empty or the pooled share is 0
/// or 1 (no variance to test against).
pub fn two_proportion_z(x1: u64, n1: u64, x2: u64, n2: u64) -> Option<(f64, f64)> {
    if n1 == 0 || n2 == 0 {
        return None;
    }
    let (x1, n1, x2, n2) = (x1 as f64, n1 as f64, x2 as f64, n2 as f64);
    let pooled = (x1 + x2) / (n1 + n2);
    let var = pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n2);
    if var <= 0.0 {
        return None;
    }
    let z = (x1 / n1 - x2 / n2) / var.sqrt();
    Some((z, two_sided_p(z)))
}

/// Wilson's score interval of a proportion.
pub fn wilson(x: u64, n: u64, z: f64) -> Option<(f64, f64)> {
    if n == 0 {
        return None;
    }
    let (x, n) = (x as f64, n as f64);
    let p = x / n;
    let z2 = z * z;
    let centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
    let half = z / (1.0 + z2 / n) * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    Some((centre - half, centre + half))
}

/// A difference of proportions p1 − p2 with Newcombe's hybrid score
/// interval (from the two Wilson intervals; 95 %), as
/// `statsmodels.stats.proportion.confint_proportions_2indep(x1, n1, x2, n2,
/// method="newcomb", compare="diff")`. None when a group is empty.
pub fn newcombe_diff(x1: u64, n1: u64, x2: u64, n2: u64) -> Option<(f64, f64, f64)> {
    let (l1, u1) = wilson(x1, n1, Z95)?;
    let (l2, u2) = wilson(x2, n2, Z95)?;
    let (p1, p2) = (x1 as f64 / n1 as f64, x2 as f64 / n2 as f64);
    let d = p1 - p2;
    let low = d - ((p1 - l1).powi(2) + (u2 - p2).powi(2)).sqrt();
    let high = d + ((u1 - p1).powi(2) + (p2 - l2).powi(2)).sqrt();
    Some((d, low, high))
}
