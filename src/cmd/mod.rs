//! One module per command: parse its arguments, run the job, print the
//! summary line.

/// `1 file`, `2 files`.
pub fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

pub mod generate;
pub mod impact;
pub mod monthly;
pub mod quarterly;
pub mod query;
pub mod run_due;
pub mod sample;
pub mod status;
pub mod validate;
