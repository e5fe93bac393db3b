//! TOML text -> validated [`Scenario`], collecting every problem with its location.
//!
//! The document is read with spans (`toml::de::DeTable`), walked key by key against the key
//! tables in `params`, and every problem (syntax, unknown key, unit, range, cross-key rule) is
//! collected into one [`ScenarioError`].

use super::catalog::Catalog;
use super::diag::{Problem, ScenarioError};
use super::keys::{self, SectionKey};
use super::params::{
    self, ChipKey, ContractKey, FinanceKey, FleetKey, KeySpec, Param, SiteKey, WorkloadKey,
};
use super::{Correlation, DistSpec, Scenario, SweepAxis, Uncertain};
use crate::model::*;
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

/// "did you mean 'x'?" among `choices`, when one is close.
pub fn did_you_mean(given: &str, choices: &[&str]) -> Option<String> {
    nearest(given, choices).map(|c| format!("did you mean '{c}'?"))
}

/// The choice closest to `given`, when one is close.
pub(crate) fn nearest<'c>(given: &str, choices: &[&'c str]) -> Option<&'c str> {
    choices
        .iter()
        .map(|c| {
            (
                strsim::jaro_winkler(&given.to_lowercase(), &c.to_lowercase()),
                *c,
            )
        })
        .filter(|(s, _)| *s > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
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

fn parse_site(w: &mut Walker, root: &DeTable) -> Option<Site> {
    let Some(t) = w.table(root, "site", "") else {
        if find(root, "site").is_none() {
            w.push(
                Problem::new(
                    None,
                    "site",
                    "missing table [site] (power, pue, electricity, ...)",
                )
                .help("see scenarios/minimal.toml for the smallest valid scenario"),
            );
        }
        return None;
    };
    w.keys(t, &names(params::SITE, SITE_OTHER), "site");
    let basis = match w.string(t, "power_basis", "site") {
        None => Some(PowerBasis::Facility),
        Some((s, span)) => match s.as_str() {
            "facility" => Some(PowerBasis::Facility),
            "it" => Some(PowerBasis::It),
            other => {
                w.push(
                    Problem::new(Some(span), "site.power_basis", format!("unknown power basis '{other}'"))
                        .help("use \"facility\" (power at the meter, divided by pue) or \"it\" (power at the IT load)"),
                );
                None
            }
        },
    };
    let mut x = Inputs::scaffold(
        Workload::new(WorkloadKind::Flops, Precision::Bf16),
        Vec::new(),
    );
    x.site.power_basis = basis.unwrap_or(PowerBasis::Facility);
    keys::set_defaults::<SiteKey>(&mut x, 0);
    w.section::<SiteKey>(t, "site", &mut x, 0);
    Some(x.site)
}

fn parse_finance(w: &mut Walker, root: &DeTable) -> Option<Finance> {
    let Some(t) = w.table(root, "finance", "") else {
        if find(root, "finance").is_none() {
            w.push(
                Problem::new(
                    None,
                    "finance",
                    "missing table [finance] (discount_rate, horizon)",
                )
                .help("see scenarios/minimal.toml for the smallest valid scenario"),
            );
        }
        return None;
    };
    w.keys(t, &names(params::FINANCE, &[]), "finance");
    let span = section_span(w, "finance");
    let r = w.quantity(t, FinanceKey::DiscountRate.spec(), "finance");
    let h = w.quantity(t, FinanceKey::Horizon.spec(), "finance");
    if r.is_none() && find(t, "discount_rate").is_none() {
        w.missing(
            span.clone(),
            "finance.discount_rate",
            "discount rate per year, e.g. 0.08",
        );
    }
    if h.is_none() && find(t, "horizon").is_none() {
        w.missing(
            span,
            "finance.horizon",
            "years the comparison covers, e.g. \"8 yr\"",
        );
    }
    Some(Finance {
        discount_rate: r?,
        horizon: h?,
    })
}

fn parse_workload(w: &mut Walker, root: &DeTable) -> Option<Workload> {
    let Some(t) = w.table(root, "workload", "") else {
        if find(root, "workload").is_none() {
            w.push(
                Problem::new(
                    None,
                    "workload",
                    "missing table [workload] (kind, precision, ...)",
                )
                .help("see scenarios/minimal.toml for the smallest valid scenario"),
            );
        }
        return None;
    };
    let allowed = names(params::WORKLOAD, WORKLOAD_OTHER);
    w.keys(t, &allowed, "workload");
    let span = section_span(w, "workload");
    let kind = match w.string(t, "kind", "workload") {
        None => {
            if find(t, "kind").is_none() {
                w.missing(
                    span.clone(),
                    "workload.kind",
                    "\"flops\", \"training\" or \"inference\"",
                );
            }
            None
        }
        Some((s, sp)) => match s.as_str() {
            "flops" => Some(WorkloadKind::Flops),
            "training" => Some(WorkloadKind::Training),
            "inference" => Some(WorkloadKind::Inference),
            other => {
                let kinds = ["flops", "training", "inference"];
                w.push(
                    Problem::new(
                        Some(sp),
                        "workload.kind",
                        format!("unknown workload kind '{other}'"),
                    )
                    .help(did_you_mean(other, &kinds).unwrap_or_else(|| {
                        "use \"flops\", \"training\" or \"inference\"".to_string()
                    })),
                );
                None
            }
        },
    };
    let precision = match w.string(t, "precision", "workload") {
        None => {
            if find(t, "precision").is_none() {
                w.missing(span, "workload.precision", "fp32, tf32, bf16, fp8 or fp4");
            }
            None
        }
        Some((s, sp)) => precision_named(w, &s, sp, "workload.precision"),
    };
    let wl = Workload::new(
        kind.unwrap_or(WorkloadKind::Flops),
        precision.unwrap_or(Precision::Bf16),
    );
    let mut x = Inputs::scaffold(wl, Vec::new());
    keys::set_defaults::<WorkloadKey>(&mut x, 0);
    match w.string(t, "serving", "workload") {
        None => {}
        Some((s, _)) if s == "aggregated" => {}
        Some((s, _)) if s == "disaggregated" => x.workload.disaggregated = true,
        Some((other, sp)) => {
            let modes = ["aggregated", "disaggregated"];
            w.push(
                Problem::new(
                    Some(sp),
                    "workload.serving",
                    format!("unknown serving mode '{other}'"),
                )
                .help(did_you_mean(&other, &modes).unwrap_or_else(|| {
                    "use \"aggregated\" (prefill and decode on the same replicas) or \
                     \"disaggregated\""
                        .to_string()
                })),
            );
        }
    }
    for &k in WorkloadKey::ALL {
        let spec = k.spec();
        if k == WorkloadKey::TensorParallel && w.word(t, "tensor_parallel", "auto", "workload") {
            x.workload.tensor_parallel_auto = true;
            continue;
        }
        if k == WorkloadKey::Batch {
            if let Some((_, v)) = find(t, "batch") {
                if let DeValue::String(s) = v.get_ref() {
                    if s.as_ref() == "max" {
                        w.spans.insert("workload.batch".into(), v.span());
                        x.workload.batch_max = true;
                        continue;
                    }
                }
            }
        }
        if let Some(v) = w.quantity(t, spec, "workload") {
            Param::Workload(k).set(&mut x, v);
        }
    }
    Some(x.workload).filter(|_| kind.is_some() && precision.is_some())
}

/// The precision named `name` (at `span`, key `key`); an unknown name is a problem with a
/// "did you mean".
fn precision_named(w: &mut Walker, name: &str, span: Range<usize>, key: &str) -> Option<Precision> {
    match Precision::from_name(name) {
        Some(p) => Some(p),
        None => {
            w.push(
                Problem::new(Some(span), key, format!("unknown precision '{name}'"))
                    .help(precision_help(name)),
            );
            None
        }
    }
}

/// "did you mean 'fp8'?" or the list of precisions.
pub fn precision_help(name: &str) -> String {
    let all: Vec<&str> = Precision::ALL.iter().map(|p| p.name()).collect();
    did_you_mean(name, &all).unwrap_or_else(|| format!("use one of {}", all.join(", ")))
}

fn parse_fleets(w: &mut Walker, root: &DeTable, catalog: &Catalog) -> Vec<Fleet> {
    let Some((k, v)) = find(root, "fleet") else {
        w.push(
            Problem::new(None, "fleet", "no fleets: add at least one [[fleet]] table")
                .help("see scenarios/minimal.toml for the smallest valid scenario"),
        );
        return Vec::new();
    };
    let DeValue::Array(items) = v.get_ref() else {
        w.push(Problem::new(
            Some(k.span()),
            "fleet",
            "`fleet` must be an array of tables: write [[fleet]], not [fleet]",
        ));
        return Vec::new();
    };
    if items.is_empty() {
        w.push(Problem::new(
            Some(v.span()),
            "fleet",
            "no fleets: add at least one [[fleet]] table",
        ));
    }
    let mut fleets = Vec::new();
    let mut seen: HashMap<String, Range<usize>> = HashMap::new();
    for (n, item) in items.iter().enumerate() {
        let DeValue::Table(t) = item.get_ref() else {
            w.push(Problem::new(
                Some(item.span()),
                "fleet",
                "each fleet must be a table",
            ));
            continue;
        };
        let id = match w.string(t, "id", &format!("fleet[{n}]")) {
            Some((id, span)) => {
                if id.is_empty()
                    || !id.chars().all(|c| {
                        c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-'
                    })
                {
                    w.push(
                        Problem::new(
                            Some(span.clone()),
                            "fleet.id",
                            format!("fleet id '{id}' may use only a-z, 0-9, '_' and '-'"),
                        )
                        .help(format!("e.g. id = \"{}\"", sanitize_id(&id))),
                    );
                }
                if let Some(first) = seen.get(&id) {
                    let (line, _) = super::diag::line_col(&w.text, first.start);
                    w.push(
                        Problem::new(
                            Some(span.clone()),
                            "fleet.id",
                            format!("duplicate fleet id '{id}' (line {line} has it too); ids must be unique"),
                        )
                        .help(format!("rename one of them, e.g. id = \"{id}-2\"")),
                    );
                }
                seen.insert(id.clone(), span);
                id
            }
            None => {
                if find(t, "id").is_none() {
                    w.push(
                        Problem::new(
                            Some(item.span()),
                            "fleet.id",
                            format!("missing required key: fleet number {} has no id", n + 1),
                        )
                        .help("e.g. id = \"trn2\": a unique name of a-z, 0-9, '_' and '-'"),
                    );
                }
                format!("fleet{}", n + 1)
            }
        };
        let prefix = format!("fleet.{id}");
        w.spans.insert(prefix.clone(), item.span());
        w.keys(t, &names(params::FLEET, FLEET_OTHER), &prefix);
        let platform = parse_platform(w, t, &prefix);
        let chip = parse_chip(
            w,
            t,
            &prefix,
            catalog,
            item.span(),
            platform.map(|p| p.chip.as_str()),
        );
        if chip.is_none() {
            // Its problem is reported; the chip's figures are unknown, not missing.
            w.covered.insert(format!("{prefix}.chip"));
        }
        let mut fleet = Fleet::new(
            id.clone(),
            chip.unwrap_or_else(|| Chip {
                tdp: 1.0,
                ..Chip::blank("")
            }),
        );
        let mut tmp = inputs_with(fleet.clone());
        keys::set_defaults::<FleetKey>(&mut tmp, 0);
        if let Some(p) = platform {
            // The platform's figures first; the fleet's own keys below win.
            for (name, x) in p.keys() {
                if let Some(k) = FleetKey::from_name(name) {
                    Param::Fleet(0, k).set(&mut tmp, x);
                }
            }
        }
        w.section::<FleetKey>(t, &prefix, &mut tmp, 0);
        fleet = tmp.fleets.pop().expect("one fleet");
        if let Some((name, span)) = w.string(t, "precision", &prefix) {
            fleet.precision = precision_named(w, &name, span, &format!("{prefix}.precision"));
            if fleet.precision.is_none() {
                // Reported: which peak the fleet needs is unknown.
                w.covered.insert(format!("{prefix}.chip"));
            }
        }
        if fleet.rent.is_none() && find(t, "rent").is_some() {
            // A bad rent was reported: whether the fleet is owned is unknown, so do not ask
            // for what an owned fleet needs.
            for k in ["hardware_life", "chip.price", "electricity"] {
                w.covered.insert(format!("{prefix}.{k}"));
            }
        }
        if fleet.mfu.is_nan() && find(t, "mfu").is_none() {
            w.missing(
                Some(item.span()),
                &format!("{prefix}.mfu"),
                "model FLOP utilisation, e.g. mfu = 0.40",
            );
        }
        fleets.push(fleet);
    }
    fleets
}

fn sanitize_id(id: &str) -> String {
    let s: String = id
        .to_lowercase()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    if s.is_empty() {
        "fleet1".into()
    } else {
        s
    }
}

/// An `Inputs` holding one fleet, to reuse `Param::set` while parsing.
fn inputs_with(fleet: Fleet) -> Inputs {
    Inputs::scaffold(
        Workload::new(WorkloadKind::Flops, Precision::Bf16),
        vec![fleet],
    )
}

/// `fleet.platform`: a `data/platforms.csv` row, or `None` (absent or reported unknown).
fn parse_platform(
    w: &mut Walker,
    t: &DeTable,
    prefix: &str,
) -> Option<&'static super::platforms::PlatformRow> {
    let (id, span) = w.string(t, "platform", prefix)?;
    let platforms = super::platforms::Platforms::shipped();
    let row = platforms.get(&id);
    if row.is_none() {
        let ids = platforms.ids();
        let mut p = Problem::new(
            Some(span),
            format!("{prefix}.platform"),
            format!("unknown platform '{id}'"),
        );
        p.help = Some(match did_you_mean(&id, &ids) {
            Some(d) => format!(
                "{d} known: {} (`fleetcost catalog --platforms`)",
                ids.join(", ")
            ),
            None => format!(
                "known: {} (`fleetcost catalog --platforms`), or set chips_per_node, node_power, \
                 node_price, network_price and network_power yourself",
                ids.join(", ")
            ),
        });
        w.push(p);
        // The fleet's chip comes from the platform: unknown, not missing.
        w.covered.insert(format!("{prefix}.chip"));
    }
    row
}

fn parse_chip(
    w: &mut Walker,
    t: &DeTable,
    prefix: &str,
    catalog: &Catalog,
    fleet_span: Range<usize>,
    platform_chip: Option<&str>,
) -> Option<Chip> {
    let path = format!("{prefix}.chip");
    let Some((_, v)) = find(t, "chip") else {
        if let Some(id) = platform_chip {
            return catalog.get(id).map(|row| row.chip());
        }
        if w.covered.contains(&path) {
            return None;
        }
        w.missing(Some(fleet_span), &path, "a catalog id such as \"h100-sxm\" (see `fleetcost catalog`), a platform (fleet.platform, see `fleetcost catalog --platforms`) or an inline [fleet.chip] table");
        return None;
    };
    w.spans.insert(path.clone(), v.span());
    let lookup = |w: &mut Walker, id: &str, span: Range<usize>, key: &str| -> Option<Chip> {
        match catalog.get(id) {
            Some(row) => Some(row.chip()),
            None => {
                let ids = catalog.ids();
                let mut p = Problem::new(Some(span), key, format!("unknown chip '{id}'"));
                p.help = Some(match did_you_mean(id, &ids) {
                    Some(d) => format!("{d} known: {}", ids.join(", ")),
                    None => format!(
                        "known: {} (or give an inline [fleet.chip] table)",
                        ids.join(", ")
                    ),
                });
                w.push(p);
                None
            }
        }
    };
    match v.get_ref() {
        DeValue::String(id) => lookup(w, id, v.span(), &path),
        DeValue::Table(ct) => {
            w.keys(ct, &names(params::CHIP, CHIP_OTHER), &path);
            let mut chip = match w.string(ct, "base", &path) {
                Some((id, span)) => lookup(w, &id, span, &format!("{path}.base"))?,
                None => Chip::blank(""),
            };
            if let Some((name, _)) = w.string(ct, "name", &path) {
                chip.label = name;
            }
            if chip.label.is_empty() {
                chip.label = prefix.trim_start_matches("fleet.").to_string();
            }
            let mut tmp = inputs_with(Fleet {
                mfu: 1.0,
                ..Fleet::new("", chip)
            });
            keys::set_defaults::<ChipKey>(&mut tmp, 0);
            w.section::<ChipKey>(ct, &path, &mut tmp, 0);
            if let Some(pt) = w.table(ct, "peak", &path) {
                let ppath = format!("{path}.peak");
                let precs: Vec<&str> = Precision::ALL.iter().map(|p| p.name()).collect();
                w.keys(pt, &precs, &ppath);
                for p in Precision::ALL {
                    if let Some((_, pv)) = find(pt, p.name()) {
                        let key = format!("{ppath}.{}", p.name());
                        w.spans.insert(key.clone(), pv.span());
                        if let Some(x) = w.value(pv, &params::PEAK, &key) {
                            Param::Peak(0, p).set(&mut tmp, x);
                        }
                    }
                }
            }
            let chip = tmp.fleets.pop().expect("one fleet").chip;
            if chip.tdp.is_nan() {
                if find(ct, "tdp").is_none() {
                    w.missing(
                        Some(v.span()),
                        &format!("{path}.tdp"),
                        "chip power in W, or `base` = a catalog id to start from",
                    );
                }
                return None;
            }
            if chip.peak.iter().all(Option::is_none) && find(ct, "peak").is_none() {
                w.missing(
                    Some(v.span()),
                    &format!("{path}.peak"),
                    "dense TFLOP/s per precision, e.g. peak = { bf16 = 989 }",
                );
                return None;
            }
            Some(chip)
        }
        other => {
            w.push(Problem::new(
                Some(v.span()),
                path,
                format!(
                    "expected a catalog id string or an inline table, found {}",
                    type_name(other)
                ),
            ));
            None
        }
    }
}

pub(super) fn fleet_index(
    w: &mut Walker,
    fleets: &[Fleet],
    id: &str,
    span: Range<usize>,
    key: &str,
) -> Option<usize> {
    match fleets.iter().position(|f| f.id == id) {
        Some(i) => Some(i),
        None => {
            let ids: Vec<&str> = fleets.iter().map(|f| f.id.as_str()).collect();
            let mut p = Problem::new(
                Some(span),
                key,
                format!("'{id}' is not a fleet of this scenario"),
            );
            p.help = Some(match did_you_mean(id, &ids) {
                Some(d) => format!("{d} fleets: {}", ids.join(", ")),
                None => format!("fleets: {}", ids.join(", ")),
            });
            w.push(p);
            None
        }
    }
}

fn parse_compare(w: &mut Walker, root: &DeTable, fleets: &[Fleet]) -> Option<Compare> {
    let mut c = Compare {
        baseline: 0,
        claims: Vec::new(),
    };
    let Some(t) = w.table(root, "compare", "") else {
        return find(root, "compare").is_none().then_some(c);
    };
    w.keys(t, COMPARE, "compare");
    let mut ok = true;
    if let Some((id, span)) = w.string(t, "baseline", "compare") {
        match fleet_index(w, fleets, &id, span, "compare.baseline") {
            Some(i) => c.baseline = i,
            None => ok = false,
        }
    }
    if let Some((_, v)) = find(t, "claim") {
        w.spans.insert("compare.claim".into(), v.span());
        let spec = KeySpec::new("claim", units::ONE, params::Range::POSITIVE, "claim level");
        match v.get_ref() {
            DeValue::Array(items) => {
                for item in items.iter() {
                    match w.value(item, &spec, "compare.claim") {
                        Some(x) => c.claims.push(x),
                        None => ok = false,
                    }
                }
            }
            _ => match w.value(v, &spec, "compare.claim") {
                Some(x) => c.claims.push(x),
                None => ok = false,
            },
        }
    }
    ok.then_some(c)
}

/// `Some(None)` when there is no contract; `None` when it is broken.
fn parse_contract(w: &mut Walker, root: &DeTable, fleets: &[Fleet]) -> Option<Option<Contract>> {
    let Some(t) = w.table(root, "contract", "") else {
        return find(root, "contract").is_none().then_some(None);
    };
    w.keys(t, &names(params::CONTRACT, CONTRACT_OTHER), "contract");
    let span = section_span(w, "contract");
    let fleet = match w.string(t, "fleet", "contract") {
        Some((id, sp)) => fleet_index(w, fleets, &id, sp, "contract.fleet"),
        None => {
            w.missing(
                span.clone(),
                "contract.fleet",
                "the id of the fleet the contract buys",
            );
            None
        }
    };
    let value = w.quantity(t, ContractKey::Value.spec(), "contract");
    let term = w.quantity(t, ContractKey::Term.spec(), "contract");
    if find(t, "value").is_none() {
        w.missing(
            span.clone(),
            "contract.value",
            "USD, e.g. value = \"100e9 USD\"",
        );
    }
    if find(t, "term").is_none() {
        w.missing(span, "contract.term", "years, e.g. term = \"8 yr\"");
    }
    Some(Some(Contract {
        fleet: fleet?,
        value: value?,
        term: term?,
    }))
}

/// One flattened `[uncertainty]` entry: its path, key and value.
type FlatEntry<'a, 'i> = (
    String,
    &'a Spanned<std::borrow::Cow<'i, str>>,
    &'a Spanned<DeValue<'i>>,
);

/// Flattens `[uncertainty]`: quoted dotted keys or nested tables down to `{ dist = ... }`.
fn flatten_dists<'a, 'i>(t: &'a DeTable<'i>, prefix: &str, out: &mut Vec<FlatEntry<'a, 'i>>) {
    for (k, v) in t.iter() {
        let path = join(prefix, k.get_ref());
        if prefix.is_empty() && k.get_ref().as_ref() == "correlations" {
            continue;
        }
        match v.get_ref() {
            DeValue::Table(inner) if find(inner, "dist").is_none() => {
                flatten_dists(inner, &path, out)
            }
            _ => out.push((path, k, v)),
        }
    }
}

fn parse_uncertainty(
    w: &mut Walker,
    root: &DeTable,
    inputs: &Inputs,
) -> (Vec<Uncertain>, Vec<Correlation>) {
    let mut entries = Vec::new();
    let mut correlations = Vec::new();
    let Some(t) = w.table(root, "uncertainty", "") else {
        return (entries, correlations);
    };
    let mut flat = Vec::new();
    flatten_dists(t, "", &mut flat);
    for (path, k, v) in flat {
        let key = format!("uncertainty.\"{path}\"");
        let param = match Param::parse(&path, inputs) {
            Ok(p) if p.is_category() => {
                w.push(
                    Problem::new(
                        Some(k.span()),
                        key,
                        format!("'{path}' is a category (a precision), not a quantity to sample"),
                    )
                    .help("compare precisions with a [[sweep]]: param = \"...precision\", values = [\"bf16\", \"fp8\"]"),
                );
                continue;
            }
            Ok(p) => p,
            Err(msg) => {
                w.push(Problem::new(Some(k.span()), key, msg));
                continue;
            }
        };
        let DeValue::Table(dt) = v.get_ref() else {
            w.push(
                Problem::new(Some(v.span()), key, "expected a distribution table")
                    .help("e.g. { dist = \"triangular\", low = \"8k USD\", mode = \"12k USD\", high = \"18k USD\" }"),
            );
            continue;
        };
        w.keys(dt, DIST_KEYS, &key);
        if let Some(dist) = parse_dist(w, dt, param, &key, v.span()) {
            entries.push(Uncertain {
                path,
                param,
                dist,
                span: v.span(),
            });
        }
    }
    if let Some((_, v)) = find(t, "correlations") {
        w.spans.insert("uncertainty.correlations".into(), v.span());
        let shape = "each correlation is [\"path a\", \"path b\", rho] with -1 < rho < 1";
        match v.get_ref() {
            DeValue::Array(items) => {
                for item in items.iter() {
                    let parsed = match item.get_ref() {
                        DeValue::Array(triple) if triple.len() == 3 => {
                            match (
                                triple[0].get_ref(),
                                triple[1].get_ref(),
                                toml_number(triple[2].get_ref()),
                            ) {
                                (DeValue::String(a), DeValue::String(b), Some(r)) => {
                                    Some((a.to_string(), b.to_string(), r))
                                }
                                _ => None,
                            }
                        }
                        _ => None,
                    };
                    match parsed {
                        Some((a, b, rho)) => correlations.push(Correlation {
                            a,
                            b,
                            rho,
                            span: item.span(),
                        }),
                        None => w.push(
                            Problem::new(
                                Some(item.span()),
                                "uncertainty.correlations",
                                "malformed correlation",
                            )
                            .help(shape),
                        ),
                    }
                }
            }
            _ => w.push(
                Problem::new(
                    Some(v.span()),
                    "uncertainty.correlations",
                    "expected an array",
                )
                .help(shape),
            ),
        }
    }
    (entries, correlations)
}

fn parse_dist(
    w: &mut Walker,
    dt: &DeTable,
    param: Param,
    key: &str,
    span: Range<usize>,
) -> Option<DistSpec> {
    let spec = param.spec();
    let kind = match w.string(dt, "dist", key) {
        Some((s, _)) => s,
        None => {
            w.missing(
                Some(span),
                &format!("{key}.dist"),
                "fixed, uniform, triangular, pert, normal or lognormal",
            );
            return None;
        }
    };
    // Bounds are read in the parameter's unit; range checks apply to them (MODEL.md 6).
    let get = |w: &mut Walker, field: &str| -> Option<f64> {
        match find(dt, field) {
            Some((_, v)) => w.value(v, spec, &format!("{key}.{field}")),
            None => {
                w.missing(
                    Some(span.clone()),
                    &format!("{key}.{field}"),
                    &format!("the {kind} distribution needs {field}"),
                );
                None
            }
        }
    };
    let d = match kind.as_str() {
        "fixed" => DistSpec::Fixed {
            value: get(w, "value")?,
        },
        "uniform" => DistSpec::Uniform {
            low: get(w, "low")?,
            high: get(w, "high")?,
        },
        "triangular" => DistSpec::Triangular {
            low: get(w, "low")?,
            mode: get(w, "mode")?,
            high: get(w, "high")?,
        },
        "pert" => DistSpec::Pert {
            low: get(w, "low")?,
            mode: get(w, "mode")?,
            high: get(w, "high")?,
        },
        "normal" => {
            let mean = get(w, "mean")?;
            let sd = match find(dt, "sd") {
                Some((_, v)) => {
                    let sd_spec = KeySpec {
                        range: params::Range::NON_NEGATIVE,
                        ..*spec
                    };
                    w.value(v, &sd_spec, &format!("{key}.sd"))?
                }
                None => {
                    w.missing(
                        Some(span.clone()),
                        &format!("{key}.sd"),
                        "the normal distribution needs sd",
                    );
                    return None;
                }
            };
            DistSpec::Normal { mean, sd }
        }
        "lognormal" => DistSpec::LogNormal {
            p5: get(w, "p5")?,
            p95: get(w, "p95")?,
        },
        other => {
            let kinds = [
                "fixed",
                "uniform",
                "triangular",
                "pert",
                "normal",
                "lognormal",
            ];
            // Other names for the same shapes.
            let alias = match other.to_lowercase().replace(['-', '_', ' '], "").as_str() {
                "gaussian" | "gauss" => Some("normal"),
                "lognorm" | "loggaussian" => Some("lognormal"),
                "triangle" | "tri" => Some("triangular"),
                "betapert" => Some("pert"),
                "constant" | "const" | "point" => Some("fixed"),
                "flat" | "rectangular" => Some("uniform"),
                _ => None,
            };
            let help = match alias {
                Some(a) => format!("did you mean '{a}'?"),
                None => did_you_mean(other, &kinds)
                    .unwrap_or_else(|| format!("use one of {}", kinds.join(", "))),
            };
            w.push(
                Problem::new(
                    Some(span),
                    format!("{key}.dist"),
                    format!("unknown distribution '{other}'"),
                )
                .help(help),
            );
            return None;
        }
    };
    if let Some(msg) = d.order_problem() {
        let show = |x: f64| units::display(x, &spec.unit);
        let values = match d {
            DistSpec::Uniform { low, high } => format!("low {}, high {}", show(low), show(high)),
            DistSpec::Triangular { low, mode, high } | DistSpec::Pert { low, mode, high } => {
                format!(
                    "low {}, mode {}, high {}",
                    show(low),
                    show(mode),
                    show(high)
                )
            }
            DistSpec::LogNormal { p5, p95 } => format!("p5 {}, p95 {}", show(p5), show(p95)),
            _ => String::new(),
        };
        let msg = match msg.split_once(';') {
            Some((head, tail)) => format!("{head} (got {values});{tail}"),
            None => format!("{msg} (got {values})"),
        };
        w.push(Problem::new(Some(span), key, msg));
        return None;
    }
    Some(d)
}

/// A [[sweep]] over a precision: `values = ["bf16", "fp8"]` (names, in the grid's order, each
/// once), and none of from, to, steps, scale.
fn category_axis(
    w: &mut Walker,
    t: &DeTable,
    span: Range<usize>,
    path: &str,
    param: Param,
    inputs: &Inputs,
) -> Option<SweepAxis> {
    for field in ["from", "to", "steps", "scale"] {
        if let Some((k, _)) = find(t, field) {
            w.push(
                Problem::new(
                    Some(k.span()),
                    format!("sweep.{field}"),
                    format!("'{path}' is a category: it takes `values`, not `{field}`"),
                )
                .help("e.g. values = [\"bf16\", \"fp8\"]"),
            );
            return None;
        }
    }
    let Some((k, v)) = find(t, "values") else {
        w.missing(
            Some(span),
            "sweep.values",
            "the precisions to compare, e.g. values = [\"bf16\", \"fp8\"]",
        );
        return None;
    };
    let DeValue::Array(items) = v.get_ref() else {
        w.push(
            Problem::new(
                Some(v.span()),
                "sweep.values",
                "expected a list of precision names",
            )
            .help("e.g. values = [\"bf16\", \"fp8\"]"),
        );
        return None;
    };
    let mut values: Vec<f64> = Vec::new();
    for item in items.iter() {
        let DeValue::String(name) = item.get_ref() else {
            w.push(
                Problem::new(
                    Some(item.span()),
                    "sweep.values",
                    "expected a precision name",
                )
                .help("e.g. values = [\"bf16\", \"fp8\"]"),
            );
            return None;
        };
        let p = precision_named(w, name, item.span(), "sweep.values")?;
        // Every fleet that would run it must have the figure.
        let runs_it = |i: usize| match param {
            Param::Precision(Some(j)) => i == j,
            _ => inputs.fleets[i].precision.is_none(),
        };
        if let Some(f) = (0..inputs.fleets.len())
            .filter(|&i| runs_it(i))
            .map(|i| &inputs.fleets[i])
            .find(|f| f.chip.peak[p.index()].is_none())
        {
            w.push(
                Problem::new(
                    Some(item.span()),
                    "sweep.values",
                    format!(
                        "fleet '{}' would run {name}, but its chip '{}' has no {name} figure; it supports {}",
                        f.id,
                        f.chip.label,
                        f.chip.supported()
                    ),
                )
                .help("list only precisions the chip supports, or give the figure in the fleet's chip peak table"),
            );
            return None;
        }
        let x = p.index() as f64;
        if values.contains(&x) {
            w.push(Problem::new(
                Some(item.span()),
                "sweep.values",
                format!("'{name}' is listed twice"),
            ));
            return None;
        }
        values.push(x);
    }
    if values.len() < 2 {
        w.push(
            Problem::new(
                Some(k.span()),
                "sweep.values",
                format!("a sweep needs at least 2 values (got {})", values.len()),
            )
            .help("e.g. values = [\"bf16\", \"fp8\"]"),
        );
        return None;
    }
    Some(SweepAxis {
        path: path.to_string(),
        param,
        from: values[0],
        to: values[values.len() - 1],
        steps: values.len(),
        log: false,
        span,
        categories: Some(values),
    })
}

fn parse_sweeps(w: &mut Walker, root: &DeTable, inputs: &Inputs) -> Vec<SweepAxis> {
    let mut axes = Vec::new();
    let Some((k, v)) = find(root, "sweep") else {
        return axes;
    };
    let DeValue::Array(items) = v.get_ref() else {
        w.push(Problem::new(
            Some(k.span()),
            "sweep",
            "`sweep` must be an array of tables: write [[sweep]]",
        ));
        return axes;
    };
    for item in items.iter() {
        let DeValue::Table(t) = item.get_ref() else {
            w.push(Problem::new(
                Some(item.span()),
                "sweep",
                "each sweep must be a table",
            ));
            continue;
        };
        w.keys(t, SWEEP, "sweep");
        let Some((path, pspan)) = w.string(t, "param", "sweep") else {
            if find(t, "param").is_none() {
                w.missing(
                    Some(item.span()),
                    "sweep.param",
                    "the parameter path to vary, e.g. \"fleet.trn2.chip.price\"",
                );
            }
            continue;
        };
        let param = match Param::parse(&path, inputs) {
            Ok(p) => p,
            Err(msg) => {
                w.push(Problem::new(Some(pspan), "sweep.param", msg));
                continue;
            }
        };
        if param.is_category() {
            if let Some(axis) = category_axis(w, t, item.span(), &path, param, inputs) {
                axes.push(axis);
            }
            continue;
        }
        if let Some((k, _)) = find(t, "values") {
            w.push(
                Problem::new(
                    Some(k.span()),
                    "sweep.values",
                    format!("`values` lists the categories of a precision; '{path}' is a quantity"),
                )
                .help("sweep a quantity with from, to and steps (and scale = \"log\" if you like)"),
            );
            continue;
        }
        let spec = param.spec();
        let bound = |w: &mut Walker, field: &str| match find(t, field) {
            Some((_, v)) => w.value(v, spec, &format!("sweep.{field}")),
            None => {
                w.missing(
                    Some(item.span()),
                    &format!("sweep.{field}"),
                    "the grid's end, in the parameter's unit",
                );
                None
            }
        };
        let from = bound(w, "from");
        let to = bound(w, "to");
        let steps_spec = KeySpec::new(
            "steps",
            units::ONE,
            params::Range {
                min: 2.0,
                min_open: false,
                max: MAX_SWEEP_POINTS,
                integer: true,
            },
            "grid points",
        );
        let steps = match find(t, "steps") {
            Some((_, v)) => {
                let steps = w.value(v, &steps_spec, "sweep.steps");
                if steps.is_none() {
                    let given = toml_number(v.get_ref());
                    if let Some(p) = w.problems.last_mut().filter(|p| p.key == "sweep.steps") {
                        match given {
                            Some(n) if n < 2.0 => {
                                p.message = format!("a sweep needs at least 2 steps (got {n})")
                            }
                            Some(n) if n > MAX_SWEEP_POINTS => {
                                p.message = format!(
                                    "a sweep has at most {} steps (got {n})",
                                    units::format::fmt_thousands(MAX_SWEEP_POINTS, 0)
                                )
                            }
                            _ => {}
                        }
                        p.help = Some(
                            "steps counts the grid's points, both ends included: 2 gives just from and to"
                                .into(),
                        );
                    }
                }
                steps
            }
            None => {
                w.missing(
                    Some(item.span()),
                    "sweep.steps",
                    "number of grid points >= 2, both ends included",
                );
                None
            }
        };
        let log = match w.string(t, "scale", "sweep") {
            None => Some(false),
            Some((s, sp)) => match s.as_str() {
                "linear" => Some(false),
                "log" => Some(true),
                other => {
                    w.push(
                        Problem::new(Some(sp), "sweep.scale", format!("unknown scale '{other}'"))
                            .help("use \"linear\" or \"log\""),
                    );
                    None
                }
            },
        };
        if let (Some(from), Some(to), Some(steps), Some(log)) = (from, to, steps, log) {
            if log && (from <= 0.0 || to <= 0.0) {
                let (end, value) = if from <= 0.0 {
                    ("from", from)
                } else {
                    ("to", to)
                };
                let at = find(t, end).map(|(_, v)| v.span());
                w.push(
                    Problem::new(
                        at.or(Some(item.span())),
                        format!("sweep.{end}"),
                        format!(
                            "a log scale needs from and to above 0 (got {end} = {})",
                            units::display(value, &spec.unit)
                        ),
                    )
                    .help("start the grid above 0, or use scale = \"linear\""),
                );
                continue;
            }
            axes.push(SweepAxis {
                path,
                param,
                from,
                to,
                steps: steps as usize,
                log,
                span: item.span(),
                categories: None,
            });
        }
    }
    let points: f64 = axes.iter().map(|a| a.steps as f64).product();
    if axes.len() == 2 && points > MAX_SWEEP_POINTS {
        w.push(
            Problem::new(
                Some(v.span()),
                "sweep.steps",
                format!(
                    "the grid has {} x {} = {} points; at most {} are computed",
                    axes[0].steps,
                    axes[1].steps,
                    units::format::fmt_thousands(points, 0),
                    units::format::fmt_thousands(MAX_SWEEP_POINTS, 0)
                ),
            )
            .help("use fewer steps on one axis or both"),
        );
    }
    if axes.len() > 2 {
        w.push(Problem::new(
            Some(v.span()),
            "sweep",
            format!(
                "{} [[sweep]] entries: one gives a line, two a grid; more are not supported",
                axes.len()
            ),
        ));
    }
    axes
}
