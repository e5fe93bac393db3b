//! `tensor_parallel = "auto"`: the replica size with the most tokens/s per chip, and the upper
//! bound that lets it skip sizes that cannot win.

use super::{Ctx, Serving, ServingError, Sized};
use crate::model::sizing::{tolerant_ceil, tolerant_floor};

impl Ctx<'_> {
    /// An upper bound on the tokens/s per chip that `at(n)` can give with batch "max", without
    /// its search: per chip at a batch no smaller than the answer (the HBM and max_batch cap, and
    /// the closed form of the largest batch meeting tpot with W at its value at a lower bound
    /// of that batch), since per chip never falls with the batch (`per_chip`). `None` where no
    /// cheap bound is known (a given batch, or drafting with the refinements).
    pub(super) fn upper_rate(&self, z: &Sized) -> Option<f64> {
        let s = self.s;
        if s.batch.is_some() || (self.refined && self.spec.1 > 0.0) {
            return None;
        }
        let Sized {
            n, r, np, t_pre, ..
        } = *z;
        let b_mem = tolerant_floor((r.capacity - self.weights) / r.held_seq);
        if b_mem.is_nan() || b_mem < 1.0 {
            return None;
        }
        let mut cap = s.max_batch.map_or(b_mem, |m| m.min(b_mem));
        if let Some(target) = s.tpot {
            let bound = |w_main: f64, w_plain: f64| {
                tolerant_floor(self.dense_bound(&r, t_pre, target, w_main, w_plain))
            };
            let above = match self.moe {
                None => bound(self.weights, self.weights),
                Some(_) => {
                    let lo = bound(self.weights, self.weights).clamp(1.0, cap);
                    bound(self.weight_read(lo * self.spec.0), self.weight_read(lo))
                }
            };
            cap = cap.min((above + 1.0).max(1.0));
        }
        let (t_dec, _) = self.decode(&r, cap);
        Some(self.per_chip(t_dec, n, np, cap, t_pre).0)
    }
}

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
        let z = ctx.sized(n);
        // A size whose upper bound cannot beat the best so far is skipped (the answer is the
        // same: a later size wins only when strictly better).
        let beaten = best.is_some_and(|b: Serving| {
            ctx.upper_rate(&z)
                .is_some_and(|u| u < b.tokens_per_s_per_chip * (1.0 - 1e-12))
        });
        if beaten {
            return;
        }
        match ctx.at_sized(&z) {
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
