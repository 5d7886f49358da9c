//! The Spark engine. Without a cluster: the stage list, the zone read
//! backwards, the placeholders and the per-file read, each against values
//! worked out by hand. With one (`CSQA_SPARK_URL`, as `.ci/run` starts it):
//! `csqa monthly --engine spark` against the local engine on the bundled
//! data and on held-out generated months with bad rows and duplicates, in
//! both timestamp flavours, every table to 1e-9, the counts, the rejected
//! rows and report.md. Without a cluster those are skipped on a developer
//! machine and fail under CI=true.

// The Spark client's error type is large; the tests only unwrap it.
#![allow(clippy::result_large_err)]

use std::path::{Path, PathBuf};
use std::process::Command;

use csqa::config::Config;
use csqa::contract;
use csqa::engine::spark::{inputs, params, stages};
use csqa::jobs::period::Month;
use csqa::standards::Standards;
use polars::prelude::*;

use crate::common::{read_parquet, stderr, us};

#[test]
fn the_stage_list_is_the_folder() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("queries/spark");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .expect("queries/spark")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".sql"))
        .collect();
    files.sort();
    let listed: Vec<&str> = stages::STAGES.iter().map(|(f, _)| *f).collect();
    assert_eq!(listed, files);
    for (file, sql) in stages::STAGES {
        let text = std::fs::read_to_string(dir.join(file)).expect("stage");
        assert_eq!(*sql, text, "{file} built in as it is on disk");
    }
    assert_eq!(stages::view_of("10_sessions_read.sql"), "sessions_read");
    assert_eq!(
        stages::view_of("85_rejects_agent_hours.sql"),
        "rejects_agent_hours"
    );
    for view in stages::CHECKPOINTED {
        assert!(
            stages::STAGES
                .iter()
                .any(|(f, _)| stages::view_of(f) == view),
            "{view} is a stage"
        );
    }
}

#[test]
fn berlin_read_backwards_skips_the_spring_hour_and_flags_the_autumn_one() {
    let offsets = csqa::zone::ZoneTable::of(chrono_tz::Europe::Berlin).offset_intervals();
    let walls = params::zone_walls(&offsets);
    // Wall clock "as if UTC" in µs.
    let wall = |s: &str| us(&format!("{s}Z"));
    let find = |w: i64| {
        walls
            .iter()
            .find(|(f, t, _, _)| (*f..*t).contains(&w))
            .copied()
    };
    let hour = 3_600_000_000;
    // 2026-03-29: 02:00 CET jumps to 03:00 CEST; 02:30 names no instant.
    assert_eq!(find(wall("2026-03-29T02:30:00")), None);
    assert_eq!(find(wall("2026-03-29T01:59:59")).map(|s| s.2), Some(hour));
    assert_eq!(
        find(wall("2026-03-29T03:00:00")).map(|s| (s.2, s.3)),
        Some((2 * hour, false))
    );
    // 2026-10-25: 03:00 CEST falls back to 02:00 CET; 02:30 occurs twice and
    // reads as the earlier instant (00:30 UTC, offset +2 h), flagged.
    let repeated = find(wall("2026-10-25T02:30:00")).expect("covered");
    assert_eq!((repeated.2, repeated.3), (2 * hour, true));
    assert_eq!(
        wall("2026-10-25T02:30:00") - repeated.2,
        us("2026-10-25T00:30:00Z")
    );
    assert_eq!(
        find(wall("2026-10-25T03:00:00")).map(|s| (s.2, s.3)),
        Some((hour, false))
    );
    // The spans never overlap, in wall-clock order.
    assert!(walls.windows(2).all(|w| w[0].1 <= w[1].0));
}

#[test]
fn placeholders_of_september_in_shanghai() {
    let cfg = Config::from_toml_str("timezone = \"Asia/Shanghai\"").expect("config");
    let standards = Standards::builtin(cfg.timezone).expect("standards");
    let month = Month::parse("2026-09", cfg.timezone).expect("month");
    let v = params::placeholders(&cfg, &standards, &month, true).expect("values");
    // Shanghai is UTC+8: local midnight of 1 September is 16:00 UTC the day before.
    assert_eq!(v["month_start_us"], us("2026-08-31T16:00:00Z").to_string());
    assert_eq!(v["month_end_us"], us("2026-09-30T16:00:00Z").to_string());
    assert_eq!(v["prev_start_us"], us("2026-07-31T16:00:00Z").to_string());
    // Sessions from one FCR window (72 h) and the longest session (24 h)
    // before the previous month, to as far after the month.
    assert_eq!(
        v["sessions_from_us"],
        us("2026-07-27T16:00:00Z").to_string()
    );
    assert_eq!(v["sessions_to_us"], us("2026-10-04T16:00:00Z").to_string());
    assert_eq!(v["messages_to_us"], us("2026-10-01T16:00:00Z").to_string());
    // A day beyond, as local wall time: 2026-07-26 16:00 UTC is 2026-07-27 00:00 in Shanghai.
    assert_eq!(
        v["sessions_from_wall_us"],
        us("2026-07-27T00:00:00Z").to_string()
    );
    assert_eq!(v["fcr_reach_us"], us("2026-10-03T16:00:00Z").to_string());
    assert_eq!(v["month"], "'2026-09'");
    assert_eq!(v["hours_from"], "DATE '2026-08-01'");
    assert_eq!(v["hours_to"], "DATE '2026-10-01'");
    assert_eq!(v["fcr_by_line"], "FALSE");
    assert_eq!(v["has_agent_hours"], "TRUE");
    assert_eq!(v["base_first_response_s"], "CAST(30.0 AS DOUBLE)");
    let filled = params::fill("x >= ${month_start_us} AND m = ${month}", &v).expect("fill");
    assert_eq!(
        filled,
        format!("x >= {} AND m = '2026-09'", us("2026-08-31T16:00:00Z"))
    );
    let err = params::fill("${nope}", &v).expect_err("unknown name");
    assert!(err.to_string().contains("${nope}"), "{err}");
}

#[test]
fn spark_literals_and_small_relations() {
    assert_eq!(params::string("it's a\\b"), "'it\\'s a\\\\b'");
    assert_eq!(
        params::values_sql(&[("a", "BIGINT"), ("b", "STRING")], &[]),
        "SELECT CAST(NULL AS BIGINT) AS `a`, CAST(NULL AS STRING) AS `b` WHERE FALSE"
    );
    assert_eq!(
        params::values_sql(&[("a", "BIGINT")], &[vec!["1".into()], vec!["NULL".into()]]),
        "SELECT * FROM VALUES\n(CAST(1 AS BIGINT)),\n(CAST(NULL AS BIGINT))\nAS `t`(`a`)"
    );
}

#[test]
fn each_file_is_read_by_its_own_timestamp_flavour() {
    let cfg = Config::from_toml_str("[columns.sessions]\nchannel = \"chan\"").expect("config");
    let stored = |c: &str| match c {
        "started_at" => Some(DataType::Datetime(
            TimeUnit::Microseconds,
            Some(TimeZone::UTC),
        )),
        "ended_at" => Some(DataType::Datetime(TimeUnit::Milliseconds, None)),
        "chan" | "session_id" => Some(DataType::String),
        _ => None,
    };
    let hive = |c: &str| (c == "business_line").then(|| "retail".to_string());
    let cols = inputs::file_columns(
        &contract::SESSIONS,
        &cfg,
        stored,
        hive,
        "sessions/质检 it's/a.parquet",
    );
    let has = |s: &str| cols.iter().any(|c| c == s);
    assert!(
        has("unix_micros(`started_at`) AS `started_at_utc`"),
        "{cols:?}"
    );
    assert!(has("CAST(NULL AS BIGINT) AS `started_at_wall`"));
    assert!(has("CAST(NULL AS BIGINT) AS `ended_at_utc`"));
    assert!(has(
        "unix_micros(CAST(`ended_at` AS TIMESTAMP)) AS `ended_at_wall`"
    ));
    assert!(
        has("CAST(`chan` AS STRING) AS `channel`"),
        "the export's name read"
    );
    assert!(
        has("CAST('retail' AS STRING) AS `business_line`"),
        "from the folder"
    );
    assert!(has("CAST(NULL AS BIGINT) AS `rating`"), "absent: null");
    assert_eq!(
        cols.last().map(String::as_str),
        Some(r"CAST('sessions/质检 it\'s/a.parquet' AS STRING) AS `source_file`"),
        "the file named as the rejects name it, quoted for Spark"
    );
}

#[test]
fn the_spark_engine_needs_a_url() {
    let dir = tempfile::tempdir().expect("tmp");
    let out = Command::new(env!("CARGO_BIN_EXE_csqa"))
        .current_dir(dir.path())
        .args(["--quiet", "--engine", "spark", "--data-dir"])
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("data"))
        .args(["--out-dir", "out", "monthly", "--month", "2026-09"])
        .output()
        .expect("run csqa");
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("--spark-url"), "{}", stderr(&out));
}

#[test]
fn engine_flags_are_refused_where_the_engine_has_no_say() {
    let dir = tempfile::tempdir().expect("tmp");
    for args in [
        vec!["--engine", "spark", "quarterly", "--quarter", "2026Q3"],
        vec!["--spark-url", "sc://x:15002", "validate"],
        vec!["--engine", "polars", "impact", "--all"],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_csqa"))
            .current_dir(dir.path())
            .args(&args)
            .output()
            .expect("run csqa");
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("monthly, run-due"),
            "{}",
            stderr(&out)
        );
    }
}

// ---- on a cluster ----------------------------------------------------------

/// The cluster's Connect URL, or None (skip) outside CI; under CI=true a
/// missing cluster fails the test rather than passing it silently.
fn spark_url() -> Option<String> {
    let url = std::env::var("CSQA_SPARK_URL")
        .ok()
        .filter(|u| !u.is_empty());
    if url.is_none() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI=true and no CSQA_SPARK_URL: .ci/run starts the loopback cluster"
        );
        eprintln!("CSQA_SPARK_URL not set: the Spark engine tests are skipped");
    }
    url
}

/// The Python that has pyarrow (the cluster's environment), for dirty.py.
fn python() -> PathBuf {
    if let Ok(p) = std::env::var("CSQA_SPARK_PYTHON") {
        return PathBuf::from(p);
    }
    let home = std::env::var("CSQA_SPARK_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            PathBuf::from(std::env::var("HOME").unwrap_or_default()).join(".cache/csqa-spark")
        });
    home.join("venv/bin/python")
}

fn csqa(args: &[&str], dir: &Path) {
    let out = Command::new(env!("CARGO_BIN_EXE_csqa"))
        .current_dir(dir)
        .arg("--quiet")
        .args(args)
        .output()
        .expect("run csqa");
    assert!(out.status.success(), "csqa {args:?}: {}", stderr(&out));
}

/// A generated 3-month set with dirty.py's bad rows in `month`.
fn held_out(dir: &Path, name: &str, zone: &str, flavour: &str, from: &str, month: &str) -> PathBuf {
    let data = dir.join(name);
    let config = dir.join(format!("{name}.toml"));
    std::fs::write(&config, format!("timezone = \"{zone}\"\n")).expect("config");
    let config = config.to_string_lossy().into_owned();
    let data_s = data.to_string_lossy().into_owned();
    csqa(
        &[
            "--config",
            &config,
            "generate",
            "--out",
            &data_s,
            "--from",
            from,
            "--months",
            "3",
            "--sessions-per-month",
            "4000",
            "--timestamps",
            flavour,
            "--seed",
            "11",
        ],
        dir,
    );
    let dirty = Path::new(env!("CARGO_MANIFEST_DIR")).join("bench/spark/dirty.py");
    let out = Command::new(python())
        .arg(dirty)
        .args([&data_s, month, zone])
        .output()
        .expect("run dirty.py (CSQA_SPARK_PYTHON: a Python with pyarrow)");
    assert!(out.status.success(), "dirty.py: {}", stderr(&out));
    data
}

/// Both engines on one month; every difference found.
fn both_engines(url: &str, dir: &Path, data: &Path, zone: &str, month: &str) -> Vec<String> {
    let config = dir.join("run.toml");
    std::fs::write(&config, format!("timezone = \"{zone}\"\n")).expect("config");
    let (config, data_s) = (
        config.to_string_lossy().into_owned(),
        data.to_string_lossy().into_owned(),
    );
    let local = dir.join("local");
    let spark = dir.join("spark");
    let rejects = format!("file:{}", dir.join("cluster-rejects").display());
    let out_of = |p: &Path| p.to_string_lossy().into_owned();
    csqa(
        &[
            "--config",
            &config,
            "--data-dir",
            &data_s,
            "--out-dir",
            &out_of(&local),
            "monthly",
            "--month",
            month,
        ],
        dir,
    );
    std::fs::write(
        dir.join("run-spark.toml"),
        format!("timezone = \"{zone}\"\n[engine]\nkind = \"spark\"\nurl = \"{url}\"\nrejects_url = \"{rejects}\"\n"),
    )
    .expect("config");
    let spark_config = out_of(&dir.join("run-spark.toml"));
    let started = std::time::Instant::now();
    csqa(
        &[
            "--config",
            &spark_config,
            "--data-dir",
            &data_s,
            "--out-dir",
            &out_of(&spark),
            "monthly",
            "--month",
            month,
        ],
        dir,
    );
    eprintln!(
        "{}: spark run {:.1}s",
        data.display(),
        started.elapsed().as_secs_f64()
    );
    let (local, spark) = (
        local.join("monthly").join(month),
        spark.join("monthly").join(month),
    );
    let mut problems = compare_tables(&local, &spark);
    problems.extend(compare_manifests(&local, &spark));
    problems.extend(compare_rejects(
        &local,
        &dir.join("cluster-rejects/monthly").join(month),
    ));
    let report = |p: &Path| std::fs::read_to_string(p.join("report.md")).expect("report.md");
    if report(&local) != report(&spark) {
        problems.push("report.md differs".into());
    }
    problems
}

/// Every table of the local pack, value by value, numbers to 1e-9.
fn compare_tables(local: &Path, spark: &Path) -> Vec<String> {
    let mut problems = Vec::new();
    let mut names: Vec<_> = std::fs::read_dir(local)
        .expect("local pack")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".parquet"))
        .collect();
    names.sort();
    assert!(names.len() >= 13, "the pack's tables: {names:?}");
    for name in names {
        let a = read_parquet(&local.join(&name));
        let path = spark.join(&name);
        if !path.exists() {
            problems.push(format!("{name}: not written by the spark run"));
            continue;
        }
        problems.extend(compare_frame(&name, &a, &read_parquet(&path)));
    }
    problems
}

fn compare_frame(name: &str, a: &DataFrame, b: &DataFrame) -> Vec<String> {
    if a.get_column_names() != b.get_column_names() {
        return vec![format!(
            "{name}: columns {:?} and {:?}",
            a.get_column_names(),
            b.get_column_names()
        )];
    }
    if a.height() != b.height() {
        return vec![format!(
            "{name}: {} rows locally, {} on spark",
            a.height(),
            b.height()
        )];
    }
    let mut problems = Vec::new();
    for column in a.columns() {
        let other = b.column(column.name()).expect("same names");
        let numeric = |c: &Column| match c.dtype() {
            DataType::String | DataType::Boolean => None,
            DataType::Date | DataType::Datetime(..) => c.cast(&DataType::Int64).ok(),
            _ => c.cast(&DataType::Float64).ok(),
        };
        match (numeric(column), numeric(other)) {
            (Some(x), Some(y)) => {
                let (x, y) = (
                    x.cast(&DataType::Float64).expect("f64"),
                    y.cast(&DataType::Float64).expect("f64"),
                );
                for (i, (p, q)) in x
                    .f64()
                    .expect("f64")
                    .iter()
                    .zip(y.f64().expect("f64").iter())
                    .enumerate()
                {
                    let same = match (p, q) {
                        (Some(p), Some(q)) => (p - q).abs() <= 1e-9 * p.abs().max(q.abs()).max(1.0),
                        (None, None) => true,
                        _ => false,
                    };
                    if !same {
                        problems.push(format!(
                            "{name} row {i} {}: local {p:?} spark {q:?}",
                            column.name()
                        ));
                    }
                }
            }
            _ => {
                let text = |c: &Column| c.cast(&DataType::String).expect("string");
                let (x, y) = (text(column), text(other));
                for (i, (p, q)) in x
                    .str()
                    .expect("str")
                    .iter()
                    .zip(y.str().expect("str").iter())
                    .enumerate()
                {
                    if p != q {
                        problems.push(format!(
                            "{name} row {i} {}: local {p:?} spark {q:?}",
                            column.name()
                        ));
                    }
                }
            }
        }
    }
    problems.truncate(10);
    problems
}

/// The checks' counts of every table, and the engine named.
fn compare_manifests(local: &Path, spark: &Path) -> Vec<String> {
    let read = |p: &Path| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(p.join("manifest.json")).expect("manifest"))
            .expect("json")
    };
    let (a, b) = (read(local), read(spark));
    let mut problems = Vec::new();
    if a["engine"] != "polars" || b["engine"] != "spark" {
        problems.push(format!(
            "engines recorded: {} and {}",
            a["engine"], b["engine"]
        ));
    }
    let keys = [
        "rows_in",
        "used",
        "duplicates",
        "rejected",
        "rejected_by_reason",
        "superseded",
        "blanks_read_as_null",
        "ambiguous_local_times",
    ];
    let tables = a["tables"].as_object().expect("tables");
    for (table, local_stats) in tables {
        for key in keys {
            if local_stats[key] != b["tables"][table][key] {
                problems.push(format!(
                    "manifest {table}.{key}: local {} spark {}",
                    local_stats[key], b["tables"][table][key]
                ));
            }
        }
    }
    problems
}

/// (reason, file name, first key) of each rejected row, as multisets.
fn compare_rejects(local: &Path, cluster: &Path) -> Vec<String> {
    let mut problems = Vec::new();
    for spec in contract::ALL_TABLES.iter() {
        let key = spec.columns[0].name;
        let rows = |df: DataFrame| -> Vec<(String, String, String)> {
            let df = df.select(["reason", "source_file", key]).expect("columns");
            let text = |c: &str| df.column(c).expect("c").cast(&DataType::String).expect("s");
            let (r, f, k) = (text("reason"), text("source_file"), text(key));
            let mut out: Vec<_> = (0..df.height())
                .map(|i| {
                    let get = |c: &Column| c.str().expect("str").get(i).unwrap_or("").to_string();
                    // The whole path in the data directory, as the
                    // rejects name it (folders with spaces and Chinese too).
                    (get(&r), get(&f), get(&k))
                })
                .collect();
            out.sort();
            out
        };
        let local_file = local.join("rejects").join(format!("{}.parquet", spec.name));
        let here = if local_file.exists() {
            rows(read_parquet(&local_file))
        } else {
            Vec::new()
        };
        let dir = cluster.join(spec.name);
        let there = if dir.is_dir() {
            let glob = format!("{}/*.parquet", dir.display());
            let df = LazyFrame::scan_parquet(PlRefPath::new(&glob), Default::default())
                .and_then(|lf| lf.collect())
                .expect("the cluster's rejects");
            rows(df)
        } else {
            Vec::new()
        };
        if here != there {
            problems.push(format!("rejects of {}: {} rows locally, {} on the cluster; first local {:?}, first cluster {:?}",
                spec.name, here.len(), there.len(), here.first(), there.first()));
        }
    }
    problems
}

fn assert_same(what: &str, problems: Vec<String>) {
    assert!(problems.is_empty(), "{what}:\n{}", problems.join("\n"));
}

#[test]
fn the_bundled_month_on_spark_equals_the_local_pack() {
    let Some(url) = spark_url() else { return };
    let dir = tempfile::tempdir().expect("tmp");
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
    assert_same(
        "bundled 2026-09",
        both_engines(&url, dir.path(), &data, "Asia/Shanghai", "2026-09"),
    );
}

#[test]
fn naive_berlin_with_bad_rows_across_the_spring_gap_equals_the_local_pack() {
    let Some(url) = spark_url() else { return };
    let dir = tempfile::tempdir().expect("tmp");
    let data = held_out(
        dir.path(),
        // A folder name with a space and Chinese, as a centre's share may
        // have: files are named to Spark as they are on disk.
        "naive Berlin 质检",
        "Europe/Berlin",
        "naive",
        "2026-02",
        "2026-03",
    );
    assert_same(
        "naive Berlin 2026-03",
        both_engines(&url, dir.path(), &data, "Europe/Berlin", "2026-03"),
    );
}

#[test]
fn aware_shanghai_with_bad_rows_equals_the_local_pack() {
    let Some(url) = spark_url() else { return };
    let dir = tempfile::tempdir().expect("tmp");
    let data = held_out(
        dir.path(),
        "aware-shanghai",
        "Asia/Shanghai",
        "aware",
        "2026-08",
        "2026-09",
    );
    assert_same(
        "aware Shanghai 2026-09",
        both_engines(&url, dir.path(), &data, "Asia/Shanghai", "2026-09"),
    );
}

#[test]
fn the_row_level_work_runs_on_the_cluster() {
    let Some(url) = spark_url() else { return };
    let mut cfg = Config::from_toml_str("timezone = \"Asia/Shanghai\"").expect("config");
    cfg.data_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
    let dir = tempfile::tempdir().expect("tmp");
    cfg.out_dir = dir.path().to_path_buf();
    let standards = Standards::load(&cfg.data_dir, cfg.timezone).expect("standards");
    let month = Month::parse("2026-09", cfg.timezone).expect("month");
    let spark = csqa::engine::spark::connect(&url).expect("connect");
    let places = csqa::engine::spark::Locations::of(&cfg, &month).expect("places");
    csqa::engine::spark::prepare(&spark, &cfg, &standards, &month, &places, |_| {})
        .expect("stages");
    // The plans of two stages as Spark runs them: the checks scan the
    // Parquet files, fold exact copies with an aggregate and find
    // conflicting keys with a window; FCR numbers visits with windows
    // over each customer's sessions.
    let values = params::placeholders(&cfg, &standards, &month, true).expect("values");
    let plan = |file: &str| -> String {
        let sql = stages::STAGES
            .iter()
            .find(|(f, _)| *f == file)
            .expect("stage")
            .1;
        let sql = params::fill(sql, &values).expect("fill");
        let df = spark
            .sql(&format!("EXPLAIN {sql}"))
            .and_then(|df| df.collect_record_batches())
            .map(|b| csqa::engine::spark::from_batches("explain", &b).expect("frame"))
            .expect("explain");
        df.columns()[0]
            .str()
            .expect("plan text")
            .iter()
            .flatten()
            .collect()
    };
    let checks = plan("11_sessions_checked.sql");
    for part in ["FileScan parquet", "Aggregate", "Window"] {
        assert!(
            checks.contains(part),
            "{part} missing from the checks' plan:\n{checks}"
        );
    }
    let fcr = plan("13_sessions.sql");
    for part in ["Window", "lead("] {
        assert!(
            fcr.contains(part),
            "{part} missing from the FCR plan:\n{fcr}"
        );
    }
    let _ = spark.stop();
}
