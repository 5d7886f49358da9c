//! A data set split across many files checks to the same figures as the same
//! rows in one file: the streaming passes that check every table find
//! copies, conflicting keys and superseded appeals across files, and `query`
//! sees each used row once, in the files' order.

use polars::prelude::*;
use serde_json::Value;

use crate::common::*;

const T1: &str = "2026-10-05T10:00:00Z";
const T2: &str = "2026-10-05T10:01:00Z";
const T3: &str = "2026-10-05T10:02:00Z";
const D1: &str = "2026-10-07T09:00:00Z";

fn frame(cols: Vec<Column>) -> DataFrame {
    DataFrame::new_infer_height(cols).expect("frame")
}

/// Sessions as (id, line), all started at T1.
fn sessions_of(rows: &[(&str, &str)]) -> DataFrame {
    let ids: Vec<&str> = rows.iter().map(|r| r.0).collect();
    let lines: Vec<&str> = rows.iter().map(|r| r.1).collect();
    sessions(&ids, &lines, &vec![T1; rows.len()], vec![])
}

/// Messages as (session, sent_at, sender).
fn messages(rows: &[(&str, &str, &str)]) -> DataFrame {
    frame(vec![
        Column::new(
            "session_id".into(),
            rows.iter().map(|r| r.0).collect::<Vec<_>>(),
        ),
        ts_col(
            "sent_at",
            &rows.iter().map(|r| Some(r.1)).collect::<Vec<_>>(),
        ),
        Column::new(
            "sender".into(),
            rows.iter().map(|r| r.2).collect::<Vec<_>>(),
        ),
    ])
}

/// Appeals of module `greeting` filed at T1, as (review, outcome, decided_at).
fn appeals(rows: &[(&str, &str, Option<&str>)]) -> DataFrame {
    let n = rows.len();
    frame(vec![
        Column::new(
            "review_id".into(),
            rows.iter().map(|r| r.0).collect::<Vec<_>>(),
        ),
        Column::new("module_id".into(), vec!["greeting"; n]),
        ts_col("filed_at", &vec![Some(T1); n]),
        Column::new(
            "outcome".into(),
            rows.iter().map(|r| r.1).collect::<Vec<_>>(),
        ),
        ts_col("decided_at", &rows.iter().map(|r| r.2).collect::<Vec<_>>()),
    ])
}

/// Repeat causes as (session, cause).
fn causes(rows: &[(&str, &str)]) -> DataFrame {
    frame(vec![
        Column::new(
            "session_id".into(),
            rows.iter().map(|r| r.0).collect::<Vec<_>>(),
        ),
        Column::new("cause".into(), rows.iter().map(|r| r.1).collect::<Vec<_>>()),
    ])
}

/// Each table's parts, one per file when split.
struct Parts {
    sessions: Vec<DataFrame>,
    messages: Vec<DataFrame>,
    appeals: Vec<DataFrame>,
    causes: Vec<DataFrame>,
}

fn parts() -> Parts {
    Parts {
        // s1's second row is a copy of its first; s2 comes back on another
        // line: a conflicting key.
        sessions: vec![
            sessions_of(&[("s1", "A"), ("s2", "A")]),
            sessions_of(&[("s1", "A"), ("s2", "B")]),
            sessions_of(&[("s3", "A")]),
        ],
        // m4 copies m1; m5 shares m1's instant without being a copy; m3 has
        // an unknown sender and m6 copies it.
        messages: vec![
            messages(&[
                ("s1", T1, "customer"),
                ("s1", T2, "agent"),
                ("s3", T3, "robot"),
            ]),
            messages(&[("s1", T1, "customer"), ("s3", T1, "agent")]),
            messages(&[("s3", T3, "robot")]),
        ],
        // r1's decision supersedes its pending export; r2 is upheld in one
        // export and overturned in the other.
        appeals: vec![
            appeals(&[("r1", "pending", None), ("r2", "upheld", Some(D1))]),
            appeals(&[
                ("r1", "overturned", Some(D1)),
                ("r2", "overturned", Some(D1)),
            ]),
        ],
        causes: vec![causes(&[("s1", "billing")]), causes(&[("s1", "billing")])],
    }
}

/// The fixture with each table's parts in files of their own (month
/// folders), or stacked in one file.
fn fixture(split: bool) -> Fixture {
    let f = Fixture::new();
    let p = parts();
    for (table, frames) in [
        ("sessions", p.sessions),
        ("messages", p.messages),
        ("appeals", p.appeals),
        ("repeat_causes", p.causes),
    ] {
        if split {
            for (i, df) in frames.into_iter().enumerate() {
                f.parquet(&format!("{table}/month={i}/part-0.parquet"), df);
            }
        } else {
            let mut all = frames[0].clone();
            for df in &frames[1..] {
                all.vstack_mut(df).expect("stack");
            }
            f.parquet(&format!("{table}/all.parquet"), all);
        }
    }
    let out = f.run(&["validate"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    f
}

/// (rows_in, used, duplicates, rejected, superseded) and the reasons of
/// `table`, from the manifest.
fn figures(f: &Fixture, table: &str) -> ([u64; 5], Vec<(String, u64)>) {
    let text = std::fs::read_to_string(f.out().join("validate/manifest.json")).expect("manifest");
    let m: Value = serde_json::from_str(&text).expect("json");
    let t = &m["tables"][table];
    let n = |k: &str| t[k].as_u64().unwrap_or_else(|| panic!("{table}.{k}: {t}"));
    let counts = [
        n("rows_in"),
        n("used"),
        n("duplicates"),
        n("rejected"),
        n("superseded"),
    ];
    assert_eq!(counts[0], counts[1] + counts[2] + counts[3], "{table}");
    let reasons = t["rejected_by_reason"]
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), v.as_u64().expect("n")))
                .collect()
        })
        .unwrap_or_default();
    (counts, reasons)
}

fn owned(v: &[(&str, u64)]) -> Vec<(String, u64)> {
    v.iter().map(|(r, n)| (r.to_string(), *n)).collect()
}

/// The rejected rows of `table` as (session, reason), sorted.
fn rejected(f: &Fixture, table: &str) -> Vec<(String, String)> {
    let df = f.read(&format!("validate/rejects/{table}.parquet"));
    let mut v: Vec<(String, String)> = (0..df.height())
        .map(|i| {
            (
                str_at(&df, "session_id", i).expect("session"),
                str_at(&df, "reason", i).expect("reason"),
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn split_files_check_to_the_figures_of_one_file() {
    let split = fixture(true);
    let one = fixture(false);
    for f in [&split, &one] {
        // sessions: 5 rows; s1's copy folded (1 duplicate), s2 on two lines
        // rejected twice, s1 and s3 used: 2 + 1 + 2 = 5.
        assert_eq!(
            figures(f, "sessions"),
            ([5, 2, 1, 2, 0], owned(&[("conflicting duplicate", 2)]))
        );
        // messages: 6 rows; m4 and m6 are copies (2 duplicates), m3 kept
        // once and rejected, m1, m2 and m5 used: 3 + 2 + 1 = 6.
        assert_eq!(
            figures(f, "messages"),
            ([6, 3, 2, 1, 0], owned(&[("unknown sender", 1)]))
        );
        // appeals: 4 rows; r1 pending superseded (1 duplicate), r2 both
        // upheld and overturned (2 rejected), r1 overturned used: 1 + 1 + 2.
        assert_eq!(
            figures(f, "appeals"),
            ([4, 1, 1, 2, 1], owned(&[("conflicting outcomes", 2)]))
        );
        // repeat causes: the second export copies the first: 1 + 1 + 0.
        assert_eq!(figures(f, "repeat_causes"), ([2, 1, 1, 0, 0], vec![]));
        assert_eq!(
            rejected(f, "messages"),
            [("s3".to_string(), "unknown sender".to_string())]
        );
    }
    let summary = |f: &Fixture| {
        f.read("validate/summary.parquet")
            .drop("files")
            .expect("files")
    };
    assert!(summary(&split).equals(&summary(&one)));
    assert!(split
        .read("validate/reject_reasons.parquet")
        .equals(&one.read("validate/reject_reasons.parquet")));
}

#[test]
fn query_sees_each_used_message_once_however_split() {
    // The used messages are m1 (s1, T1), m2 (s1, T2) and m5 (s3, T1): the
    // copy m4 and the rejected m3 (and its copy m6) are not there.
    for split in [true, false] {
        let f = fixture(split);
        f.file(
            "q.sql",
            b"SELECT `session_id`, `sender`, COUNT(*) AS `n` FROM `messages` \
              GROUP BY `session_id`, `sender` \
              ORDER BY `session_id` NULLS LAST, `sender` NULLS LAST",
        );
        let out = f.run(&["query", "q.sql"]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        assert_eq!(
            stdout(&out),
            "session_id,sender,n\ns1,agent,1\ns1,customer,1\ns3,agent,1\n"
        );
        // Sessions used: s1 once (its copy folded), s3; s2 is rejected.
        // Appeals used: r1's decision (its pending export superseded).
        f.file(
            "q.sql",
            // Ordered: a UNION ALL's rows come in no fixed order from the
            // streaming engine.
            b"SELECT `id` FROM (SELECT `session_id` AS `id` FROM `sessions` \
              UNION ALL SELECT `review_id` || ' ' || `outcome` FROM `appeals`) \
              ORDER BY `id` NULLS LAST",
        );
        let out = f.run(&["query", "q.sql"]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        assert_eq!(stdout(&out), "id\nr1 overturned\ns1\ns3\n");
    }
}

#[test]
fn repeated_keys_are_found_whatever_the_number_of_passes() {
    use csqa::validate::{repeated_keys, REPEATS};
    // 12 rows of the key (k, n). Repeated: (b, 1) twice, (d, 1) three times,
    // (null, 1) twice. Once only: (a, 1), (b, 2), (c, 1), (e, 1), (null, 2).
    let k = [
        Some("d"),
        Some("b"),
        None,
        Some("a"),
        Some("d"),
        Some("b"),
        Some("c"),
        None,
        Some("b"),
        Some("e"),
        Some("d"),
        None,
    ];
    let n = [1i64, 1, 1, 1, 1, 2, 1, 1, 1, 1, 1, 2];
    let keys = frame(vec![
        Column::new("k".into(), k.to_vec()),
        Column::new("n".into(), n.to_vec()),
    ]);
    let collect = |lf: LazyFrame| -> csqa::error::Result<DataFrame> { Ok(lf.collect()?) };
    // 12 rows at 1, 2, 5 and 100 keys a pass: 12, 6, 3 and 1 ranges of k.
    for per_pass in [1, 2, 5, 100] {
        let found = repeated_keys(&keys.clone().lazy(), &["k", "n"], 12, per_pass, &collect)
            .expect("repeated keys");
        assert!(found
            .column(REPEATS)
            .expect("flag")
            .bool()
            .expect("bool")
            .all());
        let mut pairs: Vec<(String, i64)> = (0..found.height())
            .map(|i| {
                let k = str_at(&found, "k", i).unwrap_or_else(|| "∅".into());
                (k, f64_at(&found, "n", i).expect("n") as i64)
            })
            .collect();
        pairs.sort();
        let expected = [("b", 1), ("d", 1), ("∅", 1)].map(|(k, n)| (k.to_string(), n));
        assert_eq!(pairs, expected, "{per_pass} keys a pass");
    }
}
