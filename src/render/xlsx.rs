//! `report.xlsx`: a cover sheet, then one sheet per table with a frozen
//! header, an autofilter, number formats, column widths measured for CJK
//! text and flagged rows highlighted. Text is always written as a string
//! (spreadsheet-safe, as in the CSV), never as a formula.

use rust_xlsxwriter::{
    Color, DocProperties, ExcelDateTime, Format, FormatBorder, Workbook, Worksheet, XlsxError,
};

use super::chart::is_wide;
use super::{Cell, Kind, Report, Table};
use crate::error::{Error, Result};
use crate::i18n::Lang;

/// Excel's limit on a sheet name.
const SHEET_NAME_MAX: usize = 31;
/// Excel's limit on the rows of a sheet, the header's included.
pub const SHEET_ROWS_MAX: u32 = 1_048_576;
const FLAG_FILL: u32 = 0xFEE2E2;

pub fn workbook(report: &Report) -> Result<Vec<u8>> {
    workbook_within(report, SHEET_ROWS_MAX)
}

/// The workbook with at most `sheet_rows` rows a sheet: a longer table (a
/// big centre's disagreements) shows its first rows and a last one saying
/// how many there are and which CSV holds them all, rather than failing
/// the run.
pub fn workbook_within(report: &Report, sheet_rows: u32) -> Result<Vec<u8>> {
    build(report, sheet_rows.clamp(3, SHEET_ROWS_MAX))
        .map_err(|e| Error::other(format!("cannot write report.xlsx: {e}")))
}

fn build(report: &Report, sheet_rows: u32) -> std::result::Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    // A fixed creation date (the zip entries' own): the same tables give
    // the same bytes, run after run.
    let created = ExcelDateTime::from_ymd(1980, 1, 1)?;
    book.set_properties(&DocProperties::new().set_creation_datetime(&created));
    cover(book.add_worksheet(), report)?;
    let mut names: Vec<String> = vec![report.lang.t("sheet.cover")];
    for table in &report.sheets {
        let name = sheet_name(&table.title, &table.name, &names);
        names.push(name.clone());
        let sheet = book.add_worksheet();
        sheet.set_name(name)?;
        write_table(sheet, table, report.lang, sheet_rows)?;
    }
    book.save_to_buffer()
}

fn cover(sheet: &mut Worksheet, report: &Report) -> std::result::Result<(), XlsxError> {
    sheet.set_name(report.lang.t("sheet.cover"))?;
    let bold = Format::new().set_bold();
    sheet.write_string_with_format(0, 0, report.heading(), &bold.clone().set_font_size(14))?;
    let mut row = 2;
    let mut widths = [10.0f64, 10.0];
    for (label, value) in &report.facts {
        sheet.write_string_with_format(row, 0, safe(label), &bold)?;
        sheet.write_string(row, 1, safe(value))?;
        widths[0] = widths[0].max(cell_width(label));
        widths[1] = widths[1].max(cell_width(value));
        row += 1;
    }
    for alert in &report.alerts {
        row += 1;
        sheet.write_string(row, 0, safe(alert))?;
    }
    sheet.set_column_width(0, widths[0].min(60.0))?;
    sheet.set_column_width(1, widths[1].min(80.0))?;
    Ok(())
}

/// A unique, valid sheet name: the table's title, else its canonical name.
fn sheet_name(title: &str, name: &str, taken: &[String]) -> String {
    let clean = |s: &str| -> String {
        s.chars()
            .filter(|c| !matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\'))
            .take(SHEET_NAME_MAX)
            .collect()
    };
    let mut candidate = clean(title);
    if candidate.trim().is_empty() || taken.iter().any(|t| t.eq_ignore_ascii_case(&candidate)) {
        candidate = clean(name);
    }
    let base = candidate.clone();
    let mut n = 2;
    while taken.iter().any(|t| t.eq_ignore_ascii_case(&candidate)) {
        let suffix = format!(" {n}");
        candidate = base
            .chars()
            .take(SHEET_NAME_MAX - suffix.len())
            .collect::<String>()
            + &suffix;
        n += 1;
    }
    candidate
}

fn number_format(kind: Kind) -> &'static str {
    match kind {
        Kind::Percent => "0.0%",
        Kind::Score => "0.0",
        Kind::Count => "0",
        Kind::Coefficient => "0.000",
        Kind::Measure => "0.0000",
        // The workbook keeps a difference of shares as the exact share
        // (-0.384): Excel can only scale by 100 with "%", so it reads
        // "-38.4%" there, while the page says "-38.4 pts".
        Kind::Points => "0.0%",
        Kind::PValue => "0.000",
        Kind::Text => "General",
    }
}

fn write_table(
    sheet: &mut Worksheet,
    table: &Table,
    lang: Lang,
    sheet_rows: u32,
) -> std::result::Result<(), XlsxError> {
    let header = Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0xF3F4F6))
        .set_border_bottom(FormatBorder::Thin)
        .set_text_wrap();
    let total = table.height();
    // Below the header: every row, or all but one and the note.
    let fits = total < sheet_rows as usize;
    let height = if fits { total } else { sheet_rows as usize - 2 };
    for (c, column) in table.columns.iter().enumerate() {
        let col = c as u16;
        sheet.write_string_with_format(0, col, safe(&column.label), &header)?;
        let plain = Format::new().set_num_format(number_format(column.kind));
        let flagged = plain.clone().set_background_color(Color::RGB(FLAG_FILL));
        let mut width = cell_width(&column.label).min(24.0);
        for (r, cell) in column.cells.iter().take(height).enumerate() {
            let row = (r + 1) as u32;
            let format = if table.flagged.get(r).copied().unwrap_or(false) {
                &flagged
            } else {
                &plain
            };
            match cell {
                Cell::Num(x) => {
                    sheet.write_number_with_format(row, col, *x, format)?;
                    width = width.max(10.0);
                }
                Cell::Text(s) => {
                    sheet.write_string_with_format(row, col, safe(s), format)?;
                    width = width.max(cell_width(s));
                }
                Cell::Empty => {
                    sheet.write_blank(row, col, format)?;
                }
            }
        }
        sheet.set_column_width(col, width.clamp(6.0, 60.0))?;
    }
    if !fits {
        let note = lang.fill(
            "sheet.rows_cut",
            &[
                ("shown", height.to_string()),
                ("total", total.to_string()),
                ("file", format!("{}.csv", table.name)),
            ],
        );
        sheet.write_string_with_format(
            (height + 1) as u32,
            0,
            note,
            &Format::new().set_italic(),
        )?;
    }
    sheet.set_freeze_panes(1, 0)?;
    if !table.columns.is_empty() {
        sheet.autofilter(0, 0, height as u32, (table.columns.len() - 1) as u16)?;
    }
    Ok(())
}

/// Column width in Excel's character units: a CJK character takes two.
fn cell_width(text: &str) -> f64 {
    text.chars()
        .map(|c| if is_wide(c) { 2.0 } else { 1.0 })
        .sum::<f64>()
        + 2.0
}

/// Text as the CSV writes it: a formula-like start gets a leading `'`.
fn safe(text: &str) -> String {
    crate::output::spreadsheet_safe(text).into_owned()
}
