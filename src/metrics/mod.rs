//! Metric families, as pure transformations of validated frames.

pub mod fcr;
