//! Writing a job's folder atomically: everything goes to a hidden temporary
//! folder beside the target, which replaces the target only once complete.
//! A failed run removes its temporary folder and leaves the previous good
//! output in place.

use std::fs;
use std::path::{Path, PathBuf};

use polars::prelude::*;
use serde::Serialize;

use crate::error::{Context, Error, Result};
use crate::manifest::Manifest;

pub struct OutputDir {
    target: PathBuf,
    tmp: PathBuf,
    committed: bool,
    tables: Vec<String>,
}

impl OutputDir {
    pub fn begin(target: PathBuf) -> Result<OutputDir> {
        let parent = target
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."));
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .ok_or_else(|| Error::usage(format!("{} is not a folder name", target.display())))?;
        fs::create_dir_all(&parent).other_ctx(|| format!("cannot create {}", parent.display()))?;
        let tmp = parent.join(format!(".{name}.tmp-{}", std::process::id()));
        if tmp.exists() {
            fs::remove_dir_all(&tmp).other_ctx(|| format!("cannot clear {}", tmp.display()))?;
        }
        fs::create_dir_all(&tmp).other_ctx(|| format!("cannot create {}", tmp.display()))?;
        Ok(OutputDir {
            target,
            tmp,
            committed: false,
            tables: Vec::new(),
        })
    }

    /// `<name>.parquet` and `<name>.csv`; `name` may hold a subfolder
    /// (`rejects/sessions`).
    pub fn write_table(&mut self, name: &str, df: &mut DataFrame) -> Result<()> {
        let pq = self.tmp.join(format!("{name}.parquet"));
        if let Some(dir) = pq.parent() {
            fs::create_dir_all(dir).other_ctx(|| format!("cannot create {}", dir.display()))?;
        }
        let file = fs::File::create(&pq).other_ctx(|| format!("cannot write {}", pq.display()))?;
        ParquetWriter::new(file)
            .finish(df)
            .other_ctx(|| format!("cannot write {}", pq.display()))?;
        let csv = self.tmp.join(format!("{name}.csv"));
        let mut file =
            fs::File::create(&csv).other_ctx(|| format!("cannot write {}", csv.display()))?;
        CsvWriter::new(&mut file)
            .include_header(true)
            .with_datetime_format(csv_datetime_format(df))
            .finish(df)
            .other_ctx(|| format!("cannot write {}", csv.display()))?;
        self.tables.push(name.to_string());
        Ok(())
    }

    pub fn write_text(&mut self, name: &str, text: &str) -> Result<()> {
        let path = self.tmp.join(name);
        fs::write(&path, text).other_ctx(|| format!("cannot write {}", path.display()))
    }

    pub fn write_json<T: Serialize>(&mut self, name: &str, value: &T) -> Result<()> {
        let text = serde_json::to_string_pretty(value)
            .map_err(|e| Error::other(format!("cannot serialise {name}: {e}")))?;
        self.write_text(name, &(text + "\n"))
    }

    /// Record the outputs and the total time in `manifest`, write it as
    /// `manifest.json`, and swap the finished folder into place.
    pub fn commit_with_manifest(
        mut self,
        mut manifest: Manifest,
        total_ms: u128,
    ) -> Result<PathBuf> {
        manifest.outputs = self.tables.clone();
        manifest.timings_ms.insert("total".into(), total_ms);
        self.write_json("manifest.json", &manifest)?;
        self.commit()
    }

    /// Swap the finished folder into place.
    fn commit(mut self) -> Result<PathBuf> {
        let old = self.tmp.with_file_name(format!(
            "{}.old",
            self.tmp
                .file_name()
                .map(|n| n.to_string_lossy())
                .unwrap_or_default()
        ));
        if self.target.exists() {
            fs::rename(&self.target, &old)
                .other_ctx(|| format!("cannot move aside {}", self.target.display()))?;
        }
        if let Err(e) = fs::rename(&self.tmp, &self.target) {
            // Put the previous output back before reporting.
            let _ = fs::rename(&old, &self.target);
            return Err(Error::other(format!(
                "cannot move output into {}: {e}",
                self.target.display()
            )));
        }
        self.committed = true;
        if old.exists() {
            let _ = fs::remove_dir_all(&old);
        }
        Ok(self.target.clone())
    }
}

/// Zoned timestamps in CSV as `2026-10-01T08:31:00+08:00` (a fraction only
/// when there is one) rather than Polars' `…T08:31:00.000000+0800`. Polars
/// takes one format for every column and an offset cannot format a naive
/// time, so a frame with a naive timestamp keeps the default.
pub fn csv_datetime_format(df: &DataFrame) -> Option<PlSmallStr> {
    let naive = df
        .dtypes()
        .iter()
        .any(|t| matches!(t, DataType::Datetime(_, None)));
    (!naive).then(|| "%Y-%m-%dT%H:%M:%S%.f%:z".into())
}

impl Drop for OutputDir {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.tmp);
        }
    }
}
