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

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MonthlyConfig {
    /// A folder of the user's own `.sql` files; each becomes an extra table of
    /// the monthly pack, named after the file.
    pub extra_queries: Option<PathBuf>,
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
    sampling: Option<crate::sampling::Plan>,
    #[serde(default)]
    columns: BTreeMap<String, BTreeMap<String, String>>,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub data_dir: PathBuf,
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
        let tz_name = raw.timezone.unwrap_or_else(|| "UTC".into());
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
        if !(raw.agreement.threshold.is_finite() && (-1.0..=1.0).contains(&raw.agreement.threshold))
        {
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
        if let Some(plan) = &raw.sampling {
            plan.check()
                .map_err(|e| Error::bad_input(format!("{origin}: {e}")))?;
        }
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
        let rel = |p: PathBuf| if p.is_absolute() { p } else { base.join(p) };
        Ok(Config {
            data_dir: rel(raw.data_dir.unwrap_or_else(|| "data".into())),
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
