//! What `inspect` says of an array's values: all of them when there are few (so `/Origin` or
//! `/Direction` can be checked at a glance, as `h5dump` shows small datasets), else the range, and
//! how many are NaN or infinite (a range alone would hide them: `[nan, 1, 2, inf]` has the range
//! `[1, inf]`).

use std::fmt::Write as _;

use arraydict::NdArray;
use serde_json::{json, Map, Value};

/// Arrays of at most this many values are shown whole.
pub(super) const SHOWN_VALUES: usize = 9;

/// The range of the values that are not NaN, and the NaN and infinite values counted.
#[derive(Debug, Default, PartialEq)]
struct Summary {
    range: Option<(f64, f64)>,
    nan: usize,
    pos_inf: usize,
    neg_inf: usize,
}

fn summarize(a: &NdArray) -> Summary {
    fn scan<T: arraydict::Element>(values: &[T]) -> Summary {
        let mut s = Summary::default();
        for &x in values {
            let f = x.to_f64();
            if f.is_nan() {
                s.nan += 1;
                continue;
            }
            if f == f64::INFINITY {
                s.pos_inf += 1;
            } else if f == f64::NEG_INFINITY {
                s.neg_inf += 1;
            }
            s.range = Some(s.range.map_or((f, f), |(lo, hi)| (lo.min(f), hi.max(f))));
        }
        s
    }
    vtk_model::with_array_data!(a.data(), v => scan(v))
}

/// Each value in logical C order as numpy prints it (`nan`, `inf`, `0.1` for an `f4` 0.1).
fn value_texts(a: &NdArray) -> Vec<String> {
    let c = a.clone().into_c_order();
    vtk_model::with_array_data!(c.data(), v => v
        .iter()
        .map(|x| match x.to_string().as_str() {
            "NaN" => "nan".to_owned(),
            s => s.to_owned(),
        })
        .collect())
}

/// `values` (C order) nested by `shape`: `[[1, 0], [0, 1]]`; a 0-d array is its one value.
fn nested<T: Clone>(values: &[T], shape: &[usize], wrap: &dyn Fn(Vec<T>) -> T) -> T {
    match shape.split_first() {
        None => values[0].clone(),
        Some((&n, rest)) => {
            let step = rest.iter().product::<usize>();
            wrap(
                (0..n)
                    .map(|i| nested(&values[i * step..(i + 1) * step], rest, wrap))
                    .collect(),
            )
        }
    }
}

/// A number for the JSON output: exact for integers, shortest for floats; NaN and infinities,
/// which JSON has no numbers for, as the strings `"nan"`, `"inf"`, `"-inf"`.
fn json_value(text: &str) -> Value {
    serde_json::from_str::<serde_json::Number>(text)
        .map_or_else(|_| Value::from(text), Value::Number)
}

/// A range bound as text, integral values without a fraction; an `f4` array's as `float32`
/// (2570.2048, not 2570.204833984375).
fn bound_text(v: f64, dtype: arraydict::DType) -> String {
    if dtype == arraydict::DType::F32 {
        (v as f32).to_string()
    } else {
        v.to_string()
    }
}

/// The text after an array's shape and order: `values=[...]` or `range=[lo, hi]`, then the NaN
/// and infinity counts when there are any; and the same as JSON fields.
pub(super) fn describe(a: &NdArray, text: &mut String, json: &mut Map<String, Value>) {
    let s = summarize(a);
    if a.len() <= SHOWN_VALUES && !a.is_empty() {
        let texts = value_texts(a);
        let shown = nested(&texts, a.shape(), &|parts: Vec<String>| {
            format!("[{}]", parts.join(", "))
        });
        let _ = write!(text, " values={shown}");
        let as_json: Vec<Value> = texts.iter().map(|t| json_value(t)).collect();
        json.insert(
            "values".into(),
            nested(&as_json, a.shape(), &|parts: Vec<Value>| {
                Value::Array(parts)
            }),
        );
    } else if let Some((lo, hi)) = s.range {
        let _ = write!(
            text,
            " range=[{}, {}]",
            bound_text(lo, a.dtype()),
            bound_text(hi, a.dtype())
        );
    }
    let (lo, hi) = s.range.map_or((Value::Null, Value::Null), |(lo, hi)| {
        (
            json_value(&bound_text(lo, a.dtype())),
            json_value(&bound_text(hi, a.dtype())),
        )
    });
    json.insert("min".into(), lo);
    json.insert("max".into(), hi);
    for (name, count) in [("nan", s.nan), ("+inf", s.pos_inf), ("-inf", s.neg_inf)] {
        if count > 0 {
            let _ = write!(text, " {name}={count}");
        }
    }
    if a.dtype().is_float() {
        json.extend([
            ("nan".to_owned(), json!(s.nan)),
            ("posinf".to_owned(), json!(s.pos_inf)),
            ("neginf".to_owned(), json!(s.neg_inf)),
        ]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(a: &NdArray) -> (String, Map<String, Value>) {
        let (mut text, mut json) = (String::new(), Map::new());
        describe(a, &mut text, &mut json);
        (text, json)
    }

    #[test]
    fn nan_and_infinities_are_counted_beside_the_range() {
        let mut v = vec![f64::NAN, 1.0, 2.0, f64::INFINITY];
        v.extend([1.5; 8]);
        let (text, json) = shown(&NdArray::vector(v));
        assert_eq!(text, " range=[1, inf] nan=1 +inf=1");
        assert_eq!(json["max"], "inf");
        assert_eq!(json["min"], 1);
        assert_eq!(json["nan"], 1);
        assert_eq!(json["posinf"], 1);
        assert_eq!(json["neginf"], 0);
    }

    #[test]
    fn small_arrays_show_their_values_nested_by_shape() {
        let direction =
            NdArray::c(vec![1f64, 0., 0., 0., -1., 0., 0., 0., 1.], vec![3, 3]).unwrap();
        let (text, json) = shown(&direction);
        assert_eq!(text, " values=[[1, 0, 0], [0, -1, 0], [0, 0, 1]]");
        assert_eq!(json["values"], json!([[1, 0, 0], [0, -1, 0], [0, 0, 1]]));
        // f4 values print as float32 (0.1, not 0.10000000149011612), NaN as numpy does.
        let (text, json) = shown(&NdArray::vector(vec![0.1f32, f32::NAN, f32::NEG_INFINITY]));
        assert_eq!(text, " values=[0.1, nan, -inf] nan=1 -inf=1");
        assert_eq!(json["values"], json!([0.1, "nan", "-inf"]));
        // Ten values are a range; an f4 range as float32.
        let (text, _) = shown(&NdArray::vector((0..10).collect::<Vec<i64>>()));
        assert_eq!(text, " range=[0, 9]");
        let (text, json) = shown(&NdArray::vector(vec![2570.2048f32; 10]));
        assert_eq!(text, " range=[2570.2048, 2570.2048]");
        assert_eq!(json["max"], json!(2570.2048));
    }

    #[test]
    fn a_fortran_array_is_shown_in_logical_order() {
        // Stored column by column: logical [[1, 2], [3, 4]].
        let f = NdArray::new(
            vec![1i32, 3, 2, 4].into(),
            vec![2, 2],
            arraydict::MemoryOrder::F,
        )
        .unwrap();
        assert_eq!(shown(&f).0, " values=[[1, 2], [3, 4]]");
    }
}
