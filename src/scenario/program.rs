//! `[[program]]` blocks (MODEL.md section 8): tranches of capacity coming online over the
//! horizon, and the contract that pays for them; `compare.baseline_program`. Read after the
//! fleets (a tranche names one) and checked against the horizon in [`rules`].

use super::diag::Problem;
use super::keys::{ProgramContractKey, TrancheKey};
use super::params::{self, KeySpec};
use super::parse::{did_you_mean, find, fleet_index, names, type_name, Walker};
use crate::model::{
    Finance, Fleet, Inputs, Payments, Program, ProgramContract, Tranche, TrancheSize,
};
use crate::units::{self, SECONDS_PER_YEAR};
use std::collections::HashMap;
use std::ops::Range;
use toml::de::{DeTable, DeValue};

/// `[[program]]` keys that are not quantities.
pub(crate) const PROGRAM_OTHER: &[&str] = &["id", "tranches", "contract"];
/// A tranche's keys that are not quantities.
pub(crate) const TRANCHE_OTHER: &[&str] = &["fleet"];
/// `[program.contract]` keys that are not quantities.
pub(crate) const PROGRAM_CONTRACT_OTHER: &[&str] = &["payments"];

/// A missing key, unless a misspelt key already reported was probably meant to be it.
fn missing(w: &mut Walker, span: Option<Range<usize>>, path: &str, what: &str) {
    if !w.covered.contains(path) {
        w.missing(span, path, what);
    }
}

/// Yearly payments must sum to the value within this relative tolerance.
const SUM_TOLERANCE: f64 = 1e-6;

/// The `[[program]]` blocks and the index of the baseline program; `None` when one is broken
/// (its problems are in `w`).
pub(super) fn parse_programs(
    w: &mut Walker,
    root: &DeTable,
    fleets: &[Fleet],
    finance: Option<&Finance>,
) -> Option<(Vec<Program>, usize)> {
    let mut ok = true;
    let mut programs = Vec::new();
    if let Some((k, v)) = find(root, "program") {
        match v.get_ref() {
            DeValue::Array(items) => {
                let mut seen: HashMap<String, Range<usize>> = HashMap::new();
                for (n, item) in items.iter().enumerate() {
                    let DeValue::Table(t) = item.get_ref() else {
                        w.push(Problem::new(
                            Some(item.span()),
                            "program",
                            "each program must be a table: write [[program]]",
                        ));
                        ok = false;
                        continue;
                    };
                    match parse_program(w, t, item.span(), n, fleets, finance, &mut seen) {
                        Some(p) => programs.push(p),
                        None => ok = false,
                    }
                }
            }
            _ => {
                w.push(Problem::new(
                    Some(k.span()),
                    "program",
                    "`program` must be an array of tables: write [[program]], not [program]",
                ));
                ok = false;
            }
        }
    }
    let baseline = baseline_program(w, root, &programs);
    (ok && baseline.is_some()).then(|| (programs, baseline.unwrap_or(0)))
}

/// `compare.baseline_program`: the index of the program named, 0 when absent.
fn baseline_program(w: &mut Walker, root: &DeTable, programs: &[Program]) -> Option<usize> {
    let Some((_, v)) = find(root, "compare") else {
        return Some(0);
    };
    let DeValue::Table(t) = v.get_ref() else {
        return Some(0); // reported with [compare]
    };
    let Some((id, span)) = w.string(t, "baseline_program", "compare") else {
        return find(t, "baseline_program").is_none().then_some(0);
    };
    if let Some(i) = programs.iter().position(|p| p.id == id) {
        return Some(i);
    }
    let ids: Vec<&str> = programs.iter().map(|p| p.id.as_str()).collect();
    let mut p = Problem::new(
        Some(span),
        "compare.baseline_program",
        format!("'{id}' is not a program of this scenario"),
    );
    p.help = Some(if ids.is_empty() {
        "add a [[program]] with that id, or remove baseline_program".into()
    } else {
        match did_you_mean(&id, &ids) {
            Some(d) => format!("{d} programs: {}", ids.join(", ")),
            None => format!("programs: {}", ids.join(", ")),
        }
    });
    w.push(p);
    None
}

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
}

fn parse_program(
    w: &mut Walker,
    t: &DeTable,
    span: Range<usize>,
    n: usize,
    fleets: &[Fleet],
    finance: Option<&Finance>,
    seen: &mut HashMap<String, Range<usize>>,
) -> Option<Program> {
    let mut ok = true;
    let id = match w.string(t, "id", &format!("program[{n}]")) {
        Some((id, id_span)) => {
            if !valid_id(&id) {
                w.push(
                    Problem::new(
                        Some(id_span.clone()),
                        "program.id",
                        format!("program id '{id}' may use only a-z, 0-9, '_' and '-'"),
                    )
                    .help("e.g. id = \"aws-openai\""),
                );
                ok = false;
            }
            if let Some(first) = seen.get(&id) {
                let (line, _) = super::diag::line_col(&w.text, first.start);
                w.push(
                    Problem::new(
                        Some(id_span.clone()),
                        "program.id",
                        format!(
                            "duplicate program id '{id}' (line {line} has it too); ids must be unique"
                        ),
                    )
                    .help(format!("rename one of them, e.g. id = \"{id}-2\"")),
                );
                ok = false;
            }
            seen.insert(id.clone(), id_span);
            id
        }
        None => {
            if find(t, "id").is_none() {
                w.push(
                    Problem::new(
                        Some(span.clone()),
                        "program.id",
                        format!("missing required key: program number {} has no id", n + 1),
                    )
                    .help("e.g. id = \"aws-openai\": a unique name of a-z, 0-9, '_' and '-'"),
                );
            }
            return None;
        }
    };
    let prefix = format!("program.{id}");
    w.spans.insert(prefix.clone(), span.clone());
    w.keys(t, PROGRAM_OTHER, &prefix);
    let tranches = parse_tranches(w, t, &prefix, span, fleets);
    let contract = match w.table(t, "contract", &prefix) {
        Some(ct) => parse_contract(w, ct, &prefix, finance).map(Some),
        None => find(t, "contract").is_none().then_some(None),
    };
    let (Some(tranches), Some(contract), true) = (tranches, contract, ok) else {
        return None;
    };
    Some(Program {
        id,
        tranches,
        contract,
    })
}

fn parse_tranches(
    w: &mut Walker,
    t: &DeTable,
    prefix: &str,
    span: Range<usize>,
    fleets: &[Fleet],
) -> Option<Vec<Tranche>> {
    let path = format!("{prefix}.tranches");
    let example = "e.g. tranches = [{ fleet = \"trn2\", start = \"0 yr\", power = \"0.5 GW\" }]";
    let Some((_, v)) = find(t, "tranches") else {
        missing(
            w,
            Some(span),
            &path,
            &format!("the capacity the program brings online: {example}"),
        );
        return None;
    };
    w.spans.insert(path.clone(), v.span());
    let DeValue::Array(items) = v.get_ref() else {
        w.push(
            Problem::new(
                Some(v.span()),
                path,
                format!(
                    "expected an array of tables, found {}",
                    type_name(v.get_ref())
                ),
            )
            .help(example),
        );
        return None;
    };
    if items.is_empty() {
        w.push(
            Problem::new(Some(v.span()), path, "a program needs at least one tranche")
                .help(example),
        );
        return None;
    }
    let mut ok = true;
    let mut out = Vec::new();
    for (j, item) in items.iter().enumerate() {
        let tp = format!("{path}.{j}");
        w.spans.insert(tp.clone(), item.span());
        let DeValue::Table(tt) = item.get_ref() else {
            w.push(
                Problem::new(
                    Some(item.span()),
                    tp,
                    format!("expected a table, found {}", type_name(item.get_ref())),
                )
                .help(example),
            );
            ok = false;
            continue;
        };
        w.keys(tt, &names(params::TRANCHE, TRANCHE_OTHER), &tp);
        let fleet = match w.string(tt, "fleet", &tp) {
            Some((id, sp)) => fleet_index(w, fleets, &id, sp, &format!("{tp}.fleet")),
            None => {
                if find(tt, "fleet").is_none() {
                    missing(
                        w,
                        Some(item.span()),
                        &format!("{tp}.fleet"),
                        "the id of the [[fleet]] whose chips the tranche adds, e.g. fleet = \"trn2\"",
                    );
                }
                None
            }
        };
        let start = match find(tt, "start") {
            Some(_) => w.quantity(tt, TrancheKey::Start.spec(), &tp),
            None => TrancheKey::Start.spec().default,
        };
        let power = w.quantity(tt, TrancheKey::Power.spec(), &tp);
        let chips = w
            .quantity(tt, TrancheKey::Chips.spec(), &tp)
            .map(f64::round);
        let size = match (find(tt, "power"), find(tt, "chips")) {
            (Some(_), Some((_, cv))) => {
                w.push(
                    Problem::new(
                        Some(cv.span()),
                        format!("{tp}.chips"),
                        "a tranche has power or chips, not both",
                    )
                    .help("keep one: power is sized to whole nodes (section 2), chips is a count"),
                );
                None
            }
            (Some(_), None) => power.map(TrancheSize::Power),
            (None, Some(_)) => chips.map(TrancheSize::Chips),
            (None, None) => {
                missing(
                    w,
                    Some(item.span()),
                    &format!("{tp}.power"),
                    "the tranche's size: power = \"0.5 GW\" or chips = 100000",
                );
                None
            }
        };
        match (fleet, start, size) {
            (Some(fleet), Some(start), Some(size)) => out.push(Tranche { fleet, start, size }),
            _ => ok = false,
        }
    }
    ok.then_some(out)
}

fn parse_contract(
    w: &mut Walker,
    t: &DeTable,
    prefix: &str,
    finance: Option<&Finance>,
) -> Option<ProgramContract> {
    let path = format!("{prefix}.contract");
    w.keys(
        t,
        &names(params::PROGRAM_CONTRACT, PROGRAM_CONTRACT_OTHER),
        &path,
    );
    let span = w.spans.get(&path).cloned();
    let value = w.quantity(t, ProgramContractKey::Value.spec(), &path);
    if find(t, "value").is_none() {
        missing(
            w,
            span.clone(),
            &format!("{path}.value"),
            "USD, e.g. value = \"100e9 USD\"",
        );
    }
    let start = match find(t, "start") {
        Some(_) => w.quantity(t, ProgramContractKey::Start.spec(), &path),
        None => ProgramContractKey::Start.spec().default,
    };
    let term_given = find(t, "term").is_some();
    let term = w.quantity(t, ProgramContractKey::Term.spec(), &path);
    let payments = parse_payments(w, t, &path)?;
    let value = value?;
    let start = start?;
    if term_given && term.is_none() {
        return None;
    }
    let term = match (&payments, term) {
        (Payments::Yearly(list), given) => {
            let years = list.len() as f64 * SECONDS_PER_YEAR;
            if let Some(given) = given {
                if (given - years).abs() > 1e-9 * years {
                    w.push(
                        Problem::new(
                            w.spans.get(&format!("{path}.term")).cloned(),
                            format!("{path}.term"),
                            format!(
                                "the term is {} but the yearly payments cover {} year(s)",
                                units::display(given, &units::YR),
                                list.len()
                            ),
                        )
                        .help("a yearly list sets the term (one entry per year): remove term, or give one amount per year"),
                    );
                    return None;
                }
            }
            let sum: f64 = list.iter().sum();
            if (sum - value).abs() > SUM_TOLERANCE * value {
                w.push(
                    Problem::new(
                        w.spans.get(&format!("{path}.payments")).cloned(),
                        format!("{path}.payments"),
                        format!(
                            "the yearly payments sum to {}, not the contract's value {}",
                            units::display(sum, &units::USD),
                            units::display(value, &units::USD)
                        ),
                    )
                    .help(format!(
                        "make the amounts sum to value, set value = \"{}\", or write payments = \"even\"",
                        units::display(sum, &units::USD)
                    )),
                );
                return None;
            }
            years
        }
        (Payments::Even, Some(term)) => term,
        // The term defaults to the horizon (as the file gives it).
        (Payments::Even, None) => finance?.horizon,
    };
    Some(ProgramContract {
        value,
        start,
        term,
        payments,
    })
}

/// `payments`: "even" (the default) or a list of yearly amounts in USD.
fn parse_payments(w: &mut Walker, t: &DeTable, path: &str) -> Option<Payments> {
    let key = format!("{path}.payments");
    let Some((_, v)) = find(t, "payments") else {
        return Some(Payments::Even);
    };
    w.spans.insert(key.clone(), v.span());
    let help = "payments = \"even\" (value / term a year) or a list of yearly amounts, e.g. \
                payments = [\"10e9 USD\", \"15e9 USD\", \"15e9 USD\"]";
    match v.get_ref() {
        DeValue::String(s) if s.as_ref() == "even" => Some(Payments::Even),
        DeValue::Array(items) if !items.is_empty() => {
            let spec = KeySpec::new(
                "payments",
                units::USD,
                params::Range::NON_NEGATIVE,
                "a yearly payment",
            );
            let mut list = Vec::with_capacity(items.len());
            let mut ok = true;
            for item in items.iter() {
                match w.value(item, &spec, &key) {
                    Some(x) => list.push(x),
                    None => ok = false,
                }
            }
            ok.then_some(Payments::Yearly(list))
        }
        other => {
            let found = match other {
                DeValue::String(s) => format!("\"{s}\""),
                DeValue::Array(_) => "an empty list".into(),
                o => type_name(o).into(),
            };
            w.push(
                Problem::new(
                    Some(v.span()),
                    key,
                    format!("payments must be \"even\" or a list of yearly amounts (got {found})"),
                )
                .help(help),
            );
            None
        }
    }
}

/// Cross-key rules of programs, as (key, message, help): a tranche that starts at or after the
/// horizon would never come online. Checked after parsing and again after `--set`.
pub fn rules(x: &Inputs) -> Vec<(String, String, Option<String>)> {
    let mut out = Vec::new();
    let h = x.finance.horizon;
    for p in &x.programs {
        for (j, t) in p.tranches.iter().enumerate() {
            if t.start >= h * (1.0 - 1e-12) {
                out.push((
                    format!("program.{}.tranches.{j}.start", p.id),
                    format!(
                        "tranche {j} (fleet '{}') starts at {}, at or after the horizon ({}): it would never come online",
                        x.fleets[t.fleet].id,
                        units::display(t.start, &units::YR),
                        units::display(h, &units::YR)
                    ),
                    Some(format!(
                        "start it before {} (e.g. start = \"{}\"), or lengthen finance.horizon",
                        units::display(h, &units::YR),
                        units::display((h / SECONDS_PER_YEAR - 1.0).max(0.0).floor() * SECONDS_PER_YEAR, &units::YR)
                    )),
                ));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::Scenario;
    use crate::model::{Payments, TrancheSize};
    use crate::units::SECONDS_PER_YEAR;

    fn fixture() -> String {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        std::fs::read_to_string(root.join("tests/fixtures/program.toml")).unwrap()
    }

    /// The fixture's programs as written: fleets by index, chips, defaults (start 0, even
    /// payments, term = the horizon of 2 yr), the baseline program by id, the GPU's decline.
    #[test]
    fn programs_parse_with_their_defaults() {
        let s = Scenario::from_str("program.toml", &fixture())
            .unwrap_or_else(|e| panic!("{}", e.render()));
        let x = &s.inputs;
        assert_eq!(x.programs.len(), 2);
        let (trn, gpu) = (&x.programs[0], &x.programs[1]);
        assert_eq!(trn.id, "trn-program");
        assert_eq!(trn.tranches[0].fleet, 0);
        assert_eq!(trn.tranches[0].size, TrancheSize::Chips(1.0));
        assert_eq!(gpu.tranches[0].fleet, 1);
        assert_eq!(gpu.tranches[0].start, 0.0);
        let c = trn.contract.as_ref().unwrap();
        assert_eq!(
            (c.value, c.start, c.payments.clone()),
            (1450.0, 0.0, Payments::Even)
        );
        assert_eq!(c.term, 2.0 * SECONDS_PER_YEAR);
        assert!(gpu.contract.is_none());
        assert_eq!(x.baseline_program, 1);
        assert_eq!(x.fleets[1].price_decline, 0.2);
        assert_eq!(x.fleets[0].price_decline, 0.0);
    }

    /// A yearly list sets the term (its length); power tranches keep their power; the resolved
    /// file reads back to the same inputs.
    #[test]
    fn yearly_payments_and_the_resolved_file() {
        let text = fixture().replace(
            "payments = \"even\"",
            "payments = [\"450 USD\", \"1000 USD\"]",
        ).replace(
            "tranches = [{ fleet = \"gpu\", chips = 1 }]",
            "tranches = [{ fleet = \"gpu\", chips = 1 }, { fleet = \"trn\", start = \"0.5 yr\", power = \"3 kW\" }]",
        );
        let s = Scenario::from_str("p.toml", &text).unwrap_or_else(|e| panic!("{}", e.render()));
        let c = s.inputs.programs[0].contract.as_ref().unwrap();
        assert_eq!(c.payments, Payments::Yearly(vec![450.0, 1000.0]));
        assert_eq!(c.term, 2.0 * SECONDS_PER_YEAR);
        let t = &s.inputs.programs[1].tranches[1];
        assert_eq!(
            (t.start, t.size),
            (0.5 * SECONDS_PER_YEAR, TrancheSize::Power(3000.0))
        );
        let resolved = super::super::resolve::to_toml(&s);
        let again = Scenario::from_str("resolved.toml", &resolved)
            .unwrap_or_else(|e| panic!("{}\n{resolved}", e.render()));
        assert_eq!(again.inputs, s.inputs, "{resolved}");
    }

    /// A term that disagrees with the yearly list, a bad payments word, a program without
    /// tranches and an unknown baseline program are refused, each at its key.
    #[test]
    fn contract_and_program_mistakes_are_refused_at_their_key() {
        let cases = [
            (
                fixture().replace(
                    "payments = \"even\"",
                    "payments = [\"725 USD\", \"725 USD\"]\nterm = \"3 yr\"",
                ),
                "program.trn-program.contract.term",
                "cover 2 year(s)",
            ),
            (
                fixture().replace("payments = \"even\"", "payments = \"monthly\""),
                "program.trn-program.contract.payments",
                "must be \"even\" or a list",
            ),
            (
                fixture().replace(
                    "tranches = [{ fleet = \"gpu\", chips = 1 }]",
                    "tranches = []",
                ),
                "program.gpu-program.tranches",
                "at least one tranche",
            ),
            (
                fixture().replace(
                    "baseline_program = \"gpu-program\"",
                    "baseline_program = \"gpu-progam\"",
                ),
                "compare.baseline_program",
                "did you mean 'gpu-program'?",
            ),
        ];
        for (text, key, words) in cases {
            let e = Scenario::from_str("p.toml", &text).unwrap_err();
            let r = e.render();
            assert!(e.problems.iter().any(|p| p.key == key), "{key}: {r}");
            assert!(r.contains(words), "{words}: {r}");
        }
    }
}
