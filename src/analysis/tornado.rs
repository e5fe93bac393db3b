//! Tornado: each uncertain parameter at the 5th and 95th percentiles of its distribution as
//! sampled (after truncation), the others at base; bars sorted by the swing of the metric.

use super::metric::Metric;
use super::montecarlo::marginal;
use crate::scenario::Scenario;

pub use crate::report::analysis::Bar;

/// Whether `s` has something to swing: an `[uncertainty]` block with at least one
/// distribution that varies. The reason is a fault of the scenario (bad input), not of the run.
pub fn check(s: &Scenario) -> Result<(), String> {
    if s.uncertainty.is_empty() {
        return Err(format!(
            "{}: no [uncertainty] block; a tornado swings each uncertain input between its p5 \
             and p95, so add one (see scenarios/trainium-vs-gpu-2gw.toml)",
            s.file
        ));
    }
    if !s
        .uncertainty
        .iter()
        .any(|u| marginal(u).is_ok_and(|m| !m.is_fixed()))
    {
        return Err(format!(
            "{}: every distribution in [uncertainty] is fixed (low = high, sd = 0 or \
             dist = \"fixed\"); a tornado needs at least one that varies",
            s.file
        ));
    }
    Ok(())
}

/// The bars (largest swing first) and the metric at base; [`check`] first.
pub fn tornado(s: &Scenario, metric: &Metric) -> Result<(f64, Vec<Bar>), String> {
    check(s)?;
    let base = metric.value(&s.inputs).map_err(|e| e.to_string())?;
    let mut bars = Vec::new();
    for u in &s.uncertainty {
        let m = marginal(u)?;
        if m.is_fixed() {
            continue;
        }
        let (lo, hi) = (m.quantile(0.05), m.quantile(0.95));
        let at = |v: f64| {
            let mut x = s.inputs.clone();
            u.param.set(&mut x, v);
            metric.value(&x).map_err(|e| {
                format!(
                    "{} = {}: {e}",
                    u.path,
                    crate::units::display_approx(v, &u.param.spec().unit, 4)
                )
            })
        };
        let (ml, mh) = (at(lo)?, at(hi)?);
        let unit = u.param.spec().unit;
        bars.push(Bar {
            param: u.path.clone(),
            low_value: lo,
            high_value: hi,
            low_text: crate::units::display_approx(lo, &unit, 4),
            high_text: crate::units::display_approx(hi, &unit, 4),
            metric_low: ml,
            metric_high: mh,
            swing: (mh - ml).abs(),
        });
    }
    bars.sort_by(|a, b| b.swing.total_cmp(&a.swing).then(a.param.cmp(&b.param)));
    Ok((base, bars))
}
