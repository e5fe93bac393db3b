//! Sweeps: the model on a 1-D or 2-D grid of parameter values (MODEL.md section 6).

use crate::model::{self, Inputs, ModelError};
use crate::report::{self, RunReport};
use crate::scenario::{Param, SweepAxis};
use rayon::prelude::*;

/// One grid point: the axis values (SI) and the full report there.
#[derive(Debug, Clone)]
pub struct SweepPoint {
    pub values: Vec<f64>,
    pub report: RunReport,
}

/// A point at which the model refuses the inputs.
#[derive(Debug, Clone, thiserror::Error)]
#[error("at {at}: {error}")]
pub struct PointError {
    pub at: String,
    pub error: Box<ModelError>,
}

/// The grid's points in row-major order: the last axis varies fastest.
pub fn grid(axes: &[SweepAxis]) -> Vec<Vec<f64>> {
    let mut points: Vec<Vec<f64>> = vec![Vec::new()];
    for axis in axes {
        let values = axis.values();
        points = points
            .into_iter()
            .flat_map(|p| {
                values.iter().map(move |&v| {
                    let mut q = p.clone();
                    q.push(v);
                    q
                })
            })
            .collect();
    }
    points
}

fn describe(axes: &[SweepAxis], values: &[f64]) -> String {
    axes.iter()
        .zip(values)
        .map(|(a, &v)| {
            let shown = match a.categories {
                Some(_) => a.param.show(v),
                None => crate::units::display_approx(v, &a.param.spec().unit, 6),
            };
            format!("{} = {shown}", a.path)
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Inputs with the axes set to `values`.
pub fn at(base: &Inputs, params: &[Param], values: &[f64]) -> Inputs {
    let mut x = base.clone();
    for (p, &v) in params.iter().zip(values) {
        p.set(&mut x, v);
    }
    x
}

/// Every grid point's full report; the first point the model refuses is an error naming it.
pub fn run(name: &str, base: &Inputs, axes: &[SweepAxis]) -> Result<Vec<SweepPoint>, PointError> {
    run_with_progress(name, base, axes, &|| {})
}

/// [`run`], calling `tick` once per point done (from any thread).
pub fn run_with_progress(
    name: &str,
    base: &Inputs,
    axes: &[SweepAxis],
    tick: &(dyn Fn() + Sync),
) -> Result<Vec<SweepPoint>, PointError> {
    let params: Vec<Param> = axes.iter().map(|a| a.param).collect();
    let check = |values: &[f64]| {
        let x = at(base, &params, values);
        model::evaluate(&x)
            .map(|o| (x, o))
            .map_err(|error| PointError {
                at: describe(axes, values),
                error: Box::new(error),
            })
    };
    let points: Result<Vec<SweepPoint>, PointError> = grid(axes)
        .into_par_iter()
        .map(|values| {
            tick();
            let (x, o) = check(&values)?;
            Ok(SweepPoint {
                report: report::report_for(name, &x, &o),
                values,
            })
        })
        .collect();
    // Threads race to the first refusal they meet; name the first point in grid order, so the
    // message is the same on every run and thread count.
    points.map_err(|e| grid(axes).iter().find_map(|v| check(v).err()).unwrap_or(e))
}

/// One metric over a grid (the fast path: no reports), row-major; used by the heatmap and
/// the benches. For rho, when the swept parameters belong to the candidate alone, the
/// baseline's cost is computed once; capital recovery factors are memoised per thread.
pub fn metric_grid(
    base: &Inputs,
    axes: &[SweepAxis],
    metric: &super::metric::Metric,
) -> Result<Vec<f64>, PointError> {
    use super::metric::Metric;
    let params: Vec<Param> = axes.iter().map(|a| a.param).collect();
    // Grid values per axis; point k is row-major (the last axis fastest), computed on the fly
    // so a million-point grid allocates nothing per point.
    let values: Vec<Vec<f64>> = axes.iter().map(SweepAxis::values).collect();
    let total: usize = values.iter().map(Vec::len).product();
    let value_at = |k: usize, axis: usize| -> f64 {
        let inner: usize = values[axis + 1..].iter().map(Vec::len).product();
        values[axis][(k / inner) % values[axis].len()]
    };
    let own = |p: &Param, i: usize| matches!(*p, Param::Fleet(f, _) | Param::Chip(f, _) | Param::Peak(f, _) if f == i);
    let fixed_baseline = match *metric {
        Metric::Comparison {
            candidate,
            key: "rho",
        } => {
            let b = base.compare.baseline;
            params
                .iter()
                .all(|p| own(p, candidate))
                .then(|| model::unit_cost(base, b).map(|c| (candidate, c)))
                .transpose()
                .map_err(|error| PointError {
                    at: "the base case".into(),
                    error: Box::new(error),
                })?
        }
        _ => None,
    };
    (0..total)
        .into_par_iter()
        .map_init(
            || (base.clone(), model::CrfMemo::default()),
            |(x, memo), k| {
                for (axis, p) in params.iter().enumerate() {
                    p.set(x, value_at(k, axis));
                }
                let value = match fixed_baseline {
                    Some((candidate, b)) => {
                        model::unit_cost_memo(x, candidate, memo).map(|c| b / c)
                    }
                    None => metric.value(x),
                };
                // Boxed: a small Err keeps the hot path's Result as light as an f64's.
                value.map_err(|error| (k, Box::new(error)))
            },
        )
        .collect::<Result<Vec<f64>, (usize, Box<model::ModelError>)>>()
        .map_err(|(k, error)| {
            // Threads race to the first refusal they meet; name the first point in grid order
            // (evaluated again, on failure only), so the message does not depend on the run.
            let first = (0..k)
                .find_map(|j| {
                    let mut x = base.clone();
                    for (axis, p) in params.iter().enumerate() {
                        p.set(&mut x, value_at(j, axis));
                    }
                    let v = match fixed_baseline {
                        Some((candidate, _)) => model::unit_cost(&x, candidate).map(|_| ()),
                        None => metric.value(&x).map(|_| ()),
                    };
                    v.err().map(|e| (j, Box::new(e)))
                })
                .unwrap_or((k, error));
            let at: Vec<f64> = (0..params.len())
                .map(|axis| value_at(first.0, axis))
                .collect();
            PointError {
                at: describe(axes, &at),
                error: first.1,
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::metric::Metric;
    use crate::scenario::Scenario;

    /// The fast grid equals the full reports' metric at every point, with the baseline held
    /// (only the candidate's inputs swept) and without (a site input swept too).
    #[test]
    fn metric_grid_matches_full_reports() {
        let text = include_str!("../../scenarios/trainium-vs-gpu-2gw.toml");
        let s = Scenario::from_str("2gw.toml", text).unwrap();
        let mut axes = s.sweeps.clone();
        for a in &mut axes {
            a.steps = 7;
        }
        let mut site = axes.clone();
        site[1] = SweepAxis {
            path: "site.electricity".into(),
            param: Param::parse("site.electricity", &s.inputs).unwrap(),
            from: 0.03 / 3.6e6,
            to: 0.15 / 3.6e6,
            steps: 5,
            log: false,
            span: 0..0,
            categories: None,
        };
        for axes in [axes, site] {
            let metric = Metric::natural_for(axes[0].param, &s.inputs);
            let fast = metric_grid(&s.inputs, &axes, &metric).unwrap();
            let full = run("x", &s.inputs, &axes).unwrap();
            assert_eq!(fast.len(), full.len());
            for (f, p) in fast.iter().zip(&full) {
                let want = metric.read(&p.report).unwrap();
                assert!(
                    (f - want).abs() <= 1e-12 * want.abs(),
                    "{f} vs {want} at {:?}",
                    p.values
                );
            }
        }
    }
}
