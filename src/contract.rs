//! The input tables of the data contract: canonical column names, their kinds,
//! which may be null, and the keys that identify a row.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Str,
    Int,
    Float,
    Bool,
    /// An instant; stored internally as UTC microseconds.
    Timestamp,
    Date,
}

impl Kind {
    pub fn describe(self) -> &'static str {
        match self {
            Kind::Str => "string",
            Kind::Int => "integer",
            Kind::Float => "float",
            Kind::Bool => "boolean",
            Kind::Timestamp => "timestamp",
            Kind::Date => "date",
        }
    }
}

#[derive(Clone, Copy, Debug)]
pub struct Column {
    pub name: &'static str,
    pub kind: Kind,
    /// Non-nullable columns are required in every file; nullable ones may be
    /// absent from an export and then read as all-null.
    pub nullable: bool,
}

const fn c(name: &'static str, kind: Kind, nullable: bool) -> Column {
    Column {
        name,
        kind,
        nullable,
    }
}

#[derive(Clone, Copy, Debug)]
pub struct TableSpec {
    pub name: &'static str,
    pub required: bool,
    pub columns: &'static [Column],
    /// Rows sharing this key but differing elsewhere are conflicting
    /// duplicates. Empty: only exact copies are folded.
    pub conflict_key: &'static [&'static str],
    /// Columns that every copy of a row shares and that seldom repeat
    /// otherwise: only rows whose probe value repeats are compared whole
    /// when exact copies are folded. The conflict key where there is one.
    pub copy_probe: &'static [&'static str],
}

impl TableSpec {
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }
    pub fn column_names(&self) -> Vec<&'static str> {
        self.columns.iter().map(|c| c.name).collect()
    }
}

use Kind::*;

pub const SESSIONS: TableSpec = TableSpec {
    name: "sessions",
    required: true,
    columns: &[
        c("session_id", Str, false),
        c("customer_id", Str, true),
        c("business_line", Str, false),
        c("channel", Str, false),
        c("category", Str, true),
        c("agent_id", Str, true),
        c("team", Str, true),
        c("started_at", Timestamp, false),
        c("ended_at", Timestamp, true),
        c("first_response_s", Float, true),
        c("rating", Int, true),
        c("resolved", Bool, true),
        c("complaint", Bool, true),
        c("public_opinion", Bool, true),
    ],
    conflict_key: &["session_id"],
    copy_probe: &["session_id"],
};

pub const REVIEWS: TableSpec = TableSpec {
    name: "reviews",
    required: false,
    columns: &[
        c("review_id", Str, false),
        c("session_id", Str, false),
        c("reviewer_id", Str, false),
        c("reviewed_at", Timestamp, false),
        c("module_id", Str, false),
        c("score", Float, true),
        c("calibration_round", Str, true),
    ],
    conflict_key: &["review_id", "module_id"],
    copy_probe: &["review_id", "module_id"],
};

pub const REPEAT_CAUSES: TableSpec = TableSpec {
    name: "repeat_causes",
    required: false,
    columns: &[
        c("session_id", Str, false),
        c("cause", Str, false),
        c("noted_by", Str, true),
        c("noted_at", Timestamp, true),
    ],
    conflict_key: &[],
    copy_probe: &["session_id"],
};

pub const MESSAGES: TableSpec = TableSpec {
    name: "messages",
    required: false,
    columns: &[
        c("session_id", Str, false),
        c("sent_at", Timestamp, false),
        c("sender", Str, false),
    ],
    conflict_key: &[],
    copy_probe: &["sent_at"],
};

pub const APPEALS: TableSpec = TableSpec {
    name: "appeals",
    required: false,
    columns: &[
        c("review_id", Str, false),
        c("module_id", Str, false),
        c("filed_at", Timestamp, false),
        c("outcome", Str, false),
        c("decided_at", Timestamp, true),
    ],
    // Rows of one key that differ are later exports of the same appeal: a
    // decided outcome supersedes pending, the latest decision an earlier
    // one; only upheld and overturned at once conflict (validate.rs).
    conflict_key: &["review_id", "module_id", "filed_at"],
    copy_probe: &["review_id", "module_id", "filed_at"],
};

pub const AGENT_HOURS: TableSpec = TableSpec {
    name: "agent_hours",
    required: false,
    columns: &[
        c("agent_id", Str, false),
        c("date", Date, false),
        c("logged_in_hours", Float, false),
    ],
    // One row per agent and local date: a corrected row beside the
    // original is a conflict, not extra hours.
    conflict_key: &["agent_id", "date"],
    copy_probe: &["agent_id", "date"],
};

pub const ALL_TABLES: [TableSpec; 6] = [
    SESSIONS,
    REVIEWS,
    REPEAT_CAUSES,
    MESSAGES,
    APPEALS,
    AGENT_HOURS,
];

pub fn table(name: &str) -> Option<&'static TableSpec> {
    ALL_TABLES.iter().find(|t| t.name == name)
}

pub const SENDERS: [&str; 4] = ["customer", "agent", "bot", "system"];
pub const OUTCOMES: [&str; 3] = ["upheld", "overturned", "pending"];
