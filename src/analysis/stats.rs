//! Streaming Monte Carlo summaries (MODEL.md section 6) whose results are byte-identical at
//! any thread count and whose memory is flat in the number of draws.
//!
//! # How to use
//!
//! ```text
//! let cfg = StatsConfig::auto(n_draws, n_metrics, &claim_levels);   // one per metric kind
//! let mut acc = Accumulator::new(&cfg, n_draws);                    // one per metric
//! for batch in chunk_indices.chunks(4 * threads) {                  // fixed chunks, e.g. 65,536 draws
//!     let stats: Vec<ChunkStats> = batch.par_iter()                 // any thread count
//!         .map(|&c| ChunkStats::from_values(&cfg, values_of_chunk(c)))
//!         .collect();                                               // kept in chunk order
//!     for s in stats { acc.merge(s); }                              // sequential, in chunk order
//! }
//! let summary = acc.finish();
//! ```
//!
//! The results depend only on the values and on the chunk boundaries (which the caller fixes,
//! independently of the number of threads), never on which thread computed which chunk: each
//! chunk is reduced sequentially, and chunks are merged in index order. Fold in batches (as
//! above) so that only a few chunks are alive at once.
//!
//! # What is computed
//!
//! - `n`, `mean`, `sd` (divisor `n - 1`; 0 when `n = 1`, NaN when `n = 0`), exact `min` and
//!   `max`. Per chunk: a two-pass mean and sum of squared deviations (with the compensation
//!   term); chunks are combined with Chan, Golub and LeVeque's pairwise formula.
//! - Exceedances: for each level, the exact `u64` count of `x >= level`,
//!   `probability = count / n` and `se = sqrt(p (1 - p) / n)`.
//! - `p5`, `p50`, `p95` by the "type 7" definition: `h = (n - 1) p`,
//!   `x[floor h] + (h - floor h) (x[floor h + 1] - x[floor h])` over the sorted values.
//!
//! # Quantile methods
//!
//! - [`QuantileMethod::Exact`]: every value is kept (8 bytes each) and the order statistics are
//!   selected with `select_nth_unstable_by(total_cmp)`. [`StatsConfig::auto`] picks it while
//!   `n * metrics <= EXACT_CAP_VALUES` (16 million values, 128 MB), e.g. up to 1.6 million
//!   draws with 10 metrics.
//! - [`QuantileMethod::Histogram`]: a log-spaced histogram with [`HIST_BITS`] = 14 bits of
//!   mantissa per bucket, i.e. 16,384 buckets per octave (relative bucket width at most
//!   `2^-14` = 6.1e-5) over the whole `f64` range, both signs, allocated one octave page
//!   (128 KB) at a time as values arrive, so nothing is data-driven and nothing can fall
//!   outside. An order statistic is estimated by the midpoint of its bucket (clamped to the
//!   exact min and max; rank 0 and `n - 1` are exact), so every quantile is within
//!   `max_rel_error = 2^-15 = 3.05e-5` relative (of `|x|`, for `|x| >= f64::MIN_POSITIVE`)
//!   of the exact type-7 value. Counts are integers, so merging is exact in any order;
//!   memory is 128 KB per octave spanned by the values (a few MB per metric at most in
//!   practice; 2 x 2046 octaves is the theoretical ceiling).
//!
//! Cost (release, this project's machine, 65,536-value chunks, two levels): chunk reduction
//! plus merge ~2.5 ns per value with the histogram, ~4 ns with the exact method (from a slice;
//! `from_values` avoids one copy); `finish` ~30 ms per 6.5 million stored values (exact) or
//! ~0.1 ms (histogram).
//!
//! Values should be finite: a NaN makes `mean`/`sd` NaN and lands in a bucket of its own.

/// Bits of mantissa per histogram bucket: 2^14 buckets per octave.
pub const HIST_BITS: u32 = 14;
/// The histogram method's bound on the relative error of a quantile: half a bucket.
pub const HIST_MAX_REL_ERROR: f64 = 1.0 / (1u64 << (HIST_BITS + 1)) as f64;
/// [`StatsConfig::auto`] keeps values for exact quantiles while draws x metrics is at most this.
pub const EXACT_CAP_VALUES: u64 = 16_000_000;

const PAGE: usize = 1 << HIST_BITS;
/// Buckets are the top 52 - PAGE_SHIFT = 25 bits of |x| (exponent and HIST_BITS of mantissa).
const PAGE_SHIFT: u32 = 52 - HIST_BITS;
/// Ordered keys: 2^25 + m for x >= 0, 2^25 - 1 - m for x < 0 (m = |x|'s top 25 bits), so
/// keys (and pages, key >> HIST_BITS) ascend with x.
const KEY_ZERO: u64 = 1 << 25;
const N_PAGES: usize = 1 << (26 - HIST_BITS);
const NO_PAGE: u32 = u32::MAX;

/// How quantiles are computed, with the error bound reports should state.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum QuantileMethod {
    /// Exact order statistics.
    Exact,
    /// Log-spaced histogram; every quantile is within `max_rel_error` (relative) of the exact.
    Histogram { max_rel_error: f64 },
}

impl QuantileMethod {
    /// The histogram method at [`HIST_BITS`].
    pub const HISTOGRAM: QuantileMethod = QuantileMethod::Histogram {
        max_rel_error: HIST_MAX_REL_ERROR,
    };
}

/// What every chunk and the accumulator of one metric share: the quantile method and the
/// exceedance levels. Build one, share it by reference with the workers.
#[derive(Clone, Debug, PartialEq)]
pub struct StatsConfig {
    method: QuantileMethod,
    levels: Vec<f64>,
}

impl StatsConfig {
    /// A configuration with an explicit method (any `Histogram { .. }` means the histogram
    /// at [`HIST_BITS`]) and exceedance levels (`P(x >= level)`).
    pub fn new(method: QuantileMethod, levels: &[f64]) -> Self {
        let method = match method {
            QuantileMethod::Exact => QuantileMethod::Exact,
            QuantileMethod::Histogram { .. } => QuantileMethod::HISTOGRAM,
        };
        StatsConfig {
            method,
            levels: levels.to_vec(),
        }
    }

    /// Exact quantiles while `n_draws * n_metrics <= EXACT_CAP_VALUES`, else the histogram.
    pub fn auto(n_draws: u64, n_metrics: usize, levels: &[f64]) -> Self {
        let method = if n_draws.saturating_mul(n_metrics.max(1) as u64) <= EXACT_CAP_VALUES {
            QuantileMethod::Exact
        } else {
            QuantileMethod::HISTOGRAM
        };
        Self::new(method, levels)
    }

    pub fn method(&self) -> QuantileMethod {
        self.method
    }

    pub fn levels(&self) -> &[f64] {
        &self.levels
    }
}

/// `P(x >= level)` over all draws.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Exceedance {
    pub level: f64,
    /// Exact number of draws with `x >= level`.
    pub count: u64,
    pub n: u64,
    /// `count / n`.
    pub probability: f64,
    /// `sqrt(p (1 - p) / n)`.
    pub se: f64,
}

/// The summary of one metric.
#[derive(Clone, Debug, PartialEq)]
pub struct Summary {
    pub n: u64,
    pub mean: f64,
    /// Sample standard deviation (divisor `n - 1`).
    pub sd: f64,
    pub min: f64,
    pub max: f64,
    pub p5: f64,
    pub p50: f64,
    pub p95: f64,
    pub quantile_method: QuantileMethod,
    /// One per configured level, in order.
    pub exceedances: Vec<Exceedance>,
}

// ---------------------------------------------------------------------------------------------
// Paged log histogram
// ---------------------------------------------------------------------------------------------

/// The ordered bucket key of a value (monotone in x; -0.0 goes with +0.0).
#[inline(always)]
fn bucket_key(x: f64) -> u64 {
    let bits = x.to_bits();
    let m = (bits & !(1u64 << 63)) >> PAGE_SHIFT;
    // All ones for a negative nonzero value, else 0.
    let neg = ((bits >> 63) & u64::from(bits << 1 != 0)).wrapping_neg();
    KEY_ZERO.wrapping_add(m ^ neg)
}

/// The midpoint of a bucket.
fn bucket_mid(key: u64) -> f64 {
    let (m, neg) = if key >= KEY_ZERO {
        (key - KEY_ZERO, false)
    } else {
        (KEY_ZERO - 1 - key, true)
    };
    let lo = f64::from_bits(m << PAGE_SHIFT);
    let hi = f64::from_bits((m + 1) << PAGE_SHIFT);
    let mid = lo + 0.5 * (hi - lo);
    let mid = if mid.is_finite() { mid } else { lo };
    if neg {
        -mid
    } else {
        mid
    }
}

/// Histogram counts: one page of 2^HIST_BITS counters per touched octave (and sign).
#[derive(Clone, Debug)]
struct PagedHist<T> {
    /// Page id -> position in `pages`, or NO_PAGE.
    index: Vec<u32>,
    pages: Vec<(usize, Box<[T; PAGE]>)>,
}

impl<T: Copy + Default> PagedHist<T> {
    fn new() -> Self {
        PagedHist {
            index: vec![NO_PAGE; N_PAGES],
            pages: Vec::new(),
        }
    }

    /// The position of page `page` in `pages`, allocating it.
    #[inline]
    fn slot_of(&mut self, page: usize) -> usize {
        let k = self.index[page];
        if k != NO_PAGE {
            return k as usize;
        }
        self.alloc(page)
    }

    #[cold]
    fn alloc(&mut self, page: usize) -> usize {
        let k = self.pages.len();
        self.index[page] = k as u32;
        let counts: Box<[T; PAGE]> = vec![T::default(); PAGE]
            .into_boxed_slice()
            .try_into()
            .unwrap_or_else(|_| unreachable!());
        self.pages.push((page, counts));
        k
    }
}

// ---------------------------------------------------------------------------------------------
// ChunkStats
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Debug)]
enum ChunkQuant {
    Values(Vec<f64>),
    Hist(PagedHist<u32>),
}

/// What one chunk of draws contributes for one metric: count, mean, sum of squared
/// deviations, min, max, exceedance counts, and the chunk's values (exact method) or their
/// histogram (O(octaves spanned) memory). Build it in a worker; merge it in chunk order.
#[derive(Clone, Debug)]
pub struct ChunkStats {
    n: u64,
    mean: f64,
    m2: f64,
    min: f64,
    max: f64,
    exceed: Vec<u64>,
    quant: ChunkQuant,
}

impl ChunkStats {
    /// Summarises a chunk's values (keeps the vector itself for the exact method).
    pub fn from_values(cfg: &StatsConfig, values: Vec<f64>) -> Self {
        let mut s = Self::moments(cfg, &values);
        s.quant = match cfg.method {
            QuantileMethod::Exact => ChunkQuant::Values(values),
            QuantileMethod::Histogram { .. } => ChunkQuant::Hist(Self::hist(&values)),
        };
        s
    }

    /// Summarises a chunk's values (copies them for the exact method).
    pub fn from_slice(cfg: &StatsConfig, values: &[f64]) -> Self {
        let mut s = Self::moments(cfg, values);
        s.quant = match cfg.method {
            QuantileMethod::Exact => ChunkQuant::Values(values.to_vec()),
            QuantileMethod::Histogram { .. } => ChunkQuant::Hist(Self::hist(values)),
        };
        s
    }

    /// Number of values in the chunk.
    pub fn len(&self) -> u64 {
        self.n
    }

    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    fn moments(cfg: &StatsConfig, v: &[f64]) -> Self {
        let n = v.len();
        let (mut mean, mut m2) = (f64::NAN, f64::NAN);
        let (mut min, mut max) = (f64::INFINITY, f64::NEG_INFINITY);
        if n > 0 {
            // Two passes in a fixed 4-lane pattern (deterministic, vectorisable): the sum with
            // min and max, then the deviations from the first mean and their squares (the
            // correction term makes the result as accurate as the exact mean's).
            let mut s = [0.0f64; 4];
            let mut lo = [f64::INFINITY; 4];
            let mut hi = [f64::NEG_INFINITY; 4];
            let quads = v.chunks_exact(4);
            let rest = quads.remainder();
            for q in quads {
                for i in 0..4 {
                    s[i] += q[i];
                    lo[i] = lo[i].min(q[i]);
                    hi[i] = hi[i].max(q[i]);
                }
            }
            for (i, &x) in rest.iter().enumerate() {
                s[i] += x;
                lo[i] = lo[i].min(x);
                hi[i] = hi[i].max(x);
            }
            min = lo[0].min(lo[1]).min(lo[2].min(lo[3]));
            max = hi[0].max(hi[1]).max(hi[2].max(hi[3]));
            let m0 = ((s[0] + s[1]) + (s[2] + s[3])) / n as f64;
            let mut d = [0.0f64; 4];
            let mut sq = [0.0f64; 4];
            let quads = v.chunks_exact(4);
            for q in quads {
                for i in 0..4 {
                    let e = q[i] - m0;
                    d[i] += e;
                    sq[i] += e * e;
                }
            }
            for (i, &x) in rest.iter().enumerate() {
                let e = x - m0;
                d[i] += e;
                sq[i] += e * e;
            }
            let dsum = (d[0] + d[1]) + (d[2] + d[3]);
            let sqsum = (sq[0] + sq[1]) + (sq[2] + sq[3]);
            mean = m0 + dsum / n as f64;
            // Clamp rounding below zero, but keep a NaN (squares that overflowed): `max` would
            // turn it into a silent 0.
            m2 = sqsum - dsum * dsum / n as f64;
            if m2 < 0.0 {
                m2 = 0.0;
            }
        }
        let exceed = cfg
            .levels
            .iter()
            .map(|&l| v.iter().map(|&x| u64::from(x >= l)).sum())
            .collect();
        ChunkStats {
            n: n as u64,
            mean,
            m2,
            min,
            max,
            exceed,
            quant: ChunkQuant::Values(Vec::new()),
        }
    }

    fn hist(v: &[f64]) -> PagedHist<u32> {
        let mut h = PagedHist::<u32>::new();
        for &x in v {
            let key = bucket_key(x);
            let k = h.slot_of((key >> HIST_BITS) as usize);
            h.pages[k].1[(key as usize) & (PAGE - 1)] += 1;
        }
        h
    }
}

// ---------------------------------------------------------------------------------------------
// Accumulator
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Debug)]
enum AccQuant {
    Values(Vec<f64>),
    Hist(PagedHist<u64>),
}

/// Merges [`ChunkStats`] of one metric, in chunk order, into a [`Summary`].
#[derive(Clone, Debug)]
pub struct Accumulator {
    cfg: StatsConfig,
    n: u64,
    mean: f64,
    m2: f64,
    min: f64,
    max: f64,
    exceed: Vec<u64>,
    quant: AccQuant,
}

impl Accumulator {
    /// An empty accumulator; `expected_n` reserves the value store of the exact method up
    /// front (no reallocation peak; at most `EXACT_CAP_VALUES`), and is only a hint.
    pub fn new(cfg: &StatsConfig, expected_n: u64) -> Self {
        let quant = match cfg.method {
            QuantileMethod::Exact => {
                AccQuant::Values(Vec::with_capacity(expected_n.min(EXACT_CAP_VALUES) as usize))
            }
            QuantileMethod::Histogram { .. } => AccQuant::Hist(PagedHist::new()),
        };
        Accumulator {
            cfg: cfg.clone(),
            n: 0,
            mean: f64::NAN,
            m2: f64::NAN,
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
            exceed: vec![0; cfg.levels.len()],
            quant,
        }
    }

    /// Draws merged so far.
    pub fn n(&self) -> u64 {
        self.n
    }

    pub fn config(&self) -> &StatsConfig {
        &self.cfg
    }

    /// Adds the next chunk (call in chunk index order for reproducible bits).
    ///
    /// # Panics
    /// If the chunk was built with another configuration's method or number of levels.
    pub fn merge(&mut self, c: ChunkStats) {
        assert_eq!(
            c.exceed.len(),
            self.exceed.len(),
            "chunk built with a different StatsConfig"
        );
        if c.n > 0 {
            if self.n == 0 {
                self.mean = c.mean;
                self.m2 = c.m2;
            } else {
                let (na, nb) = (self.n as f64, c.n as f64);
                let nt = na + nb;
                let delta = c.mean - self.mean;
                self.mean += delta * (nb / nt);
                self.m2 += c.m2 + delta * delta * (na * nb / nt);
            }
            self.n += c.n;
            self.min = self.min.min(c.min);
            self.max = self.max.max(c.max);
        }
        for (a, b) in self.exceed.iter_mut().zip(&c.exceed) {
            *a += b;
        }
        match (&mut self.quant, c.quant) {
            (AccQuant::Values(all), ChunkQuant::Values(v)) => all.extend_from_slice(&v),
            (AccQuant::Hist(h), ChunkQuant::Hist(ch)) => {
                for (page, counts) in &ch.pages {
                    let k = h.slot_of(*page);
                    for (d, s) in h.pages[k].1.iter_mut().zip(counts.iter()) {
                        *d += u64::from(*s);
                    }
                }
            }
            _ => panic!("chunk built with a different StatsConfig"),
        }
    }

    /// Exceedance probabilities for the configured levels.
    pub fn exceedances(&self) -> Vec<Exceedance> {
        self.cfg
            .levels
            .iter()
            .zip(&self.exceed)
            .map(|(&level, &count)| {
                let p = count as f64 / self.n as f64;
                Exceedance {
                    level,
                    count,
                    n: self.n,
                    probability: p,
                    se: (p * (1.0 - p) / self.n as f64).sqrt(),
                }
            })
            .collect()
    }

    /// Type-7 quantiles at probabilities `ps` (each in [0, 1]) by the configured method.
    /// Reorders the stored values (exact method) but not their multiset, so it may be called
    /// repeatedly. NaN for an empty accumulator.
    pub fn quantiles(&mut self, ps: &[f64]) -> Vec<f64> {
        if self.n == 0 {
            return vec![f64::NAN; ps.len()];
        }
        let n = self.n;
        // (j, frac) per p: h = (n - 1) p.
        let pos: Vec<(u64, f64)> = ps
            .iter()
            .map(|&p| {
                let h = (n - 1) as f64 * p.clamp(0.0, 1.0);
                let j = (h.floor() as u64).min(n - 1);
                (j, h - j as f64)
            })
            .collect();
        let mut ranks: Vec<u64> = pos
            .iter()
            .flat_map(|&(j, _)| [j, (j + 1).min(n - 1)])
            .collect();
        ranks.sort_unstable();
        ranks.dedup();
        let values = match &mut self.quant {
            AccQuant::Values(v) => select_ranks(v, &ranks),
            AccQuant::Hist(h) => hist_ranks(h, &ranks, n, self.min, self.max),
        };
        let at = |r: u64| values[ranks.binary_search(&r).expect("rank selected")];
        pos.iter()
            .map(|&(j, f)| {
                let lo = at(j);
                if f == 0.0 {
                    lo
                } else {
                    lo + f * (at((j + 1).min(n - 1)) - lo)
                }
            })
            .collect()
    }

    /// The summary: moments, p5/p50/p95, the quantile method, exceedances.
    pub fn finish(mut self) -> Summary {
        let q = self.quantiles(&[0.05, 0.5, 0.95]);
        let sd = match self.n {
            0 => f64::NAN,
            1 => 0.0,
            n => (self.m2 / (n - 1) as f64).sqrt(),
        };
        let (min, max) = if self.n == 0 {
            (f64::NAN, f64::NAN)
        } else {
            (self.min, self.max)
        };
        Summary {
            n: self.n,
            mean: self.mean,
            sd,
            min,
            max,
            p5: q[0],
            p50: q[1],
            p95: q[2],
            quantile_method: self.cfg.method,
            exceedances: self.exceedances(),
        }
    }
}

/// Exact order statistics at ascending distinct `ranks` (0-based) by successive selection.
fn select_ranks(v: &mut [f64], ranks: &[u64]) -> Vec<f64> {
    let mut out = Vec::with_capacity(ranks.len());
    let mut start = 0usize;
    for &r in ranks {
        let r = r as usize;
        let rest = &mut v[start..];
        let (_, x, _) = rest.select_nth_unstable_by(r - start, f64::total_cmp);
        out.push(*x);
        start = r + 1;
    }
    out
}

/// Histogram estimates of the order statistics at ascending distinct `ranks`.
fn hist_ranks(h: &PagedHist<u64>, ranks: &[u64], n: u64, min: f64, max: f64) -> Vec<f64> {
    let mut out = Vec::with_capacity(ranks.len());
    let mut k = 0usize;
    let mut cum = 0u64;
    for page in 0..N_PAGES {
        if k == ranks.len() {
            break;
        }
        let Some(counts) = h
            .index
            .get(page)
            .filter(|&&i| i != NO_PAGE)
            .map(|&i| &h.pages[i as usize].1)
        else {
            continue;
        };
        let total: u64 = counts.iter().sum();
        if cum + total <= ranks[k] {
            cum += total;
            continue;
        }
        for (slot, &c) in counts.iter().enumerate() {
            if c == 0 {
                continue;
            }
            cum += c;
            while k < ranks.len() && ranks[k] < cum {
                let r = ranks[k];
                let est = if r == 0 {
                    min
                } else if r == n - 1 {
                    max
                } else {
                    // max/min (not clamp): no panic on NaN or an empty range.
                    bucket_mid(((page as u64) << HIST_BITS) | slot as u64)
                        .max(min)
                        .min(max)
                };
                out.push(est);
                k += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::dist::{norm_quantile, open_unit};
    use rand::{RngCore, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    /// Summarise `values` in chunks of `chunk` values, merged in order.
    fn summarise(cfg: &StatsConfig, values: &[f64], chunk: usize) -> Accumulator {
        let mut acc = Accumulator::new(cfg, values.len() as u64);
        for c in values.chunks(chunk) {
            acc.merge(ChunkStats::from_slice(cfg, c));
        }
        acc
    }

    fn bits(s: &Summary) -> Vec<u64> {
        let mut v = vec![
            s.n,
            s.mean.to_bits(),
            s.sd.to_bits(),
            s.min.to_bits(),
            s.max.to_bits(),
        ];
        v.extend([s.p5, s.p50, s.p95].map(f64::to_bits));
        for e in &s.exceedances {
            v.extend([e.count, e.probability.to_bits(), e.se.to_bits()]);
        }
        v
    }

    #[test]
    fn known_sequence_1_to_101_exactly() {
        // 1..=101: mean 51; sum of squared deviations 2 (1^2 + ... + 50^2) = 85850, so
        // sd = sqrt(85850 / 100) = sqrt(858.5). Type 7: h = 100 p, an integer at p = .05, .5,
        // .95, so p5 = x[5] = 6, p50 = x[50] = 51, p95 = x[95] = 96.
        let v: Vec<f64> = (1..=101).map(f64::from).collect();
        let cfg = StatsConfig::new(QuantileMethod::Exact, &[51.0, 100.5, 0.0, 200.0]);
        let s = summarise(&cfg, &v, 1000).finish();
        assert_eq!((s.n, s.mean, s.sd), (101, 51.0, 858.5f64.sqrt()));
        assert_eq!(
            (s.p5, s.p50, s.p95, s.min, s.max),
            (6.0, 51.0, 96.0, 1.0, 101.0)
        );
        assert_eq!(s.quantile_method, QuantileMethod::Exact);
        // Exceedances: 51..=101 is 51 values >= 51; one >= 100.5; all >= 0; none >= 200.
        let counts: Vec<u64> = s.exceedances.iter().map(|e| e.count).collect();
        assert_eq!(counts, [51, 1, 101, 0]);
        let e = &s.exceedances[0];
        let p = 51.0 / 101.0;
        assert_eq!(e.probability, p);
        // se = sqrt(p (1 - p) / n) = sqrt(0.50495 * 0.49505 / 101) = 0.049749.
        assert!((e.se - (p * (1.0 - p) / 101.0).sqrt()).abs() < 1e-17);
        assert!((e.se - 0.049749).abs() < 1e-6);
        assert_eq!((s.exceedances[2].se, s.exceedances[3].se), (0.0, 0.0));
        // The same in small chunks (merged with Chan's formula: equal to rounding).
        let s7 = summarise(&cfg, &v, 7).finish();
        assert_eq!((s7.p5, s7.p50, s7.p95), (6.0, 51.0, 96.0));
        assert!((s7.mean - 51.0).abs() < 1e-13 && (s7.sd - s.sd).abs() < 1e-13);
        assert_eq!(s7.exceedances, s.exceedances);
        // Shuffled order gives the same quantiles.
        let mut w = v.clone();
        w.reverse();
        let sr = summarise(&cfg, &w, 10).finish();
        assert_eq!((sr.p5, sr.p50, sr.p95), (6.0, 51.0, 96.0));
    }

    #[test]
    fn type7_interpolates_between_order_statistics() {
        // 1..=10: h = 9 p. p5: h = 0.45, 1 + 0.45 (2 - 1) = 1.45; p50: h = 4.5 -> 5.5;
        // p95: h = 8.55 -> 9 + 0.55 = 9.55. p = 0 and 1 give min and max.
        let v: Vec<f64> = (1..=10).rev().map(f64::from).collect();
        let cfg = StatsConfig::new(QuantileMethod::Exact, &[]);
        let mut acc = summarise(&cfg, &v, 3);
        let q = acc.quantiles(&[0.05, 0.5, 0.95, 0.0, 1.0, 0.25]);
        let want = [1.45, 5.5, 9.55, 1.0, 10.0, 3.25];
        for (a, b) in q.iter().zip(want) {
            assert!((a - b).abs() < 1e-12, "{q:?}");
        }
        // Repeated calls give the same answer.
        assert_eq!(acc.quantiles(&[0.05, 0.5, 0.95, 0.0, 1.0, 0.25]), q);
        let s = acc.finish();
        assert_eq!(s.sd, (55.0f64 / 6.0).sqrt()); // sum of squares 82.5 / 9
    }

    #[test]
    fn edge_cases() {
        let cfg = StatsConfig::new(QuantileMethod::Exact, &[1.0]);
        let s = Accumulator::new(&cfg, 0).finish();
        assert_eq!(s.n, 0);
        assert!(s.mean.is_nan() && s.sd.is_nan() && s.p50.is_nan());
        let s = summarise(&cfg, &[2.5], 10).finish();
        assert_eq!(
            (s.n, s.mean, s.sd, s.p5, s.p50, s.p95),
            (1, 2.5, 0.0, 2.5, 2.5, 2.5)
        );
        assert_eq!(s.exceedances[0].count, 1);
        let hc = StatsConfig::new(QuantileMethod::HISTOGRAM, &[]);
        let s = summarise(&hc, &[2.5], 10).finish();
        assert_eq!((s.p5, s.p50, s.p95), (2.5, 2.5, 2.5));
        // Empty chunks are harmless.
        let mut acc = Accumulator::new(&hc, 0);
        acc.merge(ChunkStats::from_values(&hc, vec![]));
        acc.merge(ChunkStats::from_values(&hc, vec![1.0, 3.0]));
        acc.merge(ChunkStats::from_values(&hc, vec![]));
        let s = acc.finish();
        assert_eq!((s.n, s.mean, s.min, s.max), (2, 2.0, 1.0, 3.0));
    }

    #[test]
    fn auto_picks_the_method_by_size() {
        assert_eq!(
            StatsConfig::auto(1_600_000, 10, &[]).method(),
            QuantileMethod::Exact
        );
        assert_eq!(
            StatsConfig::auto(1_600_001, 10, &[]).method(),
            QuantileMethod::HISTOGRAM
        );
        assert_eq!(
            StatsConfig::auto(1_000_000_000, 9, &[1.3]).method(),
            QuantileMethod::HISTOGRAM
        );
        assert_eq!(HIST_MAX_REL_ERROR, 2f64.powi(-15));
        // Any Histogram{..} is normalised to the implemented bound.
        let c = StatsConfig::new(QuantileMethod::Histogram { max_rel_error: 0.5 }, &[]);
        assert_eq!(c.method(), QuantileMethod::HISTOGRAM);
    }

    #[test]
    fn histogram_agrees_with_exact_on_5m_lognormal_values() {
        // ln x ~ N(0.26, 0.2) (a rho-like metric around 1.3), 5M values in chunks of 65,536.
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let v: Vec<f64> = (0..5_000_000)
            .map(|_| (0.26 + 0.2 * norm_quantile(open_unit(rng.next_u64()))).exp())
            .collect();
        let levels = [1.3, 1.4];
        let ex = StatsConfig::new(QuantileMethod::Exact, &levels);
        let hi = StatsConfig::new(QuantileMethod::HISTOGRAM, &levels);
        let mut a = summarise(&ex, &v, 65_536);
        let mut b = summarise(&hi, &v, 65_536);
        let ps = [
            0.0, 1e-6, 0.001, 0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99, 0.999, 1.0,
        ];
        let (qa, qb) = (a.quantiles(&ps), b.quantiles(&ps));
        let mut worst = 0.0f64;
        for ((p, x), y) in ps.iter().zip(&qa).zip(&qb) {
            let e = (x - y).abs() / x.abs();
            assert!(
                e <= HIST_MAX_REL_ERROR,
                "p {p}: exact {x}, histogram {y}, rel {e:e}"
            );
            worst = worst.max(e);
        }
        eprintln!("histogram vs exact on 5M lognormal values: max relative quantile error {worst:.3e} (bound {HIST_MAX_REL_ERROR:.3e})");
        let (sa, sb) = (a.finish(), b.finish());
        // Moments and exceedances do not depend on the quantile method.
        assert_eq!(
            (sa.mean, sa.sd, sa.min, sa.max),
            (sb.mean, sb.sd, sb.min, sb.max)
        );
        assert_eq!(sa.exceedances, sb.exceedances);
        assert_eq!(
            sb.quantile_method,
            QuantileMethod::Histogram {
                max_rel_error: 2f64.powi(-15)
            }
        );
        // Sanity against the distribution: median e^0.26, P(x >= 1.3) = 1 - Phi((ln 1.3 - 0.26)/0.2).
        assert!((sa.p50 / 0.26f64.exp() - 1.0).abs() < 1e-3);
        let p = sa.exceedances[0].probability;
        let want = 1.0 - crate::analysis::dist::norm_cdf((1.3f64.ln() - 0.26) / 0.2);
        assert!(
            (p - want).abs() < 5.0 * sa.exceedances[0].se,
            "{p} vs {want}"
        );
    }

    #[test]
    fn histogram_handles_signs_zero_and_spread() {
        // Values of both signs, zero and twelve orders of magnitude.
        let mut v: Vec<f64> = Vec::new();
        for k in -50..=50 {
            v.push(k as f64 * 0.37);
            v.push((k as f64 * 0.25).exp());
            v.push(-(k as f64 * 0.21).exp());
        }
        v.push(0.0);
        v.push(-0.0);
        let ex = StatsConfig::new(QuantileMethod::Exact, &[]);
        let hi = StatsConfig::new(QuantileMethod::HISTOGRAM, &[]);
        let ps: Vec<f64> = (0..=100).map(|k| k as f64 / 100.0).collect();
        let qa = summarise(&ex, &v, 17).quantiles(&ps);
        let qb = summarise(&hi, &v, 17).quantiles(&ps);
        for ((p, x), y) in ps.iter().zip(&qa).zip(&qb) {
            // Interpolating across zero mixes signs: bound the error by the larger neighbour.
            let scale = x.abs().max(1e-300);
            assert!(
                (x - y).abs() <= HIST_MAX_REL_ERROR * scale * 1.0001 || (x - y).abs() < 1e-12,
                "p {p}: {x} vs {y}"
            );
        }
        assert_eq!(qb[0], qa[0]);
        assert_eq!(qb[100], qa[100]);
    }

    #[test]
    fn bucket_keys_are_monotone() {
        let xs = [
            -1e300,
            -3.0,
            -2.0,
            -1.0,
            -1e-300,
            -0.0,
            0.0,
            5e-324,
            1e-300,
            0.5,
            1.0,
            1.0001,
            2.0,
            1e300,
            f64::INFINITY,
        ];
        for w in xs.windows(2) {
            assert!(bucket_key(w[0]) <= bucket_key(w[1]), "{} {}", w[0], w[1]);
        }
        assert_eq!(bucket_key(-0.0), bucket_key(0.0));
        for x in [1.0, 1.3, -1.3, 1e-10, 7e200] {
            let m = bucket_mid(bucket_key(x));
            assert!(((m - x) / x).abs() <= HIST_MAX_REL_ERROR, "{x} {m}");
        }
    }

    /// Chunks computed by any number of threads, in any order, merged in chunk order: the
    /// same bits.
    #[test]
    fn identical_bits_at_any_thread_count() {
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        let v: Vec<f64> = (0..1_000_003)
            .map(|_| (1.0 + 0.3 * norm_quantile(open_unit(rng.next_u64()))).exp())
            .collect();
        let chunk = 65_536;
        for method in [QuantileMethod::Exact, QuantileMethod::HISTOGRAM] {
            let cfg = StatsConfig::new(method, &[2.0, 3.0, 10.0]);
            let n_chunks = v.len().div_ceil(chunk);
            let mut reference: Option<Vec<u64>> = None;
            for threads in [1usize, 2, 3, 4, 7] {
                let mut slots: Vec<Option<ChunkStats>> = (0..n_chunks).map(|_| None).collect();
                std::thread::scope(|s| {
                    let handles: Vec<_> = (0..threads)
                        .map(|t| {
                            let (v, cfg) = (&v, &cfg);
                            s.spawn(move || {
                                // Thread t takes chunks t, t + threads, ... in reverse order.
                                (0..n_chunks)
                                    .filter(|c| c % threads == t)
                                    .rev()
                                    .map(|c| {
                                        let end = ((c + 1) * chunk).min(v.len());
                                        (c, ChunkStats::from_slice(cfg, &v[c * chunk..end]))
                                    })
                                    .collect::<Vec<_>>()
                            })
                        })
                        .collect();
                    for h in handles {
                        for (c, st) in h.join().unwrap() {
                            slots[c] = Some(st);
                        }
                    }
                });
                let mut acc = Accumulator::new(&cfg, v.len() as u64);
                for st in slots {
                    acc.merge(st.unwrap());
                }
                let b = bits(&acc.finish());
                match &reference {
                    None => reference = Some(b),
                    Some(r) => assert_eq!(&b, r, "{method:?} with {threads} threads"),
                }
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn histogram_quantiles_within_bound(
            v in proptest::collection::vec(1e-3f64..1e6, 1..400),
            p in 0.0f64..=1.0,
            chunk in 1usize..50,
        ) {
            let ex = StatsConfig::new(QuantileMethod::Exact, &[]);
            let hi = StatsConfig::new(QuantileMethod::HISTOGRAM, &[]);
            let x = summarise(&ex, &v, chunk).quantiles(&[p])[0];
            let y = summarise(&hi, &v, chunk).quantiles(&[p])[0];
            proptest::prop_assert!((x - y).abs() <= HIST_MAX_REL_ERROR * x * (1.0 + 1e-12), "{} vs {}", x, y);
        }
    }
}
