//! What people look at: a job describes its report — title, period, the
//! facts of its cover, sections of charts and tables, and the tables of its
//! workbook — and this module renders it as a self-contained `report.html`
//! (`html`, with hand-drawn SVG charts from `chart`) and a `report.xlsx`
//! (`xlsx`). A job never formats a page itself: adding a job's page is
//! describing its charts and tables (see `crate::pages`).

pub mod chart;
pub mod html;
pub mod markdown;
pub mod xlsx;

use chrono_tz::Tz;
use polars::prelude::*;

use crate::error::Result;
use crate::i18n::Lang;

/// A job's report, in one language.
pub struct Report {
    pub lang: Lang,
    pub title: String,
    pub period: String,
    /// The cover: job, period, data as of, FCR completeness, rejected rows.
    pub facts: Vec<(String, String)>,
    /// Warnings shown at the top of the page (e.g. FCR incomplete).
    pub alerts: Vec<String>,
    pub sections: Vec<Section>,
    /// The workbook's sheets after the cover, one per table.
    pub sheets: Vec<Table>,
}

impl Report {
    /// The page's heading: "title · period", or the title alone when the
    /// report covers no period (the data check).
    pub fn heading(&self) -> String {
        if self.period.is_empty() {
            self.title.clone()
        } else {
            format!("{} · {}", self.title, self.period)
        }
    }
}

pub struct Section {
    pub heading: String,
    pub intro: Option<String>,
    /// Findings in sentences (a list on the page, bullets in report.md).
    pub notes: Vec<String>,
    pub charts: Vec<Chart>,
    pub tables: Vec<Table>,
}

impl Section {
    pub fn new(heading: String) -> Section {
        Section {
            heading,
            intro: None,
            notes: Vec::new(),
            charts: Vec::new(),
            tables: Vec::new(),
        }
    }
}

/// A drawn chart: its title, a caption with the period, units and source,
/// and the SVG.
pub struct Chart {
    pub title: String,
    pub caption: String,
    pub svg: String,
}

/// How a number column is shown: the page rounds, the workbook keeps the
/// value and applies a number format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A share 0..1 shown as a percentage with one decimal.
    Percent,
    /// One decimal: scores, ratings, hours, CPH, percentage points.
    Score,
    /// A whole number.
    Count,
    /// A coefficient: three decimals.
    Coefficient,
    /// A measured value of any metric (a rate, a count per day): four
    /// decimals.
    Measure,
    /// A difference of shares (or a share's change per month), 0..1 scale,
    /// shown in percentage points with one decimal: "-38.4 pts".
    Points,
    /// A p- or q-value: three decimals, "<0.001" below 0.001.
    PValue,
    Text,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Num(f64),
    Text(String),
    Empty,
}

#[derive(Clone)]
pub struct Column {
    /// The canonical column name, as in the CSV.
    pub key: String,
    pub label: String,
    pub kind: Kind,
    pub cells: Vec<Cell>,
}

/// A table as people read it: titled columns, typed cells, flagged rows.
#[derive(Clone)]
pub struct Table {
    /// The canonical table name (its CSV file).
    pub name: String,
    pub title: String,
    pub columns: Vec<Column>,
    pub flagged: Vec<bool>,
}

/// Columns that hold a share of 0..1.
const PERCENT: &[&str] = &[
    "csat",
    "response_rate",
    "fcr",
    "repeat_rate",
    "fcr_coverage",
    "complaint_rate",
    "first_response_sla",
    "first_response_sla_base",
    "reply_sla",
    "reply_sla_base",
    "prev_csat",
    "prev_fcr",
    "prev_complaint_rate",
    "share",
    "cumulative_share",
    "appeal_rate",
    "overturn_rate",
    "percent_agreement",
    "defect_rate",
    "prev_defect_rate",
    "defect_rate_before",
    "defect_rate_after",
    "agreement",
    "event_share",
    "baseline_share",
];

/// Columns of p- and q-values.
const PVALUE: &[&str] = &[
    "p_value",
    "did_p_value",
    "mk_p",
    "qoq_p",
    "q_value",
    "defect_q",
    "agreement_q",
];

/// Columns that are a share's change per month (in points).
const POINTS: &[&str] = &["defect_sen_slope"];

/// Columns shown with one decimal.
const SCORE: &[&str] = &[
    "qa_score",
    "avg_rating",
    "cph",
    "agent_hours",
    "defect_change_pts",
    "score",
    "min_score",
    "max_score",
];

/// Seconds: a threshold of 120 s reads 120.0, not 120.000.
const SECONDS: &[&str] = &[
    "first_response_s",
    "reply_s",
    "first_response_threshold_s",
    "reply_threshold_s",
];

/// Columns whose values are fixed English terms, shown in the report's
/// language (the CSV keeps the term).
const TERMS: &[&str] = &[
    "band",
    "review_cycle",
    "verdict",
    "defect_trend",
    "agreement_trend",
    "scope",
    "group",
    "metric",
    "strategy",
    "part",
    "table",
];

/// How a column is shown, from its name and type.
pub fn kind_of(name: &str, dtype: &DataType) -> Kind {
    if PERCENT.contains(&name) {
        Kind::Percent
    } else if POINTS.contains(&name) {
        Kind::Points
    } else if PVALUE.contains(&name) && dtype.is_float() {
        Kind::PValue
    } else if SCORE.contains(&name) || (SECONDS.contains(&name) && dtype.is_float()) {
        Kind::Score
    } else if dtype.is_integer() {
        Kind::Count
    } else if dtype.is_float() {
        Kind::Coefficient
    } else {
        Kind::Text
    }
}

impl Table {
    /// Every column of `df`, titled in `lang`. Timestamps are local time
    /// with offset in `tz`; text is spreadsheet-safe as in the CSV.
    pub fn from_frame(name: &str, df: &DataFrame, lang: Lang, tz: Tz) -> Result<Table> {
        let names: Vec<&str> = df.get_column_names().iter().map(|n| n.as_str()).collect();
        Table::select(name, df, &names, lang, tz)
    }

    /// The named columns of `df` (those it has), titled in `lang`.
    pub fn select(
        name: &str,
        df: &DataFrame,
        columns: &[&str],
        lang: Lang,
        tz: Tz,
    ) -> Result<Table> {
        let df = crate::output::local_times(df, tz)?;
        let mut out = Vec::new();
        for key in columns {
            let Ok(column) = df.column(key) else {
                continue;
            };
            let kind = kind_of(key, column.dtype());
            let mut cells = cells(column, lang)?;
            if TERMS.contains(key) {
                for cell in &mut cells {
                    if let Cell::Text(s) = cell {
                        *s = lang.term(s);
                    }
                }
            }
            out.push(Column {
                key: key.to_string(),
                label: lang.column(key),
                kind,
                cells,
            });
        }
        Ok(Table {
            name: name.to_string(),
            title: lang.table(name),
            columns: out,
            flagged: flagged_rows(&df),
        })
    }

    pub fn height(&self) -> usize {
        self.columns.first().map_or(0, |c| c.cells.len())
    }

    pub fn column(&self, key: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.key == key)
    }

    /// Show a column as `kind` (e.g. measured values with four decimals).
    pub fn set_kind(&mut self, key: &str, kind: Kind) {
        if let Some(c) = self.columns.iter_mut().find(|c| c.key == key) {
            c.kind = kind;
        }
    }

    /// Replace a column's cells (e.g. module names in the page's language),
    /// keeping its place and title.
    pub fn set_text(&mut self, key: &str, values: Vec<String>) {
        if let Some(c) = self.columns.iter_mut().find(|c| c.key == key) {
            c.cells = values.into_iter().map(Cell::Text).collect();
        }
    }
}

/// A row is flagged when its `flagged` or `agreement_flagged` is true.
fn flagged_rows(df: &DataFrame) -> Vec<bool> {
    let mut flags = vec![false; df.height()];
    for key in ["flagged", "agreement_flagged"] {
        if let Ok(b) = df.column(key).and_then(|c| c.bool().cloned()) {
            for (f, v) in flags.iter_mut().zip(b.iter()) {
                *f |= v.unwrap_or(false);
            }
        }
    }
    flags
}

fn cells(column: &polars::prelude::Column, lang: Lang) -> Result<Vec<Cell>> {
    let dtype = column.dtype();
    if dtype.is_primitive_numeric() {
        let f = column.cast(&DataType::Float64)?;
        return Ok(f
            .f64()?
            .iter()
            .map(|v| v.filter(|x| x.is_finite()).map_or(Cell::Empty, Cell::Num))
            .collect());
    }
    if let DataType::Boolean = dtype {
        let (yes, no) = (lang.t("yes"), lang.t("no"));
        return Ok(column
            .bool()?
            .iter()
            .map(|v| match v {
                Some(true) => Cell::Text(yes.clone()),
                Some(false) => Cell::Text(no.clone()),
                None => Cell::Empty,
            })
            .collect());
    }
    let text = match dtype {
        DataType::Datetime(_, Some(_)) => {
            column.datetime()?.to_string("%Y-%m-%dT%H:%M:%S%.f%:z")?
        }
        _ => column.cast(&DataType::String)?.str()?.clone(),
    };
    Ok(text
        .iter()
        .map(|v| {
            v.map_or(Cell::Empty, |s| {
                Cell::Text(crate::output::spreadsheet_safe(s).into_owned())
            })
        })
        .collect())
}

/// A cell as the page shows it, in `lang` (the unit of points).
pub fn display(cell: &Cell, kind: Kind, lang: Lang) -> String {
    let shown = shown(cell, kind, lang);
    // A number that rounds to zero from below (-0.04 pts → "-0.0 pts")
    // reads as no change, without its sign.
    let zero =
        |rest: &str| rest.contains('0') && rest.chars().all(|c| !c.is_ascii_digit() || c == '0');
    match (cell, shown.strip_prefix('-')) {
        (Cell::Num(_), Some(rest)) if zero(rest) => rest.to_string(),
        _ => shown,
    }
}

fn shown(cell: &Cell, kind: Kind, lang: Lang) -> String {
    match (cell, kind) {
        (Cell::Empty, _) => "—".into(),
        (Cell::Text(s), _) => s.clone(),
        (Cell::Num(x), Kind::Percent) => format!("{:.1}%", x * 100.0),
        (Cell::Num(x), Kind::Score) => format!("{x:.1}"),
        (Cell::Num(x), Kind::Count) => format!("{x:.0}"),
        (Cell::Num(x), Kind::Coefficient | Kind::Text) => format!("{x:.3}"),
        (Cell::Num(x), Kind::Measure) => format!("{x:.4}"),
        (Cell::Num(x), Kind::Points) => {
            format!("{:.1} {}", x * 100.0, lang.t("unit.pts"))
        }
        (Cell::Num(x), Kind::PValue) if *x < 0.001 => "<0.001".into(),
        (Cell::Num(x), Kind::PValue) => format!("{x:.3}"),
    }
}
