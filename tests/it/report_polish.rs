//! What a reader sees on the report pages, checked as shown: the sample
//! chart's bars, column titles, units, localised names and cover facts.

use csqa::pages::sample::strategy_totals;

use crate::reports::bundled;

/// The SVG of the chart `id` on `page` (its `data-chart`).
pub(crate) fn chart_svg(page: &str, id: &str) -> String {
    let start = page
        .find(&format!("data-chart=\"{id}\""))
        .unwrap_or_else(|| panic!("chart {id} missing"));
    let end = page[start..].find("</svg>").expect("svg closed") + start;
    page[start..end].to_string()
}

/// The numbers written on a bar chart's bars, in drawing order (every
/// series left to right, then the next series).
fn bar_labels(svg: &str) -> Vec<String> {
    svg.split("<rect ")
        .skip(1)
        .filter_map(|s| {
            let rest = s.split_once("/>")?.1;
            let text = rest.strip_prefix("<text ")?;
            let label = text.split_once('>')?.1.split_once("</text>")?.0;
            label.parse::<f64>().ok().map(|_| label.to_string())
        })
        .collect()
}

#[test]
fn the_sample_chart_plots_each_strategys_total_once() {
    // Risk: tiers plan what the tiers above left (30, 28, 10) and draw
    // 2 + 18 + 10 = 30; its total row says 30 planned, 30 drawn. Summing
    // all four rows would read 30+28+10+30 = 98 planned, 2+18+10+30 = 60
    // drawn. Business has no total row: its targets sum, 8 + 6 = 14
    // planned, 8 + 5 = 13 drawn. Random is one row: 8 / 8.
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    let n = |v: &[f64]| v.iter().map(|x| Some(*x)).collect::<Vec<_>>();
    let totals = strategy_totals(
        &s(&[
            "risk", "risk", "risk", "risk", "business", "business", "random",
        ]),
        &s(&[
            "public_opinion",
            "complaint",
            "bad_rating",
            "",
            "a",
            "b",
            "",
        ]),
        &n(&[30.0, 28.0, 10.0, 30.0, 8.0, 6.0, 8.0]),
        &n(&[2.0, 18.0, 10.0, 30.0, 8.0, 5.0, 8.0]),
    );
    assert_eq!(
        totals,
        vec![
            ("risk".to_string(), 30.0, 30.0),
            ("business".to_string(), 14.0, 13.0),
            ("random".to_string(), 8.0, 8.0),
        ]
    );
}

#[test]
fn the_bundled_sample_page_draws_the_strategy_totals() {
    // The weekly plan's risk is a share 0.25 of total 80: 20 planned. The
    // chart's first bar is risk's total, 20, never the tiers summed.
    let page = std::fs::read_to_string(bundled().sample.join("report.html")).expect("page");
    let labels = bar_labels(&chart_svg(&page, "allocation"));
    assert_eq!(labels.first().map(String::as_str), Some("20"), "{labels:?}");
    // Risk, repeat, business, slot, random, agent_minimum, double_scored:
    // seven strategies, two bars each.
    assert_eq!(labels.len(), 14, "{labels:?}");
}

/// The header row of a workbook sheet, as openpyxl reads it.
fn sheet_header(path: &std::path::Path, title: &str) -> Vec<String> {
    let book = crate::reports::read_sheet(path, title);
    book["rows"][0]
        .as_array()
        .expect("header")
        .iter()
        .map(|h| h.as_str().unwrap_or("").to_string())
        .collect()
}

#[test]
fn quarterly_previous_defect_rate_is_the_previous_period_everywhere() {
    let b = bundled();
    for (dir, sheets, title, monthly) in [
        (
            &b.quarterly_en,
            ["Modules under review", "Module trends"],
            "Defect rate, previous period",
            "Defect rate last month",
        ),
        (
            &b.quarterly_zh,
            ["评审模块", "模块趋势"],
            "上期缺陷率",
            "上月缺陷率",
        ),
    ] {
        for sheet in sheets {
            let header = sheet_header(&dir.join("report.xlsx"), sheet);
            assert!(header.iter().any(|h| h == title), "{sheet}: {header:?}");
            assert!(!header.iter().any(|h| h == monthly), "{sheet}: {header:?}");
        }
        let md = std::fs::read_to_string(dir.join("report.md")).expect("md");
        let page = std::fs::read_to_string(dir.join("report.html")).expect("page");
        assert!(md.contains(&format!("| {title} |")), "report.md");
        assert!(
            page.contains(&format!("<th>{title}</th>")) || page.contains(&format!(">{title}</th>")),
            "page"
        );
        assert!(!md.contains(monthly) && !page.contains(monthly));
    }
}
