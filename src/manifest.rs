//! `manifest.json`: what a job read, what it used and rejected, which
//! standard was in force, how long it took, and whether FCR was complete.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::config::Config;
use crate::standards::Standards;
use crate::tables::CheckedTables;

use crate::load::LoadedFiles;
use crate::validate::TableStats;

#[derive(Debug, Clone, Serialize)]
pub struct TableManifest {
    pub files: LoadedFiles,
    #[serde(flatten)]
    pub stats: TableStats,
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct Manifest {
    pub csqa_version: String,
    pub command: Vec<String>,
    pub job: String,
    pub period: String,
    pub started_at: String,
    pub config: Option<String>,
    pub data_dir: String,
    pub timezone: String,
    pub standards: Option<String>,
    pub standards_versions: Vec<String>,
    pub tables: BTreeMap<String, TableManifest>,
    pub outputs: Vec<String>,
    pub fcr_complete: Option<bool>,
    pub timings_ms: BTreeMap<String, u128>,
    /// What the pack was built from, for `csqa run-due`.
    pub fingerprint: Option<crate::fingerprint::Fingerprint>,
    /// When the pack replaced an earlier build: what changed, and the
    /// figures it replaced.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub restated: Option<crate::restate::Restatement>,
    /// The sessions the pack reports on: the period's (monthly, quarterly),
    /// those read for the event's windows (impact).
    pub sessions: Option<i64>,
    /// Passes the FCR step took over the sessions read (more than one when
    /// they outnumbered `[memory] sessions_per_pass`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sessions_passes: Option<u32>,
    /// The engine that did the row-level work (`polars` or `spark`).
    pub engine: String,
    /// Where a Spark cluster wrote the rejected rows (they stay there).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rejects_at: Option<String>,
}

impl Manifest {
    /// A job's manifest with its inputs: the configuration, the standard
    /// (versions in force before `until`, every version when None) and the
    /// checked tables. Outputs, timings and FCR completeness come later.
    pub fn new(
        job: &str,
        period: &str,
        cfg: &Config,
        standards: &Standards,
        until: Option<DateTime<Utc>>,
        checked: &CheckedTables,
    ) -> Manifest {
        Manifest {
            csqa_version: env!("CARGO_PKG_VERSION").to_string(),
            command: std::env::args().collect(),
            job: job.to_string(),
            period: period.to_string(),
            started_at: Utc::now().to_rfc3339(),
            config: cfg.source.as_ref().map(|p| p.display().to_string()),
            data_dir: cfg.data_dir.display().to_string(),
            timezone: cfg.timezone.name().to_string(),
            standards: standards.source.as_ref().map(|p| p.display().to_string()),
            standards_versions: standards
                .scorecards
                .iter()
                .filter(|s| until.is_none_or(|t| s.effective_from_utc < t))
                .map(|s| s.version.clone())
                .collect(),
            tables: checked.manifest(),
            engine: crate::engine::EngineKind::Polars.as_str().to_string(),
            ..Default::default()
        }
    }
}
