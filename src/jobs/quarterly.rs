//! The quarterly (or half-yearly) system-module review. It reads the
//! period, the trailing months the trends need (`[quarterly] trend_months`)
//! and the previous period, on the same pipeline as the monthly pack, and
//! computes the module figures by month, their trends, the outcome links,
//! reviewer drift and one recommendation per module under review.

use std::collections::BTreeMap;

use polars::prelude::*;

use crate::columns::{f64s, strings};
use crate::config::Config;
use crate::contract;
use crate::error::{Error, Result};
use crate::jobs::period::{add_months, Month, Period};
use crate::jobs::pipeline::{self, ReadWindows};
use crate::load::ordered_join;
use crate::metrics::calibration::{self, Coefficients};
use crate::metrics::iteration::headline_label;
use crate::metrics::modules::{
    self, Drift, MonthFigures, Outcome, OutcomeCounts, ReviewerMonth, SeriesChange, SeriesMap,
    Trend, TrendInputs,
};
use crate::standards::{Module, Standards};
use crate::tables::CheckedTables;

pub struct QuarterlyPack {
    pub period: Period,
    pub previous: Period,
    /// The months the trends read, oldest first.
    pub trend_months: Vec<String>,
    pub checked: CheckedTables,
    /// Sessions started in the period.
    pub sessions: usize,
    pub tables: Vec<(String, DataFrame)>,
    /// Module definitions that changed within the months read.
    pub changes: Vec<SeriesChange>,
    /// The versions in force during the period.
    pub versions: Vec<String>,
    pub agreement: crate::config::AgreementConfig,
}

pub fn run(
    cfg: &Config,
    standards: &Standards,
    period: &Period,
    mut step: impl FnMut(&str),
) -> Result<QuarterlyPack> {
    let tz = cfg.timezone;
    let previous = period.previous(tz);
    let trend = period.trailing(cfg.quarterly.trend_months, tz);
    let read = months_read(&trend, &previous, period, tz);
    let windows = ReadWindows::months(cfg, &read[0], period.last(), None, &period.label)?;
    let (mut checked, used) = pipeline::load_sessions(cfg, standards, &windows, &mut step)?;
    step("repeat visits and FCR");
    let read_refs: Vec<&Month> = read.iter().collect();
    let sessions = pipeline::enrich_sessions(used, cfg, standards, &read_refs)?;
    let n_sessions = period_sessions(&sessions, period, cfg)?;
    pipeline::load_review_tables(&mut checked, cfg, standards, &windows, &mut step)?;

    step("module figures");
    let keys = pipeline::session_keys(&sessions);
    let reviews = pipeline::review_figures(&checked, standards, &keys)?;
    let series = SeriesMap::of(standards);
    let scored = with_series(&reviews.review_modules, &series)?;
    step("calibration agreement");
    let calib = monthly_calibration(&checked, &keys, &read, &cfg.agreement)?;
    let appeals = checked.used_or_empty(&contract::APPEALS, standards)?;
    let months = module_months(&scored, &appeals, &calib.agreement)?;

    step("trends and outcomes");
    let labels = |ms: &[Month]| ms.iter().map(|m| m.label.clone()).collect::<Vec<_>>();
    let (trend_labels, period_labels) = (labels(&trend), labels(&period.months));
    let current: BTreeMap<String, String> = modules_of(standards, &period.months)
        .keys()
        .filter_map(|id| Some((id.clone(), series.current(standards, id, period.last())?)))
        .collect();
    let trends = modules::trends(&TrendInputs {
        months: &months,
        trend_months: &trend_labels,
        period_months: &period_labels,
        previous_months: &labels(&previous.months),
        current: &current,
        cfg: &cfg.quarterly,
    });
    let outcomes = modules::outcomes(&outcome_counts(&scored, &sessions, &period_labels)?);
    let drift = modules::drift(
        &calib.reviewers,
        &trend_labels,
        cfg.agreement.min_items,
        &cfg.quarterly,
    );
    let review = SystemReview {
        cfg,
        standards,
        period,
        series: &series,
        current: &current,
        months: &months,
        trends: &trends,
        outcomes: &outcomes,
    };
    let tables = vec![
        (
            "system_review".to_string(),
            review.frame(&period_labels, &read)?,
        ),
        (
            "module_months".to_string(),
            module_months_frame(&months, &series, standards, &read)?,
        ),
        ("module_trends".to_string(), trends_frame(&trends)?),
        ("module_outcomes".to_string(), outcomes_frame(&outcomes)?),
        (
            "rater_drift".to_string(),
            drift_frame(&calib.reviewers, &drift, &trend_labels, &period_labels)?,
        ),
    ];
    let (from, to) = (read[0].start, period.last().end);
    let changes = series
        .changes
        .iter()
        .filter(|c| {
            let at = crate::standards::local_midnight_utc(c.effective_from, tz);
            at >= from && at < to
        })
        .cloned()
        .collect();
    let versions = standards
        .scorecards
        .iter()
        .filter(|s| s.effective_from_utc < to)
        .filter(|s| {
            s.effective_from_utc >= period.first().start
                || standards
                    .scorecard_at(period.first().start)
                    .is_some_and(|at| at.version == s.version)
        })
        .map(|s| s.version.clone())
        .collect();
    Ok(QuarterlyPack {
        period: period.clone(),
        previous,
        trend_months: trend_labels,
        checked,
        sessions: n_sessions,
        tables,
        changes,
        versions,
        agreement: cfg.agreement.clone(),
    })
}

/// Every month from the earliest the trends or the previous period need to
/// the period's last, oldest first.
pub fn months_read(
    trend: &[Month],
    previous: &Period,
    period: &Period,
    tz: chrono_tz::Tz,
) -> Vec<Month> {
    let first = trend
        .first()
        .map(|m| m.first_day)
        .unwrap_or(previous.first().first_day)
        .min(previous.first().first_day);
    let mut out = Vec::new();
    let mut day = first;
    while day <= period.last().first_day {
        out.push(Month::starting(day, tz));
        day = add_months(day, 1);
    }
    out
}

/// Sessions started in the period; none is an error naming the folder.
fn period_sessions(sessions: &DataFrame, period: &Period, cfg: &Config) -> Result<usize> {
    let labels: Vec<&str> = period.months.iter().map(|m| m.label.as_str()).collect();
    let n = sessions
        .column("local_month")?
        .str()?
        .iter()
        .filter(|m| m.is_some_and(|m| labels.contains(&m)))
        .count();
    if n == 0 {
        return Err(Error::bad_input(format!(
            "no sessions started in {} ({}) in {}",
            period.label,
            cfg.timezone.name(),
            cfg.data_dir.join("sessions").display()
        )));
    }
    Ok(n)
}

/// Each module in force at some time in `months`, with its newest
/// definition there.
fn modules_of<'a>(standards: &'a Standards, months: &[Month]) -> BTreeMap<String, &'a Module> {
    let (Some(first), Some(last)) = (months.first(), months.last()) else {
        return BTreeMap::new();
    };
    let at_start = standards.scorecard_at(first.start).map(|s| &s.version);
    let mut out = BTreeMap::new();
    for sc in &standards.scorecards {
        if sc.effective_from_utc < last.end
            && (sc.effective_from_utc >= first.start || Some(&sc.version) == at_start)
        {
            for m in &sc.modules {
                out.insert(m.id.clone(), m);
            }
        }
    }
    out
}

/// Module scores with their series and scale (`a-b`).
fn with_series(review_modules: &DataFrame, series: &SeriesMap) -> Result<LazyFrame> {
    Ok(review_modules
        .clone()
        .lazy()
        .join(
            series.frame()?.lazy(),
            [col("scorecard_version"), col("module_id")],
            [col("scorecard_version"), col("module_id")],
            ordered_join(JoinType::Left),
        )
        .with_column(
            concat_str(
                [
                    col("scale_min")
                        .cast(DataType::Int64)
                        .cast(DataType::String),
                    col("scale_max")
                        .cast(DataType::Int64)
                        .cast(DataType::String),
                ],
                "-",
                true,
            )
            .alias("scale"),
        ))
}

/// Rows once per line and once more as `ALL`.
fn with_all_lines(lf: LazyFrame) -> LazyFrame {
    let all = lf.clone().with_column(lit("ALL").alias("business_line"));
    concat([lf, all], UnionArgs::default()).unwrap_or_else(|_| LazyFrame::default())
}

/// Items of one module, line (or `ALL`) and scale.
type ItemGroup = (String, String, (i64, i64));

/// Calibration per month: coefficients keyed (module, month, line, scale)
/// and each reviewer's leniency.
struct MonthlyCalibration {
    agreement: BTreeMap<(String, String, String, String), Coefficients>,
    reviewers: Vec<ReviewerMonth>,
}

fn monthly_calibration(
    checked: &CheckedTables,
    keys: &LazyFrame,
    months: &[Month],
    cfg: &crate::config::AgreementConfig,
) -> Result<MonthlyCalibration> {
    let mut out = MonthlyCalibration {
        agreement: BTreeMap::new(),
        reviewers: Vec::new(),
    };
    let Some(reviews) = checked.used("reviews") else {
        return Ok(out);
    };
    for month in months {
        let of_month = keys
            .clone()
            .filter(col("local_month").eq(lit(month.label.clone())));
        let ratings = calibration::ratings(reviews.clone().lazy(), of_month)?;
        let items = calibration::items(&ratings, false);
        let mut groups: BTreeMap<ItemGroup, Vec<&calibration::Item>> = BTreeMap::new();
        for item in &items {
            for line in [item.line.clone(), "ALL".to_string()] {
                groups
                    .entry((item.module.clone(), line, item.scale))
                    .or_default()
                    .push(item);
            }
        }
        for ((module, line, scale), group) in groups {
            let c = calibration::coefficients(&group, scale, cfg);
            let scale = format!("{}-{}", scale.0, scale.1);
            out.agreement
                .insert((module, month.label.clone(), line, scale), c);
        }
        let df = calibration::reviewers(&items)?;
        let who = strings(&df, "reviewer_id")?;
        let n = df.column("items")?.cast(&DataType::UInt64)?;
        let n: Vec<Option<u64>> = n.u64()?.iter().collect();
        let (lean, agree) = (f64s(&df, "leniency")?, f64s(&df, "agreement")?);
        for i in 0..df.height() {
            out.reviewers.push(ReviewerMonth {
                reviewer_id: who[i].clone().unwrap_or_default(),
                month: month.label.clone(),
                items: n[i].unwrap_or(0),
                leniency: lean[i].unwrap_or(f64::NAN),
                agreement: agree[i].unwrap_or(f64::NAN),
            });
        }
    }
    Ok(out)
}

/// Reviews, defects, mean score and appeals per module, series, month and
/// line (and `ALL`), with the month's calibration agreement.
fn module_months(
    scored: &LazyFrame,
    appeals: &DataFrame,
    agreement: &BTreeMap<(String, String, String, String), Coefficients>,
) -> Result<Vec<MonthFigures>> {
    let key = || {
        [
            col("module_id"),
            col("series"),
            col("local_month"),
            col("business_line"),
        ]
    };
    let figures = with_all_lines(scored.clone()).group_by(key()).agg([
        col("scale").first(),
        col("score")
            .is_not_null()
            .cast(DataType::UInt64)
            .sum()
            .alias("reviews"),
        col("score")
            .lt(col("scale_max"))
            .cast(DataType::UInt64)
            .sum()
            .alias("defects"),
        col("normalised").mean().alias("mean_score"),
    ]);
    let appealed = with_all_lines(appeals.clone().lazy().join(
        scored.clone().select([
            col("review_id"),
            col("module_id"),
            col("series"),
            col("local_month"),
            col("business_line"),
        ]),
        [col("review_id"), col("module_id")],
        [col("review_id"), col("module_id")],
        ordered_join(JoinType::Inner),
    ))
    .group_by(key())
    .agg([
        len().cast(DataType::UInt64).alias("appeals"),
        outcome_count("overturned"),
        outcome_count("upheld"),
    ]);
    let df = figures
        .join(appealed, key(), key(), ordered_join(JoinType::Left))
        .collect()?;
    let text = |c: &str| -> Result<Vec<String>> {
        Ok(strings(&df, c)?
            .into_iter()
            .map(Option::unwrap_or_default)
            .collect())
    };
    let count = |c: &str| -> Result<Vec<u64>> {
        let s = df.column(c)?.cast(&DataType::UInt64)?;
        Ok(s.u64()?.iter().map(|v| v.unwrap_or(0)).collect())
    };
    let (module, series, month, line, scale) = (
        text("module_id")?,
        text("series")?,
        text("local_month")?,
        text("business_line")?,
        text("scale")?,
    );
    let (reviews, defects, mean) = (
        count("reviews")?,
        count("defects")?,
        f64s(&df, "mean_score")?,
    );
    let (n_appeals, over, upheld) = (count("appeals")?, count("overturned")?, count("upheld")?);
    let mut out = Vec::with_capacity(df.height());
    for i in 0..df.height() {
        let c = agreement.get(&(
            module[i].clone(),
            month[i].clone(),
            line[i].clone(),
            scale[i].clone(),
        ));
        let judged =
            c.is_some_and(|c| c.headline.is_some() && c.band != Some(calibration::TOO_FEW_ITEMS));
        out.push(MonthFigures {
            module_id: module[i].clone(),
            month: month[i].clone(),
            line: line[i].clone(),
            series: series[i].clone(),
            scale: scale[i].clone(),
            reviews: reviews[i],
            defects: defects[i],
            mean_score: mean[i],
            agreement_items: c.map(|c| c.items as u64).unwrap_or(0),
            headline: c.and_then(|c| c.headline),
            ci_low: c.and_then(|c| c.ci_low),
            ci_high: c.and_then(|c| c.ci_high),
            flagged: judged && c.is_some_and(|c| c.flagged),
            judged,
            appeals: n_appeals[i],
            overturned: over[i],
            upheld: upheld[i],
        });
    }
    // ALL first within a module, then the lines; months in order.
    out.sort_by(|a, b| {
        (&a.module_id, a.line != "ALL", &a.line, &a.month, &a.series).cmp(&(
            &b.module_id,
            b.line != "ALL",
            &b.line,
            &b.month,
            &b.series,
        ))
    });
    Ok(out)
}

fn outcome_count(outcome: &str) -> Expr {
    col("outcome")
        .eq(lit(outcome))
        .cast(DataType::UInt64)
        .sum()
        .alias(outcome)
}

/// Per module, the outcomes of the period's reviewed sessions where it
/// failed (any score below full marks) and where it passed.
fn outcome_counts(
    scored: &LazyFrame,
    sessions: &DataFrame,
    period_months: &[String],
) -> Result<BTreeMap<String, (OutcomeCounts, OutcomeCounts)>> {
    let in_period = period_months
        .iter()
        .map(|m| col("local_month").eq(lit(m.clone())))
        .reduce(|a, b| a.or(b))
        .unwrap_or(lit(false));
    let per_session = scored
        .clone()
        .filter(in_period.and(col("score").is_not_null()))
        .group_by([col("module_id"), col("session_id")])
        .agg([col("score")
            .lt(col("scale_max"))
            .cast(DataType::Int32)
            .max()
            .alias("failed")]);
    let outcomes = sessions.clone().lazy().select([
        col("session_id"),
        col("rated"),
        col("satisfied"),
        col("in_fcr"),
        col("followed_n"),
        col("complaint_n"),
    ]);
    let sum = |c: &str| col(c).cast(DataType::UInt64).sum().alias(c);
    let df = per_session
        .join(
            outcomes,
            [col("session_id")],
            [col("session_id")],
            ordered_join(JoinType::Inner),
        )
        .group_by([col("module_id"), col("failed")])
        .agg([
            len().cast(DataType::UInt64).alias("sessions"),
            sum("rated"),
            sum("satisfied"),
            sum("in_fcr"),
            sum("followed_n"),
            sum("complaint_n"),
        ])
        .collect()?;
    let module = strings(&df, "module_id")?;
    let failed = df.column("failed")?.cast(&DataType::Int32)?;
    let failed: Vec<Option<i32>> = failed.i32()?.iter().collect();
    let count = |c: &str| -> Result<Vec<u64>> {
        let s = df.column(c)?.cast(&DataType::UInt64)?;
        Ok(s.u64()?.iter().map(|v| v.unwrap_or(0)).collect())
    };
    let (n, rated, sat) = (count("sessions")?, count("rated")?, count("satisfied")?);
    let (fcr, followed, complaints) = (
        count("in_fcr")?,
        count("followed_n")?,
        count("complaint_n")?,
    );
    let mut out: BTreeMap<String, (OutcomeCounts, OutcomeCounts)> = BTreeMap::new();
    for i in 0..df.height() {
        let Some(m) = module[i].clone() else { continue };
        let c = OutcomeCounts {
            sessions: n[i],
            rated: rated[i],
            satisfied: sat[i],
            in_fcr: fcr[i],
            followed: followed[i],
            complaints: complaints[i],
        };
        let entry = out.entry(m).or_default();
        if failed[i] == Some(1) {
            entry.0 = c;
        } else {
            entry.1 = c;
        }
    }
    Ok(out)
}

fn module_months_frame(
    months: &[MonthFigures],
    series: &SeriesMap,
    standards: &Standards,
    read: &[Month],
) -> Result<DataFrame> {
    let month_of = |label: &str| read.iter().find(|m| m.label == label);
    let versions: Vec<String> = months
        .iter()
        .map(|f| {
            month_of(&f.month)
                .map(|m| {
                    series
                        .versions_in(standards, &f.module_id, &f.series, m)
                        .join(", ")
                })
                .unwrap_or_default()
        })
        .collect();
    // The change that started a series, in the month it took effect.
    let change: Vec<Option<String>> = months
        .iter()
        .map(|f| {
            series
                .changes
                .iter()
                .find(|c| {
                    c.module_id == f.module_id
                        && c.version == f.series
                        && month_of(&f.month).is_some_and(|m| {
                            c.effective_from >= m.first_day && c.effective_from < m.next_first_day()
                        })
                })
                .map(|c| format!("{}: {}", c.version, c.change))
        })
        .collect();
    let rate = |x: u64, n: u64| (n > 0).then(|| x as f64 / n as f64);
    Ok(DataFrame::new_infer_height(vec![
        Column::new(
            "module_id".into(),
            months
                .iter()
                .map(|f| f.module_id.clone())
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "month".into(),
            months.iter().map(|f| f.month.clone()).collect::<Vec<_>>(),
        ),
        Column::new(
            "business_line".into(),
            months.iter().map(|f| f.line.clone()).collect::<Vec<_>>(),
        ),
        Column::new(
            "series".into(),
            months.iter().map(|f| f.series.clone()).collect::<Vec<_>>(),
        ),
        Column::new("version".into(), versions),
        Column::new(
            "scale".into(),
            months.iter().map(|f| f.scale.clone()).collect::<Vec<_>>(),
        ),
        Column::new("series_change".into(), change),
        Column::new(
            "reviews".into(),
            months.iter().map(|f| f.reviews).collect::<Vec<_>>(),
        ),
        Column::new(
            "defects".into(),
            months.iter().map(|f| f.defects).collect::<Vec<_>>(),
        ),
        Column::new(
            "defect_rate".into(),
            months.iter().map(|f| f.defect_rate()).collect::<Vec<_>>(),
        ),
        Column::new(
            "mean_score".into(),
            months.iter().map(|f| f.mean_score).collect::<Vec<_>>(),
        ),
        Column::new(
            "agreement_items".into(),
            months.iter().map(|f| f.agreement_items).collect::<Vec<_>>(),
        ),
        Column::new(
            "agreement_headline".into(),
            months.iter().map(|f| f.headline).collect::<Vec<_>>(),
        ),
        Column::new(
            "ci_low".into(),
            months.iter().map(|f| f.ci_low).collect::<Vec<_>>(),
        ),
        Column::new(
            "ci_high".into(),
            months.iter().map(|f| f.ci_high).collect::<Vec<_>>(),
        ),
        Column::new(
            "agreement_flagged".into(),
            months.iter().map(|f| f.flagged).collect::<Vec<_>>(),
        ),
        Column::new(
            "appeals".into(),
            months.iter().map(|f| f.appeals).collect::<Vec<_>>(),
        ),
        Column::new(
            "overturned".into(),
            months.iter().map(|f| f.overturned).collect::<Vec<_>>(),
        ),
        Column::new(
            "overturn_rate".into(),
            months
                .iter()
                .map(|f| rate(f.overturned, f.overturned + f.upheld))
                .collect::<Vec<_>>(),
        ),
    ])?)
}

fn trends_frame(trends: &[Trend]) -> Result<DataFrame> {
    let mk = |f: fn(&modules::Trend) -> Option<f64>| trends.iter().map(f).collect::<Vec<_>>();
    let qoq = |f: fn(&modules::Qoq) -> Option<f64>| {
        trends
            .iter()
            .map(|t| t.qoq.as_ref().and_then(f))
            .collect::<Vec<_>>()
    };
    Ok(DataFrame::new_infer_height(vec![
        Column::new(
            "module_id".into(),
            trends
                .iter()
                .map(|t| t.module_id.clone())
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "business_line".into(),
            trends.iter().map(|t| t.line.clone()).collect::<Vec<_>>(),
        ),
        Column::new(
            "metric".into(),
            trends.iter().map(|t| t.metric).collect::<Vec<_>>(),
        ),
        Column::new(
            "series".into(),
            trends.iter().map(|t| t.series.clone()).collect::<Vec<_>>(),
        ),
        Column::new(
            "points".into(),
            trends.iter().map(|t| t.points as u64).collect::<Vec<_>>(),
        ),
        Column::new(
            "first_month".into(),
            trends
                .iter()
                .map(|t| t.first_month.clone())
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "last_month".into(),
            trends
                .iter()
                .map(|t| t.last_month.clone())
                .collect::<Vec<_>>(),
        ),
        Column::new("mk_s".into(), mk(|t| t.mk.map(|m| m.s))),
        Column::new("mk_tau".into(), mk(|t| t.mk.map(|m| m.tau))),
        Column::new("mk_z".into(), mk(|t| t.mk.map(|m| m.z))),
        Column::new("mk_p".into(), mk(|t| t.mk.map(|m| m.p))),
        Column::new("sen_slope".into(), mk(|t| t.sen_slope)),
        Column::new("q_value".into(), mk(|t| t.q_value)),
        Column::new(
            "verdict".into(),
            trends.iter().map(|t| t.verdict).collect::<Vec<_>>(),
        ),
        Column::new(
            "reviews".into(),
            trends
                .iter()
                .map(|t| t.qoq.map(|q| q.reviews))
                .collect::<Vec<_>>(),
        ),
        Column::new("defect_rate".into(), qoq(modules::Qoq::defect_rate)),
        Column::new(
            "prev_reviews".into(),
            trends
                .iter()
                .map(|t| t.qoq.map(|q| q.prev_reviews))
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "prev_defect_rate".into(),
            qoq(modules::Qoq::prev_defect_rate),
        ),
        Column::new("qoq_z".into(), qoq(|q| q.z)),
        Column::new("qoq_p".into(), qoq(|q| q.p)),
    ])?)
}

fn outcomes_frame(outcomes: &[Outcome]) -> Result<DataFrame> {
    let v = |f: fn(&Outcome) -> Option<f64>| outcomes.iter().map(f).collect::<Vec<_>>();
    let n = |f: fn(&Outcome) -> u64| outcomes.iter().map(f).collect::<Vec<_>>();
    Ok(DataFrame::new_infer_height(vec![
        Column::new(
            "module_id".into(),
            outcomes
                .iter()
                .map(|o| o.module_id.clone())
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "metric".into(),
            outcomes.iter().map(|o| o.metric).collect::<Vec<_>>(),
        ),
        Column::new("failed_sessions".into(), n(|o| o.failed_sessions)),
        Column::new("failed_n".into(), n(|o| o.failed_n)),
        Column::new("failed_value".into(), v(|o| o.failed_value)),
        Column::new("passed_sessions".into(), n(|o| o.passed_sessions)),
        Column::new("passed_n".into(), n(|o| o.passed_n)),
        Column::new("passed_value".into(), v(|o| o.passed_value)),
        Column::new("difference".into(), v(|o| o.difference)),
        Column::new("ci_low".into(), v(|o| o.ci_low)),
        Column::new("ci_high".into(), v(|o| o.ci_high)),
        Column::new(
            "interval".into(),
            outcomes.iter().map(|_| "newcombe 95%").collect::<Vec<_>>(),
        ),
    ])?)
}

/// One row per reviewer and month of the trend window with calibration
/// items, the reviewer's trend repeated on each row.
fn drift_frame(
    rows: &[ReviewerMonth],
    drift: &BTreeMap<String, Drift>,
    trend_months: &[String],
    period_months: &[String],
) -> Result<DataFrame> {
    let mut rows: Vec<&ReviewerMonth> = rows
        .iter()
        .filter(|r| trend_months.contains(&r.month))
        .collect();
    rows.sort_by(|a, b| (&a.reviewer_id, &a.month).cmp(&(&b.reviewer_id, &b.month)));
    let d = |r: &ReviewerMonth| drift.get(&r.reviewer_id);
    let v =
        |f: fn(&Drift) -> Option<f64>| rows.iter().map(|r| d(r).and_then(f)).collect::<Vec<_>>();
    Ok(DataFrame::new_infer_height(vec![
        Column::new(
            "reviewer_id".into(),
            rows.iter()
                .map(|r| r.reviewer_id.clone())
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "month".into(),
            rows.iter().map(|r| r.month.clone()).collect::<Vec<_>>(),
        ),
        Column::new(
            "in_period".into(),
            rows.iter()
                .map(|r| period_months.contains(&r.month))
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "items".into(),
            rows.iter().map(|r| r.items).collect::<Vec<_>>(),
        ),
        Column::new(
            "leniency".into(),
            rows.iter().map(|r| r.leniency).collect::<Vec<_>>(),
        ),
        Column::new(
            "agreement".into(),
            rows.iter().map(|r| r.agreement).collect::<Vec<_>>(),
        ),
        Column::new(
            "points".into(),
            rows.iter()
                .map(|r| d(r).map(|d| d.points as u64))
                .collect::<Vec<_>>(),
        ),
        Column::new("leniency_slope".into(), v(|d| d.sen_slope)),
        Column::new("mk_tau".into(), v(|d| d.mk.map(|m| m.tau))),
        Column::new("mk_p".into(), v(|d| d.mk.map(|m| m.p))),
        Column::new("q_value".into(), v(|d| d.q_value)),
        Column::new(
            "verdict".into(),
            rows.iter()
                .map(|r| d(r).map(|d| d.verdict))
                .collect::<Vec<_>>(),
        ),
    ])?)
}

/// `system_review`: one row per system module, and per single-point module
/// whose agreement was flagged in `[quarterly] flagged_months` or more
/// months of the period; modules to revise first.
struct SystemReview<'a> {
    cfg: &'a Config,
    standards: &'a Standards,
    period: &'a Period,
    series: &'a SeriesMap,
    current: &'a BTreeMap<String, String>,
    months: &'a [MonthFigures],
    trends: &'a [Trend],
    outcomes: &'a [Outcome],
}

/// One module's row of `system_review`.
struct ReviewRow<'a> {
    module: &'a Module,
    series: String,
    versions: String,
    changes: Option<String>,
    trend: [Option<&'a Trend>; 2],
    outcomes: [Option<&'a Outcome>; 3],
    flagged: (u32, u32),
    appeals: (u64, u64, u64),
    recommendation: String,
}

impl<'a> SystemReview<'a> {
    fn rows(&self, period_months: &[String], read: &[Month]) -> Vec<ReviewRow<'a>> {
        let mut rows = Vec::new();
        for (id, module) in modules_of(self.standards, &self.period.months) {
            let all_in_period = |f: &&MonthFigures| {
                f.module_id == id && f.line == "ALL" && period_months.contains(&f.month)
            };
            let months: Vec<&MonthFigures> = self.months.iter().filter(all_in_period).collect();
            let mut judged = std::collections::BTreeSet::new();
            let mut flagged = std::collections::BTreeSet::new();
            for f in &months {
                if f.judged {
                    judged.insert(&f.month);
                }
                if f.flagged {
                    flagged.insert(&f.month);
                }
            }
            let flagged = (flagged.len() as u32, judged.len() as u32);
            let system = module.scope.as_str() == "system";
            if !system && flagged.0 < self.cfg.quarterly.flagged_months.max(1) {
                continue;
            }
            let trend = |metric: &str| {
                self.trends
                    .iter()
                    .find(|t| t.module_id == id && t.line == "ALL" && t.metric == metric)
            };
            let outcome = |metric: &str| {
                self.outcomes
                    .iter()
                    .find(|o| o.module_id == id && o.metric == metric)
            };
            let appeals = months.iter().fold((0, 0, 0), |a, f| {
                (a.0 + f.appeals, a.1 + f.overturned, a.2 + f.upheld)
            });
            let trend = [trend("defect_rate"), trend("agreement")];
            let outcomes = [
                outcome("csat"),
                outcome("repeat_rate"),
                outcome("complaint_rate"),
            ];
            let label = headline_label(self.cfg.agreement.headline, module.scale.is_pass_fail());
            let figures = modules::ReviewFigures {
                headline_label: label,
                months_judged: flagged.1,
                months_flagged: flagged.0,
                defect: trend[0],
                agreement: trend[1],
                csat: outcomes[0],
                overturned: appeals.1,
                decided: appeals.1 + appeals.2,
            };
            let recommendation = modules::recommend(
                &figures,
                &self.cfg.agreement,
                &self.cfg.iteration,
                &self.cfg.quarterly,
            );
            let mut versions: Vec<String> = Vec::new();
            for m in read.iter().filter(|m| period_months.contains(&m.label)) {
                for f in months.iter().filter(|f| f.month == m.label) {
                    for v in self.series.versions_in(self.standards, &id, &f.series, m) {
                        if !versions.contains(&v) {
                            versions.push(v);
                        }
                    }
                }
            }
            let (from, to) = (
                self.period.first().first_day,
                self.period.last().next_first_day(),
            );
            let changes: Vec<String> = self
                .series
                .changes
                .iter()
                .filter(|c| c.module_id == id && c.effective_from >= from && c.effective_from < to)
                .map(|c| format!("{} from {}: {}", c.version, c.effective_from, c.change))
                .collect();
            rows.push(ReviewRow {
                module,
                series: self.current.get(&id).cloned().unwrap_or_default(),
                versions: versions.join(" → "),
                changes: (!changes.is_empty()).then(|| changes.join("; ")),
                trend,
                outcomes,
                flagged,
                appeals,
                recommendation,
            });
        }
        // Modules to revise first, then other findings, then stable ones.
        rows.sort_by_key(|r| {
            let rank = if r.recommendation.starts_with("revise") {
                0
            } else if r.recommendation == "stable" {
                2
            } else {
                1
            };
            (
                rank,
                r.module.scope.as_str() != "system",
                r.module.id.clone(),
            )
        });
        rows
    }

    fn frame(&self, period_months: &[String], read: &[Month]) -> Result<DataFrame> {
        let rows = self.rows(period_months, read);
        let trend = |i: usize, f: fn(&Trend) -> Option<f64>| {
            rows.iter()
                .map(|r| r.trend[i].and_then(f))
                .collect::<Vec<_>>()
        };
        let outcome = |i: usize, f: fn(&Outcome) -> Option<f64>| {
            rows.iter()
                .map(|r| r.outcomes[i].and_then(f))
                .collect::<Vec<_>>()
        };
        let qoq = |f: fn(&modules::Qoq) -> Option<f64>| {
            rows.iter()
                .map(|r| r.trend[0].and_then(|t| t.qoq.as_ref()).and_then(f))
                .collect::<Vec<_>>()
        };
        let rate = |x: u64, n: u64| (n > 0).then(|| x as f64 / n as f64);
        let text = |f: fn(&ReviewRow) -> String| rows.iter().map(f).collect::<Vec<_>>();
        Ok(DataFrame::new_infer_height(vec![
            Column::new("module_id".into(), text(|r| r.module.id.clone())),
            Column::new("module_name".into(), text(|r| r.module.name.clone())),
            Column::new(
                "module_name_zh".into(),
                rows.iter()
                    .map(|r| r.module.name_zh.clone())
                    .collect::<Vec<_>>(),
            ),
            Column::new("scope".into(), text(|r| r.module.scope.as_str().into())),
            Column::new("group".into(), text(|r| r.module.group.as_str().into())),
            Column::new("series".into(), text(|r| r.series.clone())),
            Column::new("versions".into(), text(|r| r.versions.clone())),
            Column::new(
                "series_changes".into(),
                rows.iter().map(|r| r.changes.clone()).collect::<Vec<_>>(),
            ),
            Column::new(
                "reviews".into(),
                rows.iter()
                    .map(|r| r.trend[0].and_then(|t| t.qoq).map(|q| q.reviews))
                    .collect::<Vec<_>>(),
            ),
            Column::new("defect_rate".into(), qoq(modules::Qoq::defect_rate)),
            Column::new(
                "prev_defect_rate".into(),
                qoq(modules::Qoq::prev_defect_rate),
            ),
            Column::new("qoq_p".into(), qoq(|q| q.p)),
            Column::new(
                "defect_trend".into(),
                rows.iter()
                    .map(|r| r.trend[0].map(|t| t.verdict))
                    .collect::<Vec<_>>(),
            ),
            Column::new("defect_sen_slope".into(), trend(0, |t| t.sen_slope)),
            Column::new("defect_q".into(), trend(0, |t| t.q_value)),
            Column::new(
                "agreement_trend".into(),
                rows.iter()
                    .map(|r| r.trend[1].map(|t| t.verdict))
                    .collect::<Vec<_>>(),
            ),
            Column::new("agreement_sen_slope".into(), trend(1, |t| t.sen_slope)),
            Column::new("agreement_q".into(), trend(1, |t| t.q_value)),
            Column::new(
                "months_flagged".into(),
                rows.iter().map(|r| r.flagged.0).collect::<Vec<_>>(),
            ),
            Column::new(
                "months_judged".into(),
                rows.iter().map(|r| r.flagged.1).collect::<Vec<_>>(),
            ),
            Column::new("csat_difference".into(), outcome(0, |o| o.difference)),
            Column::new("csat_ci_low".into(), outcome(0, |o| o.ci_low)),
            Column::new("csat_ci_high".into(), outcome(0, |o| o.ci_high)),
            Column::new("repeat_difference".into(), outcome(1, |o| o.difference)),
            Column::new("complaint_difference".into(), outcome(2, |o| o.difference)),
            Column::new(
                "appeals".into(),
                rows.iter().map(|r| r.appeals.0).collect::<Vec<_>>(),
            ),
            Column::new(
                "overturn_rate".into(),
                rows.iter()
                    .map(|r| rate(r.appeals.1, r.appeals.1 + r.appeals.2))
                    .collect::<Vec<_>>(),
            ),
            Column::new("recommendation".into(), text(|r| r.recommendation.clone())),
        ])?)
    }
}
