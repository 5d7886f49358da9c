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

/// What a key's sessions so far leave for the next one.
struct KeyState {
    /// The latest anchor among them.
    latest_anchor: i64,
    /// The row of the last of them.
    last_row: usize,
}

/// One pass over the sessions in (`started_at`, `session_id`) order, with
/// the state of each key in a hash map: sorting one number column and a
/// lookup per session, where sorting by key, time and id costs several
/// times as much on months of sessions.
fn flags(df: &DataFrame, scope: FcrScope, window_hours: u32) -> PolarsResult<[Column; 3]> {
    let window_us = i64::from(window_hours) * 3_600_000_000;
    let ids: Vec<Option<&str>> = df.column("session_id")?.str()?.iter().collect();
    let customers: Vec<Option<&str>> = df.column("customer_id")?.str()?.iter().collect();
    let lines: Vec<Option<&str>> = match scope {
        FcrScope::Customer => vec![None; df.height()],
        FcrScope::CustomerBusinessLine => df.column("business_line")?.str()?.iter().collect(),
    };
    let micros = |name: &str| -> PolarsResult<Vec<Option<i64>>> {
        Ok(df
            .column(name)?
            .cast(&DataType::Int64)?
            .i64()?
            .iter()
            .collect())
    };
    let starts = micros("started_at")?;
    let ends = micros("ended_at")?;
    let anchor = |i: usize| ends[i].or(starts[i]);

    let mut order: Vec<usize> = (0..df.height()).collect();
    order.sort_unstable_by(|&a, &b| starts[a].cmp(&starts[b]).then_with(|| ids[a].cmp(&ids[b])));

    let n = df.height();
    let mut followed: Vec<Option<bool>> = vec![None; n];
    let mut is_repeat = vec![false; n];
    let mut repeat_of: Vec<Option<&str>> = vec![None; n];
    let mut keys: std::collections::HashMap<(&str, Option<&str>), KeyState> =
        std::collections::HashMap::new();
    for i in order {
        // Anonymous sessions are neither followed nor repeats; a session
        // without a start was rejected before it got here.
        let (Some(customer), Some(start), Some(anchor_i)) = (customers[i], starts[i], anchor(i))
        else {
            continue;
        };
        followed[i] = Some(false);
        match keys.entry((customer, lines[i])) {
            std::collections::hash_map::Entry::Occupied(mut e) => {
                let key = e.get_mut();
                let prev = key.last_row;
                followed[prev] = Some(anchor(prev).is_some_and(|a| start <= a + window_us));
                if start <= key.latest_anchor + window_us {
                    is_repeat[i] = true;
                    repeat_of[i] = ids[prev];
                }
                key.latest_anchor = key.latest_anchor.max(anchor_i);
                key.last_row = i;
            }
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(KeyState {
                    latest_anchor: anchor_i,
                    last_row: i,
                });
            }
        }
    }
    Ok([
        Column::new(FOLLOWED.into(), followed),
        Column::new(IS_REPEAT.into(), is_repeat),
        Column::new(REPEAT_OF.into(), repeat_of),
    ])
}
