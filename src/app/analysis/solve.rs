//! `fleetcost solve`: the value of one input at which a metric reaches a target.

use crate::analysis::metric::Metric;
use crate::analysis::solve;
use crate::app::{load, print, AppError};
use crate::cli::SolveArgs;
use crate::report::{self, Format};
use crate::scenario::{parse_value, Param};
use crate::units;
use crate::units::format::fmt_thousands;

pub fn solve(a: &SolveArgs) -> Result<(), AppError> {
    let s = load(&a.scenario)?;
    let x = &s.inputs;
    let param = Param::parse(&a.param, x).map_err(|e| AppError::input(format!("--param: {e}")))?;
    if param.is_category() {
        return Err(AppError::input(format!(
            "--param {}: a precision is a category, not a quantity to solve for; compare \
             precisions with `sweep` ([[sweep]] param = \"{}\", values = [\"bf16\", \"fp8\"])",
            a.param, a.param
        )));
    }
    let Some((key, target_text)) = a.target.split_once('=') else {
        return Err(AppError::input(format!(
            "--target {}: write METRIC=VALUE, e.g. rho=1.30",
            a.target
        )));
    };
    // With neither --candidate nor --fleet, follow the parameter's own fleet when it is a
    // candidate (as sweep does): its rho is the one the parameter moves.
    let natural = match Metric::natural_for(param, x) {
        Metric::Comparison { candidate, .. } if a.candidate.is_none() && a.fleet.is_none() => {
            Some(x.fleets[candidate].id.as_str())
        }
        _ => None,
    };
    // A program parameter follows its own program's metric unless --fleet or --candidate
    // says otherwise (a program's rho, provider_irr, ...).
    let natural_program = match (
        Metric::natural_for(param, x),
        a.fleet.as_ref(),
        a.candidate.as_ref(),
    ) {
        (Metric::Program { program, .. }, None, None) => Some(x.programs[program].id.as_str()),
        _ => None,
    };
    let metric = Metric::parse(
        Some(key.trim()),
        a.fleet.as_deref(),
        a.candidate.as_deref().or(natural),
        a.program.as_deref().or(natural_program),
        x,
    )
    .map_err(AppError::input)?;
    let target: f64 = target_text
        .trim()
        .parse()
        .or_else(|_| units::parse_quantity(target_text, &units::ONE))
        .map_err(|_| {
            AppError::input(format!(
                "--target {}: '{}' is not a number",
                a.target,
                target_text.trim()
            ))
        })?;
    if !target.is_finite() {
        return Err(AppError::input(format!(
            "--target {}: the target must be a finite number, e.g. rho=1.30",
            a.target
        )));
    }
    let spec = param.spec();
    let base = param.get(x);
    let (from, to) = match (&a.from, &a.to, base) {
        (Some(f), Some(t), _) => (
            parse_value(param, f).map_err(|e| AppError::input(format!("--from: {e}")))?,
            parse_value(param, t).map_err(|e| AppError::input(format!("--to: {e}")))?,
        ),
        (f, t, Some(b)) if b > 0.0 => {
            let lo = match f {
                Some(f) => {
                    parse_value(param, f).map_err(|e| AppError::input(format!("--from: {e}")))?
                }
                None => (b / 10.0).max(if spec.range.min_open {
                    spec.range.min + 1e-9 * b
                } else {
                    spec.range.min
                }),
            };
            let hi = match t {
                Some(t) => {
                    parse_value(param, t).map_err(|e| AppError::input(format!("--to: {e}")))?
                }
                None => (b * 10.0).min(spec.range.max),
            };
            (lo, hi)
        }
        _ => {
            return Err(AppError::input(format!(
                "{} has no base value to search around; give --from and --to",
                a.param
            )))
        }
    };
    let result = solve::solve(x, param, &metric, target, from, to).map_err(AppError::runtime)?;
    let show = |v: f64| units::display_approx(v, &spec.unit, 4);
    let label = metric.label(x);
    let (value, reason) = match result {
        solve::Solution::Root(v) => (Some(v), format!("{} = {} gives {label} = {target}", a.param, show(v))),
        solve::Solution::NoCrossing { at_from, at_to } => {
            // Widening only helps where the range of the parameter leaves room.
            let r = spec.range;
            let at_min = from <= r.min * (1.0 + 1e-12) + f64::MIN_POSITIVE;
            let at_max = to >= r.max * (1.0 - 1e-12);
            let hint = if at_min && at_max {
                "the whole valid range of the parameter is searched, so no value reaches the target".to_string()
            } else {
                "an even number of crossings cannot be ruled out; widen --from/--to".to_string()
            };
            (None, format!(
                "no crossing in [{}, {}]: {label} is {} at {} and {} at {}, both on the same side of {} ({hint})",
                show(from), show(to), fmt_thousands(at_from, 4), show(from), fmt_thousands(at_to, 4), show(to),
                units::format::Num(target)))
        }
        solve::Solution::Independent { value } => {
            return Err(AppError::runtime(format!(
                "{label} does not depend on {}: it is {} everywhere in [{}, {}], so no value \
                 reaches {}; solve for an input it depends on (`fleetcost elasticities {}` \
                 lists each input's effect)",
                a.param,
                fmt_thousands(value, 4),
                show(from),
                show(to),
                units::format::Num(target),
                a.scenario.scenario.display()
            )))
        }
        solve::Solution::Jump { at, left, right } => (None, format!(
            "{label} jumps across {} at {} = {} ({} just below, {} at it): a jump from count rounding, not a root",
            units::format::Num(target), a.param, show(at), fmt_thousands(left, 4), fmt_thousands(right, 4))),
    };
    let body = report::analysis::SolveReport {
        param: a.param.clone(),
        metric: key.trim().to_string(),
        metric_label: label.clone(),
        target,
        value: value.map(|v| v / spec.unit.si),
        unit: spec.unit.name,
        reason: value.is_none().then(|| reason.clone()),
        base: base.map(|b| b / spec.unit.si),
    };
    let text = match a.format {
        Format::Json => super::analysis_json("solve", &body, &[]),
        Format::Csv => body.csv(),
        _ => {
            let base_note = base
                .map(|b| format!(" (base case: {})", show(b)))
                .unwrap_or_default();
            format!("{}\n{reason}{base_note}\n", s.name)
        }
    };
    print(&text)
}
