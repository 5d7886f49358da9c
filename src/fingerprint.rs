//! What a pack was built from, cheaply: the input files a job reads (path,
//! size, modification time), the configuration, `standards.toml`,
//! `events.toml`, the user's extra SQL and the csqa version (the built-in
//! queries are compiled in). Kept in each pack's `manifest.json`;
//! `csqa run-due` compares it with the fingerprint of what the job would read
//! now, listing files without reading them, to decide whether a pack is out
//! of date.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::config::Config;
use crate::contract;
use crate::error::Result;
use crate::jobs::period::Month;

/// One file's size and modification time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp {
    pub bytes: u64,
    pub modified: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fingerprint {
    pub csqa_version: String,
    /// Input files of the tables, relative to the data directory.
    pub data: BTreeMap<String, Stamp>,
    /// `config`, `standards.toml`, `events.toml` and
    /// `extra_queries/NAME.sql`.
    pub settings: BTreeMap<String, Stamp>,
}

/// Which months' partitions of each table a job reads; `messages` None
/// when the job reads no messages.
pub struct JobMonths<'a> {
    pub months: &'a [Month],
    pub messages: Option<&'a [Month]>,
    pub events: bool,
    /// The tables read (None: all of them).
    pub tables: Option<&'a [&'static str]>,
    /// Other files read (a sampling plan), by role.
    pub extra: Vec<(String, PathBuf)>,
}

impl Fingerprint {
    /// What a job reading `months` would read now.
    pub fn of(cfg: &Config, job: &JobMonths) -> Result<Fingerprint> {
        let mut data = BTreeMap::new();
        for spec in contract::ALL_TABLES.iter() {
            if job.tables.is_some_and(|t| !t.contains(&spec.name)) {
                continue;
            }
            let months = if spec.name == "messages" {
                match job.messages {
                    Some(m) => m,
                    None => continue,
                }
            } else {
                job.months
            };
            let dir = cfg.data_dir.join(spec.name);
            if !dir.is_dir() {
                continue;
            }
            let wanted: BTreeSet<NaiveDate> = months.iter().map(|m| m.first_day).collect();
            for (_, info) in crate::load::discover(&dir, &cfg.data_dir)?.0 {
                if partition_month(&info.path).is_none_or(|m| wanted.contains(&m)) {
                    let stamp = Stamp {
                        bytes: info.bytes,
                        modified: info.modified,
                    };
                    data.insert(info.path, stamp);
                }
            }
        }
        let mut settings = BTreeMap::new();
        // Keyed by role, not path, so the same file given by another path
        // (a relative --config) is the same input.
        let mut add = |key: String, path: &Path| {
            if let Some(stamp) = stamp(path) {
                settings.insert(key, stamp);
            }
        };
        if let Some(source) = &cfg.source {
            add("config".into(), source);
        }
        add(
            "standards.toml".into(),
            &cfg.data_dir.join("standards.toml"),
        );
        if job.events {
            add("events.toml".into(), &cfg.data_dir.join("events.toml"));
        }
        for (key, path) in &job.extra {
            add(key.clone(), path);
        }
        Ok(Fingerprint {
            csqa_version: env!("CARGO_PKG_VERSION").to_string(),
            data,
            settings,
        })
    }

    /// Why a pack built from `self` is out of date against `now` (empty:
    /// it is not): a new csqa version, settings files changed, N input
    /// files changed (added, removed or modified).
    pub fn differences(&self, now: &Fingerprint) -> Vec<String> {
        let mut why = Vec::new();
        if self.csqa_version != now.csqa_version {
            why.push("new csqa version".to_string());
        }
        let changed_settings = changed(&self.settings, &now.settings);
        if !changed_settings.is_empty() {
            let names: Vec<&str> = changed_settings.into_iter().collect();
            why.push(format!("{} changed", names.join(", ")));
        }
        let files = changed(&self.data, &now.data).len();
        if files > 0 {
            let noun = if files == 1 { "file" } else { "files" };
            why.push(format!("{files} input {noun} changed"));
        }
        why
    }
}

/// Paths added, removed or with another size or modification time.
fn changed<'a>(
    before: &'a BTreeMap<String, Stamp>,
    now: &'a BTreeMap<String, Stamp>,
) -> BTreeSet<&'a str> {
    let gone_or_changed = before
        .iter()
        .filter(|(p, s)| now.get(*p) != Some(s))
        .map(|(p, _)| p.as_str());
    let added = now
        .keys()
        .filter(|p| !before.contains_key(*p))
        .map(String::as_str);
    gone_or_changed.chain(added).collect()
}

fn stamp(path: &Path) -> Option<Stamp> {
    let meta = std::fs::metadata(path).ok()?;
    Some(Stamp {
        bytes: meta.len(),
        modified: meta
            .modified()
            .ok()
            .map(|t| DateTime::<Utc>::from(t).to_rfc3339()),
    })
}

/// The month a file's partition folder names (`month=2026-09`, or a day
/// `date=2026-09-14`), if any: files of other months are another period's
/// data and do not make a pack out of date.
pub fn partition_month(path: &str) -> Option<NaiveDate> {
    path.split(['/', '\\']).find_map(|part| {
        let (_, value) = part.split_once('=')?;
        let month = value.get(..7)?;
        let rest = value.get(7..)?;
        if !(rest.is_empty() || NaiveDate::parse_from_str(value, "%Y-%m-%d").is_ok()) {
            return None;
        }
        NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d").ok()
    })
}

/// The user's extra SQL files of `[monthly] extra_queries`, by role.
pub fn extra_queries(cfg: &Config) -> Vec<(String, PathBuf)> {
    let Some(dir) = &cfg.monthly.extra_queries else {
        return Vec::new();
    };
    walkdir::WalkDir::new(dir)
        .max_depth(1)
        .sort_by_file_name()
        .into_iter()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "sql"))
        .map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            (format!("extra_queries/{name}"), e.path().to_path_buf())
        })
        .collect()
}
