//! Sampling plans for reviewers (抽检): the practice's five strategies mixed
//! by a plan, drawn without replacement in a fixed order so that no session
//! is chosen twice, then assigned to reviewers, a share of them double-scored.
//!
//! Pure: candidates in, a plan and a seed in, assignments and the allocation
//! out. The order of drawing is risk, repeat visits, business targets, time
//! slots, random (which also takes what the others could not fill), then the
//! per-agent minimum. Every random choice comes from one seeded generator
//! over candidates sorted by session id, so a seed gives the same sample.

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;

use crate::rng::Rng;

// ---- the plan ----------------------------------------------------------

/// A strategy's size: an absolute number or a share of the plan's total.
#[derive(Debug, Clone, Copy, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Quota {
    pub quota: Option<u32>,
    pub share: Option<f64>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlotPlan {
    #[serde(flatten)]
    pub size: Quota,
    /// Local time-of-day ranges, "HH:MM" to "HH:MM" (the end excluded; a
    /// range may wrap past midnight).
    pub ranges: Vec<(String, String)>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BusinessTarget {
    pub business_line: Option<String>,
    pub category: Option<String>,
    pub quota: u32,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BusinessPlan {
    pub targets: Vec<BusinessTarget>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RiskTier {
    PublicOpinion,
    Complaint,
    BadRating,
}

impl RiskTier {
    pub fn as_str(self) -> &'static str {
        match self {
            RiskTier::PublicOpinion => "public_opinion",
            RiskTier::Complaint => "complaint",
            RiskTier::BadRating => "bad_rating",
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RiskPlan {
    #[serde(flatten)]
    pub size: Quota,
    /// Priority order, highest first.
    #[serde(default = "default_tiers")]
    pub tiers: Vec<RiskTier>,
    /// A rating at or below this is a bad rating.
    #[serde(default = "default_bad_rating")]
    pub bad_rating_max: i64,
}

fn default_tiers() -> Vec<RiskTier> {
    vec![
        RiskTier::PublicOpinion,
        RiskTier::Complaint,
        RiskTier::BadRating,
    ]
}

fn default_bad_rating() -> i64 {
    2
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RepeatPlan {
    #[serde(flatten)]
    pub size: Quota,
    /// Narrow repeat visits to these lines or categories (empty: all).
    #[serde(default)]
    pub business_lines: Vec<String>,
    #[serde(default)]
    pub categories: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReviewerPlan {
    pub id: String,
    /// Most sessions this reviewer takes in the plan.
    pub capacity: u32,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    /// The plan's size; strategies given as a `share` are shares of it, and
    /// random sampling fills up to it.
    pub total: Option<u32>,
    pub seed: Option<u64>,
    /// Every agent with sessions in the window gets at least this many.
    #[serde(default)]
    pub per_agent_min: u32,
    /// The most sessions the plan draws, the per-agent top-up included: the
    /// top-up stops there, spread evenly over the agents still short.
    pub max_total: Option<u32>,
    /// Share of the sampled sessions scored by two reviewers (AB calibration).
    #[serde(default)]
    pub double_scored_share: f64,
    pub risk: Option<RiskPlan>,
    pub repeat: Option<RepeatPlan>,
    pub business: Option<BusinessPlan>,
    pub slots: Option<SlotPlan>,
    pub random: Option<Quota>,
    #[serde(default)]
    pub reviewers: Vec<ReviewerPlan>,
}

impl Plan {
    /// Check what serde cannot: sizes, shares and slot times.
    pub fn check(&self) -> Result<(), String> {
        self.check_sizes()?;
        let share_ok = |s: Option<f64>| s.is_none_or(|s| (0.0..=1.0).contains(&s));
        for (name, q) in self.quotas() {
            if !share_ok(q.share) {
                return Err(format!("[sampling.{name}] share must lie in 0..=1"));
            }
            if q.share.is_some() && self.total.is_none() {
                return Err(format!("[sampling.{name}] share needs [sampling] total"));
            }
            if q.share.is_some() && q.quota.is_some() {
                return Err(format!("[sampling.{name}] has both quota and share"));
            }
        }
        if !(0.0..=1.0).contains(&self.double_scored_share) {
            return Err("[sampling] double_scored_share must lie in 0..=1".into());
        }
        if let Some(s) = &self.slots {
            for (a, b) in &s.ranges {
                for t in [a, b] {
                    minute_of_day(t).ok_or_else(|| {
                        format!("[sampling.slots] \"{t}\" is not a time like \"11:30\"")
                    })?;
                }
            }
        }
        let ids: BTreeSet<&str> = self.reviewers.iter().map(|r| r.id.as_str()).collect();
        if ids.len() != self.reviewers.len() {
            return Err("[[sampling.reviewers]] lists a reviewer twice".into());
        }
        Ok(())
    }

    /// The strategies' sizes must add up to a number the plan can count
    /// (u32), and `max_total` may only cap the per-agent top-up: it is at
    /// least `total` and the strategies' sizes together.
    fn check_sizes(&self) -> Result<(), String> {
        let mut sizes: Vec<(String, u64)> = self
            .quotas()
            .into_iter()
            .map(|(name, q)| (format!("[sampling.{name}] quota"), u64::from(self.size(q))))
            .collect();
        if let Some(b) = &self.business {
            sizes.extend(b.targets.iter().map(|t| {
                (
                    "[sampling.business] targets quota".to_string(),
                    u64::from(t.quota),
                )
            }));
        }
        let mut sum: u64 = 0;
        for (key, n) in &sizes {
            sum = sum
                .checked_add(*n)
                .filter(|s| *s <= u64::from(u32::MAX))
                .ok_or_else(|| {
                    format!(
                        "{key}: the strategies' quotas add up past {}, more than a plan can hold",
                        u32::MAX
                    )
                })?;
        }
        if let Some(max) = self.max_total {
            let floor = sum.max(self.total.map_or(0, u64::from));
            if u64::from(max) < floor {
                return Err(format!(
                    "[sampling] max_total {max} is below total and the strategies' quotas ({floor}): it caps only the per-agent top-up"
                ));
            }
        }
        Ok(())
    }

    fn quotas(&self) -> Vec<(&'static str, Quota)> {
        let mut q = Vec::new();
        if let Some(r) = &self.risk {
            q.push(("risk", r.size));
        }
        if let Some(r) = &self.repeat {
            q.push(("repeat", r.size));
        }
        if let Some(s) = &self.slots {
            q.push(("slots", s.size));
        }
        if let Some(r) = &self.random {
            q.push(("random", *r));
        }
        q
    }

    fn size(&self, q: Quota) -> u32 {
        match (q.quota, q.share, self.total) {
            (Some(n), _, _) => n,
            (None, Some(s), Some(t)) => (s * f64::from(t)).round() as u32,
            _ => 0,
        }
    }
}

/// "HH:MM" as minutes after midnight.
pub fn minute_of_day(text: &str) -> Option<u32> {
    let (h, m) = text.split_once(':')?;
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60).then_some(h * 60 + m)
}

// ---- candidates and results --------------------------------------------

/// A session that started in the window, as sampling sees it.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub session_id: String,
    pub business_line: String,
    pub category: Option<String>,
    pub agent_id: Option<String>,
    /// `started_at` in microseconds since the epoch.
    pub started_at: i64,
    /// Local minutes after midnight of its start.
    pub minute: u32,
    pub complaint: bool,
    pub public_opinion: bool,
    pub rating: Option<i64>,
    pub is_repeat: bool,
    /// Already reviewed: counts for slot inflow, never drawn.
    pub reviewed: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Drawn {
    /// Index into the candidates.
    pub candidate: usize,
    pub strategy: &'static str,
    pub reason: String,
}

/// One line of the allocation: what the plan asked of a strategy (or of a
/// slot, target or tier) and what it got.
#[derive(Debug, Clone, PartialEq)]
pub struct Allocation {
    pub strategy: &'static str,
    pub part: String,
    pub planned: u32,
    pub drawn: u32,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Assignment {
    pub candidate: usize,
    pub strategy: &'static str,
    pub reason: String,
    pub reviewer_id: Option<String>,
    pub calibration_round: Option<String>,
}

pub struct Sample {
    pub assignments: Vec<Assignment>,
    pub allocation: Vec<Allocation>,
}

/// Draw the plan. `round` names the calibration round of double-scored
/// sessions; `window_hours` only words the repeat reason. The strategies
/// draw in the practice's order, so that no session is chosen twice; each
/// returns what it planned but could not fill, for random to take.
pub fn draw(
    candidates: &[Candidate],
    plan: &Plan,
    seed: u64,
    round: &str,
    window_hours: u32,
) -> Sample {
    // A stable base order, whatever order the data came in.
    let mut order: Vec<usize> = (0..candidates.len()).collect();
    order.sort_by(|&a, &b| candidates[a].session_id.cmp(&candidates[b].session_id));
    let mut d = Drawer {
        candidates,
        order,
        taken: BTreeSet::new(),
        drawn: Vec::new(),
        allocation: Vec::new(),
        rng: Rng::new(seed),
    };
    // Plan::check keeps every quota sum within u32; saturating arithmetic
    // keeps an unchecked plan from wrapping all the same.
    let mut shortfall = 0u32;
    if let Some(risk) = &plan.risk {
        shortfall = shortfall.saturating_add(d.risk(risk, plan.size(risk.size)));
    }
    if let Some(repeat) = &plan.repeat {
        shortfall =
            shortfall.saturating_add(d.repeat(repeat, plan.size(repeat.size), window_hours));
    }
    if let Some(business) = &plan.business {
        shortfall = shortfall.saturating_add(d.business(business));
    }
    if let Some(slots) = &plan.slots {
        shortfall = shortfall.saturating_add(d.slots(slots, plan.size(slots.size)));
    }
    d.random(plan, shortfall);
    if plan.per_agent_min > 0 {
        top_up_agents(&mut d, plan);
    }

    let assignments = assign(&d.drawn, plan, round, &mut d.rng, &mut d.allocation);
    Sample {
        assignments,
        allocation: d.allocation,
    }
}

/// "only N unreviewed sessions" when a part drew less than it planned.
fn short_note(got: u32, want: u32) -> String {
    if got < want {
        format!("only {got} unreviewed sessions")
    } else {
        String::new()
    }
}

impl Drawer<'_> {
    /// Risk tiers in the plan's priority order, random within a tier.
    fn risk(&mut self, risk: &RiskPlan, planned: u32) -> u32 {
        let mut left = planned;
        for (k, tier) in risk.tiers.iter().enumerate() {
            let pool = self.pool(|c| risk_tier(c, &risk.tiers, risk.bad_rating_max) == Some(*tier));
            let got = self.take(&pool, left, "risk", || tier.as_str().to_string());
            // A tier's line plans what the tiers before it left: say where
            // what it could not fill went, so 30 planned and 0 drawn is
            // not read as a tier missed.
            let note = match (got < left, risk.tiers.get(k + 1)) {
                (false, _) => String::new(),
                (true, Some(next)) => format!(
                    "only {got} in the window; {} passed to {}",
                    left - got,
                    next.as_str()
                ),
                (true, None) => format!("only {got} in the window"),
            };
            self.allocate("risk", tier.as_str(), left, got, &note);
            left -= got;
        }
        self.total_note("risk", planned, planned - left)
    }

    /// Repeat visits within the FCR window, optionally narrowed.
    fn repeat(&mut self, repeat: &RepeatPlan, want: u32, window_hours: u32) -> u32 {
        let narrowed = |c: &Candidate| {
            (repeat.business_lines.is_empty() || repeat.business_lines.contains(&c.business_line))
                && (repeat.categories.is_empty()
                    || c.category
                        .as_ref()
                        .is_some_and(|k| repeat.categories.contains(k)))
        };
        let pool = self.pool(|c| c.is_repeat && narrowed(c));
        let reason = format!("repeat within {window_hours}h");
        let got = self.take(&pool, want, "repeat", || reason.clone());
        self.total_note("repeat", want, got)
    }

    /// Each business target's quota from its line and/or category.
    fn business(&mut self, business: &BusinessPlan) -> u32 {
        let mut shortfall = 0u32;
        for t in &business.targets {
            let pool = self.pool(|c| {
                t.business_line
                    .as_ref()
                    .is_none_or(|l| *l == c.business_line)
                    && t.category
                        .as_ref()
                        .is_none_or(|k| c.category.as_ref() == Some(k))
            });
            let label = [t.business_line.as_deref(), t.category.as_deref()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" / ");
            let got = self.take(&pool, t.quota, "business", || label.clone());
            shortfall = shortfall.saturating_add(t.quota - got);
            self.allocate("business", &label, t.quota, got, &short_note(got, t.quota));
        }
        shortfall
    }

    /// Time slots, the quota split by each slot's inflow (every session that
    /// started in it, reviewed or not) with largest-remainder rounding.
    fn slots(&mut self, slots: &SlotPlan, want: u32) -> u32 {
        let ranges: Vec<(u32, u32, String)> = slots
            .ranges
            .iter()
            .filter_map(|(a, b)| Some((minute_of_day(a)?, minute_of_day(b)?, format!("{a}-{b}"))))
            .collect();
        let inflow: Vec<u32> = ranges
            .iter()
            .map(|(a, b, _)| {
                self.candidates
                    .iter()
                    .filter(|c| in_slot(c.minute, *a, *b))
                    .count() as u32
            })
            .collect();
        let shares = largest_remainder(want, &inflow);
        let mut got_all = 0u32;
        for ((a, b, label), n) in ranges.iter().zip(shares) {
            let pool = self.pool(|c| in_slot(c.minute, *a, *b));
            let reason = format!("slot {label}");
            let got = self.take(&pool, n, "slot", || reason.clone());
            self.allocate("slot", label, n, got, &short_note(got, n));
            got_all = got_all.saturating_add(got);
        }
        want.saturating_sub(got_all)
    }

    /// Random takes its own quota, what the others could not fill, and what
    /// is left of the total; without random or a total, a shortfall is
    /// recorded as unfilled.
    fn random(&mut self, plan: &Plan, shortfall: u32) {
        let drawn_so_far = u32::try_from(self.drawn.len()).unwrap_or(u32::MAX);
        let planned_so_far = drawn_so_far.saturating_add(shortfall);
        let random_own = plan.random.map(|q| plan.size(q)).unwrap_or(0);
        let up_to_total = plan
            .total
            .map(|t| t.saturating_sub(planned_so_far.saturating_add(random_own)))
            .unwrap_or(0);
        if plan.random.is_some() || plan.total.is_some() {
            let want = random_own
                .saturating_add(shortfall)
                .saturating_add(up_to_total);
            let pool = self.pool(|_| true);
            let got = self.take(&pool, want, "random", || "random".to_string());
            let mut note = Vec::new();
            if shortfall > 0 {
                note.push(format!("{shortfall} from strategies that could not fill"));
            }
            if got < want {
                note.push(format!("only {got} unreviewed sessions left"));
            }
            self.allocate("random", "", want, got, &note.join("; "));
        } else if shortfall > 0 {
            self.allocate(
                "unfilled",
                "",
                shortfall,
                0,
                "no random strategy or total to take the remainder",
            );
        }
    }
}

struct Drawer<'a> {
    candidates: &'a [Candidate],
    order: Vec<usize>,
    taken: BTreeSet<usize>,
    drawn: Vec<Drawn>,
    allocation: Vec<Allocation>,
    rng: Rng,
}

impl Drawer<'_> {
    /// Unreviewed, not yet drawn candidates matching `keep`, in base order.
    fn pool(&self, keep: impl Fn(&Candidate) -> bool) -> Vec<usize> {
        self.order
            .iter()
            .copied()
            .filter(|i| !self.taken.contains(i))
            .filter(|&i| !self.candidates[i].reviewed && keep(&self.candidates[i]))
            .collect()
    }

    /// Draw up to `n` at random from `pool`; returns how many.
    fn take(
        &mut self,
        pool: &[usize],
        n: u32,
        strategy: &'static str,
        reason: impl Fn() -> String,
    ) -> u32 {
        let picks = self.rng.choose(pool.len(), n as usize);
        for p in &picks {
            self.taken.insert(pool[*p]);
            self.drawn.push(Drawn {
                candidate: pool[*p],
                strategy,
                reason: reason(),
            });
        }
        picks.len() as u32
    }

    fn allocate(
        &mut self,
        strategy: &'static str,
        part: &str,
        planned: u32,
        drawn: u32,
        note: &str,
    ) {
        self.allocation.push(Allocation {
            strategy,
            part: part.to_string(),
            planned,
            drawn,
            note: note.to_string(),
        });
    }

    /// A strategy's total line; returns its shortfall.
    fn total_note(&mut self, strategy: &'static str, planned: u32, drawn: u32) -> u32 {
        let note = if drawn < planned {
            format!("short by {}, passed to random", planned - drawn)
        } else {
            String::new()
        };
        self.allocate(strategy, "", planned, drawn, &note);
        planned - drawn
    }
}

/// `per_agent_min`: every agent with sessions in the window is topped up to
/// the minimum, within what `max_total` leaves. When the cap binds, the
/// sessions left are spread evenly over the agents still short (`fair_split`)
/// rather than going to the first agents by id.
fn top_up_agents(d: &mut Drawer, plan: &Plan) {
    let candidates = d.candidates;
    let mut per_agent: BTreeMap<&str, u32> = BTreeMap::new();
    for dr in &d.drawn {
        if let Some(a) = &candidates[dr.candidate].agent_id {
            let n = per_agent.entry(a).or_default();
            *n = n.saturating_add(1);
        }
    }
    let agents: BTreeSet<&str> = candidates
        .iter()
        .filter_map(|c| c.agent_id.as_deref())
        .collect();
    // Per agent still short: its pool, and what it needs (at most the pool).
    let mut short: Vec<(&str, Vec<usize>, u64, u64)> = Vec::new();
    let mut want_all: u64 = 0;
    for agent in agents {
        let have = per_agent.get(agent).copied().unwrap_or(0);
        let want = plan.per_agent_min.saturating_sub(have);
        if want == 0 {
            continue;
        }
        want_all += u64::from(want);
        let pool = d.pool(|c| c.agent_id.as_deref() == Some(agent));
        let need = u64::from(want).min(pool.len() as u64);
        short.push((agent, pool, u64::from(have), need));
    }
    let haves: Vec<u64> = short.iter().map(|s| s.2).collect();
    let needs: Vec<u64> = short.iter().map(|s| s.3).collect();
    let need_all: u64 = needs.iter().sum();
    let budget = plan
        .max_total
        .map(|m| u64::from(m).saturating_sub(d.drawn.len() as u64));
    let capped = budget.is_some_and(|b| b < need_all);
    let allotted = match budget {
        Some(b) if capped => fair_split(b, &haves, &needs),
        _ => needs.clone(),
    };
    let (mut got_all, mut cut_short) = (0u64, 0usize);
    for ((agent, pool, _, need), n) in short.iter().zip(allotted) {
        let n = u32::try_from(n).unwrap_or(u32::MAX);
        let got = d.take(pool, n, "agent_minimum", || {
            format!("agent {agent} minimum")
        });
        got_all += u64::from(got);
        if u64::from(got) < *need {
            cut_short += 1;
        }
    }
    let mut note = Vec::new();
    if capped {
        note.push(format!(
            "capped by max_total {}: {cut_short} agents below per_agent_min",
            plan.max_total.unwrap_or_default()
        ));
    }
    if need_all < want_all {
        note.push(format!(
            "{} sessions short: agents without enough unreviewed sessions",
            want_all - need_all
        ));
    }
    let clamp = |n: u64| u32::try_from(n).unwrap_or(u32::MAX);
    d.allocate(
        "agent_minimum",
        "",
        clamp(want_all),
        clamp(got_all),
        &note.join("; "),
    );
}

/// Split `budget` over parts that hold `have[i]` and may take up to
/// `need[i]` more, raising the lowest first (water-filling): the level L is
/// the highest at which every part is filled to min(L, have + need) within
/// the budget, and what is left goes one each to the earliest parts that
/// can still take one. Everything needed, when the budget allows.
pub fn fair_split(budget: u64, have: &[u64], need: &[u64]) -> Vec<u64> {
    let at_level = |level: u64| -> Vec<u64> {
        have.iter()
            .zip(need)
            .map(|(&h, &n)| level.saturating_sub(h).min(n))
            .collect()
    };
    let cost = |level: u64| {
        at_level(level)
            .iter()
            .fold(0u64, |s, &x| s.saturating_add(x))
    };
    let top = have
        .iter()
        .zip(need)
        .map(|(&h, &n)| h.saturating_add(n))
        .max()
        .unwrap_or(0);
    // The highest level within budget, by bisection (cost grows with it).
    let (mut lo, mut hi) = (0u64, top);
    while lo < hi {
        let mid = lo + (hi - lo).div_ceil(2);
        if cost(mid) <= budget {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    let mut out = at_level(lo);
    let mut left = budget.saturating_sub(cost(lo));
    for (i, x) in out.iter_mut().enumerate() {
        if left == 0 {
            break;
        }
        if *x < need[i] && have[i] + *x == lo {
            *x += 1;
            left -= 1;
        }
    }
    out
}

/// The highest tier (in priority order) a session belongs to.
fn risk_tier(c: &Candidate, tiers: &[RiskTier], bad_rating_max: i64) -> Option<RiskTier> {
    tiers.iter().copied().find(|t| match t {
        RiskTier::PublicOpinion => c.public_opinion,
        RiskTier::Complaint => c.complaint,
        RiskTier::BadRating => c.rating.is_some_and(|r| r <= bad_rating_max),
    })
}

fn in_slot(minute: u32, from: u32, to: u32) -> bool {
    if from < to {
        minute >= from && minute < to
    } else {
        minute >= from || minute < to
    }
}

/// Split `total` in proportion to `weights` with whole numbers that sum to
/// `total` (Hamilton's largest-remainder method; ties to the earlier part).
/// All weights zero: nothing is allocated.
pub fn largest_remainder(total: u32, weights: &[u32]) -> Vec<u32> {
    let sum: u64 = weights.iter().map(|&w| u64::from(w)).sum();
    if sum == 0 {
        return vec![0; weights.len()];
    }
    let exact: Vec<(u64, u64)> = weights
        .iter()
        .map(|&w| {
            let num = u64::from(total) * u64::from(w);
            (num / sum, num % sum)
        })
        .collect();
    let mut out: Vec<u32> = exact.iter().map(|(q, _)| *q as u32).collect();
    let left = total - out.iter().sum::<u32>();
    let mut by_remainder: Vec<usize> = (0..weights.len()).collect();
    by_remainder.sort_by(|&a, &b| exact[b].1.cmp(&exact[a].1).then(a.cmp(&b)));
    for &i in by_remainder.iter().take(left as usize) {
        out[i] += 1;
    }
    out
}

/// Reviewers for the drawn sessions: a seeded share is double-scored (two
/// distinct reviewers and a shared calibration round); each task goes to the
/// reviewer with the most capacity left (ties by id), never twice to one
/// reviewer for one session. Without reviewers, tasks are left unassigned.
fn assign(
    drawn: &[Drawn],
    plan: &Plan,
    round: &str,
    rng: &mut Rng,
    allocation: &mut Vec<Allocation>,
) -> Vec<Assignment> {
    let n_double = if plan.reviewers.len() >= 2 {
        (plan.double_scored_share * drawn.len() as f64).round() as usize
    } else {
        0
    };
    let double: BTreeSet<usize> = rng.choose(drawn.len(), n_double).into_iter().collect();
    let mut left: BTreeMap<&str, u32> = plan
        .reviewers
        .iter()
        .map(|r| (r.id.as_str(), r.capacity))
        .collect();
    let mut out = Vec::new();
    let mut unassigned = 0;
    for (i, dr) in drawn.iter().enumerate() {
        let tasks = if double.contains(&i) { 2 } else { 1 };
        let mut used: Vec<&str> = Vec::new();
        for _ in 0..tasks {
            let reviewer = left
                .iter()
                .filter(|(id, cap)| **cap > 0 && !used.contains(id))
                .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
                .map(|(id, _)| *id);
            if let Some(id) = reviewer {
                if let Some(cap) = left.get_mut(id) {
                    *cap -= 1;
                }
                used.push(id);
            } else if !plan.reviewers.is_empty() {
                unassigned += 1;
            }
            out.push(Assignment {
                candidate: dr.candidate,
                strategy: dr.strategy,
                reason: dr.reason.clone(),
                reviewer_id: reviewer.map(str::to_string),
                calibration_round: (tasks == 2).then(|| round.to_string()),
            });
            if plan.reviewers.is_empty() {
                break;
            }
        }
    }
    if plan.double_scored_share > 0.0 {
        let note = if plan.reviewers.len() < 2 {
            "needs at least two reviewers".to_string()
        } else {
            String::new()
        };
        let planned = (plan.double_scored_share * drawn.len() as f64).round() as u32;
        allocation.push(Allocation {
            strategy: "double_scored",
            part: round.to_string(),
            planned,
            drawn: n_double as u32,
            note,
        });
    }
    if unassigned > 0 {
        allocation.push(Allocation {
            strategy: "unassigned",
            part: String::new(),
            planned: 0,
            drawn: unassigned,
            note: "reviewer capacity exhausted".into(),
        });
    }
    out
}

/// Cochran's sample size for a proportion (p = 0.5, the most conservative)
/// with the finite-population correction, rounded up.
pub fn cochran(population: u64, margin: f64, confidence: f64) -> Option<u64> {
    use statrs::distribution::{ContinuousCDF, Normal};
    if population == 0 || !(margin > 0.0 && margin < 1.0) || !(confidence > 0.0 && confidence < 1.0)
    {
        return None;
    }
    let z = Normal::new(0.0, 1.0)
        .ok()?
        .inverse_cdf(1.0 - (1.0 - confidence) / 2.0);
    let n0 = z * z * 0.25 / (margin * margin);
    let n = n0 / (1.0 + (n0 - 1.0) / population as f64);
    // Guard against 277.0000000001 becoming 278 from float noise.
    Some(((n - 1e-9).ceil() as u64).min(population))
}
