//! The pages as a person sees them, in headless Chromium: each loads with no
//! console message (a blocked remote load or a script error would log one,
//! the page's CSP turning any request into one), and every chart has drawn
//! where it sits on a screenshot. Without Chromium the test is skipped on a
//! developer machine and fails under CI=true. With
//! CSQA_UPDATE_SCREENSHOTS=1 the monthly and quarterly screenshots are
//! written to docs/.
//! The pixels are read by Pillow (`python3`, as `.ci/run` installs it).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::reports::bundled;

const WIDTH: u32 = 1280;

fn chromium() -> Option<PathBuf> {
    if let Ok(bin) = std::env::var("CSQA_CHROMIUM") {
        return Some(PathBuf::from(bin));
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| ["chromium", "chromium-browser", "google-chrome"].map(|b| dir.join(b)))
        .find(|p| p.is_file())
}

/// Chromium, or None (skip) outside CI; under CI=true a missing browser
/// fails the test rather than passing it silently.
pub(crate) fn require_chromium() -> Option<PathBuf> {
    let found = chromium();
    if found.is_none() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI=true and no Chromium: install Debian's chromium (.ci/run does)"
        );
        eprintln!("chromium not found: the page test is skipped (it fails under CI=true)");
    }
    found
}

/// Run headless Chromium offline-minded: no first-run, sync, component
/// updates or background requests, a fresh profile, console to stderr.
fn headless(bin: &Path, args: &[String], page: &Path, height: u32) -> Output {
    let profile = tempfile::tempdir().expect("profile");
    Command::new(bin)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            "--hide-scrollbars",
            "--force-device-scale-factor=1",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("--window-size={WIDTH},{height}"))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("run chromium")
}

/// Lines of Chromium's log that report something the page did: console
/// messages, CSP refusals, failed loads.
fn page_messages(stderr: &str) -> Vec<String> {
    stderr
        .lines()
        .filter(|l| {
            l.contains("CONSOLE")
                || l.contains("Refused to")
                || l.contains("Content Security Policy")
                || l.contains("net::ERR_")
        })
        .map(str::to_string)
        .collect()
}

/// A chart's box on the page, in CSS pixels (= screenshot pixels here).
struct ChartBox {
    id: String,
    x: u32,
    y: u32,
    w: u32,
    h: u32,
}

/// The page's height and chart boxes, measured in a copy of it with one
/// script (the page itself runs none, its CSP forbids it).
fn layout(bin: &Path, page: &Path, dir: &Path) -> (u32, Vec<ChartBox>) {
    let html = std::fs::read_to_string(page).expect("page");
    let probe = html
        .replace("default-src 'none';", "default-src 'none'; script-src 'unsafe-inline';")
        .replace(
            "</body>",
            "<script>document.title = document.documentElement.scrollHeight + '|' + \
             Array.from(document.querySelectorAll('svg.chart')).map(function (s) { \
             var r = s.getBoundingClientRect(); return [s.dataset.chart, Math.round(r.left), \
             Math.round(r.top + window.scrollY), Math.round(r.width), Math.round(r.height)].join(','); \
             }).join(';');</script></body>",
        );
    let probe_path = dir.join("probe.html");
    std::fs::write(&probe_path, probe).expect("probe");
    let out = headless(bin, &["--dump-dom".into()], &probe_path, 900);
    let dom = String::from_utf8_lossy(&out.stdout);
    let title = dom
        .split("<title>")
        .nth(1)
        .and_then(|t| t.split("</title>").next())
        .unwrap_or_else(|| {
            panic!(
                "no title in the dumped DOM: {}",
                crate::common::stderr(&out)
            )
        });
    let (height, charts) = title.split_once('|').expect("height|charts");
    let boxes = charts
        .split(';')
        .filter(|c| !c.is_empty())
        .map(|c| {
            let f: Vec<&str> = c.split(',').collect();
            let n = |i: usize| f[i].parse::<i64>().expect("number").max(0) as u32;
            ChartBox {
                id: f[0].to_string(),
                x: n(1),
                y: n(2),
                w: n(3),
                h: n(4),
            }
        })
        .collect();
    (height.parse().expect("height"), boxes)
}

/// Shares of each box's pixels that are not white (ink) and that are
/// coloured, read by Pillow (`png_ink.py`).
fn ink(shot: &Path, boxes: &[ChartBox]) -> (u32, Vec<(f64, f64)>) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/png_ink.py");
    let out = Command::new("python3")
        .arg(script)
        .arg(shot)
        .args(
            boxes
                .iter()
                .map(|b| format!("{},{},{},{}", b.x, b.y, b.w, b.h)),
        )
        .output()
        .expect("python3");
    assert!(
        out.status.success(),
        "png_ink.py: {}",
        crate::common::stderr(&out)
    );
    let text = crate::common::stdout(&out);
    let mut lines = text.lines();
    let width = lines
        .next()
        .and_then(|w| w.trim().parse().ok())
        .expect("width");
    let shares = lines
        .map(|l| {
            let (a, b) = l.split_once(' ').expect("two shares");
            (a.parse().expect("ink"), b.parse().expect("colour"))
        })
        .collect();
    (width, shares)
}

/// Load `page`, check it is quiet, screenshot it, and check every chart
/// drew. Returns the screenshot's path.
pub(crate) fn check_page(bin: &Path, page: &Path, dir: &Path, expected_charts: &[&str]) -> PathBuf {
    let (height, boxes) = layout(bin, page, dir);
    let ids: Vec<&str> = boxes.iter().map(|b| b.id.as_str()).collect();
    for id in expected_charts {
        assert!(
            ids.contains(id),
            "{}: no chart {id} in {ids:?}",
            page.display()
        );
    }
    let shot = dir.join("shot.png");
    let out = headless(
        bin,
        &[format!("--screenshot={}", shot.display())],
        page,
        height.min(16_000),
    );
    let messages = page_messages(&crate::common::stderr(&out));
    assert!(messages.is_empty(), "{}: {messages:#?}", page.display());
    let (width, shares) = ink(&shot, &boxes);
    assert_eq!(width, WIDTH);
    for (b, (inked, coloured)) in boxes.iter().zip(shares) {
        assert!(
            b.w > 100 && b.h > 80,
            "{}: chart {} is {}×{}",
            page.display(),
            b.id,
            b.w,
            b.h
        );
        assert!(
            inked > 0.02 && coloured > 0.003,
            "{}: chart {} looks blank ({inked:.4} ink, {coloured:.4} colour)",
            page.display(),
            b.id
        );
    }
    shot
}

#[test]
fn pages_draw_in_chromium_without_a_console_message_or_a_request() {
    let Some(bin) = require_chromium() else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp");

    // The check can fail: a page that loads a remote image and runs a
    // script is caught.
    let bad = dir.path().join("bad.html");
    std::fs::write(
        &bad,
        "<!DOCTYPE html><html><head><meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'\"></head>\
         <body><img src=\"http://192.0.2.1/x.png\"><script>console.error('boom')</script></body></html>",
    )
    .expect("bad page");
    let out = headless(
        &bin,
        &[format!(
            "--screenshot={}",
            dir.path().join("bad.png").display()
        )],
        &bad,
        600,
    );
    assert!(
        !page_messages(&crate::common::stderr(&out)).is_empty(),
        "a refused load is seen: {}",
        crate::common::stderr(&out)
    );

    let b = bundled();
    let monthly = [
        "trend-csat",
        "trend-fcr",
        "trend-complaint_rate",
        "pareto-ALL",
        "forest-agreement",
    ];
    let update = std::env::var("CSQA_UPDATE_SCREENSHOTS").as_deref() == Ok("1");
    for (pack, name) in [(&b.en, "monthly-en.png"), (&b.zh, "monthly-zh.png")] {
        let shot = check_page(&bin, &pack.join("report.html"), dir.path(), &monthly);
        if update {
            let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs");
            std::fs::create_dir_all(&docs).expect("docs");
            std::fs::copy(&shot, docs.join(name)).expect("copy screenshot");
        }
    }
    let quarterly = [
        "module-defect_rate",
        "module-agreement_headline",
        "outcome-csat",
        "outcome-repeat_rate",
        "outcome-complaint_rate",
        "rater-drift",
    ];
    for (pack, name) in [
        (&b.quarterly_en, "quarterly-en.png"),
        (&b.quarterly_zh, "quarterly-zh.png"),
    ] {
        let shot = check_page(&bin, &pack.join("report.html"), dir.path(), &quarterly);
        if update {
            let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs");
            std::fs::copy(&shot, docs.join(name)).expect("copy screenshot");
        }
    }
    let october = b.en.parent().expect("monthly").join("2026-10/report.html");
    check_page(&bin, &october, dir.path(), &monthly);
    check_page(
        &bin,
        &b.sample.join("report.html"),
        dir.path(),
        &["allocation"],
    );
}
