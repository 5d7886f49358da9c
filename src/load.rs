//! Reading a table folder: every Parquet file below it, each checked against
//! the contract on its own (so an error names the file and the column), cast
//! to one canonical schema, and concatenated lazily.
//!
//! Canonical types: strings as String, integers as Int64, floats as Float64,
//! timestamps as UTC instants in microseconds, dates as Date. A time-zone-aware
//! timestamp is an instant; a naive one is local time in the configured zone.

use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::SystemTime;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use polars::prelude::*;
use serde::Serialize;

use crate::config::Config;
use crate::contract::{self, Kind, TableSpec};
use crate::error::{Error, Result};
use crate::zone;

/// The column every loaded row carries: the position in `LoadedTable::files`
/// of the file it came from (a number, not the path: millions of rows would
/// carry the path for nothing, and only rejected rows need it). Not a
/// contract column: exact-duplicate detection ignores it.
pub const SOURCE_INDEX: &str = "_source_index";

/// The column naming a rejected row's file, relative to the data directory.
pub const SOURCE_FILE: &str = "source_file";

/// Flag columns every loaded row carries beside `SOURCE_INDEX` (not contract
/// columns; validation counts them and drops them): a naive timestamp of the
/// row names a local time that does not exist (skipped by daylight saving),
/// or one that exists twice (read as the earlier instant).
pub const NONEXISTENT: &str = "_nonexistent";
pub const AMBIGUOUS: &str = "_ambiguous";

/// The flag column of a string column's blank (empty or whitespace-only)
/// values, which are read as null.
pub fn blank_flag(column: &str) -> String {
    format!("_blank:{column}")
}

/// Every flag column of a loaded table of `spec`.
pub fn flag_columns(spec: &TableSpec) -> Vec<String> {
    let mut flags = vec![NONEXISTENT.to_string(), AMBIGUOUS.to_string()];
    flags.extend(
        spec.columns
            .iter()
            .filter(|c| c.kind == Kind::Str)
            .map(|c| blank_flag(c.name)),
    );
    flags
}

#[derive(Debug, Clone, Serialize)]
pub struct FileInfo {
    /// Relative to the data directory.
    pub path: String,
    pub bytes: u64,
    pub modified: Option<String>,
}

/// What a table was read from, for manifests and summaries.
#[derive(Debug, Clone, Default, Serialize)]
pub struct LoadedFiles {
    pub files: Vec<FileInfo>,
    pub ignored: Vec<String>,
}

pub struct LoadedTable {
    pub spec: &'static TableSpec,
    pub files: Vec<FileInfo>,
    /// Files below the folder that are not Parquet and were not read.
    pub ignored: Vec<String>,
    /// Canonical contract columns plus `SOURCE_INDEX`.
    pub lf: LazyFrame,
    /// Each file's part of `lf` on its own, to name the file when reading
    /// the table fails past its footer (corrupt data pages).
    pub parts: Vec<(String, LazyFrame)>,
}

impl LoadedTable {
    /// What the table was read from, for manifests and summaries.
    pub fn files_read(&self) -> LoadedFiles {
        LoadedFiles {
            files: self.files.clone(),
            ignored: self.ignored.clone(),
        }
    }
}

/// What part of a table a job reads, on one time column. Rows whose column is
/// null are always read: they are rejected with their reason, not lost.
#[derive(Debug, Clone)]
pub enum Window {
    /// Instants in [from, to); either end open.
    Instants {
        column: &'static str,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    },
    /// Dates in [from, to); either end open.
    Dates {
        column: &'static str,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    },
}

impl Window {
    fn column(&self) -> &'static str {
        match self {
            Window::Instants { column, .. } | Window::Dates { column, .. } => column,
        }
    }

    /// The exact predicate on the canonical column.
    fn exact(&self) -> Expr {
        let c = col(self.column());
        let range = match self {
            Window::Instants { from, to, .. } => {
                range(c.clone(), from.map(instant_lit), to.map(instant_lit))
            }
            Window::Dates { from, to, .. } => range(c.clone(), from.map(lit), to.map(lit)),
        };
        c.is_null().or(range)
    }

    /// A looser predicate on a file's own column in its own type, which the
    /// Parquet reader can apply while reading (and skip row groups by their
    /// statistics); the cast to canonical types would hide the exact one.
    /// Instants are widened by a day on each side, so no offset or DST
    /// subtlety of naive local times can lose a row; `exact` follows.
    fn raw(&self, source: &str, dtype: &DataType, tz: Tz) -> Option<Expr> {
        let c = col(source);
        let range = match (self, dtype) {
            (Window::Instants { from, to, .. }, DataType::Datetime(unit, zone)) => {
                let bound = |t: DateTime<Utc>| {
                    let micros = match zone {
                        Some(_) => t.timestamp_micros(),
                        // Naive columns hold local wall-clock time.
                        None => t
                            .with_timezone(&tz)
                            .naive_local()
                            .and_utc()
                            .timestamp_micros(),
                    };
                    let v = match unit {
                        TimeUnit::Milliseconds => micros.div_euclid(1000),
                        TimeUnit::Microseconds => micros,
                        TimeUnit::Nanoseconds => micros.saturating_mul(1000),
                    };
                    lit(v).cast(DataType::Datetime(*unit, zone.clone()))
                };
                let day = chrono::Duration::days(1);
                range(
                    c.clone(),
                    from.map(|t| bound(t - day)),
                    to.map(|t| bound(t + day)),
                )
            }
            (Window::Dates { from, to, .. }, DataType::Date) => {
                range(c.clone(), from.map(lit), to.map(lit))
            }
            _ => return None,
        };
        Some(c.is_null().or(range))
    }
}

/// `from <= c < to`, either end open.
fn range(c: Expr, from: Option<Expr>, to: Option<Expr>) -> Expr {
    let lower = from.map(|f| c.clone().gt_eq(f));
    let upper = to.map(|t| c.lt(t));
    match (lower, upper) {
        (Some(l), Some(u)) => l.and(u),
        (Some(l), None) => l,
        (None, Some(u)) => u,
        (None, None) => lit(true),
    }
}

/// `column` equals one of a few `values` (null: false). Comparisons with
/// each, rather than a set lookup: several times faster on the short
/// strings of a month of messages.
pub fn one_of(column: &str, values: &[&str]) -> Expr {
    values
        .iter()
        .map(|v| col(column).eq(lit(*v)))
        .reduce(Expr::or)
        .unwrap_or(lit(false))
        .fill_null(lit(false))
}

pub fn utc_dtype() -> DataType {
    DataType::Datetime(TimeUnit::Microseconds, Some(TimeZone::UTC))
}

pub fn canonical_dtype(kind: Kind) -> DataType {
    match kind {
        Kind::Str => DataType::String,
        Kind::Int => DataType::Int64,
        Kind::Float => DataType::Float64,
        Kind::Bool => DataType::Boolean,
        Kind::Timestamp => utc_dtype(),
        Kind::Date => DataType::Date,
    }
}

/// An instant as a literal comparable with canonical timestamp columns.
pub fn instant_lit(t: DateTime<Utc>) -> Expr {
    lit(t.timestamp_micros()).cast(utc_dtype())
}

fn kind_accepts(kind: Kind, dtype: &DataType) -> bool {
    use DataType as D;
    match (kind, dtype) {
        (_, D::Null) => true,
        (Kind::Str, D::String | D::Categorical(..) | D::Enum(..)) => true,
        (Kind::Int, d) => d.is_integer(),
        (Kind::Float, d) => d.is_float() || d.is_integer(),
        (Kind::Bool, D::Boolean) => true,
        (Kind::Timestamp, D::Datetime(..)) => true,
        (Kind::Date, D::Date) => true,
        _ => false,
    }
}

/// Parquet files found (full path and description) and other files passed over.
pub type Discovered = (Vec<(PathBuf, FileInfo)>, Vec<String>);

/// Every `*.parquet` file below `dir`, sorted, with hidden and `_`-prefixed
/// entries (`_SUCCESS`, `.crc`) skipped; other files are reported as ignored.
pub fn discover(dir: &Path, data_dir: &Path) -> Result<Discovered> {
    let mut files = Vec::new();
    let mut ignored = Vec::new();
    let walker = walkdir::WalkDir::new(dir)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            e.depth() == 0 || {
                let n = e.file_name().to_string_lossy();
                !(n.starts_with('.') || n.starts_with('_'))
            }
        });
    for entry in walker {
        let entry =
            entry.map_err(|e| Error::bad_input(format!("cannot list {}: {e}", dir.display())))?;
        if !entry.file_type().is_file() {
            continue;
        }
        let path = entry.path().to_path_buf();
        let rel = path
            .strip_prefix(data_dir)
            .unwrap_or(&path)
            .to_string_lossy()
            .into_owned();
        if path.extension().and_then(|e| e.to_str()) != Some("parquet") {
            ignored.push(rel);
            continue;
        }
        let meta = entry
            .metadata()
            .map_err(|e| Error::bad_input(format!("{rel}: cannot stat: {e}")))?;
        let modified = meta
            .modified()
            .ok()
            .map(|t: SystemTime| DateTime::<Utc>::from(t).to_rfc3339());
        files.push((
            path,
            FileInfo {
                path: rel,
                bytes: meta.len(),
                modified,
            },
        ));
    }
    Ok((files, ignored))
}

fn missing_folder(dir: &Path, spec: &TableSpec) -> Error {
    Error::bad_input(format!(
        "{}: the {} table folder is missing (expected {}/)",
        dir.display(),
        spec.name,
        spec.name
    ))
}

/// The sessions folder is there: a scheduler's first check, so a wrong
/// data directory is an error rather than months of "no data".
pub fn require_sessions_folder(cfg: &Config) -> Result<()> {
    let dir = cfg.data_dir.join(crate::contract::SESSIONS.name);
    if dir.is_dir() {
        Ok(())
    } else {
        Err(missing_folder(&dir, &crate::contract::SESSIONS))
    }
}

/// Load a table: `Ok(None)` when an optional table's folder is absent or
/// holds no Parquet file; an error (exit 2) for the required one.
pub fn load_table(
    cfg: &Config,
    spec: &'static TableSpec,
    window: Option<&Window>,
) -> Result<Option<LoadedTable>> {
    let dir = cfg.data_dir.join(spec.name);
    if !dir.is_dir() {
        return if spec.required {
            Err(missing_folder(&dir, spec))
        } else {
            Ok(None)
        };
    }
    let (found, ignored) = discover(&dir, &cfg.data_dir)?;
    if found.is_empty() {
        return if spec.required {
            let others = if ignored.is_empty() {
                String::new()
            } else {
                format!(" (only {})", ignored.join(", "))
            };
            Err(Error::bad_input(format!(
                "{}: the {} table folder holds no Parquet file{others}",
                dir.display(),
                spec.name
            )))
        } else {
            Ok(None)
        };
    }
    let mut frames = Vec::with_capacity(found.len());
    let mut parts = Vec::with_capacity(found.len());
    let mut files = Vec::with_capacity(found.len());
    for (index, (path, info)) in found.into_iter().enumerate() {
        let lf = scan_file(cfg, spec, &dir, &path, &info.path, index, window)?;
        frames.push(lf.clone());
        parts.push((info.path.clone(), lf));
        files.push(info);
    }
    let lf = concat(
        frames,
        UnionArgs {
            rechunk: false,
            parallel: true,
            ..Default::default()
        },
    )?;
    Ok(Some(LoadedTable {
        spec,
        files,
        ignored,
        lf,
        parts,
    }))
}

/// After reading a table failed: the first of its files that fails on its
/// own, as bad input naming the file.
pub fn unreadable_part(parts: &[(String, LazyFrame)]) -> Option<Error> {
    parts.iter().find_map(|(rel, lf)| {
        contain_panics(|| lf.clone().collect())
            .err()
            .map(|e| unreadable(rel, e))
    })
}

/// How many reads `contain_panics` is running: while any is, a panic becomes
/// that read's error, and the panic hook need not print it.
static CONTAINED_READS: AtomicUsize = AtomicUsize::new(0);

/// Run a read of Parquet files with a panic turned into an error: Polars'
/// reader can panic on a corrupt footer or page, and a bad file must stop
/// the command with its name (exit 2), not crash it.
fn contain_panics<T>(read: impl FnOnce() -> PolarsResult<T>) -> PolarsResult<T> {
    CONTAINED_READS.fetch_add(1, Ordering::SeqCst);
    let result = panic::catch_unwind(AssertUnwindSafe(read));
    CONTAINED_READS.fetch_sub(1, Ordering::SeqCst);
    result.unwrap_or_else(|payload| {
        let what = payload
            .downcast_ref::<&str>()
            .copied()
            .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
            .unwrap_or("no message");
        polars_bail!(ComputeError: "the reader failed: {what}")
    })
}

/// Groups the streaming engine's group-by aggregates as it reads, per
/// thread. Polars' default (4,096) keeps the rows of every other group
/// whole until the end, so a query grouping a month by agent held memory
/// that grew with the month (10 M sessions: `agents.sql` 3.6 GB with the
/// default, 1.4 GB with this). A group costs a few dozen bytes here.
const HOT_GROUPS: &str = "1048576";

/// The streaming engine's settings, unless the environment sets them: call
/// first thing in `main`, before any thread starts.
pub fn engine_defaults() {
    if std::env::var_os("POLARS_HOT_TABLE_SIZE").is_none() {
        std::env::set_var("POLARS_HOT_TABLE_SIZE", HOT_GROUPS);
    }
}

/// Keep the panic hook quiet about panics that `contain_panics` turns into
/// errors (the error carries the message); any other panic prints as before.
pub fn quiet_contained_panics() {
    let default = panic::take_hook();
    panic::set_hook(Box::new(move |info| {
        if CONTAINED_READS.load(Ordering::SeqCst) == 0 {
            default(info);
        }
    }));
}

fn unreadable(rel: &str, e: PolarsError) -> Error {
    Error::bad_input(format!("{rel}: not a readable Parquet file ({e})"))
}

/// One file: read its footer, check every contract column, cast to canonical.
fn scan_file(
    cfg: &Config,
    spec: &TableSpec,
    table_dir: &Path,
    path: &Path,
    rel: &str,
    index: usize,
    window: Option<&Window>,
) -> Result<LazyFrame> {
    let path_str = path
        .to_str()
        .ok_or_else(|| Error::bad_input(format!("{rel}: path is not valid UTF-8")))?;
    let args = ScanArgsParquet {
        glob: false,
        hive_options: HiveOptions {
            enabled: Some(false),
            ..HiveOptions::new_disabled()
        },
        ..Default::default()
    };
    check_footer_and_pages(path, rel)?;
    let mut lf =
        LazyFrame::scan_parquet(PlRefPath::new(path_str), args).map_err(|e| unreadable(rel, e))?;
    let schema = contain_panics(|| lf.collect_schema()).map_err(|e| unreadable(rel, e))?;
    let hive = hive_values(table_dir, path);
    let file = FileColumns {
        cfg,
        spec,
        schema: &schema,
        hive: &hive,
        rel,
    };
    let mut exprs = Vec::with_capacity(spec.columns.len() + 4);
    let mut blanks = Vec::new();
    let (mut nonexistent, mut ambiguous) = (Vec::new(), Vec::new());
    for column in spec.columns {
        let expr = match file.naive_local(column) {
            Some(local) => {
                nonexistent.push(local.nonexistent());
                ambiguous.push(local.ambiguous());
                local.instant()
            }
            None => file.canonical(column)?,
        };
        if column.kind == Kind::Str {
            // Exports write a missing id as "" or " ": it is null.
            let blank = is_blank(expr.clone());
            blanks.push(blank.clone().alias(blank_flag(column.name)));
            exprs.push(
                when(blank)
                    .then(lit(NULL).cast(DataType::String))
                    .otherwise(expr)
                    .alias(column.name),
            );
        } else {
            exprs.push(expr.alias(column.name));
        }
    }
    let any = |flags: Vec<Expr>| flags.into_iter().reduce(Expr::or).unwrap_or(lit(false));
    exprs.push(any(nonexistent).alias(NONEXISTENT));
    exprs.push(any(ambiguous).alias(AMBIGUOUS));
    exprs.extend(blanks);
    let index = u32::try_from(index)
        .map_err(|_| Error::bad_input(format!("{rel}: more than 2^32 files in one table")))?;
    exprs.push(lit(index).cast(DataType::UInt32).alias(SOURCE_INDEX));
    let Some(w) = window else {
        return Ok(lf.select(exprs));
    };
    let source = cfg.source_column(spec.name, w.column());
    if let Some(pre) = schema
        .get(source)
        .and_then(|d| w.raw(source, d, cfg.timezone))
    {
        lf = lf.filter(pre);
    }
    Ok(lf.select(exprs).filter(w.exact()))
}

/// One file's contract columns: where each comes from and its type there.
struct FileColumns<'a> {
    cfg: &'a Config,
    spec: &'a TableSpec,
    schema: &'a Schema,
    hive: &'a [(String, String)],
    rel: &'a str,
}

impl FileColumns<'_> {
    /// A column the file holds as a naive timestamp (its type is checked by
    /// `canonical` like any other's).
    fn naive_local(&self, column: &contract::Column) -> Option<NaiveLocal> {
        let source = self.cfg.source_column(self.spec.name, column.name);
        let dtype = self.schema.get(source)?;
        NaiveLocal::of(col(source), column.kind, dtype, self.cfg.timezone)
    }

    /// A contract column in its canonical type: from the file, from a hive
    /// folder, or null when a nullable column is absent.
    fn canonical(&self, column: &contract::Column) -> Result<Expr> {
        let (spec, rel) = (self.spec, self.rel);
        let source = self.cfg.source_column(spec.name, column.name);
        let target = canonical_dtype(column.kind);
        if let Some(dtype) = self.schema.get(source) {
            if !kind_accepts(column.kind, dtype) {
                return Err(Error::bad_input(format!(
                    "{rel}: column `{source}` ({}.{}) has type {dtype}, expected {}",
                    spec.name,
                    column.name,
                    column.kind.describe()
                )));
            }
            return Ok(cast_column(col(source), column.kind, dtype));
        }
        match self.hive.iter().find(|(k, _)| k == source) {
            // A hive partition folder carries the column for the file.
            Some((_, v)) => Ok(lit(v.clone()).cast(target)),
            None if column.nullable => Ok(lit(NULL).cast(target)),
            None => {
                let mapped = if source == column.name {
                    String::new()
                } else {
                    format!(" (mapped from {}.{})", spec.name, column.name)
                };
                Err(Error::bad_input(format!(
                    "{rel}: required column `{source}`{mapped} is missing"
                )))
            }
        }
    }
}

/// Every column chunk the footer points at lies inside the file, and its
/// page headers are sound. Polars' streaming reader slices the file by these
/// ranges without a bounds check, and sizes its buffers by the pages' value
/// counts, so a corrupt footer or page header would make it read outside
/// the file or abort on an impossible allocation (not an error that can be
/// caught): such a file is refused first.
fn check_footer_and_pages(path: &Path, rel: &str) -> Result<()> {
    let open = || {
        std::fs::File::open(path).map_err(|e| Error::bad_input(format!("{rel}: cannot open: {e}")))
    };
    // One handle for the footer reader, one to walk the pages.
    let (file, mut pages) = (open()?, open()?);
    let len = file
        .metadata()
        .map_err(|e| Error::bad_input(format!("{rel}: cannot stat: {e}")))?
        .len();
    let mut reader = ParquetReader::new(file);
    let metadata =
        contain_panics(|| reader.get_metadata().cloned()).map_err(|e| unreadable(rel, e))?;
    for (i, group) in metadata.row_groups.iter().enumerate() {
        let end = group.full_byte_range().end;
        if end > len {
            return Err(Error::bad_input(format!(
                "{rel}: not a readable Parquet file (row group {i} ends at byte {end} of {len})"
            )));
        }
        for range in group.byte_ranges_iter() {
            crate::page_check::check_chunk(&mut pages, range).map_err(|why| {
                Error::bad_input(format!("{rel}: not a readable Parquet file ({why})"))
            })?;
        }
    }
    Ok(())
}

fn cast_column(e: Expr, kind: Kind, dtype: &DataType) -> Expr {
    match (kind, dtype) {
        (Kind::Timestamp, DataType::Datetime(_, Some(_))) => e
            .dt()
            .convert_time_zone(TimeZone::UTC)
            .dt()
            .cast_time_unit(TimeUnit::Microseconds),
        (k, _) => e.cast(canonical_dtype(k)),
    }
}

/// An empty or whitespace-only string (null: false). Whitespace is
/// Unicode's, as a regex's `\s`; a plain look at the characters, which
/// stops at the first other one, costs a small part of a regex match's time
/// (one a row of every text column of every table).
fn is_blank(s: Expr) -> Expr {
    s.map(
        |c| {
            let blank = c
                .str()?
                .iter()
                .map(|v| v.is_some_and(|v| v.chars().all(char::is_whitespace)));
            Ok(BooleanChunked::from_iter_values(c.name().clone(), blank).into_column())
        },
        |_, f| Ok(Field::new(f.name().clone(), DataType::Boolean)),
    )
}

/// A naive timestamp column: wall-clock time in the configured zone. A
/// local time skipped by daylight saving names no instant (the row is
/// rejected); one that occurs twice is read as the earlier instant. The
/// zone's offsets are tabulated once (`zone`), not looked up row by row.
struct NaiveLocal {
    wall: Expr,
    tz: Tz,
}

impl NaiveLocal {
    fn of(e: Expr, kind: Kind, dtype: &DataType, tz: Tz) -> Option<NaiveLocal> {
        if kind != Kind::Timestamp || !matches!(dtype, DataType::Datetime(_, None)) {
            return None;
        }
        let wall = e.dt().cast_time_unit(TimeUnit::Microseconds);
        Some(NaiveLocal { wall, tz })
    }

    fn instant(&self) -> Expr {
        zone::instant_expr(self.wall.clone(), self.tz)
    }

    fn nonexistent(&self) -> Expr {
        zone::nonexistent_expr(self.wall.clone(), self.tz)
    }

    fn ambiguous(&self) -> Expr {
        zone::ambiguous_expr(self.wall.clone(), self.tz)
    }
}

/// `key=value` folder names between the table folder and the file.
pub fn hive_values(table_dir: &Path, file: &Path) -> Vec<(String, String)> {
    let Ok(rel) = file.strip_prefix(table_dir) else {
        return Vec::new();
    };
    rel.parent()
        .map(|p| {
            p.components()
                .filter_map(|c| {
                    let s = c.as_os_str().to_str()?;
                    let (k, v) = s.split_once('=')?;
                    Some((k.to_string(), v.to_string()))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Local calendar columns for a canonical timestamp, cut in the configured
/// zone, so that queries need no date functions: `month` ("YYYY-MM"),
/// `date` and `hour` (Int32).
pub fn local_parts(ts: &str, tz: Tz, prefix: &str) -> Vec<Expr> {
    vec![
        zone::month_expr(col(ts), tz).alias(format!("{prefix}month")),
        zone::date_expr(col(ts), tz).alias(format!("{prefix}date")),
        zone::hour_expr(col(ts), tz).alias(format!("{prefix}hour")),
    ]
}

/// Join arguments that keep the left frame's row order, so that every run
/// produces the same rows in the same order (and float sums over them add up
/// the same way): outputs are reproducible to the byte.
pub fn ordered_join(how: JoinType) -> JoinArgs {
    JoinArgs {
        maintain_order: MaintainOrderJoin::Left,
        ..JoinArgs::new(how)
    }
}

/// Collect a large scan with the streaming engine: files are read, cast and
/// filtered in batches instead of whole, which bounds the scan's own memory.
pub fn collect_streaming(lf: LazyFrame) -> PolarsResult<DataFrame> {
    match contain_panics(|| lf.collect_with_engine(Engine::Streaming))? {
        polars_core::query_result::QueryResult::Single(df) => Ok(df),
        polars_core::query_result::QueryResult::Multiple(_) => {
            polars_bail!(ComputeError: "a scan gave several results")
        }
    }
}

/// The configured zone as Polars names it (validated by chrono-tz on load).
pub fn pl_tz(tz: Tz) -> TimeZone {
    TimeZone::opt_try_new(Some(tz.name()))
        .ok()
        .flatten()
        .unwrap_or(TimeZone::UTC)
}
