//! `raw_<table>` on the cluster: every Parquet file of a table folder, read
//! by Spark from the list csqa makes (never a folder glob, so Spark's
//! partition discovery never sees a folder that mixes plain files and
//! `key=value` folders), each contract column under its contract name, and
//! every timestamp as two epoch-µs columns: `<c>_utc` for an instant,
//! `<c>_wall` for a naive local time (the stages resolve it in the zone).

use std::path::Path;

use polars::prelude::{DataType, PlRefPath, ScanArgsParquet, Schema};
use spark_connect::{DataFrame as SparkFrame, SparkSession};

use crate::config::Config;
use crate::contract::{Kind, TableSpec};
use crate::error::{Error, Result};
use crate::load::{self, LoadedFiles};

use super::spark_err;

fn sql_type(kind: Kind) -> &'static str {
    match kind {
        Kind::Str => "STRING",
        Kind::Int => "BIGINT",
        Kind::Float => "DOUBLE",
        Kind::Bool => "BOOLEAN",
        Kind::Date => "DATE",
        // Timestamps are split in two; see `file_columns`.
        Kind::Timestamp => "BIGINT",
    }
}

/// What a file stores in a timestamp column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stored {
    Instant,
    Naive,
    Absent,
}

/// The SELECT list that reads one file as `raw_<table>`: `present(c)` is
/// how the file stores contract column c under its export name (None:
/// absent), `hive(c)` the value a `key=value` folder gives it, and
/// `source_file` the file's path in the data directory, as the rejects name
/// it (a literal: Spark's `_metadata.file_path` is percent-encoded, so a
/// folder named `质检 数据` would not come back as it is named).
pub fn file_columns(
    spec: &TableSpec,
    cfg: &Config,
    present: impl Fn(&str) -> Option<DataType>,
    hive: impl Fn(&str) -> Option<String>,
    source_file: &str,
) -> Vec<String> {
    let mut out = Vec::with_capacity(spec.columns.len() + 4);
    for column in spec.columns {
        let source = cfg.source_column(spec.name, column.name);
        let name = column.name;
        let stored = present(source);
        if column.kind == Kind::Timestamp {
            let how = match &stored {
                Some(DataType::Datetime(_, Some(_))) => Stored::Instant,
                Some(DataType::Datetime(_, None)) => Stored::Naive,
                _ => Stored::Absent,
            };
            out.extend(timestamp_columns(name, source, how));
        } else if stored.is_some() {
            out.push(format!(
                "CAST(`{source}` AS {}) AS `{name}`",
                sql_type(column.kind)
            ));
        } else if let Some(value) = hive(name) {
            out.push(format!(
                "CAST({} AS {}) AS `{name}`",
                super::params::string(&value),
                sql_type(column.kind)
            ));
        } else {
            out.push(format!(
                "CAST(NULL AS {}) AS `{name}`",
                sql_type(column.kind)
            ));
        }
    }
    out.push(format!(
        "CAST({} AS STRING) AS `source_file`",
        super::params::string(source_file)
    ));
    out
}

/// The one place the two timestamp flavours differ: with the session zone
/// UTC, `unix_micros` of an instant is its epoch µs, and of a naive time
/// cast to TIMESTAMP its wall clock "as if UTC".
pub fn timestamp_columns(name: &str, source: &str, how: Stored) -> [String; 2] {
    let null = "CAST(NULL AS BIGINT)";
    let (utc, wall) = match how {
        Stored::Instant => (format!("unix_micros(`{source}`)"), null.to_string()),
        Stored::Naive => (
            null.to_string(),
            format!("unix_micros(CAST(`{source}` AS TIMESTAMP))"),
        ),
        Stored::Absent => (null.to_string(), null.to_string()),
    };
    [
        format!("{utc} AS `{name}_utc`"),
        format!("{wall} AS `{name}_wall`"),
    ]
}

/// The empty `raw_<table>` of a table without files.
fn empty_sql(spec: &TableSpec) -> String {
    let mut cols = Vec::new();
    for c in spec.columns {
        if c.kind == Kind::Timestamp {
            cols.push(format!("CAST(NULL AS BIGINT) AS `{}_utc`", c.name));
            cols.push(format!("CAST(NULL AS BIGINT) AS `{}_wall`", c.name));
        } else {
            cols.push(format!(
                "CAST(NULL AS {}) AS `{}`",
                sql_type(c.kind),
                c.name
            ));
        }
    }
    cols.push("CAST(NULL AS STRING) AS `source_file`".into());
    format!("SELECT {} WHERE FALSE", cols.join(", "))
}

/// A file's Parquet schema, read from its footer here.
fn file_schema(path: &Path, rel: &str) -> Result<Schema> {
    let path_str = path
        .to_str()
        .ok_or_else(|| Error::bad_input(format!("{rel}: path is not valid UTF-8")))?;
    let args = ScanArgsParquet {
        glob: false,
        ..Default::default()
    };
    let mut lf = polars::prelude::LazyFrame::scan_parquet(PlRefPath::new(path_str), args)
        .map_err(|e| Error::bad_input(format!("{rel}: cannot read: {e}")))?;
    let schema = lf
        .collect_schema()
        .map_err(|e| Error::bad_input(format!("{rel}: cannot read: {e}")))?;
    Ok(schema.as_ref().clone())
}

/// Register `raw_<table>`; the files read, for the manifest (None: an
/// optional table without files).
pub fn register_raw(
    spark: &SparkSession,
    cfg: &Config,
    spec: &'static TableSpec,
    data_url: &str,
) -> Result<Option<LoadedFiles>> {
    let dir = cfg.data_dir.join(spec.name);
    let (found, ignored) = if dir.is_dir() {
        load::discover(&dir, &cfg.data_dir)?
    } else {
        (Vec::new(), Vec::new())
    };
    if found.is_empty() && spec.required {
        return Err(Error::bad_input(format!(
            "{}: the {} table folder holds no Parquet file",
            dir.display(),
            spec.name
        )));
    }
    let view = format!("raw_{}", spec.name);
    let prefix = format!("{}/", data_url.trim_end_matches('/'));
    let mut frames: Vec<SparkFrame> = Vec::with_capacity(found.len());
    for (path, info) in &found {
        let schema = file_schema(path, &info.path)?;
        let hive = load::hive_values(&dir, path);
        let exprs = file_columns(
            spec,
            cfg,
            |c| schema.get(c).cloned(),
            |c| hive.iter().find(|(k, _)| k == c).map(|(_, v)| v.clone()),
            &info.path,
        );
        let url = format!("{prefix}{}", info.path);
        let frame = spark
            .read()
            .option("recursiveFileLookup", "true")
            .parquet(&url)
            .select_expr(exprs.iter().map(String::as_str).collect());
        frames.push(frame);
    }
    let table = match frames.split_first() {
        Some((first, rest)) => rest
            .iter()
            .fold(first.clone(), |acc, f| acc.union_by_name(f)),
        None => spark.sql(&empty_sql(spec)).map_err(spark_err(&view))?,
    };
    table
        .create_or_replace_temp_view(&view)
        .map_err(spark_err(&view))?;
    if found.is_empty() {
        return Ok(None);
    }
    Ok(Some(LoadedFiles {
        files: found.into_iter().map(|(_, info)| info).collect(),
        ignored,
    }))
}
