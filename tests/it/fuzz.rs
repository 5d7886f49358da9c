//! Bad bytes never panic. A seeded loop (the project's own SplitMix64, so a
//! seed replays the same case forever) feeds the loader truncated,
//! bit-flipped, clobbered and reshuffled copies of the bundled Parquet files,
//! and the csqa.toml and standards.toml parsers random edits of the bundled
//! files. Every case must end in a result (rows in = used + duplicates +
//! rejected) or a clear error naming the file (bad input, exit 2); a panic
//! fails the test with its seed and its exact edit.
//!
//! `CSQA_FUZZ_CASES=n` runs n cases per table and parser instead of the few
//! that keep CI within seconds; `CSQA_FUZZ_SEED=s` moves every base seed;
//! `CSQA_FUZZ_VERBOSE=1` prints each Parquet case before it runs (an abort
//! ends the process before any report).

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

use chrono::{NaiveDate, TimeZone, Utc};
use csqa::config::Config;
use csqa::contract::{self, TableSpec};
use csqa::error::Error;
use csqa::load::{self, Window};
use csqa::rng::Rng;
use csqa::standards::Standards;
use csqa::validate::{self, TableStats};
use polars::prelude::*;

use crate::common::*;

// ---- the loop ------------------------------------------------------------

/// Base seeds of the sections: case `i` uses `base + i`.
const PARQUET_SEED: u64 = 0x5eed_0001_0000;
const RESHAPE_SEED: u64 = 0x5eed_0002_0000;
const CONFIG_SEED: u64 = 0x5eed_0003_0000;
const STANDARDS_SEED: u64 = 0x5eed_0004_0000;

fn cases(ci_default: u64) -> u64 {
    std::env::var("CSQA_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(ci_default)
}

fn seed(base: u64, case: u64) -> u64 {
    let shift = std::env::var("CSQA_FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(0);
    base.wrapping_add(shift << 20).wrapping_add(case)
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(no message)".into())
}

#[track_caller]
fn assert_no_failures(section: &str, failures: &[String]) {
    assert!(
        failures.is_empty(),
        "{section}: {} failing case(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

// ---- Parquet sources -------------------------------------------------------

/// A small bundled file of each table, and the window a job reads it through
/// (the bundled files are of August 2026).
struct Source {
    spec: &'static TableSpec,
    bundled: &'static str,
}

const SOURCES: [Source; 6] = [
    Source {
        spec: &contract::SESSIONS,
        bundled: "data/sessions/month=2026-08/part-00002.parquet",
    },
    Source {
        spec: &contract::REVIEWS,
        bundled: "data/reviews/month=2026-08/part-00002.parquet",
    },
    Source {
        spec: &contract::MESSAGES,
        bundled: "data/messages/month=2026-08/part-00002.parquet",
    },
    Source {
        spec: &contract::APPEALS,
        bundled: "data/appeals/month=2026-08/part-00002.parquet",
    },
    Source {
        spec: &contract::AGENT_HOURS,
        bundled: "data/agent_hours/agent_hours.parquet",
    },
    Source {
        spec: &contract::REPEAT_CAUSES,
        bundled: "data/repeat_causes/month=2026-09/part-00002.parquet",
    },
];

fn repo_file(rel: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(rel);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn window(spec: &TableSpec) -> Window {
    let day = |d| NaiveDate::from_ymd_opt(2026, 8, d).expect("date");
    let instant = |d| Some(Utc.from_utc_datetime(&day(d).and_hms_opt(0, 0, 0).expect("time")));
    match spec.name {
        "agent_hours" => Window::Dates {
            column: "date",
            from: Some(day(10)),
            to: Some(day(20)),
        },
        name => Window::Instants {
            column: match name {
                "sessions" => "started_at",
                "reviews" => "reviewed_at",
                "messages" => "sent_at",
                "appeals" => "filed_at",
                _ => "noted_at",
            },
            from: instant(10),
            to: instant(20),
        },
    }
}

/// The same rows rewritten without compression, in small row groups and
/// pages: corrupt bytes then reach the page decoders directly instead of
/// failing the decompressor first.
fn uncompressed(bytes: &[u8]) -> Vec<u8> {
    let mut df = ParquetReader::new(std::io::Cursor::new(bytes.to_vec()))
        .finish()
        .expect("read bundled file");
    let mut out = Vec::new();
    ParquetWriter::new(&mut out)
        .with_compression(ParquetCompression::Uncompressed)
        .with_row_group_size(Some(40))
        .with_data_page_size(Some(512))
        .finish(&mut df)
        .expect("write");
    out
}

/// Where the footer (file metadata) starts: its length sits in the 4 bytes
/// before the closing magic number.
fn footer_start(bytes: &[u8]) -> usize {
    let n = bytes.len();
    let len = u32::from_le_bytes(bytes[n - 8..n - 4].try_into().expect("4 bytes")) as usize;
    n.saturating_sub(8 + len).max(4)
}

/// A corrupt copy of `bytes` and the exact edit, to rebuild the case.
fn corrupt(bytes: &[u8], rng: &mut Rng) -> (Vec<u8>, String) {
    let n = bytes.len();
    let footer = footer_start(bytes);
    let mut out = bytes.to_vec();
    let pick =
        |rng: &mut Rng, from: usize, to: usize| from + rng.below((to - from) as u64) as usize;
    match rng.below(5) {
        0 => {
            let at = pick(rng, 0, n);
            out.truncate(at);
            (out, format!("truncated to {at} of {n} bytes"))
        }
        kind => {
            // Flip bits (1, 3) or overwrite a run with random bytes (2, 4),
            // anywhere (1, 2) or in the footer (3, 4), which the schema
            // checks read first.
            let (from, to) = if kind >= 3 { (footer, n) } else { (0, n) };
            let mut edits = Vec::new();
            if kind % 2 == 1 {
                for _ in 0..1 + rng.below(8) {
                    let at = pick(rng, from, to);
                    let bit = rng.below(8) as u8;
                    out[at] ^= 1 << bit;
                    edits.push(format!("{at}:^{:#04x}", 1u8 << bit));
                }
            } else {
                let at = pick(rng, from, to);
                let len = (1 + rng.below(32) as usize).min(n - at);
                for b in &mut out[at..at + len] {
                    *b = rng.next_u64() as u8;
                }
                edits.push(format!("{at}..{}={:02x?}", at + len, &out[at..at + len]));
            }
            (out, format!("bytes {}", edits.join(" ")))
        }
    }
}

// ---- running one case ------------------------------------------------------

type CaseResult = std::thread::Result<csqa::error::Result<Option<TableStats>>>;

fn config_for(data: &Path) -> csqa::error::Result<Config> {
    Config::from_toml_str(&format!("data_dir = '{}'\n", data.display()))
}

/// `validate::check_table`, as every command checks a table.
fn check_whole(
    data: &Path,
    spec: &'static TableSpec,
    window: Option<&Window>,
    standards: &Standards,
) -> CaseResult {
    catch_unwind(AssertUnwindSafe(|| {
        let cfg = config_for(data)?;
        Ok(validate::check_table(&cfg, standards, spec, window)?.map(|(c, _)| c.stats))
    }))
}

/// `validate::check_scan`, as the monthly job checks messages.
fn check_streaming(data: &Path, spec: &'static TableSpec, window: Option<&Window>) -> CaseResult {
    catch_unwind(AssertUnwindSafe(|| {
        let cfg = config_for(data)?;
        let Some(table) = load::load_table(&cfg, spec, window)? else {
            return Ok(None);
        };
        Ok(Some(validate::check_scan(table, &cfg)?.checked.stats))
    }))
}

/// How a case ended: its counts, or the message refusing the file; a panic,
/// a vague error or broken counts are the failure returned.
enum Ended {
    Rows(TableStats),
    Refused(String),
}

fn judge(result: CaseResult, file: &str) -> Result<Ended, String> {
    match result {
        Err(payload) => Err(format!("panicked: {}", panic_message(&*payload))),
        Ok(Ok(None)) => Err("the table read as absent".into()),
        Ok(Ok(Some(s))) if s.rows_in != s.used + s.duplicates + s.rejected => Err(format!(
            "rows in {} != used {} + duplicates {} + rejected {}",
            s.rows_in, s.used, s.duplicates, s.rejected
        )),
        Ok(Ok(Some(s))) => Ok(Ended::Rows(s)),
        Ok(Err(Error::BadInput(m))) if m.contains(file) => Ok(Ended::Refused(m)),
        Ok(Err(Error::BadInput(m))) => Err(format!("the error does not name {file}: {m}")),
        Ok(Err(e)) => Err(format!("not a bad-input error (exit 2): {e}")),
    }
}

fn bundled_standards() -> Standards {
    let text = String::from_utf8(repo_file("data/standards.toml")).expect("utf-8");
    Standards::parse(&text, chrono_tz::UTC, "standards.toml").expect("bundled standards")
}

/// A data directory holding `files` (relative path, bytes).
fn data_dir(files: &[(String, Vec<u8>)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for (rel, bytes) in files {
        let path = dir.path().join(rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(&path, bytes).expect("write");
    }
    dir
}

/// Check one table folder every way a command reads it; the failures, each
/// with the case that caused it.
fn check_case(
    files: &[(String, Vec<u8>)],
    source: &Source,
    window: Option<&Window>,
    standards: &Standards,
    case: &str,
) -> (Vec<Ended>, Vec<String>) {
    if std::env::var_os("CSQA_FUZZ_VERBOSE").is_some() {
        // An abort (not a panic) ends the process before any report.
        eprintln!("case {case}");
    }
    let dir = data_dir(files);
    let file = &files[0].0;
    let mut ended = Vec::new();
    let mut failures = Vec::new();
    let mut record = |how: &str, result: CaseResult| match judge(result, file) {
        Ok(e) => ended.push(e),
        Err(why) => failures.push(format!("{case} [{how}]: {why}")),
    };
    record(
        "check_table",
        check_whole(dir.path(), source.spec, window, standards),
    );
    if source.spec.name == contract::MESSAGES.name {
        record(
            "check_scan",
            check_streaming(dir.path(), source.spec, window),
        );
    }
    (ended, failures)
}

// ---- the Parquet loop ------------------------------------------------------

/// Corrupt bytes: a result with counts that add up, or bad input naming the
/// file. Each table's bundled file and its uncompressed rewrite, whole and
/// through a job's window.
#[test]
fn corrupt_parquet_files_never_panic() {
    let standards = bundled_standards();
    let mut failures = Vec::new();
    for (t, source) in SOURCES.iter().enumerate() {
        let original = repo_file(source.bundled);
        let plain = uncompressed(&original);
        let win = window(source.spec);
        for i in 0..cases(40) {
            let seed = seed(PARQUET_SEED + ((t as u64) << 12), i);
            let mut rng = Rng::new(seed);
            let (base, base_name) = if rng.chance(0.5) {
                (&plain, "uncompressed")
            } else {
                (&original, "bundled")
            };
            let (bytes, edit) = corrupt(base, &mut rng);
            let windowed = rng.chance(0.5).then_some(&win);
            let rel = format!("{}/part-0.parquet", source.spec.name);
            let case = format!(
                "seed {seed:#x}: {} ({base_name}, {}), {edit}",
                source.spec.name,
                if windowed.is_some() {
                    "windowed"
                } else {
                    "whole"
                }
            );
            let (_, f) = check_case(&[(rel, bytes)], source, windowed, &standards, &case);
            failures.extend(f);
        }
    }
    assert_no_failures("corrupt Parquet", &failures);
}

/// The same rows in another order, other row groups and split over several
/// files are the same table: the same counts as the file as bundled.
#[test]
fn reshuffled_parquet_files_give_the_same_counts() {
    let standards = bundled_standards();
    let mut failures = Vec::new();
    for (t, source) in SOURCES.iter().enumerate() {
        let original = repo_file(source.bundled);
        let df = ParquetReader::new(std::io::Cursor::new(original.clone()))
            .finish()
            .expect("read bundled file");
        let win = window(source.spec);
        let rel = format!("{}/part-0.parquet", source.spec.name);
        let baseline = |w: Option<&Window>| {
            let (ended, f) = check_case(
                &[(rel.clone(), original.clone())],
                source,
                w,
                &standards,
                "bundled",
            );
            assert_no_failures("bundled file", &f);
            match &ended[0] {
                Ended::Rows(s) => s.clone(),
                Ended::Refused(m) => panic!("bundled {}: {m}", source.spec.name),
            }
        };
        let (whole, windowed) = (baseline(None), baseline(Some(&win)));
        for i in 0..cases(4) {
            let seed = seed(RESHAPE_SEED + ((t as u64) << 12), i);
            let mut rng = Rng::new(seed);
            let (files, how) = reshape(&df, source.spec.name, &mut rng);
            let use_window = rng.chance(0.5);
            let (w, expected) = if use_window {
                (Some(&win), &windowed)
            } else {
                (None, &whole)
            };
            let case = format!("seed {seed:#x}: {} {how}", source.spec.name);
            let (ended, f) = check_case(&files, source, w, &standards, &case);
            failures.extend(f);
            for e in ended {
                match e {
                    Ended::Rows(s) => {
                        let got = (
                            s.rows_in,
                            s.used,
                            s.duplicates,
                            s.rejected,
                            &s.rejected_by_reason,
                        );
                        let want = (
                            expected.rows_in,
                            expected.used,
                            expected.duplicates,
                            expected.rejected,
                            &expected.rejected_by_reason,
                        );
                        if got != want {
                            failures.push(format!("{case}: counts {got:?} != bundled {want:?}"));
                        }
                    }
                    Ended::Refused(m) => failures.push(format!("{case}: refused: {m}")),
                }
            }
        }
    }
    assert_no_failures("reshuffled Parquet", &failures);
}

/// The rows of `df` shuffled, split over 1 to 4 files, each written with a
/// random row-group size and compression.
fn reshape(df: &DataFrame, table: &str, rng: &mut Rng) -> (Vec<(String, Vec<u8>)>, String) {
    let n = df.height();
    let order: Vec<IdxSize> = rng.choose(n, n).into_iter().map(|i| i as IdxSize).collect();
    let shuffled = df
        .take(&IdxCa::from_vec("idx".into(), order))
        .expect("take");
    let parts = 1 + rng.below(4) as usize;
    let mut cuts: Vec<usize> = (0..parts - 1)
        .map(|_| rng.below(n as u64 + 1) as usize)
        .collect();
    cuts.push(0);
    cuts.push(n);
    cuts.sort_unstable();
    let mut files = Vec::new();
    let mut how = Vec::new();
    for (k, w) in cuts.windows(2).enumerate() {
        let mut part = shuffled.slice(w[0] as i64, w[1] - w[0]);
        let group = 1 + rng.below(64) as usize;
        let compression = if rng.chance(0.5) {
            ParquetCompression::Uncompressed
        } else {
            ParquetCompression::default()
        };
        let mut bytes = Vec::new();
        ParquetWriter::new(&mut bytes)
            .with_compression(compression)
            .with_row_group_size(Some(group))
            .finish(&mut part)
            .expect("write part");
        how.push(format!(
            "{}..{} groups of {group} {compression:?}",
            w[0], w[1]
        ));
        files.push((format!("{table}/part-{k}.parquet"), bytes));
    }
    let how = format!("shuffled, {} file(s): {}", files.len(), how.join(", "));
    (files, how)
}

// ---- the real binary -------------------------------------------------------

/// Through `csqa validate`: per table, the first corrupt case of the loop
/// above that the loader refuses stops the binary with exit 2, a message
/// naming the file, and no panic (sessions stay intact beside the others).
#[test]
fn corrupt_files_stop_the_binary_with_exit_2() {
    let standards = bundled_standards();
    let sessions = repo_file(SOURCES[0].bundled);
    let mut failures = Vec::new();
    for (t, source) in SOURCES.iter().enumerate() {
        let original = repo_file(source.bundled);
        let rel = format!("{}/part-0.parquet", source.spec.name);
        let refused = (0..cases(16)).find_map(|i| {
            let seed = seed(PARQUET_SEED + ((t as u64) << 12), i);
            let mut rng = Rng::new(seed);
            // Bundled bytes only (as a user's export comes).
            let (bytes, edit) = corrupt(&original, &mut rng);
            let dir = data_dir(&[(rel.clone(), bytes.clone())]);
            match judge(check_whole(dir.path(), source.spec, None, &standards), &rel) {
                Ok(Ended::Refused(_)) => Some((bytes, format!("seed {seed:#x}: {edit}"))),
                _ => None,
            }
        });
        let Some((bytes, case)) = refused else {
            failures.push(format!("{}: no refused case to run", source.spec.name));
            continue;
        };
        let f = Fixture::new();
        if source.spec.name != contract::SESSIONS.name {
            f.file("data/sessions/part-0.parquet", &sessions);
        }
        f.file(&format!("data/{rel}"), &bytes);
        let out = f.run(&["validate"]);
        let err = stderr(&out);
        if out.status.code() != Some(2) || !err.contains(&rel) || err.contains("panicked") {
            failures.push(format!(
                "{} {case}: exit {:?}, stderr:\n{err}",
                source.spec.name,
                out.status.code()
            ));
        }
    }
    assert_no_failures("csqa validate", &failures);
}

// ---- the parsers -------------------------------------------------------------

/// Values a hand-edited file might hold where another was meant.
const ODD_VALUES: &[&str] = &[
    "0",
    "-1",
    "2",
    "-9223372036854775808",
    "9223372036854775807",
    "18446744073709551616",
    "4294967295",
    "4294967296",
    "1e308",
    "-1e308",
    "nan",
    "inf",
    "-inf",
    "-0.0",
    "0.5",
    "\"\"",
    "\" \"",
    "\"nan\"",
    "\"中文\"",
    "[]",
    "{}",
    "[\"\"]",
    "[[\"25:00\", \"08:00\"]]",
    "[[\"23:59\", \"00:00\"]]",
    "[{ quota = 4294967295 }]",
    "true",
    "2026-02-28",
    "0000-01-01",
    "9999-12-31",
    "9999-12-31T23:59:59Z",
    "0000-01-01T00:00:00-23:59",
    "2026-10-01T00:00:00+23:59",
    "2026-03-29T02:30:00",
    "\"Europe/Berlin\"",
    "\"Mars/Olympus\"",
    "\"0-9223372036854775807\"",
    "\"0-4294967296\"",
    "\"5-0\"",
    "\"-1-5\"",
    "\"0-100\"",
    "\"pass_fail\"",
    "\"red_line\"",
    "\"customer_business_line\"",
];

/// Characters random insertions draw from: TOML's own syntax among them.
const ODD_CHARS: &[char] = &[
    '"', '\'', '[', ']', '{', '}', '=', '#', ',', '.', '-', '\\', '\n', '\0', ' ', '0', '9', 'e',
    '中', '\u{feff}', '\u{fffd}',
];

/// 1 to 3 random edits of `text`, and what they were.
fn edit_toml(text: &str, rng: &mut Rng) -> (String, String) {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let mut done = Vec::new();
    for _ in 0..1 + rng.below(3) {
        if lines.is_empty() {
            break;
        }
        let i = rng.below(lines.len() as u64) as usize;
        let edit = match rng.below(6) {
            0 => {
                let what = format!("delete line {i} `{}`", lines[i]);
                lines.remove(i);
                Some(what)
            }
            1 => {
                lines.insert(i, lines[i].clone());
                Some(format!("duplicate line {i} `{}`", lines[i]))
            }
            2 => swap_values(&mut lines, rng),
            3 => set_odd_value(&mut lines, rng),
            4 => Some(insert_odd_chars(&mut lines, i, rng)),
            _ => {
                let line: Vec<char> = lines[i].chars().collect();
                let at = rng.below(line.len() as u64 + 1) as usize;
                lines.truncate(i + 1);
                lines[i] = line[..at].iter().collect();
                Some(format!("cut the file at line {i} char {at}"))
            }
        };
        done.extend(edit);
    }
    (lines.join("\n"), done.join("; "))
}

/// A random `key = value` line (not a comment), if any.
fn assignment(lines: &[String], rng: &mut Rng) -> Option<usize> {
    let assignments: Vec<usize> = (0..lines.len())
        .filter(|&k| !lines[k].trim_start().starts_with('#') && lines[k].contains('='))
        .collect();
    (!assignments.is_empty()).then(|| assignments[rng.below(assignments.len() as u64) as usize])
}

fn swap_values(lines: &mut [String], rng: &mut Rng) -> Option<String> {
    let (a, b) = (assignment(lines, rng)?, assignment(lines, rng)?);
    let (ka, va) = lines[a].split_once('=')?;
    let (kb, vb) = lines[b].split_once('=')?;
    let (new_a, new_b) = (format!("{ka}={vb}"), format!("{kb}={va}"));
    lines[a] = new_a;
    lines[b] = new_b;
    Some(format!("swap the values of lines {a} and {b}"))
}

fn set_odd_value(lines: &mut [String], rng: &mut Rng) -> Option<String> {
    let a = assignment(lines, rng)?;
    let v = ODD_VALUES[rng.below(ODD_VALUES.len() as u64) as usize];
    let (k, _) = lines[a].split_once('=')?;
    lines[a] = format!("{k}= {v}");
    Some(format!("line {a} := `{}`", lines[a]))
}

fn insert_odd_chars(lines: &mut [String], i: usize, rng: &mut Rng) -> String {
    let line: Vec<char> = lines[i].chars().collect();
    let at = rng.below(line.len() as u64 + 1) as usize;
    let inserted: String = (0..1 + rng.below(6))
        .map(|_| ODD_CHARS[rng.below(ODD_CHARS.len() as u64) as usize])
        .collect();
    lines[i] = line[..at]
        .iter()
        .copied()
        .chain(inserted.chars())
        .chain(line[at..].iter().copied())
        .collect();
    format!("insert {inserted:?} in line {i} at {at}")
}

/// Random edits of the bundled csqa.toml: a configuration or bad input
/// naming the file, never a panic; some edits written to a file with raw
/// bytes (invalid UTF-8 too) and read through `Config::load`.
#[test]
fn edited_configs_never_panic() {
    let base = String::from_utf8(repo_file("csqa.toml")).expect("utf-8");
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("csqa.toml");
    let mut failures = Vec::new();
    for i in 0..cases(2000) {
        let seed = seed(CONFIG_SEED, i);
        let mut rng = Rng::new(seed);
        let (text, edit) = edit_toml(&base, &mut rng);
        let from_file = i % 10 == 0;
        let (result, origin) = if from_file {
            let mut bytes = text.into_bytes();
            let at = rng.below(bytes.len() as u64 + 1) as usize;
            let junk = rng.next_u64().to_le_bytes();
            bytes.splice(at..at, junk);
            std::fs::write(&path, &bytes).expect("write");
            (
                catch_unwind(|| Config::load(Some(&path))),
                path.display().to_string(),
            )
        } else {
            (
                catch_unwind(|| Config::from_toml_str(&text)),
                "config".into(),
            )
        };
        let case = format!(
            "seed {seed:#x}: {edit}{}",
            if from_file {
                " + 8 random bytes, from a file"
            } else {
                ""
            }
        );
        match result {
            Err(p) => failures.push(format!("{case}: panicked: {}", panic_message(&*p))),
            Ok(Ok(_)) => {}
            Ok(Err(Error::BadInput(m))) if m.contains(&origin) => {}
            Ok(Err(e)) => failures.push(format!("{case}: not bad input naming {origin}: {e}")),
        }
    }
    assert_no_failures("csqa.toml", &failures);
}

/// Random edits of the bundled standards.toml, parsed in several zones: a
/// standard or bad input naming the file, never a panic; and a standard that
/// parses can be used: its scales listed, agreement weights built on them,
/// its scorecards looked up.
#[test]
fn edited_standards_never_panic() {
    let base = String::from_utf8(repo_file("data/standards.toml")).expect("utf-8");
    let zones = [
        chrono_tz::UTC,
        chrono_tz::Asia::Shanghai,
        chrono_tz::Europe::Berlin,
        chrono_tz::America::New_York,
        chrono_tz::Pacific::Kiritimati,
    ];
    let mut failures = Vec::new();
    for i in 0..cases(2000) {
        let seed = seed(STANDARDS_SEED, i);
        let mut rng = Rng::new(seed);
        let (text, edit) = edit_toml(&base, &mut rng);
        let tz = zones[rng.below(zones.len() as u64) as usize];
        let case = format!("seed {seed:#x} ({tz}): {edit}");
        let result = catch_unwind(|| {
            let s = Standards::parse(&text, tz, "standards.toml")?;
            use_standards(&s);
            Ok::<_, Error>(())
        });
        match result {
            Err(p) => failures.push(format!("{case}: panicked: {}", panic_message(&*p))),
            Ok(Ok(())) => {}
            Ok(Err(Error::BadInput(m))) if m.contains("standards.toml") => {}
            Ok(Err(e)) => failures.push(format!("{case}: not bad input naming the file: {e}")),
        }
    }
    assert_no_failures("standards.toml", &failures);
}

/// What the jobs do with a standard besides reading it.
fn use_standards(s: &Standards) {
    for sc in &s.scorecards {
        s.scorecard_at(sc.effective_from_utc);
        for m in &sc.modules {
            let categories = m.scale.categories();
            csqa::agreement::weights(&categories, csqa::agreement::Weighting::Ordinal);
        }
    }
}

// ---- panics the loop found, each on its exact bytes --------------------------

/// One message in a file as Polars writes it, and the offset of the
/// `isAdjustedToUTC` field header of `sent_at`'s timestamp type in the
/// footer's schema: `8c` opens the TIMESTAMP member of the logical type,
/// `11` is field 1 (isAdjustedToUTC) of type bool-true, `1c` opens field 2
/// (the unit).
fn message_file_with_timestamp_header() -> (Vec<u8>, usize) {
    let mut df = DataFrame::new_infer_height(vec![
        str_col("session_id", &[Some("s1")]),
        ts_col("sent_at", &[Some("2026-08-12T10:00:00Z")]),
        str_col("sender", &[Some("agent")]),
    ])
    .expect("frame");
    let mut bytes = Vec::new();
    ParquetWriter::new(&mut bytes)
        .finish(&mut df)
        .expect("write");
    let footer = footer_start(&bytes);
    let hits: Vec<usize> = (footer..bytes.len() - 2)
        .filter(|&i| bytes[i..i + 3] == [0x8c, 0x11, 0x1c])
        .collect();
    assert_eq!(
        hits.len(),
        1,
        "the timestamp type in {:02x?}",
        &bytes[footer..]
    );
    (bytes, hits[0] + 1)
}

/// Found as seed 0x5eed00010005 (sessions) and 0x5eed00011008 (reviews): a
/// footer whose timestamp `isAdjustedToUTC` field is typed i32 (`15`)
/// instead of bool made Polars' footer reader panic ("thrift bool field")
/// while csqa read the file's schema. Now: bad input naming the file, in
/// the library and through the binary (exit 2, no panic printed).
#[test]
fn footer_with_a_non_bool_flag_is_bad_input() {
    let (mut bytes, at) = message_file_with_timestamp_header();
    bytes[at] = 0x15;
    let rel = "messages/part-0.parquet";

    let dir = data_dir(&[(rel.to_string(), bytes.clone())]);
    let standards = bundled_standards();
    match judge(
        check_whole(dir.path(), &contract::MESSAGES, None, &standards),
        rel,
    ) {
        Ok(Ended::Refused(m)) => assert!(m.contains("not a readable Parquet file"), "{m}"),
        Ok(Ended::Rows(s)) => panic!("read as {s:?}"),
        Err(why) => panic!("{why}"),
    }

    let f = Fixture::new();
    f.file(
        "data/sessions/part-0.parquet",
        &repo_file(SOURCES[0].bundled),
    );
    f.file(&format!("data/{rel}"), &bytes);
    let out = f.run(&["validate"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "stderr:\n{err}");
    assert!(err.contains(rel), "stderr:\n{err}");
    assert!(!err.contains("panicked"), "stderr:\n{err}");
}
/// Skip a thrift varint at `at`; where it ends.
fn varint_end(bytes: &[u8], mut at: usize) -> usize {
    while bytes[at] & 0x80 != 0 {
        at += 1;
    }
    at + 1
}

/// Found as seed 0x5eed000101c2 (sessions, uncompressed rewrite, bytes
/// 41156..41165 of the footer overwritten): a column chunk whose size in the
/// footer runs past the end of the file made Polars' streaming reader slice
/// the file out of bounds: an abort in a debug build ("unsafe precondition(s)
/// violated"), undefined behaviour in a release build, and no panic to
/// catch. Now the footer's ranges are checked first: bad input naming the
/// file and the row group.
#[test]
fn column_chunk_past_the_end_of_the_file_is_bad_input() {
    let (mut bytes, _) = message_file_with_timestamp_header();
    let len = bytes.len();
    // The `session_id` chunk's metadata follows its path (the name's second
    // appearance in the footer): codec (`15 xx`), num_values (`16 02`: 1),
    // total_uncompressed_size (`16` varint), total_compressed_size (`16`
    // varint). Its size becomes a varint of the same length and a value
    // larger than the file: `fe ff .. 7f` (zigzag: at least 8191).
    let footer = footer_start(&bytes);
    let name = b"session_id";
    let paths: Vec<usize> = (footer..len - name.len())
        .filter(|&i| &bytes[i..i + name.len()] == name)
        .collect();
    assert_eq!(paths.len(), 2, "schema and chunk path");
    let meta = paths[1] + name.len();
    assert_eq!(
        [
            bytes[meta],
            bytes[meta + 2],
            bytes[meta + 3],
            bytes[meta + 4]
        ],
        [0x15, 0x16, 0x02, 0x16]
    );
    let compressed = varint_end(&bytes, meta + 5);
    assert_eq!(bytes[compressed], 0x16, "total_compressed_size header");
    let (from, to) = (compressed + 1, varint_end(&bytes, compressed + 1));
    assert!(to - from >= 2, "a size of two varint bytes or more");
    for (k, b) in bytes[from..to].iter_mut().enumerate() {
        *b = if k == 0 {
            0xfe
        } else if k + 1 == to - from {
            0x7f
        } else {
            0xff
        };
    }
    let rel = "messages/part-0.parquet";

    let dir = data_dir(&[(rel.to_string(), bytes.clone())]);
    let standards = bundled_standards();
    for (how, result) in [
        (
            "check_table",
            check_whole(dir.path(), &contract::MESSAGES, None, &standards),
        ),
        (
            "check_scan",
            check_streaming(dir.path(), &contract::MESSAGES, None),
        ),
    ] {
        match judge(result, rel) {
            Ok(Ended::Refused(m)) => assert!(m.contains("row group 0 ends at byte"), "{how}: {m}"),
            Ok(Ended::Rows(s)) => panic!("{how}: read as {s:?}"),
            Err(why) => panic!("{how}: {why}"),
        }
    }

    let f = Fixture::new();
    f.file(
        "data/sessions/part-0.parquet",
        &repo_file(SOURCES[0].bundled),
    );
    f.file(&format!("data/{rel}"), &bytes);
    let out = f.run(&["validate"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "stderr:\n{err}");
    assert!(err.contains(rel), "stderr:\n{err}");
}

/// A standard with one graded module on `scale`.
fn one_module_standard(scale: &str) -> String {
    format!(
        "[[scorecard]]\nversion = \"v1\"\neffective_from = 2026-08-01\n\n\
         [[scorecard.modules]]\nid = \"accuracy\"\nname = \"Accuracy\"\n\
         group = \"resolution\"\nscope = \"system\"\nscale = \"{scale}\"\nweight = 30\n"
    )
}

/// Found as seed 0x5eed00040ac2 (line 79 := `scale = "0-4294967296"`) and
/// 0x5eed000403ca (`scale = "0-9223372036854775807"`): such a scale was
/// accepted, and listing its categories for the agreement statistics
/// aborted the process (34 GB asked for) or panicked (capacity overflow).
/// Now a graded scale spans at most 100 steps: "0-100" has 101 categories,
/// "0-101" and wider are bad input naming the file and the module.
#[test]
fn scale_wider_than_100_steps_is_bad_input() {
    let s = Standards::parse(
        &one_module_standard("0-100"),
        chrono_tz::UTC,
        "standards.toml",
    )
    .expect("0-100");
    let categories = s.scorecards[0].modules[0].scale.categories();
    // 0, 1, ..., 100: 101 categories.
    assert_eq!(categories.len(), 101);
    assert_eq!(categories.last(), Some(&100.0));

    for scale in [
        "0-101",
        "0-4294967296",
        "0-9223372036854775807",
        "-5-9223372036854775807",
    ] {
        match Standards::parse(
            &one_module_standard(scale),
            chrono_tz::UTC,
            "standards.toml",
        ) {
            Err(Error::BadInput(m)) => {
                for needle in [
                    "standards.toml",
                    "module accuracy",
                    scale,
                    "at most 100 steps",
                ] {
                    assert!(m.contains(needle), "{scale}: {m} lacks {needle:?}");
                }
            }
            Err(e) => panic!("{scale}: not bad input: {e}"),
            Ok(_) => panic!("{scale}: accepted"),
        }
    }
}
/// Found as seed 0x5eed0021316d (`CSQA_FUZZ_SEED=2`) and 0x5eed005130d7: a
/// data page header whose value count turned negative made Polars' page
/// decoder reserve 2^61 bytes for the validity bitmap, and the failed
/// allocation aborted the process (no panic, nothing to catch). Now the page
/// headers are checked before Polars reads the file: bad input naming the
/// file and the page. The fixture is that case's exact bytes (an appeals
/// file rewritten uncompressed, bits 299, 539, 733 and 1048 flipped), kept
/// as a file so that it does not change with the bundled data.
#[test]
fn corrupt_page_value_count_is_bad_input() {
    let standards = bundled_standards();
    let source = &SOURCES[3];
    let bytes = repo_file("tests/it/fixtures/corrupt_page_value_count.parquet");
    let rel = "appeals/part-0.parquet";
    let dir = data_dir(&[(rel.to_string(), bytes)]);
    match judge(check_whole(dir.path(), source.spec, None, &standards), rel) {
        Ok(Ended::Refused(m)) => assert!(m.contains("negative value count"), "{m}"),
        Ok(Ended::Rows(s)) => panic!("read as {s:?}"),
        Err(why) => panic!("{why}"),
    }
}
/// Numbers the config loop reaches that the parser accepts and the
/// arithmetic after it does not survive: a configuration must be refused
/// (bad input naming the config) or its FCR flags and sampling plan must
/// come out, without a panic (`window_hours = 4294967295` once overflowed
/// the window in microseconds, and quotas or `per_agent_min` of 4294967295
/// the sampling tallies).
#[test]
fn config_numbers_keep_arithmetic_in_bounds() {
    use csqa::sampling::Candidate;
    let sessions = DataFrame::new_infer_height(vec![
        str_col("session_id", &[Some("a"), Some("b")]),
        str_col("customer_id", &[Some("c"), Some("c")]),
        str_col("business_line", &[Some("x"), Some("x")]),
        ts_col(
            "started_at",
            &[Some("2026-08-12T10:00:00Z"), Some("2026-08-13T10:00:00Z")],
        ),
        ts_col("ended_at", &[Some("2026-08-12T10:10:00Z"), None]),
    ])
    .expect("frame");
    let candidates: Vec<Candidate> = (0..20)
        .map(|i| Candidate {
            session_id: format!("s{i:02}"),
            business_line: "x".into(),
            category: None,
            agent_id: Some(format!("a{}", i % 3)),
            started_at: 0,
            minute: 600,
            complaint: i % 2 == 0,
            public_opinion: false,
            rating: Some(1),
            is_repeat: i % 3 == 0,
            reviewed: false,
        })
        .collect();
    let mut failures = Vec::new();
    for text in [
        "[fcr]\nwindow_hours = 4294967295",
        "[sampling]\ntotal = 10\n[sampling.risk]\nquota = 4294967295\n[sampling.repeat]\nquota = 4294967295",
        "[sampling]\nbusiness = { targets = [{ quota = 4294967295 }, { quota = 4294967295 }] }",
        "[sampling]\nper_agent_min = 4294967295",
    ] {
        let cfg = match Config::from_toml_str(text) {
            Ok(cfg) => cfg,
            Err(Error::BadInput(m)) if m.contains("config") => continue,
            Err(e) => {
                failures.push(format!("{text:?}: not bad input: {e}"));
                continue;
            }
        };
        let run = catch_unwind(AssertUnwindSafe(|| {
            csqa::metrics::fcr::repeat_flags(sessions.clone().lazy(), cfg.fcr.scope, cfg.fcr.window_hours)
                .and_then(LazyFrame::collect)
                .expect("flags");
            if let Some(plan) = &cfg.sampling {
                csqa::sampling::draw(&candidates, plan, 1, "AB", cfg.fcr.window_hours);
            }
        }));
        if let Err(p) = run {
            failures.push(format!("{text:?}: panicked: {}", panic_message(&*p)));
        }
    }
    assert_no_failures("config arithmetic", &failures);
}
