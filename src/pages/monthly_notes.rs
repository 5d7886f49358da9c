//! What the monthly report says in sentences beside its charts and tables:
//! the alerts under its title, the lines and agents whose CSAT moved most,
//! the first disagreements of flagged modules, the month's data-quality
//! lines. Every sentence is in the report's language.

use polars::prelude::*;

use super::monthly::ModuleNames;
use super::{bools, f64s, strs};
use crate::i18n::Lang;
use crate::jobs::monthly::MonthlyPack;
use crate::render::Section;
use crate::restate::Restatement;

/// A share as the page shows it: one decimal, "—" when there is none.
fn pct(v: Option<f64>) -> String {
    v.map_or_else(|| "—".into(), |x| format!("{:.1}%", x * 100.0))
}

/// The warnings under the title: a restatement, then incomplete FCR.
pub(super) fn alerts(
    pack: &MonthlyPack,
    restated: Option<&Restatement>,
    lang: Lang,
) -> Vec<String> {
    let mut alerts: Vec<String> = restated
        .map(|r| super::restated_alert(r, lang))
        .into_iter()
        .collect();
    if !pack.fcr.complete {
        let lines = ("lines", incomplete_lines(pack, lang));
        alerts.push(lang.fill("alert.fcr_incomplete_for", &[lines]));
    }
    alerts
}

/// The lines whose data does not reach the FCR window past the month's
/// end, each with where its data ends.
fn incomplete_lines(pack: &MonthlyPack, lang: Lang) -> String {
    pack.fcr
        .lines
        .iter()
        .filter(|l| !l.complete)
        .map(|l| {
            let until = l
                .data_until
                .as_deref()
                .map_or_else(|| "—".into(), super::as_of);
            lang.fill(
                "note.line_until",
                &[("line", l.line.clone()), ("until", until)],
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// How many lines, and agents, "moved most" names.
const MOVED_MOST: usize = 3;
/// Agents with fewer rated sessions move by chance.
const MIN_RATED_AGENT: f64 = 10.0;

/// The three lines and the three agents (10+ rated sessions) whose CSAT
/// changed most against last month; None when nothing can be compared.
pub(super) fn moved_most(
    bl: &DataFrame,
    agents: Option<&DataFrame>,
    lang: Lang,
) -> Option<Section> {
    let mut notes = Vec::new();
    let lines = strs(bl, "business_line");
    let (csat, prev) = (f64s(bl, "csat"), f64s(bl, "prev_csat"));
    for i in largest_moves(&lines, &csat, &prev, &vec![true; bl.height()]) {
        notes.push(move_note(
            "note.moved.line",
            &lines[i],
            None,
            prev[i],
            csat[i],
            lang,
        ));
    }
    if let Some(ag) = agents {
        let (ids, line) = (strs(ag, "agent_id"), strs(ag, "business_line"));
        let (csat, prev) = (f64s(ag, "csat"), f64s(ag, "prev_csat"));
        let eligible: Vec<bool> = f64s(ag, "rated")
            .iter()
            .map(|r| r.is_some_and(|r| r >= MIN_RATED_AGENT))
            .collect();
        for i in largest_moves(&ids, &csat, &prev, &eligible) {
            let who = Some(line[i].as_str());
            notes.push(move_note(
                "note.moved.agent",
                &ids[i],
                who,
                prev[i],
                csat[i],
                lang,
            ));
        }
    }
    if notes.is_empty() {
        return None;
    }
    let mut s = Section::new(lang.t("sec.moved"));
    s.intro = Some(lang.t("sec.moved.intro"));
    s.notes = notes;
    Some(s)
}

/// The rows (not ALL, `eligible`, both months known) with the largest
/// change, largest first; ties in row order.
fn largest_moves(
    keys: &[String],
    now: &[Option<f64>],
    before: &[Option<f64>],
    eligible: &[bool],
) -> Vec<usize> {
    let mut moves: Vec<(f64, usize)> = (0..keys.len())
        .filter(|&i| keys[i] != "ALL" && eligible[i])
        .filter_map(|i| Some((now[i]? - before[i]?, i)))
        .collect();
    moves.sort_by(|a, b| b.0.abs().total_cmp(&a.0.abs()).then(a.1.cmp(&b.1)));
    moves.into_iter().take(MOVED_MOST).map(|(_, i)| i).collect()
}

fn move_note(
    key: &str,
    who: &str,
    line: Option<&str>,
    before: Option<f64>,
    after: Option<f64>,
    lang: Lang,
) -> String {
    let delta = match (after, before) {
        (Some(a), Some(b)) => format!("{:+.1}", (a - b) * 100.0),
        _ => "—".into(),
    };
    let mut args = vec![
        ("who", who.to_string()),
        ("before", pct(before)),
        ("after", pct(after)),
        ("delta", delta),
    ];
    if let Some(line) = line {
        args.push(("line", line.to_string()));
    }
    lang.fill(key, &args)
}

/// How many disagreements a flagged module's note quotes.
const DISAGREEMENTS_QUOTED: usize = 3;

/// For each flagged module of `all` (the ALL rows of agreement), its first
/// disagreements: who scored what. The page shows no session identifier;
/// disagreements.csv names the sessions.
pub(super) fn disagreements(
    all: &DataFrame,
    dis: &DataFrame,
    names: &ModuleNames,
    lang: Lang,
) -> Vec<String> {
    let (module, flagged) = (strs(all, "module_id"), bools(all, "flagged"));
    let dm = strs(dis, "module_id");
    let (dr, dsc) = (strs(dis, "reviewers"), strs(dis, "scores"));
    let mut notes = Vec::new();
    for (m, _) in module.iter().zip(&flagged).filter(|(_, f)| **f) {
        let cases: Vec<String> = (0..dis.height())
            .filter(|&j| &dm[j] == m)
            .take(DISAGREEMENTS_QUOTED)
            .map(|j| {
                let args = [("reviewers", dr[j].clone()), ("scores", dsc[j].clone())];
                lang.fill("note.disagreement", &args)
            })
            .collect();
        if !cases.is_empty() {
            let args = [
                ("module", names.get(m)),
                ("cases", cases.join(&lang.t("note.case_sep"))),
            ];
            notes.push(lang.fill("note.disagreements", &args));
        }
    }
    notes
}

/// The month's own data-quality lines after those of reading: FCR
/// coverage, agent-days without hours (with agent_hours), FCR completeness.
pub(super) fn quality(pack: &MonthlyPack, bl: Option<&DataFrame>, lang: Lang) -> Vec<String> {
    let mut notes = Vec::new();
    let all = bl.and_then(|bl| {
        let i = strs(bl, "business_line").iter().position(|l| l == "ALL")?;
        Some((bl, i))
    });
    if let Some((bl, i)) = all {
        let share = ("share", pct(f64s(bl, "fcr_coverage")[i]));
        notes.push(lang.fill("note.fcr_coverage", &[share]));
        if let Some(days) = f64s(bl, "agent_days_without_hours")[i] {
            let agent = f64s(bl, "agent_sessions")[i].unwrap_or(0.0);
            let left_out = agent - f64s(bl, "cph_sessions")[i].unwrap_or(0.0);
            let args = [
                ("days", format!("{days:.0}")),
                ("sessions", format!("{left_out:.0}")),
            ];
            notes.push(lang.fill("note.days_without_hours", &args));
        }
    }
    if pack.fcr.complete {
        let until = pack
            .fcr
            .data_until
            .as_deref()
            .map_or_else(|| "—".into(), super::as_of);
        notes.push(lang.fill("note.fcr_complete", &[("until", until)]));
    } else {
        let lines = ("lines", incomplete_lines(pack, lang));
        notes.push(lang.fill("note.fcr_incomplete", &[lines]));
    }
    notes
}
