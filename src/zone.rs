//! Local clock time in the configured zone, as integer arithmetic.
//!
//! A zone's offset from UTC changes only at a few instants a year (none at
//! all in Asia/Shanghai since 1991), so the offsets are tabulated once per
//! zone: the UTC intervals between transitions from 1900 to 2100, each with
//! its offset. A timestamp then becomes local time by adding the offset of
//! its interval (a binary search over a few hundred entries), and a naive
//! local time becomes an instant by the same table in reverse. Polars'
//! time-zone functions instead ask chrono-tz for every row, which made a zone
//! other than UTC cost half as much again. Outside the table's span each
//! value is converted by chrono-tz on its own: slower, but exact.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use chrono::{DateTime, LocalResult, NaiveDate, Offset, TimeZone as _};
use chrono_tz::Tz;
use polars::prelude::*;

const MICROS_PER_SECOND: i64 = 1_000_000;
const MICROS_PER_HOUR: i64 = 3_600 * MICROS_PER_SECOND;
pub const MICROS_PER_DAY: i64 = 24 * MICROS_PER_HOUR;
/// 1900-01-01T00:00:00Z and 2100-01-01T00:00:00Z, in seconds.
const TABLE_FROM_S: i64 = -2_208_988_800;
const TABLE_TO_S: i64 = 4_102_444_800;
/// How far apart the table's probes of chrono-tz are: no zone changes its
/// offset twice within an hour and back.
const PROBE_STEP_S: i64 = 3_600;
/// More than any zone's offset from UTC (the largest is under 16 hours):
/// the reverse lookup searches the intervals this far either side.
const MAX_OFFSET_US: i64 = 26 * MICROS_PER_HOUR;

/// What a naive local time names in a zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wall {
    /// Exactly one instant (µs since the epoch, UTC).
    Unique(i64),
    /// Two instants (the clock was set back): the earlier one.
    Ambiguous(i64),
    /// No instant (the clock skipped it).
    Nonexistent,
}

impl Wall {
    /// The instant a reading takes: the only one, or the earlier of two.
    pub fn instant(self) -> Option<i64> {
        match self {
            Wall::Unique(t) | Wall::Ambiguous(t) => Some(t),
            Wall::Nonexistent => None,
        }
    }
}

/// A zone's UTC offsets, interval by interval.
#[derive(Debug)]
pub struct ZoneTable {
    tz: Tz,
    /// The UTC instant (µs) each interval starts at; the first is the span's
    /// start.
    starts: Vec<i64>,
    /// Local minus UTC (µs) in each interval.
    offsets: Vec<i64>,
    /// Where the last interval ends (exclusive, µs).
    end: i64,
    /// The largest offset minus the smallest (µs): a naive time whose
    /// reading lies this far inside an interval can have no other reading.
    spread: i64,
}

impl ZoneTable {
    /// The table of `tz`, built once per process and zone.
    pub fn of(tz: Tz) -> Arc<ZoneTable> {
        static TABLES: OnceLock<Mutex<HashMap<Tz, Arc<ZoneTable>>>> = OnceLock::new();
        let tables = TABLES.get_or_init(Default::default);
        let mut tables = match tables.lock() {
            Ok(guard) => guard,
            // A panic elsewhere while holding the lock leaves the map sound.
            Err(poisoned) => poisoned.into_inner(),
        };
        tables
            .entry(tz)
            .or_insert_with(|| Arc::new(ZoneTable::build(tz)))
            .clone()
    }

    /// Probe chrono-tz every hour of the span and find each change of offset
    /// to the second by bisection (transitions fall on whole seconds).
    fn build(tz: Tz) -> ZoneTable {
        let offset_at = |s: i64| seconds_offset(tz, s).unwrap_or(0);
        let mut t = TABLE_FROM_S;
        let mut offset = offset_at(t);
        let (mut starts, mut offsets) = (vec![t], vec![offset]);
        while t < TABLE_TO_S {
            let next = (t + PROBE_STEP_S).min(TABLE_TO_S);
            if offset_at(next) == offset {
                t = next;
                continue;
            }
            // offset_at(lo) == offset != offset_at(hi)
            let (mut lo, mut hi) = (t, next);
            while hi - lo > 1 {
                let mid = lo + (hi - lo) / 2;
                if offset_at(mid) == offset {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            offset = offset_at(hi);
            starts.push(hi);
            offsets.push(offset);
            t = hi;
        }
        let spread = offsets.iter().max().unwrap_or(&0) - offsets.iter().min().unwrap_or(&0);
        ZoneTable {
            tz,
            starts: starts.iter().map(|s| s * MICROS_PER_SECOND).collect(),
            offsets: offsets.iter().map(|o| o * MICROS_PER_SECOND).collect(),
            end: TABLE_TO_S * MICROS_PER_SECOND,
            spread: spread * MICROS_PER_SECOND,
        }
    }

    /// How many intervals the table holds (one for a zone that never changed
    /// its offset in the span).
    pub fn intervals(&self) -> usize {
        self.starts.len()
    }

    /// Every interval as (from, to, offset) in µs: UTC instants
    /// `[from, to)` read locally as `utc + offset`. The Spark engine uploads
    /// them, so the cluster cuts local time exactly as this table does.
    pub fn offset_intervals(&self) -> Vec<(i64, i64, i64)> {
        let ends = self.starts.iter().skip(1).copied().chain([self.end]);
        self.starts
            .iter()
            .zip(ends)
            .zip(&self.offsets)
            .map(|((&from, to), &offset)| (from, to, offset))
            .collect()
    }

    /// The intervals that begin in [from, to) (µs): (start, offset µs).
    pub fn transitions(&self, from: i64, to: i64) -> Vec<(i64, i64)> {
        self.starts
            .iter()
            .zip(&self.offsets)
            .filter(|(s, _)| (from..to).contains(*s))
            .map(|(s, o)| (*s, *o))
            .collect()
    }

    fn covers(&self, t: i64) -> bool {
        self.starts[0] <= t && t < self.end
    }

    /// The interval holding `utc`, which the table covers.
    fn interval(&self, utc: i64) -> usize {
        self.starts.partition_point(|s| *s <= utc).saturating_sub(1)
    }

    fn interval_end(&self, i: usize) -> i64 {
        self.starts.get(i + 1).copied().unwrap_or(self.end)
    }

    /// Local wall-clock time (µs, as if UTC) of the instant `utc` (µs);
    /// `None` beyond chrono's calendar.
    pub fn local(&self, utc: i64) -> Option<i64> {
        let offset = if self.covers(utc) {
            self.offsets[self.interval(utc)]
        } else {
            micros_offset(self.tz, utc)?
        };
        utc.checked_add(offset)
    }

    /// `local`, first trying the interval `hint` (the previous value's:
    /// timestamps come in runs), which it updates.
    pub fn local_near(&self, utc: i64, hint: &mut usize) -> Option<i64> {
        if let Some(&offset) = self.offsets.get(*hint) {
            if self.starts[*hint] <= utc && utc < self.interval_end(*hint) {
                return utc.checked_add(offset);
            }
        }
        if self.covers(utc) {
            *hint = self.interval(utc);
        }
        self.local(utc)
    }

    /// `wall`, first trying the interval `hint` (the previous value's),
    /// which it updates. A reading at least `spread` inside that interval
    /// is the only one: any other interval's reading would fall inside it
    /// too, where that interval does not apply.
    pub fn wall_near(&self, local: i64, hint: &mut usize) -> Option<Wall> {
        if let Some(&offset) = self.offsets.get(*hint) {
            let inside = self.starts[*hint].saturating_add(self.spread)
                ..self.interval_end(*hint).saturating_sub(self.spread);
            if let Some(utc) = local.checked_sub(offset).filter(|u| inside.contains(u)) {
                return Some(Wall::Unique(utc));
            }
        }
        let wall = self.wall(local);
        if let Some(utc) = wall.and_then(Wall::instant).filter(|u| self.covers(*u)) {
            *hint = self.interval(utc);
        }
        wall
    }

    /// The instant a naive local time (µs, as if UTC) names.
    pub fn wall(&self, local: i64) -> Option<Wall> {
        let inside = local
            .checked_sub(MAX_OFFSET_US)
            .zip(local.checked_add(MAX_OFFSET_US))
            .filter(|(lo, hi)| self.covers(*lo) && self.covers(*hi));
        let Some((lo, hi)) = inside else {
            return chrono_wall(self.tz, local);
        };
        // Every interval whose local span holds `local`, in order: the
        // earlier interval gives the earlier instant.
        let mut found = (0, None);
        for i in self.interval(lo)..=self.interval(hi) {
            let utc = local - self.offsets[i];
            if self.starts[i] <= utc && utc < self.interval_end(i) {
                found = (found.0 + 1, found.1.or(Some(utc)));
            }
        }
        Some(match found {
            (_, None) => Wall::Nonexistent,
            (1, Some(t)) => Wall::Unique(t),
            (_, Some(t)) => Wall::Ambiguous(t),
        })
    }
}

/// chrono-tz's offset (seconds) at the instant `s` seconds after the epoch.
fn seconds_offset(tz: Tz, s: i64) -> Option<i64> {
    let utc = DateTime::from_timestamp(s, 0)?.naive_utc();
    Some(i64::from(
        tz.offset_from_utc_datetime(&utc).fix().local_minus_utc(),
    ))
}

/// chrono-tz's offset (µs) at the instant `utc` µs after the epoch.
fn micros_offset(tz: Tz, utc: i64) -> Option<i64> {
    let naive = DateTime::from_timestamp_micros(utc)?.naive_utc();
    let seconds = tz.offset_from_utc_datetime(&naive).fix().local_minus_utc();
    i64::from(seconds).checked_mul(MICROS_PER_SECOND)
}

/// chrono-tz's reading of a naive local time, one value at a time.
fn chrono_wall(tz: Tz, local: i64) -> Option<Wall> {
    let naive = DateTime::from_timestamp_micros(local)?.naive_utc();
    Some(match tz.from_local_datetime(&naive) {
        LocalResult::Single(t) => Wall::Unique(t.timestamp_micros()),
        LocalResult::Ambiguous(earlier, _) => Wall::Ambiguous(earlier.timestamp_micros()),
        LocalResult::None => Wall::Nonexistent,
    })
}

/// The local calendar parts of a local time (µs, as if UTC).
pub fn local_date_days(local: i64) -> Option<i32> {
    i32::try_from(local.div_euclid(MICROS_PER_DAY)).ok()
}

pub fn local_hour(local: i64) -> i32 {
    // rem_euclid is below a day, so the hour is 0..=23.
    (local.rem_euclid(MICROS_PER_DAY) / MICROS_PER_HOUR) as i32
}

/// The year and month (1-12) of a day counted from 1970-01-01, by the
/// proleptic Gregorian calendar (H. Hinnant's `civil_from_days`).
pub fn year_month(days: i32) -> (i64, u32) {
    let z = i64::from(days) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month as u32)
}

/// "YYYY-MM" of a local time (µs, as if UTC), as strftime("%Y-%m") writes
/// it; the four-digit years without formatting machinery.
pub fn month_label(local: i64) -> Option<String> {
    let days = local_date_days(local)?;
    let (year, month) = year_month(days);
    if (1000..=9999).contains(&year) {
        let mut label = [b'0', b'0', b'0', b'0', b'-', b'0', b'0'];
        let mut y = year;
        for slot in label[..4].iter_mut().rev() {
            *slot = b'0' + (y % 10) as u8;
            y /= 10;
        }
        label[5] = b'0' + (month / 10) as u8;
        label[6] = b'0' + (month % 10) as u8;
        return String::from_utf8(label.to_vec()).ok();
    }
    // Other years take a sign or padding: chrono's own formatting.
    let date = NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, 1)?;
    Some(date.format("%Y-%m").to_string())
}

/// The values of a timestamp (or integer) column as µs; `None` for nulls.
fn micros(c: &Column) -> PolarsResult<Int64Chunked> {
    let unit = match c.dtype() {
        DataType::Datetime(unit, _) => Some(*unit),
        _ => None,
    };
    let physical = c.to_physical_repr().cast(&DataType::Int64)?;
    let values = physical.i64()?.clone();
    Ok(match unit {
        Some(TimeUnit::Milliseconds) => values.apply_values(|v| v.saturating_mul(1_000)),
        Some(TimeUnit::Nanoseconds) => values.apply_values(|v| v.div_euclid(1_000)),
        _ => values,
    })
}

/// An elementwise function of a column's µs values, run by Polars batch by
/// batch (the streaming engine included).
fn map_micros<O>(e: Expr, dtype: DataType, kernel: O) -> Expr
where
    O: Fn(&Int64Chunked) -> PolarsResult<Column> + Send + Sync + 'static,
{
    let out = dtype.clone();
    e.map(
        move |c: Column| {
            let name = c.name().clone();
            Ok(kernel(&micros(&c)?)?.with_name(name))
        },
        move |_, field: &Field| Ok(Field::new(field.name().clone(), out.clone())),
    )
}

/// Local month "YYYY-MM" of a UTC timestamp column, in `tz`.
pub fn month_expr(e: Expr, tz: Tz) -> Expr {
    let table = ZoneTable::of(tz);
    map_micros(e, DataType::String, move |ca| {
        let mut out = StringChunkedBuilder::new(ca.name().clone(), ca.len());
        // Rows of one month follow each other: format a month once.
        let mut last: Option<((i64, u32), String)> = None;
        let mut hint = 0;
        for v in ca.iter() {
            let local = v.and_then(|t| table.local_near(t, &mut hint));
            match local.and_then(|l| Some((l, year_month(local_date_days(l)?)))) {
                Some((l, key)) => {
                    if last.as_ref().map(|(k, _)| *k) != Some(key) {
                        last = month_label(l).map(|s| (key, s));
                    }
                    out.append_option(last.as_ref().map(|(_, s)| s.as_str()));
                }
                None => out.append_null(),
            }
        }
        Ok(out.finish().into_column())
    })
}

/// Local date of a UTC timestamp column, in `tz`.
pub fn date_expr(e: Expr, tz: Tz) -> Expr {
    local_i32_expr(e, tz, local_date_days)
        .cast(DataType::Int32)
        .cast(DataType::Date)
}

/// Local hour (0-23, Int32) of a UTC timestamp column, in `tz`.
pub fn hour_expr(e: Expr, tz: Tz) -> Expr {
    local_i32_expr(e, tz, |l| Some(local_hour(l)))
}

/// An Int32 part of each value's local time in `tz` (null where the value
/// or the part is).
fn local_i32_expr(e: Expr, tz: Tz, part: fn(i64) -> Option<i32>) -> Expr {
    let table = ZoneTable::of(tz);
    map_micros(e, DataType::Int32, move |ca| {
        let mut hint = 0;
        let parts: Int32Chunked = ca
            .iter()
            .map(|v| {
                v.and_then(|t| table.local_near(t, &mut hint))
                    .and_then(part)
            })
            .collect();
        Ok(parts.into_column())
    })
}

/// The instant (UTC, µs) a naive local timestamp column names in `tz`: the
/// earlier of two, null where the clock skipped the time.
pub fn instant_expr(e: Expr, tz: Tz) -> Expr {
    let table = ZoneTable::of(tz);
    let dtype = DataType::Datetime(TimeUnit::Microseconds, Some(TimeZone::UTC));
    map_micros(e, dtype, move |ca| {
        let mut hint = 0;
        let instants: Int64Chunked = ca
            .iter()
            .map(|v| {
                v.and_then(|l| table.wall_near(l, &mut hint))
                    .and_then(Wall::instant)
            })
            .collect();
        Ok(instants
            .into_datetime(TimeUnit::Microseconds, Some(TimeZone::UTC))
            .into_column())
    })
}

/// A flag of each naive local time's reading in `tz`, `None` when the value
/// is beyond chrono's calendar (null values: false).
fn wall_flag_expr(e: Expr, tz: Tz, flag: fn(Option<Wall>) -> bool) -> Expr {
    let table = ZoneTable::of(tz);
    map_micros(e, DataType::Boolean, move |ca| {
        let mut hint = 0;
        let flags: BooleanChunked = ca
            .iter()
            .map(|v| Some(v.is_some_and(|l| flag(table.wall_near(l, &mut hint)))))
            .collect();
        Ok(flags.into_column())
    })
}

/// A naive local time that names no instant in `tz`: the clock skipped it
/// (or it lies beyond the calendar). Null: false.
pub fn nonexistent_expr(e: Expr, tz: Tz) -> Expr {
    wall_flag_expr(e, tz, |w| w.and_then(Wall::instant).is_none())
}

/// A naive local time that occurred twice in `tz` (null: false).
pub fn ambiguous_expr(e: Expr, tz: Tz) -> Expr {
    wall_flag_expr(e, tz, |w| matches!(w, Some(Wall::Ambiguous(_))))
}

/// An RFC 3339 time (a manifest's, in UTC) as people read it: in `tz`, to
/// the second, with its offset; text that is not such a time is kept.
pub fn in_zone(rfc3339: &str, tz: Tz) -> String {
    DateTime::parse_from_rfc3339(rfc3339)
        .map(|t| {
            t.with_timezone(&tz)
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        })
        .unwrap_or_else(|_| rfc3339.to_string())
}
