//! The monthly report.md's section on the improvement actions open in the
//! month, each measured as the impact job measures it. (The impact job's
//! own report.md is its page's content: see `crate::pages::impact`.)

use std::fmt::Write;

use polars::prelude::*;

use crate::events::Kind;
use crate::report::cell;

fn f64s(df: &DataFrame, name: &str) -> Vec<Option<f64>> {
    df.column(name)
        .ok()
        .and_then(|c| c.cast(&DataType::Float64).ok())
        .and_then(|c| c.f64().ok().map(|ca| ca.iter().collect()))
        .unwrap_or_else(|| vec![None; df.height()])
}

fn strs(df: &DataFrame, name: &str) -> Vec<String> {
    crate::columns::strings(df, name)
        .map(|v| {
            v.into_iter()
                .map(|s| s.map_or("—".into(), |s| cell(&s)))
                .collect()
        })
        .unwrap_or_else(|_| vec!["—".into(); df.height()])
}

fn num(v: Option<f64>, decimals: usize) -> String {
    match v {
        Some(x) if x.is_infinite() => "∞".into(),
        Some(x) => format!("{x:.decimals$}"),
        None => "—".into(),
    }
}

fn p_value(v: Option<f64>) -> String {
    match v {
        Some(p) if p < 0.0001 => "<0.0001".into(),
        other => num(other, 4),
    }
}

/// The monthly report's section on improvement actions open during
/// `month` (started before its end, not ended before its start), each
/// measured as of the month's end. Empty when there is no events.toml; an
/// action that cannot be measured says why instead of failing the pack.
pub fn open_actions(
    cfg: &crate::config::Config,
    standards: &crate::standards::Standards,
    month: &crate::jobs::period::Month,
) -> String {
    if !cfg.data_dir.join("events.toml").is_file() {
        return String::new();
    }
    let mut md = String::from("\n## Open improvement actions\n\n");
    let events = match crate::events::load(&cfg.data_dir, cfg.timezone) {
        Ok(e) => e,
        Err(e) => {
            let _ = writeln!(
                md,
                "events.toml could not be read: {}",
                cell(&e.to_string())
            );
            return md;
        }
    };
    let open: Vec<_> = events
        .into_iter()
        .filter(|e| e.kind == Kind::Action && e.start < month.end)
        .filter(|e| e.end.is_none_or(|end| end > month.start))
        .collect();
    if open.is_empty() {
        let _ = writeln!(md, "None open in {}.", month.label);
        return md;
    }
    let _ = writeln!(
        md,
        "Each measured from its start to the end of {} (or its own end) against its baseline; `csqa impact --event ID` gives the full report.\n",
        month.label
    );
    md.push_str(
        "| action | owner | lines | metric | target | value | baseline | p-value | status |\n",
    );
    md.push_str("| --- | --- | --- | --- | ---: | ---: | ---: | ---: | --- |\n");
    for event in open {
        md.push_str(&action_row(cfg, standards, month, event));
    }
    md
}

/// One open action's row, measured to the end of `month` (or its own end).
fn action_row(
    cfg: &crate::config::Config,
    standards: &crate::standards::Standards,
    month: &crate::jobs::period::Month,
    mut event: crate::events::Event,
) -> String {
    event.end = Some(event.end.map_or(month.end, |e| e.min(month.end)));
    let measured = crate::jobs::impact::run(cfg, standards, &event, |_| {});
    let status = match &measured {
        Ok(Some(r)) => r
            .tables
            .iter()
            .find(|(n, _)| n == "status")
            .map(|(_, df)| df),
        _ => None,
    };
    let first = |df: &DataFrame, c: &str| f64s(df, c).first().copied().flatten();
    let (value, baseline, p, text) = match (&measured, status) {
        (_, Some(df)) => (
            first(df, "event_value"),
            first(df, "baseline_value"),
            first(df, "p_value"),
            strs(df, "status").first().cloned().unwrap_or_default(),
        ),
        (Ok(_), None) => (None, None, None, "no sessions yet".to_string()),
        (Err(e), _) => (
            None,
            None,
            None,
            format!("not measured: {}", cell(&e.to_string())),
        ),
    };
    format!(
        "| {} | {} | {} | {} {} | {} | {} | {} | {} | {} |\n",
        cell(&event.title),
        cell(&event.department),
        cell(&event.lines.join(", ")),
        cell(event.metric.as_deref().unwrap_or("")),
        match event.direction {
            Some(crate::events::Direction::Up) => "↑",
            Some(crate::events::Direction::Down) => "↓",
            None => "",
        },
        num(event.target, 4),
        num(value, 4),
        num(baseline, 4),
        p_value(p),
        text
    )
}
