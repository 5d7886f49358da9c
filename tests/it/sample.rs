//! The bundled sample data/: the monthly job runs on it as the README says,
//! and its report is snapshotted so any change to a figure is reviewed.

use std::process::Command;

/// `csqa monthly` on the bundled data/ with the repo's csqa.toml, into a
/// fresh folder.
fn monthly(month: &str) -> tempfile::TempDir {
    let out_dir = tempfile::tempdir().expect("temp dir");
    let out = Command::new(env!("CARGO_BIN_EXE_csqa"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["--quiet", "monthly", "--month", month, "--out-dir"])
        .arg(out_dir.path())
        .output()
        .expect("run csqa");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    out_dir
}

#[test]
fn monthly_report_of_the_bundled_sample() {
    let out_dir = monthly("2026-09");
    let report = std::fs::read_to_string(out_dir.path().join("monthly/2026-09/report.md"))
        .expect("report.md");
    insta::assert_snapshot!("sample_monthly_2026_09_report", report);
}

#[test]
fn the_same_input_gives_the_same_bytes() {
    let dirs = [monthly("2026-10"), monthly("2026-10")];
    let folder = |d: &tempfile::TempDir| d.path().join("monthly/2026-10");
    let mut names: Vec<String> = std::fs::read_dir(folder(&dirs[0]))
        .expect("dir")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n != "manifest.json" && n != "rejects")
        .collect();
    names.sort();
    assert!(names.len() > 20, "{names:?}");
    for name in names {
        let a = std::fs::read(folder(&dirs[0]).join(&name)).expect("a");
        let b = std::fs::read(folder(&dirs[1]).join(&name)).expect("b");
        assert!(a == b, "{name} differs between two runs");
    }
}

#[test]
fn the_shipped_weekly_plan_runs_on_the_bundled_data() {
    let out_dir = tempfile::tempdir().expect("temp dir");
    let out = Command::new(env!("CARGO_BIN_EXE_csqa"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "--quiet",
            "sample",
            "--from",
            "2026-10-05",
            "--to",
            "2026-10-11",
            "--plan",
            "plans/weekly.toml",
            "--out-dir",
        ])
        .arg(out_dir.path())
        .output()
        .expect("run csqa");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    let folder = out_dir.path().join("sample/2026-10-05_2026-10-11");
    let alloc = crate::common::read_parquet(&folder.join("allocation.parquet"));
    let strategies: std::collections::BTreeSet<String> = (0..alloc.height())
        .filter_map(|i| crate::common::str_at(&alloc, "strategy", i))
        .collect();
    // Every strategy of the plan ran.
    for s in [
        "risk",
        "repeat",
        "business",
        "slot",
        "random",
        "agent_minimum",
        "double_scored",
    ] {
        assert!(strategies.contains(s), "{s} missing: {strategies:?}");
    }
    // The strategies draw 20 + 12 + (8 + 6) + 16 + 8 = 70, random fills up
    // to total = 80. The week has 16 agents (4 per line); after the 80,
    // the agents with fewer than 3 sessions in the plan need 10 more: 90
    // sessions, within max_total = 120, so nothing is capped. 10 % of 90
    // double-scored: 9, so 99 tasks, within the reviewers' 3 × 45 = 135.
    let sample = crate::common::read_parquet(&folder.join("sample.parquet"));
    let sessions: std::collections::BTreeSet<String> = (0..sample.height())
        .filter_map(|i| crate::common::str_at(&sample, "session_id", i))
        .collect();
    assert_eq!(sessions.len(), 90);
    assert_eq!(sample.height(), 99);
    let line = String::from_utf8_lossy(&out.stdout);
    assert!(
        line.contains(
            "90 sessions (80 by the strategies + 10 to reach per_agent_min 3), 99 review tasks from"
        ),
        "{line}"
    );
    // The page names the week's days, not the folder.
    let report = std::fs::read_to_string(folder.join("report.md")).expect("report");
    assert_eq!(
        report.lines().next(),
        Some("# Sampling plan · 2026-10-05 – 2026-10-11")
    );
}
