//! The scenario's numeric keys: one declarative table per section, the single place a key
//! lives. Each line names the key, its unit, valid range, default, an example value, what it
//! means, and where it is stored in [`Inputs`]; the macro generates from it the key enum (one
//! variant per line), the spec table, lookup by name, and get and set by parameter path. The
//! parser reads keys in table order, the resolved-file writer writes them in table order, and
//! docs/scenario.md lists them from the tables.
//!
//! Adding a key: add the field to the struct in `model::inputs` and one line here (see
//! "Adding a scenario key" in docs/architecture.md). Every `match` on a key enum is generated
//! and exhaustive, so there is no arm to forget.

use super::params::Range;
use crate::model::{Inputs, Tranche, TrancheSize};
use crate::units::{self, Unit};

/// A key's unit, range, default and description.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KeySpec {
    pub name: &'static str,
    pub unit: Unit,
    pub range: Range,
    /// The value (SI units) a scenario that omits the key gets; `None`: the key is optional
    /// (absent means what `about` says) or required (the parser asks for it).
    pub default: Option<f64>,
    /// A typical value as a scenario writes it, for messages and the docs ("\"2 GW\"").
    pub example: &'static str,
    /// What the key means, for messages and the docs.
    pub about: &'static str,
}

impl KeySpec {
    /// A spec for a value that is not a scenario key of the tables (a sweep's steps, a claim).
    pub const fn new(name: &'static str, unit: Unit, range: Range, about: &'static str) -> Self {
        KeySpec {
            name,
            unit,
            range,
            default: None,
            example: "1",
            about,
        }
    }
}

/// What the parser and the docs need of any section's key enum.
pub trait SectionKey: Copy + 'static {
    /// Every key of the section in table order.
    const ALL: &'static [Self];
    fn spec(self) -> &'static KeySpec;
    /// Sets the value (SI units) of fleet `i` (ignored outside fleet sections).
    fn set(self, x: &mut Inputs, i: usize, v: f64);
}

/// Sets every key of section `K` that has a table default to it, for fleet `i` of `x`: what a
/// scenario that omits the key gets.
pub fn set_defaults<K: SectionKey>(x: &mut Inputs, i: usize) {
    for &k in K::ALL {
        if let Some(d) = k.spec().default {
            k.set(x, i, d);
        }
    }
}

/// Where a key's value lives: `opt(PLACE)` (an `Option<f64>` field), `val(PLACE)` (an `f64`
/// field), `inherit(PLACE, FALLBACK)` (an `Option<f64>` override whose effective value falls
/// back to FALLBACK, an `Option<f64>` expression), or `custom(get EXPR, set EXPR)`.
macro_rules! key_get {
    (opt, $p:expr) => {
        $p
    };
    (val, $p:expr) => {
        Some($p)
    };
    (inherit, $p:expr, $fallback:expr) => {
        $p.or($fallback)
    };
    (custom, get $g:expr, set $s:expr) => {
        $g
    };
}

macro_rules! key_own {
    (inherit, $p:expr, $fallback:expr) => {
        $p
    };
    ($kind:ident, $($rest:tt)*) => {
        key_get!($kind, $($rest)*)
    };
}

macro_rules! key_set {
    (opt, $v:ident, $p:expr) => {
        $p = Some($v)
    };
    (val, $v:ident, $p:expr) => {
        $p = $v
    };
    (inherit, $v:ident, $p:expr, $fallback:expr) => {
        $p = Some($v)
    };
    (custom, $v:ident, get $g:expr, set $s:expr) => {
        $s
    };
}

/// One section's table: `Variant = "name", unit, range, default, example, about => access(...);`.
/// `|x, i, v|` names the inputs, the fleet index and the value in the access expressions.
macro_rules! key_table {
    (
        $(#[$meta:meta])*
        pub enum $Enum:ident |$x:ident, $i:ident, $v:ident| {
            $(
                $Var:ident = $name:literal, $unit:expr, $range:expr, $default:expr,
                    $eg:literal, $about:literal => $kind:ident($($access:tt)*)
            );* $(;)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $Enum {
            $($Var),*
        }

        impl SectionKey for $Enum {
            const ALL: &'static [Self] = $Enum::ALL;
            fn spec(self) -> &'static KeySpec {
                $Enum::spec(self)
            }
            fn set(self, x: &mut Inputs, i: usize, v: f64) {
                $Enum::set(self, x, i, v)
            }
        }

        impl $Enum {
            /// Every key of the section, in table order (the parse and write order).
            pub const ALL: &'static [$Enum] = &[$($Enum::$Var),*];

            /// The specs of [`Self::ALL`], in the same order.
            pub const SPECS: &'static [KeySpec] = &[$(KeySpec {
                name: $name,
                unit: $unit,
                range: $range,
                default: $default,
                example: $eg,
                about: $about,
            }),*];

            /// The key's unit, range, default and description.
            #[inline]
            pub fn spec(self) -> &'static KeySpec {
                &Self::SPECS[self as usize]
            }

            /// The key named `name` in this section.
            pub fn from_name(name: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|k| k.spec().name == name)
            }

            /// The effective value in SI units (a fleet override falls back to the site's
            /// value); `None` when the input is absent.
            #[allow(unused_variables)]
            #[inline]
            pub fn get(self, $x: &Inputs, $i: usize) -> Option<f64> {
                match self {
                    $($Enum::$Var => key_get!($kind, $($access)*)),*
                }
            }

            /// The value as the scenario itself sets it: the override alone for a key that
            /// inherits, else [`Self::get`].
            #[allow(unused_variables)]
            pub fn own(self, $x: &Inputs, $i: usize) -> Option<f64> {
                match self {
                    $($Enum::$Var => key_own!($kind, $($access)*)),*
                }
            }

            /// Sets the value (SI units, not rounded); an absent optional input becomes present.
            #[allow(unused_variables)]
            #[inline]
            pub fn set(self, $x: &mut Inputs, $i: usize, $v: f64) {
                match self {
                    $($Enum::$Var => { key_set!($kind, $v, $($access)*); }),*
                }
            }
        }
    };
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

/// A horizon is a plan, not geological time: a cash-flow table has a row per year.
const HORIZON: Range = Range {
    min: 0.0,
    min_open: true,
    max: 1000.0 * units::SECONDS_PER_YEAR,
    integer: false,
};

const YEARS_20: f64 = 20.0 * units::SECONDS_PER_YEAR;

/// `price_decline` in [0, 1): at 1 every later purchase would be free.
const DECLINE: Range = Range {
    min: 0.0,
    min_open: false,
    max: 0.99,
    integer: false,
};

/// `input_tokens`: whole numbers from 0 (no prefill).
const INPUT_TOKENS: Range = Range {
    min: 0.0,
    min_open: false,
    max: MAX_SEQUENCE,
    integer: true,
};
/// `memory_reserve` in [0, 1): at 1 nothing would be left for weights and KV.
const RESERVE: Range = Range {
    min: 0.0,
    min_open: false,
    max: 0.99,
    integer: false,
};
/// `acceptance` in (0, 1): at 1 every drafted token would be accepted forever.
const ACCEPTANCE: Range = Range {
    min: 0.0,
    min_open: true,
    max: 0.999,
    integer: false,
};

use units::{
    BYTES, GB, GB_PER_S, ONE, S, TB_PER_S, TFLOP_PER_S, TOKENS, USD, USD_PER_H, USD_PER_KWH,
    USD_PER_W, USD_PER_W_YR, USD_PER_YR, W, YR,
};
const POSITIVE: Range = Range::POSITIVE;
const NON_NEGATIVE: Range = Range::NON_NEGATIVE;
const FRACTION: Range = Range::FRACTION;
const AT_LEAST_ONE: Range = Range::AT_LEAST_ONE;

key_table! {
    /// `site.*` numeric keys.
    pub enum SiteKey |x, i, v| {
        Power = "power", W, POSITIVE, None, "\"2 GW\"", "power budget"
            => opt(x.site.power);
        Pue = "pue", ONE, AT_LEAST_ONE, Some(1.0), "1.2", "power usage effectiveness"
            => val(x.site.pue);
        Electricity = "electricity", USD_PER_KWH, NON_NEGATIVE, None, "\"0.07 USD/kWh\"",
            "electricity price"
            => opt(x.site.electricity);
        FacilityCapex = "facility_capex", USD_PER_W, NON_NEGATIVE, Some(0.0), "\"11 USD/W\"",
            "facility capex per W of IT capacity"
            => val(x.site.facility_capex);
        FacilityLife = "facility_life", YR, POSITIVE, Some(YEARS_20), "\"20 yr\"", "facility life"
            => val(x.site.facility_life);
        FacilityOpex = "facility_opex", USD_PER_W_YR, NON_NEGATIVE, Some(0.0),
            "\"0.4 USD/W/yr\"", "facility opex per W of IT capacity per year"
            => val(x.site.facility_opex);
        CarbonIntensity = "carbon_intensity", ONE, NON_NEGATIVE, None, "0.37",
            "grid carbon intensity, kg CO2e per kWh (a plain number)"
            => opt(x.site.carbon_intensity);
    }
}

key_table! {
    /// `finance.*` keys.
    pub enum FinanceKey |x, i, v| {
        DiscountRate = "discount_rate", ONE, NON_NEGATIVE, None, "0.08", "discount rate per year"
            => val(x.finance.discount_rate);
        Horizon = "horizon", YR, HORIZON, None, "\"8 yr\"", "horizon"
            => val(x.finance.horizon);
    }
}

key_table! {
    /// `workload.*` numeric keys.
    pub enum WorkloadKey |x, i, v| {
        ModelParams = "model_params", ONE, POSITIVE, None, "70e9", "model parameters"
            => opt(x.workload.model_params);
        Tokens = "tokens", TOKENS, POSITIVE, None, "15e12", "training tokens of one run"
            => opt(x.workload.tokens);
        Layers = "layers", ONE, Range::count(MAX_SHAPE), None, "80", "decoder layers"
            => opt(x.workload.layers);
        KvHeads = "kv_heads", ONE, Range::count(MAX_SHAPE), None, "8", "key/value heads"
            => opt(x.workload.kv_heads);
        HeadDim = "head_dim", ONE, Range::count(MAX_SHAPE), None, "128", "head dimension"
            => opt(x.workload.head_dim);
        WeightBytes = "weight_bytes", BYTES, POSITIVE, None, "2", "bytes per weight"
            => opt(x.workload.weight_bytes);
        KvBytes = "kv_bytes", BYTES, POSITIVE, None, "2", "bytes per KV-cache element"
            => opt(x.workload.kv_bytes);
        Context = "context", TOKENS, Range::count(MAX_SEQUENCE), None, "8192",
            "context tokens per sequence"
            => opt(x.workload.context);
        Batch = "batch", ONE, Range::count(MAX_SEQUENCE), None, "64", "sequences per decode step"
            => custom(get x.workload.batch, set {
                x.workload.batch_max = false;
                x.workload.batch = Some(v)
            });
        TensorParallel = "tensor_parallel", ONE, Range::count(MAX_CHIPS_PER_GROUP), None, "8",
            "chips per model replica (or \"auto\")"
            => custom(get x.workload.tensor_parallel, set {
                x.workload.tensor_parallel_auto = false;
                x.workload.tensor_parallel = Some(v)
            });
        ActiveParams = "active_params", ONE, POSITIVE, None, "37e9",
            "parameters used per token (mixture of experts); default model_params"
            => opt(x.workload.active_params);
        Heads = "heads", ONE, Range::count(MAX_SHAPE), None, "64", "query heads"
            => opt(x.workload.heads);
        Hidden = "hidden", ONE, Range::count(MAX_SHAPE), None, "8192",
            "model width; default heads * head_dim"
            => opt(x.workload.hidden);
        SeqLen = "seq_len", TOKENS, Range::count(MAX_SEQUENCE), None, "8192",
            "tokens per training sequence (adds the attention FLOPs)"
            => opt(x.workload.seq_len);
        InputTokens = "input_tokens", TOKENS, INPUT_TOKENS, None, "1000",
            "prompt tokens per request"
            => opt(x.workload.input_tokens);
        OutputTokens = "output_tokens", TOKENS, Range::count(MAX_SEQUENCE), None, "200",
            "generated tokens per request"
            => opt(x.workload.output_tokens);
        Experts = "experts", ONE, Range::count(MAX_SHAPE), None, "256",
            "routed experts per MoE layer"
            => opt(x.workload.experts);
        ExpertsPerToken = "experts_per_token", ONE, Range::count(MAX_SHAPE), None, "8",
            "routed experts chosen per token"
            => opt(x.workload.experts_per_token);
        MemoryReserve = "memory_reserve", ONE, RESERVE, Some(crate::model::DEFAULT_MEMORY_RESERVE),
            "0.10", "fraction of HBM for neither weights nor KV cache"
            => val(x.workload.memory_reserve);
        MaxBatch = "max_batch", ONE, Range::count(MAX_SEQUENCE), None, "256",
            "sequences per replica at most"
            => opt(x.workload.max_batch);
        PrefillChunk = "prefill_chunk", TOKENS, Range::count(MAX_SEQUENCE),
            Some(crate::model::DEFAULT_PREFILL_CHUNK), "8192", "tokens per prefill step"
            => val(x.workload.prefill_chunk);
        Tpot = "tpot", S, POSITIVE, None, "\"50 ms\"", "target time per output token"
            => opt(x.workload.tpot);
        Ttft = "ttft", S, POSITIVE, None, "\"2 s\"", "target time to first token"
            => opt(x.workload.ttft);
        SpecTokens = "spec_tokens", ONE, Range::count(MAX_SHAPE), None, "3",
            "speculative tokens drafted per step"
            => opt(x.workload.spec_tokens);
        Acceptance = "acceptance", ONE, ACCEPTANCE, None, "0.7",
            "probability each drafted token is accepted"
            => opt(x.workload.acceptance);
        DraftCost = "draft_cost", ONE, NON_NEGATIVE, Some(crate::model::DEFAULT_DRAFT_COST),
            "0.05", "drafting cost per drafted token, fraction of a decode step"
            => val(x.workload.draft_cost);
        PrefillTensorParallel = "prefill_tensor_parallel", ONE, Range::count(MAX_CHIPS_PER_GROUP),
            None, "8", "chips per prefill replica (disaggregated serving)"
            => opt(x.workload.prefill_tensor_parallel);
    }
}

key_table! {
    /// `fleet.ID.*` numeric keys.
    pub enum FleetKey |x, i, v| {
        Chips = "chips", ONE, Range::count(MAX_CHIPS), None, "100000", "chip count"
            => opt(x.fleets[i].chips);
        ChipsPerNode = "chips_per_node", ONE, Range::count(MAX_CHIPS_PER_GROUP), Some(1.0), "8",
            "chips per node"
            => val(x.fleets[i].chips_per_node);
        NodePower = "node_power", W, NON_NEGATIVE, Some(0.0), "\"4.6 kW\"",
            "power per node beyond the chips"
            => val(x.fleets[i].node_power);
        NetworkPower = "network_power", W, NON_NEGATIVE, Some(0.0), "\"60 W\"",
            "network power per chip"
            => val(x.fleets[i].network_power);
        NodePrice = "node_price", USD, NON_NEGATIVE, Some(0.0), "\"80k USD\"",
            "price per node beyond the chips"
            => val(x.fleets[i].node_price);
        NetworkPrice = "network_price", USD, NON_NEGATIVE, Some(0.0), "\"5000 USD\"",
            "network price per chip"
            => val(x.fleets[i].network_price);
        HardwareLife = "hardware_life", YR, POSITIVE, None, "\"5 yr\"", "hardware life"
            => opt(x.fleets[i].hardware_life);
        Maintenance = "maintenance", ONE, NON_NEGATIVE, Some(0.0), "0.03",
            "maintenance, fraction of hardware capex per year"
            => val(x.fleets[i].maintenance);
        Software = "software", USD_PER_YR, NON_NEGATIVE, Some(0.0), "\"4500 USD/yr\"",
            "software per chip-year"
            => val(x.fleets[i].software);
        PowerLoad = "power_load", ONE, FRACTION, Some(1.0), "0.8",
            "average draw as a fraction of provisioned power"
            => val(x.fleets[i].power_load);
        Availability = "availability", ONE, FRACTION, Some(1.0), "0.95",
            "fraction of time doing useful work"
            => val(x.fleets[i].availability);
        Mfu = "mfu", ONE, FRACTION, None, "0.4", "model FLOP utilisation"
            => val(x.fleets[i].mfu);
        Mbu = "mbu", ONE, FRACTION, None, "0.6", "memory-bandwidth utilisation"
            => opt(x.fleets[i].mbu);
        PrefillMfu = "prefill_mfu", ONE, FRACTION, None, "0.5",
            "model FLOP utilisation of the serving model's prefill (mfu when unset)"
            => inherit(x.fleets[i].prefill_mfu, Some(x.fleets[i].mfu));
        StepOverhead = "step_overhead", S, NON_NEGATIVE, Some(0.0), "\"0.1 ms\"",
            "fixed time per decode step"
            => val(x.fleets[i].step_overhead);
        Rent = "rent", USD_PER_H, NON_NEGATIVE, None, "\"2.1 USD/h\"", "rent per chip-hour"
            => opt(x.fleets[i].rent);
        PriceDecline = "price_decline", ONE, DECLINE, Some(0.0), "0.15",
            "fraction per year off every later purchase of chips, nodes and network (refreshes \
             and program tranches; a purchase at t years costs price * (1 - decline)^t)"
            => val(x.fleets[i].price_decline);
        TensorParallel = "tensor_parallel", ONE, Range::count(MAX_CHIPS_PER_GROUP), None, "8",
            "chips per model replica (or \"auto\")"
            => inherit(x.fleets[i].tensor_parallel, x.workload.tensor_parallel);
        AllreduceLatency = "allreduce_latency", S, NON_NEGATIVE, None, "\"5 us\"",
            "time per tensor-parallel all-reduce (5 us when unset)"
            => opt(x.fleets[i].allreduce_latency);
        Pue = "pue", ONE, AT_LEAST_ONE, None, "1.2", "power usage effectiveness"
            => inherit(x.fleets[i].pue, Some(x.site.pue));
        Electricity = "electricity", USD_PER_KWH, NON_NEGATIVE, None, "\"0.07 USD/kWh\"",
            "electricity price"
            => inherit(x.fleets[i].electricity, x.site.electricity);
        FacilityCapex = "facility_capex", USD_PER_W, NON_NEGATIVE, None, "\"11 USD/W\"",
            "facility capex per W of IT capacity"
            => inherit(x.fleets[i].facility_capex, Some(x.site.facility_capex));
        FacilityLife = "facility_life", YR, POSITIVE, None, "\"20 yr\"", "facility life"
            => inherit(x.fleets[i].facility_life, Some(x.site.facility_life));
        FacilityOpex = "facility_opex", USD_PER_W_YR, NON_NEGATIVE, None, "\"0.4 USD/W/yr\"",
            "facility opex per W of IT capacity per year"
            => inherit(x.fleets[i].facility_opex, Some(x.site.facility_opex));
    }
}

key_table! {
    /// `fleet.ID.chip.*` numeric keys (peaks are `chip.peak.PREC`, [`PEAK`]).
    pub enum ChipKey |x, i, v| {
        Tdp = "tdp", W, POSITIVE, None, "\"700 W\"", "chip thermal design power"
            => val(x.fleets[i].chip.tdp);
        Hbm = "hbm", GB, POSITIVE, None, "\"80 GB\"", "HBM capacity"
            => opt(x.fleets[i].chip.hbm);
        HbmBw = "hbm_bw", TB_PER_S, POSITIVE, None, "\"3.35 TB/s\"", "HBM bandwidth"
            => opt(x.fleets[i].chip.hbm_bw);
        Price = "price", USD, NON_NEGATIVE, None, "\"25k USD\"", "chip price"
            => opt(x.fleets[i].chip.price);
        PriceLow = "price_low", USD, NON_NEGATIVE, None, "\"25k USD\"", "low chip price estimate"
            => opt(x.fleets[i].chip.price_low);
        PriceHigh = "price_high", USD, NON_NEGATIVE, None, "\"25k USD\"",
            "high chip price estimate"
            => opt(x.fleets[i].chip.price_high);
        ScaleupBw = "scaleup_bw", GB_PER_S, POSITIVE, None, "\"450 GB/s\"",
            "scale-up bandwidth per chip, one way"
            => opt(x.fleets[i].chip.scaleup_bw);
    }
}

key_table! {
    /// `contract.*` numeric keys.
    pub enum ContractKey |x, i, v| {
        Value = "value", USD, POSITIVE, None, "\"38e9 USD\"", "contract value"
            => custom(get x.contract.as_ref().map(|c| c.value),
                set if let Some(c) = x.contract.as_mut() { c.value = v });
        Term = "term", YR, POSITIVE, None, "\"7 yr\"", "contract term"
            => custom(get x.contract.as_ref().map(|c| c.term),
                set if let Some(c) = x.contract.as_mut() { c.term = v });
    }
}

/// Program and tranche keys address two indices, program `p` and tranche `t`; the tables'
/// one index packs them as `p * TRANCHE_STRIDE + t` ([`tranche_index`]).
pub const TRANCHE_STRIDE: usize = 1 << 24;

/// The one index of tranche `t` of program `p`, for [`TrancheKey`].
pub const fn tranche_index(p: usize, t: usize) -> usize {
    p * TRANCHE_STRIDE + t
}

fn tranche(x: &Inputs, i: usize) -> &Tranche {
    &x.programs[i / TRANCHE_STRIDE].tranches[i % TRANCHE_STRIDE]
}

fn tranche_mut(x: &mut Inputs, i: usize) -> &mut Tranche {
    &mut x.programs[i / TRANCHE_STRIDE].tranches[i % TRANCHE_STRIDE]
}

key_table! {
    /// `program.ID.tranches.N.*` keys (`i` packs the program and the tranche:
    /// [`tranche_index`]). A tranche gives `power` or `chips`; setting one replaces the other.
    pub enum TrancheKey |x, i, v| {
        Start = "start", YR, NON_NEGATIVE, Some(0.0), "\"1 yr\"",
            "when the tranche comes online, years from year 0 (before the horizon)"
            => custom(get Some(tranche(x, i).start), set tranche_mut(x, i).start = v);
        Power = "power", W, POSITIVE, None, "\"0.5 GW\"",
            "power budget the tranche is sized to, on the site's power basis (or chips)"
            => custom(get match tranche(x, i).size {
                    TrancheSize::Power(p) => Some(p),
                    TrancheSize::Chips(_) => None,
                }, set tranche_mut(x, i).size = TrancheSize::Power(v));
        Chips = "chips", ONE, Range::count(MAX_CHIPS), None, "100000",
            "chip count of the tranche (or power)"
            => custom(get match tranche(x, i).size {
                    TrancheSize::Chips(n) => Some(n),
                    TrancheSize::Power(_) => None,
                }, set tranche_mut(x, i).size = TrancheSize::Chips(v));
    }
}

key_table! {
    /// `program.ID.contract.*` numeric keys (`i` is the program's index).
    pub enum ProgramContractKey |x, i, v| {
        Value = "value", USD, POSITIVE, None, "\"100e9 USD\"",
            "what the buyer pays over the term (a yearly list is scaled to a new value)"
            => custom(get x.programs[i].contract.as_ref().map(|c| c.value),
                set if let Some(c) = x.programs[i].contract.as_mut() { c.set_value(v) });
        Start = "start", YR, NON_NEGATIVE, Some(0.0), "\"0 yr\"",
            "when the payments begin, years from year 0"
            => custom(get x.programs[i].contract.as_ref().map(|c| c.start),
                set if let Some(c) = x.programs[i].contract.as_mut() { c.start = v });
        Term = "term", YR, POSITIVE, None, "\"8 yr\"",
            "years the payments run (default: the horizon; with a yearly list, its length)"
            => custom(get x.programs[i].contract.as_ref().map(|c| c.term),
                set if let Some(c) = x.programs[i].contract.as_mut() { c.term = v });
    }
}

/// `fleet.ID.chip.peak.PREC`: one spec for every precision.
pub const PEAK: KeySpec = KeySpec {
    name: "peak",
    unit: TFLOP_PER_S,
    range: POSITIVE,
    default: None,
    example: "989",
    about: "dense peak",
};

/// `site.*` numeric key specs in table order.
pub const SITE: &[KeySpec] = SiteKey::SPECS;
/// `finance.*` key specs in table order.
pub const FINANCE: &[KeySpec] = FinanceKey::SPECS;
/// `workload.*` numeric key specs in table order.
pub const WORKLOAD: &[KeySpec] = WorkloadKey::SPECS;
/// `fleet.ID.*` numeric key specs in table order.
pub const FLEET: &[KeySpec] = FleetKey::SPECS;
/// `fleet.ID.chip.*` numeric key specs in table order.
pub const CHIP: &[KeySpec] = ChipKey::SPECS;
/// `contract.*` numeric key specs in table order.
pub const CONTRACT: &[KeySpec] = ContractKey::SPECS;
/// `program.ID.tranches.N.*` key specs in table order.
pub const TRANCHE: &[KeySpec] = TrancheKey::SPECS;
/// `program.ID.contract.*` key specs in table order.
pub const PROGRAM_CONTRACT: &[KeySpec] = ProgramContractKey::SPECS;

/// A typical value of a key as a scenario writes it, for messages ("power = \"2 GW\""): the
/// table's example of the first key of that name, a precision's peak, or "1".
pub fn example(name: &str) -> &'static str {
    let tables = [
        SITE,
        FINANCE,
        WORKLOAD,
        FLEET,
        CHIP,
        CONTRACT,
        TRANCHE,
        PROGRAM_CONTRACT,
    ];
    if let Some(k) = tables
        .iter()
        .flat_map(|t| t.iter())
        .find(|k| k.name == name)
    {
        return k.example;
    }
    match name {
        "peak" | "fp32" | "tf32" | "bf16" | "fp8" | "fp4" => PEAK.example,
        "claim" => "1.3",
        _ => "1",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Chip, Fleet, Precision, Workload, WorkloadKind};

    #[test]
    fn every_count_has_a_finite_bound_below_2_pow_53() {
        let tables = [SITE, FINANCE, WORKLOAD, FLEET, CHIP, CONTRACT, TRANCHE];
        let counts: Vec<&KeySpec> = tables
            .iter()
            .flat_map(|t| t.iter())
            .filter(|k| k.range.integer)
            .collect();
        // chips, chips_per_node, tensor_parallel (fleet and workload), layers, kv_heads,
        // head_dim, context, batch; serving: heads, hidden, input_tokens, output_tokens,
        // experts, experts_per_token, max_batch, prefill_chunk, spec_tokens,
        // prefill_tensor_parallel; training: seq_len; programs: a tranche's chips
        assert_eq!(counts.len(), 21, "{counts:?}");
        for k in counts {
            // 2^53 = 9,007,199,254,740,992: every whole number below it is exact in f64.
            assert!(k.range.max <= 9_007_199_254_740_992.0, "{}", k.name);
            assert!(k.range.contains(k.range.max) && !k.range.contains(k.range.max * 2.0));
        }
    }

    #[test]
    fn chips_are_bounded_at_1e12_and_the_description_says_so() {
        let chips = FleetKey::Chips.spec().range;
        assert!(chips.contains(1.0) && chips.contains(1e12));
        assert!(!chips.contains(1e12 + 1.0) && !chips.contains(1e20) && !chips.contains(0.0));
        assert_eq!(chips.describe(), "a whole number in [1, 1000000000000]");
    }

    /// Names are unique within a section, and every default and example lies in the key's
    /// range (an example is parsed in the key's unit).
    #[test]
    fn names_are_unique_and_defaults_and_examples_are_in_range() {
        for t in [
            SITE,
            FINANCE,
            WORKLOAD,
            FLEET,
            CHIP,
            CONTRACT,
            TRANCHE,
            PROGRAM_CONTRACT,
            &[PEAK],
        ] {
            for (n, k) in t.iter().enumerate() {
                assert!(t[..n].iter().all(|o| o.name != k.name), "{} twice", k.name);
                if let Some(d) = k.default {
                    assert!(k.range.contains(d), "{} default {d}", k.name);
                }
                let text = k.example.trim_matches('"');
                let si = match text.parse::<f64>() {
                    Ok(x) => units::from_bare(x, &k.unit).unwrap(),
                    Err(_) => units::parse_quantity(text, &k.unit).unwrap(),
                };
                assert!(k.range.contains(si), "{} example {}", k.name, k.example);
            }
        }
    }

    /// `Fleet::new` (the model's constructor) and the table agree on every default, so a
    /// scenario and a fleet built in code start from the same values.
    #[test]
    fn fleet_new_has_the_table_defaults() {
        let x = Inputs::scaffold(
            Workload::new(WorkloadKind::Flops, Precision::Bf16),
            vec![Fleet::new("a", Chip::blank("c"))],
        );
        for &k in FleetKey::ALL {
            if let Some(d) = k.spec().default {
                assert_eq!(k.own(&x, 0), Some(d), "{}", k.spec().name);
            }
        }
    }

    /// Setting a key and reading it back gives the value, for every key of every table:
    /// a line whose access names another key's field would fail here.
    #[test]
    fn set_then_get_round_trips_and_touches_only_its_key() {
        let base = {
            let mut x = Inputs::scaffold(
                Workload::new(WorkloadKind::Inference, Precision::Bf16),
                vec![Fleet::new("a", Chip::blank("c"))],
            );
            x.contract = Some(crate::model::Contract {
                fleet: 0,
                value: 1.0,
                term: 1.0,
            });
            x
        };
        fn check<K: Copy + std::fmt::Debug>(
            base: &Inputs,
            keys: &[K],
            get: impl Fn(K, &Inputs) -> Option<f64>,
            set: impl Fn(K, &mut Inputs, f64),
        ) {
            for (n, &k) in keys.iter().enumerate() {
                let mut x = base.clone();
                let v = 1234.5 + n as f64;
                set(k, &mut x, v);
                assert_eq!(get(k, &x), Some(v), "{k:?}");
                for (m, &o) in keys.iter().enumerate() {
                    if m != n {
                        let bits = |y: Option<f64>| y.map(f64::to_bits);
                        assert_eq!(bits(get(o, &x)), bits(get(o, base)), "{k:?} changed {o:?}");
                    }
                }
            }
        }
        check(
            &base,
            SiteKey::ALL,
            |k, x| k.get(x, 0),
            |k, x, v| k.set(x, 0, v),
        );
        check(
            &base,
            FinanceKey::ALL,
            |k, x| k.get(x, 0),
            |k, x, v| k.set(x, 0, v),
        );
        check(
            &base,
            WorkloadKey::ALL,
            |k, x| k.get(x, 0),
            |k, x, v| k.set(x, 0, v),
        );
        check(
            &base,
            FleetKey::ALL,
            |k, x| k.own(x, 0),
            |k, x, v| k.set(x, 0, v),
        );
        check(
            &base,
            ChipKey::ALL,
            |k, x| k.get(x, 0),
            |k, x, v| k.set(x, 0, v),
        );
        check(
            &base,
            ContractKey::ALL,
            |k, x| k.get(x, 0),
            |k, x, v| k.set(x, 0, v),
        );
    }

    /// Tranche and program-contract keys reach the tranche and program their packed index
    /// names, and no other; power and chips replace each other (a tranche has one size).
    #[test]
    fn program_keys_address_their_tranche_and_contract() {
        use crate::model::{Payments, Program, ProgramContract};
        let mut x = Inputs::scaffold(
            Workload::new(WorkloadKind::Flops, Precision::Bf16),
            vec![Fleet::new("a", Chip::blank("c"))],
        );
        let t = |start: f64| Tranche {
            fleet: 0,
            start,
            size: TrancheSize::Chips(10.0),
        };
        let contract = ProgramContract {
            value: 300.0,
            start: 0.0,
            term: 3.0,
            payments: Payments::Yearly(vec![100.0, 50.0, 150.0]),
        };
        x.programs = vec![
            Program {
                id: "p".into(),
                tranches: vec![t(0.0)],
                contract: None,
            },
            Program {
                id: "q".into(),
                tranches: vec![t(0.0), t(1.0)],
                contract: Some(contract),
            },
        ];
        let base = x.clone();
        TrancheKey::Start.set(&mut x, tranche_index(1, 1), 5.0);
        assert_eq!(x.programs[1].tranches[1].start, 5.0);
        assert_eq!(TrancheKey::Start.get(&x, tranche_index(1, 1)), Some(5.0));
        assert_eq!(x.programs[1].tranches[0], base.programs[1].tranches[0]);
        assert_eq!(x.programs[0], base.programs[0]);
        TrancheKey::Power.set(&mut x, tranche_index(1, 0), 2e9);
        assert_eq!(TrancheKey::Power.get(&x, tranche_index(1, 0)), Some(2e9));
        assert_eq!(TrancheKey::Chips.get(&x, tranche_index(1, 0)), None);
        assert_eq!(TrancheKey::Chips.get(&x, tranche_index(1, 1)), Some(10.0));
        // a yearly list is scaled to a new value: 600 = 2 x 300
        ProgramContractKey::Value.set(&mut x, 1, 600.0);
        let c = x.programs[1].contract.as_ref().unwrap();
        assert_eq!(c.payments, Payments::Yearly(vec![200.0, 100.0, 300.0]));
        assert_eq!(ProgramContractKey::Value.get(&x, 1), Some(600.0));
        // a program without a contract has none to set
        ProgramContractKey::Value.set(&mut x, 0, 1.0);
        assert_eq!(ProgramContractKey::Value.get(&x, 0), None);
    }
}
