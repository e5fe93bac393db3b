//! [uncertainty] (distributions and correlations) and [[sweep]].

use super::*;

/// One flattened `[uncertainty]` entry: its path, key and value.
type FlatEntry<'a, 'i> = (
    String,
    &'a Spanned<std::borrow::Cow<'i, str>>,
    &'a Spanned<DeValue<'i>>,
);

/// Flattens `[uncertainty]`: quoted dotted keys or nested tables down to `{ dist = ... }`.
pub(in crate::scenario) fn flatten_dists<'a, 'i>(
    t: &'a DeTable<'i>,
    prefix: &str,
    out: &mut Vec<FlatEntry<'a, 'i>>,
) {
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

pub(in crate::scenario) fn parse_uncertainty(
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

pub(in crate::scenario) fn parse_dist(
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
    if let Some((_, msg)) = d.order_problem(&|x| units::display(x, &spec.unit)) {
        w.push(Problem::new(Some(span), key, msg));
        return None;
    }
    Some(d)
}

/// A [[sweep]] over a precision: `values = ["bf16", "fp8"]` (names, in the grid's order, each
/// once), and none of from, to, steps, scale.
pub(in crate::scenario) fn category_axis(
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

pub(in crate::scenario) fn parse_sweeps(
    w: &mut Walker,
    root: &DeTable,
    inputs: &Inputs,
) -> Vec<SweepAxis> {
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
