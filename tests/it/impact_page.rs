//! The impact report as people see it: report.html, report.xlsx and
//! report.md of one event, on the small fixture of `impact` (every figure
//! counted by hand there) and on the bundled data's two events in Chromium.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use csqa::i18n::{lookup, Lang};
use csqa::render::chart::{intervals, IntervalRow, Intervals};
use serde_json::Value;

use crate::chromium::{check_page, require_chromium};
use crate::common::*;
use crate::impact::{fixture, ACTIONS, EVENTS};
use crate::reports::{assert_same_numbers, csv, sheet, text};

fn ok(o: &std::process::Output) {
    assert!(o.status.success(), "{}\n{}", stdout(o), stderr(o));
}

/// The SVG of the chart `id` in `html`.
fn chart<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html
        .find(&format!("data-chart=\"{id}\""))
        .unwrap_or_else(|| panic!("no chart {id}"));
    let end = html[start..].find("</svg>").expect("chart end") + start;
    &html[start..end]
}

/// The numbers of attribute `name` of every `<tag` element in `svg`, in order.
fn attrs(svg: &str, tag: &str, name: &str) -> Vec<f64> {
    svg.split(&format!("<{tag} "))
        .skip(1)
        .filter_map(|el| {
            let el = format!(" {el}");
            let v = el.split(&format!(" {name}=\"")).nth(1)?;
            v.split('"').next()?.parse().ok()
        })
        .collect()
}

/// A band's rect (x, width): the rect whose title is `label`.
fn band(svg: &str, label: &str) -> (f64, f64) {
    let el = svg
        .split("<rect ")
        .find(|el| el.contains(&format!("<title>{label}</title>")))
        .unwrap_or_else(|| panic!("no band {label}"));
    let num = |name: &str| -> f64 {
        format!(" {el}")
            .split(&format!(" {name}=\""))
            .nth(1)
            .and_then(|v| v.split('"').next())
            .and_then(|v| v.parse().ok())
            .expect("number")
    };
    (num("x"), num("width"))
}

/// Equal within half a pixel (the SVG's coordinates have one decimal, and
/// a slot measured between two of them is multiplied by up to six here).
fn close(a: f64, b: f64, what: &str) {
    assert!((a - b).abs() < 0.5, "{what}: {a} != {b}");
}

/// The fixture's incident, pay against ship, zone UTC: baseline 10-18 and
/// 10-19, event 10-20 and 10-21 (see `impact`).
#[test]
fn the_page_of_a_small_incident_holds_the_hand_computed_figures() {
    let f = fixture(EVENTS, "");
    ok(&f.run(&["impact", "--event", "pay-incident"]));
    let dir = f.out().join("impact/pay-incident");
    let html = std::fs::read_to_string(dir.join("report.html")).expect("page");

    // Contacts by day, pay: 2, 2 (baseline), 5, 5 (event); ship: 2, 2, 3, 3.
    // The days are the x positions 0..3, one slot apart; the baseline band
    // covers slots 0-1 and the event band slots 2-3.
    let svg = chart(&html, "daily-contacts_per_day");
    let (cx, cy) = (attrs(svg, "circle", "cx"), attrs(svg, "circle", "cy"));
    assert_eq!(cx.len(), 8, "4 days × 2 series");
    let slot = cx[1] - cx[0];
    assert!(slot > 10.0);
    let (bx, bw) = band(svg, "baseline");
    close(bx, cx[0] - slot / 2.0, "baseline band starts at 10-18");
    close(bw, 2.0 * slot, "baseline band spans 10-18 and 10-19");
    let (ex, ew) = band(svg, "event window");
    close(ex, cx[2] - slot / 2.0, "event band starts at 10-20");
    close(ew, 2.0 * slot, "event band spans 10-20 and 10-21");
    // Heights: pay 2 = ship 2 on the baseline days; the event's rise of pay
    // (5 − 2 = 3) is three times ship's (3 − 2 = 1).
    close(cy[0], cy[4], "pay and ship both 2 on 10-18");
    close(cy[2], cy[3], "pay 5 on both event days");
    let (pay_rise, ship_rise) = (cy[0] - cy[2], cy[4] - cy[6]);
    assert!(
        (pay_rise - 3.0 * ship_rise).abs() < 0.3,
        "{pay_rise} vs 3 × {ship_rise}"
    );
    // The complaint rate by day, pay: 1/2, 0/2, 5/5, 0/5.
    assert!(html.contains("data-chart=\"daily-complaint_rate\""));
    assert!(html.contains("data-chart=\"daily-first_response_sla\""));

    // The changes' forest plots: the complaint rate's difference 0.5 − 0.25
    // = +25 points, Newcombe interval −27.09 .. +58.34 (statsmodels, in
    // `impact`); contacts' rate ratio 5/2 = 2.5 with its exact interval
    // 0.721 .. 10.920; the excess contacts 10 − 4 = 6, interval −3.9 .. 9.1.
    assert!(chart(&html, "changes-rates").contains(">25.00 [-27.09, 58.34]<"));
    assert!(chart(&html, "changes-contacts").contains(">2.500 [0.721, 10.920]<"));
    assert!(chart(&html, "excess").contains(">6.0 [-3.9, 9.1]<"));

    // report.md: the same tables. Complaint rate 5/10 = 50.00% against
    // 1/4 = 25.00%, +100.0%, p 0.3932; control 1/6 − 0 = +16.67 points,
    // DiD 0.25 − 1/6 = +8.33 points. Contacts 5.00 a day against 2.00
    // (+150.0%, p 0.1796); control 3/2 = ×1.500; DiD 2.5 / 1.5 = ×1.667.
    // Excess: 10 contacts, 4.0 expected, 6.0 excess, 4.0 with the control's
    // ×1.5, cost 6 × 10 = 60.00 CNY.
    let md = std::fs::read_to_string(dir.join("report.md")).expect("md");
    for row in [
        "| Complaint rate | 50.00% | 25.00% | +25.00 pts | +100.0% | 0.3932 | -27.09 pts – +58.34 pts | +16.67 pts | +8.33 pts |",
        "| Contacts per day | 5.00 | 2.00 | +3.00 | +150.0% | 0.1796 | ×0.721 – ×10.920 | ×1.500 | ×1.667 |",
        "| Contacts | 10 | 4.0 | 6.0 | -3.9 – 9.1 | 4.0 | 60.00 CNY |",
        "- Event window: **2026-10-20 00:00 – 2026-10-22 00:00 (2.00 days)**",
        "- Control (lines the event did not touch): **ship**",
        "- Rows rejected: **1**",
        // The data reaches 10-25 00:00 (72 h past the end): FCR complete.
        "- FCR complete: **yes (the data reaches one FCR window past the event's end)**",
    ] {
        assert!(md.contains(row), "{row}\n{md}");
    }
    // The page shows the same rounded figures.
    assert!(html.contains("<td class=\"num\">+8.33 pts</td>"));
    assert!(html.contains("<td class=\"num\">60.00 CNY</td>"));

    // The workbook holds the CSV's exact values: expected 4, excess 6,
    // with control 4, cost 60.
    let columns = [
        "event_count",
        "expected",
        "excess",
        "ci_low",
        "ci_high",
        "cost",
    ];
    let rows = sheet(
        &dir.join("report.xlsx"),
        &Lang::En.table("excess"),
        Lang::En,
        &columns,
    );
    assert_same_numbers(&rows, &csv(&dir.join("excess.csv")), &columns);
    assert_eq!(
        rows[0].iter().map(Value::as_f64).collect::<Vec<_>>()[..3],
        [Some(10.0), Some(4.0), Some(6.0)]
    );
    assert_eq!(rows[0][5].as_f64(), Some(60.0));
}

/// `--lang zh` titles the page, the workbook and report.md in Chinese; the
/// CSV keeps its canonical names.
#[test]
fn the_impact_report_follows_the_language() {
    let f = fixture(EVENTS, "");
    ok(&f.run(&["impact", "--event", "pay-incident", "--lang", "zh"]));
    let dir = f.out().join("impact/pay-incident");
    let md = std::fs::read_to_string(dir.join("report.md")).expect("md");
    for heading in ["## 逐日走势", "## 事件期对比基线", "## 事件造成的损失"] {
        assert!(md.contains(heading), "{heading}\n{md}");
    }
    // Complaint rate: +25.00 points, in Chinese.
    assert!(
        md.contains("| 投诉率 | 50.00% | 25.00% | +25.00 个百分点 |"),
        "{md}"
    );
    let html = std::fs::read_to_string(dir.join("report.html")).expect("page");
    assert!(html.contains("<html lang=\"zh-CN\""));
    let rows = sheet(
        &dir.join("report.xlsx"),
        &Lang::Zh.table("excess"),
        Lang::Zh,
        &["measure", "excess"],
    );
    assert_eq!(text(&rows[0][0]), "contacts");
    assert_eq!(rows[0][1].as_f64(), Some(6.0));
    let header = std::fs::read_to_string(dir.join("excess.csv")).expect("csv");
    assert!(header.starts_with("measure,event_count,"));
}

/// An improvement action still running, judged with min_days = 1 (see
/// `impact::action_status`): complaint rate 5/11 = 45.45% reached its
/// target 40% upwards. Baseline 10-18 and 10-19 (explicit); the window
/// runs from 10-20 to the midnight after the last session, 10-26: six days.
#[test]
fn an_action_page_says_its_status_and_charts_its_metric() {
    let f = fixture(ACTIONS, "[impact]\nmin_days = 1\n");
    ok(&f.run(&["impact", "--event", "more-complaints-heard"]));
    let dir = f.out().join("impact/more-complaints-heard");
    let md = std::fs::read_to_string(dir.join("report.md")).expect("md");
    for line in [
        "- Status: **target met**",
        "- Status: target met (Complaint rate up, target 40.00%).",
        "> **Still running: measured to the end of the data.**",
        // The window ends 10-26, the data 10-25: no FCR look-ahead.
        "- FCR complete: **no**",
        "> **FCR and repeat rate are INCOMPLETE",
        "| Complaint rate | 45.45% | 25.00% | +20.45 pts |",
    ] {
        assert!(md.contains(line), "{line}\n{md}");
    }
    let html = std::fs::read_to_string(dir.join("report.html")).expect("page");
    // Its metric by day, not the incident's pair of rates.
    assert!(html.contains("data-chart=\"daily-complaint_rate\""));
    assert!(!html.contains("data-chart=\"daily-first_response_sla\""));
    // Days 10-18 .. 10-25: the baseline's two, the event's six.
    let svg = chart(&html, "daily-contacts_per_day");
    let cx = attrs(svg, "circle", "cx");
    assert_eq!(cx.len(), 16, "8 days × 2 series");
    let slot = cx[1] - cx[0];
    let (bx, bw) = band(svg, "baseline");
    close(bx, cx[0] - slot / 2.0, "baseline from 10-18");
    close(bw, 2.0 * slot, "baseline 2 days");
    let (ex, ew) = band(svg, "event window");
    close(ex, cx[2] - slot / 2.0, "event from 10-20");
    close(ew, 6.0 * slot, "event 10-20 .. 10-25");

    ok(&f.run(&["impact", "--event", "more-complaints-heard", "--lang", "zh"]));
    let md = std::fs::read_to_string(dir.join("report.md")).expect("md");
    assert!(md.contains("- 状态：**已达目标**"), "{md}");
    assert!(
        md.contains("- 状态：已达目标（投诉率上升，目标 40.00%）。"),
        "{md}"
    );
    let status = std::fs::read_to_string(dir.join("status.csv")).expect("csv");
    assert!(
        status.contains("target met"),
        "the CSV keeps the term: {status}"
    );
}

/// The bundled data's impact reports (`csqa impact --all`: the checkout
/// outage and the refund-status-page action), in English and Chinese, run
/// once for the tests here.
struct Bundled {
    _dir: tempfile::TempDir,
    en: PathBuf,
    zh: PathBuf,
}

fn bundled() -> &'static Bundled {
    static PACKS: OnceLock<Bundled> = OnceLock::new();
    PACKS.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let (en, zh) = (dir.path().join("en"), dir.path().join("zh"));
        for (out, lang) in [(&en, "en"), (&zh, "zh")] {
            let o = std::process::Command::new(env!("CARGO_BIN_EXE_csqa"))
                .current_dir(root)
                .args(["--quiet", "--lang", lang, "--out-dir"])
                .arg(out)
                .args(["impact", "--all"])
                .output()
                .expect("run csqa");
            ok(&o);
        }
        Bundled {
            en: en.join("impact"),
            zh: zh.join("impact"),
            _dir: dir,
        }
    })
}

const EVENT_IDS: [&str; 2] = ["checkout-outage", "refund-status-page"];

#[test]
fn bundled_impact_pages_draw_in_chromium_without_a_console_message_or_a_request() {
    let Some(bin) = require_chromium() else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp");
    let b = bundled();
    let update = std::env::var("CSQA_UPDATE_SCREENSHOTS").as_deref() == Ok("1");
    // The outage charts its complaint rate and first-response SLA by day;
    // the action its metric, the repeat rate.
    let charts = |id: &str| -> Vec<&'static str> {
        let mut c = vec![
            "daily-contacts_per_day",
            "changes-rates",
            "changes-contacts",
            "excess",
        ];
        match id {
            "checkout-outage" => c.extend(["daily-complaint_rate", "daily-first_response_sla"]),
            _ => c.push("daily-repeat_rate"),
        }
        c
    };
    for (root, lang) in [(&b.en, "en"), (&b.zh, "zh")] {
        for id in EVENT_IDS {
            let page = root.join(id).join("report.html");
            let shot = check_page(&bin, &page, dir.path(), &charts(id));
            if update && id == "checkout-outage" && lang == "en" {
                let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs");
                std::fs::copy(&shot, docs.join("impact-en.png")).expect("copy screenshot");
            }
        }
    }
}

#[test]
fn bundled_impact_workbooks_hold_the_csv_numbers() {
    let b = bundled();
    let columns = [
        "event_value",
        "baseline_value",
        "p_value",
        "ci_low",
        "ci_high",
        "did",
        "did_ci_low",
        "did_ci_high",
    ];
    for id in EVENT_IDS {
        let summary = csv(&b.en.join(id).join("summary.csv"));
        for (root, lang) in [(&b.en, Lang::En), (&b.zh, Lang::Zh)] {
            let rows = sheet(
                &root.join(id).join("report.xlsx"),
                &lang.table("summary"),
                lang,
                &columns,
            );
            assert_same_numbers(&rows, &summary, &columns);
        }
    }
}

/// Every table and column the impact job writes has a title in both
/// languages.
#[test]
fn every_impact_column_has_a_title_in_both_languages() {
    let b = bundled();
    for id in EVENT_IDS {
        for entry in std::fs::read_dir(b.en.join(id)).expect("pack").flatten() {
            let path = entry.path();
            if path.extension().and_then(|e| e.to_str()) != Some("parquet") {
                continue;
            }
            let table = path.file_stem().and_then(|s| s.to_str()).expect("name");
            let df = read_parquet(&path);
            for lang in [Lang::En, Lang::Zh] {
                assert!(
                    lookup(lang, &format!("table.{table}")).is_some(),
                    "{lang:?}: {table}"
                );
                for c in df.get_column_names() {
                    assert!(
                        lookup(lang, &format!("col.{c}")).is_some(),
                        "{lang:?}: {table}.{c}"
                    );
                }
            }
        }
    }
}

/// The forest plot of changes spans the intervals and the line of no
/// change, and colours a row only when its interval leaves that line out.
#[test]
fn change_intervals_colour_the_rows_clear_of_no_change() {
    let rows = [
        IntervalRow {
            label: "a".into(),
            estimate: Some(3.0),
            low: Some(1.0),
            high: Some(5.0),
        },
        IntervalRow {
            label: "b".into(),
            estimate: Some(-1.0),
            low: Some(-2.0),
            high: Some(0.5),
        },
    ];
    let svg = intervals(&Intervals {
        id: "t",
        rows: &rows,
        reference: 0.0,
        x_title: "x",
        decimals: 1,
        legend: ["no change", "clear"],
    });
    // a: 1..5 leaves 0 out (orange); b: −2..0.5 holds it (grey).
    assert!(svg.contains("fill=\"#ea580c\">3.0 [1.0, 5.0]<"), "{svg}");
    assert!(svg.contains("fill=\"#9ca3af\">-1.0 [-2.0, 0.5]<"), "{svg}");
    // The axis spans −2..5 padded by 5% of 7 (−2.35..5.35): ticks of 2
    // from −4 to 6, six grid lines; the reference 0 sits on the third.
    let grid: Vec<f64> = attrs(&svg, "line", "x1")[..6].to_vec();
    let reference: f64 = svg
        .split("class=\"reference\" x1=\"")
        .nth(1)
        .and_then(|v| v.split('"').next())
        .and_then(|v| v.parse().ok())
        .expect("reference line");
    close(reference, grid[2], "0 on the third grid line");
    let step = grid[1] - grid[0];
    for k in 1..6 {
        close(grid[k] - grid[k - 1], step, "evenly spaced ticks");
    }
    assert!(svg.contains(">-4<") && svg.contains(">6<"), "{svg}");
}
