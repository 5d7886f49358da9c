//! The monthly pack on a Spark cluster through Spark Connect. The row-level
//! work (reading and checking every table, FCR, local time, SLAs, reply
//! events, the pack's SQL tables) runs on the cluster as the SQL stages of
//! queries/spark/ and queries/monthly/ unchanged; only small results come
//! back, from which Rust computes agreement, iteration and the report as
//! it does for the local engine.

// The client's error type is large (its own crate allows this lint); it is
// converted at once by `spark_err`.
#![allow(clippy::result_large_err)]

mod frames;
pub mod inputs;
pub mod params;
pub mod stages;

use std::collections::{BTreeMap, BTreeSet};

use polars::prelude::*;
use spark_connect::{DataFrame as SparkFrame, SparkError, SparkSession, SparkSessionBuilder};

use crate::columns::{i64s, strings};
use crate::config::Config;
use crate::contract;
use crate::error::{Error, Result};
use crate::jobs::monthly::{self, FcrState, MonthlyPack, QUERIES};
use crate::jobs::period::Month;
use crate::load::LoadedFiles;
use crate::metrics::calibration;
use crate::standards::Standards;
use crate::tables::CheckedTables;
use crate::validate::{Checked, TableStats};

pub use frames::{empty_of, from_batches};

/// A Spark error as ours, naming what was being done.
pub fn spark_err(what: &str) -> impl Fn(SparkError) -> Error + '_ {
    move |e| Error::other(format!("Spark, {what}: {e}"))
}

/// Connect, with the session zone UTC: the stages do all local time
/// themselves from the zone tables csqa uploads.
pub fn connect(url: &str) -> Result<SparkSession> {
    let spark = SparkSessionBuilder::new()
        .remote(url)
        .get_or_create()
        .map_err(|e| Error::other(format!("cannot reach Spark Connect at {url}: {e}")))?;
    if let Err(e) = spark.conf().set("spark.sql.session.timeZone", "UTC") {
        let _ = spark.stop();
        return Err(spark_err("setting the session time zone")(e));
    }
    Ok(spark)
}

/// A result collected as a Polars frame.
pub fn collect(what: &str, df: &SparkFrame) -> Result<DataFrame> {
    let batches = df.collect_record_batches().map_err(spark_err(what))?;
    if batches.is_empty() {
        return empty_of(what, &df.schema().map_err(spark_err(what))?);
    }
    from_batches(what, &batches)
}

/// How the cluster names the data directory and where it writes rejects.
pub struct Locations {
    pub data_url: String,
    pub rejects_url: String,
}

impl Locations {
    pub fn of(cfg: &Config, month: &Month) -> Result<Locations> {
        let absolute = |p: &std::path::Path| -> Result<String> {
            let p = std::path::absolute(p)
                .map_err(|e| Error::bad_input(format!("{}: {e}", p.display())))?;
            Ok(format!("file:{}", p.display()))
        };
        let data_url = match &cfg.engine.data_url {
            Some(u) => u.trim_end_matches('/').to_string(),
            None => absolute(&cfg.data_dir)?,
        };
        let base = match &cfg.engine.rejects_url {
            Some(u) => u.trim_end_matches('/').to_string(),
            None => absolute(&cfg.out_dir.join("spark-rejects"))?,
        };
        Ok(Locations {
            data_url,
            rejects_url: format!("{base}/monthly/{}", month.label),
        })
    }
}

/// Build the month's pack on the cluster at `[engine] url`.
pub fn run_monthly(
    cfg: &Config,
    standards: &Standards,
    month: &Month,
    mut step: impl FnMut(&str),
) -> Result<MonthlyPack> {
    if cfg.monthly.extra_queries.is_some() {
        return Err(Error::usage(
            "[monthly] extra_queries run on the polars engine only; run them with --engine polars",
        ));
    }
    let url = cfg
        .engine
        .check()?
        .ok_or_else(|| Error::usage("the spark engine runs with [engine] kind = \"spark\""))?;
    let places = Locations::of(cfg, month)?;
    step("connecting to Spark");
    let spark = connect(url)?;
    let pack = pack_on(&spark, cfg, standards, month, places, &mut step);
    // Best effort, failed or not: the cluster frees the session's views and
    // checkpoints now rather than when the session times out.
    let _ = spark.stop();
    pack
}

/// The month's pack from a connected session.
fn pack_on(
    spark: &SparkSession,
    cfg: &Config,
    standards: &Standards,
    month: &Month,
    places: Locations,
    mut step: impl FnMut(&str),
) -> Result<MonthlyPack> {
    let previous = month.previous(cfg.timezone);
    let files = prepare(spark, cfg, standards, month, &places, &mut step)?;
    step("the pack's tables on the cluster");
    let mut tables = Vec::with_capacity(QUERIES.len() + 6);
    for (name, sql) in QUERIES {
        let df = spark.sql(sql).map_err(spark_err(name))?;
        let df = with_instants(collect(name, &df)?, instants_of(name))?;
        tables.push((name.to_string(), df));
    }
    let view = |name: &str| -> Result<DataFrame> {
        let df = spark.table(name).map_err(spark_err(name))?;
        collect(name, &df)
    };
    let fcr = fcr_state(&view("fcr_lines")?, cfg, month)?;
    let overrides = with_instants(view("month_overrides")?, &["first_session", "last_session"])?;
    let daily_first_response_sla = view("daily_first_response_sla")?;
    let review_modules = with_instants(view("review_modules")?, &["reviewed_at"])?.lazy();
    let checked = checked_tables(&view, files)?;
    step("writing rejected rows on the cluster");
    write_rejects(spark, &checked, &places.rejects_url)?;
    step("calibration agreement");
    let ratings = calibration::ratings_of(view("calibration_ratings")?.lazy())?;
    let calibration = calibration::tables(&ratings, &cfg.agreement)?;
    let computed = monthly::Computed {
        calibration,
        ratings: &ratings,
        review_modules: &review_modules,
    };
    let recommendations = monthly::computed_tables(
        cfg,
        standards,
        month,
        &previous,
        computed,
        &mut tables,
        &mut step,
    )?;
    Ok(MonthlyPack {
        month: month.clone(),
        previous,
        checked,
        fcr,
        tables,
        overrides,
        agreement: cfg.agreement.clone(),
        daily_first_response_sla,
        recommendations,
        sessions_passes: 1,
        engine: monthly::EngineRun {
            kind: crate::engine::EngineKind::Spark,
            rejects_at: Some(places.rejects_url),
        },
    })
}

/// Every stage view of the month on the cluster (nothing computed yet but
/// the checkpointed views); the files of each table read.
pub fn prepare(
    spark: &SparkSession,
    cfg: &Config,
    standards: &Standards,
    month: &Month,
    places: &Locations,
    mut step: impl FnMut(&str),
) -> Result<BTreeMap<&'static str, LoadedFiles>> {
    step("registering the inputs on the cluster");
    let files = register_inputs(spark, cfg, standards, month, places)?;
    step("stages on the cluster");
    run_stages(spark, cfg, standards, month, &files)?;
    Ok(files)
}

/// `raw_<table>` for the six tables and the parameter views; the files of
/// each table read (absent optional tables left out).
fn register_inputs(
    spark: &SparkSession,
    cfg: &Config,
    standards: &Standards,
    month: &Month,
    places: &Locations,
) -> Result<BTreeMap<&'static str, LoadedFiles>> {
    let mut files = BTreeMap::new();
    for spec in contract::ALL_TABLES.iter() {
        if let Some(read) = inputs::register_raw(spark, cfg, spec, &places.data_url)? {
            files.insert(spec.name, read);
        }
    }
    for (name, sql) in params::views(cfg, standards, month) {
        spark
            .sql(&sql)
            .and_then(|df| df.create_or_replace_temp_view(name))
            .map_err(spark_err(name))?;
    }
    Ok(files)
}

/// Every stage in file-name order, each registered as its view; the large
/// ones computed once and cut from their lineage.
fn run_stages(
    spark: &SparkSession,
    cfg: &Config,
    standards: &Standards,
    month: &Month,
    files: &BTreeMap<&'static str, LoadedFiles>,
) -> Result<()> {
    let values = params::placeholders(cfg, standards, month, files.contains_key("agent_hours"))?;
    for (file, sql) in stages::STAGES {
        let view = stages::view_of(file);
        let what = format!("stage {file}");
        let mut df = spark
            .sql(&params::fill(sql, &values)?)
            .map_err(spark_err(&what))?;
        if stages::CHECKPOINTED.contains(&view) {
            df = df.local_checkpoint().map_err(spark_err(&what))?;
        }
        df.create_or_replace_temp_view(view)
            .map_err(spark_err(&what))?;
    }
    Ok(())
}

/// The instants of a pack table, which the stages carry as epoch µs.
fn instants_of(table: &str) -> &'static [&'static str] {
    match table {
        "overturned_cases" => &["filed_at", "decided_at"],
        _ => &[],
    }
}

/// Epoch-µs columns back as instants, as the local job holds them.
fn with_instants(df: DataFrame, columns: &[&str]) -> Result<DataFrame> {
    let exprs: Vec<Expr> = columns
        .iter()
        .filter(|c| df.column(c).is_ok())
        .map(|c| col(*c).cast(crate::load::utc_dtype()))
        .collect();
    Ok(df.lazy().with_columns(exprs).collect()?)
}

/// The month's FCR completeness from `fcr_lines` (one row per line with
/// sessions in the month, and `ALL` with the latest start of any line).
fn fcr_state(lines: &DataFrame, cfg: &Config, month: &Month) -> Result<FcrState> {
    let names = strings(lines, "business_line")?;
    let latest = i64s(lines, "latest_us")?;
    let mut month_lines = BTreeSet::new();
    let mut latest_by_line = BTreeMap::new();
    let mut latest_all = None;
    for (name, t) in names.into_iter().zip(latest) {
        match name.as_deref() {
            Some("ALL") => latest_all = t,
            Some(line) => {
                month_lines.insert(line.to_string());
                if let Some(t) = t {
                    latest_by_line.insert(line.to_string(), t);
                }
            }
            None => {}
        }
    }
    Ok(FcrState::new(
        &month_lines,
        &latest_by_line,
        latest_all,
        cfg,
        month,
    ))
}

/// The checks' counts from the cluster, per table read, as the manifest
/// and the report take them; the rejected rows stay on the cluster.
fn checked_tables(
    view: &dyn Fn(&str) -> Result<DataFrame>,
    files: BTreeMap<&'static str, LoadedFiles>,
) -> Result<CheckedTables> {
    let counts = view("check_counts")?;
    let reasons = view("reject_reasons")?;
    let blanks = view("blank_counts")?;
    let by_table = |df: &DataFrame, key: &str, table: &str| -> Result<BTreeMap<String, u64>> {
        let (tables, keys, rows) = (
            strings(df, "table_name")?,
            strings(df, key)?,
            i64s(df, "rows")?,
        );
        Ok(tables
            .into_iter()
            .zip(keys)
            .zip(rows)
            .filter(|((t, _), _)| t.as_deref() == Some(table))
            .filter_map(|((_, k), n)| Some((k?, u64::try_from(n?).ok()?)))
            .collect())
    };
    let names = strings(&counts, "table_name")?;
    let figure = |name: &str| -> Result<Vec<u64>> {
        Ok(i64s(&counts, name)?
            .into_iter()
            .map(|v| v.and_then(|v| u64::try_from(v).ok()).unwrap_or(0))
            .collect())
    };
    let (read, duplicates, superseded, rejected, ambiguous) = (
        figure("rows_read")?,
        figure("duplicates")?,
        figure("superseded")?,
        figure("rejected")?,
        figure("ambiguous_local_times")?,
    );
    let mut tables = BTreeMap::new();
    for (name, read_files) in files {
        let i = names
            .iter()
            .position(|n| n.as_deref() == Some(name))
            .ok_or_else(|| Error::other(format!("Spark check_counts has no row for {name}")))?;
        let used = read[i]
            .checked_sub(duplicates[i])
            .and_then(|n| n.checked_sub(rejected[i]))
            .ok_or_else(|| Error::other(format!("Spark check_counts of {name} do not add up")))?;
        let stats = TableStats {
            table: name.to_string(),
            files: read_files.files.len(),
            rows_in: read[i],
            used,
            duplicates: duplicates[i],
            rejected: rejected[i],
            rejected_by_reason: by_table(&reasons, "reason", name)?,
            superseded: superseded[i],
            blanks_read_as_null: by_table(&blanks, "column_name", name)?,
            ambiguous_local_times: ambiguous[i],
        };
        let checked = Checked {
            used: DataFrame::empty(),
            rejects: DataFrame::empty(),
            stats,
        };
        tables.insert(name, (checked, read_files));
    }
    Ok(CheckedTables { tables })
}

/// Each table's rejected rows, written by the cluster as Parquet under
/// `rejects_url/<table>` (tables without rejects are not written).
fn write_rejects(spark: &SparkSession, checked: &CheckedTables, rejects_url: &str) -> Result<()> {
    for (name, (c, _)) in &checked.tables {
        if c.stats.rejected == 0 {
            continue;
        }
        let view = format!("rejects_{name}");
        spark
            .table(&view)
            .and_then(|df| {
                df.write()
                    .mode("overwrite")
                    .parquet(&format!("{rejects_url}/{name}"))
            })
            .map_err(spark_err(&view))?;
    }
    Ok(())
}
