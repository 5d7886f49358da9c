//! The joins of large tables to the sessions, in passes by session number
//! when the sessions are held in working files: the session keys are
//! numbered and split into the passes by number, the table is tagged with
//! the number and split the same way, and each pass is joined (and sorted)
//! alone, so no step holds more than a pass of keys or rows. The results
//! are the joins of one pass; only their row order differs.

use polars::prelude::*;

use crate::error::Result;
use crate::jobs::spill::{self, Parts, SpillDir};
use crate::load::ordered_join;
use crate::metrics::{qa, sla};

use super::pipeline::{with_keys, ReviewFigures};

const SESSION: &str = sla::SESSION;

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

    /// `pipeline::review_figures_of` the `reviews`, each pass of reviews
    /// joined to its pass of session `keys`.
    pub fn review_figures(&self, reviews: LazyFrame, keys: LazyFrame) -> Result<ReviewFigures> {
        let keys = self.split(keys.with_row_index(SESSION, None), "review-keys")?;
        let tagged = reviews.join(
            ids(&keys)?,
            [col("session_id")],
            [col("session_id")],
            ordered_join(JoinType::Inner),
        );
        let rows = self.split(tagged, "reviews-by-session")?;
        let untag = |lf: LazyFrame| lf.drop(by_name([SESSION], true, false));
        let review_scores = self.per_pass(&rows, &keys, "review-scores", |rows, keys| {
            Ok(with_keys(qa::review_scores(untag(rows)), untag(keys)))
        })?;
        let review_modules = self.per_pass(&rows, &keys, "review-modules", |rows, keys| {
            Ok(with_keys(untag(rows), untag(keys)))
        })?;
        rows.remove()?;
        keys.remove()?;
        Ok(ReviewFigures {
            review_scores,
            review_modules,
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
