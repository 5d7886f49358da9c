//! Each job's report described for `crate::render`: which facts go on the
//! cover, which charts and tables make the page, which tables the workbook
//! holds. A new job's page is one more module here: build a
//! `render::Report` from the job's tables and hand it to
//! `OutputDir::write_report`.

pub mod actions;
pub mod impact;
mod impact_daily;
pub mod monthly;
mod monthly_notes;
pub mod quarterly;
pub mod sample;
pub mod validate;

use crate::restate::Restatement;
use chrono_tz::Tz;
use polars::prelude::*;

use crate::error::Result;
use crate::i18n::Lang;
use crate::render::Table;
use crate::tables::CheckedTables;

/// Rows read, used, duplicates and rejected per input table: the data
/// quality table of every job.
pub fn data_quality(checked: &CheckedTables, lang: Lang, tz: Tz) -> Result<Table> {
    let stats: Vec<_> = checked
        .tables
        .iter()
        .map(|(name, (c, _))| (*name, &c.stats))
        .collect();
    let df = DataFrame::new_infer_height(vec![
        Column::new(
            "table".into(),
            stats.iter().map(|(n, _)| n.to_string()).collect::<Vec<_>>(),
        ),
        Column::new(
            "rows_in".into(),
            stats.iter().map(|(_, s)| s.rows_in).collect::<Vec<_>>(),
        ),
        Column::new(
            "used".into(),
            stats.iter().map(|(_, s)| s.used).collect::<Vec<_>>(),
        ),
        Column::new(
            "duplicates".into(),
            stats.iter().map(|(_, s)| s.duplicates).collect::<Vec<_>>(),
        ),
        Column::new(
            "rejected".into(),
            stats.iter().map(|(_, s)| s.rejected).collect::<Vec<_>>(),
        ),
    ])?;
    Table::from_frame("data_quality", &df, lang, tz)
}

/// What reading the tables rejected and took on trust, in sentences under
/// the data-quality table: the reasons rows were rejected, rows superseded
/// by a later export, blanks read as null, local times daylight saving
/// repeats, and the files of the data folder that were not read.
pub fn quality_notes(checked: &CheckedTables, ignored: &[String], lang: Lang) -> Vec<String> {
    let mut notes = Vec::new();
    for (name, (c, _)) in &checked.tables {
        for (reason, n) in &c.stats.rejected_by_reason {
            notes.push(lang.fill(
                "note.rejected",
                &[
                    ("table", lang.term(name)),
                    ("n", n.to_string()),
                    ("reason", reason.clone()),
                ],
            ));
        }
    }
    for (name, (c, _)) in &checked.tables {
        let s = &c.stats;
        let table = ("table", lang.term(name));
        if s.superseded > 0 {
            let n = ("n", s.superseded.to_string());
            notes.push(lang.fill("note.superseded", &[table.clone(), n]));
        }
        for (column, n) in &s.blanks_read_as_null {
            let args = [
                table.clone(),
                ("n", n.to_string()),
                ("column", column.clone()),
            ];
            notes.push(lang.fill("note.blanks", &args));
        }
        if s.ambiguous_local_times > 0 {
            let n = ("n", s.ambiguous_local_times.to_string());
            notes.push(lang.fill("note.ambiguous", &[table, n]));
        }
    }
    for file in ignored {
        notes.push(lang.fill("note.ignored", &[("file", file.clone())]));
    }
    notes
}

/// Rows rejected over every input table.
pub fn rejected_rows(checked: &CheckedTables) -> u64 {
    checked.tables.values().map(|(c, _)| c.stats.rejected).sum()
}

/// A workbook sheet's cause labels and module names in the report's
/// language, as the page shows them (the CSV keeps the export's words):
/// `label` beside a `cause` by `Lang::cause`, `module_name` by
/// `module_name(id)` where it knows the module, else as exported.
pub(crate) fn localise_names(
    t: &mut Table,
    df: &DataFrame,
    lang: Lang,
    module_name: &dyn Fn(&str) -> String,
) {
    if t.column("cause").is_some() && t.column("label").is_some() {
        let labels = strs(df, "cause")
            .iter()
            .zip(strs(df, "label"))
            .map(|(code, label)| lang.cause(code, &label))
            .collect();
        t.set_text("label", labels);
    }
    if t.column("module_name").is_some() && df.column("module_id").is_ok() {
        let names = strs(df, "module_id")
            .iter()
            .zip(strs(df, "module_name"))
            .map(|(id, exported)| {
                let name = module_name(id);
                if name == *id {
                    exported
                } else {
                    name
                }
            })
            .collect();
        t.set_text("module_name", names);
    }
}

/// A timestamp as people read it on a cover: to the minute, with its
/// offset ("2026-10-04 23:48 +08:00"); text that is not RFC 3339 as given.
pub fn as_of(rfc3339: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .map(|t| t.format("%Y-%m-%d %H:%M %:z").to_string())
        .unwrap_or_else(|_| rfc3339.to_string())
}

/// `as_of` of an instant, in the report's time zone.
pub fn as_of_in(t: chrono::DateTime<chrono::Utc>, tz: Tz) -> String {
    t.with_timezone(&tz)
        .format("%Y-%m-%d %H:%M %:z")
        .to_string()
}

pub(crate) fn f64s(df: &DataFrame, name: &str) -> Vec<Option<f64>> {
    df.column(name)
        .ok()
        .and_then(|c| c.cast(&DataType::Float64).ok())
        .and_then(|c| c.f64().ok().map(|ca| ca.iter().collect()))
        .unwrap_or_else(|| vec![None; df.height()])
}

pub(crate) fn strs(df: &DataFrame, name: &str) -> Vec<String> {
    df.column(name)
        .ok()
        .and_then(|c| c.cast(&DataType::String).ok())
        .and_then(|c| {
            c.str()
                .ok()
                .map(|ca| ca.iter().map(|s| s.unwrap_or("").to_string()).collect())
        })
        .unwrap_or_else(|| vec![String::new(); df.height()])
}

pub(crate) fn bools(df: &DataFrame, name: &str) -> Vec<bool> {
    df.column(name)
        .ok()
        .and_then(|c| {
            c.bool()
                .ok()
                .map(|b| b.iter().map(|v| v.unwrap_or(false)).collect())
        })
        .unwrap_or_else(|| vec![false; df.height()])
}

/// The note at the top of a rebuilt pack: what changed since the build it
/// replaces, in the page's language.
pub(crate) fn restated_alert(r: &Restatement, lang: Lang) -> String {
    let added = r.sessions_now.saturating_sub(r.sessions_before);
    let change = match added {
        0 => lang.t("restated.none"),
        1 => lang.t("restated.one"),
        n if n > 0 => lang.fill("restated.added", &[("n", n.to_string())]),
        n => lang.fill("restated.fewer", &[("n", n.saturating_neg().to_string())]),
    };
    lang.fill(
        "alert.restated",
        &[
            ("on", r.restated_on.clone()),
            ("change", change),
            ("built", as_of(&r.previous_built_at)),
            ("before", r.sessions_before.to_string()),
            ("now", r.sessions_now.to_string()),
        ],
    )
}
