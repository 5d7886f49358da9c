//! Validated tables made ready for SQL: local calendar columns cut in the
//! configured zone and the repeat flags, so queries need no date functions.

use polars::prelude::*;

use crate::config::Config;
use crate::error::Result;
use crate::load::local_parts;
use crate::metrics::fcr;

/// Sessions with `local_month`, `local_date`, `local_hour`, `followed`,
/// `is_repeat` and `repeat_of`.
pub fn sessions(sessions: LazyFrame, cfg: &Config) -> Result<LazyFrame> {
    let lf = sessions.with_columns(local_parts("started_at", cfg.timezone, "local_"));
    Ok(fcr::repeat_flags(lf, cfg.fcr.scope, cfg.fcr.window_hours)?)
}

/// The used rows of every table under its contract name, sessions enriched.
pub fn query_tables(
    frames: Vec<(&'static str, LazyFrame)>,
    cfg: &Config,
) -> Result<Vec<(&'static str, LazyFrame)>> {
    let mut out = Vec::new();
    for (name, lf) in frames {
        let lf = if name == "sessions" {
            sessions(lf, cfg)?
        } else {
            lf
        };
        out.push((name, lf));
    }
    Ok(out)
}
