//! The last attempt of each scheduled job, kept in `OUT_DIR/.run-due.json`
//! so that `csqa status` can say why a job that stays due failed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Context, Result};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Attempt {
    /// When it ended (wall clock, RFC 3339).
    pub at: String,
    pub ok: bool,
    pub seconds: f64,
    /// The error of a failed attempt.
    pub error: Option<String>,
}

/// Job name ("monthly 2026-09") → its last attempt.
pub type Attempts = BTreeMap<String, Attempt>;

fn path(out_dir: &Path) -> PathBuf {
    out_dir.join(".run-due.json")
}

/// The attempts recorded so far (none when the file is absent or
/// unreadable: it is a log, not an input).
pub fn load(out_dir: &Path) -> Attempts {
    std::fs::read_to_string(path(out_dir))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default()
}

/// Write the attempts whole (a temporary file renamed over the old one),
/// so a run killed while writing leaves the previous record.
pub fn save(out_dir: &Path, attempts: &Attempts) -> Result<()> {
    let target = path(out_dir);
    let tmp = out_dir.join(format!(".run-due.json.tmp-{}", std::process::id()));
    let text = serde_json::to_string_pretty(attempts)
        .other_ctx(|| format!("cannot serialise {}", target.display()))?;
    std::fs::write(&tmp, text + "\n").other_ctx(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, &target).other_ctx(|| format!("cannot write {}", target.display()))
}
