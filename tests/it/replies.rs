//! Reply events (the reply-time SLA's events) on hand-built messages, given
//! in shuffled order: ties at one instant, sessions that open with an agent,
//! interleaved sessions, bot and system messages, sessions not asked for.

use csqa::metrics::sla::reply_events;
use polars::prelude::*;

use crate::common::*;

#[test]
fn reply_events_time_each_answer_from_the_question_it_closes() {
    // r1: customer 10:00:00, agent 10:00:10 (first answer, excluded);
    //     customer 10:01:00 and agent 10:01:00 at one instant: the customer
    //     counts first, so the agent answers it → 0 s;
    //     system 10:01:30 ignored; customer 10:02:00, bot 10:02:30 ignored,
    //     customer 10:03:00, agent 10:05:00 → 180 s from 10:02:00.
    // r2: agent 11:00:00 first (answers nobody); customer 11:00:30, agent
    //     11:01:00 (first answer, excluded); agent 11:02:00 answers nobody;
    //     customer 11:03:00, agent 11:03:45 → 45 s.
    // r3: customer then agent only: its single answer is its first response.
    // r9: not among the sessions asked for, so left out.
    let m = [
        ("r2", "2026-10-01T11:03:45Z", "agent"),
        ("r1", "2026-10-01T10:05:00Z", "agent"),
        ("r9", "2026-10-01T09:00:00Z", "customer"),
        ("r1", "2026-10-01T10:01:00Z", "agent"),
        ("r2", "2026-10-01T11:00:00Z", "agent"),
        ("r1", "2026-10-01T10:00:00Z", "customer"),
        ("r3", "2026-10-01T12:00:00Z", "customer"),
        ("r1", "2026-10-01T10:02:30Z", "bot"),
        ("r2", "2026-10-01T11:01:00Z", "agent"),
        ("r1", "2026-10-01T10:01:30Z", "system"),
        ("r9", "2026-10-01T09:10:00Z", "agent"),
        ("r9", "2026-10-01T09:20:00Z", "customer"),
        ("r9", "2026-10-01T09:30:00Z", "agent"),
        ("r1", "2026-10-01T10:03:00Z", "customer"),
        ("r2", "2026-10-01T11:00:30Z", "customer"),
        ("r1", "2026-10-01T10:00:10Z", "agent"),
        ("r3", "2026-10-01T12:00:05Z", "agent"),
        ("r2", "2026-10-01T11:03:00Z", "customer"),
        ("r1", "2026-10-01T10:02:00Z", "customer"),
        ("r1", "2026-10-01T10:01:00Z", "customer"),
        ("r2", "2026-10-01T11:02:00Z", "agent"),
    ];
    let messages = DataFrame::new_infer_height(vec![
        Column::new(
            "session_id".into(),
            m.iter().map(|x| x.0).collect::<Vec<_>>(),
        ),
        ts_col("sent_at", &m.iter().map(|x| Some(x.1)).collect::<Vec<_>>()),
        Column::new("sender".into(), m.iter().map(|x| x.2).collect::<Vec<_>>()),
    ])
    .expect("messages");
    let sessions = DataFrame::new_infer_height(vec![
        Column::new("session_id".into(), ["r3", "r2", "r1"]),
        Column::new("business_line".into(), ["c", "b", "a"]),
    ])
    .expect("sessions");

    let events = reply_events(messages.lazy(), sessions.lazy())
        .expect("plan")
        .collect()
        .expect("reply events");
    // In the order of the sessions given, then by time, each carrying its
    // session's columns.
    assert_rows(
        rows(&events, &["session_id", "business_line"], &["reply_s"]),
        vec![
            ("r2/b", vec![Some(45.0)]),
            ("r1/a", vec![Some(0.0)]),
            ("r1/a", vec![Some(180.0)]),
        ],
    );
}
