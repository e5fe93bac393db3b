//! Numbers as text: the one rule for every number fleetcost prints (docs/architecture.md,
//! "Numbers").
//!
//! Machine-read text (CSV, and numbers inside JSON written as text) uses [`Num`]: 15
//! significant digits, the shortest form that reads back, scientific below 1e-6 and from 1e15.
//!
//! Human-read text (tables, chart labels and titles, messages) uses the functions below, which
//! share four guarantees:
//! - a magnitude that plain digits cannot show readably (from 1e15, or SI prefixes running
//!   out) is in scientific notation with four significant digits ("2.933e20"), so no number
//!   prints as hundreds of digits;
//! - a non-zero value never prints as zero ("0.00 W" for 100 uW, "$0.00", "0.0 tokens/s"):
//!   physical units take a smaller prefix ("100 uW"), other numbers scientific notation
//!   ("1.000e-4"); exact 0 prints as 0;
//! - a value that is not a finite number prints as [`NAN_TEXT`] or [`INF_TEXT`], never as
//!   "NaN" or "inf";
//! - money is `$` with k, M, B, T ([`fmt_usd`]); other quantities take SI prefixes
//!   ([`fmt_si`]); a scenario input shown in a message or an analysis table is written in the
//!   scenario grammar with the same prefixes ([`crate::units::display_approx`]: "23.10k USD",
//!   so that it can be pasted into `--set`).

/// How a NaN shows in human-read text.
pub const NAN_TEXT: &str = "n/a";
/// How an infinity shows in human-read text (with a leading "-" when negative): a result too
/// large for floating point.
pub const INF_TEXT: &str = "overflow";

/// [`NAN_TEXT`] or [`INF_TEXT`] for a value that is not finite, `None` for a finite one.
pub fn non_finite(value: f64) -> Option<String> {
    if value.is_nan() {
        Some(NAN_TEXT.to_string())
    } else if value.is_infinite() {
        Some(format!("{}{INF_TEXT}", if value < 0.0 { "-" } else { "" }))
    } else {
        None
    }
}

/// `value` to `sig` significant digits with thousands separators from 1,000: "0.742", "12.4",
/// "1,234" (sig 3); scientific from 1e15 and below 1e-4 ("1.230e-7").
pub fn fmt_sig(value: f64, sig: usize) -> String {
    if let Some(t) = non_finite(value) {
        return t;
    }
    let a = value.abs();
    if a != 0.0 && a < 1e-4 {
        return sci(value);
    }
    let decimals = if a == 0.0 {
        0
    } else {
        // Decide on the rounded value: 99.96 at 3 digits is "100", not "100.0".
        let mag = |x: f64| x.log10().floor() as i64;
        let d = (sig as i64 - 1 - mag(a)).clamp(0, 12) as usize;
        let r: f64 = format!("{a:.d$}").parse().unwrap_or(a);
        (sig as i64 - 1 - mag(r.max(a))).clamp(0, 12) as usize
    };
    fmt_thousands(value, decimals)
}

/// The shortest text of `value` to at most `sig` significant digits, without trailing zeros
/// or separators: "1.3", "8.5", "1e308", "2.5e-7" (for headers and ids: a claim level, years).
pub fn fmt_short(value: f64, sig: usize) -> String {
    if let Some(t) = non_finite(value) {
        return t;
    }
    let d = sig.max(1) - 1;
    let rounded: f64 = format!("{value:.d$e}").parse().unwrap_or(value);
    let a = rounded.abs();
    if a != 0.0 && !(1e-4..SCI_FROM).contains(&a) {
        format!("{rounded:e}")
    } else {
        format!("{rounded}")
    }
}

/// `value` with rounding noise of a difference removed: 0 when `|value|` is at most 1e-12 of
/// `scale`, the size of the numbers it is the difference of (1 - 1/rho for a rho of
/// 1 - 4.4e-16 is noise, not -4.4e-14 %). Use it only on such differences: a small value that is
/// not a difference keeps its digits.
pub fn denoise(value: f64, scale: f64) -> f64 {
    if value.abs() <= 1e-12 * scale.abs() {
        0.0
    } else {
        value
    }
}

/// Scientific notation with four significant digits: "1.230e-7", "-2.933e20".
fn sci(value: f64) -> String {
    format!("{value:.3e}")
}

/// SI prefix for `value`: returns (scaled value, prefix) with |scaled| in [1, 1000) where a
/// prefix from k to E applies; values below 1000 keep no prefix.
pub fn si_scale(value: f64) -> (f64, &'static str) {
    const PREFIXES: [(f64, &str); 6] = [
        (1e18, "E"),
        (1e15, "P"),
        (1e12, "T"),
        (1e9, "G"),
        (1e6, "M"),
        (1e3, "k"),
    ];
    let a = value.abs();
    for (factor, p) in PREFIXES {
        // Round first so 999.96e3 prints as "1.00 M", not "1000.0 k".
        if a >= factor * 0.9995 {
            return (value / factor, p);
        }
    }
    (value, "")
}

/// `value` with an SI prefix and `sig` significant digits (at least one decimal kept when the
/// scaled value is below 100): `fmt_si(2.0e9, "W", 2)` is "2.0 GW", `fmt_si(1.16e6, " chips", 3)`
/// gives "1.16 M chips" when the unit starts with a space.
pub fn fmt_si(value: f64, unit: &str, sig: usize) -> String {
    if let Some(t) = non_finite(value) {
        return format!("{t} {}", unit.trim_start()).trim_end().to_string();
    }
    if value != 0.0 && value.abs() < 0.9995 {
        return fmt_si_small(value, unit, sig);
    }
    if value.abs() >= 0.9995e21 {
        // Past 1000 E a prefix no longer helps: scientific notation, same digits.
        let d = sig.saturating_sub(1);
        return format!("{value:.d$e} {}", unit.trim_start())
            .trim_end()
            .to_string();
    }
    let (scaled, prefix) = si_scale(value);
    // Decide the decimals on the value as it will print: 99.99 rounds to "100", not "100.0".
    let rough = decimals_for(scaled, sig);
    let rounded: f64 = format!("{scaled:.rough$}").parse().unwrap_or(scaled);
    let decimals = decimals_for(rounded, sig);
    let sep = if unit.starts_with(' ') || (prefix.is_empty() && unit.is_empty()) {
        ""
    } else {
        " "
    };
    let unit = if let Some(stripped) = unit.strip_prefix(' ') {
        format!("{prefix} {stripped}")
    } else {
        format!("{prefix}{unit}")
    };
    let unit = unit.trim_start();
    if unit.is_empty() {
        format!("{scaled:.decimals$}")
    } else if sep.is_empty() {
        format!("{scaled:.decimals$} {unit}")
    } else {
        format!("{scaled:.decimals$}{sep}{unit}")
    }
}

/// [`fmt_si`] below 1: a physical unit takes m, u, n, p ("100 uW"; "u" for micro, as the
/// scenario grammar writes it); a count or a bare number, and anything below 1e-12 of a unit,
/// scientific notation ("1.000e-4 chips").
fn fmt_si_small(value: f64, unit: &str, sig: usize) -> String {
    const SMALL: [(f64, &str); 4] = [(1e-3, "m"), (1e-6, "u"), (1e-9, "n"), (1e-12, "p")];
    let physical = !unit.is_empty() && !unit.starts_with(' ');
    let a = value.abs();
    if physical && a >= 0.9995e-12 {
        for (factor, p) in SMALL {
            if a >= factor * 0.9995 {
                let scaled = value / factor;
                let rough = decimals_for(scaled, sig);
                let r: f64 = format!("{scaled:.rough$}").parse().unwrap_or(scaled);
                let d = decimals_for(r, sig);
                return format!("{scaled:.d$} {p}{unit}");
            }
        }
    }
    if a >= 1e-3 {
        // 0.5 chips, 0.25: plain decimals that show the digits asked for.
        let d = (sig as i64 - 1 - a.log10().floor() as i64).clamp(0, 6) as usize;
        return format!("{value:.d$} {}", unit.trim_start())
            .trim_end()
            .to_string();
    }
    format!("{} {}", sci(value), unit.trim_start())
        .trim_end()
        .to_string()
}

fn decimals_for(scaled: f64, sig: usize) -> usize {
    let a = scaled.abs();
    let int_digits = if a < 1.0 {
        1
    } else {
        (a.log10().floor() as usize) + 1
    };
    sig.saturating_sub(int_digits)
        .max(if a < 100.0 { 1 } else { 0 })
}

/// `value` rounded to `decimals` with a comma every three digits: 1234567.8 -> "1,234,567.8".
/// From 1e15 on, where digits stop being readable, scientific notation with four significant
/// digits: "2.933e20".
pub fn fmt_thousands(value: f64, decimals: usize) -> String {
    if let Some(t) = non_finite(value) {
        return t;
    }
    // A non-zero value that would round to 0 at these decimals keeps its digits.
    if value.abs() >= SCI_FROM || rounds_to_zero(value, decimals) {
        return sci(value);
    }
    let s = format!("{:.*}", decimals, value.abs());
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i.to_string(), Some(f.to_string())),
        None => (s.clone(), None),
    };
    let mut out = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if let Some(f) = frac {
        out.push('.');
        out.push_str(&f);
    }
    if value < 0.0 && s.chars().any(|c| c != '0' && c != '.') {
        out.insert(0, '-');
    }
    out
}

/// From this magnitude on, plain digits stop being readable (a 1e300 USD chip would print 300
/// of them): tables, CSV, chart labels and messages switch to scientific notation.
pub const SCI_FROM: f64 = 1e15;
/// Below this magnitude machine-read numbers ([`Num`]) use scientific notation too.
pub const SCI_BELOW: f64 = 1e-6;

/// A number for CSV and other machine-read text: rounded to 15 significant digits (what a
/// double's arithmetic keeps: the noise of the last bits goes, so 1,999,993,014 W does not
/// print as 1999993013.9999998), then Rust's shortest round-trip form of that ("0.0725",
/// "2307296"), in scientific notation below 1e-6 and from 1e15 on ("1e-150", "2.5e20"), where
/// the plain form would run to hundreds of digits. Every CSV reader parses both. results.json
/// keeps every bit.
#[derive(Debug, Clone, Copy)]
pub struct Num(pub f64);

impl std::fmt::Display for Num {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let x = if self.0.is_finite() {
            format!("{:.14e}", self.0).parse().unwrap_or(self.0)
        } else {
            self.0
        };
        let a = x.abs();
        if a != 0.0 && a.is_finite() && !(SCI_BELOW..SCI_FROM).contains(&a) {
            write!(f, "{x:e}")
        } else {
            write!(f, "{x}")
        }
    }
}

/// Whether a non-zero `value` would print as 0 with `decimals` decimals (a 1e-95 rho as
/// "0.000"): such values are shown in scientific notation instead.
fn rounds_to_zero(value: f64, decimals: usize) -> bool {
    value != 0.0 && value.abs() < 0.5 * 10f64.powi(-(decimals.min(300) as i32))
}

/// `value` with `decimals` decimals, as `format!("{:.N}")`, but from 1e15 on in scientific
/// notation with four significant digits, so an absurd input cannot print a 300-digit cell.
pub fn fmt_fixed(value: f64, decimals: usize) -> String {
    if let Some(t) = non_finite(value) {
        return t;
    }
    if value.is_finite() && (value.abs() >= SCI_FROM || rounds_to_zero(value, decimals)) {
        format!("{value:.3e}")
    } else {
        format!("{value:.decimals$}")
    }
}

/// [`fmt_fixed`] with an explicit sign: "+0.708", "-1.300", "+2.241e303".
pub fn fmt_signed(value: f64, decimals: usize) -> String {
    let s = fmt_fixed(value, decimals);
    if s.starts_with('-') || !value.is_finite() {
        s
    } else {
        format!("+{s}")
    }
}

/// Money with a dollar sign: "$1.23", "$12.3 k", "$1.23 B" (B for billions, as analysts write);
/// below a dollar three significant digits ("$0.0123"), below a tenth of a cent scientific
/// ("$1.23e-5").
pub fn fmt_usd(value: f64) -> String {
    if let Some(t) = non_finite(value) {
        return t;
    }
    let a = value.abs();
    let sign = if value < 0.0 { "-" } else { "" };
    if a != 0.0 && a < 1e-3 {
        return format!("{sign}${a:.2e}");
    }
    if a != 0.0 && a < 0.9995 {
        let d = (2 - a.log10().floor() as i64).clamp(2, 5) as usize;
        return format!("{sign}${a:.d$}");
    }
    if a >= 0.9995 * SCI_FROM {
        // Past a thousand trillion: scientific notation, three significant digits.
        return format!("{sign}${a:.2e}");
    }
    let (scaled, suffix) = if a >= 0.9995e12 {
        (a / 1e12, " T")
    } else if a >= 0.9995e9 {
        (a / 1e9, " B")
    } else if a >= 0.9995e6 {
        (a / 1e6, " M")
    } else if a >= 0.9995e4 {
        (a / 1e3, " k")
    } else {
        (a, "")
    };
    let decimals = decimals_for(scaled, 3);
    format!("{sign}${scaled:.decimals$}{suffix}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn si() {
        assert_eq!(fmt_si(2.0e9, "W", 2), "2.0 GW");
        assert_eq!(fmt_si(1.16e6, " chips", 3), "1.16 M chips");
        assert_eq!(fmt_si(999.96e3, "W", 3), "1.00 MW");
        assert_eq!(fmt_si(690.0, "W", 3), "690 W");
        assert_eq!(fmt_si(1.5, "", 3), "1.50");
        assert_eq!(fmt_si(999.0e18, "W", 3), "999 EW");
        assert_eq!(fmt_si(3.0e300, "W", 3), "3.00e300 W");
        assert_eq!(fmt_si(3.0e300, "", 3), "3.00e300");
    }

    #[test]
    fn thousands() {
        assert_eq!(fmt_thousands(1234567.8, 1), "1,234,567.8");
        assert_eq!(fmt_thousands(-1234.0, 0), "-1,234");
        assert_eq!(fmt_thousands(999.0, 0), "999");
        // A non-zero value never prints as a zero (it used to be "0.00").
        assert_eq!(fmt_thousands(-0.0001, 2), "-1.000e-4");
        assert_eq!(fmt_thousands(0.04, 1), "4.000e-2");
        assert_eq!(fmt_thousands(0.05, 1), "0.1"); // rounds up, not to zero
        assert_eq!(fmt_thousands(0.0, 2), "0.00");
        // 999,999,999,999,999 still has separators; 1e15 and up is scientific.
        assert_eq!(
            fmt_thousands(999_999_999_999_999.0, 0),
            "999,999,999,999,999"
        );
        assert_eq!(fmt_thousands(2.9333e297, 2), "2.933e297");
        assert_eq!(fmt_thousands(-1.5e15, 0), "-1.500e15");
    }

    #[test]
    fn machine_numbers_round_trip_and_stay_short() {
        for (x, text) in [
            (0.0725, "0.0725"),
            (2_307_296.0, "2307296"),
            (1e-150, "1e-150"),
            (-2.5e20, "-2.5e20"),
            (0.0, "0"),
            (1e-6, "0.000001"),
        ] {
            assert_eq!(Num(x).to_string(), text);
            assert_eq!(text.parse::<f64>().unwrap(), x);
        }
    }

    #[test]
    fn fixed_and_signed() {
        assert_eq!(fmt_fixed(2.0082, 3), "2.008");
        assert_eq!(fmt_fixed(-999_999_999_999_999.0, 1), "-999999999999999.0");
        assert_eq!(fmt_fixed(8.7219e301, 4), "8.722e301");
        assert_eq!(fmt_signed(0.70816, 3), "+0.708");
        assert_eq!(fmt_signed(-1.3, 3), "-1.300");
        assert_eq!(fmt_signed(-2.2410e303, 1), "-2.241e303");
        // Non-zero values that would round to 0 keep their digits; 0 stays 0.
        assert_eq!(fmt_fixed(3.4e-96, 3), "3.400e-96");
        assert_eq!(fmt_fixed(0.0004, 3), "4.000e-4");
        assert_eq!(fmt_fixed(0.0005, 3), "0.001"); // rounds up, not to zero (0.0005 is a hair above)
        assert_eq!(fmt_fixed(0.0, 3), "0.000");
        assert_eq!(fmt_signed(-1e-20, 3), "-1.000e-20");
        assert_eq!(fmt_thousands(2e-154, 4), "2.000e-154");
    }

    /// The edge cases of the rule (module doc): huge, tiny, zero, negative, not finite.
    #[test]
    fn the_rule_at_its_edges() {
        // 1e308: never 309 digits, in every human form.
        assert_eq!(fmt_short(1e308, 4), "1e308");
        assert_eq!(fmt_sig(1e308, 3), "1.000e308");
        assert_eq!(fmt_thousands(1e308, 0), "1.000e308");
        assert_eq!(fmt_fixed(1e308, 2), "1.000e308");
        assert_eq!(fmt_usd(1e308), "$1.00e308");
        assert_eq!(fmt_si(1e308, "W", 3), "1.00e308 W");
        assert!(Num(1e308).to_string().len() < 10);
        // 1e-4 W is 100 uW, not "0.00 W"; a bare number or a count goes scientific.
        assert_eq!(fmt_si(1e-4, "W", 3), "100 uW");
        assert_eq!(fmt_si(2.5e-3, "W", 3), "2.50 mW");
        assert_eq!(fmt_si(1e-4, "", 3), "1.000e-4");
        assert_eq!(fmt_si(1e-4, " chips", 3), "1.000e-4 chips");
        assert_eq!(fmt_si(0.5, " chips", 3), "0.500 chips");
        assert_eq!(fmt_si(1e-20, "W", 3), "1.000e-20 W");
        // Money: no "$0.00" for a non-zero amount.
        assert_eq!(fmt_usd(0.004), "$0.00400");
        assert_eq!(fmt_usd(0.0123), "$0.0123");
        assert_eq!(fmt_usd(0.5), "$0.500"); // three significant digits, as "$1.23"
        assert_eq!(fmt_usd(1e-5), "$1.00e-5");
        assert_eq!(fmt_usd(-1e-5), "-$1.00e-5");
        // Zero is zero, negative keeps its sign.
        assert_eq!(fmt_usd(0.0), "$0.00");
        assert_eq!(fmt_si(0.0, "W", 3), "0.00 W");
        assert_eq!(fmt_sig(0.0, 3), "0");
        assert_eq!(fmt_short(0.0, 3), "0");
        assert_eq!(fmt_sig(-1234.6, 3), "-1,235");
        assert_eq!(fmt_sig(0.74249, 3), "0.742");
        assert_eq!(fmt_sig(99.96, 3), "100");
        assert_eq!(fmt_sig(-2e-7, 3), "-2.000e-7");
        assert_eq!(fmt_short(1.3, 4), "1.3");
        assert_eq!(fmt_short(-2.5e-7, 4), "-2.5e-7");
        assert_eq!(fmt_si(-2.0e9, "W", 2), "-2.0 GW");
        // Not finite: never "NaN" or "inf".
        for x in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            for s in [
                fmt_sig(x, 3),
                fmt_short(x, 3),
                fmt_thousands(x, 1),
                fmt_fixed(x, 3),
                fmt_signed(x, 3),
                fmt_usd(x),
                fmt_si(x, "W", 3),
            ] {
                let l = s.to_lowercase();
                assert!(!l.contains("nan") && !l.contains("inf"), "{x}: {s}");
            }
        }
        assert_eq!(fmt_usd(f64::NAN), "n/a");
        assert_eq!(fmt_si(f64::INFINITY, "W", 3), "overflow W");
        assert_eq!(fmt_signed(f64::NEG_INFINITY, 3), "-overflow");
        // Rounding noise of a difference of numbers near 1 is 0; a real small value is not.
        assert_eq!(denoise(1.0 - 1.0 / (1.0 - 4.4e-16), 1.0), 0.0);
        assert_eq!(denoise(-4.4e-14, 100.0), 0.0);
        assert_eq!(denoise(1e-9, 1.0), 1e-9);
    }

    #[test]
    fn usd() {
        assert_eq!(fmt_usd(1.234), "$1.23");
        assert_eq!(fmt_usd(18250.0), "$18.2 k");
        assert_eq!(fmt_usd(1.2e11), "$120 B");
        assert_eq!(fmt_usd(-5.0e6), "-$5.00 M");
        assert_eq!(fmt_usd(999.0e12), "$999 T");
        assert_eq!(fmt_usd(6.624e303), "$6.62e303");
    }
}
