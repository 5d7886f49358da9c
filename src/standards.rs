//! `standards.toml`: the QA standard as it changes over time — scorecard
//! versions, response SLAs with their temporary emergency overrides, and the
//! repeat-cause taxonomy. Pure data; no I/O beyond reading the file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::Deserialize;

use crate::error::{Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Group {
    Service,
    Resolution,
    RedLine,
}

impl Group {
    pub fn as_str(self) -> &'static str {
        match self {
            Group::Service => "service",
            Group::Resolution => "resolution",
            Group::RedLine => "red_line",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    SinglePoint,
    System,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::SinglePoint => "single_point",
            Scope::System => "system",
        }
    }
}

/// The widest graded scale, "0-100".
pub const MAX_SCALE_STEPS: i64 = 100;

/// A module's scale: pass/fail (0 or 1) or an integer range "a-b" of at most
/// `MAX_SCALE_STEPS` steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    PassFail,
    Range(i64, i64),
}

impl Scale {
    pub fn parse(text: &str) -> Option<Scale> {
        if text == "pass_fail" {
            return Some(Scale::PassFail);
        }
        let (a, b) = text.split_once('-')?;
        let (a, b): (i64, i64) = (a.trim().parse().ok()?, b.trim().parse().ok()?);
        // Agreement statistics build a table over every step of the scale.
        let steps = b.checked_sub(a)?;
        (1..=MAX_SCALE_STEPS)
            .contains(&steps)
            .then_some(Scale::Range(a, b))
    }
    pub fn bounds(self) -> (i64, i64) {
        match self {
            Scale::PassFail => (0, 1),
            Scale::Range(a, b) => (a, b),
        }
    }
    pub fn is_pass_fail(self) -> bool {
        self == Scale::PassFail
    }
    /// Every category of the scale, used or not (agreement statistics need the
    /// declared set).
    pub fn categories(self) -> Vec<f64> {
        let (a, b) = self.bounds();
        (a..=b).map(|v| v as f64).collect()
    }
}

#[derive(Debug, Clone)]
pub struct Module {
    pub id: String,
    pub name: String,
    pub name_zh: Option<String>,
    pub group: Group,
    pub scope: Scope,
    pub scale: Scale,
    pub weight: f64,
}

#[derive(Debug, Clone)]
pub struct Scorecard {
    pub version: String,
    /// Local date in the configured time zone.
    pub effective_from: NaiveDate,
    /// The same date's first instant in the configured time zone.
    pub effective_from_utc: DateTime<Utc>,
    pub modules: Vec<Module>,
}

#[derive(Debug, Clone)]
pub struct SlaOverride {
    pub business_line: Option<String>,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub first_response_s: Option<f64>,
    pub reply_s: Option<f64>,
    pub reason: String,
}

#[derive(Debug, Clone)]
pub struct Sla {
    pub first_response_s: f64,
    pub reply_s: f64,
    pub overrides: Vec<SlaOverride>,
}

#[derive(Debug, Clone)]
pub struct Standards {
    /// Sorted by `effective_from`, oldest first.
    pub scorecards: Vec<Scorecard>,
    pub sla: Sla,
    pub causes: BTreeMap<String, String>,
    /// `None` when the built-in default is in use.
    pub source: Option<PathBuf>,
}

// ---- file format -------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStandards {
    #[serde(default)]
    scorecard: Vec<RawScorecard>,
    sla: Option<RawSla>,
    #[serde(default)]
    causes: BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScorecard {
    version: String,
    effective_from: toml::value::Datetime,
    #[serde(default)]
    modules: Vec<RawModule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawModule {
    id: String,
    name: String,
    name_zh: Option<String>,
    group: Group,
    scope: Scope,
    scale: String,
    weight: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSla {
    first_response_s: f64,
    reply_s: f64,
    #[serde(default)]
    overrides: Vec<RawOverride>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOverride {
    business_line: Option<String>,
    from: toml::value::Datetime,
    to: toml::value::Datetime,
    first_response_s: Option<f64>,
    reply_s: Option<f64>,
    #[serde(default)]
    reason: String,
}

const BUILTIN: &str = include_str!("standards_default.toml");

impl Standards {
    /// `data_dir/standards.toml` if present, else the built-in default.
    pub fn load(data_dir: &Path, tz: Tz) -> Result<Standards> {
        let path = data_dir.join("standards.toml");
        if path.is_file() {
            let text = std::fs::read_to_string(&path)
                .map_err(|e| Error::bad_input(format!("cannot read {}: {e}", path.display())))?;
            let mut s = Standards::parse(&text, tz, &path.display().to_string())?;
            s.source = Some(path);
            Ok(s)
        } else {
            Standards::builtin(tz)
        }
    }

    pub fn builtin(tz: Tz) -> Result<Standards> {
        Standards::parse(BUILTIN, tz, "built-in standards")
    }

    pub fn parse(text: &str, tz: Tz, origin: &str) -> Result<Standards> {
        let raw: RawStandards =
            toml::from_str(text).map_err(|e| Error::bad_input(format!("{origin}: {e}")))?;
        let bad = |m: String| Error::bad_input(format!("{origin}: {m}"));
        let scorecards = scorecards(raw.scorecard, tz).map_err(bad)?;
        let sla = sla(raw.sla, tz).map_err(bad)?;
        Ok(Standards {
            scorecards,
            sla,
            causes: raw.causes,
            source: None,
        })
    }

    /// The latest scorecard in force at `at`.
    pub fn scorecard_at(&self, at: DateTime<Utc>) -> Option<&Scorecard> {
        self.scorecards
            .iter()
            .rev()
            .find(|s| s.effective_from_utc <= at)
    }
}

/// The scorecard versions, oldest first; no two take effect on one date.
fn scorecards(raw: Vec<RawScorecard>, tz: Tz) -> std::result::Result<Vec<Scorecard>, String> {
    if raw.is_empty() {
        return Err("no [[scorecard]] version".into());
    }
    let mut scorecards = raw
        .into_iter()
        .map(|sc| scorecard(sc, tz))
        .collect::<std::result::Result<Vec<_>, _>>()?;
    scorecards.sort_by_key(|s| s.effective_from);
    if let Some(w) = scorecards
        .windows(2)
        .find(|w| w[0].effective_from == w[1].effective_from)
    {
        return Err(format!(
            "scorecards {} and {} take effect on the same date",
            w[0].version, w[1].version
        ));
    }
    Ok(scorecards)
}

fn scorecard(sc: RawScorecard, tz: Tz) -> std::result::Result<Scorecard, String> {
    let date = toml_date(&sc.effective_from).ok_or_else(|| {
        format!(
            "scorecard {}: effective_from must be a date like 2026-10-01",
            sc.version
        )
    })?;
    if sc.modules.is_empty() {
        return Err(format!("scorecard {} has no modules", sc.version));
    }
    let mut modules: Vec<Module> = Vec::new();
    for m in sc.modules {
        let scale = Scale::parse(&m.scale).ok_or_else(|| {
            format!(
                "scorecard {} module {}: scale \"{}\" is neither pass_fail nor a range like \"0-5\" (of at most {MAX_SCALE_STEPS} steps)",
                sc.version, m.id, m.scale
            )
        })?;
        if !(m.weight.is_finite() && m.weight >= 0.0) {
            return Err(format!(
                "scorecard {} module {}: weight must be a non-negative number",
                sc.version, m.id
            ));
        }
        if modules.iter().any(|x| x.id == m.id) {
            return Err(format!(
                "scorecard {} lists module {} twice",
                sc.version, m.id
            ));
        }
        modules.push(Module {
            id: m.id,
            name: m.name,
            name_zh: m.name_zh,
            group: m.group,
            scope: m.scope,
            scale,
            weight: m.weight,
        });
    }
    Ok(Scorecard {
        effective_from_utc: local_midnight_utc(date, tz),
        version: sc.version,
        effective_from: date,
        modules,
    })
}

/// The response standard with its emergency overrides (the built-in
/// thresholds when the file has no `[sla]`).
fn sla(raw: Option<RawSla>, tz: Tz) -> std::result::Result<Sla, String> {
    let raw = raw.unwrap_or(RawSla {
        first_response_s: 30.0,
        reply_s: 120.0,
        overrides: Vec::new(),
    });
    check_threshold("[sla] first_response_s", Some(raw.first_response_s))?;
    check_threshold("[sla] reply_s", Some(raw.reply_s))?;
    let mut overrides = Vec::new();
    for (i, o) in raw.overrides.into_iter().enumerate() {
        let which = format!("[[sla.overrides]] #{} (\"{}\")", i + 1, o.reason);
        let instant = |key: &str, d: &toml::value::Datetime| {
            toml_instant(d, tz).map_err(|e| format!("{which} {key} = {d}: {e}"))
        };
        let from = instant("from", &o.from)?;
        let to = instant("to", &o.to)?;
        check_threshold(&format!("{which} first_response_s"), o.first_response_s)?;
        check_threshold(&format!("{which} reply_s"), o.reply_s)?;
        if to <= from {
            return Err(format!(
                "[[sla.overrides]] \"{}\": to must be after from",
                o.reason
            ));
        }
        overrides.push(SlaOverride {
            business_line: o.business_line,
            from,
            to,
            first_response_s: o.first_response_s,
            reply_s: o.reply_s,
            reason: o.reason,
        });
    }
    Ok(Sla {
        first_response_s: raw.first_response_s,
        reply_s: raw.reply_s,
        overrides,
    })
}

pub fn local_midnight_utc(date: NaiveDate, tz: Tz) -> DateTime<Utc> {
    local_to_utc(date.and_time(NaiveTime::MIN), tz)
}

/// A local wall-clock time as an instant; in a DST gap, the first valid
/// instant after it, in an overlap the earlier one.
pub fn local_to_utc(local: NaiveDateTime, tz: Tz) -> DateTime<Utc> {
    let mut t = local;
    for _ in 0..4 {
        if let Some(dt) = tz.from_local_datetime(&t).earliest() {
            return dt.with_timezone(&Utc);
        }
        t += chrono::Duration::minutes(30);
    }
    Utc.from_utc_datetime(&local)
}

fn toml_date(d: &toml::value::Datetime) -> Option<NaiveDate> {
    let date = d.date?;
    if d.time.is_some() {
        return None;
    }
    NaiveDate::from_ymd_opt(date.year as i32, date.month as u32, date.day as u32)
}

/// An SLA threshold in seconds, when given, must be a positive number: a
/// zero or negative one would make every response late, NaN none.
fn check_threshold(key: &str, seconds: Option<f64>) -> std::result::Result<(), String> {
    match seconds {
        Some(s) if !(s.is_finite() && s > 0.0) => {
            Err(format!("{key} = {s} must be a positive number of seconds"))
        }
        _ => Ok(()),
    }
}

/// A date-time of the file as an instant. Without an offset it is local
/// time in `tz`, read as the loader reads naive timestamps: a time skipped
/// by daylight saving is an error, one that occurs twice the earlier instant.
pub fn toml_instant(
    d: &toml::value::Datetime,
    tz: Tz,
) -> std::result::Result<DateTime<Utc>, String> {
    let not_a_date_time = || "must be a date-time like 2026-10-14T09:00:00".to_string();
    let (Some(date), Some(time)) = (d.date, d.time) else {
        return Err(not_a_date_time());
    };
    let naive = NaiveDate::from_ymd_opt(date.year as i32, date.month as u32, date.day as u32)
        .and_then(|day| {
            day.and_hms_nano_opt(
                time.hour as u32,
                time.minute as u32,
                time.second as u32,
                time.nanosecond,
            )
        })
        .ok_or_else(not_a_date_time)?;
    let offset_minutes = match d.offset {
        None => {
            return tz
                .from_local_datetime(&naive)
                .earliest()
                .map(|t| t.with_timezone(&Utc))
                .ok_or_else(|| {
                    format!(
                        "is a nonexistent local time in {} (skipped by daylight saving)",
                        tz.name()
                    )
                })
        }
        Some(toml::value::Offset::Z) => 0,
        Some(toml::value::Offset::Custom { minutes }) => i64::from(minutes),
    };
    naive
        .checked_sub_signed(chrono::Duration::minutes(offset_minutes))
        .map(|t| Utc.from_utc_datetime(&t))
        .ok_or_else(not_a_date_time)
}
