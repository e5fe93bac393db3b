//! Helpers shared by the unit tests.

use super::*;

pub const SPY: f64 = 31_557_600.0; // 8766 h * 3600 s

pub fn close(a: f64, b: f64) -> bool {
    a == b || ((a - b) / b).abs() < 1e-15
}

pub fn ok(text: &str, unit: &Unit) -> f64 {
    parse_quantity(text, unit).unwrap_or_else(|e| panic!("{text:?}: {e}"))
}

pub fn err(text: &str, unit: &Unit) -> UnitError {
    parse_quantity(text, unit).expect_err(text)
}

pub fn check(cases: &[(&str, Unit, f64)]) {
    for (text, unit, want) in cases {
        let got = ok(text, unit);
        assert!(close(got, *want), "{text:?}: got {got:e}, want {want:e}");
    }
}
