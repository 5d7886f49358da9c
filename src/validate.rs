//! The contract's row rules. A loaded table becomes the rows the metrics use,
//! the exact duplicates folded away, and the rejected rows with their reason:
//! rows in = used + duplicates + rejected, always.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use polars::prelude::*;
use serde::Serialize;

use crate::config::Config;
use crate::contract::{self, TableSpec};
use crate::error::Result;
use crate::load::{
    self, instant_lit, one_of, ordered_join, LoadedTable, AMBIGUOUS, NONEXISTENT, SOURCE_FILE,
    SOURCE_INDEX,
};
use crate::standards::Standards;

pub const REASON: &str = "reason";
/// Working columns of the checks: the row breaks a rule; its conflict key
/// is shared.
const BROKEN: &str = "_broken";
const CONFLICT: &str = "_conflict";

pub mod reasons {
    pub const CONFLICTING_DUPLICATE: &str = "conflicting duplicate";
    pub const RATING_OUT_OF_RANGE: &str = "rating out of range";
    pub const ENDED_BEFORE_STARTED: &str = "ended_at before started_at";
    pub const NO_SCORECARD: &str = "no scorecard in force at reviewed_at";
    pub const UNKNOWN_MODULE: &str = "unknown module_id";
    pub const SCORE_OFF_SCALE: &str = "score off the module's scale";
    pub const UNKNOWN_SENDER: &str = "unknown sender";
    pub const UNKNOWN_OUTCOME: &str = "unknown outcome";
    pub const HOURS_OUT_OF_RANGE: &str = "logged_in_hours out of range";
    pub const CONFLICTING_OUTCOMES: &str = "conflicting outcomes";
    pub const FIRST_RESPONSE_INVALID: &str = "first_response_s negative or not finite";
    pub const SESSION_TOO_LONG: &str = "ended_at beyond max_session_hours";
    pub const LINE_ALL_RESERVED: &str = "business_line ALL is reserved for the total row";
    pub const NONEXISTENT_LOCAL_TIME: &str = "nonexistent local time";
    pub fn null_key(column: &str) -> String {
        format!("null {column}")
    }
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct TableStats {
    pub table: String,
    /// Not serialised: the manifest flattens these stats beside the list of
    /// files itself, under the same key.
    #[serde(skip_serializing)]
    pub files: usize,
    pub rows_in: u64,
    pub used: u64,
    pub duplicates: u64,
    pub rejected: u64,
    pub rejected_by_reason: BTreeMap<String, u64>,
    /// Rows left out because a later export of the same key supersedes them
    /// (appeals: a decision over pending, a later decision over an earlier
    /// one); already counted in `duplicates`.
    pub superseded: u64,
    /// Empty or whitespace-only strings read as null, per column, over the
    /// rows read.
    pub blanks_read_as_null: BTreeMap<String, u64>,
    /// Rows read with a naive timestamp that occurs twice in the zone (the
    /// hour daylight saving repeats), read as the earlier instant.
    pub ambiguous_local_times: u64,
}

impl TableStats {
    /// The loader's flag counts (blanks, ambiguous local times) from the
    /// `counts` of `count_rows`.
    fn with_flags(counts: &DataFrame, spec: &TableSpec) -> Result<TableStats> {
        let mut stats = TableStats {
            ambiguous_local_times: count_of(counts, AMBIGUOUS)?,
            ..TableStats::default()
        };
        for c in spec
            .columns
            .iter()
            .filter(|c| c.kind == contract::Kind::Str)
        {
            let n = count_of(counts, &load::blank_flag(c.name))?;
            if n > 0 {
                stats.blanks_read_as_null.insert(c.name.to_string(), n);
            }
        }
        Ok(stats)
    }
}

/// The number of rows, in `count_rows`.
const ROWS: &str = "_rows";

/// The number of `rows` (`ROWS`) and how many carry each of the loader's
/// flags, as one row: the counts `kept_and_counted` gathers in a pass.
fn count_rows(rows: &DataFrame, spec: &TableSpec) -> Result<DataFrame> {
    let flags = load::flag_columns(spec)
        .into_iter()
        .map(|f| col(f.as_str()).sum().cast(DataType::UInt64));
    let counts: Vec<Expr> = std::iter::once(len().cast(DataType::UInt64).alias(ROWS))
        .chain(flags)
        .collect();
    Ok(rows.clone().lazy().select(counts).collect()?)
}

/// The rows of `lf` where `keep` holds, and the `count_rows` counts of all
/// of its rows, in one streaming pass over the files (`pass_over_files`):
/// the loader's flags are counted where they are computed, the rows are
/// read once for both.
fn kept_and_counted(
    lf: LazyFrame,
    keep: Expr,
    spec: &TableSpec,
    parts: &[(String, LazyFrame)],
) -> Result<(DataFrame, DataFrame)> {
    const KEEP: &str = "_keep";
    let flags = load::flag_columns(spec);
    let tally = Arc::new(Mutex::new(Tally {
        rows: 0,
        flags: vec![0; flags.len()],
        kept: Vec::new(),
    }));
    let sink = Arc::clone(&tally);
    let names = flags.clone();
    let callback = PlanCallback::new(move |df: DataFrame| {
        let mut t = sink
            .lock()
            .map_err(|_| polars_err!(ComputeError: "a check's tally failed"))?;
        t.rows += df.height() as u64;
        for (n, name) in t.flags.iter_mut().zip(&names) {
            *n += df.column(name)?.bool()?.sum().map_or(0, u64::from);
        }
        let kept = df.filter(df.column(KEEP)?.bool()?)?.drop(KEEP)?;
        if kept.height() > 0 {
            t.kept.push(kept);
        }
        Ok(false)
    });
    let empty = DataFrame::empty_with_schema(lf.clone().collect_schema()?.as_ref());
    let sunk = lf
        .with_column(keep.alias(KEEP))
        .sink_batches(callback, true, None)?;
    pass_over_files(sunk, parts)?;
    let mut t = tally
        .lock()
        .map_err(|_| crate::error::Error::other("a check's tally failed"))?;
    let mut kept = empty;
    for more in std::mem::take(&mut t.kept) {
        kept.vstack_mut_owned(more)?;
    }
    let mut counts = vec![Column::new(ROWS.into(), [t.rows])];
    for (name, n) in flags.iter().zip(&t.flags) {
        counts.push(Column::new(name.as_str().into(), [*n]));
    }
    Ok((kept, DataFrame::new_infer_height(counts)?))
}

/// What `kept_and_counted` gathers as the batches stream past.
struct Tally {
    rows: u64,
    flags: Vec<u64>,
    kept: Vec<DataFrame>,
}

/// The count `name` of a `count_rows` frame.
fn count_of(counts: &DataFrame, name: &str) -> Result<u64> {
    let n = counts.column(name)?.cast(&DataType::UInt64)?;
    Ok(n.u64()?.get(0).unwrap_or(0))
}

pub struct Checked {
    /// Contract columns (plus enrichment such as a review's scorecard module),
    /// without `reason`.
    pub used: DataFrame,
    /// The rejected rows with `reason` and `source_file`.
    pub rejects: DataFrame,
    pub stats: TableStats,
}

/// Apply every row rule to the rows of `table` (already narrowed to the
/// job's window by the loader).
pub fn check(table: LoadedTable, cfg: &Config, standards: &Standards) -> Result<Checked> {
    let spec = table.spec;
    // One pass over the files: everything after works on these rows. A file
    // whose footer read fine may still fail here; name it (exit 2).
    let raw = load::collect_streaming(table.lf)
        .map_err(|e| load::unreadable_part(&table.parts).unwrap_or_else(|| e.into()))?;
    let rows_in = raw.height() as u64;
    let counts = count_rows(&raw, spec)?;
    let flag_counts = TableStats::with_flags(&counts, spec)?;
    let rows = check_rows(raw, spec, cfg, standards)?;
    let rejects = name_source_files(rows.rejects, &table.files)?;
    let rejected_by_reason = count_reasons(&rejects)?;
    let stats = TableStats {
        table: spec.name.to_string(),
        files: table.files.len(),
        rows_in,
        used: rows.used.height() as u64,
        duplicates: rows.duplicates,
        rejected: rejects.height() as u64,
        rejected_by_reason,
        superseded: rows.superseded,
        ..flag_counts
    };
    Ok(Checked {
        used: rows.used,
        rejects,
        stats,
    })
}

/// Collected rows of a table, checked.
struct RowsChecked {
    /// Without the loader's working columns.
    used: DataFrame,
    /// With `reason` and still `SOURCE_INDEX`.
    rejects: DataFrame,
    duplicates: u64,
    superseded: u64,
}

/// Every row rule on `raw`: exact copies folded, superseded appeals folded,
/// conflicting keys and broken rows rejected with their reason.
fn check_rows(
    raw: DataFrame,
    spec: &TableSpec,
    cfg: &Config,
    standards: &Standards,
) -> Result<RowsChecked> {
    let rows_in = raw.height() as u64;
    let (mut deduplicated, repeats) = fold_exact_copies(raw, spec)?;
    let mut superseded = 0;
    if repeats && spec.name == contract::APPEALS.name {
        (deduplicated, superseded) = fold_superseded_appeals(deduplicated)?;
    }
    let mut lf = deduplicated.lazy();
    if spec.name == contract::REVIEWS.name {
        lf = enrich_reviews(lf, standards)?;
    }
    if repeats && !spec.conflict_key.is_empty() {
        lf = lf.with_column(conflict_expr(spec)?.alias(CONFLICT));
    }
    let rules = rules(spec, cfg, repeats);
    // One flag per row first; the reason (a string per row) only for the
    // rows it flags, usually none of millions.
    let broken = any_broken(&rules);
    let checked = lf.with_column(broken.alias(BROKEN)).collect()?;
    let duplicates = rows_in - checked.height() as u64;
    let rejected = checked.column(BROKEN)?.bool()?.sum().unwrap_or(0);

    // Usually nothing is rejected: the checked rows are then the used rows
    // as they are, without copying millions of them through a filter.
    let (used, rejects) = if rejected == 0 {
        let rejects = checked
            .clear()
            .lazy()
            .with_column(lit(NULL).cast(DataType::String).alias(REASON))
            .collect()?;
        (checked, rejects)
    } else {
        let rejects = checked
            .clone()
            .lazy()
            .filter(col(BROKEN))
            .with_column(first_broken(&rules).alias(REASON))
            .collect()?;
        let used = checked.lazy().filter(col(BROKEN).not()).collect()?;
        (used, rejects)
    };
    let flags = load::flag_columns(spec);
    let used = used
        .drop_many([BROKEN, CONFLICT, SOURCE_INDEX])
        .drop_many(&flags);
    let rejects = rejects.drop_many([BROKEN, CONFLICT]).drop_many(&flags);
    Ok(RowsChecked {
        used,
        rejects,
        duplicates,
        superseded,
    })
}

/// A table checked without holding its rows, for a job that reads a large
/// table once: only the rejected rows and the counts are collected, and the
/// used rows stay a lazy scan for the job to stream through.
pub struct CheckedScan {
    /// Rows that break no rule, exact copies folded (the first kept), as
    /// `check` leaves them.
    pub used: LazyFrame,
    pub checked: Checked,
}

/// `check` in streaming passes over the files instead of one collected
/// frame: the copy probe column alone, in passes of bounded size, finds the
/// values that repeat; then one pass over the whole rows counts them and
/// the loader's flags, and collects the rows with those values (to count
/// the exact copies) and the rows that break a rule. For tables without a
/// conflict key or enrichment (messages).
pub fn check_scan(table: LoadedTable, cfg: &Config) -> Result<CheckedScan> {
    check_scan_by(table, cfg, PROBE_VALUES_PER_PASS)
}

/// `check_scan` sorting at most `values_per_pass` probe values a pass.
pub fn check_scan_by(
    table: LoadedTable,
    cfg: &Config,
    values_per_pass: u64,
) -> Result<CheckedScan> {
    let spec = table.spec;
    if !streams(spec) {
        return Err(crate::error::Error::other(format!(
            "{}: a table with a conflict key or enrichment is checked whole",
            spec.name
        )));
    }
    let parts = &table.parts;
    let collect = |lf: LazyFrame| pass_over_files(lf, parts);
    let rules = rules(spec, cfg, false);
    let broken = any_broken(&rules);
    let contract_cols: Vec<Expr> = spec.columns.iter().map(|c| col(c.name)).collect();

    let repeats = scan_probe_repeats(&table.lf, spec.copy_probe, values_per_pass, &collect)?;
    // One pass over the whole rows counts them and the loader's flags, and
    // keeps the few that matter: those whose probe value repeats (candidate
    // copies) and those that break a rule.
    pub const REPEATS: &str = "_repeats";
    const ROW: &str = "_row";
    let (flagged, counts) = kept_and_counted(
        table
            .lf
            .clone()
            .with_row_index(ROW, None)
            .with_columns([repeats.alias(REPEATS), broken.clone().alias(BROKEN)]),
        col(REPEATS).or(col(BROKEN)),
        spec,
        parts,
    )?;
    let rows_in = count_of(&counts, ROWS)?;
    let flag_counts = TableStats::with_flags(&counts, spec)?;
    let rows_where = |flag: &str| flagged.clone().lazy().filter(col(flag));
    let copies = copy_rows(rows_where(REPEATS), &contract_cols, ROW)?;
    let duplicates = copies.len() as u64;

    // Rejected rows with their copies folded, as `check` folds them.
    let flags = load::flag_columns(spec);
    let rejects = rows_where(BROKEN)
        .unique_stable_generic(Some(contract_cols), UniqueKeepStrategy::First)
        .with_column(first_broken(&rules).alias(REASON))
        .drop(by_name([REPEATS, BROKEN, ROW], true, false))
        .drop(by_name(flags.clone(), true, false))
        .collect()?;
    let rejects = name_source_files(rejects, &table.files)?;
    let rejected_by_reason = count_reasons(&rejects)?;
    let rejected = rejects.height() as u64;
    let used = without_rows(table.lf, &copies, ROW)
        .filter(broken.not())
        .drop(by_name([SOURCE_INDEX], true, false))
        .drop(by_name(flags, true, false));
    let empty = used.clone().clear().collect()?;
    Ok(CheckedScan {
        used,
        checked: Checked {
            used: empty,
            rejects,
            stats: TableStats {
                table: spec.name.to_string(),
                files: table.files.len(),
                rows_in,
                // Saturating: the passes read the files at different
                // moments, and a file rewritten in between must not panic.
                used: rows_in.saturating_sub(duplicates + rejected),
                duplicates,
                rejected,
                rejected_by_reason,
                ..flag_counts
            },
        },
    })
}

/// `check` in streaming passes over the files whatever their size, for
/// `validate` and `query`: the key columns alone, to count the rows and find
/// the keys that repeat; then the rows with such a key and the rows that
/// break a rule. Copies, superseded appeals and conflicts only ever involve
/// rows sharing a key, so `check`'s rules applied to those rows alone give
/// its figures exactly. The used rows stay a scan: every row but the
/// rejected and folded ones, in the files' order.
pub fn check_streamed(
    table: LoadedTable,
    cfg: &Config,
    standards: &Standards,
) -> Result<CheckedScan> {
    check_streamed_by(table, cfg, standards, KEYS_PER_PASS)
}

/// `check_streamed` counting at most about `keys_per_pass` keys a pass.
pub fn check_streamed_by(
    table: LoadedTable,
    cfg: &Config,
    standards: &Standards,
    keys_per_pass: u64,
) -> Result<CheckedScan> {
    let spec = table.spec;
    let parts = &table.parts;
    let collect = |lf: LazyFrame| pass_over_files(lf, parts);
    let flags = load::flag_columns(spec);
    let rows = collect(
        table
            .lf
            .clone()
            .select([len().cast(DataType::UInt64).alias(ROWS)]),
    )?;
    let repeated = repeated_keys(
        &table.lf,
        spec.copy_probe,
        count_of(&rows, ROWS)?,
        keys_per_pass,
        &collect,
    )?;
    // One pass over the whole rows counts them and the loader's flags, and
    // keeps those of a repeated key and those that break a rule.
    let (flagged, counts) = kept_and_counted(
        flagged_rows(&table.lf, &repeated, spec, cfg, standards)?,
        col(REPEATS).or(col(BROKEN)),
        spec,
        parts,
    )?;
    let flagged = flagged.sort([SCAN_ROW], SortMultipleOptions::default())?;
    let rows_in = count_of(&counts, ROWS)?;
    let flag_counts = TableStats::with_flags(&counts, spec)?;
    let with_key = |repeats: bool| flagged.clone().lazy().filter(col(REPEATS).eq(lit(repeats)));
    // Rows of a repeated key: `check` itself, on them alone.
    let loaded: Vec<Expr> = table
        .lf
        .clone()
        .collect_schema()?
        .iter_names()
        .map(|n| col(n.clone()))
        .collect();
    let shared = with_key(true)
        .select(
            std::iter::once(col(SCAN_ROW))
                .chain(loaded)
                .collect::<Vec<_>>(),
        )
        .collect()?;
    let shared = check_rows(shared, spec, cfg, standards)?;
    // The other flagged rows break a rule of their own.
    let rules = rules(spec, cfg, false);
    let lone = with_key(false)
        .with_column(first_broken(&rules).alias(REASON))
        .drop(by_name([REPEATS, BROKEN], true, false))
        .drop(by_name(flags, true, false))
        .collect()?;
    let rejects = in_file_order(lone, shared.rejects)?;
    let rejects = name_source_files(rejects, &table.files)?;
    let rejected = rejects.height() as u64;
    let used = used_scan(table.lf, &flagged, &shared.used, spec, standards)?;
    let empty = used.clone().clear().collect()?;
    let checked = Checked {
        used: empty,
        stats: TableStats {
            table: spec.name.to_string(),
            files: table.files.len(),
            rows_in,
            // Saturating: the passes read the files at different moments,
            // and a file rewritten in between must not panic.
            used: rows_in.saturating_sub(shared.duplicates + rejected),
            duplicates: shared.duplicates,
            rejected,
            rejected_by_reason: count_reasons(&rejects)?,
            superseded: shared.superseded,
            ..flag_counts
        },
        rejects,
    };
    Ok(CheckedScan { used, checked })
}

/// The rows of the scan but the `flagged` ones that are not among the
/// `kept` (rejected, or folded into another), as `check` leaves its used
/// rows.
fn used_scan(
    lf: LazyFrame,
    flagged: &DataFrame,
    kept: &DataFrame,
    spec: &TableSpec,
    standards: &Standards,
) -> Result<LazyFrame> {
    let left_out = flagged
        .clone()
        .lazy()
        .select([col(SCAN_ROW)])
        .join(
            kept.clone().lazy().select([col(SCAN_ROW)]),
            [col(SCAN_ROW)],
            [col(SCAN_ROW)],
            JoinArgs::new(JoinType::Anti),
        )
        .collect()?;
    let left_out = left_out.column(SCAN_ROW)?.as_materialized_series();
    let used = without_rows(lf, left_out, SCAN_ROW)
        .drop(by_name([SOURCE_INDEX], true, false))
        .drop(by_name(load::flag_columns(spec), true, false));
    if spec.name == contract::REVIEWS.name {
        return enrich_reviews(used, standards);
    }
    Ok(used)
}

/// One streaming pass over a table's files, one file after another; a file
/// that fails to read is named. Polars would drop the files' order where
/// the result does not show it (an aggregate) and read all of them at once,
/// in memory that grows with their number.
fn pass_over_files(lf: LazyFrame, parts: &[(String, LazyFrame)]) -> Result<DataFrame> {
    load::collect_streaming(lf.with_check_order(false))
        .map_err(|e| load::unreadable_part(parts).unwrap_or_else(|| e.into()))
}

/// Working columns of `check_streamed`: the row's number in the scan, and
/// whether its key repeats.
const SCAN_ROW: &str = "_scan_row";
pub const REPEATS: &str = "_repeats";

/// Keys a pass of `repeated_keys` counts at most, roughly: what bounds the
/// memory of a check whatever the size of the table.
const KEYS_PER_PASS: u64 = 2_000_000;

/// The distinct values of `key` that occur more than once (nulls equal),
/// with `REPEATS` true. The key's rows are counted in ranges of its first
/// column, one pass over the scan each, so that no pass holds more than
/// about `keys_per_pass` of them: a repeated key lies within one range.
pub fn repeated_keys(
    lf: &LazyFrame,
    key: &[&str],
    rows_in: u64,
    keys_per_pass: u64,
    collect: &dyn Fn(LazyFrame) -> Result<DataFrame>,
) -> Result<DataFrame> {
    let key_cols: Vec<Expr> = key.iter().map(|k| col(*k)).collect();
    let Some(first) = key.first() else {
        return Err(crate::error::Error::other("a table without a copy probe"));
    };
    let passes = rows_in.div_ceil(keys_per_pass.max(1));
    let bounds = range_bounds(lf, first, rows_in, passes, collect)?;
    let mut found = Vec::new();
    for range in key_ranges(first, &bounds) {
        let counted = lf
            .clone()
            .select(key_cols.clone())
            .filter(range)
            .group_by(key_cols.clone())
            .agg([len().alias("_n")])
            .filter(col("_n").gt(lit(1)))
            .select(key_cols.clone())
            .with_column(lit(true).alias(REPEATS));
        found.push(collect(counted)?.lazy());
    }
    Ok(concat(found, UnionArgs::default())?.collect()?)
}

/// Values of `column` that cut its rows into about `passes` ranges of equal
/// size, ascending and distinct, from a sample of every so many rows (none
/// for one pass).
fn range_bounds(
    lf: &LazyFrame,
    column: &str,
    rows_in: u64,
    passes: u64,
    collect: &dyn Fn(LazyFrame) -> Result<DataFrame>,
) -> Result<Series> {
    const SAMPLES_PER_PASS: u64 = 1_000;
    if passes <= 1 {
        return Ok(Series::new_empty(column.into(), &DataType::Null));
    }
    const ROW: &str = "_row";
    let step = (rows_in / (passes * SAMPLES_PER_PASS)).max(1);
    let sample = collect(
        lf.clone()
            .select([col(column)])
            .with_row_index(ROW, None)
            .filter((col(ROW).cast(DataType::UInt64) % lit(step)).eq(lit(0u64)))
            .select([col(column)])
            .drop_nulls(None),
    )?;
    let sorted = sample
        .column(column)?
        .as_materialized_series()
        .sort(SortOptions::default())?;
    let n = sorted.len() as u64;
    let cuts: Vec<IdxSize> = (1..passes)
        .filter_map(|k| IdxSize::try_from(k * n / passes).ok())
        .collect();
    let cut = sorted.take_slice(&cuts)?;
    Ok(cut.unique_stable()?)
}

/// Filters of the ranges `bounds` cut `column` into, nulls in the first.
fn key_ranges(column: &str, bounds: &Series) -> Vec<Expr> {
    let bound = |i: usize| lit(bounds.slice(i as i64, 1)).first();
    let mut ranges = Vec::new();
    for i in 0..=bounds.len() {
        let above = if i == 0 {
            lit(true)
        } else {
            col(column).gt_eq(bound(i - 1))
        };
        let below = if i == bounds.len() {
            lit(true)
        } else {
            col(column).lt(bound(i))
        };
        let range = above.and(below);
        ranges.push(if i == 0 {
            range.or(col(column).is_null())
        } else {
            range
        });
    }
    ranges
}

/// The rows of the scan, numbered, with whether their key is `repeated`
/// (`REPEATS`) and whether they break a rule of their own (`BROKEN`);
/// reviews enriched first, as `check` does.
fn flagged_rows(
    lf: &LazyFrame,
    repeated: &DataFrame,
    spec: &TableSpec,
    cfg: &Config,
    standards: &Standards,
) -> Result<LazyFrame> {
    let mut lf = lf.clone().with_row_index(SCAN_ROW, None);
    if spec.name == contract::REVIEWS.name {
        lf = enrich_reviews(lf, standards)?;
    }
    let key: Vec<Expr> = spec.copy_probe.iter().map(|k| col(*k)).collect();
    // Order kept: the streaming engine then builds on the repeated keys.
    let args = JoinArgs {
        nulls_equal: true,
        ..ordered_join(JoinType::Left)
    };
    let broken = any_broken(&rules(spec, cfg, false));
    Ok(lf
        .join(repeated.clone().lazy(), key.clone(), key, args)
        .with_columns([col(REPEATS).fill_null(lit(false)), broken.alias(BROKEN)]))
}

/// Rejected rows of two sets, in the order of the files, without their
/// numbers.
fn in_file_order(a: DataFrame, b: DataFrame) -> Result<DataFrame> {
    let columns: Vec<Expr> = a
        .get_column_names()
        .into_iter()
        .map(|n| col(n.clone()))
        .collect();
    let b = b.lazy().select(columns.clone());
    Ok(concat([a.lazy(), b], UnionArgs::default())?
        .sort([SCAN_ROW], SortMultipleOptions::default())
        .drop(by_name([SCAN_ROW], true, false))
        .collect()?)
}

/// Whether `check_scan` can check the table: its rules look at one row at
/// a time (no conflict key, no enrichment).
pub fn streams(spec: &TableSpec) -> bool {
    spec.conflict_key.is_empty() && spec.name != contract::REVIEWS.name
}

/// The row numbers (column `row`) of those of `rows` that are exact copies
/// of an earlier row (in the contract columns): the ones to fold away.
fn copy_rows(rows: LazyFrame, contract_cols: &[Expr], row: &str) -> Result<Series> {
    let kept = rows
        .clone()
        .unique_stable_generic(Some(contract_cols.to_vec()), UniqueKeepStrategy::First)
        .select([col(row)]);
    let copies = rows
        .select([col(row)])
        .join(kept, [col(row)], [col(row)], JoinArgs::new(JoinType::Anti))
        .collect()?;
    Ok(copies.column(row)?.as_materialized_series().clone())
}

/// The scan without the rows numbered `rows` (usually none: the scan as it
/// is, without numbering its rows).
fn without_rows(lf: LazyFrame, rows: &Series, row: &str) -> LazyFrame {
    if rows.is_empty() {
        return lf;
    }
    lf.with_row_index(row, None)
        .filter(
            col(row)
                .is_in(lit(rows.clone()).implode(false), false)
                .not(),
        )
        .drop(by_name([row], true, false))
}

/// The rows with exact copies folded (the first kept, order kept), and
/// whether any value of the table's copy probe repeats. Comparing whole rows
/// (strings and all) costs far more than the rest of the checks, so only the
/// rows whose probe value repeats, usually none or a handful, are compared.
fn fold_exact_copies(raw: DataFrame, spec: &TableSpec) -> Result<(DataFrame, bool)> {
    const ROW: &str = "_row";
    let candidates = raw
        .clone()
        .lazy()
        .with_row_index(ROW, None)
        .filter(probe_repeats(&raw, spec.copy_probe)?)
        .collect()?;
    if candidates.height() == 0 {
        return Ok((raw, false));
    }
    let contract_cols: Vec<Expr> = spec.columns.iter().map(|c| col(c.name)).collect();
    let kept = candidates
        .clone()
        .lazy()
        .unique_stable_generic(Some(contract_cols), UniqueKeepStrategy::First)
        .select([col(ROW)]);
    let copies = candidates
        .lazy()
        .select([col(ROW)])
        .join(kept, [col(ROW)], [col(ROW)], JoinArgs::new(JoinType::Anti))
        .collect()?;
    if copies.height() == 0 {
        return Ok((raw, true));
    }
    let copies = copies.column(ROW)?.as_materialized_series().clone();
    let folded = raw
        .lazy()
        .with_row_index(ROW, None)
        .filter(col(ROW).is_in(lit(copies).implode(false), false).not())
        .drop(by_name([ROW], true, false))
        .collect()?;
    Ok((folded, true))
}

/// True on the rows whose probe value occurs more than once (nulls equal).
fn probe_repeats(raw: &DataFrame, probe: &[&str]) -> Result<Expr> {
    if let [column] = probe {
        let values = raw.column(column)?.as_materialized_series();
        if is_number(values.dtype()) {
            let repeated = repeated_values(values)?;
            return Ok(is_repeated(column, repeated, values.null_count() as u64));
        }
    }
    Ok(len_over_probe(probe)?)
}

/// `probe_repeats` over a scan, for `check_scan`. A numeric probe (a
/// timestamp) is counted, then read in passes by its value modulo the
/// number of passes, each sorting at most about `values_per_pass` values:
/// equal values fall in the same pass, and the memory stays bounded however
/// many rows the scan has. Only the probe column is read.
fn scan_probe_repeats(
    lf: &LazyFrame,
    probe: &[&str],
    values_per_pass: u64,
    collect: &dyn Fn(LazyFrame) -> Result<DataFrame>,
) -> Result<Expr> {
    let [column] = probe else {
        return Ok(len_over_probe(probe)?);
    };
    if !is_number(lf.clone().collect_schema()?.try_get(column)?) {
        return Ok(len_over_probe(probe)?);
    }
    // Rows, not values: a count the scan may answer from file metadata;
    // the nulls are counted in the first pass, which also reads them.
    let rows = count_of(
        &collect(
            lf.clone()
                .select([len().cast(DataType::UInt64).alias(ROWS)]),
        )?,
        ROWS,
    )?;
    let passes = rows.div_ceil(values_per_pass.max(1)).max(1);
    let mut repeated: Option<Series> = None;
    let mut nulls = 0;
    for pass in 0..passes {
        let values = lf.clone().select([col(*column)]);
        let values = if passes == 1 {
            values
        } else {
            let in_pass = value_pass(column, passes).eq(lit(pass));
            values.filter(in_pass.or(col(*column).is_null().and(lit(pass == 0))))
        };
        let values = collect(values)?;
        let values = values.column(column)?.as_materialized_series();
        nulls += values.null_count() as u64;
        let found = repeated_values(&values.drop_nulls())?;
        match repeated.as_mut() {
            Some(all) => {
                all.append(&found)?;
            }
            None => repeated = Some(found),
        }
    }
    match repeated {
        Some(repeated) => Ok(is_repeated(column, repeated, nulls)),
        None => Ok(lit(false)),
    }
}

/// Values of a numeric probe `check_scan` sorts at most a pass: 512 MB of
/// timestamps and their sorted copy; 3 M sessions a month is one pass.
const PROBE_VALUES_PER_PASS: u64 = 64_000_000;

/// A number's pass of `passes`, from its physical value. Polars' modulo
/// takes the divisor's sign, so a time before 1970 has a pass too.
fn value_pass(column: &str, passes: u64) -> Expr {
    let n = lit(i64::try_from(passes).unwrap_or(i64::MAX));
    (col(column).to_physical().cast(DataType::Int64) % n).cast(DataType::UInt64)
}

fn is_number(dtype: &DataType) -> bool {
    dtype.to_physical().is_primitive_numeric()
}

/// The distinct values of `values` that occur more than once. One number
/// per row (a timestamp): sorting them and comparing neighbours finds the
/// repeats much faster than grouping.
fn repeated_values(values: &Series) -> Result<Series> {
    let sorted = values
        .to_physical_repr()
        .drop_nulls()
        .sort(SortOptions::default())?;
    // Each value against the one before it, as two views of one column.
    let n = sorted.len().saturating_sub(1);
    let (later, earlier) = (sorted.slice(1, n), sorted.slice(0, n));
    let repeated = later.equal(&earlier)?;
    Ok(later.filter(&repeated)?.unique()?.cast(values.dtype())?)
}

/// True on the rows whose `column` is among the `repeated` values, or null
/// when more than one row is.
fn is_repeated(column: &str, repeated: Series, nulls: u64) -> Expr {
    col(column)
        .is_in(lit(repeated).implode(false), false)
        .or(col(column).is_null().and(lit(nulls > 1)))
}

/// `probe_repeats` for any probe: the rows per probe value (nulls equal).
fn len_over_probe(probe: &[&str]) -> PolarsResult<Expr> {
    let probe: Vec<Expr> = probe.iter().map(|k| col(*k)).collect();
    Ok(len().over(probe)?.gt(lit(1)))
}

/// Rejected rows by reason.
fn count_reasons(rejects: &DataFrame) -> Result<BTreeMap<String, u64>> {
    let mut by_reason = BTreeMap::new();
    if rejects.height() > 0 {
        let counts = rejects
            .clone()
            .lazy()
            .group_by([col(REASON)])
            .agg([len().alias("n")])
            .collect()?;
        let reasons = counts.column(REASON)?.str()?.clone();
        let ns = counts.column("n")?.cast(&DataType::UInt64)?;
        let ns = ns.u64()?;
        for (r, n) in reasons.iter().zip(ns.iter()) {
            if let (Some(r), Some(n)) = (r, n) {
                by_reason.insert(r.to_string(), n);
            }
        }
    }
    Ok(by_reason)
}

/// Rejected rows carry the index of their file; give them its path instead.
fn name_source_files(rejects: DataFrame, files: &[load::FileInfo]) -> Result<DataFrame> {
    let paths: Vec<Option<&str>> = rejects
        .column(SOURCE_INDEX)?
        .u32()?
        .iter()
        .map(|i| {
            i.and_then(|i| files.get(i as usize))
                .map(|f| f.path.as_str())
        })
        .collect();
    let mut rejects = rejects.drop(SOURCE_INDEX)?;
    rejects.with_column(Column::new(SOURCE_FILE.into(), paths))?;
    Ok(rejects)
}

/// Whether a row's conflict key is shared by another row that is not its
/// exact copy (copies are folded by then). Appeals: whether the same appeal
/// was both upheld and overturned (superseded rows are folded by then).
fn conflict_expr(spec: &TableSpec) -> Result<Expr> {
    if spec.name == contract::APPEALS.name {
        let outcome_in_key = |o: &str| col("outcome").eq(lit(o)).any(true).over(appeal_key());
        return Ok(valid_appeal()
            .and(outcome_in_key("upheld")?)
            .and(outcome_in_key("overturned")?));
    }
    let keys: Vec<Expr> = spec.conflict_key.iter().map(|k| col(*k)).collect();
    Ok(keys_present(spec.conflict_key).and(len().over(keys)?.gt(lit(1))))
}

fn keys_present(keys: &[&str]) -> Expr {
    keys.iter()
        .map(|k| col(*k).is_not_null())
        .reduce(Expr::and)
        .unwrap_or(lit(true))
}

/// An appeal row that breaks no row rule of its own: its key is complete
/// and its outcome known. Only such rows supersede or conflict.
fn valid_appeal() -> Expr {
    keys_present(contract::APPEALS.conflict_key)
        .and(one_of("outcome", &contract::OUTCOMES))
        .and(col(NONEXISTENT).not())
}

/// The appeal key, with validity: invalid rows form their own partitions.
fn appeal_key() -> Vec<Expr> {
    let mut key: Vec<Expr> = contract::APPEALS
        .conflict_key
        .iter()
        .map(|k| col(*k))
        .collect();
    key.push(valid_appeal());
    key
}

/// Later exports of one appeal: of the valid rows sharing a key, the one
/// that says most (decided before pending, then the latest `decided_at`)
/// is kept and the others are folded away, counted. A key both upheld and
/// overturned keeps all its rows, for the conflict rule to reject.
fn fold_superseded_appeals(rows: DataFrame) -> Result<(DataFrame, u64)> {
    const ROW: &str = "_row";
    let decided = one_of("outcome", &["upheld", "overturned"]);
    let order = SortMultipleOptions::default()
        .with_order_descending(true)
        .with_nulls_last(true)
        .with_maintain_order(true);
    let winner = col(ROW)
        .sort_by([decided, col("decided_at")], order)
        .first()
        .over(appeal_key())?;
    let superseded = valid_appeal()
        .and(conflict_expr(&contract::APPEALS)?.not())
        .and(col(ROW).neq(winner));
    let before = rows.height();
    let kept = rows
        .lazy()
        .with_row_index(ROW, None)
        .filter(superseded.not())
        .drop(by_name([ROW], true, false))
        .collect()?;
    let superseded = (before - kept.height()) as u64;
    Ok((kept, superseded))
}

/// Whether a row breaks any rule (a rule that cannot tell, on nulls, is
/// not broken).
fn any_broken(rules: &[(Expr, String)]) -> Expr {
    rules
        .iter()
        .map(|(rule, _)| rule.clone().fill_null(lit(false)))
        .reduce(Expr::or)
        .unwrap_or(lit(false))
}

/// The reason of the first rule a row breaks.
fn first_broken(rules: &[(Expr, String)]) -> Expr {
    let mut expr = lit(NULL).cast(DataType::String);
    for (broken, reason) in rules.iter().rev() {
        expr = when(broken.clone())
            .then(lit(reason.clone()))
            .otherwise(expr);
    }
    expr
}

/// The row rules with their reasons, in a fixed order: nonexistent local
/// times, null keys, conflicting duplicates (possible only when the copy probe, which is the
/// conflict key, `repeats`; flagged in `CONFLICT` beforehand), then the
/// table's value rules.
fn rules(spec: &TableSpec, cfg: &Config, repeats: bool) -> Vec<(Expr, String)> {
    // A nonexistent local time reads as null: say so before `null <column>`.
    let mut rules: Vec<(Expr, String)> =
        vec![(col(NONEXISTENT), reasons::NONEXISTENT_LOCAL_TIME.into())];
    for c in spec.columns.iter().filter(|c| !c.nullable) {
        rules.push((col(c.name).is_null(), reasons::null_key(c.name)));
    }
    if repeats && !spec.conflict_key.is_empty() {
        let reason = if spec.name == contract::APPEALS.name {
            reasons::CONFLICTING_OUTCOMES
        } else {
            reasons::CONFLICTING_DUPLICATE
        };
        rules.push((col(CONFLICT), reason.into()));
    }
    match spec.name {
        "sessions" => rules.extend(session_rules(cfg)),
        "reviews" => {
            rules.push((
                col("scorecard_version").is_null(),
                reasons::NO_SCORECARD.into(),
            ));
            rules.push((col("scale_min").is_null(), reasons::UNKNOWN_MODULE.into()));
            let score = col("score");
            rules.push((
                score
                    .clone()
                    .is_nan()
                    .or(score.clone().lt(col("scale_min")))
                    .or(score.clone().gt(col("scale_max")))
                    .or(score.clone().neq(score.round(0, RoundMode::HalfToEven)))
                    .fill_null(lit(false)),
                reasons::SCORE_OFF_SCALE.into(),
            ));
        }
        "messages" => rules.push((
            one_of("sender", &contract::SENDERS).not(),
            reasons::UNKNOWN_SENDER.into(),
        )),
        "appeals" => rules.push((
            one_of("outcome", &contract::OUTCOMES).not(),
            reasons::UNKNOWN_OUTCOME.into(),
        )),
        "agent_hours" => {
            let h = col("logged_in_hours");
            rules.push((
                h.clone()
                    .is_nan()
                    .or(h.clone().lt(lit(0.0)))
                    .or(h.gt(lit(24.0)))
                    .fill_null(lit(false)),
                reasons::HOURS_OUT_OF_RANGE.into(),
            ));
        }
        _ => {}
    }
    rules
}

/// The value rules of a session.
fn session_rules(cfg: &Config) -> Vec<(Expr, String)> {
    // In floating point: the difference of two far-apart instants in i64
    // microseconds could overflow.
    let micros = |c: &str| col(c).cast(DataType::Int64).cast(DataType::Float64);
    let longest = cfg
        .max_session()
        .num_microseconds()
        .map_or(f64::MAX, |us| us as f64);
    let first = col("first_response_s");
    vec![
        (
            col("business_line").eq(lit("ALL")),
            reasons::LINE_ALL_RESERVED.into(),
        ),
        (
            col("rating")
                .lt(lit(1))
                .or(col("rating").gt(lit(cfg.scale_max)))
                .fill_null(lit(false)),
            reasons::RATING_OUT_OF_RANGE.into(),
        ),
        (
            col("ended_at").lt(col("started_at")).fill_null(lit(false)),
            reasons::ENDED_BEFORE_STARTED.into(),
        ),
        (
            (micros("ended_at") - micros("started_at"))
                .gt(lit(longest))
                .fill_null(lit(false)),
            reasons::SESSION_TOO_LONG.into(),
        ),
        (
            first
                .clone()
                .is_finite()
                .not()
                .or(first.lt(lit(0.0)))
                .fill_null(lit(false)),
            reasons::FIRST_RESPONSE_INVALID.into(),
        ),
    ]
}

/// Attach the scorecard version in force at `reviewed_at` and the module's
/// definition in that version (null when the module is unknown to it), and
/// the module score normalised to 0..1.
fn enrich_reviews(lf: LazyFrame, standards: &Standards) -> Result<LazyFrame> {
    let mut version = lit(NULL).cast(DataType::String);
    for sc in &standards.scorecards {
        // Later versions are applied last, so they win where in force.
        version = when(col("reviewed_at").gt_eq(instant_lit(sc.effective_from_utc)))
            .then(lit(sc.version.clone()))
            .otherwise(version);
    }
    let mut v = Vec::new();
    let (mut id, mut group, mut scope, mut min, mut max, mut weight, mut name) =
        (vec![], vec![], vec![], vec![], vec![], vec![], vec![]);
    for sc in &standards.scorecards {
        for m in &sc.modules {
            let (a, b) = m.scale.bounds();
            v.push(sc.version.clone());
            id.push(m.id.clone());
            group.push(m.group.as_str());
            scope.push(m.scope.as_str());
            min.push(a as f64);
            max.push(b as f64);
            weight.push(m.weight);
            name.push(m.name.clone());
        }
    }
    let modules = DataFrame::new_infer_height(vec![
        Column::new("scorecard_version".into(), v),
        Column::new("module_id".into(), id),
        Column::new("module_group".into(), group),
        Column::new("module_scope".into(), scope),
        Column::new("scale_min".into(), min),
        Column::new("scale_max".into(), max),
        Column::new("weight".into(), weight),
        Column::new("module_name".into(), name),
    ])?
    .lazy();
    Ok(lf
        .with_column(version.alias("scorecard_version"))
        .join(
            modules,
            [col("scorecard_version"), col("module_id")],
            [col("scorecard_version"), col("module_id")],
            ordered_join(JoinType::Left),
        )
        .with_column(
            ((col("score") - col("scale_min")) / (col("scale_max") - col("scale_min")))
                .alias("normalised"),
        ))
}

/// The rows an absent optional table contributes: none, with the schema its
/// used rows would have (reviews enriched as usual), so that everything
/// derived from it runs unchanged and yields empty or null figures.
pub fn empty_used(spec: &TableSpec, standards: &Standards) -> Result<DataFrame> {
    let schema = Schema::from_iter(
        spec.columns
            .iter()
            .map(|c| Field::new(c.name.into(), load::canonical_dtype(c.kind))),
    );
    let lf = DataFrame::empty_with_schema(&schema).lazy();
    let lf = if spec.name == contract::REVIEWS.name {
        enrich_reviews(lf, standards)?
    } else {
        lf
    };
    Ok(lf.collect()?)
}

/// Load and check one table, narrowed to `window` (None: its whole history).
pub fn check_table(
    cfg: &Config,
    standards: &Standards,
    spec: &'static TableSpec,
    window: Option<&load::Window>,
) -> Result<Option<(Checked, load::LoadedFiles)>> {
    let Some(table) = load::load_table(cfg, spec, window)? else {
        return Ok(None);
    };
    let files = table.files_read();
    Ok(Some((check(table, cfg, standards)?, files)))
}
