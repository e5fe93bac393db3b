//! The quantity grammar: `number [multiplier] [unit]` read into SI (see the module doc of
//! [`crate::units`]), and the messages for what cannot be read.

use super::suggest::suggest;
use super::*;

/// A unit expression's dimension and exact scale: SI value = number * num / den.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Scale {
    pub(super) dim: Dim,
    pub(super) num: f64,
    pub(super) den: f64,
}

pub(super) const fn scale(dim: Dim, num: f64, den: f64) -> Scale {
    Scale { dim, num, den }
}

/// Base units: symbol, scale, and whether it stands alone (no prefix, no other factor).
#[rustfmt::skip]
pub(super) const BASES: [(&str, Scale, bool); 13] = [
    ("W", scale(Dim::POWER, 1.0, 1.0), false), ("Wh", scale(Dim::ENERGY, 3600.0, 1.0), false),
    ("J", scale(Dim::ENERGY, 1.0, 1.0), false), ("USD", scale(Dim::MONEY, 1.0, 1.0), false),
    ("s", scale(Dim::TIME, 1.0, 1.0), false), ("min", scale(Dim::TIME, 60.0, 1.0), false),
    ("h", scale(Dim::TIME, 3600.0, 1.0), false), ("d", scale(Dim::TIME, 86400.0, 1.0), false),
    ("yr", scale(Dim::TIME, SECONDS_PER_YEAR, 1.0), false), ("B", scale(Dim::DATA, 1.0, 1.0), false),
    ("FLOP", scale(Dim::OPS, 1.0, 1.0), false), ("%", scale(Dim::NONE, 1.0, 100.0), true),
    ("tokens", scale(Dim::NONE, 1.0, 1.0), true),
];

/// SI prefixes as (symbol, num, den): small ones divide, so "0.9 ms" is exactly 0.9 / 1e3.
#[rustfmt::skip]
pub(super) const PREFIXES: [(&str, f64, f64); 9] = [("u", 1.0, 1e6), ("µ", 1.0, 1e6), ("m", 1.0, 1e3),
    ("k", 1e3, 1.0), ("M", 1e6, 1.0), ("G", 1e9, 1.0), ("T", 1e12, 1.0), ("P", 1e15, 1.0),
    ("E", 1e18, 1.0)];

/// Binary prefixes, for bytes only.
#[rustfmt::skip]
pub(super) const BINARY: [(&str, f64); 6] = [("Ki", 1024.0), ("Mi", 1048576.0), ("Gi", 1073741824.0),
    ("Ti", 1099511627776.0), ("Pi", 1125899906842624.0), ("Ei", 1152921504606846976.0)];

/// Multipliers that may follow a number ("25k USD", "25 k USD").
#[rustfmt::skip]
pub(super) const MULTIPLIERS: [(char, f64); 6] =
    [('k', 1e3), ('M', 1e6), ('G', 1e9), ('T', 1e12), ('P', 1e15), ('E', 1e18)];

/// Why a unit expression does not parse (made a [`UnitError`] with context by the caller).
pub(super) enum ExprError {
    Unknown,
    Binary,
    Malformed(&'static str),
}

pub(super) fn parse_factor(f: &str, alone: bool) -> Result<Scale, ExprError> {
    let base = |sym: &str| BASES.iter().find(|b| b.0 == sym);
    let found = |&(_, s, lone): &(&str, Scale, bool), num: f64, den: f64| match lone {
        true if !alone => Err(ExprError::Malformed("\"%\" and \"tokens\" stand alone")),
        true if num * den != 1.0 => {
            Err(ExprError::Malformed("\"%\" and \"tokens\" take no prefix"))
        }
        _ => Ok(scale(s.dim, s.num * num, s.den * den)),
    };
    if let Some(b) = base(f) {
        return found(b, 1.0, 1.0);
    }
    for (p, n) in BINARY {
        match f.strip_prefix(p).and_then(base) {
            Some(b) if b.0 == "B" => return found(b, n, 1.0),
            Some(_) => return Err(ExprError::Binary),
            None => {}
        }
    }
    let mut prefixed = PREFIXES
        .iter()
        .filter_map(|(p, n, d)| Some((base(f.strip_prefix(p)?)?, n, d)));
    prefixed
        .next()
        .map_or(Err(ExprError::Unknown), |(b, n, d)| found(b, *n, *d))
}

/// Parses a unit expression such as "USD/kWh" (no number).
pub(super) fn parse_expr(expr: &str) -> Result<Scale, ExprError> {
    let factors: Vec<&str> = expr.split('/').map(str::trim).collect();
    let mut s = scale(Dim::NONE, 1.0, 1.0);
    for (i, f) in factors.iter().enumerate() {
        if f.is_empty() {
            return Err(ExprError::Malformed("a '/' needs a unit on each side"));
        }
        let p = parse_factor(f, factors.len() == 1)?;
        s = if i == 0 {
            p
        } else {
            scale(s.dim.div(p.dim), s.num * p.den, s.den * p.num)
        };
    }
    Ok(s)
}

/// The exact scale of a key unit, so a bare number and its spelled-out unit agree bit for bit.
pub(super) fn key_scale(unit: &Unit) -> Scale {
    let same = |s: &Scale| s.dim == unit.dim && (s.num / s.den / unit.si - 1.0).abs() < 1e-12;
    parse_expr(unit.name)
        .ok()
        .filter(same)
        .unwrap_or(scale(unit.dim, unit.si, 1.0))
}

pub(super) fn apply(x: f64, s: Scale) -> f64 {
    if s.den == 1.0 {
        x * s.num
    } else {
        x * s.num / s.den
    }
}

/// A bare TOML number for a key of unit `unit`, in SI (checks finiteness only).
pub fn from_bare(x: f64, unit: &Unit) -> Result<f64, UnitError> {
    let v = apply(x, key_scale(unit));
    if v.is_finite() {
        return Ok(v);
    }
    let x = if x.is_finite() {
        format!("{x:e}")
    } else {
        x.to_string()
    };
    let text = match unit.dim {
        Dim::NONE => x,
        _ => format!("{x} {}", unit.name),
    };
    Err(UnitError::NotFinite { text })
}

/// Splits a leading number off `s`; `Err` carries the reason it is not one.
pub(super) fn lex_number(s: &str) -> Result<(f64, &str), String> {
    if let Some(rest) = s.strip_prefix('$') {
        let rest = rest.trim();
        return Err(format!(
            "put the currency after the number, as in \"{rest} USD\""
        ));
    }
    let b = s.as_bytes();
    let digits = |i: usize| i + b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
    let start = usize::from(matches!(b.first(), Some(b'+' | b'-')));
    let int_end = digits(start);
    let end = if b.get(int_end) == Some(&b'.') {
        digits(int_end + 1)
    } else {
        int_end
    };
    if end - start - usize::from(end > int_end) == 0 {
        return Err("it should start with a number such as 2, 0.07 or 70e9".into());
    }
    let mut i = end;
    if let Some(&e @ (b'e' | b'E')) = b.get(i) {
        let j = i + 1 + usize::from(matches!(b.get(i + 1), Some(b'+' | b'-')));
        if b.get(j).is_some_and(u8::is_ascii_digit) {
            i = digits(j);
        } else if e == b'e' || j > i + 1 {
            return Err(format!("the exponent in \"{}\" has no digits", &s[..j]));
        }
    }
    if matches!(b.get(i), Some(b',' | b'_')) && b.get(i + 1).is_some_and(u8::is_ascii_digit) {
        return Err("write it without separators (25000 or 25k)".into());
    }
    let x = s[..i]
        .parse()
        .map_err(|_| "it should start with a number".to_string())?;
    Ok((x, &s[i..]))
}

/// Parse a quantity string ("2 GW", "25k USD", "0.07 USD/kWh", "96 GiB", "12 %", "70e9") for a
/// key of unit `unit`; returns the value in SI (W, USD, s, J, B, FLOP and their quotients).
/// Text without a unit is read in the key's bare-number unit, like [`from_bare`].
pub fn parse_quantity(text: &str, unit: &Unit) -> Result<f64, UnitError> {
    let t = text.trim();
    let (key, text) = (*unit, t.to_string());
    let bad = |reason| UnitError::BadNumber {
        text: text.clone(),
        reason,
        key,
    };
    let not_finite = || UnitError::NotFinite { text: t.into() };
    if t.is_empty() {
        return Err(UnitError::Empty { key });
    }
    let word = t.trim_start_matches(['+', '-']).to_ascii_lowercase();
    if word.starts_with("nan") || word.starts_with("inf") {
        return Err(not_finite());
    }
    let (x, mut rest) = lex_number(t).map_err(bad)?;
    let n = &t[..t.len() - rest.len()];
    let alone = |s: &str, c: char| {
        s[c.len_utf8()..]
            .chars()
            .next()
            .map_or(true, char::is_whitespace)
    };
    let glued = rest.chars().next().filter(|c| alone(rest, *c));
    if glued == Some('E') {
        return Err(bad(format!(
            "\"E\" right after a number is ambiguous (exponent or exa): write {n}e18 for exa"
        )));
    }
    if let Some(c @ ('m' | 'u' | 'µ')) = glued {
        let (what, e) = if c == 'm' { ("milli", 3) } else { ("micro", 6) };
        return Err(bad(format!(
            "\"{c}\" right after a number would mean {what}: write {n}M for million, {n}e-{e} for {what}"
        )));
    }
    let mut mult = 1.0;
    let starts = |s: &str| {
        MULTIPLIERS
            .iter()
            .find(|(c, _)| s.starts_with(*c) && alone(s, *c))
    };
    if let Some((_, m)) = starts(rest).or_else(|| starts(rest.trim_start())) {
        (mult, rest) = (*m, rest.trim_start()[1..].trim_start());
    }
    let expr = rest.trim();
    let s = if expr.is_empty() {
        key_scale(unit)
    } else {
        parse_expr(expr).map_err(|e| expr_error(e, expr, unit))?
    };
    if s.dim != unit.dim {
        let hint = dim_hint(&t[..t.len() - expr.len()], expr, s.dim, unit);
        let (unit, given) = (expr.to_string(), s.dim);
        return Err(UnitError::WrongDimension {
            unit,
            given,
            key,
            hint,
        });
    }
    Some(apply(x * mult, s))
        .filter(|v| v.is_finite())
        .ok_or_else(not_finite)
}

pub(super) fn expr_error(e: ExprError, expr: &str, key: &Unit) -> UnitError {
    let unit = expr.to_string();
    match e {
        ExprError::Unknown => {
            let (suggestion, key) = (suggest(expr, key), *key);
            UnitError::UnknownUnit {
                unit,
                suggestion,
                key,
            }
        }
        ExprError::Binary => {
            let at = |p| Some(expr.find(p)? + 1);
            let fix = BINARY
                .iter()
                .find_map(|(p, _)| at(p))
                .map(|i| format!("{}{}", &expr[..i], &expr[i + 1..]));
            let suggestion = fix.filter(|f| parse_expr(f).is_ok());
            UnitError::BinaryPrefix { unit, suggestion }
        }
        ExprError::Malformed(reason) => UnitError::MalformedUnit {
            unit,
            reason: reason.into(),
        },
    }
}

/// A remark for a unit of the wrong dimension: a missing or extra per-time factor.
pub(super) fn dim_hint(head: &str, expr: &str, given: Dim, unit: &Unit) -> Option<String> {
    let fits = |e: &str| parse_expr(e).is_ok_and(|s| s.dim == unit.dim);
    let mean = |e: String| fits(&e).then(|| format!("did you mean \"{head}{e}\"?"));
    let is_time = |f: &str| parse_expr(f).is_ok_and(|s| s.dim == Dim::TIME);
    if given.div(Dim::TIME) == unit.dim {
        // Missing per-time: "4500 USD" for USD/yr, "0.07 USD/kW" for USD/kWh, "2.4 kWh" for W.
        if let Some(stripped) = expr.strip_suffix("Wh") {
            return mean(format!("{stripped}W"));
        }
        if unit.name.ends_with("Wh") && expr.ends_with('W') {
            return mean(format!("{expr}h"));
        }
        let t = unit.name.rsplit('/').next().filter(|f| is_time(f))?;
        return mean(format!("{expr}/{t}"));
    }
    // Extra per-time: "500 USD/yr" for USD, "11 USD/W/yr" for USD/W.
    let (front, _) = expr.rsplit_once('/').filter(|(_, l)| is_time(l))?;
    let front = front.trim();
    fits(front).then(|| format!("this key is not per time: did you mean \"{head}{front}\"?"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::units::test_util::*;

    #[test]
    fn model_md_examples() {
        check(&[
            ("2 GW", W, 2e9),                            // 2 * 1e9 W
            ("700 W", W, 700.0),                         // 700 W
            ("25k USD", USD, 25e3),                      // 25 * 1e3 USD
            ("1.5M USD", USD, 1.5e6),                    // 1.5 * 1e6 USD
            ("0.07 USD/kWh", USD_PER_KWH, 0.07 / 3.6e6), // 1 kWh = 1e3 W * 3600 s = 3.6e6 J
            ("70 USD/MWh", USD_PER_KWH, 70.0 / 3.6e9),   // 1 MWh = 3.6e9 J
            ("11 USD/W", USD_PER_W, 11.0),               // 11 USD/W = 11 USD·s/J
            ("0.4 USD/W/yr", USD_PER_W_YR, 0.4 / SPY),   // USD/(W·yr) = USD/(J/s · SPY s)
            ("500 USD/yr", USD_PER_YR, 500.0 / SPY),     // 500 USD / 31557600 s
            ("4.8 TB/s", TB_PER_S, 4.8e12),              // 4.8 * 1e12 B/s
            ("96 GiB", GB, 103_079_215_104.0),           // 96 * 2^30 B
            ("989 TFLOP/s", TFLOP_PER_S, 989e12),        // 989 * 1e12 FLOP/s
            ("5 yr", YR, 157_788_000.0),                 // 5 * 8766 h * 3600 s
            ("2.1 USD/h", USD_PER_H, 2.1 / 3600.0),      // 2.1 USD / 3600 s
            ("0.9 ms", S, 0.9e-3),                       // 0.9 * 1e-3 s
            ("70e9", ONE, 7e10),                         // 70 * 1e9
            ("12 %", ONE, 0.12),                         // 12 * 0.01
        ]);
        // The scenario example's other strings.
        check(&[
            ("2.4 kW", W, 2400.0),
            ("60k USD", USD, 60e3),
            ("40 W", W, 40.0),
            ("8 yr", YR, 8.0 * SPY),
            ("4500 USD/yr", USD_PER_YR, 4500.0 / SPY),
            ("100e9 USD", USD, 1e11), // e9 is the exponent
            ("1.2M USD", USD, 1.2e6),
        ]);
    }

    #[test]
    fn exact_arithmetic() {
        // Small prefixes and % divide, so these are correctly rounded quotients.
        assert_eq!(ok("12 %", &ONE), 0.12);
        assert_eq!(ok("0.9 ms", &S), 0.9 / 1e3);
        assert_eq!(ok("0.07 USD/kWh", &USD_PER_KWH), 0.07 / 3.6e6);
        assert_eq!(ok("0.4 USD/W/yr", &USD_PER_W_YR), 0.4 / SPY);
        // A bare number and its spelled-out key unit agree bit for bit.
        for (x, unit) in [
            (0.07, USD_PER_KWH),
            (0.4, USD_PER_W_YR),
            (4500.0, USD_PER_YR),
        ] {
            let spelled = format!("{x} {}", unit.name);
            assert_eq!(
                from_bare(x, &unit),
                parse_quantity(&spelled, &unit),
                "{spelled}"
            );
            assert_eq!(from_bare(x, &unit), parse_quantity(&x.to_string(), &unit));
        }
    }

    #[test]
    fn number_rule() {
        check(&[
            ("5 W", W, 5.0),
            ("+5 W", W, 5.0),
            ("-5 W", W, -5.0), // sign allowed; ranges are the caller's business
            (".5 W", W, 0.5),  // no digit before the point
            ("5. W", W, 5.0),  // no digit after the point
            ("1.5e-3 W", W, 1.5e-3),
            ("1E3 W", W, 1e3),
            ("1e+3 W", W, 1e3),
            ("  2 GW  ", W, 2e9), // surrounding whitespace
            ("2GW", W, 2e9),      // no space: the letters start the unit
            ("2 \t GW", W, 2e9),
        ]);
    }

    #[test]
    fn multiplier_rule() {
        check(&[
            ("25k", USD, 25e3),      // bare number with a multiplier, in the key unit
            ("25k USD", USD, 25e3),  // glued multiplier, then the unit
            ("25kUSD", USD, 25e3),   // kUSD: prefix on the unit, same value
            ("25 k USD", USD, 25e3), // a multiplier standing alone before the unit
            ("25 k", USD, 25e3),     // ... or at the end
            ("1.5M", ONE, 1.5e6),
            ("3G", ONE, 3e9),
            ("2T", ONE, 2e12),
            ("1P", ONE, 1e15),
            ("1e3k USD", USD, 1e6), // exponent and multiplier
            ("8k tokens", TOKENS, 8e3),
            ("2 E USD", USD, 2e18), // spaced E is exa
            ("2EW", W, 2e18),       // EW is exawatt
            ("2 G W", W, 2e9),
        ]);
    }

    #[test]
    fn prefix_rule() {
        check(&[
            ("1 uW", W, 1e-6),
            ("1 µW", W, 1e-6),
            ("1 mW", W, 1e-3),
            ("1 kW", W, 1e3),
            ("1 MW", W, 1e6),
            ("1 GW", W, 1e9),
            ("1 TW", W, 1e12),
            ("1 PW", W, 1e15),
            ("1 EW", W, 1e18),
            ("1 us", S, 1e-6),
            ("1 µs", S, 1e-6),
            ("1 ms", S, 1e-3),  // ms is milliseconds ...
            ("1 min", S, 60.0), // ... and min minutes, not milli-"in"
            ("1 Ms", S, 1e6),   // mega-second: odd but in the grammar
        ]);
    }

    #[test]
    fn byte_prefix_rule() {
        check(&[
            ("1 KiB", GB, 1024.0),
            ("1 MiB", GB, 1_048_576.0),         // 2^20
            ("1 GiB", GB, 1_073_741_824.0),     // 2^30
            ("1 TiB", GB, 1_099_511_627_776.0), // 2^40
            ("1 PiB", GB, 1_125_899_906_842_624.0),
            ("1 EiB", GB, 1_152_921_504_606_846_976.0),
            ("1 kB", GB, 1e3),  // decimal
            ("1 GB", GB, 1e9),  // GB is decimal
            ("1 TB", GB, 1e12), // TB is decimal
            ("80", GB, 80e9),   // bare number in GB
            ("2 B", BYTES, 2.0),
            ("2", BYTES, 2.0), // bytes per element
            ("0.5", BYTES, 0.5),
            ("2 TiB/s", TB_PER_S, 2.0 * 1_099_511_627_776.0),
        ]);
    }

    #[test]
    fn time_rule() {
        check(&[
            ("1 s", S, 1.0),
            ("1 min", YR, 60.0),
            ("1 h", YR, 3600.0),
            ("1 d", YR, 86400.0),
            ("1 yr", YR, SPY),
            ("365.25 d", YR, SPY), // a year is 365.25 days ...
            ("8766 h", YR, SPY),   // ... and 8766 hours
            ("8", YR, 8.0 * SPY),  // bare number in years
            ("0.5 s", S, 0.5),
        ]);
        assert_eq!(HOURS_PER_YEAR * 3600.0, SECONDS_PER_YEAR);
    }

    #[test]
    fn energy_money_and_rates() {
        check(&[
            ("70 USD/MWh", USD_PER_KWH, 0.07 / 3.6e6), // 70 / 3.6e9 = 0.07 / 3.6e6
            ("0.00007 USD/Wh", USD_PER_KWH, 0.07 / 3.6e6),
            ("1 USD/J", USD_PER_KWH, 1.0),
            ("1 USD/GJ", USD_PER_KWH, 1e-9),
            ("19.44 USD/GJ", USD_PER_KWH, 19.44e-9),
            ("0.07 USD / kWh", USD_PER_KWH, 0.07 / 3.6e6), // spaces around '/'
            ("0.07 USD/kW/h", USD_PER_KWH, 0.07 / 3.6e6),  // a/b/c = a/(b·c)
            ("11000 USD/kW", USD_PER_W, 11.0),
            ("400 USD/kW/yr", USD_PER_W_YR, 0.4 / SPY),
            ("2.1 USD/h", USD_PER_YR, 2.1 / 3600.0), // any time unit is fine
            ("18000 USD/yr", USD_PER_H, 18000.0 / SPY), // both ways
            ("50 USD/d", USD_PER_H, 50.0 / 86400.0),
            ("4.5k USD/yr", USD_PER_YR, 4500.0 / SPY),
            ("4500", USD_PER_YR, 4500.0 / SPY),
            ("900 GB/s", TB_PER_S, 0.9e12),
            ("2 PFLOP/s", TFLOP_PER_S, 2e15),
            ("1979 TFLOP/s", TFLOP_PER_S, 1.979e15),
            ("2.4 kJ/s", W, 2400.0),
            ("3.6 MWh/h", W, 3.6e6),
        ]);
    }

    #[test]
    fn dimensionless_rule() {
        check(&[
            ("12 %", ONE, 0.12),
            ("12%", ONE, 0.12),
            ("0.4", ONE, 0.4),
            ("70e9", ONE, 7e10),
            ("70G", ONE, 7e10),
            ("100 %", ONE, 1.0),
            ("8192", TOKENS, 8192.0),
            ("8192 tokens", TOKENS, 8192.0),
            ("15e12 tokens", TOKENS, 15e12),
            ("3 %", TOKENS, 0.03), // same dimension, so accepted
        ]);
    }

    #[test]
    fn from_bare_rule() {
        let cases = [
            (1.2, ONE, 1.2),                   // pue
            (0.4, ONE, 0.4),                   // mfu
            (2e9, W, 2e9),                     // power = 2e9 -> 2e9 W
            (8.0, YR, 8.0 * SPY),              // horizon = 8 -> 8 yr in s
            (0.07, USD_PER_KWH, 0.07 / 3.6e6), // electricity
            (11.0, USD_PER_W, 11.0),
            (0.5, USD_PER_W_YR, 0.5 / SPY),
            (4500.0, USD_PER_YR, 4500.0 / SPY),
            (2.1, USD_PER_H, 2.1 / 3600.0),
            (80.0, GB, 80e9),
            (3.35, TB_PER_S, 3.35e12),
            (989.0, TFLOP_PER_S, 989e12),
            (2.0, BYTES, 2.0),
            (0.002, S, 0.002),
            (8192.0, TOKENS, 8192.0),
        ];
        for (x, unit, want) in cases {
            let got = from_bare(x, &unit).unwrap();
            assert!(close(got, want), "{x} {}: {got:e} vs {want:e}", unit.name);
            assert!(close(got, x * unit.si), "si of {}", unit.name);
        }
        // A unit that is not one of the constants still works, through `si`.
        let custom = Unit {
            name: "odd",
            dim: Dim::TIME,
            si: 7.0,
        };
        assert_eq!(from_bare(2.0, &custom), Ok(14.0));
        assert_eq!(
            from_bare(f64::NAN, &ONE),
            Err(UnitError::NotFinite { text: "NaN".into() })
        );
        assert_eq!(
            from_bare(1e308, &YR).unwrap_err().to_string(),
            "\"1e308 yr\" is not a finite number"
        );
        assert_eq!(
            from_bare(f64::INFINITY, &W).unwrap_err().to_string(),
            "\"inf W\" is not a finite number"
        );
    }

    #[test]
    fn error_empty() {
        assert_eq!(err("", &W), UnitError::Empty { key: W });
        assert_eq!(
            err("   ", &W).to_string(),
            "empty value; expected power: a bare number (read as W) or a unit among W, kW, MW, GW"
        );
        assert_eq!(
            err("", &ONE).to_string(),
            "empty value; expected a plain number (e.g. 0.4, 70e9, \"12 %\")"
        );
        assert_eq!(
            err("", &TOKENS).to_string(),
            "empty value; expected a plain number (e.g. 0.4, 70e9, \"12 %\", \"8192 tokens\")"
        );
    }

    #[test]
    fn error_bad_number() {
        let exp_usd = "expected money: a bare number (read as USD) or a unit among USD, kUSD, MUSD";
        let cases = [
            ("abc", "it should start with a number such as 2, 0.07 or 70e9"),
            ("GW", "it should start with a number such as 2, 0.07 or 70e9"),
            ("- 5", "it should start with a number such as 2, 0.07 or 70e9"),
            (".", "it should start with a number such as 2, 0.07 or 70e9"),
            ("$25k", "put the currency after the number, as in \"25k USD\""),
            ("2e USD", "the exponent in \"2e\" has no digits"),
            ("2e+ USD", "the exponent in \"2e+\" has no digits"),
            ("2E+ USD", "the exponent in \"2E+\" has no digits"),
            ("2E USD", "\"E\" right after a number is ambiguous (exponent or exa): write 2e18 for exa"),
            ("2E", "\"E\" right after a number is ambiguous (exponent or exa): write 2e18 for exa"),
            ("70m", "\"m\" right after a number would mean milli: write 70M for million, 70e-3 for milli"),
            ("5u USD", "\"u\" right after a number would mean micro: write 5M for million, 5e-6 for micro"),
        ];
        for (text, reason) in cases {
            let e = err(text, &USD);
            assert!(matches!(e, UnitError::BadNumber { .. }), "{text}: {e:?}");
            assert_eq!(
                e.to_string(),
                format!("\"{text}\" is not a valid quantity: {reason}; {exp_usd}")
            );
        }
    }

    #[test]
    fn error_unknown_unit_and_did_you_mean() {
        let cases: [(&str, Unit, Option<&str>); 19] = [
            ("25 Usd", USD, Some("USD")),
            ("2 gw", W, Some("GW")),
            ("0.07 USD/kwh", USD_PER_KWH, Some("USD/kWh")),
            ("0.07 kwh", USD_PER_KWH, Some("kWh")), // then a wrong dimension, but one thing at a time
            ("989 TFLOPS", TFLOP_PER_S, Some("TFLOP/s")),
            ("989 TFlops", TFLOP_PER_S, Some("TFLOP/s")),
            ("5 years", YR, Some("yr")),
            ("5 year", YR, Some("yr")),
            ("500 USD/year", USD_PER_YR, Some("USD/yr")),
            ("500 dollars/hour", USD_PER_H, Some("USD/h")),
            ("2 b", BYTES, Some("B")),
            ("0.07 USD/kW h", USD_PER_KWH, Some("USD/kWh")),
            ("5 GB/sec", TB_PER_S, Some("GB/s")),
            ("2 kwatts", W, Some("kW")),
            ("0.07 $/kWh", USD_PER_KWH, Some("USD/kWh")),
            ("80 KB", GB, Some("kB")),
            ("4.8 TB/S", TB_PER_S, Some("TB/s")),
            ("3 foo", W, None),
            ("2 m", S, None), // "m" alone is milli of nothing, not metres or minutes
        ];
        for (text, unit, want) in cases {
            match err(text, &unit) {
                UnitError::UnknownUnit { suggestion, .. } => {
                    assert_eq!(suggestion.as_deref(), want, "{text}")
                }
                e => panic!("{text}: {e:?}"),
            }
        }
        assert_eq!(
            err("989 TFLOPS", &TFLOP_PER_S).to_string(),
            "unknown unit \"TFLOPS\" (did you mean \"TFLOP/s\"?); expected compute rate: a bare number \
             (read as TFLOP/s) or a unit among TFLOP/s, PFLOP/s"
        );
        assert_eq!(
            err("3 foo", &W).to_string(),
            "unknown unit \"foo\"; expected power: a bare number (read as W) or a unit among W, kW, MW, GW"
        );
        // "inf" and "nan" inside a word are not numbers: the number comes first.
        assert!(matches!(
            err("2 FLOPS", &TFLOP_PER_S),
            UnitError::UnknownUnit { .. }
        ));
    }

    #[test]
    fn error_binary_prefix() {
        let e = err("2 GiW", &W);
        assert_eq!(
            e,
            UnitError::BinaryPrefix {
                unit: "GiW".into(),
                suggestion: Some("GW".into())
            }
        );
        assert_eq!(
            e.to_string(),
            "binary prefix in \"GiW\" (did you mean \"GW\"?): Ki, Mi, Gi, Ti, Pi, Ei apply to bytes (B) only"
        );
        assert!(matches!(
            err("5 KiUSD", &USD),
            UnitError::BinaryPrefix { .. }
        ));
        assert!(matches!(
            err("1 USD/MiWh", &USD_PER_KWH),
            UnitError::BinaryPrefix { .. }
        ));
    }

    #[test]
    fn error_malformed_unit() {
        let cases = [
            (
                "0.07 USD//kWh",
                USD_PER_KWH,
                "malformed unit \"USD//kWh\": a '/' needs a unit on each side",
            ),
            (
                "0.07 USD/",
                USD_PER_KWH,
                "malformed unit \"USD/\": a '/' needs a unit on each side",
            ),
            (
                "5 /yr",
                USD_PER_YR,
                "malformed unit \"/yr\": a '/' needs a unit on each side",
            ),
            (
                "12 %/yr",
                ONE,
                "malformed unit \"%/yr\": \"%\" and \"tokens\" stand alone",
            ),
            (
                "5 k%",
                ONE,
                "malformed unit \"k%\": \"%\" and \"tokens\" take no prefix",
            ),
            (
                "5 ktokens",
                TOKENS,
                "malformed unit \"ktokens\": \"%\" and \"tokens\" take no prefix",
            ),
        ];
        for (text, unit, msg) in cases {
            let e = err(text, &unit);
            assert!(
                matches!(e, UnitError::MalformedUnit { .. }),
                "{text}: {e:?}"
            );
            assert_eq!(e.to_string(), msg);
        }
    }

    #[test]
    fn error_wrong_dimension() {
        let cases: [(&str, Unit, Option<&str>); 13] = [
            (
                "4500 USD",
                USD_PER_YR,
                Some("did you mean \"4500 USD/yr\"?"),
            ),
            ("25k USD", USD_PER_YR, Some("did you mean \"25k USD/yr\"?")),
            ("2.1 USD", USD_PER_H, Some("did you mean \"2.1 USD/h\"?")),
            (
                "0.4 USD/W",
                USD_PER_W_YR,
                Some("did you mean \"0.4 USD/W/yr\"?"),
            ),
            (
                "0.07 USD/kW",
                USD_PER_KWH,
                Some("did you mean \"0.07 USD/kWh\"?"),
            ),
            ("2.4 kWh", W, Some("did you mean \"2.4 kW\"?")),
            ("4.8 TB", TB_PER_S, Some("did you mean \"4.8 TB/s\"?")),
            (
                "989 TFLOP",
                TFLOP_PER_S,
                Some("did you mean \"989 TFLOP/s\"?"),
            ),
            (
                "500 USD/yr",
                USD,
                Some("this key is not per time: did you mean \"500 USD\"?"),
            ),
            (
                "11 USD/W/yr",
                USD_PER_W,
                Some("this key is not per time: did you mean \"11 USD/W\"?"),
            ),
            ("2 GW", USD_PER_W, None),
            ("12 %", W, None),
            ("2 GJ", W, None), // energy per what? no guess
        ];
        for (text, unit, want) in cases {
            match err(text, &unit) {
                UnitError::WrongDimension { hint, key, .. } => {
                    assert_eq!(hint.as_deref(), want, "{text}");
                    assert_eq!(key, unit);
                }
                e => panic!("{text}: {e:?}"),
            }
        }
        assert_eq!(
            err("4500 USD", &USD_PER_YR).to_string(),
            "\"USD\" is money, but this key takes money per time: a bare number (read as USD/yr) or a \
             unit among USD/yr, USD/h; did you mean \"4500 USD/yr\"?"
        );
        assert_eq!(
            err("2 GW", &USD_PER_W).to_string(),
            "\"GW\" is power, but this key takes money per power: a bare number (read as USD/W) or a \
             unit among USD/W, USD/kW"
        );
        assert_eq!(
            err("12 %", &W).to_string(),
            "\"%\" is dimensionless, but this key takes power: a bare number (read as W) or a unit \
             among W, kW, MW, GW"
        );
        assert_eq!(
            err("3 GB", &ONE).to_string(),
            "\"GB\" is data size, but this key takes a plain number (e.g. 0.4, 70e9, \"12 %\")"
        );
    }

    #[test]
    fn error_not_finite() {
        for (text, unit) in [
            ("nan", ONE),
            ("NaN W", W),
            ("inf", ONE),
            ("-inf W", W),
            ("+Infinity", ONE),
            ("1e400 W", W),
            ("1e308k USD", USD),
            ("1e308 k", ONE),
            ("1e300 EW", W),
            ("1e302 yr", YR),
            ("1e308", YR),
        ] {
            let e = err(text, &unit);
            assert_eq!(e, UnitError::NotFinite { text: text.into() });
            assert_eq!(e.to_string(), format!("\"{text}\" is not a finite number"));
        }
    }

    #[test]
    fn errors_are_std_errors() {
        let e: Box<dyn std::error::Error> = Box::new(err("", &W));
        assert!(e.to_string().starts_with("empty value"));
    }
}
