//! Monte Carlo over the `[uncertainty]` block (MODEL.md section 6): marginals by inverse CDF,
//! dependence by a Gaussian copula, the model on every draw, streaming summaries.
//!
//! Determinism: draws are cut into fixed chunks of [`CHUNK`]; chunk `c` draws from its own
//! ChaCha8 stream (`seed`, stream `c`), chunks run in parallel and are merged in index order,
//! so the same seed and n give the same bytes at any thread count.

use super::copula::Copula;
use super::dist::{open_unit, Dist, Marginal};
use super::metric::Metric;
use super::stats::{Accumulator, ChunkStats, Exceedance, QuantileMethod, StatsConfig, Summary};
use crate::model::{self, Inputs};
use crate::scenario::{Param, Scenario};
use crate::units::format::Num;
use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

/// Draws per chunk: the unit of parallel work and of RNG streams. Fixed, so results never
/// depend on the thread count.
pub const CHUNK: u64 = 16_384;
/// Chunks computed between two in-order merges (bounds memory).
const BATCH_CHUNKS: usize = 32;

/// A Monte Carlo set up from a scenario: the marginals, the copula and the base inputs.
#[derive(Debug, Clone)]
pub struct Setup {
    pub base: Inputs,
    /// The non-fixed uncertain parameters, in `[uncertainty]` order.
    pub params: Vec<Param>,
    pub paths: Vec<String>,
    pub marginals: Vec<Marginal>,
    /// Whether each parameter is a count (rounded to a whole number after sampling).
    pub counts: Vec<bool>,
    /// Whether each parameter is sampled from a normal score `z` (through the copula when it
    /// is in a correlated pair): correlated parameters, and normal and lognormal ones.
    pub by_z: Vec<bool>,
    /// For correlated parameters without a closed-form `quantile_z`: their z table.
    pub z_tables: Vec<Option<ZTable>>,
    pub copula: Copula,
    /// (candidate, baseline) of each comparison.
    pub comparisons: Vec<(usize, usize)>,
    pub levels: Vec<f64>,
    /// A metric followed on every draw (`--program ID`, or `--metric KEY` of a fleet or
    /// comparison), with the levels whose exceedance P(metric >= level) is reported.
    pub program: Option<(Metric, Vec<f64>)>,
}

/// `x(z) = quantile(Phi(z))` of one marginal tabulated for the copula path: correlated
/// parameters arrive as normal scores `z`, and evaluating `Phi` and then the inverse CDF per
/// draw costs more than the rest of the draw. Cubic Hermite pieces on [`ZTable::Z`] nodes
/// over `|z| <= 8` (slopes by central differences of the exact function); outside, and for
/// untruncated normal and lognormal marginals (closed form), the exact path; the table is
/// checked against the exact function at three points of every interval when built, and a
/// marginal that fails the check keeps the exact path. Maximum error:
/// [`ZTable::MAX_ERROR`] of the marginal's span `x(8) - x(-8)` (tested on the shipped
/// marginals and hard shapes in `z_table_error_is_within_bound`; about 1e-2 USD on a chip
/// price). The PERT quantile it tabulates is itself a table (dist.rs), only C1 at its
/// nodes, which is what limits the error.
#[derive(Debug, Clone)]
pub struct ZTable {
    x: Vec<f64>,
    slope: Vec<f64>,
}

impl ZTable {
    /// Nodes per unit of z.
    const PER_UNIT: f64 = 128.0;
    /// The tabulated range is [-Z, Z].
    pub const Z: f64 = 8.0;
    /// The tested bound on |table - exact| as a fraction of the marginal's span.
    pub const MAX_ERROR: f64 = 2e-6;

    fn exact(m: &Marginal, z: f64) -> f64 {
        m.quantile(super::dist::norm_cdf(z))
    }

    /// The table of `m`, or `None` when its closed form is already cheap.
    pub fn new(m: &Marginal) -> Option<ZTable> {
        if Self::untruncated(m) {
            return None;
        }
        let n = (2.0 * Self::Z * Self::PER_UNIT) as usize;
        let h = 1.0 / Self::PER_UNIT;
        // Values at the nodes (and one beyond each end); slopes by central differences of the
        // node values (per node interval), which a tiny kink of the exact function cannot upset.
        let node = |i: isize| Self::exact(m, -Self::Z + i as f64 * h);
        let ext: Vec<f64> = (-1..=n as isize + 1).map(node).collect();
        let x: Vec<f64> = ext[1..=n + 1].to_vec();
        let slope: Vec<f64> = (1..=n + 1)
            .map(|k| (ext[k + 1] - ext[k - 1]) / 2.0)
            .collect();
        let table = ZTable { x, slope };
        // Check the table at every interval's midpoint and quarter points; a marginal whose
        // exact quantile is not smooth enough keeps the exact path.
        let span = (table.x[n] - table.x[0]).abs();
        let ok = (0..n).all(|i| {
            [0.25, 0.5, 0.75].iter().all(|f| {
                let z = -Self::Z + (i as f64 + f) * h;
                (table.eval(m, z) - Self::exact(m, z)).abs() <= Self::MAX_ERROR * span * 0.5
            })
        });
        ok.then_some(table)
    }

    /// Whether a normal or lognormal marginal is left untruncated by its range over the
    /// tabulated z (then `quantile_z` is closed form and cheap).
    fn untruncated(m: &Marginal) -> bool {
        let r = m.range();
        let closed = |z: f64| match *m.dist() {
            Dist::Normal { mean, sd } => Some(mean + sd * z),
            Dist::LogNormal { p5, p95 } => {
                let (l5, l95) = (p5.ln(), p95.ln());
                let sigma = (l95 - l5) / (2.0 * super::dist::Z95);
                Some((0.5 * (l5 + l95) + sigma * z).exp())
            }
            _ => None,
        };
        match (closed(-Self::Z), closed(Self::Z)) {
            (Some(lo), Some(hi)) => r.contains(lo) && r.contains(hi),
            _ => false,
        }
    }

    /// `quantile(Phi(z))` of the marginal the table was built from.
    #[inline]
    pub fn eval(&self, m: &Marginal, z: f64) -> f64 {
        let t = (z + Self::Z) * Self::PER_UNIT;
        let last = self.x.len() - 1;
        if !(t >= 0.0 && t < last as f64) {
            return Self::exact(m, z);
        }
        let i = t as usize;
        let s = t - i as f64;
        let (x0, x1, d0, d1) = (self.x[i], self.x[i + 1], self.slope[i], self.slope[i + 1]);
        // Cubic Hermite on [0, 1].
        let s2 = s * s;
        let s3 = s2 * s;
        let h00 = 2.0 * s3 - 3.0 * s2 + 1.0;
        let h10 = s3 - 2.0 * s2 + s;
        let h01 = -2.0 * s3 + 3.0 * s2;
        let h11 = s3 - s2;
        h00 * x0 + h10 * d0 + h01 * x1 + h11 * d1
    }
}

/// The marginal of one `[uncertainty]` entry, truncated to its parameter's range.
pub fn marginal(u: &crate::scenario::Uncertain) -> Result<Marginal, String> {
    Marginal::with_range(u.dist, u.param.spec().range)
        .map_err(|e| format!("uncertainty \"{}\": {e}", u.path))
}

impl Setup {
    /// Builds the sampler; fixed distributions are set into the base inputs once.
    pub fn new(s: &Scenario) -> Result<Setup, String> {
        if s.uncertainty.is_empty() {
            return Err(format!(
                "{}: no [uncertainty] block; add one (see scenarios/trainium-vs-gpu-2gw.toml) to run a Monte Carlo",
                s.file
            ));
        }
        let mut base = s.inputs.clone();
        let (mut params, mut paths, mut marginals) = (Vec::new(), Vec::new(), Vec::new());
        for u in &s.uncertainty {
            let m = marginal(u)?;
            if m.is_fixed() {
                u.param.set(&mut base, m.quantile(0.5));
            } else {
                params.push(u.param);
                paths.push(u.path.clone());
                marginals.push(m);
            }
        }
        let names: Vec<&str> = paths.iter().map(String::as_str).collect();
        let pairs: Vec<(String, String, f64)> = s
            .correlations
            .iter()
            .map(|c| (c.a.clone(), c.b.clone(), c.rho))
            .collect();
        let copula = Copula::new(&names, &pairs)
            .map_err(|e| format!("{}: [uncertainty] correlations: {e}", s.file))?;
        let b = base.compare.baseline;
        let comparisons = (0..base.fleets.len())
            .filter(|&i| i != b)
            .map(|i| (i, b))
            .collect();
        let levels = base.compare.claims.clone();
        let counts = params
            .iter()
            .map(|p: &Param| p.spec().range.integer)
            .collect();
        let by_z: Vec<bool> = marginals
            .iter()
            .enumerate()
            .map(|(j, m)| {
                copula.is_correlated(j)
                    || matches!(m.dist(), Dist::Normal { .. } | Dist::LogNormal { .. })
            })
            .collect();
        let z_tables = marginals
            .iter()
            .zip(&by_z)
            .map(|(m, &z)| if z { ZTable::new(m) } else { None })
            .collect();
        Ok(Setup {
            base,
            counts,
            by_z,
            z_tables,
            params,
            paths,
            marginals,
            copula,
            comparisons,
            levels,
            program: None,
        })
    }

    /// Also follows program metric `metric` on every draw, with P(metric >= level) for each
    /// of `levels`.
    pub fn with_program(mut self, metric: Metric, levels: Vec<f64>) -> Setup {
        self.program = Some((metric, levels));
        self
    }

    /// Metrics per draw: each fleet's cost per unit, then each comparison's rho, then the
    /// program metric.
    pub fn n_metrics(&self) -> usize {
        self.base.fleets.len() + self.comparisons.len() + usize::from(self.program.is_some())
    }
}

/// A draw the model refuses: its index and parameter values.
#[derive(Debug, Clone, thiserror::Error)]
#[error("draw {index} breaks the model ({values}): {error}")]
pub struct DrawError {
    pub index: u64,
    pub values: String,
    pub error: Box<model::ModelError>,
}

/// Per-thread scratch space: nothing is allocated per draw.
struct Scratch {
    x: Inputs,
    e: Vec<f64>,
    u: Vec<f64>,
    v: Vec<f64>,
    costs: Vec<f64>,
    /// Kept across the chunk's draws: capital recovery factors and serving results.
    memo: model::KernelMemo,
}

impl Setup {
    fn scratch(&self) -> Scratch {
        let k = self.params.len();
        Scratch {
            x: self.base.clone(),
            e: vec![0.0; k],
            u: vec![0.0; k],
            v: vec![0.0; k],
            costs: vec![0.0; self.base.fleets.len()],
            memo: model::KernelMemo::default(),
        }
    }

    /// Samples one draw's parameter values into `s.v` from `rng`. Parameters sampled from a
    /// normal score (correlated, normal or lognormal) draw `e ~ N(0, 1)` (ziggurat), take
    /// `z = L e` through the copula and `x = quantile(Phi(z))` (closed form or [`ZTable`]);
    /// the others draw a uniform `u` and take `quantile(u)`. Both are inverse-CDF sampling of
    /// the truncated marginal (MODEL.md section 6).
    #[inline]
    fn sample(&self, rng: &mut ChaCha8Rng, s: &mut Scratch) {
        for ((e, u), &corr) in s.e.iter_mut().zip(s.u.iter_mut()).zip(&self.by_z) {
            if corr {
                // A standard normal score straight from the ziggurat.
                *e = rand_distr::Distribution::sample(&rand_distr::StandardNormal, rng);
            } else {
                *u = open_unit(rng.next_u64());
                *e = 0.0;
            }
        }
        if self.copula.is_identity() {
            s.v.copy_from_slice(&s.e);
        } else {
            self.copula.correlate_z(&s.e, &mut s.v);
        }
        for ((((v, &u), m), &corr), table) in
            s.v.iter_mut()
                .zip(&s.u)
                .zip(&self.marginals)
                .zip(&self.by_z)
                .zip(&self.z_tables)
        {
            // quantile(Phi(z)): tabulated, or closed form for untruncated normal/lognormal.
            *v = match (corr, table) {
                (false, _) => m.quantile(u),
                (true, Some(t)) => t.eval(m, *v),
                (true, None) => m.quantile_z(*v),
            };
        }
    }

    /// Evaluates the model at `s.v`: fills `s.costs` (cost per unit of every fleet) and the
    /// program metric's value.
    #[inline]
    fn evaluate(&self, s: &mut Scratch) -> Result<f64, model::ModelError> {
        for ((p, &count), &v) in self.params.iter().zip(&self.counts).zip(&s.v) {
            if count {
                p.set(&mut s.x, v);
            } else {
                p.set_unrounded(&mut s.x, v);
            }
        }
        model::unit_costs_memo(&s.x, &mut s.costs, &mut s.memo)?;
        match &self.program {
            Some((m, _)) => m.value(&s.x),
            None => Ok(f64::NAN),
        }
    }

    fn describe(&self, v: &[f64]) -> String {
        self.params
            .iter()
            .zip(&self.paths)
            .zip(v)
            .map(|((p, path), &x)| {
                format!(
                    "{path} = {}",
                    crate::units::display_approx(x, &p.spec().unit, 4)
                )
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Runs chunk `c` of `n` draws: per-metric values (and sample rows when asked).
    fn chunk(&self, seed: u64, c: u64, n: u64, samples: bool) -> Result<ChunkOut, DrawError> {
        let start = c * CHUNK;
        let len = CHUNK.min(n - start) as usize;
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(c);
        let mut s = self.scratch();
        let m = self.n_metrics();
        let nf = self.base.fleets.len();
        let mut values: Vec<Vec<f64>> = (0..m).map(|_| Vec::with_capacity(len)).collect();
        let mut rows = samples.then(String::new);
        for d in 0..len {
            self.sample(&mut rng, &mut s);
            let program_value = match self.evaluate(&mut s) {
                Ok(v) => v,
                Err(error) => {
                    return Err(DrawError {
                        index: start + d as u64,
                        values: self.describe(&s.v),
                        error: Box::new(error),
                    })
                }
            };
            let (fleet_values, rho_values) = values.split_at_mut(nf);
            for (v, &cost) in fleet_values.iter_mut().zip(&s.costs) {
                v.push(cost);
            }
            for (v, &(cand, b)) in rho_values.iter_mut().zip(&self.comparisons) {
                v.push(s.costs[b] / s.costs[cand]);
            }
            if self.program.is_some() {
                values[m - 1].push(program_value);
            }
            if let Some(out) = rows.as_mut() {
                use std::fmt::Write;
                let _ = write!(out, "{}", start + d as u64);
                // Parameters in their keys' units (as the header says), then USD per unit.
                for (p, &x) in self.params.iter().zip(&s.v) {
                    let _ = write!(out, ",{}", Num(x / p.spec().unit.si));
                }
                for &x in &s.costs {
                    let _ = write!(out, ",{}", Num(x));
                }
                for j in 0..self.comparisons.len() {
                    let _ = write!(out, ",{}", Num(values[nf + j][d]));
                }
                if self.program.is_some() {
                    let _ = write!(out, ",{}", Num(program_value));
                }
                out.push('\n');
            }
        }
        Ok(ChunkOut { values, rows })
    }
}

/// One chunk of `n` draws, for the benches (values only).
pub fn run_chunk_for_bench(setup: &Setup, seed: u64, n: u64) -> usize {
    setup
        .chunk(seed, 0, n, false)
        .map(|c| c.values.len())
        .unwrap_or(0)
}

struct ChunkOut {
    values: Vec<Vec<f64>>,
    rows: Option<String>,
}

/// A binned view of one metric for charts: `bins` equal bins over [lo, hi]; values outside
/// are counted in the first or last bin.
#[derive(Debug, Clone, PartialEq)]
pub struct Bins {
    pub lo: f64,
    pub hi: f64,
    pub counts: Vec<u64>,
}

impl Bins {
    fn new(lo: f64, hi: f64, n: usize) -> Bins {
        Bins {
            lo,
            hi,
            counts: vec![0; n],
        }
    }

    fn add(&mut self, values: &[f64]) {
        let n = self.counts.len();
        let w = (self.hi - self.lo) / n as f64;
        for &x in values {
            let i = (((x - self.lo) / w).floor().max(0.0) as usize).min(n - 1);
            self.counts[i] += 1;
        }
    }
}

/// The result of a Monte Carlo run.
#[derive(Debug, Clone)]
pub struct McResult {
    pub n: u64,
    pub seed: u64,
    /// Cost per unit of each fleet, in fleet order.
    pub fleets: Vec<Summary>,
    /// rho of each comparison, with P(rho >= level) for each claim level.
    pub comparisons: Vec<(Summary, Vec<Exceedance>)>,
    pub method: QuantileMethod,
    /// Chart bins of each comparison's rho.
    pub rho_bins: Vec<Bins>,
    /// The program metric (`--program`), with P(metric >= level) for each of its levels.
    pub program: Option<(Summary, Vec<Exceedance>)>,
    /// Chart bins of the program metric.
    pub program_bins: Option<Bins>,
}

/// Where every draw goes with `--samples`: a header and CSV rows, in draw order.
pub trait SampleSink: Send {
    fn header(&mut self, columns: &[String]) -> std::io::Result<()>;
    fn rows(&mut self, text: &str) -> std::io::Result<()>;
}

/// What one chunk contributes once reduced (in a worker): per-metric statistics, chart bin
/// counts of each rho, and the sample rows when asked.
struct ChunkDone {
    stats: Vec<ChunkStats>,
    bins: Vec<Vec<u64>>,
    rows: Option<String>,
    len: u64,
}

/// The in-order reduction of chunks into the final summaries.
struct Merger<'a> {
    accs: Vec<Accumulator>,
    bins: Vec<Bins>,
    sink: Option<&'a mut dyn SampleSink>,
    done: u64,
}

impl Merger<'_> {
    fn merge(&mut self, outs: Vec<Result<ChunkDone, DrawError>>) -> Result<(), String> {
        for out in outs {
            let out = out.map_err(|e| e.to_string())?;
            for (b, counts) in self.bins.iter_mut().zip(&out.bins) {
                for (total, c) in b.counts.iter_mut().zip(counts) {
                    *total += c;
                }
            }
            if let (Some(s), Some(rows)) = (self.sink.as_deref_mut(), out.rows.as_deref()) {
                s.rows(rows).map_err(|e| format!("--samples: {e}"))?;
            }
            self.done += out.len;
            for (acc, st) in self.accs.iter_mut().zip(out.stats) {
                acc.merge(st);
            }
        }
        Ok(())
    }
}

/// Runs `n` draws from `seed`. `progress` is called with the draws done so far.
///
/// Chunks are computed and reduced in parallel, batch by batch; while one batch is computed
/// the previous one is merged in chunk order, so the result does not depend on the threads.
pub fn run(
    setup: &Setup,
    n: u64,
    seed: u64,
    mut sink: Option<&mut dyn SampleSink>,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<McResult, String> {
    if n == 0 {
        return Err("-n must be at least 1".into());
    }
    let nf = setup.base.fleets.len();
    let m = setup.n_metrics();
    let nc = setup.comparisons.len();
    let fleet_cfg = StatsConfig::auto(n, m, &[]);
    let rho_cfg = StatsConfig::auto(n, m, &setup.levels);
    let program_cfg = StatsConfig::auto(
        n,
        m,
        setup
            .program
            .as_ref()
            .map_or(&[][..], |(_, l)| l.as_slice()),
    );
    let cfg_of = |i: usize| {
        if i < nf {
            &fleet_cfg
        } else if i < nf + nc {
            &rho_cfg
        } else {
            &program_cfg
        }
    };
    let accs: Vec<Accumulator> = (0..m).map(|i| Accumulator::new(cfg_of(i), n)).collect();
    if let Some(s) = sink.as_deref_mut() {
        let mut cols = vec!["draw".to_string()];
        cols.extend(
            setup
                .paths
                .iter()
                .zip(&setup.params)
                .map(|(path, p)| format!("{path} [{}]", p.spec().unit.name)),
        );
        cols.extend(
            setup
                .base
                .fleets
                .iter()
                .map(|f| format!("cost_per_unit.{}", f.id)),
        );
        cols.extend(
            setup
                .comparisons
                .iter()
                .map(|&(c, _)| format!("rho.{}", setup.base.fleets[c].id)),
        );
        if let Some((m, _)) = &setup.program {
            let x = &setup.base;
            cols.push(match *m {
                Metric::Program { program, key } => format!("{key}.{}", x.programs[program].id),
                Metric::Fleet { fleet, key } => format!("{key}.{}", x.fleets[fleet].id),
                Metric::Comparison { candidate, key } => {
                    format!("{key}.{}", x.fleets[candidate].id)
                }
                Metric::Contract { key } => format!("contract.{key}"),
            });
        }
        s.header(&cols).map_err(|e| format!("--samples: {e}"))?;
    }
    let want_rows = sink.is_some();
    // The chart's range comes from chunk 0 (deterministic): each rho's span there, widened.
    // Chunk 0 is then reduced from this same output, not drawn again.
    let pilot = setup
        .chunk(seed, 0, n, want_rows)
        .map_err(|e| e.to_string())?;
    too_wide_early(setup, &pilot.values)?;
    let bins: Vec<Bins> = pilot.values[nf..]
        .iter()
        .map(|v| {
            let (lo, hi) = v
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
                    (a.min(x), b.max(x))
                });
            let pad = ((hi - lo) * 0.25).max(hi.abs() * 1e-3);
            Bins::new(lo - pad, hi + pad, 60)
        })
        .collect();
    let pilot = std::sync::Mutex::new(Some(pilot));
    let ranges: Vec<(f64, f64, usize)> =
        bins.iter().map(|b| (b.lo, b.hi, b.counts.len())).collect();
    let reduce = |c: u64| -> Result<ChunkDone, DrawError> {
        let reused = if c == 0 {
            pilot.lock().map_or(None, |mut p| p.take())
        } else {
            None
        };
        let out = match reused {
            Some(out) => out,
            None => setup.chunk(seed, c, n, want_rows)?,
        };
        let len = out.values[0].len() as u64;
        let bins = ranges
            .iter()
            .zip(&out.values[nf..])
            .map(|(&(lo, hi, k), v)| {
                let mut b = Bins::new(lo, hi, k);
                b.add(v);
                b.counts
            })
            .collect();
        let stats = out
            .values
            .into_iter()
            .enumerate()
            .map(|(i, v)| ChunkStats::from_values(cfg_of(i), v))
            .collect();
        Ok(ChunkDone {
            stats,
            bins,
            rows: out.rows,
            len,
        })
    };
    let mut merger = Merger {
        accs,
        bins,
        sink,
        done: 0,
    };
    let chunks = n.div_ceil(CHUNK);
    let mut pending: Option<Vec<Result<ChunkDone, DrawError>>> = None;
    let mut c0 = 0u64;
    while c0 < chunks || pending.is_some() {
        let c1 = (c0 + BATCH_CHUNKS as u64).min(chunks);
        let batch = pending.take();
        let (next, merged) = rayon::join(
            || -> Vec<Result<ChunkDone, DrawError>> {
                (c0..c1).into_par_iter().map(reduce).collect()
            },
            || batch.map(|b| merger.merge(b)).unwrap_or(Ok(())),
        );
        merged?;
        progress(merger.done);
        if c0 < chunks {
            pending = Some(next);
        }
        c0 = c1;
    }
    let Merger { accs, bins, .. } = merger;
    let method = fleet_cfg.method();
    let mut summaries = accs.into_iter().map(|a| {
        let ex = a.exceedances();
        (a.finish(), ex)
    });
    let fleets: Vec<Summary> = (&mut summaries).take(nf).map(|(s, _)| s).collect();
    let comparisons: Vec<(Summary, Vec<Exceedance>)> = (&mut summaries).take(nc).collect();
    let program: Option<(Summary, Vec<Exceedance>)> = summaries.next();
    check_summaries(setup, &fleets, &comparisons)?;
    if let (Some((s, _)), Some((metric, _))) = (&program, &setup.program) {
        if ![s.mean, s.sd, s.p5, s.p50, s.p95]
            .iter()
            .all(|v| v.is_finite())
        {
            return Err(format!(
                "the {} cannot be summarised: its draws run from {} to {}; it follows \
                 from the distributions of {}",
                metric.label(&setup.base),
                crate::units::format::fmt_sig(s.min, 4),
                crate::units::format::fmt_sig(s.max, 4),
                setup.paths.join(", ")
            ));
        }
    }
    let mut rho_bins = bins;
    let program_bins = if program.is_some() {
        rho_bins.pop()
    } else {
        None
    };
    Ok(McResult {
        n,
        seed,
        fleets,
        comparisons,
        method,
        rho_bins,
        program,
        program_bins,
    })
}

/// Draws spread wider than this cannot be summarised: some deviation from the mean is at
/// least half of it, and its square (5e154^2 = 2.5e309) overflows the sd.
const SPREAD_LIMIT: f64 = 1e155;

/// The names of the metrics in the order of a chunk's values: each fleet's cost per unit,
/// each comparison's rho, then the program metric.
fn metric_names(setup: &Setup) -> Vec<String> {
    let x = &setup.base;
    x.fleets
        .iter()
        .map(|f| format!("cost per unit of {}", f.id))
        .chain(
            setup
                .comparisons
                .iter()
                .map(|&(c, b)| format!("rho of {} vs {}", x.fleets[c].id, x.fleets[b].id)),
        )
        .chain(setup.program.iter().map(|(m, _)| m.label(x)))
        .collect()
}

fn too_wide_message(setup: &Setup, what: &str, min: f64, max: f64) -> String {
    format!(
        "the {what}: its draws run from {} to {}, beyond what floating point can square and \
         sum; it follows from the distributions of {}; give them realistic ranges",
        crate::units::format::fmt_sig(min, 4),
        crate::units::format::fmt_sig(max, 4),
        setup.paths.join(", ")
    )
}

/// The first chunk's draws already spread wider than [`SPREAD_LIMIT`]: the statistics would
/// refuse them after every draw is computed (hours at 1e12 draws), so refuse now.
fn too_wide_early(setup: &Setup, values: &[Vec<f64>]) -> Result<(), String> {
    for (name, v) in metric_names(setup).iter().zip(values) {
        let (lo, hi) = v
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
                (a.min(x), b.max(x))
            });
        if hi - lo > SPREAD_LIMIT {
            return Err(too_wide_message(
                setup,
                &format!("sd of the {name} cannot be computed (it overflows)"),
                lo,
                hi,
            ));
        }
    }
    Ok(())
}

/// A summary that overflowed (draws near 1e200 square to inf) is an error naming the metric
/// and the uncertain inputs, never a printed inf or NaN.
fn check_summaries(
    setup: &Setup,
    fleets: &[Summary],
    comparisons: &[(Summary, Vec<Exceedance>)],
) -> Result<(), String> {
    let x = &setup.base;
    let named = x
        .fleets
        .iter()
        .zip(fleets)
        .map(|(f, s)| (format!("cost per unit of {}", f.id), s))
        .chain(
            setup
                .comparisons
                .iter()
                .zip(comparisons)
                .map(|(&(c, b), (s, _))| {
                    let (c, b) = (&x.fleets[c].id, &x.fleets[b].id);
                    (format!("rho of {c} vs {b}"), s)
                }),
        );
    for (name, m) in named {
        let figures = [
            ("mean", m.mean),
            ("sd", m.sd),
            ("p5", m.p5),
            ("p50", m.p50),
            ("p95", m.p95),
        ];
        if let Some((k, v)) = figures.iter().find(|(_, v)| !v.is_finite()) {
            let why = if v.is_nan() {
                "undefined"
            } else {
                "it overflows"
            };
            return Err(too_wide_message(
                setup,
                &format!("{k} of the {name} cannot be computed ({why})"),
                m.min,
                m.max,
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::dist::Range as DistRange;
    use super::*;

    /// The z table agrees with the exact `quantile(Phi(z))` within MAX_ERROR of the span on every
    /// correlated marginal of the shipped 2 GW scenario and a few hard shapes.
    #[test]
    fn z_table_error_is_within_bound() {
        let open01 = DistRange::open_low(0.0, 1.0);
        let pos = DistRange::closed(0.0, f64::INFINITY);
        let cases = [
            (
                Dist::Triangular {
                    low: 6e3,
                    mode: 11e3,
                    high: 14e3,
                },
                pos,
            ),
            (
                Dist::Pert {
                    low: 10e3,
                    mode: 14e3,
                    high: 20e3,
                },
                pos,
            ),
            (
                Dist::Pert {
                    low: 30e3,
                    mode: 35e3,
                    high: 40e3,
                },
                pos,
            ),
            (
                Dist::Pert {
                    low: 27.8e3,
                    mode: 41.7e3,
                    high: 47.2e3,
                },
                pos,
            ),
            (
                Dist::Pert {
                    low: 0.0,
                    mode: 0.0,
                    high: 1.0,
                },
                pos,
            ), // mode at the low end
            (
                Dist::LogNormal {
                    p5: 0.28,
                    p95: 0.48,
                },
                open01,
            ), // truncated at 1
            (
                Dist::LogNormal {
                    p5: 0.25,
                    p95: 0.50,
                },
                open01,
            ),
            (
                Dist::Uniform {
                    low: 0.066,
                    high: 0.0895,
                },
                pos,
            ),
            (Dist::Normal { mean: 0.4, sd: 0.2 }, open01), // truncated both sides
        ];
        for (d, r) in cases {
            let m = Marginal::with_range(d, r).unwrap();
            let Some(t) = ZTable::new(&m) else {
                // The build-time check refused the table: the exact path is used.
                continue;
            };
            let span = ZTable::exact(&m, ZTable::Z) - ZTable::exact(&m, -ZTable::Z);
            let mut worst = 0.0f64;
            for k in 0..200_001 {
                let z = -8.5 + 17.0 * k as f64 / 200_000.0;
                let err = (t.eval(&m, z) - ZTable::exact(&m, z)).abs() / span;
                worst = worst.max(err);
            }
            assert!(
                worst < ZTable::MAX_ERROR,
                "{d:?}: max error {worst:e} of the span"
            );
        }
    }

    #[test]
    fn shipped_marginals_get_a_table() {
        let pos = DistRange::closed(0.0, f64::INFINITY);
        for d in [
            Dist::Triangular {
                low: 6e3,
                mode: 11e3,
                high: 14e3,
            },
            Dist::Pert {
                low: 10e3,
                mode: 14e3,
                high: 20e3,
            },
            Dist::Pert {
                low: 30e3,
                mode: 35e3,
                high: 40e3,
            },
        ] {
            let m = Marginal::with_range(d, pos).unwrap();
            assert!(ZTable::new(&m).is_some(), "{d:?}");
        }
    }

    #[test]
    fn untruncated_lognormal_needs_no_table() {
        let pos = DistRange::closed(0.0, f64::INFINITY);
        let m = Marginal::with_range(
            Dist::LogNormal {
                p5: 10.0,
                p95: 20.0,
            },
            pos,
        )
        .unwrap();
        assert!(ZTable::new(&m).is_none());
    }
}
