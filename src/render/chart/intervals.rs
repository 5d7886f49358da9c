//! A forest plot of changes: each row's estimate and 95 % interval on a
//! shared axis that spans the data, with the line of no change (0 for a
//! difference, 1 for a ratio) drawn; a row whose interval leaves that line
//! out is drawn in colour, the others in grey.

use std::fmt::Write;

use super::{legend_row, nice_ticks, open, text_at, text_width, tick_label};
use super::{FONT_PX, GRID, INK, PALETTE};

const GREY: &str = "#9ca3af";

/// One change: its label, estimate and interval (in the axis's unit).
pub struct IntervalRow {
    pub label: String,
    pub estimate: Option<f64>,
    pub low: Option<f64>,
    pub high: Option<f64>,
}

impl IntervalRow {
    /// The interval leaves `reference` out.
    fn clear_of(&self, reference: f64) -> bool {
        matches!((self.low, self.high), (Some(l), Some(h)) if l > reference || h < reference)
    }
}

pub struct Intervals<'a> {
    pub id: &'a str,
    pub rows: &'a [IntervalRow],
    /// The value of no change, drawn as a dashed line.
    pub reference: f64,
    pub x_title: &'a str,
    /// Decimals of the values printed at the right.
    pub decimals: usize,
    /// Legend: the reference line, and rows clear of it.
    pub legend: [&'a str; 2],
}

pub fn intervals(c: &Intervals) -> String {
    let row_h = 26.0;
    let label_w = c
        .rows
        .iter()
        .map(|r| text_width(&r.label, FONT_PX))
        .fold(0.0, f64::max)
        + 12.0;
    let text_of = |r: &IntervalRow| value_text(r, c.decimals);
    let value_w = c
        .rows
        .iter()
        .map(|r| text_width(&text_of(r), FONT_PX))
        .fold(0.0, f64::max)
        + 12.0;
    let (lo, hi) = c
        .rows
        .iter()
        .flat_map(|r| [r.low, r.estimate, r.high])
        .flatten()
        .filter(|v| v.is_finite())
        .fold((c.reference, c.reference), |(a, b), v| (a.min(v), b.max(v)));
    let pad = ((hi - lo) * 0.05).max(1e-9);
    let (ticks, step) = nice_ticks(lo - pad, hi + pad, 5);
    let (x0, x1) = (
        ticks.first().copied().unwrap_or(lo),
        ticks.last().copied().unwrap_or(hi),
    );
    let (w, top) = (640.0, 34.0);
    let left = label_w + 8.0;
    let plot_w = (w - left - value_w - 8.0).max(120.0);
    let w = left + plot_w + value_w + 8.0;
    let plot_h = row_h * c.rows.len().max(1) as f64;
    let h = top + plot_h + 44.0;
    let x_of = |v: f64| left + (v.clamp(x0, x1) - x0) / (x1 - x0).max(1e-12) * plot_w;
    let mut svg = open(c.id, w, h, c.x_title);
    for t in &ticks {
        let x = x_of(*t);
        let _ = write!(
            svg,
            "<line x1=\"{x:.1}\" y1=\"{top:.1}\" x2=\"{x:.1}\" y2=\"{:.1}\" stroke=\"{GRID}\"/>",
            top + plot_h
        );
        text_at(
            &mut svg,
            x,
            top + plot_h + 16.0,
            "middle",
            INK,
            &tick_label(*t, step, false),
        );
    }
    text_at(
        &mut svg,
        left + plot_w / 2.0,
        top + plot_h + 34.0,
        "middle",
        INK,
        c.x_title,
    );
    let rx = x_of(c.reference);
    let _ = write!(svg, "<line class=\"reference\" x1=\"{rx:.1}\" y1=\"{:.1}\" x2=\"{rx:.1}\" y2=\"{:.1}\" stroke=\"{INK}\" stroke-dasharray=\"5 4\" stroke-width=\"1.5\"/>", top - 4.0, top + plot_h);
    for (i, r) in c.rows.iter().enumerate() {
        let y = top + row_h * (i as f64 + 0.5);
        let colour = if r.clear_of(c.reference) {
            PALETTE[1]
        } else {
            GREY
        };
        text_at(&mut svg, label_w, y + 4.0, "end", INK, &r.label);
        if let (Some(l), Some(hh)) = (r.low, r.high) {
            let _ = write!(svg, "<line x1=\"{:.1}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\" stroke=\"{colour}\" stroke-width=\"2\"/>", x_of(l), x_of(hh));
        }
        if let Some(e) = r.estimate {
            let _ = write!(
                svg,
                "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"9\" height=\"9\" fill=\"{colour}\"/>",
                x_of(e) - 4.5,
                y - 4.5
            );
        }
        text_at(
            &mut svg,
            left + plot_w + 8.0,
            y + 4.0,
            "start",
            colour,
            &text_of(r),
        );
    }
    let entries = [
        (c.legend[0].to_string(), INK, true),
        (c.legend[1].to_string(), PALETTE[1], false),
    ];
    legend_row(&mut svg, left, 14.0, &entries);
    svg.push_str("</svg>");
    svg
}

/// "estimate [low, high]" with `decimals`; a dash when there is none.
fn value_text(r: &IntervalRow, decimals: usize) -> String {
    let Some(e) = r.estimate else {
        return "—".into();
    };
    match (r.low, r.high) {
        (Some(l), Some(h)) => format!("{e:.decimals$} [{l:.decimals$}, {h:.decimals$}]"),
        _ => format!("{e:.decimals$}"),
    }
}
