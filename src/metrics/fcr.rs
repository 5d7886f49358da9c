//! First-contact resolution and repeat visits: the one definition of both in
//! the codebase.
//!
//! Sessions of one key (the customer, or the customer and business line) are
//! ordered by (`started_at`, `session_id`). A session is *followed* when the
//! next session of its key starts no later than `window` after its anchor
//! (`ended_at`, else `started_at`); since the next session is the earliest
//! later one, no other later session needs checking. A session is a *repeat
//! visit* when it starts no later than `window` after the latest anchor of
//! the sessions before it, and `repeat_of` names the session with that
//! anchor (whose window it falls in): not always the previous session, when
//! a long session overlaps shorter ones. Anonymous sessions are neither.

use polars::prelude::*;

use crate::columns::micros;
use crate::config::FcrScope;

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
/// false for anonymous) and `repeat_of` (when a repeat, the earlier session
/// of the key with the latest anchor; on equal anchors the later one in
/// (`started_at`, `session_id`) order) to a frame of sessions with `session_id`, `customer_id`,
/// `business_line`, `started_at` and `ended_at`, in the same row order.
pub fn repeat_flags(
    sessions: LazyFrame,
    scope: FcrScope,
    window_hours: u32,
) -> PolarsResult<LazyFrame> {
    let mut df = sessions.collect()?;
    for flag in flags(&df, scope, window_hours)? {
        df.with_column(flag)?;
    }
    Ok(df.lazy())
}

/// One pass over the sessions sorted by (key, `started_at`, `session_id`).
/// Keys are numbered first, so the sort compares numbers (ids only on equal
/// starts) and moves small records, and the pass reads them in order.
fn flags(df: &DataFrame, scope: FcrScope, window_hours: u32) -> PolarsResult<[Column; 3]> {
    let window_us = i64::from(window_hours)
        .checked_mul(3_600_000_000)
        .ok_or_else(|| polars_err!(ComputeError: "window_hours = {window_hours} is too large"))?;
    let n = df.height();
    let ids: Vec<Option<&str>> = df.column("session_id")?.str()?.iter().collect();
    let customers = df.column("customer_id")?.str()?;
    let lines: Vec<Option<&str>> = match scope {
        FcrScope::Customer => vec![None; n],
        FcrScope::CustomerBusinessLine => df.column("business_line")?.str()?.iter().collect(),
    };
    let starts = micros(df, "started_at")?;
    let ends = micros(df, "ended_at")?;

    // (key number, start, anchor, row) of every session with a customer and
    // a start; anonymous sessions are neither followed nor repeats, and a
    // session without a start was rejected before it got here.
    let mut numbers: PlHashMap<(&str, Option<&str>), u32> = PlHashMap::with_capacity(n / 2);
    let mut visits: Vec<(u32, i64, i64, u32)> = Vec::with_capacity(n);
    for (row, customer) in customers.iter().enumerate() {
        let (Some(customer), Some(start)) = (customer, starts[row]) else {
            continue;
        };
        let next = numbers.len() as u32;
        let key = *numbers.entry((customer, lines[row])).or_insert(next);
        let anchor = ends[row].unwrap_or(start);
        visits.push((key, start, anchor, row as u32));
    }
    visits.sort_unstable_by(|a, b| {
        (a.0, a.1)
            .cmp(&(b.0, b.1))
            .then_with(|| ids[a.3 as usize].cmp(&ids[b.3 as usize]))
    });

    let mut followed: Vec<Option<bool>> = vec![None; n];
    let mut is_repeat = vec![false; n];
    let mut repeat_of: Vec<Option<&str>> = vec![None; n];
    // The latest anchor among the key's sessions so far, and its row: the
    // session whose window is still open longest. `>=` lets the later of
    // equal anchors (in sort order) take over.
    let (mut latest, mut latest_row) = (i64::MIN, 0usize);
    for (i, &(key, start, anchor, row)) in visits.iter().enumerate() {
        let row = row as usize;
        followed[row] = Some(false);
        match i.checked_sub(1).map(|p| visits[p]) {
            Some((prev_key, _, prev_anchor, prev_row)) if prev_key == key => {
                followed[prev_row as usize] = Some(start <= prev_anchor.saturating_add(window_us));
                if start <= latest.saturating_add(window_us) {
                    is_repeat[row] = true;
                    repeat_of[row] = ids[latest_row];
                }
                if anchor >= latest {
                    (latest, latest_row) = (anchor, row);
                }
            }
            _ => (latest, latest_row) = (anchor, row),
        }
    }
    Ok([
        Column::new(FOLLOWED.into(), followed),
        Column::new(IS_REPEAT.into(), is_repeat),
        Column::new(REPEAT_OF.into(), repeat_of),
    ])
}
