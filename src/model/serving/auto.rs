//! `tensor_parallel = "auto"`: the replica size with the most tokens/s per chip.

use super::{Ctx, Serving, ServingError};
use crate::model::sizing::tolerant_ceil;

/// "auto": every n_r up to chips_per_node that divides `heads` (powers of two without
/// `heads`) and holds the weights; the one with the most tokens/s per chip (the fewer chips on
/// a tie).
pub(super) fn auto(ctx: &Ctx) -> Result<Serving, ServingError> {
    let cpn = ctx.chip.chips_per_node;
    let free = ctx.chip.hbm * (1.0 - ctx.s.memory_reserve);
    let mut best: Option<Serving> = None;
    let mut last_err = None;
    let n0 = tolerant_ceil(ctx.weights / free).max(1.0);
    let mut consider = |n: f64| {
        // A size that cannot hold the weights and one sequence is skipped before `at`, whose
        // refusal would look for the chips that would (a loop): the Monte Carlo's hot path.
        let r = ctx.replica(n);
        if ctx.weights + r.held_seq > r.capacity * (1.0 + 1e-9) {
            return;
        }
        match ctx.at_sized(&ctx.sized_from(r)) {
            Ok(s) => {
                if best.map_or(true, |b| s.tokens_per_s_per_chip > b.tokens_per_s_per_chip) {
                    best = Some(s);
                }
            }
            Err(e) => last_err = Some(e),
        }
    };
    match ctx.s.heads {
        // Powers of two from the first that holds the weights.
        None => {
            let mut n = 2f64.powi(n0.log2().ceil() as i32);
            while n <= cpn {
                consider(n);
                n *= 2.0;
            }
        }
        // The divisors of the heads in [n0, cpn], ascending: those up to sqrt(h), then their
        // cofactors (the loop over every n it replaces spent most of a draw on `%`).
        Some(h) => {
            let h = h as u64;
            let mut root = (h as f64).sqrt() as u64;
            while root * root > h {
                root -= 1;
            }
            while (root + 1) * (root + 1) <= h {
                root += 1;
            }
            for i in 1..=root {
                if h % i == 0 && i as f64 >= n0 && i as f64 <= cpn {
                    consider(i as f64);
                }
            }
            for i in (1..=root).rev() {
                if h % i == 0 {
                    let j = h / i;
                    if j as f64 > cpn {
                        break;
                    }
                    if j != i && j as f64 >= n0 {
                        consider(j as f64);
                    }
                }
            }
        }
    }
    best.ok_or_else(|| {
        let reason = last_err.unwrap_or_else(|| {
            let r = ctx.replica(cpn);
            ServingError::DoesNotFit {
                batch: ctx.s.batch.unwrap_or(1.0),
                replica_chips: cpn,
                bytes_needed: ctx.weights + ctx.s.batch.unwrap_or(1.0) * r.held_seq,
                bytes_available: r.capacity,
                chips_needed: ctx.fewest(ctx.s.batch.unwrap_or(1.0)).ok(),
                max: ctx.s.batch.is_none(),
                kv_per_chip: ctx.kv_per_chip(ctx.s.batch.unwrap_or(1.0)),
            }
        });
        ServingError::Auto {
            chips_per_node: cpn,
            reason: Box::new(reason),
        }
    })
}
