//! `manifest.json`: what a job read, what it used and rejected, which
//! standard was in force, how long it took, and whether FCR was complete.

use std::collections::BTreeMap;

use serde::Serialize;

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
}

impl Manifest {
    pub fn new(job: &str, period: &str) -> Manifest {
        Manifest {
            csqa_version: env!("CARGO_PKG_VERSION").to_string(),
            command: std::env::args().collect(),
            job: job.to_string(),
            period: period.to_string(),
            started_at: chrono::Utc::now().to_rfc3339(),
            ..Default::default()
        }
    }
}
