//! The data check as people see it: the summary and the reject reasons.

use polars::prelude::*;

use super::rejected_rows;
use crate::config::Config;
use crate::error::Result;
use crate::render::{Report, Section, Table};
use crate::tables::CheckedTables;

pub fn report(
    summary: &DataFrame,
    reasons: &DataFrame,
    checked: &CheckedTables,
    cfg: &Config,
) -> Result<Report> {
    let (lang, tz) = (cfg.lang, cfg.timezone);
    let summary = Table::from_frame("summary", summary, lang, tz)?;
    let reasons = Table::from_frame("reject_reasons", reasons, lang, tz)?;
    let mut s = Section::new(lang.t("sec.summary"));
    s.tables.push(summary.clone());
    if reasons.height() > 0 {
        s.tables.push(reasons.clone());
    }
    // The files not read (a CSV dropped beside the Parquet): the terminal
    // names them, the page too (the reasons are in the table above).
    s.notes = checked
        .ignored_files(cfg)?
        .into_iter()
        .map(|file| lang.fill("note.ignored", &[("file", file)]))
        .collect();
    Ok(Report {
        lang,
        title: lang.t("title.validate"),
        period: String::new(),
        facts: vec![
            (lang.t("fact.job"), lang.t("job.validate")),
            (lang.t("fact.timezone"), tz.name().to_string()),
            (lang.t("fact.rejected"), rejected_rows(checked).to_string()),
        ],
        alerts: Vec::new(),
        sections: vec![s],
        sheets: vec![summary, reasons],
    })
}
