//! Parameter paths: every numeric input by its MODEL.md path (`site.pue`,
//! `fleet.trn2.chip.price`, `fleet.h100.chip.peak.bf16`, ...), with its unit and valid range.
//!
//! `--set`, `[uncertainty]`, `[[sweep]]`, the solver and elasticities all address inputs
//! through [`Param`], so a path means the same thing everywhere.

pub use super::keys::{
    example, tranche_index, ChipKey, ContractKey, FinanceKey, FleetKey, KeySpec,
    ProgramContractKey, SiteKey, TrancheKey, WorkloadKey, CHIP, CONTRACT, FINANCE, FLEET, PEAK,
    PROGRAM_CONTRACT, SITE, TRANCHE, WORKLOAD,
};
use crate::model::{Inputs, Precision};

/// The valid range of a key: min (open or closed) to max (closed), whole numbers or not.
/// Bounds are in SI units, like the values they bound.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Range {
    pub min: f64,
    pub min_open: bool,
    pub max: f64,
    pub integer: bool,
}

impl Range {
    /// >= 0
    pub const NON_NEGATIVE: Range = Range {
        min: 0.0,
        min_open: false,
        max: f64::INFINITY,
        integer: false,
    };
    /// > 0
    pub const POSITIVE: Range = Range {
        min: 0.0,
        min_open: true,
        max: f64::INFINITY,
        integer: false,
    };
    /// (0, 1]
    pub const FRACTION: Range = Range {
        min: 0.0,
        min_open: true,
        max: 1.0,
        integer: false,
    };
    /// >= 1
    pub const AT_LEAST_ONE: Range = Range {
        min: 1.0,
        min_open: false,
        max: f64::INFINITY,
        integer: false,
    };
    /// Whole numbers in [1, max].
    pub const fn count(max: f64) -> Range {
        Range {
            min: 1.0,
            min_open: false,
            max,
            integer: true,
        }
    }

    /// `[lo, hi]` (not whole numbers).
    pub const fn closed(lo: f64, hi: f64) -> Range {
        Range {
            min: lo,
            min_open: false,
            max: hi,
            integer: false,
        }
    }

    /// `(lo, hi]`, e.g. `(0, 1]` for fractions or `(0, inf)` for "> 0".
    pub const fn open_low(lo: f64, hi: f64) -> Range {
        Range {
            min: lo,
            min_open: true,
            max: hi,
            integer: false,
        }
    }

    /// Whether `x` lies in the range (finite `x` only).
    pub fn contains(&self, x: f64) -> bool {
        let above = if self.min_open {
            x > self.min
        } else {
            x >= self.min
        };
        above && x <= self.max && x.is_finite()
    }

    /// "> 0", ">= 1", "in (0, 1]", "a whole number in [1, 1000000000000]": what the range
    /// demands, for messages.
    pub fn describe(&self) -> String {
        let lo = if self.min_open { ">" } else { ">=" };
        if self.integer && self.max.is_finite() {
            let open = if self.min_open { "(" } else { "[" };
            format!("a whole number in {open}{}, {}]", self.min, self.max)
        } else if self.integer {
            format!("a whole number {lo} {}", self.min)
        } else if self.max.is_finite() {
            let open = if self.min_open { "(" } else { "[" };
            format!("in {open}{}, {}]", self.min, self.max)
        } else {
            format!("{lo} {}", self.min)
        }
    }
}

/// The interval in mathematical notation: `(0, 1]`, `[1, inf)`, `(-inf, 5]`.
impl std::fmt::Display for Range {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let open = self.min_open || self.min == f64::NEG_INFINITY;
        let lo = if self.min == f64::NEG_INFINITY {
            "-inf".to_string()
        } else {
            self.min.to_string()
        };
        let (hi, close) = if self.max == f64::INFINITY {
            ("inf".to_string(), ')')
        } else {
            (self.max.to_string(), ']')
        };
        write!(f, "{}{lo}, {hi}{close}", if open { '(' } else { '[' })
    }
}

/// One numeric input: a key of a section's table, with the fleet's index into
/// `Inputs::fleets` for fleet and chip keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Param {
    Site(SiteKey),
    Finance(FinanceKey),
    Workload(WorkloadKey),
    Fleet(usize, FleetKey),
    Chip(usize, ChipKey),
    Peak(usize, Precision),
    Contract(ContractKey),
    /// `program.ID.tranches.N.K`: program index, tranche index, key.
    Tranche(usize, usize, TrancheKey),
    /// `program.ID.contract.K`: program index, key.
    ProgramContract(usize, ProgramContractKey),
    /// The precision a fleet runs (`fleet.ID.precision`, `Some(i)`) or the workload's
    /// (`workload.precision`, `None`): a category, valued by `Precision::index` (0 fp32 .. 4
    /// fp4). Only a [[sweep]] with `values = [...]` varies it; it is not in [`Param::all`].
    Precision(Option<usize>),
}

/// The spec of a precision parameter: its values are `Precision::index`.
pub const PRECISION: KeySpec = KeySpec {
    name: "precision",
    unit: crate::units::ONE,
    range: Range {
        min: 0.0,
        min_open: false,
        max: 4.0,
        integer: true,
    },
    default: None,
    example: "\"fp8\"",
    about: "precision (a category: 0 fp32, 1 tf32, 2 bf16, 3 fp8, 4 fp4)",
};

impl Param {
    /// The key's unit and range.
    #[inline]
    pub fn spec(self) -> &'static KeySpec {
        match self {
            Param::Site(k) => k.spec(),
            Param::Finance(k) => k.spec(),
            Param::Workload(k) => k.spec(),
            Param::Fleet(_, k) => k.spec(),
            Param::Chip(_, k) => k.spec(),
            Param::Peak(..) => &PEAK,
            Param::Contract(k) => k.spec(),
            Param::Tranche(_, _, k) => k.spec(),
            Param::ProgramContract(_, k) => k.spec(),
            Param::Precision(_) => &PRECISION,
        }
    }

    /// The MODEL.md path of this parameter in `inputs`.
    pub fn path(self, inputs: &Inputs) -> String {
        let s = self.spec().name;
        match self {
            Param::Site(_) => format!("site.{s}"),
            Param::Finance(_) => format!("finance.{s}"),
            Param::Workload(_) => format!("workload.{s}"),
            Param::Fleet(i, _) => format!("fleet.{}.{s}", inputs.fleets[i].id),
            Param::Chip(i, _) => format!("fleet.{}.chip.{s}", inputs.fleets[i].id),
            Param::Peak(i, p) => format!("fleet.{}.chip.peak.{}", inputs.fleets[i].id, p.name()),
            Param::Contract(_) => format!("contract.{s}"),
            Param::Tranche(p, t, _) => {
                format!("program.{}.tranches.{t}.{s}", inputs.programs[p].id)
            }
            Param::ProgramContract(p, _) => {
                format!("program.{}.contract.{s}", inputs.programs[p].id)
            }
            Param::Precision(None) => "workload.precision".into(),
            Param::Precision(Some(i)) => format!("fleet.{}.precision", inputs.fleets[i].id),
        }
    }

    /// Looks a path up; the error lists near matches among `all(inputs)`.
    pub fn parse(path: &str, inputs: &Inputs) -> Result<Param, String> {
        Param::lookup(path, inputs).ok_or_else(|| unknown_path(path, inputs))
    }

    fn lookup(path: &str, inputs: &Inputs) -> Option<Param> {
        let parts: Vec<&str> = path.split('.').collect();
        let fleet = |id: &str| inputs.fleets.iter().position(|f| f.id == id);
        let program = |id: &str| inputs.programs.iter().position(|p| p.id == id);
        match parts.as_slice() {
            ["program", id, "tranches", n, k] => {
                let p = program(id)?;
                let t: usize = n.parse().ok()?;
                (t < inputs.programs[p].tranches.len())
                    .then_some(())
                    .and(TrancheKey::from_name(k))
                    .map(|k| Param::Tranche(p, t, k))
            }
            ["program", id, "contract", k] => {
                let p = program(id)?;
                let c = inputs.programs[p].contract.as_ref()?;
                let k = ProgramContractKey::from_name(k)?;
                // A yearly list fixes the term: its length.
                let yearly = matches!(c.payments, crate::model::Payments::Yearly(_));
                (!(yearly && k == ProgramContractKey::Term)).then_some(Param::ProgramContract(p, k))
            }
            ["workload", "precision"] => Some(Param::Precision(None)),
            ["fleet", id, "precision"] => Some(Param::Precision(Some(fleet(id)?))),
            ["site", k] => SiteKey::from_name(k).map(Param::Site),
            ["finance", k] => FinanceKey::from_name(k).map(Param::Finance),
            ["workload", k] => WorkloadKey::from_name(k).map(Param::Workload),
            ["contract", k] if inputs.contract.is_some() => {
                ContractKey::from_name(k).map(Param::Contract)
            }
            ["fleet", id, k] => Some(Param::Fleet(fleet(id)?, FleetKey::from_name(k)?)),
            ["fleet", id, "chip", k] => Some(Param::Chip(fleet(id)?, ChipKey::from_name(k)?)),
            ["fleet", id, "chip", "peak", p] => {
                Some(Param::Peak(fleet(id)?, Precision::from_name(p)?))
            }
            _ => None,
        }
    }

    /// Every numeric parameter path of `inputs`, in a stable order (the tables' order).
    pub fn all(inputs: &Inputs) -> Vec<Param> {
        let mut out: Vec<Param> = Vec::new();
        out.extend(SiteKey::ALL.iter().map(|&k| Param::Site(k)));
        out.extend(FinanceKey::ALL.iter().map(|&k| Param::Finance(k)));
        out.extend(WorkloadKey::ALL.iter().map(|&k| Param::Workload(k)));
        for i in 0..inputs.fleets.len() {
            out.extend(FleetKey::ALL.iter().map(|&k| Param::Fleet(i, k)));
            out.extend(ChipKey::ALL.iter().map(|&k| Param::Chip(i, k)));
            out.extend(Precision::ALL.into_iter().map(|p| Param::Peak(i, p)));
        }
        if inputs.contract.is_some() {
            out.extend(ContractKey::ALL.iter().map(|&k| Param::Contract(k)));
        }
        for (p, prog) in inputs.programs.iter().enumerate() {
            for (t, tr) in prog.tranches.iter().enumerate() {
                // The size the tranche has: power or chips, not both.
                let size = match tr.size {
                    crate::model::TrancheSize::Power(_) => TrancheKey::Power,
                    crate::model::TrancheSize::Chips(_) => TrancheKey::Chips,
                };
                out.push(Param::Tranche(p, t, TrancheKey::Start));
                out.push(Param::Tranche(p, t, size));
            }
            if let Some(c) = &prog.contract {
                for &k in ProgramContractKey::ALL {
                    let yearly = matches!(c.payments, crate::model::Payments::Yearly(_));
                    if !(yearly && k == ProgramContractKey::Term) {
                        out.push(Param::ProgramContract(p, k));
                    }
                }
            }
        }
        out
    }

    /// Whether the parameter is a category (a precision), not a quantity: it can be swept
    /// over a list of `values`, but not sampled, solved for or differentiated.
    pub fn is_category(self) -> bool {
        matches!(self, Param::Precision(_))
    }

    /// A value of the parameter as a reader writes it: the precision's name for a category,
    /// else the quantity in the key's unit (4 significant digits).
    pub fn show(self, si: f64) -> String {
        match self {
            Param::Precision(_) => Precision::ALL[(si.round().clamp(0.0, 4.0)) as usize]
                .name()
                .to_string(),
            _ => crate::units::display_approx(si, &self.spec().unit, 4),
        }
    }

    /// The parameter's current value in SI units; `None` when the input is absent (an
    /// optional key not given). Fleet overrides of site keys report the effective value.
    #[inline]
    pub fn get(self, x: &Inputs) -> Option<f64> {
        match self {
            Param::Site(k) => k.get(x, 0),
            Param::Finance(k) => k.get(x, 0),
            Param::Workload(k) => k.get(x, 0),
            Param::Fleet(i, k) => k.get(x, i),
            Param::Chip(i, k) => k.get(x, i),
            Param::Peak(i, p) => x.fleets[i].chip.peak[p.index()],
            Param::Contract(k) => k.get(x, 0),
            Param::Tranche(p, t, k) => k.get(x, tranche_index(p, t)),
            Param::ProgramContract(p, k) => k.get(x, p),
            Param::Precision(None) => Some(x.workload.precision.index() as f64),
            Param::Precision(Some(i)) => Some(x.fleets[i].precision(&x.workload).index() as f64),
        }
    }

    /// Sets the parameter to `v` (SI units). Counts are rounded to the nearest whole number,
    /// halves away from zero. Setting a fleet's pue (etc.) overrides the site's value for that
    /// fleet alone; setting an absent optional input (rent, chips, tokens, ...) makes it present.
    pub fn set(self, x: &mut Inputs, v: f64) {
        let v = if self.spec().range.integer {
            v.round()
        } else {
            v
        };
        self.set_unrounded(x, v)
    }

    /// [`Param::set`] without the rounding of counts: for callers that know the parameter is
    /// not a count (or rounded it already), such as the Monte Carlo loop.
    #[inline]
    pub fn set_unrounded(self, x: &mut Inputs, v: f64) {
        match self {
            Param::Site(k) => k.set(x, 0, v),
            Param::Finance(k) => k.set(x, 0, v),
            Param::Workload(k) => k.set(x, 0, v),
            Param::Fleet(i, k) => k.set(x, i, v),
            Param::Chip(i, k) => k.set(x, i, v),
            Param::Peak(i, p) => x.fleets[i].chip.peak[p.index()] = Some(v),
            Param::Contract(k) => k.set(x, 0, v),
            Param::Tranche(p, t, k) => k.set(x, tranche_index(p, t), v),
            Param::ProgramContract(p, k) => k.set(x, p, v),
            Param::Precision(target) => {
                let p = Precision::ALL[(v.round().clamp(0.0, 4.0)) as usize];
                match target {
                    None => x.workload.precision = p,
                    Some(i) => x.fleets[i].precision = Some(p),
                }
            }
        }
    }
}

/// "unknown parameter path 'fleet.trn2.chip.prce'; did you mean 'fleet.trn2.chip.price'?"
fn unknown_path(path: &str, inputs: &Inputs) -> String {
    let all: Vec<String> = Param::all(inputs)
        .into_iter()
        .map(|p| p.path(inputs))
        .collect();
    let ids: Vec<&str> = inputs.fleets.iter().map(|f| f.id.as_str()).collect();
    let parts: Vec<&str> = path.split('.').collect();
    let mut msg = format!("unknown parameter path '{path}'");
    // Say what is wrong when it is plain: a fleet the scenario lacks, a missing [contract].
    if let ["fleet", id, ..] = parts.as_slice() {
        if !ids.contains(id) {
            msg = format!(
                "unknown parameter path '{path}': this scenario has no fleet '{id}' (fleets: {})",
                ids.join(", ")
            );
        }
    }
    if let ["program", id, rest @ ..] = parts.as_slice() {
        let ids: Vec<&str> = inputs.programs.iter().map(|p| p.id.as_str()).collect();
        match inputs.programs.iter().find(|p| p.id == *id) {
            None if ids.is_empty() => {
                return format!(
                    "unknown parameter path '{path}': this scenario has no [[program]]"
                )
            }
            None => {
                msg = format!(
                    "unknown parameter path '{path}': this scenario has no program '{id}' (programs: {})",
                    ids.join(", ")
                )
            }
            Some(p) => match rest {
                ["tranches", n, _] => match n.parse::<usize>() {
                    Ok(t) if t >= p.tranches.len() => {
                        return format!(
                            "unknown parameter path '{path}': program '{id}' has {} tranche(s), numbered from 0 to {}",
                            p.tranches.len(),
                            p.tranches.len().saturating_sub(1)
                        )
                    }
                    _ => {}
                },
                ["contract", k] if ProgramContractKey::from_name(k).is_some() => {
                    return match &p.contract {
                        None => format!(
                            "'{path}' needs a [program.contract] table under program '{id}', which this scenario does not have"
                        ),
                        Some(_) => format!(
                            "'{path}': program '{id}' pays a yearly list, whose length is the term; change the list in the file"
                        ),
                    };
                }
                _ => {}
            },
        }
    }
    if let ["contract", k] = parts.as_slice() {
        if inputs.contract.is_none() && ContractKey::from_name(k).is_some() {
            return format!(
                "'{path}' needs a [contract] table (fleet, value, term), which this scenario does not have"
            );
        }
    }
    // Near matches: similar paths, then paths with the same last part ("chips_per_node" ->
    // "fleet.h100.chips_per_node").
    let last = parts.last().copied().unwrap_or("");
    let mut near: Vec<&str> = Vec::new();
    for q in all.iter().filter(|q| q.rsplit('.').next() == Some(last)) {
        if near.len() < 4 && q.as_str() != path {
            near.push(q);
        }
    }
    for q in crate::suggest::closest(path, all.iter().map(|q| q.as_str()), 4) {
        if near.len() < 4 && !near.contains(&q) {
            near.push(q);
        }
    }
    if near.is_empty() {
        let programs = if inputs.programs.is_empty() {
            ""
        } else {
            ", program.ID.tranches.N.start|power|chips, program.ID.contract.value|start|term"
        };
        msg.push_str(&format!(
            "; paths are site.K, finance.K, workload.K, fleet.ID.K, fleet.ID.chip.K, \
             fleet.ID.chip.peak.PREC, contract.value, contract.term{programs} \
             (`fleetcost validate --list-params` lists them all)"
        ));
    } else {
        msg.push_str(&format!("; {}", crate::suggest::did_you_mean_any(&near)));
    }
    msg
}
