//! Calibration of the decode roofline (MODEL.md section 4) on measurements: parse a
//! measurement CSV, fit mfu, mbu and a fixed per-step overhead by least squares, and write the
//! result as a scenario fragment. Pure: text in, numbers and text out (the command that reads
//! and writes files is `app::calibrate`). The CSV format is documented in docs/validation.md.
//!
//! Every point, decode or prefill, is predicted by the model's one step formula
//!
//! ```text
//! t = max(F / (peak * mfu), M / (hbm_bw * mbu)) + step_overhead
//! decode:  F = 2 * params * batch,                M = weights + batch * context * kv_tok
//! prefill: F = 2 * params * batch * T + attention, M = weights + batch * T * kv_tok (KV written)
//! attention = 2 * layers * batch * T^2 * heads * head_dim (QK^T and AV, causal: half of T^2)
//! ```
//!
//! On either side of the ridge t is linear in (1/mfu, 1/mbu, overhead), so with each point's
//! side known the fit is a linear least-squares problem, solved by SVD (nalgebra). Residuals
//! are relative (each row divided by its measured time), so a 7 ms step and a 60 ms prefill
//! weigh alike. The sides are re-checked with the fitted values and the fit repeated until no
//! point changes side. A fraction with no point on its side of the ridge is not identifiable
//! from the data: it is fixed (`--mfu`, `--mbu`) or taken from the file's training figure.

mod fit;
mod measurements;
pub mod serving;

use crate::units::format::fmt_fixed;

pub use fit::{
    fit, ChipFigures, Estimate, Fit, FitError, FitOptions, Overhead, PointFit, Side, Source,
};
pub use measurements::{parse_measurements, Measured, Measurements, ParseError};

/// A dense decoder's shape as calibration needs it (counts as f64, bytes per element).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ModelShape {
    /// Parameters whose weights are read every decode step (and multiplied per token).
    pub params: f64,
    pub layers: f64,
    pub kv_heads: f64,
    pub head_dim: f64,
    pub weight_bytes: f64,
    pub kv_bytes: f64,
    /// Query heads, for the prefill attention FLOPs (`None`: not counted).
    pub heads: Option<f64>,
    /// Context of rows that do not state one.
    pub context: Option<f64>,
}

impl ModelShape {
    /// KV-cache bytes per token per sequence.
    pub fn kv_tok(&self) -> f64 {
        2.0 * self.layers * self.kv_heads * self.head_dim * self.kv_bytes
    }
}

/// A named model shape.
#[derive(Debug, Clone, Copy)]
pub struct Preset {
    pub name: &'static str,
    pub about: &'static str,
    pub shape: ModelShape,
}

/// The shipped presets.
pub const PRESETS: &[Preset] = &[Preset {
    name: "llama3-8b",
    about: "Llama-3-8B shape of ../shared/data/measured/README.md: 32 layers (6.98e9 params) + \
            untied LM head (0.525e9) read per step = 7.505e9, 32 query / 8 KV heads of 128, \
            bf16 weights and KV; context from each row",
    shape: ModelShape {
        params: 7.505e9,
        layers: 32.0,
        kv_heads: 8.0,
        head_dim: 128.0,
        weight_bytes: 2.0,
        kv_bytes: 2.0,
        heads: Some(32.0),
        context: None,
    },
}];

/// The preset called `name`.
pub fn preset(name: &str) -> Option<&'static Preset> {
    PRESETS.iter().find(|p| p.name == name)
}

/// Decode or prefill.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Decode,
    Prefill,
}

impl Phase {
    pub fn name(self) -> &'static str {
        match self {
            Phase::Decode => "decode",
            Phase::Prefill => "prefill",
        }
    }
}

/// A signed percentage with one decimal, without "-0.0".
pub fn percent(x: f64) -> String {
    // One decimal; a non-zero error below 0.05 % keeps its digits (the rule of units::format).
    format!("{} %", crate::units::format::fmt_signed(x * 100.0, 1))
}

/// What the fragment's comment says about the data.
#[derive(Debug, Clone, PartialEq)]
pub struct FragmentContext<'a> {
    pub chip: &'a str,
    pub precision: &'a str,
    pub data: &'a str,
    pub model: &'a str,
}

fn source_text(s: &Source) -> String {
    match s {
        Source::Fitted { points } => format!(
            "fitted to {points} point{}",
            if *points == 1 { "" } else { "s" }
        ),
        Source::Given => "given (--mfu / --mbu)".into(),
        Source::Fallback(t) => format!("not identifiable from these points; {t}"),
        Source::Unknown => "not identifiable from these points".into(),
    }
}

/// `[[fleet]]`-level keys mfu, mbu and step_overhead, with comments naming the data.
pub fn fragment(fit: &Fit, ctx: &FragmentContext) -> String {
    let mut s = format!(
        "# fleetcost calibrate: {} at {}, fitted to {}\n# model: {}\n",
        ctx.chip, ctx.precision, ctx.data, ctx.model
    );
    let list = |phase: Phase| {
        fit.points
            .iter()
            .filter(|p| p.point.phase == phase)
            .map(|p| match phase {
                Phase::Decode => format!("batch {} ({})", p.point.batch, percent(p.error)),
                Phase::Prefill => format!(
                    "{} x {} tokens ({})",
                    p.point.batch,
                    p.point.tokens,
                    percent(p.error)
                ),
            })
            .collect::<Vec<_>>()
    };
    for phase in [Phase::Decode, Phase::Prefill] {
        let l = list(phase);
        if !l.is_empty() {
            s.push_str(&format!(
                "# {} points, model vs measured tokens/s: {}\n",
                phase.name(),
                l.join(", ")
            ));
        }
    }
    if let Some(r2) = fit.r2 {
        s.push_str(&format!(
            "# R^2 over the decode step times: {}\n",
            fmt_fixed(r2, 4)
        ));
    }
    let on_side = |side: Side| {
        fit.points
            .iter()
            .filter(|p| p.side == side)
            .map(|p| match p.point.phase {
                Phase::Decode => format!("decode batch {}", p.point.batch),
                Phase::Prefill => format!("prefill {} x {} tokens", p.point.batch, p.point.tokens),
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let frac = |name: &str, e: &Estimate, side: Side| {
        let how = match e.source {
            Source::Fitted { .. } => format!(
                "fitted to the {}-bound points: {}",
                side.name(),
                on_side(side)
            ),
            _ => source_text(&e.source),
        };
        match e.value {
            Some(v) => format!("{name} = {}  # {how}\n", fmt_fixed(v, 4)),
            None => format!("# {name}: {how}; set it yourself\n"),
        }
    };
    s.push_str(&frac("mfu", &fit.mfu, Side::Compute));
    if let Some(f) = fit.mfu_floor {
        s.push_str(&format!(
            "#   (the memory-bound decode points stay memory-bound for any mfu >= {}: mfu does not move them)\n", fmt_fixed(f, 3)
        ));
    }
    s.push_str(&frac("mbu", &fit.mbu, Side::Memory));
    s.push_str(&format!(
        "step_overhead = \"{} ms\"  # {}\n",
        fmt_fixed(fit.step_overhead * 1e3, 4),
        fit.overhead_note
    ));
    s
}
