//! The inference roofline (MODEL.md section 4, `model::work::decode`) against decode throughput
//! measured on one H100 SXM: tests/data/h100_sxm_2026-11.csv, a copy of
//! ../shared/data/measured/h100_sxm_2026-11.csv (its README is tests/data/README-measured.md).
//!
//! Setup (from that README): a Llama-3-8B-shaped decoder, bf16 weights and KV cache, context
//! 1024, one step = one token for each of `batch` sequences, replayed from a CUDA graph.
//! - weights read per step: 32 layers (6.98e9 params) + LM head (0.525e9) = 7.505e9 params at
//!   2 B = 15.01e9 B (the embedding table is only gathered, not read whole);
//! - kv_tok = 2 * 32 layers * 8 KV heads * 128 * 2 B = 131,072 B; per sequence at context 1024:
//!   134,217,728 B = 0.1342e9 B;
//! - one chip, the H100 catalog figures: 989.4e12 bf16 FLOP/s, 3.35e12 B/s, 80e9 B;
//!   availability 1, step_overhead 0 (the CUDA graph removes launch overhead).
//!
//! ONE mbu, fitted at batch 1 so that the model gives the measured 137.3 tokens/s exactly:
//!     mbu = bytes per step / (t_step * hbm_bw) = (15.01e9 + 0.1342e9) B * 137.3 /s / 3.35e12 B/s
//!         = 15.1442e9 * 137.3 / 3.35e12 = 2.0793e12 / 3.35e12 = 0.62069
//! mfu = 433.0 / 989.4 = 0.4376, the measured training MFU (1.2B decoder, 6N + attention FLOP
//! counted) on the same card: a realistic fraction of peak for real kernels. The sustained GEMM,
//! 670.1 / 989.4 = 0.677, is an upper bound (one large square GEMM at the 700 W power cap); it
//! would not change a single prediction below, because the compute term never binds:
//!     compute per sequence = 2 * 7.505e9 / (989.4e12 * 0.4376) = 3.47e-5 s
//!     KV read per sequence = 0.1342e9 / (3.35e12 * 0.62069)    = 6.45e-5 s
//! so each added sequence costs more memory time than compute time: the step is memory-bound
//! at any batch for mfu above 0.4376 * 3.47 / 6.45 = 0.235, and at the measured batches for mfu
//! above 0.126 (B = 128: 2 * 7.505e9 * 128 / (989.4e12 * mfu) <= 15.48 ms).
//!
//! Predicted step = (15.01e9 + B * 0.1342e9) / (3.35e12 * 0.62069):
//!     B = 8:   16.084e9 / 2.0793e12 =  7.735 ms -> 1034.2 tokens/s (measured  981.6, +5.4 %)
//!     B = 32:  19.305e9 / 2.0793e12 =  9.284 ms -> 3446.7 tokens/s (measured 3369.8, +2.3 %)
//!     B = 128: 32.190e9 / 2.0793e12 = 15.481 ms -> 8268.1 tokens/s (measured 8831.1, -6.4 %)
//! All within the 15 % bound. `cargo test --test measured -- --nocapture` prints the table.

use fleetcost::model::work::{decode, DecodeChip, DecoderShape};
use std::path::PathBuf;

/// Parameters whose weights are read every step: 32 layers + the LM head.
const WEIGHT_PARAMS: f64 = 6.98e9 + 0.525e9;
const PEAK_BF16: f64 = 989.4e12;
const HBM_BW: f64 = 3.35e12;
const HBM: f64 = 80e9;
/// Measured training MFU: 433.0 TFLOP/s of 989.4.
const MFU: f64 = 433.0 / 989.4;
/// The bound the roofline must meet at every measured batch.
const BOUND: f64 = 0.15;

fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data")
}

/// One measured decode point: batch, tokens/s, and the step time in ms.
#[derive(Debug, Clone, Copy)]
struct Point {
    batch: f64,
    tokens_per_s: f64,
    step_ms: f64,
}

/// The decode rows of the measured CSV: "decode tokens/s, batch N" and "decode step, ...,
/// batch N, context 1024".
fn measured() -> Vec<Point> {
    let path = data_dir().join("h100_sxm_2026-11.csv");
    let mut rdr =
        csv::Reader::from_path(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut tps: Vec<(f64, f64)> = Vec::new();
    let mut step: Vec<(f64, f64)> = Vec::new();
    for rec in rdr.records() {
        let rec = rec.expect("a CSV record");
        let (metric, value) = (&rec[0], rec[1].parse::<f64>().expect("a number"));
        if let Some(b) = metric.strip_prefix("decode tokens/s, batch ") {
            tps.push((b.trim().parse().expect("a batch"), value));
        } else if metric.starts_with("decode step") {
            assert!(
                metric.ends_with("context 1024"),
                "unexpected context: {metric}"
            );
            assert_eq!(&rec[2], "ms");
            let b = metric
                .split("batch ")
                .nth(1)
                .and_then(|s| s.split(',').next());
            step.push((b.expect("a batch").trim().parse().expect("a batch"), value));
        }
    }
    tps.iter()
        .map(|&(batch, tokens_per_s)| Point {
            batch,
            tokens_per_s,
            step_ms: step
                .iter()
                .find(|s| s.0 == batch)
                .map(|s| s.1)
                .unwrap_or(f64::NAN),
        })
        .collect()
}

fn shape(batch: f64) -> DecoderShape {
    DecoderShape {
        model_params: WEIGHT_PARAMS,
        layers: 32.0,
        kv_heads: 8.0,
        head_dim: 128.0,
        weight_bytes: 2.0,
        kv_bytes: 2.0,
        context: 1024.0,
        batch: Some(batch),
        tensor_parallel: Some(1.0),
    }
}

fn h100(mbu: f64) -> DecodeChip {
    DecodeChip {
        peak: PEAK_BF16,
        mfu: MFU,
        hbm: HBM,
        hbm_bw: HBM_BW,
        mbu,
        step_overhead: 0.0,
        availability: 1.0,
    }
}

/// mbu such that batch `p` decodes at its measured rate: bytes per step / (t_step * hbm_bw),
/// with t_step = batch / tokens_per_s.
fn fit_mbu(p: Point) -> f64 {
    let s = shape(p.batch);
    let bytes = s.weight_bytes_total() + p.batch * s.context * s.kv_bytes_per_token();
    bytes / (p.batch / p.tokens_per_s * HBM_BW)
}

#[test]
fn the_measured_data_has_the_four_batches() {
    let batches: Vec<f64> = measured().iter().map(|p| p.batch).collect();
    assert_eq!(batches, [1.0, 8.0, 32.0, 128.0]);
    // The two columns agree: tokens/s = batch / step time (within the 4 digits printed).
    for p in measured() {
        let from_step = p.batch / (p.step_ms * 1e-3);
        assert!(
            (from_step / p.tokens_per_s - 1.0).abs() < 2e-3,
            "batch {}: {from_step} vs {}",
            p.batch,
            p.tokens_per_s
        );
    }
}

#[test]
fn the_catalog_h100_matches_the_figures_used_here() {
    let row = fleetcost::scenario::Catalog::shipped()
        .get("h100-sxm")
        .expect("h100-sxm in the catalog")
        .chip();
    assert_eq!(
        row.peak[fleetcost::model::Precision::Bf16.index()],
        Some(PEAK_BF16)
    );
    assert_eq!(row.hbm_bw, Some(HBM_BW));
    assert_eq!(row.hbm, Some(HBM));
}

#[test]
fn the_copy_matches_the_shared_data_when_present() {
    // CI has the shared folder only as a sibling; when it is there, the copy must not drift.
    let shared = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data/measured/h100_sxm_2026-11.csv");
    if let Ok(original) = std::fs::read(&shared) {
        let copy = std::fs::read(data_dir().join("h100_sxm_2026-11.csv")).unwrap();
        assert_eq!(
            copy,
            original,
            "tests/data copy differs from {}",
            shared.display()
        );
    }
}

#[test]
fn decode_roofline_reproduces_the_measured_h100_within_15_percent() {
    let points = measured();
    let b1 = points
        .iter()
        .find(|p| p.batch == 1.0)
        .copied()
        .expect("batch 1");
    let mbu = fit_mbu(b1);
    // (15.01e9 + 0.134217728e9) * 137.3 / 3.35e12 = 0.620687 (see the head of the file)
    assert!((mbu - 0.620_687).abs() < 1e-6, "mbu = {mbu}");

    println!("mbu = {mbu:.5} (fitted at batch 1), mfu = {MFU:.4} (433.0 / 989.4)");
    println!(
        "{:>6} {:>12} {:>12} {:>10} {:>10} {:>8} {:>7}",
        "batch", "measured/s", "model/s", "meas. ms", "model ms", "error", "bound"
    );
    let mut failures = Vec::new();
    for p in &points {
        let d = decode(&shape(p.batch), &h100(mbu)).expect("the batch fits in 80 GB");
        let err = d.tokens_per_s_per_chip / p.tokens_per_s - 1.0;
        println!(
            "{:>6} {:>12.1} {:>12.1} {:>10.3} {:>10.3} {:>+7.1}% {:>7}",
            p.batch,
            p.tokens_per_s,
            d.tokens_per_s_per_chip,
            p.step_ms,
            d.step_seconds * 1e3,
            err * 100.0,
            if d.memory_bound { "memory" } else { "compute" }
        );
        assert_eq!(d.replica_chips, 1.0);
        if err.abs() > BOUND {
            failures.push(format!("batch {}: {:+.1} %", p.batch, err * 100.0));
        }
        if p.batch == 1.0 {
            assert!(err.abs() < 1e-12, "batch 1 is the fit: {err}");
        }
    }
    assert!(
        failures.is_empty(),
        "outside +-15 %: {}",
        failures.join(", ")
    );
}

#[test]
fn the_compute_term_never_binds_on_the_measured_shape() {
    // Above mfu 0.126 every measured batch is memory-bound (see the head of the file), so the
    // sustained-GEMM mfu 670.1 / 989.4 gives the same predictions as 433.0 / 989.4.
    let mbu = fit_mbu(measured()[0]);
    for p in measured() {
        let a = decode(&shape(p.batch), &h100(mbu)).unwrap();
        let mut chip = h100(mbu);
        chip.mfu = 670.1 / 989.4;
        let b = decode(&shape(p.batch), &chip).unwrap();
        assert!(a.memory_bound && b.memory_bound, "batch {}", p.batch);
        assert_eq!(a.tokens_per_s_per_chip, b.tokens_per_s_per_chip);
    }
    // Below 0.126 the largest batch turns compute-bound: at mfu 0.1, compute =
    // 2 * 7.505e9 * 128 / (989.4e12 * 0.1) = 19.42 ms > memory 15.48 ms.
    let mut chip = h100(mbu);
    chip.mfu = 0.1;
    let d = decode(&shape(128.0), &chip).unwrap();
    assert!(!d.memory_bound);
    assert!((d.step_seconds - 2.0 * 7.505e9 * 128.0 / (989.4e12 * 0.1)).abs() < 1e-12);
}
