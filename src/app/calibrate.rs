//! `fleetcost calibrate MEASURED.csv --chip ID [--model PRESET | shape flags]`: read the
//! measurements, fit the roofline (`crate::calibrate`), print the fit and write the fragment.

use super::{print, AppError};
use crate::calibrate::{self, ChipFigures, Fit, FitOptions, ModelShape, Overhead, Phase, Source};
use crate::cli::CalibrateArgs;
use crate::model::Precision;
use crate::report::{self, output};
use crate::scenario::Catalog;
use crate::units::format::{fmt_fixed, fmt_thousands};
use comfy_table::{CellAlignment, Table};

/// The model shape from `--model` and the shape flags (flags override the preset's fields).
fn shape_of(a: &CalibrateArgs) -> Result<(ModelShape, String), AppError> {
    let base = match a.model.as_deref() {
        Some(name) => Some(calibrate::preset(name).ok_or_else(|| {
            let names: Vec<&str> = calibrate::PRESETS.iter().map(|p| p.name).collect();
            let near = crate::scenario::parse::did_you_mean(name, &names)
                .map(|d| format!("{d} "))
                .unwrap_or_default();
            AppError::input(format!(
                "--model {name}: unknown preset; {near}presets: {} (or give --params --layers --kv-heads --head-dim --weight-bytes --kv-bytes)",
                names.join(", ")
            ))
        })?),
        None => None,
    };
    let flags: [(&str, Option<f64>, Option<f64>, bool); 8] = [
        ("--params", a.params, base.map(|p| p.shape.params), false),
        ("--layers", a.layers, base.map(|p| p.shape.layers), true),
        (
            "--kv-heads",
            a.kv_heads,
            base.map(|p| p.shape.kv_heads),
            true,
        ),
        (
            "--head-dim",
            a.head_dim,
            base.map(|p| p.shape.head_dim),
            true,
        ),
        (
            "--weight-bytes",
            a.weight_bytes,
            base.map(|p| p.shape.weight_bytes),
            false,
        ),
        (
            "--kv-bytes",
            a.kv_bytes,
            base.map(|p| p.shape.kv_bytes),
            false,
        ),
        ("--heads", a.heads, base.and_then(|p| p.shape.heads), true),
        (
            "--context",
            a.context,
            base.and_then(|p| p.shape.context),
            true,
        ),
    ];
    let mut v = [None; 8];
    let mut missing = Vec::new();
    for (i, (flag, given, preset, integer)) in flags.iter().enumerate() {
        if let Some(x) = given {
            if !(x.is_finite() && *x > 0.0) || (*integer && (x.fract() != 0.0 || *x < 1.0)) {
                let what = if *integer {
                    "a whole number >= 1"
                } else {
                    "a positive number"
                };
                return Err(AppError::input(format!("{flag} {x}: give {what}")));
            }
        }
        v[i] = given.or(*preset);
        if v[i].is_none() && i < 6 {
            missing.push(*flag);
        }
    }
    if !missing.is_empty() {
        return Err(AppError::input(format!(
            "the model shape lacks {}: give --model {} or every shape flag",
            missing.join(", "),
            calibrate::PRESETS[0].name
        )));
    }
    let shape = ModelShape {
        params: v[0].unwrap_or_default(),
        layers: v[1].unwrap_or_default(),
        kv_heads: v[2].unwrap_or_default(),
        head_dim: v[3].unwrap_or_default(),
        weight_bytes: v[4].unwrap_or_default(),
        kv_bytes: v[5].unwrap_or_default(),
        heads: v[6],
        context: v[7],
    };
    let mut label = format!(
        "{:e} params read per step, {} layers, {} KV heads x {}, {} B weights, {} B KV",
        shape.params,
        shape.layers,
        shape.kv_heads,
        shape.head_dim,
        shape.weight_bytes,
        shape.kv_bytes
    );
    if let Some(h) = shape.heads {
        label.push_str(&format!(", {h} query heads"));
    }
    if let Some(c) = shape.context {
        label.push_str(&format!(", context {c} where a row gives none"));
    }
    if let Some(p) = base {
        label = format!("{} ({label})", p.name);
    }
    Ok((shape, label))
}

fn fraction(flag: &str, x: Option<f64>) -> Result<Option<f64>, AppError> {
    match x {
        Some(v) if !(v > 0.0 && v <= 1.0) => {
            Err(AppError::input(format!("{flag} {v}: a fraction in (0, 1]")))
        }
        _ => Ok(x),
    }
}

/// The most a measurements CSV may be (the shipped one is 2 KB).
const MAX_MEASURED_BYTES: u64 = 10 * 1024 * 1024;

pub fn calibrate(a: &CalibrateArgs) -> Result<(), AppError> {
    // A serving-throughput file (an `input_tokens` or `tokens_per_s` column) is fitted by the serving model.
    // Read once, capped (/dev/zero or a huge file is refused, not read for ever; a pipe is not
    // read twice); a read that fails is reported below, after the flags are checked.
    let peeked = crate::files::read_capped(&a.measured, MAX_MEASURED_BYTES)
        .ok()
        .and_then(|b| String::from_utf8(b).ok());
    if let Some(text) = &peeked {
        if calibrate::serving::is_serving_csv(text) {
            return serving(a, text);
        }
    }
    let (shape, model_label) = shape_of(a)?;
    let (chip, precision) = chip_and_precision(a)?;
    let supported: Vec<&str> = Precision::ALL
        .iter()
        .filter(|p| chip.peak[p.index()].is_some())
        .map(|p| p.name())
        .collect();
    let peak = chip.peak[precision.index()].ok_or_else(|| {
        AppError::input(format!(
            "--chip {} has no {} figure; it supports {}",
            a.chip,
            precision.name(),
            supported.join(", ")
        ))
    })?;
    let (Some(hbm_bw), Some(hbm)) = (chip.hbm_bw, chip.hbm) else {
        return Err(AppError::input(format!(
            "--chip {}: the catalog row lacks hbm or hbm_bw, which the roofline needs",
            a.chip
        )));
    };
    let figures = ChipFigures { peak, hbm_bw, hbm };
    let opts = FitOptions {
        mfu: fraction("--mfu", a.mfu)?,
        mbu: fraction("--mbu", a.mbu)?,
        overhead: match a.overhead.as_str() {
            "fit" => Overhead::Fit,
            "zero" => Overhead::Zero,
            _ => Overhead::Auto,
        },
    };
    // Opened before any fitting, so an --out that cannot be written fails first; an --out
    // that is the measurements file would destroy it.
    let out_file = match &a.out {
        Some(path) => {
            crate::files::refuse_same(path, "--out", &[("measurements file", &a.measured)])
                .map_err(AppError::input)?;
            Some(output::OutFile::create(path).map_err(|e| {
                AppError::input(format!("--out {}: cannot write it: {e}", path.display()))
            })?)
        }
        None => None,
    };
    let file = a.measured.display().to_string();
    let text = match peeked {
        Some(text) => Ok(text),
        None => crate::files::read_capped(&a.measured, MAX_MEASURED_BYTES).and_then(|b| {
            String::from_utf8(b).map_err(|_| {
                crate::files::ReadError::Io(std::io::Error::other("it is not UTF-8 text"))
            })
        }),
    }
    .map_err(|e| {
        AppError::input(format!(
            "{file}: cannot read the measurements: {e}; give a measurements CSV \
             (the format is in docs/validation.md)"
        ))
    })?;
    let data = calibrate::parse_measurements(&text)
        .map_err(|e| AppError::input(format!("{file}: {e}")))?;
    let fallback = data.training_flops.map(|(f, line)| {
        (
            f / peak,
            format!(
                "the measured training MFU (line {line}: {} / {} TFLOP/s)",
                fmt_fixed(f / 1e12, 1),
                fmt_fixed(peak / 1e12, 1)
            ),
        )
    });
    let fit = calibrate::fit(&shape, &figures, &data, &opts, fallback).map_err(|e| match e {
        calibrate::FitError::Degenerate(m) => AppError::runtime(format!("{file}: {m}")),
        other => AppError::input(format!("{file}: {other}")),
    })?;
    let frag = calibrate::fragment(
        &fit,
        &calibrate::FragmentContext {
            chip: &a.chip,
            precision: precision.name(),
            data: &file,
            model: &model_label,
        },
    );
    if let (Some(mut f), Some(path)) = (out_file, &a.out) {
        use std::io::Write;
        f.write_all(frag.as_bytes())
            .and_then(|_| f.commit())
            .map_err(|e| AppError::runtime(format!("--out {}: {e}", path.display())))?;
        eprintln!("wrote the scenario fragment to {}", path.display());
    }
    let bounds = bounds(&fit, &data, &figures, precision);
    let out = match a.format.as_str() {
        "json" => report::to_json(&json(a, &fit, &data, &bounds, &frag)),
        "toml" => frag,
        _ => {
            let mut t = table_text(a, &model_label, &figures, precision, &fit, &data, &bounds);
            if a.out.is_none() {
                t.push_str("\nScenario fragment (paste into a [[fleet]]; --out FILE writes it):\n");
                t.push_str(&frag);
            }
            t
        }
    };
    print(&out)
}

/// Ceilings from the same file: the fitted fractions against the device copy and the
/// sustained GEMM.
fn bounds(
    fit: &Fit,
    data: &calibrate::Measurements,
    chip: &ChipFigures,
    p: Precision,
) -> Vec<String> {
    let mut v = Vec::new();
    if let (Some(mbu), Some(copy)) = (fit.mbu.value, data.memory_copy) {
        v.push(format!(
            "mbu {} vs device memory copy {} / {} TB/s = {}{}",
            fmt_fixed(mbu, 4),
            fmt_fixed(copy / 1e12, 2),
            fmt_fixed(chip.hbm_bw / 1e12, 2),
            fmt_fixed(copy / chip.hbm_bw, 3),
            if mbu > copy / chip.hbm_bw {
                " (above the copy: check the shape)"
            } else {
                ""
            }
        ));
    }
    if let (Some(mfu), Some(&(_, g))) = (
        fit.mfu.value,
        data.gemm_sustained.iter().find(|(q, _)| *q == p),
    ) {
        v.push(format!(
            "mfu {} vs sustained {} GEMM {} / {} TFLOP/s = {}{}",
            fmt_fixed(mfu, 4),
            p.name(),
            fmt_fixed(g / 1e12, 1),
            fmt_fixed(chip.peak / 1e12, 1),
            fmt_fixed(g / chip.peak, 3),
            if mfu > g / chip.peak {
                " (above the GEMM: check the shape)"
            } else {
                ""
            }
        ));
    }
    if let Some(f) = fit.mfu_floor {
        v.push(format!(
            "every memory-bound decode point stays memory-bound for mfu >= {}",
            fmt_fixed(f, 3)
        ));
    }
    v
}

fn source(s: &Source, side: &str) -> String {
    match s {
        Source::Fitted { points } => format!(
            "fitted to {points} {side}-bound point{}",
            if *points == 1 { "" } else { "s" }
        ),
        Source::Given => "given on the command line".into(),
        Source::Fallback(t) => format!("not identifiable (no compute-bound point): {t}"),
        Source::Unknown => "not identifiable from these points".into(),
    }
}

fn point_label(p: &calibrate::PointFit) -> String {
    match p.point.phase {
        Phase::Decode => format!("decode, context {}", p.context.unwrap_or(f64::NAN)),
        Phase::Prefill => format!("prefill {} tokens", p.point.tokens),
    }
}

fn table_text(
    a: &CalibrateArgs,
    model: &str,
    chip: &ChipFigures,
    p: Precision,
    fit: &Fit,
    data: &calibrate::Measurements,
    bounds: &[String],
) -> String {
    let mut s = format!(
        "calibrate {} at {} ({} TFLOP/s, {} TB/s) on {}\nmodel: {model}\n\n",
        a.chip,
        p.name(),
        fmt_fixed(chip.peak / 1e12, 1),
        fmt_fixed(chip.hbm_bw / 1e12, 2),
        a.measured.display()
    );
    let mut t = Table::new();
    t.load_preset("     ──            ");
    t.set_header(["fitted", "value", "how"]);
    let frac = |v: Option<f64>| v.map(|x| fmt_fixed(x, 4)).unwrap_or("-".into());
    t.add_row([
        String::from("mfu"),
        frac(fit.mfu.value),
        source(&fit.mfu.source, "compute"),
    ]);
    t.add_row([
        String::from("mbu"),
        frac(fit.mbu.value),
        source(&fit.mbu.source, "memory"),
    ]);
    t.add_row([
        String::from("step_overhead"),
        format!("{} ms", fmt_fixed(fit.step_overhead * 1e3, 4)),
        fit.overhead_note.clone(),
    ]);
    s.push_str(&format!("{t}\n\n"));
    let mut t = Table::new();
    t.load_preset("     ──            ");
    t.set_header(
        [
            "line",
            "point",
            "batch",
            "side",
            "measured ms",
            "model ms",
            "measured tok/s",
            "model tok/s",
            "error",
        ]
        .map(String::from),
    );
    for q in &fit.points {
        t.add_row([
            q.point.line.to_string(),
            point_label(q),
            q.point.batch.to_string(),
            q.side.name().to_string(),
            fmt_fixed(q.point.step_seconds * 1e3, 3),
            fmt_fixed(q.predicted_step * 1e3, 3),
            fmt_thousands(q.measured_rate, 1),
            fmt_thousands(q.predicted_rate, 1),
            calibrate::percent(q.error),
        ]);
    }
    for (i, col) in t.column_iter_mut().enumerate() {
        if i != 1 && i != 3 {
            col.set_cell_alignment(CellAlignment::Right);
        }
    }
    s.push_str(&format!("{t}\n"));
    s.push_str(&format!(
        "R^2 = {} over the decode step times; error (model / measured tokens/s - 1): RMS {} %, max {} %\n",
        fit.r2.map(|r| fmt_fixed(r, 4)).unwrap_or("- (needs 2 or more decode points with different step times)".into()),
        fmt_fixed(fit.rms_error * 100.0, 1),
        fmt_fixed(fit.max_abs_error * 100.0, 1)
    ));
    for b in bounds {
        s.push_str(&format!("{b}\n"));
    }
    for c in &data.checks {
        s.push_str(&format!("check: {c}\n"));
    }
    if !data.ignored.is_empty() {
        s.push_str(&format!(
            "not used: {}\n",
            data.ignored
                .iter()
                .map(|i| i.split_once(": ").map(|x| x.1).unwrap_or(i))
                .collect::<Vec<_>>()
                .join("; ")
        ));
    }
    s
}

fn json(
    a: &CalibrateArgs,
    fit: &Fit,
    data: &calibrate::Measurements,
    bounds: &[String],
    frag: &str,
) -> serde_json::Value {
    serde_json::json!({
        "chip": a.chip,
        "precision": a.precision,
        "data": a.measured.display().to_string(),
        "mfu": fit.mfu.value,
        "mfu_source": source(&fit.mfu.source, "compute"),
        "mbu": fit.mbu.value,
        "mbu_source": source(&fit.mbu.source, "memory"),
        "step_overhead": fit.step_overhead,
        "step_overhead_source": fit.overhead_note,
        "r2": fit.r2,
        "rms_error": fit.rms_error,
        "max_abs_error": fit.max_abs_error,
        "mfu_floor": fit.mfu_floor,
        "points": fit.points.iter().map(|q| serde_json::json!({
            "kind": q.point.phase.name(),
            "line": q.point.line,
            "batch": q.point.batch,
            "tokens": q.point.tokens,
            "context": q.context,
            "side": q.side.name(),
            "measured": q.measured_rate,
            "predicted": q.predicted_rate,
            "error": q.error,
            "unit": "tokens/s",
            "measured_step_s": q.point.step_seconds,
            "predicted_step_s": q.predicted_step,
        })).collect::<Vec<_>>(),
        "bounds": bounds,
        "checks": data.checks,
        "not_used": data.ignored,
        "fragment": frag,
    })
}

/// The catalog chip of `--chip` and the `--precision`, or what to write instead.
fn chip_and_precision(a: &CalibrateArgs) -> Result<(crate::model::Chip, Precision), AppError> {
    let catalog = Catalog::shipped();
    let row = catalog.get(&a.chip).ok_or_else(|| {
        let ids = catalog.ids();
        let near = crate::suggest::did_you_mean(&a.chip, ids.iter().copied())
            .map(|d| format!("{d} "))
            .unwrap_or_default();
        AppError::input(format!(
            "--chip {}: not in the catalog; {near}known: {}",
            a.chip,
            ids.join(", ")
        ))
    })?;
    let precision = Precision::from_name(&a.precision).ok_or_else(|| {
        AppError::input(format!(
            "--precision {}: use fp32, tf32, bf16, fp8 or fp4",
            a.precision
        ))
    })?;
    Ok((row.chip(), precision))
}

/// `calibrate SERVING.csv --chip ID --precision P`: the serving model's mfu, mbu and, when the
/// data call for it, prefill_mfu, fitted to measured output tokens/s (`calibrate::serving`).
fn serving(a: &CalibrateArgs, text: &str) -> Result<(), AppError> {
    use calibrate::serving::{fit_serving, read_serving, ServingChipFigures, ServingFitOptions};
    let file = a.measured.display().to_string();
    let shape_flags = [
        ("--model", a.model.is_some()),
        ("--params", a.params.is_some()),
        ("--layers", a.layers.is_some()),
        ("--kv-heads", a.kv_heads.is_some()),
        ("--head-dim", a.head_dim.is_some()),
        ("--weight-bytes", a.weight_bytes.is_some()),
        ("--kv-bytes", a.kv_bytes.is_some()),
        ("--heads", a.heads.is_some()),
        ("--context", a.context.is_some()),
    ];
    if let Some((flag, _)) = shape_flags.iter().find(|f| f.1) {
        return Err(AppError::input(format!(
            "{file} is a serving-throughput file (it has an input_tokens or tokens_per_s column), whose rows \
             give each model's shape; drop {flag}"
        )));
    }
    let (chip, precision) = chip_and_precision(a)?;
    let (Some(peak), Some(hbm), Some(hbm_bw)) =
        (chip.peak[precision.index()], chip.hbm, chip.hbm_bw)
    else {
        return Err(AppError::input(format!(
            "--chip {}: the catalog row lacks a {} peak, hbm or hbm_bw, which the serving model \
             needs",
            a.chip,
            precision.name()
        )));
    };
    let figures = ServingChipFigures {
        peak,
        hbm,
        hbm_bw,
        scaleup_bw: chip.scaleup_bw,
    };
    let rows = read_serving(&file, text).map_err(AppError::input)?;
    let opts = ServingFitOptions {
        mfu: fraction("--mfu", a.mfu)?,
        mbu: fraction("--mbu", a.mbu)?,
    };
    let fit =
        fit_serving(&rows, &figures, &opts).map_err(|e| AppError::input(format!("{file}: {e}")))?;
    let e = fit.efficiencies;
    let rms = if fit.separate_prefill {
        fit.rms_two.unwrap_or(fit.rms_one)
    } else {
        fit.rms_one
    };
    let mut frag = format!(
        "# fleetcost calibrate {file} --chip {} --precision {}: {} serving runs, RMS log error {}\n",
        a.chip,
        precision.name(),
        rows.len(),
        fmt_fixed(rms, 3)
    );
    frag.push_str(&format!("mfu = {}\n", fmt_fixed(e.mfu, 2)));
    if fit.separate_prefill {
        frag.push_str(&format!("prefill_mfu = {}\n", fmt_fixed(e.prefill_mfu, 2)));
    }
    frag.push_str(&format!("mbu = {}\n", fmt_fixed(e.mbu, 2)));
    if let Some(path) = &a.out {
        crate::files::refuse_same(path, "--out", &[("measurements file", &a.measured)])
            .map_err(AppError::input)?;
        let mut f = output::OutFile::create(path).map_err(|e| {
            AppError::input(format!("--out {}: cannot write it: {e}", path.display()))
        })?;
        use std::io::Write;
        f.write_all(frag.as_bytes())
            .and_then(|_| f.commit())
            .map_err(|e| AppError::runtime(format!("--out {}: {e}", path.display())))?;
        eprintln!("wrote the scenario fragment to {}", path.display());
    }
    let out = match a.format.as_str() {
        "json" => report::to_json(&serde_json::json!({
            "data": file,
            "chip": a.chip,
            "precision": precision.name(),
            "mfu": e.mfu,
            "prefill_mfu": fit.separate_prefill.then_some(e.prefill_mfu),
            "mbu": e.mbu,
            "separate_prefill": fit.separate_prefill,
            "rms_log_error_one": fit.rms_one,
            "rms_log_error_two": fit.rms_two,
            "why": fit.why,
            "rows": fit.rows.iter().map(|r| serde_json::json!({
                "line": r.0, "model": r.1, "tensor_parallel": r.2, "input_tokens": r.3,
                "output_tokens": r.4, "measured": r.5, "predicted": r.6,
            })).collect::<Vec<_>>(),
        })),
        "toml" => frag,
        _ => {
            let mut t = format!(
                "{file}: {} serving runs on {} at {}; the serving model of `run` fitted to \
                 their output tokens/s per replica\n\n",
                rows.len(),
                a.chip,
                precision.name()
            );
            let mut table = Table::new();
            table.load_preset("     ──            ");
            table.set_header(vec![
                "line",
                "model",
                "TP",
                "in/out",
                "measured tok/s",
                "model tok/s",
                "error",
            ]);
            for r in &fit.rows {
                table.add_row(vec![
                    r.0.to_string(),
                    r.1.clone(),
                    fmt_thousands(r.2, 0),
                    format!("{}/{}", fmt_thousands(r.3, 0), fmt_thousands(r.4, 0)),
                    fmt_thousands(r.5, 0),
                    fmt_thousands(r.6, 0),
                    format!("{:+.1} %", (r.6 / r.5 - 1.0) * 100.0),
                ]);
            }
            for (i, col) in table.column_iter_mut().enumerate() {
                if i != 1 {
                    col.set_cell_alignment(CellAlignment::Right);
                }
            }
            t.push_str(&format!("{table}\n\n{}\n", fit.why));
            if a.out.is_none() {
                t.push_str("\nScenario fragment (paste into a [[fleet]]; --out FILE writes it):\n");
            }
            t.push_str(&frag);
            t
        }
    };
    print(&out)
}
