//! The least-squares fit of mfu, mbu and the per-step overhead (see the module above for the
//! formula and the method).

use super::{Measured, Measurements, ModelShape, Phase};
use crate::model::work::{decode, DecodeChip, DecoderShape};
use crate::units::format::fmt_fixed;
use nalgebra::{DMatrix, DVector};

/// The measured chip's figures, SI.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChipFigures {
    /// Dense FLOP/s at the measured precision.
    pub peak: f64,
    /// B/s.
    pub hbm_bw: f64,
    /// B.
    pub hbm: f64,
}

/// What to do with the per-step overhead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overhead {
    /// Fit it, and keep it when it lowers the residual standard error (RSS / degrees of
    /// freedom), i.e. when it pays for the parameter it costs; else 0.
    Auto,
    /// Fit it (a negative value is not physical and is set to 0).
    Fit,
    /// 0.
    Zero,
}

/// Options of the fit: fixed fractions, the overhead rule, the fallback mfu.
#[derive(Debug, Clone, PartialEq)]
pub struct FitOptions {
    pub mfu: Option<f64>,
    pub mbu: Option<f64>,
    pub overhead: Overhead,
}

/// Where a fitted figure came from.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    /// Least squares over this many points on its side of the ridge.
    Fitted { points: usize },
    /// Given on the command line.
    Given,
    /// Not identifiable from the points: taken from elsewhere in the file (the text says).
    Fallback(String),
    /// Not identifiable and nothing to fall back on.
    Unknown,
}

/// A fitted fraction and its source.
#[derive(Debug, Clone, PartialEq)]
pub struct Estimate {
    pub value: Option<f64>,
    pub source: Source,
}

/// Which term sets a point's step time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Compute,
    Memory,
}

impl Side {
    pub fn name(self) -> &'static str {
        match self {
            Side::Compute => "compute",
            Side::Memory => "memory",
        }
    }
}

/// One point against the fitted model.
#[derive(Debug, Clone, PartialEq)]
pub struct PointFit {
    pub point: Measured,
    /// Context used (decode).
    pub context: Option<f64>,
    pub flops: f64,
    pub bytes: f64,
    pub side: Side,
    pub predicted_step: f64,
    /// Tokens/s: batch * tokens / step.
    pub measured_rate: f64,
    pub predicted_rate: f64,
    /// predicted_rate / measured_rate - 1.
    pub error: f64,
}

/// The fit's result.
#[derive(Debug, Clone, PartialEq)]
pub struct Fit {
    pub mfu: Estimate,
    pub mbu: Estimate,
    /// Seconds per step.
    pub step_overhead: f64,
    pub overhead_note: String,
    pub points: Vec<PointFit>,
    /// 1 - SS_res / SS_tot over the decode points' step times (None with < 2 of them).
    pub r2: Option<f64>,
    pub rms_error: f64,
    pub max_abs_error: f64,
    /// Lowest mfu at which every memory-side decode point stays memory-bound.
    pub mfu_floor: Option<f64>,
}

/// Why no fit can be given.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FitError {
    #[error("no decode or prefill rows to fit (rows used: 'decode step, batch N, context C', 'decode tokens/s, batch N', 'prefill T tokens')")]
    NoPoints,
    #[error(
        "line {line}: '{metric}' states no context; add ', context C' to the row or give --context"
    )]
    NoContext { line: usize, metric: String },
    #[error("line {line}: {reason}")]
    DoesNotFit { line: usize, reason: String },
    #[error("{0}")]
    Degenerate(String),
}

/// One point's roofline terms: F FLOP, M bytes, t measured seconds.
#[derive(Debug, Clone, Copy)]
struct Terms {
    f: f64,
    m: f64,
    t: f64,
}

/// One candidate: 1/mfu and 1/mbu as multiples of peak time and bandwidth time, overhead s.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Params {
    inv_mfu: f64,
    inv_mbu: f64,
    s: f64,
}

fn predict(x: &Terms, p: &Params, chip: &ChipFigures) -> (f64, Side) {
    let compute = x.f / chip.peak * p.inv_mfu;
    let memory = x.m / chip.hbm_bw * p.inv_mbu;
    if compute > memory {
        (compute + p.s, Side::Compute)
    } else {
        (memory + p.s, Side::Memory)
    }
}

fn rss(terms: &[Terms], p: &Params, chip: &ChipFigures) -> f64 {
    terms
        .iter()
        .map(|x| (predict(x, p, chip).0 / x.t - 1.0).powi(2))
        .sum()
}

/// Weighted linear least squares with the sides fixed: unknowns are whichever of 1/mfu, 1/mbu
/// (those not fixed and with a point on their side) and s are free. Returns the parameters
/// and the number of free unknowns, or None when the system is rank-deficient.
fn solve_sides(
    terms: &[Terms],
    sides: &[Side],
    start: &Params,
    free: (bool, bool, bool),
    chip: &ChipFigures,
) -> Option<(Params, usize)> {
    let has = |s: Side| sides.contains(&s);
    let free_a = free.0 && has(Side::Compute);
    let free_b = free.1 && has(Side::Memory);
    let cols: Vec<u8> = [(free_a, 0u8), (free_b, 1), (free.2, 2)]
        .iter()
        .filter(|c| c.0)
        .map(|c| c.1)
        .collect();
    let mut p = *start;
    if !free.2 {
        p.s = 0.0;
    }
    if cols.is_empty() {
        return Some((p, 0));
    }
    let n = terms.len();
    let mut a = DMatrix::<f64>::zeros(n, cols.len());
    let mut y = DVector::<f64>::zeros(n);
    for (i, (x, side)) in terms.iter().zip(sides).enumerate() {
        let (coef, col) = match side {
            Side::Compute => (x.f / chip.peak, 0u8),
            Side::Memory => (x.m / chip.hbm_bw, 1u8),
        };
        let mut rhs = x.t;
        match cols.iter().position(|&c| c == col) {
            Some(j) => a[(i, j)] = coef / x.t,
            None => rhs -= coef * if col == 0 { p.inv_mfu } else { p.inv_mbu },
        }
        if let Some(j) = cols.iter().position(|&c| c == 2) {
            a[(i, j)] = 1.0 / x.t;
        } else {
            rhs -= p.s;
        }
        y[i] = rhs / x.t;
    }
    // Columns scaled to unit norm so the SVD's rank test sees comparable magnitudes.
    let norms: Vec<f64> = (0..cols.len()).map(|j| a.column(j).norm()).collect();
    for (j, &nj) in norms.iter().enumerate() {
        if nj == 0.0 {
            return None;
        }
        a.column_mut(j).scale_mut(1.0 / nj);
    }
    let svd = a.svd(true, true);
    if svd.rank(1e-10) < cols.len() {
        return None;
    }
    let sol = svd.solve(&y, 1e-12).ok()?;
    for (j, &c) in cols.iter().enumerate() {
        let v = sol[j] / norms[j];
        match c {
            0 => p.inv_mfu = v,
            1 => p.inv_mbu = v,
            _ => p.s = v,
        }
    }
    Some((p, cols.len()))
}

/// Iterates side assignment and least squares until no point changes side; returns the best
/// parameters found (by relative RSS with the true max) and their free-unknown count.
fn fit_iterated(
    terms: &[Terms],
    start: Params,
    free: (bool, bool, bool),
    chip: &ChipFigures,
) -> Option<(Params, usize)> {
    let mut p = start;
    let mut best: Option<(Params, usize, f64)> = None;
    let mut seen: Vec<Vec<Side>> = Vec::new();
    for _ in 0..50 {
        let sides: Vec<Side> = terms.iter().map(|x| predict(x, &p, chip).1).collect();
        if seen.contains(&sides) {
            break;
        }
        seen.push(sides.clone());
        let (q, k) = solve_sides(terms, &sides, &p, free, chip)?;
        if !(q.inv_mfu > 0.0 && q.inv_mbu > 0.0) {
            return best.map(|b| (b.0, b.1));
        }
        let r = rss(terms, &q, chip);
        if best.map_or(true, |b| r < b.2) {
            best = Some((q, k, r));
        }
        p = q;
    }
    best.map(|b| (b.0, b.1))
}

fn point_terms(shape: &ModelShape, m: &Measured) -> Result<(Terms, Option<f64>), FitError> {
    let weights = shape.params * shape.weight_bytes;
    let kv = shape.kv_tok();
    match m.phase {
        Phase::Decode => {
            let c = m
                .context
                .or(shape.context)
                .ok_or_else(|| FitError::NoContext {
                    line: m.line,
                    metric: m.metric.clone(),
                })?;
            Ok((
                Terms {
                    f: 2.0 * shape.params * m.batch,
                    m: weights + m.batch * c * kv,
                    t: m.step_seconds,
                },
                Some(c),
            ))
        }
        Phase::Prefill => {
            let t = m.tokens;
            let attention = shape
                .heads
                .map(|h| 2.0 * shape.layers * m.batch * t * t * h * shape.head_dim)
                .unwrap_or(0.0);
            Ok((
                Terms {
                    f: 2.0 * shape.params * m.batch * t + attention,
                    m: weights + m.batch * t * kv,
                    t: m.step_seconds,
                },
                None,
            ))
        }
    }
}

/// Each point's terms and context, refusing a point whose bytes do not fit in the chip.
fn terms_of(
    shape: &ModelShape,
    chip: &ChipFigures,
    data: &Measurements,
) -> Result<Vec<(Terms, Option<f64>)>, FitError> {
    data.points
        .iter()
        .map(|m| {
            let (t, c) = point_terms(shape, m)?;
            if t.m > chip.hbm * (1.0 + 1e-9) {
                return Err(FitError::DoesNotFit {
                    line: m.line,
                    reason: format!(
                        "'{}' needs {} GB of weights and KV cache, more than the chip's {} GB: check the model shape",
                        m.metric,
                        fmt_fixed(t.m / 1e9, 1),
                        fmt_fixed(chip.hbm / 1e9, 1)
                    ),
                });
            }
            Ok((t, c))
        })
        .collect()
}

/// Fits with and without the overhead and applies the `Overhead` rule; returns the chosen
/// parameters and a note saying why.
fn choose_overhead(
    terms: &[Terms],
    start: Params,
    opts: &FitOptions,
    chip: &ChipFigures,
) -> Result<(Params, String), FitError> {
    let free = |s: bool| (opts.mfu.is_none(), opts.mbu.is_none(), s);
    let n = terms.len();
    let zero = fit_iterated(terms, start, free(false), chip);
    let with_s = match opts.overhead {
        Overhead::Zero => None,
        _ => fit_iterated(terms, start, free(true), chip),
    };
    let se = |p: &Params, k: usize| (n > k).then(|| (rss(terms, p, chip) / (n - k) as f64).sqrt());
    let pct = |x: Option<f64>| {
        x.map(|v| format!("{} %", fmt_fixed(v * 100.0, 2)))
            .unwrap_or("-".into())
    };
    Ok(match (opts.overhead, zero, with_s) {
        (_, None, None) => {
            return Err(FitError::Degenerate(
                "the points do not determine the fit (too few points, or fractions that come out \
                 negative): add points at other batches, or fix --mfu / --mbu"
                    .into(),
            ))
        }
        (Overhead::Zero, Some((p, _)), _) => (p, "0 (--overhead zero)".to_string()),
        (_, Some((z, _)), Some((p, _))) if p.s <= 0.0 => (
            z,
            format!("0: the fitted overhead ({} ms) is negative, which is not physical", crate::units::format::fmt_fixed(p.s * 1e3, 3)),
        ),
        (Overhead::Fit, _, Some((p, _))) => (p, "fitted (--overhead fit)".to_string()),
        (Overhead::Auto, Some((z, kz)), Some((p, k))) => match (se(&z, kz), se(&p, k)) {
            (Some(e0), Some(e1)) if e1 < e0 => (
                p,
                format!(
                    "fitted: it lowers the residual standard error from {} to {}",
                    pct(Some(e0)),
                    pct(Some(e1))
                ),
            ),
            (_, None) => (z, "0: too few points to fit it beside the fractions".to_string()),
            (e0, e1) => (
                z,
                format!(
                    "0: fitting it would not lower the residual standard error ({} without, {} with)",
                    pct(e0),
                    pct(e1)
                ),
            ),
        },
        (_, Some((z, _)), None) => (z, "0: the points do not determine it".to_string()),
        (_, None, Some((p, _))) => (p, "fitted".to_string()),
    })
}

/// mfu or mbu: given, fitted (points on its side), the fallback, or unknown; a fitted value
/// outside (0, 1] is an error.
fn estimate(
    name: &str,
    given: Option<f64>,
    on_side: usize,
    fitted: f64,
    fallback: Option<&(f64, String)>,
) -> Result<Estimate, FitError> {
    let e = match (given, on_side, fallback) {
        (Some(v), _, _) => Estimate {
            value: Some(v),
            source: Source::Given,
        },
        (None, k, _) if k > 0 => Estimate {
            value: Some(fitted),
            source: Source::Fitted { points: k },
        },
        (None, _, Some((v, text))) => Estimate {
            value: Some(*v),
            source: Source::Fallback(text.clone()),
        },
        (None, _, None) => Estimate {
            value: None,
            source: Source::Unknown,
        },
    };
    if let (Some(v), Source::Fitted { .. }) = (e.value, &e.source) {
        if !(v > 0.0 && v <= 1.0) {
            let what = if name == "mfu" {
                "FLOP/s than the chip's peak"
            } else {
                "bytes per second than the chip's hbm_bw"
            };
            return Err(FitError::Degenerate(format!(
                "the fitted {name} is {}, outside (0, 1]: the points imply more {what}; check --chip, --precision and the model shape (params read per step, bytes per element, context)",
                fmt_fixed(v, 4)
            )));
        }
    }
    Ok(e)
}

/// One point against the fitted values: decode through the model's own roofline
/// (`work::decode`), prefill by the same formula.
fn point_fit(
    shape: &ModelShape,
    chip: &ChipFigures,
    dchip: &DecodeChip,
    m: &Measured,
    x: &Terms,
    context: Option<f64>,
) -> Result<PointFit, FitError> {
    let (predicted_step, side) = match m.phase {
        Phase::Decode => {
            let s = DecoderShape {
                model_params: shape.params,
                layers: shape.layers,
                kv_heads: shape.kv_heads,
                head_dim: shape.head_dim,
                weight_bytes: shape.weight_bytes,
                kv_bytes: shape.kv_bytes,
                context: context.unwrap_or(f64::NAN),
                batch: Some(m.batch),
                tensor_parallel: Some(1.0),
            };
            let d = decode(&s, dchip).map_err(|e| FitError::DoesNotFit {
                line: m.line,
                reason: e.to_string(),
            })?;
            let side = if d.memory_bound {
                Side::Memory
            } else {
                Side::Compute
            };
            (d.step_seconds, side)
        }
        Phase::Prefill => {
            let p = Params {
                inv_mfu: 1.0 / dchip.mfu,
                inv_mbu: 1.0 / dchip.mbu,
                s: dchip.step_overhead,
            };
            predict(x, &p, chip)
        }
    };
    let per_step = m.batch * m.tokens;
    let (measured_rate, predicted_rate) = (per_step / m.step_seconds, per_step / predicted_step);
    Ok(PointFit {
        point: m.clone(),
        context,
        flops: x.f,
        bytes: x.m,
        side,
        predicted_step,
        measured_rate,
        predicted_rate,
        error: predicted_rate / measured_rate - 1.0,
    })
}

/// 1 - SS_res / SS_tot of the step times (None for fewer than two points or no spread).
fn r_squared(points: &[&PointFit]) -> Option<f64> {
    if points.len() < 2 {
        return None;
    }
    let mean = points.iter().map(|p| p.point.step_seconds).sum::<f64>() / points.len() as f64;
    let ss_tot: f64 = points
        .iter()
        .map(|p| (p.point.step_seconds - mean).powi(2))
        .sum();
    let ss_res: f64 = points
        .iter()
        .map(|p| (p.point.step_seconds - p.predicted_step).powi(2))
        .sum();
    Some(1.0 - ss_res / ss_tot).filter(|r| r.is_finite())
}

/// Fits the roofline to the measured points. `fallback_mfu` (value, text) is used when no
/// point is compute-bound and `--mfu` is not given.
pub fn fit(
    shape: &ModelShape,
    chip: &ChipFigures,
    data: &Measurements,
    opts: &FitOptions,
    fallback_mfu: Option<(f64, String)>,
) -> Result<Fit, FitError> {
    if data.points.is_empty() {
        return Err(FitError::NoPoints);
    }
    let (terms, contexts): (Vec<Terms>, Vec<Option<f64>>) =
        terms_of(shape, chip, data)?.into_iter().unzip();
    let start_mfu = opts
        .mfu
        .or(fallback_mfu.as_ref().map(|f| f.0))
        .unwrap_or(0.5);
    let start = Params {
        inv_mfu: 1.0 / start_mfu,
        inv_mbu: 1.0 / opts.mbu.unwrap_or(0.7),
        s: 0.0,
    };
    let (params, note) = choose_overhead(&terms, start, opts, chip)?;
    let sides: Vec<Side> = terms.iter().map(|x| predict(x, &params, chip).1).collect();
    let count = |s: Side| sides.iter().filter(|&&x| x == s).count();
    let mfu = estimate(
        "mfu",
        opts.mfu,
        count(Side::Compute),
        1.0 / params.inv_mfu,
        fallback_mfu.as_ref(),
    )?;
    let mbu = estimate(
        "mbu",
        opts.mbu,
        count(Side::Memory),
        1.0 / params.inv_mbu,
        None,
    )?;
    // A fraction that is unknown leaves its term out (an infinite rate).
    let dchip = DecodeChip {
        peak: chip.peak,
        mfu: mfu.value.unwrap_or(f64::INFINITY),
        hbm: chip.hbm,
        hbm_bw: chip.hbm_bw,
        mbu: mbu.value.unwrap_or(f64::INFINITY),
        step_overhead: params.s,
        availability: 1.0,
    };
    let points = data
        .points
        .iter()
        .zip(&terms)
        .zip(&contexts)
        .map(|((m, x), c)| point_fit(shape, chip, &dchip, m, x, *c))
        .collect::<Result<Vec<_>, _>>()?;
    let decode_points: Vec<&PointFit> = points
        .iter()
        .filter(|p| p.point.phase == Phase::Decode)
        .collect();
    let mfu_floor = decode_points
        .iter()
        .filter(|p| p.side == Side::Memory)
        .map(|p| p.flops / chip.peak / (p.bytes / (chip.hbm_bw * dchip.mbu)))
        .fold(None, |acc: Option<f64>, v| {
            Some(acc.map_or(v, |a| a.max(v)))
        })
        .filter(|v| v.is_finite());
    let errors: Vec<f64> = points.iter().map(|p| p.error).collect();
    Ok(Fit {
        mfu,
        mbu,
        step_overhead: params.s,
        overhead_note: note,
        r2: r_squared(&decode_points),
        rms_error: (errors.iter().map(|e| e * e).sum::<f64>() / errors.len() as f64).sqrt(),
        max_abs_error: errors.iter().fold(0.0, |a: f64, e| a.max(e.abs())),
        points,
        mfu_floor,
    })
}
