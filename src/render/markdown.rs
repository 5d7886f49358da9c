//! `report.md`: the same `Report` the page and workbook are drawn from,
//! as Markdown. The page's charts are pictures; here each is named with its
//! caption so a reader of the Markdown knows what the page shows.

use std::fmt::Write;

use super::{display, Cell, Kind, Report, Section, Table};
use crate::i18n::Lang;

/// The whole report: title, cover facts, alerts, then every section.
pub fn document(report: &Report) -> String {
    let mut md = format!("# {}\n\n", report.heading());
    let colon = report.lang.t("punct.colon");
    for (label, value) in &report.facts {
        let _ = writeln!(md, "- {label}{colon}**{}**", inline(value));
    }
    if !report.facts.is_empty() {
        md.push('\n');
    }
    for alert in &report.alerts {
        let _ = writeln!(md, "> **{}**\n", inline(alert));
    }
    for section in &report.sections {
        md.push_str(&section_md(section, report));
    }
    md
}

fn section_md(s: &Section, report: &Report) -> String {
    let mut md = format!("## {}\n\n", s.heading);
    if let Some(intro) = &s.intro {
        let _ = writeln!(md, "{}\n", inline(intro));
    }
    for note in &s.notes {
        let _ = writeln!(md, "- {}", inline(note));
    }
    if !s.notes.is_empty() {
        md.push('\n');
    }
    let (chart_word, colon) = (report.lang.t("md.chart"), report.lang.t("punct.colon"));
    for c in &s.charts {
        let _ = writeln!(
            md,
            "*{chart_word}{colon}{} — {}*\n",
            c.title,
            inline(&c.caption)
        );
    }
    for t in &s.tables {
        md.push_str(&table_md(t, report.lang));
    }
    md
}

/// A table with its title; numbers right-aligned and shown as on the page.
pub fn table_md(t: &Table, lang: Lang) -> String {
    let mut md = format!("**{}**\n\n|", t.title);
    for c in &t.columns {
        let _ = write!(md, " {} |", cell_text(&c.label));
    }
    md.push_str("\n|");
    for c in &t.columns {
        md.push_str(if c.kind == Kind::Text {
            " --- |"
        } else {
            " ---: |"
        });
    }
    md.push('\n');
    for i in 0..t.height() {
        md.push('|');
        for c in &t.columns {
            let cell = c.cells.get(i).unwrap_or(&Cell::Empty);
            let _ = write!(md, " {} |", cell_text(&display(cell, c.kind, lang)));
        }
        md.push('\n');
    }
    md.push('\n');
    md
}

/// Text in a table cell: a `|` does not end the cell, a line break does not
/// end the row. (Cells are already spreadsheet-safe, as in the CSV.)
fn cell_text(s: &str) -> String {
    s.replace('|', "\\|").replace(['\r', '\n'], " ")
}

/// Prose on one Markdown line.
fn inline(s: &str) -> String {
    s.replace(['\r', '\n'], " ")
}
