//! The one-table sections: [site], [finance], [workload], [compare], [contract].

use super::*;

pub(in crate::scenario) fn parse_site(w: &mut Walker, root: &DeTable) -> Option<Site> {
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

pub(in crate::scenario) fn parse_finance(w: &mut Walker, root: &DeTable) -> Option<Finance> {
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

pub(in crate::scenario) fn parse_workload(w: &mut Walker, root: &DeTable) -> Option<Workload> {
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
pub(in crate::scenario) fn precision_named(
    w: &mut Walker,
    name: &str,
    span: Range<usize>,
    key: &str,
) -> Option<Precision> {
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

pub(in crate::scenario) fn parse_compare(
    w: &mut Walker,
    root: &DeTable,
    fleets: &[Fleet],
) -> Option<Compare> {
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
pub(in crate::scenario) fn parse_contract(
    w: &mut Walker,
    root: &DeTable,
    fleets: &[Fleet],
) -> Option<Option<Contract>> {
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
