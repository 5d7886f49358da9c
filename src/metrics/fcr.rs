//! First-contact resolution and repeat visits: the one definition of both in
//! the codebase.
//!
//! Sessions of one key (the customer, or the customer and business line) are
//! ordered by (`started_at`, `session_id`). A session is *followed* when the
//! next session of its key starts no later than `window` after its anchor
//! (`ended_at`, else `started_at`); since the next session is the earliest
//! later one, no other later session needs checking. A session is a *repeat
//! visit* when it starts no later than `window` after the latest anchor of
//! the sessions before it. Anonymous sessions are neither.

use polars::prelude::*;

use crate::config::FcrScope;
use crate::load::ordered_join;

pub const FOLLOWED: &str = "followed";
pub const IS_REPEAT: &str = "is_repeat";
pub const REPEAT_OF: &str = "repeat_of";

pub fn scope_keys(scope: FcrScope) -> Vec<&'static str> {
    match scope {
        FcrScope::Customer => vec!["customer_id"],
        FcrScope::CustomerBusinessLine => vec!["customer_id", "business_line"],
    }
}

/// Adds `followed` (bool, null for anonymous sessions), `is_repeat` (bool,
/// false for anonymous) and `repeat_of` (the previous session of the key
/// when a repeat) to a frame of sessions with `session_id`, `customer_id`,
/// `business_line`, `started_at` and `ended_at`, in the same row order.
///
/// Only the columns the flags need are sorted; the flags are joined back by
/// row number, so the frame's other columns are never copied by the sort.
pub fn repeat_flags(
    sessions: LazyFrame,
    scope: FcrScope,
    window_hours: u32,
) -> PolarsResult<LazyFrame> {
    const ROW: &str = "_row";
    let sessions = sessions.with_row_index(ROW, None);
    let keys = scope_keys(scope);
    let window_us = i64::from(window_hours) * 3_600_000_000;
    let mut order: Vec<PlSmallStr> = keys.iter().map(|k| (*k).into()).collect();
    order.push("started_at".into());
    order.push("session_id".into());

    let same_as = |offset: i64| {
        keys.iter()
            .map(|k| col(*k).shift(lit(offset)).eq(col(*k)))
            .reduce(Expr::and)
            .unwrap_or(lit(false))
            .fill_null(lit(false))
    };
    let start_us = col("started_at").cast(DataType::Int64);
    let anchor_us = col("ended_at")
        .fill_null(col("started_at"))
        .cast(DataType::Int64);
    let known = col("customer_id").is_not_null();

    let mut sorted = sessions
        .clone()
        .select([
            col(ROW),
            col("session_id"),
            col("customer_id"),
            col("business_line"),
            col("started_at"),
            col("ended_at"),
        ])
        .sort(
            order,
            SortMultipleOptions::default()
                .with_nulls_last(true)
                .with_maintain_order(true),
        )
        .with_columns([
            same_as(-1).alias("_same_next"),
            same_as(1).alias("_same_prev"),
            start_us.clone().shift(lit(-1)).alias("_next_start"),
            anchor_us.alias("_anchor"),
        ])
        .collect()?;
    let latest = latest_anchor_before(&sorted)?;
    sorted.with_column(latest)?;

    let flags = sorted
        .lazy()
        .with_columns([
            when(known.clone())
                .then(
                    col("_same_next").and(
                        col("_next_start")
                            .lt_eq(col("_anchor") + lit(window_us))
                            .fill_null(lit(false)),
                    ),
                )
                .otherwise(lit(NULL).cast(DataType::Boolean))
                .alias(FOLLOWED),
            known
                .and(
                    start_us
                        .lt_eq(col("_latest_before") + lit(window_us))
                        .fill_null(lit(false)),
                )
                .alias(IS_REPEAT),
        ])
        .with_column(
            when(col(IS_REPEAT))
                .then(col("session_id").shift(lit(1)))
                .otherwise(lit(NULL).cast(DataType::String))
                .alias(REPEAT_OF),
        )
        .select([col(ROW), col(FOLLOWED), col(IS_REPEAT), col(REPEAT_OF)]);
    Ok(sessions
        .join(flags, [col(ROW)], [col(ROW)], ordered_join(JoinType::Left))
        .drop(by_name([ROW], true, false)))
}

/// `_latest_before`: the latest anchor among the earlier sessions of the
/// row's key (null for a key's first session), over rows sorted by key and
/// start. One pass with a running maximum that restarts at each new key;
/// the same as a cumulative maximum over the key, shifted by one, without
/// grouping millions of rows by key.
fn latest_anchor_before(sorted: &DataFrame) -> PolarsResult<Column> {
    let same_prev = sorted.column("_same_prev")?.bool()?;
    let anchor = sorted.column("_anchor")?.i64()?;
    let mut latest: Option<i64> = None;
    let out: Int64Chunked = same_prev
        .iter()
        .zip(anchor.iter())
        .map(|(same, a)| {
            if same != Some(true) {
                latest = None;
            }
            let before = latest;
            latest = latest.max(a);
            before
        })
        .collect();
    Ok(out.with_name("_latest_before".into()).into_column())
}
