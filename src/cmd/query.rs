//! `csqa query FILE.sql`: one SQL file over the validated tables.

use std::path::{Path, PathBuf};

use clap::Args;
use polars::prelude::*;
use polars::sql::SQLContext;

use crate::cli::GlobalArgs;
use crate::error::{Error, Result};
use crate::output::csv_datetime_format;
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

/// Where the result goes: the format comes from the extension, checked before
/// anything is read or created.
enum Target<'a> {
    Stdout,
    Csv(&'a Path),
    Parquet(&'a Path),
}

fn target(output: Option<&Path>) -> Result<Target<'_>> {
    let Some(path) = output else {
        return Ok(Target::Stdout);
    };
    match path.extension().and_then(|e| e.to_str()) {
        Some("csv") => Ok(Target::Csv(path)),
        Some("parquet") => Ok(Target::Parquet(path)),
        _ => Err(Error::usage(format!(
            "{}: --output must end in .csv or .parquet",
            path.display()
        ))),
    }
}

pub fn run(global: &GlobalArgs, args: QueryArgs) -> Result<()> {
    if global.lang.is_some() {
        return Err(Error::usage(
            "query writes its result with canonical column names: --lang has no meaning here",
        ));
    }
    let target = target(args.output.as_deref())?;
    let progress = Progress::new(global.quiet);
    let sql = std::fs::read_to_string(&args.file)
        .map_err(|e| Error::usage(format!("cannot read {}: {e}", args.file.display())))?;
    let cfg = global.config()?;
    let standards = Standards::load(&cfg.data_dir, cfg.timezone)?;
    let (_, frames) = CheckedTables::all(&cfg, &standards, |t| {
        progress.step(&format!("checking {t}"))
    })?;
    let ctx = SQLContext::new();
    for (name, frame) in crate::enrich::query_tables(frames, &cfg)? {
        ctx.register(name, frame);
    }
    let mut ctx = ctx;
    let df = ctx
        .execute(&sql)
        .and_then(crate::load::collect_streaming)
        .map_err(|e| Error::bad_input(format!("{}: {e}", args.file.display())))?;
    let mut df = crate::output::local_times(&df, cfg.timezone)?;
    progress.finish();
    match target {
        Target::Stdout => {
            // CSV on stdout pipes into other tools and reads fine in a log.
            let stdout = std::io::stdout();
            CsvWriter::new(stdout.lock())
                .include_header(true)
                .with_datetime_format(csv_datetime_format(&df))
                .finish(&mut df)?;
        }
        Target::Csv(path) => {
            let file = create(path)?;
            CsvWriter::new(file)
                .include_header(true)
                .with_datetime_format(csv_datetime_format(&df))
                .finish(&mut df)?;
        }
        Target::Parquet(path) => {
            ParquetWriter::new(create(path)?).finish(&mut df)?;
        }
    }
    eprintln!(
        "query: {} × {} in {:.1}s",
        super::plural(df.height(), "row"),
        super::plural(df.width(), "column"),
        progress.elapsed_s()
    );
    Ok(())
}

fn create(path: &Path) -> Result<std::fs::File> {
    std::fs::File::create(path)
        .map_err(|e| Error::other(format!("cannot write {}: {e}", path.display())))
}
