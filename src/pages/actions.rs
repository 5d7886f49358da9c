//! The monthly report's section on the improvement actions open during the
//! month (started before its end, not ended before its start), each
//! measured as of the month's end against its baseline, as `csqa impact`
//! would measure it then.

use polars::prelude::*;

use super::{f64s, strs};
use crate::config::Config;
use crate::error::Result;
use crate::events::{Direction, Event, Kind as EventKind};
use crate::i18n::Lang;
use crate::jobs::period::Month;
use crate::render::{Kind, Section, Table};
use crate::standards::Standards;

/// None when there is no events.toml. An action that cannot be measured
/// says why in its status instead of failing the pack.
pub fn open_actions(cfg: &Config, standards: &Standards, month: &Month) -> Result<Option<Section>> {
    if !cfg.data_dir.join("events.toml").is_file() {
        return Ok(None);
    }
    let lang = cfg.lang;
    let mut s = Section::new(lang.t("sec.actions"));
    let events = match crate::events::load(&cfg.data_dir, cfg.timezone) {
        Ok(e) => e,
        Err(e) => {
            let error = ("error", e.to_string());
            s.notes.push(lang.fill("note.actions.unreadable", &[error]));
            return Ok(Some(s));
        }
    };
    let open: Vec<Event> = events
        .into_iter()
        .filter(|e| e.kind == EventKind::Action && e.start < month.end)
        .filter(|e| e.end.is_none_or(|end| end > month.start))
        .collect();
    let label = ("month", month.label.clone());
    if open.is_empty() {
        s.notes.push(lang.fill("note.actions.none", &[label]));
        return Ok(Some(s));
    }
    s.intro = Some(lang.fill("sec.actions.intro", &[label]));
    let rows: Vec<ActionRow> = open
        .into_iter()
        .map(|e| measure(cfg, standards, month, e, lang))
        .collect();
    let mut table = Table::from_frame("open_actions", &frame(&rows, lang)?, lang, cfg.timezone)?;
    // Each row in its own metric's unit, as the impact report writes it
    // (12.00% for a share, 131.00 contacts a day).
    let unit = |r: &ActionRow| super::impact::unit_of(r.event.metric.as_deref().unwrap_or(""));
    let figures = |f: fn(&ActionRow) -> Option<f64>| -> Vec<String> {
        rows.iter()
            .map(|r| super::impact::value(f(r), unit(r)))
            .collect()
    };
    table.set_text("target", figures(|r| r.event.target));
    table.set_text("value", figures(|r| r.value));
    table.set_text("baseline", figures(|r| r.baseline));
    let p = rows.iter().map(|r| super::impact::p_value(r.p_value));
    table.set_text("p_value", p.collect());
    for key in ["target", "value", "baseline", "p_value"] {
        table.set_kind(key, Kind::Measure);
    }
    s.tables.push(table);
    Ok(Some(s))
}

/// One open action as the table shows it.
struct ActionRow {
    event: Event,
    value: Option<f64>,
    baseline: Option<f64>,
    p_value: Option<f64>,
    status: String,
}

/// One open action measured to the end of `month` (or its own end).
fn measure(
    cfg: &Config,
    standards: &Standards,
    month: &Month,
    mut event: Event,
    lang: Lang,
) -> ActionRow {
    event.end = Some(event.end.map_or(month.end, |e| e.min(month.end)));
    let measured = crate::jobs::impact::run(cfg, standards, &event, None, |_| {});
    let status = match &measured {
        Ok(Some(r)) => r
            .tables
            .iter()
            .find(|(n, _)| n == "status")
            .map(|(_, df)| df),
        _ => None,
    };
    let first = |df: &DataFrame, c: &str| f64s(df, c).first().copied().flatten();
    let (value, baseline, p_value, status) = match (&measured, status) {
        (_, Some(df)) => {
            let canonical = strs(df, "status").first().cloned().unwrap_or_default();
            let shown = crate::i18n::lookup(lang, &format!("status.{canonical}"))
                .map_or(canonical, str::to_string);
            let (v, b, p) = (
                first(df, "event_value"),
                first(df, "baseline_value"),
                first(df, "p_value"),
            );
            (v, b, p, shown)
        }
        (Ok(_), None) => (None, None, None, lang.t("status.no_sessions")),
        (Err(e), _) => {
            let error = ("error", e.to_string());
            (None, None, None, lang.fill("status.not_measured", &[error]))
        }
    };
    ActionRow {
        event,
        value,
        baseline,
        p_value,
        status,
    }
}

fn frame(rows: &[ActionRow], lang: Lang) -> Result<DataFrame> {
    let text = |f: fn(&ActionRow) -> String| rows.iter().map(f).collect::<Vec<_>>();
    let metrics: Vec<String> = rows.iter().map(|r| metric(r, lang)).collect();
    let num = |f: fn(&ActionRow) -> Option<f64>| rows.iter().map(f).collect::<Vec<_>>();
    Ok(DataFrame::new_infer_height(vec![
        Column::new("action".into(), text(|r| r.event.title.clone())),
        Column::new("owner".into(), text(|r| r.event.department.clone())),
        Column::new("lines".into(), text(|r| r.event.lines.join(", "))),
        Column::new("metric".into(), metrics),
        Column::new("target".into(), num(|r| r.event.target)),
        Column::new("value".into(), num(|r| r.value)),
        Column::new("baseline".into(), num(|r| r.baseline)),
        Column::new("p_value".into(), num(|r| r.p_value)),
        Column::new("status".into(), text(|r| r.status.clone())),
    ])?)
}

/// The action's metric, named as the report's columns are, with the way
/// it should move.
fn metric(r: &ActionRow, lang: Lang) -> String {
    let arrow = match r.event.direction {
        Some(Direction::Up) => " ↑",
        Some(Direction::Down) => " ↓",
        None => "",
    };
    let name = r.event.metric.as_deref().map(|m| lang.column(m));
    format!("{}{arrow}", name.unwrap_or_default())
}
