//! A realistic synthetic data directory for demos, tests and benchmarks.
//!
//! Deterministic for a seed: every month draws from its own generator seeded
//! from (seed, month, chunk). Sessions are written month by month in chunks,
//! so memory stays bounded at tens of millions of sessions a month.
//!
//! What it models: hourly seasonality with lunch and evening peaks, quieter
//! weekends; business lines that differ in CSAT, complaint and repeat rate;
//! repeat visits whose gaps straddle 72 h; anonymous customers; an incident of
//! a few days in one line (volume and complaints up, an SLA override);
//! an improvement action on another line from the last month on (fewer
//! repeat visits), both listed in events.toml for impact reports;
//! reviews against two scorecard versions with N/A scores and rare red-line
//! fails; AB calibration rounds with two or three reviewers of different
//! leniency and one module they disagree on; repeat causes; messages with
//! reply times (naive local timestamps, as many platforms export them);
//! appeals of every outcome; agent hours.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Weekday};
use chrono_tz::Tz;
use polars::prelude::*;

use crate::error::{Context, Result};
use crate::jobs::period::add_months;
use crate::load::utc_dtype;
use crate::rng::Rng;
use crate::standards::local_to_utc;

fn cumulative(weights: &[f64]) -> Vec<f64> {
    weights
        .iter()
        .scan(0.0, |acc, w| {
            *acc += w;
            Some(*acc)
        })
        .collect()
}

#[derive(Debug, Clone)]
pub struct GenerateOptions {
    pub out: PathBuf,
    pub from: NaiveDate,
    pub months: u32,
    pub sessions_per_month: u64,
    pub seed: u64,
    pub timezone: Tz,
    /// Sessions per written file.
    pub chunk: u64,
    pub timestamps: Timestamps,
}

/// How the files write timestamps.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Timestamps {
    /// Sessions, causes and appeals as UTC instants; reviews and messages as
    /// naive local time, as many platforms export them.
    #[default]
    Mixed,
    /// Every timestamp a UTC instant.
    Aware,
    /// Every timestamp naive local time in the centre's zone.
    Naive,
}

impl Timestamps {
    /// The unit a column is written naive in, if it is (the column is naive
    /// in the mixed layout or not).
    fn naive_unit(self, naive_when_mixed: bool) -> Option<TimeUnit> {
        match self {
            Timestamps::Mixed => naive_when_mixed.then_some(TimeUnit::Milliseconds),
            Timestamps::Aware => None,
            Timestamps::Naive => Some(TimeUnit::Microseconds),
        }
    }
}

struct Line {
    name: &'static str,
    share: f64,
    /// P(rating >= 4) among rated sessions.
    csat: f64,
    complaint: f64,
    repeat: f64,
    categories: &'static [&'static str],
}

const LINES: [Line; 4] = [
    Line {
        name: "payments",
        share: 0.35,
        csat: 0.86,
        complaint: 0.012,
        repeat: 0.10,
        categories: &["refund", "charge_dispute", "card_binding", "invoice"],
    },
    Line {
        name: "logistics",
        share: 0.30,
        csat: 0.78,
        complaint: 0.020,
        repeat: 0.16,
        categories: &["delivery_delay", "lost_parcel", "address_change", "pickup"],
    },
    Line {
        name: "membership",
        share: 0.20,
        csat: 0.91,
        complaint: 0.005,
        repeat: 0.06,
        categories: &["renewal", "benefits", "cancellation"],
    },
    Line {
        name: "跨境电商",
        share: 0.15,
        csat: 0.74,
        complaint: 0.025,
        repeat: 0.14,
        categories: &["customs", "tax", "return"],
    },
];

/// The line of the simulated improvement action (logistics).
const ACTION_LINE: usize = 1;

const CHANNELS: [(&str, f64); 3] = [("chat", 0.7), ("phone", 0.2), ("email", 0.1)];
/// The reviewer who drifts: in calibration rounds (only there, so that the
/// modules' own trends stay clean) they give full marks to a share of
/// scores that grows by `DRIFT_PER_MONTH` every month.
const DRIFTING_REVIEWER: &str = "qa04";
const DRIFT_PER_MONTH: f64 = 0.15;
const REVIEWERS: [(&str, f64); 5] = [
    ("qa01", 0.0),
    ("qa02", 0.35),
    ("qa03", -0.35),
    ("qa04", 0.15),
    ("qa05", -0.1),
];
const CAUSES: [(&str, f64); 6] = [
    ("not_resolved", 0.34),
    ("info_incomplete", 0.22),
    ("progress_check", 0.18),
    ("policy_unclear", 0.12),
    ("product_bug", 0.09),
    ("other", 0.05),
];

/// Relative inflow by local hour: a lunch peak and an evening peak.
const HOUR_WEIGHTS: [f64; 24] = [
    0.6, 0.3, 0.2, 0.15, 0.15, 0.3, 0.8, 1.6, 3.0, 4.2, 4.6, 5.2, 5.6, 5.0, 4.4, 4.3, 4.2, 4.0,
    4.1, 5.0, 5.6, 5.2, 3.4, 1.6,
];

#[derive(Clone, Copy)]
struct ModuleDef {
    id: &'static str,
    pass_fail: bool,
    /// Probability of N/A.
    na: f64,
    /// Typical score quality (0..1): higher is better.
    quality: f64,
    /// Reviewers disagree on this one.
    contested: bool,
    /// Only from the second scorecard version on.
    from_v2: bool,
    /// Quality lost per month since the first: a module that worsens.
    decline: f64,
    /// Quality lost on sessions the customer rated 3 or less: a module
    /// whose failures go with low CSAT.
    csat_link: f64,
    /// Complaints make it fail more often (false: its failures say nothing
    /// customers notice).
    complaint_link: bool,
}

const MODULES: [ModuleDef; 6] = [
    ModuleDef {
        id: "greeting",
        pass_fail: true,
        na: 0.0,
        quality: 0.95,
        contested: false,
        from_v2: false,
        decline: 0.0,
        csat_link: 0.0,
        complaint_link: true,
    },
    ModuleDef {
        id: "empathy",
        pass_fail: false,
        na: 0.02,
        quality: 0.78,
        contested: true,
        from_v2: false,
        decline: 0.0,
        csat_link: 0.0,
        complaint_link: true,
    },
    ModuleDef {
        id: "accuracy",
        pass_fail: false,
        na: 0.05,
        quality: 0.85,
        contested: false,
        from_v2: false,
        decline: 0.0,
        csat_link: 0.3,
        complaint_link: true,
    },
    ModuleDef {
        id: "resolution",
        pass_fail: true,
        na: 0.12,
        quality: 0.88,
        contested: false,
        from_v2: false,
        decline: 0.1,
        csat_link: 0.0,
        complaint_link: true,
    },
    ModuleDef {
        id: "compliance",
        pass_fail: true,
        na: 0.0,
        quality: 0.995,
        contested: false,
        from_v2: false,
        decline: 0.0,
        csat_link: 0.0,
        complaint_link: true,
    },
    ModuleDef {
        id: "verification",
        pass_fail: true,
        na: 0.08,
        quality: 0.9,
        contested: false,
        from_v2: true,
        decline: 0.0,
        csat_link: 0.0,
        complaint_link: false,
    },
];

/// Buffers for one chunk of every table.
#[derive(Default)]
struct Chunk {
    s_id: Vec<String>,
    s_customer: Vec<Option<String>>,
    s_line: Vec<&'static str>,
    s_channel: Vec<&'static str>,
    s_category: Vec<Option<&'static str>>,
    s_agent: Vec<Option<String>>,
    s_team: Vec<Option<String>>,
    s_start: Vec<i64>,
    s_end: Vec<Option<i64>>,
    s_first: Vec<Option<f64>>,
    s_rating: Vec<Option<i32>>,
    s_resolved: Vec<Option<bool>>,
    s_complaint: Vec<Option<bool>>,
    s_opinion: Vec<Option<bool>>,
    r_id: Vec<String>,
    r_session: Vec<String>,
    r_reviewer: Vec<&'static str>,
    r_at: Vec<i64>,
    r_module: Vec<&'static str>,
    r_score: Vec<Option<f64>>,
    r_round: Vec<Option<String>>,
    c_session: Vec<String>,
    c_cause: Vec<&'static str>,
    c_by: Vec<Option<&'static str>>,
    c_at: Vec<Option<i64>>,
    m_session: Vec<String>,
    m_at: Vec<i64>,
    m_sender: Vec<&'static str>,
    a_review: Vec<String>,
    a_module: Vec<&'static str>,
    a_filed: Vec<i64>,
    a_outcome: Vec<&'static str>,
    a_decided: Vec<Option<i64>>,
}

pub struct Summary {
    pub sessions: u64,
    pub files: u64,
}

pub fn generate(opts: &GenerateOptions, mut on_progress: impl FnMut(&str)) -> Result<Summary> {
    let tz = opts.timezone;
    std::fs::create_dir_all(&opts.out)
        .other_ctx(|| format!("cannot create {}", opts.out.display()))?;
    let first = opts.from;
    let mid = add_months(first, (opts.months / 2) as i32);
    let v2_from = mid.with_day(15).unwrap_or(mid);
    let incident_month = add_months(first, (opts.months.saturating_sub(1) / 2) as i32);
    let incident_from = local_us(incident_month.with_day(14).unwrap_or(incident_month), 9, tz);
    // The action starts with the last month (mid-month when there is only
    // one, so it has a baseline).
    let last = add_months(first, opts.months.saturating_sub(1) as i32);
    let action_day = if opts.months > 1 {
        last
    } else {
        last.with_day(15).unwrap_or(last)
    };
    let world = World {
        tz,
        first,
        agents_per_line: (opts.sessions_per_month / 2000).max(4),
        v2_from_us: local_us(v2_from, 0, tz),
        incident: (incident_from, incident_from + 3 * 86_400_000_000),
        action_from: local_us(action_day, 0, tz),
        channel_cum: cumulative(&CHANNELS.map(|c| c.1)),
        cause_cum: cumulative(&CAUSES.map(|c| c.1)),
    };
    write_standards(&opts.out, first, v2_from, world.incident, tz)?;
    write_events(&opts.out, first, &world)?;

    let line_cum = cumulative(&LINES.map(|l| l.share));
    let customers = (opts.sessions_per_month / 3).max(50) * (u64::from(opts.months) + 1);
    let mut pending: Vec<Visit> = Vec::new();
    let mut agent_days: BTreeSet<(usize, u64, NaiveDate)> = BTreeSet::new();
    let (mut total, mut files) = (0u64, 0u64);

    for mi in 0..opts.months {
        let month = add_months(first, mi as i32);
        let (m_start, m_end) = (
            local_us(month, 0, tz),
            local_us(add_months(month, 1), 0, tz),
        );
        let label = format!("{:04}-{:02}", month.year(), month.month());
        let slots = hour_slots(month, tz);
        let slot_cum = cumulative(&slots.iter().map(|s| s.1).collect::<Vec<_>>());
        let chunks = opts.sessions_per_month.div_ceil(opts.chunk).max(1);
        let mut seq = 0u64;
        let mut ci = 0u64;
        // Base visits in chunks, then as many tail chunks as it takes to emit
        // the month's follow-ups (a follow-up may itself be followed up).
        loop {
            let due: Vec<Visit> = {
                let (now, later): (Vec<_>, Vec<_>) =
                    pending.drain(..).partition(|p| p.start_us < m_end);
                pending = later;
                now
            };
            if ci >= chunks && due.is_empty() {
                break;
            }
            on_progress(&format!("{label}: chunk {}", ci + 1));
            let mut rng = Rng::new(opts.seed ^ (u64::from(mi) << 40) ^ (ci << 8) ^ 0xC5A);
            let base = if ci < chunks {
                opts.chunk.min(opts.sessions_per_month - ci * opts.chunk)
            } else {
                0
            };
            let mut visits = due;
            for _ in 0..base {
                let line = rng.pick(&line_cum);
                let start_us = slots[rng.pick(&slot_cum)].0 + rng.below(3_600_000_000) as i64;
                let start_us = world.pull_into_incident(&mut rng, line, start_us, (m_start, m_end));
                let customer =
                    (!rng.chance(0.08)).then(|| format!("C{}{:07}", line, rng.below(customers)));
                let category = rng.below(LINES[line].categories.len() as u64) as usize;
                visits.push(Visit {
                    start_us,
                    customer,
                    line,
                    category,
                    depth: 0,
                });
            }
            let mut c = Chunk::default();
            for v in visits {
                seq += 1;
                let id = format!("S{}{:09}", label.replace('-', ""), seq);
                if let Some(next) = world.session(&mut rng, &mut c, &id, &v, &mut agent_days) {
                    pending.push(next);
                }
            }
            total += c.s_id.len() as u64;
            files += write_chunk(&opts.out, &label, ci, c, (tz, opts.timestamps))?;
            ci += 1;
        }
    }
    // Follow-ups past the last month are cut off, as an export ending at a
    // month end would be.
    files += write_agent_hours(&opts.out, &agent_days, opts.seed)?;
    Ok(Summary {
        sessions: total,
        files,
    })
}

/// A visit to emit: a fresh one or a planned follow-up.
struct Visit {
    start_us: i64,
    customer: Option<String>,
    line: usize,
    category: usize,
    depth: u8,
}

/// Start instants of every local hour of the month with its inflow weight:
/// weekends quieter.
fn hour_slots(month: NaiveDate, tz: Tz) -> Vec<(i64, f64)> {
    let next = add_months(month, 1);
    let mut slots = Vec::new();
    let mut day = month;
    while day < next {
        let weekend = matches!(day.weekday(), Weekday::Sat | Weekday::Sun);
        for (h, w) in HOUR_WEIGHTS.iter().enumerate() {
            slots.push((
                local_us(day, h as u32, tz),
                w * if weekend { 0.7 } else { 1.0 },
            ));
        }
        day += Duration::days(1);
    }
    slots
}

struct World {
    tz: Tz,
    /// The first month generated: trends count months from it.
    first: NaiveDate,
    /// About 3–4 sessions an hour per agent on an 8-hour day.
    agents_per_line: u64,
    v2_from_us: i64,
    incident: (i64, i64),
    /// From then on, the action line's customers come back less often.
    action_from: i64,
    channel_cum: Vec<f64>,
    cause_cum: Vec<f64>,
}

impl World {
    fn in_incident(&self, line: usize, t: i64) -> bool {
        line == 0 && t >= self.incident.0 && t < self.incident.1
    }

    /// The improvement action (a refund-status page on the logistics line)
    /// cuts its repeat visits by 40 %.
    fn repeat_factor(&self, line: usize, t: i64) -> f64 {
        if line == ACTION_LINE && t >= self.action_from {
            0.6
        } else {
            1.0
        }
    }

    /// The incident line gets extra volume during the incident, drawn from
    /// the same month only, so every session stays in its month's partition.
    fn pull_into_incident(
        &self,
        rng: &mut Rng,
        line: usize,
        start: i64,
        (month_start, month_end): (i64, i64),
    ) -> i64 {
        let (a, b) = (
            self.incident.0.max(month_start),
            self.incident.1.min(month_end),
        );
        if line == 0 && a < b && !self.in_incident(line, start) && rng.chance(0.04) {
            a + rng.below((b - a) as u64) as i64
        } else {
            start
        }
    }

    /// Emit one session with its messages, reviews, appeals and repeat
    /// cause; returns the follow-up visit it causes, if any.
    fn session(
        &self,
        rng: &mut Rng,
        c: &mut Chunk,
        id: &str,
        v: &Visit,
        agent_days: &mut BTreeSet<(usize, u64, NaiveDate)>,
    ) -> Option<Visit> {
        let l = &LINES[v.line];
        let start_us = v.start_us;
        let incident = self.in_incident(v.line, start_us);
        let has_agent = !rng.chance(0.05);
        let agent_no = rng.below(self.agents_per_line);
        // Capped at a day, the contract's default longest session (never
        // reached in practice: the median is 8 minutes).
        let duration = (rng.lognormal(480e6, 0.6) as i64).min(24 * 3_600_000_000);
        let ended = (!rng.chance(0.02)).then_some(start_us + duration);
        let first = has_agent.then(|| {
            rng.lognormal(if incident { 70.0 } else { 14.0 }, 0.7)
                .min(3600.0)
        });
        let boost = if incident { 4.0 } else { 1.0 } * if v.depth > 0 { 2.0 } else { 1.0 };
        let complaint = rng.chance(l.complaint * boost);
        let goes_back = v.customer.is_some()
            && v.depth < 2
            && rng.chance(
                l.repeat
                    * if v.depth > 0 { 1.5 } else { 1.0 }
                    * self.repeat_factor(v.line, start_us),
            );
        let rating = rng.chance(0.35).then(|| {
            let p = if complaint {
                0.1
            } else if goes_back {
                l.csat - 0.25
            } else {
                l.csat
            };
            if rng.chance(p) {
                4 + rng.below(2) as i32
            } else {
                1 + rng.below(3) as i32
            }
        });
        let resolved = rng.chance(0.9).then(|| !goes_back || rng.chance(0.3));
        let follow_up = match (&v.customer, goes_back) {
            (Some(cust), true) => {
                // Gaps straddle 72 h: most well inside, some within hours of it.
                let anchor = ended.unwrap_or(start_us);
                let gap_h = match rng.below(10) {
                    0..=5 => rng.range_f(0.5, 66.0),
                    6 | 7 => rng.range_f(70.0, 74.0),
                    _ => rng.range_f(74.0, 200.0),
                };
                Some(Visit {
                    start_us: anchor + (gap_h * 3.6e9) as i64,
                    customer: Some(cust.clone()),
                    line: v.line,
                    category: v.category,
                    depth: v.depth + 1,
                })
            }
            _ => None,
        };
        if v.depth > 0 && rng.chance(0.6) {
            c.c_session.push(id.to_string());
            c.c_cause.push(CAUSES[rng.pick(&self.cause_cum)].0);
            c.c_by.push(Some(
                REVIEWERS[rng.below(REVIEWERS.len() as u64) as usize].0,
            ));
            c.c_at.push(Some(start_us + 86_400_000_000));
        }
        if has_agent {
            let local_day = local_date(start_us, self.tz);
            agent_days.insert((v.line, agent_no, local_day));
            messages(rng, c, id, start_us, first.unwrap_or(10.0), incident);
            let reviewed = rng.chance(0.03) || (complaint && rng.chance(0.5));
            let label = local_day.format("%Y-%m");
            let round = rng
                .chance(0.015)
                .then(|| format!("R{label}-{}", 1 + (local_day.day() - 1) / 8));
            if reviewed || round.is_some() {
                let n_rev = if round.is_some() {
                    2 + rng.below(2) as usize
                } else {
                    1
                };
                let first_rev = rng.below(REVIEWERS.len() as u64) as usize;
                for r in 0..n_rev {
                    let reviewer = (first_rev + r * 2) % REVIEWERS.len();
                    let at = start_us + rng.range_f(3.6e9, 4.0 * 86.4e9) as i64;
                    let v2 = at >= self.v2_from_us;
                    let context = ReviewContext {
                        month_index: months_between(self.first, local_day),
                        rating,
                        complaint,
                    };
                    review(rng, c, id, r, reviewer, at, v2, round.clone(), &context);
                }
            }
        }
        c.s_id.push(id.to_string());
        c.s_customer.push(v.customer.clone());
        c.s_line.push(l.name);
        c.s_channel.push(CHANNELS[rng.pick(&self.channel_cum)].0);
        c.s_category
            .push((!rng.chance(0.03)).then_some(l.categories[v.category]));
        c.s_team
            .push(has_agent.then(|| format!("T{}{}", v.line, agent_no / 10)));
        c.s_agent
            .push(has_agent.then(|| format!("A{}{agent_no:03}", v.line)));
        c.s_start.push(start_us);
        c.s_end.push(ended);
        c.s_first.push(first);
        c.s_rating.push(rating);
        c.s_resolved.push(resolved);
        c.s_complaint.push(Some(complaint));
        c.s_opinion.push(Some(complaint && rng.chance(0.05)));
        follow_up
    }
}

fn messages(rng: &mut Rng, c: &mut Chunk, id: &str, start: i64, first_s: f64, incident: bool) {
    let push = |c: &mut Chunk, at: i64, who: &'static str| {
        c.m_session.push(id.to_string());
        c.m_at.push(at);
        c.m_sender.push(who);
    };
    let mut t = start;
    if rng.chance(0.3) {
        push(c, t - 20_000_000, "bot");
    }
    push(c, t, "customer");
    t += (first_s * 1e6) as i64;
    push(c, t, "agent");
    for _ in 0..(1 + rng.below(4)) {
        let asks = 1 + rng.below(3);
        t += rng.range_f(5e6, 60e6) as i64;
        let asked = t;
        for _ in 0..asks {
            push(c, t, "customer");
            t += rng.range_f(2e6, 20e6) as i64;
        }
        let reply = rng.lognormal(if incident { 150.0 } else { 45.0 }, 0.8);
        t = t.max(asked + (reply * 1e6) as i64);
        push(c, t, "agent");
    }
    if rng.chance(0.5) {
        push(c, t + 1_000_000, "system");
    }
}

#[allow(clippy::too_many_arguments)]
fn review(
    rng: &mut Rng,
    c: &mut Chunk,
    session: &str,
    nth: usize,
    reviewer: usize,
    at: i64,
    v2: bool,
    round: Option<String>,
    x: &ReviewContext,
) {
    let review_id = format!("{session}-R{nth}");
    let months = f64::from(x.month_index);
    let (name, leniency) = REVIEWERS[reviewer];
    let drifted = name == DRIFTING_REVIEWER && round.is_some();
    let full_marks_share = if drifted {
        (DRIFT_PER_MONTH * months).min(1.0)
    } else {
        0.0
    };
    let unhappy = x.rating.is_some_and(|r| r <= 3);
    for m in MODULES.iter().filter(|m| v2 || !m.from_v2) {
        let full = if m.pass_fail { 1.0 } else { 5.0 };
        let score = if rng.chance(m.na) {
            None
        } else if rng.chance(full_marks_share) {
            Some(full)
        } else {
            let q = m.quality
                - m.decline * months
                - if x.complaint && m.complaint_link {
                    0.15
                } else {
                    0.0
                }
                - if unhappy { m.csat_link } else { 0.0 };
            let noise = if m.contested {
                rng.range_f(-0.35, 0.35)
            } else {
                rng.range_f(-0.1, 0.1)
            };
            let x = (q + leniency * 0.15 + noise).clamp(0.0, 1.0);
            Some(if m.pass_fail {
                if rng.f64() < x {
                    1.0
                } else {
                    0.0
                }
            } else {
                (x * 5.0 + rng.range_f(-0.5, 0.5)).round().clamp(0.0, 5.0)
            })
        };
        if let Some(s) = score {
            let max = if m.pass_fail { 1.0 } else { 5.0 };
            if s < max && round.is_none() && rng.chance(0.08) {
                let outcome = match rng.below(100) {
                    0..=29 => "overturned",
                    30..=84 => "upheld",
                    _ => "pending",
                };
                let outcome = if m.contested && outcome == "upheld" && rng.chance(0.4) {
                    "overturned"
                } else {
                    outcome
                };
                let filed = at + rng.range_f(3.6e9, 48.0 * 3.6e9) as i64;
                c.a_review.push(review_id.clone());
                c.a_module.push(m.id);
                c.a_filed.push(filed);
                c.a_outcome.push(outcome);
                c.a_decided.push(
                    (outcome != "pending").then(|| filed + rng.range_f(3.6e9, 72.0 * 3.6e9) as i64),
                );
            }
        }
        c.r_id.push(review_id.clone());
        c.r_session.push(session.to_string());
        c.r_reviewer.push(REVIEWERS[reviewer].0);
        c.r_at.push(at);
        c.r_module.push(m.id);
        c.r_score.push(score);
        c.r_round.push(round.clone());
    }
}

/// What a review's scores depend on besides the module and the reviewer.
struct ReviewContext {
    /// Months since the first generated month.
    month_index: u32,
    rating: Option<i32>,
    complaint: bool,
}

/// Whole months from `first`'s month to `day`'s month (0 before it).
fn months_between(first: NaiveDate, day: NaiveDate) -> u32 {
    let index = |d: NaiveDate| d.year() * 12 + d.month0() as i32;
    u32::try_from(index(day) - index(first)).unwrap_or(0)
}

fn ts_utc(name: &str, v: Vec<i64>) -> Result<Column> {
    Ok(Column::new(name.into(), v).cast(&utc_dtype())?)
}

fn ts_utc_opt(name: &str, v: Vec<Option<i64>>) -> Result<Column> {
    Ok(Column::new(name.into(), v).cast(&utc_dtype())?)
}

/// Naive local wall-clock timestamps, as some platforms export: in
/// milliseconds in the mixed layout (as those platforms write them), in
/// microseconds when every column is naive (nothing lost against the
/// instants the aware layout writes).
fn ts_local_naive(name: &str, v: Vec<Option<i64>>, tz: Tz, unit: TimeUnit) -> Result<Column> {
    let local: Vec<Option<i64>> = v
        .into_iter()
        .map(|t| {
            t.map(|us| {
                let utc = chrono::DateTime::from_timestamp_micros(us).unwrap_or_default();
                let local = utc.with_timezone(&tz).naive_local().and_utc();
                match unit {
                    TimeUnit::Milliseconds => local.timestamp_millis(),
                    _ => local.timestamp_micros(),
                }
            })
        })
        .collect();
    let unit = match unit {
        TimeUnit::Milliseconds => unit,
        _ => TimeUnit::Microseconds,
    };
    Ok(Column::new(name.into(), local).cast(&DataType::Datetime(unit, None))?)
}

/// A timestamp column written as `layout` says: naive local time or UTC
/// instants.
fn ts(
    name: &str,
    v: Vec<i64>,
    naive_when_mixed: bool,
    (tz, layout): (Tz, Timestamps),
) -> Result<Column> {
    if let Some(unit) = layout.naive_unit(naive_when_mixed) {
        ts_local_naive(name, v.into_iter().map(Some).collect(), tz, unit)
    } else {
        ts_utc(name, v)
    }
}

fn ts_opt(
    name: &str,
    v: Vec<Option<i64>>,
    naive_when_mixed: bool,
    (tz, layout): (Tz, Timestamps),
) -> Result<Column> {
    if let Some(unit) = layout.naive_unit(naive_when_mixed) {
        ts_local_naive(name, v, tz, unit)
    } else {
        ts_utc_opt(name, v)
    }
}

fn write_chunk(
    out: &Path,
    month: &str,
    chunk: u64,
    c: Chunk,
    zone: (Tz, Timestamps),
) -> Result<u64> {
    let mut files = 0;
    let mut put = |table: &str, cols: Vec<Column>| -> Result<()> {
        if cols.first().map(|c| c.len()).unwrap_or(0) == 0 {
            return Ok(());
        }
        let mut df = DataFrame::new_infer_height(cols)?;
        let dir = out.join(table).join(format!("month={month}"));
        std::fs::create_dir_all(&dir).other_ctx(|| format!("cannot create {}", dir.display()))?;
        let path = dir.join(format!("part-{chunk:05}.parquet"));
        let f = std::fs::File::create(&path)
            .other_ctx(|| format!("cannot write {}", path.display()))?;
        ParquetWriter::new(f).finish(&mut df)?;
        files += 1;
        Ok(())
    };
    put(
        "sessions",
        vec![
            Column::new("session_id".into(), c.s_id),
            Column::new("customer_id".into(), c.s_customer),
            Column::new("business_line".into(), c.s_line),
            Column::new("channel".into(), c.s_channel),
            Column::new("category".into(), c.s_category),
            Column::new("agent_id".into(), c.s_agent),
            Column::new("team".into(), c.s_team),
            ts("started_at", c.s_start, false, zone)?,
            ts_opt("ended_at", c.s_end, false, zone)?,
            Column::new("first_response_s".into(), c.s_first),
            Column::new("rating".into(), c.s_rating),
            Column::new("resolved".into(), c.s_resolved),
            Column::new("complaint".into(), c.s_complaint),
            Column::new("public_opinion".into(), c.s_opinion),
        ],
    )?;
    put(
        "reviews",
        vec![
            Column::new("review_id".into(), c.r_id),
            Column::new("session_id".into(), c.r_session),
            Column::new("reviewer_id".into(), c.r_reviewer),
            ts("reviewed_at", c.r_at, true, zone)?,
            Column::new("module_id".into(), c.r_module),
            Column::new("score".into(), c.r_score),
            Column::new("calibration_round".into(), c.r_round),
        ],
    )?;
    put(
        "repeat_causes",
        vec![
            Column::new("session_id".into(), c.c_session),
            Column::new("cause".into(), c.c_cause),
            Column::new("noted_by".into(), c.c_by),
            ts_opt("noted_at", c.c_at, false, zone)?,
        ],
    )?;
    put(
        "messages",
        vec![
            Column::new("session_id".into(), c.m_session),
            ts("sent_at", c.m_at, true, zone)?,
            Column::new("sender".into(), c.m_sender),
        ],
    )?;
    put(
        "appeals",
        vec![
            Column::new("review_id".into(), c.a_review),
            Column::new("module_id".into(), c.a_module),
            ts("filed_at", c.a_filed, false, zone)?,
            Column::new("outcome".into(), c.a_outcome),
            ts_opt("decided_at", c.a_decided, false, zone)?,
        ],
    )?;
    Ok(files)
}

fn write_agent_hours(
    out: &Path,
    days: &BTreeSet<(usize, u64, NaiveDate)>,
    seed: u64,
) -> Result<u64> {
    if days.is_empty() {
        return Ok(0);
    }
    let mut rng = Rng::new(seed ^ 0xA6E7);
    let (mut agent, mut date, mut hours) = (Vec::new(), Vec::new(), Vec::new());
    for (line, no, d) in days {
        agent.push(format!("A{line}{no:03}"));
        date.push(*d);
        hours.push((rng.range_f(5.5, 9.0) * 4.0).round() / 4.0);
    }
    let mut df = DataFrame::new_infer_height(vec![
        Column::new("agent_id".into(), agent),
        Column::new("date".into(), date),
        Column::new("logged_in_hours".into(), hours),
    ])?;
    let dir = out.join("agent_hours");
    std::fs::create_dir_all(&dir).other_ctx(|| format!("cannot create {}", dir.display()))?;
    let path = dir.join("agent_hours.parquet");
    let f =
        std::fs::File::create(&path).other_ctx(|| format!("cannot write {}", path.display()))?;
    ParquetWriter::new(f).finish(&mut df)?;
    Ok(1)
}

fn write_standards(
    out: &Path,
    first: NaiveDate,
    v2: NaiveDate,
    (inc_from, inc_to): (i64, i64),
    tz: Tz,
) -> Result<()> {
    let fmt_local = |us: i64| {
        chrono::DateTime::from_timestamp_micros(us)
            .unwrap_or_default()
            .with_timezone(&tz)
            .format("%Y-%m-%dT%H:%M:%S%:z")
            .to_string()
    };
    let mut text = String::from("# QA standard of the synthetic data set (csqa generate).\n\n");
    for (version, from, with_v2) in [
        (
            format!("{}.{:02}", first.year(), first.month()),
            first,
            false,
        ),
        (format!("{}.{:02}b", v2.year(), v2.month()), v2, true),
    ] {
        text += &format!("[[scorecard]]\nversion = \"{version}\"\neffective_from = {from}\n\n");
        for (id, name, zh, group, scope, scale, weight) in [
            (
                "greeting",
                "Greeting and closing",
                "开场与结束语",
                "service",
                "single_point",
                "pass_fail",
                10,
            ),
            (
                "empathy",
                "Empathy and tone",
                "同理心与语气",
                "service",
                "single_point",
                "0-5",
                20,
            ),
            (
                "accuracy",
                "Accuracy of information",
                "信息准确性",
                "resolution",
                "system",
                "0-5",
                30,
            ),
            (
                "resolution",
                "Problem solved",
                "问题解决",
                "resolution",
                "system",
                "pass_fail",
                30,
            ),
            (
                "compliance",
                "Compliance red line",
                "服务底线",
                "red_line",
                "system",
                "pass_fail",
                10,
            ),
            (
                "verification",
                "Identity verification",
                "身份核验",
                "service",
                "single_point",
                "pass_fail",
                10,
            ),
        ] {
            if id == "verification" && !with_v2 {
                continue;
            }
            text += &format!(
                "[[scorecard.modules]]\nid = \"{id}\"\nname = \"{name}\"\nname_zh = \"{zh}\"\ngroup = \"{group}\"\nscope = \"{scope}\"\nscale = \"{scale}\"\nweight = {weight}\n\n"
            );
        }
    }
    text += "[sla]\nfirst_response_s = 30\nreply_s = 120\n\n";
    text += &format!(
        "[[sla.overrides]]\nbusiness_line = \"payments\"\nfrom = {}\nto = {}\nfirst_response_s = 120\nreply_s = 300\nreason = \"checkout outage, queue surge\"\n\n",
        fmt_local(inc_from),
        fmt_local(inc_to)
    );
    text += "[causes]\n";
    for (code, label) in [
        ("not_resolved", "Not resolved at first contact"),
        ("info_incomplete", "Information incomplete"),
        ("progress_check", "Customer checking progress"),
        ("policy_unclear", "Policy explained unclearly"),
        ("product_bug", "Product or system fault"),
        ("other", "Other"),
    ] {
        text += &format!("{code} = \"{label}\"\n");
    }
    let path = out.join("standards.toml");
    std::fs::write(&path, text).other_ctx(|| format!("cannot write {}", path.display()))
}

/// events.toml: the incident and the improvement action the data
/// simulates. The incident's baseline is the same weekdays of the four
/// weeks before when the data reaches that far back, else the days before.
fn write_events(out: &Path, first: NaiveDate, world: &World) -> Result<()> {
    let tz = world.tz;
    let fmt_local = |us: i64| {
        chrono::DateTime::from_timestamp_micros(us)
            .unwrap_or_default()
            .with_timezone(&tz)
            .format("%Y-%m-%dT%H:%M:%S%:z")
            .to_string()
    };
    let (from, to) = world.incident;
    let weeks_back = from - 28 * 86_400_000_000 >= local_us(first, 0, tz);
    let text = format!(
        "# Events of the synthetic data set (csqa generate), for csqa impact.\n\n\
[[event]]\nid = \"checkout-outage\"\ntitle = \"Checkout outage, queue surge\"\n\
department = \"tech\"\nkind = \"incident\"\nlines = [\"{}\"]\nstart = {}\nend = {}\n\
baseline = \"{}\"\ncost_per_contact = 12.5\ncurrency = \"CNY\"\n\n\
[[event]]\nid = \"refund-status-page\"\ntitle = \"Refund status page for logistics customers\"\n\
department = \"product\"\nkind = \"action\"\nlines = [\"{}\"]\nstart = {}\n\
baseline = \"before\"\nmetric = \"repeat_rate\"\ndirection = \"down\"\ntarget = 0.12\n",
        LINES[0].name,
        fmt_local(from),
        fmt_local(to),
        if weeks_back { "weekdays" } else { "before" },
        LINES[ACTION_LINE].name,
        fmt_local(world.action_from),
    );
    let path = out.join("events.toml");
    std::fs::write(&path, text).other_ctx(|| format!("cannot write {}", path.display()))
}

fn local_us(day: NaiveDate, hour: u32, tz: Tz) -> i64 {
    let t = NaiveDateTime::new(
        day,
        NaiveTime::from_hms_opt(hour, 0, 0).unwrap_or(NaiveTime::MIN),
    );
    local_to_utc(t, tz).timestamp_micros()
}

fn local_date(us: i64, tz: Tz) -> NaiveDate {
    chrono::DateTime::from_timestamp_micros(us)
        .unwrap_or_default()
        .with_timezone(&tz)
        .date_naive()
}
