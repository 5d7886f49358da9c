//! Writing a job's folder atomically: everything goes to a hidden temporary
//! folder beside the target, which replaces the target only once complete.
//! A failed run removes its temporary folder and leaves the previous good
//! output in place.
//!
//! CSV copies are spreadsheet-safe: a text cell that a spreadsheet would read
//! as a formula is written with a leading `'` (the Parquet copy keeps the
//! exact value).

use std::borrow::Cow;
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
    /// (`rejects/sessions`). The CSV gets spreadsheet-safe text cells.
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
            .finish(&mut spreadsheet_safe_frame(df)?)
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

impl Drop for OutputDir {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.tmp);
        }
    }
}

/// Characters that make a spreadsheet read a cell as a formula (OWASP, CSV
/// injection).
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A text cell as it may be shown in a CSV or a report table: one that starts
/// like a formula gets a leading `'`, which spreadsheets show as text.
pub fn spreadsheet_safe(cell: &str) -> Cow<'_, str> {
    if cell.starts_with(FORMULA_STARTS) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// `df` with every text cell spreadsheet-safe; numbers are left alone, so a
/// negative number stays a number.
fn spreadsheet_safe_frame(df: &DataFrame) -> Result<DataFrame> {
    let mut safe = df.clone();
    for column in df.columns() {
        let text = match column.dtype() {
            DataType::String => column.str()?.clone(),
            DataType::Categorical(..) | DataType::Enum(..) => {
                column.cast(&DataType::String)?.str()?.clone()
            }
            _ => continue,
        };
        if !text.iter().flatten().any(|s| s.starts_with(FORMULA_STARTS)) {
            continue;
        }
        let quoted = text
            .apply_values(spreadsheet_safe)
            .with_name(column.name().clone());
        safe.with_column(quoted.into_column())?;
    }
    Ok(safe)
}
