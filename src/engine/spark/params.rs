//! What the stages are told: the parameter views (the zone, the calendar,
//! the standards in force) as SQL `VALUES`, and the `${placeholders}`
//! (queries/spark/README.md). Spark's SQL literals are the one dialect
//! matter here: strings take backslash escapes.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};

use crate::config::{Config, FcrScope};
use crate::error::{Error, Result};
use crate::jobs::period::Month;
use crate::jobs::pipeline::ReadWindows;
use crate::standards::Standards;
use crate::zone::ZoneTable;

const DAY_US: i64 = 86_400_000_000;

/// Every Unicode White_Space character: what the local reader trims as blank.
const WHITESPACE: &str = "\t\n\u{0b}\u{0c}\r \u{85}\u{a0}\u{1680}\u{2000}\u{2001}\u{2002}\u{2003}\u{2004}\u{2005}\u{2006}\u{2007}\u{2008}\u{2009}\u{200a}\u{2028}\u{2029}\u{202f}\u{205f}\u{3000}";

/// A Spark SQL string literal.
pub fn string(s: &str) -> String {
    format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"))
}

fn double(x: f64) -> String {
    format!("CAST({x:?} AS DOUBLE)")
}

fn date(d: NaiveDate) -> String {
    format!("DATE '{}'", d.format("%Y-%m-%d"))
}

fn opt<T>(v: Option<T>, typed: impl Fn(T) -> String, sql_type: &str) -> String {
    v.map(typed)
        .unwrap_or_else(|| format!("CAST(NULL AS {sql_type})"))
}

/// One small relation as a single SELECT: each value already a literal.
/// `columns` are (name, SQL type); every value is cast to its column's type
/// so an all-null column still has one.
pub fn values_sql(columns: &[(&str, &str)], rows: &[Vec<String>]) -> String {
    let typed = |row: &[String]| -> String {
        columns
            .iter()
            .zip(row)
            .map(|((_, t), v)| format!("CAST({v} AS {t})"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let names = columns
        .iter()
        .map(|(n, _)| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ");
    if rows.is_empty() {
        let nulls = columns
            .iter()
            .map(|(n, t)| format!("CAST(NULL AS {t}) AS `{n}`"))
            .collect::<Vec<_>>()
            .join(", ");
        return format!("SELECT {nulls} WHERE FALSE");
    }
    let body = rows
        .iter()
        .map(|r| format!("({})", typed(r)))
        .collect::<Vec<_>>()
        .join(",\n");
    format!("SELECT * FROM VALUES\n{body}\nAS `t`({names})")
}

/// The parameter views, by name, each as one SELECT.
pub fn views(cfg: &Config, standards: &Standards, month: &Month) -> Vec<(&'static str, String)> {
    let offsets = ZoneTable::of(cfg.timezone).offset_intervals();
    let ints = |v: &[i64]| v.iter().map(i64::to_string).collect::<Vec<_>>();
    vec![
        (
            "zone_offsets",
            values_sql(
                &[
                    ("from_us", "BIGINT"),
                    ("to_us", "BIGINT"),
                    ("offset_us", "BIGINT"),
                ],
                &offsets
                    .iter()
                    .map(|&(f, t, o)| ints(&[f, t, o]))
                    .collect::<Vec<_>>(),
            ),
        ),
        ("zone_walls", zone_walls_sql(&offsets)),
        ("calendar_days", calendar_sql(cfg, month)),
        ("scorecard_versions", scorecard_versions_sql(standards)),
        ("scorecard_modules", scorecard_modules_sql(standards)),
        ("sla_overrides", overrides_sql(standards)),
        (
            "cause_labels",
            values_sql(
                &[("cause", "STRING"), ("label", "STRING")],
                &standards
                    .causes
                    .iter()
                    .map(|(c, l)| vec![string(c), string(l)])
                    .collect::<Vec<_>>(),
            ),
        ),
    ]
}

/// The zone read backwards: non-overlapping local wall spans with the
/// offset of the earlier instant; spans the clock repeated are flagged
/// ambiguous, spans it skipped have no row.
pub fn zone_walls(offsets: &[(i64, i64, i64)]) -> Vec<(i64, i64, i64, bool)> {
    let mut spans: Vec<(i64, i64, i64, bool)> = Vec::new();
    for &(from, to, off) in offsets {
        let (mut start, end) = (from + off, to + off);
        if let Some(&(ls, le, loff, lamb)) = spans.last() {
            if start < le {
                spans.pop();
                if ls < start {
                    spans.push((ls, start, loff, lamb));
                }
                spans.push((start, le.min(end), loff, true));
                if le > end {
                    spans.push((end, le, loff, lamb));
                }
                start = start.max(le);
            }
        }
        if start < end {
            spans.push((start, end, off, false));
        }
    }
    spans
}

fn zone_walls_sql(offsets: &[(i64, i64, i64)]) -> String {
    let rows = zone_walls(offsets)
        .into_iter()
        .map(|(f, t, o, a)| vec![f.to_string(), t.to_string(), o.to_string(), a.to_string()])
        .collect::<Vec<_>>();
    values_sql(
        &[
            ("from_wall_us", "BIGINT"),
            ("to_wall_us", "BIGINT"),
            ("offset_us", "BIGINT"),
            ("ambiguous", "BOOLEAN"),
        ],
        &rows,
    )
}

/// Every local day of the previous month and the month.
fn calendar_sql(cfg: &Config, month: &Month) -> String {
    let previous = month.previous(cfg.timezone);
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    let rows = previous
        .first_day
        .iter_days()
        .take_while(|d| *d < month.next_first_day())
        .map(|d| {
            vec![
                (d - epoch).num_days().to_string(),
                date(d),
                string(&d.format("%Y-%m").to_string()),
            ]
        })
        .collect::<Vec<_>>();
    values_sql(
        &[
            ("day", "BIGINT"),
            ("local_date", "DATE"),
            ("local_month", "STRING"),
        ],
        &rows,
    )
}

fn scorecard_versions_sql(standards: &Standards) -> String {
    let cards = &standards.scorecards;
    let rows = cards
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let next = cards
                .get(i + 1)
                .map(|n| n.effective_from_utc.timestamp_micros());
            vec![
                string(&s.version),
                s.effective_from_utc.timestamp_micros().to_string(),
                opt(next, |t| t.to_string(), "BIGINT"),
            ]
        })
        .collect::<Vec<_>>();
    values_sql(
        &[
            ("scorecard_version", "STRING"),
            ("effective_from_us", "BIGINT"),
            ("effective_to_us", "BIGINT"),
        ],
        &rows,
    )
}

fn scorecard_modules_sql(standards: &Standards) -> String {
    let mut rows = Vec::new();
    for s in &standards.scorecards {
        for m in &s.modules {
            let (lo, hi) = m.scale.bounds();
            rows.push(vec![
                string(&s.version),
                string(&m.id),
                string(m.group.as_str()),
                string(m.scope.as_str()),
                double(lo as f64),
                double(hi as f64),
                double(m.weight),
                string(&m.name),
            ]);
        }
    }
    values_sql(
        &[
            ("scorecard_version", "STRING"),
            ("module_id", "STRING"),
            ("module_group", "STRING"),
            ("module_scope", "STRING"),
            ("scale_min", "DOUBLE"),
            ("scale_max", "DOUBLE"),
            ("weight", "DOUBLE"),
            ("module_name", "STRING"),
        ],
        &rows,
    )
}

fn overrides_sql(standards: &Standards) -> String {
    let rows = standards
        .sla
        .overrides
        .iter()
        .enumerate()
        .map(|(i, o)| {
            vec![
                i.to_string(),
                string(&o.reason),
                o.from.timestamp_micros().to_string(),
                o.to.timestamp_micros().to_string(),
                opt(o.business_line.as_deref(), string, "STRING"),
                opt(o.first_response_s, double, "DOUBLE"),
                opt(o.reply_s, double, "DOUBLE"),
            ]
        })
        .collect::<Vec<_>>();
    values_sql(
        &[
            ("priority", "INT"),
            ("reason", "STRING"),
            ("from_us", "BIGINT"),
            ("to_us", "BIGINT"),
            ("business_line", "STRING"),
            ("first_response_s", "DOUBLE"),
            ("reply_s", "DOUBLE"),
        ],
        &rows,
    )
}

/// The `${name}` values of the month's run, as SQL literals.
pub fn placeholders(
    cfg: &Config,
    standards: &Standards,
    month: &Month,
    has_agent_hours: bool,
) -> Result<BTreeMap<&'static str, String>> {
    let previous = month.previous(cfg.timezone);
    let windows = ReadWindows::months(cfg, &previous, month, Some(month), &month.label)?;
    let zone = ZoneTable::of(cfg.timezone);
    let us = |t: DateTime<Utc>| t.timestamp_micros();
    // A day beyond a bound, as local wall time: how far the local reader
    // narrows a naive column before it converts it.
    let wall = |utc: i64| -> Result<String> {
        zone.local(utc)
            .map(|w| w.to_string())
            .ok_or_else(|| Error::bad_input(format!("{}: month out of range", month.label)))
    };
    let (sessions_from, sessions_to) = (us(windows.sessions.0), us(windows.sessions.1));
    let (messages_from, messages_to) = windows
        .messages
        .map(|(f, t)| (us(f), us(t)))
        .ok_or_else(|| Error::other("the monthly pack reads its month's messages"))?;
    let window_us = cfg.fcr_window().num_microseconds().unwrap_or(i64::MAX);
    let longest_us = cfg.max_session().num_microseconds().unwrap_or(i64::MAX);
    let (prev_start, start, end) = (us(previous.start), us(month.start), us(month.end));
    let reviews_from = us(windows.reviews_from);
    let flag = |b: bool| if b { "TRUE" } else { "FALSE" }.to_string();
    Ok(BTreeMap::from([
        ("month", string(&month.label)),
        ("prev_month", string(&previous.label)),
        ("prev_start_us", prev_start.to_string()),
        ("month_start_us", start.to_string()),
        ("month_end_us", end.to_string()),
        ("sessions_from_us", sessions_from.to_string()),
        ("sessions_to_us", sessions_to.to_string()),
        ("messages_from_us", messages_from.to_string()),
        ("messages_to_us", messages_to.to_string()),
        ("reviews_from_us", reviews_from.to_string()),
        ("sessions_from_wall_us", wall(sessions_from - DAY_US)?),
        ("sessions_to_wall_us", wall(sessions_to + DAY_US)?),
        ("messages_from_wall_us", wall(messages_from - DAY_US)?),
        ("messages_to_wall_us", wall(messages_to + DAY_US)?),
        ("reviews_from_wall_us", wall(reviews_from - DAY_US)?),
        ("hours_from", date(windows.hours.0)),
        ("hours_to", date(windows.hours.1)),
        ("first_day", date(month.first_day)),
        ("next_first_day", date(month.next_first_day())),
        ("fcr_window_us", window_us.to_string()),
        (
            "fcr_by_line",
            flag(cfg.fcr.scope == FcrScope::CustomerBusinessLine),
        ),
        ("max_session_us", longest_us.to_string()),
        ("fcr_reach_us", (end + window_us).to_string()),
        ("scale_max", cfg.scale_max.to_string()),
        ("satisfied_min", cfg.satisfied_min.to_string()),
        (
            "base_first_response_s",
            double(standards.sla.first_response_s),
        ),
        ("base_reply_s", double(standards.sla.reply_s)),
        ("has_agent_hours", flag(has_agent_hours)),
        ("whitespace", string(WHITESPACE)),
    ]))
}

/// `sql` with every `${name}` replaced; an unknown name is an error (a
/// stage asking for a value nobody provides).
pub fn fill(sql: &str, values: &BTreeMap<&str, String>) -> Result<String> {
    let mut out = String::with_capacity(sql.len());
    let mut rest = sql;
    while let Some(at) = rest.find("${") {
        out.push_str(&rest[..at]);
        let after = &rest[at + 2..];
        let close = after
            .find('}')
            .ok_or_else(|| Error::other("a stage has an unclosed ${"))?;
        let name = &after[..close];
        let value = values
            .get(name)
            .ok_or_else(|| Error::other(format!("no value for ${{{name}}}")))?;
        out.push_str(value);
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    Ok(out)
}
