//! Rules that span several keys (MODEL.md section 1's "required unless" column, precisions,
//! correlations), and the model's own refusals (a budget below one node, a batch that does not
//! fit, a figure that overflows), reported as problems with the location of the key at fault.

use super::diag::Problem;
use super::params::{self, Param};
use super::{Catalog, Scenario};
use crate::analysis::copula::{Copula, CopulaError};
use crate::model::{self, ModelError, WorkloadKind};
use crate::units;
use std::collections::HashSet;
use std::ops::Range;

/// Hardware bought more often than this over the horizon is refused (a life typed in the
/// wrong unit, e.g. `hardware_life = 5` read as years is fine but "5 h" is not a plan).
pub const MAX_PURCHASES: f64 = 10_000.0;

/// A parameter count as scenarios write it: "671e9", "37e9", "0.5e9".
fn billions(x: f64) -> String {
    format!("{}e9", x / 1e9)
}

/// Every cross-key problem of `s` (empty when it is fine).
pub fn check(s: &Scenario) -> Vec<Problem> {
    check_after(s, &HashSet::new())
}

/// Whether a problem on key `k` follows from one already reported on `c` (the same key, or
/// one inside the other: a bad `fleet.h100.chip` explains a missing `fleet.h100.chip.price`).
fn related(k: &str, c: &str) -> bool {
    k == c
        || (k.starts_with(c) && k[c.len()..].starts_with('.'))
        || (c.starts_with(k) && c[k.len()..].starts_with('.'))
}

/// The cross-key problems of `s`, leaving out those that follow from problems already
/// reported on the keys in `covered` (parsing found them). The model is evaluated only when
/// nothing else is wrong, so its refusals never repeat an earlier problem.
pub fn check_after(s: &Scenario, covered: &HashSet<String>) -> Vec<Problem> {
    let x = &s.inputs;
    let mut out = Vec::new();
    if x.fleets.is_empty() {
        return out;
    }
    let span = |key: &str| -> Option<Range<usize>> {
        s.spans.get(key).cloned().or_else(|| {
            // Fall back to the nearest enclosing table that has a span.
            let mut k = key;
            while let Some((head, _)) = k.rsplit_once('.') {
                if let Some(sp) = s.spans.get(head) {
                    return Some(sp.clone());
                }
                k = head;
            }
            None
        })
    };
    let mut push = |key: String, msg: String, help: Option<String>| {
        if covered.iter().any(|c| related(&key, c)) {
            return;
        }
        let mut p = Problem::new(span(&key), key, msg);
        p.help = help;
        out.push(p);
    };
    if x.site.power.is_none() && x.fleets.iter().any(|f| f.chips.is_none()) {
        push(
            "site.power".into(),
            "missing required key (the power budget each fleet is sized to)".into(),
            Some(
                "e.g. power = \"2 GW\"; it may be left out only when every fleet sets `chips`"
                    .into(),
            ),
        );
    }
    let wl = &x.workload;
    let needed: &[(&str, Option<f64>)] = match wl.kind {
        WorkloadKind::Flops => &[],
        WorkloadKind::Training => &[("model_params", wl.model_params)],
        WorkloadKind::Inference => &[
            ("model_params", wl.model_params),
            ("layers", wl.layers),
            ("kv_heads", wl.kv_heads),
            ("head_dim", wl.head_dim),
            ("weight_bytes", wl.weight_bytes),
            ("kv_bytes", wl.kv_bytes),
        ],
    };
    let missing: Vec<&str> = needed
        .iter()
        .filter(|(k, v)| {
            v.is_none() && !covered.iter().any(|c| related(&format!("workload.{k}"), c))
        })
        .map(|(k, _)| *k)
        .collect();
    match missing.as_slice() {
        [] => {}
        [k] => push(
            format!("workload.{k}"),
            format!(
                "missing required key (the {} workload needs it)",
                wl.kind.name()
            ),
            Some(format!("e.g. {k} = {}", params::example(k))),
        ),
        ks => push(
            "workload".into(),
            format!(
                "missing required keys {} (the {} workload needs them)",
                ks.join(", "),
                wl.kind.name()
            ),
            Some(format!(
                "e.g. {}",
                ks.iter()
                    .map(|k| format!("{k} = {}", params::example(k)))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        ),
    }
    if let (Some(pa), Some(p)) = (wl.active_params, wl.model_params) {
        if pa > p {
            push(
                "workload.active_params".into(),
                format!(
                    "active_params ({}) is above model_params ({}): a token cannot use more \
                     parameters than the model has",
                    billions(pa),
                    billions(p)
                ),
                Some(
                    "give the parameters used per token (a mixture of experts' active ones, e.g. \
                     active_params = 37e9 for model_params = 671e9), raise model_params to the \
                     total (all experts), or leave it out for a dense model"
                        .into(),
                ),
            );
        }
    }
    if wl.seq_len.is_some() && wl.kind == WorkloadKind::Training {
        let missing: Vec<&str> = [
            ("layers", wl.layers),
            ("heads", wl.heads),
            ("head_dim", wl.head_dim),
        ]
        .iter()
        .filter(|(_, v)| v.is_none())
        .map(|(k, _)| *k)
        .collect();
        if !missing.is_empty() {
            push(
                "workload.seq_len".into(),
                format!(
                    "seq_len adds the attention FLOPs 12 * layers * heads * head_dim * seq_len \
                     per token, and {} {} not given",
                    missing.join(", "),
                    if missing.len() == 1 { "is" } else { "are" }
                ),
                Some(format!(
                    "add {} (the model's shape), or remove seq_len to count 6 * active_params alone",
                    missing
                        .iter()
                        .map(|k| format!("{k} = {}", params::example(k)))
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            );
        }
    }
    if wl.kind == WorkloadKind::Inference {
        serving_rules(wl, &mut push);
    }
    if wl.kind == WorkloadKind::Inference && wl.batch.is_none() && !wl.batch_max {
        push(
            "workload.batch".into(),
            "missing required key (sequences per decode step, or \"max\")".into(),
            Some("e.g. batch = 64, or batch = \"max\" for the most that fit".into()),
        );
    }
    let unpowered: Vec<&str> = x
        .fleets
        .iter()
        .filter(|f| f.rent.is_none() && f.electricity.is_none())
        .filter(|f| !covered.contains(&format!("fleet.{}.electricity", f.id)))
        .map(|f| f.id.as_str())
        .collect();
    if x.site.electricity.is_none() && !unpowered.is_empty() {
        push(
            "site.electricity".into(),
            format!(
                "missing required key (owned fleet{} {} pay{} for energy)",
                if unpowered.len() == 1 { "" } else { "s" },
                unpowered
                    .iter()
                    .map(|id| format!("'{id}'"))
                    .collect::<Vec<_>>()
                    .join(", "),
                if unpowered.len() == 1 { "s" } else { "" },
            ),
            Some(
                "e.g. electricity = \"0.08 USD/kWh\"; it may be left out only when every fleet rents"
                    .into(),
            ),
        );
    }
    for f in &x.fleets {
        let p = format!("fleet.{}", f.id);
        let catalog_row = Catalog::shipped().get(&f.chip.label);
        if f.rent.is_none() {
            if f.hardware_life.is_none() {
                push(
                    format!("{p}.hardware_life"),
                    "missing required key (an owned fleet needs a hardware life)".into(),
                    Some(
                        "e.g. hardware_life = \"5 yr\"; or set `rent` (USD per chip-hour) for a rented fleet"
                            .into(),
                    ),
                );
            }
            if f.chip.price.is_none() {
                let help = match catalog_row {
                    Some(_) => format!(
                        "the catalog has no price for it: chip = {{ base = \"{}\", price = \"25k USD\" }}; or set `rent` for a rented fleet",
                        f.chip.label
                    ),
                    None => "add price = \"25k USD\" (say) to the chip's table; or set `rent` for a rented fleet".into(),
                };
                push(
                    format!("{p}.chip.price"),
                    format!(
                        "chip '{}' has no price, and an owned fleet needs one",
                        f.chip.label
                    ),
                    Some(help),
                );
            }
        }
        let precision = f.precision(wl);
        if f.chip.peak[precision.index()].is_none() {
            let prec = precision.name();
            let supported = f.chip.supported();
            let chip_fix = match catalog_row {
                Some(_) => format!(
                    "chip = {{ base = \"{}\", peak = {{ {prec} = ... }} }} (dense TFLOP/s)",
                    f.chip.label
                ),
                None => format!("add {prec} = ... (dense TFLOP/s) to the chip's peak table"),
            };
            let has = if supported.is_empty() {
                "no precision at all".to_string()
            } else {
                supported.clone()
            };
            // The fleet's own precision is the key at fault when it sets one.
            let (key, msg, fix) = if f.precision.is_some() {
                (
                    format!("{p}.precision"),
                    format!(
                        "fleet '{}' runs {prec} but its chip '{}' has no {prec} figure; it supports {has}",
                        f.id, f.chip.label
                    ),
                    format!(
                        "set precision to one the chip supports ({}), or remove it to run the workload's {}, or give the figure: {chip_fix}",
                        if supported.is_empty() { "none".to_string() } else { supported },
                        wl.precision.name()
                    ),
                )
            } else {
                (
                    format!("{p}.chip"),
                    format!("chip '{}' has no {prec} figure; it supports {has}", f.chip.label),
                    format!(
                        "set workload.precision to a precision every fleet's chip supports, give this fleet its own (precision = \"...\" in its [[fleet]]), or give the figure: {chip_fix}"
                    ),
                )
            };
            push(key, msg, Some(fix));
        }
        if wl.kind == WorkloadKind::Inference {
            for (k, v) in [
                ("chip.hbm", f.chip.hbm),
                ("chip.hbm_bw", f.chip.hbm_bw),
                ("mbu", f.mbu),
            ] {
                if v.is_none() {
                    let name = k.trim_start_matches("chip.");
                    push(
                        format!("{p}.{k}"),
                        "missing required key (an inference workload needs it)".into(),
                        Some(format!("e.g. {name} = {}", params::example(name))),
                    );
                }
            }
        }
        if let (Some(lo), Some(hi)) = (f.chip.price_low, f.chip.price_high) {
            if lo > hi {
                push(
                    format!("{p}.chip.price_low"),
                    "price_low is above price_high; swap them".into(),
                    None,
                );
            }
        }
        if let (Some(life), false) = (f.hardware_life, f.rent.is_some()) {
            purchases(
                &mut push,
                format!("{p}.hardware_life"),
                life,
                x.finance.horizon,
            );
        }
        if let Some(life) = f.facility_life {
            purchases(
                &mut push,
                format!("{p}.facility_life"),
                life,
                x.finance.horizon,
            );
        }
    }
    purchases(
        &mut push,
        "site.facility_life".into(),
        x.site.facility_life,
        x.finance.horizon,
    );
    for (key, msg, help) in super::program::rules(x) {
        push(key, msg, help);
    }
    let mut seen = HashSet::new();
    for a in &s.sweeps {
        if !seen.insert(a.param) {
            push(
                "sweep.param".into(),
                format!("'{}' is swept twice", a.path),
                Some("a second [[sweep]] must vary another parameter (two give a grid)".into()),
            );
        }
    }
    for p in check_uncertainty(s, covered) {
        if !covered.iter().any(|c| related(&p.key, c)) {
            out.push(p);
        }
    }
    if out.is_empty() && covered.is_empty() {
        out.extend(model_problems(s, &span));
    }
    out
}

/// A life so short that the horizon would buy the asset more than [`MAX_PURCHASES`] times.
fn purchases(
    push: &mut impl FnMut(String, String, Option<String>),
    key: String,
    life: f64,
    horizon: f64,
) {
    let n = horizon / life;
    if n > MAX_PURCHASES {
        let asset = if key.ends_with("hardware_life") {
            "hardware"
        } else {
            "facility"
        };
        push(
            key,
            format!(
                "a life of {} over a horizon of {} buys the {} {} times",
                span_of_time(life),
                span_of_time(horizon),
                asset,
                if n < 1e9 {
                    format!("{}", n.ceil())
                } else {
                    format!("{n:.2e}")
                }
            ),
            Some(format!(
                "lives are in years (e.g. \"5 yr\"); at most {MAX_PURCHASES} purchases per horizon are modelled"
            )),
        );
    }
}

/// A time in the largest unit that keeps it at 1 or more: "5 yr", "1 h", "30 s".
fn span_of_time(seconds: f64) -> String {
    let (v, u) = [
        (units::SECONDS_PER_YEAR, "yr"),
        (86400.0, "d"),
        (3600.0, "h"),
        (60.0, "min"),
    ]
    .into_iter()
    .find(|(s, _)| seconds >= *s)
    .map_or((seconds, "s"), |(s, u)| (seconds / s, u));
    if v < 1e-3 {
        return format!("{v:.2e} {u}");
    }
    let v = format!("{v:.3}");
    format!("{} {u}", v.trim_end_matches('0').trim_end_matches('.'))
}

/// The serving workload's rules across keys (MODEL.md section 4): a sequence length,
/// `heads` with a prefill, a consistent mixture of experts, speculation with its acceptance.
fn serving_rules(
    wl: &crate::model::Workload,
    push: &mut impl FnMut(String, String, Option<String>),
) {
    let requests = wl.input_tokens.is_some() || wl.output_tokens.is_some();
    match (wl.context.is_some(), requests) {
        (false, false) => push(
            "workload.input_tokens".into(),
            "missing required key (an inference workload needs the request's lengths)".into(),
            Some(
                "e.g. input_tokens = 1000 and output_tokens = 200 (or context = 8192 for \
                  the decode-only form)"
                    .into(),
            ),
        ),
        (true, true) => push(
            "workload.context".into(),
            "context is the decode-only form; it cannot be combined with input_tokens / \
             output_tokens"
                .into(),
            Some(
                "remove context (the mean KV length is then input_tokens + output_tokens / 2)"
                    .into(),
            ),
        ),
        _ => {}
    }
    if requests && wl.output_tokens.is_none() {
        push(
            "workload.output_tokens".into(),
            "missing required key (generated tokens per request)".into(),
            Some("e.g. output_tokens = 200".into()),
        );
    }
    if requests && wl.input_tokens.is_none() {
        push(
            "workload.input_tokens".into(),
            "missing required key (prompt tokens per request; 0 for none)".into(),
            Some("e.g. input_tokens = 1000".into()),
        );
    }
    if wl.input_tokens.unwrap_or(0.0) > 0.0 && wl.heads.is_none() {
        push(
            "workload.heads".into(),
            "missing required key (the prefill's attention FLOPs need the query heads)".into(),
            Some("e.g. heads = 64".into()),
        );
    }
    match (wl.experts, wl.experts_per_token) {
        (Some(e), Some(k)) => {
            if k >= e {
                push(
                    "workload.experts_per_token".into(),
                    format!(
                        "experts_per_token ({k}) must be below experts ({e}): with every expert \
                         chosen the model is dense"
                    ),
                    Some(
                        "drop experts and experts_per_token for a dense model, or lower \
                          experts_per_token"
                            .into(),
                    ),
                );
            }
            if wl.active_params.is_none() {
                push(
                    "workload.active_params".into(),
                    "missing required key (a mixture of experts needs the parameters used per \
                     token)"
                        .into(),
                    Some("e.g. active_params = 37e9".into()),
                );
            }
        }
        (Some(_), None) => push(
            "workload.experts_per_token".into(),
            "missing required key (experts is set: how many are chosen per token)".into(),
            Some("e.g. experts_per_token = 8".into()),
        ),
        (None, Some(_)) => push(
            "workload.experts".into(),
            "missing required key (experts_per_token is set: how many routed experts there \
             are)"
                .into(),
            Some("e.g. experts = 256".into()),
        ),
        (None, None) => {}
    }
    if wl.spec_tokens.is_some() && wl.acceptance.is_none() {
        push(
            "workload.acceptance".into(),
            "missing required key (spec_tokens is set: the probability each drafted token is \
             accepted)"
                .into(),
            Some("e.g. acceptance = 0.7".into()),
        );
    }
}

/// The model's refusals for `s`, and results that cannot be shown (a ratio that overflows).
fn model_problems(s: &Scenario, span: &dyn Fn(&str) -> Option<Range<usize>>) -> Vec<Problem> {
    let x = &s.inputs;
    let problem = |key: String, msg: String| Problem::new(span(&key), key, msg);
    let outcome = match model::evaluate(x) {
        Ok(o) => o,
        Err(e) => {
            let (key, msg) = match &e {
                ModelError::BelowOneNode { .. } => ("site.power".to_string(), e.to_string()),
                ModelError::Serving { key, .. } => (format!("workload.{key}"), e.to_string()),
                ModelError::NotFinite {
                    fleet, quantity, ..
                } => (format!("fleet.{fleet}"), not_finite(x, fleet, quantity)),
                ModelError::FreeFleet { fleet } => (format!("fleet.{fleet}"), e.to_string()),
                ModelError::TooManyChips { .. } => ("site.power".to_string(), e.to_string()),
                ModelError::ReplicaLargerThanFleet { key, .. } => (key.clone(), e.to_string()),
                ModelError::Program { program, .. } => {
                    (format!("program.{program}"), e.to_string())
                }
            };
            return vec![problem(key, msg)];
        }
    };
    let mut out = Vec::new();
    for c in &outcome.comparisons {
        if !(c.rho.is_finite() && c.rho > 0.0) {
            let (a, b) = (&x.fleets[c.candidate].id, &x.fleets[c.baseline].id);
            out.push(problem(
                format!("fleet.{a}"),
                format!(
                    "the price-performance ratio of '{a}' against '{b}' is too large or too small to compute; {}",
                    extreme_inputs(x, Some(a)).unwrap_or_else(|| "check both fleets' prices and rates".into())
                ),
            ));
        }
    }
    if let Some(c) = &outcome.contract {
        let figures = [
            c.implied_per_chip_hour,
            c.implied_margin,
            c.term_cost_nominal,
        ];
        if figures.iter().any(|v| !v.is_finite()) {
            out.push(problem(
                "contract".into(),
                format!(
                    "the contract's implied price per chip-hour is too large or too small to compute; {}",
                    extreme_inputs(x, Some(&x.fleets[c.fleet].id))
                        .unwrap_or_else(|| "check contract.value and contract.term".into())
                ),
            ));
        }
    }
    out
}

/// The message for a figure that overflowed: which inputs are extreme.
fn not_finite(x: &model::Inputs, fleet: &str, quantity: &str) -> String {
    let culprits = extreme_inputs(x, Some(fleet)).unwrap_or_else(|| {
        format!("no single input is extreme, but together they overflow the {quantity}")
    });
    format!("fleet '{fleet}': the {quantity} is too large to compute (it overflows); {culprits}")
}

/// "it comes from fleet.h100.chip.price = 1e308 USD, ...": the inputs of `fleet` (and the
/// site, finance and workload) whose magnitude is beyond any real scenario (above 1e30 or
/// below 1e-30 in SI units), or `None` when there are none.
fn extreme_inputs(x: &model::Inputs, fleet: Option<&str>) -> Option<String> {
    let index = fleet.and_then(|id| x.fleets.iter().position(|f| f.id == id));
    let mine = |p: &Param| match *p {
        Param::Fleet(i, _) | Param::Chip(i, _) | Param::Peak(i, _) => Some(i) == index,
        _ => true,
    };
    let extreme: Vec<String> = Param::all(x)
        .into_iter()
        .filter(mine)
        .filter_map(|p| {
            let v = p.get(x)?;
            let a = v.abs();
            (a > 1e30 || (a > 0.0 && a < 1e-30))
                .then(|| format!("{} = {}", p.path(x), units::display(v, &p.spec().unit)))
        })
        .collect();
    (!extreme.is_empty()).then(|| {
        format!(
            "it comes from {}; give realistic values",
            extreme.join(", ")
        )
    })
}

/// Problems of `[uncertainty]`: a parameter given twice, and the correlations (each problem
/// points at the entry at fault).
fn check_uncertainty(s: &Scenario, covered: &HashSet<String>) -> Vec<Problem> {
    let mut out = Vec::new();
    let key = |path: &str| format!("uncertainty.\"{path}\"");
    let mut seen = HashSet::new();
    for u in &s.uncertainty {
        if !seen.insert(u.param) {
            out.push(
                Problem::new(
                    Some(u.span.clone()),
                    key(&u.path),
                    "this parameter has two distributions",
                )
                .help("keep one entry per parameter in [uncertainty]"),
            );
        }
    }
    let mut push_at = |span: Range<usize>, msg: String, help: Option<String>| {
        let mut p = Problem::new(Some(span), "uncertainty.correlations", msg);
        p.help = help;
        out.push(p);
    };
    // A name whose own entry was already reported as broken is not reported again.
    let reported = |name: &str| {
        let k = key(name);
        covered
            .iter()
            .any(|c| c == &k || c.starts_with(&format!("{k}.")))
    };
    let mut pairs = HashSet::new();
    let mut ok = true;
    for c in &s.correlations {
        let mut bad: Vec<(String, Option<String>)> = Vec::new();
        for name in [&c.a, &c.b] {
            match s.uncertainty.iter().find(|u| &u.path == name) {
                None if reported(name) => ok = false,
                None => match Param::parse(name, &s.inputs) {
                    Err(msg) => bad.push((msg, None)),
                    Ok(_) => bad.push((
                        format!("'{name}' has no distribution in [uncertainty]"),
                        Some(format!(
                            "a correlation pairs two parameters that both have a non-fixed distribution; add \"{name}\" = {{ dist = ... }} to [uncertainty]"
                        )),
                    )),
                },
                Some(u) if u.dist.is_fixed() => bad.push((
                    format!("'{name}' has a fixed value, so it cannot be correlated"),
                    Some("give it a spread (e.g. uniform, pert) or drop the pair".into()),
                )),
                _ => {}
            }
        }
        if c.a == c.b {
            bad.push((format!("'{}' is correlated with itself", c.a), None));
        }
        let pair = if c.a < c.b {
            (c.a.clone(), c.b.clone())
        } else {
            (c.b.clone(), c.a.clone())
        };
        if !pairs.insert(pair) {
            bad.push((
                format!("the pair '{}', '{}' is listed twice", c.a, c.b),
                Some("list each pair once (in either order)".into()),
            ));
        }
        if c.rho.is_nan() || c.rho.abs() >= 1.0 {
            bad.push((
                format!(
                    "correlation {} between '{}' and '{}' must lie strictly between -1 and 1",
                    c.rho, c.a, c.b
                ),
                None,
            ));
        }
        for (msg, help) in bad {
            ok = false;
            push_at(c.span.clone(), msg, help);
        }
    }
    if ok && !s.correlations.is_empty() {
        if let Some(pairs) = not_positive_definite(s) {
            push_at(
                s.spans
                    .get("uncertainty.correlations")
                    .cloned()
                    .unwrap_or_else(|| s.correlations[0].span.clone()),
                format!(
                    "these correlations contradict each other (the matrix is not positive definite): {pairs}"
                ),
                Some(
                    "no joint distribution has all of them; weaken some pairs (e.g. move them toward 0)"
                        .into(),
                ),
            );
        }
    }
    out
}

/// The correlated pairs that make the matrix not positive definite, as the Monte Carlo's own
/// copula ([`Copula::new`]) decides it (pivots of the Cholesky factor above its floor), so
/// `validate` and `montecarlo` agree on every matrix; `None` when the copula accepts it.
fn not_positive_definite(s: &Scenario) -> Option<String> {
    // The names in the order `montecarlo::Setup` gives them (the factor's pivots depend on it).
    let mut names: Vec<&str> = Vec::new();
    for u in s.uncertainty.iter().filter(|u| !u.dist.is_fixed()) {
        if !names.contains(&u.path.as_str()) {
            names.push(&u.path);
        }
    }
    let pairs: Vec<(String, String, f64)> = s
        .correlations
        .iter()
        .map(|c| (c.a.clone(), c.b.clone(), c.rho))
        .collect();
    match Copula::new(&names, &pairs) {
        Err(CopulaError::NotPositiveDefinite { pairs, .. }) => Some(
            pairs
                .iter()
                .map(|(a, b, rho)| format!("'{a}' ~ '{b}' {rho}"))
                .collect::<Vec<_>>()
                .join(", "),
        ),
        // The other refusals (a pair twice, |rho| >= 1, ...) are reported above, each at its
        // own entry, before this check runs.
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scenario(extra: &str) -> Result<Scenario, super::super::ScenarioError> {
        let base = "schema = 1\n[site]\npower = \"1 MW\"\nelectricity = 0.08\n[finance]\ndiscount_rate = 0.08\nhorizon = 5\n[workload]\nkind = \"flops\"\nprecision = \"bf16\"\n[[fleet]]\nid = \"a\"\nchip = \"h100-sxm\"\nhardware_life = 5\nmfu = 0.4\n[[fleet]]\nid = \"b\"\nchip = \"trainium2\"\nhardware_life = 5\nmfu = 0.4\n";
        Scenario::from_str("t.toml", &format!("{base}{extra}"))
    }

    const U: &str = "[uncertainty]\n\"fleet.a.mfu\" = { dist = \"uniform\", low = 0.3, high = 0.5 }\n\"fleet.b.mfu\" = { dist = \"uniform\", low = 0.3, high = 0.5 }\n\"site.pue\" = { dist = \"uniform\", low = 1.1, high = 1.3 }\n";

    #[test]
    fn consistent_correlations_pass() {
        let s = scenario(&format!(
            "{U}correlations = [[\"fleet.a.mfu\", \"fleet.b.mfu\", 0.9], [\"fleet.b.mfu\", \"site.pue\", 0.9], [\"fleet.a.mfu\", \"site.pue\", 0.9]]\n"
        ));
        assert!(s.is_ok(), "{}", s.unwrap_err());
    }

    /// Issue 11's edge case: pairs 0.6, 0.8 and 0.96 minus one ulp. The matrix's smallest
    /// eigenvalue is ~4e-17 (1 - 0.36 - 0.64 - 0.96^2 + 2 (0.6)(0.8)(0.96) = 0 at 0.96) and the
    /// factor's last pivot ~1e-8, below the copula's 1e-7 floor: `check` refuses it with the
    /// line, as the Monte Carlo would; at 0.95 both accept it.
    #[test]
    fn validate_and_the_copula_agree_at_the_edge_of_positive_definiteness() {
        let edge = 0.96f64.next_down_compat();
        let text = |rho: f64| {
            format!(
                "{U}correlations = [[\"fleet.a.mfu\", \"fleet.b.mfu\", 0.6], [\"fleet.b.mfu\", \"site.pue\", 0.8], [\"fleet.a.mfu\", \"site.pue\", {rho:?}]]\n"
            )
        };
        let e = scenario(&text(edge)).unwrap_err().render();
        assert!(e.contains("not positive definite"), "{e}");
        assert!(e.contains("t.toml:"), "names the line: {e}");
        let s = scenario(&text(0.95)).unwrap();
        assert!(crate::analysis::montecarlo::Setup::new(&s).is_ok());
    }

    trait NextDown {
        fn next_down_compat(self) -> f64;
    }
    impl NextDown for f64 {
        /// The float below a positive `self` (`f64::next_down` needs Rust 1.86).
        fn next_down_compat(self) -> f64 {
            f64::from_bits(self.to_bits() - 1)
        }
    }

    #[test]
    fn contradictory_correlations_name_the_pairs() {
        // 0.9, 0.9, -0.9: determinant 1 - 3(0.81) - 2(0.729) < 0.
        let e = scenario(&format!(
            "{U}correlations = [[\"fleet.a.mfu\", \"fleet.b.mfu\", 0.9], [\"fleet.b.mfu\", \"site.pue\", 0.9], [\"fleet.a.mfu\", \"site.pue\", -0.9]]\n"
        ))
        .unwrap_err()
        .render();
        assert!(e.contains("not positive definite"), "{e}");
        assert!(e.contains("'fleet.a.mfu' ~ 'site.pue' -0.9"), "{e}");
        assert!(e.contains("1 problem"), "{e}");
    }

    #[test]
    fn related_keys() {
        assert!(related("fleet.a.chip.price", "fleet.a.chip"));
        assert!(related("fleet.a.chip", "fleet.a.chip.base"));
        assert!(related("site.pue", "site.pue"));
        assert!(!related("site.power", "site.pue"));
        assert!(!related("fleet.ab.mfu", "fleet.a"));
    }
}
