//! The serving model of MODEL.md section 4 (inference): requests of `input` prompt and
//! `output` generated tokens served by continuous batching, prefill and decode on a replica of
//! n_r chips, the batch limited by HBM, `max_batch` and a latency target, mixture-of-experts
//! weight reads, tensor-parallel communication, speculative decoding and disaggregated
//! prefill. SI units throughout (bytes, s, FLOP, tokens).
//!
//! ```text
//! kv_tok  = 2 layers kv_heads head_dim kv_bytes  (x n_r / kv_heads when n_r > kv_heads)
//! c       = input + output / 2                   (decode-only form: context)
//! W(b)    = P wb (dense); (D + X (1 - (1 - k/E)^b)) wb, X = (P - Pa)/(1 - k/E), D = P - X (MoE)
//! B_mem   = floor((n_r hbm (1 - reserve) - P wb) / (c kv_tok))
//! t_dec   = max((2 Pa + 4 L H hd c) B / (n_r peak mfu), (W(B) + B c kv_tok) / (n_r bw mbu))
//!           + t_comm(B) + overhead
//! t_pre   = max((2 Pa I + 2 L H hd I^2) / (n_r peak mfu), W(chunk) I / chunk / (n_r bw mbu))
//!           + t_comm(I) + overhead I / chunk
//! t_comm(b) = 2 L (2 (n_r - 1) / n_r * b hidden 2 / scaleup_bw + allreduce_latency)
//! tokens/s per replica = B O / ((O - 1) t_dec + B t_pre);  per chip: / n_r * availability
//! tpot    = t_dec + B t_pre / max(O - 1, 1);  ttft = t_pre
//! ```
//!
//! The request form (input and output) runs with the refinements of docs/model.md
//! (`ServingShape::refined`): attention and GEMMs on their own rooflines, each the 2-norm of its
//! compute and memory times; KV held for the whole request; all-reduces at
//! `ALLREDUCE_BUS_EFFICIENCY` of the link; a prompt's share of its prefill chunk's latencies.
//! `tpot.rs` finds the largest batch meeting a tpot target, `auto.rs` the replica size.

use super::sizing::{tolerant_ceil, tolerant_floor};

mod auto;
mod error;
mod tpot;
pub use error::ServingError;

/// What a sequence looks like.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Requests {
    /// Schema 1's decode-only form: no prefill, `context` tokens of KV per sequence.
    DecodeOnly { context: f64 },
    /// Requests of `input` prompt tokens (0: no prefill) and `output` generated tokens.
    Full { input: f64, output: f64 },
}

/// How many chips hold one replica.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ReplicaSize {
    /// The fewest that hold the weights and the batch (one sequence for "max").
    Fewest,
    /// `tensor_parallel = N`.
    Fixed(f64),
    /// `tensor_parallel = "auto"`: the n_r up to chips_per_node with the most tokens/s per chip.
    Auto,
}

/// A mixture-of-experts layer: `experts` routed experts, `per_token` chosen per token.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Moe {
    pub experts: f64,
    pub per_token: f64,
}

/// Speculative decoding: `tokens` drafted per step, each accepted with probability
/// `acceptance`, drafting costing `draft_cost` of a decode step per drafted token.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Speculation {
    pub tokens: f64,
    pub acceptance: f64,
    pub draft_cost: f64,
}

impl Speculation {
    /// Expected tokens per verify step: (1 - a^(k+1)) / (1 - a).
    pub fn tokens_per_step(&self) -> f64 {
        (1.0 - self.acceptance.powf(self.tokens + 1.0)) / (1.0 - self.acceptance)
    }
}

/// The model and how it is served.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ServingShape {
    /// P: parameters stored.
    pub model_params: f64,
    /// Pa: parameters used per token (P for a dense model).
    pub active_params: f64,
    pub layers: f64,
    pub kv_heads: f64,
    pub head_dim: f64,
    /// Query heads: the attention FLOPs and the heads a replica must divide; `None`: no
    /// attention FLOPs (schema 1's decode roofline).
    pub heads: Option<f64>,
    /// Model width for the all-reduces (heads * head_dim when `None`).
    pub hidden: Option<f64>,
    pub weight_bytes: f64,
    pub kv_bytes: f64,
    pub requests: Requests,
    /// `None`: "max".
    pub batch: Option<f64>,
    pub replica: ReplicaSize,
    /// Fraction of HBM for neither weights nor KV.
    pub memory_reserve: f64,
    pub max_batch: Option<f64>,
    /// Tokens per prefill step.
    pub prefill_chunk: f64,
    /// s per output token, target.
    pub tpot: Option<f64>,
    /// s to the first token, target.
    pub ttft: Option<f64>,
    pub moe: Option<Moe>,
    pub speculation: Option<Speculation>,
    /// Prefill and decode on separate replicas.
    pub disaggregated: bool,
    /// Chips per prefill replica (disaggregated); `None`: the decode replica's.
    pub prefill_replica: Option<f64>,
    /// The refinements of docs/model.md ("Refinements from published serving runs"), for the
    /// request form only (the decode-only form stays schema 1's roofline):
    /// 1. attention and the weight GEMMs run as separate kernels, one after the other, each on
    ///    its own roofline, instead of one roofline over their sum;
    /// 2. the engine reserves KV for a request's whole length (input + output) when it admits
    ///    it (TensorRT-LLM's default GUARANTEED_NO_EVICT scheduler);
    /// 3. a kernel near its ridge point is slower than its larger term: each roofline is the
    ///    2-norm of its compute and memory times, not their maximum;
    /// 4. all-reduces move data at `ALLREDUCE_BUS_EFFICIENCY` of the link's bandwidth;
    /// 5. prefill chunks batch several prompts, so a prompt pays its share I / chunk of a
    ///    chunk's all-reduce latencies, as it already did of the step overhead.
    pub refined: bool,
}

/// The all-reduce bus bandwidth reached, as a share of the one-way link bandwidth: 366 GB/s
/// of NVLink 4's 450 GB/s (nccl-tests all_reduce_perf, 4x H100 SXM, "Where tensor-parallel
/// inference hits the NVLink wall", waynehacking8.github.io, 2026-05-31). Refinement 4.
pub const ALLREDUCE_BUS_EFFICIENCY: f64 = 0.77;

/// W(b) of a model storing `weights` bytes, with its MoE split (D wb, X wb, ln(1 - k/E)).
#[inline]
fn weight_read(weights: f64, moe: Option<(f64, f64, f64)>, b: f64) -> f64 {
    match moe {
        None => weights,
        Some((d, x, ln_keep)) => d + x * (1.0 - (b * ln_keep).exp()),
    }
}

/// A roofline near its ridge point (refinement 3): sqrt(a^2 + b^2), between max(a, b) and a + b.
#[inline]
fn ridge(a: f64, b: f64) -> f64 {
    (a * a + b * b).sqrt()
}

/// One chip's figures for serving.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ServingChip {
    /// Dense FLOP/s at the workload precision.
    pub peak: f64,
    pub mfu: f64,
    /// The mfu of prefill (the scenario's `prefill_mfu`, which defaults to mfu): prefill's
    /// large GEMMs can run at another efficiency than decode's.
    pub prefill_mfu: f64,
    /// HBM bytes.
    pub hbm: f64,
    /// HBM bytes/s.
    pub hbm_bw: f64,
    pub mbu: f64,
    /// s per decode step.
    pub step_overhead: f64,
    pub availability: f64,
    /// Scale-up bytes/s per chip, one way; `None`: communication is free.
    pub scaleup_bw: Option<f64>,
    /// s per all-reduce.
    pub allreduce_latency: f64,
    /// The scale-up domain "auto" searches.
    pub chips_per_node: f64,
}

/// Which term of the decode step is larger.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    Compute,
    Bandwidth,
}

impl Bound {
    pub fn name(self) -> &'static str {
        match self {
            Bound::Compute => "compute",
            Bound::Bandwidth => "bandwidth",
        }
    }
}

/// What set the batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BatchLimit {
    Given,
    Hbm,
    MaxBatch,
    Tpot,
}

impl BatchLimit {
    pub fn name(self) -> &'static str {
        match self {
            BatchLimit::Given => "given",
            BatchLimit::Hbm => "hbm",
            BatchLimit::MaxBatch => "max_batch",
            BatchLimit::Tpot => "tpot",
        }
    }
}

/// One replica's serving figures.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Serving {
    /// n_r: chips per (decode) replica.
    pub replica_chips: f64,
    /// n_p: chips per prefill replica (disaggregated), else n_r.
    pub prefill_chips: f64,
    /// B: sequences decoded together.
    pub batch: f64,
    pub batch_limit: BatchLimit,
    pub bound: Bound,
    /// t_dec: s per output token step of the batch (after speculation's / E).
    pub decode_step: f64,
    /// t_pre: s of one request's prefill.
    pub prefill_seconds: f64,
    /// s to the first token (t_pre; queueing not modelled). 0 without prefill.
    pub ttft: f64,
    /// s per output token seen by one user.
    pub tpot: f64,
    pub tokens_per_s_per_user: f64,
    /// Output tokens per second per chip, after availability.
    pub tokens_per_s_per_chip: f64,
    /// Share of the chip time spent on prefill: charged to input tokens.
    pub input_share: f64,
}

/// The figures of one replica size that do not depend on the batch.
#[derive(Debug, Clone, Copy)]
struct Replica {
    n: f64,
    /// KV bytes per token per sequence over the replica (replicated past kv_heads).
    kv_tok: f64,
    /// Bytes of KV per sequence at the mean length (read per step).
    per_seq: f64,
    /// Bytes of KV per sequence held in HBM (the mean, or the whole length when reserved).
    held_seq: f64,
    /// HBM for weights and KV.
    capacity: f64,
    /// s of compute per sequence per decode step: the weight GEMMs and the attention.
    gemm_per_seq: f64,
    attn_per_seq: f64,
    /// Replica bytes/s.
    bw: f64,
    /// t_comm = comm0 + comm1 * tokens.
    comm0: f64,
    comm1: f64,
}

/// A replica size's batch-independent figures: the decode replica, the prefill replica (np
/// chips; the decode replica's when aggregated) and one request's prefill time on it.
#[derive(Debug, Clone, Copy)]
struct Sized {
    r: Replica,
    rp: Replica,
    t_pre: f64,
}

/// The model's constants for one shape on one chip.
#[derive(Debug, Clone)]
struct Ctx<'a> {
    s: &'a ServingShape,
    chip: &'a ServingChip,
    /// Weight bytes stored (P wb).
    weights: f64,
    /// KV bytes per token per sequence, unreplicated.
    kv_tok: f64,
    /// Mean KV length in decode.
    c: f64,
    /// Input and output tokens (0, 0 for decode-only).
    input: f64,
    output: f64,
    /// Attention FLOPs per decoded token (4 L H hd c; 0 without heads).
    attn_tok: f64,
    /// Tokens of KV held per sequence.
    held: f64,
    /// The refinements apply (a refined shape of the request form).
    refined: bool,
    /// MoE: (D wb, X wb, ln(1 - k/E)).
    moe: Option<(f64, f64, f64)>,
    /// (k + 1, k d, E) of speculation; (1, 0, 1) without.
    spec: (f64, f64, f64),
    hidden: Option<f64>,
    /// W(prefill_chunk): the weight bytes one prefill chunk reads.
    w_chunk: f64,
    /// The last decode step computed, (n_r, b, t_dec, compute-bound): the tpot search and the
    /// figures at the batch it finds ask for the same step (a replica is fixed by n_r).
    last_decode: std::cell::Cell<(f64, f64, f64, bool)>,
}

impl<'a> Ctx<'a> {
    fn new(s: &'a ServingShape, chip: &'a ServingChip) -> Ctx<'a> {
        let kv_tok = 2.0 * s.layers * s.kv_heads * s.head_dim * s.kv_bytes;
        let (c, input, output) = match s.requests {
            Requests::DecodeOnly { context } => (context, 0.0, 0.0),
            Requests::Full { input, output } => (input + output / 2.0, input, output),
        };
        let attention = s.heads.map_or(0.0, |h| 4.0 * s.layers * h * s.head_dim * c);
        let moe = s.moe.map(|m| {
            let keep = 1.0 - m.per_token / m.experts;
            let x = (s.model_params - s.active_params) / keep;
            let d = s.model_params - x;
            (d * s.weight_bytes, x * s.weight_bytes, keep.ln())
        });
        let spec = s.speculation.map_or((1.0, 0.0, 1.0), |p| {
            (p.tokens + 1.0, p.tokens * p.draft_cost, p.tokens_per_step())
        });
        Ctx {
            s,
            chip,
            weights: s.model_params * s.weight_bytes,
            kv_tok,
            c,
            input,
            output,
            attn_tok: attention,
            held: match (s.refined, s.requests) {
                (true, Requests::Full { input, output }) => input + output,
                _ => c,
            },
            refined: s.refined && matches!(s.requests, Requests::Full { .. }),
            moe,
            spec,
            hidden: s.hidden.or(s.heads.map(|h| h * s.head_dim)),
            w_chunk: weight_read(s.model_params * s.weight_bytes, moe, s.prefill_chunk),
            last_decode: std::cell::Cell::new((f64::NAN, f64::NAN, f64::NAN, false)),
        }
    }

    fn full(&self) -> bool {
        matches!(self.s.requests, Requests::Full { .. })
    }

    /// W(b): weight bytes read in a step serving b tokens.
    #[inline]
    fn weight_read(&self, b: f64) -> f64 {
        weight_read(self.weights, self.moe, b)
    }

    fn replica(&self, n: f64) -> Replica {
        let chip = self.chip;
        let kv_tok = self.kv_tok * (n / self.s.kv_heads).max(1.0);
        let (comm0, comm1) = match (chip.scaleup_bw, self.hidden) {
            (Some(bw), Some(hidden)) if n > 1.0 => {
                let l2 = 2.0 * self.s.layers;
                let bw = if self.refined {
                    bw * ALLREDUCE_BUS_EFFICIENCY
                } else {
                    bw
                };
                (
                    l2 * chip.allreduce_latency,
                    l2 * 2.0 * (n - 1.0) / n * hidden * 2.0 / bw,
                )
            }
            _ => (0.0, 0.0),
        };
        Replica {
            n,
            kv_tok,
            per_seq: self.c * kv_tok,
            held_seq: self.held * kv_tok,
            capacity: n * chip.hbm * (1.0 - self.s.memory_reserve),
            gemm_per_seq: 2.0 * self.s.active_params / (n * chip.peak * chip.mfu),
            attn_per_seq: self.attn_tok / (n * chip.peak * chip.mfu),
            bw: n * chip.hbm_bw * chip.mbu,
            comm0,
            comm1,
        }
    }

    /// t_pre on replica r: one request's prefill.
    fn prefill(&self, r: &Replica) -> f64 {
        let i = self.input;
        if i <= 0.0 {
            return 0.0;
        }
        let s = self.s;
        let chip = self.chip;
        let attention = s
            .heads
            .map_or(0.0, |h| 2.0 * s.layers * h * s.head_dim * i * i);
        let flops = r.n * chip.peak * chip.prefill_mfu;
        let gemm = 2.0 * s.active_params * i / flops;
        let chunks = i / s.prefill_chunk;
        let memory = self.w_chunk * chunks / r.bw;
        if self.refined {
            // Prefill attention is compute-bound: its KV reads are small beside its FLOPs.
            // The chunk's all-reduce latencies are shared by the prompts in it.
            return ridge(gemm, memory)
                + attention / flops
                + (r.comm0 + chip.step_overhead) * chunks
                + r.comm1 * i;
        }
        (gemm + attention / flops).max(memory) + r.comm0 + r.comm1 * i + chip.step_overhead * chunks
    }

    /// One step's roofline at batch b reading `w` weight bytes, `v` tokens per sequence:
    /// (seconds, compute-bound).
    #[inline]
    fn roofline(&self, r: &Replica, b: f64, v: f64, w: f64) -> (f64, bool) {
        let kv = b * r.per_seq / r.bw;
        let gemm = r.gemm_per_seq * b * v;
        let attn = r.attn_per_seq * b * v;
        let weights = w / r.bw;
        if self.refined {
            (
                ridge(gemm, weights) + ridge(attn, kv),
                gemm + attn > weights + kv,
            )
        } else {
            let (compute, memory) = (gemm + attn, weights + kv);
            (compute.max(memory), compute > memory)
        }
    }

    /// (t_dec, compute-bound) at batch b on replica r.
    #[inline]
    fn decode(&self, r: &Replica, b: f64) -> (f64, bool) {
        let (n, lb, t, cb) = self.last_decode.get();
        if n == r.n && lb == b {
            return (t, cb);
        }
        let (t, cb) = self.step(r, b);
        self.last_decode.set((r.n, b, t, cb));
        (t, cb)
    }

    /// `decode` without the memo.
    #[inline]
    fn step(&self, r: &Replica, b: f64) -> (f64, bool) {
        let (v, kd, e) = self.spec;
        let (main, compute_bound) = self.roofline(r, b, v, self.weight_read(b * v));
        let ovh = self.chip.step_overhead;
        let mut step = main + r.comm0 + r.comm1 * b * v + ovh;
        if kd > 0.0 {
            let plain =
                self.roofline(r, b, 1.0, self.weight_read(b)).0 + r.comm0 + r.comm1 * b + ovh;
            step += kd * plain;
        }
        (step / e, compute_bound)
    }

    /// KV bytes of `b` sequences that one chip keeps however large the replica: one KV head's.
    fn kv_per_chip(&self, b: f64) -> f64 {
        b * self.held * self.kv_tok / self.s.kv_heads
    }

    /// Chips that hold the weights plus `b` sequences, from `n0` up (dividing `heads`).
    fn fewest(&self, b: f64) -> Result<f64, ServingError> {
        let free = self.chip.hbm * (1.0 - self.s.memory_reserve);
        let n0 = tolerant_ceil((self.weights + b * self.held * self.kv_tok) / free).max(1.0);
        let limit = self.s.heads.unwrap_or(f64::INFINITY).min(n0 + 4096.0);
        let mut n = n0;
        while n <= limit {
            let divides = self.s.heads.map_or(true, |h| divides(h, n));
            let r = self.replica(n);
            if divides && self.weights + b * r.held_seq <= r.capacity * (1.0 + 1e-9) {
                return Ok(n);
            }
            n += 1.0;
        }
        let r = self.replica(n0);
        Err(ServingError::DoesNotFit {
            batch: b,
            replica_chips: n0,
            bytes_needed: self.weights + b * r.held_seq,
            bytes_available: r.capacity,
            chips_needed: None,
            max: self.s.batch.is_none(),
            kv_per_chip: self.kv_per_chip(b),
        })
    }

    /// (output tokens/s per chip, input share, tpot) of a replica of n chips (prefill on np)
    /// decoding `batch` sequences in steps of t_dec, each prefilled in t_pre.
    #[inline]
    fn per_chip(&self, t_dec: f64, n: f64, np: f64, batch: f64, t_pre: f64) -> (f64, f64, f64) {
        let avail = self.chip.availability;
        if !self.full() {
            (batch / (t_dec * n) * avail, 0.0, t_dec)
        } else if self.s.disaggregated {
            // Prefill chip-seconds and decode chip-seconds per output token.
            let pre = t_pre * np / self.output;
            let dec = t_dec * n / batch;
            (avail / (pre + dec), pre / (pre + dec), t_dec)
        } else {
            let o = self.output;
            let pre = batch * t_pre;
            let total = (o - 1.0) * t_dec + pre;
            (
                batch * o / total / n * avail,
                pre / total,
                t_dec + pre / (o - 1.0).max(1.0),
            )
        }
    }

    /// The serving figures on a decode replica of n chips.
    fn at(&self, n: f64) -> Result<Serving, ServingError> {
        self.at_sized(&self.sized(n))
    }

    /// The figures of a decode replica of n chips that do not depend on the batch.
    fn sized(&self, n: f64) -> Sized {
        self.sized_from(self.replica(n))
    }

    /// `sized` of a decode replica already built.
    fn sized_from(&self, r: Replica) -> Sized {
        let rp = match self.s.prefill_replica {
            Some(np) if self.s.disaggregated => self.replica(np),
            _ => r,
        };
        Sized {
            r,
            rp,
            t_pre: self.prefill(&rp),
        }
    }

    /// `at` on a replica already sized.
    fn at_sized(&self, z: &Sized) -> Result<Serving, ServingError> {
        let s = self.s;
        let Sized { r, rp, t_pre } = *z;
        let (n, np) = (r.n, rp.n);
        if s.disaggregated && np != n {
            // The prefill replica holds the weights and one prompt's KV.
            let need = self.weights + self.input * rp.kv_tok;
            if need > rp.capacity * (1.0 + 1e-9) {
                return Err(ServingError::DoesNotFit {
                    batch: 1.0,
                    replica_chips: np,
                    bytes_needed: need,
                    bytes_available: rp.capacity,
                    chips_needed: Some(tolerant_ceil(
                        need / (self.chip.hbm * (1.0 - s.memory_reserve)),
                    )),
                    max: true,
                    kv_per_chip: self.input * self.kv_tok / s.kv_heads,
                });
            }
        }
        if let Some(target) = s.ttft {
            if t_pre > target {
                return Err(ServingError::Ttft {
                    target,
                    reached: t_pre,
                    replica_chips: np,
                });
            }
        }
        let b_mem = tolerant_floor((r.capacity - self.weights) / r.held_seq);
        let does_not_fit = |b: f64, max: bool| {
            let need = self.weights + b * r.held_seq;
            let chips = self.fewest(b).ok();
            ServingError::DoesNotFit {
                batch: b,
                replica_chips: n,
                bytes_needed: need,
                bytes_available: r.capacity,
                chips_needed: chips,
                max,
                kv_per_chip: self.kv_per_chip(b),
            }
        };
        let (batch, limit) = match s.batch {
            Some(b) => {
                if b > b_mem || b_mem.is_nan() {
                    return Err(does_not_fit(b, false));
                }
                if let Some(target) = s.tpot {
                    let t = self.tpot(&r, b, t_pre);
                    if t > target {
                        let largest = self.largest_batch(&r, t_pre, target, b);
                        return Err(ServingError::Tpot {
                            target,
                            reached: t,
                            batch: b,
                            replica_chips: n,
                            largest,
                        });
                    }
                }
                (b, BatchLimit::Given)
            }
            None => {
                if b_mem.is_nan() || b_mem < 1.0 {
                    return Err(does_not_fit(1.0, true));
                }
                let (mut cap, mut limit) = (b_mem, BatchLimit::Hbm);
                if let Some(m) = s.max_batch {
                    if m < cap {
                        (cap, limit) = (m, BatchLimit::MaxBatch);
                    }
                }
                if let Some(target) = s.tpot {
                    match self.largest_batch(&r, t_pre, target, cap) {
                        None => {
                            return Err(ServingError::Tpot {
                                target,
                                reached: self.tpot(&r, 1.0, t_pre),
                                batch: 1.0,
                                replica_chips: n,
                                largest: None,
                            })
                        }
                        Some(b) if b < cap => (cap, limit) = (b, BatchLimit::Tpot),
                        Some(_) => {}
                    }
                }
                (cap, limit)
            }
        };
        let (t_dec, compute_bound) = self.decode(&r, batch);
        let (per_chip, input_share, tpot) = self.per_chip(t_dec, n, np, batch, t_pre);
        Ok(Serving {
            replica_chips: n,
            prefill_chips: np,
            batch,
            batch_limit: limit,
            bound: if compute_bound {
                Bound::Compute
            } else {
                Bound::Bandwidth
            },
            decode_step: t_dec,
            prefill_seconds: t_pre,
            ttft: t_pre,
            tpot,
            tokens_per_s_per_user: 1.0 / tpot,
            tokens_per_s_per_chip: per_chip,
            input_share,
        })
    }
}

/// Whether whole n divides whole h (both counts, exact in u64).
#[inline]
fn divides(h: f64, n: f64) -> bool {
    (h as u64) % (n as u64).max(1) == 0
}

/// The serving model of MODEL.md section 4 (see the module documentation).
pub fn serve(shape: &ServingShape, chip: &ServingChip) -> Result<Serving, ServingError> {
    let ctx = Ctx::new(shape, chip);
    match shape.replica {
        ReplicaSize::Fixed(n) => ctx.at(n),
        ReplicaSize::Fewest => {
            let n = ctx.fewest(shape.batch.unwrap_or(1.0))?;
            ctx.at(n)
        }
        ReplicaSize::Auto => auto::auto(&ctx),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A Llama-3-70B-shaped decoder, fp8 weights, bf16 KV (schema 1's conformance shape).
    fn llama70b() -> ServingShape {
        ServingShape {
            model_params: 70e9,
            active_params: 70e9,
            layers: 80.0,
            kv_heads: 8.0,
            head_dim: 128.0,
            heads: None,
            hidden: None,
            weight_bytes: 1.0,
            kv_bytes: 2.0,
            requests: Requests::DecodeOnly { context: 8192.0 },
            batch: Some(64.0),
            replica: ReplicaSize::Fewest,
            memory_reserve: 0.0,
            max_batch: None,
            prefill_chunk: 8192.0,
            tpot: None,
            ttft: None,
            moe: None,
            speculation: None,
            disaggregated: false,
            prefill_replica: None,
            refined: false,
        }
    }

    fn h100() -> ServingChip {
        ServingChip {
            peak: 1979e12,
            mfu: 0.4,
            prefill_mfu: 0.4,
            hbm: 80e9,
            hbm_bw: 3.35e12,
            mbu: 0.7,
            step_overhead: 0.0,
            availability: 0.95,
            scaleup_bw: None,
            allreduce_latency: 5e-6,
            chips_per_node: 8.0,
        }
    }

    /// Requests of 1000 prompt and 200 generated tokens, 64 query heads, batch 32 on 4 chips.
    fn chat() -> ServingShape {
        ServingShape {
            heads: Some(64.0),
            requests: Requests::Full {
                input: 1000.0,
                output: 200.0,
            },
            batch: Some(32.0),
            replica: ReplicaSize::Fixed(4.0),
            ..llama70b()
        }
    }

    fn close(a: f64, b: f64, rel: f64) -> bool {
        (a - b).abs() <= rel * b.abs()
    }

    #[test]
    fn decode_only_form_is_schema_1s_roofline() {
        // batch 64: KV = 64 * 8192 * 327680 = 171.80e9 B; weights 70e9; total 241.80e9 B
        // n_r = ceil(241.80e9 / 80e9) = 4; memory = 241.80e9 / (4 * 3.35e12 * 0.7) = 2.5778e-2 s
        // compute = 2 * 70e9 * 64 / (4 * 1979e12 * 0.4) = 2.8297e-3 s: bandwidth-bound
        // tokens/s/chip = 64 / (2.5778e-2 * 4) * 0.95 = 589.6475 (work.rs's hand calculation)
        let s = serve(&llama70b(), &h100()).unwrap();
        assert_eq!(s.replica_chips, 4.0);
        assert_eq!(s.bound, Bound::Bandwidth);
        assert_eq!(s.batch_limit, BatchLimit::Given);
        assert!((s.tokens_per_s_per_chip - 589.6475).abs() < 1e-3);
        assert_eq!(s.input_share, 0.0);
        assert_eq!(s.tpot, s.decode_step);
        // "max" on one chip: floor((80e9 - 70e9) / (8192 * 327680)) = floor(3.725) = 3
        let max = ServingShape {
            batch: None,
            ..llama70b()
        };
        let s = serve(&max, &h100()).unwrap();
        assert_eq!((s.replica_chips, s.batch), (1.0, 3.0));
        assert_eq!(s.batch_limit, BatchLimit::Hbm);
    }

    #[test]
    fn memory_reserve_shrinks_the_max_batch() {
        // 4 chips, reserve 0.10: floor((4 * 80e9 * 0.9 - 70e9) / 2.68435456e9)
        //   = floor(218e9 / 2.68435456e9) = floor(81.21) = 81   (93 with no reserve)
        let shape = ServingShape {
            batch: None,
            replica: ReplicaSize::Fixed(4.0),
            memory_reserve: 0.10,
            ..llama70b()
        };
        assert_eq!(serve(&shape, &h100()).unwrap().batch, 81.0);
        let capped = ServingShape {
            max_batch: Some(50.0),
            ..shape
        };
        let s = serve(&capped, &h100()).unwrap();
        assert_eq!((s.batch, s.batch_limit), (50.0, BatchLimit::MaxBatch));
    }

    #[test]
    fn prefill_and_decode_by_hand() {
        // c = 1000 + 200 / 2 = 1100 tokens of KV on average in decode.
        // decode FLOP per token = 2 * 70e9 + 4 * 80 * 64 * 128 * 1100 = 142.883584e9
        // compute = 142.883584e9 * 32 / (4 * 1979e12 * 0.4 = 3.1664e15) = 1.44400e-3 s
        // memory  = (70e9 + 32 * 1100 * 327680 = 11.534336e9) / (4 * 3.35e12 * 0.7 = 9.38e12)
        //         = 81.534336e9 / 9.38e12 = 8.692360e-3 s  -> bandwidth-bound, t_dec = 8.692360e-3
        // prefill compute = (2 * 70e9 * 1000 + 2 * 80 * 64 * 128 * 1000^2) / 3.1664e15
        //                 = 1.4131072e14 / 3.1664e15 = 4.462819e-2 s
        // prefill memory  = 70e9 * 1000 / 8192 / 9.38e12 = 9.1097e-4 s -> t_pre = 4.462819e-2
        // per replica = 32 * 200 / (199 * 8.692360e-3 + 32 * 4.462819e-2)
        //             = 6400 / (1.7297796 + 1.4281021) = 6400 / 3.1578817 = 2026.674
        // per chip = 2026.674 / 4 * 0.95 = 481.335
        // tpot = 8.692360e-3 + 1.4281021 / 199 = 8.692360e-3 + 7.176393e-3 = 1.586875e-2 s; input share = 1.4281 / 3.1579
        let s = serve(&chat(), &h100()).unwrap();
        assert_eq!(s.bound, Bound::Bandwidth);
        assert!(close(s.decode_step, 8.692360e-3, 1e-6), "{}", s.decode_step);
        assert!(
            close(s.prefill_seconds, 4.462819e-2, 1e-6),
            "{}",
            s.prefill_seconds
        );
        assert_eq!(s.ttft, s.prefill_seconds);
        assert!(
            close(s.tokens_per_s_per_chip, 481.335, 1e-5),
            "{}",
            s.tokens_per_s_per_chip
        );
        assert!(close(s.tpot, 1.586875e-2, 1e-6), "{}", s.tpot);
        assert!(close(s.tokens_per_s_per_user, 1.0 / 1.586875e-2, 1e-6));
        assert!(close(s.input_share, 1.4281021 / 3.1578817, 1e-6));
    }

    /// prefill_mfu moves the prefill alone: the case above with prefill_mfu 0.2 (mfu 0.4).
    #[test]
    fn prefill_mfu_sets_the_prefill_compute_only() {
        // prefill compute = 1.4131072e14 / (4 * 1979e12 * 0.2 = 1.5832e15) = 8.925639e-2 s,
        // above its memory 9.1097e-4 s -> t_pre = 8.925639e-2; t_dec unchanged 8.692360e-3.
        // per replica = 6400 / (199 * 8.692360e-3 + 32 * 8.925639e-2)
        //             = 6400 / (1.7297796 + 2.8562045) = 6400 / 4.5859841 = 1395.5567
        let chip = ServingChip {
            prefill_mfu: 0.2,
            ..h100()
        };
        let s = serve(&chat(), &chip).unwrap();
        assert!(close(s.decode_step, 8.692360e-3, 1e-6), "{}", s.decode_step);
        assert!(
            close(s.prefill_seconds, 8.925639e-2, 1e-6),
            "{}",
            s.prefill_seconds
        );
        assert!(
            close(s.tokens_per_s_per_chip, 1395.5567 / 4.0 * 0.95, 1e-5),
            "{}",
            s.tokens_per_s_per_chip
        );
    }

    #[test]
    fn no_input_means_no_prefill() {
        let shape = ServingShape {
            requests: Requests::Full {
                input: 0.0,
                output: 200.0,
            },
            ..chat()
        };
        let s = serve(&shape, &h100()).unwrap();
        assert_eq!((s.prefill_seconds, s.input_share), (0.0, 0.0));
        // Without a prefill every step yields B tokens but the first token comes from a prefill
        // of nothing: B * O / ((O - 1) t_dec) = 32 * 200 / (199 t_dec).
        let want = 32.0 * 200.0 / (199.0 * s.decode_step) / 4.0 * 0.95;
        assert!(close(s.tokens_per_s_per_chip, want, 1e-12));
    }

    #[test]
    fn moe_weight_reads() {
        // E = 256, k = 8, P = 671e9, Pa = 37e9, 1 byte: keep = 1 - 8/256 = 0.96875
        // X = (671e9 - 37e9) / 0.96875 = 654.4516e9; D = 671e9 - X = 16.5484e9
        // W(1) = D + X * (1 - 0.96875) = 37e9 (one token reads the active parameters)
        // W(64) = D + X * (1 - 0.96875^64) = 16.5484e9 + 654.4516e9 * (1 - 0.131079) = 585.2e9
        let shape = ServingShape {
            model_params: 671e9,
            active_params: 37e9,
            moe: Some(Moe {
                experts: 256.0,
                per_token: 8.0,
            }),
            ..llama70b()
        };
        let chip = h100();
        let ctx = Ctx::new(&shape, &chip);
        assert!(close(ctx.weight_read(1.0), 37e9, 1e-12));
        assert!(
            close(ctx.weight_read(64.0), 585.20e9, 1e-4),
            "{}",
            ctx.weight_read(64.0)
        );
        // Many tokens touch every expert: W -> P.
        assert!(close(ctx.weight_read(8192.0), 671e9, 1e-9));
    }

    #[test]
    fn tensor_parallel_communication() {
        // n = 8, hidden = 64 * 128 = 8192, 80 layers, 450 GB/s one way, 5 us:
        // t_comm(b) = 2 * 80 * (2 * 7/8 * b * 8192 * 2 / 450e9 + 5e-6)
        //           = 160 * 5e-6 + 160 * 6.37156e-8 * b = 8.0e-4 + 1.019449e-5 * b s
        let shape = ServingShape {
            replica: ReplicaSize::Fixed(8.0),
            ..chat()
        };
        let mut chip = h100();
        let free = serve(&shape, &chip).unwrap();
        chip.scaleup_bw = Some(450e9);
        let paid = serve(&shape, &chip).unwrap();
        let comm = |b: f64| 8.0e-4 + 1.019449e-5 * b;
        assert!(close(paid.decode_step - free.decode_step, comm(32.0), 1e-6));
        assert!(close(
            paid.prefill_seconds - free.prefill_seconds,
            comm(1000.0),
            1e-6
        ));
        // One chip: nothing to all-reduce.
        let one = ServingShape {
            model_params: 7e9,
            active_params: 7e9,
            replica: ReplicaSize::Fixed(1.0),
            ..chat()
        };
        let mut no_bw = chip;
        no_bw.scaleup_bw = None;
        assert_eq!(serve(&one, &chip).unwrap(), serve(&one, &no_bw).unwrap());
    }

    #[test]
    fn kv_heads_are_replicated_past_kv_heads() {
        // 16 chips, 8 KV heads: each KV head lives on 2 chips, KV bytes per token double.
        let shape = ServingShape {
            replica: ReplicaSize::Fixed(16.0),
            batch: None,
            ..llama70b()
        };
        let chip = h100();
        let ctx = Ctx::new(&shape, &chip);
        assert_eq!(ctx.replica(16.0).kv_tok, 2.0 * 327_680.0);
        assert_eq!(ctx.replica(8.0).kv_tok, 327_680.0);
        // B = floor((16 * 80e9 - 70e9) / (8192 * 655360)) = floor(1210e9 / 5.3687e9) = 225
        assert_eq!(serve(&shape, &chip).unwrap().batch, 225.0);
    }

    /// tpot(B) by the formula, for brute-force checks.
    fn tpot_at(shape: &ServingShape, chip: &ServingChip, b: f64) -> f64 {
        let fixed = ServingShape {
            batch: Some(b),
            tpot: None,
            ..*shape
        };
        serve(&fixed, chip).unwrap().tpot
    }

    #[test]
    fn the_largest_batch_meeting_tpot() {
        let mut chip = h100();
        chip.scaleup_bw = Some(450e9);
        chip.step_overhead = 2e-4;
        let moe = ServingShape {
            model_params: 671e9,
            active_params: 37e9,
            moe: Some(Moe {
                experts: 256.0,
                per_token: 8.0,
            }),
            weight_bytes: 0.5,
            ..chat()
        };
        let spec = ServingShape {
            speculation: Some(Speculation {
                tokens: 3.0,
                acceptance: 0.7,
                draft_cost: 0.05,
            }),
            ..chat()
        };
        let refined = |base: ServingShape| ServingShape {
            refined: true,
            ..base
        };
        // The refined shapes: the 2-norm's closed form (dense), its bracket (MoE) and the
        // bisection (drafting).
        let shapes = [
            chat(),
            moe,
            spec,
            refined(chat()),
            refined(moe),
            refined(spec),
        ];
        let mut limited = [0; 6];
        for (i, base) in shapes.into_iter().enumerate() {
            for n in [8.0, 16.0] {
                for target in [0.012, 0.02, 0.035, 0.06] {
                    let shape = ServingShape {
                        batch: None,
                        tpot: Some(target),
                        replica: ReplicaSize::Fixed(n),
                        ..base
                    };
                    let Ok(s) = serve(&shape, &chip) else {
                        assert!(tpot_at(&shape, &chip, 1.0) > target);
                        continue;
                    };
                    // An independent scan: tpot(B) <= target, and B + 1 misses it or does
                    // not fit.
                    assert!(s.tpot <= target);
                    let unbounded = ServingShape {
                        tpot: None,
                        ..shape
                    };
                    let cap = serve(&unbounded, &chip).unwrap().batch;
                    if s.batch_limit == BatchLimit::Tpot {
                        limited[i] += 1;
                        assert!(s.batch < cap);
                        assert!(
                            tpot_at(&shape, &chip, s.batch + 1.0) > target,
                            "{n} {target}"
                        );
                    } else {
                        assert_eq!(s.batch, cap);
                    }
                }
            }
        }
        // Each shape met the target below its HBM limit somewhere.
        assert!(limited.iter().all(|&k| k >= 2), "{limited:?}");
    }

    #[test]
    fn the_refinements_by_hand() {
        // Sequential attention on 2-norm rooflines (chat on 4 chips, batch 32, no link):
        // GEMMs: 2 * 70e9 * 32 / 3.1664e15 = 1.414856e-3 against 70e9 / 9.38e12 = 7.462687e-3
        // attention: 4 * 80 * 64 * 128 * 1100 * 32 / 3.1664e15 = 2.914183e-5 against
        //            32 * 1100 * 327680 / 9.38e12 = 1.229673e-3
        // t_dec = sqrt(1.414856e-3^2 + 7.462687e-3^2) + sqrt(2.914183e-5^2 + 1.229673e-3^2)
        //       = 7.595621e-3 + 1.230018e-3 = 8.825643e-3 (MODEL.md's one roofline: 8.692360e-3)
        let shape = ServingShape {
            refined: true,
            ..chat()
        };
        let s = serve(&shape, &h100()).unwrap();
        assert!(close(s.decode_step, 8.825643e-3, 1e-6), "{}", s.decode_step);
        let plain = serve(&chat(), &h100()).unwrap();
        assert!(close(plain.decode_step, 8.692360e-3, 1e-6));
        // Batch 512 (16 chips, KV replicated x2): GEMMs compute-bound, attention bandwidth-bound
        // gemm = 2 * 70e9 * 512 / (16 * 1979e12 * 0.4) = 7.168e13 / 1.26656e16 = 5.659424e-3
        // weights = 70e9 / (16 * 3.35e12 * 0.7) = 70e9 / 3.752e13 = 1.865672e-3
        // attention 4.66e-4 FLOP-s: 1.165673e-4; KV = 512 * 1100 * 655360 / 3.752e13 = 9.837387e-3
        // t_dec = sqrt(5.659424e-3^2 + 1.865672e-3^2) + sqrt(1.165673e-4^2 + 9.837387e-3^2)
        //       = 5.959009e-3 + 9.838078e-3 = 1.5797088e-2
        let big = ServingShape {
            batch: Some(512.0),
            replica: ReplicaSize::Fixed(16.0),
            ..shape
        };
        let s = serve(&big, &h100()).unwrap();
        assert!(
            close(s.decode_step, 1.5797088e-2, 1e-6),
            "{}",
            s.decode_step
        );
        // Prefill: GEMMs sqrt((1.4e14 / 3.1664e15 = 4.421425e-2)^2 + (70e9 * 1000 / 8192 /
        // 9.38e12 = 9.109725e-4)^2) + attention 1.31072e12 / 3.1664e15 = 4.139464e-4
        // = 4.463758e-2
        let s = serve(&shape, &h100()).unwrap();
        assert!(close(s.prefill_seconds, 4.463758e-2, 1e-6));
        // With a 450 GB/s link and 5 us per all-reduce: 2 * 80 all-reduces, each moving
        // 2 * 3/4 * 8192 * 2 B per token at 0.77 * 450e9 B/s: comm1 = 1.134823e-5 s per token
        // (8.738133e-6 at the full link); a decode step adds 160 * 5e-6 = 8e-4 + 32 * comm1, a
        // prompt 8e-4 * 1000 / 8192 (its share of its chunk's latencies) + 1000 * comm1:
        // t_dec = 8.825643e-3 + 8e-4 + 3.631432e-4 = 9.988786e-3
        // t_pre = 4.463758e-2 + 9.765625e-5 + 1.134823e-2 = 5.608346e-2
        let mut linked = h100();
        linked.scaleup_bw = Some(450e9);
        let s = serve(&shape, &linked).unwrap();
        assert!(close(s.decode_step, 9.988786e-3, 1e-6), "{}", s.decode_step);
        assert!(
            close(s.prefill_seconds, 5.608346e-2, 1e-6),
            "{}",
            s.prefill_seconds
        );
        // Full-length KV: "max" on 4 chips holds (1000 + 200) tokens per sequence, not 1100:
        // floor((4 * 80e9 * 0.9 - 70e9) / (1200 * 327680)) = floor(218e9 / 393.216e6) = 554
        // (floor(218e9 / 360.448e6) = 604 at the mean length).
        let held = ServingShape {
            batch: None,
            memory_reserve: 0.1,
            refined: true,
            ..chat()
        };
        assert_eq!(serve(&held, &h100()).unwrap().batch, 554.0);
        let mean = ServingShape {
            refined: false,
            ..held
        };
        assert_eq!(serve(&mean, &h100()).unwrap().batch, 604.0);
        // The decode-only form ignores the flag: schema 1's roofline.
        let decode_only = ServingShape {
            refined: true,
            ..llama70b()
        };
        assert_eq!(
            serve(&decode_only, &h100()).unwrap(),
            serve(&llama70b(), &h100()).unwrap()
        );
    }

    #[test]
    fn speculative_decoding() {
        // k = 3, a = 0.8: E = (1 - 0.8^4) / 0.2 = 2.952 tokens per step.
        let p = Speculation {
            tokens: 3.0,
            acceptance: 0.8,
            draft_cost: 0.05,
        };
        assert!(close(p.tokens_per_step(), 2.952, 1e-12));
        // Bandwidth-bound step (chat on 4 chips): the verify step reads W + KV like a plain
        // step (dense: W(4B) = W) and adds compute x4 = 5.776e-3 s < 8.692e-3 s, so
        // step = 8.692360e-3 + 3 * 0.05 * 8.692360e-3 = 9.996214e-3; t_dec = step / 2.952.
        let shape = ServingShape {
            speculation: Some(p),
            ..chat()
        };
        let s = serve(&shape, &h100()).unwrap();
        assert!(
            close(s.decode_step, 9.996214e-3 / 2.952, 1e-6),
            "{}",
            s.decode_step
        );
    }

    #[test]
    fn disaggregated_serving() {
        // Prefill on 8 chips, decode on 4: t_pre(8) = 1.4131072e14 / 6.3328e15 = 2.231410e-2;
        // x_p = 200 / (2.231410e-2 * 8) = 1120.37; x_d = 32 / (8.692360e-3 * 4) = 920.35
        // tokens/s per chip = 0.95 / (8.92564e-4 + 1.086540e-3) = 0.95 / 1.979104e-3 = 480.015
        // tpot = t_dec
        let shape = ServingShape {
            disaggregated: true,
            prefill_replica: Some(8.0),
            ..chat()
        };
        let s = serve(&shape, &h100()).unwrap();
        assert!(close(s.prefill_seconds, 2.231410e-2, 1e-6));
        let (xp, xd) = (200.0 / (2.231410e-2 * 8.0), 32.0 / (8.692360e-3 * 4.0));
        assert!(close(
            s.tokens_per_s_per_chip,
            0.95 / (1.0 / xp + 1.0 / xd),
            1e-6
        ));
        assert!(
            close(s.tokens_per_s_per_chip, 480.015, 1e-5),
            "{}",
            s.tokens_per_s_per_chip
        );
        assert_eq!(s.tpot, s.decode_step);
        assert!(close(
            s.input_share,
            (1.0 / xp) / (1.0 / xp + 1.0 / xd),
            1e-6
        ));
        assert_eq!(s.prefill_chips, 8.0);
    }

    #[test]
    fn auto_picks_the_best_replica_size() {
        let mut chip = h100();
        chip.scaleup_bw = Some(450e9);
        let shape = ServingShape {
            batch: None,
            tpot: Some(0.03),
            replica: ReplicaSize::Auto,
            memory_reserve: 0.1,
            ..chat()
        };
        let best = serve(&shape, &chip).unwrap();
        // Candidates: divisors of 64 heads from the 1 chip the weights need up to 8.
        let mut seen = 0;
        for n in [1.0, 2.0, 4.0, 8.0] {
            let fixed = ServingShape {
                replica: ReplicaSize::Fixed(n),
                ..shape
            };
            if let Ok(s) = serve(&fixed, &chip) {
                seen += 1;
                assert!(s.tokens_per_s_per_chip <= best.tokens_per_s_per_chip);
            }
        }
        assert!(seen >= 2);
    }

    /// "auto" walks the divisors of the heads: it gives exactly what a scan of every fixed size
    /// gives (the most tokens/s per chip, the
    /// fewer chips on a tie), over dense and MoE shapes, MODEL.md's formulas and the refined
    /// ones, with and without a tpot target, aggregated and disaggregated, on a 64-chip domain.
    #[test]
    fn auto_is_the_best_of_every_fixed_size() {
        let mut chip = h100();
        chip.scaleup_bw = Some(450e9);
        chip.chips_per_node = 64.0;
        chip.allreduce_latency = 2e-5;
        chip.step_overhead = 1e-3;
        let moe = ServingShape {
            model_params: 671e9,
            active_params: 37e9,
            moe: Some(Moe {
                experts: 256.0,
                per_token: 8.0,
            }),
            weight_bytes: 1.0,
            ..chat()
        };
        let mut compared = 0;
        for base in [chat(), moe] {
            for heads in [64.0, 96.0, 128.0] {
                for refined in [false, true] {
                    for tpot in [None, Some(0.02), Some(0.05), Some(0.2)] {
                        for disaggregated in [false, true] {
                            let shape = ServingShape {
                                heads: Some(heads),
                                batch: None,
                                tpot,
                                replica: ReplicaSize::Auto,
                                memory_reserve: 0.1,
                                refined,
                                disaggregated,
                                ..base
                            };
                            let auto = serve(&shape, &chip).ok();
                            let mut scan: Option<Serving> = None;
                            for n in 1..=64 {
                                let fixed = ServingShape {
                                    replica: ReplicaSize::Fixed(n as f64),
                                    ..shape
                                };
                                if heads as u64 % n != 0 {
                                    continue;
                                }
                                if let Ok(s) = serve(&fixed, &chip) {
                                    if scan.map_or(true, |b| {
                                        s.tokens_per_s_per_chip > b.tokens_per_s_per_chip
                                    }) {
                                        scan = Some(s);
                                    }
                                }
                            }
                            assert_eq!(auto, scan, "{heads} {refined} {tpot:?} {disaggregated}");
                            compared += usize::from(scan.is_some());
                        }
                    }
                }
            }
        }
        assert!(compared >= 60, "{compared}");
    }

    #[test]
    fn refusals_name_what_to_change() {
        let chip = h100();
        // A tpot no batch meets: 1 ms is below one sequence's step on 4 chips.
        let shape = ServingShape {
            batch: None,
            tpot: Some(1e-3),
            ..chat()
        };
        let e = serve(&shape, &chip).unwrap_err();
        assert_eq!(e.key(), "tpot");
        assert!(
            e.to_string().contains("no batch meets tpot = 1.000 ms"),
            "{e}"
        );
        // A given batch over the target names the largest that meets it.
        let shape = ServingShape {
            tpot: Some(0.012),
            ..chat()
        };
        let e = serve(&shape, &chip).unwrap_err();
        let ServingError::Tpot {
            largest: Some(b), ..
        } = e
        else {
            panic!("{e}")
        };
        assert!(tpot_at(&shape, &chip, b) <= 0.012 && tpot_at(&shape, &chip, b + 1.0) > 0.012);
        // A ttft the replica cannot meet: the prefill takes 44.6 ms.
        let shape = ServingShape {
            ttft: Some(0.04),
            ..chat()
        };
        let e = serve(&shape, &chip).unwrap_err();
        assert_eq!(e.key(), "ttft");
        assert!(e.to_string().contains("44.628 ms"), "{e}");
        // A batch that does not fit: 64 x 8192 on 2 chips needs 4.
        let shape = ServingShape {
            replica: ReplicaSize::Fixed(2.0),
            ..llama70b()
        };
        let e = serve(&shape, &chip).unwrap_err();
        assert_eq!(e.key(), "batch");
        assert!(e.to_string().contains("at least 4 chips"), "{e}");
        // "auto" with weights no node holds: 2e12 parameters on 8 x 80 GB.
        let shape = ServingShape {
            model_params: 2e12,
            active_params: 2e12,
            replica: ReplicaSize::Auto,
            ..chat()
        };
        let e = serve(&shape, &chip).unwrap_err();
        assert!(matches!(e, ServingError::Auto { .. }), "{e}");
    }
}
