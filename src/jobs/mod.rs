//! Jobs: what a command computes, apart from parsing and printing.

pub mod by_session;
pub mod impact;
pub mod monthly;
pub mod period;
pub mod pipeline;
pub mod quarterly;
pub mod quarterly_tables;
pub mod spill;
pub mod trend;
