//! Progress for people, quiet for cron: step lines and a live counter go to
//! stderr only when it is a terminal; the one-line summary always prints.

use std::io::{IsTerminal, Write};
use std::time::Instant;

pub struct Progress {
    tty: bool,
    quiet: bool,
    started: Instant,
}

impl Progress {
    pub fn new(quiet: bool) -> Progress {
        Progress {
            tty: std::io::stderr().is_terminal(),
            quiet,
            started: Instant::now(),
        }
    }

    /// A step of long work; shown on a terminal only.
    pub fn step(&self, what: &str) {
        if self.tty && !self.quiet {
            eprint!(
                "\r\x1b[2K{:>6.1}s  {what}",
                self.started.elapsed().as_secs_f64()
            );
            let _ = std::io::stderr().flush();
        }
    }

    /// Clears the live line before the final output.
    pub fn finish(&self) {
        if self.tty && !self.quiet {
            eprint!("\r\x1b[2K");
            let _ = std::io::stderr().flush();
        }
    }

    pub fn elapsed_s(&self) -> f64 {
        self.started.elapsed().as_secs_f64()
    }

    pub fn elapsed_ms(&self) -> u128 {
        self.started.elapsed().as_millis()
    }
}
