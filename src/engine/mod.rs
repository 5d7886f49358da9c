//! Which engine does a job's row-level work: Polars in this process (the
//! default), or an Apache Spark cluster through Spark Connect for centres
//! that outgrow one machine (`[engine] kind = "spark"`, the monthly pack).

use serde::Deserialize;

#[cfg(feature = "spark")]
pub mod spark;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum EngineKind {
    /// Embedded Polars (this machine).
    #[default]
    Polars,
    /// A Spark cluster through Spark Connect.
    Spark,
}

impl EngineKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EngineKind::Polars => "polars",
            EngineKind::Spark => "spark",
        }
    }
}

/// `[engine]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EngineConfig {
    pub kind: EngineKind,
    /// Spark Connect endpoint, `sc://host:15002`.
    pub url: Option<String>,
    /// How the cluster names the data directory (`hdfs://…/data`,
    /// `s3a://bucket/data`); by default `file:` and the data directory's
    /// absolute path, for a filesystem both machines share.
    pub data_url: Option<String>,
    /// Where the cluster writes rejected rows; by default `spark-rejects/`
    /// in the output directory, as `file:`.
    pub rejects_url: Option<String>,
}

impl EngineConfig {
    /// The Spark engine's URL, or why the configured engine cannot run:
    /// checked before any job starts, so a scheduler builds nothing with a
    /// half-set engine.
    pub fn check(&self) -> crate::error::Result<Option<&str>> {
        match self.kind {
            EngineKind::Polars => Ok(None),
            EngineKind::Spark if !cfg!(feature = "spark") => Err(crate::error::Error::usage(
                format!("this csqa was built without the spark engine (engines: {ENGINES})"),
            )),
            EngineKind::Spark => self.url.as_deref().map(Some).ok_or_else(|| {
                crate::error::Error::usage(
                    "the spark engine needs [engine] url = \"sc://host:15002\" or --spark-url",
                )
            }),
        }
    }
}

/// The engines this build has, for `csqa --version`.
pub const ENGINES: &str = if cfg!(feature = "spark") {
    "polars, spark"
} else {
    "polars"
};

/// `csqa --version`: the version and the engines built in.
pub const VERSION: &str = if cfg!(feature = "spark") {
    concat!(env!("CARGO_PKG_VERSION"), " (engines: polars, spark)")
} else {
    concat!(env!("CARGO_PKG_VERSION"), " (engines: polars)")
};
