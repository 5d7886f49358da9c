//! The bundled sample data/: the monthly job runs on it as the README says,
//! and its report is snapshotted so any change to a figure is reviewed.

use std::process::Command;

#[test]
fn monthly_report_of_the_bundled_sample() {
    let out_dir = tempfile::tempdir().expect("temp dir");
    let repo = env!("CARGO_MANIFEST_DIR");
    let out = Command::new(env!("CARGO_BIN_EXE_csqa"))
        .current_dir(repo)
        .args(["--quiet", "monthly", "--month", "2026-09", "--out-dir"])
        .arg(out_dir.path())
        .output()
        .expect("run csqa");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report = std::fs::read_to_string(out_dir.path().join("monthly/2026-09/report.md"))
        .expect("report.md");
    insta::assert_snapshot!("sample_monthly_2026_09_report", report);
}

#[test]
fn the_same_input_gives_the_same_bytes() {
    let repo = env!("CARGO_MANIFEST_DIR");
    let dirs: Vec<tempfile::TempDir> = (0..2)
        .map(|_| tempfile::tempdir().expect("temp dir"))
        .collect();
    for d in &dirs {
        let out = Command::new(env!("CARGO_BIN_EXE_csqa"))
            .current_dir(repo)
            .args(["--quiet", "monthly", "--month", "2026-10", "--out-dir"])
            .arg(d.path())
            .output()
            .expect("run csqa");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
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
