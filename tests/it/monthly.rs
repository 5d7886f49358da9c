//! `csqa monthly` on a small fixture whose every figure is computed by hand
//! in the comments. Time zone Asia/Shanghai (UTC+8); month 2026-10 runs from
//! 2026-09-30T16:00Z to 2026-10-31T16:00Z.

use polars::prelude::*;

use crate::common::*;

const STANDARDS: &str = r#"
[[scorecard]]
version = "v1"
effective_from = 2026-01-01
[[scorecard.modules]]
id = "greeting"
name = "Greeting"
group = "service"
scope = "single_point"
scale = "pass_fail"
weight = 10
[[scorecard.modules]]
id = "empathy"
name = "Empathy"
group = "service"
scope = "single_point"
scale = "0-5"
weight = 20
[[scorecard.modules]]
id = "accuracy"
name = "Accuracy"
group = "resolution"
scope = "system"
scale = "0-5"
weight = 30
[[scorecard.modules]]
id = "resolution"
name = "Resolution"
group = "resolution"
scope = "system"
scale = "pass_fail"
weight = 30
[[scorecard.modules]]
id = "compliance"
name = "Compliance"
group = "red_line"
scope = "system"
scale = "pass_fail"
weight = 10

[sla]
first_response_s = 30
reply_s = 120

[[sla.overrides]]
business_line = "a"
from = 2026-10-04T08:00:00+08:00
to = 2026-10-05T08:00:00+08:00
first_response_s = 60
reply_s = 300
reason = "outage"

[causes]
not_resolved = "Not resolved"
info_incomplete = "Information incomplete"
"#;

/// Sessions (UTC):
/// - p1 a c9 09-10 rated 5; p2 a c8 09-12 rated 2, complaint: September.
/// - s1 a c1 10-01 01:00–01:10, rated 5, A1, first response 20 s.
/// - s2 a c1 10-04 01:10 (exactly 72 h after s1 ended: s1 followed, s2 a
///   repeat), rated 3, complaint, A1, 40 s (override 60 s in force).
/// - s3 b c2 10-31 15:00–15:30 (local 23:00), rated 4, A2, 10 s; followed by
///   s4 b c2 11-01 03:00 (November): a repeat across the month end.
/// - s5 b anonymous 10-10, no ended_at, unrated, no agent.
/// - s6 a c3 10-20 02:00, no ended_at, rated 1, A1, 31 s; s7 a c3 10-23
///   02:00:01 (72 h + 1 s after s6's start): not a repeat. s7 A3, 25 s.
/// - s8 b c5 10-31 16:30 = local 11-01 00:30: November.
/// - s9 a c4 09-30 16:00 = local 10-01 00:00: October; rated 4, A3, 30 s
///   (exactly the threshold: met).
/// - s10 b c7 11-03 16:00 and s12 a anonymous 11-03 16:00: the data of both
///   lines reaches month end + 72 h exactly.
/// - s11 a anonymous 10-01 01:30 (same local hour as s1), A1, no response time.
pub(crate) fn fixture(with_hours: bool, with_tail: bool) -> Fixture {
    fixture_with(with_hours, with_tail, false)
}

/// `naive`: every timestamp written as zone-less Asia/Shanghai wall-clock
/// time, as many platforms export them; the figures must not change.
fn fixture_with(with_hours: bool, with_tail: bool, naive: bool) -> Fixture {
    let fx = Fixture::new();
    fx.config("timezone = \"Asia/Shanghai\"");
    fx.file("data/standards.toml", STANDARDS.as_bytes());
    let mut ids = vec![
        "p1", "p2", "s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s11",
    ];
    let mut lines = vec!["a", "a", "a", "a", "b", "b", "b", "a", "a", "b", "a", "a"];
    let mut starts = vec![
        "2026-09-10T02:00:00Z",
        "2026-09-12T02:00:00Z",
        "2026-10-01T01:00:00Z",
        "2026-10-04T01:10:00Z",
        "2026-10-31T15:00:00Z",
        "2026-11-01T03:00:00Z",
        "2026-10-10T02:00:00Z",
        "2026-10-20T02:00:00Z",
        "2026-10-23T02:00:01Z",
        "2026-10-31T16:30:00Z",
        "2026-09-30T16:00:00Z",
        "2026-10-01T01:30:00Z",
    ];
    let mut customers = vec![
        Some("c9"),
        Some("c8"),
        Some("c1"),
        Some("c1"),
        Some("c2"),
        Some("c2"),
        None,
        Some("c3"),
        Some("c3"),
        Some("c5"),
        Some("c4"),
        None,
    ];
    let mut ends = vec![
        Some("2026-09-10T02:10:00Z"),
        Some("2026-09-12T02:10:00Z"),
        Some("2026-10-01T01:10:00Z"),
        Some("2026-10-04T01:20:00Z"),
        Some("2026-10-31T15:30:00Z"),
        Some("2026-11-01T03:10:00Z"),
        None,
        None,
        Some("2026-10-23T02:10:00Z"),
        Some("2026-10-31T16:40:00Z"),
        Some("2026-09-30T16:10:00Z"),
        Some("2026-10-01T01:40:00Z"),
    ];
    let mut ratings = vec![
        Some(5i64),
        Some(2),
        Some(5),
        Some(3),
        Some(4),
        None,
        None,
        Some(1),
        None,
        None,
        Some(4),
        None,
    ];
    let mut agents = vec![
        Some("A9"),
        Some("A9"),
        Some("A1"),
        Some("A1"),
        Some("A2"),
        Some("A2"),
        None,
        Some("A1"),
        Some("A3"),
        Some("A2"),
        Some("A3"),
        Some("A1"),
    ];
    let mut frs = vec![
        Some(10.0),
        Some(10.0),
        Some(20.0),
        Some(40.0),
        Some(10.0),
        Some(10.0),
        None,
        Some(31.0),
        Some(25.0),
        Some(5.0),
        Some(30.0),
        None,
    ];
    let mut complaints = vec![
        Some(false),
        Some(true),
        None,
        Some(true),
        Some(false),
        Some(false),
        None,
        Some(false),
        Some(false),
        Some(false),
        Some(false),
        Some(false),
    ];
    if with_tail {
        for (id, line, customer) in [("s10", "b", Some("c7")), ("s12", "a", None)] {
            ids.push(id);
            lines.push(line);
            starts.push("2026-11-03T16:00:00Z");
            customers.push(customer);
            ends.push(None);
            ratings.push(None);
            agents.push(None);
            frs.push(None);
            complaints.push(None);
        }
    }
    let sessions = sessions(
        &ids,
        &lines,
        &starts,
        vec![
            str_col("customer_id", &customers),
            ts_col("ended_at", &ends),
            Column::new("rating".into(), ratings),
            str_col("agent_id", &agents),
            Column::new("first_response_s".into(), frs),
            Column::new("complaint".into(), complaints),
            // s6, s7 are deliveries, s11 has no category, the rest refunds.
            str_col(
                "category",
                &ids.iter()
                    .map(|id| match *id {
                        "s6" | "s7" => Some("delivery"),
                        "s11" => None,
                        _ => Some("refund"),
                    })
                    .collect::<Vec<_>>(),
            ),
        ],
    );
    fx.parquet(
        "sessions/part-0.parquet",
        local_naive(sessions, naive, &["started_at", "ended_at"]),
    );

    // Reviews, built-in weights 10/20/30/30/10:
    // r1 (s1): 1,4,5,1,1 → (10 + 20·0.8 + 30 + 30 + 10)/100 → 96
    // r2 (s2): 0,N/A,3,N/A,1 → (0 + 30·0.6 + 10)/50 → 56
    // r3 (s6): 1,5,5,1, compliance 0 → red line failed → 0
    // r4 (s3): 1,2,4,0,1 → (10 + 8 + 24 + 0 + 10)/100 → 52
    let modules = [
        "greeting",
        "empathy",
        "accuracy",
        "resolution",
        "compliance",
    ];
    let scores: [(&str, &str, [Option<f64>; 5]); 4] = [
        (
            "r1",
            "s1",
            [Some(1.0), Some(4.0), Some(5.0), Some(1.0), Some(1.0)],
        ),
        ("r2", "s2", [Some(0.0), None, Some(3.0), None, Some(1.0)]),
        (
            "r3",
            "s6",
            [Some(1.0), Some(5.0), Some(5.0), Some(1.0), Some(0.0)],
        ),
        (
            "r4",
            "s3",
            [Some(1.0), Some(2.0), Some(4.0), Some(0.0), Some(1.0)],
        ),
    ];
    let (mut rid, mut sid, mut mid, mut sc) = (vec![], vec![], vec![], vec![]);
    for (r, s, v) in scores {
        for (m, x) in modules.iter().zip(v) {
            rid.push(r);
            sid.push(s);
            mid.push(*m);
            sc.push(x);
        }
    }
    let k = rid.len();
    let reviews = DataFrame::new_infer_height(vec![
        Column::new("review_id".into(), rid),
        Column::new("session_id".into(), sid),
        Column::new("reviewer_id".into(), vec!["qa1"; k]),
        ts_col("reviewed_at", &vec![Some("2026-11-02T00:00:00Z"); k]),
        Column::new("module_id".into(), mid),
        Column::new("score".into(), sc),
    ])
    .expect("reviews");
    fx.parquet(
        "reviews/part-0.parquet",
        local_naive(reviews, naive, &["reviewed_at"]),
    );

    // s2 carries two causes (a tie: ordered by cause); s7 is not a repeat
    // visit by the 72 h rule, so its note is not counted.
    let causes = DataFrame::new_infer_height(vec![
        Column::new("session_id".into(), ["s2", "s2", "s7"]),
        Column::new(
            "cause".into(),
            ["not_resolved", "info_incomplete", "not_resolved"],
        ),
    ])
    .expect("causes");
    fx.parquet("repeat_causes/part-0.parquet", causes);

    // s1: first answer 20 s (excluded); customer 01:01:00 and 01:01:30, agent
    // 01:03:30 → 150 s (missed); bot ignored; customer 01:05, agent 01:06 →
    // 60 s (met); agent 01:08 answers nobody. s2 (override reply 300 s):
    // first answer excluded; customer 01:11, agent 01:14 → 180 s: met under
    // the override, missed under the base 120 s. Line a: 2/3, base 1/3.
    let msgs: [(&str, &str, &str); 13] = [
        ("s1", "2026-10-01T01:00:00Z", "customer"),
        ("s1", "2026-10-01T01:00:20Z", "agent"),
        ("s1", "2026-10-01T01:01:00Z", "customer"),
        ("s1", "2026-10-01T01:01:30Z", "customer"),
        ("s1", "2026-10-01T01:03:30Z", "agent"),
        ("s1", "2026-10-01T01:04:00Z", "bot"),
        ("s1", "2026-10-01T01:05:00Z", "customer"),
        ("s1", "2026-10-01T01:06:00Z", "agent"),
        ("s1", "2026-10-01T01:07:00Z", "system"),
        ("s1", "2026-10-01T01:08:00Z", "agent"),
        ("s2", "2026-10-04T01:10:00Z", "customer"),
        ("s2", "2026-10-04T01:10:40Z", "agent"),
        ("s2", "2026-10-04T01:11:00Z", "customer"),
    ];
    let mut ms: Vec<(&str, &str, &str)> = msgs.to_vec();
    ms.push(("s2", "2026-10-04T01:14:00Z", "agent"));
    let messages = DataFrame::new_infer_height(vec![
        Column::new(
            "session_id".into(),
            ms.iter().map(|m| m.0).collect::<Vec<_>>(),
        ),
        ts_col("sent_at", &ms.iter().map(|m| Some(m.1)).collect::<Vec<_>>()),
        Column::new("sender".into(), ms.iter().map(|m| m.2).collect::<Vec<_>>()),
    ])
    .expect("messages");
    fx.parquet(
        "messages/part-0.parquet",
        local_naive(messages, naive, &["sent_at"]),
    );

    if with_hours {
        // A1 25 h in October (the 10-02 idle day included), A3 6 h, A2 2 h;
        // A9's September hours are outside the month.
        let hours = DataFrame::new_infer_height(vec![
            Column::new(
                "agent_id".into(),
                ["A1", "A1", "A1", "A1", "A3", "A3", "A2", "A9"],
            ),
            Column::new(
                "date".into(),
                [
                    "2026-10-01",
                    "2026-10-04",
                    "2026-10-20",
                    "2026-10-02",
                    "2026-10-23",
                    "2026-10-01",
                    "2026-10-31",
                    "2026-09-10",
                ]
                .map(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").expect("date")),
            ),
            Column::new(
                "logged_in_hours".into(),
                [8.0, 6.0, 4.0, 7.0, 5.0, 1.0, 2.0, 8.0],
            ),
        ])
        .expect("hours");
        fx.parquet("agent_hours/part-0.parquet", hours);
    }
    fx
}

/// The same instants as naive Asia/Shanghai wall-clock times.
fn local_naive(df: DataFrame, naive: bool, columns: &[&str]) -> DataFrame {
    if !naive {
        return df;
    }
    let shanghai = TimeZone::opt_try_new(Some("Asia/Shanghai"))
        .expect("zone")
        .expect("zone");
    df.lazy()
        .with_columns(
            columns
                .iter()
                .map(|c| {
                    col(*c)
                        .dt()
                        .convert_time_zone(shanghai.clone())
                        .dt()
                        .replace_time_zone(None, lit("raise"), NonExistent::Raise)
                })
                .collect::<Vec<_>>(),
        )
        .collect()
        .expect("naive")
}

fn business_lines(fx: &Fixture) -> DataFrame {
    let out = fx.run(&["monthly", "--month", "2026-10"]);
    assert!(out.status.success(), "{}", stderr(&out));
    fx.read("monthly/2026-10/business_lines.parquet")
}

fn at(df: &DataFrame, line: &str, column: &str) -> Option<f64> {
    f64_at(df, column, row_where(df, "business_line", line))
}

#[test]
fn business_line_figures_match_hand_computation() {
    let fx = fixture(true, true);
    let bl = business_lines(&fx);
    assert_eq!(
        str_at(&bl, "business_line", 2).as_deref(),
        Some("ALL"),
        "ALL last"
    );
    let expect = |line: &str, column: &str, v: f64| {
        assert_close(at(&bl, line, column), v, &format!("{line}.{column}"))
    };
    // Line a: s1 s2 s6 s7 s9 s11.
    expect("a", "sessions", 6.0);
    expect("a", "rated", 4.0); // s1 5, s2 3, s6 1, s9 4
    expect("a", "csat", 0.5); // s1, s9
    expect("a", "response_rate", 4.0 / 6.0);
    expect("a", "avg_rating", 3.25);
    expect("a", "fcr", 0.8); // 5 with a customer; s1 followed
    expect("a", "repeat_rate", 0.2);
    expect("a", "fcr_coverage", 5.0 / 6.0);
    expect("a", "complaints", 1.0);
    expect("a", "complaint_rate", 1.0 / 6.0);
    expect("a", "first_response_sla", 0.8); // 20, 40 (≤ 60 override), 31 ✗, 25, 30
    expect("a", "first_response_sla_base", 0.6);
    expect("a", "reply_sla", 2.0 / 3.0);
    expect("a", "reply_sla_base", 1.0 / 3.0);
    expect("a", "qa_reviews", 3.0);
    expect("a", "qa_score", (96.0 + 56.0 + 0.0) / 3.0);
    expect("a", "cph", 6.0 / 31.0); // A1 25 h + A3 6 h
    expect("a", "prev_csat", 0.5); // p1 5, p2 2
    expect("a", "prev_fcr", 1.0);
    expect("a", "prev_complaint_rate", 0.5);
    // Line b: s3 s5.
    expect("b", "sessions", 2.0);
    expect("b", "csat", 1.0);
    expect("b", "response_rate", 0.5);
    expect("b", "fcr", 0.0); // s3 followed by s4 across the month end
    expect("b", "fcr_coverage", 0.5);
    expect("b", "complaint_rate", 0.0);
    expect("b", "first_response_sla", 1.0);
    expect("b", "qa_score", 52.0);
    expect("b", "cph", 0.5);
    assert_eq!(
        at(&bl, "b", "prev_csat"),
        None,
        "no September sessions in b"
    );
    assert_eq!(at(&bl, "b", "reply_sla"), None, "no messages in b");
    // ALL.
    expect("ALL", "sessions", 8.0);
    expect("ALL", "csat", 0.6);
    expect("ALL", "response_rate", 5.0 / 8.0);
    expect("ALL", "avg_rating", 3.4);
    expect("ALL", "fcr", 4.0 / 6.0);
    expect("ALL", "fcr_coverage", 0.75);
    expect("ALL", "complaint_rate", 1.0 / 8.0);
    expect("ALL", "first_response_sla", 5.0 / 6.0);
    expect("ALL", "qa_score", 51.0);
    expect("ALL", "qa_reviews", 4.0); // a's 3 and b's 1, added up
                                      // Only a has replies: ALL adds up its 3 events, 2 met (1 under the base).
    expect("ALL", "replies", 3.0);
    expect("ALL", "reply_sla", 2.0 / 3.0);
    expect("ALL", "reply_sla_base", 1.0 / 3.0);
    expect("ALL", "cph", 7.0 / 33.0);
    expect("ALL", "prev_csat", 0.5);
    assert_eq!(
        fcr_complete(&bl),
        [Some(true); 3],
        "each line's data reaches exactly month end + 72 h"
    );
}

/// `fcr_complete` of every row, in table order.
fn fcr_complete(bl: &DataFrame) -> Vec<Option<bool>> {
    let c = bl
        .column("fcr_complete")
        .expect("col")
        .bool()
        .expect("bool");
    c.iter().collect()
}

#[test]
fn fcr_completeness_is_decided_per_line() {
    // Without the tail, then one late row of line a only (11-03 16:00Z =
    // month end + 72 h): a is complete; b's data ends with s4 at 11-01
    // 03:00Z (11:00 local), 61 h short, so b and ALL are not.
    let fx = fixture(true, false);
    let late = sessions(&["late-a"], &["a"], &["2026-11-03T16:00:00Z"], vec![]);
    fx.parquet("sessions/part-1.parquet", late);
    let out = fx.run(&["monthly", "--month", "2026-10"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("FCR INCOMPLETE"), "{}", stdout(&out));
    let bl = fx.read("monthly/2026-10/business_lines.parquet");
    assert_eq!(str_at(&bl, "business_line", 0).as_deref(), Some("a"));
    assert_eq!(fcr_complete(&bl), [Some(true), Some(false), Some(false)]);
    let report =
        std::fs::read_to_string(fx.out().join("monthly/2026-10/report.md")).expect("report");
    assert!(
        report.contains("> **FCR incomplete for b (data until 2026-11-01 11:00 +08:00):"),
        "{report}"
    );
    assert!(
        report.contains("- FCR complete: no; incomplete: b (data until"),
        "{report}"
    );
    let manifest =
        std::fs::read_to_string(fx.out().join("monthly/2026-10/manifest.json")).expect("manifest");
    assert!(manifest.contains("\"fcr_complete\": false"), "{manifest}");
}

#[test]
fn naive_local_timestamps_give_the_same_figures() {
    let aware = business_lines(&fixture(true, true));
    let naive = business_lines(&fixture_with(true, true, true));
    let raw = naive
        .clone()
        .lazy()
        .select([col("business_line")])
        .collect()
        .expect("lines");
    assert_eq!(raw.height(), 3);
    for column in [
        "sessions",
        "csat",
        "fcr",
        "complaint_rate",
        "cph",
        "qa_score",
        "first_response_sla",
        "reply_sla",
        "prev_csat",
    ] {
        for line in ["a", "b", "ALL"] {
            assert_eq!(
                at(&aware, line, column),
                at(&naive, line, column),
                "{line}.{column}"
            );
        }
    }
    assert_close(
        at(&naive, "a", "first_response_sla"),
        0.8,
        "override applies to naive starts",
    );
}

#[test]
fn cph_without_agent_hours_counts_distinct_agent_hours() {
    let fx = fixture(false, true);
    let bl = business_lines(&fx);
    // Line a: (A1,10-01,9h) twice (s1, s11), (A1,10-04,9h), (A1,10-20,10h),
    // (A3,10-23,10h), (A3,10-01,0h) → 5 hours for 6 sessions.
    assert_close(at(&bl, "a", "cph"), 6.0 / 5.0, "a.cph");
    assert_close(at(&bl, "b", "cph"), 1.0, "b.cph");
    assert_close(at(&bl, "ALL", "cph"), 7.0 / 6.0, "ALL.cph");
    // Every agent-handled session counts; no hours table, no day count.
    assert_close(at(&bl, "ALL", "cph_sessions"), 7.0, "ALL.cph_sessions");
    assert_eq!(at(&bl, "ALL", "agent_days_without_hours"), None);
    let report =
        std::fs::read_to_string(fx.out().join("monthly/2026-10/report.md")).expect("report");
    assert!(!report.contains("no hours logged"), "{report}");
}

/// Agent B1 works lines a and b, B2 logs 0 hours, B3 logs hours but
/// handles no session. Asia/Shanghai; local dates in brackets.
fn cph_fixture() -> Fixture {
    let fx = Fixture::new();
    fx.config("timezone = \"Asia/Shanghai\"");
    let ids = ["x1", "x2", "x3", "x4", "x5", "x6", "x7"];
    let lines = ["a", "a", "b", "b", "a", "a", "b"];
    let starts = [
        "2026-10-05T01:00:00Z", // B1 a [10-05]
        "2026-10-05T02:00:00Z", // B1 a [10-05]
        "2026-10-05T03:00:00Z", // B1 b [10-05]
        "2026-10-05T17:00:00Z", // B1 b [10-06 01:00]
        "2026-10-07T01:00:00Z", // B1 a [10-07]: no hours that day
        "2026-10-05T01:00:00Z", // B2 a [10-05]: 0 h logged, so no hours
        "2026-10-05T04:00:00Z", // no agent
    ];
    let agents = [
        Some("B1"),
        Some("B1"),
        Some("B1"),
        Some("B1"),
        Some("B1"),
        Some("B2"),
        None,
    ];
    let df = sessions(&ids, &lines, &starts, vec![str_col("agent_id", &agents)]);
    fx.parquet("sessions/part-0.parquet", df);
    let date = |d: &str| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").expect("date");
    let hours = DataFrame::new_infer_height(vec![
        Column::new("agent_id".into(), ["B1", "B1", "B1", "B3", "B2"]),
        Column::new(
            "date".into(),
            [
                "2026-10-05",
                "2026-10-06",
                "2026-10-08",
                "2026-10-05",
                "2026-10-05",
            ]
            .map(date),
        ),
        Column::new("logged_in_hours".into(), [6.0, 3.0, 4.0, 5.0, 0.0]),
    ])
    .expect("hours");
    fx.parquet("agent_hours/part-0.parquet", hours);
    fx
}

#[test]
fn cph_counts_days_with_hours_and_splits_an_agents_hours_across_lines() {
    let fx = cph_fixture();
    let bl = business_lines(&fx);
    // Not 4 / 13 (every session of a over all 13 h of B1).
    assert_close(at(&bl, "a", "cph"), 2.0 / 6.4, "a.cph");
    let columns = [
        "agent_sessions",
        "cph_sessions",
        "agent_days_without_hours",
        "agent_hours",
        "cph",
    ];
    let s = |v: f64| Some(v);
    assert_rows(
        rows(&bl, &["business_line"], &columns),
        vec![
            // B1 10-05: 6 h over x1 x2 (a) and x3 (b) → a 6·2/3 = 4, b 2.
            // B1 10-06: 3 h, x4 (b) → b 3. B1 10-07: x5 (a), no hours.
            // B1 10-08: 4 h, no session → the month's share: a 3 of 5
            // sessions (x1 x2 x5) → 2.4, b 2 of 5 → 1.6.
            // a: x1 x2 counted (x5, x6 on days without hours);
            // hours 4 + 2.4 = 6.4 → CPH 2 / 6.4 = 0.3125.
            ("a", vec![s(4.), s(2.), s(2.), s(6.4), s(0.3125)]),
            // b: x3 x4; hours 2 + 3 + 1.6 = 6.6 → CPH 2 / 6.6.
            ("b", vec![s(2.), s(2.), s(0.), s(6.6), s(2. / 6.6)]),
            // ALL: every logged hour, B3's 5 h too: 6 + 3 + 4 + 5 = 18;
            // 4 sessions counted → 4 / 18.
            ("ALL", vec![s(6.), s(4.), s(2.), s(18.), s(4. / 18.)]),
        ],
    );
    let agents = fx.read("monthly/2026-10/agents.parquet");
    assert_rows(
        rows(
            &agents,
            &["business_line", "agent_id"],
            &[
                "sessions",
                "cph_sessions",
                "days_without_hours",
                "agent_hours",
                "cph",
            ],
        ),
        vec![
            ("a/B1", vec![s(3.), s(2.), s(1.), s(6.4), s(0.3125)]),
            // B2 logged nothing: no CPH.
            ("a/B2", vec![s(1.), s(0.), s(1.), s(0.), None]),
            ("b/B1", vec![s(2.), s(2.), s(0.), s(6.6), s(2. / 6.6)]),
        ],
    );
    let report =
        std::fs::read_to_string(fx.out().join("monthly/2026-10/report.md")).expect("report");
    assert!(
        report.contains(
            "- Agent-days with sessions but no hours logged: 2 (2 sessions left out of CPH)"
        ),
        "{report}"
    );
}

#[test]
fn the_chinese_report_md_holds_the_same_figures() {
    // report.md is the page's content, so in Chinese with --lang zh. The
    // cph fixture's ALL row: 6 agent sessions, 4 counted in CPH → 6 − 4 = 2
    // sessions left out, on 2 agent-days without hours (B1 10-07, B2 10-05).
    let fx = cph_fixture();
    let out = fx.run(&["monthly", "--month", "2026-10", "--lang", "zh"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let report =
        std::fs::read_to_string(fx.out().join("monthly/2026-10/report.md")).expect("report");
    assert!(report.starts_with("# 月度复盘 · 2026-10\n"), "{report}");
    assert!(
        report.contains("- 有会话但未登记工时的人天：2（2 个会话未计入 CPH）"),
        "{report}"
    );
    assert!(report.contains("## 数据质量"), "{report}");
    assert!(!report.contains("Data quality"), "{report}");
}

#[test]
fn fcr_is_incomplete_before_the_look_ahead_is_in() {
    let fx = fixture(true, false);
    let out = fx.run(&["monthly", "--month", "2026-10"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("FCR INCOMPLETE"), "{}", stdout(&out));
    let bl = fx.read("monthly/2026-10/business_lines.parquet");
    let complete = bl
        .column("fcr_complete")
        .expect("col")
        .bool()
        .expect("bool")
        .get(0);
    assert_eq!(complete, Some(false));
    // The figures themselves do not change: s4 is already in the data.
    assert_close(at(&bl, "b", "fcr"), 0.0, "b.fcr");
    let report =
        std::fs::read_to_string(fx.out().join("monthly/2026-10/report.md")).expect("report");
    assert!(report.contains("FCR incomplete"), "{report}");
    let manifest =
        std::fs::read_to_string(fx.out().join("monthly/2026-10/manifest.json")).expect("manifest");
    assert!(manifest.contains("\"fcr_complete\": false"), "{manifest}");
}

#[test]
fn repeat_causes_in_pareto_order() {
    let fx = fixture(true, true);
    business_lines(&fx);
    let rc = fx.read("monthly/2026-10/repeat_causes.parquet");
    // Line a: s2 has two causes, one repeat each: shares 0.5, tie broken by
    // cause; s7's note is not a repeat visit. Then ALL, the same.
    let rows: Vec<(String, String, f64, f64, f64)> = (0..rc.height())
        .map(|i| {
            (
                str_at(&rc, "business_line", i).unwrap_or_default(),
                str_at(&rc, "cause", i).unwrap_or_default(),
                f64_at(&rc, "repeats", i).unwrap_or(-1.0),
                f64_at(&rc, "share", i).unwrap_or(-1.0),
                f64_at(&rc, "cumulative_share", i).unwrap_or(-1.0),
            )
        })
        .collect();
    let want = |l: &str, c: &str, r: f64, s: f64, cs: f64| (l.to_string(), c.to_string(), r, s, cs);
    assert_eq!(
        rows,
        vec![
            want("a", "info_incomplete", 1.0, 0.5, 0.5),
            want("a", "not_resolved", 1.0, 0.5, 1.0),
            want("ALL", "info_incomplete", 1.0, 0.5, 0.5),
            want("ALL", "not_resolved", 1.0, 0.5, 1.0),
        ]
    );
    assert_eq!(str_at(&rc, "label", 1).as_deref(), Some("Not resolved"));
}

#[test]
fn customer_business_line_scope_ignores_other_lines() {
    let fx = fixture(true, true);
    // Same fixture under the other scope: no customer crosses lines, so the
    // figures are the same; a cross-line follow-up is covered in fcr.rs.
    fx.config("timezone = \"Asia/Shanghai\"\n[fcr]\nscope = \"customer_business_line\"");
    let bl = business_lines(&fx);
    assert_close(at(&bl, "a", "fcr"), 0.8, "a.fcr");
    assert_close(at(&bl, "b", "fcr"), 0.0, "b.fcr");
}

#[test]
fn a_month_without_sessions_is_an_error() {
    let fx = fixture(true, true);
    let out = fx.run(&["monthly", "--month", "2027-01"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("no sessions started in 2027-01"),
        "{}",
        stderr(&out)
    );
    assert!(!fx.out().join("monthly/2027-01").exists());
}

#[test]
fn a_failed_run_leaves_the_previous_output_in_place() {
    let fx = fixture(true, true);
    business_lines(&fx);
    let before = std::fs::read(fx.out().join("monthly/2026-10/business_lines.csv")).expect("csv");
    // A broken user query fails the job after the built-in tables ran.
    fx.file("extra/broken.sql", b"SELECT nonexistent FROM sessions");
    fx.config("timezone = \"Asia/Shanghai\"\n[monthly]\nextra_queries = \"extra\"");
    let out = fx.run(&["monthly", "--month", "2026-10"]);
    // Bad SQL is bad input, as in `csqa query`: exit 2, the file named.
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("extra/broken.sql"),
        "{}",
        stderr(&out)
    );
    let after = std::fs::read(fx.out().join("monthly/2026-10/business_lines.csv")).expect("csv");
    assert_eq!(before, after);
    let leftovers: Vec<_> = std::fs::read_dir(fx.out().join("monthly"))
        .expect("dir")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        leftovers,
        vec!["2026-10".to_string()],
        "no temporary folder left"
    );
}

#[test]
fn user_queries_become_extra_tables() {
    let fx = fixture(true, true);
    fx.file(
        "extra/channel_mix.sql",
        b"SELECT `channel`, COUNT(*) AS `sessions` FROM `sessions` JOIN `period` ON `local_month` = `month` GROUP BY `channel`",
    );
    fx.config("timezone = \"Asia/Shanghai\"\n[monthly]\nextra_queries = \"extra\"");
    business_lines(&fx);
    let mix = fx.read("monthly/2026-10/channel_mix.parquet");
    assert_close(f64_at(&mix, "sessions", 0), 8.0, "chat sessions");
}

#[test]
fn agents_match_hand_computation() {
    let fx = fixture(true, true);
    business_lines(&fx);
    let agents = fx.read("monthly/2026-10/agents.parquet");
    let columns = [
        "sessions",
        "csat",
        "fcr",
        "complaint_rate",
        "qa_reviews",
        "qa_score",
        "first_response_sla",
        "reply_sla",
        "agent_hours",
        "cph",
        "prev_csat",
    ];
    assert_rows(
        rows(&agents, &["business_line", "agent_id"], &columns),
        vec![
            // A1: s1 s2 s6 s11; rated 5,3,1; s1 followed of 3 with a
            // customer; s2 complained; r1 96, r2 56, r3 0; first responses
            // 20 ✓, 40 ✓ (override), 31 ✗; replies 150 ✗, 60 ✓, 180 ✓
            // (override); 25 h logged; no September sessions.
            (
                "a/A1",
                vec![
                    Some(4.0),
                    Some(1.0 / 3.0),
                    Some(2.0 / 3.0),
                    Some(0.25),
                    Some(3.0),
                    Some(152.0 / 3.0),
                    Some(2.0 / 3.0),
                    Some(2.0 / 3.0),
                    Some(25.0),
                    Some(4.0 / 25.0),
                    None,
                ],
            ),
            // A3: s7 s9; rated s9 4; nothing followed; no reviews; 25 ✓, 30 ✓.
            (
                "a/A3",
                vec![
                    Some(2.0),
                    Some(1.0),
                    Some(1.0),
                    Some(0.0),
                    Some(0.0),
                    None,
                    Some(1.0),
                    None,
                    Some(6.0),
                    Some(2.0 / 6.0),
                    None,
                ],
            ),
            // A2: s3 rated 4, followed across the month end; r4 52; 10 s ✓.
            (
                "b/A2",
                vec![
                    Some(1.0),
                    Some(1.0),
                    Some(0.0),
                    Some(0.0),
                    Some(1.0),
                    Some(52.0),
                    Some(1.0),
                    None,
                    Some(2.0),
                    Some(0.5),
                    None,
                ],
            ),
        ],
    );
}

#[test]
fn categories_match_hand_computation() {
    let fx = fixture(true, true);
    business_lines(&fx);
    let categories = fx.read("monthly/2026-10/categories.parquet");
    let columns = [
        "sessions",
        "csat",
        "fcr",
        "repeat_rate",
        "repeat_visits",
        "complaint_rate",
        "qa_reviews",
        "qa_score",
        "prev_sessions",
        "prev_csat",
        "prev_fcr",
        "prev_complaint_rate",
    ];
    assert_rows(
        rows(&categories, &["business_line", "category"], &columns),
        vec![
            // The session without a category is grouped, not lost.
            (
                "a/(none)",
                vec![
                    Some(1.0),
                    None,
                    None,
                    None,
                    Some(0.0),
                    Some(0.0),
                    Some(0.0),
                    None,
                    None,
                    None,
                    None,
                    None,
                ],
            ),
            // s6 rated 1, s7 unrated; neither followed; r3 zeroed by the red line.
            (
                "a/delivery",
                vec![
                    Some(2.0),
                    Some(0.0),
                    Some(1.0),
                    Some(0.0),
                    Some(0.0),
                    Some(0.0),
                    Some(1.0),
                    Some(0.0),
                    None,
                    None,
                    None,
                    None,
                ],
            ),
            // s1 s2 s9: rated 5,3,4; s1 followed; s2 a repeat with a
            // complaint; r1 96, r2 56; September: p1, p2.
            (
                "a/refund",
                vec![
                    Some(3.0),
                    Some(2.0 / 3.0),
                    Some(2.0 / 3.0),
                    Some(1.0 / 3.0),
                    Some(1.0),
                    Some(1.0 / 3.0),
                    Some(2.0),
                    Some(76.0),
                    Some(2.0),
                    Some(0.5),
                    Some(1.0),
                    Some(0.5),
                ],
            ),
            // s3 (followed) and the anonymous s5.
            (
                "b/refund",
                vec![
                    Some(2.0),
                    Some(1.0),
                    Some(0.0),
                    Some(1.0),
                    Some(0.0),
                    Some(0.0),
                    Some(1.0),
                    Some(52.0),
                    None,
                    None,
                    None,
                    None,
                ],
            ),
        ],
    );
}

#[test]
fn sla_overrides_list_the_sessions_they_touched() {
    let fx = fixture(true, true);
    business_lines(&fx);
    let o = fx.read("monthly/2026-10/sla_overrides.parquet");
    // Only s2 started inside line a's outage window.
    assert_eq!(o.height(), 1);
    assert_eq!(str_at(&o, "sla_override", 0).as_deref(), Some("outage"));
    assert_eq!(str_at(&o, "business_line", 0).as_deref(), Some("a"));
    assert_close(f64_at(&o, "sessions", 0), 1.0, "sessions");
    assert_close(
        f64_at(&o, "first_response_threshold_s", 0),
        60.0,
        "first response",
    );
    assert_close(f64_at(&o, "reply_threshold_s", 0), 300.0, "reply");
}

#[test]
fn the_window_reads_null_times_and_skips_other_months() {
    let fx = fixture(true, true);
    // x1 has no start: read and rejected, not lost. x2 is from 2025: outside
    // the window, never read.
    let extra = DataFrame::new_infer_height(vec![
        Column::new("session_id".into(), ["x1", "x2"]),
        Column::new("business_line".into(), ["a", "a"]),
        Column::new("channel".into(), ["chat", "chat"]),
        ts_col("started_at", &[None, Some("2025-01-01T00:00:00Z")]),
    ])
    .expect("frame");
    fx.parquet("sessions/part-1.parquet", extra);
    business_lines(&fx);
    let rejects = fx.read("monthly/2026-10/rejects/sessions.parquet");
    assert_eq!(rejects.height(), 1);
    assert_eq!(str_at(&rejects, "session_id", 0).as_deref(), Some("x1"));
    assert_eq!(
        str_at(&rejects, "reason", 0).as_deref(),
        Some("null started_at")
    );
    let manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(fx.out().join("monthly/2026-10/manifest.json")).expect("manifest"),
    )
    .expect("json");
    // The fixture's 14 sessions plus x1.
    assert_eq!(manifest["tables"]["sessions"]["rows_in"], 15);
    assert_eq!(manifest["tables"]["sessions"]["rejected"], 1);
}

#[test]
fn messages_are_checked_in_passes_with_the_counts_of_a_whole_check() {
    let fx = fixture(true, true);
    // A second file: an exact copy of s1's 150 s reply (so the reply SLA is
    // unchanged); s1 and s2 messages without sent_at, and an unknown sender
    // (rejected); a message of September (outside the window, never read);
    // an s2 customer message at the instant of s1's reply, which shares the
    // instant without being a copy and comes before s2's first answer, so
    // s2's reply stands. A third file: a copy of the s1 message without
    // sent_at (folded, then rejected once).
    let extra = DataFrame::new_infer_height(vec![
        Column::new("session_id".into(), ["s1", "s1", "s2", "s2", "s1", "s2"]),
        ts_col(
            "sent_at",
            &[
                Some("2026-10-01T01:03:30Z"),
                None,
                None,
                Some("2026-10-04T01:12:00Z"),
                Some("2026-09-20T00:00:00Z"),
                Some("2026-10-01T01:03:30Z"),
            ],
        ),
        Column::new(
            "sender".into(),
            [
                "agent", "customer", "customer", "robot", "agent", "customer",
            ],
        ),
    ])
    .expect("messages");
    let copy_of_null = DataFrame::new_infer_height(vec![
        Column::new("session_id".into(), ["s1"]),
        ts_col("sent_at", &[None]),
        Column::new("sender".into(), ["customer"]),
    ])
    .expect("messages");
    fx.parquet("messages/part-1.parquet", extra);
    fx.parquet("messages/part-2.parquet", copy_of_null);
    let bl = business_lines(&fx);
    // Line a as in the fixture: 2 of 3 replies within the threshold.
    assert_close(at(&bl, "a", "reply_sla"), 2.0 / 3.0, "reply_sla");
    let manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(fx.out().join("monthly/2026-10/manifest.json")).expect("manifest"),
    )
    .expect("json");
    let m = &manifest["tables"]["messages"];
    // 14 fixture messages + 5 of part-1 in the window + 1 of part-2.
    assert_eq!(m["rows_in"], 20, "{m}");
    assert_eq!(m["duplicates"], 2, "{m}");
    assert_eq!(m["rejected"], 3, "{m}");
    assert_eq!(m["used"], 15, "{m}");
    assert_eq!(m["rejected_by_reason"]["null sent_at"], 2, "{m}");
    assert_eq!(m["rejected_by_reason"]["unknown sender"], 1, "{m}");
    let rejects = fx.read("monthly/2026-10/rejects/messages.parquet");
    assert_eq!(rejects.height(), 3);
    let files: Vec<String> = (0..3)
        .filter_map(|i| str_at(&rejects, "source_file", i))
        .collect();
    assert!(
        files.iter().all(|f| f.starts_with("messages/part-")),
        "{files:?}"
    );
}
