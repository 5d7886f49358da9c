//! Metric families, as pure transformations of validated frames.

pub mod calibration;
pub mod fcr;
pub mod iteration;
pub mod modules;
pub mod qa;
pub mod sla;
