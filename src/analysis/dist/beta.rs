//! The beta function, the regularised incomplete beta and its inverse, and the PERT inverse
//! table built from them (`dist` module documentation, "PERT").

use std::fmt;

// ---------------------------------------------------------------------------------------------
// Beta function, incomplete beta and its inverse
// ---------------------------------------------------------------------------------------------

/// `ln Gamma(x)` for `x > 0`: recurrence up to `x >= 10`, then Stirling's series to `z^-15`
/// (absolute error ~1e-16 there; ~1e-15 overall).
pub(crate) fn ln_gamma(x: f64) -> f64 {
    let mut z = x;
    let mut prod = 1.0;
    while z < 10.0 {
        prod *= z;
        z += 1.0;
    }
    let zi = 1.0 / z;
    let zi2 = zi * zi;
    let series = zi
        * (1.0 / 12.0
            + zi2
                * (-1.0 / 360.0
                    + zi2
                        * (1.0 / 1260.0
                            + zi2
                                * (-1.0 / 1680.0
                                    + zi2
                                        * (1.0 / 1188.0
                                            + zi2
                                                * (-691.0 / 360_360.0
                                                    + zi2
                                                        * (1.0 / 156.0
                                                            + zi2 * (-3617.0 / 122_400.0))))))));
    (z - 0.5) * z.ln() - z + 0.918_938_533_204_672_741_78 + series - prod.ln()
}

/// `ln B(a, b)`.
pub(crate) fn ln_beta(a: f64, b: f64) -> f64 {
    ln_gamma(a) + ln_gamma(b) - ln_gamma(a + b)
}

/// Continued fraction of the incomplete beta (Numerical Recipes `betacf`, modified Lentz).
pub(crate) fn beta_cf(a: f64, b: f64, x: f64) -> f64 {
    const TINY: f64 = 1e-300;
    let qab = a + b;
    let qap = a + 1.0;
    let qam = a - 1.0;
    let mut c = 1.0;
    let mut d = 1.0 - qab * x / qap;
    if d.abs() < TINY {
        d = TINY;
    }
    d = 1.0 / d;
    let mut h = d;
    for m in 1..=1000 {
        let m = m as f64;
        let m2 = 2.0 * m;
        let aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 + aa * d;
        if d.abs() < TINY {
            d = TINY;
        }
        c = 1.0 + aa / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        h *= d * c;
        let aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 + aa * d;
        if d.abs() < TINY {
            d = TINY;
        }
        c = 1.0 + aa / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        let del = d * c;
        h *= del;
        if (del - 1.0).abs() <= f64::EPSILON {
            break;
        }
    }
    h
}

/// A beta distribution's constants, for its CDF, density and exact inverse.
#[derive(Clone, Copy, Debug)]
pub(crate) struct BetaFn {
    pub(crate) a: f64,
    pub(crate) b: f64,
    /// `1 / B(a, b)`.
    pub(crate) inv_beta: f64,
}

impl BetaFn {
    pub(crate) fn new(a: f64, b: f64) -> Self {
        BetaFn {
            a,
            b,
            inv_beta: (-ln_beta(a, b)).exp(),
        }
    }

    /// `x^a (1-x)^b / B(a, b)` with `(1-x)^b` from `ln_1p` (exact for small x).
    #[inline]
    pub(crate) fn front(&self, x: f64) -> f64 {
        x.powf(self.a) * (self.b * (-x).ln_1p()).exp() * self.inv_beta
    }

    /// Regularised incomplete beta `I_x(a, b)`, the CDF.
    pub(crate) fn cdf(&self, x: f64) -> f64 {
        if x.is_nan() {
            return x;
        }
        if x <= 0.0 {
            return 0.0;
        }
        if x >= 1.0 {
            return 1.0;
        }
        let (a, b) = (self.a, self.b);
        if x < (a + 1.0) / (a + b + 2.0) {
            self.front(x) * beta_cf(a, b, x) / a
        } else {
            let y = 1.0 - x;
            let front = y.powf(b) * (a * (-y).ln_1p()).exp() * self.inv_beta;
            1.0 - front * beta_cf(b, a, y) / b
        }
    }

    /// Density `x^(a-1) (1-x)^(b-1) / B(a, b)`.
    pub(crate) fn pdf(&self, x: f64) -> f64 {
        if !(0.0..=1.0).contains(&x) {
            return 0.0;
        }
        x.powf(self.a - 1.0) * ((self.b - 1.0) * (-x).ln_1p()).exp() * self.inv_beta
    }

    /// Exact inverse CDF by safeguarded Newton, accurate for lower-tail `p` (`p <= ~1/2`):
    /// relative error ~1e-15 in x. `guess` (if in (0, 1)) starts the iteration.
    pub(crate) fn inv(&self, p: f64, guess: Option<f64>) -> f64 {
        if p.is_nan() {
            return p;
        }
        if p <= 0.0 {
            return 0.0;
        }
        if p >= 1.0 {
            return 1.0;
        }
        let (a, b) = (self.a, self.b);
        let mut x = match guess {
            Some(g) if g > 0.0 && g < 1.0 => g,
            // Leading term of the series: I_x ~ x^a / (a B(a, b)).
            _ => (p * a / self.inv_beta).powf(1.0 / a),
        };
        if !(x > 0.0 && x < 1.0) {
            x = a / (a + b);
        }
        let (mut lo, mut hi) = (0.0f64, 1.0f64);
        for _ in 0..300 {
            let f = self.cdf(x) - p;
            if f == 0.0 {
                return x;
            }
            if f < 0.0 {
                lo = x;
            } else {
                hi = x;
            }
            let d = self.pdf(x);
            let mut xn = if d > 0.0 { x - f / d } else { f64::NAN };
            if !(xn > lo && xn < hi) {
                // Bisect (geometrically towards 0 while the lower end is still 0).
                xn = if lo == 0.0 {
                    0.5 * hi.min(x)
                } else {
                    0.5 * (lo + hi)
                };
                if xn <= lo || xn >= hi {
                    return x;
                }
            } else if (xn - x).abs() <= 1e-12 * xn {
                return xn;
            }
            x = xn;
        }
        x
    }
}

// ---------------------------------------------------------------------------------------------
// PERT inverse table
// ---------------------------------------------------------------------------------------------

/// Pieces per octave of u: 2^TAB_BITS.
pub(crate) const TAB_BITS: u32 = 7;
pub(crate) const TAB_SHIFT: u32 = 52 - TAB_BITS;
pub(crate) const TAB_MASK: u64 = (1u64 << TAB_SHIFT) - 1;
pub(crate) const TAB_T_SCALE: f64 = 1.0 / (1u64 << TAB_SHIFT) as f64;
/// The table covers u in [2^TAB_MIN_EXP, 1/2]; below it the exact inverse is used.
pub(crate) const TAB_MIN_EXP: i32 = -30;

/// The lower half (u <= 1/2) of a beta inverse CDF as cubic Hermite pieces, one per
/// `2^-TAB_BITS` of an octave of `u`.
#[derive(Clone)]
pub(crate) struct HalfTable {
    pub(crate) beta: BetaFn,
    pub(crate) base_key: u64,
    /// Per piece: `x = c0 + t (c1 + t (c2 + t c3))`, `t` in [0, 1) the position in the piece.
    pub(crate) coef: Vec<[f64; 4]>,
}

impl HalfTable {
    pub(crate) fn new(a: f64, b: f64) -> Self {
        let beta = BetaFn::new(a, b);
        let base_key = 2f64.powi(TAB_MIN_EXP).to_bits() >> TAB_SHIFT;
        // Octaves 2^TAB_MIN_EXP .. 2^-2, plus one piece from 1/2 so that u = 1/2 is inside.
        let pieces = ((-1 - TAB_MIN_EXP) as usize) << TAB_BITS | 1;
        let node_u = |j: usize| f64::from_bits((base_key + j as u64) << TAB_SHIFT);
        let mut xs = Vec::with_capacity(pieces + 1);
        let mut slopes = Vec::with_capacity(pieces + 1);
        let mut guess: Option<f64> = None;
        for j in 0..=pieces {
            let u = node_u(j);
            let x = beta.inv(u, guess);
            let d = 1.0 / beta.pdf(x);
            // Next guess: one Euler step along dx/du.
            guess = Some(x + (node_u(j + 1) - u) * d);
            xs.push(x);
            slopes.push(d);
        }
        let coef = (0..pieces)
            .map(|j| {
                let h = node_u(j + 1) - node_u(j);
                let (x0, x1) = (xs[j], xs[j + 1]);
                let (m0, m1) = (slopes[j] * h, slopes[j + 1] * h);
                [
                    x0,
                    m0,
                    3.0 * (x1 - x0) - 2.0 * m0 - m1,
                    2.0 * (x0 - x1) + m0 + m1,
                ]
            })
            .collect();
        HalfTable {
            beta,
            base_key,
            coef,
        }
    }

    /// The inverse CDF at `u` in [0, 1/2]; exact (slow) outside the table.
    #[inline]
    pub(crate) fn eval(&self, u: f64) -> f64 {
        let bits = u.to_bits();
        let i = (bits >> TAB_SHIFT).wrapping_sub(self.base_key) as usize;
        match self.coef.get(i) {
            Some(c) => {
                let t = (bits & TAB_MASK) as f64 * TAB_T_SCALE;
                c[0] + t * (c[1] + t * (c[2] + t * c[3]))
            }
            None => self.beta.inv(u, None),
        }
    }
}

/// Inverse CDF of Beta(alpha, beta) for alpha, beta >= 1 from two half tables:
/// `halves[0]` is Beta(alpha, beta) for u < 1/2, `halves[1]` is Beta(beta, alpha) at `1 - u`
/// for u >= 1/2 (then x = 1 - y).
#[derive(Clone)]
pub(crate) struct BetaInverse {
    pub(crate) halves: [HalfTable; 2],
}

impl BetaInverse {
    pub(crate) fn new(alpha: f64, beta: f64) -> Self {
        BetaInverse {
            halves: [HalfTable::new(alpha, beta), HalfTable::new(beta, alpha)],
        }
    }

    /// `(k, y)`: the half used (0 lower, 1 upper) and its table value, so that the quantile is
    /// `y` (k = 0) or `1 - y` (k = 1). No data-dependent branch but the (rare) tail one.
    #[inline]
    pub(crate) fn half(&self, u: f64) -> (usize, f64) {
        let k = (u >= 0.5) as usize;
        // min(u, 1 - u), exact: 1 - u is exact for u >= 1/2 (Sterbenz).
        let v = u.min(1.0 - u);
        (k, self.halves[k].eval(v))
    }

    /// The standard beta quantile (for tests and the CDF).
    #[cfg(test)]
    pub(crate) fn quantile(&self, u: f64) -> f64 {
        match self.half(u) {
            (0, y) => y,
            (_, y) => 1.0 - y,
        }
    }
}

impl fmt::Debug for BetaInverse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "BetaInverse {{ alpha: {}, beta: {}, pieces: {} }}",
            self.halves[0].beta.a,
            self.halves[0].beta.b,
            self.halves[0].coef.len() + self.halves[1].coef.len()
        )
    }
}
