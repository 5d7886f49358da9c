//! csqa: batch quality metrics for contact-centre QA teams.
//!
//! Layers, from the bottom: `contract` and `config` describe inputs;
//! `load` reads Parquet folders lazily; `validate` applies the row rules;
//! `standards` holds the QA standard over time; `metrics` and `agreement`
//! compute; `output` writes atomically, under `lock`; `cmd` wires one command each.

pub mod agreement;
pub mod cli;
pub mod cmd;
pub mod columns;
pub mod config;
pub mod contract;
pub mod engine;
pub mod enrich;
pub mod error;
pub mod events;
pub mod fingerprint;
pub mod generate;
pub mod i18n;
pub mod impact_stats;
pub mod jobs;
pub mod load;
pub mod lock;
pub mod manifest;
pub mod metrics;
pub mod output;
pub mod page_check;
pub mod pages;
pub mod progress;
pub mod render;
pub mod restate;
pub mod rng;
pub mod sampling;
pub mod schedule;
pub mod standards;
pub mod stats;
pub mod tables;
pub mod validate;
pub mod zone;
