//! Input rules for real exports: re-exported appeals and corrected hours,
//! blank ids, values that would skew the metrics, a line called `ALL`, and
//! naive timestamps at daylight-saving transitions. Each count is worked out
//! by hand in the test.

use std::process::Output;

use csqa::config::Config;
use csqa::contract;
use polars::prelude::*;
use serde_json::Value;

use crate::common::*;

// ---- helpers -------------------------------------------------------------

const T0: &str = "2026-10-05T10:00:00Z";

#[track_caller]
fn ok(out: Output) -> Output {
    assert_eq!(
        out.status.code(),
        Some(0),
        "stdout:\n{}\nstderr:\n{}",
        stdout(&out),
        stderr(&out)
    );
    out
}

/// Run `csqa validate`, which must succeed; its printed summary.
#[track_caller]
fn validate(f: &Fixture) -> String {
    stdout(&ok(f.run(&["validate"])))
}

/// Run `csqa <args>`, which must stop with exit 2 and a message holding every
/// one of `needles`.
#[track_caller]
fn refused(f: &Fixture, args: &[&str], needles: &[&str]) {
    let out = f.run(args);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "stderr:\n{err}");
    for n in needles {
        assert!(err.contains(n), "stderr lacks {n:?}:\n{err}");
    }
}

/// The manifest's entry for `table` after `csqa validate`.
fn manifest(f: &Fixture, table: &str) -> Value {
    let text = std::fs::read_to_string(f.out().join("validate/manifest.json")).expect("manifest");
    let m: Value = serde_json::from_str(&text).expect("json");
    m["tables"][table].clone()
}

/// (rows_in, used, duplicates, rejected) of `table`, from the manifest;
/// rows in = used + duplicates + rejected is checked on the way.
#[track_caller]
fn counts(f: &Fixture, table: &str) -> [u64; 4] {
    let t = manifest(f, table);
    let n = |k: &str| t[k].as_u64().unwrap_or_else(|| panic!("{table}.{k}: {t}"));
    let c = [n("rows_in"), n("used"), n("duplicates"), n("rejected")];
    assert_eq!(c[0], c[1] + c[2] + c[3], "{table}: {c:?}");
    c
}

/// The manifest's rejected rows of `table` by reason.
fn reasons(f: &Fixture, table: &str) -> Vec<(String, u64)> {
    let t = manifest(f, table);
    t["rejected_by_reason"]
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), v.as_u64().expect("count")))
                .collect()
        })
        .unwrap_or_default()
}

fn owned(v: &[(&str, u64)]) -> Vec<(String, u64)> {
    let mut v: Vec<(String, u64)> = v.iter().map(|(r, n)| (r.to_string(), *n)).collect();
    v.sort();
    v
}

/// `csqa query` of `sql`, its CSV output.
fn query(f: &Fixture, sql: &str) -> String {
    f.file("q.sql", sql.as_bytes());
    stdout(&ok(f.run(&["query", "q.sql"])))
}

fn frame(cols: Vec<Column>) -> DataFrame {
    DataFrame::new_infer_height(cols).expect("frame")
}

fn dates(name: &str, days: &[&str]) -> Column {
    let v: Vec<chrono::NaiveDate> = days.iter().map(|d| d.parse().expect("date")).collect();
    Column::new(name.into(), v)
}

fn config_at(f: &Fixture, extra: &str) -> Config {
    let data = f.data().display().to_string();
    Config::from_toml_str(&format!("data_dir = {data:?}\n{extra}")).expect("config")
}

// ---- overlapping appeals and agent hours ---------------------------------

fn appeals(rows: &[(&str, &str, &str, Option<&str>)]) -> DataFrame {
    let n = rows.len();
    frame(vec![
        Column::new(
            "review_id".into(),
            rows.iter().map(|r| r.0).collect::<Vec<_>>(),
        ),
        Column::new("module_id".into(), vec!["greeting"; n]),
        ts_col(
            "filed_at",
            &rows.iter().map(|r| Some(r.1)).collect::<Vec<_>>(),
        ),
        Column::new(
            "outcome".into(),
            rows.iter().map(|r| r.2).collect::<Vec<_>>(),
        ),
        ts_col("decided_at", &rows.iter().map(|r| r.3).collect::<Vec<_>>()),
    ])
}

#[test]
fn later_appeal_exports_supersede_and_opposite_decisions_conflict() {
    const T1: &str = "2026-10-06T10:00:00Z";
    const D1: &str = "2026-10-07T10:00:00Z";
    const D2: &str = "2026-10-08T10:00:00Z";
    let f = Fixture::new();
    f.parquet(
        "sessions/part-0.parquet",
        sessions(&["s1"], &["a"], &[T0], vec![]),
    );
    // The first export, then a later one of the same appeals.
    f.parquet(
        "appeals/export-1.parquet",
        appeals(&[
            ("r1", T0, "pending", None),
            ("r2", T0, "overturned", Some(D1)),
            ("r3", T0, "upheld", Some(D1)),
            ("r3", T0, "pending", None),
            ("r4", T0, "upheld", Some(D1)),
            ("r5", T0, "pending", None),
            ("r6", T0, "pending", None),
        ]),
    );
    f.parquet(
        "appeals/export-2.parquet",
        appeals(&[
            ("r1", T0, "overturned", Some(D1)),
            ("r2", T0, "overturned", Some(D2)),
            ("r3", T0, "overturned", Some(D2)),
            ("r4", T0, "upheld", Some(D1)),
            ("r5", T0, "won", Some(D1)),
            ("r6", T1, "pending", None),
        ]),
    );
    let printed = validate(&f);
    // 13 rows in:
    //   r1 pending → overturned: the decision supersedes pending (1 used, 1 superseded)
    //   r2 overturned D1 → D2: the later decision wins         (1 used, 1 superseded)
    //   r3 upheld, pending, overturned: conflicting outcomes  (3 rejected)
    //   r4 an exact copy                                       (1 used, 1 duplicate)
    //   r5 pending and an unknown outcome                      (1 used, 1 rejected)
    //   r6 filed at two instants: two appeals                  (2 used)
    // used 1+1+1+1+2 = 6; duplicates 1+1+1 = 3 (2 of them superseded);
    // rejected 3+1 = 4; 6 + 3 + 4 = 13.
    assert_eq!(counts(&f, "appeals"), [13, 6, 3, 4]);
    assert_eq!(manifest(&f, "appeals")["superseded"], 2);
    assert!(
        printed.contains("superseded      2  by a later export"),
        "{printed}"
    );
    assert_eq!(
        reasons(&f, "appeals"),
        owned(&[("conflicting outcomes", 3), ("unknown outcome", 1)])
    );
    // The rows used: the decision of r1, r2's later decision (D2).
    f.file(
        "q.sql",
        b"SELECT `review_id`, `outcome`, `decided_at` FROM `appeals` \
          ORDER BY `review_id`, `filed_at`",
    );
    ok(f.run(&["query", "q.sql", "--output", "appeals.parquet"]));
    let df = read_parquet(&f.dir.path().join("appeals.parquet"));
    let decided = df
        .column("decided_at")
        .expect("decided_at")
        .cast(&DataType::Int64)
        .expect("micros");
    let used: Vec<(String, String, Option<i64>)> = (0..df.height())
        .map(|i| {
            (
                str_at(&df, "review_id", i).expect("id"),
                str_at(&df, "outcome", i).expect("outcome"),
                decided.i64().expect("i64").get(i),
            )
        })
        .collect();
    let row = |id: &str, outcome: &str, at: Option<&str>| (id.into(), outcome.into(), at.map(us));
    assert_eq!(
        used,
        vec![
            row("r1", "overturned", Some(D1)),
            row("r2", "overturned", Some(D2)),
            row("r4", "upheld", Some(D1)),
            row("r5", "pending", None),
            row("r6", "pending", None),
            row("r6", "pending", None),
        ]
    );
}

#[test]
fn a_re_exported_appeal_counts_once_in_the_monthly_pack() {
    // Reviews R1 (o1) and R2 (o2) score greeting (built-in scorecard). The
    // first export has both appeals pending; the later one has R1
    // overturned and R2 upheld. October, line a, greeting: 2 reviews,
    // 2 appeals (not 4), appeal_rate 2/2 = 1, 1 overturned, 1 upheld,
    // 0 pending, overturn_rate 1 / (1 + 1) = 0.5.
    const FILED: &str = "2026-10-06T10:00:00Z";
    const DECIDED: &str = "2026-10-08T10:00:00Z";
    let f = Fixture::new();
    f.parquet(
        "sessions/part-0.parquet",
        sessions(&["o1", "o2"], &["a", "a"], &[T0, T0], vec![]),
    );
    f.parquet(
        "reviews/part-0.parquet",
        frame(vec![
            Column::new("review_id".into(), ["R1", "R2"]),
            Column::new("session_id".into(), ["o1", "o2"]),
            Column::new("reviewer_id".into(), ["qa1", "qa1"]),
            ts_col("reviewed_at", &[Some(FILED), Some(FILED)]),
            Column::new("module_id".into(), ["greeting", "greeting"]),
            Column::new("score".into(), [1.0, 0.0]),
        ]),
    );
    f.parquet(
        "appeals/export-1.parquet",
        appeals(&[
            ("R1", FILED, "pending", None),
            ("R2", FILED, "pending", None),
        ]),
    );
    f.parquet(
        "appeals/export-2.parquet",
        appeals(&[
            ("R1", FILED, "overturned", Some(DECIDED)),
            ("R2", FILED, "upheld", Some(DECIDED)),
        ]),
    );
    ok(f.run(&["monthly", "--month", "2026-10"]));
    let ap = f.read("monthly/2026-10/appeals.parquet");
    let s = |v: f64| Some(v);
    assert_rows(
        rows(
            &ap,
            &["business_line", "module_id"],
            &[
                "reviews",
                "appeals",
                "appeal_rate",
                "overturned",
                "upheld",
                "pending",
                "overturn_rate",
            ],
        )
        .into_iter()
        .filter(|(key, _)| key == "a/greeting")
        .collect(),
        vec![(
            "a/greeting",
            vec![s(2.), s(2.), s(1.), s(1.), s(1.), s(0.), s(0.5)],
        )],
    );
}

#[test]
fn corrected_agent_hours_conflict_instead_of_adding_up() {
    let f = Fixture::new();
    f.parquet(
        "sessions/part-0.parquet",
        sessions(&["s1"], &["a"], &[T0], vec![]),
    );
    f.parquet(
        "agent_hours/original.parquet",
        frame(vec![
            Column::new("agent_id".into(), ["a1", "a2", "a3", "a3", "a4", "a5"]),
            dates(
                "date",
                &[
                    "2026-10-05",
                    "2026-10-05",
                    "2026-10-05",
                    "2026-10-06",
                    "2026-10-05",
                    "2026-10-05",
                ],
            ),
            Column::new("logged_in_hours".into(), [7.5, 6.0, 25.0, 24.0, 4.0, 12.0]),
        ]),
    );
    f.parquet(
        "agent_hours/corrected.parquet",
        frame(vec![
            Column::new("agent_id".into(), ["a1", "a2", "a4", "a5"]),
            dates(
                "date",
                &["2026-10-05", "2026-10-05", "2026-10-06", "2026-10-05"],
            ),
            Column::new("logged_in_hours".into(), [8.0, 6.0, 4.0, 13.0]),
        ]),
    );
    validate(&f);
    // 10 rows in:
    //   a1 10-05: 7.5 then a corrected 8.0      → 2 rejected (conflicting duplicate)
    //   a2 10-05: 6.0 twice, an exact copy      → 1 used, 1 duplicate
    //   a3 10-05: 25 h                          → 1 rejected (out of range)
    //   a3 10-06: exactly 24 h                  → 1 used
    //   a4 10-05 and 10-06: two days            → 2 used
    //   a5 10-05: 12 + 13 = 25 h in one day     → 2 rejected (conflicting duplicate)
    // used 1+1+2 = 4, duplicates 1, rejected 2+1+2 = 5; 4 + 1 + 5 = 10.
    assert_eq!(counts(&f, "agent_hours"), [10, 4, 1, 5]);
    assert_eq!(
        reasons(&f, "agent_hours"),
        owned(&[
            ("conflicting duplicate", 4),
            ("logged_in_hours out of range", 1)
        ])
    );
}

// ---- blank ids ---------------------------------------------------------

#[test]
fn blank_strings_read_as_null() {
    let f = Fixture::new();
    // s1 and s2 have blank customer ids 1 h apart: read as one customer "",
    // s2 would be a repeat of s1 and neither would be anonymous.
    f.parquet(
        "sessions/part-0.parquet",
        frame(vec![
            str_col(
                "session_id",
                &[
                    Some("s1"),
                    Some("s2"),
                    Some("s3"),
                    Some(""),
                    Some("  "),
                    Some("s6"),
                ],
            ),
            str_col(
                "customer_id",
                &[
                    Some(""),
                    // A tab and an ideographic space (U+3000): Unicode
                    // whitespace, as Chinese exports write it.
                    Some(" \t\u{3000} "),
                    Some("c3"),
                    Some("c4"),
                    Some("c5"),
                    Some("c6"),
                ],
            ),
            str_col(
                "business_line",
                &[
                    Some("a"),
                    Some("a"),
                    Some("a"),
                    Some("a"),
                    Some("a"),
                    Some(" "),
                ],
            ),
            Column::new("channel".into(), ["chat"; 6]),
            str_col(
                "agent_id",
                &[
                    Some("   "),
                    Some("a1"),
                    Some(""),
                    Some("a1"),
                    Some("a1"),
                    Some("a1"),
                ],
            ),
            ts_col(
                "started_at",
                &[
                    Some("2026-10-05T10:00:00Z"),
                    Some("2026-10-05T11:00:00Z"),
                    Some("2026-10-05T12:00:00Z"),
                    Some("2026-10-05T13:00:00Z"),
                    Some("2026-10-05T14:00:00Z"),
                    Some("2026-10-05T15:00:00Z"),
                ],
            ),
        ]),
    );
    let printed = validate(&f);
    assert!(printed.contains("customer_id read as null"), "{printed}");
    // 6 rows: "" and "  " session ids are null keys, " " a null line.
    assert_eq!(counts(&f, "sessions"), [6, 3, 0, 3]);
    assert_eq!(
        reasons(&f, "sessions"),
        owned(&[("null business_line", 1), ("null session_id", 2)])
    );
    // Blanks over the rows read: session_id 2, customer_id 2 (s1, s2),
    // business_line 1 (s6), agent_id 2 (s1, s3).
    assert_eq!(
        manifest(&f, "sessions")["blanks_read_as_null"],
        serde_json::json!({"agent_id": 2, "business_line": 1, "customer_id": 2, "session_id": 2})
    );
    assert_eq!(
        query(
            &f,
            "SELECT `session_id`, `customer_id` IS NULL AS `anonymous`, \
             `agent_id` IS NULL AS `no_agent`, `is_repeat` \
             FROM `sessions` ORDER BY `session_id`"
        ),
        "session_id,anonymous,no_agent,is_repeat\n\
         s1,true,true,false\n\
         s2,true,false,false\n\
         s3,false,true,false\n"
    );
}

/// Messages of the NY fixture's sessions: m1 blank sender, m2 blank session
/// id, m3 at a nonexistent local time, m4 at an ambiguous one, m5 fine.
fn new_york_messages() -> DataFrame {
    frame(vec![
        str_col(
            "session_id",
            &[Some("n2"), Some(" "), Some("n2"), Some("n4"), Some("n3")],
        ),
        naive_ts_col(
            "sent_at",
            &[
                Some("2026-03-08T01:40:00"),
                Some("2026-03-08T01:45:00"),
                Some("2026-03-08T02:10:00"),
                Some("2026-11-01T01:40:00"),
                Some("2026-03-08T03:40:00"),
            ],
            TimeUnit::Milliseconds,
        ),
        str_col(
            "sender",
            &[
                Some(""),
                Some("agent"),
                Some("agent"),
                Some("agent"),
                Some("customer"),
            ],
        ),
    ])
}

/// The messages folder of `cfg`, loaded for a check.
fn messages_table(cfg: &Config) -> csqa::load::LoadedTable {
    csqa::load::load_table(cfg, &contract::MESSAGES, None)
        .expect("load")
        .expect("messages")
}

#[test]
fn streamed_message_check_reads_blanks_as_null_and_rejects_nonexistent_times() {
    let f = Fixture::new();
    f.parquet("messages/part-0.parquet", new_york_messages());
    let cfg = config_at(&f, "timezone = \"America/New_York\"");
    let table = messages_table(&cfg);
    let scan = csqa::validate::check_scan(table, &cfg).expect("check");
    let stats = &scan.checked.stats;
    // 5 rows: m1 null sender, m2 null session_id, m3 nonexistent; m4, m5 used.
    assert_eq!(
        (stats.rows_in, stats.used, stats.duplicates, stats.rejected),
        (5, 2, 0, 3)
    );
    let by_reason: Vec<(String, u64)> = stats
        .rejected_by_reason
        .iter()
        .map(|(r, n)| (r.clone(), *n))
        .collect();
    assert_eq!(
        by_reason,
        owned(&[
            ("nonexistent local time", 1),
            ("null sender", 1),
            ("null session_id", 1)
        ])
    );
    assert_eq!(stats.ambiguous_local_times, 1);
    let blanks: Vec<(String, u64)> = stats
        .blanks_read_as_null
        .iter()
        .map(|(c, n)| (c.clone(), *n))
        .collect();
    assert_eq!(blanks, owned(&[("sender", 1), ("session_id", 1)]));
    let used = scan.used.collect().expect("used");
    assert_eq!(used.height(), 2);
    let mut names: Vec<String> = used
        .get_column_names()
        .iter()
        .map(|n| n.to_string())
        .collect();
    names.sort();
    assert_eq!(names, ["sender", "sent_at", "session_id"]);
}

/// Messages with copies: rows 1, 4, 6 and 8 repeat rows 0, 3, 5 and 7
/// exactly; row 2 shares row 0's time but not its sender; rows 3-4 are
/// before 1970 (a negative timestamp); row 5 has an unknown sender, row 7
/// no time.
fn messages_with_copies() -> DataFrame {
    let t = "2026-10-05T10:00:00Z";
    let before_1970 = "1969-12-31T23:59:59Z";
    frame(vec![
        str_col(
            "session_id",
            &[
                Some("s1"),
                Some("s1"),
                Some("s2"),
                Some("s3"),
                Some("s3"),
                Some("s4"),
                Some("s4"),
                Some("s5"),
                Some("s5"),
                Some("s6"),
                Some("s7"),
            ],
        ),
        ts_col(
            "sent_at",
            &[
                Some(t),
                Some(t),
                Some(t),
                Some(before_1970),
                Some(before_1970),
                Some("2026-10-05T10:00:01Z"),
                Some("2026-10-05T10:00:01Z"),
                None,
                None,
                Some("2026-10-05T10:00:03Z"),
                Some("2026-10-05T10:00:05Z"),
            ],
        ),
        str_col(
            "sender",
            &[
                Some("agent"),
                Some("agent"),
                Some("customer"),
                Some("agent"),
                Some("agent"),
                Some("robot"),
                Some("robot"),
                Some("agent"),
                Some("agent"),
                Some("customer"),
                Some("agent"),
            ],
        ),
    ])
}

#[test]
fn streamed_message_check_finds_the_same_copies_in_any_number_of_passes() {
    let f = Fixture::new();
    f.parquet("messages/part-0.parquet", messages_with_copies());
    let cfg = config_at(&f, "");
    let standards =
        csqa::standards::Standards::builtin(chrono_tz::UTC).expect("built-in standards");
    let (whole, _) = csqa::validate::check_table(&cfg, &standards, &contract::MESSAGES, None)
        .expect("check")
        .expect("messages");
    // 11 rows: 4 exact copies; row 5 (unknown sender) and row 7 (no time)
    // rejected; rows 0, 2, 3, 9 and 10 used.
    let s = &whole.stats;
    assert_eq!((s.rows_in, s.used, s.duplicates, s.rejected), (11, 5, 4, 2));
    let sessions = |df: &DataFrame| -> Vec<Option<String>> {
        df.column("session_id")
            .expect("session_id")
            .str()
            .expect("str")
            .iter()
            .map(|v| v.map(str::to_string))
            .collect()
    };
    let expected_used = ["s1", "s2", "s3", "s6", "s7"].map(|s| Some(s.to_string()));
    assert_eq!(sessions(&whole.used), expected_used);
    // Passes from the 11 rows: one of 100, three of 5, four of 3 and eleven
    // of 1 value a pass (the two null times read in the first).
    for per_pass in [100, 5, 3, 1] {
        let table = messages_table(&cfg);
        let scan = csqa::validate::check_scan_by(table, &cfg, per_pass).expect("check");
        let t = &scan.checked.stats;
        assert_eq!(
            (t.rows_in, t.used, t.duplicates, t.rejected),
            (11, 5, 4, 2),
            "{per_pass} a pass"
        );
        assert_eq!(
            t.rejected_by_reason, s.rejected_by_reason,
            "{per_pass} a pass"
        );
        assert!(
            scan.checked.rejects.equals_missing(&whole.rejects),
            "{per_pass} a pass: rejects {:?}",
            scan.checked.rejects
        );
        let used = scan.used.collect().expect("used");
        assert!(
            used.equals_missing(&whole.used),
            "{per_pass} a pass: used {used:?}"
        );
    }
}

// ---- values that skew metrics ------------------------------------------

#[test]
fn bad_first_response_long_sessions_and_a_line_called_all_are_rejected() {
    let f = Fixture::new();
    let n = 8;
    let ids = ["s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8"];
    let mut lines = vec!["a"; n];
    lines[7] = "ALL";
    f.parquet(
        "sessions/part-0.parquet",
        sessions(
            &ids,
            &lines,
            &vec![T0; n],
            vec![
                Column::new(
                    "first_response_s".into(),
                    [
                        Some(-1.0),
                        Some(f64::NAN),
                        Some(f64::INFINITY),
                        Some(0.0),
                        Some(12.5),
                        None,
                        None,
                        None,
                    ],
                ),
                // s6 ends exactly 24 h after its start, s7 one second more.
                ts_col(
                    "ended_at",
                    &[
                        None,
                        None,
                        None,
                        None,
                        None,
                        Some("2026-10-06T10:00:00Z"),
                        Some("2026-10-06T10:00:01Z"),
                        None,
                    ],
                ),
            ],
        ),
    );
    validate(&f);
    // s1-s3 bad first response, s7 too long, s8 the reserved line: 5 rejected;
    // s4, s5, s6 used.
    assert_eq!(counts(&f, "sessions"), [8, 3, 0, 5]);
    assert_eq!(
        reasons(&f, "sessions"),
        owned(&[
            ("business_line ALL is reserved for the total row", 1),
            ("ended_at beyond max_session_hours", 1),
            ("first_response_s negative or not finite", 3),
        ])
    );

    // With max_session_hours = 2: s6 (24 h) is too long as well.
    f.config("max_session_hours = 2");
    validate(&f);
    assert_eq!(counts(&f, "sessions"), [8, 2, 0, 6]);
}

#[test]
fn monthly_reads_past_the_month_as_far_as_the_longest_session() {
    // s1 starts on 31 October and runs 9 days (under max_session_hours =
    // 240); c1 comes back 38 h after it ended, within the 72 h window, on
    // 11 November 12:00. The job must read sessions that started up to
    // 72 h + 240 h after the month's end (14 November): s1 is followed,
    // October's FCR for the line is 0 / 1 = 0.
    let f = Fixture::new();
    f.config("max_session_hours = 240");
    f.parquet(
        "sessions/part-0.parquet",
        sessions(
            &["s1", "s2"],
            &["a", "a"],
            &["2026-10-31T22:00:00Z", "2026-11-11T12:00:00Z"],
            vec![
                str_col("customer_id", &[Some("c1"), Some("c1")]),
                ts_col("ended_at", &[Some("2026-11-09T22:00:00Z"), None]),
            ],
        ),
    );
    ok(f.run(&["monthly", "--month", "2026-10"]));
    let lines = f.read("monthly/2026-10/business_lines.parquet");
    let a = row_where(&lines, "business_line", "a");
    assert_close(f64_at(&lines, "fcr", a), 0.0, "fcr of line a");
}

#[test]
fn time_windows_beyond_a_year_are_refused() {
    let f = Fixture::new();
    f.parquet(
        "sessions/part-0.parquet",
        sessions(&["s1"], &["a"], &[T0], vec![]),
    );
    f.file("q.sql", b"SELECT COUNT(*) AS n FROM `sessions`");
    // u32::MAX hours in microseconds overflows i64.
    f.config("[fcr]\nwindow_hours = 4294967295");
    refused(
        &f,
        &["query", "q.sql"],
        &["[fcr] window_hours = 4294967295", "8760"],
    );
    f.config("[fcr]\nwindow_hours = 8761");
    refused(&f, &["validate"], &["[fcr] window_hours = 8761"]);
    f.config("max_session_hours = 0");
    refused(&f, &["validate"], &["max_session_hours = 0"]);
    f.config("max_session_hours = 8761");
    refused(&f, &["validate"], &["max_session_hours = 8761"]);
    // A year is still accepted.
    f.config("max_session_hours = 8760\n[fcr]\nwindow_hours = 8760");
    assert_eq!(query(&f, "SELECT COUNT(*) AS n FROM `sessions`"), "n\n1\n");
}

const SCORECARD: &str = "[[scorecard]]\nversion = \"v1\"\neffective_from = 2026-01-01\n\
[[scorecard.modules]]\nid = \"greeting\"\nname = \"Greeting\"\ngroup = \"service\"\n\
scope = \"single_point\"\nscale = \"pass_fail\"\nweight = 10\n";

#[test]
fn non_positive_or_non_finite_sla_thresholds_are_refused() {
    let f = Fixture::new();
    f.parquet(
        "sessions/part-0.parquet",
        sessions(&["s1"], &["a"], &[T0], vec![]),
    );
    let cases = [
        (
            "[sla]\nfirst_response_s = 0\nreply_s = 120\n",
            "[sla] first_response_s = 0",
        ),
        (
            "[sla]\nfirst_response_s = 30\nreply_s = -5\n",
            "[sla] reply_s = -5",
        ),
        (
            "[sla]\nfirst_response_s = nan\nreply_s = 120\n",
            "[sla] first_response_s = NaN",
        ),
        (
            "[sla]\nfirst_response_s = 30\nreply_s = 120\n[[sla.overrides]]\n\
             from = 2026-10-01T00:00:00Z\nto = 2026-10-02T00:00:00Z\nfirst_response_s = inf\n\
             reason = \"outage\"\n",
            "[[sla.overrides]] #1 (\"outage\") first_response_s = inf",
        ),
        (
            "[sla]\nfirst_response_s = 30\nreply_s = 120\n[[sla.overrides]]\n\
             from = 2026-10-01T00:00:00Z\nto = 2026-10-02T00:00:00Z\nreply_s = 0\n",
            "[[sla.overrides]] #1 (\"\") reply_s = 0",
        ),
    ];
    for (sla, needle) in cases {
        f.file(
            "data/standards.toml",
            format!("{SCORECARD}{sla}").as_bytes(),
        );
        refused(&f, &["validate"], &["standards.toml", needle]);
    }
}

// ---- daylight saving with naive timestamps -----------------------------

/// The used sessions' (session_id, started_at in µs), by id, via `csqa query`.
fn used_starts(f: &Fixture) -> Vec<(String, i64)> {
    f.file(
        "q.sql",
        b"SELECT `session_id`, `started_at` FROM `sessions` ORDER BY `session_id`",
    );
    ok(f.run(&["query", "q.sql", "--output", "starts.parquet"]));
    let df = read_parquet(&f.dir.path().join("starts.parquet"));
    let starts = df
        .column("started_at")
        .expect("started_at")
        .cast(&DataType::Int64)
        .expect("micros");
    (0..df.height())
        .map(|i| {
            (
                str_at(&df, "session_id", i).expect("id"),
                starts.i64().expect("i64").get(i).expect("start"),
            )
        })
        .collect()
}

fn naive_sessions(ids: &[&str], starts: &[&str], ends: &[Option<&str>]) -> DataFrame {
    let starts: Vec<Option<&str>> = starts.iter().map(|s| Some(*s)).collect();
    frame(vec![
        Column::new("session_id".into(), ids.to_vec()),
        Column::new("business_line".into(), vec!["a"; ids.len()]),
        Column::new("channel".into(), vec!["chat"; ids.len()]),
        naive_ts_col("started_at", &starts, TimeUnit::Microseconds),
        naive_ts_col("ended_at", ends, TimeUnit::Microseconds),
    ])
}

#[test]
fn berlin_nonexistent_local_times_are_rejected_and_ambiguous_ones_take_the_earlier_instant() {
    let f = Fixture::new();
    f.config("timezone = \"Europe/Berlin\"");
    // Spring forward on 2026-03-29: 02:00 CET becomes 03:00 CEST, so 02:30
    // does not exist. Fall back on 2026-10-25: 03:00 CEST becomes 02:00 CET,
    // so 02:30 occurs at 00:30Z and again at 01:30Z.
    f.parquet(
        "sessions/part-0.parquet",
        naive_sessions(
            &["b1", "b2", "b3", "b4", "b5"],
            &[
                "2026-03-29T02:30:00",
                "2026-03-29T01:30:00",
                "2026-03-29T03:30:00",
                "2026-10-25T02:30:00",
                "2026-03-29T01:50:00",
            ],
            // b5 ends at a nonexistent time: a reject, not a silent null.
            &[None, None, None, None, Some("2026-03-29T02:10:00")],
        ),
    );
    let printed = validate(&f);
    assert!(
        printed.contains("ambiguous       1  local times"),
        "{printed}"
    );
    assert_eq!(counts(&f, "sessions"), [5, 3, 0, 2]);
    assert_eq!(
        reasons(&f, "sessions"),
        owned(&[("nonexistent local time", 2)])
    );
    assert_eq!(manifest(&f, "sessions")["ambiguous_local_times"], 1);
    assert_eq!(
        used_starts(&f),
        vec![
            ("b2".to_string(), us("2026-03-29T00:30:00Z")), // 01:30 CET (+01:00)
            ("b3".to_string(), us("2026-03-29T01:30:00Z")), // 03:30 CEST (+02:00)
            ("b4".to_string(), us("2026-10-25T00:30:00Z")), // the first 02:30, CEST
        ]
    );
}

#[test]
fn new_york_nonexistent_local_times_are_rejected_and_ambiguous_ones_take_the_earlier_instant() {
    let f = Fixture::new();
    f.config("timezone = \"America/New_York\"");
    // Spring forward on 2026-03-08: 02:00 EST becomes 03:00 EDT. Fall back
    // on 2026-11-01: 02:00 EDT becomes 01:00 EST, so 01:30 occurs at 05:30Z
    // and again at 06:30Z.
    f.parquet(
        "sessions/part-0.parquet",
        naive_sessions(
            &["n1", "n2", "n3", "n4"],
            &[
                "2026-03-08T02:30:00",
                "2026-03-08T01:30:00",
                "2026-03-08T03:30:00",
                "2026-11-01T01:30:00",
            ],
            // n4 also ends at an ambiguous time (01:50, read as EDT).
            &[None, None, None, Some("2026-11-01T01:50:00")],
        ),
    );
    f.parquet("messages/part-0.parquet", new_york_messages());
    validate(&f);
    assert_eq!(counts(&f, "sessions"), [4, 3, 0, 1]);
    assert_eq!(
        reasons(&f, "sessions"),
        owned(&[("nonexistent local time", 1)])
    );
    // n4: one row with two ambiguous timestamps.
    assert_eq!(manifest(&f, "sessions")["ambiguous_local_times"], 1);
    // Messages, checked whole here: as in the streamed check.
    assert_eq!(counts(&f, "messages"), [5, 2, 0, 3]);
    assert_eq!(manifest(&f, "messages")["ambiguous_local_times"], 1);
    assert_eq!(
        used_starts(&f),
        vec![
            ("n2".to_string(), us("2026-03-08T06:30:00Z")), // 01:30 EST (-05:00)
            ("n3".to_string(), us("2026-03-08T07:30:00Z")), // 03:30 EDT (-04:00)
            ("n4".to_string(), us("2026-11-01T05:30:00Z")), // the first 01:30, EDT
        ]
    );
}

#[test]
fn standards_local_times_follow_the_same_daylight_saving_policy() {
    let parse = |tz: &str, from: &str, to: &str| {
        let text = format!(
            "{SCORECARD}[sla]\nfirst_response_s = 30\nreply_s = 120\n\
             [[sla.overrides]]\nfrom = {from}\nto = {to}\nreason = \"surge\"\n"
        );
        csqa::standards::Standards::parse(&text, tz.parse().expect("tz"), "standards.toml")
    };
    let from_of = |tz: &str, from: &str, to: &str| {
        parse(tz, from, to).expect("standards").sla.overrides[0]
            .from
            .timestamp_micros()
    };
    for (tz, gap) in [
        ("Europe/Berlin", "2026-03-29T02:30:00"),
        ("America/New_York", "2026-03-08T02:30:00"),
    ] {
        let err = parse(tz, gap, "2026-12-01T00:00:00")
            .expect_err("nonexistent from")
            .to_string();
        for needle in ["standards.toml", "from", gap, "nonexistent local time", tz] {
            assert!(err.contains(needle), "{err} lacks {needle}");
        }
        let err = parse(tz, "2026-01-01T00:00:00", gap)
            .expect_err("nonexistent to")
            .to_string();
        assert!(err.contains("to = "), "{err}");
    }
    // Ambiguous: the earlier instant, as in the loader.
    assert_eq!(
        from_of(
            "Europe/Berlin",
            "2026-10-25T02:30:00",
            "2026-10-26T00:00:00"
        ),
        us("2026-10-25T00:30:00Z")
    );
    assert_eq!(
        from_of(
            "America/New_York",
            "2026-11-01T01:30:00",
            "2026-11-02T00:00:00"
        ),
        us("2026-11-01T05:30:00Z")
    );
}
