//! The statistics of an impact report, as pure functions: a rate (a share
//! of sessions) compared between two windows, a count of contacts compared
//! against the days each window lasted, the excess count an event caused,
//! a mean (QA score) compared, and the difference-in-differences against
//! the lines the event did not touch. Every test is two-sided at 95 %.

use statrs::distribution::{Beta, Binomial, ContinuousCDF, Discrete, Normal, StudentsT};

/// z for a two-sided 95 % interval.
const Z95: f64 = 1.959_963_984_540_054;

/// A test's result: its statistic, two-sided p-value and a 95 % interval
/// (of the difference for rates and means, of the rate ratio for counts).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tested {
    pub statistic: Option<f64>,
    pub p_value: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
}

impl Tested {
    pub const NONE: Tested = Tested {
        statistic: None,
        p_value: None,
        ci_low: None,
        ci_high: None,
    };
}

fn normal() -> Normal {
    // Mean 0, sd 1 is always a valid normal distribution.
    Normal::standard()
}

fn two_sided_normal_p(z: f64) -> f64 {
    2.0 * (1.0 - normal().cdf(z.abs()))
}

/// Two proportions x1/n1 and x2/n2: the pooled two-proportion z-test (as
/// statsmodels `proportions_ztest`) with Newcombe's hybrid score interval
/// for p1 − p2 (statsmodels `confint_proportions_2indep(method="newcomb")`).
/// No test when either window has no sessions; no z when the pooled rate
/// is 0 or 1 (nothing varies), though the interval still holds.
pub fn two_proportions(x1: u64, n1: u64, x2: u64, n2: u64) -> Tested {
    if n1 == 0 || n2 == 0 || x1 > n1 || x2 > n2 {
        return Tested::NONE;
    }
    let (x1f, n1f, x2f, n2f) = (x1 as f64, n1 as f64, x2 as f64, n2 as f64);
    let (p1, p2) = (x1f / n1f, x2f / n2f);
    let pooled = (x1f + x2f) / (n1f + n2f);
    let se = (pooled * (1.0 - pooled) * (1.0 / n1f + 1.0 / n2f)).sqrt();
    let (statistic, p_value) = if se > 0.0 {
        let z = (p1 - p2) / se;
        (Some(z), Some(two_sided_normal_p(z)))
    } else {
        (None, None)
    };
    let (l1, u1) = wilson(x1f, n1f);
    let (l2, u2) = wilson(x2f, n2f);
    let d = p1 - p2;
    Tested {
        statistic,
        p_value,
        ci_low: Some(d - ((p1 - l1).powi(2) + (u2 - p2).powi(2)).sqrt()),
        ci_high: Some(d + ((u1 - p1).powi(2) + (p2 - l2).powi(2)).sqrt()),
    }
}

/// Wilson's score interval for x/n (n > 0).
fn wilson(x: f64, n: f64) -> (f64, f64) {
    let p = x / n;
    let z2 = Z95 * Z95;
    let centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
    let half = Z95 / (1.0 + z2 / n) * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    (centre - half, centre + half)
}

/// Two Poisson counts with exposures (days): the exact conditional test of
/// equal rates — given k1 + k2, k1 is binomial with p = e1 / (e1 + e2) —
/// with the two-sided p-value as scipy `binomtest` sums it (every outcome
/// no likelier than the one seen), and the Clopper–Pearson interval of the
/// binomial share turned into an interval of the rate ratio
/// (k1/e1) / (k2/e2). statsmodels `test_poisson_2indep(method="exact-cond")`
/// gives the same p-value. No test without exposure or without contacts.
pub fn poisson_rates(k1: u64, e1: f64, k2: u64, e2: f64) -> Tested {
    let n = match k1.checked_add(k2) {
        Some(n) if n > 0 => n,
        _ => return Tested::NONE,
    };
    if !(e1 > 0.0 && e2 > 0.0 && e1.is_finite() && e2.is_finite()) {
        return Tested::NONE;
    }
    let p = e1 / (e1 + e2);
    let (share_low, share_high) = clopper_pearson(k1, n);
    // A share s of the contacts in the event window means a rate ratio of
    // s/(1−s) × e2/e1; s = 1 (no baseline contacts) is an unbounded ratio.
    let ratio = |s: f64| {
        if s >= 1.0 {
            f64::INFINITY
        } else {
            s / (1.0 - s) * e2 / e1
        }
    };
    let ratio_seen = if k2 == 0 {
        f64::INFINITY
    } else {
        (k1 as f64 / e1) / (k2 as f64 / e2)
    };
    Tested {
        statistic: Some(ratio_seen),
        p_value: binomial_two_sided(k1, n, p),
        ci_low: Some(ratio(share_low)),
        ci_high: Some(ratio(share_high)),
    }
}

/// Exact two-sided binomial p-value: the probability of every outcome no
/// likelier than `k` (scipy's relative tolerance 1e-7 for ties).
fn binomial_two_sided(k: u64, n: u64, p: f64) -> Option<f64> {
    let dist = Binomial::new(p, n).ok()?;
    let seen = dist.pmf(k) * (1.0 + 1e-7);
    let total: f64 = (0..=n).map(|i| dist.pmf(i)).filter(|&q| q <= seen).sum();
    Some(total.min(1.0))
}

/// Clopper–Pearson (exact) 95 % interval for k/n, n > 0.
fn clopper_pearson(k: u64, n: u64) -> (f64, f64) {
    let (kf, nf) = (k as f64, n as f64);
    let low = if k == 0 {
        0.0
    } else {
        Beta::new(kf, nf - kf + 1.0)
            .map(|b| b.inverse_cdf(0.025))
            .unwrap_or(0.0)
    };
    let high = if k == n {
        1.0
    } else {
        Beta::new(kf + 1.0, nf - kf)
            .map(|b| b.inverse_cdf(0.975))
            .unwrap_or(1.0)
    };
    (low, high)
}

/// The contacts an event caused: the count seen minus the count the
/// baseline rate predicts for the event's exposure, k1 − k2 × e1/e2, with
/// the interval k1 × (1 − 1/ratio) over the rate ratio's exact interval
/// (the count seen is fixed; what is uncertain is how many of them the
/// baseline rate would have brought anyway). With no contacts in the event
/// window the excess is minus the expected count, and its interval comes
/// from the exact Poisson interval of the baseline count.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Excess {
    pub expected: f64,
    pub excess: f64,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
}

pub fn excess_count(k1: u64, e1: f64, k2: u64, e2: f64) -> Option<Excess> {
    if !(e1 > 0.0 && e2 > 0.0 && e1.is_finite() && e2.is_finite()) {
        return None;
    }
    let scale = e1 / e2;
    let expected = k2 as f64 * scale;
    let excess = k1 as f64 - expected;
    let (ci_low, ci_high) = if k1 == 0 {
        let (low, high) = poisson_interval(k2);
        (Some(-high * scale), Some(-low * scale))
    } else {
        let t = poisson_rates(k1, e1, k2, e2);
        let attributable = |ratio: Option<f64>| ratio.map(|r| k1 as f64 * (1.0 - 1.0 / r));
        (attributable(t.ci_low), attributable(t.ci_high))
    };
    Some(Excess {
        expected,
        excess,
        ci_low,
        ci_high,
    })
}

/// Garwood's exact 95 % interval for a Poisson count (scipy
/// `chi2.ppf(0.025, 2k)/2`, `chi2.ppf(0.975, 2k+2)/2`).
fn poisson_interval(k: u64) -> (f64, f64) {
    use statrs::distribution::Gamma;
    let kf = k as f64;
    let low = if k == 0 {
        0.0
    } else {
        Gamma::new(kf, 1.0)
            .map(|g| g.inverse_cdf(0.025))
            .unwrap_or(0.0)
    };
    let high = Gamma::new(kf + 1.0, 1.0)
        .map(|g| g.inverse_cdf(0.975))
        .unwrap_or(f64::INFINITY);
    (low, high)
}

/// Two means (QA scores): Welch's t-test (scipy
/// `ttest_ind(a, b, equal_var=False)`) and the Welch interval of
/// mean(a) − mean(b). Needs two values on each side and some spread.
pub fn welch(a: &[f64], b: &[f64]) -> Tested {
    let (Some((ma, va)), Some((mb, vb))) = (mean_var(a), mean_var(b)) else {
        return Tested::NONE;
    };
    let (na, nb) = (a.len() as f64, b.len() as f64);
    let (sa, sb) = (va / na, vb / nb);
    let se = (sa + sb).sqrt();
    if se <= 0.0 {
        return Tested::NONE;
    }
    let df = (sa + sb).powi(2) / (sa * sa / (na - 1.0) + sb * sb / (nb - 1.0));
    let Ok(t_dist) = StudentsT::new(0.0, 1.0, df) else {
        return Tested::NONE;
    };
    let t = (ma - mb) / se;
    let q = t_dist.inverse_cdf(0.975);
    Tested {
        statistic: Some(t),
        p_value: Some(2.0 * (1.0 - t_dist.cdf(t.abs()))),
        ci_low: Some(ma - mb - q * se),
        ci_high: Some(ma - mb + q * se),
    }
}

/// Mean and sample variance, with at least two values.
fn mean_var(v: &[f64]) -> Option<(f64, f64)> {
    if v.len() < 2 {
        return None;
    }
    let n = v.len() as f64;
    let mean = v.iter().sum::<f64>() / n;
    let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    Some((mean, var))
}

/// Difference-in-differences of two rates: (p_e − p_b) − (q_e − q_b) for
/// the event's lines (p) and the control lines (q), with a Wald test and
/// interval (the four windows are independent samples). Arguments are
/// (successes, sessions) of event lines in the event window, event lines
/// in the baseline, control in the event window, control in the baseline.
pub fn did_proportions(cells: [(u64, u64); 4]) -> Tested {
    if cells.iter().any(|&(x, n)| n == 0 || x > n) {
        return Tested::NONE;
    }
    let p: Vec<f64> = cells.iter().map(|&(x, n)| x as f64 / n as f64).collect();
    let var: f64 = cells
        .iter()
        .zip(&p)
        .map(|(&(_, n), &q)| q * (1.0 - q) / n as f64)
        .sum();
    let d = (p[0] - p[1]) - (p[2] - p[3]);
    wald(d, var.sqrt())
}

/// Difference-in-differences of two contact rates, as a ratio of rate
/// ratios: (event lines' event/baseline rate) ÷ (control's), with a Wald
/// test and interval on the log scale (variance 1/k summed over the four
/// counts). Arguments are (count, exposure days) in the same order as
/// [`did_proportions`]. The statistic is the ratio; the interval is of the
/// ratio. No test when a count is 0 (the log is unbounded).
pub fn did_rates(cells: [(u64, f64); 4]) -> Tested {
    if cells.iter().any(|&(k, e)| k == 0 || e.is_nan() || e <= 0.0) {
        return Tested::NONE;
    }
    let rate = |i: usize| cells[i].0 as f64 / cells[i].1;
    let log_ratio = (rate(0) / rate(1)).ln() - (rate(2) / rate(3)).ln();
    let se = cells
        .iter()
        .map(|&(k, _)| 1.0 / k as f64)
        .sum::<f64>()
        .sqrt();
    let w = wald(log_ratio, se);
    Tested {
        statistic: Some(log_ratio.exp()),
        p_value: w.p_value,
        ci_low: w.ci_low.map(f64::exp),
        ci_high: w.ci_high.map(f64::exp),
    }
}

fn wald(estimate: f64, se: f64) -> Tested {
    if !(se > 0.0 && se.is_finite()) {
        return Tested {
            statistic: Some(estimate),
            ..Tested::NONE
        };
    }
    let z = estimate / se;
    Tested {
        statistic: Some(estimate),
        p_value: Some(two_sided_normal_p(z)),
        ci_low: Some(estimate - Z95 * se),
        ci_high: Some(estimate + Z95 * se),
    }
}
