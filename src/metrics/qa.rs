//! QA score (质检分) of a review: the weighted mean of its modules'
//! normalised scores × 100 over the modules that are not N/A; a failed
//! red-line module (服务底线) zeroes the review. A graded red-line module
//! fails at the bottom of its scale.

use polars::prelude::*;

/// One row per review: review_id, session_id, reviewer_id,
/// calibration_round, scorecard_version, red_line_fail, review_score (null
/// when every module was N/A). Input: validated, enriched review rows.
pub fn review_scores(reviews: LazyFrame) -> LazyFrame {
    let scored = col("normalised").is_not_null();
    let numerator = (col("normalised") * col("weight")).sum();
    let denominator = col("weight").filter(scored.clone()).sum();
    let red_fail = col("module_group")
        .eq(lit("red_line"))
        .and(col("normalised").eq(lit(0.0)))
        .fill_null(lit(false))
        .any(true);
    // Stable groups: the scores come out in input order, so every sum over
    // them (a line's mean) adds in the same order on every run.
    reviews
        .group_by_stable([col("review_id")])
        .agg([
            col("session_id").first(),
            col("reviewer_id").first(),
            col("calibration_round").first(),
            col("scorecard_version").first(),
            red_fail.alias("red_line_fail"),
            numerator.alias("_num"),
            denominator.alias("_den"),
        ])
        .with_column(
            when(col("red_line_fail"))
                .then(lit(0.0))
                .when(col("_den").gt(lit(0.0)))
                .then(lit(100.0) * col("_num") / col("_den"))
                .otherwise(lit(NULL).cast(DataType::Float64))
                .alias("review_score"),
        )
        .drop(by_name(["_num", "_den"], true, false))
}
