//! Repeat visits and FCR flags on hand-built sessions: the 72 h edge, equal
//! start times, null ended_at, anonymous customers, both scopes.

use csqa::config::FcrScope;
use csqa::metrics::fcr::repeat_flags;
use polars::prelude::*;

use crate::common::*;

fn flags(scope: FcrScope) -> DataFrame {
    // c1: s1 ends 10-01 10:00; s2 starts exactly 72 h later (a repeat);
    //     s3 starts 72 h + 1 s after s2 ends (not a repeat).
    // c2: s4 and s5 start at the same instant: s4 < s5 by id, so s4 is
    //     followed and s5 a repeat; s5 has no ended_at.
    // c3: s6 in line a, s7 in line b an hour later: a repeat only when the
    //     scope is the customer alone.
    // anonymous s8, s9 at the same time: never repeats, never in FCR.
    // c4: s10 is long (10-01 to 10-05) and overlaps s12 (10-02, ten
    //     minutes); s11 starts 10-06, within 72 h of s10's end though more
    //     than 72 h after s12's: a repeat of s10, whose window it falls in.
    // c6: s13 (10-10 to 10-12) and s14 (10-11 to 10-12) end at the same
    //     instant; s16 (10-11 12:00 to 13:00) comes between; s15 starts
    //     10-14, within 72 h of the equal latest anchors: a repeat of s14,
    //     the later of the two in (started_at, session_id) order.
    let df = DataFrame::new_infer_height(vec![
        str_col(
            "session_id",
            &[
                Some("s1"),
                Some("s2"),
                Some("s3"),
                Some("s4"),
                Some("s5"),
                Some("s6"),
                Some("s7"),
                Some("s8"),
                Some("s9"),
                Some("s10"),
                Some("s11"),
                Some("s12"),
                Some("s13"),
                Some("s14"),
                Some("s15"),
                Some("s16"),
            ],
        ),
        str_col(
            "customer_id",
            &[
                Some("c1"),
                Some("c1"),
                Some("c1"),
                Some("c2"),
                Some("c2"),
                Some("c3"),
                Some("c3"),
                None,
                None,
                Some("c4"),
                Some("c4"),
                Some("c4"),
                Some("c6"),
                Some("c6"),
                Some("c6"),
                Some("c6"),
            ],
        ),
        str_col(
            "business_line",
            &[
                Some("a"),
                Some("a"),
                Some("a"),
                Some("a"),
                Some("a"),
                Some("a"),
                Some("b"),
                Some("a"),
                Some("a"),
                Some("a"),
                Some("a"),
                Some("a"),
                Some("a"),
                Some("a"),
                Some("a"),
                Some("a"),
            ],
        ),
        ts_col(
            "started_at",
            &[
                Some("2026-10-01T09:00:00Z"),
                Some("2026-10-04T10:00:00Z"),
                Some("2026-10-07T10:30:01Z"),
                Some("2026-10-02T08:00:00Z"),
                Some("2026-10-02T08:00:00Z"),
                Some("2026-10-03T08:00:00Z"),
                Some("2026-10-03T09:00:00Z"),
                Some("2026-10-03T08:00:00Z"),
                Some("2026-10-03T08:00:00Z"),
                Some("2026-10-01T00:00:00Z"),
                Some("2026-10-06T00:00:00Z"),
                Some("2026-10-02T00:00:00Z"),
                Some("2026-10-10T00:00:00Z"),
                Some("2026-10-11T00:00:00Z"),
                Some("2026-10-14T00:00:00Z"),
                Some("2026-10-11T12:00:00Z"),
            ],
        ),
        ts_col(
            "ended_at",
            &[
                Some("2026-10-01T10:00:00Z"),
                Some("2026-10-04T10:30:00Z"),
                Some("2026-10-07T11:00:00Z"),
                Some("2026-10-02T08:10:00Z"),
                None,
                Some("2026-10-03T08:10:00Z"),
                Some("2026-10-03T09:10:00Z"),
                None,
                None,
                Some("2026-10-05T00:00:00Z"),
                Some("2026-10-06T00:10:00Z"),
                Some("2026-10-02T00:10:00Z"),
                Some("2026-10-12T00:00:00Z"),
                Some("2026-10-12T00:00:00Z"),
                Some("2026-10-14T00:10:00Z"),
                Some("2026-10-11T13:00:00Z"),
            ],
        ),
    ])
    .expect("frame");
    repeat_flags(df.lazy(), scope, 72)
        .expect("plan")
        .sort(["session_id"], Default::default())
        .collect()
        .expect("collect")
}

fn get(df: &DataFrame, id: &str) -> (Option<bool>, Option<bool>, Option<String>) {
    let i = row_where(df, "session_id", id);
    let b = |c: &str| df.column(c).expect(c).bool().expect("bool").get(i);
    (b("followed"), b("is_repeat"), str_at(df, "repeat_of", i))
}

#[test]
fn exact_72h_is_a_repeat_one_second_more_is_not() {
    let df = flags(FcrScope::Customer);
    assert_eq!(get(&df, "s1"), (Some(true), Some(false), None));
    assert_eq!(get(&df, "s2"), (Some(false), Some(true), Some("s1".into())));
    assert_eq!(get(&df, "s3"), (Some(false), Some(false), None));
}

#[test]
fn equal_start_times_are_ordered_by_session_id() {
    let df = flags(FcrScope::Customer);
    assert_eq!(get(&df, "s4"), (Some(true), Some(false), None));
    // s5 has no ended_at: its anchor is its start; nothing follows it.
    assert_eq!(get(&df, "s5"), (Some(false), Some(true), Some("s4".into())));
}

#[test]
fn anonymous_sessions_are_never_repeats_and_not_in_fcr() {
    let df = flags(FcrScope::Customer);
    assert_eq!(get(&df, "s8"), (None, Some(false), None));
    assert_eq!(get(&df, "s9"), (None, Some(false), None));
}

#[test]
fn scope_decides_whether_another_line_counts() {
    let by_customer = flags(FcrScope::Customer);
    assert_eq!(get(&by_customer, "s6"), (Some(true), Some(false), None));
    assert_eq!(
        get(&by_customer, "s7"),
        (Some(false), Some(true), Some("s6".into()))
    );
    let by_line = flags(FcrScope::CustomerBusinessLine);
    assert_eq!(get(&by_line, "s6"), (Some(false), Some(false), None));
    assert_eq!(get(&by_line, "s7"), (Some(false), Some(false), None));
}

#[test]
fn a_long_earlier_session_keeps_the_window_open() {
    let df = flags(FcrScope::Customer);
    // Order: s10 (10-01), s12 (10-02), s11 (10-06).
    assert_eq!(get(&df, "s10"), (Some(true), Some(false), None));
    // s12 starts within 72 h of s10's end: a repeat; s11 within 72 h of
    // s10's end (10-05) though 4 days after s12's end: a repeat too, and of
    // s10 (anchor 10-05), not of the previous session s12 (anchor 10-02).
    assert_eq!(
        get(&df, "s12"),
        (Some(false), Some(true), Some("s10".into()))
    );
    assert_eq!(
        get(&df, "s11"),
        (Some(false), Some(true), Some("s10".into()))
    );
}

#[test]
fn equal_latest_anchors_name_the_later_session() {
    let df = flags(FcrScope::Customer);
    // Order: s13 (10-10), s14 (10-11), s16 (10-11 12:00), s15 (10-14).
    // Anchors 10-12, 10-12, 10-11 13:00: the latest is shared by s13 and
    // s14, and s14 comes later, so s15 (10-14, 48 h after) repeats s14,
    // not s13 nor the previous session s16.
    assert_eq!(
        get(&df, "s15"),
        (Some(false), Some(true), Some("s14".into()))
    );
    assert_eq!(
        get(&df, "s16"),
        (Some(true), Some(true), Some("s14".into()))
    );
}
