//! Validation: each prediction of the shipped model and scenarios next to an independent
//! figure, with its source and the tolerance asserted here. docs/validation.md is this file's
//! table with the reasoning; `cargo test --test validation -- --nocapture` prints it.
//!
//! Independent figures come from the measured H100 (tests/data/h100_sxm_2026-11.csv, a copy
//! of ../shared/data/measured/h100_sxm_2026-11.csv) and from ../shared/data/hw_specs.csv (item /
//! metric named at each figure). The predictions are computed here from the shipped scenarios
//! and the library; no number below is the program's own output pasted back.
//!
//! Four groups:
//! 1. the measured H100: the decode roofline calibrated on it (in and out of sample), the
//!    shipped inference default mbu 0.62, and the catalog's peak and bandwidth;
//! 2. the training MFU default (0.40) against published MFU of large runs;
//! 3. the owned cost per chip-hour against public cloud rates: the implied gross margin
//!    1 - cost / rate must lie in a sane band (see `Check::Margin`);
//! 4. the power_load defaults against the measured board power.

mod common;
use common::root;
use fleetcost::calibrate::{self, ChipFigures, FitOptions, Overhead, Phase};
use fleetcost::model::work::{decode, DecodeChip, DecoderShape};
use fleetcost::scenario::{self, DistSpec, Scenario};

/// How a prediction must stand against its figure.
#[derive(Debug, Clone, Copy)]
enum Check {
    /// |prediction / figure - 1| <= tol.
    Rel(f64),
    /// |prediction - figure| <= tol (fractions).
    Abs(f64),
    /// lo <= prediction <= hi (a published range; `figure` is its middle).
    Between(f64, f64),
    /// prediction <= figure (the figure is a ceiling).
    AtMost,
    /// prediction >= figure (the figure is a floor).
    AtLeast,
    /// figure / 2 <= prediction <= figure: a record run is a ceiling for a default, and a
    /// default under half of it would be needlessly pessimistic.
    HalfToAll,
    /// A listed ceiling (prediction) that the measurement (figure) reaches most of:
    /// min * prediction <= figure <= prediction.
    Reached(f64),
    /// Cost per chip-hour (prediction) against a cloud rate (figure): the gross margin
    /// 1 - cost / rate lies in [0, 0.90] at the listed rate, and the owned cost is at most the
    /// rate after the provider's deepest public commitment discount (`discount`).
    Margin { discount: f64 },
}

struct Row {
    group: &'static str,
    prediction: String,
    value: f64,
    figure: f64,
    figure_text: String,
    source: &'static str,
    check: Check,
}

impl Row {
    fn passes(&self) -> bool {
        let (p, f) = (self.value, self.figure);
        match self.check {
            Check::Rel(t) => (p / f - 1.0).abs() <= t,
            Check::Abs(t) => (p - f).abs() <= t + 1e-12,
            Check::Between(lo, hi) => lo <= p && p <= hi,
            Check::AtMost => p <= f,
            Check::AtLeast => p >= f,
            Check::HalfToAll => f / 2.0 <= p && p <= f,
            Check::Reached(min) => min * p <= f && f <= p,
            Check::Margin { discount } => {
                let m = 1.0 - p / f;
                (0.0..=0.90).contains(&m) && p <= f * (1.0 - discount)
            }
        }
    }

    fn distance(&self) -> String {
        let (p, f) = (self.value, self.figure);
        match self.check {
            Check::Margin { discount } if discount > 0.0 => format!(
                "gross margin {:.0} % (markup {:.1}x); {:.0} % at the 3-yr committed rate ({:.0} % off)",
                (1.0 - p / f) * 100.0,
                f / p,
                (1.0 - p / (f * (1.0 - discount))) * 100.0,
                discount * 100.0,
            ),
            Check::Margin { .. } => format!(
                "gross margin {:.0} % (markup {:.1}x)",
                (1.0 - p / f) * 100.0,
                f / p
            ),
            Check::Reached(_) => format!("measured = {:.0} % of the listing", f / p * 100.0),
            Check::Abs(_) | Check::Between(..) | Check::HalfToAll | Check::AtMost | Check::AtLeast
                if f <= 1.0 =>
            {
                format!("{:+.3} ({:+.0} %)", p - f, (p / f - 1.0) * 100.0)
            }
            _ => format!("{:+.1} %", (p / f - 1.0) * 100.0),
        }
    }

    fn tolerance(&self) -> String {
        match self.check {
            Check::Rel(t) => format!("within {:.0} %", t * 100.0),
            Check::Abs(t) => format!("within {t}"),
            Check::Between(lo, hi) => format!("inside {}-{}", sig(lo), sig(hi)),
            Check::AtMost => "at most the figure".into(),
            Check::AtLeast => "at least the figure".into(),
            Check::HalfToAll => "between half the figure and the figure".into(),
            Check::Reached(min) => {
                format!("the figure reaches {:.0}-100 % of the listing", min * 100.0)
            }
            Check::Margin { discount } if discount > 0.0 => {
                format!("margin 0-90 %; cost <= rate x (1 - {discount:.2})")
            }
            Check::Margin { .. } => "margin 0-90 %".into(),
        }
    }
}

fn load(name: &str) -> Scenario {
    let path = root().join("scenarios").join(name);
    scenario::load(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn fleet(s: &Scenario, id: &str) -> usize {
    s.inputs
        .fleets
        .iter()
        .position(|f| f.id == id)
        .unwrap_or_else(|| panic!("{}: no fleet {id}", s.file))
}

/// USD per chip-hour of fleet `id` in scenario `s` (MODEL.md section 3: C / 8766).
fn cost_per_chip_hour(s: &Scenario, id: &str) -> f64 {
    let o = fleetcost::model::evaluate(&s.inputs).expect("the shipped scenario evaluates");
    o.fleets[fleet(s, id)].cost_per_chip_year / 8766.0
}

// ---------------------------------------------------------------------- 1. measured H100

/// Measured decode tokens/s (tests/data/h100_sxm_2026-11.csv, "decode tokens/s, batch N").
const MEASURED_TPS: [(f64, f64); 4] = [(1.0, 137.3), (8.0, 981.6), (32.0, 3369.8), (128.0, 8831.1)];

const H100: ChipFigures = ChipFigures {
    peak: 989.4e12,
    hbm_bw: 3.35e12,
    hbm: 80e9,
};

fn measured() -> calibrate::Measurements {
    let text = std::fs::read_to_string(root().join("tests/data/h100_sxm_2026-11.csv")).unwrap();
    calibrate::parse_measurements(&text).unwrap()
}

fn llama_shape(batch: f64) -> DecoderShape {
    DecoderShape {
        model_params: 7.505e9,
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

const SRC_MEASURED: &str = "measured H100 SXM, tests/data/h100_sxm_2026-11.csv";

fn measured_rows() -> Vec<Row> {
    let mut rows = Vec::new();
    let data = measured();
    let shape = calibrate::preset("llama3-8b").unwrap().shape;
    let opts = FitOptions {
        mfu: None,
        mbu: None,
        overhead: Overhead::Auto,
    };
    let fit = calibrate::fit(&shape, &H100, &data, &opts, None).unwrap();
    let decode_fit: Vec<_> = fit
        .points
        .iter()
        .filter(|p| p.point.phase == Phase::Decode)
        .collect();
    for (p, &(batch, tps)) in decode_fit.iter().zip(&MEASURED_TPS) {
        assert_eq!(p.point.batch, batch);
        rows.push(Row {
            group: "measured H100",
            prediction: format!(
                "calibrated roofline, decode tokens/s at batch {batch} (in sample)"
            ),
            value: p.predicted_rate,
            figure: tps,
            figure_text: format!("{tps} tokens/s"),
            source: SRC_MEASURED,
            check: Check::Rel(0.10),
        });
    }
    // Out of sample: fit on the other three decode points (and the prefill), predict this one.
    for &(batch, tps) in &MEASURED_TPS {
        let mut rest = data.clone();
        rest.points
            .retain(|p| !(p.phase == Phase::Decode && p.batch == batch));
        let f = calibrate::fit(&shape, &H100, &rest, &opts, None).unwrap();
        let chip = DecodeChip {
            peak: H100.peak,
            mfu: f.mfu.value.unwrap(),
            hbm: H100.hbm,
            hbm_bw: H100.hbm_bw,
            mbu: f.mbu.value.unwrap(),
            step_overhead: f.step_overhead,
            availability: 1.0,
        };
        let d = decode(&llama_shape(batch), &chip).unwrap();
        rows.push(Row {
            group: "measured H100",
            prediction: format!(
                "roofline fitted without batch {batch}, decode tokens/s at batch {batch} (out of sample)"
            ),
            value: d.tokens_per_s_per_chip,
            figure: tps,
            figure_text: format!("{tps} tokens/s"),
            source: SRC_MEASURED,
            check: Check::Rel(0.10),
        });
    }
    // The shipped inference default: scenarios/llama70b-inference.toml, fleet h100, mbu and
    // step_overhead as shipped, on the measured shape.
    let s = load("llama70b-inference.toml");
    let f = &s.inputs.fleets[fleet(&s, "h100")];
    let chip = DecodeChip {
        peak: H100.peak,
        mfu: f.mfu,
        hbm: H100.hbm,
        hbm_bw: H100.hbm_bw,
        mbu: f.mbu.expect("the inference scenario sets mbu"),
        step_overhead: f.step_overhead,
        availability: 1.0,
    };
    for &(batch, tps) in &MEASURED_TPS {
        let d = decode(&llama_shape(batch), &chip).unwrap();
        rows.push(Row {
            group: "measured H100",
            prediction: format!(
                "shipped default mbu {} (llama70b-inference.toml), decode tokens/s at batch {batch}",
                chip.mbu
            ),
            value: d.tokens_per_s_per_chip,
            figure: tps,
            figure_text: format!("{tps} tokens/s"),
            source: SRC_MEASURED,
            check: Check::Rel(0.10),
        });
    }
    // Ceilings on the same card: the fitted fractions must not exceed what a device copy and a
    // sustained GEMM reach (3.02 TB/s of 3.35; 670.1 TFLOP/s of 989.4).
    rows.push(Row {
        group: "measured H100",
        prediction: "calibrated mbu".into(),
        value: fit.mbu.value.unwrap(),
        figure: 3.02 / 3.35,
        figure_text: "device copy 3.02 TB/s / 3.35 = 0.901".into(),
        source: SRC_MEASURED,
        check: Check::AtMost,
    });
    rows.push(Row {
        group: "measured H100",
        prediction: "calibrated mfu (from the 2048-token prefill)".into(),
        value: fit.mfu.value.unwrap(),
        figure: 670.1 / 989.4,
        figure_text: "sustained bf16 GEMM 670.1 / 989.4 = 0.677".into(),
        source: SRC_MEASURED,
        check: Check::AtMost,
    });
    // The catalog against the card: the listings are ceilings. A device copy reaches 80 % or
    // more of listed HBM bandwidth on a healthy card, and a large GEMM 60 % or more of the
    // listed dense peak (clocks drop under load: this card runs GEMMs at 1340 of 1980 MHz).
    let row = scenario::Catalog::shipped().get("h100-sxm").unwrap();
    rows.push(Row {
        group: "measured H100",
        prediction: "catalog h100-sxm hbm_bw (TB/s)".into(),
        value: row.hbm_bw.unwrap(),
        figure: 3.02,
        figure_text: "device memory copy 3.02 TB/s".into(),
        source: SRC_MEASURED,
        check: Check::Reached(0.8),
    });
    rows.push(Row {
        group: "measured H100",
        prediction: "catalog h100-sxm bf16 peak (TFLOP/s)".into(),
        value: row.bf16.unwrap(),
        figure: 775.1,
        figure_text: "burst bf16 GEMM 775.1 TFLOP/s".into(),
        source: SRC_MEASURED,
        check: Check::Reached(0.6),
    });
    rows
}

// ------------------------------------------------------------------- 2. training MFU

fn mfu_rows() -> Vec<Row> {
    let s = load("trainium-vs-gpu-2gw.toml");
    let h200 = s.inputs.fleets[fleet(&s, "h200")].mfu;
    // Every fleet of the 2 GW scenario shares the default (Trainium and GB200 by assumption).
    for f in &s.inputs.fleets {
        assert_eq!(f.mfu, h200, "fleet {} departs from the common mfu", f.id);
    }
    let p = "training default mfu (trainium-vs-gpu-2gw.toml)";
    let mut rows = vec![
        Row {
            group: "training MFU",
            prediction: p.into(),
            value: h200,
            figure: 0.405,
            figure_text: "38-43 % (Llama 3 405B, 8K-16K H100, bf16)".into(),
            source: "hw_specs: MFU / Llama 3 405B pretraining (Meta, arXiv 2407.21783, 2024-07)",
            check: Check::Between(0.38, 0.43),
        },
        Row {
            group: "training MFU",
            prediction: p.into(),
            value: h200,
            figure: 0.375,
            figure_text: "37.5 % (median of 33 frontier runs)".into(),
            source: "hw_specs: Utilization / Epoch AI MEDIAN_UTILIZATION (training-cost-trends)",
            check: Check::Abs(0.05),
        },
        Row {
            group: "training MFU",
            prediction: p.into(),
            value: h200,
            figure: 0.552,
            figure_text: "55.2 % (MegaScale 175B, 12,288 GPUs)".into(),
            source: "hw_specs: MFU / MegaScale (Jiang et al., NSDI 2024)",
            check: Check::HalfToAll,
        },
        Row {
            group: "training MFU",
            prediction: p.into(),
            value: h200,
            figure: 0.462,
            figure_text: "46.2 % (PaLM 540B, 6,144 TPU v4)".into(),
            source: "hw_specs: MFU / PaLM (Chowdhery et al., arXiv 2204.02311)",
            check: Check::HalfToAll,
        },
        Row {
            group: "training MFU",
            prediction: p.into(),
            value: h200,
            figure: 0.213,
            figure_text: "21.3 % (GPT-3 175B, as computed in PaLM)".into(),
            source: "hw_specs: MFU / GPT-3 175B (PaLM paper, Table 3)",
            check: Check::AtLeast,
        },
        Row {
            group: "training MFU",
            prediction: p.into(),
            value: h200,
            figure: 433.0 / 989.4,
            figure_text: "433.0 / 989.4 = 0.438 (1.2B decoder, one H100, no communication)".into(),
            source: SRC_MEASURED,
            check: Check::AtMost,
        },
    ];
    // The uncertainty the Monte Carlo samples for the GPU baseline covers the Llama 3 range.
    let spread = s
        .uncertainty
        .iter()
        .find(|u| u.path == "fleet.h200.mfu")
        .expect("fleet.h200.mfu is uncertain");
    let DistSpec::Pert { low, high, .. } = spread.dist else {
        panic!("fleet.h200.mfu: expected a pert");
    };
    for (v, what, fig) in [(low, "low", 0.38), (high, "high", 0.43)] {
        rows.push(Row {
            group: "training MFU",
            prediction: format!("[uncertainty] fleet.h200.mfu pert {what} end"),
            value: v,
            figure: fig,
            figure_text: format!("Llama 3 405B {what} end {:.0} %", fig * 100.0),
            source: "hw_specs: MFU / Llama 3 405B pretraining (Meta, arXiv 2407.21783, 2024-07)",
            check: if what == "low" {
                Check::AtMost
            } else {
                Check::AtLeast
            },
        });
    }
    rows
}

// -------------------------------------------------------------- 3. cloud rates vs owned cost

/// hw_specs: Cloud committed-use discounts / AWS 1-yr / 3-yr discount vs on-demand 41 % / 64 %
/// (GCP 37 / 56 %, Azure 25 / 49 %; Epoch AI training-cost-trends constants.py).
const AWS_3YR: f64 = 0.64;
const GCP_3YR: f64 = 0.56;
const AZURE_3YR: f64 = 0.49;

fn cloud_rows() -> Vec<Row> {
    let gw = load("trainium-vs-gpu-2gw.toml");
    let inf = load("llama70b-inference.toml");
    // (scenario, fleet, rate label, USD per instance-hour, accelerators per instance, source,
    //  discount that applies: on-demand rates take the provider's 3-yr commitment discount,
    //  Capacity Block rates are already reserved prices and take none)
    let cases: [(&Scenario, &str, &str, f64, f64, &'static str, f64); 11] = [
        (
            &gw,
            "trn2",
            "trn2.48xlarge (us-east-2)",
            35.76,
            16.0,
            "hw_specs: AWS trn2.48xlarge / Price (vantage 2025-11-30; = Capacity Block rate)",
            AWS_3YR,
        ),
        (
            &gw,
            "h200",
            "p5en.48xlarge on-demand (H200)",
            63.296,
            8.0,
            "hw_specs: AWS p5en.48xlarge / On-demand price (vantage 2026-01-21)",
            AWS_3YR,
        ),
        (
            &gw,
            "h200",
            "p5e.48xlarge Capacity Block (H200)",
            47.76,
            8.0,
            "hw_specs: AWS Capacity Block p5e.48xlarge (2026-07-22)",
            0.0,
        ),
        (
            &gw,
            "h200",
            "p5en.48xlarge Capacity Block (H200)",
            54.92,
            8.0,
            "hw_specs: AWS Capacity Block p5en.48xlarge (2026-07-22)",
            0.0,
        ),
        (
            &gw,
            "gb200",
            "u-p6e-gb200x72 Capacity Block",
            761.904,
            72.0,
            "hw_specs: AWS Capacity Block u-p6e-gb200x72 (2026-07-22)",
            0.0,
        ),
        (
            &inf,
            "h100",
            "p5.48xlarge on-demand (H100)",
            55.04,
            8.0,
            "hw_specs: AWS p5.48xlarge / On-demand price (vantage 2026-01-21)",
            AWS_3YR,
        ),
        (
            &inf,
            "h100",
            "p5.48xlarge Capacity Block (H100)",
            41.528,
            8.0,
            "hw_specs: AWS Capacity Block p5.48xlarge (2026-07-22)",
            0.0,
        ),
        (
            &inf,
            "h100",
            "GCP a3-highgpu-8g on-demand (H100)",
            88.49,
            8.0,
            "hw_specs: GCP a3-highgpu-8g / On-demand price (gcloud-compute.com, unverified)",
            GCP_3YR,
        ),
        (
            &inf,
            "h100",
            "Azure ND96isr H100 v5 pay-as-you-go",
            98.32,
            8.0,
            "hw_specs: Azure ND96isr H100 v5 / Pay-as-you-go price (unverified)",
            AZURE_3YR,
        ),
        (
            &inf,
            "b200",
            "p6-b200.48xlarge on-demand (B200)",
            113.9328,
            8.0,
            "hw_specs: AWS p6-b200.48xlarge / On-demand price (vantage 2026-01-21)",
            AWS_3YR,
        ),
        (
            &inf,
            "b200",
            "p6-b200.48xlarge Capacity Block (B200)",
            98.84,
            8.0,
            "hw_specs: AWS Capacity Block p6-b200.48xlarge (2026-07-22)",
            0.0,
        ),
    ];
    cases
        .iter()
        .map(|&(s, id, label, per_instance, chips, source, discount)| {
            let rate = per_instance / chips;
            Row {
                group: "cloud rates",
                prediction: format!(
                    "owned {id} cost per chip-hour ({})",
                    s.file.rsplit('/').next().unwrap_or(&s.file)
                ),
                value: cost_per_chip_hour(s, id),
                figure: rate,
                figure_text: format!("{label}: {per_instance} / {chips} = {rate:.3} USD/h"),
                source,
                check: Check::Margin { discount },
            }
        })
        .collect()
}

// ----------------------------------------------------------------------------- 4. power

fn power_rows() -> Vec<Row> {
    // Measured board power (NVML): 697.9 W in sustained bf16 GEMM, 698.5 W fp8, 527.5 W in a
    // memory copy, 128.4 W idle; limit 700 W.
    let (gemm, gemm_fp8, copy, idle) = (697.9, 698.5, 527.5, 128.4);
    let tdp = scenario::Catalog::shipped().get("h100-sxm").unwrap().tdp;
    let gw = load("trainium-vs-gpu-2gw.toml");
    let inf = load("llama70b-inference.toml");
    let train = gw.inputs.fleets[fleet(&gw, "h200")].power_load;
    for f in &gw.inputs.fleets {
        assert_eq!(f.power_load, train, "fleet {}", f.id);
    }
    let serve = inf.inputs.fleets[fleet(&inf, "h100")].power_load;
    vec![
        Row {
            group: "power",
            prediction: "catalog h100-sxm tdp (W): the provisioned chip power".into(),
            value: tdp,
            figure: gemm,
            figure_text: format!("{gemm} W in sustained bf16 GEMM (at the 700 W cap)"),
            source: SRC_MEASURED,
            check: Check::Rel(0.02),
        },
        Row {
            group: "power",
            prediction: "catalog h100-sxm tdp (W)".into(),
            value: tdp,
            figure: gemm_fp8,
            figure_text: format!("{gemm_fp8} W in sustained fp8 GEMM"),
            source: SRC_MEASURED,
            check: Check::Rel(0.02),
        },
        Row {
            group: "power",
            prediction: "training power_load (trainium-vs-gpu-2gw.toml)".into(),
            value: train,
            figure: gemm / tdp,
            figure_text: format!("sustained GEMM {gemm} / {tdp} = {:.3} of TDP", gemm / tdp),
            source: SRC_MEASURED,
            check: Check::AtMost,
        },
        Row {
            group: "power",
            prediction: "training power_load (trainium-vs-gpu-2gw.toml)".into(),
            value: train,
            figure: copy / tdp,
            figure_text: format!("memory copy {copy} / {tdp} = {:.3} of TDP", copy / tdp),
            source: SRC_MEASURED,
            check: Check::AtLeast,
        },
        Row {
            group: "power",
            prediction: "inference power_load (llama70b-inference.toml)".into(),
            value: serve,
            figure: copy / tdp,
            figure_text: format!(
                "memory copy {copy} / {tdp} = {:.3}: decode is memory-bound",
                copy / tdp
            ),
            source: SRC_MEASURED,
            check: Check::AtMost,
        },
        Row {
            group: "power",
            prediction: "inference power_load (llama70b-inference.toml)".into(),
            value: serve,
            figure: idle / tdp,
            figure_text: format!("idle {idle} / {tdp} = {:.3} of TDP", idle / tdp),
            source: SRC_MEASURED,
            check: Check::AtLeast,
        },
    ]
}

// ---------------------------------------------------------------------------------- tests

fn assert_rows(rows: &[Row]) {
    let failed: Vec<String> = rows
        .iter()
        .filter(|r| !r.passes())
        .map(|r| {
            format!(
                "{}: {} = {:.4} vs {} ({}): {}; tolerance {}",
                r.group,
                r.prediction,
                r.value,
                r.figure_text,
                r.source,
                r.distance(),
                r.tolerance()
            )
        })
        .collect();
    assert!(
        failed.is_empty(),
        "outside tolerance:\n{}",
        failed.join("\n")
    );
}

#[test]
fn the_roofline_against_the_measured_h100() {
    assert_rows(&measured_rows());
}

#[test]
fn the_training_mfu_default_against_published_runs() {
    assert_rows(&mfu_rows());
}

#[test]
fn owned_cost_per_chip_hour_against_cloud_rates() {
    assert_rows(&cloud_rows());
}

#[test]
fn power_load_defaults_against_the_measured_board_power() {
    assert_rows(&power_rows());
}

#[test]
fn the_margin_check_by_hand() {
    // A cost of 2.167 USD/h against a 7.912 USD/h rate: margin 1 - 2.167 / 7.912 = 0.7261;
    // after a 64 % discount the rate is 7.912 * 0.36 = 2.848 >= 2.167: passes.
    let r = |value, figure, discount| Row {
        group: "t",
        prediction: String::new(),
        value,
        figure,
        figure_text: String::new(),
        source: "",
        check: Check::Margin { discount },
    };
    assert!(r(2.167, 7.912, 0.64).passes());
    // The same cost against a 2.235 USD/h rate: 2.235 * 0.36 = 0.805 < 2.167: the owned cost
    // would exceed the committed price, so the cost model would be too high.
    assert!(!r(2.167, 2.235, 0.64).passes());
    // A cost of 0.5 USD/h against 12.29 USD/h: margin 0.959 > 0.90: the cost is implausibly low.
    assert!(!r(0.5, 12.29, 0.0).passes());
}

/// `cargo test --test validation -- --nocapture` prints the table of docs/validation.md.
#[test]
fn print_the_validation_table() {
    let rows: Vec<Row> = [measured_rows(), mfu_rows(), cloud_rows(), power_rows()]
        .into_iter()
        .flatten()
        .collect();
    println!("| group | prediction | value | independent figure | source | distance | tolerance | pass |");
    println!("|---|---|---:|---|---|---|---|---|");
    for r in &rows {
        println!(
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            r.group,
            r.prediction,
            if r.value >= 100.0 {
                format!("{:.1}", r.value)
            } else {
                format!("{:.4}", r.value)
            },
            r.figure_text,
            r.source,
            r.distance(),
            r.tolerance(),
            if r.passes() { "yes" } else { "NO" }
        );
    }
    assert!(rows.len() >= 30);
}

// ------------------------------------------------------------- serving (MODEL.md section 4)

/// Where the published serving throughputs come from.
const TRTLLM_V1: &str = "NVIDIA TensorRT-LLM Performance Overview (docs/source/performance/perf-overview.md, TensorRT-LLM v1.0, NVIDIA, 2025), trtllm-bench offline max throughput, output tokens/s per TP group";

/// The input/output lengths of the published tables' rows, in their order.
const SHAPES: [(f64, f64); 10] = [
    (128.0, 128.0),
    (128.0, 2048.0),
    (128.0, 4096.0),
    (500.0, 2000.0),
    (1000.0, 1000.0),
    (1000.0, 2000.0),
    (2048.0, 128.0),
    (2048.0, 2048.0),
    (5000.0, 500.0),
    (20000.0, 2000.0),
];

/// A model's shape from its Hugging Face config.json (and the parameter count of its model
/// card): (params, active params, layers, heads, kv heads, head_dim, hidden, experts).
struct ModelShape {
    name: &'static str,
    params: f64,
    active: f64,
    layers: f64,
    heads: f64,
    kv_heads: f64,
    head_dim: f64,
    hidden: f64,
    experts: Option<(f64, f64)>,
}

/// meta-llama/Llama-3.1-8B config.json: 32 layers, 32 heads, 8 KV heads, 128, 4096; 8.03e9.
const LLAMA_8B: ModelShape = ModelShape {
    name: "Llama 3.1 8B",
    params: 8.03e9,
    active: 8.03e9,
    layers: 32.0,
    heads: 32.0,
    kv_heads: 8.0,
    head_dim: 128.0,
    hidden: 4096.0,
    experts: None,
};
/// meta-llama/Llama-3.3-70B-Instruct config.json: 80 layers, 64 heads, 8 KV heads, 8192; 70.6e9.
const LLAMA_70B: ModelShape = ModelShape {
    name: "Llama 3.3 70B",
    params: 70.6e9,
    active: 70.6e9,
    layers: 80.0,
    heads: 64.0,
    kv_heads: 8.0,
    head_dim: 128.0,
    hidden: 8192.0,
    experts: None,
};
/// meta-llama/Llama-3.1-405B config.json: 126 layers, 128 heads, 8 KV heads, 16384; 405.8e9.
const LLAMA_405B: ModelShape = ModelShape {
    name: "Llama 3.1 405B",
    params: 405.8e9,
    active: 405.8e9,
    layers: 126.0,
    heads: 128.0,
    kv_heads: 8.0,
    head_dim: 128.0,
    hidden: 16384.0,
    experts: None,
};
/// Qwen/Qwen3-235B-A22B config.json: 94 layers, 64 heads, 4 KV heads, 128, 4096, 128 experts,
/// 8 per token; model card: 235B total, 22B activated.
const QWEN3_235B: ModelShape = ModelShape {
    name: "Qwen3-235B-A22B (MoE)",
    params: 235e9,
    active: 22e9,
    layers: 94.0,
    heads: 64.0,
    kv_heads: 4.0,
    head_dim: 128.0,
    hidden: 4096.0,
    experts: Some((128.0, 8.0)),
};

/// One published table column: model, catalog chip, TP, weight bytes, output tokens/s per TP
/// group for each of `SHAPES` (None where the table is blank), in-sample or not.
struct Column {
    model: &'static ModelShape,
    chip: &'static str,
    tp: f64,
    precision: fleetcost::model::Precision,
    weight_bytes: f64,
    measured: [Option<f64>; 10],
    fitted: bool,
}

/// Bytes per weight of an NVFP4 checkpoint: 4-bit values plus one FP8 (E4M3) scale per block of
/// 16 (NVIDIA, "Introducing NVFP4 for Efficient and Accurate Low-Precision Inference", NVIDIA
/// Technical Blog, 2025-06-24): 0.5 + 1/16 (the per-tensor FP32 scale is negligible).
const NVFP4_BYTES: f64 = 0.5 + 1.0 / 16.0;

/// The published columns used (TRTLLM_V1 tables, values verbatim).
fn serving_columns() -> Vec<Column> {
    use fleetcost::model::Precision::{Fp4, Fp8};
    let s = |v: [f64; 10]| v.map(Some);
    vec![
        Column {
            model: &LLAMA_8B,
            chip: "h200",
            tp: 1.0,
            precision: Fp8,
            weight_bytes: 1.0,
            fitted: true,
            measured: s([
                27911.0, 26221.0, 18027.0, 20770.0, 17744.0, 16828.0, 3538.0, 12194.0, 3902.0,
                1804.0,
            ]),
        },
        Column {
            model: &LLAMA_8B,
            chip: "h100-sxm",
            tp: 1.0,
            precision: Fp8,
            weight_bytes: 1.0,
            fitted: true,
            measured: s([
                28312.0, 22714.0, 14325.0, 17660.0, 15220.0, 13899.0, 3450.0, 9305.0, 3459.0,
                1351.0,
            ]),
        },
        Column {
            model: &LLAMA_70B,
            chip: "h200",
            tp: 1.0,
            precision: Fp8,
            weight_bytes: 1.0,
            fitted: true,
            measured: s([
                3803.0, 4336.0, 2872.0, 3666.0, 2909.0, 2994.0, 442.0, 2003.0, 566.0, 283.0,
            ]),
        },
        Column {
            model: &LLAMA_70B,
            chip: "h100-sxm",
            tp: 2.0,
            precision: Fp8,
            weight_bytes: 1.0,
            fitted: true,
            measured: s([
                6378.0, 6651.0, 4199.0, 5222.0, 4205.0, 4146.0, 762.0, 3082.0, 898.0, 437.0,
            ]),
        },
        Column {
            model: &LLAMA_405B,
            chip: "h200",
            tp: 8.0,
            precision: Fp8,
            weight_bytes: 1.0,
            fitted: true,
            measured: s([
                3814.0, 5348.0, 4741.0, 4724.0, 3330.0, 3722.0, 456.0, 2948.0, 650.0, 505.0,
            ]),
        },
        Column {
            model: &LLAMA_405B,
            chip: "h100-sxm",
            tp: 8.0,
            precision: Fp8,
            weight_bytes: 1.0,
            fitted: true,
            measured: s([
                3627.0, 4340.0, 3116.0, 3994.0, 2919.0, 2895.0, 453.0, 2296.0, 610.0, 345.0,
            ]),
        },
        Column {
            model: &QWEN3_235B,
            chip: "h200",
            tp: 8.0,
            precision: Fp8,
            weight_bytes: 1.0,
            fitted: false,
            measured: s([
                30429.0, 42821.0, 26852.0, 28026.0, 23789.0, 22061.0, 3331.0, 16672.0, 3623.0,
                1876.0,
            ]),
        },
        Column {
            model: &QWEN3_235B,
            chip: "h100-sxm",
            tp: 8.0,
            precision: Fp8,
            weight_bytes: 1.0,
            fitted: false,
            measured: [
                None,
                Some(19658.0),
                Some(12447.0),
                Some(18351.0),
                Some(14898.0),
                Some(15136.0),
                None,
                Some(9924.0),
                Some(3225.0),
                None,
            ],
        },
        Column {
            model: &LLAMA_70B,
            chip: "b200",
            tp: 1.0,
            precision: Fp4,
            weight_bytes: NVFP4_BYTES,
            fitted: false,
            measured: s([
                11147.0, 9922.0, 6831.0, 7762.0, 7007.0, 6271.0, 1339.0, 4783.0, 1459.0, 665.0,
            ]),
        },
    ]
}

/// The engine's figures, one set for every column: fitted (a grid over mfu 0.5-0.7, mbu
/// 0.7-0.9, step_overhead 0-5 ms, max_batch 256-2048, allreduce latency 5-20 us) to the
/// median error of the six dense Hopper columns; the MoE and FP4 columns are out of sample.
const ENGINE_MFU: f64 = 0.5;
const ENGINE_MBU: f64 = 0.85;
const ENGINE_STEP_OVERHEAD: f64 = 1e-3;
const ENGINE_MAX_BATCH: f64 = 2048.0;
const ENGINE_ALLREDUCE_LATENCY: f64 = 40e-6;
/// NVLink 4 (H100, H200): 900 GB/s per GPU both ways (NVIDIA H100 datasheet, 2022) = 450 one
/// way; NVLink 5 (B200): 1.8 TB/s both ways (NVIDIA Blackwell datasheet, 2024) = 900.
fn nvlink_one_way(chip: &str) -> f64 {
    if chip == "b200" {
        900e9
    } else {
        450e9
    }
}

/// Output tokens/s of one TP group by the serving model, `refined` with the refinements of
/// docs/model.md or by MODEL.md's formulas alone, at the engine figures.
fn predict(c: &Column, input: f64, output: f64, refined: bool) -> f64 {
    predict_at(c, input, output, refined, ENGINE_MFU, ENGINE_MBU)
}

/// `predict` at the given mfu and mbu.
fn predict_at(c: &Column, input: f64, output: f64, refined: bool, mfu: f64, mbu: f64) -> f64 {
    let engine = Engine {
        mfu,
        mbu,
        step_overhead: ENGINE_STEP_OVERHEAD,
        max_batch: ENGINE_MAX_BATCH,
        allreduce_latency: ENGINE_ALLREDUCE_LATENCY,
    };
    predict_engine(c, input, output, refined, &engine)
}

/// An inference engine's figures.
struct Engine {
    mfu: f64,
    mbu: f64,
    step_overhead: f64,
    max_batch: f64,
    allreduce_latency: f64,
}

/// `predict` with the engine's figures.
fn predict_engine(c: &Column, input: f64, output: f64, refined: bool, e: &Engine) -> f64 {
    use fleetcost::model::serving::{serve, Moe, ReplicaSize, Requests, ServingChip, ServingShape};
    let row = fleetcost::scenario::Catalog::shipped()
        .get(c.chip)
        .unwrap_or_else(|| panic!("catalog has no {}", c.chip));
    let chip = row.chip();
    let m = c.model;
    let shape = ServingShape {
        model_params: m.params,
        active_params: m.active,
        layers: m.layers,
        kv_heads: m.kv_heads,
        head_dim: m.head_dim,
        heads: Some(m.heads),
        hidden: Some(m.hidden),
        weight_bytes: c.weight_bytes,
        // "If you specify FP8 quantization, the KV cache will automatically be set to FP8"
        // (same document, v0.17); FP4 checkpoints keep an FP8 KV cache.
        kv_bytes: 1.0,
        requests: Requests::Full { input, output },
        batch: None,
        replica: ReplicaSize::Fixed(c.tp),
        memory_reserve: fleetcost::model::DEFAULT_MEMORY_RESERVE,
        max_batch: Some(e.max_batch),
        prefill_chunk: fleetcost::model::DEFAULT_PREFILL_CHUNK,
        tpot: None,
        ttft: None,
        moe: m
            .experts
            .map(|(experts, per_token)| Moe { experts, per_token }),
        speculation: None,
        disaggregated: false,
        prefill_replica: None,
        refined,
    };
    let chip = ServingChip {
        peak: chip.peak[c.precision.index()].unwrap(),
        mfu: e.mfu,
        prefill_mfu: e.mfu,
        hbm: chip.hbm.unwrap(),
        hbm_bw: chip.hbm_bw.unwrap(),
        mbu: e.mbu,
        step_overhead: e.step_overhead,
        availability: 1.0,
        scaleup_bw: Some(nvlink_one_way(c.chip)),
        allreduce_latency: e.allreduce_latency,
        chips_per_node: 8.0,
    };
    let s = serve(&shape, &chip).unwrap_or_else(|e| panic!("{} on {}: {e}", m.name, c.chip));
    s.tokens_per_s_per_chip * c.tp
}

/// (column, shape index, measured, predicted) for every published point.
fn serving_points(refined: bool) -> Vec<(usize, usize, f64, f64)> {
    let mut out = Vec::new();
    for (i, c) in serving_columns().iter().enumerate() {
        for (j, m) in c.measured.iter().enumerate() {
            if let Some(m) = m {
                let (input, output) = SHAPES[j];
                out.push((i, j, *m, predict(c, input, output, refined)));
            }
        }
    }
    out
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// |error| statistics of the points of the columns `pick` selects: (median, max, count).
fn error_stats(
    points: &[(usize, usize, f64, f64)],
    pick: impl Fn(&Column) -> bool,
) -> (f64, f64, usize) {
    let cols = serving_columns();
    let errs: Vec<f64> = points
        .iter()
        .filter(|p| pick(&cols[p.0]))
        .map(|p| (p.3 / p.2 - 1.0).abs())
        .collect();
    let max = errs.iter().cloned().fold(0.0, f64::max);
    (median(errs.clone()), max, errs.len())
}

/// (shape index, measured, predicted, in the fit).
type FitPoint = (usize, f64, f64, bool);

/// The FP4 column calibrated the way `calibrate` would: mfu and mbu for B200 at FP4 fitted (a
/// grid, mfu 0.20-0.60 by 0.01, mbu 0.50-0.90 by 0.05, least maximum error) to the even-numbered
/// shapes of `SHAPES` (128/128, 128/4096, 1000/1000, 2048/128, 5000/500); the other five are
/// held out. Returns (mfu, mbu, [(shape, measured, predicted, fitted)]).
fn fp4_calibrated() -> (f64, f64, Vec<FitPoint>) {
    let cols = serving_columns();
    let c = cols
        .iter()
        .find(|c| c.precision == fleetcost::model::Precision::Fp4)
        .unwrap();
    let points = |mfu: f64, mbu: f64| -> Vec<FitPoint> {
        let mut out = Vec::new();
        for (j, m) in c.measured.iter().enumerate() {
            let (input, output) = SHAPES[j];
            let p = predict_at(c, input, output, true, mfu, mbu);
            out.push((j, m.unwrap(), p, j % 2 == 0));
        }
        out
    };
    let mut best = (f64::INFINITY, 0.0, 0.0);
    for mfu in (20..=60).map(|x| x as f64 / 100.0) {
        for mbu in (10..=18).map(|x| x as f64 * 0.05) {
            let worst = points(mfu, mbu)
                .iter()
                .filter(|p| p.3)
                .map(|p| (p.2 / p.1 - 1.0).abs())
                .fold(0.0, f64::max);
            if worst < best.0 {
                best = (worst, mfu, mbu);
            }
        }
    }
    (best.1, best.2, points(best.1, best.2))
}

#[test]
fn serving_throughput_against_published_trtllm_runs() {
    let refined = serving_points(true);
    let plain = serving_points(false);
    let dense = |c: &Column| c.fitted;
    let moe = |c: &Column| c.model.experts.is_some();
    let fp4 = |c: &Column| c.precision == fleetcost::model::Precision::Fp4;
    // The refined model on the six dense Hopper columns (in sample, 60 points): median 7.0 %,
    // worst 14.8 %: the goal (median 10 %, no point over 25 %). Bounds a little above
    // the computed figures, so a change that worsens the fit fails here.
    let (med, max, n) = error_stats(&refined, dense);
    assert_eq!(n, 60);
    assert!(
        med <= 0.075 && max <= 0.155,
        "dense Hopper: median {med:.3}, max {max:.3}"
    );
    // MODEL.md's formulas alone on the same points with the same figures fit worse: the
    // refinements earn their place.
    let (plain_med, plain_max, _) = error_stats(&plain, dense);
    assert!(plain_med > med && plain_max > max, "plain {plain_med:.3}");
    // Out of sample, the MoE columns (Qwen3-235B-A22B, 17 points): median 10.8 %, worst 32.9 %
    // (two long-prompt points on H200 over 25 %; docs/validation.md says why).
    let (med, max, n) = error_stats(&refined, moe);
    assert_eq!(n, 17);
    assert!(
        med <= 0.115 && max <= 0.335,
        "MoE: median {med:.3}, max {max:.3}"
    );
    // Blackwell FP4 with the Hopper figures carried over: over-predicted (median 38.2 %, worst
    // 54.7 %); these bounds record how far.
    let (med, max, n) = error_stats(&refined, fp4);
    assert_eq!(n, 10);
    assert!(
        med <= 0.39 && max <= 0.555,
        "FP4: median {med:.3}, max {max:.3}"
    );
    // Calibrated on five of its points, the FP4 column's other five are within the goal:
    // fitted mfu 0.40, mbu 0.55; held out median 6.6 %, worst 10.2 %.
    let (mfu, mbu, points) = fp4_calibrated();
    assert!(
        (mfu - 0.40).abs() < 1e-9 && (mbu - 0.55).abs() < 1e-9,
        "{mfu} {mbu}"
    );
    let held: Vec<f64> = points
        .iter()
        .filter(|p| !p.3)
        .map(|p| (p.2 / p.1 - 1.0).abs())
        .collect();
    assert_eq!(held.len(), 5);
    let worst = held.iter().cloned().fold(0.0, f64::max);
    assert!(
        median(held) <= 0.10 && worst <= 0.25,
        "FP4 held out: worst {worst:.3}"
    );
}

/// The refinements out of sample across chips: engine figures fitted (least median + maximum
/// error over a grid: mfu 0.45-0.65, mbu 0.70-0.90, step_overhead 0-4 ms, max_batch 256-2048,
/// allreduce_latency 10-40 us) to the three dense H200 columns predict the three H100 columns,
/// and the other way round. Returns, per direction, the held-out (median, max).
fn cross_chip(refined: bool) -> [(f64, f64); 2] {
    let cols: Vec<Column> = serving_columns().into_iter().filter(|c| c.fitted).collect();
    let mut best = [(f64::INFINITY, 0.0, 0.0); 2];
    for mfu in [0.45, 0.5, 0.55, 0.6, 0.65] {
        for mbu in [0.7, 0.75, 0.8, 0.85, 0.9] {
            for ovh in [0.0, 1e-3, 2e-3, 3e-3, 4e-3] {
                for max_batch in [256.0, 512.0, 1024.0, 2048.0] {
                    for latency in [10e-6, 20e-6, 30e-6, 40e-6] {
                        let mut errs: [Vec<f64>; 2] = [Vec::new(), Vec::new()];
                        for c in &cols {
                            let side = usize::from(c.chip == "h100-sxm");
                            for (j, m) in c.measured.iter().enumerate() {
                                let (i, o) = SHAPES[j];
                                let engine = Engine {
                                    mfu,
                                    mbu,
                                    step_overhead: ovh,
                                    max_batch,
                                    allreduce_latency: latency,
                                };
                                let p = predict_engine(c, i, o, refined, &engine);
                                errs[side].push((p / m.unwrap() - 1.0).abs());
                            }
                        }
                        for (d, (train, test)) in [(0, 1), (1, 0)].into_iter().enumerate() {
                            let score = median(errs[train].clone())
                                + errs[train].iter().cloned().fold(0.0, f64::max);
                            if score < best[d].0 {
                                let held = &errs[test];
                                let worst = held.iter().cloned().fold(0.0, f64::max);
                                best[d] = (score, median(held.clone()), worst);
                            }
                        }
                    }
                }
            }
        }
    }
    [(best[0].1, best[0].2), (best[1].1, best[1].2)]
}

#[test]
fn the_refinements_hold_out_of_sample_across_chips() {
    // Fitted on H200, tested on H100, and the reverse: refined held-out median 6.0 % / 4.2 %,
    // worst 24.3 % / 18.7 %; MODEL.md's formulas alone median 17.3 % / 12.9 %, worst 66.2 % /
    // 60.4 %.
    let refined = cross_chip(true);
    let plain = cross_chip(false);
    for (m, x) in refined {
        assert!(
            m <= 0.10 && x <= 0.25,
            "held out: median {m:.3}, max {x:.3}"
        );
    }
    let worst = |v: [(f64, f64); 2]| v[0].1.max(v[1].1);
    assert!(worst(plain) > worst(refined), "{plain:?} vs {refined:?}");
}

/// `cargo test --test validation print_the_serving_table -- --nocapture`: the serving table of
/// docs/validation.md.
#[test]
fn print_the_serving_table() {
    print!("{}", serving_table());
}

/// The serving table of docs/validation.md (its rows and the summary lines after it).
fn serving_table() -> String {
    use std::fmt::Write;
    let cols = serving_columns();
    let refined = serving_points(true);
    let plain = serving_points(false);
    assert_eq!(refined.len(), 87);
    let mut out = String::new();
    let _ = writeln!(out, "source: {TRTLLM_V1}");
    let _ = writeln!(
        out,
        "| model | chip | TP | in/out | published tok/s | model tok/s | error | MODEL.md alone |"
    );
    let _ = writeln!(out, "|---|---|---:|---|---:|---:|---:|---:|");
    for (r, p) in refined.iter().zip(&plain) {
        let c = &cols[r.0];
        let (i, o) = SHAPES[r.1];
        let _ = writeln!(
            out,
            "| {} | {} | {} | {i}/{o} | {:.0} | {:.0} | {:+.1} % | {:+.1} % |",
            c.model.name,
            c.chip,
            c.tp,
            r.2,
            r.3,
            (r.3 / r.2 - 1.0) * 100.0,
            (p.3 / p.2 - 1.0) * 100.0
        );
    }
    for (name, pick) in [
        (
            "dense Hopper (fitted)",
            (|c: &Column| c.fitted) as fn(&Column) -> bool,
        ),
        ("MoE", |c: &Column| c.model.experts.is_some()),
        ("FP4 B200", |c: &Column| {
            c.precision == fleetcost::model::Precision::Fp4
        }),
    ] {
        let (m, x, n) = error_stats(&refined, pick);
        let (pm, px, _) = error_stats(&plain, pick);
        let _ = writeln!(out, "{name}: {n} points, refined median {:.1} % max {:.1} %; MODEL.md alone median {:.1} % max {:.1} %", m * 100.0, x * 100.0, pm * 100.0, px * 100.0);
    }
    let (mfu, mbu, points) = fp4_calibrated();
    let _ = writeln!(
        out,
        "FP4 B200 calibrated on five points: mfu {mfu:.2}, mbu {mbu:.2}"
    );
    let _ = writeln!(
        out,
        "| in/out | published tok/s | calibrated tok/s | error | |"
    );
    let _ = writeln!(out, "|---|---:|---:|---:|---|");
    for (j, m, p, fitted) in points {
        let (i, o) = SHAPES[j];
        let _ = writeln!(
            out,
            "| {i}/{o} | {m:.0} | {p:.0} | {:+.1} % | {} |",
            (p / m - 1.0) * 100.0,
            if fitted { "fitted" } else { "held out" }
        );
    }
    out
}

/// docs/validation.md holds the serving table exactly as the code computes it, so a change to
/// the serving model that moves a point fails here until the doc is regenerated:
/// `cargo test --test validation print_the_serving_table -- --nocapture` prints the table
/// (paste its `|` rows over the doc's).
#[test]
fn docs_validation_md_holds_the_computed_serving_table() {
    let doc = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/validation.md"),
    )
    .unwrap();
    // Each table (a run of `|` lines) appears whole in the doc.
    let mut tables = vec![String::new()];
    for l in serving_table().lines() {
        if l.starts_with('|') {
            tables.last_mut().unwrap().push_str(&format!("{l}\n"));
        } else if !tables.last().unwrap().is_empty() {
            tables.push(String::new());
        }
    }
    tables.retain(|t| !t.is_empty());
    assert_eq!(tables.len(), 2);
    for table in tables {
        assert!(
        doc.contains(&table),
        "docs/validation.md's serving table differs from tests/validation.rs; regenerate it with \
         `cargo test --test validation print_the_serving_table -- --nocapture` and paste the \
         `|` rows. The computed table:\n{table}"
    );
    }
}

// ------------------------------------------------- published training runs (MODEL.md section 4)
//
// Each run's figures are quoted from its source (title, publisher, date at each run); the
// shapes are the sources' own tables. Where a source gives wall-clock hours and a chip count
// instead of chip-hours (PaLM), the chip-hours are their product, said so at the run. The
// prediction is fleetcost's chip_hours for the run (tokens, F_tok = 6 Pa + 12 L H Q T) on chips
// at the 2 GW scenario's mfu and availability (0.40 x 0.95 = 0.38 of peak, the GPU baseline
// h200's); the implied figure is the fraction of peak the published chip-hours mean:
// 0.38 x predicted / published (MFU x availability over the whole run, as a model card's "GPU
// hours" include downtime). Peaks (dense, hw_specs.csv): H100 SXM bf16 989.4, fp8 1978.9 (H800
// taken as equal: the export variant cuts interconnect and FP64, not tensor throughput); A100
// 312; TPU v4 275 (PaLM appendix B: "(238.3 x 6 x 540)/(275 x 6144)").

/// One published run: shape, tokens and what the source publishes.
struct Run {
    name: &'static str,
    source: &'static str,
    /// The source's definition of MFU, or that it publishes none.
    definition: &'static str,
    params: f64,
    active: f64,
    layers: f64,
    heads: f64,
    head_dim: f64,
    seq_len: f64,
    tokens: f64,
    precision: &'static str,
    /// Dense TFLOP/s at `precision`.
    peak_tflops: f64,
    chips: f64,
    /// Published chip-hours of the run.
    chip_hours: f64,
    /// The whole-run fraction of peak implied by the published hours, computed by hand in the
    /// comment at the run (the test holds fleetcost's number to it within 0.005).
    implied_by_hand: f64,
}

const LLAMA31_CARD: &str = "Llama 3.1 model card (Meta, github.com/meta-llama/llama-models, 2024-07-23): GPU hours on H100-80GB";

fn runs() -> Vec<Run> {
    vec![
        // F_tok = 6 * 405e9 + 12 * 126 * 128 * 128 * 8192 = 2.43e12 + 2.0294e11 = 2.6329e12
        // 15.6e12 tokens -> 4.1074e25 FLOP; at 0.38 * 989.4e12 = 3.7597e14 FLOP/s per chip:
        // 1.0925e11 chip-s = 30.35M chip-hours; published 30.84M -> implied 0.38 * 30.35 / 30.84
        // = 0.374 (the paper: 38-43 % MFU and "higher than 90% effective training time")
        Run {
            name: "Llama 3.1 405B (dense, bf16, up to 16,384 H100)",
            source: "Llama 3.1 model card (Meta, 2024-07-23): 30.84M H100-80GB GPU hours; The Llama 3 Herd of Models (Meta, arXiv 2407.21783, 2024-07): 15.6T tokens, 126 layers, 128 heads, dim 16,384, seq 8,192",
            definition: "PaLM's MFU (the paper cites Chowdhery et al.): 6N + 12LHQT per token, no rematerialisation; 38-43 % bf16 in Table 4",
            params: 405e9,
            active: 405e9,
            layers: 126.0,
            heads: 128.0,
            head_dim: 128.0,
            seq_len: 8192.0,
            tokens: 15.6e12,
            precision: "bf16",
            peak_tflops: 989.4,
            chips: 16_384.0,
            chip_hours: 30.84e6,
            implied_by_hand: 0.374,
        },
        // F_tok = 6 * 70.6e9 + 12 * 80 * 64 * 128 * 8192 = 4.236e11 + 6.442e10 = 4.8802e11
        // 15e12 tokens -> 7.3204e24 FLOP / 3.7597e14 = 1.9470e10 chip-s = 5.408M chip-hours;
        // published 7.0M -> implied 0.38 * 5.408 / 7.0 = 0.294
        Run {
            name: "Llama 3.1 70B (dense, bf16, H100)",
            source: LLAMA31_CARD,
            definition: "none in the card (\"total GPU time required for training\"); the paper's MFU is PaLM's",
            params: 70.6e9,
            active: 70.6e9,
            layers: 80.0,
            heads: 64.0,
            head_dim: 128.0,
            seq_len: 8192.0,
            tokens: 15e12,
            precision: "bf16",
            peak_tflops: 989.4,
            chips: 8192.0,
            chip_hours: 7.0e6,
            implied_by_hand: 0.294,
        },
        // F_tok = 6 * 8.03e9 + 12 * 32 * 32 * 128 * 8192 = 4.818e10 + 1.2885e10 = 6.1065e10
        // 15e12 tokens -> 9.1597e23 / 3.7597e14 = 2.4363e9 chip-s = 0.6767M; published 1.46M
        // -> implied 0.38 * 0.6767 / 1.46 = 0.176
        Run {
            name: "Llama 3.1 8B (dense, bf16, H100)",
            source: LLAMA31_CARD,
            definition: "none in the card (\"total GPU time required for training\")",
            params: 8.03e9,
            active: 8.03e9,
            layers: 32.0,
            heads: 32.0,
            head_dim: 128.0,
            seq_len: 8192.0,
            tokens: 15e12,
            precision: "bf16",
            peak_tflops: 989.4,
            chips: 1024.0,
            chip_hours: 1.46e6,
            implied_by_hand: 0.176,
        },
        // F_tok = 6 * 37e9 + 12 * 61 * 128 * 128 * 4096 = 2.22e11 + 4.9124e10 = 2.7112e11
        // 14.8e12 tokens -> 4.0126e24 FLOP; fp8 at 0.38 * 1978.9e12 = 7.5198e14 FLOP/s:
        // 5.3360e9 chip-s = 1.4822M chip-hours; published 2.664M -> implied 0.38 * 1.4822 /
        // 2.664 = 0.211 of the fp8 peak (0.423 of the bf16 peak)
        Run {
            name: "DeepSeek-V3 (MoE 671B / 37B active, fp8, 2,048 H800)",
            source: "DeepSeek-V3 Technical Report (DeepSeek-AI, arXiv 2412.19437, 2024-12-27): 2,664K H800 GPU hours of pre-training on 14.8T tokens; 61 layers, 128 heads of 128, max sequence 4K; 671B total, 37B activated",
            definition: "no MFU published; FP8 mixed-precision training; the attention term here uses head_dim 128 (MLA's q.k dim is 192: +0.02)",
            params: 671e9,
            active: 37e9,
            layers: 61.0,
            heads: 128.0,
            head_dim: 128.0,
            seq_len: 4096.0,
            tokens: 14.8e12,
            precision: "fp8",
            peak_tflops: 1978.9,
            chips: 2048.0,
            chip_hours: 2.664e6,
            implied_by_hand: 0.211,
        },
        // F_tok = 6 * 540e9 + 12 * 118 * 48 * 256 * 2048 = 3.24e12 + 3.5628e10 = 3.2756e12
        // 780e9 tokens -> 2.5550e24 FLOP / (0.38 * 275e12 = 1.045e14) = 2.4450e10 chip-s =
        // 6.7916M; published 1,200 h x 6,144 + 336 h x 3,072 = 7.3728M + 1.0322M = 8.4050M
        // chip-hours -> implied 0.38 * 6.7916 / 8.405 = 0.307 (MFU 46.2 % while running)
        Run {
            name: "PaLM 540B (dense, bf16, 6,144 TPU v4)",
            source: "PaLM: Scaling Language Modeling with Pathways (Google, arXiv 2204.02311, 2022-04): 780B tokens, 118 layers, 48 heads of 256, seq 2,048; appendix B: 1,200 h on 6,144 TPU v4 plus 336 h on 3,072 \"including some downtime and repeated steps\" (chip-hours = their product)",
            definition: "defines MFU: observed tokens/s over peak / (6N + 12LHQT), no rematerialisation: 46.2 %",
            params: 540e9,
            active: 540e9,
            layers: 118.0,
            heads: 48.0,
            head_dim: 256.0,
            seq_len: 2048.0,
            tokens: 780e9,
            precision: "bf16",
            peak_tflops: 275.0,
            chips: 6144.0,
            chip_hours: 1200.0 * 6144.0 + 336.0 * 3072.0,
            implied_by_hand: 0.307,
        },
        // F_tok = 6 * 176.247e9 + 12 * 70 * 112 * 128 * 2048 = 1.05748e12 + 2.4662e10 =
        // 1.08214e12; 366e9 tokens -> 3.9606e23 / (0.38 * 312e12 = 1.1856e14) = 3.3406e9
        // chip-s = 0.92794M; published 1,082,990 -> implied 0.38 * 0.92794 / 1.08299 = 0.326
        Run {
            name: "BLOOM 176B (dense, bf16, 384 A100)",
            source: "BLOOM: A 176B-Parameter Open-Access Multilingual Language Model (BigScience, arXiv 2211.05100, 2022-11): 1,082,990 compute hours on 384 A100 80GB, 366B tokens, 70 layers, 112 heads, hidden 14,336 (seq 2,048: not quoted in the copy read)",
            definition: "no MFU; the model card gives \"about 150 TFLOP per GPU per second\" (Megatron-DeepSpeed's count, which includes recomputation)",
            params: 176.247e9,
            active: 176.247e9,
            layers: 70.0,
            heads: 112.0,
            head_dim: 128.0,
            seq_len: 2048.0,
            tokens: 366e9,
            precision: "bf16",
            peak_tflops: 312.0,
            chips: 384.0,
            chip_hours: 1_082_990.0,
            implied_by_hand: 0.326,
        },
    ]
}

/// fleetcost's figures for `run` on its chips at `mfu` and `availability`, through a scenario
/// text like a user's (inline chip, fixed chip count, the run's shape and tokens).
fn run_figures(
    run: &Run,
    active: f64,
    attention: bool,
    mfu: f64,
    availability: f64,
) -> fleetcost::model::FleetFigures {
    let shape = if attention {
        format!(
            "layers = {}\nheads = {}\nhead_dim = {}\nseq_len = {}\n",
            run.layers, run.heads, run.head_dim, run.seq_len
        )
    } else {
        String::new()
    };
    let text = format!(
        "schema = 1\n[site]\nelectricity = \"0.08 USD/kWh\"\n[finance]\ndiscount_rate = 0.08\n\
         horizon = \"5 yr\"\n[workload]\nkind = \"training\"\nprecision = \"{}\"\n\
         model_params = {:e}\nactive_params = {:e}\ntokens = {:e}\n{shape}\
         [[fleet]]\nid = \"run\"\nchips = {}\nhardware_life = \"5 yr\"\nmfu = {mfu}\n\
         availability = {availability}\n[fleet.chip]\nname = \"chip\"\ntdp = \"700 W\"\n\
         peak = {{ {} = {} }}\nprice = \"25k USD\"\n",
        run.precision, run.params, active, run.tokens, run.chips, run.precision, run.peak_tflops
    );
    let s = Scenario::from_str("run.toml", &text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    fleetcost::model::evaluate(&s.inputs)
        .unwrap_or_else(|e| panic!("{}: {e}", run.name))
        .fleets[0]
}

/// The GPU baseline's mfu and availability in the 2 GW scenario.
fn scenario_mfu() -> (f64, f64) {
    let s = load("trainium-vs-gpu-2gw.toml");
    let f = &s.inputs.fleets[fleet(&s, "h200")];
    (f.mfu, f.availability)
}

fn training_run_rows() -> Vec<Row> {
    let (mfu, avail) = scenario_mfu();
    let mut rows = Vec::new();
    for r in runs() {
        let g = run_figures(&r, r.active, true, mfu, avail);
        let predicted = g.chip_hours.expect("a run with tokens has chip-hours");
        let implied = mfu * avail * predicted / r.chip_hours;
        // The arithmetic: fleetcost's implied fraction is the hand calculation's.
        rows.push(Row {
            group: "training runs",
            prediction: format!("{}: implied MFU x availability", r.name),
            value: implied,
            figure: r.implied_by_hand,
            figure_text: format!(
                "hand calculation {:.3} from {:.3}M published chip-hours ({})",
                r.implied_by_hand,
                r.chip_hours / 1e6,
                r.definition
            ),
            source: r.source,
            check: Check::Abs(0.005),
        });
        // The prediction at the scenario's mfu beside the published hours. The bands are the
        // findings of docs/validation.md: the 405B run the default came from within 5 %; the
        // others are slower than 0.38 of peak (smaller models, 2022-era availability, fp8's
        // peak), so the prediction is low, but never by more than a factor 2.5 (8B).
        let band = if r.name.starts_with("Llama 3.1 405B") {
            Check::Between(0.95 * r.chip_hours, 1.05 * r.chip_hours)
        } else {
            Check::Between(0.4 * r.chip_hours, r.chip_hours)
        };
        rows.push(Row {
            group: "training runs",
            prediction: format!("{}: chip-hours at mfu {mfu} x availability {avail}", r.name),
            value: predicted,
            figure: r.chip_hours,
            figure_text: format!("{:.3}M chip-hours published", r.chip_hours / 1e6),
            source: r.source,
            check: band,
        });
    }
    rows
}

/// Runs that publish both their throughput and their MFU: fleetcost's F_tok (the PaLM
/// convention) must give back the published MFU from the published tokens/s, within a point.
/// (name, source, params, layers, heads, head_dim, seq_len, tokens/s, chips, peak, published MFU)
type Throughput = (
    &'static str,
    &'static str,
    f64,
    f64,
    f64,
    f64,
    f64,
    f64,
    f64,
    f64,
    f64,
);

fn throughput_runs() -> Vec<Throughput> {
    vec![
        // 238.3e3 / 6144 = 38.786 tokens/s per chip; x 3.2756e12 = 1.2705e14 = 46.2 % of 275e12
        (
            "PaLM 540B, 6,144 TPU v4",
            "PaLM (Google, arXiv 2204.02311, 2022-04), section 4.1 and appendix B: 238.3K tokens/s, MFU 46.2 % (45.7 % without attention)",
            540e9, 118.0, 48.0, 256.0, 2048.0, 238.3e3, 6144.0, 275.0, 0.462,
        ),
        // 65.43e3 / 2240 = 29.21 tokens/s; x (6 * 530e9 + 12 * 105 * 160 * 128 * 2048 =
        // 3.18e12 + 5.284e10 = 3.2328e12) = 9.443e13 = 30.3 % of 312e12
        (
            "Megatron-Turing NLG 530B, 2,240 A100",
            "PaLM (Google, arXiv 2204.02311, 2022-04), appendix B, citing Smith et al. 2022: 65.43K tokens/s, MFU 30.2 % with attention; shape (105 layers, hidden 20,480) from MegaScale Table 1",
            530e9, 105.0, 160.0, 128.0, 2048.0, 65.43e3, 2240.0, 312.0, 0.302,
        ),
        // 1984.0e3 / 12288 = 161.46 tokens/s; x (6 * 175e9 + 12 * 96 * 128 * 96 * 2048 =
        // 1.05e12 + 2.899e10 = 1.07899e12) = 1.7421e14 = 55.8 % of 312e12 (published 55.2 %:
        // MegaScale's sliding-window attention does fewer attention FLOPs than 12LHQT)
        (
            "MegaScale 175B, 12,288 Ampere GPUs",
            "MegaScale: Scaling LLM Training to More Than 10,000 GPUs (ByteDance and PKU, NSDI 2024, 2024-02), Table 2: 1,984.0K tokens/s, MFU 55.2 %",
            175e9, 96.0, 128.0, 96.0, 2048.0, 1984.0e3, 12288.0, 312.0, 0.552,
        ),
        // An fp8 benchmark: 782 tokens/s x 1.07899e12 = 8.4377e14 = 42.6 % of the 1978.9 fp8
        // peak (the page: 842 model TFLOP/s = 42.5 %)
        (
            "GPT3-175B, 512 H100, fp8 (NeMo 24.07 benchmark)",
            "NeMo performance summary, NeMo 24.07 container, DGX-H100, FP8 (NVIDIA, github.com/NVIDIA/NeMo, 2024): 782 tokens/s/GPU, 842 model TFLOP/s/GPU = 42.5 % of the fp8 peak",
            175e9, 96.0, 96.0, 128.0, 2048.0, 782.0 * 512.0, 512.0, 1978.9, 842.0 / 1978.9,
        ),
    ]
}

fn convention_rows() -> Vec<Row> {
    throughput_runs()
        .into_iter()
        .map(|(name, source, p, l, h, q, t, tps, chips, peak, mfu)| {
            let f_tok = 6.0 * p + 12.0 * l * h * q * t;
            let derived = tps / chips * f_tok / (peak * 1e12);
            Row {
                group: "training runs",
                prediction: format!("{name}: MFU from the published tokens/s with F_tok"),
                value: derived,
                figure: mfu,
                figure_text: format!("{:.1} % published", mfu * 100.0),
                source,
                check: Check::Abs(0.01),
            }
        })
        .collect()
}

#[test]
fn published_training_runs_against_chip_hours() {
    assert_rows(&training_run_rows());
}

#[test]
fn the_mfu_convention_reproduces_published_mfu() {
    assert_rows(&convention_rows());
    // The same through the model: PaLM's tokens/s per chip at its published 46.2 % MFU with
    // the attention term is the published 38.786 (238.3K / 6144), within 0.2 %.
    let palm = runs()
        .into_iter()
        .find(|r| r.name.starts_with("PaLM"))
        .unwrap();
    let g = run_figures(&palm, palm.active, true, 0.462, 1.0);
    let t = g.tokens_per_s.unwrap();
    assert!((t / (238.3e3 / 6144.0) - 1.0).abs() < 0.002, "{t}");
}

/// What the attention term and active_params change: without the attention term the 405B
/// run's predicted hours fall by its share, 2.0294e11 / 2.6329e12 = 7.7 %; describing
/// DeepSeek-V3 by its total parameters (no active_params) predicts 671 / 37 = 18x the FLOPs of
/// the dense term, far outside the published hours.
#[test]
fn attention_and_active_parameters_matter() {
    let (mfu, avail) = scenario_mfu();
    let rs = runs();
    let llama = &rs[0];
    let with = run_figures(llama, llama.active, true, mfu, avail)
        .chip_hours
        .unwrap();
    let without = run_figures(llama, llama.active, false, mfu, avail)
        .chip_hours
        .unwrap();
    let share = 1.0 - without / with;
    assert!((share - 2.0294e11 / 2.6329e12).abs() < 1e-3, "{share}");
    let ds = rs.iter().find(|r| r.name.starts_with("DeepSeek")).unwrap();
    let moe = run_figures(ds, ds.active, true, mfu, avail)
        .chip_hours
        .unwrap();
    let dense = run_figures(ds, ds.params, true, mfu, avail)
        .chip_hours
        .unwrap();
    // (6 * 671e9 + 4.9124e10) / (6 * 37e9 + 4.9124e10) = 4.0751e12 / 2.7112e11 = 15.03
    assert!((dense / moe - 15.03).abs() < 0.01, "{}", dense / moe);
    assert!(moe < ds.chip_hours && dense > 5.0 * ds.chip_hours);
}

/// `cargo test --test validation print_the_training_table -- --nocapture` prints the
/// training-run table of docs/validation.md.
#[test]
fn print_the_training_table() {
    let rows: Vec<Row> = [training_run_rows(), convention_rows()]
        .into_iter()
        .flatten()
        .collect();
    println!("| prediction | value | independent figure | distance | tolerance | pass |");
    println!("|---|---:|---|---|---|---|");
    for r in &rows {
        println!(
            "| {} | {} | {} | {} | {} | {} |",
            r.prediction,
            if r.value >= 100.0 {
                format!("{:.3}M", r.value / 1e6)
            } else {
                format!("{:.3}", r.value)
            },
            r.figure_text,
            r.distance(),
            r.tolerance(),
            if r.passes() { "yes" } else { "NO" }
        );
    }
    assert_eq!(rows.len(), 2 * runs().len() + throughput_runs().len());
}

/// A bound in a tolerance: four significant digits (3.362e6, not 3361996.8000000003).
fn sig(v: f64) -> String {
    if v.abs() >= 1e4 {
        format!("{:.3e}", v)
    } else {
        format!("{v}")
    }
}

/// Rows as one table of docs/validation.md.
fn doc_table(rows: &[Row]) -> String {
    use std::fmt::Write;
    let mut out = String::from(
        "| prediction | value | independent figure | source | distance | tolerance | pass |\n\
         |---|---:|---|---|---|---|---|\n",
    );
    for r in rows {
        let value = if r.value >= 1e5 {
            format!("{:.3}M", r.value / 1e6)
        } else if r.value >= 100.0 {
            format!("{:.1}", r.value)
        } else {
            format!("{:.4}", r.value)
        };
        let _ = writeln!(
            out,
            "| {} | {value} | {} | {} | {} | {} | {} |",
            r.prediction,
            r.figure_text,
            r.source,
            r.distance(),
            r.tolerance(),
            if r.passes() { "yes" } else { "NO" }
        );
    }
    out
}

/// The tables of docs/validation.md section 2, by heading, as the code computes them.
fn doc_tables() -> Vec<(&'static str, String)> {
    let group = |rows: Vec<Row>, g: &str| -> Vec<Row> {
        rows.into_iter().filter(|r| r.group == g).collect()
    };
    vec![
        (
            "measured H100",
            doc_table(&group(measured_rows(), "measured H100")),
        ),
        (
            "training MFU",
            doc_table(&group(mfu_rows(), "training MFU")),
        ),
        ("published training runs", doc_table(&training_run_rows())),
        ("MFU convention", doc_table(&convention_rows())),
        (
            "cloud rates",
            doc_table(&group(cloud_rows(), "cloud rates")),
        ),
        ("power", doc_table(&group(power_rows(), "power"))),
    ]
}

/// `cargo test --test validation print_the_doc_tables -- --nocapture` prints every table of
/// docs/validation.md section 2, each after a `<!-- table: NAME -->` line.
#[test]
fn print_the_doc_tables() {
    for (name, table) in doc_tables() {
        println!("<!-- table: {name} -->\n{table}");
    }
}

/// docs/validation.md holds every section-2 table exactly as the code computes it, each after
/// its `<!-- table: NAME -->` marker: a changed figure, tolerance or prediction fails here
/// until the doc is regenerated with scripts/validation-doc.sh.
#[test]
fn docs_validation_md_holds_the_computed_tables() {
    let doc = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/validation.md"),
    )
    .unwrap();
    let mut stale = Vec::new();
    for (name, table) in doc_tables() {
        if !doc.contains(&format!("<!-- table: {name} -->\n{table}")) {
            stale.push(name);
        }
    }
    assert!(
        stale.is_empty(),
        "docs/validation.md differs from tests/validation.rs in the tables {stale:?}; run \
         scripts/validation-doc.sh and review `git diff docs/validation.md`"
    );
}
