//! A month of real-looking exports with every trap at once, run through
//! `csqa monthly` in Europe/Berlin: a session exported twice, blank ids, a
//! local time the clocks skip and one they repeat, a session that "ends"
//! six weeks later, a line called `ALL`, an appeal exported as pending and
//! again once decided, a corrected agent-hours row. Every figure below is
//! worked out by hand; every table keeps rows in = used + duplicates +
//! rejected; nothing panics.

use polars::prelude::*;
use serde_json::Value;

use crate::common::*;

/// Naive local (Berlin) timestamps, as a platform in that zone exports them.
fn local(name: &str, values: &[Option<&str>]) -> Column {
    naive_ts_col(name, values, TimeUnit::Microseconds)
}

fn sessions_export(ids: &[&str], rows: &[SessionRow]) -> DataFrame {
    let pick = |f: fn(&SessionRow) -> Option<&'static str>| -> Vec<Option<&str>> {
        rows.iter().map(f).collect()
    };
    DataFrame::new_infer_height(vec![
        Column::new("session_id".into(), ids.to_vec()),
        Column::new("customer_id".into(), pick(|r| r.customer)),
        Column::new(
            "business_line".into(),
            rows.iter().map(|r| r.line).collect::<Vec<_>>(),
        ),
        Column::new("channel".into(), vec!["chat"; rows.len()]),
        Column::new("agent_id".into(), pick(|r| r.agent)),
        local(
            "started_at",
            &rows.iter().map(|r| Some(r.start)).collect::<Vec<_>>(),
        ),
        local("ended_at", &pick(|r| r.end)),
        Column::new(
            "rating".into(),
            rows.iter().map(|r| r.rating).collect::<Vec<_>>(),
        ),
        Column::new(
            "complaint".into(),
            rows.iter().map(|r| Some(r.complaint)).collect::<Vec<_>>(),
        ),
    ])
    .expect("sessions")
}

struct SessionRow {
    customer: Option<&'static str>,
    line: &'static str,
    agent: Option<&'static str>,
    start: &'static str,
    end: Option<&'static str>,
    rating: Option<i64>,
    complaint: bool,
}

const fn row(
    customer: Option<&'static str>,
    line: &'static str,
    agent: Option<&'static str>,
    start: &'static str,
    end: Option<&'static str>,
    rating: Option<i64>,
    complaint: bool,
) -> SessionRow {
    SessionRow {
        customer,
        line,
        agent,
        start,
        end,
        rating,
        complaint,
    }
}

fn fixture() -> Fixture {
    let f = Fixture::new();
    f.config("timezone = \"Europe/Berlin\"");
    let first = [
        // p1, p2: C1 comes back 46 h 50 min after p1 ended: p1 is followed,
        // p2 a repeat visit.
        row(
            Some("C1"),
            "pay",
            Some("A1"),
            "2026-10-05T10:00:00",
            Some("2026-10-05T10:10:00"),
            Some(5),
            false,
        ),
        row(
            Some("C1"),
            "pay",
            Some("A1"),
            "2026-10-07T09:00:00",
            Some("2026-10-07T09:05:00"),
            Some(3),
            false,
        ),
        // p3, p4: blank customer ids (anonymous, not one customer who came
        // back) and p3's blank agent (no agent).
        row(
            Some(""),
            "pay",
            Some(""),
            "2026-10-06T12:00:00",
            None,
            None,
            false,
        ),
        row(
            Some("   "),
            "pay",
            Some("A2"),
            "2026-10-06T13:00:00",
            None,
            None,
            false,
        ),
        // p5: 02:30 on 25 October happens twice in Berlin: the earlier
        // instant (00:30Z, still summer time) is used and counted.
        row(
            Some("C5"),
            "pay",
            Some("A2"),
            "2026-10-25T02:30:00",
            None,
            None,
            false,
        ),
        // p6: 02:30 on 29 March does not exist in Berlin.
        row(
            Some("C6"),
            "pay",
            Some("A1"),
            "2026-03-29T02:30:00",
            None,
            None,
            false,
        ),
        // p7: an end six weeks after the start would stretch C7's FCR window.
        row(
            Some("C7"),
            "pay",
            Some("A1"),
            "2026-10-10T10:00:00",
            Some("2026-11-20T10:00:00"),
            None,
            false,
        ),
        // p8: a line that takes the total row's name.
        row(
            Some("C8"),
            "ALL",
            Some("A1"),
            "2026-10-11T10:00:00",
            None,
            None,
            false,
        ),
        // s1: the other line, a dissatisfied complaint.
        row(
            Some("C2"),
            "shop",
            Some("A3"),
            "2026-10-12T10:00:00",
            Some("2026-10-12T10:30:00"),
            Some(2),
            true,
        ),
        // p9, s2: both lines' data reach past 4 November 00:00 (the month's
        // end, 1 November 00:00 CET, plus 72 h): FCR is complete on both.
        row(
            Some("C9"),
            "pay",
            Some("A1"),
            "2026-11-04T10:00:00",
            None,
            None,
            false,
        ),
        row(
            Some("C10"),
            "shop",
            Some("A3"),
            "2026-11-04T11:00:00",
            None,
            None,
            false,
        ),
    ];
    let ids = [
        "p1", "p2", "p3", "p4", "p5", "p6", "p7", "p8", "s1", "p9", "s2",
    ];
    f.parquet("sessions/export-1.parquet", sessions_export(&ids, &first));
    // The next export repeats p1 exactly.
    f.parquet(
        "sessions/export-2.parquet",
        sessions_export(&["p1"], &first[..1]),
    );

    // A failed greeting on p1, appealed: pending in one export, overturned
    // in the next.
    f.parquet(
        "reviews/r.parquet",
        DataFrame::new_infer_height(vec![
            str_col("review_id", &[Some("R1")]),
            str_col("session_id", &[Some("p1")]),
            str_col("reviewer_id", &[Some("V1")]),
            local("reviewed_at", &[Some("2026-10-08T10:00:00")]),
            str_col("module_id", &[Some("greeting")]),
            Column::new("score".into(), [Some(0.0)]),
        ])
        .expect("reviews"),
    );
    let appeal = |outcome: &str, decided: Option<&str>| {
        DataFrame::new_infer_height(vec![
            str_col("review_id", &[Some("R1")]),
            str_col("module_id", &[Some("greeting")]),
            local("filed_at", &[Some("2026-10-09T10:00:00")]),
            str_col("outcome", &[Some(outcome)]),
            local("decided_at", &[decided]),
        ])
        .expect("appeals")
    };
    f.parquet("appeals/a-1.parquet", appeal("pending", None));
    f.parquet(
        "appeals/a-2.parquet",
        appeal("overturned", Some("2026-10-15T16:00:00")),
    );

    // Agent hours: A1's 5 October was corrected from 8 h to 7.5 h in a later
    // export, so neither row can be trusted (both rejected).
    let hours = |agents: &[&str], dates: &[&str], h: &[f64]| {
        let dates: Vec<i32> = dates
            .iter()
            .map(|d| {
                let d = chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").expect("date");
                (d - chrono::NaiveDate::default()).num_days() as i32
            })
            .collect();
        DataFrame::new_infer_height(vec![
            Column::new("agent_id".into(), agents.to_vec()),
            Column::new("date".into(), dates)
                .cast(&DataType::Date)
                .expect("date"),
            Column::new("logged_in_hours".into(), h.to_vec()),
        ])
        .expect("hours")
    };
    f.parquet(
        "agent_hours/h-1.parquet",
        hours(
            &["A1", "A1", "A2", "A3"],
            &["2026-10-05", "2026-10-07", "2026-10-06", "2026-10-12"],
            &[8.0, 8.0, 6.0, 8.0],
        ),
    );
    f.parquet(
        "agent_hours/h-2.parquet",
        hours(&["A1"], &["2026-10-05"], &[7.5]),
    );
    f
}

fn manifest(f: &Fixture) -> Value {
    let text =
        std::fs::read_to_string(f.out().join("monthly/2026-10/manifest.json")).expect("manifest");
    serde_json::from_str(&text).expect("json")
}

/// (rows_in, used, duplicates, rejected), with the invariant checked.
#[track_caller]
fn counts(m: &Value, table: &str) -> [u64; 4] {
    let t = &m["tables"][table];
    let n = |k: &str| t[k].as_u64().unwrap_or_else(|| panic!("{table}.{k}: {t}"));
    let c = [n("rows_in"), n("used"), n("duplicates"), n("rejected")];
    assert_eq!(c[0], c[1] + c[2] + c[3], "{table}: {c:?}");
    c
}

#[test]
fn a_month_of_messy_exports_gives_the_right_figures_or_says_why_not() {
    let f = fixture();
    let out = f.run(&["monthly", "--month", "2026-10"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let m = manifest(&f);

    // Sessions: the month reads 11 rows (p6's wall-clock time is in March,
    // so March's pack is where it belongs); p1's copy folded; p7 (too long)
    // and p8 (line ALL) rejected.
    assert_eq!(counts(&m, "sessions"), [11, 8, 1, 2]);
    let s = &m["tables"]["sessions"];
    assert_eq!(
        s["rejected_by_reason"]["ended_at beyond max_session_hours"],
        1
    );
    assert_eq!(
        s["rejected_by_reason"]["business_line ALL is reserved for the total row"],
        1
    );
    // Blank customer ids of p3 and p4; p3's blank agent; p5's 02:30.
    assert_eq!(s["blanks_read_as_null"]["customer_id"], 2);
    assert_eq!(s["blanks_read_as_null"]["agent_id"], 1);
    assert_eq!(s["ambiguous_local_times"], 1);
    // Appeals: the pending export is superseded by the decision.
    assert_eq!(counts(&m, "appeals"), [2, 1, 1, 0]);
    assert_eq!(m["tables"]["appeals"]["superseded"], 1);
    // Agent hours: the corrected agent-day is a conflict, both rows out.
    assert_eq!(counts(&m, "agent_hours"), [5, 3, 0, 2]);
    assert_eq!(
        m["tables"]["agent_hours"]["rejected_by_reason"]["conflicting duplicate"],
        2
    );
    assert_eq!(counts(&m, "reviews"), [1, 1, 0, 0]);
    assert_eq!(m["fcr_complete"], true);

    let bl = f.read("monthly/2026-10/business_lines.parquet");
    // pay: p1..p5 started in October (p5 at 00:30Z = 02:30 CEST, 25 Oct).
    //   rated p1 (5), p2 (3): CSAT 1/2. In FCR: p1, p2, p5 (p3, p4 are
    //   anonymous): coverage 3/5; p1 followed by p2: FCR 1 − 1/3, one repeat.
    //   CPH: p2 (A1, 7 Oct, 8 h) and p4 (A2, 6 Oct, 6 h) have hours that day;
    //   p1 (A1's 5 Oct hours rejected) and p5 (A2, 25 Oct) have none, and p3
    //   has no agent: 2 sessions / 14 h, 2 agent-days without hours.
    // shop: s1, rated 2, a complaint, C2 not back: CSAT 0, FCR 1, CPH 1 / 8.
    // ALL: 6 sessions, CSAT 1/3, FCR 1 − 1/4, complaints 1/6,
    //   CPH 3 / 22 (every logged hour that survived: 8 + 6 + 8).
    assert_rows(
        rows(
            &bl,
            &["business_line"],
            &[
                "sessions",
                "csat",
                "fcr",
                "fcr_coverage",
                "repeat_visits",
                "complaint_rate",
                "agent_sessions",
                "cph_sessions",
                "agent_hours",
                "cph",
                "agent_days_without_hours",
            ],
        ),
        vec![
            (
                "pay",
                vec![
                    Some(5.0),
                    Some(0.5),
                    Some(2.0 / 3.0),
                    Some(0.6),
                    Some(1.0),
                    Some(0.0),
                    Some(4.0),
                    Some(2.0),
                    Some(14.0),
                    Some(2.0 / 14.0),
                    Some(2.0),
                ],
            ),
            (
                "shop",
                vec![
                    Some(1.0),
                    Some(0.0),
                    Some(1.0),
                    Some(1.0),
                    Some(0.0),
                    Some(1.0),
                    Some(1.0),
                    Some(1.0),
                    Some(8.0),
                    Some(1.0 / 8.0),
                    Some(0.0),
                ],
            ),
            (
                "ALL",
                vec![
                    Some(6.0),
                    Some(1.0 / 3.0),
                    Some(0.75),
                    Some(4.0 / 6.0),
                    Some(1.0),
                    Some(1.0 / 6.0),
                    Some(5.0),
                    Some(3.0),
                    Some(22.0),
                    Some(3.0 / 22.0),
                    Some(2.0),
                ],
            ),
        ],
    );

    // The appeal counts once, decided: 1 of 1 review appealed, overturned.
    let appeals = f.read("monthly/2026-10/appeals.parquet");
    assert_rows(
        rows(
            &appeals,
            &["business_line", "module_id"],
            &["appeals", "appeal_rate", "overturned", "pending"],
        )
        .into_iter()
        .filter(|(k, _)| k.starts_with("pay/"))
        .collect(),
        vec![(
            "pay/greeting",
            vec![Some(1.0), Some(1.0), Some(1.0), Some(0.0)],
        )],
    );

    // The report says what was taken on trust, not only what was rejected.
    let report = std::fs::read_to_string(f.out().join("monthly/2026-10/report.md")).expect("md");
    for line in [
        "- sessions: 1 rows rejected (business_line ALL is reserved for the total row)",
        "- sessions: 1 rows rejected (ended_at beyond max_session_hours)",
        "- agent_hours: 2 rows rejected (conflicting duplicate)",
        "- appeals: 1 rows superseded by a later export of the same key (counted as duplicates)",
        "- sessions: 2 blank customer_id read as null",
        "- sessions: 1 blank agent_id read as null",
        "- sessions: 1 rows with a local time that daylight saving repeats, read as the earlier instant",
        "- Agent-days with sessions but no hours logged: 2",
    ] {
        assert!(report.contains(line), "report.md lacks {line:?}:\n{report}");
    }

    // Every rejected session is in rejects/ with its reason and file.
    let rejects = f.read("monthly/2026-10/rejects/sessions.parquet");
    let mut got: Vec<(String, String)> = (0..rejects.height())
        .map(|i| {
            (
                str_at(&rejects, "session_id", i).unwrap_or_default(),
                str_at(&rejects, "reason", i).unwrap_or_default(),
            )
        })
        .collect();
    got.sort();
    assert_eq!(
        got,
        vec![
            (
                "p7".to_string(),
                "ended_at beyond max_session_hours".to_string()
            ),
            (
                "p8".to_string(),
                "business_line ALL is reserved for the total row".to_string()
            ),
        ]
    );
}

#[test]
fn validate_reads_every_month_and_rejects_the_time_the_clocks_skipped() {
    let f = fixture();
    let out = f.run(&["validate"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = std::fs::read_to_string(f.out().join("validate/manifest.json")).expect("manifest");
    let m: Value = serde_json::from_str(&text).expect("json");
    // All 12 rows: p6 (29 March, 02:30, skipped in Berlin) is rejected with
    // its own reason, not as a null start; the rest as in the month's pack.
    assert_eq!(counts(&m, "sessions"), [12, 8, 1, 3]);
    let s = &m["tables"]["sessions"];
    assert_eq!(s["rejected_by_reason"]["nonexistent local time"], 1);
    assert!(
        s["rejected_by_reason"].get("null started_at").is_none(),
        "{s}"
    );
    assert_eq!(counts(&m, "appeals"), [2, 1, 1, 0]);
    assert_eq!(counts(&m, "agent_hours"), [5, 3, 0, 2]);
}
