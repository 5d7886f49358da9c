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

#[test]
fn differences_of_shares_read_in_points_and_small_p_values_as_below() {
    use csqa::i18n::Lang;
    use csqa::render::{display, Cell, Kind};
    // A difference of shares -0.384 is -38.4 percentage points, not -38.4 %.
    assert_eq!(
        display(&Cell::Num(-0.384), Kind::Points, Lang::En),
        "-38.4 pts"
    );
    assert_eq!(
        display(&Cell::Num(-0.384), Kind::Points, Lang::Zh),
        "-38.4 个百分点"
    );
    // 0.05 → 5.0 points.
    assert_eq!(display(&Cell::Num(0.05), Kind::Points, Lang::En), "5.0 pts");
    // p = 0.0004 is below 0.001; 0.0123 rounds to 0.012; 0.001 itself shows.
    assert_eq!(
        display(&Cell::Num(0.0004), Kind::PValue, Lang::En),
        "<0.001"
    );
    assert_eq!(display(&Cell::Num(0.0123), Kind::PValue, Lang::En), "0.012");
    assert_eq!(display(&Cell::Num(0.001), Kind::PValue, Lang::En), "0.001");
}

/// The cells of column `title` of the Markdown table headed `table`.
fn md_column(md: &str, table: &str, title: &str) -> Vec<String> {
    let start = md
        .find(&format!("**{table}**"))
        .unwrap_or_else(|| panic!("table {table} missing"));
    let rows: Vec<Vec<String>> = md[start..]
        .lines()
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .map(|l| {
            l.trim_matches('|')
                .split(" | ")
                .map(|c| c.trim().to_string())
                .collect()
        })
        .collect();
    let index = rows[0]
        .iter()
        .position(|h| h == title)
        .unwrap_or_else(|| panic!("{table}: no column {title}: {:?}", rows[0]));
    rows[2..].iter().map(|r| r[index].clone()).collect()
}

#[test]
fn quarterly_outcome_differences_read_in_points_in_both_languages() {
    let b = bundled();
    let csv = crate::reports::csv(&b.quarterly_en.join("module_outcomes.csv"));
    let differences = crate::common::f64_at;
    let md = std::fs::read_to_string(b.quarterly_en.join("report.md")).expect("md");
    let shown = md_column(&md, "Outcomes by module", "Difference");
    assert_eq!(shown.len(), csv.height());
    // Each row's difference d (a share difference) reads d × 100 with one
    // decimal and "pts", as computed from the CSV.
    for (i, cell) in shown.iter().enumerate() {
        match differences(&csv, "difference", i) {
            Some(d) => assert_eq!(*cell, format!("{:.1} pts", d * 100.0)),
            None => assert_eq!(cell, "—"),
        }
    }
    let zh = std::fs::read_to_string(b.quarterly_zh.join("report.md")).expect("md");
    assert!(zh.contains(" 个百分点 |"), "zh points");
    // p- and q-values show three decimals or "<0.001", never 0.000.
    for title in ["Mann–Kendall p", "q-value"] {
        let cells = md_column(&md, "Module trends", title);
        assert!(!cells.is_empty());
        for cell in cells {
            let shown = cell == "<0.001" || cell == "—" || cell.len() == 5;
            assert!(shown && cell != "0.000", "{title}: {cell}");
        }
    }
}

#[test]
fn chinese_sheets_name_causes_and_modules_as_the_page_does() {
    use csqa::i18n::Lang;
    let zh = &bundled().zh;
    let book = zh.join("report.xlsx");
    let text = crate::reports::text;
    let rows = crate::reports::sheet(
        &book,
        &Lang::Zh.table("repeat_causes"),
        Lang::Zh,
        &["cause", "label"],
    );
    let csv = crate::reports::csv(&zh.join("repeat_causes.csv"));
    assert_eq!(rows.len(), csv.height());
    let mut seen_not_resolved = false;
    for (i, row) in rows.iter().enumerate() {
        let (code, label) = (text(&row[0]), text(&row[1]));
        // The page's words: not_resolved reads 首次未解决, unclassified 未归因.
        match code.as_str() {
            "not_resolved" => {
                seen_not_resolved = true;
                assert_eq!(label, "首次未解决");
            }
            "unclassified" => assert_eq!(label, "未归因"),
            _ => {}
        }
        let exported = crate::common::str_at(&csv, "label", i).unwrap_or_default();
        assert_eq!(label, Lang::Zh.cause(&code, &exported), "row {i}");
    }
    assert!(seen_not_resolved);
    // Module names by name_zh where the scorecard has one.
    let rows = crate::reports::sheet(
        &book,
        &Lang::Zh.table("iteration"),
        Lang::Zh,
        &["module_id", "module_name"],
    );
    let csv = crate::reports::csv(&zh.join("iteration.csv"));
    let mut named = 0;
    for (i, row) in rows.iter().enumerate() {
        let zh_name = crate::common::str_at(&csv, "module_name_zh", i).unwrap_or_default();
        if !zh_name.is_empty() {
            assert_eq!(text(&row[1]), zh_name, "{}", text(&row[0]));
            named += 1;
        }
    }
    assert!(named > 0, "no module has a name_zh");
}

/// The percentages written on a chart (its share-axis tick labels).
fn percent_labels(svg: &str) -> Vec<f64> {
    svg.split("</text>")
        .filter_map(|s| s.rsplit_once('>'))
        .filter_map(|(_, t)| t.strip_suffix('%')?.parse::<f64>().ok())
        .collect()
}

#[test]
fn a_share_axis_stops_at_100_percent() {
    use csqa::render::chart::{lines, LineChart};
    // Shares 0.90 .. 1.00, padded by a tenth of the span (0.01) each way:
    // 0.89 .. 1.01; the top is held at 1.00. Span 0.11 / 5 = 0.022 → step
    // 0.025 from floor(0.89 / 0.025) × 0.025 = 0.875: 87.5 % .. 100 %.
    // (Unheld, 1.01 needed a tick above it: 102.5 %.)
    let series = vec![("a".to_string(), vec![Some(0.9), Some(1.0), Some(0.95)])];
    let x: Vec<String> = ["1", "2", "3"].iter().map(|s| s.to_string()).collect();
    let svg = lines(&LineChart {
        id: "t",
        x_labels: &x,
        series: &series,
        x_title: "day",
        y_title: "SLA (%)",
        percent: true,
        bands: &[],
    });
    let ticks = percent_labels(&svg);
    assert_eq!(
        ticks.iter().copied().fold(0.0, f64::max),
        100.0,
        "{ticks:?}"
    );
    assert_eq!(ticks.first().copied(), Some(87.5), "{ticks:?}");
    assert_eq!(ticks.len(), 6, "{ticks:?}");
    // The bundled month's SLA by day, at 100 % on some days, stops there too.
    let page = std::fs::read_to_string(bundled().en.join("report.html")).expect("page");
    let ticks = percent_labels(&chart_svg(&page, "sla-by-day"));
    assert!(ticks.iter().all(|t| *t <= 100.0), "{ticks:?}");
}

#[test]
fn the_sla_caption_says_when_no_override_was_in_force() {
    // The bundled overrides are all in July 2026; September has none.
    let b = bundled();
    for (dir, none, shaded) in [
        (
            &b.en,
            "no emergency override this month",
            "shaded: emergency",
        ),
        (&b.zh, "本月无应急 SLA 调整", "阴影：应急"),
    ] {
        let page = std::fs::read_to_string(dir.join("report.html")).expect("page");
        assert!(page.contains(none), "{}", dir.display());
        assert!(!page.contains(shaded), "{}", dir.display());
    }
}

/// The bundled data's sampling plan, impact assessment and data check in
/// Chinese, run once for the tests here.
fn zh_packs() -> &'static std::path::Path {
    use std::sync::OnceLock;
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir");
        for args in [
            &["sample", "--from", "2026-09-01", "--to", "2026-09-07"][..],
            &["impact", "--event", "checkout-outage"],
            &["validate"],
        ] {
            let o = std::process::Command::new(env!("CARGO_BIN_EXE_csqa"))
                .current_dir(env!("CARGO_MANIFEST_DIR"))
                .args(["--quiet", "--lang", "zh", "--out-dir"])
                .arg(dir.path())
                .args(args)
                .output()
                .expect("run csqa");
            assert!(
                o.status.success(),
                "{args:?}: {}",
                crate::common::stderr(&o)
            );
        }
        dir
    })
    .path()
}

fn md(dir: &std::path::Path) -> String {
    std::fs::read_to_string(dir.join("report.md")).expect("report.md")
}

#[test]
fn chinese_pages_name_jobs_metrics_strategies_and_tables_in_chinese() {
    let b = bundled();
    let zh = zh_packs();
    let sample = zh.join("sample/2026-09-01_2026-09-07");
    // The cover's job, for every job.
    for (dir, job) in [
        (b.zh.clone(), "月度复盘"),
        (b.quarterly_zh.clone(), "季度评审"),
        (zh.join("impact/checkout-outage"), "影响评估"),
        (sample.clone(), "抽检计划"),
        (zh.join("validate"), "数据校验"),
    ] {
        assert!(md(&dir).contains(&format!("**{job}**")), "{job}");
    }
    // Quarterly metric codes.
    let q = md(&b.quarterly_zh);
    let metrics = md_column(&q, "模块与客户结果", "指标");
    assert!(!metrics.is_empty());
    for m in &metrics {
        assert!(
            ["满意度", "重复进线率", "投诉率"].contains(&m.as_str()),
            "{m}"
        );
    }
    for m in md_column(&q, "模块趋势", "指标") {
        assert!(["缺陷率", "一致性"].contains(&m.as_str()), "{m}");
    }
    // Rater drift verdicts.
    for v in md_column(&q, "各月宽严度", "结论") {
        assert!(
            ["稳定", "偏松漂移", "偏严漂移", "数据点不足"].contains(&v.as_str()),
            "{v}"
        );
    }
    // Sampling strategies and risk tiers, in the table and the chart.
    let s = md(&sample);
    let strategies = md_column(&s, "抽样分配", "策略");
    for want in [
        "风险",
        "重复进线",
        "业务专项",
        "时段",
        "随机",
        "每人保底",
        "双评对标",
    ] {
        assert!(
            strategies.iter().any(|x| x == want),
            "{want}: {strategies:?}"
        );
    }
    let parts = md_column(&s, "抽样分配", "部分");
    for want in ["舆情", "投诉", "差评"] {
        assert!(parts.iter().any(|x| x == want), "{want}: {parts:?}");
    }
    let page = std::fs::read_to_string(sample.join("report.html")).expect("page");
    assert!(chart_svg(&page, "allocation").contains(">风险</text>"));
    // The data-quality table's table names.
    let mut tables = md_column(&md(&zh.join("validate")), "汇总", "数据表");
    tables.sort();
    let mut want = ["工时", "申诉", "消息", "重复进线原因", "质检记录", "会话"];
    want.sort();
    assert_eq!(tables, want);
    // And the data-quality table of a job's page.
    let quality = md_column(&md(&b.zh), "数据质量", "数据表");
    assert!(quality.iter().any(|t| t == "会话"), "{quality:?}");
    // The agreement statistic by its name, the interval in words.
    let m = md(&b.zh);
    assert!(m.contains("主指标为 Gwet AC1"), "headline name");
    assert!(!m.contains("gwet_ac1") && m.contains("95% 置信区间"));
    assert!(!m.contains("95% CI"));
}

#[test]
fn chinese_facts_use_the_full_width_colon() {
    let b = bundled();
    let (zh_md, en_md) = (md(&b.zh), md(&b.en));
    assert!(zh_md.contains("\n- 任务：**月度复盘**\n"), "zh md facts");
    assert!(
        zh_md.contains("*图表见 report.html：各业务线满意度 — "),
        "zh md chart"
    );
    assert!(!zh_md.contains("- 任务: "));
    let page = std::fs::read_to_string(b.zh.join("report.html")).expect("page");
    assert!(
        page.contains("<span>任务：<b>月度复盘</b></span>"),
        "zh page facts"
    );
    // English keeps "label: value".
    assert!(
        en_md.contains("\n- Job: **monthly review**\n"),
        "en md facts"
    );
    let page = std::fs::read_to_string(b.en.join("report.html")).expect("page");
    assert!(
        page.contains("<span>Job: <b>monthly review</b></span>"),
        "en page facts"
    );
}

#[test]
fn the_data_check_title_has_no_dangling_dot() {
    // The data check covers no period: its heading is the title alone.
    let validate = zh_packs().join("validate");
    assert!(md(&validate).starts_with("# 数据校验\n\n"), "md");
    let page = std::fs::read_to_string(validate.join("report.html")).expect("page");
    assert!(page.contains("<h1>数据校验</h1>") && page.contains("<title>数据校验</title>"));
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/it/read_xlsx.py");
    let out = std::process::Command::new("python3")
        .arg(script)
        .arg(validate.join("report.xlsx"))
        .arg("封面")
        .output()
        .expect("python3 reads the workbook");
    let cover: serde_json::Value =
        serde_json::from_str(&crate::common::stdout(&out)).expect("json");
    assert_eq!(cover["rows"][0][0], "数据校验");
    // A monthly pack keeps "title · period".
    assert!(md(&bundled().en).starts_with("# Monthly review · 2026-09\n"));
}

#[test]
fn covers_show_times_to_the_minute_with_the_offset() {
    use csqa::pages::{as_of, as_of_in};
    // Seconds and microseconds drop (not rounded: 23:48:59 is still 23:48).
    assert_eq!(
        as_of("2026-10-04T23:48:15.657698+08:00"),
        "2026-10-04 23:48 +08:00"
    );
    assert_eq!(
        as_of("2026-10-04T23:48:59+08:00"),
        "2026-10-04 23:48 +08:00"
    );
    // 15:48:59 UTC is 23:48 in Shanghai (UTC+8).
    let t = chrono::DateTime::parse_from_rfc3339("2026-10-04T15:48:59Z")
        .expect("time")
        .with_timezone(&chrono::Utc);
    assert_eq!(
        as_of_in(t, chrono_tz::Asia::Shanghai),
        "2026-10-04 23:48 +08:00"
    );
    // The bundled September's last session starts 2026-10-04T23:48:15.657698
    // +08:00 (within the FCR window past the month).
    let m = md(&bundled().en);
    assert!(
        m.contains("- Data as of: **2026-10-04 23:48 +08:00**"),
        "cover"
    );
    assert!(
        m.contains("(data until 2026-10-04 23:48 +08:00)"),
        "FCR note"
    );
    let q = md(&bundled().quarterly_en);
    assert!(!q
        .lines()
        .any(|l| l.starts_with("- Data as of: **") && l.contains('T')));
}

#[test]
fn impact_lists_only_causes_that_grew() {
    // The bundled outage: 3 event days against 12 baseline days. Excess =
    // event count − baseline per day × 3: other 3 − 4/12 × 3 = 2.0,
    // progress_check 3 − 9/12 × 3 = 0.75, product_bug 1 − 5/12 × 3 = −0.25,
    // info_incomplete 4 − 18/12 × 3 = −0.5, not_resolved 4 − 25/12 × 3 =
    // −2.25, policy_unclear 0 − 13/12 × 3 = −3.25. Only the first two grew.
    let m = md(&zh_packs().join("impact/checkout-outage"));
    assert_eq!(
        md_column(&m, "重复来访原因", "原因"),
        ["其他", "客户查询进度"]
    );
    assert_eq!(md_column(&m, "重复来访原因", "超额量"), ["2.0", "0.8"]);
    assert!(m.contains("最多五项；CSV 中的全部行数：6\n"), "intro");
}

#[test]
fn help_names_the_bundled_event_every_report_file_and_no_lang_default() {
    let fx = crate::common::Fixture::new();
    let help = |cmd: &str| crate::common::stdout(&fx.run(&[cmd, "--help"]));
    let impact = help("impact");
    assert!(
        impact.contains("csqa impact --event checkout-outage\n"),
        "{impact}"
    );
    assert!(!impact.contains("2026-09-checkout-outage"));
    for cmd in ["validate", "monthly", "quarterly", "impact", "sample"] {
        // Wrapped help may break a line between the names: compare words.
        let words = help(cmd).split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            words.contains("report.html, report.xlsx, report.md"),
            "{cmd}: {words}"
        );
        // The config's lang decides when --lang is not given.
        assert!(!words.contains("[default: en]"), "{cmd}");
    }
}

#[test]
fn chinese_captions_and_titles_use_the_full_width_colon() {
    // The trend caption names the months computed from the data (April to
    // July: no earlier pack in the folder), after a full-width colon.
    let m = md(&bundled().zh);
    assert!(
        m.contains("根据数据计算的月份：2026-04, 2026-05, 2026-06, 2026-07"),
        "trend caption"
    );
    assert!(!m.contains("根据数据计算的月份: "));
    let i = md(&zh_packs().join("impact/checkout-outage"));
    let title = i.lines().next().unwrap_or("");
    assert!(title.contains("：Checkout outage, queue surge"), "{title}");
    assert!(!title.contains(": "), "{title}");
}
