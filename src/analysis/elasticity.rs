//! Elasticities: d ln(metric) / d ln(param) at the base case, by central differences in log
//! space (one-sided at a range boundary), for every numeric input that is set and non-zero.

use super::metric::Metric;
use crate::model::Inputs;
use crate::scenario::Param;

/// Relative step of the finite difference.
pub const STEP: f64 = 1e-4;

pub use crate::report::analysis::{Elasticity, Skipped};

/// Elasticities of `metric` to every numeric input, sorted by magnitude (largest first), and
/// the inputs skipped with the reason.
pub fn elasticities(
    inputs: &Inputs,
    metric: &Metric,
) -> Result<(Vec<Elasticity>, Vec<Skipped>), String> {
    let m0 = metric.value(inputs).map_err(|e| e.to_string())?;
    if !(m0.is_finite() && m0 != 0.0) {
        return Err(format!(
            "{} is {m0} at the base case, and a relative change of it (d ln) has no meaning \
             there; pick a metric that is not 0, e.g. cost_per_unit",
            metric.label(inputs)
        ));
    }
    let mut out = Vec::new();
    let mut skipped = Vec::new();
    for p in Param::all(inputs) {
        let path = p.path(inputs);
        let spec = p.spec();
        let Some(x0) = p.get(inputs) else { continue };
        if x0 == 0.0 {
            skipped.push(Skipped {
                param: path,
                reason: "zero at the base case".into(),
            });
            continue;
        }
        if spec.range.integer {
            skipped.push(Skipped {
                param: path,
                reason: "a whole-number count (not differentiable)".into(),
            });
            continue;
        }
        let at = |f: f64| {
            let mut x = inputs.clone();
            p.set(&mut x, x0 * f);
            metric
                .value(&x)
                .ok()
                .filter(|m| m.is_finite() && *m != 0.0)
                .map(f64::abs)
        };
        let (up, down) = (1.0 + STEP, 1.0 - STEP);
        let up_ok = spec.range.contains(x0 * up);
        let down_ok = spec.range.contains(x0 * down);
        let e = match (
            up_ok.then(|| at(up)).flatten(),
            down_ok.then(|| at(down)).flatten(),
        ) {
            (Some(a), Some(b)) => (a.ln() - b.ln()) / (up.ln() - down.ln()),
            (Some(a), None) => (a.ln() - m0.abs().ln()) / up.ln(),
            (None, Some(b)) => (m0.abs().ln() - b.ln()) / -down.ln(),
            (None, None) => {
                skipped.push(Skipped {
                    param: path,
                    reason: "the model refuses any change of it".into(),
                });
                continue;
            }
        };
        out.push(Elasticity {
            param: path,
            value: crate::units::display(x0, &spec.unit),
            elasticity: if e.abs() < 1e-12 { 0.0 } else { e },
        });
    }
    out.sort_by(|a, b| {
        b.elasticity
            .abs()
            .total_cmp(&a.elasticity.abs())
            .then(a.param.cmp(&b.param))
    });
    Ok((out, skipped))
}
