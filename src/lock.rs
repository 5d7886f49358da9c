//! One run at a time per output folder: every command that writes into
//! `out_dir` first takes an exclusive lock on `out_dir/.lock`, before it
//! reads or computes anything, so two scheduled runs never both compute and
//! never race on the same job folder. The lock is the operating system's
//! (`flock` on Linux): it goes when the holder exits, however it dies, so a
//! killed run never leaves the folder locked. Taking it also sweeps what
//! killed runs left behind (see `output::sweep_dead_runs`).

use std::fs::{self, File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};

use crate::error::{Context, Error, Result};

/// Held for as long as the value lives; dropping it (or the process ending)
/// releases the lock. The lock file itself stays: deleting it could let a
/// second run lock a new file while a third still holds the old one.
pub struct RunLock {
    _file: File,
    out_dir: PathBuf,
}

impl RunLock {
    /// Lock `out_dir` (creating it if needed), or fail at once with
    /// `Error::Busy` (exit 75) when another run holds it.
    pub fn acquire(out_dir: &Path) -> Result<RunLock> {
        fs::create_dir_all(out_dir).other_ctx(|| format!("cannot create {}", out_dir.display()))?;
        let path = out_dir.join(".lock");
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .other_ctx(|| format!("cannot open {}", path.display()))?;
        match file.try_lock() {
            Ok(()) => {
                let lock = RunLock {
                    _file: file,
                    out_dir: out_dir.to_path_buf(),
                };
                crate::output::sweep_dead_runs(&lock)?;
                Ok(lock)
            }
            Err(TryLockError::WouldBlock) => Err(Error::Busy(format!(
                "another csqa run holds {}",
                path.display()
            ))),
            Err(TryLockError::Error(e)) => {
                Err(Error::other(format!("cannot lock {}: {e}", path.display())))
            }
        }
    }

    /// The output folder this lock covers.
    pub fn out_dir(&self) -> &Path {
        &self.out_dir
    }
}
