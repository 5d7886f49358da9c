//! `csqa impact --event ID` / `--all`: cross-department impact reports.

use clap::Args;

use crate::cli::GlobalArgs;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::events::{self, Event};
use crate::jobs::impact::{self, ImpactReport};
use crate::jobs::period::Month;
use crate::lock::RunLock;
use crate::manifest::Manifest;
use crate::output::OutputDir;
use crate::progress::Progress;
use crate::standards::Standards;

#[derive(Args, Debug)]
#[group(required = true, multiple = false)]
pub struct ImpactArgs {
    /// The id of the event in DATA_DIR/events.toml
    #[arg(long, value_name = "ID")]
    pub event: Option<String>,
    /// Every event whose window has data
    #[arg(long)]
    pub all: bool,
}

pub fn run(global: &GlobalArgs, args: ImpactArgs) -> Result<()> {
    let progress = Progress::new(global.quiet);
    let cfg = global.config()?;
    let events = events::load(&cfg.data_dir, cfg.timezone)?;
    let chosen: Vec<&Event> = match &args.event {
        Some(id) => vec![events.iter().find(|e| &e.id == id).ok_or_else(|| {
            Error::usage(format!(
                "--event {id}: no such event in {} (events: {})",
                cfg.data_dir.join("events.toml").display(),
                events
                    .iter()
                    .map(|e| e.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })?],
        None => events.iter().collect(),
    };
    let lock = RunLock::acquire(&cfg.out_dir)?;
    let standards = Standards::load(&cfg.data_dir, cfg.timezone)?;
    let (mut written, mut failed) = (0, Vec::new());
    for event in chosen {
        // An open action is measured as run-due would: to its last closed month.
        let to_month = event
            .end
            .is_none()
            .then(|| crate::schedule::last_closed_month(&cfg, chrono::Utc::now()));
        match measure(&cfg, &standards, &lock, event, to_month, &progress) {
            Ok(true) => written += 1,
            Ok(false) if args.all => println!(
                "impact {}: no sessions of its lines in its window, skipped",
                event.id
            ),
            Ok(false) => return Err(no_sessions(event)),
            // One event's bad window must not cost the others their
            // reports; another run holding the folder stops them all.
            Err(e) if args.all && !matches!(e, Error::Busy(_)) => {
                progress.finish();
                eprintln!("impact {}: {e}", event.id);
                failed.push((event.id.as_str(), e));
            }
            Err(e) => return Err(e),
        }
    }
    progress.finish();
    if args.all {
        println!(
            "impact: {written} of {} events written, {} failed",
            events.len(),
            failed.len()
        );
    }
    all_written(failed)
}

/// The first failure's kind (its exit code) with every failed event named.
fn all_written(failed: Vec<(&str, Error)>) -> Result<()> {
    let ids: Vec<&str> = failed.iter().map(|(id, _)| *id).collect();
    match failed.into_iter().next() {
        None => Ok(()),
        Some((_, first)) => Err(first.with_message(format!(
            "impact: {} failed (each says why above; the other reports were written)",
            ids.join(", ")
        ))),
    }
}

/// One event's report under a lock already held (`csqa run-due` holds one
/// for all its jobs); false when its lines have no sessions in its window.
pub fn run_event_locked(
    cfg: &Config,
    quiet: bool,
    lock: &RunLock,
    event: &Event,
    to_month: Option<Month>,
) -> Result<bool> {
    let progress = Progress::new(quiet);
    let standards = Standards::load(&cfg.data_dir, cfg.timezone)?;
    let written = measure(cfg, &standards, lock, event, to_month, &progress)?;
    progress.finish();
    Ok(written)
}

/// Measure `event` and write its report; false when there was nothing to
/// measure.
fn measure(
    cfg: &Config,
    standards: &Standards,
    lock: &RunLock,
    event: &Event,
    to_month: Option<Month>,
    progress: &Progress,
) -> Result<bool> {
    // An open action begun before `to_month` ends is measured to its end;
    // one begun since, to now (an early look; its fingerprint then lists no
    // closed month, and run-due does not schedule it).
    let to_month = to_month.filter(|m| m.end > event.start);
    let until = to_month.as_ref().map(|m| m.end);
    // Listed before reading: a file landing during the run makes the
    // report due again rather than pass unnoticed.
    let fingerprint = crate::schedule::Job::Impact {
        event: Box::new(event.clone()),
        to_month,
    }
    .fingerprint(cfg)?;
    match impact::run(cfg, standards, event, until, |s| progress.step(s))? {
        Some(report) => {
            write(cfg, standards, lock, &report, fingerprint, progress)?;
            Ok(true)
        }
        None => Ok(false),
    }
}

fn no_sessions(event: &Event) -> Error {
    Error::bad_input(format!(
        "event \"{}\": start..end: no sessions of its lines ({}) in its window",
        event.id,
        event.lines.join(", ")
    ))
}

/// Write one event's report to OUT_DIR/impact/<id>/. Rejected rows are not
/// written: they carry customer ids, and the report goes to other
/// departments (their counts are in the manifest; `csqa validate` lists
/// them).
fn write(
    cfg: &Config,
    standards: &Standards,
    lock: &RunLock,
    report: &ImpactReport,
    fingerprint: crate::fingerprint::Fingerprint,
    progress: &Progress,
) -> Result<()> {
    progress.step("writing");
    let mut out = OutputDir::begin(
        lock,
        std::path::Path::new("impact").join(&report.event.id),
        cfg.timezone,
    )?;
    // The sessions read for the event's windows (its lines and the control).
    let sessions = report
        .checked
        .tables
        .get("sessions")
        .map_or(0, |(c, _)| i64::try_from(c.stats.used).unwrap_or(i64::MAX));
    let folder = cfg.out_dir.join("impact").join(&report.event.id);
    let restated = crate::restate::of(&folder, "summary", sessions, cfg.timezone);
    for (name, df) in &report.tables {
        out.write_table(name, df)?;
    }
    // The page, the workbook and report.md: one Report in the run's language.
    let page = crate::pages::impact::report(report, cfg, restated.as_ref())?;
    out.write_report(&page)?;
    let mut manifest = Manifest::new(
        "impact",
        &report.event.id,
        cfg,
        standards,
        Some(report.end),
        &report.checked,
    );
    manifest.fcr_complete = Some(report.fcr_complete);
    manifest.fingerprint = Some(fingerprint);
    manifest.restated = restated;
    manifest.sessions = Some(sessions);
    let target = out.commit_with_manifest(manifest, progress.elapsed_ms())?;
    println!(
        "impact {}: {:.1} days against {:.1} baseline days{}{}, FCR {}; written to {}",
        report.event.id,
        report.event_days,
        report.baseline_days,
        if report.running {
            ", still running"
        } else {
            ""
        },
        report
            .status
            .as_ref()
            .map(|s| format!(", status: {s}"))
            .unwrap_or_default(),
        if report.fcr_complete {
            "complete"
        } else {
            "INCOMPLETE"
        },
        target.display()
    );
    Ok(())
}
