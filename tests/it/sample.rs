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
