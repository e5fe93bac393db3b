//! Why a serving setup cannot run: [`ServingError`], each variant naming the input to change.

use crate::units::format::fmt_si;

/// Why a serving setup cannot run; each names the input to change.
#[derive(Debug, Clone, PartialEq)]
pub enum ServingError {
    /// The batch (or the weights alone) does not fit in the replica's HBM.
    DoesNotFit {
        batch: f64,
        replica_chips: f64,
        bytes_needed: f64,
        bytes_available: f64,
        /// Chips that would hold it (`None`: no replica size holds it).
        chips_needed: Option<f64>,
        /// KV bytes each chip keeps however many chips share the replica (its KV heads').
        kv_per_chip: f64,
        /// The batch was "max" (only one sequence was asked for).
        max: bool,
    },
    /// Even the smallest batch misses the tpot target (or a given batch misses it).
    Tpot {
        target: f64,
        /// tpot at the batch tried (1 for "max").
        reached: f64,
        batch: f64,
        replica_chips: f64,
        /// The largest batch that meets it, for a given batch that does not.
        largest: Option<f64>,
    },
    /// The prefill of one request takes longer than the ttft target.
    Ttft {
        target: f64,
        reached: f64,
        replica_chips: f64,
    },
    /// "auto" found no replica size up to chips_per_node that runs.
    Auto {
        chips_per_node: f64,
        reason: Box<ServingError>,
    },
}

impl ServingError {
    /// The workload key a user changes first.
    pub fn key(&self) -> &'static str {
        match self {
            ServingError::DoesNotFit { .. } => "batch",
            ServingError::Tpot { .. } => "tpot",
            ServingError::Ttft { .. } => "ttft",
            ServingError::Auto { reason, .. } => reason.key(),
        }
    }
}

fn ms(s: f64) -> String {
    crate::units::format::fmt_fixed(s * 1e3, 3) + " ms"
}

impl std::fmt::Display for ServingError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ServingError::DoesNotFit {
                batch,
                replica_chips,
                bytes_needed,
                bytes_available,
                chips_needed,
                max,
                kv_per_chip,
            } => {
                let what = if *max {
                    "even one sequence".to_string()
                } else {
                    format!("a batch of {batch} sequences")
                };
                write!(
                    f,
                    "{what} needs {} of HBM (weights + KV cache) but {replica_chips} chip(s) \
                     per replica hold {} after memory_reserve; ",
                    fmt_si(*bytes_needed, "B", 4),
                    fmt_si(*bytes_available, "B", 4),
                )?;
                match chips_needed {
                    Some(n) => write!(
                        f,
                        "it needs at least {n} chips per replica (set tensor_parallel = {n}, or \
                         lower batch, the sequence length or memory_reserve)"
                    ),
                    None => write!(
                        f,
                        "no replica size holds it: past kv_heads chips every chip keeps whole KV \
                         heads, {} of KV per chip for this batch (lower batch or the \
                         sequence length)",
                        fmt_si(*kv_per_chip, "B", 4)
                    ),
                }
            }
            ServingError::Tpot {
                target,
                reached,
                batch,
                replica_chips,
                largest,
            } => match largest {
                Some(b) => write!(
                    f,
                    "a batch of {batch} gives {} per output token on {replica_chips} chip(s) per \
                     replica, over the tpot target {}; the largest batch that meets it is {b} \
                     (lower batch, set batch = \"max\", or raise tpot)",
                    ms(*reached),
                    ms(*target)
                ),
                None => write!(
                    f,
                    "no batch meets tpot = {}: even one sequence takes {} per output token on \
                     {replica_chips} chip(s) per replica (raise tpot to at least that, or use \
                     more chips per replica, fewer input tokens, or a faster chip)",
                    ms(*target),
                    ms(*reached)
                ),
            },
            ServingError::Ttft {
                target,
                reached,
                replica_chips,
            } => write!(
                f,
                "the replica cannot meet ttft = {}: one request's prefill takes {} on \
                 {replica_chips} chip(s) (raise ttft, lower input_tokens, or use more chips per \
                 replica)",
                ms(*target),
                ms(*reached)
            ),
            ServingError::Auto {
                chips_per_node,
                reason,
            } => write!(
                f,
                "tensor_parallel = \"auto\" found no replica size up to chips_per_node = \
                 {chips_per_node} that serves this workload; with the largest: {reason}"
            ),
        }
    }
}
