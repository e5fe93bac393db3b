//! Scenario files: TOML text -> validated model inputs, `--set` overrides, the resolved file.
//!
//! Stages: `parse` walks the spanned TOML and reports every problem with its location;
//! `check` applies the rules that span several keys; `set` applies command-line overrides by
//! parameter path; `resolve` writes the scenario back out with every value explicit.

pub mod catalog;
pub mod check;
pub mod diag;
pub mod keys;
pub mod params;
pub mod parse;
pub mod platforms;
pub mod program;
pub mod reference;
pub mod resolve;

pub use catalog::Catalog;
pub use diag::{Problem, ScenarioError};
pub use params::Param;

use crate::model::Inputs;
use std::collections::HashMap;
use std::ops::Range;
use std::path::Path;

/// A validated scenario with where each value came from.
#[derive(Debug, Clone)]
pub struct Scenario {
    pub name: String,
    /// The file as the user named it.
    pub file: String,
    pub text: String,
    pub inputs: Inputs,
    pub uncertainty: Vec<Uncertain>,
    pub correlations: Vec<Correlation>,
    pub sweeps: Vec<SweepAxis>,
    /// Span of each key path's value in `text`.
    pub spans: HashMap<String, Range<usize>>,
    /// `--set` overrides applied, as given.
    pub sets: Vec<String>,
}

/// A distribution as written, bounds in SI units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum DistSpec {
    Fixed { value: f64 },
    Uniform { low: f64, high: f64 },
    Triangular { low: f64, mode: f64, high: f64 },
    Pert { low: f64, mode: f64, high: f64 },
    Normal { mean: f64, sd: f64 },
    LogNormal { p5: f64, p95: f64 },
}

impl DistSpec {
    /// The distribution's name as written in scenarios.
    pub fn name(&self) -> &'static str {
        match self {
            DistSpec::Fixed { .. } => "fixed",
            DistSpec::Uniform { .. } => "uniform",
            DistSpec::Triangular { .. } => "triangular",
            DistSpec::Pert { .. } => "pert",
            DistSpec::Normal { .. } => "normal",
            DistSpec::LogNormal { .. } => "lognormal",
        }
    }

    /// The ordering rule of the parameters (low <= high, low <= mode <= high, 0 < p5 <= p95,
    /// sd >= 0), the one source for `validate` and the sampler (`analysis::dist`): the field at
    /// fault and the message, the values shown by `show` (with the key's unit in a scenario).
    pub fn order_problem(&self, show: &dyn Fn(f64) -> String) -> Option<(&'static str, String)> {
        match *self {
            DistSpec::Uniform { low, high } if low > high => Some((
                "high",
                format!(
                    "low is above high (got low {}, high {}); swap them",
                    show(low),
                    show(high)
                ),
            )),
            DistSpec::Triangular { low, mode, high } | DistSpec::Pert { low, mode, high }
                if !(low <= mode && mode <= high) =>
            {
                Some((
                    if high < low { "high" } else { "mode" },
                    format!(
                        "the mode must lie between low and high (got low {}, mode {}, high {})",
                        show(low),
                        show(mode),
                        show(high)
                    ),
                ))
            }
            DistSpec::LogNormal { p5, p95 } if p5 > p95 => Some((
                "p95",
                format!(
                    "p5 is above p95 (got p5 {}, p95 {}); swap them",
                    show(p5),
                    show(p95)
                ),
            )),
            DistSpec::LogNormal { p5, p95 } if p5 <= 0.0 => Some((
                "p5",
                format!(
                    "a lognormal needs p5 > 0 (got p5 {}, p95 {})",
                    show(p5),
                    show(p95)
                ),
            )),
            DistSpec::Normal { sd, .. } if sd < 0.0 => {
                Some(("sd", format!("sd must be >= 0 (got sd {})", show(sd))))
            }
            _ => None,
        }
    }

    pub fn is_fixed(&self) -> bool {
        match *self {
            DistSpec::Fixed { .. } => true,
            DistSpec::Uniform { low, high } => low == high,
            DistSpec::Triangular { low, high, .. } | DistSpec::Pert { low, high, .. } => {
                low == high
            }
            DistSpec::Normal { sd, .. } => sd == 0.0,
            DistSpec::LogNormal { p5, p95 } => p5 == p95,
        }
    }
}

/// One `[uncertainty]` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Uncertain {
    pub path: String,
    pub param: Param,
    pub dist: DistSpec,
    pub span: Range<usize>,
}

/// One `correlations` entry: [a, b, rho].
#[derive(Debug, Clone, PartialEq)]
pub struct Correlation {
    pub a: String,
    pub b: String,
    pub rho: f64,
    pub span: Range<usize>,
}

/// One `[[sweep]]` axis, ends in SI units.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepAxis {
    pub path: String,
    pub param: Param,
    pub from: f64,
    pub to: f64,
    pub steps: usize,
    pub log: bool,
    pub span: Range<usize>,
    /// A category's values (a precision's `Precision::index`), in the order given: the grid
    /// instead of from/to/steps. `None` for a quantity.
    pub categories: Option<Vec<f64>>,
}

impl SweepAxis {
    /// The grid's values: `steps` points, both ends included exactly, linear or geometric.
    /// A geometric grid is `exp(ln from + t (ln to - ln from))`: `from * (to / from)^t` would
    /// overflow `to / from` for ends such as 1e-200 and 1e200.
    pub fn values(&self) -> Vec<f64> {
        if let Some(c) = &self.categories {
            return c.clone();
        }
        let n = self.steps.max(2);
        let (ln_from, ln_to) = (self.from.ln(), self.to.ln());
        (0..n)
            .map(|i| {
                let t = i as f64 / (n - 1) as f64;
                if i == 0 {
                    self.from
                } else if i == n - 1 {
                    self.to
                } else if self.log {
                    (ln_from + t * (ln_to - ln_from)).exp()
                } else {
                    self.from + (self.to - self.from) * t
                }
            })
            .collect()
    }
}

/// Why a scenario could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{file}: cannot read the scenario: {reason}")]
    Read { file: String, reason: String },
    #[error("{0}")]
    Invalid(ScenarioError),
}

/// Scenario files larger than this are refused before parsing.
pub const MAX_FILE_BYTES: u64 = 10 * 1024 * 1024;

/// Reads and parses a scenario file against the shipped catalog.
pub fn load(path: &Path) -> Result<Scenario, LoadError> {
    // Standard input ("-") is "<stdin>" in messages; a scenario without a name key is "stdin".
    let from_stdin = path.as_os_str() == "-";
    let file = if from_stdin {
        STDIN_FILE.to_string()
    } else {
        path.display().to_string()
    };
    let read_err = |reason: String| LoadError::Read {
        file: file.clone(),
        reason,
    };
    // The size a regular file reports refuses it at once; the read is capped all the same
    // (a device, a pipe or a growing file reports nothing true).
    if let Ok(meta) = std::fs::metadata(path) {
        if meta.is_file() && meta.len() > MAX_FILE_BYTES {
            return Err(read_err(format!(
                "it is {:.1} MB; scenario files are at most {} MB (is this the right file?)",
                meta.len() as f64 / 1e6,
                MAX_FILE_BYTES / (1024 * 1024)
            )));
        }
    }
    let bytes = crate::files::read_capped(path, MAX_FILE_BYTES).map_err(|e| {
        read_err(match e {
            crate::files::ReadError::Io(e) => io_reason(path, &e),
            crate::files::ReadError::Folder => {
                "it is a directory; give a .toml scenario file (e.g. scenarios/minimal.toml)".into()
            }
            crate::files::ReadError::TooLarge { .. } => format!(
                "it is larger than {0} MB; scenario files are at most {0} MB (is this the right file?)",
                MAX_FILE_BYTES / (1024 * 1024)
            ),
            other => other.to_string(),
        })
    })?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let ok = &e.as_bytes()[..at];
        let line = ok.iter().filter(|&&b| b == b'\n').count() + 1;
        read_err(format!(
            "it is not UTF-8 text (invalid byte at line {line}, byte offset {at}); save it as UTF-8"
        ))
    })?;
    let mut s = parse::parse(&file, &text, Catalog::shipped()).map_err(LoadError::Invalid)?;
    if from_stdin && s.name == STDIN_FILE {
        s.name = "stdin".into();
    }
    Ok(s)
}

/// How a scenario read from standard input (`-`) is named in messages.
pub const STDIN_FILE: &str = "<stdin>";

/// Why `path` could not be read, and what to do about it.
fn io_reason(path: &Path, e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => match near_file(path) {
            Some(near) => format!("no such file; did you mean {near}?"),
            None => "no such file; check the path (the shipped scenarios are in scenarios/)".into(),
        },
        std::io::ErrorKind::PermissionDenied => {
            "permission denied; make the file readable (chmod u+r) or copy it".into()
        }
        _ => format!("{e}; check that the file can be read (e.g. with cat)"),
    }
}

/// A file in `path`'s folder whose name is close to the missing one's.
fn near_file(path: &Path) -> Option<String> {
    let want = path.file_name()?.to_str()?;
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty());
    let entries = std::fs::read_dir(dir.unwrap_or(Path::new("."))).ok()?;
    let names: Vec<String> = entries
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| !n.starts_with('.'))
        .collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let near = parse::nearest(want, &refs)?;
    Some(match dir {
        Some(d) => d.join(near).display().to_string(),
        None => near.to_string(),
    })
}

impl Scenario {
    /// Parses scenario text against the shipped catalog (`file` names it in messages).
    pub fn from_str(file: &str, text: &str) -> Result<Scenario, ScenarioError> {
        parse::parse(file, text, Catalog::shipped())
    }

    /// Applies `PATH=VALUE` overrides in order, then re-checks the cross-key rules. The value
    /// takes the same grammar as the file (`--set 'fleet.trn2.chip.price=15k USD'`). Every bad
    /// `--set` is reported, each naming itself; a problem the overrides cause in the scenario
    /// says which `--set` set the key at fault.
    pub fn apply_sets(&mut self, sets: &[String]) -> Result<(), ScenarioError> {
        let mut problems = Vec::new();
        for s in sets {
            if let Err(msg) = self.apply_set(s) {
                problems.push(Problem::new(None, format!("--set '{s}'"), msg));
            }
        }
        if problems.is_empty() && !sets.is_empty() {
            for mut p in check::check(self) {
                let from_set = sets.iter().rev().find(|s| {
                    s.split_once('=')
                        .is_some_and(|(path, _)| path.trim() == p.key)
                });
                match from_set {
                    Some(s) => {
                        // The file's text at that key is not the value in use: no caret there.
                        p.span = None;
                        p.key = format!("{} (from --set '{s}')", p.key);
                    }
                    None => {
                        let note = format!(
                            "found with {}",
                            sets.iter()
                                .map(|s| format!("--set '{s}'"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        );
                        p.help = Some(match p.help.take() {
                            Some(h) => format!("{h}\n{note}"),
                            None => note,
                        });
                    }
                }
                problems.push(p);
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(ScenarioError {
                file: self.file.clone(),
                text: self.text.clone(),
                problems,
            })
        }
    }

    fn apply_set(&mut self, assignment: &str) -> Result<(), String> {
        let Some((path, value)) = assignment.split_once('=') else {
            return Err(
                "not PATH=VALUE (e.g. --set 'site.pue=1.2' or --set 'fleet.trn2.chip.price=15k USD')"
                    .to_string(),
            );
        };
        let (path, value) = (path.trim(), value.trim());
        if path == "workload.batch" && value == "max" {
            self.inputs.workload.batch_max = true;
            self.inputs.workload.batch = None;
            self.sets.push(assignment.to_string());
            return Ok(());
        }
        if path == "workload.tensor_parallel" && value.trim_matches('"') == "auto" {
            self.inputs.workload.tensor_parallel_auto = true;
            self.inputs.workload.tensor_parallel = None;
            self.sets.push(assignment.to_string());
            return Ok(());
        }
        if let Some(done) = self.apply_choice(path, value) {
            done?;
            self.sets.push(assignment.to_string());
            return Ok(());
        }
        let param = Param::parse(path, &self.inputs)?;
        let si = parse_value(param, value)?;
        param.set(&mut self.inputs, si);
        self.sets.push(assignment.to_string());
        Ok(())
    }
}

impl Scenario {
    /// The `--set` paths whose values are names or lists, not quantities: `compare.baseline`
    /// and `contract.fleet` (fleet ids), `compare.claim` (levels, "1.3,1.4"),
    /// `workload.precision` and `fleet.ID.precision` (precision names). `None` when `path` is
    /// none of them.
    fn apply_choice(&mut self, path: &str, value: &str) -> Option<Result<(), String>> {
        let ids: Vec<&str> = self.inputs.fleets.iter().map(|f| f.id.as_str()).collect();
        let fleet = |id: &str| -> Result<usize, String> {
            let id = id.trim().trim_matches('"');
            ids.iter().position(|f| *f == id).ok_or_else(|| {
                let near = parse::did_you_mean(id, &ids)
                    .map(|d| format!("{d} "))
                    .unwrap_or_default();
                format!("no fleet '{id}'; {near}fleets: {}", ids.join(", "))
            })
        };
        Some(match path {
            // The scenario's name labels every report and chart: a variant run says what it is.
            "name" => {
                let name = value.trim().trim_matches('"');
                if name.is_empty() {
                    Err("the name must not be empty".to_string())
                } else {
                    self.name = name.to_string();
                    Ok(())
                }
            }
            "compare.baseline" => fleet(value).map(|i| self.inputs.compare.baseline = i),
            "contract.fleet" => match fleet(value) {
                Ok(i) => match self.inputs.contract.as_mut() {
                    Some(c) => {
                        c.fleet = i;
                        Ok(())
                    }
                    None => Err(
                        "'contract.fleet' needs a [contract] table (fleet, value, term), \
                                 which this scenario does not have"
                            .to_string(),
                    ),
                },
                Err(e) => Err(e),
            },
            "compare.claim" => parse_claims(value).map(|c| self.inputs.compare.claims = c),
            "workload.precision" => precision(value).map(|p| self.inputs.workload.precision = p),
            _ => match path.split('.').collect::<Vec<_>>().as_slice() {
                ["fleet", id, "precision"] => fleet(id).and_then(|i| {
                    precision(value).map(|p| self.inputs.fleets[i].precision = Some(p))
                }),
                _ => return None,
            },
        })
    }
}

/// A precision given by name on the command line ("fp8", or "\"fp8\"").
fn precision(value: &str) -> Result<crate::model::Precision, String> {
    let name = value.trim().trim_matches('"');
    crate::model::Precision::from_name(name).ok_or_else(|| {
        format!(
            "unknown precision '{name}'; {}",
            parse::precision_help(name)
        )
    })
}

/// Claim levels as given on the command line: "1.3", "1.3,1.4", "[1.3, 1.4]" or "30 %" (a
/// level is rho, so 30 % better price-performance is 1.3 and "30 %" is refused with that hint).
pub fn parse_claims(text: &str) -> Result<Vec<f64>, String> {
    let inner = text.trim().trim_start_matches('[').trim_end_matches(']');
    let mut out = Vec::new();
    for part in inner.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        match part.parse::<f64>() {
            Ok(x) if x.is_finite() && x > 0.0 => out.push(x),
            Ok(_) => {
                return Err(format!(
                    "claim level '{part}' must be a number > 0, e.g. 1.3"
                ))
            }
            Err(_) if part.ends_with('%') => {
                let pct = part.trim_end_matches('%').trim();
                return Err(format!(
                    "claim level '{part}': a level is rho, the price-performance ratio; \
                     {pct} % better price-performance is {}",
                    pct.parse::<f64>()
                        .map(|p| format!("{}", 1.0 + p / 100.0))
                        .unwrap_or_else(|_| "1 + x / 100".into())
                ));
            }
            Err(_) => {
                return Err(format!(
                    "claim level '{part}' is not a number, e.g. 1.3,1.4"
                ))
            }
        }
    }
    if out.is_empty() {
        return Err("no claim level given, e.g. 1.3 or 1.3,1.4".into());
    }
    Ok(out)
}

/// A value given on the command line for `param`: a bare number in the key's unit or a
/// quantity string, range-checked; counts are rounded to whole numbers.
pub fn parse_value(param: Param, text: &str) -> Result<f64, String> {
    let spec = param.spec();
    // "nan" and "inf" parse as f64: let the quantity parser refuse them as written.
    let si = match text.trim().parse::<f64>() {
        Ok(x) if x.is_finite() => {
            crate::units::from_bare(x, &spec.unit).map_err(|e| e.to_string())?
        }
        _ => crate::units::parse_quantity(text, &spec.unit).map_err(|e| e.to_string())?,
    };
    let si = if spec.range.integer { si.round() } else { si };
    match parse::range_problem(spec, si, text) {
        Some(msg) => Err(msg),
        None => Ok(si),
    }
}
