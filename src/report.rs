//! `report.md`: the monthly meeting's one-pager, rendered from the pack's
//! tables (never recomputed here).

use std::fmt::Write;

use polars::prelude::*;

use crate::jobs::monthly::MonthlyPack;

pub(crate) fn f64s(df: &DataFrame, name: &str) -> Vec<Option<f64>> {
    df.column(name)
        .ok()
        .and_then(|c| c.cast(&DataType::Float64).ok())
        .and_then(|c| c.f64().ok().map(|ca| ca.iter().collect()))
        .unwrap_or_else(|| vec![None; df.height()])
}

/// A column's values as table cells (see `cell`), null as "—".
pub(crate) fn strs(df: &DataFrame, name: &str) -> Vec<String> {
    df.column(name)
        .ok()
        .and_then(|c| c.cast(&DataType::String).ok())
        .and_then(|c| {
            c.str()
                .ok()
                .map(|ca| ca.iter().map(|s| s.map_or("—".into(), cell)).collect())
        })
        .unwrap_or_else(|| vec!["—".into(); df.height()])
}

/// Text from the exports as a Markdown table cell: never read as a formula
/// when pasted into a spreadsheet (as in the CSVs), and a `|` does not end
/// the cell.
pub fn cell(text: &str) -> String {
    crate::output::spreadsheet_safe(text).replace('|', "\\|")
}

pub(crate) fn pct(v: Option<f64>) -> String {
    v.map(|x| format!("{:.1}%", x * 100.0))
        .unwrap_or_else(|| "—".into())
}

pub(crate) fn num(v: Option<f64>, decimals: usize) -> String {
    v.map(|x| format!("{x:.decimals$}"))
        .unwrap_or_else(|| "—".into())
}

/// Change in percentage points.
fn pts(cur: Option<f64>, prev: Option<f64>) -> String {
    match (cur, prev) {
        (Some(c), Some(p)) => format!("{:+.1}", (c - p) * 100.0),
        _ => "—".into(),
    }
}

/// The one-pager; `ignored` names the files of the data directory that were
/// not read (not Parquet), for the data-quality section.
pub fn monthly(pack: &MonthlyPack, ignored: &[String]) -> String {
    let mut md = String::new();
    let table = |name: &str| {
        pack.tables
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, df)| df)
    };
    let _ = writeln!(md, "# Monthly review {}\n", pack.month.label);
    let _ = writeln!(
        md,
        "Compared with {}. CSAT is a share of rated sessions, FCR of sessions with a customer id, the first-response SLA of sessions with a first response, the reply SLA of agent replies, and the complaint rate of all the month's sessions; changes are in percentage points.\n",
        pack.previous.label
    );
    if !pack.fcr_complete {
        let _ = writeln!(
            md,
            "> **FCR incomplete** for {}: less than the FCR window after the month's end, so some repeat visits are not visible yet. Re-run when the look-ahead is in.\n",
            incomplete_lines(pack)
        );
    }

    if let Some(bl) = table("business_lines") {
        let _ = writeln!(md, "## Business lines\n");
        let _ = writeln!(md, "| line | sessions | CSAT | Δ | FCR | Δ | complaints | Δ | CPH | QA score | 1st resp. SLA | reply SLA |");
        let _ = writeln!(
            md,
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
        );
        let (line, sessions) = (strs(bl, "business_line"), f64s(bl, "sessions"));
        let (csat, pcsat) = (f64s(bl, "csat"), f64s(bl, "prev_csat"));
        let (fcr, pfcr) = (f64s(bl, "fcr"), f64s(bl, "prev_fcr"));
        let (cr, pcr) = (f64s(bl, "complaint_rate"), f64s(bl, "prev_complaint_rate"));
        let (cph, qa) = (f64s(bl, "cph"), f64s(bl, "qa_score"));
        let (frs, reply) = (f64s(bl, "first_response_sla"), f64s(bl, "reply_sla"));
        for i in 0..bl.height() {
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                line[i],
                num(sessions[i], 0),
                pct(csat[i]),
                pts(csat[i], pcsat[i]),
                pct(fcr[i]),
                pts(fcr[i], pfcr[i]),
                pct(cr[i]),
                pts(cr[i], pcr[i]),
                num(cph[i], 2),
                num(qa[i], 1),
                pct(frs[i]),
                pct(reply[i]),
            );
        }
        md.push('\n');
        moved_most(&mut md, "Lines that moved most", bl, "business_line", None);
    }

    if let Some(rc) = table("repeat_causes") {
        let _ = writeln!(
            md,
            "## Why customers came back (repeat visits within the FCR window)\n"
        );
        let (line, label, repeats) = (
            strs(rc, "business_line"),
            strs(rc, "label"),
            f64s(rc, "repeats"),
        );
        let (share, cum, rank) = (
            f64s(rc, "share"),
            f64s(rc, "cumulative_share"),
            f64s(rc, "rank"),
        );
        let mut current = String::new();
        for i in 0..rc.height() {
            if rank[i].unwrap_or(99.0) > 5.0 {
                continue;
            }
            if line[i] != current {
                current = line[i].clone();
                let _ = writeln!(md, "\n**{current}**\n\n| cause | repeats | share | cumulative |\n|---|---:|---:|---:|");
            }
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} |",
                label[i],
                num(repeats[i], 0),
                pct(share[i]),
                pct(cum[i])
            );
        }
        md.push('\n');
    }

    if let Some(ag) = table("agents") {
        let eligible = ag
            .clone()
            .lazy()
            .filter(col("rated").gt_eq(lit(10)))
            .collect()
            .unwrap_or_else(|_| ag.clone());
        moved_most(
            &mut md,
            "Agents whose CSAT moved most (10+ rated sessions)",
            &eligible,
            "agent_id",
            Some("business_line"),
        );
    }

    if let (Some(ag), Some(dis)) = (table("agreement"), table("disagreements")) {
        calibration(&mut md, ag, dis, pack);
    }

    if let Some(it) = table("iteration") {
        standard_iteration(
            &mut md,
            it,
            table("scorecard_changes"),
            table("overturned_cases"),
        );
    }

    if pack.overrides.height() > 0 {
        let o = &pack.overrides;
        let _ = writeln!(md, "## Emergency SLA overrides in force\n");
        let _ = writeln!(md, "| reason | line | sessions | first response (s) | reply (s) |\n|---|---|---:|---:|---:|");
        let (r, l, n) = (
            strs(o, "sla_override"),
            strs(o, "business_line"),
            f64s(o, "sessions"),
        );
        let (f, rp) = (
            f64s(o, "first_response_threshold_s"),
            f64s(o, "reply_threshold_s"),
        );
        for i in 0..o.height() {
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} | {} |",
                r[i],
                l[i],
                num(n[i], 0),
                num(f[i], 0),
                num(rp[i], 0)
            );
        }
        md.push('\n');
    }

    data_quality(&mut md, &pack.checked, ignored);
    if let Some(bl) = table("business_lines") {
        let all = strs(bl, "business_line").iter().position(|l| l == "ALL");
        if let Some(i) = all {
            let _ = writeln!(
                md,
                "- FCR coverage (sessions with a customer id): {}",
                pct(f64s(bl, "fcr_coverage")[i])
            );
            agent_days_without_hours(&mut md, bl, i);
        }
    }
    if pack.fcr_complete {
        let _ = writeln!(
            md,
            "- FCR complete: yes (data until {})",
            pack.data_until.as_deref().unwrap_or("—")
        );
    } else {
        let _ = writeln!(
            md,
            "- FCR complete: no; incomplete: {}",
            incomplete_lines(pack)
        );
    }
    md
}

/// The data-quality section every job's report.md shares: rows read, used,
/// duplicated and rejected per table, the reasons, what was taken on trust,
/// and the files not read. A job adds its own lines after it.
pub(crate) fn data_quality(
    md: &mut String,
    checked: &crate::tables::CheckedTables,
    ignored: &[String],
) {
    let _ = writeln!(md, "## Data quality\n");
    let _ = writeln!(
        md,
        "| table | rows read | used | duplicates | rejected |\n|---|---:|---:|---:|---:|"
    );
    for (name, (c, _)) in &checked.tables {
        let s = &c.stats;
        let _ = writeln!(
            md,
            "| {name} | {} | {} | {} | {} |",
            s.rows_in, s.used, s.duplicates, s.rejected
        );
    }
    md.push('\n');
    for (name, (c, _)) in &checked.tables {
        for (reason, n) in &c.stats.rejected_by_reason {
            let _ = writeln!(
                md,
                "- {name}: {n} rows rejected ({reason}); see `rejects/{name}.csv`"
            );
        }
    }
    for (name, (c, _)) in &checked.tables {
        read_notes(md, name, &c.stats);
    }
    for f in ignored {
        let _ = writeln!(md, "- ignored, not read (not .parquet): `{f}`");
    }
}

/// What reading `table` took on trust: rows superseded by a later export,
/// blank strings read as null, local times read as the earlier of two.
fn read_notes(md: &mut String, table: &str, s: &crate::validate::TableStats) {
    if s.superseded > 0 {
        let _ = writeln!(
            md,
            "- {table}: {} rows superseded by a later export of the same key (counted as duplicates)",
            s.superseded
        );
    }
    for (column, n) in &s.blanks_read_as_null {
        let _ = writeln!(md, "- {table}: {n} blank `{column}` read as null");
    }
    if s.ambiguous_local_times > 0 {
        let _ = writeln!(
            md,
            "- {table}: {} rows with a local time that daylight saving repeats, read as the earlier instant",
            s.ambiguous_local_times
        );
    }
}

/// With agent_hours: the agent-days that had sessions but no hours logged,
/// whose sessions CPH leaves out (row `i` is ALL).
fn agent_days_without_hours(md: &mut String, bl: &DataFrame, i: usize) {
    let Some(days) = f64s(bl, "agent_days_without_hours")[i] else {
        return;
    };
    let left_out =
        f64s(bl, "agent_sessions")[i].unwrap_or(0.0) - f64s(bl, "cph_sessions")[i].unwrap_or(0.0);
    let _ = writeln!(
        md,
        "- Agent-days with sessions but no hours logged: {days:.0} ({left_out:.0} sessions left out of CPH)"
    );
}

/// The lines whose data does not reach the FCR window past the month's
/// end, each with where its data ends.
fn incomplete_lines(pack: &MonthlyPack) -> String {
    pack.fcr_lines
        .iter()
        .filter(|l| !l.complete)
        .map(|l| {
            format!(
                "{} (data until {})",
                l.line,
                l.data_until.as_deref().unwrap_or("—")
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The three rows with the largest CSAT change against last month.
fn moved_most(md: &mut String, title: &str, df: &DataFrame, key: &str, context: Option<&str>) {
    let keys = strs(df, key);
    let ctx = context.map(|c| strs(df, c));
    let (csat, prev) = (f64s(df, "csat"), f64s(df, "prev_csat"));
    let mut moves: Vec<(f64, usize)> = (0..df.height())
        .filter(|&i| keys[i] != "ALL")
        .filter_map(|i| Some(((csat[i]? - prev[i]?), i)))
        .collect();
    moves.sort_by(|a, b| b.0.abs().total_cmp(&a.0.abs()).then(a.1.cmp(&b.1)));
    if moves.is_empty() {
        return;
    }
    let _ = writeln!(md, "### {title}\n");
    for (delta, i) in moves.into_iter().take(3) {
        let who = match &ctx {
            Some(c) => format!("{} ({})", keys[i], c[i]),
            None => keys[i].clone(),
        };
        let _ = writeln!(
            md,
            "- {who}: CSAT {} → {} ({:+.1} pts)",
            pct(prev[i]),
            pct(csat[i]),
            delta * 100.0
        );
    }
    md.push('\n');
}

/// Calibration (对标): every module's headline agreement over all lines, the
/// flagged ones first with their first disagreements.
fn calibration(md: &mut String, ag: &DataFrame, dis: &DataFrame, pack: &MonthlyPack) {
    let lines = strs(ag, "business_line");
    let all: Vec<usize> = (0..ag.height()).filter(|&i| lines[i] == "ALL").collect();
    let _ = writeln!(md, "## Calibration (AB 对标)\n");
    if all.is_empty() {
        let _ = writeln!(md, "No calibration items this month.\n");
        return;
    }
    let a = &pack.agreement;
    let _ = writeln!(
        md,
        "Headline {} (AC2 on graded modules), flagged below {:.2}; a module with fewer than {} items is not judged (band: too few items). 95% interval in brackets.\n",
        a.headline.as_str(),
        a.threshold,
        a.min_items
    );
    let _ = writeln!(md, "| module | items | raters | headline | band | pct. agreement | flagged |\n|---|---:|---:|---:|---|---:|---|");
    let (module, items, raters) = (strs(ag, "module_id"), f64s(ag, "items"), f64s(ag, "raters"));
    let (head, lo, hi) = (
        f64s(ag, "headline"),
        f64s(ag, "ci_low"),
        f64s(ag, "ci_high"),
    );
    let (band, pa) = (strs(ag, "band"), f64s(ag, "percent_agreement"));
    let flagged: Vec<bool> = ag
        .column("flagged")
        .ok()
        .and_then(|c| {
            c.bool()
                .ok()
                .map(|b| b.iter().map(|v| v.unwrap_or(false)).collect())
        })
        .unwrap_or_else(|| vec![false; ag.height()]);
    let mut order = all.clone();
    order.sort_by_key(|&i| !flagged[i]);
    for &i in &order {
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} [{}, {}] | {} | {} | {} |",
            module[i],
            num(items[i], 0),
            num(raters[i], 0),
            num(head[i], 3),
            num(lo[i], 3),
            num(hi[i], 3),
            band[i],
            pct(pa[i]),
            if flagged[i] { "**yes**" } else { "no" }
        );
    }
    md.push('\n');
    let (dm, ds, dr, dsc) = (
        strs(dis, "module_id"),
        strs(dis, "session_id"),
        strs(dis, "reviewers"),
        strs(dis, "scores"),
    );
    for &i in order.iter().filter(|&&i| flagged[i]) {
        let rows: Vec<usize> = (0..dis.height())
            .filter(|&j| dm[j] == module[i])
            .take(3)
            .collect();
        if rows.is_empty() {
            continue;
        }
        let _ = writeln!(
            md,
            "First disagreements on **{}** (see `disagreements.csv`):\n",
            module[i]
        );
        for j in rows {
            let _ = writeln!(md, "- {}: {} scored {}", ds[j], dr[j], dsc[j]);
        }
        md.push('\n');
    }
}

/// The standard-iteration review (质检标准迭代): one line per module with its
/// recommendation, single-point modules first; version changes in the month.
fn standard_iteration(
    md: &mut String,
    it: &DataFrame,
    changes: Option<&DataFrame>,
    overturned: Option<&DataFrame>,
) {
    let _ = writeln!(md, "## Standard iteration (质检标准迭代)\n");
    let _ = writeln!(
        md,
        "Single-point modules are reviewed monthly; system modules are marked for the quarterly review. Defect rate: scores below full marks.\n"
    );
    let _ = writeln!(md, "| module | cycle | defect rate | Δ | agreement | overturned | recommendation |\n|---|---|---:|---:|---:|---:|---|");
    let (id, name, zh) = (
        strs(it, "module_id"),
        strs(it, "module_name"),
        strs(it, "module_name_zh"),
    );
    let (cycle, rec) = (strs(it, "review_cycle"), strs(it, "recommendation"));
    let (defect, change) = (f64s(it, "defect_rate"), f64s(it, "defect_change_pts"));
    let (head, over) = (f64s(it, "agreement_headline"), f64s(it, "overturn_rate"));
    for i in 0..it.height() {
        let label = if zh[i] == "—" {
            name[i].clone()
        } else {
            format!("{} {}", name[i], zh[i])
        };
        let _ = writeln!(
            md,
            "| {label} (`{}`) | {} | {} | {} | {} | {} | {} |",
            id[i],
            cycle[i],
            pct(defect[i]),
            change[i]
                .map(|c| format!("{c:+.1}"))
                .unwrap_or_else(|| "—".into()),
            num(head[i], 2),
            pct(over[i]),
            rec[i]
        );
    }
    md.push('\n');
    if let Some(ch) = changes.filter(|c| c.height() > 0) {
        let _ = writeln!(md, "### Scorecard versions that took effect this month\n");
        let _ = writeln!(md, "| version | from | module | change | defect before | defect after | agreement before | agreement after |\n|---|---|---|---|---:|---:|---:|---:|");
        let (v, from, m, what) = (
            strs(ch, "version"),
            strs(ch, "effective_from"),
            strs(ch, "module_id"),
            strs(ch, "change"),
        );
        let (db, da) = (
            f64s(ch, "defect_rate_before"),
            f64s(ch, "defect_rate_after"),
        );
        let (ab, aa) = (f64s(ch, "agreement_before"), f64s(ch, "agreement_after"));
        for i in 0..ch.height() {
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} | {} | {} | {} | {} |",
                v[i],
                from[i],
                m[i],
                what[i],
                pct(db[i]),
                pct(da[i]),
                num(ab[i], 2),
                num(aa[i], 2)
            );
        }
        md.push('\n');
    }
    if let Some(o) = overturned.filter(|o| o.height() > 0) {
        let _ = writeln!(
            md,
            "{} appeals were overturned this month; the cases are in `overturned_cases.csv`.\n",
            o.height()
        );
    }
}
