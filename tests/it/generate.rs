//! `csqa generate`: deterministic for a seed, and its output is valid data.

use std::collections::BTreeMap;
use std::path::Path;

use crate::common::*;

fn generate(fx: &Fixture, dir: &str, seed: &str) -> BTreeMap<String, Vec<u8>> {
    let out = fx.run(&[
        "generate",
        "--out",
        dir,
        "--from",
        "2026-09",
        "--months",
        "2",
        "--sessions-per-month",
        "600",
        "--seed",
        seed,
        "--timezone",
        "Asia/Shanghai",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let root = fx.dir.path().join(dir);
    let mut files = BTreeMap::new();
    collect(&root, &root, &mut files);
    files
}

fn collect(root: &Path, dir: &Path, files: &mut BTreeMap<String, Vec<u8>>) {
    for entry in std::fs::read_dir(dir).expect("dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(root, &path, files);
        } else {
            let rel = path
                .strip_prefix(root)
                .expect("prefix")
                .display()
                .to_string();
            files.insert(rel, std::fs::read(&path).expect("read"));
        }
    }
}

#[test]
fn the_same_seed_gives_the_same_bytes() {
    let fx = Fixture::new();
    let a = generate(&fx, "a", "11");
    let b = generate(&fx, "b", "11");
    assert!(a.len() > 10, "{:?}", a.keys());
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (name, bytes) in &a {
        assert!(
            bytes == &b[name],
            "{name} differs between two runs with one seed"
        );
    }
    let c = generate(&fx, "c", "12");
    let sessions = "sessions/month=2026-09/part-00000.parquet";
    assert!(
        a[sessions] != c[sessions],
        "another seed gives another draw"
    );
}

#[test]
fn generated_data_validates_cleanly_with_every_table() {
    let fx = Fixture::new();
    generate(&fx, "data", "3");
    fx.config("timezone = \"Asia/Shanghai\"");
    let out = fx.run(&["validate"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let summary = fx.read("validate/summary.parquet");
    let tables: Vec<String> = (0..summary.height())
        .map(|i| str_at(&summary, "table", i).unwrap_or_default())
        .collect();
    assert_eq!(
        tables,
        [
            "agent_hours",
            "appeals",
            "messages",
            "repeat_causes",
            "reviews",
            "sessions"
        ]
    );
    for (i, table) in tables.iter().enumerate() {
        assert_eq!(u64_at(&summary, "rejected", i), Some(0), "{table}");
        assert_eq!(u64_at(&summary, "duplicates", i), Some(0), "{table}");
    }
    // Base sessions plus follow-up visits (the repeat rates are 6-16 %).
    let sessions = u64_at(
        &summary,
        "rows_in",
        row_where(&summary, "table", "sessions"),
    );
    let n = sessions.unwrap_or(0);
    assert!((1200..1500).contains(&n), "{n} sessions");
}
