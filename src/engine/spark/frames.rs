//! The small results Spark sends back (Arrow record batches) as Polars
//! frames. Only the types the stages return are read; another is an error
//! naming the view and column, never a guess.

use arrow::array::{
    Array, BooleanArray, Date32Array, Float32Array, Float64Array, Int16Array, Int32Array,
    Int64Array, Int8Array, LargeStringArray, StringArray, StringViewArray,
    TimestampMicrosecondArray,
};
use arrow::datatypes::{DataType as ArrowType, TimeUnit as ArrowUnit};
use arrow::record_batch::RecordBatch;
use polars::prelude::*;
use spark_connect::types::DataType as SparkType;

use crate::error::{Error, Result};

/// One frame from a result's batches.
pub fn from_batches(view: &str, batches: &[RecordBatch]) -> Result<DataFrame> {
    let Some(first) = batches.first() else {
        return Ok(DataFrame::empty());
    };
    let schema = first.schema();
    let mut columns = Vec::with_capacity(schema.fields().len());
    for (i, field) in schema.fields().iter().enumerate() {
        let parts: Vec<&dyn Array> = batches.iter().map(|b| b.column(i).as_ref()).collect();
        let series = column(field.name(), field.data_type(), &parts)
            .map_err(|e| Error::other(format!("Spark result {view}: {e}")))?;
        columns.push(series.into_column());
    }
    Ok(DataFrame::new_infer_height(columns)?)
}

/// An empty frame with the columns of a Spark schema (a result without
/// rows comes back without a batch).
pub fn empty_of(view: &str, schema: &SparkType) -> Result<DataFrame> {
    let SparkType::Struct { fields } = schema else {
        return Err(Error::other(format!("Spark result {view}: not a table")));
    };
    let mut columns = Vec::with_capacity(fields.len());
    for f in fields {
        let dtype = match &f.data_type {
            SparkType::String { .. } | SparkType::Char { .. } | SparkType::Varchar { .. } => {
                DataType::String
            }
            SparkType::Boolean => DataType::Boolean,
            SparkType::Byte | SparkType::Short | SparkType::Integer => DataType::Int32,
            SparkType::Long => DataType::Int64,
            SparkType::Float | SparkType::Double => DataType::Float64,
            SparkType::Date => DataType::Date,
            SparkType::Timestamp => crate::load::utc_dtype(),
            SparkType::Null => DataType::Null,
            other => {
                return Err(Error::other(format!(
                    "Spark result {view}: column {} of type {other:?} is not read back",
                    f.name
                )))
            }
        };
        columns.push(Column::new_empty(f.name.as_str().into(), &dtype));
    }
    Ok(DataFrame::new_infer_height(columns)?)
}

/// Concatenated values of one column across batches.
fn column(label: &str, dtype: &ArrowType, parts: &[&dyn Array]) -> Result<Series> {
    let name = PlSmallStr::from(label);
    macro_rules! gather {
        ($arr:ty, $conv:expr) => {{
            let mut out = Vec::new();
            for p in parts {
                let a = p.as_any().downcast_ref::<$arr>().ok_or_else(|| {
                    Error::other(format!("column {label}: batches of different types"))
                })?;
                out.extend((0..a.len()).map(|i| a.is_valid(i).then(|| $conv(a.value(i)))));
            }
            out
        }};
    }
    let text = |v: &str| v.to_string();
    let series = match dtype {
        ArrowType::Utf8 => Series::new(name, gather!(StringArray, text)),
        ArrowType::LargeUtf8 => Series::new(name, gather!(LargeStringArray, text)),
        ArrowType::Utf8View => Series::new(name, gather!(StringViewArray, text)),
        ArrowType::Boolean => Series::new(name, gather!(BooleanArray, |v: bool| v)),
        ArrowType::Int8 => Series::new(name, gather!(Int8Array, i32::from)),
        ArrowType::Int16 => Series::new(name, gather!(Int16Array, i32::from)),
        ArrowType::Int32 => Series::new(name, gather!(Int32Array, |v: i32| v)),
        ArrowType::Int64 => Series::new(name, gather!(Int64Array, |v: i64| v)),
        ArrowType::Float32 => Series::new(name, gather!(Float32Array, f64::from)),
        ArrowType::Float64 => Series::new(name, gather!(Float64Array, |v: f64| v)),
        ArrowType::Date32 => {
            Series::new(name, gather!(Date32Array, |v: i32| v)).cast(&DataType::Date)?
        }
        ArrowType::Timestamp(ArrowUnit::Microsecond, _) => {
            Series::new(name, gather!(TimestampMicrosecondArray, |v: i64| v))
                .cast(&crate::load::utc_dtype())?
        }
        ArrowType::Null => {
            let n = parts.iter().map(|p| p.len()).sum();
            Series::full_null(name, n, &DataType::Null)
        }
        other => {
            return Err(Error::other(format!(
                "column {label}: Arrow type {other} is not read back from Spark"
            )))
        }
    };
    Ok(series)
}
