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
    // r (1+r)^n / ((1+r)^n - 1) written as r / (1 - (1+r)^-n): the same number, but (1+r)^n
    // overflows for lives beyond ~8,000 years at 9 % (inf / inf), while (1+r)^-n goes to 0
    // and the factor to its limit r.
    r / -(-years * ln_1p_r).exp_m1()
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
    fn crf_of_a_very_long_life_is_its_limit_r() {
        // (1.09)^10000 overflows f64; the factor is r to the last bit (1.09^-10000 ~ 1e-374).
        assert_eq!(crf(0.09, 10_000.0), 0.09);
        assert_eq!(crf(0.09, 1e300), 0.09);
        // At 50 years, r (1+r)^n / ((1+r)^n - 1) by the textbook form, 1.09^50 = 74.357520...
        let g = 1.09f64.powf(50.0);
        assert!((crf(0.09, 50.0) - 0.09 * g / (g - 1.0)).abs() < 1e-15);
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
