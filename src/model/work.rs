//! Work per chip (MODEL.md section 4): effective FLOP/s, training tokens, inference decode.

use super::sizing::{tolerant_ceil, tolerant_floor};
use crate::units::SECONDS_PER_YEAR;

/// Effective FLOP/s of one chip: peak * mfu * availability.
pub fn effective_flops(peak: f64, mfu: f64, availability: f64) -> f64 {
    peak * mfu * availability
}

/// EFLOP (1e18 FLOP) per chip-year at `flops` effective FLOP/s.
pub fn eflop_per_year(flops: f64) -> f64 {
    flops * SECONDS_PER_YEAR / 1e18
}

/// The attention shape of a training sequence: the term PaLM and Megatron-LM count in their
/// model FLOPs, so a published MFU plugs in with the same definition.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Attention {
    pub layers: f64,
    pub heads: f64,
    pub head_dim: f64,
    /// Tokens per training sequence.
    pub seq_len: f64,
}

/// Training FLOP per token (MODEL.md section 4):
///
/// ```text
/// F_tok = 6 * Pa + 12 * layers * heads * head_dim * seq_len
/// ```
///
/// 6 * Pa: forward (2) and backward (4) multiply-adds of the active parameters; the second
/// term: QK^T and attention x V, forward and backward, over the whole sequence (PaLM,
/// Chowdhery et al. 2022, appendix B; Megatron-LM, Narayanan et al. 2021). `None`: no
/// attention term (6 * Pa alone).
pub fn training_flops_per_token(active_params: f64, attention: Option<Attention>) -> f64 {
    let dense = 6.0 * active_params;
    match attention {
        Some(a) => dense + 12.0 * a.layers * a.heads * a.head_dim * a.seq_len,
        None => dense,
    }
}

/// Training tokens per second per chip: R / F_tok.
pub fn training_tokens_per_s(effective_flops: f64, flops_per_token: f64) -> f64 {
    effective_flops / flops_per_token
}

/// Seconds one run of `tokens` takes on `chips` chips of `tokens_per_s` each.
pub fn run_seconds(tokens: f64, chips: f64, tokens_per_s: f64) -> f64 {
    tokens / (chips * tokens_per_s)
}

/// Chip-hours of a run: N * run_seconds / 3600 (every chip of the fleet, for the whole run).
pub fn chip_hours(chips: f64, run_seconds: f64) -> f64 {
    chips * run_seconds / 3600.0
}

/// Facility joules per unit of work (MODEL.md section 4, "Energy and carbon"):
/// w * power_load * pue * 8766 h / work per chip-year.
pub fn joules_per_unit(watts: f64, power_load: f64, pue: f64, work_per_chip_year: f64) -> f64 {
    watts * power_load * pue * SECONDS_PER_YEAR / work_per_chip_year
}

/// Millions of tokens per chip-year at `tokens_per_s`.
pub fn mtokens_per_year(tokens_per_s: f64) -> f64 {
    tokens_per_s * SECONDS_PER_YEAR / 1e6
}

/// A dense decoder's shape and serving setup, SI units (bytes, tokens).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DecoderShape {
    pub model_params: f64,
    pub layers: f64,
    pub kv_heads: f64,
    pub head_dim: f64,
    pub weight_bytes: f64,
    pub kv_bytes: f64,
    pub context: f64,
    /// `None`: the largest batch that fits ("max").
    pub batch: Option<f64>,
    /// Chips per replica; `None`: the fewest that hold weights and KV cache.
    pub tensor_parallel: Option<f64>,
}

impl DecoderShape {
    /// KV-cache bytes per token per sequence: 2 * layers * kv_heads * head_dim * kv_bytes.
    pub fn kv_bytes_per_token(&self) -> f64 {
        2.0 * self.layers * self.kv_heads * self.head_dim * self.kv_bytes
    }

    /// Weight bytes: model_params * weight_bytes.
    pub fn weight_bytes_total(&self) -> f64 {
        self.model_params * self.weight_bytes
    }
}

/// One chip's figures for decoding.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DecodeChip {
    /// Dense FLOP/s at the workload precision.
    pub peak: f64,
    pub mfu: f64,
    /// HBM bytes.
    pub hbm: f64,
    /// HBM bytes/s.
    pub hbm_bw: f64,
    pub mbu: f64,
    /// s per step.
    pub step_overhead: f64,
    pub availability: f64,
}

/// The decode roofline's result for one replica.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Decode {
    /// n_r: chips holding one replica.
    pub replica_chips: f64,
    /// B: sequences decoded per step.
    pub batch: f64,
    /// s per step: max(compute, memory) + overhead.
    pub step_seconds: f64,
    /// Whether memory traffic, not compute, sets the step time.
    pub memory_bound: bool,
    /// Output tokens per second per chip, after availability.
    pub tokens_per_s_per_chip: f64,
}

/// Why a decode setup cannot run.
#[derive(Debug, Clone, PartialEq)]
pub enum DecodeError {
    /// The batch (or the weights alone) does not fit in the replica's HBM.
    DoesNotFit {
        batch: f64,
        replica_chips: f64,
        bytes_needed: f64,
        bytes_available: f64,
        chips_needed: f64,
    },
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DecodeError::DoesNotFit {
                batch,
                replica_chips,
                bytes_needed,
                bytes_available,
                chips_needed,
            } => write!(
                f,
                "a batch of {batch} sequences needs {} of HBM (weights + KV cache) but {replica_chips} \
                 chip(s) per replica hold {}; it needs at least {chips_needed} chips per replica \
                 (set tensor_parallel = {chips_needed}, or lower batch or context)",
                crate::units::format::fmt_si(*bytes_needed, "B", 4),
                crate::units::format::fmt_si(*bytes_available, "B", 4),
            ),
        }
    }
}

/// The decode-phase roofline of MODEL.md section 4:
///
/// ```text
/// n_r    = tensor_parallel, or ceil((weights + B1 * context * kv_tok) / hbm), B1 = batch or 1
/// B      = batch, or floor((n_r * hbm - weights) / (context * kv_tok)) for "max"
/// t_step = max(2 P B / (n_r peak mfu), (weights + B context kv_tok) / (n_r hbm_bw mbu)) + overhead
/// tokens/s per chip = B / (t_step n_r) * availability
/// ```
pub fn decode(shape: &DecoderShape, chip: &DecodeChip) -> Result<Decode, DecodeError> {
    let kv_tok = shape.kv_bytes_per_token();
    let weights = shape.weight_bytes_total();
    let per_seq = shape.context * kv_tok;
    let b1 = shape.batch.unwrap_or(1.0);
    let replica_chips = match shape.tensor_parallel {
        Some(tp) => tp,
        None => tolerant_ceil((weights + b1 * per_seq) / chip.hbm).max(1.0),
    };
    let capacity = replica_chips * chip.hbm;
    let batch = match shape.batch {
        Some(b) => b,
        None => tolerant_floor((capacity - weights) / per_seq),
    };
    let needed = weights + batch.max(1.0) * per_seq;
    if batch < 1.0 || needed > capacity * (1.0 + 1e-9) {
        return Err(DecodeError::DoesNotFit {
            batch: batch.max(1.0),
            replica_chips,
            bytes_needed: needed,
            bytes_available: capacity,
            chips_needed: tolerant_ceil(needed / chip.hbm),
        });
    }
    let compute = 2.0 * shape.model_params * batch / (replica_chips * chip.peak * chip.mfu);
    let memory = (weights + batch * per_seq) / (replica_chips * chip.hbm_bw * chip.mbu);
    let step_seconds = compute.max(memory) + chip.step_overhead;
    Ok(Decode {
        replica_chips,
        batch,
        step_seconds,
        memory_bound: memory >= compute,
        tokens_per_s_per_chip: batch / (step_seconds * replica_chips) * chip.availability,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 70B dense decoder (Llama-3-70B shape), fp8 weights, bf16 KV, 8k context.
    fn llama70b(batch: Option<f64>, tp: Option<f64>) -> DecoderShape {
        DecoderShape {
            model_params: 70e9,
            layers: 80.0,
            kv_heads: 8.0,
            head_dim: 128.0,
            weight_bytes: 1.0,
            kv_bytes: 2.0,
            context: 8192.0,
            batch,
            tensor_parallel: tp,
        }
    }

    fn h100() -> DecodeChip {
        DecodeChip {
            peak: 1979e12,
            mfu: 0.4,
            hbm: 80e9,
            hbm_bw: 3.35e12,
            mbu: 0.7,
            step_overhead: 0.0,
            availability: 0.95,
        }
    }

    #[test]
    fn kv_and_weights() {
        let s = llama70b(Some(1.0), None);
        // 2 * 80 * 8 * 128 * 2 = 327,680 bytes per token per sequence
        assert_eq!(s.kv_bytes_per_token(), 327_680.0);
        assert_eq!(s.weight_bytes_total(), 70e9);
    }

    #[test]
    fn memory_bound_side_of_the_ridge() {
        // batch 64: KV = 64 * 8192 * 327680 = 171.80e9 B; weights 70e9; total 241.80e9 B
        // n_r = ceil(241.80e9 / 80e9) = ceil(3.02) = 4
        // compute = 2 * 70e9 * 64 / (4 * 1979e12 * 0.4) = 8.96e12 / 3.1664e15 = 2.8297e-3 s
        // memory  = 241.80e9 / (4 * 3.35e12 * 0.7) = 241.80e9 / 9.38e12 = 2.5778e-2 s
        // tokens/s/chip = 64 / (2.5778e-2 * 4) * 0.95 = 589.65
        let d = decode(&llama70b(Some(64.0), None), &h100()).unwrap();
        assert_eq!(d.replica_chips, 4.0);
        assert!(d.memory_bound);
        let kv = 64.0 * 8192.0 * 327_680.0;
        let memory = (70e9 + kv) / (4.0 * 3.35e12 * 0.7);
        assert!((d.step_seconds - memory).abs() < 1e-15);
        let want = 64.0 / (memory * 4.0) * 0.95;
        assert!((d.tokens_per_s_per_chip - want).abs() < 1e-9 * want);
        assert!((d.tokens_per_s_per_chip - 589.6475).abs() < 1e-3);
    }

    #[test]
    fn compute_bound_side_of_the_ridge() {
        // Short context (16 tokens) and batch 2048 on 8 chips: KV is small, compute dominates.
        // KV = 2048 * 16 * 327680 = 10.737e9 B; weights 70e9 -> 80.737e9 B over 8 chips
        // compute = 2 * 70e9 * 2048 / (8 * 1979e12 * 0.4) = 2.8672e14 / 6.3328e15 = 4.5275e-2 s
        // memory  = 80.737e9 / (8 * 3.35e12 * 0.7) = 80.737e9 / 1.876e13 = 4.3037e-3 s
        let mut s = llama70b(Some(2048.0), Some(8.0));
        s.context = 16.0;
        let d = decode(&s, &h100()).unwrap();
        assert!(!d.memory_bound);
        let compute = 2.0 * 70e9 * 2048.0 / (8.0 * 1979e12 * 0.4);
        assert!((d.step_seconds - compute).abs() < 1e-15);
        // tokens/s/chip = 2048 / (4.5275e-2 * 8) * 0.95 = 5371.6
        let want = 2048.0 / (compute * 8.0) * 0.95;
        assert!((d.tokens_per_s_per_chip - want).abs() < 1e-9 * want);
    }

    #[test]
    fn batch_max() {
        // "max" with n_r derived from B1 = 1: ceil((70e9 + 8192 * 327680) / 80e9) = ceil(0.9084) = 1
        // B = floor((80e9 - 70e9) / (8192 * 327680)) = floor(10e9 / 2.68435e9) = floor(3.725) = 3
        let d = decode(&llama70b(None, None), &h100()).unwrap();
        assert_eq!(d.replica_chips, 1.0);
        assert_eq!(d.batch, 3.0);
        // With tensor_parallel = 4: B = floor((320e9 - 70e9) / 2.68435e9) = floor(93.13) = 93
        let d = decode(&llama70b(None, Some(4.0)), &h100()).unwrap();
        assert_eq!(d.batch, 93.0);
    }

    #[test]
    fn batch_that_does_not_fit() {
        // batch 64 needs 241.8e9 B; 2 chips hold 160e9 B; it needs ceil(241.8 / 80) = 4 chips
        let err = decode(&llama70b(Some(64.0), Some(2.0)), &h100()).unwrap_err();
        let DecodeError::DoesNotFit { chips_needed, .. } = err.clone();
        assert_eq!(chips_needed, 4.0);
        assert!(err.to_string().contains("at least 4 chips"), "{err}");
        // Weights alone too big for one chip with "max": 70e9 on a 40 GB chip, tp = 1
        let mut chip = h100();
        chip.hbm = 40e9;
        assert!(decode(&llama70b(None, Some(1.0)), &chip).is_err());
    }

    #[test]
    fn step_overhead_adds_to_the_step() {
        let mut chip = h100();
        chip.step_overhead = 1e-3;
        let base = decode(&llama70b(Some(64.0), None), &h100()).unwrap();
        let slow = decode(&llama70b(Some(64.0), None), &chip).unwrap();
        assert!((slow.step_seconds - base.step_seconds - 1e-3).abs() < 1e-15);
    }

    #[test]
    fn flops_and_training() {
        // H100 bf16: 989e12 * 0.40 * 0.95 = 375.82e12 FLOP/s
        let r = effective_flops(989e12, 0.40, 0.95);
        assert!((r - 375.82e12).abs() < 1.0);
        // EFLOP per chip-year: 375.82e12 * 8766 * 3600 / 1e18 = 11859.977
        assert!((eflop_per_year(r) - 11_859.977_232).abs() < 1e-6);
        // 70B params: 375.82e12 / (6 * 70e9) = 894.8095 tokens/s
        let t = training_tokens_per_s(r, training_flops_per_token(70e9, None));
        assert!((t - 894.809_523_809_5).abs() < 1e-9);
        // M tokens per chip-year: 894.8095 * 31,557,600 / 1e6 = 28238.04
        assert!((mtokens_per_year(t) - 28_238.041_028_571).abs() < 1e-6);
    }

    #[test]
    fn training_flops_per_token_with_attention() {
        // Llama-3-70B shape: 80 layers, 64 heads of 128, seq 8192, 70.6e9 params.
        // dense     = 6 * 70.6e9                       = 423.6e9
        // attention = 12 * 80 * 64 * 128 * 8192        = 12 * 80 = 960; 960 * 64 = 61,440;
        //             61,440 * 128 = 7,864,320; * 8192 = 64,424,509,440 = 64.42e9
        // F_tok     = 423.6e9 + 64.4245e9              = 488.024509440e9
        let a = Attention {
            layers: 80.0,
            heads: 64.0,
            head_dim: 128.0,
            seq_len: 8192.0,
        };
        assert_eq!(training_flops_per_token(70.6e9, None), 423.6e9);
        assert_eq!(
            training_flops_per_token(70.6e9, Some(a)),
            423.6e9 + 64_424_509_440.0
        );
        // The attention term is 15.2 % of the dense term here: 64.42 / 423.6 = 0.15209
        let share: f64 = 64_424_509_440.0 / 423.6e9;
        assert!((share - 0.152_088).abs() < 1e-6);
    }

    #[test]
    fn mixture_of_experts_counts_active_parameters() {
        // DeepSeek-V3: 671e9 total, 37e9 active. 6 * 37e9 = 222e9 FLOP per token, against
        // 6 * 671e9 = 4026e9 if total parameters were counted: 18.1x more.
        assert_eq!(training_flops_per_token(37e9, None), 222e9);
        let ratio = training_flops_per_token(671e9, None) / training_flops_per_token(37e9, None);
        assert!((ratio - 18.135_135).abs() < 1e-6);
    }

    #[test]
    fn run_time_chip_hours_and_energy() {
        // 15e12 tokens on 16,384 chips at 400 tokens/s each:
        // run = 15e12 / (16384 * 400) = 15e12 / 6,553,600 = 2,288,818.36 s (26.49 days)
        // chip-hours = 16384 * 2,288,818.36 / 3600 = 10,416,666.7 = 15e12 / 400 / 3600
        let s = run_seconds(15e12, 16_384.0, 400.0);
        assert!((s - 2_288_818.359_375).abs() < 1e-6);
        let h = chip_hours(16_384.0, s);
        assert!((h - 15e12 / 400.0 / 3600.0).abs() < 1e-6);
        // 1,000 W per chip at 0.8 load, pue 1.2: 960 W at the meter; over a year
        // 960 * 31,557,600 = 3.0295e10 J; per unit at 28,238 units a year: 1,072,854 J
        let j = joules_per_unit(1000.0, 0.8, 1.2, 28_238.041_028_571);
        let want = 960.0 * 31_557_600.0 / 28_238.041_028_571;
        assert!((j - want).abs() < 1e-6 * want);
        assert!((j - 1_072_854.0).abs() < 1.0);
    }
}
