//! Loading and checking every table of the data directory at once, for the
//! commands that need them all.

use std::collections::BTreeMap;

use polars::prelude::*;

use crate::config::Config;
use crate::contract::{self, TableSpec};
use crate::error::Result;
use crate::load::{LoadedFiles, Window};
use crate::manifest::TableManifest;
use crate::standards::Standards;
use crate::validate::{self, Checked};

/// Every table that was present, checked. Optional tables that are absent are
/// missing from the map.
pub struct CheckedTables {
    pub tables: BTreeMap<&'static str, (Checked, LoadedFiles)>,
}

impl CheckedTables {
    /// Check `specs`; `window` gives, per table, the part of it to read
    /// (None: the whole history).
    pub fn load(
        cfg: &Config,
        standards: &Standards,
        specs: &[&'static TableSpec],
        window: impl Fn(&TableSpec) -> Option<Window>,
        mut on_table: impl FnMut(&str),
    ) -> Result<CheckedTables> {
        let mut tables = BTreeMap::new();
        for spec in specs {
            on_table(spec.name);
            if let Some(checked) =
                validate::check_table(cfg, standards, spec, window(spec).as_ref())?
            {
                tables.insert(spec.name, checked);
            }
        }
        Ok(CheckedTables { tables })
    }

    /// Check one large table in streaming passes (`validate::check_scan`):
    /// its counts and rejects join the others, and its used rows come back
    /// as a lazy scan (none when the optional table is absent).
    pub fn load_scan(
        &mut self,
        cfg: &Config,
        spec: &'static TableSpec,
        window: Option<&Window>,
    ) -> Result<Option<LazyFrame>> {
        let Some(table) = crate::load::load_table(cfg, spec, window)? else {
            return Ok(None);
        };
        let files = table.files_read();
        let scan = validate::check_scan(table, cfg)?;
        self.tables.insert(spec.name, (scan.checked, files));
        Ok(Some(scan.used))
    }

    /// No table yet: for jobs that check theirs one at a time.
    pub fn empty() -> CheckedTables {
        CheckedTables {
            tables: BTreeMap::new(),
        }
    }

    /// Add tables checked later.
    pub fn extend(&mut self, more: CheckedTables) {
        self.tables.extend(more.tables);
    }

    /// Every table of the contract over its whole history, with each present
    /// table's used rows as a lazy scan: each table is checked in streaming
    /// passes (`validate::check_streamed`), so the size of the tables does
    /// not set the memory `validate` and `query` need.
    pub fn all(
        cfg: &Config,
        standards: &Standards,
        mut on_table: impl FnMut(&str),
    ) -> Result<(CheckedTables, Vec<(&'static str, LazyFrame)>)> {
        let mut checked = CheckedTables {
            tables: BTreeMap::new(),
        };
        let mut frames = Vec::new();
        for spec in contract::ALL_TABLES.iter() {
            on_table(spec.name);
            if let Some(table) = crate::load::load_table(cfg, spec, None)? {
                let files = table.files_read();
                let scan = validate::check_streamed(table, cfg, standards)?;
                checked.tables.insert(spec.name, (scan.checked, files));
                frames.push((spec.name, scan.used));
            }
        }
        Ok((checked, frames))
    }

    pub fn used(&self, table: &str) -> Option<&DataFrame> {
        self.tables.get(table).map(|(c, _)| &c.used)
    }

    /// The used rows of a table, or none with the same schema when the
    /// optional table is absent.
    pub fn used_or_empty(&self, spec: &TableSpec, standards: &Standards) -> Result<DataFrame> {
        match self.used(spec.name) {
            Some(df) => Ok(df.clone()),
            None => validate::empty_used(spec, standards),
        }
    }

    /// The used rows of a table, taken out of the checked tables (an empty
    /// frame of the same schema stays behind), or none when the optional
    /// table is absent: for jobs that consume a large table once and want
    /// its memory back while they go on.
    pub fn take_used(&mut self, spec: &TableSpec, standards: &Standards) -> Result<DataFrame> {
        match self.tables.get_mut(spec.name) {
            Some((checked, _)) => {
                let empty = checked.used.clear();
                Ok(std::mem::replace(&mut checked.used, empty))
            }
            None => validate::empty_used(spec, standards),
        }
    }

    /// Files in the tables' folders that are not Parquet and were not read
    /// (relative to the data directory), for every table of the contract,
    /// one whose folder holds no Parquet file at all included.
    pub fn ignored_files(&self, cfg: &Config) -> Result<Vec<String>> {
        let mut out = Vec::new();
        for spec in contract::ALL_TABLES.iter() {
            match self.tables.get(spec.name) {
                Some((_, files)) => out.extend(files.ignored.iter().cloned()),
                None => {
                    let dir = cfg.data_dir.join(spec.name);
                    if dir.is_dir() {
                        out.extend(crate::load::discover(&dir, &cfg.data_dir)?.1);
                    }
                }
            }
        }
        Ok(out)
    }

    pub fn manifest(&self) -> BTreeMap<String, TableManifest> {
        self.tables
            .iter()
            .map(|(name, (checked, files))| {
                (
                    name.to_string(),
                    TableManifest {
                        files: files.clone(),
                        stats: checked.stats.clone(),
                    },
                )
            })
            .collect()
    }
}
