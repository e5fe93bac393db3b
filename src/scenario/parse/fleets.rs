//! [[fleet]]: the fleet keys, its platform and its chip (catalog row or inline).

use super::*;

pub(in crate::scenario) fn parse_fleets(
    w: &mut Walker,
    root: &DeTable,
    catalog: &Catalog,
) -> Vec<Fleet> {
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
                    let (line, _) = crate::scenario::diag::line_col(&w.text, first.start);
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

pub(in crate::scenario) fn sanitize_id(id: &str) -> String {
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
pub(in crate::scenario) fn inputs_with(fleet: Fleet) -> Inputs {
    Inputs::scaffold(
        Workload::new(WorkloadKind::Flops, Precision::Bf16),
        vec![fleet],
    )
}

/// `fleet.platform`: a `data/platforms.csv` row, or `None` (absent or reported unknown).
pub(in crate::scenario) fn parse_platform(
    w: &mut Walker,
    t: &DeTable,
    prefix: &str,
) -> Option<&'static crate::scenario::platforms::PlatformRow> {
    let (id, span) = w.string(t, "platform", prefix)?;
    let platforms = crate::scenario::platforms::Platforms::shipped();
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

pub(in crate::scenario) fn parse_chip(
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

pub(in crate::scenario) fn fleet_index(
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
