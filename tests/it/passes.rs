//! `[memory] sessions_per_pass`: a month whose sessions outnumber it is
//! enriched in passes by customer through working files on disk, and gives
//! the pack of one pass in memory, table for table and value for value.

use std::path::Path;

use polars::prelude::*;

use crate::common::*;

/// Three months of generated data (bad rows and exact copies included) in a
/// zone with daylight saving, with both tz-aware and naive timestamps.
fn generated() -> Fixture {
    let fx = Fixture::new();
    let out = fx.run(&[
        "generate",
        "--out",
        "data",
        "--from",
        "2026-02",
        "--months",
        "3",
        "--sessions-per-month",
        "700",
        "--seed",
        "17",
        "--timezone",
        "Europe/Berlin",
        "--timestamps",
        "mixed",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    add_bad_rows(&fx);
    fx
}

/// Beside a generated March file: exact copies of its first rows (folded),
/// a copy of one with another agent (a conflicting key: both rejected) and
/// one with a rating off the scale (rejected).
fn add_bad_rows(fx: &Fixture) {
    let dir = fx.data().join("sessions/month=2026-03");
    let source = read_parquet(&dir.join("part-00000.parquet"));
    let copies = source.head(Some(6));
    let mut conflict = source.slice(6, 1);
    conflict
        .with_column(Column::new("agent_id".into(), ["someone-else"]))
        .expect("agent");
    let mut off_scale = source.slice(7, 1);
    off_scale
        .with_column(Column::new("session_id".into(), ["off-scale"]))
        .expect("id");
    off_scale
        .with_column(
            Column::new("rating".into(), [9i64])
                .cast(&source.column("rating").expect("rating").dtype().clone())
                .expect("cast"),
        )
        .expect("rating");
    let mut extra = copies
        .vstack(&conflict)
        .expect("stack")
        .vstack(&off_scale)
        .expect("stack");
    let file = std::fs::File::create(dir.join("extra.parquet")).expect("create");
    ParquetWriter::new(file).finish(&mut extra).expect("write");
}

/// Run the March pack (daylight saving starts on its last Sunday) into
/// `out_dir` with `[memory]` as given.
fn pack(fx: &Fixture, out_dir: &str, memory: &str) -> serde_json::Value {
    fx.file(
        "csqa.toml",
        format!(
            "data_dir = \"data\"\nout_dir = \"{out_dir}\"\ntimezone = \"Europe/Berlin\"\n{memory}\n"
        )
        .as_bytes(),
    );
    let out = fx.run(&["monthly", "--month", "2026-03"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let manifest = fx
        .dir
        .path()
        .join(out_dir)
        .join("monthly/2026-03/manifest.json");
    serde_json::from_str(&std::fs::read_to_string(manifest).expect("manifest")).expect("json")
}

fn parquet_tables(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("pack dir")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".parquet"))
        .collect();
    names.sort();
    names
}

#[test]
fn passes_by_customer_give_the_pack_of_one_pass() {
    let fx = generated();
    let one = pack(&fx, "out-one", "");
    let many = pack(&fx, "out-many", "[memory]\nsessions_per_pass = 300");

    // Every session read lands in one pass of about 300.
    let sessions = &one["tables"]["sessions"];
    assert_eq!(sessions["duplicates"], 6);
    assert_eq!(sessions["rejected"], 3, "{sessions}");
    let used = sessions["used"].as_u64().expect("sessions used");
    assert!(used > 1500, "the window read {used} sessions");
    assert_eq!(one["sessions_passes"], 1);
    assert_eq!(many["sessions_passes"].as_u64(), Some(used.div_ceil(300)));
    assert_eq!(one["tables"], many["tables"], "checks and rejects differ");
    assert_eq!(one["sessions"], many["sessions"]);

    let a = fx.dir.path().join("out-one/monthly/2026-03");
    let b = fx.dir.path().join("out-many/monthly/2026-03");
    let names = parquet_tables(&a);
    assert_eq!(names.len(), 13, "{names:?}");
    assert_eq!(names, parquet_tables(&b));
    for name in &names {
        let (x, y) = (read_parquet(&a.join(name)), read_parquet(&b.join(name)));
        assert_same_table(name, &x, &y);
    }
    // Figures that depend on the FCR flags are there to compare.
    let lines = read_parquet(&a.join("business_lines.parquet"));
    let all = row_where(&lines, "business_line", "ALL");
    let fcr = f64_at(&lines, "fcr", all).expect("fcr");
    assert!(fcr > 0.0 && fcr < 1.0, "fcr {fcr}");
    // So are calibration items, joined to the month's sessions in passes.
    let agreement = read_parquet(&a.join("agreement.parquet"));
    let items = agreement
        .column("items")
        .expect("items")
        .cast(&DataType::UInt64)
        .expect("u64");
    let items: u64 = items.u64().expect("u64").iter().flatten().sum();
    assert!(items > 20, "{items} calibration items");

    // The working files are gone.
    for out in ["out-one", "out-many"] {
        let left: Vec<_> = std::fs::read_dir(fx.dir.path().join(out))
            .expect("out")
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().starts_with(".spill"))
            .collect();
        assert!(left.is_empty(), "{out}: {left:?}");
    }
}

#[test]
fn sessions_per_pass_of_zero_is_refused() {
    let fx = Fixture::new();
    fx.config("[memory]\nsessions_per_pass = 0");
    let out = fx.run(&["monthly", "--month", "2026-03"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("[memory] sessions_per_pass must be at least 1"),
        "{}",
        stderr(&out)
    );
}

/// Equal shapes, names and types; equal values, floats to 1e-12 relative
/// (sums may add the same numbers in another order).
fn assert_same_table(name: &str, x: &DataFrame, y: &DataFrame) {
    assert_eq!(x.schema(), y.schema(), "{name}: schemas differ");
    assert_eq!(x.height(), y.height(), "{name}: row counts differ");
    for (cx, cy) in x.columns().iter().zip(y.columns()) {
        let what = format!("{name}.{}", cx.name());
        if cx.dtype().is_float() {
            let fx = cx.cast(&DataType::Float64).expect("f64");
            let fy = cy.cast(&DataType::Float64).expect("f64");
            for (a, b) in fx
                .f64()
                .expect("f64")
                .iter()
                .zip(fy.f64().expect("f64").iter())
            {
                match (a, b) {
                    (Some(a), Some(b)) if a.is_nan() && b.is_nan() => {}
                    (Some(a), Some(b)) => assert!(
                        (a - b).abs() <= 1e-12 * a.abs().max(b.abs()).max(1.0),
                        "{what}: {a} != {b}"
                    ),
                    (a, b) => assert_eq!(a, b, "{what}"),
                }
            }
        } else {
            assert!(cx.equals_missing(cy), "{what} differs:\n{cx:?}\n{cy:?}");
        }
    }
}
