//! One module per command: parse its arguments, run the job, print the
//! summary line.

pub mod generate;
pub mod impact;
pub mod monthly;
pub mod quarterly;
pub mod query;
pub mod run_due;
pub mod sample;
pub mod status;
pub mod validate;
