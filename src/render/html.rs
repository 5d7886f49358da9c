//! `report.html`: one self-contained file through a minijinja template
//! (auto-escaped; only the charts' SVG, built and escaped in `chart`, goes
//! in as is). Its Content-Security-Policy forbids every remote load.

use serde::Serialize;

use super::{display, Cell, Kind, Report, Table};
use crate::error::{Error, Result};
use crate::i18n::Lang;

const TEMPLATE: &str = include_str!("page.html");

#[derive(Serialize)]
struct PageView<'a> {
    lang: &'static str,
    heading: String,
    facts: &'a [(String, String)],
    alerts: &'a [String],
    sections: Vec<SectionView<'a>>,
    offline: String,
    /// "label: value" in English, "label：value" in Chinese.
    colon: String,
}

#[derive(Serialize)]
struct SectionView<'a> {
    heading: &'a str,
    intro: Option<&'a str>,
    notes: &'a [String],
    charts: Vec<ChartView<'a>>,
    tables: Vec<TableView>,
}

#[derive(Serialize)]
struct ChartView<'a> {
    title: &'a str,
    caption: &'a str,
    svg: &'a str,
}

#[derive(Serialize)]
struct TableView {
    name: String,
    title: String,
    headers: Vec<String>,
    rows: Vec<RowView>,
}

#[derive(Serialize)]
struct RowView {
    flagged: bool,
    cells: Vec<CellView>,
}

#[derive(Serialize)]
struct CellView {
    text: String,
    num: bool,
}

fn table_view(t: &Table, lang: Lang) -> TableView {
    let rows = (0..t.height())
        .map(|i| RowView {
            flagged: t.flagged.get(i).copied().unwrap_or(false),
            cells: t
                .columns
                .iter()
                .map(|c| {
                    let cell = c.cells.get(i).unwrap_or(&Cell::Empty);
                    CellView {
                        text: display(cell, c.kind, lang),
                        // A number column's cells, whether values or numbers
                        // formatted as text, are right-aligned.
                        num: c.kind != Kind::Text && !matches!(cell, Cell::Empty),
                    }
                })
                .collect(),
        })
        .collect();
    TableView {
        name: t.name.clone(),
        title: t.title.clone(),
        headers: t.columns.iter().map(|c| c.label.clone()).collect(),
        rows,
    }
}

pub fn page(report: &Report) -> Result<String> {
    let view = PageView {
        lang: report.lang.tag(),
        heading: report.heading(),
        facts: &report.facts,
        alerts: &report.alerts,
        sections: report
            .sections
            .iter()
            .map(|s| SectionView {
                heading: &s.heading,
                intro: s.intro.as_deref(),
                notes: &s.notes,
                charts: s
                    .charts
                    .iter()
                    .map(|c| ChartView {
                        title: &c.title,
                        caption: &c.caption,
                        svg: &c.svg,
                    })
                    .collect(),
                tables: s
                    .tables
                    .iter()
                    .map(|t| table_view(t, report.lang))
                    .collect(),
            })
            .collect(),
        offline: report.lang.t("page.offline"),
        colon: report.lang.t("punct.colon"),
    };
    let failed = |e: minijinja::Error| Error::other(format!("cannot render report.html: {e}"));
    let mut env = minijinja::Environment::new();
    env.add_template("page.html", TEMPLATE).map_err(failed)?;
    let template = env.get_template("page.html").map_err(failed)?;
    template
        .render(minijinja::value::Serde(&view))
        .map_err(failed)
}
