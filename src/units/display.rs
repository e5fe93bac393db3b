//! Values in a key's unit for display: exact and round-trippable ([`display`]), or rounded
//! to some significant digits ([`display_approx`]).

use super::grammar::{key_scale, parse_expr, MULTIPLIERS};
use super::*;

/// Display spellings for a key as (multiplier after the number, unit), and whether ties go to
/// the spelling whose number lies in [1, 1000).
pub(super) fn spellings(unit: &Unit) -> (Vec<(&'static str, &'static str)>, bool) {
    let prefixed = |us: &[&'static str]| (us.iter().map(|u| ("", *u)).collect(), true);
    match unit.name {
        "-" => (vec![("", "")], false),
        // One rule with the other units: the prefix that puts the number in [1, 1000) on a tie
        // ("48.9553G USD", not "48955.3M USD").
        u @ ("USD" | "USD/yr" | "USD/h" | "tokens") => {
            (vec![("", u), ("k", u), ("M", u), ("G", u), ("T", u)], true)
        }
        "W" => prefixed(&["W", "kW", "MW", "GW", "TW"]),
        "s" => prefixed(&["s", "ms"]),
        "GB" => prefixed(&["GB", "GiB", "TB", "TiB"]),
        "TB/s" => prefixed(&["TB/s", "GB/s"]),
        "TFLOP/s" => prefixed(&["TFLOP/s", "PFLOP/s", "GFLOP/s"]),
        u if parse_expr(u).is_ok_and(|s| s.dim == unit.dim) => (vec![("", u)], false),
        _ => (vec![("", "")], false),
    }
}

/// `x` rounded to `sig` significant digits, in the shortest of plain, scientific and
/// engineering notation ("0.07", "70e9", "1.5e-7").
pub(super) fn fmt_number(x: f64, sig: usize) -> String {
    let s = format!("{:.*e}", sig - 1, x.abs());
    let (m, e) = s.split_once('e').unwrap_or((&s, "0"));
    let digits = m.replace('.', "");
    let digits = Some(digits.trim_end_matches('0'))
        .filter(|d| !d.is_empty())
        .unwrap_or("0");
    let (e, n) = (e.parse::<i32>().unwrap_or(0), digits.len() as i32);
    let last = e - n + 1; // power of ten of the last digit
    let plain = |k: i32| match k {
        0.. => format!("{digits}{}", "0".repeat(k as usize)),
        _ if n > -k => format!(
            "{}.{}",
            &digits[..(n + k) as usize],
            &digits[(n + k) as usize..]
        ),
        _ => format!("0.{}{digits}", "0".repeat((-k - n) as usize)),
    };
    // Scientific notation only where it saves more than its own "e" and exponent: a count of
    // 200000 stays "200000" (not "2e5"); 70e9 parameters stay "70e9".
    let mut best = plain(last);
    let mut best_len = best.len();
    for exp in [e.div_euclid(3) * 3, e].into_iter().filter(|x| *x != 0) {
        let cand = format!("{}e{exp}", plain(last - exp));
        if cand.len() + 3 < best_len {
            best_len = cand.len() + 3;
            best = cand;
        }
    }
    let sign = if x < 0.0 { "-" } else { "" };
    format!("{sign}{best}")
}

/// The value in the key's unit for display, round-trippable through [`parse_quantity`]: the
/// shortest text that parses back to exactly `value_si` ("2 GW", "12k USD", "0.07 USD/kWh",
/// "96 GiB", "70e9"), scientific notation counting two characters more; if no decimal of up to
/// 17 digits is exact, the closest. Non-finite values show as "inf W" and do not parse back.
pub fn display(value_si: f64, unit: &Unit) -> String {
    let (spell, in_range) = spellings(unit);
    let join = |num: String, mult: &str, u: &str| match u {
        "" => format!("{num}{mult}"),
        _ => format!("{num}{mult} {u}"),
    };
    if value_si == 0.0 || !value_si.is_finite() {
        return join(
            format!("{}", if value_si == 0.0 { 0.0 } else { value_si }),
            "",
            spell[0].1,
        );
    }
    let mut best: Option<(usize, bool, String)> = None;
    let mut closest: Option<(f64, String)> = None;
    for (mult, u) in spell {
        let m = MULTIPLIERS
            .iter()
            .find(|(c, _)| mult.starts_with(*c))
            .map_or(1.0, |c| c.1);
        let s = parse_expr(u).unwrap_or_else(|_| key_scale(unit));
        let mantissa = value_si * s.den / s.num / m;
        for sig in 1..=17 {
            let number = fmt_number(mantissa, sig);
            let len = number.len() + 2 * usize::from(number.contains('e')) + mult.len() + u.len();
            let text = join(number, mult, u);
            let back = parse_quantity(&text, unit).unwrap_or(f64::NAN);
            let out = in_range && !(1.0..1000.0).contains(&mantissa.abs());
            if back == value_si {
                if best.as_ref().map_or(true, |b| (len, out) < (b.0, b.1)) {
                    best = Some((len, out, text));
                }
                break;
            }
            let err = (back - value_si).abs();
            if sig == 17 && closest.as_ref().map_or(true, |c| err < c.0) {
                closest = Some((err, text));
            }
        }
    }
    best.map(|b| b.2)
        .or(closest.map(|c| c.1))
        .unwrap_or_else(|| value_si.to_string())
}

/// `value_si` rounded to `sig` significant digits in the key's unit, for messages and analysis
/// tables: written in the scenario grammar (so it pastes into `--set`) with the multiplier or
/// prefix that puts the number in [1, 1000), as results are ("23.1k USD", "12.9k USD",
/// "2 GW", "30 ms"); a key without prefixes, or a value no prefix brings into [1, 1000), as
/// [`display`] shows the rounded value ("0.3689", "1e-200 USD"). Not finite: "n/a", "overflow".
pub fn display_approx(value_si: f64, unit: &Unit, sig: i32) -> String {
    // Round in the key's own unit: 0.055 USD/kWh, not its SI value (USD per J) rounded.
    let v = value_si / unit.si;
    if !v.is_finite() {
        let t = format::non_finite(v).unwrap_or_default();
        return if unit.name == "-" {
            t
        } else {
            format!("{t} {}", unit.name)
        };
    }
    if v == 0.0 {
        return display(value_si, unit);
    }
    // Decimal rounding by the formatter (exact at every magnitude, where scaling by 10^k is
    // not for |k| in the hundreds), read back as the nearest double.
    let sig = sig.max(1) as usize;
    let digits = sig - 1;
    let rounded: f64 = format!("{v:.digits$e}").parse().unwrap_or(v);
    let (spell, in_range) = spellings(unit);
    if in_range {
        for (mult, u) in &spell {
            let m = MULTIPLIERS
                .iter()
                .find(|(c, _)| mult.starts_with(*c))
                .map_or(1.0, |c| c.1);
            let s = parse_expr(u).unwrap_or_else(|_| key_scale(unit));
            let mantissa = rounded * unit.si * s.den / s.num / m;
            // On the rounded mantissa: 999.96 at 4 digits is "1000", so it takes the next one.
            let shown: f64 = format!("{mantissa:.digits$e}").parse().unwrap_or(mantissa);
            if (1.0..1000.0).contains(&shown.abs()) {
                return format!("{}{mult} {u}", fmt_number(mantissa, sig));
            }
        }
    }
    // `display` picks prefixes ("2 GW") but can show float noise from the unit conversion
    // ("0.14499999999999996 USD/kWh"); take the shorter of it and the plain rounded number,
    // which is in scientific notation where plain digits would run long.
    let pretty = display(rounded * unit.si, unit);
    let number = format::Num(rounded).to_string();
    let plain = if unit.name == "-" {
        number
    } else {
        format!("{number} {}", unit.name)
    };
    // Both in powers of ten: the scientific form ("1.192e-32", not "11.92e-33").
    if pretty.len() <= plain.len() && !pretty.contains('e') {
        pretty
    } else {
        plain
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::units::test_util::*;

    #[test]
    fn approximate_display_rounds_in_the_keys_unit() {
        // 0.14499999999999996 USD/kWh (float noise of the conversion) shows as 0.145.
        let kwh = 0.145 / 3.6e6;
        assert_eq!(display_approx(kwh, &USD_PER_KWH, 4), "0.145 USD/kWh");
        // The prefix that puts the number in [1, 1000), as results have it ("$12.3 k").
        assert_eq!(display_approx(12_345.678, &USD, 4), "12.35k USD"); // 1.235e4
        assert_eq!(display_approx(23_104.27, &USD, 4), "23.1k USD"); // 2.310e4, zero trimmed
        assert_eq!(display_approx(7_414.2, &USD, 4), "7.414k USD");
        assert_eq!(display_approx(999.96, &USD, 4), "1k USD"); // rounds to 1000: next prefix
        assert_eq!(display_approx(0.0300001, &S, 4), "30 ms");
        assert_eq!(display_approx(f64::NAN, &USD, 4), "n/a USD");
        assert_eq!(display_approx(f64::INFINITY, &ONE, 4), "overflow");
        assert_eq!(display_approx(2.0e9, &W, 3), "2 GW");
        // Far from 1: scientific notation with the significant digits asked for, no float
        // noise from scaling by 10^200 ("9.999999999999997e-201", "100.00000000000003e198").
        assert_eq!(display_approx(1e-200, &USD, 4), "1e-200 USD");
        assert_eq!(display_approx(1e200, &USD, 4), "1e200 USD");
        assert_eq!(display_approx(4.99999999999999e-301, &USD, 4), "5e-301 USD");
        assert_eq!(display_approx(1.23456e20, &ONE, 3), "1.23e20"); // not engineering "123e18"
        assert_eq!(display_approx(1.192e-32, &ONE, 4), "1.192e-32");
    }

    #[test]
    fn display_shortest_exact() {
        let cases = [
            (2e9, W, "2 GW"),
            (700.0, W, "700 W"),
            (2400.0, W, "2.4 kW"), // same length as "2400 W": the number in [1, 1000) wins
            (1.5e6, W, "1.5 MW"),
            (12e3, USD, "12k USD"),
            // Money follows the rule of every unit: on a tie the number in [1, 1000) wins.
            (2500.0, USD, "2.5k USD"),
            (1.5e6, USD, "1.5M USD"),
            (1e11, USD, "100G USD"),
            (1.2e9, USD, "1.2G USD"),
            (48.9553e9, USD, "48.9553G USD"), // not "48955.3M USD"
            (2e5, ONE, "200000"),             // a count in plain digits, not "2e5"
            (-5.0, USD, "-5 USD"),
            (0.07 / 3.6e6, USD_PER_KWH, "0.07 USD/kWh"),
            (11.0, USD_PER_W, "11 USD/W"),
            (0.4 / SPY, USD_PER_W_YR, "0.4 USD/W/yr"),
            (4500.0 / SPY, USD_PER_YR, "4.5k USD/yr"),
            (2.1 / 3600.0, USD_PER_H, "2.1 USD/h"),
            (5.0 * SPY, YR, "5 yr"),
            (0.5 * SPY, YR, "0.5 yr"),
            (0.9e-3, S, "0.9 ms"),
            (0.25, S, "250 ms"),
            (2.0, S, "2 s"),
            (80e9, GB, "80 GB"),
            (103_079_215_104.0, GB, "96 GiB"),
            (4.8e12, TB_PER_S, "4.8 TB/s"),
            (0.9e12, TB_PER_S, "900 GB/s"),
            (989e12, TFLOP_PER_S, "989 TFLOP/s"),
            (7e10, ONE, "70e9"),
            (0.12, ONE, "0.12"),
            (1.2, ONE, "1.2"),
            (1.5e-7, ONE, "150e-9"),
            (2.0, BYTES, "2 B"),
            (8192.0, TOKENS, "8192 tokens"),
            (8000.0, TOKENS, "8k tokens"),
            (0.0, W, "0 W"),
            (0.0, ONE, "0"),
            (f64::INFINITY, W, "inf W"),
        ];
        for (x, unit, want) in cases {
            assert_eq!(display(x, &unit), want, "{x:e} {}", unit.name);
        }
    }

    #[test]
    fn display_round_trips_model_examples() {
        let cases = [
            ("2 GW", W),
            ("700 W", W),
            ("25k USD", USD),
            ("1.5M USD", USD),
            ("0.07 USD/kWh", USD_PER_KWH),
            ("11 USD/W", USD_PER_W),
            ("0.4 USD/W/yr", USD_PER_W_YR),
            ("500 USD/yr", USD_PER_YR),
            ("4.8 TB/s", TB_PER_S),
            ("96 GiB", GB),
            ("989 TFLOP/s", TFLOP_PER_S),
            ("5 yr", YR),
            ("2.1 USD/h", USD_PER_H),
            ("0.9 ms", S),
            ("70e9", ONE),
            ("12 %", ONE),
            ("3.35 TB/s", TB_PER_S),
            ("2.235 USD/h", USD_PER_H),
            ("100e9 USD", USD),
            ("0.08 USD/kWh", USD_PER_KWH),
        ];
        for (text, unit) in cases {
            let x = ok(text, &unit);
            let shown = display(x, &unit);
            assert_eq!(ok(&shown, &unit), x, "{text} -> {shown}");
            assert!(shown.len() <= text.len() + 1, "{text} -> {shown}"); // never longer than needed
        }
        assert_eq!(
            display(ok("70 USD/MWh", &USD_PER_KWH), &USD_PER_KWH),
            "0.07 USD/kWh"
        );
        assert_eq!(display(ok("12 %", &ONE), &ONE), "0.12");
    }

    /// A small deterministic generator for the property loops (xorshift64*).
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> f64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 11) as f64 / (1u64 << 53) as f64
        }
    }

    #[test]
    fn property_display_parses_back() {
        let units = [
            ONE,
            W,
            USD,
            USD_PER_KWH,
            USD_PER_W,
            USD_PER_W_YR,
            USD_PER_YR,
            USD_PER_H,
            YR,
            S,
            GB,
            TB_PER_S,
            TFLOP_PER_S,
            BYTES,
            TOKENS,
        ];
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let (mut exact, mut total) = (0, 0);
        for i in 0..6000 {
            let unit = units[i % units.len()];
            // Arbitrary doubles over 24 decades, and "typed" values with 1-4 significant digits.
            let e = (rng.next() * 24.0 - 12.0).floor();
            let x = if i % 2 == 0 {
                (1.0 + 9.0 * rng.next()) * 10f64.powf(e)
            } else {
                let digits = 10f64.powi(1 + (rng.next() * 3.0) as i32);
                let typed: f64 = format!("{}e{e}", (rng.next() * digits).round().max(1.0))
                    .parse()
                    .unwrap();
                typed
            };
            let si = from_bare(if i % 7 == 0 { -x } else { x }, &unit).unwrap();
            let shown = display(si, &unit);
            let back = ok(&shown, &unit);
            assert!(
                close(back, si),
                "{si:e} {} -> {shown} -> {back:e}",
                unit.name
            );
            total += 1;
            exact += usize::from(back == si);
            if i % 2 == 1 {
                // Typed values come back exactly, as at most 17 significant digits.
                assert_eq!(back, si, "{} -> {shown}", unit.name);
                assert!(shown.len() <= 28, "{shown}");
            }
        }
        assert!(exact * 100 >= total * 95, "{exact} of {total} exact");
    }

    #[test]
    fn property_unit_spellings_agree() {
        // The same random amount written in equivalent units parses to the same SI value.
        let mut rng = Rng(42);
        for _ in 0..500 {
            let x = ((rng.next() * 1e4).round() / 100.0).max(0.01); // two decimals, like a typed price
            let kwh = ok(&format!("{x} USD/kWh"), &USD_PER_KWH);
            assert!(close(
                ok(&format!("{} USD/MWh", x * 1e3), &USD_PER_KWH),
                kwh
            ));
            let yr = ok(&format!("{x} USD/yr"), &USD_PER_YR);
            assert!(close(ok(&format!("{x} USD/yr"), &USD_PER_H), yr));
            assert!(close(
                from_bare(x * 8766.0, &USD_PER_YR).unwrap(),
                ok(&format!("{x} USD/h"), &USD_PER_YR)
            ));
            assert!(close(ok(&format!("{x}k USD"), &USD), x * 1e3));
            assert!(close(
                ok(&format!("{x} GW"), &W),
                ok(&format!("{} MW", x * 1e3), &W)
            ));
        }
    }
}
