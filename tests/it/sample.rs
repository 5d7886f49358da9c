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
