//! Local clock time from the zone's offset table (`csqa::zone`) against
//! chrono-tz's answer for each value, and the Polars expressions built on it
//! against Polars' own per-row time-zone functions: every 15 minutes of
//! 2025-2027 in five zones, both directions.

use chrono::{DateTime, Datelike, LocalResult, NaiveDate, NaiveDateTime, TimeZone, Timelike};
use chrono_tz::Tz;
use csqa::zone::{self, Wall, ZoneTable};
use polars::prelude::*;

const ZONES: [Tz; 5] = [
    Tz::Europe__Berlin,
    Tz::America__New_York,
    Tz::Asia__Shanghai,
    Tz::Australia__Lord_Howe,
    Tz::UTC,
];
const QUARTER_HOUR_US: i64 = 15 * 60 * 1_000_000;

fn micros(ymd: (i32, u32, u32), hms: (u32, u32, u32)) -> i64 {
    NaiveDate::from_ymd_opt(ymd.0, ymd.1, ymd.2)
        .and_then(|d| d.and_hms_opt(hms.0, hms.1, hms.2))
        .map(|t| t.and_utc().timestamp_micros())
        .unwrap_or_default()
}

/// Every quarter hour from 2025-01-01 00:00 to 2028-01-01 00:00 (exclusive),
/// as µs: 3 × 365 days (none of 2025-2027 is a leap year) = 1 095 days
/// × 96 = 105 120 values.
fn quarter_hours() -> Vec<i64> {
    let (from, to) = (
        micros((2025, 1, 1), (0, 0, 0)),
        micros((2028, 1, 1), (0, 0, 0)),
    );
    (0..)
        .map(|i| from + i * QUARTER_HOUR_US)
        .take_while(|t| *t < to)
        .collect()
}

fn naive(us: i64) -> NaiveDateTime {
    DateTime::from_timestamp_micros(us)
        .map(|t| t.naive_utc())
        .unwrap_or_default()
}

#[test]
fn the_span_has_105_120_quarter_hours() {
    assert_eq!(quarter_hours().len(), 105_120);
}

#[test]
fn local_time_of_every_quarter_hour_matches_chrono() {
    for tz in ZONES {
        let table = ZoneTable::of(tz);
        let mut hint = 0;
        for utc in quarter_hours() {
            let expected = tz.from_utc_datetime(&naive(utc)).naive_local();
            let local = table.local(utc);
            assert_eq!(table.local_near(utc, &mut hint), local, "{tz} {utc}");
            assert_eq!(
                local,
                Some(expected.and_utc().timestamp_micros()),
                "{tz} {utc}"
            );
            let local = local.unwrap_or_default();
            assert_eq!(
                zone::month_label(local).as_deref(),
                Some(expected.format("%Y-%m").to_string().as_str()),
                "{tz} {expected}"
            );
            let days = expected.date() - NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
            assert_eq!(zone::local_date_days(local), Some(days.num_days() as i32));
            assert_eq!(zone::local_hour(local), expected.hour() as i32);
        }
    }
}

/// chrono-tz's reading of a naive local time.
fn chrono_wall(tz: Tz, local: i64) -> Wall {
    match tz.from_local_datetime(&naive(local)) {
        LocalResult::Single(t) => Wall::Unique(t.timestamp_micros()),
        LocalResult::Ambiguous(earlier, _) => Wall::Ambiguous(earlier.timestamp_micros()),
        LocalResult::None => Wall::Nonexistent,
    }
}

#[test]
fn naive_local_quarter_hours_read_as_chrono_reads_them() {
    // Quarter hours the clock skips (spring forward) and repeats (fall
    // back) in the three years:
    // - Berlin, New York: one hour each way a year = 4 quarter hours,
    //   × 3 years = 12 and 12.
    // - Lord Howe: 30 minutes each way a year = 2 quarter hours (02:00 and
    //   02:15 skipped in October, 01:30 and 01:45 repeated in April),
    //   × 3 years = 6 and 6.
    // - Shanghai, UTC: none.
    let expected_counts = [(12, 12), (12, 12), (0, 0), (6, 6), (0, 0)];
    for (tz, expected) in ZONES.into_iter().zip(expected_counts) {
        let table = ZoneTable::of(tz);
        let (mut skipped, mut repeated) = (0, 0);
        let mut hint = 0;
        for local in quarter_hours() {
            let wall = table.wall(local);
            // The shortcut through the previous value's interval agrees.
            assert_eq!(table.wall_near(local, &mut hint), wall, "{tz} {local}");
            assert_eq!(wall, Some(chrono_wall(tz, local)), "{tz} {}", naive(local));
            match wall {
                Some(Wall::Nonexistent) => skipped += 1,
                Some(Wall::Ambiguous(_)) => repeated += 1,
                _ => {}
            }
        }
        assert_eq!((skipped, repeated), expected, "{tz}");
    }
}

/// The shortcuts through the previous value's interval agree with the full
/// lookup when values jump about: every quarter hour in a scrambled order
/// (a stride of 7 919, a prime not dividing 105 120, visits each once).
#[test]
fn shortcuts_agree_in_any_order() {
    let values = quarter_hours();
    let n = values.len();
    for tz in ZONES {
        let table = ZoneTable::of(tz);
        let (mut local_hint, mut wall_hint) = (0, 0);
        for k in 0..n {
            let t = values[(k * 7_919) % n];
            assert_eq!(
                table.local_near(t, &mut local_hint),
                table.local(t),
                "{tz} {t}"
            );
            assert_eq!(
                table.wall_near(t, &mut wall_hint),
                table.wall(t),
                "{tz} {t}"
            );
        }
    }
}

#[test]
fn berlin_changes_offset_six_times_and_shanghai_never_since_1991() {
    let berlin = ZoneTable::of(Tz::Europe__Berlin);
    let hour = 3_600_000_000;
    // Last Sundays of March (to +2 h) and October (to +1 h), at 01:00 UTC.
    let expected = vec![
        (micros((2025, 3, 30), (1, 0, 0)), 2 * hour),
        (micros((2025, 10, 26), (1, 0, 0)), hour),
        (micros((2026, 3, 29), (1, 0, 0)), 2 * hour),
        (micros((2026, 10, 25), (1, 0, 0)), hour),
        (micros((2027, 3, 28), (1, 0, 0)), 2 * hour),
        (micros((2027, 10, 31), (1, 0, 0)), hour),
    ];
    let span = (
        micros((2025, 1, 1), (0, 0, 0)),
        micros((2028, 1, 1), (0, 0, 0)),
    );
    assert_eq!(berlin.transitions(span.0, span.1), expected);
    // One constant offset, +8 h, from 1992 to the end of the table.
    let shanghai = ZoneTable::of(Tz::Asia__Shanghai);
    let later = micros((1992, 1, 1), (0, 0, 0));
    assert_eq!(shanghai.transitions(later, i64::MAX), vec![]);
    assert_eq!(shanghai.local(later), Some(later + 8 * hour));
    assert_eq!(ZoneTable::of(Tz::UTC).intervals(), 1);
}

#[test]
fn beyond_the_table_each_value_is_read_by_chrono() {
    // 1850 and 2150 lie outside the table (1900-2100).
    let berlin = ZoneTable::of(Tz::Europe__Berlin);
    let tz = Tz::Europe__Berlin;
    for utc in [
        micros((1850, 6, 1), (12, 0, 0)),
        micros((2150, 7, 1), (12, 0, 0)),
    ] {
        let expected = tz.from_utc_datetime(&naive(utc)).naive_local();
        assert_eq!(
            berlin.local(utc),
            Some(expected.and_utc().timestamp_micros())
        );
        assert_eq!(berlin.wall(utc), Some(chrono_wall(tz, utc)));
    }
    // Berlin kept local mean time (+0:53:28) until 1893.
    let noon_1850 = micros((1850, 6, 1), (12, 0, 0));
    assert_eq!(berlin.local(noon_1850), Some(noon_1850 + 3_208_000_000));
}

#[test]
fn year_month_matches_the_calendar_from_1600_to_2400() {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    let mut day = NaiveDate::from_ymd_opt(1600, 1, 1).unwrap_or_default();
    while day.year_ce().1 < 2400 {
        let days = (day - epoch).num_days() as i32;
        let (year, month) = zone::year_month(days);
        assert_eq!(
            (year, month),
            (i64::from(day.year_ce().1), day.month0() + 1)
        );
        day = day.succ_opt().unwrap_or_default();
    }
}

/// The frame of every quarter hour as UTC instants (`t`) and as naive local
/// times (`wall`).
fn frame() -> DataFrame {
    let values = quarter_hours();
    let t = Int64Chunked::from_vec("t".into(), values.clone())
        .into_datetime(TimeUnit::Microseconds, Some(polars::prelude::TimeZone::UTC));
    let wall =
        Int64Chunked::from_vec("wall".into(), values).into_datetime(TimeUnit::Microseconds, None);
    DataFrame::new_infer_height(vec![t.into_column(), wall.into_column()]).expect("frame")
}

#[test]
fn expressions_equal_polars_per_row_time_zone_functions() {
    for tz in ZONES {
        let pl = csqa::load::pl_tz(tz);
        let local = col("t").dt().convert_time_zone(pl.clone());
        let earliest = col("wall").dt().replace_time_zone(
            Some(pl.clone()),
            lit("earliest"),
            NonExistent::Null,
        );
        let strict = col("wall")
            .dt()
            .replace_time_zone(Some(pl), lit("null"), NonExistent::Null);
        let out = frame()
            .lazy()
            .select([
                zone::month_expr(col("t"), tz).alias("month"),
                local.clone().dt().strftime("%Y-%m").alias("month_polars"),
                zone::date_expr(col("t"), tz).alias("date"),
                local.clone().dt().date().alias("date_polars"),
                zone::hour_expr(col("t"), tz).alias("hour"),
                local.dt().hour().cast(DataType::Int32).alias("hour_polars"),
                zone::instant_expr(col("wall"), tz).alias("instant"),
                earliest
                    .clone()
                    .dt()
                    .convert_time_zone(polars::prelude::TimeZone::UTC)
                    .alias("instant_polars"),
                zone::nonexistent_expr(col("wall"), tz).alias("nonexistent"),
                earliest.clone().is_null().alias("nonexistent_polars"),
                zone::ambiguous_expr(col("wall"), tz).alias("ambiguous"),
                earliest
                    .is_not_null()
                    .and(strict.is_null())
                    .alias("ambiguous_polars"),
            ])
            .collect();
        let out = match out {
            Ok(df) => df,
            Err(e) => panic!("{tz}: {e}"),
        };
        for name in [
            "month",
            "date",
            "hour",
            "instant",
            "nonexistent",
            "ambiguous",
        ] {
            let ours = out.column(name).map(|c| c.as_materialized_series().clone());
            let theirs = out
                .column(&format!("{name}_polars"))
                .map(|c| c.as_materialized_series().clone().with_name(name.into()));
            match (ours, theirs) {
                (Ok(a), Ok(b)) => {
                    assert_eq!(a.dtype(), b.dtype(), "{tz} {name}");
                    assert!(a.equals_missing(&b), "{tz} {name}: {a} vs {b}");
                }
                _ => panic!("{tz}: {name} missing"),
            }
        }
    }
}
