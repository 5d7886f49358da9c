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

/// Where the plot sits in the SVG and how values map onto it.
struct Frame {
    left: f64,
    top: f64,
    plot_w: f64,
    plot_h: f64,
    x0: f64,
    x1: f64,
}

impl Frame {
    fn x_of(&self, v: f64) -> f64 {
        self.left
            + (v.clamp(self.x0, self.x1) - self.x0) / (self.x1 - self.x0).max(1e-12) * self.plot_w
    }
}

const ROW_H: f64 = 26.0;

pub fn intervals(c: &Intervals) -> String {
    let widest = |texts: &mut dyn Iterator<Item = String>| {
        texts.map(|t| text_width(&t, FONT_PX)).fold(0.0, f64::max) + 12.0
    };
    let label_w = widest(&mut c.rows.iter().map(|r| r.label.clone()));
    let value_w = widest(&mut c.rows.iter().map(|r| value_text(r, c.decimals)));
    let (lo, hi) = c
        .rows
        .iter()
        .flat_map(|r| [r.low, r.estimate, r.high])
        .flatten()
        .filter(|v| v.is_finite())
        .fold((c.reference, c.reference), |(a, b), v| (a.min(v), b.max(v)));
    // No interval at all (e.g. no control for a DiD): one unit either side.
    let pad = if hi - lo < 1e-9 {
        1.0
    } else {
        (hi - lo) * 0.05
    };
    let (ticks, step) = nice_ticks(lo - pad, hi + pad, 5);
    let left = label_w + 8.0;
    let f = Frame {
        left,
        top: 34.0,
        plot_w: (640.0 - left - value_w - 8.0).max(120.0),
        plot_h: ROW_H * c.rows.len().max(1) as f64,
        x0: ticks.first().copied().unwrap_or(lo),
        x1: ticks.last().copied().unwrap_or(hi),
    };
    let w = left + f.plot_w + value_w + 8.0;
    let mut svg = open(c.id, w, f.top + f.plot_h + 44.0, c.x_title);
    x_axis(&mut svg, &f, &ticks, step, c);
    for (i, r) in c.rows.iter().enumerate() {
        row(&mut svg, &f, i, r, c);
    }
    let entries = [
        (c.legend[0].to_string(), INK, true),
        (c.legend[1].to_string(), PALETTE[1], false),
    ];
    legend_row(&mut svg, left, 14.0, &entries);
    svg.push_str("</svg>");
    svg
}

/// Vertical grid lines with their tick labels, the axis title, and the
/// dashed line of no change.
fn x_axis(svg: &mut String, f: &Frame, ticks: &[f64], step: f64, c: &Intervals) {
    let bottom = f.top + f.plot_h;
    for t in ticks {
        let x = f.x_of(*t);
        let _ = write!(
            svg,
            "<line x1=\"{x:.1}\" y1=\"{:.1}\" x2=\"{x:.1}\" y2=\"{bottom:.1}\" stroke=\"{GRID}\"/>",
            f.top
        );
        text_at(
            svg,
            x,
            bottom + 16.0,
            "middle",
            INK,
            &tick_label(*t, step, false),
        );
    }
    text_at(
        svg,
        f.left + f.plot_w / 2.0,
        bottom + 34.0,
        "middle",
        INK,
        c.x_title,
    );
    let rx = f.x_of(c.reference);
    let _ = write!(svg, "<line class=\"reference\" x1=\"{rx:.1}\" y1=\"{:.1}\" x2=\"{rx:.1}\" y2=\"{bottom:.1}\" stroke=\"{INK}\" stroke-dasharray=\"5 4\" stroke-width=\"1.5\"/>", f.top - 4.0);
}

/// Row `i`: its label, interval, estimate and the figures at the right,
/// coloured when the interval leaves no change out.
fn row(svg: &mut String, f: &Frame, i: usize, r: &IntervalRow, c: &Intervals) {
    let y = f.top + ROW_H * (i as f64 + 0.5);
    let colour = if r.clear_of(c.reference) {
        PALETTE[1]
    } else {
        GREY
    };
    text_at(svg, f.left - 8.0, y + 4.0, "end", INK, &r.label);
    if let (Some(l), Some(h)) = (r.low, r.high) {
        let _ = write!(svg, "<line x1=\"{:.1}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\" stroke=\"{colour}\" stroke-width=\"2\"/>", f.x_of(l), f.x_of(h));
    }
    if let Some(e) = r.estimate {
        let _ = write!(
            svg,
            "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"9\" height=\"9\" fill=\"{colour}\"/>",
            f.x_of(e) - 4.5,
            y - 4.5
        );
    }
    let figures = value_text(r, c.decimals);
    text_at(
        svg,
        f.left + f.plot_w + 8.0,
        y + 4.0,
        "start",
        colour,
        &figures,
    );
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
