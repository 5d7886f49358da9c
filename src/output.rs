//! Writing a job's folder atomically: everything goes to a hidden temporary
//! folder beside the target (`.NAME.tmp-PID`), which is synced to disk and
//! then exchanged with the target in one step. A failed or killed run leaves
//! the previous complete output in place; its temporary folder is swept by
//! the next run as it takes the output folder's lock (`sweep_dead_runs`):
//! holding it, no other run is writing.
//!
//! CSV copies are spreadsheet-safe: a text cell that a spreadsheet would read
//! as a formula is written with a leading `'` (the Parquet copy keeps the
//! exact value).

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use chrono_tz::Tz;
use polars::prelude::*;
use serde::Serialize;

use crate::error::{Context, Error, Result};
use crate::lock::RunLock;
use crate::manifest::Manifest;
use crate::tables::CheckedTables;

/// Fault injection for the kill tests: with `CSQA_FAULT_KILL_AT=N` set, the
/// writer SIGKILLs its own process at its N-th step (after each file it
/// writes, then before the swap, then after it). Unset in normal use.
const FAULT_KILL_AT: &str = "CSQA_FAULT_KILL_AT";

pub struct OutputDir {
    target: PathBuf,
    /// The configured zone: timestamps meant for people are shown in it.
    zone: Tz,
    tmp: PathBuf,
    /// The locked output folder: the folders from the target's parent up to
    /// it are synced after the swap (they may have been created by this run).
    root: PathBuf,
    committed: bool,
    tables: Vec<String>,
    /// Folders inside `tmp` that got entries, synced before the swap.
    folders: BTreeSet<PathBuf>,
    steps: u32,
    kill_at: Option<u32>,
}

impl OutputDir {
    /// Start writing `lock.out_dir()/rel`, with timestamps in `zone`.
    pub fn begin(lock: &RunLock, rel: impl AsRef<Path>, zone: Tz) -> Result<OutputDir> {
        let target = lock.out_dir().join(rel);
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
            // A dead run's, under a reused process id.
            fs::remove_dir_all(&tmp).other_ctx(|| format!("cannot clear {}", tmp.display()))?;
        }
        fs::create_dir_all(&tmp).other_ctx(|| format!("cannot create {}", tmp.display()))?;
        Ok(OutputDir {
            target,
            zone,
            folders: BTreeSet::from([tmp.clone()]),
            tmp,
            root: lock.out_dir().to_path_buf(),
            committed: false,
            tables: Vec::new(),
            steps: 0,
            kill_at: std::env::var(FAULT_KILL_AT)
                .ok()
                .and_then(|v| v.parse().ok()),
        })
    }

    /// `<name>.parquet` and `<name>.csv`; `name` may hold a subfolder
    /// (`rejects/sessions`). Zoned timestamps are shown in the configured
    /// zone (the instant is unchanged); the CSV gets spreadsheet-safe text
    /// cells.
    pub fn write_table(&mut self, name: &str, df: &DataFrame) -> Result<()> {
        let df = &mut local_times(df, self.zone)?;
        let pq = self.file_path(&format!("{name}.parquet"))?;
        let mut file =
            fs::File::create(&pq).other_ctx(|| format!("cannot write {}", pq.display()))?;
        ParquetWriter::new(&mut file)
            .finish(df)
            .other_ctx(|| format!("cannot write {}", pq.display()))?;
        self.file_done(&pq, file)?;

        let csv = self.file_path(&format!("{name}.csv"))?;
        let mut file =
            fs::File::create(&csv).other_ctx(|| format!("cannot write {}", csv.display()))?;
        CsvWriter::new(&mut file)
            .include_header(true)
            .with_datetime_format(csv_datetime_format(df))
            .finish(&mut spreadsheet_safe_frame(df)?)
            .other_ctx(|| format!("cannot write {}", csv.display()))?;
        self.file_done(&csv, file)?;
        self.tables.push(name.to_string());
        Ok(())
    }

    /// `rejects/<table>` for every checked table that rejected rows.
    pub fn write_rejects(&mut self, checked: &CheckedTables) -> Result<()> {
        for (name, (c, _)) in &checked.tables {
            if c.rejects.height() > 0 {
                self.write_table(&format!("rejects/{name}"), &c.rejects)?;
            }
        }
        Ok(())
    }

    pub fn write_text(&mut self, name: &str, text: &str) -> Result<()> {
        self.write_bytes(name, text.as_bytes())
    }

    fn write_bytes(&mut self, name: &str, bytes: &[u8]) -> Result<()> {
        use std::io::Write;
        let path = self.file_path(name)?;
        let mut file =
            fs::File::create(&path).other_ctx(|| format!("cannot write {}", path.display()))?;
        file.write_all(bytes)
            .other_ctx(|| format!("cannot write {}", path.display()))?;
        self.file_done(&path, file)
    }

    /// `report.md`, `report.html` and `report.xlsx` of a job's report: one
    /// content, three forms.
    pub fn write_report(&mut self, report: &crate::render::Report) -> Result<()> {
        self.write_text("report.md", &crate::render::markdown::document(report))?;
        self.write_bytes("report.html", crate::render::html::page(report)?.as_bytes())?;
        self.write_bytes("report.xlsx", &crate::render::xlsx::workbook(report)?)
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

    /// Make the finished folder durable, swap it into place, make the swap
    /// durable, then remove the previous output.
    fn commit(mut self) -> Result<PathBuf> {
        for folder in self.folders.iter().rev() {
            sync_folder(folder)?;
        }
        self.fault_point();
        let previous = swap_into_place(&self.tmp, &self.target)?;
        self.committed = true;
        let mut folder = self.target.parent();
        while let Some(f) = folder {
            sync_folder(f)?;
            if f == self.root || !f.starts_with(&self.root) {
                break;
            }
            folder = f.parent();
        }
        self.fault_point();
        if let Some(previous) = previous {
            // Left behind only if this fails; the next run sweeps it.
            let _ = fs::remove_dir_all(previous);
        }
        Ok(self.target.clone())
    }

    /// The path of `name` inside the temporary folder, its folder created.
    fn file_path(&mut self, name: &str) -> Result<PathBuf> {
        let path = self.tmp.join(name);
        if let Some(dir) = path.parent() {
            if !self.folders.contains(dir) {
                fs::create_dir_all(dir).other_ctx(|| format!("cannot create {}", dir.display()))?;
                self.folders.insert(dir.to_path_buf());
            }
        }
        Ok(path)
    }

    fn file_done(&mut self, path: &Path, file: fs::File) -> Result<()> {
        file.sync_all()
            .other_ctx(|| format!("cannot write {}", path.display()))?;
        self.fault_point();
        Ok(())
    }

    /// One step of writing; see `FAULT_KILL_AT`.
    fn fault_point(&mut self) {
        self.steps = self.steps.saturating_add(1);
        if self.kill_at == Some(self.steps) {
            kill_self();
        }
    }
}

/// Every zoned timestamp column of `df` shown in `zone`: the instant is
/// unchanged (Parquet keeps it, zone-aware), and CSV prints local time with
/// its offset, as report.md does. Naive columns are left alone.
pub fn local_times(df: &DataFrame, zone: Tz) -> Result<DataFrame> {
    let zone = crate::load::pl_tz(zone);
    let mut out = df.clone();
    for column in df.columns() {
        if let DataType::Datetime(_, Some(_)) = column.dtype() {
            let mut ca = column.datetime()?.clone();
            ca.set_time_zone(zone.clone())?;
            out.with_column(ca.into_column())?;
        }
    }
    Ok(out)
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

/// Die at once, as `kill -9` would: nothing is cleaned up.
fn kill_self() -> ! {
    #[cfg(target_os = "linux")]
    // SAFETY: kill(2) on our own pid has no memory effects.
    unsafe {
        libc::kill(libc::getpid(), libc::SIGKILL);
    }
    std::process::abort()
}

/// Put `tmp` at `target`. Returns where the previous output now is (to be
/// removed), if there was one.
fn swap_into_place(tmp: &Path, target: &Path) -> Result<Option<PathBuf>> {
    let failed = |e: std::io::Error| {
        Error::other(format!("cannot move output into {}: {e}", target.display()))
    };
    if fs::symlink_metadata(target).is_err() {
        fs::rename(tmp, target).map_err(failed)?;
        return Ok(None);
    }
    #[cfg(target_os = "linux")]
    match exchange(tmp, target) {
        // The previous output now sits under the temporary name.
        Ok(()) => return Ok(Some(tmp.to_path_buf())),
        // A file system without RENAME_EXCHANGE: the two-step swap below.
        Err(e) if matches!(e.raw_os_error(), Some(libc::EINVAL | libc::ENOSYS)) => {}
        Err(e) => return Err(failed(e)),
    }
    // Not atomic: a kill between the two renames leaves the previous output
    // under `.old`, which the next run puts back (see `sweep_stale`).
    let old = with_suffix(tmp, ".old");
    fs::rename(target, &old)
        .map_err(|e| Error::other(format!("cannot move aside {}: {e}", target.display())))?;
    if let Err(e) = fs::rename(tmp, target) {
        let _ = fs::rename(&old, target);
        return Err(failed(e));
    }
    Ok(Some(old))
}

/// `renameat2(RENAME_EXCHANGE)`: both paths exist before and after, their
/// contents swapped in one step.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let c = |p: &Path| {
        CString::new(p.as_os_str().as_bytes())
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))
    };
    let (a, b) = (c(a)?, c(b)?);
    // SAFETY: both are valid NUL-terminated paths that outlive the call.
    let rc = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_os_string();
    name.push(suffix);
    PathBuf::from(name)
}

/// Flush a folder's entries to disk (a no-op where folders cannot be opened).
fn sync_folder(dir: &Path) -> Result<()> {
    #[cfg(unix)]
    fs::File::open(dir)
        .and_then(|f| f.sync_all())
        .other_ctx(|| format!("cannot sync {}", dir.display()))?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// A temporary folder left by a dead run: `.NAME.tmp-PID` (`old` false) or
/// `.NAME.tmp-PID.old` (`old` true). Returns NAME and `old`.
fn stale_name(file_name: &str) -> Option<(&str, bool)> {
    let rest = file_name.strip_prefix('.')?;
    let (rest, old) = match rest.strip_suffix(".old") {
        Some(r) => (r, true),
        None => (rest, false),
    };
    let (name, pid) = rest.rsplit_once(".tmp-")?;
    let is_pid = !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit());
    (is_pid && !name.is_empty()).then_some((name, old))
}

/// Sweep the temporary folders of dead runs in the locked output folder and
/// in each of its folders: job folders are `OUT_DIR/JOB` or
/// `OUT_DIR/JOB/PERIOD`, and their temporary folders sit beside them.
/// Holding the lock, every such folder is a dead run's.
pub fn sweep_dead_runs(lock: &RunLock) -> Result<()> {
    let out_dir = lock.out_dir();
    sweep_stale(out_dir)?;
    let entries =
        fs::read_dir(out_dir).other_ctx(|| format!("cannot read {}", out_dir.display()))?;
    for entry in entries.flatten() {
        let hidden = entry.file_name().to_string_lossy().starts_with('.');
        if !hidden && entry.file_type().is_ok_and(|t| t.is_dir()) {
            sweep_stale(&entry.path())?;
        }
    }
    Ok(())
}

/// Remove the temporary folders of dead runs in `parent`. A `.old` folder
/// whose target is missing is the previous complete output of a run killed
/// mid-way through the two-step swap: it is put back instead.
fn sweep_stale(parent: &Path) -> Result<()> {
    let mut stale: Vec<(String, PathBuf, bool)> = Vec::new();
    let entries = fs::read_dir(parent).other_ctx(|| format!("cannot read {}", parent.display()))?;
    for entry in entries.flatten() {
        let file_name = entry.file_name().to_string_lossy().into_owned();
        let is_dir = entry.file_type().map(|t| t.is_dir()).unwrap_or(false);
        if let Some((name, old)) = stale_name(&file_name).filter(|_| is_dir) {
            stale.push((name.to_string(), entry.path(), old));
        }
    }
    stale.sort();
    for (name, path, old) in stale {
        let target = parent.join(&name);
        if old && fs::symlink_metadata(&target).is_err() {
            // Never removed: it may be the only copy of the previous output.
            fs::rename(&path, &target).other_ctx(|| {
                format!("cannot put {} back as {}", path.display(), target.display())
            })?;
            continue;
        }
        fs::remove_dir_all(&path)
            .other_ctx(|| format!("cannot remove stale {}", path.display()))?;
    }
    Ok(())
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
