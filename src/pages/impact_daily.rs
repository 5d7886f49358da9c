//! The impact page's daily charts: each local day from the baseline's first
//! day to the event's end, the event's lines against the control, with the
//! days the event window and the baseline touch shaded.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use polars::prelude::*;

use super::{f64s, strs};
use crate::error::Result;
use crate::i18n::Lang;
use crate::jobs::impact::{ImpactReport, CONTROL, EVENT_LINES};
use crate::render::{chart, Chart, Section};

/// One day's sums of one scope over the windows its sessions fell in (a
/// day the event starts in has rows of two windows): each rate's
/// numerator and denominator, so a day's rate is exact.
#[derive(Default, Clone, Copy)]
struct DaySums {
    sessions: f64,
    complaints: f64,
    rated: f64,
    satisfied: f64,
    fcr_sessions: f64,
    followed: f64,
    frs_measured: f64,
    frs_met: f64,
}

impl DaySums {
    /// The day's value of `metric`; None without a denominator.
    fn rate(&self, metric: &str) -> Option<f64> {
        let share = |x: f64, n: f64| (n > 0.0).then(|| x / n);
        match metric {
            "complaint_rate" => share(self.complaints, self.sessions),
            "csat" => share(self.satisfied, self.rated),
            "repeat_rate" => share(self.followed, self.fcr_sessions),
            "fcr" => share(self.followed, self.fcr_sessions).map(|r| 1.0 - r),
            "first_response_sla" => share(self.frs_met, self.frs_measured),
            _ => None,
        }
    }
}

/// The rates the daily table holds per day.
pub const DAILY_RATES: [&str; 5] = [
    "complaint_rate",
    "csat",
    "repeat_rate",
    "fcr",
    "first_response_sla",
];

/// The `daily` table summed per (scope, day), and its days in order.
struct Days {
    days: Vec<NaiveDate>,
    scopes: Vec<&'static str>,
    sums: BTreeMap<(&'static str, NaiveDate), DaySums>,
}

fn read_days(daily: &DataFrame) -> Result<Days> {
    let dates = local_dates(daily)?;
    let scope = strs(daily, "scope");
    let get = |c: &str| f64s(daily, c);
    let [sessions, complaints, rated, csat, fcr_sessions, repeat, frs_measured, frs] = [
        "sessions",
        "complaints",
        "rated",
        "csat",
        "fcr_sessions",
        "repeat_rate",
        "frs_measured",
        "first_response_sla",
    ]
    .map(get);
    let mut sums: BTreeMap<(&'static str, NaiveDate), DaySums> = BTreeMap::new();
    for i in 0..daily.height() {
        let (Some(day), Some(s)) = (dates[i], scope_of(&scope[i])) else {
            continue;
        };
        let n = |v: &[Option<f64>]| v[i].unwrap_or(0.0);
        // A rate times its denominator is the day's count (the table keeps
        // the rate, not every numerator).
        let times = |r: &[Option<f64>], d: &[Option<f64>]| r[i].map_or(0.0, |r| r * n(d));
        let e = sums.entry((s, day)).or_default();
        e.sessions += n(&sessions);
        e.complaints += n(&complaints);
        e.rated += n(&rated);
        e.satisfied += times(&csat, &rated);
        e.fcr_sessions += n(&fcr_sessions);
        e.followed += times(&repeat, &fcr_sessions);
        e.frs_measured += n(&frs_measured);
        e.frs_met += times(&frs, &frs_measured);
    }
    let first = sums.keys().map(|(_, d)| *d).min();
    let last = sums.keys().map(|(_, d)| *d).max();
    let days = match (first, last) {
        (Some(a), Some(b)) => a.iter_days().take_while(|d| *d <= b).collect(),
        _ => Vec::new(),
    };
    let scopes = [EVENT_LINES, CONTROL]
        .into_iter()
        .filter(|s| sums.keys().any(|(k, _)| k == s))
        .collect();
    Ok(Days { days, scopes, sums })
}

fn scope_of(s: &str) -> Option<&'static str> {
    [EVENT_LINES, CONTROL].into_iter().find(|k| *k == s)
}

/// The `local_date` column as dates.
fn local_dates(daily: &DataFrame) -> Result<Vec<Option<NaiveDate>>> {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    let days = daily.column("local_date")?.cast(&DataType::Int32)?;
    Ok(days
        .i32()?
        .iter()
        .map(|d| d.and_then(|d| epoch.checked_add_signed(Duration::days(d.into()))))
        .collect())
}

/// The index span of `days` that the window `from..to` touches, if any.
pub fn span(
    days: &[NaiveDate],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    tz: Tz,
) -> Option<(usize, usize)> {
    let first = from.with_timezone(&tz).date_naive();
    let last = to
        .checked_sub_signed(Duration::microseconds(1))?
        .with_timezone(&tz)
        .date_naive();
    let a = days.iter().position(|d| *d >= first)?;
    let b = days.iter().rposition(|d| *d <= last)?;
    (a <= b).then_some((a, b))
}

/// The event window's band first (amber), then one per baseline window.
fn bands(r: &ImpactReport, days: &[NaiveDate], tz: Tz, lang: Lang) -> Vec<(usize, usize, String)> {
    let mut out = Vec::new();
    if let Some((a, b)) = span(days, r.event.start, r.end, tz) {
        out.push((a, b, lang.t("band.event")));
    }
    for (from, to) in &r.baseline {
        if let Some((a, b)) = span(days, *from, *to, tz) {
            out.push((a, b, lang.t("band.baseline")));
        }
    }
    out
}

/// Day labels (MM-DD) on about a dozen days, counted from the event's
/// first day so that day is always labelled.
fn x_labels(days: &[NaiveDate], anchor: usize) -> Vec<String> {
    let step = days.len().div_ceil(12).max(1);
    days.iter()
        .enumerate()
        .map(|(i, d)| {
            if i.abs_diff(anchor) % step == 0 {
                d.format("%m-%d").to_string()
            } else {
                String::new()
            }
        })
        .collect()
}

/// The rates charted by day: an action's metric; for an incident the
/// complaint rate and the first-response SLA.
fn charted_rates(r: &ImpactReport) -> Vec<&str> {
    match r.event.metric.as_deref() {
        Some(m) => DAILY_RATES.iter().copied().filter(|x| *x == m).collect(),
        None => vec!["complaint_rate", "first_response_sla"],
    }
}

/// The daily section: contacts per day, then each charted rate.
pub fn section(r: &ImpactReport, daily: &DataFrame, lang: Lang, tz: Tz) -> Result<Section> {
    let d = read_days(daily)?;
    let mut s = Section::new(lang.t("sec.impact.daily"));
    s.intro = Some(lang.t("sec.impact.daily.intro"));
    if d.days.is_empty() {
        return Ok(s);
    }
    let bands = bands(r, &d.days, tz, lang);
    let anchor = bands.first().map_or(0, |b| b.0);
    let labels = x_labels(&d.days, anchor);
    let period = format!(
        "{} – {}",
        d.days.first().map(|x| x.to_string()).unwrap_or_default(),
        d.days.last().map(|x| x.to_string()).unwrap_or_default()
    );
    let who = who(r, lang);
    let mut charts = vec![("contacts_per_day", None)];
    charts.extend(charted_rates(r).into_iter().map(|m| (m, Some(m))));
    for (key, rate) in charts {
        let series: Vec<(String, Vec<Option<f64>>)> = d
            .scopes
            .iter()
            .map(|scope| {
                let values = d
                    .days
                    .iter()
                    .map(|day| {
                        let sums = d.sums.get(&(*scope, *day)).copied().unwrap_or_default();
                        match rate {
                            Some(m) => sums.rate(m),
                            None => Some(sums.sessions),
                        }
                    })
                    .collect();
                (scope_name(scope, lang), values)
            })
            .collect();
        let unit = match rate {
            Some(_) => "%".to_string(),
            None => lang.t("unit.contacts_per_day"),
        };
        // Contacts are titled as counted; a rate by its name, in %.
        let (name, y_title) = match rate {
            Some(_) => (lang.column(key), format!("{} ({unit})", lang.column(key))),
            None => (lang.column("contacts"), lang.column(key)),
        };
        let svg = chart::lines(&chart::LineChart {
            id: &format!("daily-{key}"),
            x_labels: &labels,
            series: &series,
            x_title: &lang.t("axis.local_day"),
            y_title: &y_title,
            percent: rate.is_some(),
            bands: &bands,
        });
        s.charts.push(Chart {
            title: format!("{name} · {}", lang.t("chart.by_day")),
            caption: format!("{period}; {unit}; {who}; {}", lang.t("chart.impact.shaded")),
            svg,
        });
    }
    if let Some(m) = r.event.metric.as_deref() {
        if m != "contacts_per_day" && !DAILY_RATES.contains(&m) {
            s.notes.push(format!(
                "{}{}{}",
                lang.column(m),
                lang.t("punct.colon"),
                lang.t("note.not_daily")
            ));
        }
    }
    Ok(s)
}

/// "event lines: payments; control: logistics, membership".
fn who(r: &ImpactReport, lang: Lang) -> String {
    let control = if r.control_lines.is_empty() {
        lang.t("none")
    } else {
        r.control_lines.join(", ")
    };
    let colon = lang.t("punct.colon");
    format!(
        "{}{colon}{}; {}{colon}{control}",
        scope_name(EVENT_LINES, lang),
        r.event.lines.join(", "),
        scope_name(CONTROL, lang),
    )
}

fn scope_name(scope: &str, lang: Lang) -> String {
    lang.t(if scope == CONTROL {
        "legend.control"
    } else {
        "legend.event_lines"
    })
}
