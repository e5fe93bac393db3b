//! tests/conformance/: scenarios with the output an independent implementation of MODEL.md
//! gives. `run --format json` must match every numeric key within 1e-6 relative and every
//! boolean exactly.

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
        let expected: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&expected_path).unwrap()).unwrap();
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
