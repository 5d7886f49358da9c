//! Outputs that survive a kill and a second run: the atomic swap of a job's
//! folder, the run lock on the output folder, and spreadsheet-safe CSVs.

use std::collections::BTreeMap;
use std::fs::File;
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Command, Output};
use std::time::Instant;

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

/// Every file under `dir` (relative path → bytes).
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, files: &mut BTreeMap<String, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).expect("read dir").flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(root, &path, files);
            } else {
                let rel = path.strip_prefix(root).expect("under root");
                let bytes = std::fs::read(&path).expect("read");
                files.insert(rel.to_string_lossy().into_owned(), bytes);
            }
        }
    }
    let mut files = BTreeMap::new();
    walk(dir, dir, &mut files);
    files
}

/// `got` is the complete output of `reference`'s data: the same files, each
/// byte-identical except `manifest.json` (timings), which must be present
/// and parse.
fn is_complete_output_of(
    got: &BTreeMap<String, Vec<u8>>,
    reference: &BTreeMap<String, Vec<u8>>,
) -> bool {
    got.keys().eq(reference.keys())
        && got
            .iter()
            .all(|(name, bytes)| name == "manifest.json" || reference.get(name) == Some(bytes))
        && got
            .get("manifest.json")
            .is_some_and(|m| serde_json::from_slice::<serde_json::Value>(m).is_ok())
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

/// The re-export: one more rejected session, so every table but the summary
/// differs from the first run's.
fn second_export() -> DataFrame {
    sessions_with(&[
        ("s1", "a", Some("g1"), None, 5),
        ("s2", "a", Some("g1"), None, 9),
        ("s3", "b", Some("g2"), None, 0),
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

// ---- atomic swap ---------------------------------------------------------

/// The writer's fault hook kills the run at every step in turn: after each
/// file, before the swap and after it. Killed before the swap, the previous
/// output is untouched, byte for byte; killed after it, the new output is
/// complete. Never a half folder under the target name, and each run sweeps
/// the temporary folder of the run killed before it.
#[test]
fn a_run_killed_at_any_step_of_writing_leaves_a_complete_folder() {
    let f = Fixture::new();
    f.parquet("sessions/part-0.parquet", first_export());
    assert_ok(&validate_into(&f.data(), &f.out(), None));
    let target = f.out().join("validate");
    let old = snapshot(&target);

    f.parquet("sessions/part-0.parquet", second_export());
    let reference_out = f.dir.path().join("reference");
    assert_ok(&validate_into(&f.data(), &reference_out, None));
    let new = snapshot(&reference_out.join("validate"));
    assert_ne!(old, new, "the fixture must change the output");
    // 10 files: summary, reject_reasons, rejects/sessions (.parquet and
    // .csv each), report.md, report.html, report.xlsx and manifest.json.
    let files = u32::try_from(new.len()).expect("count");
    assert_eq!(files, 10, "{:?}", new.keys());

    // Steps 1..=10 after each file, 11 before the swap, 12 after it.
    for n in 1..=files + 2 {
        let run = validate_into(&f.data(), &f.out(), Some(n));
        assert_eq!(
            run.status.signal(),
            Some(9),
            "step {n}: not killed; stderr:\n{}",
            stderr(&run)
        );
        let got = snapshot(&target);
        if n <= files + 1 {
            assert_eq!(got, old, "step {n}: the previous output changed");
        } else {
            assert!(
                is_complete_output_of(&got, &new),
                "step {n}: {:?}",
                got.keys()
            );
        }
        // The target and at most the killed run's temporary folder.
        let left = names(&f.out());
        let hidden: Vec<&String> = left
            .iter()
            .filter(|n| n.starts_with(".validate."))
            .collect();
        assert!(
            hidden.len() <= 1,
            "step {n}: stale folders not swept: {left:?}"
        );
        // One exchange, not the two-rename fallback (which leaves `.old`).
        assert!(
            hidden.iter().all(|h| !h.ends_with(".old")),
            "step {n}: {left:?}"
        );
        assert!(left.contains(&"validate".to_string()), "step {n}: {left:?}");
    }
    // Past the last step the run completes, and sweeps what was left.
    assert_ok(&validate_into(&f.data(), &f.out(), Some(files + 3)));
    assert!(is_complete_output_of(&snapshot(&target), &new));
    assert_eq!(names(&f.out()), vec![".lock", "validate"]);
}

/// The same with kills from outside at spread-out moments of a run (a
/// timed `kill -9`): whatever the moment, the folder is the previous
/// complete output or the new complete one.
#[test]
fn a_run_killed_from_outside_leaves_a_complete_folder() {
    let f = Fixture::new();
    f.parquet("sessions/part-0.parquet", first_export());
    assert_ok(&validate_into(&f.data(), &f.out(), None));
    let target = f.out().join("validate");
    let old = snapshot(&target);
    f.parquet("sessions/part-0.parquet", second_export());
    let reference_out = f.dir.path().join("reference");
    let started = Instant::now();
    assert_ok(&validate_into(&f.data(), &reference_out, None));
    let run_time = started.elapsed();
    let new = snapshot(&reference_out.join("validate"));

    for k in 1..=8u32 {
        let mut child = command(&f.data(), &f.out(), &["validate"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("spawn");
        std::thread::sleep(run_time * k / 8);
        let _ = child.kill(); // SIGKILL; an error means it had finished
        child.wait().expect("wait");
        let got = snapshot(&target);
        assert!(
            got == old || is_complete_output_of(&got, &new),
            "kill {k}/8: half a folder: {:?}",
            got.keys()
        );
    }
}

/// A run killed between the two renames of the portable swap (the previous
/// output moved aside as `.NAME.tmp-PID.old`, no target) has it put back by
/// the next run, even one that then fails on bad input; other temporary
/// folders of dead runs are removed, and nothing else is touched.
#[test]
fn the_next_run_puts_back_a_moved_aside_output_and_sweeps_the_rest() {
    let f = Fixture::new();
    f.parquet("sessions/part-0.parquet", first_export());
    assert_ok(&validate_into(&f.data(), &f.out(), None));
    let target = f.out().join("validate");
    let old = snapshot(&target);
    std::fs::rename(&target, f.out().join(".validate.tmp-4242.old")).expect("move aside");
    std::fs::create_dir_all(f.out().join(".validate.tmp-4243/rejects")).expect("stale");
    std::fs::create_dir_all(f.out().join("monthly/.2026-10.tmp-4244")).expect("stale");
    std::fs::create_dir_all(f.out().join(".keep")).expect("other");
    std::fs::create_dir_all(f.out().join(".validate.tmp-x")).expect("other");

    f.file("data/sessions/part-0.parquet", b"not parquet");
    let run = validate_into(&f.data(), &f.out(), None);
    assert_eq!(run.status.code(), Some(2), "{}", stderr(&run));

    assert_eq!(snapshot(&target), old, "previous output not put back");
    assert_eq!(
        names(&f.out()),
        vec![".keep", ".lock", ".validate.tmp-x", "monthly", "validate"]
    );
    assert!(names(&f.out().join("monthly")).is_empty());
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

/// A csqa run killed (SIGKILL) while it holds the lock leaves it free: the
/// operating system releases it with the process.
#[test]
fn a_killed_run_releases_the_lock() {
    let f = Fixture::new();
    f.parquet("sessions/part-0.parquet", first_export());
    // Killed at its first step of writing, long after taking the lock.
    let run = validate_into(&f.data(), &f.out(), Some(1));
    assert_eq!(run.status.signal(), Some(9), "{}", stderr(&run));
    let lock = File::open(f.out().join(".lock")).expect("the run took the lock");
    lock.try_lock().expect("released by the OS");
    drop(lock);
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
    // In report.md's tables the quote stays and a `|` does not end the cell.
    let df = polars::df!("cause" => ["=1|2"]).expect("frame");
    let table =
        csqa::render::Table::from_frame("causes", &df, csqa::i18n::Lang::En, chrono_tz::UTC)
            .expect("table");
    let md = csqa::render::markdown::table_md(&table, csqa::i18n::Lang::En);
    assert!(md.contains("| '=1\\|2 |"), "{md}");
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
