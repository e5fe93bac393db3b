//! Capital recovery and present value (MODEL.md section 3).

/// Capital recovery factor: the level yearly payment that repays 1 USD over `years` at
/// discount rate `r`: r (1+r)^n / ((1+r)^n - 1), and 1/n when r = 0. Real `years` allowed.
pub fn crf(r: f64, years: f64) -> f64 {
    if r == 0.0 {
        return 1.0 / years;
    }
    crf_from_log(r, r.ln_1p(), years)
}

/// CRF(r, n) given ln(1 + r), so that several lives at one rate share the logarithm.
/// (1+r)^n - 1 is taken by expm1, so tiny rates keep their precision.
pub fn crf_from_log(r: f64, ln_1p_r: f64, years: f64) -> f64 {
    if r == 0.0 {
        return 1.0 / years;
    }
    let growth = (years * ln_1p_r).exp_m1();
    r * (growth + 1.0) / growth
}

/// Present value of 1 USD a year for `years` years: (1 - (1+r)^-H) / r, and H when r = 0.
pub fn annuity_pv(r: f64, years: f64) -> f64 {
    if r == 0.0 {
        return years;
    }
    -(-years * r.ln_1p()).exp_m1() / r
}

/// Discount factor for a cash flow `years` from now: (1+r)^-years.
pub fn discount(r: f64, years: f64) -> f64 {
    (1.0 + r).powf(-years)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-12 * b.abs().max(1.0)
    }

    #[test]
    fn crf_table() {
        let cases = [
            // r, n, expected: hand calculation
            (0.0, 5.0, 0.2),   // r = 0: 1/n
            (0.0, 20.0, 0.05), // r = 0: 1/20
            (0.08, 1.0, 1.08), // one year: repay principal plus interest
            // 0.08 * 1.08^5 / (1.08^5 - 1) = 0.08 * 1.4693280768 / 0.4693280768
            (0.08, 5.0, 0.08 * 1.469_328_076_8 / 0.469_328_076_8),
            // 0.10 * 1.1^2 / (1.1^2 - 1) = 0.121 / 0.21
            (0.10, 2.0, 0.121 / 0.21),
            // non-integer life: 0.05 * 1.05^2.5 / (1.05^2.5 - 1), 1.05^2.5 = 1.1297263219
            (0.05, 2.5, 0.05 * 1.129_726_321_9 / 0.129_726_321_9),
        ];
        for (r, n, want) in cases {
            let got = crf(r, n);
            assert!(
                (got - want).abs() < 1e-9 * want,
                "crf({r}, {n}) = {got}, want {want}"
            );
        }
    }

    #[test]
    fn crf_tends_to_one_over_n_as_r_goes_to_zero() {
        // Continuity at r = 0: CRF(1e-9, 5) is 1/5 to about 1e-9.
        assert!((crf(1e-9, 5.0) - 0.2).abs() < 1e-8);
    }

    #[test]
    fn annuity_table() {
        // r = 0: H; r = 0.08, H = 8: (1 - 1.08^-8) / 0.08 = (1 - 0.5402688845) / 0.08
        assert!(close(annuity_pv(0.0, 8.0), 8.0));
        assert!((annuity_pv(0.08, 8.0) - (1.0 - 0.540_268_884_5) / 0.08).abs() < 1e-8);
        // CRF and annuity PV are reciprocals.
        assert!(close(crf(0.07, 6.0) * annuity_pv(0.07, 6.0), 1.0));
    }
}
