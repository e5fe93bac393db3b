//! Calibration on measured serving throughput (`fleetcost calibrate SERVING.csv --chip ID`):
//! rows of a model served on one chip at given input and output lengths with the output
//! tokens/s measured per replica; the fit finds the mbu and mfu under which the serving model
//! of `run` (MODEL.md section 4 with the refinements of docs/model.md) reproduces them, and a
//! separate prefill efficiency (`prefill_mfu`) when the data call for it.
//!
//! The CSV (`#` starts a comment line) has a header naming its columns, in any order:
//!
//! | column | required | meaning |
//! |---|---|---|
//! | `params` | yes | parameters stored |
//! | `layers`, `heads`, `kv_heads`, `head_dim` | yes | the model's shape (config.json) |
//! | `weight_bytes`, `kv_bytes` | yes | bytes per weight and per KV element |
//! | `tensor_parallel` | yes | chips per replica |
//! | `input_tokens`, `output_tokens` | yes | tokens per request |
//! | `tokens_per_s` | yes | measured output tokens/s of one replica (a TP group), not per chip |
//! | `model` | no | a label |
//! | `active_params`, `experts`, `experts_per_token` | no | a mixture of experts |
//! | `hidden` | no | model width (heads x head_dim when absent) |
//! | `max_batch` | no | the engine's cap on sequences per replica |
//! | `step_overhead`, `allreduce_latency` | no | seconds per decode step and per all-reduce (0, 5e-6) |
//! | `memory_reserve` | no | share of HBM for neither weights nor KV (0.10) |
//! | `source` | no | where the figure comes from |

use crate::model::serving::{serve, Moe, ReplicaSize, Requests, ServingChip, ServingShape};
use crate::model::{DEFAULT_ALLREDUCE_LATENCY, DEFAULT_MEMORY_RESERVE, DEFAULT_PREFILL_CHUNK};

/// One measured serving run.
#[derive(Debug, Clone, PartialEq)]
pub struct ServingRow {
    /// Line in the file.
    pub line: usize,
    pub model: String,
    pub shape: ServingShape,
    pub step_overhead: f64,
    pub allreduce_latency: f64,
    /// Measured output tokens/s of one replica.
    pub tokens_per_s: f64,
}

impl ServingRow {
    pub fn input(&self) -> f64 {
        match self.shape.requests {
            Requests::Full { input, .. } => input,
            Requests::DecodeOnly { .. } => 0.0,
        }
    }
    pub fn output(&self) -> f64 {
        match self.shape.requests {
            Requests::Full { output, .. } => output,
            Requests::DecodeOnly { .. } => 0.0,
        }
    }
    pub fn tensor_parallel(&self) -> f64 {
        match self.shape.replica {
            ReplicaSize::Fixed(n) => n,
            _ => f64::NAN,
        }
    }
}

const REQUIRED: [&str; 11] = [
    "params",
    "layers",
    "heads",
    "kv_heads",
    "head_dim",
    "weight_bytes",
    "kv_bytes",
    "tensor_parallel",
    "input_tokens",
    "output_tokens",
    "tokens_per_s",
];
const OPTIONAL: [&str; 10] = [
    "model",
    "active_params",
    "experts",
    "experts_per_token",
    "hidden",
    "max_batch",
    "step_overhead",
    "allreduce_latency",
    "memory_reserve",
    "source",
];

/// Whether a CSV header is a serving-throughput file (it names `input_tokens` or
/// `tokens_per_s`), rather than the roofline measurements of `calibrate` (`metric,value,unit`):
/// either column is enough, so a misspelt other one is reported by `read_serving`, with
/// did-you-mean, instead of sending the file to the roofline fit.
pub fn is_serving_csv(text: &str) -> bool {
    let header = text
        .lines()
        .find(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .unwrap_or("");
    let cols: Vec<&str> = header.split(',').map(str::trim).collect();
    cols.contains(&"tokens_per_s") || cols.contains(&"input_tokens")
}

/// Reads the serving CSV; every problem names `file`, the line, the column and the fix.
pub fn read_serving(file: &str, text: &str) -> Result<Vec<ServingRow>, String> {
    let mut rdr = csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .trim(csv::Trim::All)
        .flexible(false)
        .from_reader(text.as_bytes());
    let header: Vec<String> = rdr
        .headers()
        .map_err(|e| format!("{file}: cannot read the header: {e}"))?
        .iter()
        .map(str::to_string)
        .collect();
    for h in &header {
        if !REQUIRED.contains(&h.as_str()) && !OPTIONAL.contains(&h.as_str()) {
            let all: Vec<&str> = REQUIRED.iter().chain(&OPTIONAL).copied().collect();
            let near = crate::suggest::did_you_mean(h, all.iter().copied())
                .map(|d| format!("{d} "))
                .unwrap_or_default();
            return Err(format!(
                "{file}: header: unknown column '{h}'; {near}columns: {}",
                all.join(", ")
            ));
        }
    }
    if let Some(missing) = REQUIRED.iter().find(|c| !header.iter().any(|h| h == *c)) {
        return Err(format!(
            "{file}: header: column '{missing}' is missing; a serving file needs {}",
            REQUIRED.join(", ")
        ));
    }
    let col = |name: &str| header.iter().position(|h| h == name);
    let mut rows = Vec::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| format!("{file}: {e}"))?;
        let line = rec.position().map_or(0, |p| p.line() as usize);
        let text_of = |name: &str| col(name).and_then(|i| rec.get(i)).unwrap_or("");
        let num = |name: &str| -> Result<Option<f64>, String> {
            let t = text_of(name);
            if t.is_empty() {
                return Ok(None);
            }
            match t.parse::<f64>() {
                Ok(v) if v.is_finite() => Ok(Some(v)),
                _ => Err(format!(
                    "{file}:{line}: column '{name}': '{t}' is not a number; write a plain \
                     number (SI units: seconds, bytes)"
                )),
            }
        };
        let positive = |name: &str| -> Result<f64, String> {
            match num(name)? {
                Some(v) if v > 0.0 => Ok(v),
                Some(v) => Err(format!(
                    "{file}:{line}: column '{name}': {v} must be above 0"
                )),
                None => Err(format!(
                    "{file}:{line}: column '{name}' is empty; every row needs it"
                )),
            }
        };
        let params = positive("params")?;
        let active = num("active_params")?.unwrap_or(params);
        if active <= 0.0 || active > params {
            return Err(format!(
                "{file}:{line}: column 'active_params': {active} must lie in (0, params = \
                 {params}]"
            ));
        }
        let moe = match (num("experts")?, num("experts_per_token")?) {
            (None, None) => None,
            (Some(e), Some(k)) if e >= 1.0 && k >= 1.0 && k < e => Some(Moe {
                experts: e,
                per_token: k,
            }),
            (e, k) => {
                return Err(format!(
                    "{file}:{line}: columns 'experts' and 'experts_per_token' ({e:?}, {k:?}): \
                     give both, with 1 <= experts_per_token < experts, or neither"
                ))
            }
        };
        if moe.is_some() && active >= params {
            return Err(format!(
                "{file}:{line}: column 'active_params': a mixture of experts needs \
                 active_params below params"
            ));
        }
        let tokens_per_s = positive("tokens_per_s")?;
        let reserve = num("memory_reserve")?.unwrap_or(DEFAULT_MEMORY_RESERVE);
        if !(0.0..1.0).contains(&reserve) {
            return Err(format!(
                "{file}:{line}: column 'memory_reserve': {reserve} must lie in [0, 1)"
            ));
        }
        let non_negative = |name: &str, default: f64| -> Result<f64, String> {
            match num(name)? {
                Some(v) if v >= 0.0 => Ok(v),
                Some(v) => Err(format!("{file}:{line}: column '{name}': {v} must be >= 0")),
                None => Ok(default),
            }
        };
        let shape = ServingShape {
            model_params: params,
            active_params: active,
            layers: positive("layers")?,
            kv_heads: positive("kv_heads")?,
            head_dim: positive("head_dim")?,
            heads: Some(positive("heads")?),
            hidden: num("hidden")?,
            weight_bytes: positive("weight_bytes")?,
            kv_bytes: positive("kv_bytes")?,
            requests: Requests::Full {
                input: positive("input_tokens")?,
                output: positive("output_tokens")?,
            },
            batch: None,
            replica: ReplicaSize::Fixed(positive("tensor_parallel")?),
            memory_reserve: reserve,
            max_batch: num("max_batch")?,
            prefill_chunk: DEFAULT_PREFILL_CHUNK,
            tpot: None,
            ttft: None,
            moe,
            speculation: None,
            disaggregated: false,
            prefill_replica: None,
            refined: true,
        };
        rows.push(ServingRow {
            line,
            model: text_of("model").to_string(),
            shape,
            step_overhead: non_negative("step_overhead", 0.0)?,
            allreduce_latency: non_negative("allreduce_latency", DEFAULT_ALLREDUCE_LATENCY)?,
            tokens_per_s,
        });
    }
    if rows.is_empty() {
        return Err(format!("{file}: no rows; give at least two measured runs"));
    }
    Ok(rows)
}

/// The chip measured: catalog figures at the measured precision.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ServingChipFigures {
    pub peak: f64,
    pub hbm: f64,
    pub hbm_bw: f64,
    /// One-way scale-up bytes/s (`None`: communication free).
    pub scaleup_bw: Option<f64>,
}

/// Efficiencies of the serving model.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Efficiencies {
    pub mfu: f64,
    pub prefill_mfu: f64,
    pub mbu: f64,
}

/// Output tokens/s of one replica of `row` by the serving model at `e`.
pub fn predict(
    row: &ServingRow,
    chip: &ServingChipFigures,
    e: Efficiencies,
) -> Result<f64, String> {
    let n = row.tensor_parallel();
    let c = ServingChip {
        peak: chip.peak,
        mfu: e.mfu,
        prefill_mfu: e.prefill_mfu,
        hbm: chip.hbm,
        hbm_bw: chip.hbm_bw,
        mbu: e.mbu,
        step_overhead: row.step_overhead,
        availability: 1.0,
        scaleup_bw: chip.scaleup_bw,
        allreduce_latency: row.allreduce_latency,
        chips_per_node: n,
    };
    serve(&row.shape, &c)
        .map(|s| s.tokens_per_s_per_chip * n)
        .map_err(|e| e.to_string())
}

/// What to fit: a value to keep fixed, else fitted.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ServingFitOptions {
    pub mfu: Option<f64>,
    pub mbu: Option<f64>,
}

/// The fit.
#[derive(Debug, Clone, PartialEq)]
pub struct ServingFit {
    pub efficiencies: Efficiencies,
    /// Whether prefill got its own efficiency.
    pub separate_prefill: bool,
    /// Root-mean-square of ln(predicted / measured) with one efficiency and with two (the
    /// latter `None` when the data cannot tell prefill from decode).
    pub rms_one: f64,
    pub rms_two: Option<f64>,
    /// Why one or two efficiencies were kept.
    pub why: String,
    /// (line, model, TP, input, output, measured, predicted) per row.
    pub rows: Vec<(usize, String, f64, f64, f64, f64, f64)>,
}

/// A prompt-heavy row spends most of its time in prefill, a decode-heavy one in decode.
fn prompt_heavy(r: &ServingRow) -> bool {
    r.input() >= 4.0 * r.output()
}
fn decode_heavy(r: &ServingRow) -> bool {
    r.output() >= 4.0 * r.input()
}

/// RMS of ln(predicted / measured); `None` if the model refuses a row at `e`.
fn rms(rows: &[ServingRow], chip: &ServingChipFigures, e: Efficiencies) -> Option<f64> {
    let mut sum = 0.0;
    for r in rows {
        let p = predict(r, chip, e).ok()?;
        sum += (p / r.tokens_per_s).ln().powi(2);
    }
    Some((sum / rows.len() as f64).sqrt())
}

/// The values a fitted efficiency takes: 0.05 to 1 by `step`, or the fixed value.
fn axis(fixed: Option<f64>, lo: f64, hi: f64, step: f64) -> Vec<f64> {
    match fixed {
        Some(v) => vec![v],
        None => {
            let n = ((hi - lo) / step).round() as usize;
            (0..=n)
                .map(|i| ((lo + i as f64 * step) * 1e6).round() / 1e6)
                .filter(|v| *v > 0.0 && *v <= 1.0)
                .collect()
        }
    }
}

/// The least RMS over the grid `mfus x prefill x mbus` (`prefill` None: prefill_mfu = mfu).
fn search(
    rows: &[ServingRow],
    chip: &ServingChipFigures,
    mfus: &[f64],
    prefill: Option<&[f64]>,
    mbus: &[f64],
) -> Option<(f64, Efficiencies)> {
    let mut best: Option<(f64, Efficiencies)> = None;
    for &mfu in mfus {
        let pres: Vec<f64> = prefill.map_or(vec![mfu], |p| p.to_vec());
        for &prefill_mfu in &pres {
            for &mbu in mbus {
                let e = Efficiencies {
                    mfu,
                    prefill_mfu,
                    mbu,
                };
                if let Some(v) = rms(rows, chip, e) {
                    if best.map_or(true, |b| v < b.0) {
                        best = Some((v, e));
                    }
                }
            }
        }
    }
    best
}

/// A coarse grid (0.05) over (0.05, 1], then a fine one (0.01) around its best.
fn fit_grid(
    rows: &[ServingRow],
    chip: &ServingChipFigures,
    o: &ServingFitOptions,
    two: bool,
) -> Option<(f64, Efficiencies)> {
    let coarse = |fixed: Option<f64>| axis(fixed, 0.05, 1.0, 0.05);
    let (m, mb) = (coarse(o.mfu), coarse(o.mbu));
    let p = coarse(None);
    let (_, e) = search(rows, chip, &m, two.then_some(&p[..]), &mb)?;
    let fine =
        |fixed: Option<f64>, c: f64| axis(fixed, (c - 0.05).max(0.01), (c + 0.05).min(1.0), 0.01);
    let (m, mb, p) = (
        fine(o.mfu, e.mfu),
        fine(o.mbu, e.mbu),
        fine(None, e.prefill_mfu),
    );
    search(rows, chip, &m, two.then_some(&p[..]), &mb)
}

/// Fits the efficiencies. Prefill gets its own (`prefill_mfu`) only when the data hold both a
/// prompt-heavy row (input >= 4 x output) and a decode-heavy one (output >= 4 x input), at
/// least four rows, and the separate efficiency lowers the RMS log error by more than 20 %.
pub fn fit_serving(
    rows: &[ServingRow],
    chip: &ServingChipFigures,
    o: &ServingFitOptions,
) -> Result<ServingFit, String> {
    if rows.len() < 2 {
        return Err(format!(
            "{} row(s): the fit of mfu and mbu needs at least two measured runs",
            rows.len()
        ));
    }
    let (rms_one, one) = fit_grid(rows, chip, o, false).ok_or_else(|| {
        "the serving model refuses every row at every efficiency (a model that does not fit \
         its tensor_parallel chips?); check params, weight_bytes and tensor_parallel"
            .to_string()
    })?;
    let tells = rows.iter().any(prompt_heavy) && rows.iter().any(decode_heavy) && rows.len() >= 4;
    let two = if tells {
        fit_grid(rows, chip, o, true)
    } else {
        None
    };
    let rms_two = two.map(|t| t.0);
    let (separate, e, why) = match two {
        Some((r2, e2)) if r2 < 0.8 * rms_one => (
            true,
            e2,
            format!(
                "prefill fitted apart: its own efficiency lowers the RMS log error from {:.3} to \
                 {:.3} (more than 20 %)",
                rms_one, r2
            ),
        ),
        Some((r2, _)) => (
            false,
            one,
            format!(
                "one efficiency for prefill and decode: a separate prefill_mfu lowers the RMS \
                 log error only from {:.3} to {:.3} (20 % needed)",
                rms_one, r2
            ),
        ),
        None => (
            false,
            one,
            "one efficiency for prefill and decode: the rows cannot tell them apart (a separate \
             prefill_mfu needs at least four rows, one with input >= 4 x output and one with \
             output >= 4 x input)"
                .to_string(),
        ),
    };
    let table = rows
        .iter()
        .map(|r| {
            let p = predict(r, chip, e).unwrap_or(f64::NAN);
            (
                r.line,
                r.model.clone(),
                r.tensor_parallel(),
                r.input(),
                r.output(),
                r.tokens_per_s,
                p,
            )
        })
        .collect();
    Ok(ServingFit {
        efficiencies: e,
        separate_prefill: separate,
        rms_one,
        rms_two,
        why,
        rows: table,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A Llama-3.3-70B-shaped row on one H200-like chip (fp8), generated by the model itself.
    fn row(line: usize, input: f64, output: f64, tp: f64, e: Efficiencies) -> ServingRow {
        let mut r = ServingRow {
            line,
            model: "70b".into(),
            shape: ServingShape {
                model_params: 70.6e9,
                active_params: 70.6e9,
                layers: 80.0,
                kv_heads: 8.0,
                head_dim: 128.0,
                heads: Some(64.0),
                hidden: Some(8192.0),
                weight_bytes: 1.0,
                kv_bytes: 1.0,
                requests: Requests::Full { input, output },
                batch: None,
                replica: ReplicaSize::Fixed(tp),
                memory_reserve: 0.1,
                max_batch: Some(1024.0),
                prefill_chunk: DEFAULT_PREFILL_CHUNK,
                tpot: None,
                ttft: None,
                moe: None,
                speculation: None,
                disaggregated: false,
                prefill_replica: None,
                refined: true,
            },
            step_overhead: 1e-3,
            allreduce_latency: 2e-5,
            tokens_per_s: f64::NAN,
        };
        r.tokens_per_s = predict(&r, &H200, e).unwrap();
        r
    }

    const H200: ServingChipFigures = ServingChipFigures {
        peak: 1979e12,
        hbm: 141e9,
        hbm_bw: 4.8e12,
        scaleup_bw: Some(450e9),
    };

    fn rows(e: Efficiencies) -> Vec<ServingRow> {
        [
            (128.0, 2048.0, 1.0),
            (128.0, 4096.0, 2.0),
            (1000.0, 1000.0, 1.0),
            (2048.0, 128.0, 1.0),
            (5000.0, 500.0, 2.0),
            (20000.0, 2000.0, 2.0),
        ]
        .iter()
        .enumerate()
        .map(|(i, &(a, b, tp))| row(i + 2, a, b, tp, e))
        .collect()
    }

    #[test]
    fn recovers_the_efficiencies_that_made_the_rows() {
        // One efficiency made them: one is kept, and found.
        let truth = Efficiencies {
            mfu: 0.45,
            prefill_mfu: 0.45,
            mbu: 0.7,
        };
        let f = fit_serving(&rows(truth), &H200, &ServingFitOptions::default()).unwrap();
        assert!(!f.separate_prefill, "{}", f.why);
        assert!(
            (f.efficiencies.mfu - 0.45).abs() < 1e-9,
            "{:?}",
            f.efficiencies
        );
        assert!(
            (f.efficiencies.mbu - 0.7).abs() < 1e-9,
            "{:?}",
            f.efficiencies
        );
        assert!(f.rms_one < 1e-9);
        // Prefill at half the decode GEMMs' efficiency: two are kept, and found.
        let truth = Efficiencies {
            mfu: 0.5,
            prefill_mfu: 0.25,
            mbu: 0.8,
        };
        let f = fit_serving(&rows(truth), &H200, &ServingFitOptions::default()).unwrap();
        assert!(f.separate_prefill, "{}", f.why);
        let e = f.efficiencies;
        assert!((e.prefill_mfu - 0.25).abs() < 1e-9, "{e:?}");
        assert!((e.mbu - 0.8).abs() < 1e-9, "{e:?}");
        assert!((e.mfu - 0.5).abs() < 1e-9, "{e:?}");
        // A fixed mbu is kept as given.
        let f = fit_serving(
            &rows(truth),
            &H200,
            &ServingFitOptions {
                mbu: Some(0.6),
                mfu: None,
            },
        )
        .unwrap();
        assert_eq!(f.efficiencies.mbu, 0.6);
    }

    #[test]
    fn the_csv_and_its_refusals() {
        let head = "model,params,layers,heads,kv_heads,head_dim,weight_bytes,kv_bytes,tensor_parallel,input_tokens,output_tokens,tokens_per_s";
        let ok = format!("# a comment\n{head}\n70b,70.6e9,80,64,8,128,1,1,1,128,2048,4336\n");
        let rows = read_serving("s.csv", &ok).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].line, 3);
        assert_eq!(rows[0].output(), 2048.0);
        assert!(is_serving_csv(&ok));
        assert!(!is_serving_csv("metric,value,unit\n"));
        assert!(is_serving_csv(
            &head.replace("tokens_per_s", "tokens_per_sec")
        ));
        let bad = |text: &str, want: &str| {
            let e = read_serving("s.csv", text).unwrap_err();
            assert!(e.contains(want), "`{e}` lacks `{want}`");
        };
        bad(
            &format!("{head}\n70b,70.6e9,80,64,8,128,1,1,1,128,2048,-5\n"),
            "s.csv:2: column 'tokens_per_s': -5 must be above 0",
        );
        bad(
            &format!("{head}\n70b,70.6e9,80,64,8,128,1,1,1,128,,4336\n"),
            "s.csv:2: column 'output_tokens' is empty",
        );
        bad(
            &format!("{head}\n70b,70.6e9,80,64,8,128,1,1,1,128,2048,fast\n"),
            "s.csv:2: column 'tokens_per_s': 'fast' is not a number",
        );
        bad(
            &head.replace("tokens_per_s", "tokens_per_sec"),
            "unknown column 'tokens_per_sec'; did you mean 'tokens_per_s'?",
        );
        bad(&head.replace(",layers", ""), "column 'layers' is missing");
        bad(&format!("{head}\n"), "no rows");
        let moe_head = format!("{head},experts,experts_per_token,active_params");
        bad(
            &format!("{moe_head}\nq,235e9,94,64,4,128,1,1,8,128,2048,4000,128,128,22e9\n"),
            "1 <= experts_per_token < experts",
        );
        bad(
            &format!("{moe_head}\nq,235e9,94,64,4,128,1,1,8,128,2048,4000,128,8,300e9\n"),
            "column 'active_params'",
        );
        // Too few rows to fit.
        let one = read_serving("s.csv", &ok).unwrap();
        let e = fit_serving(&one, &H200, &ServingFitOptions::default()).unwrap_err();
        assert!(e.contains("at least two"), "{e}");
    }
}
