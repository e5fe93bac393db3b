//! The measurement CSV: header `metric,value,unit[,how measured]`, one measurement per row.

use super::{percent, Phase};
use crate::model::Precision;
use crate::units::format::{fmt_fixed, fmt_short};

/// One measured step.
#[derive(Debug, Clone, PartialEq)]
pub struct Measured {
    pub phase: Phase,
    /// Sequences per step.
    pub batch: f64,
    /// Tokens per sequence in the step: 1 for decode, T for a prefill of T tokens.
    pub tokens: f64,
    /// Decode: tokens of KV cache per sequence, when the row states it.
    pub context: Option<f64>,
    /// Measured seconds per step.
    pub step_seconds: f64,
    /// Line of the CSV and its metric text.
    pub line: usize,
    pub metric: String,
}

/// What a measurement CSV holds for calibration.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Measurements {
    pub points: Vec<Measured>,
    /// Model FLOP/s of a training run on the chip, with its line (the fallback mfu).
    pub training_flops: Option<(f64, usize)>,
    /// Sustained dense GEMM FLOP/s by precision: a ceiling for mfu.
    pub gemm_sustained: Vec<(Precision, f64)>,
    /// Device memory copy B/s: a ceiling for mbu.
    pub memory_copy: Option<f64>,
    /// Tokens/s rows that repeat a step row, as checks of the two.
    pub checks: Vec<String>,
    /// Rows not used, as "line N: metric".
    pub ignored: Vec<String>,
}

/// A row that cannot be read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct ParseError {
    pub line: usize,
    pub message: String,
}

fn scale_of(unit: &str, base: &str, prefixes: &[(&str, f64)]) -> Option<f64> {
    let prefix = unit.strip_suffix(base)?;
    prefixes.iter().find(|(p, _)| *p == prefix).map(|&(_, f)| f)
}

const TIME_PREFIXES: &[(&str, f64)] = &[
    ("", 1.0),
    ("m", 1e-3),
    ("u", 1e-6),
    ("µ", 1e-6),
    ("n", 1e-9),
];
const RATE_PREFIXES: &[(&str, f64)] = &[
    ("", 1.0),
    ("k", 1e3),
    ("M", 1e6),
    ("G", 1e9),
    ("T", 1e12),
    ("P", 1e15),
];

/// The number after `key ` in one of the comma-separated parts ("batch 8" -> 8).
fn field(parts: &[&str], key: &str) -> Option<Result<f64, String>> {
    parts.iter().find_map(|p| {
        let rest = p.strip_prefix(key)?.strip_prefix(' ')?;
        Some(count(rest.trim(), key))
    })
}

fn count(text: &str, what: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(x) if x >= 1.0 && x.fract() == 0.0 && x.is_finite() => Ok(x),
        _ => Err(format!("{what} '{text}' is not a whole number >= 1")),
    }
}

/// The 1-based line of byte `offset` in `text` (the csv crate's own line count skips
/// comment lines).
fn line_at(text: &str, offset: u64) -> usize {
    let b = text.as_bytes();
    let mut end = (offset as usize).min(b.len());
    // A record's position can sit on the '\n' of the line before (CRLF endings) or on comment
    // lines before it.
    loop {
        while end < b.len() && matches!(b[end], b'\r' | b'\n') {
            end += 1;
        }
        if end < b.len() && b[end] == b'#' {
            end += b[end..]
                .iter()
                .position(|&c| c == b'\n')
                .unwrap_or(b.len() - end);
        } else {
            break;
        }
    }
    b[..end].iter().filter(|&&c| c == b'\n').count() + 1
}

/// Parses measurement CSV text: a header `metric,value,unit[,how measured]`, then one
/// measurement per row; `#` starts a comment line. Rows used (metric text, case-insensitive):
///
/// - `decode step[, ...], batch N[, context C]` in s, ms, us or ns;
/// - `decode tokens/s, batch N[, context C]` in tokens/s (a step of N / value seconds);
/// - `prefill T tokens[, ...][, batch N]` in s, ms, us or ns;
/// - `training model FLOP/s ...` in FLOP/s (any of k M G T P): the fallback mfu;
/// - `<precision> dense GEMM, sustained ...` in FLOP/s: a ceiling shown beside the fitted mfu;
/// - `device memory copy` in B/s (GB/s, TB/s): a ceiling shown beside the fitted mbu.
///
/// Other rows are listed as not used. A tokens/s row whose batch (and context) has a step row
/// checks it instead of adding a point.
pub fn parse_measurements(text: &str) -> Result<Measurements, ParseError> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .comment(Some(b'#'))
        .from_reader(text.as_bytes());
    let mut out = Measurements::default();
    let mut rates: Vec<(f64, Option<f64>, f64, usize, String)> = Vec::new();
    let mut header_seen = false;
    for rec in rdr.records() {
        let rec = rec.map_err(|e| ParseError {
            line: e.position().map(|p| line_at(text, p.byte())).unwrap_or(0),
            message: format!("not CSV: {e}"),
        })?;
        let line = rec.position().map(|p| line_at(text, p.byte())).unwrap_or(0);
        let err = |message: String| ParseError { line, message };
        if rec.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        if !header_seen {
            let h: Vec<String> = rec.iter().map(|f| f.trim().to_lowercase()).collect();
            if h.len() < 3 || h[0] != "metric" || h[1] != "value" || h[2] != "unit" {
                return Err(err(
                    "the first row must be the header metric,value,unit,how measured".into(),
                ));
            }
            header_seen = true;
            continue;
        }
        if rec.len() < 3 {
            return Err(err(format!(
                "'{}': a row needs metric, value and unit",
                rec.get(0).unwrap_or("")
            )));
        }
        let metric = rec[0].trim().to_string();
        let lower = metric.to_lowercase();
        let parts: Vec<&str> = lower.split(',').map(str::trim).collect();
        let unit = rec[2].trim();
        let value = || -> Result<f64, ParseError> {
            match rec[1].trim().parse::<f64>() {
                Ok(v) if v.is_finite() && v > 0.0 => Ok(v),
                _ => Err(err(format!(
                    "'{metric}': the value '{}' is not a positive number",
                    rec[1].trim()
                ))),
            }
        };
        let time = |v: f64| -> Result<f64, ParseError> {
            scale_of(unit, "s", TIME_PREFIXES)
                .map(|f| v * f)
                .ok_or_else(|| {
                    err(format!(
                        "'{metric}': unit '{unit}' is not a time; use s, ms, us or ns"
                    ))
                })
        };
        let get = |key: &str| {
            field(&parts, key)
                .transpose()
                .map_err(|m| err(format!("'{metric}': {m}")))
        };
        if parts[0].starts_with("decode step") {
            let batch = get("batch")?.ok_or_else(|| {
                err(format!(
                    "'{metric}': say the batch, e.g. 'decode step, batch 8, context 1024'"
                ))
            })?;
            out.points.push(Measured {
                phase: Phase::Decode,
                batch,
                tokens: 1.0,
                context: get("context")?,
                step_seconds: time(value()?)?,
                line,
                metric,
            });
        } else if parts[0] == "decode tokens/s" {
            if !matches!(unit, "tokens/s" | "tok/s") {
                return Err(err(format!("'{metric}': unit '{unit}' should be tokens/s")));
            }
            let batch = get("batch")?.ok_or_else(|| {
                err(format!(
                    "'{metric}': say the batch, e.g. 'decode tokens/s, batch 8'"
                ))
            })?;
            rates.push((batch, get("context")?, value()?, line, metric));
        } else if let Some(rest) = parts[0].strip_prefix("prefill") {
            let tokens = rest
                .trim()
                .strip_suffix("tokens")
                .filter(|t| !t.trim().is_empty())
                .ok_or_else(|| {
                    err(format!(
                        "'{metric}': write 'prefill T tokens', e.g. 'prefill 2048 tokens'"
                    ))
                })
                .and_then(|t| {
                    count(t.trim(), "tokens").map_err(|m| err(format!("'{metric}': {m}")))
                })?;
            out.points.push(Measured {
                phase: Phase::Prefill,
                batch: get("batch")?.unwrap_or(1.0),
                tokens,
                context: None,
                step_seconds: time(value()?)?,
                line,
                metric,
            });
        } else if lower.starts_with("training model flop/s") {
            let f = scale_of(unit, "FLOP/s", RATE_PREFIXES).ok_or_else(|| {
                err(format!(
                    "'{metric}': unit '{unit}' should be FLOP/s, e.g. TFLOP/s"
                ))
            })?;
            out.training_flops = Some((value()? * f, line));
        } else if let (Some(p), true) = (
            lower.split(' ').next().and_then(Precision::from_name),
            lower.contains("dense gemm") && lower.contains("sustained"),
        ) {
            if let Some(f) = scale_of(unit, "FLOP/s", RATE_PREFIXES) {
                out.gemm_sustained.push((p, value()? * f));
            }
        } else if lower == "device memory copy" {
            if let Some(f) = scale_of(unit, "B/s", RATE_PREFIXES) {
                out.memory_copy = Some(value()? * f);
            }
        } else {
            out.ignored.push(format!("line {line}: {metric}"));
        }
    }
    if !header_seen {
        return Err(ParseError {
            line: 1,
            message: "empty: expected the header metric,value,unit,how measured".into(),
        });
    }
    for (batch, context, tps, line, metric) in rates {
        let step = batch / tps;
        let twin = out.points.iter().find(|p| {
            p.phase == Phase::Decode
                && p.batch == batch
                && (context.is_none() || p.context == context)
        });
        match twin {
            Some(p) => out.checks.push(format!(
                "line {line}: {} tokens/s at batch {} = {} ms per step; line {} says {} ms ({})",
                fmt_short(tps, 6),
                fmt_short(batch, 6),
                fmt_fixed(step * 1e3, 4),
                p.line,
                fmt_fixed(p.step_seconds * 1e3, 4),
                percent(step / p.step_seconds - 1.0)
            )),
            None => out.points.push(Measured {
                phase: Phase::Decode,
                batch,
                tokens: 1.0,
                context,
                step_seconds: step,
                line,
                metric,
            }),
        }
    }
    // A step or a prefill takes between a nanosecond and an hour on any accelerator; outside
    // that the value or its unit is wrong (and the fit's errors would overflow).
    if let Some(p) = out
        .points
        .iter()
        .find(|p| !(1e-9..=3600.0).contains(&p.step_seconds))
    {
        return Err(ParseError {
            line: p.line,
            message: format!(
                "'{}': a step of {:.3e} s is outside 1 ns to 1 h; check the value and its unit",
                p.metric, p.step_seconds
            ),
        });
    }
    out.points
        .sort_by_key(|p| (p.phase == Phase::Prefill, p.line));
    Ok(out)
}
