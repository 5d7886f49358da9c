//! The one integration-test binary (every test binary links Polars again, so
//! there is only this one). Tests drive the real `csqa` binary on small
//! fixtures written in the test, and call the library's pure functions.

mod agreement;
mod calibration;
mod chromium;
mod cli;
mod common;
mod fcr;
mod fuzz;
mod generate;
mod impact;
mod impact_page;
mod impact_stats;
mod input_rules;
mod monthly;
mod output;
mod passes;
mod quarterly;
mod quarterly_report;
mod real_exports;
mod replies;
mod report_polish;
mod reports;
mod sample;
mod sampling;
mod schedule;
#[cfg(feature = "spark")]
mod spark;
mod spill;
mod split_files;
mod standards;
mod stats;
mod trend;
mod validate;
mod zone;
