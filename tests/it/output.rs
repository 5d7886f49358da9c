//! Outputs that survive a kill and a second run: the atomic swap of a job's
//! folder, the run lock on the output folder, and spreadsheet-safe CSVs.

use std::fs::File;
use std::path::Path;
use std::process::{Command, Output};

use polars::prelude::*;

use crate::common::*;

// ---- helpers -------------------------------------------------------------

/// Run `csqa validate` on `data` into `out`; with `kill_at`, the writer's
/// fault-injection hook SIGKILLs the run at that step of writing.
fn validate_into(data: &Path, out: &Path, kill_at: Option<u32>) -> Output {
    let mut cmd = command(data, out, &["validate"]);
    if let Some(n) = kill_at {
        cmd.env("CSQA_FAULT_KILL_AT", n.to_string());
    }
    cmd.output().expect("run csqa")
}

fn command(data: &Path, out: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_csqa"));
    cmd.arg("--quiet")
        .arg("--data-dir")
        .arg(data)
        .arg("--out-dir")
        .arg(out)
        .args(args)
        .env_remove("CSQA_FAULT_KILL_AT");
    cmd
}

#[track_caller]
fn assert_ok(o: &Output) {
    assert_eq!(o.status.code(), Some(0), "stderr:\n{}", stderr(o));
}

/// Names in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .expect("read dir")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// (session_id, business_line, agent_id, category, rating) of one session.
type SessionRow<'a> = (&'a str, &'a str, Option<&'a str>, Option<&'a str>, i64);

/// Sessions an hour apart from 2026-10-05T01:00Z with the given text columns
/// and ratings (out of 1..=5: rejected).
fn sessions_with(rows: &[SessionRow]) -> DataFrame {
    let ids: Vec<&str> = rows.iter().map(|r| r.0).collect();
    let lines: Vec<&str> = rows.iter().map(|r| r.1).collect();
    let starts: Vec<String> = (0..rows.len())
        .map(|i| format!("2026-10-05T{:02}:00:00Z", i + 1))
        .collect();
    let starts: Vec<&str> = starts.iter().map(String::as_str).collect();
    sessions(
        &ids,
        &lines,
        &starts,
        vec![
            str_col("agent_id", &rows.iter().map(|r| r.2).collect::<Vec<_>>()),
            str_col("category", &rows.iter().map(|r| r.3).collect::<Vec<_>>()),
            Column::new(
                "rating".into(),
                rows.iter().map(|r| r.4).collect::<Vec<_>>(),
            ),
        ],
    )
}

/// Two sessions, one rejected (rating 9): validate writes summary,
/// reject_reasons and rejects/sessions, each as Parquet and CSV, and the
/// manifest.
fn first_export() -> DataFrame {
    sessions_with(&[
        ("s1", "a", Some("g1"), None, 5),
        ("s2", "a", Some("g1"), None, 9),
    ])
}

/// A CSV read back with every column as text, as a spreadsheet sees it.
fn read_csv_text(path: &Path) -> DataFrame {
    CsvReadOptions::default()
        .with_infer_schema_length(Some(0))
        .try_into_reader_with_file_path(Some(path.to_path_buf()))
        .expect("csv reader")
        .finish()
        .expect("read csv")
}

fn texts(df: &DataFrame, column: &str) -> Vec<Option<String>> {
    (0..df.height()).map(|i| str_at(df, column, i)).collect()
}

fn some(v: &[&str]) -> Vec<Option<String>> {
    v.iter().map(|s| Some(s.to_string())).collect()
}

// ---- one run at a time ---------------------------------------------------

/// While another process holds OUT_DIR/.lock, every writing command stops at
/// once with exit 75 and names the lock, before reading anything (the data
/// folder here does not even exist, which would otherwise be exit 2).
/// Released, the next run goes ahead.
#[test]
fn a_second_run_on_the_same_output_folder_exits_75() {
    let f = Fixture::new();
    f.file(
        "plan.toml",
        b"[sampling]\ntotal = 1\n[sampling.random]\nquota = 1\n",
    );
    let plan = f.dir.path().join("plan.toml");
    std::fs::create_dir_all(f.out()).expect("out");
    let lock_path = f.out().join(".lock");
    let holder = File::create(&lock_path).expect("lock file");
    holder.try_lock().expect("the lock is free");

    let missing = f.dir.path().join("no-data");
    let runs: [&[&str]; 3] = [
        &["validate"],
        &["monthly", "--month", "2026-10"],
        &[
            "sample",
            "--from",
            "2026-10-01",
            "--to",
            "2026-10-07",
            "--plan",
            plan.to_str().expect("utf-8"),
        ],
    ];
    for args in runs {
        let run = command(&missing, &f.out(), args).output().expect("run");
        let err = stderr(&run);
        assert_eq!(run.status.code(), Some(75), "{args:?}: {err}");
        assert!(
            err.contains(&format!("another csqa run holds {}", lock_path.display())),
            "{args:?}: {err}"
        );
    }
    assert_eq!(names(&f.out()), vec![".lock"], "nothing written");

    drop(holder);
    f.parquet("sessions/part-0.parquet", first_export());
    assert_ok(&validate_into(&f.data(), &f.out(), None));
}

// ---- spreadsheet safety --------------------------------------------------

#[test]
fn text_that_starts_like_a_formula_gets_a_quote() {
    use csqa::output::spreadsheet_safe;
    for (text, shown) in [
        ("=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"),
        ("+1", "'+1"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("a=b", "a=b"),
        ("售后", "售后"),
        ("", ""),
    ] {
        assert_eq!(spreadsheet_safe(text), shown, "{text:?}");
    }
    assert_eq!(csqa::report::cell("=1|2"), "'=1\\|2");
}

/// Rejected rows keep the export's text: in the CSV, cells that start like a
/// formula get a `'`; numbers (a rating of -1) stay numbers; the Parquet copy
/// keeps the exact values.
#[test]
fn csv_cells_never_become_formulas() {
    let f = Fixture::new();
    f.parquet(
        "sessions/part-0.parquet",
        sessions_with(&[
            ("s1", "=HYPERLINK(\"x\")", Some("+1"), Some("-2"), -1),
            ("s2", "@SUM(A1)", Some("g1"), Some("plain"), 9),
            ("s3", "a", Some("g1"), None, 5),
        ]),
    );
    assert_ok(&validate_into(&f.data(), &f.out(), None));

    let csv = read_csv_text(&f.out().join("validate/rejects/sessions.csv"));
    let csv = csv.sort(["session_id"], Default::default()).expect("sort");
    assert_eq!(texts(&csv, "session_id"), some(&["s1", "s2"]));
    assert_eq!(
        texts(&csv, "business_line"),
        some(&["'=HYPERLINK(\"x\")", "'@SUM(A1)"])
    );
    assert_eq!(texts(&csv, "agent_id"), some(&["'+1", "g1"]));
    assert_eq!(texts(&csv, "category"), some(&["'-2", "plain"]));
    assert_eq!(texts(&csv, "rating"), some(&["-1", "9"]));

    let pq = f.read("validate/rejects/sessions.parquet");
    let pq = pq.sort(["session_id"], Default::default()).expect("sort");
    assert_eq!(
        texts(&pq, "business_line"),
        some(&["=HYPERLINK(\"x\")", "@SUM(A1)"])
    );
    assert_eq!(texts(&pq, "agent_id"), some(&["+1", "g1"]));
    assert_eq!(texts(&pq, "category"), some(&["-2", "plain"]));
    assert!(pq.column("rating").expect("rating").dtype().is_numeric());
    assert_eq!(f64_at(&pq, "rating", 0), Some(-1.0));
}

/// The monthly pack: a business line named like a formula is quoted in
/// business_lines.csv and in report.md's tables, exact in the Parquet.
#[test]
fn monthly_tables_and_report_never_show_a_formula() {
    let f = Fixture::new();
    f.parquet(
        "sessions/part-0.parquet",
        sessions_with(&[
            ("s1", "=HYPERLINK(\"x\")", Some("g1"), Some("-2"), 5),
            ("s2", "a", Some("g2"), Some("refund"), 4),
        ]),
    );
    let run = command(&f.data(), &f.out(), &["monthly", "--month", "2026-10"])
        .output()
        .expect("run");
    assert_ok(&run);
    let dir = f.out().join("monthly/2026-10");
    let csv = read_csv_text(&dir.join("business_lines.csv"));
    let mut lines = texts(&csv, "business_line");
    lines.sort();
    assert_eq!(lines, some(&["'=HYPERLINK(\"x\")", "ALL", "a"]));
    let pq = read_parquet(&dir.join("business_lines.parquet"));
    let mut lines = texts(&pq, "business_line");
    lines.sort();
    assert_eq!(lines, some(&["=HYPERLINK(\"x\")", "ALL", "a"]));
    let categories = read_csv_text(&dir.join("categories.csv"));
    assert!(texts(&categories, "category").contains(&Some("'-2".into())));

    let report = std::fs::read_to_string(dir.join("report.md")).expect("report");
    assert!(report.contains("| '=HYPERLINK(\"x\") |"), "{report}");
    assert!(!report.contains("| =HYPERLINK"), "{report}");
}
