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
use crate::jobs::quarterly_tables::SystemReview;
use crate::load::ordered_join;
use crate::metrics::calibration::{self, Coefficients};
use crate::metrics::modules::{
    self, MonthFigures, OutcomeCounts, ReviewerMonth, SeriesChange, SeriesMap, TrendInputs,
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
    /// The period's months without a session (a period not over yet, or
    /// exports missing): the review covers the others only.
    pub months_without_sessions: Vec<String>,
    /// The latest session start read, local time with offset.
    pub data_until: Option<String>,
    pub tables: Vec<(String, DataFrame)>,
    /// Module definitions that changed within the months read.
    pub changes: Vec<SeriesChange>,
    /// The versions in force during the period.
    pub versions: Vec<String>,
    pub agreement: crate::config::AgreementConfig,
    /// Each module's recommendation in the report's language (module id →
    /// text); the `recommendation` column keeps the English.
    pub recommendations: BTreeMap<String, String>,
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
    let (n_sessions, months_without_sessions) = period_sessions(&sessions, period, cfg)?;
    let data_until = latest_start(&sessions, tz)?;
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
    let current = current_series(standards, &series, period);
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
        read: &read,
        period_months: &period_labels,
    };
    let (tables, recommendations) = review.tables(
        &modules_of(standards, &period.months),
        &calib.reviewers,
        &drift,
        &trend_labels,
    )?;
    let changes = changes_in(&series, &read, period, tz);
    let versions = versions_in_period(standards, period);
    Ok(QuarterlyPack {
        period: period.clone(),
        previous,
        trend_months: trend_labels,
        checked,
        sessions: n_sessions,
        months_without_sessions,
        data_until,
        tables,
        changes,
        versions,
        agreement: cfg.agreement.clone(),
        recommendations,
    })
}

/// Each module of the period with the series in force at its end.
fn current_series(
    standards: &Standards,
    series: &SeriesMap,
    period: &Period,
) -> BTreeMap<String, String> {
    modules_of(standards, &period.months)
        .keys()
        .filter_map(|id| Some((id.clone(), series.current(standards, id, period.last())?)))
        .collect()
}

/// The module changes that took effect in the months read.
fn changes_in(
    series: &SeriesMap,
    read: &[Month],
    period: &Period,
    tz: chrono_tz::Tz,
) -> Vec<SeriesChange> {
    let (from, to) = (read[0].start, period.last().end);
    series
        .changes
        .iter()
        .filter(|c| {
            let at = crate::standards::local_midnight_utc(c.effective_from, tz);
            at >= from && at < to
        })
        .cloned()
        .collect()
}

/// The scorecard versions in force at some time in the period.
fn versions_in_period(standards: &Standards, period: &Period) -> Vec<String> {
    let at_start = standards
        .scorecard_at(period.first().start)
        .map(|s| &s.version);
    standards
        .scorecards
        .iter()
        .filter(|s| s.effective_from_utc < period.last().end)
        .filter(|s| s.effective_from_utc >= period.first().start || Some(&s.version) == at_start)
        .map(|s| s.version.clone())
        .collect()
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
/// Sessions started in the period, and its months without one.
fn period_sessions(
    sessions: &DataFrame,
    period: &Period,
    cfg: &Config,
) -> Result<(usize, Vec<String>)> {
    let mut per_month: BTreeMap<&str, usize> = period
        .months
        .iter()
        .map(|m| (m.label.as_str(), 0))
        .collect();
    for m in sessions.column("local_month")?.str()?.iter().flatten() {
        if let Some(n) = per_month.get_mut(m) {
            *n += 1;
        }
    }
    let n = per_month.values().sum();
    let empty = per_month
        .iter()
        .filter(|(_, n)| **n == 0)
        .map(|(m, _)| m.to_string())
        .collect();
    if n == 0 {
        return Err(Error::bad_input(format!(
            "no sessions started in {} ({}) in {}",
            period.label,
            cfg.timezone.name(),
            cfg.data_dir.join("sessions").display()
        )));
    }
    Ok((n, empty))
}

/// The latest session start in `sessions` (already in memory), local time.
fn latest_start(sessions: &DataFrame, tz: chrono_tz::Tz) -> Result<Option<String>> {
    let latest = sessions
        .column("started_at")?
        .cast(&DataType::Int64)?
        .i64()?
        .max();
    Ok(latest
        .and_then(chrono::DateTime::from_timestamp_micros)
        .map(|t| t.with_timezone(&tz).to_rfc3339()))
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
fn with_series(review_modules: &LazyFrame, series: &SeriesMap) -> Result<LazyFrame> {
    Ok(review_modules
        .clone()
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
fn with_all_lines(lf: LazyFrame) -> PolarsResult<LazyFrame> {
    let all = lf.clone().with_column(lit("ALL").alias("business_line"));
    concat([lf, all], UnionArgs::default())
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
        let items = calibration::items(&ratings.rows, false);
        let names = &ratings.names;
        let mut groups: BTreeMap<ItemGroup, Vec<&calibration::Item>> = BTreeMap::new();
        for item in &items {
            for line in [names.line.text(item.line), "ALL"] {
                groups
                    .entry((
                        names.module.text(item.module).to_string(),
                        line.to_string(),
                        item.scale,
                    ))
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
        let df = calibration::reviewers(&items, &names.reviewer)?;
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

/// The key of `module_months`.
fn month_key() -> [Expr; 4] {
    [
        col("module_id"),
        col("series"),
        col("local_month"),
        col("business_line"),
    ]
}

/// Reviews, defects, mean score and appeals per module, series, month and
/// line (and `ALL`), with the month's calibration agreement.
fn module_months(
    scored: &LazyFrame,
    appeals: &DataFrame,
    agreement: &BTreeMap<(String, String, String, String), Coefficients>,
) -> Result<Vec<MonthFigures>> {
    let figures = with_all_lines(scored.clone())?.group_by(month_key()).agg([
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
    ))?
    .group_by(month_key())
    .agg([
        len().cast(DataType::UInt64).alias("appeals"),
        outcome_count("overturned"),
        outcome_count("upheld"),
    ]);
    let df = figures
        .join(
            appealed,
            month_key(),
            month_key(),
            ordered_join(JoinType::Left),
        )
        .collect()?;
    let mut out = month_figures(&df, agreement)?;
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

/// The collected month figures as rows, each with its month's agreement
/// on the same scale.
fn month_figures(
    df: &DataFrame,
    agreement: &BTreeMap<(String, String, String, String), Coefficients>,
) -> Result<Vec<MonthFigures>> {
    let text = |c: &str| -> Result<Vec<String>> {
        Ok(strings(df, c)?
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
        f64s(df, "mean_score")?,
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
