//! Parameter paths: every numeric input by its MODEL.md path (`site.pue`,
//! `fleet.trn2.chip.price`, `fleet.h100.chip.peak.bf16`, ...), with its unit and valid range.
//!
//! `--set`, `[uncertainty]`, `[[sweep]]`, the solver and elasticities all address inputs
//! through [`Param`], so a path means the same thing everywhere.

use crate::model::{Inputs, Precision};
use crate::units::{self, Unit};

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

// Upper bounds of counts. Counts are whole numbers that the model multiplies together and the
// report prints as integers (u64), so each has a finite bound: a typo such as chips = 1e20 is
// refused as out of range (it used to print as 2^64 - 1 = 1.8e19 chips while the power figures
// used 1e20), and every valid count and product of counts stays exact in f64 (< 2^53). Each
// bound is far above anything real, so no plausible scenario meets it.

/// `fleet.ID.chips`: 1e12, about ten thousand times all the data-centre AI accelerators
/// shipped to date (tens of millions).
const MAX_CHIPS: f64 = crate::model::MAX_FLEET_CHIPS;
/// `chips_per_node`, `tensor_parallel` (chips per model replica): 1e6, a hundred times the
/// largest single systems (TPU pods of ~9,000 chips, a 576-GPU NVLink domain).
const MAX_CHIPS_PER_GROUP: f64 = 1e6;
/// `layers`, `kv_heads`, `head_dim`: 1e6, a thousand times the largest published (about 1,000
/// layers in the deepest trained transformers, 128 key/value heads, head_dim 256).
const MAX_SHAPE: f64 = 1e6;
/// `context` (tokens per sequence) and `batch` (sequences per decode step): 1e9, a hundred
/// times the longest demonstrated context (~1e7 tokens) and 1e5 times today's decode batches.
const MAX_SEQUENCE: f64 = 1e9;

/// A key's unit and range.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KeySpec {
    pub name: &'static str,
    pub unit: Unit,
    pub range: Range,
    /// What the key means, for messages and the docs.
    pub about: &'static str,
}

const fn key(name: &'static str, unit: Unit, range: Range, about: &'static str) -> KeySpec {
    KeySpec {
        name,
        unit,
        range,
        about,
    }
}

/// `site.*` numeric keys.
pub const SITE: &[KeySpec] = &[
    key("power", units::W, Range::POSITIVE, "power budget"),
    key(
        "pue",
        units::ONE,
        Range::AT_LEAST_ONE,
        "power usage effectiveness",
    ),
    key(
        "electricity",
        units::USD_PER_KWH,
        Range::NON_NEGATIVE,
        "electricity price",
    ),
    key(
        "facility_capex",
        units::USD_PER_W,
        Range::NON_NEGATIVE,
        "facility capex per W of IT capacity",
    ),
    key("facility_life", units::YR, Range::POSITIVE, "facility life"),
    key(
        "facility_opex",
        units::USD_PER_W_YR,
        Range::NON_NEGATIVE,
        "facility opex per W of IT capacity per year",
    ),
];

/// `finance.*` keys.
pub const FINANCE: &[KeySpec] = &[
    key(
        "discount_rate",
        units::ONE,
        Range::NON_NEGATIVE,
        "discount rate per year",
    ),
    key(
        "horizon",
        units::YR,
        // A cash-flow table has a row per year: a horizon is a plan, not geological time.
        Range {
            min: 0.0,
            min_open: true,
            max: 1000.0 * units::SECONDS_PER_YEAR,
            integer: false,
        },
        "horizon",
    ),
];

/// `workload.*` numeric keys.
pub const WORKLOAD: &[KeySpec] = &[
    key(
        "model_params",
        units::ONE,
        Range::POSITIVE,
        "model parameters",
    ),
    key(
        "tokens",
        units::TOKENS,
        Range::POSITIVE,
        "training tokens of one run",
    ),
    key(
        "layers",
        units::ONE,
        Range::count(MAX_SHAPE),
        "decoder layers",
    ),
    key(
        "kv_heads",
        units::ONE,
        Range::count(MAX_SHAPE),
        "key/value heads",
    ),
    key(
        "head_dim",
        units::ONE,
        Range::count(MAX_SHAPE),
        "head dimension",
    ),
    key(
        "weight_bytes",
        units::BYTES,
        Range::POSITIVE,
        "bytes per weight",
    ),
    key(
        "kv_bytes",
        units::BYTES,
        Range::POSITIVE,
        "bytes per KV-cache element",
    ),
    key(
        "context",
        units::TOKENS,
        Range::count(MAX_SEQUENCE),
        "context tokens per sequence",
    ),
    key(
        "batch",
        units::ONE,
        Range::count(MAX_SEQUENCE),
        "sequences per decode step",
    ),
    key(
        "tensor_parallel",
        units::ONE,
        Range::count(MAX_CHIPS_PER_GROUP),
        "chips per model replica",
    ),
];

/// `fleet.ID.*` numeric keys.
pub const FLEET: &[KeySpec] = &[
    key("chips", units::ONE, Range::count(MAX_CHIPS), "chip count"),
    key(
        "chips_per_node",
        units::ONE,
        Range::count(MAX_CHIPS_PER_GROUP),
        "chips per node",
    ),
    key(
        "node_power",
        units::W,
        Range::NON_NEGATIVE,
        "power per node beyond the chips",
    ),
    key(
        "network_power",
        units::W,
        Range::NON_NEGATIVE,
        "network power per chip",
    ),
    key(
        "node_price",
        units::USD,
        Range::NON_NEGATIVE,
        "price per node beyond the chips",
    ),
    key(
        "network_price",
        units::USD,
        Range::NON_NEGATIVE,
        "network price per chip",
    ),
    key("hardware_life", units::YR, Range::POSITIVE, "hardware life"),
    key(
        "maintenance",
        units::ONE,
        Range::NON_NEGATIVE,
        "maintenance, fraction of hardware capex per year",
    ),
    key(
        "software",
        units::USD_PER_YR,
        Range::NON_NEGATIVE,
        "software per chip-year",
    ),
    key(
        "power_load",
        units::ONE,
        Range::FRACTION,
        "average draw as a fraction of provisioned power",
    ),
    key(
        "availability",
        units::ONE,
        Range::FRACTION,
        "fraction of time doing useful work",
    ),
    key("mfu", units::ONE, Range::FRACTION, "model FLOP utilisation"),
    key(
        "mbu",
        units::ONE,
        Range::FRACTION,
        "memory-bandwidth utilisation",
    ),
    key(
        "step_overhead",
        units::S,
        Range::NON_NEGATIVE,
        "fixed time per decode step",
    ),
    key(
        "rent",
        units::USD_PER_H,
        Range::NON_NEGATIVE,
        "rent per chip-hour",
    ),
    key(
        "tensor_parallel",
        units::ONE,
        Range::count(MAX_CHIPS_PER_GROUP),
        "chips per model replica",
    ),
    key(
        "pue",
        units::ONE,
        Range::AT_LEAST_ONE,
        "power usage effectiveness",
    ),
    key(
        "electricity",
        units::USD_PER_KWH,
        Range::NON_NEGATIVE,
        "electricity price",
    ),
    key(
        "facility_capex",
        units::USD_PER_W,
        Range::NON_NEGATIVE,
        "facility capex per W of IT capacity",
    ),
    key("facility_life", units::YR, Range::POSITIVE, "facility life"),
    key(
        "facility_opex",
        units::USD_PER_W_YR,
        Range::NON_NEGATIVE,
        "facility opex per W of IT capacity per year",
    ),
];

/// `fleet.ID.chip.*` numeric keys (peaks are `chip.peak.PREC`).
pub const CHIP: &[KeySpec] = &[
    key(
        "tdp",
        units::W,
        Range::POSITIVE,
        "chip thermal design power",
    ),
    key("hbm", units::GB, Range::POSITIVE, "HBM capacity"),
    key("hbm_bw", units::TB_PER_S, Range::POSITIVE, "HBM bandwidth"),
    key("price", units::USD, Range::NON_NEGATIVE, "chip price"),
    key(
        "price_low",
        units::USD,
        Range::NON_NEGATIVE,
        "low chip price estimate",
    ),
    key(
        "price_high",
        units::USD,
        Range::NON_NEGATIVE,
        "high chip price estimate",
    ),
];

/// `fleet.ID.chip.peak.PREC`.
pub const PEAK: KeySpec = key("peak", units::TFLOP_PER_S, Range::POSITIVE, "dense peak");

/// `contract.*` numeric keys.
pub const CONTRACT: &[KeySpec] = &[
    key("value", units::USD, Range::POSITIVE, "contract value"),
    key("term", units::YR, Range::POSITIVE, "contract term"),
];

/// Indices into the key tables, by name, so `get` and `set` dispatch on integers.
pub mod key {
    pub mod site {
        pub const POWER: u8 = 0;
        pub const PUE: u8 = 1;
        pub const ELECTRICITY: u8 = 2;
        pub const FACILITY_CAPEX: u8 = 3;
        pub const FACILITY_LIFE: u8 = 4;
        pub const FACILITY_OPEX: u8 = 5;
    }
    pub mod finance {
        pub const DISCOUNT_RATE: u8 = 0;
        pub const HORIZON: u8 = 1;
    }
    pub mod workload {
        pub const MODEL_PARAMS: u8 = 0;
        pub const TOKENS: u8 = 1;
        pub const LAYERS: u8 = 2;
        pub const KV_HEADS: u8 = 3;
        pub const HEAD_DIM: u8 = 4;
        pub const WEIGHT_BYTES: u8 = 5;
        pub const KV_BYTES: u8 = 6;
        pub const CONTEXT: u8 = 7;
        pub const BATCH: u8 = 8;
        pub const TENSOR_PARALLEL: u8 = 9;
    }
    pub mod fleet {
        pub const CHIPS: u8 = 0;
        pub const CHIPS_PER_NODE: u8 = 1;
        pub const NODE_POWER: u8 = 2;
        pub const NETWORK_POWER: u8 = 3;
        pub const NODE_PRICE: u8 = 4;
        pub const NETWORK_PRICE: u8 = 5;
        pub const HARDWARE_LIFE: u8 = 6;
        pub const MAINTENANCE: u8 = 7;
        pub const SOFTWARE: u8 = 8;
        pub const POWER_LOAD: u8 = 9;
        pub const AVAILABILITY: u8 = 10;
        pub const MFU: u8 = 11;
        pub const MBU: u8 = 12;
        pub const STEP_OVERHEAD: u8 = 13;
        pub const RENT: u8 = 14;
        pub const TENSOR_PARALLEL: u8 = 15;
        pub const PUE: u8 = 16;
        pub const ELECTRICITY: u8 = 17;
        pub const FACILITY_CAPEX: u8 = 18;
        pub const FACILITY_LIFE: u8 = 19;
        pub const FACILITY_OPEX: u8 = 20;
    }
    pub mod chip {
        pub const TDP: u8 = 0;
        pub const HBM: u8 = 1;
        pub const HBM_BW: u8 = 2;
        pub const PRICE: u8 = 3;
        pub const PRICE_LOW: u8 = 4;
        pub const PRICE_HIGH: u8 = 5;
    }
    pub mod contract {
        pub const VALUE: u8 = 0;
        pub const TERM: u8 = 1;
    }
}

/// One numeric input. Indices point into the key tables above and into `Inputs::fleets`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Param {
    Site(u8),
    Finance(u8),
    Workload(u8),
    Fleet(usize, u8),
    Chip(usize, u8),
    Peak(usize, Precision),
    Contract(u8),
}

fn index_of(table: &[KeySpec], name: &str) -> Option<u8> {
    table.iter().position(|k| k.name == name).map(|i| i as u8)
}

impl Param {
    /// The key's unit and range.
    pub fn spec(self) -> &'static KeySpec {
        match self {
            Param::Site(k) => &SITE[k as usize],
            Param::Finance(k) => &FINANCE[k as usize],
            Param::Workload(k) => &WORKLOAD[k as usize],
            Param::Fleet(_, k) => &FLEET[k as usize],
            Param::Chip(_, k) => &CHIP[k as usize],
            Param::Peak(..) => &PEAK,
            Param::Contract(k) => &CONTRACT[k as usize],
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
        }
    }

    /// Looks a path up; the error lists near matches among `all(inputs)`.
    pub fn parse(path: &str, inputs: &Inputs) -> Result<Param, String> {
        Param::lookup(path, inputs).ok_or_else(|| unknown_path(path, inputs))
    }

    fn lookup(path: &str, inputs: &Inputs) -> Option<Param> {
        let parts: Vec<&str> = path.split('.').collect();
        let fleet = |id: &str| inputs.fleets.iter().position(|f| f.id == id);
        match parts.as_slice() {
            ["site", k] => index_of(SITE, k).map(Param::Site),
            ["finance", k] => index_of(FINANCE, k).map(Param::Finance),
            ["workload", k] => index_of(WORKLOAD, k).map(Param::Workload),
            ["contract", k] if inputs.contract.is_some() => {
                index_of(CONTRACT, k).map(Param::Contract)
            }
            ["fleet", id, k] => Some(Param::Fleet(fleet(id)?, index_of(FLEET, k)?)),
            ["fleet", id, "chip", k] => Some(Param::Chip(fleet(id)?, index_of(CHIP, k)?)),
            ["fleet", id, "chip", "peak", p] => {
                Some(Param::Peak(fleet(id)?, Precision::from_name(p)?))
            }
            _ => None,
        }
    }

    /// Every numeric parameter path of `inputs`, in a stable order.
    pub fn all(inputs: &Inputs) -> Vec<Param> {
        let mut out: Vec<Param> = Vec::new();
        out.extend((0..SITE.len() as u8).map(Param::Site));
        out.extend((0..FINANCE.len() as u8).map(Param::Finance));
        out.extend((0..WORKLOAD.len() as u8).map(Param::Workload));
        for i in 0..inputs.fleets.len() {
            out.extend((0..FLEET.len() as u8).map(|k| Param::Fleet(i, k)));
            out.extend((0..CHIP.len() as u8).map(|k| Param::Chip(i, k)));
            out.extend(Precision::ALL.into_iter().map(|p| Param::Peak(i, p)));
        }
        if inputs.contract.is_some() {
            out.extend((0..CONTRACT.len() as u8).map(Param::Contract));
        }
        out
    }

    /// The parameter's current value in SI units; `None` when the input is absent (an
    /// optional key not given). Fleet overrides of site keys report the effective value.
    pub fn get(self, x: &Inputs) -> Option<f64> {
        match self {
            Param::Site(k) => {
                let s = &x.site;
                match k {
                    key::site::POWER => s.power,
                    key::site::PUE => Some(s.pue),
                    key::site::ELECTRICITY => s.electricity,
                    key::site::FACILITY_CAPEX => Some(s.facility_capex),
                    key::site::FACILITY_LIFE => Some(s.facility_life),
                    _ => Some(s.facility_opex),
                }
            }
            Param::Finance(k) => match k {
                key::finance::DISCOUNT_RATE => Some(x.finance.discount_rate),
                _ => Some(x.finance.horizon),
            },
            Param::Workload(k) => {
                let w = &x.workload;
                match k {
                    key::workload::MODEL_PARAMS => w.model_params,
                    key::workload::TOKENS => w.tokens,
                    key::workload::LAYERS => w.layers,
                    key::workload::KV_HEADS => w.kv_heads,
                    key::workload::HEAD_DIM => w.head_dim,
                    key::workload::WEIGHT_BYTES => w.weight_bytes,
                    key::workload::KV_BYTES => w.kv_bytes,
                    key::workload::CONTEXT => w.context,
                    key::workload::BATCH => w.batch,
                    _ => w.tensor_parallel,
                }
            }
            Param::Fleet(i, k) => {
                let f = &x.fleets[i];
                let s = &x.site;
                match k {
                    key::fleet::CHIPS => f.chips,
                    key::fleet::CHIPS_PER_NODE => Some(f.chips_per_node),
                    key::fleet::NODE_POWER => Some(f.node_power),
                    key::fleet::NETWORK_POWER => Some(f.network_power),
                    key::fleet::NODE_PRICE => Some(f.node_price),
                    key::fleet::NETWORK_PRICE => Some(f.network_price),
                    key::fleet::HARDWARE_LIFE => f.hardware_life,
                    key::fleet::MAINTENANCE => Some(f.maintenance),
                    key::fleet::SOFTWARE => Some(f.software),
                    key::fleet::POWER_LOAD => Some(f.power_load),
                    key::fleet::AVAILABILITY => Some(f.availability),
                    key::fleet::MFU => Some(f.mfu),
                    key::fleet::MBU => f.mbu,
                    key::fleet::STEP_OVERHEAD => Some(f.step_overhead),
                    key::fleet::RENT => f.rent,
                    key::fleet::TENSOR_PARALLEL => f.tensor_parallel.or(x.workload.tensor_parallel),
                    key::fleet::PUE => Some(f.pue.unwrap_or(s.pue)),
                    key::fleet::ELECTRICITY => f.electricity.or(s.electricity),
                    key::fleet::FACILITY_CAPEX => {
                        Some(f.facility_capex.unwrap_or(s.facility_capex))
                    }
                    key::fleet::FACILITY_LIFE => Some(f.facility_life.unwrap_or(s.facility_life)),
                    _ => Some(f.facility_opex.unwrap_or(s.facility_opex)),
                }
            }
            Param::Chip(i, k) => {
                let c = &x.fleets[i].chip;
                match k {
                    key::chip::TDP => Some(c.tdp),
                    key::chip::HBM => c.hbm,
                    key::chip::HBM_BW => c.hbm_bw,
                    key::chip::PRICE => c.price,
                    key::chip::PRICE_LOW => c.price_low,
                    _ => c.price_high,
                }
            }
            Param::Peak(i, p) => x.fleets[i].chip.peak[p.index()],
            Param::Contract(k) => x.contract.as_ref().map(|c| match k {
                key::contract::VALUE => c.value,
                _ => c.term,
            }),
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
            Param::Site(k) => {
                let s = &mut x.site;
                match k {
                    key::site::POWER => s.power = Some(v),
                    key::site::PUE => s.pue = v,
                    key::site::ELECTRICITY => s.electricity = Some(v),
                    key::site::FACILITY_CAPEX => s.facility_capex = v,
                    key::site::FACILITY_LIFE => s.facility_life = v,
                    _ => s.facility_opex = v,
                }
            }
            Param::Finance(k) => match k {
                key::finance::DISCOUNT_RATE => x.finance.discount_rate = v,
                _ => x.finance.horizon = v,
            },
            Param::Workload(k) => {
                let w = &mut x.workload;
                let slot = match k {
                    key::workload::MODEL_PARAMS => &mut w.model_params,
                    key::workload::TOKENS => &mut w.tokens,
                    key::workload::LAYERS => &mut w.layers,
                    key::workload::KV_HEADS => &mut w.kv_heads,
                    key::workload::HEAD_DIM => &mut w.head_dim,
                    key::workload::WEIGHT_BYTES => &mut w.weight_bytes,
                    key::workload::KV_BYTES => &mut w.kv_bytes,
                    key::workload::CONTEXT => &mut w.context,
                    key::workload::BATCH => {
                        w.batch_max = false;
                        &mut w.batch
                    }
                    _ => &mut w.tensor_parallel,
                };
                *slot = Some(v);
            }
            Param::Fleet(i, k) => {
                let f = &mut x.fleets[i];
                match k {
                    key::fleet::CHIPS => f.chips = Some(v),
                    key::fleet::CHIPS_PER_NODE => f.chips_per_node = v,
                    key::fleet::NODE_POWER => f.node_power = v,
                    key::fleet::NETWORK_POWER => f.network_power = v,
                    key::fleet::NODE_PRICE => f.node_price = v,
                    key::fleet::NETWORK_PRICE => f.network_price = v,
                    key::fleet::HARDWARE_LIFE => f.hardware_life = Some(v),
                    key::fleet::MAINTENANCE => f.maintenance = v,
                    key::fleet::SOFTWARE => f.software = v,
                    key::fleet::POWER_LOAD => f.power_load = v,
                    key::fleet::AVAILABILITY => f.availability = v,
                    key::fleet::MFU => f.mfu = v,
                    key::fleet::MBU => f.mbu = Some(v),
                    key::fleet::STEP_OVERHEAD => f.step_overhead = v,
                    key::fleet::RENT => f.rent = Some(v),
                    key::fleet::TENSOR_PARALLEL => f.tensor_parallel = Some(v),
                    key::fleet::PUE => f.pue = Some(v),
                    key::fleet::ELECTRICITY => f.electricity = Some(v),
                    key::fleet::FACILITY_CAPEX => f.facility_capex = Some(v),
                    key::fleet::FACILITY_LIFE => f.facility_life = Some(v),
                    _ => f.facility_opex = Some(v),
                }
            }
            Param::Chip(i, k) => {
                let c = &mut x.fleets[i].chip;
                match k {
                    key::chip::TDP => c.tdp = v,
                    key::chip::HBM => c.hbm = Some(v),
                    key::chip::HBM_BW => c.hbm_bw = Some(v),
                    key::chip::PRICE => c.price = Some(v),
                    key::chip::PRICE_LOW => c.price_low = Some(v),
                    _ => c.price_high = Some(v),
                }
            }
            Param::Peak(i, p) => x.fleets[i].chip.peak[p.index()] = Some(v),
            Param::Contract(k) => {
                if let Some(c) = x.contract.as_mut() {
                    match k {
                        key::contract::VALUE => c.value = v,
                        _ => c.term = v,
                    }
                }
            }
        }
    }
}

/// A typical value of a key as a scenario writes it, for messages ("power = \"2 GW\"").
pub fn example(name: &str) -> &'static str {
    match name {
        "power" => "\"2 GW\"",
        "pue" => "1.2",
        "electricity" => "\"0.07 USD/kWh\"",
        "facility_capex" => "\"11 USD/W\"",
        "facility_life" => "\"20 yr\"",
        "facility_opex" => "\"0.4 USD/W/yr\"",
        "discount_rate" => "0.08",
        "horizon" => "\"8 yr\"",
        "model_params" => "70e9",
        "tokens" => "15e12",
        "layers" => "80",
        "kv_heads" => "8",
        "head_dim" => "128",
        "weight_bytes" | "kv_bytes" => "2",
        "context" => "8192",
        "batch" => "64",
        "tensor_parallel" => "8",
        "chips" => "100000",
        "chips_per_node" => "8",
        "node_power" => "\"4.6 kW\"",
        "network_power" => "\"60 W\"",
        "node_price" => "\"80k USD\"",
        "network_price" => "\"5000 USD\"",
        "hardware_life" => "\"5 yr\"",
        "maintenance" => "0.03",
        "software" => "\"4500 USD/yr\"",
        "power_load" => "0.8",
        "availability" => "0.95",
        "mfu" => "0.4",
        "mbu" => "0.6",
        "step_overhead" => "\"0.1 ms\"",
        "rent" => "\"2.1 USD/h\"",
        "tdp" => "\"700 W\"",
        "hbm" => "\"80 GB\"",
        "hbm_bw" => "\"3.35 TB/s\"",
        "price" | "price_low" | "price_high" => "\"25k USD\"",
        "peak" | "fp32" | "tf32" | "bf16" | "fp8" | "fp4" => "989",
        "value" => "\"38e9 USD\"",
        "term" => "\"7 yr\"",
        "claim" => "1.3",
        _ => "1",
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
    if let ["contract", k] = parts.as_slice() {
        if inputs.contract.is_none() && index_of(CONTRACT, k).is_some() {
            return format!(
                "'{path}' needs a [contract] table (fleet, value, term), which this scenario does not have"
            );
        }
    }
    // Near matches: similar paths, then paths with the same last part ("chips_per_node" ->
    // "fleet.h100.chips_per_node").
    let mut scored: Vec<(f64, &String)> = all
        .iter()
        .map(|q| (strsim::jaro_winkler(path, q), q))
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    let last = parts.last().copied().unwrap_or("");
    let mut near: Vec<&String> = Vec::new();
    for q in all.iter().filter(|q| q.rsplit('.').next() == Some(last)) {
        if near.len() < 4 && q.as_str() != path {
            near.push(q);
        }
    }
    for (_, q) in scored.into_iter().filter(|(s, _)| *s > 0.85) {
        if near.len() < 4 && !near.contains(&q) {
            near.push(q);
        }
    }
    if near.is_empty() {
        msg.push_str(
            "; paths are site.K, finance.K, workload.K, fleet.ID.K, fleet.ID.chip.K, \
             fleet.ID.chip.peak.PREC, contract.value, contract.term (`fleetcost validate \
             --list-params` lists them all)",
        );
    } else {
        let near: Vec<String> = near.iter().map(|q| format!("'{q}'")).collect();
        msg.push_str(&format!("; did you mean {}?", near.join(" or ")));
    }
    msg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_count_has_a_finite_bound_below_2_pow_53() {
        let tables = [SITE, FINANCE, WORKLOAD, FLEET, CHIP, CONTRACT];
        let counts: Vec<&KeySpec> = tables
            .iter()
            .flat_map(|t| t.iter())
            .filter(|k| k.range.integer)
            .collect();
        // chips, chips_per_node, tensor_parallel (fleet and workload), layers, kv_heads,
        // head_dim, context, batch
        assert_eq!(counts.len(), 9, "{counts:?}");
        for k in counts {
            // 2^53 = 9,007,199,254,740,992: every whole number below it is exact in f64.
            assert!(k.range.max <= 9_007_199_254_740_992.0, "{}", k.name);
            assert!(k.range.contains(k.range.max) && !k.range.contains(k.range.max * 2.0));
        }
    }

    #[test]
    fn chips_are_bounded_at_1e12_and_the_description_says_so() {
        let chips = FLEET.iter().find(|k| k.name == "chips").unwrap().range;
        assert!(chips.contains(1.0) && chips.contains(1e12));
        assert!(!chips.contains(1e12 + 1.0) && !chips.contains(1e20) && !chips.contains(0.0));
        assert_eq!(chips.describe(), "a whole number in [1, 1000000000000]");
    }
}
