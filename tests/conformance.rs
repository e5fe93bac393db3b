//! tests/conformance/: scenarios with the output an independent implementation of MODEL.md
//! gives. `run --format json` must match every numeric key within 1e-6 relative and every
//! boolean exactly, except the two keys the README says not to compare: the files hold the
//! old annuity totals (N * C * H) for horizon_cost_nominal and horizon_cost_pv, and MODEL.md's
//! second version takes totals from the cash-flow table.

/// Keys the conformance README says are stale (schema 1's annuity totals).
const STALE_KEYS: &[&str] = &["horizon_cost_nominal", "horizon_cost_pv"];

/// `value` without the stale keys, at any depth.
fn without_stale(mut value: serde_json::Value) -> serde_json::Value {
    match &mut value {
        serde_json::Value::Object(map) => {
            for k in STALE_KEYS {
                map.remove(*k);
            }
            for v in map.values_mut() {
                *v = without_stale(v.take());
            }
        }
        serde_json::Value::Array(items) => {
            for v in items.iter_mut() {
                *v = without_stale(v.take());
            }
        }
        _ => {}
    }
    value
}

mod common;
use common::*;

#[test]
fn every_conformance_case_matches() {
    let dir = root().join("tests/conformance");
    let cases = files(&dir, "toml");
    assert!(cases.len() >= 5, "conformance cases missing: {cases:?}");
    let mut failures = Vec::new();
    for case in &cases {
        let expected_path = case.with_extension("expected.json");
        let expected: serde_json::Value = without_stale(
            serde_json::from_str(&std::fs::read_to_string(&expected_path).unwrap()).unwrap(),
        );
        let out = fleetcost([
            "run".as_ref(),
            case.as_os_str(),
            "--format".as_ref(),
            "json".as_ref(),
        ]);
        let actual: serde_json::Value = serde_json::from_str(&ok_stdout(&out)).unwrap();
        for d in json_diff(&expected, &actual, 1e-6) {
            failures.push(format!(
                "{}: {d}",
                case.file_name().unwrap().to_string_lossy()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_comparator_catches_a_difference() {
    // The checker itself must fail on a real difference, or the test above proves nothing.
    let e: serde_json::Value = serde_json::json!({"a": 1.0, "b": [true], "c": "x"});
    let a: serde_json::Value = serde_json::json!({"a": 1.00001, "b": [false], "c": "x"});
    assert_eq!(json_diff(&e, &a, 1e-6).len(), 2);
    assert!(json_diff(&e, &e, 1e-6).is_empty());
}

#[test]
fn only_the_stale_totals_are_skipped() {
    let e = serde_json::json!({"fleets": [{"horizon_cost_pv": 1.0, "cost_per_unit": 2.0}],
                               "horizon_cost_nominal": 3.0});
    let kept = without_stale(e);
    assert_eq!(
        kept,
        serde_json::json!({"fleets": [{"cost_per_unit": 2.0}]})
    );
}
