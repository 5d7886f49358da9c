//! Charts as hand-written SVG, inlined in the page: no script, no font
//! file, nothing loaded. Label areas are sized from the text itself, with
//! CJK characters counted a full em wide (a byte count would under-measure
//! them, a char count over-measure Latin text).

use std::fmt::Write;

mod intervals;
pub use intervals::{intervals, IntervalRow, Intervals};

const PALETTE: [&str; 8] = [
    "#2563eb", "#ea580c", "#16a34a", "#9333ea", "#0891b2", "#ca8a04", "#db2777", "#4b5563",
];
const FONT_PX: f64 = 12.0;
const FLAG_RED: &str = "#dc2626";
const GRID: &str = "#e5e7eb";
const INK: &str = "#374151";
/// Shading of bands, one colour per distinct band label (an override's
/// reason; an event window and its baseline).
const BAND_FILLS: [&str; 2] = ["#fde68a", "#bfdbfe"];
const MARK: &str = "#111827";

/// Approximate rendered width of `text` at `px`: wide (CJK) characters one
/// em, others a little over half.
pub fn text_width(text: &str, px: f64) -> f64 {
    text.chars()
        .map(|c| if is_wide(c) { 1.0 } else { 0.6 })
        .sum::<f64>()
        * px
}

pub fn is_wide(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x115F | 0x2E80..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6)
}

/// `text` cut with an ellipsis to fit `room` px.
fn fit(text: &str, room: f64) -> String {
    if text_width(text, FONT_PX) <= room {
        return text.to_string();
    }
    let mut out = String::new();
    for c in text.chars() {
        if text_width(&out, FONT_PX) + text_width(&format!("{c}…"), FONT_PX) > room {
            break;
        }
        out.push(c);
    }
    out + "…"
}

/// Text for SVG and HTML: the five XML specials escaped.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

fn open(id: &str, w: f64, h: f64, label: &str) -> String {
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" data-chart=\"{}\" viewBox=\"0 0 {w:.0} {h:.0}\" width=\"{w:.0}\" height=\"{h:.0}\" role=\"img\" aria-label=\"{}\" font-size=\"{FONT_PX}\">",
        esc(id),
        esc(label)
    )
}

/// About `n` round tick values covering `lo..=hi`.
pub fn nice_ticks(lo: f64, hi: f64, n: usize) -> (Vec<f64>, f64) {
    let span = if hi > lo { hi - lo } else { 1.0 };
    let raw = span / n.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    let start = (lo / step).floor() * step;
    let mut ticks = Vec::new();
    let mut v = start;
    while v <= hi + step * 1e-9 && ticks.len() < 50 {
        ticks.push(v);
        v += step;
    }
    if ticks.last().is_some_and(|&t| t < hi) {
        ticks.push(v);
    }
    (ticks, step)
}

/// A tick label: percentages of a share, or plain numbers, with as many
/// decimals as the step needs to be shown exactly (a step of 2.5 points
/// labels 92.5 %, not a rounded 93 %).
pub fn tick_label(v: f64, step: f64, percent: bool) -> String {
    let (v, step) = if percent {
        (v * 100.0, step * 100.0)
    } else {
        (v, step)
    };
    let decimals = (0..=4)
        .find(|d| {
            let x = step * 10f64.powi(*d);
            (x - x.round()).abs() < 1e-6
        })
        .unwrap_or(4) as usize;
    let s = format!("{v:.decimals$}");
    if percent {
        format!("{s}%")
    } else {
        s
    }
}

fn axis_title_y(svg: &mut String, x: f64, y: f64, text: &str) {
    let _ = write!(
        svg,
        "<text x=\"{x:.1}\" y=\"{y:.1}\" transform=\"rotate(-90 {x:.1} {y:.1})\" text-anchor=\"middle\" fill=\"{INK}\">{}</text>",
        esc(text)
    );
}

fn text_at(svg: &mut String, x: f64, y: f64, anchor: &str, fill: &str, text: &str) {
    let _ = write!(
        svg,
        "<text x=\"{x:.1}\" y=\"{y:.1}\" text-anchor=\"{anchor}\" fill=\"{fill}\">{}</text>",
        esc(text)
    );
}

/// How labels of width `widest` fit slots of `slot` px: short labels
/// (days, codes) are thinned to every n-th, long ones turned 35°.
fn label_fit(widest: f64, slot: f64) -> (usize, bool) {
    if widest <= slot * 0.95 {
        (1, false)
    } else if widest <= 24.0 {
        (((widest + 4.0) / slot).ceil().max(1.0) as usize, false)
    } else {
        (1, true)
    }
}

fn widest(labels: &[String]) -> f64 {
    labels
        .iter()
        .map(|l| text_width(l, FONT_PX))
        .fold(0.0, f64::max)
}

/// Labels under a category axis (see `label_fit`). Returns the height
/// they take.
fn category_labels(svg: &mut String, centres: &[f64], labels: &[String], y: f64, slot: f64) -> f64 {
    let (every, turned) = label_fit(widest(labels), slot);
    for (i, (x, label)) in centres.iter().zip(labels).enumerate() {
        if i % every != 0 {
            continue;
        }
        if turned {
            let _ = write!(
                svg,
                "<text x=\"{x:.1}\" y=\"{:.1}\" transform=\"rotate(-35 {x:.1} {:.1})\" text-anchor=\"end\" fill=\"{INK}\">{}</text>",
                y + 12.0,
                y + 12.0,
                esc(label)
            );
        } else {
            text_at(svg, *x, y + 14.0, "middle", INK, label);
        }
    }
    label_height(labels, slot)
}

fn label_height(labels: &[String], slot: f64) -> f64 {
    let w = widest(labels);
    if label_fit(w, slot).1 {
        w * 0.58 + 16.0
    } else {
        20.0
    }
}

fn legend(svg: &mut String, x: f64, y: f64, entries: &[(String, &str, bool)]) {
    for (i, (name, colour, line)) in entries.iter().enumerate() {
        let yy = y + i as f64 * 18.0;
        if *line {
            let _ = write!(svg, "<line x1=\"{x:.1}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" stroke=\"{colour}\" stroke-width=\"2.5\"/>", yy - 4.0, x + 16.0, yy - 4.0);
        } else {
            let _ = write!(
                svg,
                "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"14\" height=\"10\" fill=\"{colour}\"/>",
                yy - 9.0
            );
        }
        text_at(svg, x + 22.0, yy, "start", INK, name);
    }
}

/// One line per series over shared x labels (months); gaps where a value is
/// missing. `percent`: values are shares 0..1.
pub struct LineChart<'a> {
    pub id: &'a str,
    pub x_labels: &'a [String],
    pub series: &'a [(String, Vec<Option<f64>>)],
    pub x_title: &'a str,
    pub y_title: &'a str,
    pub percent: bool,
    /// Shaded spans of x positions (first, last, label): e.g. the days an
    /// emergency override was in force.
    pub bands: &'a [(usize, usize, String)],
}

/// A vertical dashed line at an x position with its label: e.g. the month
/// a new scorecard version takes effect. `detail` is the tooltip.
pub struct Marker {
    pub at: usize,
    /// Where in its slot the line stands, 0..1 (e.g. the day of the month).
    pub offset: f64,
    pub label: String,
    pub detail: String,
}

pub fn lines(c: &LineChart) -> String {
    lines_marked(c, &[])
}

/// `lines` with vertical markers drawn across the plot.
pub fn lines_marked(c: &LineChart, markers: &[Marker]) -> String {
    let (lo, hi) = value_range(c);
    let (ticks, step) = nice_ticks(lo, hi, 5);
    let (y0, y1) = (
        ticks.first().copied().unwrap_or(lo),
        ticks.last().copied().unwrap_or(hi),
    );
    let tick_w = ticks
        .iter()
        .map(|t| text_width(&tick_label(*t, step, c.percent), FONT_PX))
        .fold(0.0, f64::max);
    let legend_w = c
        .series
        .iter()
        .map(|(n, _)| text_width(n, FONT_PX))
        .fold(0.0, f64::max)
        + 34.0;
    let (w, plot_h) = (560.0, 200.0);
    let left = 22.0 + tick_w + 8.0;
    let plot_w = w - left - legend_w - 10.0;
    let n = c.x_labels.len().max(1);
    let slot = plot_w / n as f64;
    let bottom = label_height(c.x_labels, slot) + 22.0;
    let top = 12.0;
    let h = top + plot_h + bottom;
    let x_of = |i: usize| left + slot * (i as f64 + 0.5);
    let y_of = |v: f64| top + plot_h - (v - y0) / (y1 - y0).max(1e-12) * plot_h;
    let mut svg = open(c.id, w, h, c.y_title);
    let plot = Plot {
        left,
        top,
        width: plot_w,
        height: plot_h,
        slot,
    };
    bands(&mut svg, c.bands, &plot);
    y_grid(&mut svg, &ticks, y_of, (left, plot_w), step, c.percent);
    for m in markers.iter().filter(|m| m.at < n) {
        let x = x_of(m.at) - slot / 2.0 + slot * m.offset.clamp(0.0, 1.0);
        let at = c.x_labels.get(m.at).map_or("", String::as_str);
        marker(&mut svg, m, at, x, (top, plot_h), left + plot_w - x - 6.0);
    }
    let _ = write!(
        svg,
        "<line x1=\"{left:.1}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" stroke=\"{INK}\"/>",
        top + plot_h,
        left + plot_w,
        top + plot_h
    );
    let centres: Vec<f64> = (0..c.x_labels.len()).map(x_of).collect();
    let used = category_labels(&mut svg, &centres, c.x_labels, top + plot_h, slot);
    text_at(
        &mut svg,
        left + plot_w / 2.0,
        top + plot_h + used + 16.0,
        "middle",
        INK,
        c.x_title,
    );
    axis_title_y(&mut svg, 12.0, top + plot_h / 2.0, c.y_title);
    let entries = series_lines(&mut svg, c.series, x_of, y_of);
    legend(&mut svg, left + plot_w + 12.0, top + 14.0, &entries);
    svg.push_str("</svg>");
    svg
}

/// The lowest and highest value the y axis must show, padded by a tenth of
/// the spread (a flat series by 0.01).
fn value_range(c: &LineChart) -> (f64, f64) {
    let values: Vec<f64> = c
        .series
        .iter()
        .flat_map(|(_, v)| v.iter().flatten().copied())
        .collect();
    let (lo, hi) = values
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
            (a.min(v), b.max(v))
        });
    let (lo, hi) = if values.is_empty() {
        (0.0, 1.0)
    } else if hi - lo < 1e-9 {
        (lo - 0.01, hi + 0.01)
    } else {
        (lo - (hi - lo) * 0.1, hi + (hi - lo) * 0.1)
    };
    // A share is never below 0 nor above 1: its axis does not go there
    // either (1.0 is a multiple of every tick step, so it is the top tick).
    let lo = if c.percent && values.iter().all(|v| *v >= 0.0) {
        lo.max(0.0)
    } else {
        lo
    };
    let hi = if c.percent && values.iter().all(|v| *v <= 1.0) {
        hi.min(1.0)
    } else {
        hi
    };
    (lo, hi)
}

/// Where a line chart's plot sits: its left and top edges, its size, and
/// the width of one x category.
struct Plot {
    left: f64,
    top: f64,
    width: f64,
    height: f64,
    slot: f64,
}

/// Shaded spans of x categories (first, last, label), one fill per label.
fn bands(svg: &mut String, spans: &[(usize, usize, String)], p: &Plot) {
    let mut band_labels: Vec<&str> = Vec::new();
    for (first, last, label) in spans {
        // As x_of(first) - slot / 2 (the same float steps as the markers').
        let x = p.left + p.slot * (*first as f64 + 0.5) - p.slot / 2.0;
        let bw = p.slot * (last.saturating_sub(*first) + 1) as f64;
        let k = band_labels
            .iter()
            .position(|l| *l == label)
            .unwrap_or_else(|| {
                band_labels.push(label);
                band_labels.len() - 1
            });
        let fill = BAND_FILLS[k % BAND_FILLS.len()];
        let (top, plot_h) = (p.top, p.height);
        let _ = write!(svg, "<rect x=\"{x:.1}\" y=\"{top:.1}\" width=\"{bw:.1}\" height=\"{plot_h:.1}\" fill=\"{fill}\" fill-opacity=\"0.6\"><title>{}</title></rect>", esc(label));
        let room = p.left + p.width - x - 6.0;
        text_at(
            svg,
            x + 3.0,
            top + 12.0,
            "start",
            "#92400e",
            &fit(label, room),
        );
    }
}

/// Each series as dots joined by a line (broken where a value is missing);
/// the legend's entries.
fn series_lines(
    svg: &mut String,
    series: &[(String, Vec<Option<f64>>)],
    x_of: impl Fn(usize) -> f64,
    y_of: impl Fn(f64) -> f64,
) -> Vec<(String, &'static str, bool)> {
    let mut entries = Vec::new();
    for (k, (name, vals)) in series.iter().enumerate() {
        let colour = PALETTE[k % PALETTE.len()];
        let mut d = String::new();
        let mut pen_down = false;
        for (i, v) in vals.iter().enumerate() {
            match v {
                Some(v) => {
                    let _ = write!(
                        d,
                        "{}{:.1} {:.1} ",
                        if pen_down { "L" } else { "M" },
                        x_of(i),
                        y_of(*v)
                    );
                    pen_down = true;
                    let _ = write!(
                        svg,
                        "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"3.5\" fill=\"{colour}\"/>",
                        x_of(i),
                        y_of(*v)
                    );
                }
                None => pen_down = false,
            }
        }
        let _ = write!(
            svg,
            "<path d=\"{}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\"/>",
            d.trim_end()
        );
        entries.push((name.clone(), colour, true));
    }
    entries
}

/// A marker's dashed line at `x`, its label at the top, cut to `room`.
fn marker(svg: &mut String, m: &Marker, at: &str, x: f64, (top, plot_h): (f64, f64), room: f64) {
    let _ = write!(
        svg,
        "<line class=\"marker\" data-marker=\"{}\" x1=\"{x:.1}\" y1=\"{top:.1}\" x2=\"{x:.1}\" y2=\"{:.1}\" stroke=\"{MARK}\" stroke-width=\"1.5\" stroke-dasharray=\"5 4\"><title>{}</title></line>",
        esc(at),
        top + plot_h,
        esc(&m.detail)
    );
    text_at(
        svg,
        x + 3.0,
        top + 12.0,
        "start",
        MARK,
        &fit(&m.label, room),
    );
}

/// Bars of counts by category, most first, with the cumulative share drawn
/// as a line on a 0–100 % axis at the right (a Pareto chart).
pub struct Pareto<'a> {
    pub id: &'a str,
    pub labels: &'a [String],
    pub counts: &'a [f64],
    pub cumulative: &'a [f64],
    pub y_title: &'a str,
    pub y2_title: &'a str,
    pub legend: [&'a str; 2],
}

pub fn pareto(c: &Pareto) -> String {
    let max = c.counts.iter().copied().fold(0.0, f64::max).max(1.0);
    let (ticks, step) = nice_ticks(0.0, max, 5);
    let y1 = ticks.last().copied().unwrap_or(max);
    let tick_w = ticks
        .iter()
        .map(|t| text_width(&tick_label(*t, step, false), FONT_PX))
        .fold(0.0, f64::max);
    let (w, plot_h, top) = (560.0, 190.0, 28.0);
    let left = 22.0 + tick_w + 8.0;
    let right = 64.0;
    let plot_w = w - left - right;
    let slot = plot_w / c.labels.len().max(1) as f64;
    let bottom = label_height(c.labels, slot) + 8.0;
    let h = top + plot_h + bottom;
    let y_of = |v: f64| top + plot_h - v / y1.max(1e-12) * plot_h;
    let y2_of = |share: f64| top + plot_h - share * plot_h;
    let mut svg = open(c.id, w, h, c.y_title);
    y_grid(&mut svg, &ticks, y_of, (left, plot_w), step, false);
    for pct in [0.0, 0.25, 0.5, 0.75, 1.0] {
        text_at(
            &mut svg,
            left + plot_w + 6.0,
            y2_of(pct) + 4.0,
            "start",
            PALETTE[1],
            &format!("{:.0}%", pct * 100.0),
        );
    }
    let mut centres = Vec::new();
    for (i, count) in c.counts.iter().enumerate() {
        let x = left + slot * i as f64 + slot * 0.15;
        let y = y_of(*count);
        let _ = write!(
            svg,
            "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{}\"/>",
            slot * 0.7,
            top + plot_h - y,
            PALETTE[0]
        );
        centres.push(left + slot * (i as f64 + 0.5));
    }
    let d: Vec<String> = centres
        .iter()
        .zip(c.cumulative)
        .enumerate()
        .map(|(i, (x, s))| format!("{}{x:.1} {:.1}", if i == 0 { "M" } else { "L" }, y2_of(*s)))
        .collect();
    let _ = write!(
        svg,
        "<path d=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\"/>",
        d.join(" "),
        PALETTE[1]
    );
    for (x, s) in centres.iter().zip(c.cumulative) {
        let _ = write!(
            svg,
            "<circle cx=\"{x:.1}\" cy=\"{:.1}\" r=\"3\" fill=\"{}\"/>",
            y2_of(*s),
            PALETTE[1]
        );
    }
    let _ = write!(
        svg,
        "<line x1=\"{left:.1}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" stroke=\"{INK}\"/>",
        top + plot_h,
        left + plot_w,
        top + plot_h
    );
    category_labels(&mut svg, &centres, c.labels, top + plot_h, slot);
    axis_title_y(&mut svg, 12.0, top + plot_h / 2.0, c.y_title);
    axis_title_y(&mut svg, w - 8.0, top + plot_h / 2.0, c.y2_title);
    let entries = [
        (c.legend[0].to_string(), PALETTE[0], false),
        (c.legend[1].to_string(), PALETTE[1], true),
    ];
    legend_row(&mut svg, left, 14.0, &entries);
    svg.push_str("</svg>");
    svg
}

/// Legend entries side by side on one row.
fn legend_row(svg: &mut String, x: f64, y: f64, entries: &[(String, &str, bool)]) {
    let mut x = x;
    for entry in entries {
        legend(svg, x, y, std::slice::from_ref(entry));
        x += text_width(&entry.0, FONT_PX) + 40.0;
    }
}

/// One estimate with its interval per row.
pub struct ForestRow {
    pub label: String,
    pub estimate: Option<f64>,
    pub low: Option<f64>,
    pub high: Option<f64>,
    pub flagged: bool,
    /// False when the row has too few items to be judged (drawn grey).
    pub judged: bool,
}

pub struct Forest<'a> {
    pub id: &'a str,
    pub rows: &'a [ForestRow],
    pub threshold: f64,
    pub x_title: &'a str,
    pub legend: [&'a str; 2],
}

/// How a forest plot's axis reads: the span drawn, and values shown times
/// `unit` with `decimals`, signed when they are differences.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ForestScale {
    pub lo: f64,
    pub hi: f64,
    pub unit: f64,
    pub decimals: usize,
    pub signed: bool,
}

impl ForestScale {
    /// Agreement coefficients: up to 1, from 0 or below as the rows and the
    /// threshold need (never below −1).
    pub fn agreement(rows: &[ForestRow], threshold: f64) -> ForestScale {
        let lows = rows.iter().filter_map(|r| r.low.or(r.estimate));
        let lo = lows.fold(threshold, f64::min).clamp(-1.0, 0.0);
        ForestScale {
            lo: (lo * 10.0).floor() / 10.0,
            hi: 1.0,
            unit: 1.0,
            decimals: 2,
            signed: false,
        }
    }

    /// Differences around a reference (zero): the rows' intervals and the
    /// reference, widened to round ticks.
    pub fn around(rows: &[ForestRow], reference: f64, unit: f64, decimals: usize) -> ForestScale {
        let values = rows
            .iter()
            .flat_map(|r| [r.low, r.estimate, r.high])
            .flatten()
            .filter(|v| v.is_finite());
        let (lo, hi) = values.fold((reference, reference), |(a, b), v| (a.min(v), b.max(v)));
        let pad = if hi - lo < 1e-12 { 1.0 / unit } else { 0.0 };
        let (ticks, _) = nice_ticks(lo - pad, hi + pad, 5);
        ForestScale {
            lo: ticks.first().copied().unwrap_or(lo - pad),
            hi: ticks.last().copied().unwrap_or(hi + pad),
            unit,
            decimals,
            signed: true,
        }
    }

    fn show(&self, v: f64) -> String {
        let d = self.decimals;
        if self.signed {
            format!("{:+.d$}", v * self.unit)
        } else {
            format!("{:.d$}", v * self.unit)
        }
    }
}

/// A forest plot of agreement: each row's estimate and 95 % interval, the
/// threshold as a dashed line, flagged rows in red.
pub fn forest(c: &Forest) -> String {
    forest_scaled(c, &ForestScale::agreement(c.rows, c.threshold))
}

/// A forest plot on `scale`: each row's estimate and interval on a shared
/// axis, `threshold` (a threshold, or zero for differences) as a dashed
/// line, flagged rows in red.
pub fn forest_scaled(c: &Forest, scale: &ForestScale) -> String {
    let row_h = 26.0;
    let label_w = c
        .rows
        .iter()
        .map(|r| text_width(&r.label, FONT_PX))
        .fold(0.0, f64::max)
        + 12.0;
    // Room for the figures in words at the right: 120 px holds an
    // agreement's; signed differences take as much as the widest needs.
    let widest_values = c
        .rows
        .iter()
        .filter_map(|r| forest_values(r, scale))
        .map(|v| text_width(&v, FONT_PX) + 8.0)
        .fold(120.0, f64::max);
    let value_w = if scale.signed { widest_values } else { 120.0 };
    let (lo, hi) = (scale.lo, scale.hi.max(scale.lo + 1e-12));
    let (w, top) = (640.0, 34.0);
    let plot_w = w - label_w - value_w - 16.0;
    let left = label_w + 8.0;
    let plot_h = row_h * c.rows.len().max(1) as f64;
    let h = top + plot_h + 44.0;
    let x_of = |v: f64| left + (v.clamp(lo, hi) - lo) / (hi - lo) * plot_w;
    let mut svg = open(c.id, w, h, c.x_title);
    let (ticks, step) = nice_ticks(lo, hi, 5);
    // Ticks inside the span only (one below it would sit on the first),
    // and a zero summed to -1e-17 labelled 0.
    let inside = ticks
        .iter()
        .filter(|t| **t <= hi + 1e-9 && **t >= lo - 1e-9);
    for t in inside.map(|t| if t.abs() < step * 1e-9 { 0.0 } else { *t }) {
        let x = x_of(t);
        let _ = write!(
            svg,
            "<line x1=\"{x:.1}\" y1=\"{top:.1}\" x2=\"{x:.1}\" y2=\"{:.1}\" stroke=\"{GRID}\"/>",
            top + plot_h
        );
        let label = tick_label(t * scale.unit, step * scale.unit, false);
        text_at(&mut svg, x, top + plot_h + 16.0, "middle", INK, &label);
    }
    text_at(
        &mut svg,
        left + plot_w / 2.0,
        top + plot_h + 34.0,
        "middle",
        INK,
        c.x_title,
    );
    let tx = x_of(c.threshold);
    let _ = write!(svg, "<line x1=\"{tx:.1}\" y1=\"{:.1}\" x2=\"{tx:.1}\" y2=\"{:.1}\" stroke=\"{FLAG_RED}\" stroke-dasharray=\"5 4\" stroke-width=\"1.5\"/>", top - 4.0, top + plot_h);
    for (i, r) in c.rows.iter().enumerate() {
        let y = top + row_h * (i as f64 + 0.5);
        forest_row(&mut svg, r, y, (label_w, w - value_w), &x_of, scale);
    }
    let entries = [
        (
            format!("{} {}", c.legend[0], scale.show(c.threshold)),
            FLAG_RED,
            true,
        ),
        (c.legend[1].to_string(), FLAG_RED, false),
    ];
    legend_row(&mut svg, left, 14.0, &entries);
    svg.push_str("</svg>");
    svg
}

/// One row of a forest plot at height `y`: its label (right-aligned at
/// `label_x`), interval, estimate (a red diamond when flagged) and the
/// figures in words at `value_x`.
fn forest_row(
    svg: &mut String,
    r: &ForestRow,
    y: f64,
    (label_x, value_x): (f64, f64),
    x_of: &impl Fn(f64) -> f64,
    scale: &ForestScale,
) {
    let colour = if r.flagged {
        FLAG_RED
    } else if r.judged {
        PALETTE[0]
    } else {
        "#9ca3af"
    };
    let _ = write!(
        svg,
        "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"{}\"{}>{}</text>",
        label_x,
        y + 4.0,
        if r.flagged { FLAG_RED } else { INK },
        if r.flagged {
            " font-weight=\"bold\""
        } else {
            ""
        },
        esc(&r.label)
    );
    if let (Some(l), Some(hh)) = (r.low, r.high) {
        let _ = write!(svg, "<line x1=\"{:.1}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\" stroke=\"{colour}\" stroke-width=\"2\"/>", x_of(l), x_of(hh));
    }
    let Some(e) = r.estimate else {
        return;
    };
    let x = x_of(e);
    if r.flagged {
        let _ = write!(svg, "<path d=\"M{x:.1} {:.1} L{:.1} {y:.1} L{x:.1} {:.1} L{:.1} {y:.1} Z\" fill=\"{colour}\"/>", y - 6.0, x + 6.0, y + 6.0, x - 6.0);
    } else {
        let _ = write!(
            svg,
            "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"9\" height=\"9\" fill=\"{colour}\"/>",
            x - 4.5,
            y - 4.5
        );
    }
    let interval = forest_values(r, scale).unwrap_or_default();
    text_at(svg, value_x, y + 4.0, "start", colour, &interval);
}

/// A row's estimate and interval in words: `0.72 [0.65, 0.79]`.
fn forest_values(r: &ForestRow, scale: &ForestScale) -> Option<String> {
    let e = scale.show(r.estimate?);
    Some(match (r.low, r.high) {
        (Some(l), Some(h)) => format!("{e} [{}, {}]", scale.show(l), scale.show(h)),
        _ => e,
    })
}

/// Bars of several series side by side per category.
pub struct Bars<'a> {
    pub id: &'a str,
    pub categories: &'a [String],
    pub series: &'a [(String, Vec<f64>)],
    pub x_title: &'a str,
    pub y_title: &'a str,
}

pub fn bars(c: &Bars) -> String {
    let max = c
        .series
        .iter()
        .flat_map(|(_, v)| v.iter().copied())
        .fold(0.0, f64::max)
        .max(1.0);
    let (ticks, step) = nice_ticks(0.0, max, 5);
    let y1 = ticks.last().copied().unwrap_or(max);
    let tick_w = ticks
        .iter()
        .map(|t| text_width(&tick_label(*t, step, false), FONT_PX))
        .fold(0.0, f64::max);
    let (w, plot_h, top) = (560.0, 190.0, 28.0);
    let left = 22.0 + tick_w + 8.0;
    let plot_w = w - left - 12.0;
    let slot = plot_w / c.categories.len().max(1) as f64;
    let bottom = label_height(c.categories, slot) + 26.0;
    let h = top + plot_h + bottom;
    let y_of = |v: f64| top + plot_h - v / y1.max(1e-12) * plot_h;
    let mut svg = open(c.id, w, h, c.y_title);
    y_grid(&mut svg, &ticks, y_of, (left, plot_w), step, false);
    let k = c.series.len().max(1) as f64;
    let bar_w = slot * 0.8 / k;
    for (s, (_, vals)) in c.series.iter().enumerate() {
        for (i, v) in vals.iter().enumerate() {
            let x = left + slot * i as f64 + slot * 0.1 + bar_w * s as f64;
            let y = y_of(*v);
            let _ = write!(
                svg,
                "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{}\"/>",
                bar_w * 0.92,
                top + plot_h - y,
                PALETTE[s % PALETTE.len()]
            );
            text_at(
                &mut svg,
                x + bar_w * 0.46,
                y - 3.0,
                "middle",
                INK,
                &format!("{v:.0}"),
            );
        }
    }
    let _ = write!(
        svg,
        "<line x1=\"{left:.1}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" stroke=\"{INK}\"/>",
        top + plot_h,
        left + plot_w,
        top + plot_h
    );
    let centres: Vec<f64> = (0..c.categories.len())
        .map(|i| left + slot * (i as f64 + 0.5))
        .collect();
    let used = category_labels(&mut svg, &centres, c.categories, top + plot_h, slot);
    text_at(
        &mut svg,
        left + plot_w / 2.0,
        top + plot_h + used + 16.0,
        "middle",
        INK,
        c.x_title,
    );
    axis_title_y(&mut svg, 12.0, top + plot_h / 2.0, c.y_title);
    let entries: Vec<(String, &str, bool)> = c
        .series
        .iter()
        .enumerate()
        .map(|(s, (n, _))| (n.clone(), PALETTE[s % PALETTE.len()], false))
        .collect();
    legend_row(&mut svg, left, 14.0, &entries);
    svg.push_str("</svg>");
    svg
}

/// Horizontal grid lines across the plot, one per tick, with the tick's
/// label to the left of the axis.
fn y_grid(
    svg: &mut String,
    ticks: &[f64],
    y_of: impl Fn(f64) -> f64,
    (left, plot_w): (f64, f64),
    step: f64,
    percent: bool,
) {
    for t in ticks {
        let y = y_of(*t);
        let _ = write!(
            svg,
            "<line x1=\"{left:.1}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\" stroke=\"{GRID}\"/>",
            left + plot_w
        );
        text_at(
            svg,
            left - 6.0,
            y + 4.0,
            "end",
            INK,
            &tick_label(*t, step, percent),
        );
    }
}
