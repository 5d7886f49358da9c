//! What a new user meets first: the summary lines, the flags each command
//! shows, bad SQL, and timestamps printed in local time.

use std::path::Path;
use std::process::{Command, Output};

use polars::prelude::*;

use crate::common::*;
use crate::monthly::fixture;

/// `csqa` with exactly these arguments (no fixture flags), in `dir`.
fn csqa(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_csqa"))
        .current_dir(dir)
        .args(args)
        .output()
        .expect("run csqa")
}

fn text(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn monthly_names_an_ignored_file_and_counts_every_table_written() {
    let fx = fixture(true, true);
    fx.file("data/sessions/october-fix.csv", b"session_id\ns99\n");
    let out = fx.run(&["monthly", "--month", "2026-10"]);
    assert!(out.status.success(), "{}", stderr(&out));
    // 6 SQL tables + 4 calibration + iteration + scorecard_changes = 12 in
    // the pack, and sla_overrides beside them: 13 written.
    let folder = fx.out().join("monthly/2026-10");
    let parquet = std::fs::read_dir(&folder)
        .expect("dir")
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".parquet"))
        .count();
    assert_eq!(parquet, 13);
    let line = stdout(&out);
    assert!(line.contains(", 13 tables,"), "{line}");
    assert!(
        line.contains("1 file ignored (not .parquet): sessions/october-fix.csv"),
        "{line}"
    );
    let report = text(&folder.join("report.md"));
    assert!(
        report.contains("- Ignored, not read (not .parquet): sessions/october-fix.csv"),
        "{report}"
    );
    // Without a stray file the line says nothing of it.
    std::fs::remove_file(fx.data().join("sessions/october-fix.csv")).expect("rm");
    let out = fx.run(&["monthly", "--month", "2026-10"]);
    assert!(!stdout(&out).contains("ignored"), "{}", stdout(&out));
}

#[test]
fn the_report_says_what_each_rate_is_a_share_of() {
    let fx = fixture(true, true);
    let out = fx.run(&["monthly", "--month", "2026-10"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let report = text(&fx.out().join("monthly/2026-10/report.md"));
    assert!(!report.contains("Rates are shares of the month's sessions"));
    assert!(
        report.contains(
            "CSAT is a share of rated sessions, FCR of sessions with a customer id, \
             the first-response SLA of sessions with a first response, the reply SLA of agent replies"
        ),
        "{report}"
    );
}

#[test]
fn query_checks_the_output_extension_before_creating_anything() {
    let fx = fixture(true, true);
    fx.file("q.sql", b"SELECT `session_id` FROM `sessions`");
    let out = fx.run(&["query", "q.sql", "-o", "result.xlsx"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("result.xlsx"), "{}", stderr(&out));
    assert!(
        !fx.dir.path().join("result.xlsx").exists(),
        "no 0-byte file"
    );
    // Bad SQL is bad input, the file named.
    fx.file("broken.sql", b"SELECT nonexistent FROM sessions");
    let out = fx.run(&["query", "broken.sql", "-o", "result.csv"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("broken.sql"), "{}", stderr(&out));
    assert!(!fx.dir.path().join("result.csv").exists());
}

#[test]
fn generate_writes_to_data_dir_and_refuses_out_dir() {
    let dir = tempfile::tempdir().expect("temp dir");
    let small = [
        "--from",
        "2026-10",
        "--months",
        "1",
        "--sessions-per-month",
        "50",
        "--quiet",
    ];
    let run = |flags: &[&str]| {
        let args: Vec<&str> = ["generate"]
            .iter()
            .chain(flags)
            .chain(&small)
            .copied()
            .collect();
        csqa(dir.path(), &args)
    };
    // --data-dir names the folder to write, as it names the one to read.
    let out = run(&["--data-dir", "gen"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(dir.path().join("gen/sessions").is_dir());
    // --out and --data-dir naming the same folder agree.
    let out = run(&["--out", "gen", "--data-dir", "./gen"]);
    assert!(out.status.success(), "{}", stderr(&out));
    // Two folders, --out-dir, or no folder at all: usage errors, nothing written.
    for flags in [
        &["--out", "a", "--data-dir", "b"][..],
        &["--out", "c", "--out-dir", "d"],
        &[],
    ] {
        let out = run(flags);
        assert_eq!(out.status.code(), Some(2), "{flags:?}: {}", stderr(&out));
        assert!(stderr(&out).contains("usage:"), "{}", stderr(&out));
    }
    for never in ["a", "b", "c", "d"] {
        assert!(!dir.path().join(never).exists(), "{never} written");
    }
    let help = stdout(&csqa(dir.path(), &["generate", "--help"]));
    assert!(!help.contains("--out-dir"), "{help}");
    assert!(help.contains("--data-dir"), "{help}");
}

#[test]
fn sample_size_shows_and_takes_no_data_flags() {
    let dir = tempfile::tempdir().expect("temp dir");
    let help = stdout(&csqa(dir.path(), &["sample", "size", "--help"]));
    for flag in ["--config", "--data-dir", "--out-dir"] {
        assert!(!help.contains(flag), "{flag} shown: {help}");
    }
    for flag in ["--config", "--data-dir", "--out-dir"] {
        for args in [
            vec!["sample", "size", "--population", "10", flag, "x"],
            vec![flag, "x", "sample", "size", "--population", "10"],
        ] {
            let out = csqa(dir.path(), &args);
            assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
            assert!(stderr(&out).contains(flag), "{}", stderr(&out));
        }
    }
    // 1000 sessions at ±5 %, 95 %: 277.73 → 278.
    let out = csqa(dir.path(), &["sample", "size", "--population", "1000"]);
    assert!(
        stdout(&out).contains("sample size: 278 of 1000"),
        "{}",
        stdout(&out)
    );
    // The reading and writing commands still take all three.
    for command in ["validate", "monthly", "sample", "query"] {
        let help = stdout(&csqa(dir.path(), &[command, "--help"]));
        for flag in ["--config", "--data-dir", "--out-dir"] {
            assert!(help.contains(flag), "{command} lacks {flag}: {help}");
        }
    }
}

#[test]
fn human_facing_timestamps_are_local_with_their_offset() {
    let fx = fixture(true, true);
    // r2 reviews s2 (October); its greeting appeal is overturned.
    let appeals = DataFrame::new_infer_height(vec![
        Column::new("review_id".into(), ["r2"]),
        Column::new("module_id".into(), ["greeting"]),
        ts_col("filed_at", &[Some("2026-11-03T02:00:00Z")]),
        Column::new("outcome".into(), ["overturned"]),
        ts_col("decided_at", &[Some("2026-11-04T03:30:00.250Z")]),
    ])
    .expect("appeals");
    fx.parquet("appeals/part-0.parquet", appeals);
    let out = fx.run(&["monthly", "--month", "2026-10"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let folder = fx.out().join("monthly/2026-10");
    // Asia/Shanghai is UTC+8: 02:00Z → 10:00+08:00; 03:30:00.250Z →
    // 11:30:00.250+08:00 (a fraction only where there is one).
    let cases = text(&folder.join("overturned_cases.csv"));
    assert!(
        cases.contains("2026-11-03T10:00:00+08:00,2026-11-04T11:30:00.250+08:00"),
        "{cases}"
    );
    // s2 started 2026-10-04T01:10Z, the one session of line a's outage.
    let overrides = text(&folder.join("sla_overrides.csv"));
    assert!(
        overrides.contains("2026-10-04T09:10:00+08:00,2026-10-04T09:10:00+08:00"),
        "{overrides}"
    );
    // Parquet keeps the instant, tagged with the zone.
    let o = fx.read("monthly/2026-10/sla_overrides.parquet");
    let first = o.column("first_session").expect("first_session");
    assert!(
        matches!(first.dtype(), DataType::Datetime(_, Some(tz)) if tz.as_str() == "Asia/Shanghai"),
        "{:?}",
        first.dtype()
    );
    let micros = first.cast(&DataType::Int64).expect("cast");
    assert_eq!(
        micros.i64().expect("i64").get(0),
        Some(us("2026-10-04T01:10:00Z"))
    );
}

#[test]
fn version_names_the_engines_the_build_has() {
    let dir = tempfile::tempdir().expect("tmp");
    let out = csqa(dir.path(), &["--version"]);
    let engines = if cfg!(feature = "spark") {
        "polars, spark"
    } else {
        "polars"
    };
    assert_eq!(
        stdout(&out).trim(),
        format!("csqa {} (engines: {engines})", env!("CARGO_PKG_VERSION"))
    );
}

#[cfg(not(feature = "spark"))]
#[test]
fn a_build_without_spark_refuses_the_spark_engine() {
    let dir = tempfile::tempdir().expect("tmp");
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
    let data = data.to_string_lossy();
    let out = csqa(
        dir.path(),
        &[
            "--quiet",
            "--engine",
            "spark",
            "--data-dir",
            &data,
            "--out-dir",
            "out",
            "monthly",
            "--month",
            "2026-09",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("built without the spark engine"),
        "{}",
        stderr(&out)
    );
}

/// Run from a folder without csqa.toml, a person is told the months are cut
/// in the built-in zone (UTC); a --quiet (cron) run is not.
#[test]
fn running_without_a_config_says_so_unless_quiet() {
    let dir = tempfile::tempdir().expect("tmp");
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
    let data = data.to_string_lossy();
    let args = ["--data-dir", &data, "--out-dir", "out", "validate"];
    let out = csqa(dir.path(), &args);
    assert!(out.status.success(), "{}", stderr(&out));
    let note = "csqa: no csqa.toml here and no --config: built-in defaults (time zone UTC)";
    assert!(stderr(&out).contains(note), "{}", stderr(&out));
    let quiet: Vec<&str> = std::iter::once("--quiet").chain(args).collect();
    let out = csqa(dir.path(), &quiet);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stderr(&out).contains("no csqa.toml"), "{}", stderr(&out));
}
