//! The joins of large tables to the sessions when the sessions are held in
//! working files, in memory that does not grow with the sessions: the
//! session keys and the tables are split by a hash of the session id into
//! the sessions' number of passes (a grace hash join; the keys and reviews
//! once, for every join to them), and each pass is joined, and sorted where
//! it must be, alone. The results are the joins of one pass in memory; only
//! their row order differs.

use polars::prelude::*;

use crate::error::Result;
use crate::jobs::spill::{self, Parts, SpillDir};
use crate::metrics::{qa, sla};

use super::pipeline::{with_keys, ReviewFigures};

/// Tables split by session into `passes` working files in `dir`.
pub struct BySession<'a> {
    pub dir: &'a SpillDir,
    pub passes: u32,
}

/// The session keys and the reviews, split by session once for every join
/// the monthly job makes to them: review figures, reply events and the
/// calibration rows. `remove` deletes the working files.
pub struct SplitBySession<'a> {
    by: BySession<'a>,
    keys: Parts,
    reviews: Parts,
}

impl<'a> SplitBySession<'a> {
    pub fn new(by: BySession<'a>, keys: LazyFrame, reviews: LazyFrame) -> Result<Self> {
        let keys = by.split(keys, "keys")?;
        let reviews = by.split(reviews, "reviews-by-session")?;
        Ok(SplitBySession { by, keys, reviews })
    }

    /// Reply events (`sla::reply_events`) of the sessions `keys_of` keeps
    /// of each pass of keys: each pass of messages is numbered, narrowed and
    /// sorted alone.
    pub fn reply_events(
        &self,
        messages: LazyFrame,
        keys_of: impl Fn(LazyFrame) -> LazyFrame,
    ) -> Result<LazyFrame> {
        // Only what the events are found from: not the message text.
        let messages = messages.select([col("session_id"), col("sent_at"), col("sender")]);
        let messages = self.by.split(messages, "messages")?;
        let events =
            self.by
                .per_pass(&messages, &self.keys, "reply-events", |messages, keys| {
                    // Numbered once, so the narrowed messages and the join agree.
                    let keys = keys_of(keys).collect()?.lazy();
                    let keys = keys.with_row_index(sla::SESSION, None);
                    let numbered = keys.clone().select([col("session_id"), col(sla::SESSION)]);
                    let narrow = sla::narrow_messages(messages, numbered);
                    let narrow = crate::load::collect_streaming(narrow)?.lazy();
                    Ok(sla::with_sessions(sla::replies(narrow), keys))
                })?;
        messages.remove()?;
        Ok(events)
    }

    /// `pipeline::review_figures_of` the reviews and keys.
    pub fn review_figures(&self) -> Result<ReviewFigures> {
        let review_scores = self.reviews_joined("review-scores", |rows, keys| {
            with_keys(qa::review_scores(rows), keys)
        })?;
        let review_modules = self.reviews_joined("review-modules", with_keys)?;
        Ok(ReviewFigures {
            review_scores,
            review_modules,
        })
    }

    /// `join` of each pass of the reviews with the same pass of the keys.
    pub fn reviews_joined(
        &self,
        name: &str,
        join: impl Fn(LazyFrame, LazyFrame) -> LazyFrame,
    ) -> Result<LazyFrame> {
        self.by
            .per_pass(&self.reviews, &self.keys, name, |rows, keys| {
                Ok(join(rows, keys))
            })
    }

    pub fn remove(self) -> Result<()> {
        self.reviews.remove()?;
        self.keys.remove()
    }
}

impl BySession<'_> {
    /// The rows of `lf` with a session id, split into the passes by it (a
    /// row without one joins no session).
    fn split(&self, lf: LazyFrame, name: &str) -> Result<Parts> {
        let lf = lf.filter(col("session_id").is_not_null());
        let pass = spill::hash_part(col("session_id"), self.passes);
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
