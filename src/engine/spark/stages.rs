//! The SQL stages of queries/spark/, built into the binary in file-name
//! order (a test checks the list against the folder). Each file is one
//! SELECT whose result becomes the view its name ends with.

/// (file name, SQL).
pub const STAGES: &[(&str, &str)] = &[
    (
        "10_sessions_read.sql",
        include_str!("../../../queries/spark/10_sessions_read.sql"),
    ),
    (
        "11_sessions_checked.sql",
        include_str!("../../../queries/spark/11_sessions_checked.sql"),
    ),
    (
        "12_session_overrides.sql",
        include_str!("../../../queries/spark/12_session_overrides.sql"),
    ),
    (
        "13_sessions.sql",
        include_str!("../../../queries/spark/13_sessions.sql"),
    ),
    (
        "14_fcr_lines.sql",
        include_str!("../../../queries/spark/14_fcr_lines.sql"),
    ),
    (
        "15_period.sql",
        include_str!("../../../queries/spark/15_period.sql"),
    ),
    (
        "20_reviews_read.sql",
        include_str!("../../../queries/spark/20_reviews_read.sql"),
    ),
    (
        "21_reviews_checked.sql",
        include_str!("../../../queries/spark/21_reviews_checked.sql"),
    ),
    (
        "22_review_modules.sql",
        include_str!("../../../queries/spark/22_review_modules.sql"),
    ),
    (
        "23_review_scores.sql",
        include_str!("../../../queries/spark/23_review_scores.sql"),
    ),
    (
        "30_messages_read.sql",
        include_str!("../../../queries/spark/30_messages_read.sql"),
    ),
    (
        "31_messages_checked.sql",
        include_str!("../../../queries/spark/31_messages_checked.sql"),
    ),
    (
        "32_reply_events.sql",
        include_str!("../../../queries/spark/32_reply_events.sql"),
    ),
    (
        "40_agent_hours_read.sql",
        include_str!("../../../queries/spark/40_agent_hours_read.sql"),
    ),
    (
        "41_agent_hours_checked.sql",
        include_str!("../../../queries/spark/41_agent_hours_checked.sql"),
    ),
    (
        "42_agent_time.sql",
        include_str!("../../../queries/spark/42_agent_time.sql"),
    ),
    (
        "50_repeat_causes_read.sql",
        include_str!("../../../queries/spark/50_repeat_causes_read.sql"),
    ),
    (
        "51_repeat_causes_checked.sql",
        include_str!("../../../queries/spark/51_repeat_causes_checked.sql"),
    ),
    (
        "52_repeat_causes.sql",
        include_str!("../../../queries/spark/52_repeat_causes.sql"),
    ),
    (
        "53_appeals_read.sql",
        include_str!("../../../queries/spark/53_appeals_read.sql"),
    ),
    (
        "54_appeals_checked.sql",
        include_str!("../../../queries/spark/54_appeals_checked.sql"),
    ),
    (
        "55_appeals.sql",
        include_str!("../../../queries/spark/55_appeals.sql"),
    ),
    (
        "60_calibration_ratings.sql",
        include_str!("../../../queries/spark/60_calibration_ratings.sql"),
    ),
    (
        "61_daily_first_response_sla.sql",
        include_str!("../../../queries/spark/61_daily_first_response_sla.sql"),
    ),
    (
        "62_month_overrides.sql",
        include_str!("../../../queries/spark/62_month_overrides.sql"),
    ),
    (
        "70_check_counts.sql",
        include_str!("../../../queries/spark/70_check_counts.sql"),
    ),
    (
        "71_reject_reasons.sql",
        include_str!("../../../queries/spark/71_reject_reasons.sql"),
    ),
    (
        "72_blank_counts.sql",
        include_str!("../../../queries/spark/72_blank_counts.sql"),
    ),
    (
        "73_check_flags.sql",
        include_str!("../../../queries/spark/73_check_flags.sql"),
    ),
    (
        "80_rejects_sessions.sql",
        include_str!("../../../queries/spark/80_rejects_sessions.sql"),
    ),
    (
        "81_rejects_reviews.sql",
        include_str!("../../../queries/spark/81_rejects_reviews.sql"),
    ),
    (
        "82_rejects_repeat_causes.sql",
        include_str!("../../../queries/spark/82_rejects_repeat_causes.sql"),
    ),
    (
        "83_rejects_messages.sql",
        include_str!("../../../queries/spark/83_rejects_messages.sql"),
    ),
    (
        "84_rejects_appeals.sql",
        include_str!("../../../queries/spark/84_rejects_appeals.sql"),
    ),
    (
        "85_rejects_agent_hours.sql",
        include_str!("../../../queries/spark/85_rejects_agent_hours.sql"),
    ),
];

/// The view a stage file defines: `10_sessions_read.sql` → `sessions_read`.
pub fn view_of(file: &str) -> &str {
    let name = file.strip_suffix(".sql").unwrap_or(file);
    match name.split_once('_') {
        Some((n, view)) if n.chars().all(|c| c.is_ascii_digit()) => view,
        _ => name,
    }
}

/// The stage views computed once and cut from their lineage: later stages
/// and the pack's queries then plan against a short plan, not the whole
/// chain of views (with `cache()` alone, planning dominated: 165 s against
/// 23 s on the bundled data).
pub const CHECKPOINTED: [&str; 11] = [
    "sessions_checked",
    "sessions",
    "reviews_checked",
    "messages_checked",
    "appeals_checked",
    "repeat_causes_checked",
    "agent_hours_checked",
    "review_modules",
    "review_scores",
    "reply_events",
    "agent_time",
];
