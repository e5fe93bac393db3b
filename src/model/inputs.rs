//! Validated model inputs, all in SI units (W, USD, s, J, B, FLOP).
//!
//! These are produced by `scenario` from a TOML file and consumed by the pure model. Optional
//! figures are `Option`s; the fleet-level overrides of site values (pue, electricity,
//! facility_*) are `Option`s that fall back to the site's value at evaluation.

/// Numeric precision of the workload; indexes `Chip::peak`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Precision {
    Fp32,
    Tf32,
    Bf16,
    Fp8,
    Fp4,
}

impl Precision {
    pub const ALL: [Precision; 5] = [
        Precision::Fp32,
        Precision::Tf32,
        Precision::Bf16,
        Precision::Fp8,
        Precision::Fp4,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Precision::Fp32 => "fp32",
            Precision::Tf32 => "tf32",
            Precision::Bf16 => "bf16",
            Precision::Fp8 => "fp8",
            Precision::Fp4 => "fp4",
        }
    }

    pub fn from_name(s: &str) -> Option<Precision> {
        Precision::ALL.into_iter().find(|p| p.name() == s)
    }

    pub fn index(self) -> usize {
        self as usize
    }
}

/// Whether `site.power` is measured at the facility meter or at the IT load.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PowerBasis {
    Facility,
    It,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Site {
    /// W; `None` only when every fleet sets `chips`.
    pub power: Option<f64>,
    pub power_basis: PowerBasis,
    pub pue: f64,
    /// USD per J; `None` only when every fleet rents.
    pub electricity: Option<f64>,
    /// USD per W of IT capacity.
    pub facility_capex: f64,
    /// s
    pub facility_life: f64,
    /// USD per W of IT capacity per s.
    pub facility_opex: f64,
    /// kg CO2e per kWh of facility energy (a plain number: the unit grammar has no mass);
    /// `None`: no carbon figures.
    pub carbon_intensity: Option<f64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Finance {
    pub discount_rate: f64,
    /// s
    pub horizon: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkloadKind {
    Flops,
    Training,
    Inference,
}

impl WorkloadKind {
    pub fn name(self) -> &'static str {
        match self {
            WorkloadKind::Flops => "flops",
            WorkloadKind::Training => "training",
            WorkloadKind::Inference => "inference",
        }
    }

    /// The unit work is counted in (MODEL.md section 4).
    pub fn work_unit(self) -> &'static str {
        match self {
            WorkloadKind::Flops => "EFLOP",
            WorkloadKind::Training => "1M training tokens",
            WorkloadKind::Inference => "1M output tokens",
        }
    }
}

/// The workload. Fields that a kind does not use are `None`.
#[derive(Debug, Clone, PartialEq)]
pub struct Workload {
    pub kind: WorkloadKind,
    pub precision: Precision,
    pub model_params: Option<f64>,
    /// Training: tokens of one run.
    pub tokens: Option<f64>,
    pub layers: Option<f64>,
    pub kv_heads: Option<f64>,
    pub head_dim: Option<f64>,
    /// Bytes per weight element.
    pub weight_bytes: Option<f64>,
    /// Bytes per KV-cache element.
    pub kv_bytes: Option<f64>,
    /// Tokens of context per sequence.
    pub context: Option<f64>,
    /// `None` with `batch_max`: the largest batch that fits.
    pub batch: Option<f64>,
    pub batch_max: bool,
    pub tensor_parallel: Option<f64>,
    /// `tensor_parallel = "auto"`.
    pub tensor_parallel_auto: bool,
    /// Parameters used per token (MoE); `None`: model_params.
    pub active_params: Option<f64>,
    /// Query heads.
    pub heads: Option<f64>,
    /// Model width; `None`: heads * head_dim.
    pub hidden: Option<f64>,
    /// Prompt tokens per request (0: no prefill).
    pub input_tokens: Option<f64>,
    /// Generated tokens per request.
    pub output_tokens: Option<f64>,
    /// Routed experts per MoE layer and experts chosen per token.
    pub experts: Option<f64>,
    pub experts_per_token: Option<f64>,
    /// Fraction of HBM for neither weights nor KV.
    pub memory_reserve: f64,
    /// Sequences per replica at most.
    pub max_batch: Option<f64>,
    /// Tokens per prefill step.
    pub prefill_chunk: f64,
    /// Latency targets, s.
    pub tpot: Option<f64>,
    pub ttft: Option<f64>,
    /// Speculative decoding: drafted tokens, per-position acceptance, draft cost.
    pub spec_tokens: Option<f64>,
    pub acceptance: Option<f64>,
    pub draft_cost: f64,
    /// `serving = "disaggregated"`.
    pub disaggregated: bool,
    /// Chips per prefill replica (disaggregated); `None`: tensor_parallel's.
    pub prefill_tensor_parallel: Option<f64>,
    /// Training: tokens per sequence; `None`: no attention term in the FLOPs per token.
    pub seq_len: Option<f64>,
}

/// MODEL.md's default `memory_reserve` (vLLM's 0.9 GPU memory utilisation).
pub const DEFAULT_MEMORY_RESERVE: f64 = 0.10;
/// MODEL.md's default `prefill_chunk`, tokens.
pub const DEFAULT_PREFILL_CHUNK: f64 = 8192.0;
/// MODEL.md's default `draft_cost`.
pub const DEFAULT_DRAFT_COST: f64 = 0.05;
/// MODEL.md's default `allreduce_latency` when a replica spans chips, s.
pub const DEFAULT_ALLREDUCE_LATENCY: f64 = 5e-6;

/// One accelerator's figures (catalog row or inline).
#[derive(Debug, Clone, PartialEq)]
pub struct Chip {
    /// What reports call the chip: the catalog id, or the inline chip's name.
    pub label: String,
    /// W
    pub tdp: f64,
    /// B
    pub hbm: Option<f64>,
    /// B/s
    pub hbm_bw: Option<f64>,
    /// Dense FLOP/s by `Precision::index`.
    pub peak: [Option<f64>; 5],
    /// USD
    pub price: Option<f64>,
    pub price_low: Option<f64>,
    pub price_high: Option<f64>,
    /// Scale-up bytes/s per chip, one way; `None`: unknown (communication free).
    pub scaleup_bw: Option<f64>,
}

impl Chip {
    /// A chip with no figures yet (tdp NaN until given): the start of an inline chip.
    pub fn blank(label: impl Into<String>) -> Chip {
        Chip {
            label: label.into(),
            tdp: f64::NAN,
            hbm: None,
            hbm_bw: None,
            peak: [None; 5],
            price: None,
            price_low: None,
            price_high: None,
            scaleup_bw: None,
        }
    }

    /// Names of the precisions this chip has a peak for, e.g. "bf16, fp8".
    pub fn supported(&self) -> String {
        Precision::ALL
            .into_iter()
            .filter(|p| self.peak[p.index()].is_some())
            .map(Precision::name)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Fleet {
    pub id: String,
    pub chip: Chip,
    /// Fixed chip count; `None`: sized to the power budget.
    pub chips: Option<f64>,
    pub chips_per_node: f64,
    /// W per node.
    pub node_power: f64,
    /// W per chip.
    pub network_power: f64,
    /// USD per node.
    pub node_price: f64,
    /// USD per chip.
    pub network_price: f64,
    /// s; `None` only for a rented fleet.
    pub hardware_life: Option<f64>,
    /// Fraction of hardware capex per year.
    pub maintenance: f64,
    /// USD per chip per s.
    pub software: f64,
    pub power_load: f64,
    pub availability: f64,
    pub mfu: f64,
    pub mbu: Option<f64>,
    /// The mfu of the serving model's prefill; `None`: mfu.
    pub prefill_mfu: Option<f64>,
    /// The fleet's own precision; `None`: the workload's.
    pub precision: Option<Precision>,
    /// s per decode step.
    pub step_overhead: f64,
    /// USD per chip per s; `Some` makes the fleet rented.
    pub rent: Option<f64>,
    /// Fraction per year off every later purchase of hardware (MODEL.md section 8).
    pub price_decline: f64,
    pub tensor_parallel: Option<f64>,
    /// `tensor_parallel = "auto"` on the fleet.
    pub tensor_parallel_auto: bool,
    /// s per all-reduce; `None`: 5 us.
    pub allreduce_latency: Option<f64>,
    pub pue: Option<f64>,
    pub electricity: Option<f64>,
    pub facility_capex: Option<f64>,
    pub facility_life: Option<f64>,
    pub facility_opex: Option<f64>,
}

impl Fleet {
    /// A fleet with MODEL.md's defaults (one chip per node, no overheads, full load and
    /// availability) and no mfu yet (NaN until given).
    pub fn new(id: impl Into<String>, chip: Chip) -> Fleet {
        Fleet {
            id: id.into(),
            chip,
            chips: None,
            chips_per_node: 1.0,
            node_power: 0.0,
            network_power: 0.0,
            node_price: 0.0,
            network_price: 0.0,
            hardware_life: None,
            maintenance: 0.0,
            software: 0.0,
            power_load: 1.0,
            availability: 1.0,
            mfu: f64::NAN,
            mbu: None,
            prefill_mfu: None,
            precision: None,
            step_overhead: 0.0,
            rent: None,
            price_decline: 0.0,
            tensor_parallel: None,
            tensor_parallel_auto: false,
            allreduce_latency: None,
            pue: None,
            electricity: None,
            facility_capex: None,
            facility_life: None,
            facility_opex: None,
        }
    }
}

impl Workload {
    /// A workload of `kind` at `precision` with no figures yet.
    pub fn new(kind: WorkloadKind, precision: Precision) -> Workload {
        Workload {
            kind,
            precision,
            model_params: None,
            tokens: None,
            layers: None,
            kv_heads: None,
            head_dim: None,
            weight_bytes: None,
            kv_bytes: None,
            context: None,
            batch: None,
            batch_max: false,
            tensor_parallel: None,
            tensor_parallel_auto: false,
            active_params: None,
            heads: None,
            hidden: None,
            input_tokens: None,
            output_tokens: None,
            experts: None,
            experts_per_token: None,
            memory_reserve: DEFAULT_MEMORY_RESERVE,
            max_batch: None,
            prefill_chunk: DEFAULT_PREFILL_CHUNK,
            tpot: None,
            ttft: None,
            spec_tokens: None,
            acceptance: None,
            draft_cost: DEFAULT_DRAFT_COST,
            disaggregated: false,
            prefill_tensor_parallel: None,
            seq_len: None,
        }
    }

    /// Parameters used per token: `active_params`, or `model_params` for a dense model.
    pub fn active_params(&self) -> Option<f64> {
        self.active_params.or(self.model_params)
    }

    /// Model width: `hidden`, or heads * head_dim.
    pub fn hidden(&self) -> Option<f64> {
        self.hidden.or(match (self.heads, self.head_dim) {
            (Some(h), Some(d)) => Some(h * d),
            _ => None,
        })
    }

    /// Training FLOP per token (MODEL.md section 4): 6 * active_params, plus
    /// 12 * layers * heads * head_dim * seq_len when `seq_len` is given. NaN when a figure the
    /// formula needs is absent (the scenario check refuses that first).
    pub fn training_flops_per_token(&self) -> f64 {
        let attention = self.seq_len.map(|seq_len| super::work::Attention {
            layers: self.layers.unwrap_or(f64::NAN),
            heads: self.heads.unwrap_or(f64::NAN),
            head_dim: self.head_dim.unwrap_or(f64::NAN),
            seq_len,
        });
        super::work::training_flops_per_token(self.active_params().unwrap_or(f64::NAN), attention)
    }
}

impl Fleet {
    /// The precision the fleet runs: its own, or the workload's.
    pub fn precision(&self, wl: &Workload) -> Precision {
        self.precision.unwrap_or(wl.precision)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Compare {
    /// Index into `Inputs::fleets`.
    pub baseline: usize,
    pub claims: Vec<f64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Contract {
    /// Index into `Inputs::fleets`.
    pub fleet: usize,
    /// USD
    pub value: f64,
    /// s
    pub term: f64,
}

/// How big a tranche is: a power budget (sized as in section 2) or a chip count.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum TrancheSize {
    /// W, on the site's power basis.
    Power(f64),
    Chips(f64),
}

/// One tranche of a program: a fleet's chips coming online at `start` (MODEL.md section 8).
#[derive(Debug, Clone, PartialEq)]
pub struct Tranche {
    /// Index into `Inputs::fleets`.
    pub fleet: usize,
    /// s from the program's year 0.
    pub start: f64,
    pub size: TrancheSize,
}

/// How a program contract's value is paid.
#[derive(Debug, Clone, PartialEq)]
pub enum Payments {
    /// value / term a year over the term.
    Even,
    /// USD per contract year; entry j accrues over (start + j, start + j + 1] years.
    Yearly(Vec<f64>),
}

/// What a buyer pays for a program's capacity.
#[derive(Debug, Clone, PartialEq)]
pub struct ProgramContract {
    /// USD
    pub value: f64,
    /// s
    pub start: f64,
    /// s
    pub term: f64,
    pub payments: Payments,
}

impl ProgramContract {
    /// Sets the value; a yearly list is scaled by the same factor, so it still sums to it.
    pub fn set_value(&mut self, v: f64) {
        if let Payments::Yearly(list) = &mut self.payments {
            let sum: f64 = list.iter().sum();
            if sum > 0.0 {
                for x in list.iter_mut() {
                    *x *= v / sum;
                }
            }
        }
        self.value = v;
    }
}

/// Capacity brought online in tranches over the horizon, optionally paid for by a contract.
#[derive(Debug, Clone, PartialEq)]
pub struct Program {
    pub id: String,
    pub tranches: Vec<Tranche>,
    pub contract: Option<ProgramContract>,
}

/// Everything the model needs.
#[derive(Debug, Clone, PartialEq)]
pub struct Inputs {
    pub site: Site,
    pub finance: Finance,
    pub workload: Workload,
    pub fleets: Vec<Fleet>,
    pub compare: Compare,
    pub contract: Option<Contract>,
    /// `[[program]]` blocks, in file order (MODEL.md section 8).
    pub programs: Vec<Program>,
    /// Index into `programs`: the baseline of program comparisons.
    pub baseline_program: usize,
}

impl Inputs {
    /// Inputs around `workload` and `fleets` with a neutral site and finance: scaffolding for
    /// filling fields through parameter paths (the scenario parser), not a scenario.
    pub fn scaffold(workload: Workload, fleets: Vec<Fleet>) -> Inputs {
        Inputs {
            site: Site {
                power: None,
                power_basis: PowerBasis::Facility,
                pue: 1.0,
                electricity: None,
                facility_capex: 0.0,
                facility_life: 1.0,
                facility_opex: 0.0,
                carbon_intensity: None,
            },
            finance: Finance {
                discount_rate: 0.0,
                horizon: 1.0,
            },
            workload,
            fleets,
            compare: Compare {
                baseline: 0,
                claims: Vec::new(),
            },
            contract: None,
            programs: Vec::new(),
            baseline_program: 0,
        }
    }
}
