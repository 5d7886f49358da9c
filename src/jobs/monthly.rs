//! The monthly review pack. Rust reads only what the month needs (the month,
//! the month before, and the FCR look-ahead past the month's end), checks it,
//! and prepares plain enriched tables; the SQL files in queries/monthly/
//! aggregate them into the pack's tables.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use polars::prelude::*;
use polars::sql::SQLContext;

use crate::columns::{i64s, strings};
use crate::config::Config;
use crate::contract;
use crate::error::{Error, Result};
use crate::jobs::period::Month;
use crate::jobs::pipeline::{self, ReadWindows, ReviewFigures, SessionJoins};
use crate::load::ordered_join;
use crate::metrics::{calibration, iteration, sla};
use crate::standards::Standards;
use crate::tables::CheckedTables;
use crate::validate;

/// The pack's built-in tables, in the order they are run and reported.
pub const QUERIES: [(&str, &str); 6] = [
    (
        "business_lines",
        include_str!("../../queries/monthly/business_lines.sql"),
    ),
    (
        "repeat_causes",
        include_str!("../../queries/monthly/repeat_causes.sql"),
    ),
    ("agents", include_str!("../../queries/monthly/agents.sql")),
    (
        "categories",
        include_str!("../../queries/monthly/categories.sql"),
    ),
    ("appeals", include_str!("../../queries/monthly/appeals.sql")),
    (
        "overturned_cases",
        include_str!("../../queries/monthly/overturned_cases.sql"),
    ),
];

pub struct MonthlyPack {
    pub month: Month,
    pub previous: Month,
    pub checked: CheckedTables,
    pub fcr: FcrState,
    pub tables: Vec<(String, DataFrame)>,
    /// SLA overrides in force during the month with the sessions they touched.
    pub overrides: DataFrame,
    /// The calibration headline and threshold the tables were judged by.
    pub agreement: crate::config::AgreementConfig,
    /// First-response SLA per local day of the month (the page's chart).
    pub daily_first_response_sla: DataFrame,
    /// module_id → the iteration rules that fired (the page words them in
    /// its language; the `iteration` table keeps the English text).
    pub recommendations: Findings,
    /// Passes the FCR step took (`[memory] sessions_per_pass`).
    pub sessions_passes: u32,
    pub engine: EngineRun,
}

/// module_id → the iteration rules that fired for it.
pub type Findings = BTreeMap<String, Vec<iteration::Finding>>;

/// Which engine built the pack, for the manifest.
pub struct EngineRun {
    pub kind: crate::engine::EngineKind,
    /// Where the cluster wrote the rejected rows (Spark only; the local
    /// engine writes them in the pack's `rejects/`).
    pub rejects_at: Option<String>,
}

pub fn run(
    cfg: &Config,
    standards: &Standards,
    month: &Month,
    mut step: impl FnMut(&str),
) -> Result<MonthlyPack> {
    let previous = month.previous(cfg.timezone);
    let (read, reviews) = read_month(cfg, standards, month, &previous, &mut step)?;
    let sessions = read.sessions.lazy();

    step("QA scores");
    // Split by session once (when the sessions are), for the three joins;
    // the held reviews go with them and are freed at `joins.remove()`.
    let joins = read.sessions.joins(reviews)?;
    // Reply SLA and calibration count the month's sessions only (only their
    // messages were read).
    let in_month = col("local_month").eq(lit(month.label.clone()));
    // Millions of calibration rows at scale: joined as the other reviews
    // are, in the same pass.
    let calibration_join = |reviews: LazyFrame, keys: LazyFrame| {
        let month_keys = keys.filter(in_month.clone());
        calibration::with_lines(calibration::calibration_rows(reviews), month_keys)
    };
    let (reviews, calibration_rows) = joins.review_figures_and(&calibration_join)?;
    step("reply SLA");
    // Tens of millions of events at scale: held as the sessions are.
    let reply_events = reply_events(&joins, read.messages.clone(), &in_month, standards)?;
    let agent_time = agent_time(&read.sessions, read.checked.used("agent_hours"), month)?;
    let overrides = month_overrides(sessions.clone(), month)?;

    step("calibration agreement");
    let ratings = calibration::ratings_of(calibration_rows)?;
    joins.remove()?;
    let calibration = calibration::tables(&ratings, &cfg.agreement)?;

    step("running queries");
    let inputs = QueryInputs {
        sessions,
        reviews: &reviews,
        reply_events,
        agent_time,
        month,
        previous: &previous,
        fcr: &read.fcr,
    };
    let computed = Computed {
        calibration,
        ratings: &ratings,
        review_modules: &reviews.review_modules,
    };
    let (tables, recommendations) =
        pack_tables(cfg, standards, &read, inputs, computed, &mut step)?;
    Ok(MonthlyPack {
        month: month.clone(),
        previous,
        fcr: read.fcr,
        tables,
        overrides,
        agreement: cfg.agreement.clone(),
        daily_first_response_sla: read.daily_first_response_sla,
        recommendations,
        sessions_passes: read.sessions.passes,
        checked: read.checked,
        engine: EngineRun {
            kind: crate::engine::EngineKind::Polars,
            rejects_at: None,
        },
    })
}

/// The month's inputs read and checked, the sessions enriched and held;
/// nothing aggregated yet but FCR completeness and the daily SLA chart.
struct MonthRead {
    checked: CheckedTables,
    sessions: pipeline::Sessions,
    /// The month's messages, the largest table: never held, only scanned.
    messages: Option<LazyFrame>,
    fcr: FcrState,
    daily_first_response_sla: DataFrame,
}

/// The month read, and the window's reviews held as the sessions are.
fn read_month(
    cfg: &Config,
    standards: &Standards,
    month: &Month,
    previous: &Month,
    mut step: impl FnMut(&str),
) -> Result<(MonthRead, LazyFrame)> {
    let windows = ReadWindows::months(cfg, previous, month, Some(month), &month.label)?;
    // Sessions first: they are enriched, and the rows read dropped, before
    // the month's messages (the largest table) are read, so the two never
    // take memory at once.
    let (mut checked, used) = pipeline::scan_sessions(cfg, standards, &windows, &mut step)?;
    // The latest session read per line, anywhere in the window: does each
    // line's data reach one FCR window past the month's end?
    let latest_by_line = latest_start_by_line(used.clone())?;
    step("repeat visits and FCR");
    let rows_read = checked
        .tables
        .get("sessions")
        .map_or(0, |(c, _)| c.stats.used);
    let months = [previous, month];
    let sessions = pipeline::enrich_sessions_in_passes(
        used,
        rows_read,
        cfg,
        standards,
        &months,
        &cfg.out_dir,
    )?;
    pipeline::require_sessions(sessions.lazy(), month, cfg)?;
    let daily_first_response_sla =
        sla::daily_first_response_sla(sessions.lazy(), &standards.sla, &month.label, cfg.timezone)?;
    // Reviews, the second-largest table, are held as the sessions are.
    step("reading reviews");
    let reviews =
        pipeline::scan_checked(&mut checked, cfg, standards, &contract::REVIEWS, &windows)?;
    let reviews = sessions.hold(reviews, "reviews")?;
    let small = [
        &contract::REPEAT_CAUSES,
        &contract::APPEALS,
        &contract::AGENT_HOURS,
    ];
    pipeline::load_tables(&mut checked, cfg, standards, &windows, &small, &mut step)?;
    // The month's messages are checked in streaming passes and streamed
    // once more into reply events.
    step("reading messages");
    let messages = checked.load_scan(
        cfg,
        &contract::MESSAGES,
        windows.window(&contract::MESSAGES).as_ref(),
    )?;
    let fcr = fcr_state(cfg, sessions.lazy(), month, &latest_by_line)?;
    let read = MonthRead {
        checked,
        sessions,
        messages,
        fcr,
        daily_first_response_sla,
    };
    Ok((read, reviews))
}

/// The pack's tables: the SQL files' over the enriched inputs, the ones
/// Rust computes, then the user's queries over all of them; each module's
/// iteration findings.
fn pack_tables(
    cfg: &Config,
    standards: &Standards,
    read: &MonthRead,
    inputs: QueryInputs,
    computed: Computed,
    mut step: impl FnMut(&str),
) -> Result<(Vec<(String, DataFrame)>, Findings)> {
    let (month, previous) = (inputs.month, inputs.previous);
    let mut ctx = query_context(&read.checked, standards, inputs)?;
    let mut tables = Vec::new();
    for (name, sql) in QUERIES {
        tables.push((
            name.to_string(),
            run_sql(&read.sessions, &mut ctx, name, sql)?,
        ));
    }
    let recommendations = computed_tables(
        cfg,
        standards,
        month,
        previous,
        computed,
        &mut tables,
        &mut step,
    )?;
    // User queries read the computed tables like the others.
    for (name, df) in &tables[QUERIES.len()..] {
        ctx.register(name, df.clone().lazy());
    }
    run_extra_queries(cfg, &read.sessions, &mut ctx, &mut tables)?;
    Ok((tables, recommendations))
}

/// The month's FCR completeness, per line and for `ALL`.
pub struct FcrState {
    /// Every line with sessions in the month is complete.
    pub complete: bool,
    /// Per line with sessions in the month, by name.
    pub lines: Vec<LineCompleteness>,
    /// Latest session start in the data read, local time.
    pub data_until: Option<String>,
}

impl FcrState {
    /// From the lines with sessions in the month, the latest start read per
    /// line, and the latest of any line (both engines gather these).
    pub fn new(
        month_lines: &BTreeSet<String>,
        latest_by_line: &BTreeMap<String, i64>,
        latest_of_any: Option<i64>,
        cfg: &Config,
        month: &Month,
    ) -> FcrState {
        let reach_us = (month.end + cfg.fcr_window()).timestamp_micros();
        let lines = fcr_completeness(month_lines, latest_by_line, reach_us, cfg.timezone);
        FcrState {
            complete: lines.iter().all(|l| l.complete),
            lines,
            data_until: local_time(latest_of_any, cfg.timezone),
        }
    }
}

fn fcr_state(
    cfg: &Config,
    sessions: LazyFrame,
    month: &Month,
    latest_by_line: &BTreeMap<String, i64>,
) -> Result<FcrState> {
    Ok(FcrState::new(
        &month_lines(sessions, month)?,
        latest_by_line,
        latest_by_line.values().copied().max(),
        cfg,
        month,
    ))
}

/// Reply events of the month's sessions, each judged against the reply
/// threshold in force and the base one. Tens of millions of events a month
/// at scale: they carry only what the tables group them by.
fn reply_events(
    joins: &SessionJoins,
    messages: Option<LazyFrame>,
    in_month: &Expr,
    standards: &Standards,
) -> Result<LazyFrame> {
    let messages = match messages {
        Some(scan) => scan,
        None => validate::empty_used(&contract::MESSAGES, standards)?.lazy(),
    };
    let reply_keys = |keys: LazyFrame| {
        keys.filter(in_month.clone()).select([
            col("session_id"),
            col("business_line"),
            col("agent_id"),
            col("local_month"),
            col("reply_threshold_s"),
        ])
    };
    Ok(joins
        .reply_events(messages, reply_keys)?
        .with_columns([
            col("reply_s")
                .lt_eq(col("reply_threshold_s"))
                .cast(DataType::Int32)
                .alias("reply_met"),
            col("reply_s")
                .lt_eq(lit(standards.sla.reply_s))
                .cast(DataType::Int32)
                .alias("reply_met_base"),
        ])
        .drop(by_name(["reply_threshold_s"], true, false)))
}

/// SLA overrides in force during the month with the sessions they touched.
fn month_overrides(sessions: LazyFrame, month: &Month) -> Result<DataFrame> {
    Ok(crate::load::collect_streaming(
        sessions
            .filter(
                col("local_month")
                    .eq(lit(month.label.clone()))
                    .and(col("sla_override").is_not_null()),
            )
            .group_by([col("sla_override"), col("business_line")])
            .agg([
                len().alias("sessions"),
                col("first_response_threshold_s").first(),
                col("reply_threshold_s").first(),
                col("started_at").min().alias("first_session"),
                col("started_at").max().alias("last_session"),
            ])
            .sort(["sla_override", "business_line"], Default::default()),
    )?)
}

/// The enriched tables the month's SQL reads.
struct QueryInputs<'a> {
    sessions: LazyFrame,
    reviews: &'a ReviewFigures,
    reply_events: LazyFrame,
    agent_time: DataFrame,
    month: &'a Month,
    previous: &'a Month,
    fcr: &'a FcrState,
}

/// A SQL context with every table the built-in and the user's queries see.
fn query_context(
    checked: &CheckedTables,
    standards: &Standards,
    x: QueryInputs,
) -> Result<SQLContext> {
    let causes = checked.used_or_empty(&contract::REPEAT_CAUSES, standards)?;
    let appeals = checked.used_or_empty(&contract::APPEALS, standards)?;
    let cause_labels = DataFrame::new_infer_height(vec![
        Column::new(
            "cause".into(),
            standards.causes.keys().cloned().collect::<Vec<_>>(),
        ),
        Column::new(
            "label".into(),
            standards.causes.values().cloned().collect::<Vec<_>>(),
        ),
    ])?;
    let period = DataFrame::new_infer_height(vec![
        Column::new("month".into(), [x.month.label.clone()]),
        Column::new("prev_month".into(), [x.previous.label.clone()]),
        Column::new("fcr_complete".into(), [x.fcr.complete]),
    ])?;
    let ctx = SQLContext::new();
    ctx.register("sessions", x.sessions);
    ctx.register("review_scores", x.reviews.review_scores.clone());
    ctx.register("reply_events", x.reply_events);
    ctx.register("agent_time", x.agent_time.lazy());
    ctx.register("repeat_causes", causes.lazy());
    ctx.register("review_modules", x.reviews.review_modules.clone());
    ctx.register("appeals", appeals.lazy());
    ctx.register("cause_labels", cause_labels.lazy());
    ctx.register("period", period.lazy());
    ctx.register(
        "fcr_lines",
        fcr_lines_frame(&x.fcr.lines, x.fcr.complete)?.lazy(),
    );
    Ok(ctx)
}

/// What the tables Rust computes are computed from, whichever engine ran
/// the row-level work.
pub struct Computed<'a> {
    pub calibration: calibration::CalibrationTables,
    pub ratings: &'a calibration::Ratings,
    /// One row per review and module of the two months.
    pub review_modules: &'a LazyFrame,
}

/// The agreement statistics and the iteration rules, which have no
/// portable SQL form, appended to the pack's tables; each module's
/// iteration findings returned.
pub fn computed_tables(
    cfg: &Config,
    standards: &Standards,
    month: &Month,
    previous: &Month,
    computed: Computed,
    tables: &mut Vec<(String, DataFrame)>,
    mut step: impl FnMut(&str),
) -> Result<Findings> {
    let c = computed.calibration;
    tables.extend([
        ("agreement".to_string(), c.agreement),
        ("agreement_rounds".to_string(), c.agreement_rounds),
        ("disagreements".to_string(), c.disagreements),
        ("reviewers".to_string(), c.reviewers),
    ]);
    step("standard iteration");
    let (standard_tables, recommendations) = iteration_tables(
        cfg,
        standards,
        month,
        previous,
        computed.review_modules,
        computed.ratings,
        tables,
    )?;
    tables.extend(standard_tables.map(|(n, df)| (n.to_string(), df)));
    Ok(recommendations)
}

/// `iteration` and `scorecard_changes`, from the pack's agreement and
/// appeals tables.
fn iteration_tables(
    cfg: &Config,
    standards: &Standards,
    month: &Month,
    previous: &Month,
    review_modules: &LazyFrame,
    ratings: &calibration::Ratings,
    tables: &[(String, DataFrame)],
) -> Result<IterationTables> {
    let table = |name: &str| {
        tables
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, df)| df)
            .ok_or_else(|| Error::other(format!("the pack has no {name} table")))
    };
    let inputs = iteration::IterationInputs {
        standards,
        month,
        previous,
        review_modules,
        agreement: table("agreement")?,
        appeals: table("appeals")?,
        ratings,
        agreement_cfg: &cfg.agreement,
        iteration_cfg: &cfg.iteration,
    };
    let it = iteration::iteration(&inputs)?;
    Ok((
        [
            ("iteration", it.table),
            ("scorecard_changes", iteration::scorecard_changes(&inputs)?),
        ],
        it.findings,
    ))
}

/// The two iteration tables, and each module's findings.
type IterationTables = ([(&'static str, DataFrame); 2], Findings);

/// The user's `[monthly] extra_queries`, each an extra table of the pack.
fn run_extra_queries(
    cfg: &Config,
    sessions: &pipeline::Sessions,
    ctx: &mut SQLContext,
    tables: &mut Vec<(String, DataFrame)>,
) -> Result<()> {
    let dir = cfg.monthly.extra_queries.as_deref();
    for (name, sql) in extra_queries(dir)? {
        if tables.iter().any(|(n, _)| *n == name) {
            return Err(Error::bad_input(format!(
                "extra query {name}.sql has the name of a built-in table"
            )));
        }
        // The user's SQL is input like the data: a broken file is bad input.
        let df = run_sql(sessions, ctx, &name, &sql).map_err(|e| {
            let file = dir.unwrap_or(Path::new("")).join(format!("{name}.sql"));
            Error::bad_input(format!("{}: {e}", file.display()))
        })?;
        tables.push((name, df));
    }
    Ok(())
}

/// Whether one business line's data reaches one FCR window past the
/// month's end, so that every repeat visit of its sessions can be seen.
#[derive(Debug, Clone)]
pub struct LineCompleteness {
    pub line: String,
    pub complete: bool,
    /// The line's latest session start read, local time.
    pub data_until: Option<String>,
}

/// The latest `started_at` (microseconds) per business line.
fn latest_start_by_line(sessions: LazyFrame) -> Result<BTreeMap<String, i64>> {
    let df = crate::load::collect_streaming(
        sessions
            .group_by([col("business_line")])
            .agg([col("started_at")
                .cast(DataType::Int64)
                .max()
                .alias("latest")]),
    )?;
    let (lines, latest) = (strings(&df, "business_line")?, i64s(&df, "latest")?);
    Ok(lines
        .into_iter()
        .zip(latest)
        .filter_map(|(line, t)| Some((line?, t?)))
        .collect())
}

/// The business lines with sessions started in the month.
fn month_lines(sessions: LazyFrame, month: &Month) -> Result<BTreeSet<String>> {
    let lines = crate::load::collect_streaming(
        sessions
            .filter(col("local_month").eq(lit(month.label.clone())))
            .select([col("business_line")])
            .unique(None, UniqueKeepStrategy::Any),
    )?;
    Ok(strings(&lines, "business_line")?
        .into_iter()
        .flatten()
        .collect())
}

/// A line is complete when its own latest session starts at or after
/// `reach_us` (the month's end plus the FCR window): one stray late row of
/// another line says nothing about it.
fn fcr_completeness(
    lines: &BTreeSet<String>,
    latest_by_line: &BTreeMap<String, i64>,
    reach_us: i64,
    tz: chrono_tz::Tz,
) -> Vec<LineCompleteness> {
    lines
        .iter()
        .map(|line| {
            let latest = latest_by_line.get(line).copied();
            LineCompleteness {
                line: line.clone(),
                complete: latest.is_some_and(|t| t >= reach_us),
                // To the second: the report names it beside the line.
                data_until: latest
                    .and_then(chrono::DateTime::from_timestamp_micros)
                    .map(|t| {
                        t.with_timezone(&tz)
                            .to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
                    }),
            }
        })
        .collect()
}

fn local_time(us: Option<i64>, tz: chrono_tz::Tz) -> Option<String> {
    us.and_then(chrono::DateTime::from_timestamp_micros)
        .map(|t| t.with_timezone(&tz).to_rfc3339())
}

/// `fcr_lines` for the queries: one row per line, and `ALL` (complete only
/// when every line is).
fn fcr_lines_frame(lines: &[LineCompleteness], all_complete: bool) -> Result<DataFrame> {
    let mut names: Vec<String> = lines.iter().map(|l| l.line.clone()).collect();
    let mut complete: Vec<bool> = lines.iter().map(|l| l.complete).collect();
    let mut until: Vec<Option<String>> = lines.iter().map(|l| l.data_until.clone()).collect();
    names.push("ALL".into());
    complete.push(all_complete);
    until.push(None);
    Ok(DataFrame::new_infer_height(vec![
        Column::new("business_line".into(), names),
        Column::new("fcr_complete".into(), complete),
        Column::new("data_until".into(), until),
    ])?)
}

fn run_sql(
    sessions: &pipeline::Sessions,
    ctx: &mut SQLContext,
    name: &str,
    sql: &str,
) -> Result<DataFrame> {
    ctx.execute(sql)
        .and_then(|lf| sessions.collect(lf))
        .map_err(|e| Error::other(format!("query {name}.sql: {e}")))
}

/// Agent time per (business_line, agent_id) for the month, with rows for
/// business_line `ALL`: `hours`, `cph_sessions` (the sessions CPH counts)
/// and `days_without_hours` (local days on which the agent handled sessions
/// of the line but logged no hours; null without agent_hours).
fn agent_time(
    enriched: &pipeline::Sessions,
    hours: Option<&DataFrame>,
    month: &Month,
) -> Result<DataFrame> {
    let worked = enriched.lazy().filter(
        col("local_month")
            .eq(lit(month.label.clone()))
            .and(col("agent_id").is_not_null()),
    );
    let lf = match hours {
        Some(h) => logged_time(worked, month_hours(h, month))?,
        None => session_hours(worked)?,
    };
    Ok(enriched.collect(lf.sort(["business_line", "agent_id"], Default::default()))?)
}

/// Logged hours per (agent_id, local_date) of the month, as `day_hours`.
fn month_hours(hours: &DataFrame, month: &Month) -> LazyFrame {
    hours
        .clone()
        .lazy()
        .filter(
            col("date")
                .gt_eq(lit(month.first_day))
                .and(col("date").lt(lit(month.next_first_day()))),
        )
        .group_by_stable([col("agent_id"), col("date").alias("local_date")])
        .agg([col("logged_in_hours")
            .cast(DataType::Float64)
            .sum()
            .alias("day_hours")])
}

/// One row of agent time, in the column order every part shares.
fn time_row(line: Expr, hours: Expr, cph_sessions: Expr, without: Expr) -> [Expr; 5] {
    [
        line.alias("business_line"),
        col("agent_id"),
        hours.cast(DataType::Float64).alias("hours"),
        cph_sessions.cast(DataType::Int64).alias("cph_sessions"),
        without.cast(DataType::Int64).alias("days_without_hours"),
    ]
}

fn agent_day() -> [Expr; 2] {
    [col("agent_id"), col("local_date")]
}

/// An agent-day counts for CPH when hours were logged that day.
fn has_hours() -> Expr {
    col("day_hours").fill_null(lit(0.0)).gt(lit(0.0))
}

/// `n` when the agent-day has hours, else 0: CPH's numerator.
fn counted(n: &str) -> Expr {
    when(has_hours()).then(col(n)).otherwise(lit(0i64))
}

/// With agent_hours. CPH counts only the sessions of agents with hours
/// logged that local day. A day's hours are split across lines in
/// proportion to the agent's sessions of each line that day; the hours of a
/// day without sessions follow the agent's sessions of the month across
/// lines; an agent without sessions in the month counts for ALL only, which
/// has every logged hour.
fn logged_time(worked: LazyFrame, logged: LazyFrame) -> PolarsResult<LazyFrame> {
    // Sessions per line and agent-day, and per agent-day with its hours.
    let line_days = worked
        .group_by_stable([col("business_line"), col("agent_id"), col("local_date")])
        .agg([len().cast(DataType::Int64).alias("n")]);
    let days = line_days
        .clone()
        .group_by_stable(agent_day())
        .agg([col("n").sum().alias("day_n")])
        .join(
            logged.clone(),
            agent_day(),
            agent_day(),
            ordered_join(JoinType::Left),
        );
    let parts = [
        worked_day_shares(line_days.clone(), days.clone()),
        idle_day_shares(line_days, days.clone(), logged.clone()),
        // ALL: every logged hour, and each agent-day once.
        logged.select(time_row(lit("ALL"), col("day_hours"), lit(0), lit(0))),
        days.select(time_row(
            lit("ALL"),
            lit(0.0),
            counted("day_n"),
            has_hours().not(),
        )),
    ];
    Ok(concat(parts, UnionArgs::default())?
        .group_by_stable([col("business_line"), col("agent_id")])
        .agg([
            col("hours").sum(),
            col("cph_sessions").sum(),
            col("days_without_hours").sum(),
        ]))
}

/// Days with sessions: each line's share of the day's hours, its sessions
/// when the day has hours, and the day when it has none.
fn worked_day_shares(line_days: LazyFrame, days: LazyFrame) -> LazyFrame {
    let share = col("day_hours").fill_null(lit(0.0)) * col("n").cast(DataType::Float64)
        / col("day_n").cast(DataType::Float64);
    line_days
        .join(days, agent_day(), agent_day(), ordered_join(JoinType::Left))
        .select(time_row(
            col("business_line"),
            share,
            counted("n"),
            has_hours().not(),
        ))
}

/// Days with hours but no sessions: each line's share of the agent's
/// sessions in the month. Agents without sessions get no line rows.
fn idle_day_shares(line_days: LazyFrame, days: LazyFrame, logged: LazyFrame) -> LazyFrame {
    let idle = logged
        .join(
            days.select([col("agent_id"), col("local_date"), col("day_n")]),
            agent_day(),
            agent_day(),
            ordered_join(JoinType::Left),
        )
        .filter(col("day_n").is_null())
        .group_by_stable([col("agent_id")])
        .agg([col("day_hours").sum().alias("idle_hours")]);
    let agent_n = line_days
        .clone()
        .group_by_stable([col("agent_id")])
        .agg([col("n").sum().alias("agent_n")]);
    let share = col("idle_hours") * col("line_n").cast(DataType::Float64)
        / col("agent_n").cast(DataType::Float64);
    line_days
        .group_by_stable([col("business_line"), col("agent_id")])
        .agg([col("n").sum().alias("line_n")])
        .join(
            agent_n,
            [col("agent_id")],
            [col("agent_id")],
            ordered_join(JoinType::Inner),
        )
        .join(
            idle,
            [col("agent_id")],
            [col("agent_id")],
            ordered_join(JoinType::Inner),
        )
        .select(time_row(col("business_line"), share, lit(0), lit(0)))
}

/// Without agent_hours: the distinct (local date, hour) in which the agent
/// started a session of the line (of any line for ALL), every agent-handled
/// session counted.
fn session_hours(worked: LazyFrame) -> PolarsResult<LazyFrame> {
    let per_line = |line: Expr| {
        let lf = worked.clone().with_column(line.alias("business_line"));
        let keys = || [col("business_line"), col("agent_id")];
        lf.clone()
            .select([
                col("business_line"),
                col("agent_id"),
                col("local_date"),
                col("local_hour"),
            ])
            .unique(None, UniqueKeepStrategy::First)
            .group_by(keys())
            .agg([len().alias("hours")])
            .join(
                lf.group_by(keys()).agg([len().alias("sessions")]),
                keys(),
                keys(),
                ordered_join(JoinType::Inner),
            )
            .select(time_row(
                col("business_line"),
                col("hours"),
                col("sessions"),
                lit(NULL),
            ))
    };
    concat(
        [per_line(col("business_line")), per_line(lit("ALL"))],
        UnionArgs::default(),
    )
}

/// The user's own `.sql` files, each an extra table named after its file.
fn extra_queries(dir: Option<&Path>) -> Result<Vec<(String, String)>> {
    let Some(dir) = dir else {
        return Ok(Vec::new());
    };
    let entries = std::fs::read_dir(dir)
        .map_err(|e| Error::bad_input(format!("[monthly] extra_queries {}: {e}", dir.display())))?;
    let mut out = BTreeMap::new();
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().and_then(|e| e.to_str()) != Some("sql") {
            continue;
        }
        let name = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let sql = std::fs::read_to_string(&path)
            .map_err(|e| Error::bad_input(format!("{}: {e}", path.display())))?;
        out.insert(name, sql);
    }
    Ok(out.into_iter().collect())
}
