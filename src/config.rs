//! `csqa.toml`: where the data is, the time zone months are cut in, column
//! mappings, and the metric parameters of the contract with their defaults.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono_tz::Tz;
use serde::Deserialize;

use crate::contract;
use crate::error::{Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FcrScope {
    Customer,
    CustomerBusinessLine,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FcrConfig {
    pub window_hours: u32,
    pub scope: FcrScope,
}

impl Default for FcrConfig {
    fn default() -> Self {
        FcrConfig {
            window_hours: 72,
            scope: FcrScope::Customer,
        }
    }
}

/// The coefficient a calibration module is judged by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Headline {
    /// Gwet's AC1 (AC2 on graded modules): robust to skewed QA data.
    GwetAc1,
    FleissKappa,
    KrippendorffAlpha,
    CohenKappa,
    PercentAgreement,
}

impl Headline {
    pub fn as_str(self) -> &'static str {
        match self {
            Headline::GwetAc1 => "gwet_ac1",
            Headline::FleissKappa => "fleiss_kappa",
            Headline::KrippendorffAlpha => "krippendorff_alpha",
            Headline::CohenKappa => "cohen_kappa",
            Headline::PercentAgreement => "percent_agreement",
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AgreementConfig {
    pub headline: Headline,
    /// A module whose headline is below this is flagged for the calibration
    /// meeting.
    pub threshold: f64,
    /// A module with fewer items than this gets the band `too few items`
    /// and is never flagged: a handful of items says little.
    pub min_items: u32,
}

impl Default for AgreementConfig {
    fn default() -> Self {
        AgreementConfig {
            headline: Headline::GwetAc1,
            threshold: 0.80,
            min_items: 10,
        }
    }
}

/// The rules of the standard-iteration table's recommendation.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct IterationConfig {
    /// Clarify the rule when at least this share of decided appeals was
    /// overturned...
    pub overturn_threshold: f64,
    /// ...over at least this many decided appeals.
    pub min_decided_appeals: u32,
    /// Coach when the defect rate rose by at least this many percentage
    /// points while agreement is fine.
    pub defect_rise_pts: f64,
}

impl Default for IterationConfig {
    fn default() -> Self {
        IterationConfig {
            overturn_threshold: 0.30,
            min_decided_appeals: 5,
            defect_rise_pts: 5.0,
        }
    }
}

/// The quarterly system-module review: how much history the trends read
/// and when a module's recommendation says to revise it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct QuarterlyConfig {
    /// Months of history a trend reads, ending with the period's last month.
    pub trend_months: u32,
    /// A trend needs at least this many months with enough data...
    pub min_points: u32,
    /// ...a month being a point of the defect-rate trend when the module has
    /// at least this many reviews in it.
    pub min_reviews: u32,
    /// A trend is worsening or improving when its Benjamini–Hochberg
    /// q-value is below this.
    pub alpha: f64,
    /// Revise a module whose agreement was flagged in at least this many
    /// months of the period.
    pub flagged_months: u32,
    /// "review weight" needs at least this many rated sessions where the
    /// module failed.
    pub min_outcome_sessions: u32,
}

impl Default for QuarterlyConfig {
    fn default() -> Self {
        QuarterlyConfig {
            trend_months: 6,
            min_points: 5,
            min_reviews: 30,
            alpha: 0.05,
            flagged_months: 2,
            min_outcome_sessions: 30,
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MonthlyConfig {
    /// A folder of the user's own `.sql` files; each becomes an extra table of
    /// the monthly pack, named after the file.
    pub extra_queries: Option<PathBuf>,
}

/// Impact reports.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ImpactConfig {
    /// An improvement action is `too early` to judge until this many days
    /// of data have passed since its start.
    pub min_days: u32,
}

impl Default for ImpactConfig {
    fn default() -> Self {
        ImpactConfig { min_days: 14 }
    }
}

/// `[memory]`: how much of the sessions a job holds at once.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MemoryConfig {
    /// Sessions the FCR step holds at once. A job that reads more is split
    /// by customer into passes of about this many, through working files
    /// on disk, so its memory stays flat however large the month.
    pub sessions_per_pass: u64,
}

impl Default for MemoryConfig {
    fn default() -> Self {
        MemoryConfig {
            sessions_per_pass: 4_000_000,
        }
    }
}

/// `[schedule]`: which jobs `csqa run-due` runs and when.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ScheduleConfig {
    /// Build each closed month's pack.
    pub monthly: bool,
    /// Days after a month ends before its pack is due (None: the FCR
    /// look-ahead and the longest session, in whole days, plus one day for
    /// the exports to land).
    pub grace_days: Option<u32>,
    /// Build each closed quarter's review once its months' packs are built.
    pub quarterly: bool,
    /// How many past closed months (and the quarters ending in them) are
    /// checked for late data.
    pub lookback_months: u32,
    /// Draw a sampling plan for each closed week (Monday..Sunday) or day.
    pub sample: SampleCadence,
    /// The plan file for those draws (None: `[sampling]` of this file).
    pub sample_plan: Option<PathBuf>,
    /// Build the impact report of each event of events.toml once it has
    /// ended plus the grace; re-measure open actions as each month closes.
    pub impact: bool,
    /// `csqa status` warns when the newest session is older than this.
    pub stale_after_days: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SampleCadence {
    Off,
    Daily,
    Weekly,
}

impl Default for ScheduleConfig {
    fn default() -> Self {
        ScheduleConfig {
            monthly: true,
            grace_days: None,
            quarterly: true,
            lookback_months: 3,
            sample: SampleCadence::Off,
            sample_plan: None,
            impact: true,
            stale_after_days: 2,
        }
    }
}

/// The longest FCR window or session length accepted, in hours (a year):
/// beyond it the time arithmetic of the jobs could overflow.
pub const MAX_HOURS: u32 = 8760;

/// The file as written by the user: every key optional, unknown keys refused.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    data_dir: Option<PathBuf>,
    out_dir: Option<PathBuf>,
    timezone: Option<String>,
    satisfied_min: Option<i64>,
    scale_max: Option<i64>,
    max_session_hours: Option<u32>,
    lang: Option<crate::i18n::Lang>,
    #[serde(default)]
    fcr: FcrConfig,
    #[serde(default)]
    monthly: MonthlyConfig,
    #[serde(default)]
    agreement: AgreementConfig,
    #[serde(default)]
    iteration: IterationConfig,
    #[serde(default)]
    quarterly: QuarterlyConfig,
    #[serde(default)]
    impact: ImpactConfig,
    #[serde(default)]
    schedule: ScheduleConfig,
    #[serde(default)]
    memory: MemoryConfig,
    #[serde(default)]
    engine: crate::engine::EngineConfig,
    sampling: Option<crate::sampling::Plan>,
    #[serde(default)]
    columns: BTreeMap<String, BTreeMap<String, String>>,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub data_dir: PathBuf,
    pub memory: MemoryConfig,
    /// `[engine]`: which engine does the monthly pack's row-level work.
    pub engine: crate::engine::EngineConfig,
    pub out_dir: PathBuf,
    pub timezone: Tz,
    pub satisfied_min: i64,
    pub scale_max: i64,
    /// A session whose `ended_at` is later than this after its `started_at`
    /// is rejected; jobs read this far past a window's edge for long sessions.
    pub max_session_hours: u32,
    /// The language of report.html and report.xlsx.
    pub lang: crate::i18n::Lang,
    pub fcr: FcrConfig,
    pub monthly: MonthlyConfig,
    pub agreement: AgreementConfig,
    pub iteration: IterationConfig,
    pub quarterly: QuarterlyConfig,
    pub impact: ImpactConfig,
    pub schedule: ScheduleConfig,
    /// The `[sampling]` plan, if the file has one.
    pub sampling: Option<crate::sampling::Plan>,
    /// table → canonical column → the export's column name.
    pub columns: BTreeMap<String, BTreeMap<String, String>>,
    /// The file this came from, if any (for the manifest).
    pub source: Option<PathBuf>,
}

impl Config {
    /// Load `path` if given (it must exist), else `csqa.toml` in the working
    /// directory if present, else the built-in defaults. Relative paths in the
    /// file are relative to the file, so cron can run from anywhere.
    pub fn load(path: Option<&Path>) -> Result<Config> {
        let (raw, source) = match path {
            Some(p) => {
                let text = std::fs::read_to_string(p).map_err(|e| {
                    Error::bad_input(format!("cannot read config {}: {e}", p.display()))
                })?;
                (parse(&text, p)?, Some(p.to_path_buf()))
            }
            None => {
                let p = Path::new("csqa.toml");
                if p.is_file() {
                    let text = std::fs::read_to_string(p).map_err(|e| {
                        Error::bad_input(format!("cannot read config {}: {e}", p.display()))
                    })?;
                    (parse(&text, p)?, Some(p.to_path_buf()))
                } else {
                    (RawConfig::default(), None)
                }
            }
        };
        let base = source
            .as_deref()
            .and_then(Path::parent)
            .map(Path::to_path_buf)
            .unwrap_or_default();
        Config::from_raw(raw, &base, source)
    }

    pub fn from_toml_str(text: &str) -> Result<Config> {
        Config::from_raw(parse(text, Path::new("<config>"))?, Path::new(""), None)
    }

    fn from_raw(raw: RawConfig, base: &Path, source: Option<PathBuf>) -> Result<Config> {
        let origin = source
            .as_deref()
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| "config".into());
        let tz_name = raw.timezone.as_deref().unwrap_or("UTC");
        let timezone: Tz = tz_name.parse().map_err(|_| {
            Error::bad_input(format!(
                "{origin}: timezone = \"{tz_name}\" is not an IANA time zone (e.g. \"Asia/Shanghai\")"
            ))
        })?;
        let scale_max = raw.scale_max.unwrap_or(5);
        if scale_max < 2 {
            return Err(Error::bad_input(format!(
                "{origin}: scale_max = {scale_max} must be at least 2"
            )));
        }
        let satisfied_min = raw.satisfied_min.unwrap_or(4);
        if !(1..=scale_max).contains(&satisfied_min) {
            return Err(Error::bad_input(format!(
                "{origin}: satisfied_min = {satisfied_min} must lie in 1..={scale_max} (scale_max)"
            )));
        }
        let max_session_hours = raw.max_session_hours.unwrap_or(24);
        for (key, hours) in [
            ("[fcr] window_hours", raw.fcr.window_hours),
            ("max_session_hours", max_session_hours),
        ] {
            if !(1..=MAX_HOURS).contains(&hours) {
                return Err(Error::bad_input(format!(
                    "{origin}: {key} = {hours} must lie in 1..={MAX_HOURS} (a year)"
                )));
            }
        }
        check_sections(&raw, &origin)?;
        check_column_mappings(&raw, &origin)?;
        let rel = |p: PathBuf| if p.is_absolute() { p } else { base.join(p) };
        Ok(Config {
            data_dir: rel(raw.data_dir.unwrap_or_else(|| "data".into())),
            memory: raw.memory.clone(),
            engine: raw.engine.clone(),
            out_dir: rel(raw.out_dir.unwrap_or_else(|| "out".into())),
            timezone,
            satisfied_min,
            scale_max,
            max_session_hours,
            lang: raw.lang.unwrap_or_default(),
            fcr: raw.fcr,
            monthly: MonthlyConfig {
                extra_queries: raw.monthly.extra_queries.map(rel),
            },
            agreement: raw.agreement,
            iteration: raw.iteration,
            quarterly: raw.quarterly,
            impact: raw.impact,
            schedule: ScheduleConfig {
                sample_plan: raw.schedule.sample_plan.clone().map(rel),
                ..raw.schedule
            },
            sampling: raw.sampling,
            columns: raw.columns,
            source,
        })
    }

    /// The FCR window (bounded by `MAX_HOURS` on load).
    pub fn fcr_window(&self) -> chrono::Duration {
        chrono::Duration::hours(i64::from(self.fcr.window_hours))
    }

    /// The longest session accepted (bounded by `MAX_HOURS` on load).
    pub fn max_session(&self) -> chrono::Duration {
        chrono::Duration::hours(i64::from(self.max_session_hours))
    }

    /// Days after a month's end before its pack is due: `[schedule]
    /// grace_days`, by default the FCR look-ahead plus the longest session
    /// rounded up to whole days, plus a day for the exports to land.
    pub fn grace_days(&self) -> u32 {
        self.schedule
            .grace_days
            .unwrap_or_else(|| (self.fcr.window_hours + self.max_session_hours).div_ceil(24) + 1)
    }

    /// The export's name for a canonical column.
    pub fn source_column<'a>(&'a self, table: &str, canonical: &'a str) -> &'a str {
        self.columns
            .get(table)
            .and_then(|m| m.get(canonical))
            .map(String::as_str)
            .unwrap_or(canonical)
    }
}

fn parse(text: &str, path: &Path) -> Result<RawConfig> {
    toml::from_str(text).map_err(|e| Error::bad_input(format!("{}: {e}", path.display())))
}

/// The numbers and choices of [agreement], [iteration], [quarterly],
/// [schedule] and [sampling], each in its valid range.
fn check_sections(raw: &RawConfig, origin: &str) -> Result<()> {
    if raw.memory.sessions_per_pass == 0 {
        return Err(Error::bad_input(format!(
            "{origin}: [memory] sessions_per_pass must be at least 1"
        )));
    }
    if !(raw.agreement.threshold.is_finite() && (-1.0..=1.0).contains(&raw.agreement.threshold)) {
        return Err(Error::bad_input(format!(
            "{origin}: [agreement] threshold must lie in -1..=1"
        )));
    }
    if raw.agreement.min_items < 2 {
        return Err(Error::bad_input(format!(
            "{origin}: [agreement] min_items must be at least 2 (no coefficient is defined on fewer than two items)"
        )));
    }
    let it = &raw.iteration;
    if !(0.0..=1.0).contains(&it.overturn_threshold)
        || it.defect_rise_pts.is_nan()
        || it.defect_rise_pts < 0.0
    {
        return Err(Error::bad_input(format!(
            "{origin}: [iteration] overturn_threshold must lie in 0..=1 and defect_rise_pts be non-negative"
        )));
    }
    let q = &raw.quarterly;
    let quarterly_ok = (2..=60).contains(&q.trend_months)
        && (3..=q.trend_months).contains(&q.min_points)
        && q.alpha > 0.0
        && q.alpha < 1.0;
    if !quarterly_ok {
        return Err(Error::bad_input(format!(
            "{origin}: [quarterly] trend_months must lie in 2..=60, min_points in 3..=trend_months and alpha in (0, 1)"
        )));
    }
    let sch = &raw.schedule;
    if !(1..=60).contains(&sch.lookback_months) || sch.grace_days.is_some_and(|d| d > 366) {
        return Err(Error::bad_input(format!(
            "{origin}: [schedule] lookback_months must lie in 1..=60 and grace_days in 0..=366"
        )));
    }
    if sch.sample != SampleCadence::Off && sch.sample_plan.is_none() && raw.sampling.is_none() {
        return Err(Error::bad_input(format!(
            "{origin}: [schedule] sample needs a plan: set sample_plan = \"FILE\" or add [sampling]"
        )));
    }
    if let Some(plan) = &raw.sampling {
        plan.check()
            .map_err(|e| Error::bad_input(format!("{origin}: {e}")))?;
    }
    Ok(())
}

/// Every `[columns.<table>]` names a contract table and its columns.
fn check_column_mappings(raw: &RawConfig, origin: &str) -> Result<()> {
    for (table, mapping) in &raw.columns {
        let spec = contract::table(table).ok_or_else(|| {
            Error::bad_input(format!(
                "{origin}: [columns.{table}] names no table of the contract (sessions, reviews, repeat_causes, messages, appeals, agent_hours)"
            ))
        })?;
        for canonical in mapping.keys() {
            if spec.column(canonical).is_none() {
                return Err(Error::bad_input(format!(
                    "{origin}: [columns.{table}] {canonical} is not a column of {table} (columns: {})",
                    spec.column_names().join(", ")
                )));
            }
        }
    }
    Ok(())
}
