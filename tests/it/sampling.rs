//! Sampling plans: each strategy alone and mixed on hand-built candidates
//! with known answers, and the `csqa sample` command end to end.

use std::collections::{BTreeMap, BTreeSet};

use csqa::sampling::*;
use polars::prelude::Column;

use crate::common::*;

/// A candidate; `minute` is local minutes after midnight.
fn cand(id: &str, line: &str, agent: &str, minute: u32) -> Candidate {
    Candidate {
        session_id: id.into(),
        business_line: line.into(),
        category: Some("refund".into()),
        agent_id: Some(agent.into()),
        started_at: 0,
        minute,
        complaint: false,
        public_opinion: false,
        rating: None,
        is_repeat: false,
        reviewed: false,
    }
}

fn many(n: usize) -> Vec<Candidate> {
    (0..n)
        .map(|i| cand(&format!("s{i:03}"), "a", "A1", 600))
        .collect()
}

fn plan(text: &str) -> Plan {
    #[derive(serde::Deserialize)]
    struct F {
        sampling: Plan,
    }
    let f: F = toml::from_str(text).expect("plan");
    f.sampling.check().expect("valid plan");
    f.sampling
}

fn ids(c: &[Candidate], s: &Sample) -> Vec<String> {
    s.assignments
        .iter()
        .map(|a| c[a.candidate].session_id.clone())
        .collect()
}

fn line<'a>(s: &'a Sample, strategy: &str, part: &str) -> &'a Allocation {
    s.allocation
        .iter()
        .find(|a| a.strategy == strategy && a.part == part)
        .unwrap_or_else(|| panic!("no allocation {strategy}/{part}: {:?}", s.allocation))
}

#[test]
fn largest_remainder_by_hand() {
    assert_eq!(largest_remainder(10, &[5, 3, 2]), [5, 3, 2]);
    // 7·(10,6,4)/20 = 3.5, 2.1, 1.4 → 3,2,1 and the largest remainder (.5) +1.
    assert_eq!(largest_remainder(7, &[10, 6, 4]), [4, 2, 1]);
    // A tie goes to the earlier slot.
    assert_eq!(largest_remainder(1, &[1, 1]), [1, 0]);
    assert_eq!(largest_remainder(5, &[0, 0]), [0, 0]);
}

#[test]
fn slots_are_proportional_to_inflow() {
    // Inflow: 08:00-09:30 has 6 sessions (one already reviewed), 11:30-13:30
    // has 3, 22:00-01:00 (wrapping midnight) has 1 at 00:30. Quota 5:
    // 5·6/10 = 3, 5·3/10 = 1.5, 5·1/10 = 0.5 → 3, 1, 0 + the tie to the
    // earlier of the two .5 remainders → 3, 2, 0.
    let mut c: Vec<Candidate> = (0..6)
        .map(|i| cand(&format!("m{i}"), "a", "A1", 480 + i * 10))
        .collect();
    c[0].reviewed = true;
    c.extend((0..3).map(|i| cand(&format!("n{i}"), "a", "A1", 700 + i * 10)));
    c.push(cand("x0", "a", "A1", 30));
    c.push(cand("other", "a", "A1", 900)); // in no slot
    let p = plan(
        r#"[sampling]
           [sampling.slots]
           quota = 5
           ranges = [["08:00", "09:30"], ["11:30", "13:30"], ["22:00", "01:00"]]"#,
    );
    let s = draw(&c, &p, 1, "R", 72);
    assert_eq!(line(&s, "slot", "08:00-09:30").planned, 3);
    assert_eq!(line(&s, "slot", "08:00-09:30").drawn, 3);
    assert_eq!(line(&s, "slot", "11:30-13:30").planned, 2);
    assert_eq!(line(&s, "slot", "22:00-01:00").planned, 0);
    let by_reason: BTreeMap<String, usize> =
        s.assignments.iter().fold(BTreeMap::new(), |mut m, a| {
            *m.entry(a.reason.clone()).or_default() += 1;
            m
        });
    assert_eq!(by_reason["slot 08:00-09:30"], 3);
    assert_eq!(by_reason["slot 11:30-13:30"], 2);
    assert!(
        !ids(&c, &s).contains(&"m0".to_string()),
        "reviewed sessions are never drawn"
    );
    for a in &s.assignments {
        let m = c[a.candidate].minute;
        assert!(if a.reason.contains("08:00") {
            (480..570).contains(&m)
        } else {
            (690..810).contains(&m)
        });
    }
}

#[test]
fn risk_takes_higher_tiers_first() {
    // Priority complaint, then public opinion, then bad ratings. c1 is both
    // complaint and public opinion: it belongs to the complaint tier.
    let mut c = many(12);
    for i in [1, 2] {
        c[i].complaint = true;
    }
    c[1].public_opinion = true;
    for i in [3, 4, 5] {
        c[i].public_opinion = true;
    }
    for (i, x) in c.iter_mut().enumerate().take(11).skip(6) {
        x.rating = Some(1 + (i as i64 % 3)); // 1, 2 bad; 3 not
    }
    let p = plan(
        r#"[sampling]
           [sampling.risk]
           quota = 4
           tiers = ["complaint", "public_opinion", "bad_rating"]"#,
    );
    let s = draw(&c, &p, 3, "R", 72);
    let drawn: Vec<(String, String)> = s
        .assignments
        .iter()
        .map(|a| (c[a.candidate].session_id.clone(), a.reason.clone()))
        .collect();
    assert_eq!(drawn.len(), 4);
    let complaint: BTreeSet<&str> = drawn
        .iter()
        .filter(|d| d.1 == "complaint")
        .map(|d| d.0.as_str())
        .collect();
    assert_eq!(complaint, BTreeSet::from(["s001", "s002"]));
    assert_eq!(drawn.iter().filter(|d| d.1 == "public_opinion").count(), 2);
    assert!(drawn[..2].iter().all(|d| d.1 == "complaint"), "{drawn:?}");
    assert_eq!(line(&s, "risk", "bad_rating").drawn, 0);
    assert_eq!(line(&s, "risk", "").drawn, 4);
    // Two complaints for a quota of 4: the other two went on.
    assert_eq!(
        line(&s, "risk", "complaint").note,
        "only 2 in the window; 2 passed to public_opinion"
    );
    assert_eq!(line(&s, "risk", "public_opinion").note, "");
    assert_eq!(line(&s, "risk", "").note, "");
}

#[test]
fn repeat_visits_only_and_an_unfillable_quota() {
    // Three repeat visits, one in line b; narrowed to line a: two.
    let mut c = many(8);
    for i in [1, 4] {
        c[i].is_repeat = true;
    }
    c[6].is_repeat = true;
    c[6].business_line = "b".into();
    let p = plan(
        r#"[sampling]
           [sampling.repeat]
           quota = 10
           business_lines = ["a"]"#,
    );
    let s = draw(&c, &p, 5, "R", 72);
    assert_eq!(
        ids(&c, &s).into_iter().collect::<BTreeSet<_>>(),
        BTreeSet::from(["s001".to_string(), "s004".to_string()])
    );
    assert!(s
        .assignments
        .iter()
        .all(|a| a.reason == "repeat within 72h"));
    assert_eq!(line(&s, "repeat", "").drawn, 2);
    assert!(line(&s, "repeat", "").note.contains("short by 8"));
    // No random strategy and no total: the plan says the 8 stayed unfilled.
    assert_eq!(line(&s, "unfilled", "").planned, 8);
}

#[test]
fn a_shortfall_goes_to_random_and_no_session_is_drawn_twice() {
    // Business target of 5 refunds in line a, only 2 exist; random has its
    // own 1 and takes the 3 missing; total 10 adds 10 − (5 + 1) = 4 more.
    let mut c = many(30);
    for x in c.iter_mut().skip(2) {
        x.category = Some("delivery".into());
    }
    let p = plan(
        r#"[sampling]
           total = 10
           [sampling.business]
           targets = [{ business_line = "a", category = "refund", quota = 5 }]
           [sampling.random]
           quota = 1"#,
    );
    let s = draw(&c, &p, 9, "R", 72);
    assert_eq!(line(&s, "business", "a / refund").drawn, 2);
    let random = line(&s, "random", "");
    assert_eq!((random.planned, random.drawn), (8, 8));
    assert!(
        random
            .note
            .contains("3 from strategies that could not fill"),
        "{}",
        random.note
    );
    let all = ids(&c, &s);
    assert_eq!(all.len(), 10);
    assert_eq!(
        all.iter().collect::<BTreeSet<_>>().len(),
        10,
        "no duplicates"
    );
}

#[test]
fn double_scoring_shares_a_round_and_never_repeats_a_reviewer() {
    let c = many(40);
    let p = plan(
        r#"[sampling]
           total = 20
           double_scored_share = 0.25
           [[sampling.reviewers]]
           id = "qa1"
           capacity = 100
           [[sampling.reviewers]]
           id = "qa2"
           capacity = 100
           [[sampling.reviewers]]
           id = "qa3"
           capacity = 100"#,
    );
    let s = draw(&c, &p, 11, "AB-w1", 72);
    let mut by_session: BTreeMap<usize, Vec<&Assignment>> = BTreeMap::new();
    for a in &s.assignments {
        by_session.entry(a.candidate).or_default().push(a);
    }
    assert_eq!(by_session.len(), 20);
    let doubled: Vec<&Vec<&Assignment>> = by_session.values().filter(|v| v.len() == 2).collect();
    assert_eq!(doubled.len(), 5, "25 % of 20");
    for pair in doubled {
        assert_ne!(pair[0].reviewer_id, pair[1].reviewer_id);
        assert!(pair
            .iter()
            .all(|a| a.calibration_round.as_deref() == Some("AB-w1")));
    }
    assert!(by_session
        .values()
        .filter(|v| v.len() == 1)
        .all(|v| v[0].calibration_round.is_none()));
    // 25 tasks over three equal reviewers: 9, 8, 8.
    let mut load: BTreeMap<String, usize> = BTreeMap::new();
    for a in &s.assignments {
        *load
            .entry(a.reviewer_id.clone().unwrap_or_default())
            .or_default() += 1;
    }
    let mut counts: Vec<usize> = load.values().copied().collect();
    counts.sort();
    assert_eq!(counts, [8, 8, 9]);
    assert_eq!(line(&s, "double_scored", "AB-w1").drawn, 5);
}

#[test]
fn reviewer_capacity_is_respected() {
    let c = many(10);
    let p = plan(
        r#"[sampling]
           total = 5
           [[sampling.reviewers]]
           id = "qa1"
           capacity = 3"#,
    );
    let s = draw(&c, &p, 2, "R", 72);
    let assigned = s
        .assignments
        .iter()
        .filter(|a| a.reviewer_id.is_some())
        .count();
    assert_eq!(assigned, 3);
    assert_eq!(line(&s, "unassigned", "").drawn, 2);
}

#[test]
fn every_agent_gets_its_minimum() {
    let mut c = many(30);
    for (i, x) in c.iter_mut().enumerate() {
        x.agent_id = Some(format!("A{}", i % 3));
    }
    let p = plan(
        r#"[sampling]
           total = 1
           per_agent_min = 2"#,
    );
    let s = draw(&c, &p, 4, "R", 72);
    let mut per_agent: BTreeMap<String, usize> = BTreeMap::new();
    for a in &s.assignments {
        *per_agent
            .entry(c[a.candidate].agent_id.clone().unwrap_or_default())
            .or_default() += 1;
    }
    assert_eq!(per_agent.values().copied().collect::<Vec<_>>(), [2, 2, 2]);
    assert_eq!(
        line(&s, "agent_minimum", "").drawn,
        5,
        "6 minus the one random draw"
    );
}

#[test]
fn a_seed_gives_the_same_draw_and_another_seed_another() {
    let c = many(200);
    let p = plan("[sampling]\ntotal = 20");
    let a = ids(&c, &draw(&c, &p, 7, "R", 72));
    let b = ids(&c, &draw(&c, &p, 7, "R", 72));
    // Input order does not matter either.
    let mut reversed = c.clone();
    reversed.reverse();
    let r = ids(&reversed, &draw(&reversed, &p, 7, "R", 72));
    let other = ids(&c, &draw(&c, &p, 8, "R", 72));
    assert_eq!(a, b);
    assert_eq!(a, r);
    assert_ne!(a, other);
}

#[test]
fn cochran_sample_sizes() {
    // n0 = z²·0.25/e², n = n0/(1 + (n0 − 1)/N), rounded up.
    assert_eq!(cochran(1000, 0.05, 0.95), Some(278)); // 277.73
    assert_eq!(cochran(100, 0.05, 0.95), Some(80)); // 79.51
    assert_eq!(cochran(4200, 0.03, 0.99), Some(1282)); // 1281.15
    assert_eq!(cochran(50, 0.05, 0.95), Some(45)); // 44.34
    assert_eq!(cochran(0, 0.05, 0.95), None);
    assert_eq!(cochran(100, 0.0, 0.95), None);
}

#[test]
fn the_command_writes_a_reproducible_sample() {
    let fx = Fixture::new();
    let out = fx.run(&[
        "generate",
        "--out",
        "data",
        "--from",
        "2026-10",
        "--months",
        "1",
        "--sessions-per-month",
        "3000",
        "--seed",
        "5",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    fx.config(
        "[sampling]\ntotal = 40\ndouble_scored_share = 0.2\n[sampling.risk]\nquota = 10\n\
         [sampling.repeat]\nquota = 10\n\
         [[sampling.reviewers]]\nid = \"qa1\"\ncapacity = 40\n[[sampling.reviewers]]\nid = \"qa2\"\ncapacity = 40",
    );
    let sample = |seed: &str| {
        let out = fx.run(&[
            "sample",
            "--from",
            "2026-10-01",
            "--to",
            "2026-10-14",
            "--seed",
            seed,
        ]);
        assert!(out.status.success(), "{}", stderr(&out));
        std::fs::read(fx.out().join("sample/2026-10-01_2026-10-14/sample.parquet")).expect("sample")
    };
    let (a, b, c) = (sample("1"), sample("1"), sample("2"));
    assert!(a == b, "same seed, same bytes");
    assert!(a != c, "another seed, another draw");

    let df = fx.read("sample/2026-10-01_2026-10-14/sample.parquet");
    // 40 sessions, 8 of them double-scored: 48 tasks.
    assert_eq!(df.height(), 48);
    let mut seen: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for i in 0..df.height() {
        seen.entry(str_at(&df, "session_id", i).unwrap_or_default())
            .or_default()
            .push(str_at(&df, "reviewer_id", i).unwrap_or_default());
    }
    assert_eq!(seen.len(), 40);
    assert!(seen
        .values()
        .all(|r| r.iter().collect::<BTreeSet<_>>().len() == r.len()));
    // Every repeat-visit draw is a repeat visit by the one definition: the
    // query command sees the same flag.
    fx.file(
        "repeat.sql",
        b"SELECT `session_id` FROM `sessions` WHERE `is_repeat`",
    );
    let q = fx.run(&["query", "repeat.sql"]);
    let repeats: BTreeSet<String> = stdout(&q).lines().skip(1).map(str::to_string).collect();
    for i in 0..df.height() {
        if str_at(&df, "strategy", i).as_deref() == Some("repeat") {
            let id = str_at(&df, "session_id", i).unwrap_or_default();
            assert!(repeats.contains(&id), "{id} is not a repeat visit");
        }
    }
    let size = fx.run(&["sample", "size", "--population", "1000"]);
    assert!(
        stdout(&size).contains("sample size: 278 of 1000"),
        "{}",
        stdout(&size)
    );
    let none = Fixture::new();
    none.config("");
    let out = none.run(&["sample", "--from", "2026-10-01", "--to", "2026-10-02"]);
    assert_eq!(out.status.code(), Some(2), "no plan is a usage error");
}

/// A plan parsed but not checked, as a caller that skips `Plan::check` has it.
fn unchecked(text: &str) -> Plan {
    #[derive(serde::Deserialize)]
    struct F {
        sampling: Plan,
    }
    let f: F = toml::from_str(text).expect("plan");
    f.sampling
}

#[test]
fn quotas_that_add_past_what_a_plan_can_count_are_refused() {
    // risk 4294967295 (u32::MAX) + repeat 1 = 4294967296: one past u32::MAX.
    let text = "[sampling]\n[sampling.risk]\nquota = 4294967295\n[sampling.repeat]\nquota = 1";
    let err = unchecked(text).check().expect_err("the sum overflows");
    assert!(err.contains("[sampling.repeat] quota"), "{err}");
    // Unchecked, drawing still neither panics nor wraps: risk finds none of
    // its 4294967295 and repeat none of its 1; the shortfall saturates at
    // u32::MAX instead of wrapping to 0.
    let s = draw(&many(3), &unchecked(text), 1, "R", 72);
    assert!(s.assignments.is_empty());
    assert_eq!(line(&s, "unfilled", "").planned, u32::MAX);
    // A business target counts too: 4294967295 + 1 from the targets.
    let err = unchecked(
        "[sampling]\n[sampling.random]\nquota = 4294967295\n\
         [sampling.business]\ntargets = [{ business_line = \"a\", quota = 1 }]",
    )
    .check()
    .expect_err("the sum overflows");
    assert!(err.contains("[sampling.business]"), "{err}");
    // At exactly u32::MAX the plan is fine.
    unchecked("[sampling]\n[sampling.risk]\nquota = 4294967294\n[sampling.repeat]\nquota = 1")
        .check()
        .expect("4294967295 fits");
}

#[test]
fn an_overflowing_plan_is_a_config_error_naming_the_key() {
    // Refused when the config is read: exit 2 before any data is touched
    // (unchecked, risk would find none of these sessions and random's
    // 4294967295 + that shortfall would overflow).
    let fx = twelve_sessions();
    fx.config(
        "[sampling]\n[sampling.risk]\nquota = 4294967295\n[sampling.random]\nquota = 4294967295",
    );
    let out = fx.run(&["sample", "--from", "2026-10-01", "--to", "2026-10-02"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("[sampling.random] quota"),
        "{}",
        stderr(&out)
    );
    // A total past u64::MAX is no TOML integer at all; the message names it.
    fx.config("[sampling]\ntotal = 18446744073709551615");
    let out = fx.run(&["sample", "--from", "2026-10-01", "--to", "2026-10-02"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("total"), "{}", stderr(&out));
}

#[test]
fn fair_split_raises_the_lowest_first() {
    // have 0,3,1, may take 4,1,3 more, budget 5: level 3 costs 3+0+2 = 5,
    // level 4 would cost 4+1+3 = 8 → 3,0,2 (everyone at 3).
    assert_eq!(fair_split(5, &[0, 3, 1], &[4, 1, 3]), [3, 0, 2]);
    // have 1,1,0, need 1,1,2, budget 2: level 1 costs 0+0+1 = 1, level 2
    // costs 4; the one left goes to the earliest part at level 1 → 1,0,1.
    assert_eq!(fair_split(2, &[1, 1, 0], &[1, 1, 2]), [1, 0, 1]);
    // Budget enough: everything needed.
    assert_eq!(fair_split(100, &[0, 5], &[2, 3]), [2, 3]);
    assert_eq!(fair_split(0, &[0, 0], &[2, 3]), [0, 0]);
}

#[test]
fn max_total_caps_the_per_agent_top_up() {
    // 3 agents with 10 sessions each; random draws total = 1 (agent X).
    // per_agent_min = 4 asks X for 3 more and the others for 4 each: 11.
    // max_total = 7 leaves 7 − 1 = 6: water-filling from have (1,0,0)
    // reaches level 2 at cost 1+2+2 = 5, the 1 left goes to the earliest
    // agent at level 2 → final counts 3,2,2 in some order; 7 in all.
    let mut c = many(30);
    for (i, x) in c.iter_mut().enumerate() {
        x.agent_id = Some(format!("A{}", i % 3));
    }
    let p = plan("[sampling]\ntotal = 1\nper_agent_min = 4\nmax_total = 7");
    let s = draw(&c, &p, 4, "R", 72);
    assert_eq!(s.assignments.len(), 7);
    let mut per_agent: BTreeMap<String, usize> = BTreeMap::new();
    for a in &s.assignments {
        *per_agent
            .entry(c[a.candidate].agent_id.clone().unwrap_or_default())
            .or_default() += 1;
    }
    let mut counts: Vec<usize> = per_agent.values().copied().collect();
    counts.sort_unstable();
    assert_eq!(counts, [2, 2, 3]);
    let top_up = line(&s, "agent_minimum", "");
    assert_eq!((top_up.planned, top_up.drawn), (11, 6));
    assert_eq!(
        top_up.note,
        "capped by max_total 7: 3 agents below per_agent_min"
    );
    // Uncapped, the same plan gives everyone 4: 12 sessions.
    let p = plan("[sampling]\ntotal = 1\nper_agent_min = 4");
    assert_eq!(draw(&c, &p, 4, "R", 72).assignments.len(), 12);
    // max_total below total or the strategies' quotas is refused.
    let err = unchecked("[sampling]\ntotal = 10\nmax_total = 9")
        .check()
        .expect_err("below total");
    assert!(err.contains("max_total 9"), "{err}");
}

/// 12 sessions on 2026-10-01 (UTC), four for each of agents A1, A2, A3.
fn twelve_sessions() -> Fixture {
    let fx = Fixture::new();
    let ids: Vec<String> = (0..12).map(|i| format!("s{i:02}")).collect();
    let starts: Vec<String> = (0..12)
        .map(|i| format!("2026-10-01T{:02}:00:00Z", 8 + i))
        .collect();
    let agents: Vec<Option<String>> = (0..12).map(|i| Some(format!("A{}", i % 3 + 1))).collect();
    fx.parquet(
        "sessions/part-0.parquet",
        sessions(
            &ids.iter().map(String::as_str).collect::<Vec<_>>(),
            &["a"; 12],
            &starts.iter().map(String::as_str).collect::<Vec<_>>(),
            vec![Column::new("agent_id".into(), agents)],
        ),
    );
    fx
}

#[test]
fn the_summary_line_says_what_the_top_up_added_and_what_was_left_unassigned() {
    let fx = twelve_sessions();
    // total 2 by random, then per_agent_min 2 for 3 agents: 6 sessions in
    // all whatever random drew (each agent has 4), so 2 + 4. One reviewer
    // with capacity 3 takes 3 of the 6 tasks: 3 unassigned.
    fx.config(
        "[sampling]\ntotal = 2\nper_agent_min = 2\n\
         [[sampling.reviewers]]\nid = \"qa1\"\ncapacity = 3",
    );
    let run = || fx.run(&["sample", "--from", "2026-10-01", "--to", "2026-10-01"]);
    let out = run();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains(
            "6 sessions (2 by the strategies + 4 to reach per_agent_min 2), \
             6 review tasks (3 of them unassigned: reviewer capacity exhausted) from 12 candidates"
        ),
        "{}",
        stdout(&out)
    );
    // max_total = 4 leaves the top-up 2 of the 4 it asks: 4 sessions, 4
    // tasks, 1 beyond qa1's capacity of 3.
    fx.config(
        "[sampling]\ntotal = 2\nper_agent_min = 2\nmax_total = 4\n\
         [[sampling.reviewers]]\nid = \"qa1\"\ncapacity = 3",
    );
    let out = run();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains(
            "4 sessions (2 by the strategies + 2 to reach per_agent_min 2, capped by max_total 4), \
             4 review tasks (1 of them unassigned: reviewer capacity exhausted)"
        ),
        "{}",
        stdout(&out)
    );
    let alloc = fx.read("sample/2026-10-01_2026-10-01/allocation.parquet");
    let i = row_where(&alloc, "strategy", "agent_minimum");
    assert_eq!(u64_at(&alloc, "planned", i), Some(4));
    assert_eq!(u64_at(&alloc, "drawn", i), Some(2));
}

#[test]
fn the_sample_shows_started_at_in_local_time() {
    let fx = twelve_sessions();
    // s00 starts 2026-10-01T08:00Z: 16:00 in Asia/Shanghai (UTC+8). The
    // twelve run 16:00 to 03:00 local, so 10-01..10-02 holds them all.
    fx.config("timezone = \"Asia/Shanghai\"\n[sampling]\ntotal = 12");
    let out = fx.run(&["sample", "--from", "2026-10-01", "--to", "2026-10-02"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let csv = std::fs::read_to_string(fx.out().join("sample/2026-10-01_2026-10-02/sample.csv"))
        .expect("sample.csv");
    let s00 = csv
        .lines()
        .find(|l| l.starts_with("s00,"))
        .unwrap_or_else(|| panic!("{csv}"));
    assert!(s00.contains(",2026-10-01T16:00:00+08:00,"), "{s00}");
    // s11 starts 2026-10-01T19:00Z: the next local day, 03:00.
    let s11 = csv.lines().find(|l| l.starts_with("s11,")).expect("s11");
    assert!(s11.contains(",2026-10-02T03:00:00+08:00,"), "{s11}");
}
