//! `csqa run-due` over a simulated calendar on generated data: which packs
//! are built on which day, rebuilt when a late file lands, retried while a
//! bad file makes them fail, and one run at a time.

use crate::common::{f64_at, sessions, stderr, stdout, Fixture};

/// `csqa status --json` at `day`: (job period, state) of each candidate,
/// and the document.
fn status(fx: &Fixture, day: &str) -> (Vec<(String, String)>, serde_json::Value) {
    let out = fx.run(&["status", "--json", "--now", day]);
    assert!(out.status.success(), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("json");
    let jobs = json["jobs"]
        .as_array()
        .expect("jobs")
        .iter()
        .map(|j| {
            (
                format!(
                    "{} {}",
                    j["job"].as_str().unwrap_or(""),
                    j["period"].as_str().unwrap_or("")
                ),
                j["state"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    (jobs, json)
}

fn state_of<'a>(jobs: &'a [(String, String)], name: &str) -> &'a str {
    jobs.iter()
        .find(|(n, _)| n == name)
        .map(|(_, s)| s.as_str())
        .unwrap_or("absent")
}

/// Generated June..September 2026 (Asia/Shanghai), 300 sessions a month,
/// with the default schedule: grace 72 h FCR + 24 h session = 4 days, + 1
/// = 5 days; lookback 3 months. The generator's events.toml holds an
/// incident 2026-07-14..07-17 (impact due 07-17 + 5 days = 07-22) and an
/// open action from 2026-09-01 with a baseline of the same length before it
/// (re-measured as each month closes: to September's end from 10-06, its
/// baseline August).
fn calendar_fixture() -> Fixture {
    let fx = Fixture::new();
    fx.config("timezone = \"Asia/Shanghai\"");
    let gen = fx.run(&[
        "generate",
        "--out",
        "data",
        "--from",
        "2026-06",
        "--months",
        "4",
        "--sessions-per-month",
        "300",
        "--seed",
        "5",
    ]);
    assert!(gen.status.success(), "{}", stderr(&gen));
    fx
}

/// The jobs a run started, as "monthly 2026-09 (never built)".
fn started(out: &str) -> Vec<String> {
    out.lines()
        .filter_map(|l| l.strip_prefix("run-due: "))
        .filter_map(|l| {
            let (name, why) = l.split_once(" started ")?;
            Some(format!("{name} {why}"))
        })
        .collect()
}

fn run_due(fx: &Fixture, day: &str) -> (i32, Vec<String>, String) {
    let out = fx.run(&["run-due", "--now", day]);
    let text = stdout(&out);
    (
        out.status.code().unwrap_or(-1),
        started(&text),
        format!("{text}{}", stderr(&out)),
    )
}

fn copy(fx: &Fixture, from: &str, to: &str) {
    std::fs::copy(fx.data().join(from), fx.data().join(to)).expect("copy");
}

#[test]
fn run_due_builds_each_pack_once_when_due_and_again_when_its_inputs_change() {
    let fx = calendar_fixture();
    // 2026-10-05 local: August closed on 09-01 (+5 days = 09-06, past);
    // September closes on 10-01 + 5 = 10-06, not yet. Lookback 3 months:
    // June, July, August, and Q2 (ends in June) after June; by due date
    // June and Q2 (07-06), the incident (07-22), July (08-06), August
    // (09-06). The action started after August's end: not yet measured.
    let plan = stdout(&fx.run(&["run-due", "--now", "2026-10-05", "--dry-run"]));
    assert!(
        plan.contains("due       monthly 2026-06 (never built)"),
        "{plan}"
    );
    assert!(!plan.contains("2026-09"), "{plan}");
    assert!(
        !fx.out().join("monthly").exists(),
        "dry run built something"
    );

    let (code, ran, log) = run_due(&fx, "2026-10-05");
    assert_eq!(code, 0, "{log}");
    assert_eq!(
        ran,
        [
            "monthly 2026-06 (never built)",
            "quarterly 2026Q2 (never built)",
            "impact checkout-outage (never built)",
            "monthly 2026-07 (never built)",
            "monthly 2026-08 (never built)",
        ],
        "{log}"
    );
    assert!(log.contains("run-due: monthly 2026-08 done in "), "{log}");

    // Later the same day, nothing changed: nothing to do.
    let (code, ran, log) = run_due(&fx, "2026-10-05T20:00:00+08:00");
    assert_eq!((code, ran.len()), (0, 0), "{log}");
    assert!(log.contains("nothing due"), "{log}");

    // 10-06 00:00 local: September's grace is over; Q3 follows its last
    // month, and the open action is measured to September's end.
    let (code, ran, log) = run_due(&fx, "2026-10-06");
    assert_eq!(code, 0, "{log}");
    assert_eq!(
        ran,
        [
            "monthly 2026-09 (never built)",
            "quarterly 2026Q3 (never built)",
            "impact refund-status-page (never built)",
        ],
        "{log}"
    );

    // A late August export lands: August (its month), September (August is
    // its month-over-month base), Q3 and the action (August is its
    // baseline) read it, one new file each; July and the incident do not.
    copy(
        &fx,
        "sessions/month=2026-08/part-00000.parquet",
        "sessions/month=2026-08/part-late.parquet",
    );
    let plan = stdout(&fx.run(&["run-due", "--now", "2026-10-07", "--dry-run"]));
    assert!(plan.contains("built     monthly 2026-07"), "{plan}");
    assert!(
        plan.contains("due       monthly 2026-08 (1 input file changed)"),
        "{plan}"
    );
    let (code, ran, log) = run_due(&fx, "2026-10-07");
    assert_eq!(code, 0, "{log}");
    assert_eq!(
        ran,
        [
            "monthly 2026-08 (1 input file changed)",
            "monthly 2026-09 (1 input file changed)",
            "quarterly 2026Q3 (1 input file changed)",
            "impact refund-status-page (1 input file changed)",
        ],
        "{log}"
    );
    let (_, ran, log) = run_due(&fx, "2026-10-08");
    assert!(ran.is_empty(), "{log}");
}

#[test]
fn a_failing_job_does_not_stop_the_others_and_is_retried_until_fixed() {
    let fx = calendar_fixture();
    let (code, ran, log) = run_due(&fx, "2026-10-06");
    // 07, 08, 09, Q3, the incident, the action
    assert_eq!((code, ran.len()), (0, 6), "{log}");

    // A broken September file: September, Q3 and the action (measured in
    // September) fail (exit 1), and say so; the July and August packs and
    // the incident (which do not read September) stay built.
    fx.file(
        "data/sessions/month=2026-09/part-broken.parquet",
        b"not parquet",
    );
    let (code, ran, log) = run_due(&fx, "2026-10-07");
    assert_eq!(code, 1, "{log}");
    assert_eq!(
        ran,
        [
            "monthly 2026-09 (1 input file changed)",
            "quarterly 2026Q3 (1 input file changed)",
            "impact refund-status-page (1 input file changed)",
        ],
        "{log}"
    );
    assert!(log.contains("run-due: monthly 2026-09 FAILED in "), "{log}");
    assert!(log.contains("part-broken.parquet"), "{log}");
    assert!(log.contains("3 of 3 jobs failed"), "{log}");
    // status tells which failed and why; the others stay built.
    let (jobs, json) = status(&fx, "2026-10-07");
    assert_eq!(state_of(&jobs, "monthly 2026-09"), "failed", "{json}");
    assert_eq!(
        state_of(&jobs, "impact refund-status-page"),
        "failed",
        "{json}"
    );
    assert_eq!(state_of(&jobs, "monthly 2026-08"), "built", "{json}");
    assert_eq!(state_of(&jobs, "impact checkout-outage"), "built", "{json}");
    let sep = json["jobs"]
        .as_array()
        .and_then(|a| a.iter().find(|j| j["period"] == "2026-09"))
        .expect("september");
    assert!(
        sep["error"]
            .as_str()
            .is_some_and(|e| e.contains("part-broken.parquet")),
        "{sep}"
    );
    assert_eq!(sep["why"][0], "1 input file changed", "{sep}");
    // Retried on the next run while the file is there.
    let (code, ran, log) = run_due(&fx, "2026-10-08");
    assert_eq!((code, ran.len()), (1, 3), "{log}");

    // Fixed by removing the file: the packs kept were built from exactly
    // the inputs there are now, so nothing is due.
    std::fs::remove_file(fx.data().join("sessions/month=2026-09/part-broken.parquet")).expect("rm");
    let (code, ran, log) = run_due(&fx, "2026-10-09");
    assert_eq!((code, ran.len()), (0, 0), "{log}");
    let (jobs, json) = status(&fx, "2026-10-09");
    assert!(jobs.iter().all(|(_, s)| s == "built"), "{json}");
}

#[test]
fn status_shows_due_then_built_and_the_newest_session_with_a_stale_warning() {
    let fx = Fixture::new();
    fx.config("timezone = \"Asia/Shanghai\"\n[schedule]\nimpact = false");
    // Sessions at 09-01 18:00, 09-03 18:00 and 09-20 18:00 local (10:00 Z).
    fx.parquet(
        "sessions/month=2026-09/part-0.parquet",
        sessions(
            &["s1", "s2", "s3"],
            &["payments", "payments", "payments"],
            &[
                "2026-09-01T10:00:00Z",
                "2026-09-03T10:00:00Z",
                "2026-09-20T10:00:00Z",
            ],
            vec![],
        ),
    );
    // 09-04 08:00 local: the newest session at or before now is 09-03 18:00
    // (09-20 is after now), 14 h old: within 2 days, no warning. August
    // closes on 09-01 + 5 days' grace = 09-06: the candidates are May, June,
    // Q2 and July, all "no data" (no file in their partitions).
    let (jobs, json) = status(&fx, "2026-09-04T00:00:00Z");
    assert_eq!(json["freshness"][0]["table"], "sessions", "{json}");
    assert_eq!(
        json["freshness"][0]["newest"], "2026-09-03T18:00:00+08:00",
        "{json}"
    );
    assert_eq!(json["warnings"].as_array().map(Vec::len), Some(0), "{json}");
    assert_eq!(state_of(&jobs, "monthly 2026-07"), "no data", "{json}");
    assert_eq!(state_of(&jobs, "monthly 2026-08"), "absent", "{json}");
    // 09-06 20:00 local: 09-03 18:00 is 3 days 2 h old, over 2 days.
    let (_, json) = status(&fx, "2026-09-06T12:00:00Z");
    let warning = json["warnings"][0].as_str().unwrap_or("");
    assert!(warning.contains("2026-09-03T18:00:00+08:00"), "{json}");
    assert!(warning.contains("more than 2 days"), "{json}");
    // 10-06 local: September and Q3 are due (never built), then built.
    let (jobs, json) = status(&fx, "2026-10-06");
    assert_eq!(state_of(&jobs, "monthly 2026-09"), "due", "{json}");
    assert_eq!(state_of(&jobs, "quarterly 2026Q3"), "due", "{json}");
    let (code, ran, log) = run_due(&fx, "2026-10-06");
    assert_eq!(code, 0, "{log}");
    assert_eq!(
        ran,
        [
            "monthly 2026-09 (never built)",
            "quarterly 2026Q3 (never built)"
        ],
        "{log}"
    );
    let (jobs, json) = status(&fx, "2026-10-06");
    assert_eq!(state_of(&jobs, "monthly 2026-09"), "built", "{json}");
    assert_eq!(state_of(&jobs, "quarterly 2026Q3"), "built", "{json}");
    let sep = &json["jobs"][2];
    assert_eq!(sep["period"], "2026-09", "{json}");
    assert_eq!(sep["built_from_files"], 1, "{json}");
}

#[test]
fn a_weekly_sampling_plan_is_drawn_once_after_its_week() {
    let fx = calendar_fixture();
    let plan = concat!(env!("CARGO_MANIFEST_DIR"), "/plans/weekly.toml");
    fx.config(&format!(
        "timezone = \"Asia/Shanghai\"\n[schedule]\nmonthly = false\nquarterly = false\nimpact = false\nsample = \"weekly\"\nsample_plan = \"{plan}\""
    ));
    // Weeks run Monday..Sunday, due on the Tuesday after (a day for the
    // Sunday's exports): 2026-09-08 is a Tuesday, so 08-31..09-06.
    let (code, ran, log) = run_due(&fx, "2026-09-08");
    assert_eq!(code, 0, "{log}");
    assert_eq!(ran, ["sample 2026-08-31_2026-09-06 (never built)"], "{log}");
    assert!(fx
        .out()
        .join("sample/2026-08-31_2026-09-06/sample.csv")
        .is_file());
    // Monday 09-14: the next week is not due yet; a late file of the
    // drawn week does not redraw a plan reviewers already work on.
    copy(
        &fx,
        "sessions/month=2026-09/part-00000.parquet",
        "sessions/month=2026-09/part-late.parquet",
    );
    let (code, ran, log) = run_due(&fx, "2026-09-14");
    assert_eq!((code, ran.len()), (0, 0), "{log}");
    let (code, ran, log) = run_due(&fx, "2026-09-15");
    assert_eq!(code, 0, "{log}");
    assert_eq!(ran, ["sample 2026-09-07_2026-09-13 (never built)"], "{log}");
}

#[test]
fn a_pack_from_another_csqa_version_or_config_is_due_again() {
    let fx = calendar_fixture();
    let (code, _, log) = run_due(&fx, "2026-10-06");
    assert_eq!(code, 0, "{log}");
    let manifest = fx.out().join("monthly/2026-07/manifest.json");
    let text = std::fs::read_to_string(&manifest).expect("manifest");
    let mut json: serde_json::Value = serde_json::from_str(&text).expect("json");
    json["fingerprint"]["csqa_version"] = "0.0.1".into();
    std::fs::write(&manifest, json.to_string()).expect("write");
    // A config change touches every pack; the same content with another
    // size makes it differ whatever the file system's clock resolution.
    let plan = stdout(&fx.run(&["run-due", "--now", "2026-10-06", "--dry-run"]));
    assert!(
        plan.contains("due       monthly 2026-07 (new csqa version)"),
        "{plan}"
    );
    assert!(plan.contains("built     monthly 2026-08"), "{plan}");
    fx.config("timezone = \"Asia/Shanghai\"\n# reviewed");
    let plan = stdout(&fx.run(&["run-due", "--now", "2026-10-06", "--dry-run"]));
    assert!(
        plan.contains("due       monthly 2026-07 (new csqa version, config changed)"),
        "{plan}"
    );
    assert!(
        plan.contains("due       quarterly 2026Q3 (config changed)"),
        "{plan}"
    );
}

#[test]
fn a_second_run_due_exits_75_while_the_first_holds_the_lock() {
    let fx = calendar_fixture();
    // This test process holds the lock, as a running run-due would.
    let lock = csqa::lock::RunLock::acquire(&fx.out()).expect("lock");
    let out = fx.run(&["run-due", "--now", "2026-10-06"]);
    assert_eq!(out.status.code(), Some(75), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("another csqa run holds"),
        "{}",
        stderr(&out)
    );
    assert!(!fx.out().join("monthly").exists());
    drop(lock);
    let out = fx.run(&["run-due", "--now", "2026-10-06"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn bad_schedule_config_is_exit_2_naming_the_key() {
    let fx = calendar_fixture();
    fx.config("[schedule]\nlookback_months = 0");
    let out = fx.run(&["run-due", "--dry-run"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("[schedule] lookback_months"),
        "{}",
        stderr(&out)
    );
}

/// The systemd service and timer of the README's Scheduling section pass
/// `systemd-analyze verify` (skipped where systemd-analyze is absent), with
/// the binary and folder put where they exist here.
#[test]
fn readme_systemd_units_verify() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).expect("README");
    let section = readme
        .split("## Scheduling")
        .nth(1)
        .and_then(|s| s.split("\n## ").next())
        .expect("a Scheduling section");
    let blocks: Vec<&str> = section
        .split("```ini\n")
        .skip(1)
        .filter_map(|b| b.split("```").next())
        .collect();
    let service = blocks.iter().find(|b| b.contains("[Service]"));
    let timer = blocks.iter().find(|b| b.contains("[Timer]"));
    let (Some(service), Some(timer)) = (service, timer) else {
        panic!("README's Scheduling section needs a service and a timer unit: {blocks:?}");
    };
    assert!(service.contains("run-due"), "{service}");
    let dir = tempfile::tempdir().expect("dir");
    let service = service
        .replace("/srv/csqa/csqa", env!("CARGO_BIN_EXE_csqa"))
        .replace("/srv/csqa", &dir.path().display().to_string());
    std::fs::write(dir.path().join("csqa.service"), service).expect("write");
    std::fs::write(dir.path().join("csqa.timer"), timer).expect("write");
    let out = match std::process::Command::new("systemd-analyze")
        .current_dir(dir.path())
        .args(["verify", "--man=no", "./csqa.service", "./csqa.timer"])
        .output()
    {
        Ok(out) => out,
        Err(_) => {
            eprintln!("systemd-analyze not found: units not verified");
            return;
        }
    };
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).trim().is_empty(), "{}", stderr(&out));
}

/// A pack rebuilt over an earlier one says so in its report, with the
/// sessions that came since, and keeps the replaced figures in its manifest.
#[test]
fn a_rebuilt_month_notes_its_restatement_and_keeps_the_replaced_figures() {
    let fx = Fixture::new();
    fx.config("timezone = \"Asia/Shanghai\"\n[schedule]\nimpact = false\nquarterly = false");
    fx.parquet(
        "sessions/month=2026-09/part-0.parquet",
        sessions(
            &["s1", "s2", "s3"],
            &["payments"; 3],
            &[
                "2026-09-01T10:00:00Z",
                "2026-09-03T10:00:00Z",
                "2026-09-20T10:00:00Z",
            ],
            vec![],
        ),
    );
    let (code, ran, log) = run_due(&fx, "2026-10-06");
    assert_eq!((code, ran.len()), (0, 1), "{log}");
    let report =
        || std::fs::read_to_string(fx.out().join("monthly/2026-09/report.md")).expect("report");
    assert!(!report().contains("Restated"), "{}", report());

    // Two late sessions of September: 3 then, 3 + 2 = 5 now.
    fx.parquet(
        "sessions/month=2026-09/part-1.parquet",
        sessions(
            &["s4", "s5"],
            &["payments"; 2],
            &["2026-09-10T10:00:00Z", "2026-09-11T10:00:00Z"],
            vec![],
        ),
    );
    let (code, ran, log) = run_due(&fx, "2026-10-07");
    assert_eq!(code, 0, "{log}");
    assert_eq!(ran, ["monthly 2026-09 (1 input file changed)"], "{log}");
    let text = report();
    // The first alert under the title and the cover facts.
    let note = text.lines().find(|l| l.starts_with("> ")).unwrap_or("");
    assert!(note.starts_with("> **Restated on "), "{text}");
    assert!(
        note.contains(": 2 sessions added since the previous build (")
            && note.contains("; 3 sessions then, 5 now)"),
        "{note}"
    );
    // The previous build's time as people there read it (the manifest it
    // replaced recorded UTC).
    assert!(note.contains(" +08:00; 3 sessions then"), "{note}");
    let (_, json) = status(&fx, "2026-10-07");
    let built_at = json["jobs"]
        .as_array()
        .and_then(|jobs| jobs.iter().find(|j| j["period"] == "2026-09"))
        .and_then(|j| j["built_at"].as_str())
        .unwrap_or("");
    assert!(
        built_at.ends_with("+08:00") && built_at.len() == "2026-10-07T08:00:00+08:00".len(),
        "{built_at}"
    );
    let (code, ran, log) = run_due(&fx, "2026-10-07");
    assert_eq!((code, ran.len()), (0, 0), "{log}");
    assert!(
        log.starts_with("run-due 2026-10-07T00:00:00+08:00: nothing due"),
        "{log}"
    );
    let manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(fx.out().join("monthly/2026-09/manifest.json")).expect("json"),
    )
    .expect("json");
    let restated = &manifest["restated"];
    assert_eq!(restated["sessions_before"], 3, "{restated}");
    assert_eq!(restated["sessions_now"], 5, "{restated}");
    assert_eq!(restated["previous_figures"]["sessions"], 3.0, "{restated}");
    assert_eq!(
        restated["previous_figures"]["business_line"], "ALL",
        "{restated}"
    );
}

/// Day by day, 2026-07-01 to 2026-10-10 (each local midnight), over the
/// generated June..September: every pack is built once when due, rebuilt
/// exactly when its inputs change, a quarter after its months, and a job
/// broken by a bad file is retried each day until the file goes.
#[test]
fn a_simulated_calendar_builds_each_pack_on_its_day() {
    let fx = calendar_fixture();
    let mut log_by_day = Vec::new();
    let mut day = chrono::NaiveDate::from_ymd_opt(2026, 7, 1).expect("date");
    let last = chrono::NaiveDate::from_ymd_opt(2026, 10, 10).expect("date");
    let broken = "sessions/month=2026-09/part-broken.parquet";
    while day <= last {
        let today = day.to_string();
        match today.as_str() {
            // A late August export, after August's pack (09-06).
            "2026-09-20" => copy(
                &fx,
                "sessions/month=2026-08/part-00001.parquet",
                "sessions/month=2026-08/part-late.parquet",
            ),
            "2026-10-07" => {
                fx.file(&format!("data/{broken}"), b"not parquet");
            }
            "2026-10-09" => std::fs::remove_file(fx.data().join(broken)).expect("rm"),
            _ => {}
        }
        let (code, ran, log) = run_due(&fx, &today);
        let expected_code = if ran.is_empty() || !log.contains("FAILED") {
            0
        } else {
            1
        };
        assert_eq!(code, expected_code, "{today}: {log}");
        if !ran.is_empty() {
            log_by_day.push((today, ran));
        }
        day = day.succ_opt().expect("next day");
    }
    let owned = |s: &str| s.to_string();
    let changed = |job: &str| format!("{job} (1 input file changed)");
    let expected: Vec<(String, Vec<String>)> = vec![
        // June closed 07-01 + 5 days' grace; Q2 follows it.
        (
            owned("2026-07-06"),
            vec![
                owned("monthly 2026-06 (never built)"),
                owned("quarterly 2026Q2 (never built)"),
            ],
        ),
        // The incident ended 07-17 09:00 local; + 5 days = 07-22 09:00,
        // first seen at the 07-23 run.
        (
            owned("2026-07-23"),
            vec![owned("impact checkout-outage (never built)")],
        ),
        (
            owned("2026-08-06"),
            vec![owned("monthly 2026-07 (never built)")],
        ),
        (
            owned("2026-09-06"),
            vec![owned("monthly 2026-08 (never built)")],
        ),
        // The late August file: August only (September is not built yet).
        (owned("2026-09-20"), vec![changed("monthly 2026-08")]),
        (
            owned("2026-10-06"),
            vec![
                owned("monthly 2026-09 (never built)"),
                owned("quarterly 2026Q3 (never built)"),
                owned("impact refund-status-page (never built)"),
            ],
        ),
        // The bad file: the three that read September fail, and are tried
        // again the next day; once it is gone their packs match again.
        (
            owned("2026-10-07"),
            vec![
                changed("monthly 2026-09"),
                changed("quarterly 2026Q3"),
                changed("impact refund-status-page"),
            ],
        ),
        (
            owned("2026-10-08"),
            vec![
                changed("monthly 2026-09"),
                changed("quarterly 2026Q3"),
                changed("impact refund-status-page"),
            ],
        ),
    ];
    assert_eq!(log_by_day, expected);
}

/// A run killed while writing September (after July and August were built
/// by an earlier run) leaves those packs whole and September due again.
#[test]
fn a_run_killed_halfway_leaves_built_packs_whole_and_the_rest_due() {
    let fx = calendar_fixture();
    let (code, _, log) = run_due(&fx, "2026-10-05");
    assert_eq!(code, 0, "{log}");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_csqa"))
        .current_dir(fx.dir.path())
        .env("CSQA_FAULT_KILL_AT", "3")
        .args([
            "--quiet",
            "--config",
            "csqa.toml",
            "run-due",
            "--now",
            "2026-10-06",
        ])
        .output()
        .expect("run");
    assert!(!out.status.success(), "not killed: {}", stdout(&out));
    assert!(
        stdout(&out).contains("run-due: monthly 2026-09 started"),
        "{}",
        stdout(&out)
    );
    assert!(!fx.out().join("monthly/2026-09/manifest.json").exists());
    let (jobs, json) = status(&fx, "2026-10-06");
    assert_eq!(state_of(&jobs, "monthly 2026-08"), "built", "{json}");
    assert_eq!(state_of(&jobs, "monthly 2026-09"), "due", "{json}");
    let (code, ran, log) = run_due(&fx, "2026-10-06");
    assert_eq!(code, 0, "{log}");
    assert_eq!(
        ran,
        [
            "monthly 2026-09 (never built)",
            "quarterly 2026Q3 (never built)",
            "impact refund-status-page (never built)",
        ],
        "{log}"
    );
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read_dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

fn json(path: std::path::PathBuf) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(&path).expect("read")).expect("json")
}

/// Quarterly reviews and impact reports rebuilt over earlier ones say so
/// too, and keep the headline they replaced (system_review's rows, the
/// impact summary's rows).
#[test]
fn rebuilt_quarterly_and_impact_packs_note_their_restatement() {
    let fx = Fixture::new();
    copy_dir(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data"),
        &fx.data(),
    );
    fx.config("timezone = \"Asia/Shanghai\"");
    let ok = |args: &[&str]| {
        let out = fx.run(args);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    };
    ok(&["quarterly", "--quarter", "2026Q3"]);
    ok(&["impact", "--event", "checkout-outage"]);
    let quarterly = || json(fx.out().join("quarterly/2026Q3/manifest.json"));
    let impact = || json(fx.out().join("impact/checkout-outage/manifest.json"));
    assert!(quarterly()["restated"].is_null());
    assert!(impact()["restated"].is_null());
    let (q_before, i_before) = (
        quarterly()["sessions"].as_i64().expect("sessions"),
        impact()["sessions"].as_i64().expect("sessions"),
    );
    let review_rows = fx.read("quarterly/2026Q3/system_review.parquet").height();
    let contacts_before = f64_at(
        &fx.read("impact/checkout-outage/summary.parquet"),
        "event_value",
        0,
    );

    // Two late payments sessions on the outage's first day (in Q3, in the
    // event window).
    fx.parquet(
        "sessions/month=2026-07/late.parquet",
        sessions(
            &["late-1", "late-2"],
            &["payments"; 2],
            &["2026-07-14T03:00:00Z", "2026-07-14T04:00:00Z"],
            vec![],
        ),
    );
    ok(&["quarterly", "--quarter", "2026Q3"]);
    ok(&["impact", "--event", "checkout-outage"]);

    let q = quarterly();
    assert_eq!(q["sessions"].as_i64(), Some(q_before + 2));
    assert_eq!(q["restated"]["sessions_before"].as_i64(), Some(q_before));
    assert_eq!(q["restated"]["sessions_now"].as_i64(), Some(q_before + 2));
    let rows = q["restated"]["previous_figures"].as_array().expect("rows");
    assert_eq!(rows.len(), review_rows);
    let report = std::fs::read_to_string(fx.out().join("quarterly/2026Q3/report.md")).expect("md");
    assert!(
        report.contains("2 sessions added since the previous build"),
        "{report}"
    );

    let i = impact();
    assert_eq!(i["restated"]["sessions_before"].as_i64(), Some(i_before));
    assert_eq!(i["restated"]["sessions_now"].as_i64(), Some(i_before + 2));
    let rows = i["restated"]["previous_figures"].as_array().expect("rows");
    assert_eq!(rows[0]["metric"], "contacts_per_day");
    assert_eq!(rows[0]["event_value"].as_f64(), contacts_before);
    // The event's 3 days gained 2 contacts: 2/3 a day more.
    let now = f64_at(
        &fx.read("impact/checkout-outage/summary.parquet"),
        "event_value",
        0,
    )
    .expect("contacts");
    assert!(
        (now - contacts_before.expect("before") - 2.0 / 3.0).abs() < 1e-9,
        "{now}"
    );
    let report =
        std::fs::read_to_string(fx.out().join("impact/checkout-outage/report.md")).expect("md");
    assert!(
        report.contains("2 sessions added since the previous build"),
        "{report}"
    );
}

/// A cron line with a wrong data folder, or a half-set Spark engine, fails
/// at once with exit 2 and builds nothing, rather than "nothing due" for
/// ever or a run of failed jobs.
#[test]
fn run_due_and_status_refuse_a_missing_data_folder_and_a_spark_engine_without_url() {
    let fx = calendar_fixture();
    for args in [
        vec!["run-due", "--now", "2026-10-07"],
        vec!["run-due", "--dry-run", "--now", "2026-10-07"],
        vec!["status", "--now", "2026-10-07"],
    ] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_csqa"))
            .current_dir(fx.dir.path())
            .args(["--quiet", "--data-dir", "no-such-data", "--out-dir", "out"])
            .args(&args)
            .output()
            .expect("run csqa");
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("no-such-data/sessions: the sessions table folder is missing"),
            "{args:?}: {}",
            stderr(&out)
        );
    }
    let out = fx.run(&["--engine", "spark", "run-due", "--now", "2026-10-07"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let why = if cfg!(feature = "spark") {
        "--spark-url"
    } else {
        "built without the spark engine"
    };
    assert!(stderr(&out).contains(why), "{}", stderr(&out));
    assert!(!fx.out().join("monthly").exists(), "nothing built");
    assert!(!fx.out().join("impact").exists(), "nothing built");
    // status uses no engine: with `[engine] kind = "spark"` and no URL in
    // the file (cron gives it), it still lists the jobs.
    fx.config("timezone = \"Asia/Shanghai\"\n[engine]\nkind = \"spark\"");
    let (jobs, _) = status(&fx, "2026-10-07");
    assert_eq!(state_of(&jobs, "monthly 2026-09"), "due", "{jobs:?}");
}
