//! Rules that span several keys (MODEL.md section 1's "required unless" column, precisions,
//! correlations), and the model's own refusals (a budget below one node, a batch that does not
//! fit), reported as problems with the location of the key at fault.

use super::diag::Problem;
use super::Scenario;
use crate::model::{self, ModelError, WorkloadKind};
use std::collections::HashSet;
use std::ops::Range;

/// Every cross-key problem of `s` (empty when it is fine).
pub fn check(s: &Scenario) -> Vec<Problem> {
    let x = &s.inputs;
    let mut out = Vec::new();
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
        let mut p = Problem::new(span(&key), key, msg);
        p.help = help;
        out.push(p);
    };
    if x.fleets.is_empty() {
        return out;
    }
    if x.site.power.is_none() && x.fleets.iter().any(|f| f.chips.is_none()) {
        push(
            "site.power".into(),
            "missing required key (the power budget, e.g. power = \"2 GW\")".into(),
            Some("it may be left out only when every fleet sets `chips`".into()),
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
            ("context", wl.context),
        ],
    };
    for (k, v) in needed {
        if v.is_none() {
            push(
                format!("workload.{k}"),
                format!(
                    "missing required key (a {} workload needs it)",
                    wl.kind.name()
                ),
                None,
            );
        }
    }
    if wl.kind == WorkloadKind::Inference && wl.batch.is_none() && !wl.batch_max {
        push(
            "workload.batch".into(),
            "missing required key (sequences per decode step, or \"max\")".into(),
            None,
        );
    }
    for f in &x.fleets {
        let p = format!("fleet.{}", f.id);
        if f.rent.is_none() {
            if f.hardware_life.is_none() {
                push(
                    format!("{p}.hardware_life"),
                    "missing required key (an owned fleet needs a hardware life, e.g. \"5 yr\")"
                        .into(),
                    Some("or set `rent` (USD per chip-hour) for a rented fleet".into()),
                );
            }
            if f.chip.price.is_none() {
                push(
                    format!("{p}.chip.price"),
                    format!("chip '{}' has no price and the fleet is owned", f.chip.label),
                    Some(format!(
                        "give an inline chip with a price: chip = {{ base = \"{}\", price = \"25k USD\" }}, or set `rent`",
                        f.chip.label
                    )),
                );
            }
            if f.electricity.is_none() && x.site.electricity.is_none() {
                push(
                    "site.electricity".into(),
                    format!("missing required key (owned fleet '{}' pays for energy)", f.id),
                    Some("e.g. electricity = \"0.08 USD/kWh\"; it may be left out only when every fleet rents".into()),
                );
            }
        }
        if f.chip.peak[wl.precision.index()].is_none() {
            push(
                format!("{p}.chip"),
                format!(
                    "chip '{}' has no {} figure; it supports {}",
                    f.chip.label,
                    wl.precision.name(),
                    f.chip.supported()
                ),
                Some("change workload.precision, or give the peak inline: peak = { ... }".into()),
            );
        }
        if wl.kind == WorkloadKind::Inference {
            for (k, v) in [
                ("chip.hbm", f.chip.hbm),
                ("chip.hbm_bw", f.chip.hbm_bw),
                ("mbu", f.mbu),
            ] {
                if v.is_none() {
                    push(
                        format!("{p}.{k}"),
                        "missing required key (an inference workload needs it)".into(),
                        None,
                    );
                }
            }
        }
        if let (Some(lo), Some(hi)) = (f.chip.price_low, f.chip.price_high) {
            if lo > hi {
                push(
                    format!("{p}.chip.price_low"),
                    "price_low is above price_high".into(),
                    None,
                );
            }
        }
    }
    check_uncertainty(s, &mut push);
    let mut seen = HashSet::new();
    for a in &s.sweeps {
        if !seen.insert(a.param) {
            push(
                "sweep.param".into(),
                format!("'{}' is swept twice", a.path),
                None,
            );
        }
    }
    if out.is_empty() {
        if let Err(e) = model::evaluate(x) {
            let fleet = match &e {
                ModelError::BelowOneNode { fleet, .. } => format!("fleet.{fleet}"),
                ModelError::Decode { fleet, .. } => format!("fleet.{fleet}"),
                ModelError::NotFinite { fleet, .. } => format!("fleet.{fleet}"),
                ModelError::FreeFleet { fleet } => format!("fleet.{fleet}"),
            };
            let key = match &e {
                ModelError::BelowOneNode { .. } => "site.power".to_string(),
                ModelError::Decode { .. } => "workload.batch".to_string(),
                _ => fleet,
            };
            out.push(Problem::new(span(&key), key, e.to_string()));
        }
    }
    out
}

fn check_uncertainty(s: &Scenario, push: &mut impl FnMut(String, String, Option<String>)) {
    let mut seen = HashSet::new();
    for u in &s.uncertainty {
        if !seen.insert(u.param) {
            push(
                format!("uncertainty.\"{}\"", u.path),
                "this parameter has two distributions".into(),
                None,
            );
        }
    }
    let mut pairs = HashSet::new();
    for c in &s.correlations {
        let key = "uncertainty.correlations".to_string();
        for name in [&c.a, &c.b] {
            match s.uncertainty.iter().find(|u| &u.path == name) {
                None => push(
                    key.clone(),
                    format!("'{name}' has no distribution in [uncertainty]"),
                    Some("a correlation pairs two parameters that both have a non-fixed distribution".into()),
                ),
                Some(u) if u.dist.is_fixed() => push(
                    key.clone(),
                    format!("'{name}' is fixed, so it cannot be correlated"),
                    None,
                ),
                _ => {}
            }
        }
        if c.a == c.b {
            push(
                key.clone(),
                format!("'{}' is correlated with itself", c.a),
                None,
            );
        }
        let pair = if c.a < c.b {
            (c.a.clone(), c.b.clone())
        } else {
            (c.b.clone(), c.a.clone())
        };
        if !pairs.insert(pair) {
            push(
                key.clone(),
                format!("the pair '{}', '{}' is listed twice", c.a, c.b),
                None,
            );
        }
        if !(c.rho.abs() < 1.0) {
            push(
                key,
                format!(
                    "correlation {} between '{}' and '{}' must lie strictly between -1 and 1",
                    c.rho, c.a, c.b
                ),
                None,
            );
        }
    }
}
