//! Bracketing root finder for `solve` (MODEL.md section 6): Brent's method (inverse quadratic
//! interpolation and secant steps, falling back to bisection), with the classification the
//! contract asks for.
//!
//! - [`RootResult::Root`]: a sign change where `f` goes to zero, located to `rel_tol`
//!   (relative to the root; `rel_tol = 1e-9` for `solve`; for a root within 1e-6 of the
//!   bracket's magnitude of zero, to `rel_tol * 1e-6 * max(|a|, |b|)` absolute).
//! - [`RootResult::NoCrossing`]: `f(a)` and `f(b)` have the same sign (an even number of
//!   crossings cannot be ruled out).
//! - [`RootResult::Jump`]: a sign change across a discontinuity (e.g. count rounding): once
//!   Brent has converged, if neither end of the final bracket has `|f|` at most
//!   `rel_tol * scale` (with `scale = max(|f(a)|, |f(b)|)` at the initial ends), the bracket is
//!   bisected down to two adjacent floats; if `|f|` still stays above that threshold on both
//!   sides it is a jump, reported with its location and `f` just left and right of it.
//!   A continuous function cannot do that: at adjacent floats its values differ by
//!   `|f'| ulp(x)`, far below `1e-9 scale` unless `f` is itself step-like at float resolution.
//! - [`RootResult::Error`]: `f` returned NaN, an end is not finite, or no convergence within
//!   `max_iter` Brent iterations (200 is ample: bisection alone needs ~40 for 1e-9 of a
//!   bracket of 1e3 relative width, Brent at most about twice that).
//!
//! With an odd number of crossings in `[a, b]` one of them is found.

/// The outcome of [`brent`].
#[derive(Clone, Debug, PartialEq)]
pub enum RootResult {
    /// `f(x) = 0` at this x (to the requested tolerance).
    Root(f64),
    /// `f(a)` and `f(b)` have the same sign.
    NoCrossing,
    /// `f` changes sign across a jump between the float below `at` and `at`; `left` and `right`
    /// are `f` there (just below and at `at`).
    Jump { at: f64, left: f64, right: f64 },
    /// `f` returned NaN, an end is not finite, or no convergence.
    Error(String),
}

/// Finds a root of `f` in `[a, b]` (either order) to `rel_tol` relative (plus a few ulps),
/// with at most `max_iter` Brent iterations; see the module doc for the outcomes.
pub fn brent<F: FnMut(f64) -> f64>(
    mut f: F,
    a: f64,
    b: f64,
    rel_tol: f64,
    max_iter: usize,
) -> RootResult {
    if !a.is_finite() || !b.is_finite() {
        return RootResult::Error(format!("the bracket [{a}, {b}] is not finite"));
    }
    let rel_tol = if rel_tol.is_finite() && rel_tol > 0.0 {
        rel_tol
    } else {
        1e-9
    };
    let (mut a, mut b) = if a <= b { (a, b) } else { (b, a) };
    // Near x = 0 a relative tolerance is meaningless: floor it at 1e-6 of the bracket's size.
    let x_floor = 1e-6 * a.abs().max(b.abs());
    let mut eval = |x: f64| -> Result<f64, RootResult> {
        let y = f(x);
        if y.is_nan() {
            Err(RootResult::Error(format!("the function is NaN at {x}")))
        } else {
            Ok(y)
        }
    };
    macro_rules! ev {
        ($x:expr) => {
            match eval($x) {
                Ok(y) => y,
                Err(e) => return e,
            }
        };
    }
    let mut fa = ev!(a);
    if fa == 0.0 {
        return RootResult::Root(a);
    }
    if a == b {
        return RootResult::NoCrossing;
    }
    let mut fb = ev!(b);
    if fb == 0.0 {
        return RootResult::Root(b);
    }
    if (fa > 0.0) == (fb > 0.0) {
        return RootResult::NoCrossing;
    }
    let scale = {
        let s = fa.abs().max(fb.abs());
        if s.is_finite() {
            s
        } else {
            let fin = [fa.abs(), fb.abs()]
                .into_iter()
                .filter(|v| v.is_finite())
                .fold(0.0, f64::max);
            if fin > 0.0 {
                fin
            } else {
                1.0
            }
        }
    };
    let small = rel_tol * scale;

    // Brent's method (as in Numerical Recipes' zbrent), b the best estimate, [b, c] the bracket.
    let (mut c, mut fc) = (a, fa);
    let mut d = b - a;
    let mut e = d;
    let mut converged = false;
    for _ in 0..max_iter {
        if (fb > 0.0) == (fc > 0.0) {
            c = a;
            fc = fa;
            d = b - a;
            e = d;
        }
        if fc.abs() < fb.abs() {
            a = b;
            b = c;
            c = a;
            fa = fb;
            fb = fc;
            fc = fa;
        }
        let tol1 =
            2.0 * f64::EPSILON * b.abs() + 0.5 * rel_tol * b.abs().max(x_floor) + f64::MIN_POSITIVE;
        let xm = 0.5 * (c - b);
        if xm.abs() <= tol1 || fb == 0.0 {
            converged = true;
            break;
        }
        if e.abs() >= tol1 && fa.abs() > fb.abs() {
            let s = fb / fa;
            let (mut p, mut q);
            if a == c {
                p = 2.0 * xm * s;
                q = 1.0 - s;
            } else {
                let qq = fa / fc;
                let r = fb / fc;
                p = s * (2.0 * xm * qq * (qq - r) - (b - a) * (r - 1.0));
                q = (qq - 1.0) * (r - 1.0) * (s - 1.0);
            }
            if p > 0.0 {
                q = -q;
            }
            p = p.abs();
            let min1 = 3.0 * xm * q - (tol1 * q).abs();
            let min2 = (e * q).abs();
            if 2.0 * p < min1.min(min2) {
                e = d;
                d = p / q;
            } else {
                d = xm;
                e = d;
            }
        } else {
            d = xm;
            e = d;
        }
        a = b;
        fa = fb;
        b += if d.abs() > tol1 { d } else { tol1.copysign(xm) };
        fb = ev!(b);
    }
    if !converged {
        return RootResult::Error(format!(
            "no convergence after {max_iter} iterations (bracket [{}, {}])",
            b.min(c),
            b.max(c)
        ));
    }
    if fb == 0.0 || fb.abs() <= small || fc.abs() <= small {
        return RootResult::Root(if fc.abs() < fb.abs() { c } else { b });
    }

    // Both ends of the final bracket are far from zero: bisect to adjacent floats.
    let (mut lo, mut flo, mut hi, mut fhi) = if b < c {
        (b, fb, c, fc)
    } else {
        (c, fc, b, fb)
    };
    for _ in 0..200 {
        let mid = lo + 0.5 * (hi - lo);
        if mid <= lo || mid >= hi {
            break;
        }
        let fm = ev!(mid);
        if fm == 0.0 {
            return RootResult::Root(mid);
        }
        if (fm > 0.0) == (flo > 0.0) {
            lo = mid;
            flo = fm;
        } else {
            hi = mid;
            fhi = fm;
        }
    }
    if flo.abs() <= small || fhi.abs() <= small {
        return RootResult::Root(if flo.abs() <= fhi.abs() { lo } else { hi });
    }
    RootResult::Jump {
        at: hi,
        left: flo,
        right: fhi,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root(r: &RootResult) -> f64 {
        match r {
            RootResult::Root(x) => *x,
            other => panic!("expected a root, got {other:?}"),
        }
    }

    #[test]
    fn table_of_roots() {
        // (f, a, b, root): hand solutions.
        type F = fn(f64) -> f64;
        let cases: [(F, f64, f64, f64); 7] = [
            (|x| x * x - 2.0, 0.0, 2.0, std::f64::consts::SQRT_2), // x = sqrt 2
            (|x| x * x - 2.0, 2.0, 0.0, std::f64::consts::SQRT_2), // ends in either order
            (|x| 3.0 * x - 2.0, -10.0, 10.0, 2.0 / 3.0),           // linear: 2/3
            (|x| x.ln() - 1.0, 1.0, 10.0, std::f64::consts::E),    // e
            (|x| 1.3 - 24e3 / x, 6e3, 30e3, 24e3 / 1.3),           // rho(price) = 1.30
            (|x| (1e6 * (x - 1.0)).atan(), 0.0, 2.0, 1.0),         // steep but continuous
            (|x| x.powi(3), -1.0, 0.5, 0.0),                       // triple root at 0
        ];
        for (f, a, b, want) in cases {
            let x = root(&brent(f, a, b, 1e-9, 200));
            let tol = 1e-9 * want.abs().max(1e-300) + 1e-12;
            assert!((x - want).abs() <= tol, "[{a}, {b}]: {x} vs {want}");
        }
        // A root at an end.
        assert_eq!(
            brent(|x| x - 1.0, 1.0, 3.0, 1e-9, 100),
            RootResult::Root(1.0)
        );
        assert_eq!(
            brent(|x| x - 3.0, 1.0, 3.0, 1e-9, 100),
            RootResult::Root(3.0)
        );
    }

    #[test]
    fn evaluations_are_few() {
        let mut calls = 0;
        let x = root(&brent(
            |x| {
                calls += 1;
                x * x - 2.0
            },
            0.0,
            2.0,
            1e-9,
            200,
        ));
        assert!((x - std::f64::consts::SQRT_2).abs() < 1e-12);
        assert!(calls < 15, "{calls} evaluations");
    }

    #[test]
    fn no_crossing() {
        // Same sign at both ends (x^2 + 1 > 0; (x - 1)(x - 2) has two roots inside [0, 3]).
        assert_eq!(
            brent(|x| x * x + 1.0, -1.0, 1.0, 1e-9, 100),
            RootResult::NoCrossing
        );
        assert_eq!(
            brent(|x| (x - 1.0) * (x - 2.0), 0.0, 3.0, 1e-9, 100),
            RootResult::NoCrossing
        );
        assert_eq!(
            brent(|x| x + 1.0, 2.0, 2.0, 1e-9, 100),
            RootResult::NoCrossing
        );
    }

    #[test]
    fn odd_number_of_crossings_finds_one() {
        // (x - 1)(x - 2)(x - 3) on [0, 3.5]: f(0) = -6 < 0 < f(3.5) = 1.875.
        let x = root(&brent(
            |x| (x - 1.0) * (x - 2.0) * (x - 3.0),
            0.0,
            3.5,
            1e-9,
            200,
        ));
        assert!([1.0, 2.0, 3.0].iter().any(|r| (x - r).abs() < 1e-9), "{x}");
        // sin on [1, 10] crosses at pi, 2 pi, 3 pi.
        let x = root(&brent(f64::sin, 1.0, 10.0, 1e-9, 200));
        let k = (x / std::f64::consts::PI).round();
        assert!(
            (x - k * std::f64::consts::PI).abs() < 1e-8 && (1.0..=3.0).contains(&k),
            "{x}"
        );
    }

    #[test]
    fn step_function_is_a_jump() {
        // -1 below 2.5, +1 from 2.5 on: a jump at 2.5, not a root.
        match brent(|x| if x < 2.5 { -1.0 } else { 1.0 }, 0.0, 10.0, 1e-9, 200) {
            RootResult::Jump { at, left, right } => {
                assert_eq!(at, 2.5);
                assert_eq!((left, right), (-1.0, 1.0));
            }
            other => panic!("{other:?}"),
        }
        // Count rounding: metric = round(x) / 10 (halves away from zero), target 0.25: the
        // metric jumps from 0.2 to 0.3 at x = 2.5, so f jumps from -0.05 to +0.05.
        match brent(|x| x.round() / 10.0 - 0.25, 0.0, 5.0, 1e-9, 200) {
            RootResult::Jump { at, left, right } => {
                assert!((at - 2.5).abs() <= 4.0 * f64::EPSILON, "{at}");
                assert!((left + 0.05).abs() < 1e-15 && (right - 0.05).abs() < 1e-15);
            }
            other => panic!("{other:?}"),
        }
        // Decreasing step (+1 then -1), in reversed bracket order.
        assert!(matches!(
            brent(|x| if x <= 7.0 { 1.0 } else { -1.0 }, 10.0, 0.0, 1e-9, 200),
            RootResult::Jump { .. }
        ));
        // A step that lands on zero exactly is a root.
        assert_eq!(
            brent(
                |x| if x < 1.0 {
                    -1.0
                } else if x == 1.0 {
                    0.0
                } else {
                    1.0
                },
                0.0,
                2.0,
                1e-9,
                200
            ),
            RootResult::Root(1.0)
        );
    }

    #[test]
    fn nan_and_bad_input_are_errors() {
        let r = brent(
            |x| if x > 1.0 { f64::NAN } else { x - 2.0 },
            0.0,
            3.0,
            1e-9,
            100,
        );
        assert!(
            matches!(&r, RootResult::Error(m) if m.contains("NaN")),
            "{r:?}"
        );
        let r = brent(|x| x, f64::NEG_INFINITY, 1.0, 1e-9, 100);
        assert!(matches!(r, RootResult::Error(_)));
        // Too few iterations.
        let r = brent(|x| x * x - 2.0, 0.0, 2.0, 1e-9, 2);
        assert!(
            matches!(&r, RootResult::Error(m) if m.contains("no convergence")),
            "{r:?}"
        );
    }
}
