//! `csqa query FILE.sql`: one SQL file over the validated tables.

use std::path::PathBuf;

use clap::Args;
use polars::prelude::*;
use polars::sql::SQLContext;

use crate::cli::GlobalArgs;
use crate::error::{Error, Result};
use crate::progress::Progress;
use crate::standards::Standards;
use crate::tables::CheckedTables;

#[derive(Args, Debug)]
pub struct QueryArgs {
    /// The SQL file to run
    pub file: PathBuf,
    /// Write the result here (.csv or .parquet) instead of printing CSV to stdout
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

pub fn run(global: &GlobalArgs, args: QueryArgs) -> Result<()> {
    let progress = Progress::new(global.quiet);
    let sql = std::fs::read_to_string(&args.file)
        .map_err(|e| Error::usage(format!("cannot read {}: {e}", args.file.display())))?;
    let cfg = global.config()?;
    let standards = Standards::load(&cfg.data_dir, cfg.timezone)?;
    let checked = CheckedTables::all(&cfg, &standards, |t| {
        progress.step(&format!("checking {t}"))
    })?;
    let ctx = SQLContext::new();
    for (name, frame) in crate::enrich::query_tables(&checked, &cfg)? {
        ctx.register(name, frame);
    }
    let mut ctx = ctx;
    let mut df = ctx
        .execute(&sql)
        .and_then(LazyFrame::collect)
        .map_err(|e| Error::usage(format!("{}: {e}", args.file.display())))?;
    progress.finish();
    match &args.output {
        None => {
            // CSV on stdout pipes into other tools and reads fine in a log.
            let stdout = std::io::stdout();
            CsvWriter::new(stdout.lock())
                .include_header(true)
                .finish(&mut df)?;
        }
        Some(path) => write_result(path, &mut df)?,
    }
    eprintln!(
        "query: {} rows × {} columns in {:.1}s",
        df.height(),
        df.width(),
        progress.elapsed_s()
    );
    Ok(())
}

fn write_result(path: &std::path::Path, df: &mut DataFrame) -> Result<()> {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    let file = std::fs::File::create(path)
        .map_err(|e| Error::other(format!("cannot write {}: {e}", path.display())))?;
    match ext {
        "csv" => CsvWriter::new(file).include_header(true).finish(df)?,
        "parquet" => {
            ParquetWriter::new(file).finish(df)?;
        }
        _ => {
            return Err(Error::usage(format!(
                "{}: --output must end in .csv or .parquet",
                path.display()
            )))
        }
    }
    Ok(())
}
