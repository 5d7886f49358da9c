//! The steps every reporting job shares: say which part of each table the
//! job's months need, load and check the tables, enrich sessions (FCR
//! flags, SLA thresholds, per-session indicators) and reviews (scores and
//! module scores with their session's line). The monthly pack and the
//! quarterly review are built from these steps, so a figure means the same
//! in both.

use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, Utc};
use polars::prelude::*;

use crate::config::Config;
use crate::contract::{self, TableSpec};
use crate::enrich;
use crate::error::{Context, Error, Result};
use crate::jobs::by_session::{session_part, BySession, ReviewJoin, SplitBySession};
use crate::jobs::period::Month;
use crate::jobs::spill::{self, Parts, SpillDir, Splitter, WriteBehind};
use crate::load::{instant_lit, ordered_join, Window};
use crate::metrics::{fcr, qa, sla};
use crate::standards::Standards;
use crate::tables::CheckedTables;
use crate::validate;

/// The part of each table a job reads, for reported months `first..=last`.
#[derive(Debug, Clone)]
pub struct ReadWindows {
    /// Sessions: one FCR window (plus the longest session) before `first`,
    /// for its repeat flags, to one window after `last`, for FCR look-ahead.
    pub sessions: (DateTime<Utc>, DateTime<Utc>),
    /// Messages of the sessions of one month (None: messages are not read).
    pub messages: Option<(DateTime<Utc>, DateTime<Utc>)>,
    /// Reviews and appeals come after their session, however late.
    pub reviews_from: DateTime<Utc>,
    /// Agent hours: local dates in [from, to).
    pub hours: (NaiveDate, NaiveDate),
}

impl ReadWindows {
    /// The windows for months `first..=last`, with the messages of
    /// `messages_of` when the job reports reply SLA. `label` names the
    /// period in the error when the dates overflow.
    pub fn months(
        cfg: &Config,
        first: &Month,
        last: &Month,
        messages_of: Option<&Month>,
        label: &str,
    ) -> Result<ReadWindows> {
        let window = cfg.fcr_window();
        // A session's FCR window runs from its end, at most the longest
        // session accepted after its start: the reads reach that much
        // further.
        let slack = cfg.max_session();
        let out_of_range = || Error::bad_input(format!("{label}: month out of range"));
        let from = first
            .start
            .checked_sub_signed(window + slack)
            .ok_or_else(out_of_range)?;
        let to = last
            .end
            .checked_add_signed(window + slack)
            .ok_or_else(out_of_range)?;
        let messages = match messages_of {
            // Reply SLA is reported for the month only: its sessions'
            // messages, which may run past the month's end.
            Some(m) => Some((
                m.start,
                m.end.checked_add_signed(slack).ok_or_else(out_of_range)?,
            )),
            None => None,
        };
        Ok(ReadWindows {
            sessions: (from, to),
            messages,
            reviews_from: first.start,
            hours: (first.first_day, last.next_first_day()),
        })
    }

    /// The windows for sessions that started in `[from, to)`, arbitrary
    /// instants (an event, its baseline and control), with their messages
    /// and the same FCR reach as for months. `label` names the event in the
    /// error when the dates overflow.
    pub fn instants(
        cfg: &Config,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        label: &str,
    ) -> Result<ReadWindows> {
        let reach = cfg.fcr_window() + cfg.max_session();
        let out_of_range = || Error::bad_input(format!("{label}: time out of range"));
        let read_to = to.checked_add_signed(reach).ok_or_else(out_of_range)?;
        let messages_to = to
            .checked_add_signed(cfg.max_session())
            .ok_or_else(out_of_range)?;
        let local_day = |t: DateTime<Utc>| t.with_timezone(&cfg.timezone).date_naive();
        Ok(ReadWindows {
            sessions: (
                from.checked_sub_signed(reach).ok_or_else(out_of_range)?,
                read_to,
            ),
            messages: Some((from, messages_to)),
            reviews_from: from,
            hours: (
                local_day(from),
                local_day(to).succ_opt().ok_or_else(out_of_range)?,
            ),
        })
    }

    /// The part of `spec`'s table to read (None: all of it).
    pub fn window(&self, spec: &TableSpec) -> Option<Window> {
        let instants = |column, from, to| Window::Instants { column, from, to };
        match spec.name {
            "sessions" => Some(instants(
                "started_at",
                Some(self.sessions.0),
                Some(self.sessions.1),
            )),
            "messages" => self
                .messages
                .map(|(from, to)| instants("sent_at", Some(from), Some(to))),
            "reviews" => Some(instants("reviewed_at", Some(self.reviews_from), None)),
            "appeals" => Some(instants("filed_at", Some(self.reviews_from), None)),
            "agent_hours" => Some(Window::Dates {
                column: "date",
                from: Some(self.hours.0),
                to: Some(self.hours.1),
            }),
            _ => None,
        }
    }
}

/// Check the sessions in the window and take their used rows out, so that
/// they are enriched (and the raw rows dropped) before larger tables are read.
pub fn load_sessions(
    cfg: &Config,
    standards: &Standards,
    windows: &ReadWindows,
    mut step: impl FnMut(&str),
) -> Result<(CheckedTables, DataFrame)> {
    let mut checked = CheckedTables::load(
        cfg,
        standards,
        &[&contract::SESSIONS],
        |s| windows.window(s),
        |t| step(&format!("reading {t}")),
    )?;
    let used = checked.take_used(&contract::SESSIONS, standards)?;
    Ok((checked, used))
}

/// The sessions of the window checked in streaming passes: their counts
/// and rejects join `checked`, their used rows stay a scan.
pub fn scan_sessions(
    cfg: &Config,
    standards: &Standards,
    windows: &ReadWindows,
    mut step: impl FnMut(&str),
) -> Result<(CheckedTables, LazyFrame)> {
    step("reading sessions");
    let mut checked = CheckedTables::empty();
    let used = scan_checked(&mut checked, cfg, standards, &contract::SESSIONS, windows)?;
    Ok((checked, used))
}

/// One table of the window checked in streaming passes
/// (`validate::check_streamed_by`): its counts and rejects join `checked`,
/// its used rows stay a scan (empty when the optional table is absent).
pub fn scan_checked(
    checked: &mut CheckedTables,
    cfg: &Config,
    standards: &Standards,
    spec: &'static TableSpec,
    windows: &ReadWindows,
) -> Result<LazyFrame> {
    match crate::load::load_table(cfg, spec, windows.window(spec).as_ref())? {
        Some(table) => {
            let files = table.files_read();
            // Keys are narrower than the rows an FCR pass holds.
            let keys = cfg.memory.sessions_per_pass.saturating_mul(2);
            let scan = validate::check_streamed_by(table, cfg, standards, keys)?;
            checked.tables.insert(spec.name, (scan.checked, files));
            Ok(scan.used)
        }
        None => Ok(validate::empty_used(spec, standards)?.lazy()),
    }
}

/// Enriched sessions (`enrich_sessions`), held in memory or, when the
/// window read more than `[memory] sessions_per_pass` sessions, written to
/// working files under `spill_root` and scanned from there.
pub struct Sessions {
    scan: LazyFrame,
    /// Holds the working files for as long as the scan reads them.
    spill: Option<SpillDir>,
    /// Over working files: the sessions' keys (`session_keys_of`), split
    /// by session (`by_session::session_part`) as the passes were enriched.
    keys_by_session: Option<Parts>,
    /// How many passes the FCR step took (1: in memory).
    pub passes: u32,
}

impl Sessions {
    pub fn lazy(&self) -> LazyFrame {
        self.scan.clone()
    }

    /// Run a query over the sessions (or what was derived from them). In
    /// memory, Polars' default engine, whose float sums add in a fixed
    /// order, so a rerun gives the same bytes; over working files, the
    /// streaming engine, whose memory does not grow with the rows (its
    /// float sums may differ from run to run in the last digit).
    pub fn collect(&self, lf: LazyFrame) -> PolarsResult<DataFrame> {
        match self.spill {
            None => lf.collect(),
            Some(_) => crate::load::collect_streaming(lf),
        }
    }

    /// The joins of the session keys (`session_keys_of`) and `reviews`
    /// (and later messages) to the sessions, made the way the sessions are
    /// held: in memory, or over working files split by session once.
    pub fn joins(&self, reviews: LazyFrame) -> Result<SessionJoins<'_>> {
        Ok(match (&self.spill, &self.keys_by_session) {
            (Some(dir), Some(keys)) => {
                SessionJoins::Split(SplitBySession::new(self.by_session(dir), keys, reviews)?)
            }
            _ => SessionJoins::Whole {
                keys: session_keys_of(self.lazy()),
                reviews,
            },
        })
    }

    fn by_session<'a>(&self, dir: &'a SpillDir) -> BySession<'a> {
        BySession {
            dir,
            passes: self.passes,
        }
    }

    /// A large table derived from the sessions, held the way they are: in
    /// memory, or written to a working file beside them and scanned.
    pub fn hold(&self, lf: LazyFrame, name: &str) -> Result<LazyFrame> {
        match &self.spill {
            None => Ok(lf.collect()?.lazy()),
            Some(dir) => spill::hold(lf, dir.path(), name),
        }
    }
}

/// Session keys and reviews, ready to be joined: whole in memory, or split
/// by session over working files (`SplitBySession`).
// One value a run: the variants' sizes do not matter.
#[allow(clippy::large_enum_variant)]
pub enum SessionJoins<'a> {
    Whole { keys: LazyFrame, reviews: LazyFrame },
    Split(SplitBySession<'a>),
}

impl SessionJoins<'_> {
    /// `review_figures_of` the reviews and keys, and `other` join of them,
    /// held: over working files, in one pass over the reviews.
    pub fn review_figures_and(&self, other: &ReviewJoin<'_>) -> Result<(ReviewFigures, LazyFrame)> {
        let joins: [(&str, &ReviewJoin<'_>); 3] = [
            ("review-scores", &scores_with_keys),
            ("review-modules", &with_keys),
            ("review-other", other),
        ];
        let held = match self {
            SessionJoins::Whole { keys, reviews } => joins
                .iter()
                .map(|(_, join)| Ok(join(reviews.clone(), keys.clone()).collect()?.lazy()))
                .collect::<Result<Vec<_>>>()?,
            SessionJoins::Split(split) => split.reviews_joined(&joins)?,
        };
        match <[LazyFrame; 3]>::try_from(held) {
            Ok([review_scores, review_modules, other]) => Ok((
                ReviewFigures {
                    review_scores,
                    review_modules,
                },
                other,
            )),
            Err(_) => Err(Error::other("review joins: a result is missing")),
        }
    }

    /// Reply events (`sla::reply_events`) of the sessions `keys_of` keeps
    /// of the keys, held.
    pub fn reply_events(
        &self,
        messages: LazyFrame,
        keys_of: impl Fn(LazyFrame) -> LazyFrame,
    ) -> Result<LazyFrame> {
        match self {
            SessionJoins::Whole { keys, .. } => {
                Ok(sla::reply_events(messages, keys_of(keys.clone()))?
                    .collect()?
                    .lazy())
            }
            SessionJoins::Split(split) => split.reply_events(messages, keys_of),
        }
    }

    /// Delete the working files, once every join is made.
    pub fn remove(self) -> Result<()> {
        match self {
            SessionJoins::Whole { .. } => Ok(()),
            SessionJoins::Split(split) => split.remove(),
        }
    }
}

/// `enrich_sessions` over a scan of `rows_read` used sessions, in passes of
/// at most about `[memory] sessions_per_pass` sessions: the scan is split by
/// customer into working files (every session of a customer lands in the
/// same one, so its FCR flags come out whole), each file is enriched alone
/// and written back, and the result is their scan. Figures are the same as
/// in one pass; only the row order differs.
pub fn enrich_sessions_in_passes(
    used: LazyFrame,
    rows_read: u64,
    cfg: &Config,
    standards: &Standards,
    months: &[&Month],
    spill_root: &Path,
) -> Result<Sessions> {
    let passes = rows_read.div_ceil(cfg.memory.sessions_per_pass).max(1);
    let passes = u32::try_from(passes).unwrap_or(u32::MAX).min(MAX_PASSES);
    if passes == 1 {
        let df = crate::load::collect_streaming(used)?;
        let enriched = enrich_sessions(df, cfg, standards, months)?;
        return Ok(Sessions {
            scan: enriched.lazy(),
            spill: None,
            keys_by_session: None,
            passes: 1,
        });
    }
    let dir = SpillDir::create(spill_root)?;
    let read = spill::write_parts(used, customer_part(passes), passes, dir.path(), "read")?;
    // The schema of the enriched sessions, for a window whose rows all
    // went to no file (every session rejected).
    let none = validate::empty_used(&contract::SESSIONS, standards)?;
    let empty = enrich_sessions(none, cfg, standards, months)?.lazy();
    // The keys are split by session here, from each pass in memory, for
    // the joins to come: not from another read of every session.
    let mut keys = Splitter::new(session_keys_of(empty.clone()), passes, dir.path(), "keys");
    let enrich = |part: DataFrame| enrich_sessions(part, cfg, standards, months);
    let enriched_files = enrich_each(&read, dir.path(), &mut keys, passes, enrich)?;
    let keys_by_session = Some(keys.finish()?);
    let scan = spill::scan_all(&enriched_files, empty)?;
    Ok(Sessions {
        scan,
        spill: Some(dir),
        keys_by_session,
        passes,
    })
}

/// `enrich` of each `read` working file (removed once read), written to
/// `<dir>/sessions-<k>.parquet`, its keys added to `keys`; the files
/// written. A pass is written while the next is enriched: the FCR flags
/// run on one core, the writer on the other.
fn enrich_each(
    read: &[PathBuf],
    dir: &Path,
    keys: &mut Splitter,
    passes: u32,
    enrich: impl Fn(DataFrame) -> Result<DataFrame>,
) -> Result<Vec<PathBuf>> {
    let mut files = Vec::with_capacity(read.len());
    let mut behind = WriteBehind::default();
    for (k, path) in read.iter().enumerate() {
        let enriched = enrich(spill::scan(path)?.collect()?)?;
        std::fs::remove_file(path).other_ctx(|| format!("removing {}", path.display()))?;
        keys.add(session_keys(&enriched), session_part(passes))?;
        let out = dir.join(format!("sessions-{k}.parquet"));
        files.push(out.clone());
        behind.write(enriched, out)?;
    }
    behind.wait()?;
    Ok(files)
}

/// More passes than this would be files too small to be worth it.
const MAX_PASSES: u32 = 256;

/// Which pass a session belongs to: by its customer, so a customer's
/// sessions stay together (anonymous ones, which FCR ignores, by their own
/// id, so they spread evenly).
fn customer_part(passes: u32) -> Expr {
    spill::hash_part(col("customer_id").fill_null(col("session_id")), passes)
}

/// Check the review-side tables (reviews, repeat causes, appeals, agent
/// hours) in the window and add them to `checked`.
pub fn load_review_tables(
    checked: &mut CheckedTables,
    cfg: &Config,
    standards: &Standards,
    windows: &ReadWindows,
    step: impl FnMut(&str),
) -> Result<()> {
    let specs = [
        &contract::REVIEWS,
        &contract::REPEAT_CAUSES,
        &contract::APPEALS,
        &contract::AGENT_HOURS,
    ];
    load_tables(checked, cfg, standards, windows, &specs, step)
}

/// Check `specs` in the window, each held whole, and add them to `checked`.
pub fn load_tables(
    checked: &mut CheckedTables,
    cfg: &Config,
    standards: &Standards,
    windows: &ReadWindows,
    specs: &[&'static TableSpec],
    mut step: impl FnMut(&str),
) -> Result<()> {
    checked.extend(CheckedTables::load(
        cfg,
        standards,
        specs,
        |s| windows.window(s),
        |t| step(&format!("reading {t}")),
    )?);
    Ok(())
}

/// Sessions with local calendar columns, FCR flags, the SLA thresholds in
/// force when each started and the 0/1 indicators the queries sum, kept to
/// the sessions that started in `months`.
pub fn enrich_sessions(
    sessions_used: DataFrame,
    cfg: &Config,
    standards: &Standards,
    months: &[&Month],
) -> Result<DataFrame> {
    let in_months = months
        .iter()
        .map(|m| col("local_month").eq(lit(m.label.clone())))
        .reduce(|a, b| a.or(b))
        .unwrap_or(lit(false));
    enriched(sessions_used, cfg, standards, in_months)
}

/// The same enriched sessions, kept to those that started in `[from, to)`.
pub fn enrich_sessions_between(
    sessions_used: DataFrame,
    cfg: &Config,
    standards: &Standards,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<DataFrame> {
    let between = col("started_at")
        .gt_eq(instant_lit(from))
        .and(col("started_at").lt(instant_lit(to)));
    enriched(sessions_used, cfg, standards, between)
}

fn enriched(
    sessions_used: DataFrame,
    cfg: &Config,
    standards: &Standards,
    keep: Expr,
) -> Result<DataFrame> {
    Ok(enrich::sessions(sessions_used.lazy(), cfg)?
        .with_columns(sla::thresholds(&standards.sla))
        .with_columns(indicators(cfg, standards.sla.first_response_s))
        .filter(keep)
        .collect()?)
}

/// CSAT, FCR and complaint rate per line, and `ALL`, of the sessions that
/// started in `month`, with the same flags and shares as business_lines
/// (queries/monthly/business_lines.sql), aggregated before collecting:
/// only the sums per line are ever in memory, not the enriched sessions.
pub fn line_rates(
    sessions_used: DataFrame,
    cfg: &Config,
    standards: &Standards,
    month: &Month,
) -> Result<DataFrame> {
    // Summed as 64-bit: a year of a large centre's sessions.
    let sums = || {
        [
            "sessions",
            "rated",
            "satisfied",
            "in_fcr",
            "followed_n",
            "complaint_n",
        ]
        .map(|c| col(c).cast(DataType::Int64).sum())
    };
    let by_line = enrich::sessions(sessions_used.lazy(), cfg)?
        .with_columns(sla::thresholds(&standards.sla))
        .with_columns(indicators(cfg, standards.sla.first_response_s))
        .filter(col("local_month").eq(lit(month.label.clone())))
        .with_column(lit(1i64).alias("sessions"))
        .group_by([col("business_line")])
        .agg(sums())
        .sort(["business_line"], SortMultipleOptions::default());
    let all = by_line
        .clone()
        .select(
            [lit("ALL").alias("business_line")]
                .into_iter()
                .chain(sums())
                .collect::<Vec<_>>(),
        )
        .filter(col("sessions").gt(lit(0)));
    let share = |num: &str, den: &str| {
        let den = col(den).cast(DataType::Float64);
        col(num).cast(DataType::Float64)
            / when(den.clone().eq(lit(0.0)))
                .then(lit(NULL))
                .otherwise(den)
    };
    let union = concat([by_line, all], UnionArgs::default())?;
    Ok(union
        .select([
            col("business_line"),
            col("sessions"),
            share("satisfied", "rated").alias("csat"),
            (lit(1.0) - share("followed_n", "in_fcr")).alias("fcr"),
            share("complaint_n", "sessions").alias("complaint_rate"),
        ])
        .collect()?)
}

/// Sessions that started in `month`; none is an error naming the folder.
pub fn require_sessions(sessions: LazyFrame, month: &Month, cfg: &Config) -> Result<u64> {
    let counted = crate::load::collect_streaming(
        sessions
            .filter(col("local_month").eq(lit(month.label.clone())))
            .select([len().cast(DataType::UInt64).alias("n")]),
    )?;
    let n = counted.column("n")?.u64()?.get(0).unwrap_or(0);
    if n == 0 {
        return Err(Error::bad_input(format!(
            "no sessions started in {} ({}) in {}",
            month.label,
            cfg.timezone.name(),
            cfg.data_dir.join("sessions").display()
        )));
    }
    Ok(n)
}

/// What reviews, appeals and messages are joined to: each session's line,
/// agent, team, category, month and reply threshold.
pub fn session_keys(sessions: &DataFrame) -> LazyFrame {
    session_keys_of(sessions.clone().lazy())
}

/// `session_keys` of a scan.
pub fn session_keys_of(sessions: LazyFrame) -> LazyFrame {
    sessions.select([
        col("session_id"),
        col("business_line"),
        col("agent_id"),
        col("team"),
        col("category"),
        col("local_month"),
        col("reply_threshold_s"),
    ])
}

/// Reviews of the sessions read, with their session's keys.
pub struct ReviewFigures {
    /// One row per review: its QA score.
    pub review_scores: LazyFrame,
    /// One row per review and module: the module's score, scale and
    /// version in force.
    pub review_modules: LazyFrame,
}

/// `review_figures_of` the checked reviews, held in memory.
pub fn review_figures(
    checked: &CheckedTables,
    standards: &Standards,
    keys: &LazyFrame,
) -> Result<ReviewFigures> {
    let reviews = checked.used_or_empty(&contract::REVIEWS, standards)?;
    review_figures_of(reviews.lazy(), keys, |lf, _| Ok(lf.collect()?.lazy()))
}

/// The review figures of the used `reviews`, joined to the sessions'
/// `keys`; `hold` keeps each result (in memory, or in a working file).
pub fn review_figures_of(
    reviews: LazyFrame,
    keys: &LazyFrame,
    mut hold: impl FnMut(LazyFrame, &str) -> Result<LazyFrame>,
) -> Result<ReviewFigures> {
    let review_scores = hold(
        scores_with_keys(reviews.clone(), keys.clone()),
        "review_scores",
    )?;
    let review_modules = hold(with_keys(reviews, keys.clone()), "review_modules")?;
    Ok(ReviewFigures {
        review_scores,
        review_modules,
    })
}

/// Each review's QA score (`qa::review_scores`) with its session's `keys`.
fn scores_with_keys(reviews: LazyFrame, keys: LazyFrame) -> LazyFrame {
    with_keys(qa::review_scores(reviews), keys)
}

/// Rows with a `session_id`, with their session's `keys`, in their order.
pub fn with_keys(rows: LazyFrame, keys: LazyFrame) -> LazyFrame {
    rows.join(
        keys,
        [col("session_id")],
        [col("session_id")],
        ordered_join(JoinType::Inner),
    )
}

/// Per-session 0/1 columns that the SQL sums; nulls read as the contract
/// says (complaint null = false, unrated = not in CSAT).
fn indicators(cfg: &Config, base_first_response_s: f64) -> Vec<Expr> {
    let flag = |e: Expr| e.fill_null(lit(false)).cast(DataType::Int32);
    vec![
        flag(col("rating").is_not_null()).alias("rated"),
        flag(col("rating").gt_eq(lit(cfg.satisfied_min))).alias("satisfied"),
        flag(col("customer_id").is_not_null()).alias("in_fcr"),
        flag(col(fcr::FOLLOWED)).alias("followed_n"),
        flag(col(fcr::IS_REPEAT)).alias("repeat_n"),
        flag(col("complaint")).alias("complaint_n"),
        flag(col("public_opinion")).alias("public_opinion_n"),
        flag(col("agent_id").is_not_null()).alias("agent_handled"),
        flag(col("first_response_s").is_not_null()).alias("frs_measured"),
        flag(col("first_response_s").lt_eq(col("first_response_threshold_s"))).alias("frs_met"),
        flag(col("first_response_s").lt_eq(lit(base_first_response_s))).alias("frs_met_base"),
    ]
}
