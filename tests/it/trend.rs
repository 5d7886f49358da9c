//! The monthly trend charts: months before last month come from the earlier
//! packs in the output folder when they exist, else from the data with the
//! pack's own rules; the caption and the trend table say which.

use polars::prelude::*;

use crate::common::*;

/// Line `a` in UTC, August to October; customers in brackets.
/// - August: a1 08-05 (c1) rated 5; a2 08-06 (c1, within 72 h of a1)
///   rated 2, complaint; a3 08-20 (c2) unrated; a4 08-31 22:00 (c3) rated
///   4, followed by a5 09-01 (c3) — FCR's look-ahead into September.
/// - September: a5 09-01 (c3) rated 3; a6 09-15 (c4) rated 5.
/// - October: a7 10-10 (c5) rated 5.
fn three_months() -> Fixture {
    let fx = Fixture::new();
    fx.config("timezone = \"UTC\"");
    let ids = ["a1", "a2", "a3", "a4", "a5", "a6", "a7"];
    let starts = [
        "2026-08-05T10:00:00Z",
        "2026-08-06T10:00:00Z",
        "2026-08-20T10:00:00Z",
        "2026-08-31T22:00:00Z",
        "2026-09-01T10:00:00Z",
        "2026-09-15T10:00:00Z",
        "2026-10-10T10:00:00Z",
    ];
    let customers = ["c1", "c1", "c2", "c3", "c3", "c4", "c5"].map(Some);
    let ratings = [
        Some(5i64),
        Some(2),
        None,
        Some(4),
        Some(3),
        Some(5),
        Some(5),
    ];
    let complaints = [false, true, false, false, false, false, false];
    fx.parquet(
        "sessions/part-0.parquet",
        sessions(
            &ids,
            &["a"; 7],
            &starts,
            vec![
                str_col("customer_id", &customers),
                Column::new("rating".into(), ratings.to_vec()),
                Column::new("complaint".into(), complaints.to_vec()),
            ],
        ),
    );
    fx
}

fn report_md(fx: &Fixture) -> String {
    let out = fx.run(&["monthly", "--month", "2026-10"]);
    assert!(out.status.success(), "{}", stderr(&out));
    std::fs::read_to_string(fx.out().join("monthly/2026-10/report.md")).expect("report")
}

#[test]
fn without_earlier_packs_the_trend_computes_its_months_from_the_data() {
    let fx = three_months();
    let report = report_md(&fx);
    // August from the data: rated a1 a2 a4, satisfied (≥ 4) a1 a4 → CSAT
    // 2/3 = 66.7 %; all 4 have a customer, a1 (a2 within 72 h) and a4 (a5
    // on 09-01, read past August's end) followed → FCR 1 − 2/4 = 50.0 %;
    // complaints a2 → 1/4 = 25.0 %.
    assert!(
        report.contains("| 2026-08 | a | 66.7% | 50.0% | 25.0% | data |"),
        "{report}"
    );
    assert!(
        report.contains("| 2026-08 | ALL | 66.7% | 50.0% | 25.0% | data |"),
        "{report}"
    );
    // September and October from this run: CSAT 1/2 = 50.0 % (a6 of a5
    // a6), FCR 100.0 %; October 1/1.
    assert!(
        report.contains("| 2026-09 | a | 50.0% | 100.0% | 0.0% | this run |"),
        "{report}"
    );
    assert!(
        report.contains("| 2026-10 | a | 100.0% | 100.0% | 0.0% | this run |"),
        "{report}"
    );
    // No month before the data's first.
    assert!(!report.contains("| 2026-07 |"), "{report}");
    assert!(
        report.contains(
            "2026-08 – 2026-10; %; months computed from the data: 2026-08; from this run"
        ),
        "{report}"
    );
    // August's own pack, built afterwards, has the same figures.
    let out = fx.run(&["monthly", "--month", "2026-08"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let bl = fx.read("monthly/2026-08/business_lines.parquet");
    let a = row_where(&bl, "business_line", "a");
    assert_close(f64_at(&bl, "csat", a), 2.0 / 3.0, "csat");
    assert_close(f64_at(&bl, "fcr", a), 0.5, "fcr");
    assert_close(f64_at(&bl, "complaint_rate", a), 0.25, "complaint rate");
}

#[test]
fn an_earlier_pack_is_read_rather_than_the_data() {
    let fx = three_months();
    // An earlier pack's business_lines with figures the data would not give
    // (CSAT 12.5 % against 66.7 %): the trend shows the pack's.
    let pack = DataFrame::new_infer_height(vec![
        Column::new("business_line".into(), ["a", "ALL"]),
        Column::new("csat".into(), [0.125, 0.125]),
        Column::new("fcr".into(), [0.75, 0.75]),
        Column::new("complaint_rate".into(), [0.5, 0.5]),
    ])
    .expect("frame");
    let path = fx.out().join("monthly/2026-08/business_lines.parquet");
    std::fs::create_dir_all(path.parent().expect("folder")).expect("mkdir");
    let file = std::fs::File::create(&path).expect("create");
    ParquetWriter::new(file)
        .finish(&mut pack.clone())
        .expect("write");
    let report = report_md(&fx);
    assert!(
        report.contains("| 2026-08 | a | 12.5% | 75.0% | 50.0% | earlier pack |"),
        "{report}"
    );
    assert!(
        report.contains("months from earlier packs in the output folder: 2026-08; from this run"),
        "{report}"
    );
    assert!(!report.contains("computed from the data"), "{report}");
}
