//! Sampling plans: each strategy alone and mixed on hand-built candidates
//! with known answers, and the `csqa sample` command end to end.

use std::collections::{BTreeMap, BTreeSet};

use csqa::sampling::*;

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
