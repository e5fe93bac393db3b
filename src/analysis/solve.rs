//! Break-even solving: the value of one parameter at which a metric reaches a target
//! (MODEL.md section 6), by Brent's method to 1e-9 relative.

use super::metric::Metric;
use super::root::{brent, RootResult};
use crate::model::Inputs;
use crate::scenario::Param;

/// Relative tolerance of the root (MODEL.md: 1e-9).
pub const REL_TOL: f64 = 1e-9;

/// What the solver found.
#[derive(Debug, Clone, PartialEq)]
pub enum Solution {
    /// The parameter value (SI) where metric = target.
    Root(f64),
    /// Same sign at both ends.
    NoCrossing { at_from: f64, at_to: f64 },
    /// The metric jumps across the target at `at` (count rounding): no root.
    Jump { at: f64, left: f64, right: f64 },
    /// The metric takes the same value at both ends and at five points between: it does not
    /// depend on the parameter (no range would find a root).
    Independent { value: f64 },
}

/// Solves metric(param = x) = target for x in [from, to].
pub fn solve(
    inputs: &Inputs,
    param: Param,
    metric: &Metric,
    target: f64,
    from: f64,
    to: f64,
) -> Result<Solution, String> {
    let failure: std::cell::RefCell<Option<String>> = std::cell::RefCell::new(None);
    // The metric itself (NaN on a refusal); `f` is its distance to the target. Flatness and the
    // values reported are read on the metric: with a target of 1e308, m - target is -1e308 for
    // every m of ordinary size, which would look flat and report 0.
    let m = |v: f64| -> f64 {
        let mut x = inputs.clone();
        param.set(&mut x, v);
        match metric.value(&x) {
            Ok(m) => m,
            Err(e) => {
                failure.borrow_mut().get_or_insert_with(|| {
                    format!(
                        "at {} = {}: {e}",
                        param.path(inputs),
                        crate::units::display(v, &param.spec().unit)
                    )
                });
                f64::NAN
            }
        }
    };
    let f = |v: f64| m(v) - target;
    let (ma, mb) = (m(from), m(to));
    let (fa, fb) = (ma - target, mb - target);
    if let Some(msg) = failure.borrow_mut().take() {
        return Err(msg);
    }
    if fa.signum() == fb.signum() && fa != 0.0 && fb != 0.0 {
        // Flat at the ends and inside: the metric ignores the parameter. A metric that varies
        // (even one that comes back to the same value at both ends) differs somewhere inside.
        let same = |y: f64| (y - ma).abs() <= 1e-12 * ma.abs().max(f64::MIN_POSITIVE);
        if same(mb) && (1..=5).all(|k| same(m(from + (to - from) * k as f64 / 6.0))) {
            if let Some(msg) = failure.borrow_mut().take() {
                return Err(msg);
            }
            return Ok(Solution::Independent { value: ma });
        }
        return Ok(Solution::NoCrossing {
            at_from: ma,
            at_to: mb,
        });
    }
    let result = brent(f, from, to, REL_TOL, 200);
    if let Some(msg) = failure.into_inner() {
        return Err(msg);
    }
    match result {
        RootResult::Root(x) => Ok(Solution::Root(x)),
        RootResult::NoCrossing => Ok(Solution::NoCrossing {
            at_from: ma,
            at_to: mb,
        }),
        RootResult::Jump { at, left, right } => Ok(Solution::Jump {
            at,
            left: left + target,
            right: right + target,
        }),
        RootResult::Error(e) => Err(e),
    }
}
