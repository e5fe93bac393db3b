//! The largest batch meeting a tpot target (MODEL.md section 4's "largest B meeting tpot"):
//! tpot at a batch, its closed-form bound and the search that settles it.

use super::{ridge, Ctx, Replica};
use crate::model::sizing::tolerant_floor;

impl Ctx<'_> {
    /// tpot at batch b given t_pre (aggregated serving adds the prefill stall).
    #[inline]
    pub(super) fn tpot(&self, r: &Replica, b: f64, t_pre: f64) -> f64 {
        let t = self.decode(r, b).0;
        if self.s.disaggregated || !self.full() {
            t
        } else {
            t + b * t_pre / (self.output - 1.0).max(1.0)
        }
    }

    /// The real batch at which tpot reaches `target` when the weights read per step are
    /// `w_main` (at the verify step) and `w_plain` (drafting), both constant. tpot is then a
    /// sum of maxima of lines in B, which is at most `target` iff every combination of one
    /// line from each maximum is.
    pub(super) fn dense_bound(
        &self,
        r: &Replica,
        t_pre: f64,
        target: f64,
        w_main: f64,
        w_plain: f64,
    ) -> f64 {
        let (v, kd, e) = self.spec;
        let ovh = self.chip.step_overhead;
        let p = if self.s.disaggregated || !self.full() {
            0.0
        } else {
            t_pre / (self.output - 1.0).max(1.0)
        };
        let i0 = (r.comm0 + ovh) * (1.0 + kd) / e;
        let s0 = r.comm1 * (v + kd) / e + p;
        let m = r.per_seq / r.bw;
        let (g, a) = (r.gemm_per_seq, r.attn_per_seq);
        if !self.refined && kd == 0.0 {
            // MODEL.md's roofline without speculation: one maximum, two lines.
            let compute = (target - i0) / (s0 + (g + a) * v / e);
            let memory = (target - i0 - w_main / r.bw / e) / (s0 + m / e);
            return compute.min(memory);
        }
        if self.refined && kd == 0.0 {
            // tpot = i0 + s B + sqrt(al^2 B^2 + be^2) with the attention's 2-norm linear in B:
            // squared, a quadratic whose root on the rising side is (T^2 - be^2) / (T s + sqrt(D)),
            // D = al^2 (T^2 - be^2) + s^2 be^2, T = target - i0 (exact at al = 0 or s = 0).
            let (al, be) = (g * v / e, w_main / r.bw / e);
            let s = s0 + ridge(a * v, m) / e;
            let t = target - i0;
            if t < be {
                return 0.0;
            }
            let d = al * al * (t * t - be * be) + s * s * be * be;
            return (t * t - be * be) / (t * s + d.sqrt());
        }
        // Refined with drafting: the maxima's bound is above the 2-norms' (an upper bound that
        // `largest_batch` settles by bisection).
        // Each maximum as two lines (intercept, slope), scaled by its weight in the step.
        let terms = |w: f64, vv: f64, k: f64| -> [[(f64, f64); 2]; 2] {
            if self.refined {
                [
                    [(0.0, k * g * vv / e), (k * w / r.bw / e, 0.0)],
                    [(0.0, k * a * vv / e), (0.0, k * m / e)],
                ]
            } else {
                [
                    [(0.0, k * (g + a) * vv / e), (k * w / r.bw / e, k * m / e)],
                    [(0.0, 0.0), (0.0, 0.0)],
                ]
            }
        };
        let main = terms(w_main, v, 1.0);
        let plain = terms(w_plain, 1.0, kd);
        let all = [main[0], main[1], plain[0], plain[1]];
        // Only the maxima that exist: the attention's own with sequential attention, the
        // drafting step's with speculation (2 to 16 combinations).
        let k = match (self.refined, kd > 0.0) {
            (false, false) => 1,
            (true, false) => 2,
            _ => 4,
        };
        let active = |j: usize| k == 4 || j < k;
        let mut bound = f64::INFINITY;
        for mask in 0..(1usize << 4) {
            if (0..4).any(|j| !active(j) && (mask >> j) & 1 == 1) {
                continue;
            }
            let (mut a0, mut slope) = (i0, s0);
            for (j, pair) in all.iter().enumerate() {
                let (ai, si) = pair[(mask >> j) & 1];
                a0 += ai;
                slope += si;
            }
            if slope > 0.0 {
                bound = bound.min((target - a0) / slope);
            }
        }
        bound
    }

    /// The largest whole batch in [1, cap] with tpot <= target; `None` when even one sequence
    /// misses it. Dense: the closed form, settled by one or two evaluations; MoE: bracketed by
    /// the closed forms at W = P wb and W = W(lower end), then bisected.
    pub(super) fn largest_batch(
        &self,
        r: &Replica,
        t_pre: f64,
        target: f64,
        cap: f64,
    ) -> Option<f64> {
        let ok = |b: f64| self.tpot(r, b, t_pre) <= target;
        let bound = |w_main: f64, w_plain: f64| {
            tolerant_floor(self.dense_bound(r, t_pre, target, w_main, w_plain))
        };
        let (mut lo, mut hi) = match self.moe {
            None => {
                let g = bound(self.weights, self.weights);
                if g >= cap {
                    if ok(cap) {
                        return Some(cap);
                    }
                    (1.0, cap)
                } else if g < 1.0 {
                    (1.0, 2.0_f64.min(cap))
                } else if ok(g) {
                    if g + 1.0 > cap || !ok(g + 1.0) {
                        return Some(g);
                    }
                    (g + 1.0, cap)
                } else {
                    (1.0, g)
                }
            }
            Some(_) if self.refined && self.spec.1 > 0.0 => (1.0, cap),
            Some(_) => {
                // With W at its most (P wb) the bound is below the answer B*; with W at W(lo)
                // <= W(B*) it is above: a tight bracket, then a few bisections.
                let (v, _, _) = self.spec;
                let lo = bound(self.weights, self.weights).clamp(1.0, cap);
                let hi =
                    (bound(self.weight_read(lo * v), self.weight_read(lo)) + 1.0).clamp(1.0, cap);
                (lo, hi)
            }
        };
        if !ok(lo) {
            if lo == 1.0 || !ok(1.0) {
                return None;
            }
            lo = 1.0;
        }
        if ok(hi) {
            return Some(hi);
        }
        while hi - lo > 1.0 {
            let mid = ((lo + hi) / 2.0).floor();
            if ok(mid) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        Some(lo)
    }
}
