//! TOML text -> validated [`Scenario`], collecting every problem with its location.
//!
//! The document is read with spans (`toml::de::DeTable`), walked key by key against the key
//! tables in `params`, and every problem (syntax, unknown key, unit, range, cross-key rule) is
//! collected into one [`ScenarioError`].

mod fleets;
mod sections;
mod uncertainty;

pub(in crate::scenario) use fleets::*;
pub use sections::precision_help;
pub(in crate::scenario) use sections::*;
pub(in crate::scenario) use uncertainty::*;

use super::catalog::Catalog;
use super::keys::{self, SectionKey};
use super::params::{
    self, ChipKey, ContractKey, FinanceKey, FleetKey, KeySpec, Param, SiteKey, WorkloadKey,
};
use super::{Correlation, DistSpec, Scenario, SweepAxis, Uncertain};
use crate::model::*;
use crate::scenario::diag::{Problem, ScenarioError};
use crate::units;
use std::collections::{HashMap, HashSet};
use std::ops::Range;
use toml::de::{DeTable, DeValue};
use toml::Spanned;

type Entry<'a, 'i> = (
    &'a Spanned<std::borrow::Cow<'i, str>>,
    &'a Spanned<DeValue<'i>>,
);

/// Keys allowed at each level (numeric keys come from the `params` tables).
pub(crate) const TOP: &[&str] = &[
    "schema",
    "name",
    "site",
    "finance",
    "workload",
    "fleet",
    "compare",
    "contract",
    "uncertainty",
    "sweep",
    "program",
];
pub(crate) const SITE_OTHER: &[&str] = &["power_basis"];
pub(crate) const WORKLOAD_OTHER: &[&str] = &["kind", "precision", "serving"];
pub(crate) const FLEET_OTHER: &[&str] = &["id", "chip", "platform", "precision"];
pub(crate) const CHIP_OTHER: &[&str] = &["base", "name", "peak"];
pub(crate) const COMPARE: &[&str] = &["baseline", "claim", "baseline_program"];
pub(crate) const CONTRACT_OTHER: &[&str] = &["fleet"];
pub(crate) const SWEEP: &[&str] = &["param", "from", "to", "steps", "scale", "values"];
pub(crate) const DIST_KEYS: &[&str] = &[
    "dist", "value", "low", "mode", "high", "mean", "sd", "p5", "p95",
];

/// Collects problems and the span of every key path seen.
pub(super) struct Walker {
    pub problems: Vec<Problem>,
    pub spans: HashMap<String, Range<usize>>,
    /// Keys with a problem reported (and keys an unknown key was probably meant to be), so
    /// the cross-key check does not report their consequences again.
    pub covered: HashSet<String>,
    /// The file's text, to name lines in messages.
    pub text: String,
}

pub(super) fn names(specs: &[KeySpec], other: &[&'static str]) -> Vec<&'static str> {
    other
        .iter()
        .copied()
        .chain(specs.iter().map(|k| k.name))
        .collect()
}

/// "did you mean 'x'?" among `choices`, when one is close (the rule: `crate::suggest`).
pub fn did_you_mean(given: &str, choices: &[&str]) -> Option<String> {
    crate::suggest::did_you_mean(given, choices.iter().copied())
}

/// The choice closest to `given`, when one is close (the rule: `crate::suggest`).
pub(crate) fn nearest<'c>(given: &str, choices: &[&'c str]) -> Option<&'c str> {
    crate::suggest::nearest(given, choices.iter().copied())
}

/// The tables where key `name` belongs, other than the one at `prefix`: "[site] or [[fleet]]".
fn home_of(name: &str, prefix: &str) -> Option<String> {
    let homes: [(&str, Vec<&str>); 8] = [
        ("[site]", names(params::SITE, SITE_OTHER)),
        ("[finance]", names(params::FINANCE, &[])),
        ("[workload]", names(params::WORKLOAD, WORKLOAD_OTHER)),
        ("[[fleet]]", names(params::FLEET, FLEET_OTHER)),
        ("a fleet's chip table", names(params::CHIP, CHIP_OTHER)),
        ("[compare]", COMPARE.to_vec()),
        ("[contract]", names(params::CONTRACT, CONTRACT_OTHER)),
        ("[[sweep]]", SWEEP.to_vec()),
    ];
    let here = prefix.split('.').next().unwrap_or("");
    let found: Vec<&str> = homes
        .iter()
        .filter(|(home, keys)| keys.contains(&name) && !home.trim_matches(['[', ']']).eq(here))
        .map(|(home, _)| *home)
        .collect();
    (!found.is_empty()).then(|| found.join(" or "))
}

pub(super) fn find<'a, 'i>(t: &'a DeTable<'i>, key: &str) -> Option<Entry<'a, 'i>> {
    t.iter().find(|(k, _)| k.get_ref().as_ref() == key)
}

pub(super) fn type_name(v: &DeValue) -> &'static str {
    match v {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a float",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a date",
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    }
}

/// The number a TOML integer or float holds.
fn toml_number(v: &DeValue) -> Option<f64> {
    match v {
        DeValue::Integer(i) => i64::from_str_radix(i.as_str(), i.radix())
            .ok()
            .map(|x| x as f64)
            .or_else(|| i.as_str().parse::<f64>().ok()),
        DeValue::Float(f) => f.as_str().replace('_', "").parse::<f64>().ok(),
        _ => None,
    }
}

impl Walker {
    pub fn new() -> Self {
        Walker {
            problems: Vec::new(),
            spans: HashMap::new(),
            covered: HashSet::new(),
            text: String::new(),
        }
    }

    pub(super) fn push(&mut self, p: Problem) {
        self.covered.insert(p.key.clone());
        self.problems.push(p);
    }

    /// Unknown keys in `t` are problems with a did-you-mean.
    pub(super) fn keys(&mut self, t: &DeTable, allowed: &[&str], prefix: &str) {
        for (k, _) in t.iter() {
            let name = k.get_ref().as_ref();
            if !allowed.contains(&name) {
                let where_ = if prefix.is_empty() {
                    "at the top level".to_string()
                } else {
                    format!("in [{prefix}]")
                };
                let mut p = Problem::new(
                    Some(k.span()),
                    join(prefix, name),
                    format!("unknown key '{name}' {where_}"),
                );
                p.help = Some(match nearest(name, allowed) {
                    Some(d) => {
                        self.covered.insert(join(prefix, d));
                        format!("did you mean '{d}'?")
                    }
                    None => match home_of(name, prefix) {
                        Some(home) => format!("'{name}' is a key of {home}; move it there"),
                        None => format!("known keys: {}", allowed.join(", ")),
                    },
                });
                self.push(p);
            }
        }
    }

    pub(super) fn table<'a, 'i>(
        &mut self,
        parent: &'a DeTable<'i>,
        key: &str,
        prefix: &str,
    ) -> Option<&'a DeTable<'i>> {
        let (k, v) = find(parent, key)?;
        match v.get_ref() {
            DeValue::Table(t) => {
                self.spans.insert(join(prefix, key), k.span());
                Some(t)
            }
            other => {
                let header = if prefix.is_empty() {
                    format!("write [{key}] on a line of its own, with its keys below it")
                } else {
                    format!("write {key} = {{ ... }}, an inline table")
                };
                self.push(
                    Problem::new(
                        Some(v.span()),
                        join(prefix, key),
                        format!("expected a table, found {}", type_name(other)),
                    )
                    .help(header),
                );
                None
            }
        }
    }

    /// A string value; a value of another type is a problem.
    pub(super) fn string(
        &mut self,
        t: &DeTable,
        key: &str,
        prefix: &str,
    ) -> Option<(String, Range<usize>)> {
        let (_, v) = find(t, key)?;
        let path = join(prefix, key);
        self.spans.insert(path.clone(), v.span());
        match v.get_ref() {
            DeValue::String(s) => Some((s.to_string(), v.span())),
            other => {
                self.push(Problem::new(
                    Some(v.span()),
                    path,
                    format!("expected a string, found {}", type_name(other)),
                ));
                None
            }
        }
    }

    /// Whether `key` is the string `word` (e.g. tensor_parallel = "auto"), noting its span.
    fn word(&mut self, t: &DeTable, key: &str, word: &str, prefix: &str) -> bool {
        match find(t, key) {
            Some((_, v)) if matches!(v.get_ref(), DeValue::String(s) if s.as_ref() == word) => {
                self.spans.insert(join(prefix, key), v.span());
                true
            }
            _ => false,
        }
    }

    /// A quantity in SI units, range-checked; `None` when absent or bad (bad is a problem).
    pub(super) fn quantity(&mut self, t: &DeTable, spec: &KeySpec, prefix: &str) -> Option<f64> {
        let (_, v) = find(t, spec.name)?;
        let path = join(prefix, spec.name);
        self.spans.insert(path.clone(), v.span());
        self.value(v, spec, &path)
    }

    /// One value (number or unit string) for a key of `spec`, range-checked.
    pub fn value(&mut self, v: &Spanned<DeValue>, spec: &KeySpec, path: &str) -> Option<f64> {
        let (si, shown) = match v.get_ref() {
            DeValue::String(s) => match units::parse_quantity(s, &spec.unit) {
                Ok(x) => (x, format!("\"{s}\"")),
                Err(e) => {
                    let mut p = Problem::new(Some(v.span()), path, e.to_string());
                    if matches!(e, units::UnitError::NotFinite { .. }) {
                        p.help = Some(format!(
                            "e.g. {} = {}",
                            spec.name,
                            params::example(spec.name)
                        ));
                    }
                    self.push(p);
                    return None;
                }
            },
            other => match toml_number(other) {
                Some(x) if !x.is_finite() => {
                    let written = match other {
                        DeValue::Float(f) => f.as_str().to_string(),
                        _ => x.to_string(),
                    };
                    self.push(
                        Problem::new(
                            Some(v.span()),
                            path,
                            format!("must be a finite number (got {written})"),
                        )
                        .help(format!(
                            "e.g. {} = {}",
                            spec.name,
                            params::example(spec.name)
                        )),
                    );
                    return None;
                }
                Some(x) => match units::from_bare(x, &spec.unit) {
                    Ok(si) => (si, format_bare(x)),
                    Err(e) => {
                        self.push(Problem::new(Some(v.span()), path, e.to_string()));
                        return None;
                    }
                },
                None => {
                    self.push(
                        Problem::new(
                            Some(v.span()),
                            path,
                            format!(
                                "expected a number or a quantity string, found {}",
                                type_name(other)
                            ),
                        )
                        .help(format!(
                            "e.g. {} = {}",
                            spec.name,
                            params::example(spec.name)
                        )),
                    );
                    return None;
                }
            },
        };
        match range_problem(spec, si, &shown) {
            Some(msg) => {
                self.push(Problem::new(Some(v.span()), path, msg).help(range_help(spec, path)));
                None
            }
            None => Some(si),
        }
    }

    /// Reads every key of a section's table `K` present in `t` into fleet `i` of `x`, in table
    /// order; a bad value is a problem and leaves the field as it was (its default, from
    /// [`keys::set_defaults`]).
    fn section<K: SectionKey>(&mut self, t: &DeTable, prefix: &str, x: &mut Inputs, i: usize) {
        for &k in K::ALL {
            let spec = k.spec();
            if spec.name == "tensor_parallel" && self.word(t, "tensor_parallel", "auto", prefix) {
                x.fleets[i].tensor_parallel_auto = true;
                continue;
            }
            if let Some(v) = self.quantity(t, spec, prefix) {
                k.set(x, i, if spec.range.integer { v.round() } else { v });
            }
        }
    }

    pub(super) fn missing(&mut self, span: Option<Range<usize>>, path: &str, what: &str) {
        self.push(Problem::new(
            span,
            path,
            format!("missing required key ({what})"),
        ));
    }
}

fn format_bare(x: f64) -> String {
    crate::units::format::Num(x).to_string()
}

/// How to fix an out-of-range value of `spec` at `path`.
fn range_help(spec: &KeySpec, path: &str) -> String {
    let e = format!("e.g. {} = {}", spec.name, params::example(spec.name));
    if path.starts_with("uncertainty.") {
        return format!(
            "a distribution's bounds must lie in the valid range of the parameter ({})",
            spec.about
        );
    }
    if path.starts_with("sweep.") {
        return format!(
            "a sweep's ends must lie in the valid range of the parameter ({})",
            spec.about
        );
    }
    match spec.name {
        "pue" => format!("pue is facility power over IT power, 1 at best: {e}"),
        "horizon" => format!("the years the comparison covers: {e}"),
        _ if spec.range == params::Range::FRACTION => {
            format!("{} is a fraction: {e}, or \"40 %\"", spec.about)
        }
        _ if spec.range.integer => format!("{} is a whole number: {e}", spec.about),
        _ => format!("{}: {e}", spec.about),
    }
}

/// The range message for an out-of-range value, e.g. "must be >= 1 (got 0.9)".
pub fn range_problem(spec: &KeySpec, si: f64, shown: &str) -> Option<String> {
    if !si.is_finite() {
        return Some(format!("must be a finite number (got {shown})"));
    }
    if !spec.range.contains(si) {
        let bound = |b: f64| units::display(b, &spec.unit);
        let r = spec.range;
        let rule = if r.max.is_finite() {
            format!(
                "in {}{}, {}]",
                if r.min_open { "(" } else { "[" },
                bound(r.min),
                bound(r.max)
            )
        } else {
            format!("{} {}", if r.min_open { ">" } else { ">=" }, bound(r.min))
        };
        return Some(format!("must be {rule} (got {shown})"));
    }
    if spec.range.integer && si.fract() != 0.0 {
        return Some(format!("must be a whole number (got {shown})"));
    }
    None
}

pub fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}.{key}")
    }
}

/// The most points a sweep grid may have (one axis, or both axes' steps multiplied).
pub const MAX_SWEEP_POINTS: f64 = 250_000.0;

/// Parses scenario text. `file` names it in messages.
pub fn parse(file: &str, text: &str, catalog: &Catalog) -> Result<Scenario, ScenarioError> {
    let fail = |problems| ScenarioError {
        file: file.to_string(),
        text: text.to_string(),
        problems,
    };
    let doc = match DeTable::parse(text) {
        Ok(d) => d,
        Err(e) => {
            let (_, errors) = DeTable::parse_recoverable(text);
            let errors = if errors.is_empty() { vec![e] } else { errors };
            return Err(fail(
                errors
                    .into_iter()
                    .map(|e| {
                        let msg = e.message().trim().to_string();
                        let mut p = Problem::new(e.span(), "", format!("TOML syntax: {msg}"));
                        p.help = syntax_help_at(text, e.span(), &msg).or_else(|| syntax_help(&msg));
                        p
                    })
                    .collect(),
            ));
        }
    };
    let root = doc.get_ref();
    let mut w = Walker::new();
    w.text = text.to_string();
    w.keys(root, TOP, "");

    match find(root, "schema") {
        None => w.push(
            Problem::new(
                Some(0..0),
                "schema",
                "missing `schema = 1` at the top of the file",
            )
            .help("add `schema = 1` as the first line"),
        ),
        Some((_, v)) if toml_number(v.get_ref()) != Some(1.0) => w.push(
            Problem::new(
                Some(v.span()),
                "schema",
                "this version of fleetcost reads schema 1 only",
            )
            .help(
                "write `schema = 1` if the file follows the key table of this version \
                 (docs/scenario.md); a file for a newer schema needs a newer fleetcost",
            ),
        ),
        _ => {}
    }
    let name = w
        .string(root, "name", "")
        .map(|(s, _)| s)
        .unwrap_or_else(|| {
            std::path::Path::new(file)
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| file.to_string())
        });

    let site = parse_site(&mut w, root);
    let finance = parse_finance(&mut w, root);
    let workload = parse_workload(&mut w, root);
    let fleets = parse_fleets(&mut w, root, catalog);
    let compare = parse_compare(&mut w, root, &fleets);
    let contract = parse_contract(&mut w, root, &fleets);
    let programs = super::program::parse_programs(&mut w, root, &fleets, finance.as_ref());

    let (
        Some(site),
        Some(finance),
        Some(workload),
        Some(compare),
        Some(contract),
        Some((programs, baseline_program)),
    ) = (site, finance, workload, compare, contract, programs)
    else {
        return Err(fail(w.problems));
    };
    let inputs = Inputs {
        site,
        finance,
        workload,
        fleets,
        compare,
        contract,
        programs,
        baseline_program,
    };
    let (uncertainty, correlations) = parse_uncertainty(&mut w, root, &inputs);
    let sweeps = parse_sweeps(&mut w, root, &inputs);
    let mut scenario = Scenario {
        name,
        file: file.to_string(),
        text: text.to_string(),
        inputs,
        uncertainty,
        correlations,
        sweeps,
        spans: std::mem::take(&mut w.spans),
        sets: Vec::new(),
    };
    let mut problems = w.problems;
    problems.extend(super::check::check_after(&scenario, &w.covered));
    if problems.is_empty() {
        scenario.text = text.to_string();
        Ok(scenario)
    } else {
        Err(fail(problems))
    }
}

/// A hint that needs the text at the error: a table header given twice (says where the first
/// one is), a control character inside a string.
fn syntax_help_at(text: &str, span: Option<Range<usize>>, message: &str) -> Option<String> {
    let span = span?;
    let m = message.to_lowercase();
    // The parser's offsets are on character boundaries; `get` keeps a bad one from panicking.
    let before = text.get(..span.start)?;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = text[line_start..].lines().next().unwrap_or("").trim();
    // A line without its comment.
    let code = |l: &'_ str| l.split('#').next().unwrap_or(l).trim().to_string();
    if m.contains("duplicate key") && line.starts_with('[') && !line.starts_with("[[") {
        let header = code(line);
        let first = text[..line_start]
            .lines()
            .position(|l| code(l) == header)
            .map(|i| i + 1);
        let name = header.trim_matches(|c| c == '[' || c == ']').trim();
        return Some(match first {
            Some(n) => format!(
                "table {header} is already defined at line {n}; merge the two into one (a fleet \
                 is written [[fleet]], with two brackets, once per fleet)"
            ),
            None if text[..line_start]
                .lines()
                .any(|l| l.trim().starts_with(&format!("[[{name}]]"))) =>
            {
                format!(
                    "[[{name}]] above makes '{name}' a list of tables; write this header as \
                     [[{name}]] too"
                )
            }
            None => {
                format!("{name} is already defined above (a key or a dotted key); define it once")
            }
        });
    }
    if m.contains("string") {
        let c = text.get(span.start..)?.chars().next()?;
        if c.is_control() && !matches!(c, '\t' | '\n' | '\r') {
            return Some(format!(
                "a control character (U+{:04X}) cannot stand in a string; delete it, or write \
                 it as \\u{:04X}",
                c as u32, c as u32
            ));
        }
    }
    None
}

/// A hint for the TOML syntax errors analysts meet most.
fn syntax_help(message: &str) -> Option<String> {
    let m = message.to_lowercase();
    let help = if m.contains("must be quoted") || m.contains("invalid string") {
        "a value with a unit is a string: write it in quotes, e.g. power = \"2 GW\""
    } else if m.contains("duplicate key") {
        "each key may appear once per table; delete one of them"
    } else if m.contains("basic string") || m.contains("unterminated") {
        "close the string with the same quote it opens with"
    } else if m.contains("expected `=`") {
        "write each setting as key = value"
    } else if m.contains("expected `]`") {
        "close the table header: [finance], or [[fleet]] for a fleet"
    } else if m.contains("duplicate table") || m.contains("redefin") {
        "a table may appear once; write [[fleet]] (two brackets) for each fleet"
    } else {
        return None;
    };
    Some(help.to_string())
}

fn section_span(w: &Walker, key: &str) -> Option<Range<usize>> {
    w.spans.get(key).cloned()
}
