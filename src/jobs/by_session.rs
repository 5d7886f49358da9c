//! The joins of large tables to the sessions when the sessions are held in
//! working files, in memory that does not grow with the sessions. Reply
//! events go in passes by session number: the keys are numbered and split
//! into the passes, the narrowed messages are split the same way, and each
//! pass is sorted and joined alone. Reviews are joined to a number per
//! session instead of its key values. The results are the joins of one pass
//! in memory; only their row order may differ.

use polars::prelude::*;

use crate::error::Result;
use crate::jobs::spill::{self, Parts, SpillDir};
use crate::load::{collect_streaming, ordered_join};
use crate::metrics::{qa, sla};

use super::pipeline::{with_keys, ReviewFigures};

const SESSION: &str = sla::SESSION;
/// The number of a session's combination of key values.
const KEY: &str = "_key";

/// Tables split by session number into `passes` working files in `dir`.
pub struct BySession<'a> {
    pub dir: &'a SpillDir,
    pub passes: u32,
}

impl BySession<'_> {
    /// Reply events (`sla::reply_events`) of the sessions in `keys`: the
    /// messages are narrowed and split once, and each pass is sorted alone.
    pub fn reply_events(&self, messages: LazyFrame, keys: LazyFrame) -> Result<LazyFrame> {
        let keys = self.split(keys.with_row_index(SESSION, None), "reply-keys")?;
        let narrow = sla::narrow_messages(messages, ids(&keys)?);
        let narrow = self.split(narrow, "narrow-messages")?;
        let events = self.per_pass(&narrow, &keys, "reply-events", |narrow, keys| {
            // One pass of messages, sorted in memory.
            let narrow = narrow.collect()?.lazy();
            Ok(sla::with_sessions(sla::replies(narrow), keys))
        })?;
        narrow.remove()?;
        keys.remove()?;
        Ok(events)
    }

    /// `pipeline::review_figures_of` the `reviews` and session `keys`. The
    /// sessions' key values take few distinct combinations (line, agent,
    /// team, category, month, threshold): each session gets its
    /// combination's number, so the join to tens of millions of sessions
    /// holds an id and a number per session, and the values come back from
    /// the small table of combinations.
    pub fn review_figures(&self, reviews: LazyFrame, keys: LazyFrame) -> Result<ReviewFigures> {
        let values: Vec<Expr> = keys
            .clone()
            .collect_schema()?
            .iter_names()
            .filter(|name| name.as_str() != "session_id")
            .map(|name| col(name.clone()))
            .collect();
        let combinations = collect_streaming(
            keys.clone()
                .select(values.clone())
                .unique(None, UniqueKeepStrategy::Any),
        )?
        .lazy()
        .with_row_index(KEY, None);
        let numbers = keys
            .join(
                combinations.clone(),
                values.clone(),
                values,
                JoinArgs {
                    // A session without a team or category has its combination too.
                    nulls_equal: true,
                    build_side: Some(JoinBuildSide::ForceRight),
                    ..JoinArgs::new(JoinType::Inner)
                },
            )
            .select([col("session_id"), col(KEY)]);
        let numbered = spill::hold(
            with_keys(reviews, numbers),
            self.dir.path(),
            "reviews-keyed",
        )?;
        let with_values = |lf: LazyFrame| {
            lf.join(
                combinations.clone(),
                [col(KEY)],
                [col(KEY)],
                ordered_join(JoinType::Inner),
            )
            .drop(by_name([KEY], true, false))
        };
        let scores = qa::review_scores_carrying(numbered.clone(), &[KEY]);
        Ok(ReviewFigures {
            review_scores: spill::hold(with_values(scores), self.dir.path(), "review-scores")?,
            // A join to the small table, done where the rows are read.
            review_modules: with_values(numbered),
        })
    }

    /// `lf`, which carries the session number, split into the passes by it.
    fn split(&self, lf: LazyFrame, name: &str) -> Result<Parts> {
        let pass = col(SESSION) % lit(self.passes);
        Parts::write(lf, pass, self.passes, self.dir.path(), name)
    }

    /// `f` over each pass of `rows` with the same pass of `keys`, each
    /// result written to a working file; their scan.
    fn per_pass(
        &self,
        rows: &Parts,
        keys: &Parts,
        name: &str,
        f: impl Fn(LazyFrame, LazyFrame) -> Result<LazyFrame>,
    ) -> Result<LazyFrame> {
        let empty = f(rows.part(0)?.clear(), keys.part(0)?.clear())?;
        let mut files = Vec::with_capacity(rows.len());
        for k in 0..rows.len() {
            let out = f(rows.part(k)?, keys.part(k)?)?;
            let part = format!("{name}-{k}");
            files.extend(spill::write_parts(
                out,
                lit(0u32),
                1,
                self.dir.path(),
                &part,
            )?);
        }
        spill::scan_all(&files, empty)
    }
}

/// The numbered keys' (`session_id`, session number) of every pass.
fn ids(keys: &Parts) -> Result<LazyFrame> {
    Ok(keys.all()?.select([col("session_id"), col(SESSION)]))
}
