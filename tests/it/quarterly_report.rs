//! The quarterly review's page, workbook and report.md on the hand-built
//! half-year of `quarterly` (UTC; scorecard v2 from 2026-08-15 changes
//! tone's scale; reviewer C drifts lenient; solve's failures cost CSAT).
//! Every figure below is computed by hand in `quarterly`'s test; here it
//! is found where a reader looks for it.

use csqa::i18n::Lang;
use polars::prelude::*;
use serde_json::Value;

use crate::common::*;
use crate::reports::{assert_same_numbers, csv, read_sheet, sheet, text};

/// The one `<svg>` of the page whose `data-chart` is `id`.
fn chart<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html
        .find(&format!("data-chart=\"{id}\""))
        .unwrap_or_else(|| panic!("no chart {id}"));
    let end = html[start..].find("</svg>").expect("svg end") + start;
    &html[start..end]
}

/// The `x` of the first `<text>` whose content is `label`.
fn text_x(svg: &str, label: &str) -> f64 {
    let end = svg
        .find(&format!(">{label}</text>"))
        .unwrap_or_else(|| panic!("no text {label}"));
    let open = svg[..end].rfind("<text x=\"").expect("text") + "<text x=\"".len();
    let close = svg[open..].find('"').expect("quote") + open;
    svg[open..close].parse().expect("x")
}

/// The `x1` of the marker line at `month`.
fn marker_x(svg: &str, month: &str) -> f64 {
    let at = svg
        .find(&format!("data-marker=\"{month}\" x1=\""))
        .unwrap_or_else(|| panic!("no marker at {month}"));
    let rest = &svg[at + format!("data-marker=\"{month}\" x1=\"").len()..];
    rest[..rest.find('"').expect("quote")].parse().expect("x1")
}

#[test]
fn quarterly_page_workbook_and_markdown_show_the_hand_computed_figures() {
    let fx = crate::quarterly::half_year();
    let o = fx.run(&["quarterly", "--quarter", "2026Q3"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let dir = fx.out().join("quarterly/2026Q3");
    let html = std::fs::read_to_string(dir.join("report.html")).expect("page");

    // Module trends: v2 took effect on 2026-08-15, the one version change in
    // Apr..Sep, so each trend chart holds one marker, in August, 14 of its
    // 31 days in: x = centre(Aug) − slot/2 + slot · 14/31.
    for id in ["module-defect_rate", "module-agreement_headline"] {
        let svg = chart(&html, id);
        assert_eq!(svg.matches("data-marker=").count(), 1, "{id}");
        assert!(svg.contains(">v2 (08-15)</text>"), "{id}");
        let (aug, sep) = (text_x(svg, "2026-08"), text_x(svg, "2026-09"));
        let slot = sep - aug;
        let expected = aug - slot / 2.0 + slot * 14.0 / 31.0;
        assert!(
            (marker_x(svg, "2026-08") - expected).abs() < 0.2,
            "{id}: marker at {} not {expected}",
            marker_x(svg, "2026-08")
        );
        // tone's scale changed: two series, never one line; solve has one.
        assert!(svg.contains(">Tone (v1)</text>") && svg.contains(">Tone (v2)</text>"));
        assert!(svg.contains(">Problem solved</text>"));
        assert!(!svg.contains("Problem solved (v1)"));
    }

    // Outcomes, CSAT: solve −100 pts [−100.0, −91.5] on 60 failed sessions
    // (≥ 10): clear of 0, marked red; tone +0.0 [−26.3, +26.3] on 12: blue.
    let csat = chart(&html, "outcome-csat");
    assert!(csat.contains("fill=\"#dc2626\">-100.0 [-100.0, -91.5]</text>"));
    assert!(csat.contains("fill=\"#2563eb\">+0.0 [-26.3, +26.3]</text>"));

    // Rater drift: C's Sen slope 1/12 = +0.083 a month, q = 0.00853 · 4 =
    // 0.034 < 0.05: drifting, red and bold; A, B, D steady.
    let drift = chart(&html, "rater-drift");
    assert!(drift.contains("font-weight=\"bold\">C (q = 0.034)</text>"));
    assert!(drift.contains("fill=\"#dc2626\">+0.083</text>"));
    // Leniency by month, C's row highlighted: 2/36, 1/12+1/36, 2/12+2/36,
    // 3/12+2/36, 4/12+1/36, 5/12+2/36 = 0.056 0.111 0.222 0.306 0.361 0.472.
    let c_row = "<tr class=\"flagged\"><td>C</td><td class=\"num\">0.056</td><td class=\"num\">0.111</td>\
                 <td class=\"num\">0.222</td><td class=\"num\">0.306</td><td class=\"num\">0.361</td>\
                 <td class=\"num\">0.472</td><td class=\"num\">0.083</td><td class=\"num\">0.034</td>\
                 <td>drifting lenient</td></tr>";
    assert!(html.contains(c_row), "C's row");
    assert!(html.contains("<tr><td>A</td>"), "A is not highlighted");
    // Modules under review: solve to revise (highlighted), 20.0% → 50.0%.
    assert!(html.contains(
        "<tr class=\"flagged\"><td>solve</td><td>Problem solved</td><td>system</td><td class=\"num\">120</td>\
         <td class=\"num\">20.0%</td><td class=\"num\">50.0%</td>"
    ));
    assert!(html.contains("<tr><td>tone</td><td>Tone</td>"));

    // The workbook: C's six rows of rater_drift highlighted, no other; the
    // module figures by month the same numbers as the CSV (tone's August
    // split 4 of 26 and 0 of 14).
    let xlsx = dir.join("report.xlsx");
    let book = read_sheet(&xlsx, &Lang::En.table("rater_drift"));
    let rows = book["rows"].as_array().expect("rows");
    let fills = book["fills"].as_array().expect("fills");
    for (row, fill) in rows.iter().zip(fills).skip(1) {
        let who = text(&row[0]);
        let highlighted = fill.as_str() == Some("FEE2E2");
        assert_eq!(highlighted, who == "C", "{who}: {fill}");
    }
    let numbers = ["reviews", "defects", "defect_rate", "agreement_headline"];
    let by_month = sheet(&xlsx, &Lang::En.table("module_months"), Lang::En, &numbers);
    assert_same_numbers(&by_month, &csv(&dir.join("module_months.csv")), &numbers);
    let split: Vec<Vec<Value>> = sheet(
        &xlsx,
        &Lang::En.table("module_months"),
        Lang::En,
        &[
            "module_id",
            "month",
            "business_line",
            "series",
            "reviews",
            "defects",
        ],
    )
    .into_iter()
    .filter(|r| text(&r[0]) == "tone" && text(&r[1]) == "2026-08" && text(&r[2]) == "ALL")
    .collect();
    let split: Vec<(String, Option<f64>, Option<f64>)> = split
        .iter()
        .map(|r| (text(&r[3]), r[4].as_f64(), r[5].as_f64()))
        .collect();
    assert_eq!(
        split,
        vec![
            ("v1".to_string(), Some(26.0), Some(4.0)),
            ("v2".to_string(), Some(14.0), Some(0.0))
        ]
    );

    // report.md: the same content as the page.
    let md = std::fs::read_to_string(dir.join("report.md")).expect("report.md");
    assert!(
        md.contains(
            "| C | 0.056 | 0.111 | 0.222 | 0.306 | 0.361 | 0.472 | 0.083 | 0.034 | drifting lenient |"
        ),
        "{md}"
    );
    assert!(md.contains("*Chart in report.html: Defect rate by module — 2026-04 – 2026-09;"));
}

#[test]
fn quarterly_page_in_chinese_names_modules_by_name_zh_and_notes_rejects_and_a_restatement() {
    let fx = crate::quarterly::half_year();
    // One more session, on the reserved line ALL: rejected, and said so.
    let bad = DataFrame::new_infer_height(vec![
        Column::new("session_id".into(), ["bad-1"]),
        Column::new("customer_id".into(), ["cust-bad"]),
        Column::new("business_line".into(), ["ALL"]),
        Column::new("channel".into(), ["chat"]),
        ts_col("started_at", &[Some("2026-08-02T10:00:00Z")]),
        ts_col("ended_at", &[Some("2026-08-02T10:10:00Z")]),
        Column::new("rating".into(), [Some(5i64)]),
    ])
    .expect("bad session");
    fx.parquet("sessions/part-1.parquet", bad);
    let o = fx.run(&["quarterly", "--quarter", "2026Q3"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let dir = fx.out().join("quarterly/2026Q3");
    let md = std::fs::read_to_string(dir.join("report.md")).expect("report.md");
    assert!(md.contains("- Rows rejected: **1**"), "{md}");
    assert!(
        md.contains(
            "- sessions: 1 rows rejected (business_line ALL is reserved for the total row); see rejects/sessions.csv"
        ),
        "{md}"
    );
    // Built again over the first, in Chinese: the same 156 sessions.
    let o = fx.run(&["quarterly", "--quarter", "2026Q3", "--lang", "zh"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let html = std::fs::read_to_string(dir.join("report.html")).expect("page");
    assert!(html.contains("<html lang=\"zh-CN\""), "zh page");
    // Recommendations in the page's language; the CSV keeps the English.
    assert!(
        html.contains("需复核权重：该模块不合格并未影响满意度（+0.0 个百分点 [-26.3, 26.3]）"),
        "{html}"
    );
    assert!(!html.contains("review weight:"));
    let csv = std::fs::read_to_string(dir.join("system_review.csv")).expect("csv");
    assert!(csv.contains("review weight: failures do not move CSAT"));
    assert!(html.contains("系统模块评审"));
    let svg = chart(&html, "module-defect_rate");
    // tone has a name_zh (语气); solve has none and keeps its name.
    assert!(svg.contains(">语气 (v1)</text>") && svg.contains(">语气 (v2)</text>"));
    assert!(svg.contains(">Problem solved</text>"));
    assert!(html.contains("未新增会话"), "the restatement, in Chinese");
    let md = std::fs::read_to_string(dir.join("report.md")).expect("report.md");
    assert!(md.contains("当时 156 个会话，现在 156 个"), "{md}");
    assert!(
        md.contains("- 会话：拒收 1 行（business_line ALL is reserved for the total row）"),
        "{md}"
    );
    // The CSV keeps canonical names.
    let sr = std::fs::read_to_string(dir.join("system_review.csv")).expect("csv");
    assert!(sr.starts_with("module_id,module_name,module_name_zh,"));
}

/// The labels under a forest plot's axis, left to right.
fn axis_labels(svg: &str) -> Vec<String> {
    svg.split("text-anchor=\"middle\" fill=\"#374151\">")
        .skip(1)
        .filter_map(|t| t.split("</text>").next())
        .map(str::to_string)
        .collect()
}

#[test]
fn a_forest_of_differences_spans_round_ticks_around_zero_each_drawn_once() {
    use csqa::render::chart::{forest_scaled, Forest, ForestRow, ForestScale};
    // Differences −30.7 pts [−46.8, −14.8] and +7.7 [−6.9, +19.0]: the span
    // −0.468 .. 0.190 in steps of 0.2 is −0.6 .. 0.2, so the ticks read
    // −60 −40 −20 0 20 (no −80 drawn onto −60, no "−0").
    let row = |e: f64, l: f64, h: f64| ForestRow {
        label: "m".into(),
        estimate: Some(e),
        low: Some(l),
        high: Some(h),
        flagged: false,
        judged: true,
    };
    let rows = [row(-0.307, -0.468, -0.148), row(0.077, -0.069, 0.190)];
    let scale = ForestScale::around(&rows, 0.0, 100.0, 1);
    assert!((scale.lo + 0.6).abs() < 1e-9 && (scale.hi - 0.2).abs() < 1e-9);
    let svg = forest_scaled(
        &Forest {
            id: "t",
            rows: &rows,
            threshold: 0.0,
            x_title: "pts",
            legend: ["zero", "clear"],
        },
        &scale,
    );
    assert_eq!(axis_labels(&svg), ["-60", "-40", "-20", "0", "20", "pts"]);
    assert!(svg.contains(">-30.7 [-46.8, -14.8]</text>"));
    assert!(svg.contains(">+7.7 [-6.9, +19.0]</text>"));
}

#[test]
fn a_share_axis_never_goes_below_zero() {
    use csqa::render::chart::{lines, LineChart};
    // 2.7 % .. 56.9 %: padded by a tenth of the range (5.4 pts) the axis
    // would start at −2.7 %, below a tick at −20 % (steps of 20); shares
    // start at 0 %.
    let months = vec!["2026-04".to_string(), "2026-05".to_string()];
    let series = vec![("m".to_string(), vec![Some(0.0266), Some(0.5685)])];
    let svg = lines(&LineChart {
        id: "t",
        x_labels: &months,
        series: &series,
        x_title: "month",
        y_title: "defect rate (%)",
        percent: true,
        bands: &[],
    });
    assert!(svg.contains(">0%</text>"), "{svg}");
    assert!(!svg.contains(">-"), "{svg}");
}
