//! Working files: the part a session goes to, and the writer that splits a
//! scan into parts.

use csqa::jobs::spill::{self, Parts};
use polars::prelude::*;

#[test]
fn pass_of_is_fnv1a_of_the_id() {
    // FNV-1a 64 of "a" is 0xaf63dc4c8601ec8c (the algorithm's published
    // test vector); of "" the offset basis 0xcbf29ce484222325.
    assert_eq!(
        spill::pass_of("a", u32::MAX),
        (0xaf63_dc4c_8601_ec8c_u64 % 0xffff_ffff) as u32
    );
    assert_eq!(
        spill::pass_of("", 7),
        (0xcbf2_9ce4_8422_2325_u64 % 7) as u32
    );
    assert_eq!(spill::pass_of("anything", 1), 0);
}

fn ids(df: &DataFrame) -> Vec<u32> {
    df.column("id")
        .expect("id")
        .u32()
        .expect("u32")
        .into_no_null_iter()
        .collect()
}

#[test]
fn write_parts_keeps_every_row_in_its_part_in_order() {
    let dir = tempfile::tempdir().expect("dir");
    let n = 1000u32;
    let df = polars::df!(
        "id" => (0..n).collect::<Vec<_>>(),
        "name" => (0..n).map(|i| format!("c{}", i % 37)).collect::<Vec<_>>(),
    )
    .expect("frame");
    let files =
        spill::write_parts(df.lazy(), col("id") % lit(3u32), 3, dir.path(), "t").expect("write");
    assert_eq!(files.len(), 3);
    for (k, path) in files.iter().enumerate() {
        let part = spill::scan(path).expect("scan").collect().expect("read");
        let expected: Vec<u32> = (0..n).filter(|i| i % 3 == k as u32).collect();
        assert_eq!(ids(&part), expected, "part {k}");
        assert_eq!(part.width(), 2, "the part column is not written");
        let names = part.column("name").expect("name").str().expect("str");
        assert_eq!(names.get(0), Some(format!("c{}", k % 37).as_str()));
    }
}

#[test]
fn parts_know_which_part_got_no_rows() {
    let dir = tempfile::tempdir().expect("dir");
    let df = polars::df!("id" => [0u32, 2, 4, 5]).expect("frame");
    // Parts 0..4 by id % 4: part 3 gets none (and 0 gets 0 and 4).
    let parts = Parts::write(df.lazy(), col("id") % lit(4u32), 4, dir.path(), "p").expect("write");
    assert_eq!(parts.len(), 4);
    let rows = |k: usize| ids(&parts.part(k).expect("part").collect().expect("read"));
    assert_eq!(rows(0), vec![0, 4]);
    assert_eq!(rows(1), vec![5]);
    assert_eq!(rows(2), vec![2]);
    assert_eq!(rows(3), Vec::<u32>::new());
    let all = parts.all().expect("all").collect().expect("read");
    assert_eq!(ids(&all), vec![0, 4, 5, 2]);
    parts.remove().expect("remove");
    assert_eq!(std::fs::read_dir(dir.path()).expect("dir").count(), 0);
}

#[test]
fn write_parts_refuses_a_row_without_a_part() {
    let dir = tempfile::tempdir().expect("dir");
    let df = polars::df!("id" => [1u32, 2, 3]).expect("frame");
    let err = spill::write_parts(df.lazy(), lit(5u32), 3, dir.path(), "t")
        .err()
        .map(|e| e.to_string());
    assert!(
        err.as_deref()
            .is_some_and(|e| e.contains("a working-file row without a part number")),
        "{err:?}"
    );
}

/// A working file that cannot be written fails the run with its path, at
/// the next write or the wait, not silently on the writer's thread.
#[test]
fn a_failed_write_behind_names_its_file() {
    use csqa::jobs::spill::WriteBehind;
    let dir = tempfile::tempdir().expect("tmp");
    let frame = || df!("id" => [1u32, 2, 3]).expect("frame");
    let missing = dir.path().join("no-such-folder/keys-0.parquet");
    let mut behind = WriteBehind::default();
    behind.write(frame(), missing.clone()).expect("queued");
    let ok_path = dir.path().join("keys-1.parquet");
    let err = behind
        .write(frame(), ok_path.clone())
        .expect_err("the first write's error surfaces at the next");
    assert!(
        err.to_string().contains(&missing.display().to_string()),
        "{err}"
    );
    // The second write was not started; the writer is usable again.
    behind.write(frame(), ok_path.clone()).expect("queued");
    behind.wait().expect("written");
    assert_eq!(crate::common::read_parquet(&ok_path).height(), 3);
    behind.write(frame(), missing.clone()).expect("queued");
    assert!(behind.wait().is_err(), "the wait reports it too");
}
