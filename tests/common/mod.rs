//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs the fleetcost binary with `args` from the repository root.
pub fn fleetcost<I, S>(args: I) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    Command::new(env!("CARGO_BIN_EXE_fleetcost"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .output()
        .expect("fleetcost runs")
}

/// stdout as text, panicking with stderr when the command failed.
pub fn ok_stdout(out: &Output) -> String {
    assert!(
        out.status.success(),
        "fleetcost failed ({:?}):\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).expect("UTF-8 output")
}

/// stderr as text, asserting that the command exited with `code` and printed no result.
#[allow(dead_code)] // not every test binary refuses input
pub fn refused(out: &Output, code: i32, what: &str) -> String {
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(code), "{what}: {err}");
    assert!(out.stdout.is_empty(), "{what}: printed a result");
    err
}

/// Compares `actual` with `expected`: every key of `expected` must be in `actual`; numbers
/// within `rel` relative (absolute `rel` near zero), strings and booleans exactly. Returns the
/// list of differences, each with its JSON path.
pub fn json_diff(
    expected: &serde_json::Value,
    actual: &serde_json::Value,
    rel: f64,
) -> Vec<String> {
    let mut out = Vec::new();
    walk(expected, actual, rel, "$", &mut out);
    out
}

fn walk(e: &serde_json::Value, a: &serde_json::Value, rel: f64, path: &str, out: &mut Vec<String>) {
    use serde_json::Value as V;
    match (e, a) {
        (V::Number(x), V::Number(y)) => {
            let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
            let scale = x.abs().max(y.abs());
            if (x - y).abs() > rel * scale.max(1e-300) && (x - y).abs() > 1e-12 {
                out.push(format!(
                    "{path}: expected {x}, got {y} (rel {:.2e})",
                    (x - y).abs() / scale
                ));
            }
        }
        (V::Object(eo), V::Object(ao)) => {
            for (k, ev) in eo {
                match ao.get(k) {
                    Some(av) => walk(ev, av, rel, &format!("{path}.{k}"), out),
                    None => out.push(format!("{path}.{k}: missing")),
                }
            }
        }
        (V::Array(ea), V::Array(aa)) => {
            if ea.len() != aa.len() {
                out.push(format!(
                    "{path}: expected {} items, got {}",
                    ea.len(),
                    aa.len()
                ));
            }
            for (i, (ev, av)) in ea.iter().zip(aa).enumerate() {
                walk(ev, av, rel, &format!("{path}[{i}]"), out);
            }
        }
        (e, a) if e == a => {}
        (e, a) => out.push(format!("{path}: expected {e}, got {a}")),
    }
}

/// Every file in `dir` with extension `ext`, sorted.
pub fn files(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == ext))
        .collect();
    v.sort();
    v
}
