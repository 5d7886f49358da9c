//! Response-time SLAs judged against the standard in force when the session
//! started: the base thresholds, or a temporary emergency override (紧急型
//!变更) for its line and time window. Later overrides win where they overlap.

use polars::prelude::*;

use crate::load::{instant_lit, ordered_join};
use crate::standards::Sla;

/// Threshold columns `first_response_threshold_s` and `reply_threshold_s`
/// for sessions with `started_at` and `business_line`, plus `sla_override`
/// (the reason of the override in force, null when none).
pub fn thresholds(sla: &Sla) -> Vec<Expr> {
    let mut first = lit(sla.first_response_s);
    let mut reply = lit(sla.reply_s);
    let mut reason = lit(NULL).cast(DataType::String);
    for o in &sla.overrides {
        let mut applies = col("started_at")
            .gt_eq(instant_lit(o.from))
            .and(col("started_at").lt(instant_lit(o.to)));
        if let Some(line) = &o.business_line {
            applies = applies.and(col("business_line").eq(lit(line.clone())));
        }
        if let Some(v) = o.first_response_s {
            first = when(applies.clone()).then(lit(v)).otherwise(first);
        }
        if let Some(v) = o.reply_s {
            reply = when(applies.clone()).then(lit(v)).otherwise(reply);
        }
        reason = when(applies).then(lit(o.reason.clone())).otherwise(reason);
    }
    vec![
        first.alias("first_response_threshold_s"),
        reply.alias("reply_threshold_s"),
        reason.alias("sla_override"),
    ]
}

/// Reply events: among a session's agent messages, those that answer a
/// customer (at least one customer message since the previous agent
/// message), leaving out the session's first answer, timed from the first
/// customer message since the previous agent message. Bot and system
/// messages are ignored. At equal timestamps a customer message counts as
/// sent before the agent's. Output: session_id, reply_s.
pub fn reply_events(messages: LazyFrame) -> PolarsResult<LazyFrame> {
    let ordered = messages
        .filter(col("sender").is_in(
            lit(Series::new("s".into(), ["customer", "agent"])).implode(false),
            false,
        ))
        .with_column(col("sender").eq(lit("agent")).alias("_agent"))
        .sort(
            ["session_id", "sent_at", "_agent"],
            SortMultipleOptions::default().with_maintain_order(true),
        )
        // Agent messages before this one in the session.
        .with_column(
            (col("_agent")
                .cast(DataType::UInt32)
                .cum_sum(false)
                .over([col("session_id")])?
                - col("_agent").cast(DataType::UInt32))
            .alias("_segment"),
        );
    let asked = ordered
        .clone()
        .filter(col("_agent").not())
        .group_by([col("session_id"), col("_segment")])
        .agg([col("sent_at").min().alias("_asked_at")]);
    let answers = ordered.filter(col("_agent")).join(
        asked,
        [col("session_id"), col("_segment")],
        [col("session_id"), col("_segment")],
        ordered_join(JoinType::Inner),
    );
    Ok(answers
        // The first answer of a session is its first response, not a reply.
        .filter(col("_segment").neq(col("_segment").min().over([col("session_id")])?))
        .select([
            col("session_id"),
            ((col("sent_at").cast(DataType::Int64) - col("_asked_at").cast(DataType::Int64))
                .cast(DataType::Float64)
                / lit(1e6))
            .alias("reply_s"),
        ]))
}
