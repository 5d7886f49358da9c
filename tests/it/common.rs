//! Fixtures: a temporary data directory with tables written from inline
//! columns, and a runner for the real binary.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use polars::prelude::*;

pub struct Fixture {
    pub dir: tempfile::TempDir,
}

impl Fixture {
    pub fn new() -> Fixture {
        Fixture {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }
    pub fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }
    pub fn out(&self) -> PathBuf {
        self.dir.path().join("out")
    }
    /// Write `df` to `data/<rel>` (e.g. `sessions/part-0.parquet`).
    pub fn parquet(&self, rel: &str, mut df: DataFrame) -> &Self {
        let path = self.data().join(rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        let f = std::fs::File::create(&path).expect("create");
        ParquetWriter::new(f)
            .finish(&mut df)
            .expect("write parquet");
        self
    }
    pub fn file(&self, rel: &str, bytes: &[u8]) -> &Self {
        let path = self.dir.path().join(rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, bytes).expect("write");
        self
    }
    /// `csqa.toml` beside data/ and out/; `extra` is appended.
    pub fn config(&self, extra: &str) -> &Self {
        let text = format!("data_dir = \"data\"\nout_dir = \"out\"\n{extra}\n");
        self.file("csqa.toml", text.as_bytes())
    }
    /// Run `csqa` with the fixture's config (or its data/ and out/), as
    /// far as the command takes them: `generate` writes where `--out` says
    /// and takes no `--out-dir`; `sample size` reads and writes nothing.
    pub fn run(&self, args: &[&str]) -> Output {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_csqa"));
        cmd.current_dir(self.dir.path()).arg("--quiet");
        let config = self.dir.path().join("csqa.toml");
        match (args.first().copied(), args.get(1).copied()) {
            (Some("sample"), Some("size")) => {}
            _ if config.exists() => {
                cmd.arg("--config").arg(config);
            }
            (Some("generate"), _) => {}
            _ => {
                cmd.arg("--data-dir")
                    .arg(self.data())
                    .arg("--out-dir")
                    .arg(self.out());
            }
        }
        cmd.args(args).output().expect("run csqa")
    }
    pub fn read(&self, rel: &str) -> DataFrame {
        read_parquet(&self.out().join(rel))
    }
}

pub fn read_parquet(path: &Path) -> DataFrame {
    let f = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    ParquetReader::new(f).finish().expect("read parquet")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Microseconds since the epoch of an RFC 3339 instant.
pub fn us(rfc3339: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .unwrap_or_else(|e| panic!("{rfc3339}: {e}"))
        .timestamp_micros()
}

/// A UTC timestamp column from RFC 3339 strings (None = null).
pub fn ts_col(name: &str, values: &[Option<&str>]) -> Column {
    ts_col_in(name, values, TimeUnit::Microseconds, "UTC")
}

pub fn str_col(name: &str, values: &[Option<&str>]) -> Column {
    Column::new(name.into(), values.to_vec())
}

/// A sessions frame with only the required columns plus `extra` ones.
pub fn sessions(ids: &[&str], lines: &[&str], starts: &[&str], extra: Vec<Column>) -> DataFrame {
    let n = ids.len();
    let mut cols = vec![
        Column::new("session_id".into(), ids.to_vec()),
        Column::new("business_line".into(), lines.to_vec()),
        Column::new("channel".into(), vec!["chat"; n]),
        ts_col(
            "started_at",
            &starts.iter().map(|s| Some(*s)).collect::<Vec<_>>(),
        ),
    ];
    cols.extend(extra);
    DataFrame::new_infer_height(cols).expect("frame")
}

pub fn f64_at(df: &DataFrame, column: &str, row: usize) -> Option<f64> {
    let c = df
        .column(column)
        .expect("column")
        .cast(&DataType::Float64)
        .expect("cast");
    c.f64().expect("f64").get(row)
}

pub fn str_at(df: &DataFrame, column: &str, row: usize) -> Option<String> {
    let c = df
        .column(column)
        .expect("column")
        .cast(&DataType::String)
        .expect("cast");
    c.str().expect("str").get(row).map(str::to_string)
}

/// Row index where `column` equals `value`.
pub fn row_where(df: &DataFrame, column: &str, value: &str) -> usize {
    (0..df.height())
        .find(|&i| str_at(df, column, i).as_deref() == Some(value))
        .unwrap_or_else(|| panic!("no row with {column} = {value}"))
}

pub fn assert_close(actual: Option<f64>, expected: f64, what: &str) {
    let a = actual.unwrap_or_else(|| panic!("{what}: null, expected {expected}"));
    assert!((a - expected).abs() < 1e-9, "{what}: {a} != {expected}");
}

pub fn u64_at(df: &DataFrame, column: &str, row: usize) -> Option<u64> {
    let c = df
        .column(column)
        .expect("column")
        .cast(&DataType::UInt64)
        .expect("cast");
    c.u64().expect("u64").get(row)
}

/// A timestamp column of `unit` from RFC 3339 instants, tagged with the zone
/// `tz` (e.g. "UTC", "Asia/Shanghai"): the same instants however stored.
pub fn ts_col_in(name: &str, values: &[Option<&str>], unit: TimeUnit, tz: &str) -> Column {
    let v: Vec<Option<i64>> = values
        .iter()
        .map(|s| s.map(|s| in_unit(us(s), unit)))
        .collect();
    let zone = TimeZone::opt_try_new(Some(tz)).expect("zone");
    Column::new(name.into(), v)
        .cast(&DataType::Datetime(unit, zone))
        .expect("cast")
}

/// A naive (zone-less) timestamp column of `unit` from wall-clock times such
/// as "2026-11-01T01:00:00".
pub fn naive_ts_col(name: &str, values: &[Option<&str>], unit: TimeUnit) -> Column {
    let v: Vec<Option<i64>> = values
        .iter()
        .map(|s| {
            s.map(|s| {
                let t = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S")
                    .unwrap_or_else(|e| panic!("{s}: {e}"));
                in_unit(t.and_utc().timestamp_micros(), unit)
            })
        })
        .collect();
    Column::new(name.into(), v)
        .cast(&DataType::Datetime(unit, None))
        .expect("cast")
}

fn in_unit(micros: i64, unit: TimeUnit) -> i64 {
    match unit {
        TimeUnit::Milliseconds => micros / 1000,
        TimeUnit::Microseconds => micros,
        TimeUnit::Nanoseconds => micros * 1000,
    }
}

/// One table row as (its key columns joined by '/', the values of some
/// numeric columns).
pub type Row = (String, Vec<Option<f64>>);

/// Rows of `df` as `Row`s, a null key shown as "∅".
pub fn rows(df: &DataFrame, keys: &[&str], columns: &[&str]) -> Vec<Row> {
    (0..df.height())
        .map(|i| {
            let key = keys
                .iter()
                .map(|k| str_at(df, k, i).unwrap_or_else(|| "∅".into()))
                .collect::<Vec<_>>()
                .join("/");
            (key, columns.iter().map(|c| f64_at(df, c, i)).collect())
        })
        .collect()
}

/// The rows, in order, equal `expected` to 1e-9 (nulls exactly).
pub fn assert_rows(actual: Vec<Row>, expected: Vec<(&str, Vec<Option<f64>>)>) {
    assert_eq!(actual.len(), expected.len(), "{actual:?}");
    for ((key, got), (want_key, want)) in actual.iter().zip(&expected) {
        assert_eq!(key, want_key);
        for (g, w) in got.iter().zip(want) {
            match (g, w) {
                (Some(g), Some(w)) => assert!((g - w).abs() < 1e-9, "{key}: {got:?} != {want:?}"),
                _ => assert_eq!(g, w, "{key}: {got:?} != {want:?}"),
            }
        }
    }
}
