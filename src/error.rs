//! One error type for the whole crate, carrying the contract's exit codes:
//! 2 for bad input or usage, 75 when another run holds the output folder,
//! 1 for anything else.

use std::fmt;

#[derive(Debug)]
pub enum Error {
    /// The data or the configuration is wrong: the message names the file and
    /// the column (or key) so the user can fix it.
    BadInput(String),
    /// The command line asks for something impossible.
    Usage(String),
    /// Another csqa run holds the output folder's lock: try again later.
    Busy(String),
    /// Everything else: I/O on the output side, an engine failure.
    Other(String),
}

pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::BadInput(_) | Error::Usage(_) => 2,
            // EX_TEMPFAIL (sysexits.h): a scheduler may simply retry.
            Error::Busy(_) => 75,
            Error::Other(_) => 1,
        }
    }

    pub fn bad_input(msg: impl Into<String>) -> Self {
        Error::BadInput(msg.into())
    }

    pub fn usage(msg: impl Into<String>) -> Self {
        Error::Usage(msg.into())
    }

    pub fn other(msg: impl Into<String>) -> Self {
        Error::Other(msg.into())
    }

    /// The same kind (and exit code) with another message.
    pub fn with_message(self, msg: impl Into<String>) -> Self {
        let msg = msg.into();
        match self {
            Error::BadInput(_) => Error::BadInput(msg),
            Error::Usage(_) => Error::Usage(msg),
            Error::Busy(_) => Error::Busy(msg),
            Error::Other(_) => Error::Other(msg),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::BadInput(m) => write!(f, "bad input: {m}"),
            Error::Usage(m) => write!(f, "usage: {m}"),
            Error::Busy(m) | Error::Other(m) => write!(f, "{m}"),
        }
    }
}

impl std::error::Error for Error {}

impl From<polars::prelude::PolarsError> for Error {
    fn from(e: polars::prelude::PolarsError) -> Self {
        Error::Other(format!("engine error: {e}"))
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::Other(format!("i/o error: {e}"))
    }
}

/// Attach context (the file being written) to any error that can be displayed.
pub trait Context<T> {
    fn other_ctx(self, what: impl FnOnce() -> String) -> Result<T>;
}

impl<T, E: fmt::Display> Context<T> for std::result::Result<T, E> {
    fn other_ctx(self, what: impl FnOnce() -> String) -> Result<T> {
        self.map_err(|e| Error::Other(format!("{}: {e}", what())))
    }
}
