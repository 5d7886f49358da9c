//! The joins of large tables to the sessions when the sessions are held in
//! working files, in memory that does not grow with the sessions: the
//! session keys and the tables are split by a hash of the session id into
//! the sessions' number of passes (a grace hash join; the keys as the
//! sessions are enriched, the reviews once, for every join to them), and
//! each pass is joined, and sorted where it must be, alone. The results are the joins of one pass in memory; only
//! their row order differs.

use polars::prelude::*;

use crate::error::Result;
use crate::jobs::spill::{self, Parts, SpillDir, WriteBehind};
use crate::metrics::sla;

/// A join of rows with the session keys (rows, keys) -> joined.
pub type ReviewJoin<'a> = dyn Fn(LazyFrame, LazyFrame) -> LazyFrame + 'a;

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
    keys: &'a Parts,
    reviews: Parts,
}

/// The pass of each row with a `session_id`, out of `passes`.
pub fn session_part(passes: u32) -> Expr {
    spill::hash_part(col("session_id"), passes)
}

impl<'a> SplitBySession<'a> {
    /// The joins to session `keys` already split by session
    /// (`session_part`) into the same passes.
    pub fn new(by: BySession<'a>, keys: &'a Parts, reviews: LazyFrame) -> Result<Self> {
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
        // Only what the events are found from: not the message text, and
        // the sender as a flag.
        let messages = self.by.split(sla::message_times(messages), "messages")?;
        let events =
            self.by
                .per_pass(&messages, self.keys, &["reply-events"], |messages, keys| {
                    // Numbered once, so the narrowed messages and the join agree.
                    let keys = keys_of(keys).collect()?.lazy();
                    let keys = keys.with_row_index(sla::SESSION, None);
                    let numbered = keys.clone().select([col("session_id"), col(sla::SESSION)]);
                    let narrow = sla::numbered_times(messages, numbered);
                    let narrow = crate::load::collect_streaming(narrow)?.lazy();
                    Ok(vec![sla::with_sessions(sla::replies(narrow), keys)])
                })?;
        messages.remove()?;
        events
            .into_iter()
            .next()
            .ok_or_else(|| crate::error::Error::other("reply events: no result"))
    }

    /// Each of `joins` of the reviews with the keys, pass by pass: a pass
    /// of the reviews and of the keys is read once for all of them.
    pub fn reviews_joined(&self, joins: &[(&str, &ReviewJoin<'_>)]) -> Result<Vec<LazyFrame>> {
        let names: Vec<&str> = joins.iter().map(|(name, _)| *name).collect();
        self.by
            .per_pass(&self.reviews, self.keys, &names, |rows, keys| {
                let (rows, keys) = (rows.collect()?.lazy(), keys.collect()?.lazy());
                Ok(joins
                    .iter()
                    .map(|(_, join)| join(rows.clone(), keys.clone()))
                    .collect())
            })
    }

    /// Remove the reviews' working files (the keys' belong to the
    /// sessions).
    pub fn remove(self) -> Result<()> {
        self.reviews.remove()
    }
}

impl BySession<'_> {
    /// The rows of `lf` with a session id, split into the passes by it (a
    /// row without one joins no session).
    fn split(&self, lf: LazyFrame, name: &str) -> Result<Parts> {
        let lf = lf.filter(col("session_id").is_not_null());
        let pass = session_part(self.passes);
        Parts::write(lf, pass, self.passes, self.dir.path(), name)
    }

    /// `f` over each pass of `rows` with the same pass of `keys`, giving
    /// one result per name; each written to a working file while the next
    /// is computed. The scans of the results, one per name.
    fn per_pass(
        &self,
        rows: &Parts,
        keys: &Parts,
        names: &[&str],
        f: impl Fn(LazyFrame, LazyFrame) -> Result<Vec<LazyFrame>>,
    ) -> Result<Vec<LazyFrame>> {
        let empty = f(rows.part(0)?.clear(), keys.part(0)?.clear())?;
        let mut files = vec![Vec::with_capacity(rows.len()); names.len()];
        let mut behind = WriteBehind::default();
        for k in 0..rows.len() {
            let results = f(rows.part(k)?, keys.part(k)?)?;
            for ((out, name), files) in results.into_iter().zip(names).zip(&mut files) {
                let out = crate::load::collect_streaming(out)?;
                if out.height() > 0 {
                    let path = self.dir.path().join(format!("{name}-{k}.parquet"));
                    files.push(path.clone());
                    behind.write(out, path)?;
                }
            }
        }
        behind.wait()?;
        files
            .iter()
            .zip(empty)
            .map(|(files, empty)| spill::scan_all(files, empty))
            .collect()
    }
}
