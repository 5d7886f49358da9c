//! Working tables on disk, for jobs whose inputs outgrow memory: a private
//! folder under the output directory (on the same disk as the outputs, not a
//! RAM-backed /tmp), removed when the job ends, and a streaming writer that
//! splits a scan into Parquet files by a partition number.

use std::fs::File;
use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use polars::prelude::*;

use crate::error::{Context, Error, Result};

/// A folder for one run's working files; removed with everything in it when
/// dropped, whether the job succeeded or failed.
pub struct SpillDir {
    path: PathBuf,
}

impl SpillDir {
    /// `<root>/.spill-<pid>`, created fresh.
    pub fn create(root: &Path) -> Result<SpillDir> {
        let path = root.join(format!(".spill-{}", std::process::id()));
        if path.exists() {
            std::fs::remove_dir_all(&path).other_ctx(|| format!("removing {}", path.display()))?;
        }
        std::fs::create_dir_all(&path).other_ctx(|| format!("creating {}", path.display()))?;
        Ok(SpillDir { path })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for SpillDir {
    fn drop(&mut self) {
        // Best effort: a leftover folder wastes disk, it corrupts nothing.
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// The working column that names each row's part as it is split.
const PART: &str = "_spill_part";

/// Rows the streaming engine hands the writer at a time, and rows a file's
/// buffer holds before it writes a row group.
const BATCH_ROWS: usize = 1 << 17;

/// Stream `lf` into `parts` Parquet files `<dir>/<name>-<k>.parquet`, row
/// by row into file `part` (an expression giving 0..parts). Returns the
/// files written, one per part that received rows, in part order.
pub fn write_parts(
    lf: LazyFrame,
    part: Expr,
    parts: u32,
    dir: &Path,
    name: &str,
) -> Result<Vec<PathBuf>> {
    let writers = Arc::new(Mutex::new(PartWriters::new(parts, dir, name)));
    let sink = Arc::clone(&writers);
    let callback = PlanCallback::new(move |df: DataFrame| {
        let mut w = sink
            .lock()
            .map_err(|_| polars_err!(ComputeError: "a spill writer failed"))?;
        w.write(df, PART)?;
        Ok(false)
    });
    crate::load::collect_streaming(lf.with_column(part.alias(PART)).sink_batches(
        callback,
        // In the scan's order: a rerun writes the same files.
        true,
        NonZeroUsize::new(BATCH_ROWS),
    )?)?;
    let mut w = writers
        .lock()
        .map_err(|_| Error::other("a spill writer failed"))?;
    w.finish()
}

/// FNV-1a of the id's bytes, reduced to `0..passes`: stable from run to run,
/// so a rerun spreads the sessions the same way.
pub fn pass_of(id: &str, passes: u32) -> u32 {
    let hash = id.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    (hash % u64::from(passes.max(1))) as u32
}

/// The part (`pass_of`) of each value of the string `id`; null where it
/// is null.
pub fn hash_part(id: Expr, parts: u32) -> Expr {
    id.map(
        move |c| {
            let part: UInt32Chunked = c
                .str()?
                .iter()
                .map(|id| id.map(|id| pass_of(id, parts)))
                .collect();
            Ok(part.into_column())
        },
        |_, f| Ok(Field::new(f.name().clone(), DataType::UInt32)),
    )
}

/// A writer of working files: LZ4, which writes several times faster than
/// the default zstd; the files live only as long as the run. No minimum
/// and maximum per column: comparing every text value to find them cost
/// more than they save, as no working file is read by a range of values.
pub fn writer(file: File) -> ParquetWriter<File> {
    ParquetWriter::new(file)
        .with_compression(ParquetCompression::Lz4Raw)
        .with_statistics(StatisticsOptions {
            min_value: false,
            max_value: false,
            ..StatisticsOptions::default()
        })
}

/// Frames written to working files on a thread of their own, one at a
/// time, while the caller computes the next: the Parquet writer and a
/// step that uses one core overlap. Dropping it waits for the last write.
#[derive(Default)]
pub struct WriteBehind {
    pending: Option<std::thread::JoinHandle<Result<()>>>,
}

impl WriteBehind {
    /// Write `df` to `path` once the previous write is done, on a thread.
    pub fn write(&mut self, mut df: DataFrame, path: PathBuf) -> Result<()> {
        self.wait()?;
        self.pending = Some(std::thread::spawn(move || {
            let file = File::create(&path).other_ctx(|| format!("creating {}", path.display()))?;
            writer(file).finish(&mut df)?;
            Ok(())
        }));
        Ok(())
    }

    /// Wait for the write under way; its error, if it failed.
    pub fn wait(&mut self) -> Result<()> {
        match self.pending.take() {
            Some(h) => h
                .join()
                .map_err(|_| Error::other("writing a working file failed"))?,
            None => Ok(()),
        }
    }
}

impl Drop for WriteBehind {
    fn drop(&mut self) {
        // On an error elsewhere: the file is not read, but no thread may
        // outlive the run's working folder.
        let _ = self.wait();
    }
}

/// The file `write_parts` writes part `k` of `name` to.
fn part_path(dir: &Path, name: &str, k: usize) -> PathBuf {
    dir.join(format!("{name}-{k}.parquet"))
}

/// A table split into working files by a part number.
pub struct Parts {
    /// Part k's file, when it received rows.
    files: Vec<Option<PathBuf>>,
    /// The table's schema, for a part without rows.
    empty: LazyFrame,
}

impl Parts {
    /// `write_parts`, kept by part number.
    pub fn write(lf: LazyFrame, part: Expr, parts: u32, dir: &Path, name: &str) -> Result<Parts> {
        let empty = lf.clone().clear();
        let written = write_parts(lf, part, parts, dir, name)?;
        Ok(Parts::of_written(&written, empty, parts, dir, name))
    }

    fn of_written(
        written: &[PathBuf],
        empty: LazyFrame,
        parts: u32,
        dir: &Path,
        name: &str,
    ) -> Parts {
        let files = (0..parts.max(1) as usize)
            .map(|k| Some(part_path(dir, name, k)).filter(|p| written.contains(p)))
            .collect();
        Parts { files, empty }
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// Part `k` as a scan (empty when it received no rows).
    pub fn part(&self, k: usize) -> Result<LazyFrame> {
        match self.files.get(k).and_then(Option::as_ref) {
            Some(path) => scan(path),
            None => Ok(self.empty.clone()),
        }
    }

    /// Every part as one scan.
    pub fn all(&self) -> Result<LazyFrame> {
        let files: Vec<PathBuf> = self.files.iter().flatten().cloned().collect();
        scan_all(&files, self.empty.clone())
    }

    /// Remove the files (their scans must not be read afterwards).
    pub fn remove(self) -> Result<()> {
        for path in self.files.iter().flatten() {
            std::fs::remove_file(path).other_ctx(|| format!("removing {}", path.display()))?;
        }
        Ok(())
    }
}

/// A table split into parts as its rows come, a frame at a time: for rows
/// already in memory for another reason, which need no scan of their own.
pub struct Splitter {
    writers: PartWriters,
    empty: LazyFrame,
    parts: u32,
}

impl Splitter {
    /// A split of rows shaped like `empty` into `parts` files
    /// `<dir>/<name>-<k>.parquet`.
    pub fn new(empty: LazyFrame, parts: u32, dir: &Path, name: &str) -> Splitter {
        Splitter {
            writers: PartWriters::new(parts, dir, name),
            empty,
            parts,
        }
    }

    /// `rows`, each written to the part `part` gives it (0..parts).
    pub fn add(&mut self, rows: LazyFrame, part: Expr) -> Result<()> {
        let rows = rows.with_column(part.alias(PART)).collect()?;
        Ok(self.writers.write(rows, PART)?)
    }

    pub fn finish(mut self) -> Result<Parts> {
        let written = self.writers.finish()?;
        let (dir, name) = (self.writers.dir.clone(), self.writers.name.clone());
        Ok(Parts::of_written(
            &written, self.empty, self.parts, &dir, &name,
        ))
    }
}

/// One buffer and one open Parquet writer per part.
struct PartWriters {
    dir: PathBuf,
    name: String,
    buffers: Vec<Vec<DataFrame>>,
    buffered: Vec<usize>,
    writers: Vec<Option<polars::io::parquet::write::BatchedWriter<File>>>,
}

impl PartWriters {
    fn new(parts: u32, dir: &Path, name: &str) -> PartWriters {
        let n = parts.max(1) as usize;
        PartWriters {
            dir: dir.to_path_buf(),
            name: name.to_string(),
            buffers: (0..n).map(|_| Vec::new()).collect(),
            buffered: vec![0; n],
            writers: (0..n).map(|_| None).collect(),
        }
    }

    fn path(&self, k: usize) -> PathBuf {
        part_path(&self.dir, &self.name, k)
    }

    /// Split a batch by its part column into the parts' buffers; a full
    /// buffer becomes a row group.
    fn write(&mut self, df: DataFrame, part_col: &str) -> PolarsResult<()> {
        let parts = df.column(part_col)?.cast(&DataType::UInt32)?;
        let df = df.drop(part_col)?;
        // One look at each row's part, then one gather per part.
        let n = self.buffers.len();
        let mut rows_of: Vec<Vec<IdxSize>> = vec![Vec::new(); n];
        for (i, k) in parts.u32()?.iter().enumerate() {
            let k = k.map(|k| k as usize).filter(|&k| k < n).ok_or_else(
                || polars_err!(ComputeError: "a working-file row without a part number"),
            )?;
            rows_of[k].push(i as IdxSize);
        }
        for (k, rows) in rows_of.into_iter().enumerate() {
            if rows.is_empty() {
                continue;
            }
            let rows = if rows.len() == df.height() {
                df.clone()
            } else {
                df.take(&IdxCa::from_vec(PlSmallStr::EMPTY, rows))?
            };
            self.buffered[k] += rows.height();
            self.buffers[k].push(rows);
            if self.buffered[k] >= BATCH_ROWS {
                self.flush(k)?;
            }
        }
        Ok(())
    }

    fn flush(&mut self, k: usize) -> PolarsResult<()> {
        let mut frames = std::mem::take(&mut self.buffers[k]).into_iter();
        self.buffered[k] = 0;
        let Some(mut batch) = frames.next() else {
            return Ok(());
        };
        for more in frames {
            batch.vstack_mut_owned(more)?;
        }
        batch.rechunk_mut();
        if self.writers[k].is_none() {
            let file = File::create(self.path(k))?;
            self.writers[k] = Some(writer(file).batched(batch.schema())?);
        }
        match self.writers[k].as_mut() {
            Some(writer) => writer.write_batch(&batch),
            None => Ok(()),
        }
    }

    fn finish(&mut self) -> Result<Vec<PathBuf>> {
        let mut written = Vec::new();
        for k in 0..self.buffers.len() {
            self.flush(k)?;
            if let Some(writer) = self.writers[k].take() {
                writer.finish()?;
                written.push(self.path(k));
            }
        }
        Ok(written)
    }
}

/// `lf` written to one working file `<dir>/<name>-0.parquet`, as its scan.
pub fn hold(lf: LazyFrame, dir: &Path, name: &str) -> Result<LazyFrame> {
    let empty = lf.clone().clear();
    let files = write_parts(lf, lit(0u32), 1, dir, name)?;
    scan_all(&files, empty)
}

/// One spilled Parquet file as a lazy scan.
pub fn scan(path: &Path) -> Result<LazyFrame> {
    let path_str = path
        .to_str()
        .ok_or_else(|| Error::other(format!("{}: path is not valid UTF-8", path.display())))?;
    Ok(LazyFrame::scan_parquet(
        PlRefPath::new(path_str),
        scan_args(),
    )?)
}

/// Several spilled files as one scan (their schemas are equal: one writer
/// wrote them), or `empty` when there are none. One scan, not a union of
/// scans: the streaming engine reads a few files at a time, where a union
/// would open all of them at once, in memory that grows with their number.
pub fn scan_all(paths: &[PathBuf], empty: LazyFrame) -> Result<LazyFrame> {
    if paths.is_empty() {
        return Ok(empty);
    }
    let paths = paths
        .iter()
        .map(|p| {
            p.to_str()
                .map(PlRefPath::new)
                .ok_or_else(|| Error::other(format!("{}: path is not valid UTF-8", p.display())))
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(LazyFrame::scan_parquet_files(
        paths.into_iter().collect(),
        scan_args(),
    )?)
}

fn scan_args() -> ScanArgsParquet {
    ScanArgsParquet {
        glob: false,
        hive_options: HiveOptions::new_disabled(),
        ..Default::default()
    }
}
