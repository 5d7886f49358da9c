//! `report.md` of the quarterly review: the meeting's agenda, rendered from
//! the pack's tables (never recomputed here).

use std::fmt::Write;

use polars::prelude::*;

use crate::jobs::quarterly::QuarterlyPack;
use crate::report::{cell, f64s, num, pct, strs};

pub fn quarterly(pack: &QuarterlyPack, ignored: &[String]) -> String {
    let mut md = String::new();
    let table = |name: &str| pack.tables.iter().find(|(n, _)| n == name).map(|(_, d)| d);
    let _ = writeln!(
        md,
        "# System-module review {} (系统模块评审)\n\n{} sessions in {} to {}; trends over {} to {} ({} months); compared with {}. Versions in force: {}.\n",
        pack.period.label,
        pack.sessions,
        pack.period.first().label,
        pack.period.last().label,
        pack.trend_months.first().map(String::as_str).unwrap_or("—"),
        pack.trend_months.last().map(String::as_str).unwrap_or("—"),
        pack.trend_months.len(),
        pack.previous.label,
        if pack.versions.is_empty() { "—".to_string() } else { pack.versions.join(", ") },
    );
    if let Some(df) = table("system_review") {
        agenda(&mut md, df);
    }
    if let Some(df) = table("module_trends") {
        trends(&mut md, df);
    }
    if let Some(df) = table("module_outcomes") {
        outcomes(&mut md, df);
    }
    if let Some(df) = table("rater_drift") {
        drift(&mut md, df);
    }
    versions(&mut md, pack);
    crate::report::data_quality(&mut md, &pack.checked, ignored);
    md
}

/// Modules to revise first, with their evidence; then the rest.
fn agenda(md: &mut String, df: &DataFrame) {
    let _ = writeln!(md, "## 1. Modules under review\n");
    if df.height() == 0 {
        let _ = writeln!(md, "No system module was in force in the period.\n");
        return;
    }
    let (id, name, scope) = (
        strs(df, "module_id"),
        strs(df, "module_name"),
        strs(df, "scope"),
    );
    let (rate, prev, qoq_p) = (
        f64s(df, "defect_rate"),
        f64s(df, "prev_defect_rate"),
        f64s(df, "qoq_p"),
    );
    let (dt, at, flagged, judged) = (
        strs(df, "defect_trend"),
        strs(df, "agreement_trend"),
        strs(df, "months_flagged"),
        strs(df, "months_judged"),
    );
    let (over, rec, changes) = (
        f64s(df, "overturn_rate"),
        strs(df, "recommendation"),
        strs(df, "series_changes"),
    );
    let _ = writeln!(
        md,
        "| module | scope | defect rate (prev → now, QoQ p) | defect trend | agreement trend | months flagged | overturn rate | recommendation |\n|---|---|---|---|---|---:|---:|---|"
    );
    for i in 0..df.height() {
        let _ = writeln!(
            md,
            "| {} {} | {} | {} → {} (p {}) | {} | {} | {} of {} | {} | {} |",
            id[i],
            name[i],
            scope[i],
            pct(prev[i]),
            pct(rate[i]),
            num(qoq_p[i], 3),
            dt[i],
            at[i],
            flagged[i],
            judged[i],
            pct(over[i]),
            rec[i]
        );
    }
    md.push('\n');
    for i in 0..df.height() {
        if changes[i] != "—" {
            let _ = writeln!(
                md,
                "- {}: definition changed ({}); its figures are split into series, the trend reads the current one.",
                id[i], changes[i]
            );
        }
    }
    md.push('\n');
}

fn trends(md: &mut String, df: &DataFrame) {
    let _ = writeln!(
        md,
        "## 2. Trends (all lines)\n\nMann–Kendall with tie correction, Sen's slope per month, q-values (Benjamini–Hochberg) over every module × line tested.\n\n| module | metric | series | points | tau | p | Sen slope | q | verdict |\n|---|---|---|---:|---:|---:|---:|---:|---|"
    );
    let (id, line, metric, series, points) = (
        strs(df, "module_id"),
        strs(df, "business_line"),
        strs(df, "metric"),
        strs(df, "series"),
        strs(df, "points"),
    );
    let (tau, p, slope, q, verdict) = (
        f64s(df, "mk_tau"),
        f64s(df, "mk_p"),
        f64s(df, "sen_slope"),
        f64s(df, "q_value"),
        strs(df, "verdict"),
    );
    for i in (0..df.height()).filter(|&i| line[i] == "ALL") {
        let slope = if metric[i] == "defect_rate" {
            slope[i]
                .map(|s| format!("{:+.1} pts", s * 100.0))
                .unwrap_or_else(|| "—".into())
        } else {
            num(slope[i], 3)
        };
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            id[i],
            metric[i],
            series[i],
            points[i],
            num(tau[i], 2),
            num(p[i], 3),
            slope,
            num(q[i], 3),
            verdict[i]
        );
    }
    md.push_str("\nPer line: `module_trends.csv`.\n\n");
}

fn outcomes(md: &mut String, df: &DataFrame) {
    let _ = writeln!(
        md,
        "## 3. Do failures matter to customers?\n\nReviewed sessions of the period where the module failed against those where it passed; difference with Newcombe's 95 % interval. An interval that contains 0 means the module's failures do not move that outcome.\n\n| module | metric | failed (n) | passed (n) | difference [95 %] |\n|---|---|---|---|---|"
    );
    let (id, metric) = (strs(df, "module_id"), strs(df, "metric"));
    let (fv, fnn, pv, pn) = (
        f64s(df, "failed_value"),
        strs(df, "failed_n"),
        f64s(df, "passed_value"),
        strs(df, "passed_n"),
    );
    let (d, lo, hi) = (
        f64s(df, "difference"),
        f64s(df, "ci_low"),
        f64s(df, "ci_high"),
    );
    let p = |v: Option<f64>| {
        v.map(|x| format!("{:+.1} pts", x * 100.0))
            .unwrap_or_else(|| "—".into())
    };
    for i in 0..df.height() {
        let _ = writeln!(
            md,
            "| {} | {} | {} ({}) | {} ({}) | {} [{}, {}] |",
            id[i],
            metric[i],
            pct(fv[i]),
            fnn[i],
            pct(pv[i]),
            pn[i],
            p(d[i]),
            p(lo[i]),
            p(hi[i])
        );
    }
    md.push('\n');
}

fn drift(md: &mut String, df: &DataFrame) {
    let _ = writeln!(
        md,
        "## 4. Rater drift\n\nEach calibration reviewer's leniency (normalised score minus the other reviewers' on the same items) by month, and its trend.\n\n| reviewer | leniency by month | Sen slope / month | q | verdict |\n|---|---|---:|---:|---|"
    );
    let (who, month, verdict) = (
        strs(df, "reviewer_id"),
        strs(df, "month"),
        strs(df, "verdict"),
    );
    let (lean, slope, q) = (
        f64s(df, "leniency"),
        f64s(df, "leniency_slope"),
        f64s(df, "q_value"),
    );
    let mut i = 0;
    while i < df.height() {
        let mut j = i;
        let mut by_month = Vec::new();
        while j < df.height() && who[j] == who[i] {
            by_month.push(format!("{} {}", month[j], num(lean[j], 3)));
            j += 1;
        }
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {} |",
            who[i],
            by_month.join(", "),
            num(slope[i], 3),
            num(q[i], 3),
            verdict[i]
        );
        i = j;
    }
    md.push('\n');
}

fn versions(md: &mut String, pack: &QuarterlyPack) {
    let _ = writeln!(md, "## 5. Versions in force\n");
    if pack.changes.is_empty() {
        let _ = writeln!(md, "No module's definition changed in the months read.\n");
        return;
    }
    for c in &pack.changes {
        let _ = writeln!(
            md,
            "- {} from {}: {} {} (series `{}` starts)",
            c.version,
            c.effective_from,
            cell(&c.module_id),
            c.change,
            c.version
        );
    }
    md.push('\n');
}
