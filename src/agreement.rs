//! Inter-rater agreement coefficients for QA calibration data.
//!
//! Every coefficient mirrors one published implementation so that results can
//! be checked against it number for number (see `tests/agreement_golden.rs`):
//!
//! * percent agreement, Gwet's AC1/AC2 and Fleiss' kappa: Gwet's irrCAC
//!   (`pa.coeff.raw`, `gwet.ac1.raw`, `fleiss.kappa.raw` in the R package,
//!   `irrCAC.raw.CAC` in its Python port; both compute the same estimates);
//! * Cohen's kappa: scikit-learn `cohen_kappa_score`;
//! * Krippendorff's alpha: the `krippendorff` Python package (`alpha`).
//!
//! Shared conventions:
//! * `categories` is the declared scale (e.g. `[0, 1]` for pass/fail), used or
//!   not. It is sorted ascending internally, so its order does not matter. A
//!   rating is matched to a category by exact equality.
//! * An item with no rating at all is dropped before anything is computed
//!   (irrCAC's Python port does `dropna(how="all")`; the R package asks the
//!   caller to drop such rows).
//! * Nothing here panics or returns NaN/inf: where a reference gives NaN, an
//!   error or a division by zero, the result is [`Undefined`] with the reason.

use std::fmt;

use statrs::distribution::{ContinuousCDF, StudentsT};

/// Items × raters; `None` = missing rating (N/A, or rater did not score the item).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RatingMatrix {
    /// One row per item; every row has one entry per rater.
    pub items: Vec<Vec<Option<f64>>>,
}

impl RatingMatrix {
    /// Wraps the rows as given; shape is checked by each coefficient.
    pub fn new(items: Vec<Vec<Option<f64>>>) -> Self {
        Self { items }
    }

    /// Number of raters (columns), taken from the first item; 0 when empty.
    pub fn n_raters(&self) -> usize {
        self.items.first().map_or(0, Vec::len)
    }
}

/// Agreement weights between categories (irrCAC's weight families).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Weighting {
    /// Unweighted: credit only for identical ratings (AC1, unweighted kappa).
    Identity,
    /// Gwet's ordinal weights, based on category ranks only.
    Ordinal,
    /// Linear in the distance between category values.
    Linear,
    /// Quadratic in the distance between category values.
    Quadratic,
}

/// Level of measurement for Krippendorff's alpha (its difference function).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AlphaLevel {
    /// δ = 0 if equal, 1 otherwise.
    Nominal,
    /// δ from the ranks of the pairable values (Krippendorff 2011, eq. for ordinal metric).
    Ordinal,
    /// δ = (c − k)².
    Interval,
}

/// Why a coefficient is undefined.
#[derive(Clone, Debug, PartialEq)]
pub enum Undefined {
    /// Fewer declared categories than the coefficient needs (two; one for percent agreement).
    TooFewCategories,
    /// Declared categories are not distinct finite numbers.
    InvalidCategories,
    /// A rating is not one of the declared categories (a caller bug).
    RatingNotInCategories(f64),
    /// Items do not all have the same number of raters.
    RaggedMatrix,
    /// No item was rated by two or more raters.
    NoPairableItem,
    /// All ratings fall in a single category, so chance agreement is 1 (0/0).
    OneCategoryOnly,
    /// Cohen's kappa needs exactly two raters and both ratings on every item.
    NotTwoCompleteRaters,
    /// A safety net: the arithmetic produced a non-finite number.
    NotFinite,
}

impl fmt::Display for Undefined {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooFewCategories => f.write_str("too few categories declared"),
            Self::InvalidCategories => f.write_str("categories must be distinct finite numbers"),
            Self::RatingNotInCategories(v) => {
                write!(f, "rating {v} is not one of the declared categories")
            }
            Self::RaggedMatrix => f.write_str("items have different numbers of raters"),
            Self::NoPairableItem => f.write_str("no item with two ratings"),
            Self::OneCategoryOnly => f.write_str("one category only"),
            Self::NotTwoCompleteRaters => {
                f.write_str("needs exactly two raters scoring every item")
            }
            Self::NotFinite => f.write_str("not a finite number"),
        }
    }
}

impl std::error::Error for Undefined {}

/// A coefficient, or the reason it is undefined.
pub type Coefficient = Result<f64, Undefined>;

/// Gwet's AC1/AC2 with irrCAC's inference (95% level, no finite-population correction).
#[derive(Clone, Debug, PartialEq)]
pub struct GwetResult {
    /// AC1 (identity weights) or AC2 (any other weights).
    pub coef: f64,
    /// Standard error; `None` with fewer than two rated items (irrCAC: NA).
    pub se: Option<f64>,
    /// `coef − t·se`, t the 97.5% Student quantile with n − 1 df; not capped.
    pub ci_low: Option<f64>,
    /// `min(1, coef + t·se)`.
    pub ci_high: Option<f64>,
    /// Two-sided p-value of H0: coefficient = 0, `2·P(T_{n−1} > |coef|/se)`.
    pub p_value: Option<f64>,
}

/// irrCAC's weight matrix for `categories` (rows and columns in ascending
/// category order), as `irrCAC.weights.Weights` / R `*.weights()` compute it:
///
/// * identity: `w_kl = [k = l]`;
/// * ordinal (ranks only): `m_kl = (|k−l|+1)·|k−l|/2`, `w_kl = 1 − m_kl / max m`;
/// * linear: `w_kl = 1 − |x_k − x_l| / (x_max − x_min)`;
/// * quadratic: `w_kl = 1 − (x_k − x_l)² / (x_max − x_min)²`.
///
/// Linear and quadratic use the category values, as the Python port does and
/// as R does for numeric ratings without `categ.labels`. A single category
/// gives `[[1]]` (R); if the values have no usable spread (all equal or not
/// finite) the values are replaced by their ranks, so no NaN is produced.
pub fn weights(categories: &[f64], w: Weighting) -> Vec<Vec<f64>> {
    let mut cats = categories.to_vec();
    cats.sort_by(f64::total_cmp);
    weight_matrix(&cats, w)
}

/// Percent agreement in irrCAC's pairwise form (`pa` of `pa.coeff.raw` and
/// `gwet.ac1.raw`): over the items with r_i ≥ 2 ratings,
/// `pa = mean_i Σ_k n_ik (Σ_l w_kl n_il − 1) / (r_i (r_i − 1))`.
/// Items with a single rating are left out.
pub fn percent_agreement(m: &RatingMatrix, categories: &[f64], w: Weighting) -> Coefficient {
    let t = Tally::new(m, categories, 1)?;
    let wm = weight_matrix(&t.cats, w);
    finite(t.percent_agreement(&wm)?)
}

/// Cohen's kappa as scikit-learn's `cohen_kappa_score(y1, y2,
/// labels=categories, weights=…)`: `κ = 1 − Σ d_kl O_kl / Σ d_kl E_kl`, O the
/// confusion matrix, E the product of the margins / N. The disagreement d uses
/// category ranks (scikit-learn's convention), not values: Identity `[k ≠ l]`,
/// Linear `|k − l|`, Quadratic `(k − l)²`; Ordinal, which scikit-learn lacks,
/// uses irrCAC's ordinal weights (`d = 1 − w`, as irrCAC's Cohen kappa for
/// tables). Defined only with exactly two raters rating every item.
pub fn cohen_kappa(m: &RatingMatrix, categories: &[f64], w: Weighting) -> Coefficient {
    let t = Tally::new(m, categories, 2)?;
    if m.n_raters() != 2 {
        return Err(Undefined::NotTwoCompleteRaters);
    }
    let q = t.cats.len();
    let mut confusion = vec![vec![0.0_f64; q]; q];
    let mut n = 0.0_f64;
    for row in &m.items {
        match row.as_slice() {
            [Some(a), Some(b)] => {
                let k = t.index_of(*a)?;
                let l = t.index_of(*b)?;
                confusion[k][l] += 1.0;
                n += 1.0;
            }
            _ => return Err(Undefined::NotTwoCompleteRaters),
        }
    }
    if n == 0.0 {
        return Err(Undefined::NoPairableItem);
    }
    let rows: Vec<f64> = confusion.iter().map(|r| r.iter().sum()).collect();
    let cols: Vec<f64> = (0..q)
        .map(|l| confusion.iter().map(|r| r[l]).sum())
        .collect();
    let used = (0..q).filter(|&k| rows[k] + cols[k] > 0.0).count();
    if used < 2 {
        return Err(Undefined::OneCategoryOnly);
    }
    let ordinal_max = ordinal_distance(q - 1);
    let mut observed = 0.0;
    let mut expected = 0.0;
    for k in 0..q {
        for l in 0..q {
            let gap = k.abs_diff(l);
            let d = match w {
                Weighting::Identity => {
                    if gap == 0 {
                        0.0
                    } else {
                        1.0
                    }
                }
                Weighting::Linear => gap as f64,
                Weighting::Quadratic => (gap * gap) as f64,
                Weighting::Ordinal => ordinal_distance(gap) / ordinal_max,
            };
            observed += d * confusion[k][l];
            expected += d * rows[k] * cols[l] / n;
        }
    }
    if expected <= 0.0 {
        return Err(Undefined::OneCategoryOnly);
    }
    finite(1.0 - observed / expected)
}

/// Fleiss' generalized kappa as irrCAC's `fleiss.kappa.raw` (unweighted),
/// which allows a different number of raters per item:
/// `κ = (pa − pe) / (1 − pe)`, pa as [`percent_agreement`], `pe = Σ_k π_k²`
/// with `π_k = mean_i n_ik / r_i` over all items with ≥ 1 rating. With the
/// same number of raters on every item this is statsmodels' `fleiss_kappa`.
/// Undefined when only one category is used (irrCAC returns 1 or divides by
/// zero there, depending on floating-point rounding of pe).
pub fn fleiss_kappa(m: &RatingMatrix, categories: &[f64]) -> Coefficient {
    let t = Tally::new(m, categories, 2)?;
    let wm = weight_matrix(&t.cats, Weighting::Identity);
    let pa = t.percent_agreement(&wm)?;
    let pi = t.classification_probabilities();
    if pi.iter().filter(|&&p| p > 0.0).count() < 2 {
        return Err(Undefined::OneCategoryOnly);
    }
    let pe: f64 = pi.iter().map(|p| p * p).sum();
    if pe >= 1.0 {
        return Err(Undefined::OneCategoryOnly);
    }
    finite((pa - pe) / (1.0 - pe))
}

/// Krippendorff's alpha as the `krippendorff` package's `alpha(reliability_data,
/// level_of_measurement, value_domain=categories)`: coincidences
/// `o_ck = Σ_u (n_uc n_uk − [c=k] n_uc) / (m_u − 1)` over units with m_u ≥ 2
/// values, `n_c = Σ_k o_ck`, `e_ck = (n_c n_k − [c=k] n_c) / (n − 1)`,
/// `α = 1 − Σ o δ / Σ e δ`. Declared but unused categories do not change it.
///
/// irrCAC's `krippen.alpha.raw` (unweighted) gives the same value as
/// `AlphaLevel::Nominal` (Gwet's rewriting of the same estimator).
pub fn krippendorff_alpha(m: &RatingMatrix, categories: &[f64], level: AlphaLevel) -> Coefficient {
    let t = Tally::new(m, categories, 2)?;
    let q = t.cats.len();
    let mut o = vec![vec![0.0_f64; q]; q];
    let mut pairable = false;
    for (counts, &r) in t.counts.iter().zip(&t.totals) {
        if r < 2.0 {
            continue;
        }
        pairable = true;
        for c in 0..q {
            for k in 0..q {
                let same = if c == k { counts[c] } else { 0.0 };
                o[c][k] += (counts[c] * counts[k] - same) / (r - 1.0);
            }
        }
    }
    if !pairable {
        return Err(Undefined::NoPairableItem);
    }
    let n_c: Vec<f64> = o.iter().map(|row| row.iter().sum()).collect();
    if n_c.iter().filter(|&&v| v > 0.0).count() < 2 {
        return Err(Undefined::OneCategoryOnly);
    }
    let n: f64 = n_c.iter().sum();
    let mut observed = 0.0;
    let mut expected = 0.0;
    for c in 0..q {
        for k in 0..q {
            let delta = alpha_distance(level, &t.cats, &n_c, c, k);
            let same = if c == k { n_c[c] } else { 0.0 };
            observed += o[c][k] * delta;
            expected += (n_c[c] * n_c[k] - same) / (n - 1.0) * delta;
        }
    }
    if expected <= 0.0 {
        return Err(Undefined::OneCategoryOnly);
    }
    finite(1.0 - observed / expected)
}

/// Gwet's AC1 (identity weights) / AC2 (other weights) as irrCAC's
/// `gwet.ac1.raw(weights, categ.labels=categories)` and Python `CAC.gwet()`:
///
/// * pa as [`percent_agreement`]; `π_k = (1/n) Σ_i n_ik / r_i` over the n
///   items with ≥ 1 rating;
/// * `pe = T_w Σ_k π_k (1 − π_k) / (q (q − 1))`, T_w the sum of all weights;
/// * `AC = (pa − pe) / (1 − pe)`.
///
/// Variance (Gwet 2008, irrCAC code), over all n items with ≥ 1 rating, n₂ of
/// which have ≥ 2: `AC_i = (n/n₂)(pa_i − pe·[r_i ≥ 2])/(1 − pe)`,
/// `pe_i = T_w/(q(q−1)) · Σ_k n_ik (1 − π_k) / r_i`,
/// `AC*_i = AC_i − 2(1 − AC)(pe_i − pe)/(1 − pe)`,
/// `var = Σ_i (AC*_i − AC)² / (n(n − 1))`; SE undefined for n < 2.
/// CI: `AC ± t_{0.975, n−1}·SE`, upper bound capped at 1, lower bound not
/// capped (as irrCAC). p-value two-sided, `2(1 − F_{n−1}(|AC|/SE))`, as the
/// Python port and irrCAC 1.0 on CRAN; the R sources since late 2021 report
/// the one-sided `1 − F_{n−1}(AC/SE)` instead. With SE = 0 (e.g. perfect
/// agreement on one category) p is 0, or 1 if AC = 0 (Python port).
pub fn gwet_ac(
    m: &RatingMatrix,
    categories: &[f64],
    w: Weighting,
) -> Result<GwetResult, Undefined> {
    let t = Tally::new(m, categories, 2)?;
    let q = t.cats.len() as f64;
    let wm = weight_matrix(&t.cats, w);
    let pa = t.percent_agreement(&wm)?;
    let pi = t.classification_probabilities();
    let w_sum: f64 = wm.iter().flatten().sum();
    let scale = w_sum / (q * (q - 1.0));
    let pe = scale * pi.iter().map(|p| p * (1.0 - p)).sum::<f64>();
    if pe.is_nan() || pe >= 1.0 {
        return Err(Undefined::NotFinite);
    }
    let coef = finite((pa - pe) / (1.0 - pe))?;

    let n = t.counts.len() as f64;
    let n2 = t.totals.iter().filter(|&&r| r >= 2.0).count() as f64;
    let mut result = GwetResult {
        coef,
        se: None,
        ci_low: None,
        ci_high: None,
        p_value: None,
    };
    if t.counts.len() < 2 {
        return Ok(result);
    }
    let mut ss = 0.0;
    for (counts, &r) in t.counts.iter().zip(&t.totals) {
        let (pa_i, pe_r2) = if r >= 2.0 {
            (item_agreement(counts, &wm) / (r * (r - 1.0)), pe)
        } else {
            // irrCAC divides by −1 here; the numerator is 0 for a single rating.
            (-item_agreement(counts, &wm), 0.0)
        };
        let ac_i = (n / n2) * (pa_i - pe_r2) / (1.0 - pe);
        let pe_i = scale
            * counts
                .iter()
                .zip(&pi)
                .map(|(c, p)| c * (1.0 - p))
                .sum::<f64>()
            / r;
        let ac_i_x = ac_i - 2.0 * (1.0 - coef) * (pe_i - pe) / (1.0 - pe);
        ss += (ac_i_x - coef).powi(2);
    }
    let se = (ss / (n * (n - 1.0))).sqrt();
    if !se.is_finite() {
        return Ok(result);
    }
    let Ok(dist) = StudentsT::new(0.0, 1.0, n - 1.0) else {
        return Ok(result);
    };
    let t975 = dist.inverse_cdf(0.975);
    let t_stat = if se > 0.0 {
        coef.abs() / se
    } else if coef == 0.0 {
        0.0
    } else {
        f64::INFINITY
    };
    let p = if t_stat.is_finite() {
        (2.0 * dist.sf(t_stat)).clamp(0.0, 1.0)
    } else {
        0.0
    };
    result.se = Some(se);
    result.ci_low = finite(coef - t975 * se).ok();
    result.ci_high = finite((coef + t975 * se).min(1.0)).ok();
    result.p_value = p.is_finite().then_some(p);
    Ok(result)
}

/// Landis & Koch (1977) benchmark label. Intervals are closed on the right:
/// `< 0` "poor", `≤ 0.20` "slight", `≤ 0.40` "fair", `≤ 0.60` "moderate",
/// `≤ 0.80` "substantial", above "almost perfect" (so 0.0 is "slight" and
/// 0.20 is still "slight"). NaN gives "undefined".
pub fn landis_koch(value: f64) -> &'static str {
    if value.is_nan() {
        "undefined"
    } else if value < 0.0 {
        "poor"
    } else if value <= 0.20 {
        "slight"
    } else if value <= 0.40 {
        "fair"
    } else if value <= 0.60 {
        "moderate"
    } else if value <= 0.80 {
        "substantial"
    } else {
        "almost perfect"
    }
}

/// Per-item category counts after validation.
struct Tally {
    /// Declared categories, ascending.
    cats: Vec<f64>,
    /// `n_ik` for every item with at least one rating.
    counts: Vec<Vec<f64>>,
    /// `r_i = Σ_k n_ik`, always ≥ 1.
    totals: Vec<f64>,
}

impl Tally {
    /// Validates categories (at least `min_categories`, distinct, finite), the
    /// matrix shape and every rating; drops items with no rating.
    fn new(m: &RatingMatrix, categories: &[f64], min_categories: usize) -> Result<Self, Undefined> {
        if categories.iter().any(|c| !c.is_finite()) {
            return Err(Undefined::InvalidCategories);
        }
        let mut cats = categories.to_vec();
        cats.sort_by(f64::total_cmp);
        if cats.windows(2).any(|p| p[0] == p[1]) {
            return Err(Undefined::InvalidCategories);
        }
        if cats.len() < min_categories {
            return Err(Undefined::TooFewCategories);
        }
        let width = m.n_raters();
        if m.items.iter().any(|row| row.len() != width) {
            return Err(Undefined::RaggedMatrix);
        }
        let mut tally = Self {
            cats,
            counts: Vec::new(),
            totals: Vec::new(),
        };
        for row in &m.items {
            let mut counts = vec![0.0; tally.cats.len()];
            let mut total = 0.0;
            for &v in row.iter().flatten() {
                counts[tally.index_of(v)?] += 1.0;
                total += 1.0;
            }
            if total > 0.0 {
                tally.counts.push(counts);
                tally.totals.push(total);
            }
        }
        Ok(tally)
    }

    fn index_of(&self, v: f64) -> Result<usize, Undefined> {
        self.cats
            .iter()
            .position(|&c| c == v)
            .ok_or(Undefined::RatingNotInCategories(v))
    }

    /// irrCAC's pa over items with ≥ 2 ratings.
    fn percent_agreement(&self, wm: &[Vec<f64>]) -> Coefficient {
        let mut sum = 0.0;
        let mut n2 = 0.0;
        for (counts, &r) in self.counts.iter().zip(&self.totals) {
            if r >= 2.0 {
                sum += item_agreement(counts, wm) / (r * (r - 1.0));
                n2 += 1.0;
            }
        }
        if n2 == 0.0 {
            return Err(Undefined::NoPairableItem);
        }
        Ok(sum / n2)
    }

    /// `π_k = (1/n) Σ_i n_ik / r_i` over all items with ≥ 1 rating.
    fn classification_probabilities(&self) -> Vec<f64> {
        let n = self.counts.len() as f64;
        let mut pi = vec![0.0; self.cats.len()];
        for (counts, &r) in self.counts.iter().zip(&self.totals) {
            for (p, c) in pi.iter_mut().zip(counts) {
                *p += c / r / n;
            }
        }
        pi
    }
}

/// `Σ_k n_ik (Σ_l w_kl n_il − 1)`: the weighted count of agreeing ordered
/// rating pairs on one item (irrCAC's `sum.q`).
fn item_agreement(counts: &[f64], wm: &[Vec<f64>]) -> f64 {
    counts
        .iter()
        .zip(wm)
        .map(|(n_k, w_row)| {
            let weighted: f64 = w_row.iter().zip(counts).map(|(w, n_l)| w * n_l).sum();
            n_k * (weighted - 1.0)
        })
        .sum()
}

/// `m = (g + 1) g / 2` for a rank gap g: irrCAC's ordinal disagreement.
fn ordinal_distance(gap: usize) -> f64 {
    (gap * (gap + 1)) as f64 / 2.0
}

/// Weight matrix for categories already sorted ascending.
fn weight_matrix(cats: &[f64], w: Weighting) -> Vec<Vec<f64>> {
    let q = cats.len();
    let ranks: Vec<f64> = (0..q).map(|k| k as f64).collect();
    let spread = match (cats.first(), cats.last()) {
        (Some(lo), Some(hi)) => hi - lo,
        _ => 0.0,
    };
    let (values, range) = if spread.is_finite() && spread > 0.0 {
        (cats, spread)
    } else {
        (ranks.as_slice(), q.saturating_sub(1) as f64)
    };
    let ordinal_max = ordinal_distance(q.saturating_sub(1));
    (0..q)
        .map(|k| {
            (0..q)
                .map(|l| {
                    if k == l {
                        return 1.0;
                    }
                    match w {
                        Weighting::Identity => 0.0,
                        Weighting::Ordinal => 1.0 - ordinal_distance(k.abs_diff(l)) / ordinal_max,
                        Weighting::Linear => 1.0 - (values[k] - values[l]).abs() / range,
                        Weighting::Quadratic => 1.0 - ((values[k] - values[l]) / range).powi(2),
                    }
                })
                .collect()
        })
        .collect()
}

/// Krippendorff's difference δ²_ck (the `krippendorff` package's metrics).
fn alpha_distance(level: AlphaLevel, cats: &[f64], n_c: &[f64], c: usize, k: usize) -> f64 {
    if c == k {
        return 0.0;
    }
    match level {
        AlphaLevel::Nominal => 1.0,
        AlphaLevel::Interval => (cats[c] - cats[k]).powi(2),
        AlphaLevel::Ordinal => {
            let (lo, hi) = (c.min(k), c.max(k));
            let between: f64 = n_c[lo..=hi].iter().sum();
            (between - (n_c[lo] + n_c[hi]) / 2.0).powi(2)
        }
    }
}

fn finite(x: f64) -> Coefficient {
    if x.is_finite() {
        Ok(x)
    } else {
        Err(Undefined::NotFinite)
    }
}
