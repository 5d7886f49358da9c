//! The impact report's `report.md`, rendered from its tables (nothing is
//! recomputed here), for the partner department that must act on it.

use std::fmt::Write;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use polars::prelude::*;

use crate::events::Kind;
use crate::jobs::impact::ImpactReport;
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

fn local(t: DateTime<Utc>, tz: Tz) -> String {
    t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string()
}

fn table<'a>(r: &'a ImpactReport, name: &str) -> Option<&'a DataFrame> {
    r.tables.iter().find(|(n, _)| n == name).map(|(_, df)| df)
}

pub fn markdown(r: &ImpactReport, tz: Tz) -> String {
    let mut md = String::new();
    let e = &r.event;
    let _ = writeln!(md, "# Impact report: {}\n", cell(&e.title));
    header(&mut md, r, tz);
    if let Some(df) = table(r, "status") {
        let status = strs(df, "status");
        let _ = writeln!(
            md,
            "**Status: {}** ({} {}, target {}).\n",
            status.first().map_or("—", String::as_str),
            cell(e.metric.as_deref().unwrap_or("")),
            strs(df, "direction").first().map_or("", String::as_str),
            num(e.target, 4)
        );
    }
    if let Some(df) = table(r, "summary") {
        summary(&mut md, df);
    }
    if let Some(df) = table(r, "excess") {
        excess(&mut md, df, e.kind);
    }
    for (name, key, title) in [
        ("categories", "category", "Categories that grew most"),
        ("causes", "cause", "Repeat-visit causes that grew most"),
    ] {
        if let Some(df) = table(r, name) {
            grown(&mut md, df, key, title);
        }
    }
    rows_read(&mut md, r);
    md
}

fn header(md: &mut String, r: &ImpactReport, tz: Tz) {
    let e = &r.event;
    let _ = writeln!(
        md,
        "- Owner: {} ({})",
        cell(&e.department),
        match e.kind {
            Kind::Incident => "incident",
            Kind::Action => "improvement action",
        }
    );
    let cats = if e.categories.is_empty() {
        String::new()
    } else {
        format!(", categories {}", cell(&e.categories.join(", ")))
    };
    let _ = writeln!(md, "- Lines: {}{cats}", cell(&e.lines.join(", ")));
    let _ = writeln!(
        md,
        "- Event window: {} to {} ({}, {:.2} days){}",
        local(e.start, tz),
        local(r.end, tz),
        tz.name(),
        r.event_days,
        if r.running {
            "; still running: measured to the end of the data"
        } else {
            ""
        }
    );
    let windows: Vec<String> = r
        .baseline
        .iter()
        .map(|(a, b)| format!("{} to {}", local(*a, tz), local(*b, tz)))
        .collect();
    let _ = writeln!(
        md,
        "- Baseline: {} ({:.2} days)",
        windows.join("; "),
        r.baseline_days
    );
    let _ = writeln!(
        md,
        "- Control (lines the event did not touch): {}",
        if r.control_lines.is_empty() {
            "none".to_string()
        } else {
            cell(&r.control_lines.join(", "))
        }
    );
    let _ = writeln!(
        md,
        "- FCR and repeat rate: {}\n",
        if r.fcr_complete {
            "complete (the data reaches one FCR window past the event's end)"
        } else {
            "INCOMPLETE: the data does not reach one FCR window past the event's end, so late repeat visits are missing"
        }
    );
}

fn summary(md: &mut String, df: &DataFrame) {
    md.push_str("## Event against baseline\n\n");
    md.push_str("Contacts per day: the interval and the control column are rate ratios. Rates: the interval is of the difference; the control change and the difference-in-differences (DiD) are differences.\n\n");
    md.push_str("| metric | event | baseline | change | relative | p-value | 95% interval | control change | DiD | DiD p-value |\n");
    md.push_str("| --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: |\n");
    let metric = strs(df, "metric");
    let [ev, bv, abs, rel, p, lo, hi, cabs, crel, did, didp] = [
        "event_value",
        "baseline_value",
        "abs_change",
        "rel_change",
        "p_value",
        "ci_low",
        "ci_high",
        "control_abs_change",
        "control_rel_change",
        "did",
        "did_p_value",
    ]
    .map(|c| f64s(df, c));
    for i in 0..df.height() {
        let counts = metric[i] == "contacts_per_day";
        let control = if counts {
            num(crel[i].map(|x| x + 1.0), 3)
        } else {
            num(cabs[i], 4)
        };
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {} | {} | {} to {} | {} | {} | {} |",
            metric[i],
            num(ev[i], 4),
            num(bv[i], 4),
            num(abs[i], 4),
            rel[i].map_or("—".into(), |x| format!("{:+.1}%", x * 100.0)),
            p_value(p[i]),
            num(lo[i], 4),
            num(hi[i], 4),
            control,
            num(did[i], 4),
            p_value(didp[i]),
        );
    }
    md.push('\n');
}

fn excess(md: &mut String, df: &DataFrame, kind: Kind) {
    md.push_str(match kind {
        Kind::Incident => "## What the event cost\n\n",
        Kind::Action => "## Contacts against the baseline\n\n",
    });
    md.push_str("Excess = event count − baseline rate × event days; \"with control\" also scales the baseline by the control lines' swing. Complaints and repeat visits are part of the contacts: their costs do not add up.\n\n");
    md.push_str("| measure | event | expected | excess | 95% interval | excess with control | cost | cost interval |\n");
    md.push_str("| --- | ---: | ---: | ---: | --- | ---: | ---: | --- |\n");
    let measure = strs(df, "measure");
    let currency = strs(df, "currency");
    let [ev, exp, ex, lo, hi, exc, cost, clo, chi] = [
        "event_count",
        "expected",
        "excess",
        "ci_low",
        "ci_high",
        "excess_with_control",
        "cost",
        "cost_low",
        "cost_high",
    ]
    .map(|c| f64s(df, c));
    for i in 0..df.height() {
        let cur = if currency[i] == "—" {
            ""
        } else {
            &currency[i]
        };
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {} to {} | {} | {} {cur} | {} to {} |",
            measure[i],
            num(ev[i], 0),
            num(exp[i], 1),
            num(ex[i], 1),
            num(lo[i], 1),
            num(hi[i], 1),
            num(exc[i], 1),
            num(cost[i], 2),
            num(clo[i], 2),
            num(chi[i], 2),
        );
    }
    md.push('\n');
}

fn grown(md: &mut String, df: &DataFrame, key: &str, title: &str) {
    let _ = writeln!(md, "## {title}\n");
    if df.height() == 0 {
        md.push_str("None in the windows.\n\n");
        return;
    }
    md.push_str(
        "| name | event | baseline | per day (event) | per day (baseline) | excess | p-value |\n",
    );
    md.push_str("| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    let names = strs(df, key);
    let [ev, bv, evd, bvd, ex, p] = [
        "event_count",
        "baseline_count",
        "event_per_day",
        "baseline_per_day",
        "excess",
        "p_value",
    ]
    .map(|c| f64s(df, c));
    for i in 0..df.height().min(5) {
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {} | {} | {} |",
            names[i],
            num(ev[i], 0),
            num(bv[i], 0),
            num(evd[i], 1),
            num(bvd[i], 1),
            num(ex[i], 1),
            p_value(p[i]),
        );
    }
    md.push('\n');
}

fn rows_read(md: &mut String, r: &ImpactReport) {
    md.push_str("## Data\n\n");
    for (name, (c, _)) in &r.checked.tables {
        let s = &c.stats;
        let _ = writeln!(
            md,
            "- {name}: {} rows read, {} used, {} duplicates, {} rejected",
            s.rows_in, s.used, s.duplicates, s.rejected
        );
    }
    md.push_str("\nRejected rows are not part of this report (they carry customer identifiers); `csqa validate` lists them.\n");
}
