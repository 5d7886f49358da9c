//! `csqa status [--now T] [--json]`: what is built, due or failed, and how
//! fresh the data is.

use std::io::Write;

use chrono::Utc;
use clap::Args;

use crate::cli::GlobalArgs;
use crate::error::{Error, Result};
use crate::schedule::{self, status::Status};

#[derive(Args, Debug)]
pub struct StatusArgs {
    /// The time to report for [default: now]: a local date (2026-10-06) or an RFC 3339 time
    #[arg(long, value_name = "TIME")]
    pub now: Option<String>,
    /// One JSON document instead of text
    #[arg(long)]
    pub json: bool,
}

pub fn run(global: &GlobalArgs, args: StatusArgs) -> Result<()> {
    if global.lang.is_some() {
        return Err(Error::usage(
            "status writes no report: --lang has no meaning here",
        ));
    }
    let cfg = global.config()?;
    let now = match &args.now {
        Some(text) => schedule::parse_now(text, &cfg)?,
        None => Utc::now(),
    };
    let status = schedule::status::status(&cfg, now)?;
    let out = if args.json {
        let json = serde_json::to_string_pretty(&status)
            .map_err(|e| Error::other(format!("cannot serialise the status: {e}")))?;
        json + "\n"
    } else {
        text(&status)
    };
    // A reader that stops early (`| head`) is not an error.
    match std::io::stdout().lock().write_all(out.as_bytes()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}

/// The status as lines for a terminal or a log.
fn text(s: &Status) -> String {
    let mut out = format!("status at {}\n", s.now);
    for j in &s.jobs {
        let name = format!("{} {}", j.job, j.period);
        let line = match j.state {
            "built" => format!(
                "  built     {name} at {}{} (csqa {})",
                j.built_at.as_deref().unwrap_or("?"),
                j.built_from_files
                    .map(|n| format!(" from {n} input files"))
                    .unwrap_or_default(),
                j.built_by.as_deref().unwrap_or("?")
            ),
            "failed" => format!(
                "  failed    {name} ({}): {}",
                j.why.join(", "),
                j.error.as_deref().unwrap_or("")
            ),
            "due" => format!("  due       {name} ({})", j.why.join(", ")),
            other => format!("  {other:<9} {name}"),
        };
        out.push_str(&line);
        out.push('\n');
    }
    out.push_str("data:\n");
    for f in &s.freshness {
        let what = match (&f.newest, &f.error) {
            (_, Some(e)) => format!("unreadable: {e}"),
            (Some(t), None) => format!("newest {t}"),
            (None, None) => "no rows".into(),
        };
        out.push_str(&format!("  {:<14} {what}\n", f.table));
    }
    for w in &s.warnings {
        out.push_str(&format!("warning: {w}\n"));
    }
    out
}
