//! Response-time SLAs judged against the standard in force when the session
//! started: the base thresholds, or a temporary emergency override (紧急型
//!变更) for its line and time window. Later overrides win where they overlap.

use polars::prelude::*;

use crate::load::{instant_lit, local_parts, one_of, ordered_join};
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
/// sent before the agent's.
///
/// `sessions` are the sessions whose replies are wanted, with `session_id`
/// and any columns to carry; the output is one row per reply event with
/// those columns and `reply_s`. Messages of other sessions are left out.
///
/// The messages are numbered by session and narrowed to (session number,
/// time, is agent) by the streaming engine, whose hash join is the fastest
/// way to match millions of session ids; then a sort on those three
/// primitive columns and a few shifts find the events.
pub fn reply_events(messages: LazyFrame, sessions: LazyFrame) -> PolarsResult<LazyFrame> {
    let sessions = sessions.with_row_index(SESSION, None);
    let numbered = sessions.clone().select([col("session_id"), col(SESSION)]);
    let narrow = crate::load::collect_streaming(numbered_times(message_times(messages), numbered))?;
    Ok(with_sessions(replies(narrow.lazy()), sessions))
}

/// The session number `reply_events` gives each session (a row index).
pub const SESSION: &str = "_session";

/// Customer and agent messages as (`session_id`, `_t` microseconds,
/// `_agent`): all that reply events are found from.
pub fn message_times(messages: LazyFrame) -> LazyFrame {
    messages
        .filter(one_of("sender", &["customer", "agent"]))
        .select([
            col("session_id"),
            col("sent_at").cast(DataType::Int64).alias("_t"),
            col("sender").eq(lit("agent")).alias("_agent"),
        ])
}

/// The `message_times` of the `numbered` sessions (`session_id`,
/// `SESSION`), as (`SESSION`, `_t`, `_agent`).
pub fn numbered_times(times: LazyFrame, numbered: LazyFrame) -> LazyFrame {
    times
        .join(
            numbered,
            [col("session_id")],
            [col("session_id")],
            // The hash table on the sessions; the messages stream past it.
            JoinArgs {
                build_side: Some(JoinBuildSide::ForceRight),
                ..JoinArgs::new(JoinType::Inner)
            },
        )
        .select([col(SESSION), col("_t"), col("_agent")])
}

/// The reply events (`SESSION`, `reply_s`) of `narrow` messages, which hold
/// every message of each of their sessions.
pub fn replies(narrow: LazyFrame) -> LazyFrame {
    let agent = col("_agent");
    let same_session = col(SESSION)
        .eq(col(SESSION).shift(lit(1)))
        .fill_null(lit(false));
    let after_agent = agent.clone().shift(lit(1)).fill_null(lit(false));
    let time = col("_t");
    narrow
        .sort([SESSION, "_t", "_agent"], SortMultipleOptions::default())
        // An exact copy of a message (a scan of the files still holds them)
        // is the message itself: keep one, and the order is fully determined.
        .filter(
            same_session
                .clone()
                .and(time.clone().eq(time.clone().shift(lit(1))))
                .and(agent.clone().eq(agent.clone().shift(lit(1))))
                .not(),
        )
        .with_columns([
            // A customer message that opens a question: the session's first
            // message, or the first since an agent message.
            when(
                agent
                    .clone()
                    .not()
                    .and(same_session.clone().not().or(after_agent.clone())),
            )
            .then(time.clone())
            .otherwise(lit(NULL).cast(DataType::Int64))
            .fill_null_with_strategy(FillNullStrategy::Forward(None))
            .alias("_opened"),
            // An agent message right after a customer message answers it.
            agent
                .clone()
                .and(same_session)
                .and(after_agent.not())
                .alias("_answer"),
        ])
        // The question an answer closes opened at the previous row's value.
        .with_column(col("_opened").shift(lit(1)).alias("_asked_at"))
        .filter(col("_answer"))
        // The first answer of a session is its first response, not a reply.
        .filter(
            col(SESSION)
                .eq(col(SESSION).shift(lit(1)))
                .fill_null(lit(false)),
        )
        .select([
            col(SESSION),
            ((time - col("_asked_at")).cast(DataType::Float64) / lit(1e6)).alias("reply_s"),
        ])
}

/// `replies` with the columns of their numbered `sessions`, in reply order.
pub fn with_sessions(replies: LazyFrame, sessions: LazyFrame) -> LazyFrame {
    replies
        .join(
            sessions,
            [col(SESSION)],
            [col(SESSION)],
            ordered_join(JoinType::Inner),
        )
        .drop(by_name([SESSION], true, false))
}

/// First-response SLA per local day of `month` ("YYYY-MM"), by line and for
/// `ALL`: sessions with a first response within the threshold in force
/// when they started (`met`) over sessions with a first response (`n`), as
/// `sla`. Columns: business_line, local_date, met, n, sla.
pub fn daily_first_response_sla(
    sessions: LazyFrame,
    standards: &Sla,
    month: &str,
    tz: chrono_tz::Tz,
) -> PolarsResult<DataFrame> {
    let timed = sessions
        .with_columns(local_parts("started_at", tz, "local_"))
        .filter(
            col("local_month")
                .eq(lit(month.to_string()))
                .and(col("first_response_s").is_not_null()),
        )
        .with_columns(thresholds(standards))
        .with_column(
            col("first_response_s")
                .cast(DataType::Float64)
                .lt_eq(col("first_response_threshold_s"))
                .cast(DataType::Int64)
                .alias("met"),
        );
    let per_day = |lf: LazyFrame, line: Expr| {
        lf.group_by([line.alias("business_line"), col("local_date")])
            .agg([col("met").sum(), len().cast(DataType::Int64).alias("n")])
    };
    let by_line = per_day(timed.clone(), col("business_line").cast(DataType::String));
    let all = per_day(timed, lit("ALL"));
    let daily = concat([by_line, all], UnionArgs::default())?
        .with_column(
            (col("met").cast(DataType::Float64) / col("n").cast(DataType::Float64)).alias("sla"),
        )
        .sort(
            ["business_line", "local_date"],
            SortMultipleOptions::default(),
        );
    // Streamed (the sessions may be a scan of working files): integer sums,
    // the same in any order.
    crate::load::collect_streaming(daily)
}
