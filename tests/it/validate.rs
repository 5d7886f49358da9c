//! The bad-input corpus of the data contract, run through `csqa validate`:
//! unusable files and columns stop the command (exit 2, file and column named,
//! nothing written); bad rows are quarantined with their reason, exact copies
//! are folded, and rows in = used + duplicates + rejected for every table.

use std::process::Output;

use polars::prelude::*;

use crate::common::*;

// ---- helpers -------------------------------------------------------------

const T0: &str = "2026-10-05T10:00:00Z";

/// Run `csqa validate`, which must succeed.
#[track_caller]
fn validate(f: &Fixture) -> Output {
    let out = f.run(&["validate"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "stdout:\n{}\nstderr:\n{}",
        stdout(&out),
        stderr(&out)
    );
    out
}

/// Run `csqa validate`, which must stop with exit 2, a message holding every
/// one of `needles`, and no output folder.
#[track_caller]
fn validate_fails(f: &Fixture, needles: &[&str]) -> String {
    let out = f.run(&["validate"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "stderr:\n{err}");
    for n in needles {
        assert!(err.contains(n), "stderr lacks {n:?}:\n{err}");
    }
    assert!(
        !f.out().join("validate").exists(),
        "out/validate written on a failed run"
    );
    if let Ok(entries) = std::fs::read_dir(f.out()) {
        // The run lock (`.lock`) is the only file a failed run leaves.
        let left: Vec<_> = entries
            .flatten()
            .map(|e| e.file_name())
            .filter(|n| n != ".lock")
            .collect();
        assert!(left.is_empty(), "left in out/: {left:?}");
    }
    err
}

/// (files, rows_in, used, duplicates, rejected) of `table` in summary.parquet.
#[track_caller]
fn summary(f: &Fixture, table: &str) -> [u64; 5] {
    let df = f.read("validate/summary.parquet");
    let i = row_where(&df, "table", table);
    let n = |c: &str| u64_at(&df, c, i).expect("count");
    let s = [
        n("files"),
        n("rows_in"),
        n("used"),
        n("duplicates"),
        n("rejected"),
    ];
    assert_eq!(
        s[1],
        s[2] + s[3] + s[4],
        "{table}: rows_in != used + dups + rejected"
    );
    s
}

/// Every row of reject_reasons.parquet as (table, reason, rows), file order.
fn reasons(f: &Fixture) -> Vec<(String, String, u64)> {
    let df = f.read("validate/reject_reasons.parquet");
    (0..df.height())
        .map(|i| {
            (
                str_at(&df, "table", i).expect("table"),
                str_at(&df, "reason", i).expect("reason"),
                u64_at(&df, "rows", i).expect("rows"),
            )
        })
        .collect()
}

fn owned(v: &[(&str, &str, u64)]) -> Vec<(String, String, u64)> {
    v.iter()
        .map(|(t, r, n)| (t.to_string(), r.to_string(), *n))
        .collect()
}

/// (key, reason) of every rejected row of `table`, sorted; a null key reads "∅".
fn rejected(f: &Fixture, table: &str, key: &str) -> Vec<(String, String)> {
    let df = f.read(&format!("validate/rejects/{table}.parquet"));
    let mut v: Vec<(String, String)> = (0..df.height())
        .map(|i| {
            (
                str_at(&df, key, i).unwrap_or_else(|| "∅".into()),
                str_at(&df, "reason", i).expect("reason"),
            )
        })
        .collect();
    v.sort();
    v
}

fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = v
        .iter()
        .map(|(k, r)| (k.to_string(), r.to_string()))
        .collect();
    v.sort();
    v
}

fn ratings(v: &[Option<i64>]) -> Column {
    Column::new("rating".into(), v.to_vec())
}

/// Sessions s0, s1, … of line `a`, an hour apart from 2026-10-01T00:00Z,
/// with the given ratings.
fn rated_sessions(v: &[Option<i64>]) -> DataFrame {
    let ids: Vec<String> = (0..v.len()).map(|i| format!("s{i}")).collect();
    let starts: Vec<String> = (0..v.len())
        .map(|i| format!("2026-10-01T{i:02}:00:00Z"))
        .collect();
    let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
    let starts: Vec<&str> = starts.iter().map(String::as_str).collect();
    sessions(&ids, &vec!["a"; v.len()], &starts, vec![ratings(v)])
}

/// One valid session, for fixtures about other tables.
fn one_session() -> DataFrame {
    sessions(&["s1"], &["a"], &[T0], vec![])
}

/// A reviews frame of (review_id, module_id, reviewed_at, score), all of
/// session s1 by reviewer q1.
fn reviews(rows: &[(Option<&str>, &str, &str, Option<f64>)]) -> DataFrame {
    let n = rows.len();
    DataFrame::new_infer_height(vec![
        str_col("review_id", &rows.iter().map(|r| r.0).collect::<Vec<_>>()),
        Column::new("session_id".into(), vec!["s1"; n]),
        Column::new("reviewer_id".into(), vec!["q1"; n]),
        ts_col(
            "reviewed_at",
            &rows.iter().map(|r| Some(r.2)).collect::<Vec<_>>(),
        ),
        Column::new(
            "module_id".into(),
            rows.iter().map(|r| r.1).collect::<Vec<_>>(),
        ),
        Column::new("score".into(), rows.iter().map(|r| r.3).collect::<Vec<_>>()),
    ])
    .expect("frame")
}

fn frame(cols: Vec<Column>) -> DataFrame {
    DataFrame::new_infer_height(cols).expect("frame")
}

// ---- files and columns that stop the command -----------------------------

#[test]
fn missing_required_column_names_file_and_column() {
    let f = Fixture::new();
    f.parquet("sessions/part-0.parquet", one_session());
    let mut df = sessions(&["s2"], &["a"], &[T0], vec![]);
    df.drop_in_place("channel").expect("drop");
    f.parquet("sessions/part-1.parquet", df);
    validate_fails(
        &f,
        &[
            "sessions/part-1.parquet",
            "required column `channel` is missing",
        ],
    );
}

#[test]
fn missing_nullable_column_reads_as_null() {
    // Only the non-nullable columns are required; the rest may be absent.
    let f = Fixture::new();
    f.parquet("sessions/part-0.parquet", one_session());
    validate(&f);
    assert_eq!(summary(&f, "sessions"), [1, 1, 1, 0, 0]);
}

#[test]
fn wrong_column_type_names_file_column_and_expected_type() {
    let f = Fixture::new();
    f.parquet("sessions/part-0.parquet", rated_sessions(&[Some(5)]));
    f.parquet(
        "sessions/part-1.parquet",
        sessions(
            &["s9"],
            &["a"],
            &[T0],
            vec![str_col("rating", &[Some("5")])],
        ),
    );
    validate_fails(
        &f,
        &[
            "sessions/part-1.parquet",
            "column `rating`",
            "has type str",
            "expected integer",
        ],
    );

    // A float rating is no integer either; a timestamp held as a string is
    // no timestamp.
    let f = Fixture::new();
    f.parquet(
        "sessions/part-0.parquet",
        sessions(
            &["s1"],
            &["a"],
            &[T0],
            vec![Column::new("rating".into(), [4.0f64])],
        ),
    );
    validate_fails(
        &f,
        &[
            "sessions/part-0.parquet",
            "column `rating`",
            "expected integer",
        ],
    );
    let f = Fixture::new();
    f.parquet(
        "sessions/part-0.parquet",
        frame(vec![
            str_col("session_id", &[Some("s1")]),
            str_col("business_line", &[Some("a")]),
            str_col("channel", &[Some("chat")]),
            str_col("started_at", &[Some(T0)]),
        ]),
    );
    validate_fails(
        &f,
        &[
            "sessions/part-0.parquet",
            "column `started_at`",
            "expected timestamp",
        ],
    );
}

#[test]
fn truncated_parquet_file_is_named() {
    let f = Fixture::new();
    f.parquet(
        "sessions/part-0.parquet",
        rated_sessions(&[Some(5), Some(4)]),
    );
    f.parquet("sessions/part-1.parquet", rated_sessions(&[Some(3)]));
    let path = f.data().join("sessions/part-1.parquet");
    let bytes = std::fs::read(&path).expect("read");
    std::fs::write(&path, &bytes[..bytes.len() / 2]).expect("truncate");
    validate_fails(
        &f,
        &["sessions/part-1.parquet", "not a readable Parquet file"],
    );
}

#[test]
fn corrupt_parquet_data_with_intact_footer_is_named() {
    // The footer reads fine, so the schema checks pass; the data pages do not.
    let f = Fixture::new();
    f.parquet(
        "sessions/part-0.parquet",
        rated_sessions(&[Some(5), Some(4)]),
    );
    let ids: Vec<String> = (0..2000).map(|i| format!("session-{i:06}")).collect();
    let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
    f.parquet(
        "sessions/part-1.parquet",
        sessions(&ids, &vec!["a"; ids.len()], &vec![T0; ids.len()], vec![]),
    );
    let path = f.data().join("sessions/part-1.parquet");
    let mut bytes = std::fs::read(&path).expect("read");
    // Keep the magic number and the footer (its length sits in the 4 bytes
    // before the closing magic number); clobber the data pages.
    let n = bytes.len();
    let footer = u32::from_le_bytes(bytes[n - 8..n - 4].try_into().expect("len")) as usize;
    let data_end = n - 8 - footer;
    assert!(data_end > 1000, "data region of {data_end} bytes");
    for b in &mut bytes[4..data_end] {
        *b = 0xff;
    }
    std::fs::write(&path, &bytes).expect("corrupt");
    validate_fails(
        &f,
        &["sessions/part-1.parquet", "not a readable Parquet file"],
    );
}

#[test]
fn not_a_parquet_file_is_named() {
    let f = Fixture::new();
    f.parquet("sessions/part-0.parquet", one_session());
    f.file(
        "data/sessions/x.parquet",
        b"session_id,business_line,channel,started_at\ns2,a,chat,2026-10-01T00:00:00Z\n",
    );
    validate_fails(&f, &["sessions/x.parquet", "not a readable Parquet file"]);

    // An empty file is no Parquet file either.
    let f = Fixture::new();
    f.parquet("sessions/part-0.parquet", one_session());
    f.file("data/sessions/empty.parquet", b"");
    validate_fails(&f, &["sessions/empty.parquet"]);
}

#[test]
fn unreadable_optional_table_file_also_stops() {
    let f = Fixture::new();
    f.parquet("sessions/part-0.parquet", one_session());
    f.file("data/reviews/part-0.parquet", b"PAR1 not really");
    validate_fails(&f, &["reviews/part-0.parquet"]);
}

#[test]
fn empty_or_absent_sessions_folder_is_an_error() {
    let f = Fixture::new();
    std::fs::create_dir_all(f.data().join("sessions")).expect("mkdir");
    validate_fails(&f, &["sessions", "holds no Parquet file"]);

    // Only files that are not Parquet: still no sessions, and the message
    // says what was found instead.
    let f = Fixture::new();
    f.file("data/sessions/sessions.csv", b"session_id\ns1\n");
    validate_fails(
        &f,
        &[
            "sessions",
            "holds no Parquet file (only sessions/sessions.csv)",
        ],
    );

    let f = Fixture::new();
    std::fs::create_dir_all(f.data()).expect("mkdir");
    validate_fails(&f, &["sessions", "folder is missing"]);
}

#[test]
fn absent_or_empty_optional_tables_are_reported_absent() {
    let f = Fixture::new();
    f.parquet("sessions/part-0.parquet", one_session());
    std::fs::create_dir_all(f.data().join("reviews")).expect("mkdir");
    std::fs::create_dir_all(f.data().join("messages/month=2026-10")).expect("mkdir");
    // An optional table exported in the wrong format is absent, but said so.
    f.file("data/appeals/appeals.csv", b"review_id\nr1\n");
    let out = validate(&f);
    let text = stdout(&out);
    assert!(
        text.contains("ignored (not .parquet): appeals/appeals.csv"),
        "{text}"
    );
    for t in [
        "reviews",
        "repeat_causes",
        "messages",
        "appeals",
        "agent_hours",
    ] {
        assert!(
            text.lines()
                .any(|l| l.starts_with(t) && l.trim_end().ends_with("absent")),
            "{t} not reported absent:\n{text}"
        );
    }
    let df = f.read("validate/summary.parquet");
    assert_eq!(df.height(), 1, "only sessions in the summary");
    assert_eq!(summary(&f, "sessions"), [1, 1, 1, 0, 0]);
    assert_eq!(reasons(&f), vec![]);
    assert!(!f.out().join("validate/rejects").exists());
    assert!(
        text.contains("validate: 1 tables, 1 rows, 0 rejected"),
        "{text}"
    );
}

#[test]
fn non_parquet_files_are_ignored_and_listed() {
    let f = Fixture::new();
    f.parquet("sessions/part-0.parquet", one_session());
    f.file("data/sessions/README.txt", b"exported by the platform\n");
    f.file(
        "data/sessions/month=2026-10/sessions.csv",
        b"session_id\ns9\n",
    );
    // Writer markers and hidden files are no data at all.
    f.file("data/sessions/_SUCCESS", b"");
    f.file("data/sessions/.part-0.parquet.crc", b"crc");
    let out = validate(&f);
    let text = stdout(&out);
    assert!(
        text.contains("ignored (not .parquet): sessions/README.txt"),
        "{text}"
    );
    assert!(
        text.contains("ignored (not .parquet): sessions/month=2026-10/sessions.csv"),
        "{text}"
    );
    assert!(!text.contains("_SUCCESS"), "{text}");
    assert_eq!(summary(&f, "sessions"), [1, 1, 1, 0, 0]);

    let manifest: serde_json::Value = serde_json::from_slice(
        &std::fs::read(f.out().join("validate/manifest.json")).expect("manifest"),
    )
    .expect("json");
    let t = &manifest["tables"]["sessions"];
    assert_eq!(
        t["files"]["ignored"],
        serde_json::json!(["sessions/README.txt", "sessions/month=2026-10/sessions.csv"])
    );
    assert_eq!(t["files"]["files"][0]["path"], "sessions/part-0.parquet");
    assert_eq!(t["files"]["files"].as_array().map(Vec::len), Some(1));
    assert_eq!(t["rows_in"], 1);
    assert_eq!(t["used"], 1);
    // The data check's report names them as the terminal does.
    let report = std::fs::read_to_string(f.out().join("validate/report.md")).expect("report");
    assert!(
        report.contains("- Ignored, not read (not .parquet): sessions/README.txt\n"),
        "{report}"
    );
    assert!(
        report
            .contains("- Ignored, not read (not .parquet): sessions/month=2026-10/sessions.csv\n"),
        "{report}"
    );
}

#[test]
fn failed_run_leaves_previous_output_unchanged() {
    let f = Fixture::new();
    f.parquet(
        "sessions/part-0.parquet",
        rated_sessions(&[Some(5), Some(0)]),
    );
    validate(&f);
    let before = std::fs::read(f.out().join("validate/summary.csv")).expect("summary");
    let rejects = std::fs::read(f.out().join("validate/rejects/sessions.csv")).expect("rejects");

    let mut df = one_session();
    df.drop_in_place("started_at").expect("drop");
    f.parquet("sessions/part-1.parquet", df);
    let out = f.run(&["validate"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("sessions/part-1.parquet"));
    assert!(stderr(&out).contains("`started_at`"));
    assert_eq!(
        std::fs::read(f.out().join("validate/summary.csv")).expect("summary"),
        before
    );
    assert_eq!(
        std::fs::read(f.out().join("validate/rejects/sessions.csv")).expect("rejects"),
        rejects
    );
    let left: Vec<_> = std::fs::read_dir(f.out())
        .expect("out")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n != ".lock")
        .collect();
    assert_eq!(left, vec!["validate".to_string()]);
}

// ---- configuration -------------------------------------------------------

#[test]
fn column_mapping_reads_export_names() {
    let f = Fixture::new();
    f.config("[columns.sessions]\nsession_id = \"conv_id\"\nbusiness_line = \"业务线\"\n");
    let mut df = rated_sessions(&[Some(5), Some(9)]);
    df.rename("session_id", "conv_id".into()).expect("rename");
    df.rename("business_line", "业务线".into()).expect("rename");
    f.parquet("sessions/part-0.parquet", df);
    validate(&f);
    assert_eq!(summary(&f, "sessions"), [1, 2, 1, 0, 1]);
    // Rejects carry the canonical names.
    assert_eq!(
        rejected(&f, "sessions", "session_id"),
        pairs(&[("s1", "rating out of range")])
    );
    let rej = f.read("validate/rejects/sessions.parquet");
    assert_eq!(str_at(&rej, "business_line", 0).as_deref(), Some("a"));
    assert!(rej.column("conv_id").is_err());

    // A file still using the canonical name lacks the mapped column.
    f.parquet("sessions/part-1.parquet", one_session());
    let out = f.run(&["validate"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("sessions/part-1.parquet"), "{err}");
    assert!(
        err.contains("required column `conv_id` (mapped from sessions.session_id) is missing"),
        "{err}"
    );
}

#[test]
fn column_mapping_of_unknown_table_or_column_is_refused() {
    let f = Fixture::new();
    f.parquet("sessions/part-0.parquet", one_session());
    f.config("[columns.sesions]\nsession_id = \"conv_id\"\n");
    validate_fails(&f, &["csqa.toml", "[columns.sesions]", "names no table"]);

    let f = Fixture::new();
    f.parquet("sessions/part-0.parquet", one_session());
    f.config("[columns.sessions]\nconversation = \"conv_id\"\n");
    validate_fails(
        &f,
        &["csqa.toml", "conversation is not a column of sessions"],
    );
}

#[test]
fn bad_config_key_or_timezone_is_refused() {
    let f = Fixture::new();
    f.parquet("sessions/part-0.parquet", one_session());
    f.config("timezon = \"Asia/Shanghai\"\n");
    validate_fails(&f, &["csqa.toml", "unknown field `timezon`"]);

    let f = Fixture::new();
    f.parquet("sessions/part-0.parquet", one_session());
    f.config("[fcr]\nwindow = 48\n");
    validate_fails(&f, &["csqa.toml", "unknown field `window`"]);

    let f = Fixture::new();
    f.parquet("sessions/part-0.parquet", one_session());
    f.config("timezone = \"Asia/Beijing\"\n");
    validate_fails(
        &f,
        &[
            "csqa.toml",
            "timezone = \"Asia/Beijing\" is not an IANA time zone",
        ],
    );

    let f = Fixture::new();
    f.parquet("sessions/part-0.parquet", one_session());
    f.config("scale_max = 1\n");
    validate_fails(&f, &["csqa.toml", "scale_max = 1"]);
}

// ---- row rules -------------------------------------------------------------

#[test]
fn null_keys_are_rejected_naming_the_column() {
    let f = Fixture::new();
    f.parquet(
        "sessions/part-0.parquet",
        frame(vec![
            str_col(
                "session_id",
                &[Some("s1"), None, Some("s3"), Some("s4"), Some("s5"), None],
            ),
            str_col(
                "business_line",
                &[Some("a"), Some("a"), None, Some("a"), Some("a"), None],
            ),
            str_col(
                "channel",
                &[
                    Some("chat"),
                    Some("chat"),
                    Some("chat"),
                    None,
                    Some("chat"),
                    None,
                ],
            ),
            ts_col(
                "started_at",
                &[Some(T0), Some(T0), Some(T0), Some(T0), None, None],
            ),
            // Nullable columns may be null.
            str_col(
                "customer_id",
                &[None, Some("c"), Some("c"), Some("c"), Some("c"), None],
            ),
            ratings(&[None, Some(0), Some(0), Some(0), Some(0), Some(0)]),
        ]),
    );
    f.parquet(
        "reviews/part-0.parquet",
        frame(vec![
            str_col("review_id", &[Some("r1"), None, Some("r3"), Some("r4")]),
            str_col("session_id", &[Some("s1"), Some("s1"), None, Some("s1")]),
            str_col(
                "reviewer_id",
                &[Some("q1"), Some("q1"), Some("q1"), Some("q1")],
            ),
            ts_col("reviewed_at", &[Some(T0), Some(T0), Some(T0), Some(T0)]),
            str_col(
                "module_id",
                &[Some("greeting"), Some("greeting"), Some("greeting"), None],
            ),
            Column::new("score".into(), [None, Some(1.0), Some(1.0), Some(1.0)]),
        ]),
    );
    validate(&f);
    // The last session has every key null: the first in column order is named.
    // A null key comes before the rating rule (rating 0 on every bad row).
    assert_eq!(summary(&f, "sessions"), [1, 6, 1, 0, 5]);
    assert_eq!(summary(&f, "reviews"), [1, 4, 1, 0, 3]);
    assert_eq!(
        reasons(&f),
        owned(&[
            ("reviews", "null module_id", 1),
            ("reviews", "null review_id", 1),
            ("reviews", "null session_id", 1),
            ("sessions", "null business_line", 1),
            ("sessions", "null channel", 1),
            ("sessions", "null session_id", 2),
            ("sessions", "null started_at", 1),
        ])
    );
    assert_eq!(
        rejected(&f, "sessions", "session_id"),
        pairs(&[
            ("s3", "null business_line"),
            ("s4", "null channel"),
            ("s5", "null started_at"),
            ("∅", "null session_id"),
            ("∅", "null session_id"),
        ])
    );
}

#[test]
fn exact_duplicates_across_files_are_kept_once() {
    let f = Fixture::new();
    let ended = |v: &[Option<&str>]| ts_col("ended_at", v);
    let t = "2026-10-05T10:30:00Z";
    f.parquet(
        "sessions/month=2026-09/part-0.parquet",
        sessions(
            &["s1", "s2", "s3", "s3"],
            &["a", "a", "b", "b"],
            &[T0; 4],
            vec![
                ended(&[Some(t), None, None, None]),
                ratings(&[Some(5), None, Some(2), Some(2)]),
            ],
        ),
    );
    f.parquet(
        "sessions/month=2026-10/part-0.parquet",
        sessions(
            &["s2", "s3", "s4"],
            &["a", "b", "b"],
            &[T0; 3],
            vec![
                ended(&[None, None, None]),
                ratings(&[None, Some(2), Some(1)]),
            ],
        ),
    );
    validate(&f);
    // 7 rows: s3 three times (once within the first file), s2 twice.
    assert_eq!(summary(&f, "sessions"), [2, 7, 4, 3, 0]);
    assert_eq!(reasons(&f), vec![]);
}

#[test]
fn conflicting_duplicates_are_all_rejected() {
    let f = Fixture::new();
    f.parquet(
        "sessions/part-0.parquet",
        sessions(
            &["s1", "s2", "s3", "s4"],
            &["a", "a", "a", "a"],
            &[T0; 4],
            vec![
                ratings(&[Some(5), Some(4), Some(3), Some(3)]),
                // Not a contract column: a difference here is no conflict.
                Column::new("export_batch".into(), [1i64, 1, 1, 1]),
            ],
        ),
    );
    f.parquet(
        "sessions/part-1.parquet",
        sessions(
            &["s1", "s2", "s2", "s4"],
            &["a", "a", "a", "b"],
            &[T0; 4],
            vec![
                ratings(&[Some(4), Some(4), Some(1), Some(3)]),
                Column::new("export_batch".into(), [2i64, 2, 2, 2]),
            ],
        ),
    );
    f.parquet(
        "reviews/part-0.parquet",
        reviews(&[
            (Some("r1"), "greeting", T0, Some(1.0)),
            (Some("r1"), "empathy", T0, Some(4.0)),
            (Some("r2"), "empathy", T0, Some(4.0)),
            (Some("r2"), "empathy", T0, None),
        ]),
    );
    f.parquet("sessions/part-2.parquet", one_session().head(Some(0)));
    validate(&f);
    // s1: 5 vs 4, both out. s2: 4, 4 (a copy), 1: one duplicate, two out.
    // s3 alone: used. s4: business line a vs b: both out.
    assert_eq!(summary(&f, "sessions"), [3, 8, 1, 1, 6]);
    assert_eq!(
        rejected(&f, "sessions", "session_id"),
        pairs(&[
            ("s1", "conflicting duplicate"),
            ("s1", "conflicting duplicate"),
            ("s2", "conflicting duplicate"),
            ("s2", "conflicting duplicate"),
            ("s4", "conflicting duplicate"),
            ("s4", "conflicting duplicate"),
        ])
    );
    // Reviews conflict on (review_id, module_id): r1's two modules are fine;
    // r2's empathy scored 4 and N/A is a conflict.
    assert_eq!(summary(&f, "reviews"), [1, 4, 2, 0, 2]);
    assert_eq!(
        reasons(&f),
        owned(&[
            ("reviews", "conflicting duplicate", 2),
            ("sessions", "conflicting duplicate", 6),
        ])
    );
    let rej = f.read("validate/rejects/sessions.parquet");
    let files: Vec<String> = (0..rej.height())
        .filter_map(|i| str_at(&rej, "source_file", i))
        .collect();
    assert!(files.contains(&"sessions/part-0.parquet".to_string()));
    assert!(files.contains(&"sessions/part-1.parquet".to_string()));
}

#[test]
fn precedence_null_key_then_conflict_then_value_rules() {
    let f = Fixture::new();
    let ended = |v: &[Option<&str>]| ts_col("ended_at", v);
    let before = "2026-10-05T09:00:00Z";
    f.parquet(
        "sessions/part-0.parquet",
        frame(vec![
            str_col(
                "session_id",
                &[Some("s1"), Some("s2"), Some("s3"), None, None],
            ),
            str_col(
                "business_line",
                &[None, Some("a"), Some("a"), Some("a"), Some("a")],
            ),
            str_col("channel", &[Some("chat"); 5]),
            ts_col("started_at", &[Some(T0); 5]),
            ended(&[Some(before), None, Some(before), None, None]),
            ratings(&[Some(9), Some(0), Some(0), Some(1), Some(2)]),
        ]),
    );
    f.parquet(
        "sessions/part-1.parquet",
        frame(vec![
            str_col("session_id", &[Some("s1"), Some("s2")]),
            str_col("business_line", &[Some("a"), Some("a")]),
            str_col("channel", &[Some("chat"); 2]),
            ts_col("started_at", &[Some(T0); 2]),
            ended(&[None, None]),
            ratings(&[Some(3), Some(1)]),
        ]),
    );
    validate(&f);
    // s1 (null line, rating 9, ended early) → null business_line; its other
    // version then conflicts with it. s2: rating 0 vs 1 → a conflict, not a
    // rating. s3: rating 0 and ended early → the rating rule comes first.
    // The two null ids differ but are no conflict: null session_id both.
    assert_eq!(summary(&f, "sessions"), [2, 7, 0, 0, 7]);
    assert_eq!(
        rejected(&f, "sessions", "session_id"),
        pairs(&[
            ("s1", "conflicting duplicate"),
            ("s1", "null business_line"),
            ("s2", "conflicting duplicate"),
            ("s2", "conflicting duplicate"),
            ("s3", "rating out of range"),
            ("∅", "null session_id"),
            ("∅", "null session_id"),
        ])
    );
}

#[test]
fn rating_outside_default_scale_is_rejected() {
    let f = Fixture::new();
    f.parquet(
        "sessions/part-0.parquet",
        rated_sessions(&[Some(0), Some(1), Some(5), Some(6), None, Some(-3)]),
    );
    validate(&f);
    assert_eq!(summary(&f, "sessions"), [1, 6, 3, 0, 3]);
    assert_eq!(
        rejected(&f, "sessions", "session_id"),
        pairs(&[
            ("s0", "rating out of range"),
            ("s3", "rating out of range"),
            ("s5", "rating out of range"),
        ])
    );
    assert_eq!(
        reasons(&f),
        owned(&[("sessions", "rating out of range", 3)])
    );
}

#[test]
fn rating_scale_follows_config() {
    let f = Fixture::new();
    f.config("scale_max = 10\nsatisfied_min = 8\n");
    f.parquet(
        "sessions/part-0.parquet",
        rated_sessions(&[Some(0), Some(1), Some(6), Some(10), Some(11)]),
    );
    validate(&f);
    assert_eq!(summary(&f, "sessions"), [1, 5, 3, 0, 2]);
    assert_eq!(
        rejected(&f, "sessions", "session_id"),
        pairs(&[("s0", "rating out of range"), ("s4", "rating out of range")])
    );
}

#[test]
fn ended_before_started_is_rejected() {
    let f = Fixture::new();
    f.parquet(
        "sessions/part-0.parquet",
        sessions(
            &["s1", "s2", "s3", "s4"],
            &["a"; 4],
            &[T0; 4],
            vec![ts_col(
                "ended_at",
                &[
                    Some("2026-10-05T09:59:59Z"),
                    Some(T0),
                    None,
                    Some("2026-10-05T10:20:00Z"),
                ],
            )],
        ),
    );
    validate(&f);
    assert_eq!(summary(&f, "sessions"), [1, 4, 3, 0, 1]);
    assert_eq!(
        rejected(&f, "sessions", "session_id"),
        pairs(&[("s1", "ended_at before started_at")])
    );
}

#[test]
fn reviews_against_the_builtin_scorecard() {
    let f = Fixture::new();
    f.parquet("sessions/part-0.parquet", one_session());
    f.parquet(
        "reviews/part-0.parquet",
        reviews(&[
            (Some("r1"), "greeting", T0, Some(1.0)),
            (Some("r1"), "empathy", T0, Some(5.0)),
            (Some("r1"), "accuracy", T0, None), // N/A
            (Some("r1"), "resolution", T0, Some(0.0)),
            (Some("r1"), "compliance", T0, Some(1.0)),
            (Some("r2"), "greeting", T0, Some(2.0)), // pass_fail: 0 or 1
            (Some("r2"), "empathy", T0, Some(2.5)),  // 0-5: whole points
            (Some("r2"), "accuracy", T0, Some(-1.0)), // below 0
            (Some("r2"), "resolution", T0, Some(0.5)), // pass_fail
            (Some("r2"), "compliance", T0, Some(f64::NAN)),
            (Some("r3"), "empathy", T0, Some(6.0)), // above 5
            (Some("r3"), "accuracy", T0, Some(0.0)),
            (Some("r3"), "tone", T0, Some(3.0)),
            (Some("r3"), "Greeting", T0, Some(1.0)), // ids are exact
        ]),
    );
    validate(&f);
    assert_eq!(summary(&f, "reviews"), [1, 14, 6, 0, 8]);
    assert_eq!(
        reasons(&f),
        owned(&[
            ("reviews", "score off the module's scale", 6),
            ("reviews", "unknown module_id", 2),
        ])
    );
    let rej = f.read("validate/rejects/reviews.parquet");
    let tone = row_where(&rej, "module_id", "tone");
    assert_eq!(
        str_at(&rej, "reason", tone).as_deref(),
        Some("unknown module_id")
    );
    assert_eq!(
        str_at(&rej, "scorecard_version", tone).as_deref(),
        Some("builtin")
    );
    assert_eq!(
        str_at(&rej, "source_file", tone).as_deref(),
        Some("reviews/part-0.parquet")
    );
}

const TWO_VERSIONS: &str = r#"
[[scorecard]]
version = "2026.09"
effective_from = 2026-09-01
[[scorecard.modules]]
id = "greeting"
name = "Greeting"
group = "service"
scope = "single_point"
scale = "pass_fail"
weight = 1
[[scorecard.modules]]
id = "empathy"
name = "Empathy"
group = "service"
scope = "single_point"
scale = "0-5"
weight = 1

[[scorecard]]
version = "2026.10"
effective_from = 2026-10-01
[[scorecard.modules]]
id = "greeting"
name = "Greeting"
group = "service"
scope = "single_point"
scale = "pass_fail"
weight = 1
[[scorecard.modules]]
id = "empathy"
name = "Empathy"
group = "service"
scope = "single_point"
scale = "1-10"
weight = 1
[[scorecard.modules]]
id = "proactivity"
name = "Proactive help"
group = "resolution"
scope = "system"
scale = "pass_fail"
weight = 1
"#;

#[test]
fn reviews_against_versioned_standards() {
    let f = Fixture::new();
    // effective_from is a local date: 2026-10-01 starts at 2026-09-30T16:00Z.
    f.config("timezone = \"Asia/Shanghai\"\n");
    f.file("data/standards.toml", TWO_VERSIONS.as_bytes());
    f.parquet("sessions/part-0.parquet", one_session());
    let sep = "2026-09-15T02:00:00Z";
    let oct = "2026-10-15T02:00:00Z";
    let last_sep = "2026-09-30T15:59:59Z"; // 23:59:59 local, still 2026.09
    let first_oct = "2026-09-30T16:00:00Z"; // 00:00 local 10-01, 2026.10
    f.parquet(
        "reviews/part-0.parquet",
        reviews(&[
            (Some("r0"), "greeting", "2026-08-31T15:59:59Z", Some(1.0)), // before any version
            (Some("r1"), "proactivity", sep, Some(1.0)),                 // not in 2026.09
            (Some("r1"), "empathy", sep, Some(0.0)),                     // 0-5 in 2026.09
            (Some("r1"), "greeting", sep, Some(1.0)),
            (Some("r2"), "proactivity", oct, Some(1.0)),
            (Some("r2"), "empathy", oct, Some(0.0)), // 1-10 in 2026.10
            (Some("r2"), "greeting", oct, None),
            (Some("r3"), "empathy", last_sep, Some(7.0)), // off 0-5
            (Some("r3"), "proactivity", last_sep, None),  // unknown, even N/A
            (Some("r4"), "empathy", first_oct, Some(7.0)),
            (Some("r4"), "proactivity", first_oct, Some(0.0)),
            (Some("r5"), "empathy", "2026-09-01T00:00:00Z", Some(5.0)), // 08:00 local
        ]),
    );
    validate(&f);
    assert_eq!(summary(&f, "reviews"), [1, 12, 7, 0, 5]);
    assert_eq!(
        reasons(&f),
        owned(&[
            ("reviews", "no scorecard in force at reviewed_at", 1),
            ("reviews", "score off the module's scale", 2),
            ("reviews", "unknown module_id", 2),
        ])
    );
    let rej = f.read("validate/rejects/reviews.parquet");
    let mut got: Vec<(String, String, String, Option<String>)> = (0..rej.height())
        .map(|i| {
            (
                str_at(&rej, "review_id", i).expect("id"),
                str_at(&rej, "module_id", i).expect("module"),
                str_at(&rej, "reason", i).expect("reason"),
                str_at(&rej, "scorecard_version", i),
            )
        })
        .collect();
    got.sort();
    let s = |a: &str, b: &str, c: &str, d: Option<&str>| {
        (
            a.to_string(),
            b.to_string(),
            c.to_string(),
            d.map(str::to_string),
        )
    };
    assert_eq!(
        got,
        vec![
            s(
                "r0",
                "greeting",
                "no scorecard in force at reviewed_at",
                None
            ),
            s("r1", "proactivity", "unknown module_id", Some("2026.09")),
            s(
                "r2",
                "empathy",
                "score off the module's scale",
                Some("2026.10")
            ),
            s(
                "r3",
                "empathy",
                "score off the module's scale",
                Some("2026.09")
            ),
            s("r3", "proactivity", "unknown module_id", Some("2026.09")),
        ]
    );
}

#[test]
fn bad_standards_file_is_refused() {
    let f = Fixture::new();
    f.parquet("sessions/part-0.parquet", one_session());
    f.file(
        "data/standards.toml",
        TWO_VERSIONS.replace("\"0-5\"", "\"0to5\"").as_bytes(),
    );
    validate_fails(
        &f,
        &[
            "standards.toml",
            "scorecard 2026.09 module empathy",
            "\"0to5\"",
        ],
    );
}

#[test]
fn unknown_sender_outcome_and_hours_out_of_range() {
    let f = Fixture::new();
    f.parquet("sessions/part-0.parquet", one_session());
    let n = 7;
    f.parquet(
        "messages/part-0.parquet",
        frame(vec![
            Column::new("session_id".into(), vec!["s1"; n]),
            ts_col("sent_at", &vec![Some(T0); n]),
            str_col(
                "sender",
                &[
                    Some("customer"),
                    Some("agent"),
                    Some("bot"),
                    Some("system"),
                    Some("Agent"),
                    Some("robot"),
                    None,
                ],
            ),
        ]),
    );
    f.parquet(
        "appeals/part-0.parquet",
        frame(vec![
            Column::new("review_id".into(), ["r1", "r2", "r3", "r4"]),
            Column::new("module_id".into(), ["greeting"; 4]),
            ts_col("filed_at", &[Some(T0); 4]),
            Column::new("outcome".into(), ["upheld", "overturned", "pending", "won"]),
        ]),
    );
    f.parquet(
        "agent_hours/part-0.parquet",
        frame(vec![
            Column::new("agent_id".into(), ["a1", "a2", "a3", "a4", "a5"]),
            Column::new("date".into(), [20_000i32, 20_000, 20_000, 20_000, 20_000])
                .cast(&DataType::Date)
                .expect("date"),
            Column::new("logged_in_hours".into(), [0.0f64, 24.0, 7.5, 24.5, -1.0]),
        ]),
    );
    validate(&f);
    assert_eq!(summary(&f, "messages"), [1, 7, 4, 0, 3]);
    assert_eq!(summary(&f, "appeals"), [1, 4, 3, 0, 1]);
    assert_eq!(summary(&f, "agent_hours"), [1, 5, 3, 0, 2]);
    assert_eq!(
        reasons(&f),
        owned(&[
            ("agent_hours", "logged_in_hours out of range", 2),
            ("appeals", "unknown outcome", 1),
            ("messages", "null sender", 1),
            ("messages", "unknown sender", 2),
        ])
    );
    assert_eq!(
        rejected(&f, "appeals", "review_id"),
        pairs(&[("r4", "unknown outcome")])
    );
}

// ---- types, units, zones, layouts ------------------------------------------

#[test]
fn extra_columns_are_ignored() {
    let f = Fixture::new();
    f.parquet(
        "sessions/part-0.parquet",
        sessions(
            &["s1", "s2"],
            &["a", "a"],
            &[T0, T0],
            vec![
                ratings(&[Some(0), Some(5)]),
                str_col("note", &[Some("vip"), None]),
                Column::new("rating_raw".into(), [0.0f64, 5.0]),
            ],
        ),
    );
    f.parquet(
        "sessions/part-1.parquet",
        sessions(
            &["s2"],
            &["a"],
            &[T0],
            vec![ratings(&[Some(5)]), str_col("note", &[Some("other")])],
        ),
    );
    validate(&f);
    assert_eq!(summary(&f, "sessions"), [2, 3, 1, 1, 1]);
    let rej = f.read("validate/rejects/sessions.parquet");
    let names: Vec<String> = rej
        .get_column_names()
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert!(!names.contains(&"note".to_string()), "{names:?}");
    assert!(!names.contains(&"rating_raw".to_string()), "{names:?}");
    assert!(names.contains(&"reason".to_string()), "{names:?}");
    assert!(names.contains(&"source_file".to_string()), "{names:?}");
}

#[test]
fn timestamp_units_and_zones_denote_the_same_instants() {
    let f = Fixture::new();
    let starts = [
        Some("2026-10-01T00:00:00.123Z"),
        Some("2026-10-31T23:59:59Z"),
    ];
    let ends = [Some("2026-10-01T00:10:00Z"), None];
    let frame_in = |unit: TimeUnit, tz: &str| {
        frame(vec![
            Column::new("session_id".into(), ["s1", "s2"]),
            Column::new("business_line".into(), ["a", "a"]),
            Column::new("channel".into(), ["chat", "chat"]),
            ts_col_in("started_at", &starts, unit, tz),
            ts_col_in("ended_at", &ends, unit, tz),
        ])
    };
    f.parquet(
        "sessions/ms.parquet",
        frame_in(TimeUnit::Milliseconds, "UTC"),
    );
    f.parquet(
        "sessions/ns.parquet",
        frame_in(TimeUnit::Nanoseconds, "UTC"),
    );
    f.parquet(
        "sessions/us_shanghai.parquet",
        frame_in(TimeUnit::Microseconds, "Asia/Shanghai"),
    );
    f.parquet(
        "sessions/ns_new_york.parquet",
        frame_in(TimeUnit::Nanoseconds, "America/New_York"),
    );
    validate(&f);
    assert_eq!(summary(&f, "sessions"), [4, 8, 2, 6, 0]);
}

#[test]
fn naive_and_aware_timestamps_at_a_local_month_boundary() {
    let f = Fixture::new();
    f.config("timezone = \"Asia/Shanghai\"\n");
    // s1 starts 2026-10-31T17:00Z = 2026-11-01 01:00 in Shanghai: an aware
    // UTC export and a naive local one are the same row.
    // s2 starts 15:59:59Z = 23:59:59 local, still October.
    f.parquet(
        "sessions/aware.parquet",
        frame(vec![
            Column::new("session_id".into(), ["s1", "s2"]),
            Column::new("business_line".into(), ["a", "a"]),
            Column::new("channel".into(), ["chat", "chat"]),
            ts_col(
                "started_at",
                &[Some("2026-10-31T17:00:00Z"), Some("2026-10-31T15:59:59Z")],
            ),
        ]),
    );
    f.parquet(
        "sessions/naive.parquet",
        frame(vec![
            Column::new("session_id".into(), ["s1", "s2"]),
            Column::new("business_line".into(), ["a", "a"]),
            Column::new("channel".into(), ["chat", "chat"]),
            naive_ts_col(
                "started_at",
                &[Some("2026-11-01T01:00:00"), Some("2026-10-31T23:59:59")],
                TimeUnit::Milliseconds,
            ),
        ]),
    );
    validate(&f);
    assert_eq!(summary(&f, "sessions"), [2, 4, 2, 2, 0]);

    f.file(
        "month.sql",
        b"SELECT session_id, local_month FROM sessions ORDER BY session_id",
    );
    let out = f.run(&["query", "month.sql"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "session_id,local_month\ns1,2026-11\ns2,2026-10\n"
    );
}

#[test]
fn naive_timestamps_read_in_the_configured_zone_not_utc() {
    // The same naive wall-clock time is a different instant per zone: under
    // UTC the naive copy of s1 is 8 h later, so it conflicts.
    let f = Fixture::new();
    f.parquet(
        "sessions/aware.parquet",
        frame(vec![
            Column::new("session_id".into(), ["s1"]),
            Column::new("business_line".into(), ["a"]),
            Column::new("channel".into(), ["chat"]),
            ts_col("started_at", &[Some("2026-10-31T17:00:00Z")]),
        ]),
    );
    f.parquet(
        "sessions/naive.parquet",
        frame(vec![
            Column::new("session_id".into(), ["s1"]),
            Column::new("business_line".into(), ["a"]),
            Column::new("channel".into(), ["chat"]),
            naive_ts_col(
                "started_at",
                &[Some("2026-11-01T01:00:00")],
                TimeUnit::Microseconds,
            ),
        ]),
    );
    validate(&f);
    assert_eq!(summary(&f, "sessions"), [2, 2, 0, 0, 2]);
}

#[test]
fn hive_folders_supply_a_missing_contract_column() {
    let f = Fixture::new();
    let mut payments = rated_sessions(&[Some(5), Some(0)]);
    payments.drop_in_place("business_line").expect("drop");
    f.parquet("sessions/business_line=payments/part-0.parquet", payments);
    // `month` is no contract column: ignored.
    let mut loans = sessions(&["t1"], &["x"], &[T0], vec![]);
    loans.drop_in_place("business_line").expect("drop");
    f.parquet(
        "sessions/month=2026-10/business_line=loans/part-0.parquet",
        loans,
    );
    validate(&f);
    assert_eq!(summary(&f, "sessions"), [2, 3, 2, 0, 1]);
    let rej = f.read("validate/rejects/sessions.parquet");
    assert_eq!(
        str_at(&rej, "business_line", 0).as_deref(),
        Some("payments")
    );
    assert!(rej.column("month").is_err());

    f.file(
        "lines.sql",
        b"SELECT session_id, business_line FROM sessions ORDER BY session_id",
    );
    let out = f.run(&["query", "lines.sql"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "session_id,business_line\ns0,payments\nt1,loans\n"
    );
}

#[test]
fn chinese_business_lines_survive_into_the_rejects_csv() {
    let f = Fixture::new();
    f.parquet(
        "sessions/part-0.parquet",
        sessions(
            &["s1", "s2", "s3"],
            &["支付", "信贷", "支付"],
            &[T0; 3],
            vec![
                ratings(&[Some(0), Some(9), Some(5)]),
                str_col("category", &[Some("退款咨询"), None, None]),
            ],
        ),
    );
    let mut hive = sessions(&["h1"], &["x"], &[T0], vec![ratings(&[Some(7)])]);
    hive.drop_in_place("business_line").expect("drop");
    f.parquet("sessions/business_line=理财/part-0.parquet", hive);
    validate(&f);
    assert_eq!(summary(&f, "sessions"), [2, 4, 1, 0, 3]);
    let csv =
        std::fs::read_to_string(f.out().join("validate/rejects/sessions.csv")).expect("utf-8 csv");
    let line = |id: &str| {
        csv.lines()
            .find(|l| l.starts_with(&format!("{id},")))
            .unwrap_or_else(|| panic!("no {id} in\n{csv}"))
            .to_string()
    };
    assert!(line("s1").contains(",支付,"), "{csv}");
    assert!(line("s1").contains(",退款咨询,"), "{csv}");
    assert!(line("s2").contains(",信贷,"), "{csv}");
    assert!(line("h1").contains(",理财,"), "{csv}");
    assert!(line("h1").contains("rating out of range"), "{csv}");
    assert!(
        csv.starts_with("session_id,customer_id,business_line,"),
        "{csv}"
    );
}

#[test]
fn int_widths_and_categoricals_unify_across_files() {
    let f = Fixture::new();
    let cat = DataType::from_categories(Categories::global());
    let base = |rating: Column, line_cat: bool, channel_cat: bool| {
        let mut df = sessions(&["s1", "s2"], &["a", "b"], &[T0, T0], vec![rating]);
        if line_cat {
            let c = df
                .column("business_line")
                .expect("col")
                .cast(&cat)
                .expect("cast");
            df.with_column(c).expect("with");
        }
        if channel_cat {
            let c = df.column("channel").expect("col").cast(&cat).expect("cast");
            df.with_column(c).expect("with");
        }
        df
    };
    f.parquet(
        "sessions/i32.parquet",
        base(
            Column::new("rating".into(), [Some(5i32), Some(0)]),
            true,
            false,
        ),
    );
    f.parquet(
        "sessions/i64.parquet",
        base(
            Column::new("rating".into(), [Some(5i64), Some(0)]),
            false,
            true,
        ),
    );
    f.parquet(
        "sessions/u8.parquet",
        base(
            Column::new("rating".into(), [Some(5u8), Some(0)]),
            true,
            true,
        ),
    );
    // Integer scores are floats' equals: the same review rows.
    f.parquet(
        "reviews/f64.parquet",
        reviews(&[
            (Some("r1"), "empathy", T0, Some(4.0)),
            (Some("r1"), "greeting", T0, None),
        ]),
    );
    let mut ints = reviews(&[
        (Some("r1"), "empathy", T0, None),
        (Some("r1"), "greeting", T0, None),
    ]);
    ints.with_column(Column::new("score".into(), [Some(4i32), None]))
        .expect("with");
    let module = ints
        .column("module_id")
        .expect("col")
        .cast(&cat)
        .expect("cast");
    ints.with_column(module).expect("with");
    f.parquet("reviews/i32.parquet", ints);
    validate(&f);
    // Three copies of each session, one of them with rating 0 (rejected once).
    assert_eq!(summary(&f, "sessions"), [3, 6, 1, 4, 1]);
    assert_eq!(summary(&f, "reviews"), [2, 4, 2, 2, 0]);
    assert_eq!(
        reasons(&f),
        owned(&[("sessions", "rating out of range", 1)])
    );
}

// ---- everything at once ------------------------------------------------------

#[test]
fn mixed_corpus_counts_checked_by_hand() {
    let f = Fixture::new();
    let t = |h: u32| format!("2026-10-01T{h:02}:00:00Z");
    let (t9, t10, t11, t12, t13) = (t(9), t(10), t(11), t(12), t(13));
    // sessions/part-0.parquet (6 rows), with ended_at.
    f.parquet(
        "sessions/part-0.parquet",
        frame(vec![
            str_col(
                "session_id",
                &[
                    Some("s1"),
                    Some("s2"),
                    Some("s3"),
                    Some("s4"),
                    None,
                    Some("s6"),
                ],
            ),
            str_col("business_line", &[Some("a"); 6]),
            str_col("channel", &[Some("chat"); 6]),
            ts_col(
                "started_at",
                &[
                    Some(t9.as_str()),
                    Some(t10.as_str()),
                    Some(t11.as_str()),
                    Some(t12.as_str()),
                    Some(t13.as_str()),
                    Some("2026-10-02T09:00:00Z"),
                ],
            ),
            ts_col(
                "ended_at",
                &[None, None, None, None, None, Some("2026-10-02T08:00:00Z")],
            ),
            ratings(&[Some(5), Some(4), Some(0), Some(3), Some(5), None]),
        ]),
    );
    // sessions/part-1.parquet (6 rows) overlaps it; no ended_at column, so
    // its ended_at reads as null and s1, s3 are exact copies.
    f.parquet(
        "sessions/part-1.parquet",
        frame(vec![
            str_col(
                "session_id",
                &[
                    Some("s1"),
                    Some("s2"),
                    Some("s3"),
                    Some("s7"),
                    Some("s8"),
                    Some("s9"),
                ],
            ),
            str_col(
                "business_line",
                &[Some("a"), Some("a"), Some("a"), Some("b"), None, Some("b")],
            ),
            str_col("channel", &[Some("chat"); 6]),
            ts_col(
                "started_at",
                &[
                    Some(t9.as_str()),
                    Some(t10.as_str()),
                    Some(t11.as_str()),
                    Some("2026-10-02T10:00:00Z"),
                    Some("2026-10-02T11:00:00Z"),
                    Some("2026-10-03T09:00:00Z"),
                ],
            ),
            ratings(&[Some(5), Some(2), Some(0), Some(6), Some(4), None]),
        ]),
    );
    // reviews/part-0.parquet (6 rows), built-in scorecard.
    f.parquet(
        "reviews/part-0.parquet",
        reviews(&[
            (Some("r1"), "greeting", T0, Some(1.0)),
            (Some("r1"), "empathy", T0, Some(4.0)),
            (Some("r1"), "accuracy", T0, None),
            (Some("r2"), "empathy", T0, Some(2.5)),
            (Some("r2"), "tone", T0, Some(3.0)),
            (Some("r3"), "greeting", T0, Some(1.0)),
        ]),
    );
    // reviews/part-1.parquet (6 rows) overlaps it.
    f.parquet(
        "reviews/part-1.parquet",
        reviews(&[
            (Some("r1"), "greeting", T0, Some(1.0)),
            (Some("r1"), "empathy", T0, Some(3.0)),
            (Some("r2"), "empathy", T0, Some(2.5)),
            (Some("r3"), "resolution", T0, Some(2.0)),
            (None, "compliance", T0, Some(1.0)),
            (Some("r4"), "compliance", T0, Some(0.0)),
        ]),
    );
    f.file("data/reviews/NOTES.md", b"ignored\n");
    let out = validate(&f);

    // sessions: 12 rows in.
    //   duplicates 2: s1 and s3 of part-1 are exact copies of part-0's.
    //   rejected 7:   s2 ×2 (rating 4 vs 2: conflicting duplicate),
    //                 s3 (rating 0), s7 (rating 6): rating out of range,
    //                 the null id of part-0: null session_id,
    //                 s6 (ends 08:00, starts 09:00): ended_at before started_at,
    //                 s8: null business_line.
    //   used 3:       s1, s4, s9.              3 + 2 + 7 = 12.
    // reviews: 12 rows in.
    //   duplicates 2: (r1, greeting) and (r2, empathy 2.5) of part-1.
    //   rejected 6:   (r1, empathy) 4 vs 3 ×2: conflicting duplicate,
    //                 (r2, empathy) 2.5 and (r3, resolution) 2: off scale,
    //                 (r2, tone): unknown module_id,
    //                 the null review_id: null review_id.
    //   used 4:       (r1, greeting), (r1, accuracy N/A), (r3, greeting),
    //                 (r4, compliance).         4 + 2 + 6 = 12.
    let df = f.read("validate/summary.parquet");
    assert_eq!(df.height(), 2);
    assert_eq!(str_at(&df, "table", 0).as_deref(), Some("reviews"));
    assert_eq!(str_at(&df, "table", 1).as_deref(), Some("sessions"));
    //                               files rows_in used dups rejected
    assert_eq!(summary(&f, "reviews"), [2, 12, 4, 2, 6]);
    assert_eq!(summary(&f, "sessions"), [2, 12, 3, 2, 7]);

    assert_eq!(
        reasons(&f),
        owned(&[
            ("reviews", "conflicting duplicate", 2),
            ("reviews", "null review_id", 1),
            ("reviews", "score off the module's scale", 2),
            ("reviews", "unknown module_id", 1),
            ("sessions", "conflicting duplicate", 2),
            ("sessions", "ended_at before started_at", 1),
            ("sessions", "null business_line", 1),
            ("sessions", "null session_id", 1),
            ("sessions", "rating out of range", 2),
        ])
    );
    assert_eq!(
        rejected(&f, "sessions", "session_id"),
        pairs(&[
            ("s2", "conflicting duplicate"),
            ("s2", "conflicting duplicate"),
            ("s3", "rating out of range"),
            ("s6", "ended_at before started_at"),
            ("s7", "rating out of range"),
            ("s8", "null business_line"),
            ("∅", "null session_id"),
        ])
    );
    // The CSV twins hold the same numbers.
    assert_eq!(
        std::fs::read_to_string(f.out().join("validate/summary.csv")).expect("csv"),
        "table,files,rows_in,used,duplicates,rejected\n\
         reviews,2,12,4,2,6\n\
         sessions,2,12,3,2,7\n"
    );
    let text = stdout(&out);
    assert!(
        text.contains("ignored (not .parquet): reviews/NOTES.md"),
        "{text}"
    );
    assert!(
        text.contains("validate: 2 tables, 24 rows, 13 rejected"),
        "{text}"
    );
}

#[test]
fn message_copies_are_folded_but_shared_instants_are_not() {
    // Messages are compared whole only where their sent_at repeats: m2 and
    // m3 share m1's instant without being copies; m4 is a copy of m1; m7 a
    // copy of m6 (null sent_at, so the one kept is rejected, as is m8).
    let t1 = Some("2026-10-05T10:00:00Z");
    let t2 = Some("2026-10-05T10:00:30Z");
    let f = Fixture::new();
    f.parquet("sessions/part-0.parquet", one_session());
    f.parquet(
        "messages/part-0.parquet",
        frame(vec![
            str_col(
                "session_id",
                &[
                    Some("s1"),
                    Some("s1"),
                    Some("s2"),
                    Some("s1"),
                    Some("s1"),
                    Some("s3"),
                    Some("s3"),
                    Some("s3"),
                ],
            ),
            ts_col("sent_at", &[t1, t1, t1, t1, t2, None, None, None]),
            str_col(
                "sender",
                &[
                    Some("customer"),
                    Some("agent"),
                    Some("customer"),
                    Some("customer"),
                    Some("agent"),
                    Some("customer"),
                    Some("customer"),
                    Some("agent"),
                ],
            ),
        ]),
    );
    validate(&f);
    assert_eq!(summary(&f, "messages"), [1, 8, 4, 2, 2]);
    assert_eq!(reasons(&f), owned(&[("messages", "null sent_at", 2)]));
}

#[test]
fn copy_probes_are_the_conflict_keys_where_there_are_any() {
    // A conflict needs a repeated conflict key, which validation looks for
    // only where the copy probe repeats.
    for spec in csqa::contract::ALL_TABLES {
        assert!(!spec.copy_probe.is_empty(), "{}", spec.name);
        if !spec.conflict_key.is_empty() {
            assert_eq!(spec.copy_probe, spec.conflict_key, "{}", spec.name);
        }
        for c in spec.copy_probe {
            assert!(spec.column(c).is_some(), "{}.{c}", spec.name);
        }
    }
}
