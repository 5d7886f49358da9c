//! report.html and report.xlsx: the words of both languages, the workbook
//! read back by a real reader against the CSV, the page's self-containment,
//! and the page as Chromium draws it (see `chromium`).

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use csqa::i18n::{lookup, Lang};
use csqa::render::chart::{nice_ticks, text_width, tick_label};
use polars::prelude::*;
use serde_json::Value;

use crate::common::*;

/// The bundled data's monthly packs for 2026-08 .. 2026-10 in English and
/// 2026-09 in Chinese, a sampling plan, and the 2026Q3 quarterly review in
/// both languages, run once for every test here.
pub struct Bundled {
    _dir: tempfile::TempDir,
    pub en: PathBuf,
    pub zh: PathBuf,
    pub sample: PathBuf,
    pub quarterly_en: PathBuf,
    pub quarterly_zh: PathBuf,
}

pub fn bundled() -> &'static Bundled {
    static PACKS: OnceLock<Bundled> = OnceLock::new();
    PACKS.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let run = |out: &Path, args: &[&str]| {
            let o = std::process::Command::new(env!("CARGO_BIN_EXE_csqa"))
                .current_dir(root)
                .arg("--quiet")
                .arg("--out-dir")
                .arg(out)
                .args(args)
                .output()
                .expect("run csqa");
            assert!(o.status.success(), "{args:?}: {}", stderr(&o));
        };
        let (en, zh) = (dir.path().join("en"), dir.path().join("zh"));
        for month in ["2026-08", "2026-09", "2026-10"] {
            run(&en, &["monthly", "--month", month]);
        }
        run(&zh, &["monthly", "--month", "2026-09", "--lang", "zh"]);
        run(&en, &["quarterly", "--quarter", "2026Q3"]);
        run(&zh, &["quarterly", "--quarter", "2026Q3", "--lang", "zh"]);
        run(
            &en,
            &[
                "sample",
                "--from",
                "2026-09-01",
                "--to",
                "2026-09-07",
                "--plan",
                "plans/weekly.toml",
            ],
        );
        Bundled {
            en: en.join("monthly/2026-09"),
            zh: zh.join("monthly/2026-09"),
            sample: en.join("sample/2026-09-01_2026-09-07"),
            quarterly_en: en.join("quarterly/2026Q3"),
            quarterly_zh: zh.join("quarterly/2026Q3"),
            _dir: dir,
        }
    })
}

#[test]
fn every_string_is_in_both_languages() {
    let keys = |lang: Lang| {
        let mut k: Vec<&str> = lang.strings().iter().map(|(k, _)| *k).collect();
        k.sort();
        k
    };
    let (en, zh) = (keys(Lang::En), keys(Lang::Zh));
    let only = |a: &[&str], b: &[&str]| -> Vec<String> {
        a.iter()
            .filter(|k| !b.contains(k))
            .map(|k| k.to_string())
            .collect()
    };
    assert!(
        only(&en, &zh).is_empty(),
        "missing in zh: {:?}",
        only(&en, &zh)
    );
    assert!(
        only(&zh, &en).is_empty(),
        "missing in en: {:?}",
        only(&zh, &en)
    );
    for lang in [Lang::En, Lang::Zh] {
        let mut k = keys(lang);
        let n = k.len();
        k.dedup();
        assert_eq!(k.len(), n, "{lang:?} lists a key twice");
        assert!(
            lang.strings().iter().all(|(_, v)| !v.trim().is_empty()),
            "{lang:?}: an empty string"
        );
    }
    // Every column and table the monthly, sample and quarterly jobs write
    // has a title in both languages.
    let b = bundled();
    for dir in [&b.en, &b.sample, &b.quarterly_en] {
        for entry in std::fs::read_dir(dir).expect("pack").flatten() {
            let path = entry.path();
            if path.extension().and_then(|e| e.to_str()) != Some("parquet") {
                continue;
            }
            let table = path
                .file_stem()
                .and_then(|s| s.to_str())
                .expect("name")
                .to_string();
            let df = read_parquet(&path);
            for lang in [Lang::En, Lang::Zh] {
                assert!(
                    lookup(lang, &format!("table.{table}")).is_some(),
                    "{lang:?}: table {table}"
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

/// A sentence with values names the same `{placeholders}` in both
/// languages, so neither drops a figure the other shows.
#[test]
fn both_languages_fill_the_same_placeholders() {
    let names = |text: &str| {
        let mut found: Vec<String> = text
            .split('{')
            .skip(1)
            .filter_map(|s| s.split_once('}').map(|(name, _)| name.to_string()))
            .collect();
        found.sort();
        found
    };
    for (key, en) in Lang::En.strings() {
        let zh = lookup(Lang::Zh, key).unwrap_or_default();
        assert_eq!(names(en), names(zh), "{key}");
    }
    // And fill puts each value in its place.
    let text = Lang::Zh.fill("note.fcr_coverage", &[("share", "92.8%")]);
    assert_eq!(text, "FCR 覆盖率（有客户 ID 的会话）：92.8%");
}

#[test]
fn cjk_text_is_measured_a_full_em_wide() {
    // 满意度: 3 wide characters × 12 px = 36 px; CSAT: 4 × 0.6 × 12 = 28.8 px.
    assert!((text_width("满意度", 12.0) - 36.0).abs() < 1e-9);
    assert!((text_width("CSAT", 12.0) - 28.8).abs() < 1e-9);
    // A byte count would give 满意度 9 bytes × 0.6 × 12 = 64.8: not that.
    assert!((text_width("满意度 CSAT", 12.0) - (36.0 + 0.6 * 12.0 + 28.8)).abs() < 1e-9);
}

#[test]
fn axis_ticks_are_round_and_cover_the_data() {
    // 0.83 .. 0.91 over about 5 ticks: span 0.08 / 5 = 0.016 → step 0.02,
    // from floor(0.83 / 0.02) × 0.02 = 0.82 to 0.92.
    let (ticks, step) = nice_ticks(0.83, 0.91, 5);
    assert!((step - 0.02).abs() < 1e-12, "step {step}");
    assert!(
        (ticks[0] - 0.82).abs() < 1e-9 && (ticks[ticks.len() - 1] - 0.92).abs() < 1e-9,
        "{ticks:?}"
    );
    // Labels show each tick exactly: 0.02 steps as whole percent, 2.5-point
    // steps with one decimal (92.5 %, once shown as a rounded 93 %), 0.25
    // steps of plain numbers with two.
    assert_eq!(tick_label(0.84, 0.02, true), "84%");
    assert_eq!(tick_label(0.925, 0.025, true), "92.5%");
    assert_eq!(tick_label(0.95, 0.025, true), "95.0%");
    assert_eq!(tick_label(1.75, 0.25, false), "1.75");
    assert_eq!(tick_label(400.0, 100.0, false), "400");
}

#[test]
fn report_md_is_the_page_content_as_markdown() {
    use csqa::render::{markdown, Cell, Chart, Column, Kind, Report, Section, Table};
    let table = Table {
        name: "lines".into(),
        title: "Lines".into(),
        columns: vec![
            Column {
                key: "business_line".into(),
                label: "Line".into(),
                kind: Kind::Text,
                cells: vec![Cell::Text("pay|ments".into()), Cell::Text("ALL".into())],
            },
            Column {
                key: "csat".into(),
                label: "CSAT".into(),
                kind: Kind::Percent,
                // 2/3 shown as on the page: 66.7%; a null as an em dash.
                cells: vec![Cell::Num(2.0 / 3.0), Cell::Empty],
            },
        ],
        flagged: vec![false, false],
    };
    let mut section = Section::new("Business lines".into());
    section.intro = Some("Shares of rated sessions.".into());
    section.notes = vec!["1 line below target".into()];
    section.charts.push(Chart {
        title: "CSAT".into(),
        caption: "2026-09, %".into(),
        svg: "<svg/>".into(),
    });
    section.tables.push(table);
    let report = Report {
        lang: Lang::En,
        title: "Monthly review".into(),
        period: "2026-09".into(),
        facts: vec![("Time zone".into(), "Asia/Shanghai".into())],
        alerts: vec!["FCR incomplete".into()],
        sections: vec![section],
        sheets: Vec::new(),
    };
    let md = markdown::document(&report);
    let expected = "# Monthly review · 2026-09\n\n\
        - Time zone: **Asia/Shanghai**\n\n\
        > **FCR incomplete**\n\n\
        ## Business lines\n\n\
        Shares of rated sessions.\n\n\
        - 1 line below target\n\n\
        *Chart in report.html: CSAT — 2026-09, %*\n\n\
        **Lines**\n\n\
        | Line | CSAT |\n\
        | --- | ---: |\n\
        | pay\\|ments | 66.7% |\n\
        | ALL | — |\n\n";
    assert_eq!(md, expected);
}

/// report.md is written from the page's Report: the same sections, in the
/// same order and language, for the monthly pack and the sampling plan.
#[test]
fn report_md_has_the_pages_sections_in_its_language() {
    let b = bundled();
    let headings = |dir: &Path| {
        let md = std::fs::read_to_string(dir.join("report.md")).expect("md");
        let html = std::fs::read_to_string(dir.join("report.html")).expect("html");
        let md: Vec<String> = md
            .lines()
            .filter_map(|l| l.strip_prefix("## "))
            .map(str::to_string)
            .collect();
        let html: Vec<String> = html
            .split("<h2>")
            .skip(1)
            .filter_map(|h| h.split("</h2>").next())
            .map(str::to_string)
            .collect();
        (md, html)
    };
    for dir in [&b.en, &b.zh, &b.sample] {
        let (md, html) = headings(dir);
        assert!(md.len() >= 2, "{md:?}");
        assert_eq!(md, html, "{}", dir.display());
    }
    // No session identifier on the page, so none in report.md: the bundled
    // sessions are S2026…, and disagreements.csv holds the flagged ones.
    for dir in [&b.en, &b.zh] {
        for file in ["report.md", "report.html"] {
            let text = std::fs::read_to_string(dir.join(file)).expect("report");
            assert!(!text.contains("S2026"), "{file} shows a session id");
        }
    }
    let (zh, _) = headings(&b.zh);
    assert!(zh.contains(&"数据质量".to_string()), "{zh:?}");
    assert!(zh.contains(&"质检标准迭代".to_string()), "{zh:?}");
}

/// A sheet read back by openpyxl (`read_xlsx.py`): the rows' cells of
/// `columns`, found by their titles in `lang`. No cell may be a formula;
/// the header row is frozen and filtered.
pub(crate) fn sheet(path: &Path, title: &str, lang: Lang, columns: &[&str]) -> Vec<Vec<Value>> {
    let book = read_sheet(path, title);
    let rows = book["rows"].as_array().expect("rows");
    let header: Vec<String> = rows[0]
        .as_array()
        .expect("header")
        .iter()
        .map(|h| h.as_str().unwrap_or("").to_string())
        .collect();
    let index: Vec<usize> = columns
        .iter()
        .map(|c| {
            let label = lang.column(c);
            header
                .iter()
                .position(|h| *h == label)
                .unwrap_or_else(|| panic!("{title}: no column {label}"))
        })
        .collect();
    rows[1..]
        .iter()
        .map(|r| index.iter().map(|&i| r[i].clone()).collect())
        .collect()
}

/// The sheet as `read_xlsx.py` prints it (rows, fills, ...), checked for
/// formulas, a frozen header and an autofilter.
pub(crate) fn read_sheet(path: &Path, title: &str) -> Value {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/read_xlsx.py");
    let out = std::process::Command::new("python3")
        .arg(script)
        .arg(path)
        .arg(title)
        .output()
        .expect("python3 (with openpyxl) reads the workbook");
    assert!(
        out.status.success(),
        "read_xlsx.py {title}: {}",
        stderr(&out)
    );
    let book: Value = serde_json::from_str(&stdout(&out)).expect("json");
    assert_eq!(book["formulas"], 0, "{title}: a formula cell");
    assert_eq!(book["frozen"], "A2", "{title}: header frozen");
    assert!(
        book["filter"]
            .as_str()
            .is_some_and(|f| f.starts_with("A1:")),
        "{title}: autofilter"
    );
    book
}

pub(crate) fn text(v: &Value) -> String {
    v.as_str().map_or_else(|| v.to_string(), str::to_string)
}

pub(crate) fn csv(path: &Path) -> DataFrame {
    CsvReadOptions::default()
        .with_has_header(true)
        .try_into_reader_with_file_path(Some(path.to_path_buf()))
        .expect("csv")
        .finish()
        .expect("read csv")
}

pub(crate) fn assert_same_numbers(sheet_rows: &[Vec<Value>], csv: &DataFrame, columns: &[&str]) {
    assert_eq!(sheet_rows.len(), csv.height(), "rows");
    for (j, c) in columns.iter().enumerate() {
        for (i, row) in sheet_rows.iter().enumerate() {
            let expected = f64_at(csv, c, i);
            let got = match &row[j] {
                Value::Number(x) => x.as_f64(),
                Value::Null => None,
                other => panic!("{c} row {i}: {other:?} is not a number"),
            };
            match (got, expected) {
                (Some(g), Some(e)) => assert!(
                    (g - e).abs() <= 1e-12 * e.abs().max(1.0),
                    "{c} row {i}: {g} != {e}"
                ),
                (g, e) => assert_eq!(g, e, "{c} row {i}"),
            }
        }
    }
}

#[test]
fn workbook_numbers_match_the_csv() {
    let b = bundled();
    let columns = [
        "sessions",
        "csat",
        "fcr",
        "complaint_rate",
        "cph",
        "qa_score",
        "first_response_sla",
        "reply_sla",
        "prev_csat",
    ];
    let bl = csv(&b.en.join("business_lines.csv"));
    for (dir, lang) in [(&b.en, Lang::En), (&b.zh, Lang::Zh)] {
        let rows = sheet(
            &dir.join("report.xlsx"),
            &lang.table("business_lines"),
            lang,
            &columns,
        );
        assert_same_numbers(&rows, &bl, &columns);
        let lines = sheet(
            &dir.join("report.xlsx"),
            &lang.table("business_lines"),
            lang,
            &["business_line"],
        );
        let names: Vec<String> = lines.iter().map(|r| text(&r[0])).collect();
        assert_eq!(
            names,
            (0..bl.height())
                .map(|i| str_at(&bl, "business_line", i).unwrap_or_default())
                .collect::<Vec<_>>()
        );
    }
    let columns = ["planned", "drawn"];
    let rows = sheet(
        &b.sample.join("report.xlsx"),
        &Lang::En.table("allocation"),
        Lang::En,
        &columns,
    );
    assert_same_numbers(&rows, &csv(&b.sample.join("allocation.csv")), &columns);
    // The quarterly review's outcome links, in both languages.
    let columns = [
        "failed_n",
        "failed_value",
        "passed_n",
        "passed_value",
        "difference",
        "ci_low",
        "ci_high",
    ];
    let outcomes = csv(&b.quarterly_en.join("module_outcomes.csv"));
    for (dir, lang) in [(&b.quarterly_en, Lang::En), (&b.quarterly_zh, Lang::Zh)] {
        let rows = sheet(
            &dir.join("report.xlsx"),
            &lang.table("module_outcomes"),
            lang,
            &columns,
        );
        assert_same_numbers(&rows, &outcomes, &columns);
    }
}

#[test]
fn workbook_and_page_of_a_small_month_hold_the_hand_computed_figures() {
    // The monthly fixture's line a: CSAT 0.5 (s1 5 and s9 4 of 4 rated),
    // FCR 0.8 (4 of 5 with a customer not followed); ALL: 8 sessions.
    let fx = crate::monthly::fixture(true, true);
    let out = fx.run(&["monthly", "--month", "2026-10"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let dir = fx.out().join("monthly/2026-10");
    let rows = sheet(
        &dir.join("report.xlsx"),
        "Business lines",
        Lang::En,
        &["business_line", "csat", "fcr", "sessions"],
    );
    let a = rows.iter().find(|r| text(&r[0]) == "a").expect("line a");
    assert_eq!((a[1].as_f64(), a[2].as_f64()), (Some(0.5), Some(0.8)));
    let all = rows.iter().find(|r| text(&r[0]) == "ALL").expect("ALL");
    assert_eq!(all[3].as_f64(), Some(8.0));
    let html = std::fs::read_to_string(dir.join("report.html")).expect("page");
    // The page rounds: 0.5 → 50.0%, 0.8 → 80.0%.
    assert!(
        html.contains("<td class=\"num\">50.0%</td>")
            && html.contains("<td class=\"num\">80.0%</td>")
    );
}

#[test]
fn text_that_looks_like_a_formula_stays_text_in_the_workbook() {
    let fx = Fixture::new();
    fx.parquet(
        "sessions/p.parquet",
        sessions(
            &["s1", "s2"],
            &["=HYPERLINK(\"x\")", "b"],
            &["2026-10-05T10:00:00Z", "2026-10-06T10:00:00Z"],
            vec![],
        ),
    );
    let out = fx.run(&["monthly", "--month", "2026-10"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let rows = sheet(
        &fx.out().join("monthly/2026-10/report.xlsx"),
        "Business lines",
        Lang::En,
        &["business_line"],
    );
    let names: Vec<String> = rows.iter().map(|r| text(&r[0])).collect();
    assert!(
        names.contains(&"'=HYPERLINK(\"x\")".to_string()),
        "{names:?}"
    );
}

#[test]
fn the_language_comes_from_the_flag_or_the_config_and_csv_stays_canonical() {
    let b = bundled();
    let zh = std::fs::read_to_string(b.zh.join("report.html")).expect("page");
    assert!(
        zh.contains("<html lang=\"zh-CN\">") && zh.contains("月度复盘") && zh.contains("满意度")
    );
    assert!(zh.contains("开场与结束语"), "module names use name_zh");
    let en = std::fs::read_to_string(b.en.join("report.html")).expect("page");
    assert!(en.contains("Monthly review") && !en.contains("月度复盘"));
    let header = std::fs::read_to_string(b.zh.join("business_lines.csv")).expect("csv");
    assert!(header.starts_with("business_line,sessions,rated,csat,"));

    let fx = crate::monthly::fixture(false, true);
    fx.config("timezone = \"Asia/Shanghai\"\nlang = \"zh\"");
    let out = fx.run(&["monthly", "--month", "2026-10"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let page = std::fs::read_to_string(fx.out().join("monthly/2026-10/report.html")).expect("page");
    assert!(page.contains("月度复盘"));
    let out = fx.run(&["monthly", "--month", "2026-10", "--lang", "en"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let page = std::fs::read_to_string(fx.out().join("monthly/2026-10/report.html")).expect("page");
    assert!(
        page.contains("Monthly review"),
        "the flag overrides the config"
    );
    let out = fx.run(&["monthly", "--month", "2026-10", "--lang", "fr"]);
    assert_eq!(out.status.code(), Some(2));
    fx.config("timezone = \"Asia/Shanghai\"\nlang = \"fr\"");
    let out = fx.run(&["monthly", "--month", "2026-10"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
}

/// Fixed terms the tables hold in English (agreement bands, review
/// cycles) read in the page's language; the CSV keeps the term.
#[test]
fn fixed_terms_are_shown_in_the_pages_language() {
    let b = bundled();
    let csv = std::fs::read_to_string(b.zh.join("agreement.csv")).expect("csv");
    assert!(csv.contains(",almost perfect,"), "the CSV keeps the term");
    let zh = std::fs::read_to_string(b.zh.join("report.html")).expect("page");
    assert!(zh.contains("<td>几乎完全一致</td>") && zh.contains("<td>每月</td>"));
    assert!(!zh.contains("<td>almost perfect</td>") && !zh.contains("<td>monthly</td>"));
    let en = std::fs::read_to_string(b.en.join("report.html")).expect("page");
    assert!(en.contains("<td>almost perfect</td>") && en.contains("<td>monthly</td>"));
    assert_eq!(Lang::Zh.term("drifting lenient"), "偏松漂移");
    assert_eq!(Lang::Zh.term("pay"), "pay", "other text as it is");
}

#[test]
fn the_page_loads_nothing_from_outside() {
    let b = bundled();
    for page in [
        b.en.join("report.html"),
        b.zh.join("report.html"),
        b.sample.join("report.html"),
    ] {
        let html = std::fs::read_to_string(&page).expect("page");
        assert!(html.contains("Content-Security-Policy\" content=\"default-src 'none';"));
        let without_ns = html.replace("xmlns=\"http://www.w3.org/2000/svg\"", "");
        for bad in [
            "http://", "https://", "<script", "<link", " src=", "url(", "@import",
        ] {
            assert!(!without_ns.contains(bad), "{}: {bad}", page.display());
        }
    }
}

#[test]
fn the_trend_reads_earlier_packs_and_says_so() {
    let b = bundled();
    let october = b.en.parent().expect("monthly").join("2026-10");
    let html = std::fs::read_to_string(october.join("report.html")).expect("page");
    // 2026-08 is only in the earlier pack; 2026-09 and 2026-10 come from this run.
    assert!(
        html.contains("months from earlier packs in the output folder: 2026-08;"),
        "caption"
    );
    assert!(html.contains(">2026-08</text>"), "2026-08 on the x axis");
    // The bundled data starts in April: the months before August come
    // from the data.
    assert!(
        html.contains("months computed from the data: 2026-04, 2026-05, 2026-06, 2026-07;"),
        "caption"
    );
    let zh = std::fs::read_to_string(b.zh.join("report.html")).expect("page");
    assert!(
        !zh.contains("取自输出目录中往期报告"),
        "no earlier pack in the zh folder"
    );
    assert!(
        zh.contains("根据数据计算的月份：2026-04, 2026-05, 2026-06, 2026-07;"),
        "the zh folder's earlier months from the data"
    );
    assert!(
        zh.contains(">2026-04</text>") && zh.contains(">2026-09</text>"),
        "April to this month"
    );
    assert!(!zh.contains(">2026-03</text>"));
}

#[test]
fn commands_that_write_no_report_refuse_lang() {
    let fx = Fixture::new();
    for args in [
        &["generate", "--out", "g", "--lang", "zh"][..],
        &["query", "q.sql", "--lang", "zh"][..],
        &["sample", "size", "--population", "100", "--lang", "zh"][..],
        &["status", "--lang", "zh"][..],
    ] {
        let out = fx.run(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            stderr(&out).contains("--lang has no meaning here"),
            "{args:?}: {}",
            stderr(&out)
        );
    }
}

#[test]
fn first_response_sla_by_day_uses_the_threshold_in_force() {
    use csqa::standards::{Sla, SlaOverride};
    // Base threshold 30 s; on 2026-10-06 (UTC) line a runs under an
    // emergency override of 60 s.
    let day = |d: &str| {
        chrono::DateTime::parse_from_rfc3339(d)
            .expect("instant")
            .to_utc()
    };
    let sla = Sla {
        first_response_s: 30.0,
        reply_s: 60.0,
        overrides: vec![SlaOverride {
            business_line: Some("a".into()),
            from: day("2026-10-06T00:00:00Z"),
            to: day("2026-10-07T00:00:00Z"),
            first_response_s: Some(60.0),
            reply_s: None,
            reason: "outage".into(),
        }],
    };
    let df = sessions(
        &["s1", "s2", "s3", "s4", "s5", "s6"],
        &["a", "a", "a", "b", "a", "a"],
        &[
            "2026-10-05T09:00:00Z",
            "2026-10-05T10:00:00Z",
            "2026-10-06T09:00:00Z",
            "2026-10-06T10:00:00Z",
            "2026-10-06T11:00:00Z",
            "2026-09-30T10:00:00Z",
        ],
        vec![Column::new(
            "first_response_s".into(),
            [
                Some(20.0),
                Some(31.0),
                Some(40.0),
                Some(70.0),
                None,
                Some(10.0),
            ],
        )],
    );
    let daily = csqa::metrics::sla::daily_first_response_sla(
        df.clone().lazy(),
        &sla,
        "2026-10",
        chrono_tz::UTC,
    )
    .expect("daily");
    let rows: Vec<(String, String, u64, u64)> = (0..daily.height())
        .map(|i| {
            (
                str_at(&daily, "business_line", i).unwrap_or_default(),
                str_at(&daily, "local_date", i).unwrap_or_default(),
                u64_at(&daily, "met", i).unwrap_or(99),
                u64_at(&daily, "n", i).unwrap_or(99),
            )
        })
        .collect();
    let r = |l: &str, d: &str, met, n| (l.to_string(), d.to_string(), met, n);
    assert_eq!(
        rows,
        [
            // ALL: 10-05 s1 20 ✓, s2 31 ✗; 10-06 s3 40 ✓ (a, ≤ 60), s4 70 ✗ (b, > 30).
            r("ALL", "2026-10-05", 1, 2),
            r("ALL", "2026-10-06", 1, 2),
            // a: 1 of 2, then 1 of 1 (s5 has no first response; s6 is September).
            r("a", "2026-10-05", 1, 2),
            r("a", "2026-10-06", 1, 1),
            r("b", "2026-10-06", 0, 1),
        ]
    );
    assert_close(f64_at(&daily, "sla", 0), 0.5, "ALL 10-05");
    assert_close(f64_at(&daily, "sla", 3), 1.0, "a 10-06");
}

/// A sheet longer than Excel allows shows its first rows and says where
/// all of them are, instead of failing the run (a big centre's
/// disagreements near a million rows). Checked at a small cap on both
/// sides of the edge: `sheet_rows` counts the header.
#[test]
fn a_sheet_longer_than_a_workbook_holds_ends_with_where_the_rest_is() {
    use csqa::render::xlsx::{workbook_within, SHEET_ROWS_MAX};
    use csqa::render::{Report, Table};
    // Excel's documented limit: 1,048,576 rows a sheet.
    assert_eq!(SHEET_ROWS_MAX, 1_048_576);
    let items: Vec<String> = (1..=10).map(|i| format!("item-{i}")).collect();
    let df = DataFrame::new(
        10,
        vec![
            Column::new("item_id".into(), items),
            Column::new(
                "score_a".into(),
                (1..=10).map(f64::from).collect::<Vec<_>>(),
            ),
        ],
    )
    .expect("frame");
    let tz = chrono_tz::Asia::Shanghai;
    let book = |lang: Lang, sheet_rows: u32| -> Vec<Vec<Value>> {
        let report = Report {
            lang,
            title: "t".into(),
            period: "2026-09".into(),
            facts: vec![],
            alerts: vec![],
            sections: vec![],
            sheets: vec![Table::from_frame("disagreements", &df, lang, tz).expect("table")],
        };
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("report.xlsx");
        std::fs::write(
            &path,
            workbook_within(&report, sheet_rows).expect("workbook"),
        )
        .expect("write");
        let sheet = read_sheet(&path, &lang.table("disagreements"));
        sheet["rows"].as_array().expect("rows")[1..]
            .iter()
            .map(|r| r.as_array().expect("row").clone())
            .collect()
    };
    let item = |r: &Vec<Value>| r[0].as_str().unwrap_or("").to_string();
    // Header + 10 rows fit in 11: every row, no note.
    let whole = book(Lang::En, 11);
    assert_eq!(whole.len(), 10);
    assert_eq!(item(&whole[9]), "item-10");
    // One row fewer: 8 rows and the note fill the 10.
    let cut = book(Lang::En, 10);
    assert_eq!(cut.len(), 9);
    assert_eq!(item(&cut[7]), "item-8");
    assert_eq!(cut[7][1], 8.0);
    assert_eq!(
        item(&cut[8]),
        "The first 8 of 10 rows: a sheet holds no more. All rows are in disagreements.csv."
    );
    let zh = book(Lang::Zh, 5);
    assert_eq!(zh.len(), 4);
    assert_eq!(
        item(&zh[3]),
        "仅列出 10 行中的前 3 行（工作表容纳不下更多）。全部行见 disagreements.csv。"
    );
}

/// What a cell reads as: a change that rounds to zero has no sign (the
/// quarterly trends showed "-0.0 pts"), a real negative keeps it, text is
/// untouched, and seconds read to one decimal (a 120 s threshold was
/// "120.000").
#[test]
fn cells_read_without_a_signed_zero_and_seconds_to_one_decimal() {
    use csqa::render::{display, kind_of, Cell, Kind};
    let en = Lang::En;
    assert_eq!(display(&Cell::Num(-0.0004), Kind::Points, en), "0.0 pts");
    assert_eq!(display(&Cell::Num(-0.0006), Kind::Points, en), "-0.1 pts");
    assert_eq!(display(&Cell::Num(-0.0001), Kind::Percent, en), "0.0%");
    assert_eq!(display(&Cell::Num(-0.04), Kind::Percent, en), "-4.0%");
    assert_eq!(display(&Cell::Num(-0.0), Kind::Count, en), "0");
    assert_eq!(display(&Cell::Num(-10.0), Kind::Count, en), "-10");
    assert_eq!(display(&Cell::Text("-0".into()), Kind::Text, en), "-0");
    let seconds = kind_of("reply_threshold_s", &DataType::Float64);
    assert_eq!(display(&Cell::Num(120.0), seconds, en), "120.0");
    assert_eq!(
        kind_of("reply_threshold_s", &DataType::Int64),
        Kind::Count,
        "whole seconds stay counts"
    );
    // The Mann-Kendall S ends in _s too; it is no time.
    assert_eq!(kind_of("mk_s", &DataType::Float64), Kind::Coefficient);
    assert_eq!(
        display(&Cell::Num(f64::NEG_INFINITY), Kind::Score, en),
        "-inf"
    );
}
