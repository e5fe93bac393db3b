//! Unit-bearing quantities: the grammar of MODEL.md section 1 ("2 GW", "25k USD",
//! "0.07 USD/kWh", "96 GiB", "12 %", "70e9"), dimension checks, and display.
//!
//! A quantity is `number [multiplier] [unit]`, values come back in SI (W, USD, s, J, B, FLOP
//! and their quotients):
//! - number: optional sign, digits, optional fraction, optional exponent (`70e9`, `1.5e-3`).
//!   No thousands separators; `nan` and `inf` are refused.
//! - multiplier: one of `k M G T P E`, right after the number or standing alone, followed by
//!   whitespace or the end: "25k USD", "25 k USD", "1e3k". `E` glued to the number ("2E USD")
//!   is refused as ambiguous (exponent or exa), "2 E USD" is exa. `m`, `u`, `µ` glued to a
//!   number ("70m") are refused: analysts write "m" for million. Otherwise letters after the
//!   number start the unit: "2GW" is 2 GW.
//! - unit: factors joined by `/` (`a/b/c` = a/(b·c); spaces around `/` allowed), each
//!   `[prefix]base`. Prefixes `u µ m k M G T P E`; binary `Ki Mi Gi Ti Pi Ei` on `B` only.
//!   Bases `W Wh J USD s min h d yr B FLOP` (yr = 8766 h), and, alone and without prefix,
//!   `%` (0.01) and `tokens` (1). `$` is refused (the error says to write "25k USD").
//! - no unit: the number is read in the key's bare-number unit, like a plain TOML number.

pub mod format;

use std::fmt;

/// Hours in the model's year (365.25 days).
pub const HOURS_PER_YEAR: f64 = 8766.0;
/// Seconds in the model's year.
pub const SECONDS_PER_YEAR: f64 = 8766.0 * 3600.0;

/// Physical dimension as integer exponents of money (USD), energy (J), time (s), data (B) and
/// operations (FLOP). W = J/s; Wh = 3600 J; USD/W/yr = USD/J.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub struct Dim {
    /// Exponent of money (USD).
    pub usd: i8,
    /// Exponent of energy (J).
    pub joule: i8,
    /// Exponent of time (s).
    pub sec: i8,
    /// Exponent of data (B).
    pub byte: i8,
    /// Exponent of operations (FLOP).
    pub flop: i8,
}

#[rustfmt::skip]
const fn dim(usd: i8, joule: i8, sec: i8, byte: i8, flop: i8) -> Dim {
    Dim { usd, joule, sec, byte, flop }
}

impl Dim {
    /// Dimensionless.
    pub const NONE: Dim = dim(0, 0, 0, 0, 0);
    /// Money (USD).
    pub const MONEY: Dim = dim(1, 0, 0, 0, 0);
    /// Energy (J).
    pub const ENERGY: Dim = dim(0, 1, 0, 0, 0);
    /// Time (s).
    pub const TIME: Dim = dim(0, 0, 1, 0, 0);
    /// Data size (B).
    pub const DATA: Dim = dim(0, 0, 0, 1, 0);
    /// Operations (FLOP).
    pub const OPS: Dim = dim(0, 0, 0, 0, 1);
    /// Power (W = J/s).
    pub const POWER: Dim = dim(0, 1, -1, 0, 0);

    /// The product of two dimensions (exponents add).
    #[rustfmt::skip]
    pub const fn mul(self, o: Dim) -> Dim {
        dim(self.usd + o.usd, self.joule + o.joule, self.sec + o.sec, self.byte + o.byte,
            self.flop + o.flop)
    }

    /// The quotient of two dimensions (exponents subtract).
    #[rustfmt::skip]
    pub const fn div(self, o: Dim) -> Dim {
        dim(self.usd - o.usd, self.joule - o.joule, self.sec - o.sec, self.byte - o.byte,
            self.flop - o.flop)
    }

    /// A human name: "power", "money per time", "money per energy", "bandwidth", ...; other
    /// dimensions fall back to a formula such as "USD·B^-1".
    pub fn describe(&self) -> String {
        #[rustfmt::skip]
        const NAMED: [(Dim, &str); 10] = [
            (Dim::NONE, "dimensionless"), (Dim::MONEY, "money"), (Dim::ENERGY, "energy"),
            (Dim::TIME, "time"), (Dim::DATA, "data size"), (Dim::OPS, "operations"),
            (Dim::POWER, "power"), (dim(0, 0, -1, 1, 0), "bandwidth"),
            (dim(0, 0, -1, 0, 1), "compute rate"), (dim(0, 0, -1, 0, 0), "frequency"),
        ];
        let name = |d: Dim| NAMED.iter().find(|(n, _)| *n == d).map(|(_, s)| *s);
        if let Some(s) = name(*self) {
            return s.to_string();
        }
        if let Some(s) = name(self.mul(Dim::TIME)).filter(|_| self.sec == -1) {
            return format!("{s} per time");
        }
        if let Some(s) = name(Dim::MONEY.div(*self)).filter(|_| self.usd == 1) {
            return format!("money per {s}");
        }
        let d = self;
        #[rustfmt::skip]
        let exps = [("USD", d.usd), ("J", d.joule), ("s", d.sec), ("B", d.byte), ("FLOP", d.flop)];
        let part = |(s, e): &(&str, i8)| {
            if *e == 1 {
                s.to_string()
            } else {
                format!("{s}^{e}")
            }
        };
        let parts: Vec<String> = exps.iter().filter(|p| p.1 != 0).map(part).collect();
        parts.join("·")
    }
}

/// The unit of one scenario key: what a bare number means and how values are displayed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Unit {
    /// The unit as written, e.g. "USD/kWh"; "-" for plain numbers.
    pub name: &'static str,
    /// Its dimension.
    pub dim: Dim,
    /// SI value of one bare number: SI value = bare number * si.
    pub si: f64,
}

const fn unit(name: &'static str, dim: Dim, si: f64) -> Unit {
    Unit { name, dim, si }
}

/// Dimensionless: fractions, counts, model_params ("12 %" is 0.12, "70e9" is 7e10).
pub const ONE: Unit = unit("-", Dim::NONE, 1.0);
/// Watts.
pub const W: Unit = unit("W", Dim::POWER, 1.0);
/// US dollars.
pub const USD: Unit = unit("USD", Dim::MONEY, 1.0);
/// Electricity price: USD per kWh (1 kWh = 3.6e6 J).
pub const USD_PER_KWH: Unit = unit("USD/kWh", dim(1, -1, 0, 0, 0), 1.0 / 3.6e6);
/// Capex per watt: USD per W.
pub const USD_PER_W: Unit = unit("USD/W", dim(1, -1, 1, 0, 0), 1.0);
/// Opex per watt and year: USD per W per year (= USD/J).
pub const USD_PER_W_YR: Unit = unit("USD/W/yr", dim(1, -1, 0, 0, 0), 1.0 / SECONDS_PER_YEAR);
/// USD per year.
pub const USD_PER_YR: Unit = unit("USD/yr", dim(1, 0, -1, 0, 0), 1.0 / SECONDS_PER_YEAR);
/// USD per hour.
pub const USD_PER_H: Unit = unit("USD/h", dim(1, 0, -1, 0, 0), 1.0 / 3600.0);
/// Years of 8766 h.
pub const YR: Unit = unit("yr", Dim::TIME, SECONDS_PER_YEAR);
/// Seconds.
pub const S: Unit = unit("s", Dim::TIME, 1.0);
/// Gigabytes (decimal, 1e9 B).
pub const GB: Unit = unit("GB", Dim::DATA, 1e9);
/// Terabytes per second (decimal).
pub const TB_PER_S: Unit = unit("TB/s", dim(0, 0, -1, 1, 0), 1e12);
/// Gigabytes per second (decimal): scale-up links.
pub const GB_PER_S: Unit = unit("GB/s", dim(0, 0, -1, 1, 0), 1e9);
/// Dense tera-FLOP per second.
pub const TFLOP_PER_S: Unit = unit("TFLOP/s", dim(0, 0, -1, 0, 1), 1e12);
/// Bytes (per element: a bare number is bytes).
pub const BYTES: Unit = unit("B", Dim::DATA, 1.0);
/// A dimensionless count of tokens, displayed "tokens".
pub const TOKENS: Unit = unit("tokens", Dim::NONE, 1.0);

/// Typical units accepted for a key, for error messages, the key's own unit first.
pub fn accepted(unit: &Unit) -> Vec<&'static str> {
    match unit.name {
        "-" => vec!["%"],
        "W" => vec!["W", "kW", "MW", "GW"],
        "USD" => vec!["USD", "kUSD", "MUSD"],
        "USD/kWh" => vec!["USD/kWh", "USD/MWh"],
        "USD/W" => vec!["USD/W", "USD/kW"],
        "USD/W/yr" => vec!["USD/W/yr", "USD/kW/yr"],
        "USD/yr" => vec!["USD/yr", "USD/h"],
        "USD/h" => vec!["USD/h", "USD/yr"],
        "yr" => vec!["yr", "d", "h"],
        "s" => vec!["s", "ms", "us"],
        "GB" => vec!["GB", "GiB", "TB"],
        "TB/s" => vec!["TB/s", "GB/s"],
        "GB/s" => vec!["GB/s", "TB/s"],
        "TFLOP/s" => vec!["TFLOP/s", "PFLOP/s"],
        other => vec![other],
    }
}

/// What a key of unit `key` takes, as error messages say it.
fn expected(key: &Unit) -> String {
    if key.dim == Dim::NONE {
        let more = accepted(key).into_iter().filter(|u| *u != "%");
        let more: String = more.map(|u| format!(", \"8192 {u}\"")).collect();
        return format!("a plain number (e.g. 0.4, 70e9, \"12 %\"{more})");
    }
    let (dim, bare, list) = (key.dim.describe(), key.name, accepted(key).join(", "));
    format!("{dim}: a bare number (read as {bare}) or a unit among {list}")
}

/// A quantity that cannot be read. Messages name no key, file or line: the caller adds them.
#[derive(Debug, Clone, PartialEq)]
pub enum UnitError {
    /// Nothing but whitespace was given.
    Empty {
        /// The key's unit: what it takes ([`accepted`] lists its typical units).
        key: Unit,
    },
    /// The text does not start with a number, or the number is malformed.
    BadNumber {
        /// The text given.
        text: String,
        /// Why it is not a number, and what to write instead.
        reason: String,
        /// The key's unit: what it takes ([`accepted`] lists its typical units).
        key: Unit,
    },
    /// The unit is not in the grammar.
    UnknownUnit {
        /// The unit as given.
        unit: String,
        /// A close known unit.
        suggestion: Option<String>,
        /// The key's unit: what it takes ([`accepted`] lists its typical units).
        key: Unit,
    },
    /// A binary prefix (Ki..Ei) on something other than bytes.
    BinaryPrefix {
        /// The unit as given.
        unit: String,
        /// The same unit with the decimal prefix.
        suggestion: Option<String>,
    },
    /// Known parts put together in a way the grammar forbids ("USD//kWh", "%/yr", "k%").
    MalformedUnit {
        /// The unit as given.
        unit: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A valid unit of another dimension than the key's.
    WrongDimension {
        /// The unit as given.
        unit: String,
        /// Its dimension.
        given: Dim,
        /// The key's unit: what it takes ([`accepted`] lists its typical units).
        key: Unit,
        /// A corrected text or a remark ("did you mean \"4500 USD/yr\"?").
        hint: Option<String>,
    },
    /// The value is NaN or infinite (also after prefixes: "1e308k").
    NotFinite {
        /// The text (or number and unit) given.
        text: String,
    },
}

impl fmt::Display for UnitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use UnitError::*;
        let mean = |s: &Option<String>| s.as_ref().map(|s| format!(" (did you mean \"{s}\"?)"));
        match self {
            Empty { key } => write!(f, "empty value; expected {}", expected(key)),
            BadNumber { text, reason, key } => {
                let e = expected(key);
                write!(
                    f,
                    "\"{text}\" is not a valid quantity: {reason}; expected {e}"
                )
            }
            UnknownUnit {
                unit,
                suggestion,
                key,
            } => {
                let (s, e) = (mean(suggestion).unwrap_or_default(), expected(key));
                write!(f, "unknown unit \"{unit}\"{s}; expected {e}")
            }
            BinaryPrefix { unit, suggestion } => {
                let s = mean(suggestion).unwrap_or_default();
                let only = "Ki, Mi, Gi, Ti, Pi, Ei apply to bytes (B) only";
                write!(f, "binary prefix in \"{unit}\"{s}: {only}")
            }
            MalformedUnit { unit, reason } => write!(f, "malformed unit \"{unit}\": {reason}"),
            WrongDimension {
                unit,
                given,
                key,
                hint,
            } => {
                let hint = hint.as_ref().map(|h| format!("; {h}")).unwrap_or_default();
                let (given, e) = (given.describe(), expected(key));
                write!(f, "\"{unit}\" is {given}, but this key takes {e}{hint}")
            }
            NotFinite { text } => write!(f, "\"{text}\" is not a finite number"),
        }
    }
}

impl std::error::Error for UnitError {}

/// A unit expression's dimension and exact scale: SI value = number * num / den.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Scale {
    dim: Dim,
    num: f64,
    den: f64,
}

const fn scale(dim: Dim, num: f64, den: f64) -> Scale {
    Scale { dim, num, den }
}

/// Base units: symbol, scale, and whether it stands alone (no prefix, no other factor).
#[rustfmt::skip]
const BASES: [(&str, Scale, bool); 13] = [
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
const PREFIXES: [(&str, f64, f64); 9] = [("u", 1.0, 1e6), ("µ", 1.0, 1e6), ("m", 1.0, 1e3),
    ("k", 1e3, 1.0), ("M", 1e6, 1.0), ("G", 1e9, 1.0), ("T", 1e12, 1.0), ("P", 1e15, 1.0),
    ("E", 1e18, 1.0)];

/// Binary prefixes, for bytes only.
#[rustfmt::skip]
const BINARY: [(&str, f64); 6] = [("Ki", 1024.0), ("Mi", 1048576.0), ("Gi", 1073741824.0),
    ("Ti", 1099511627776.0), ("Pi", 1125899906842624.0), ("Ei", 1152921504606846976.0)];

/// Multipliers that may follow a number ("25k USD", "25 k USD").
#[rustfmt::skip]
const MULTIPLIERS: [(char, f64); 6] =
    [('k', 1e3), ('M', 1e6), ('G', 1e9), ('T', 1e12), ('P', 1e15), ('E', 1e18)];

/// Why a unit expression does not parse (made a [`UnitError`] with context by the caller).
enum ExprError {
    Unknown,
    Binary,
    Malformed(&'static str),
}

fn parse_factor(f: &str, alone: bool) -> Result<Scale, ExprError> {
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
fn parse_expr(expr: &str) -> Result<Scale, ExprError> {
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
fn key_scale(unit: &Unit) -> Scale {
    let same = |s: &Scale| s.dim == unit.dim && (s.num / s.den / unit.si - 1.0).abs() < 1e-12;
    parse_expr(unit.name)
        .ok()
        .filter(same)
        .unwrap_or(scale(unit.dim, unit.si, 1.0))
}

fn apply(x: f64, s: Scale) -> f64 {
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
fn lex_number(s: &str) -> Result<(f64, &str), String> {
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

fn expr_error(e: ExprError, expr: &str, key: &Unit) -> UnitError {
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
fn dim_hint(head: &str, expr: &str, given: Dim, unit: &Unit) -> Option<String> {
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

/// Known spellings for did-you-mean, after the key's accepted units.
const VOCAB: &str = "W kW MW GW TW Wh kWh MWh GWh J kJ MJ GJ USD s ms us min h d yr B kB MB GB \
    TB KiB MiB GiB TiB FLOP GFLOP/s TFLOP/s PFLOP/s GB/s TB/s USD/kWh USD/MWh USD/W USD/W/yr \
    USD/yr USD/h % tokens";

/// Words for units, lowercase, with the grammar's spelling.
const ALIASES: &str = "year=yr years=yr yrs=yr y=yr hr=h hrs=h hour=h hours=h sec=s secs=s \
    second=s seconds=s day=d days=d mins=min minute=min minutes=min watt=W watts=W dollar=USD \
    dollars=USD $=USD flops=FLOP/s byte=B bytes=B token=tokens percent=%";

/// Levenshtein distance ignoring case, if small enough to suggest.
fn near(a: &str, b: &str) -> Option<usize> {
    let (la, lb) = (a.to_lowercase(), b.to_lowercase());
    // The distance is at least the difference in length and at most 2 is suggested: skip the
    // quadratic distance for long garbage (fuzzing found it dominating the error path).
    if la.chars().count().abs_diff(lb.chars().count()) > 2 {
        return None;
    }
    let (d, n) = (strsim::levenshtein(&la, &lb), a.chars().count());
    (d <= 1 + usize::from(n > 4) && d < n).then_some(d)
}

/// Did-you-mean for an unknown unit: a close spelling, or each factor corrected.
fn suggest(expr: &str, unit: &Unit) -> Option<String> {
    let vocab: Vec<&str> = accepted(unit)
        .into_iter()
        .chain(VOCAB.split_whitespace())
        .collect();
    let nearest = |e: &str, whole: bool| {
        let cands = vocab.iter().filter(|v| whole || !v.contains('/'));
        cands
            .filter_map(|v| Some((near(e, v)?, v.to_string())))
            .min_by_key(|c| c.0)
    };
    let alias = |f: &str| {
        let word = |w: &str| {
            ALIASES
                .split_whitespace()
                .find_map(|a| a.strip_prefix(&format!("{w}=")))
        };
        let mut split = PREFIXES
            .iter()
            .map(|p| p.0)
            .chain([""])
            .filter_map(|p| Some((p, f.strip_prefix(p)?)));
        split.find_map(|(p, w)| Some(format!("{p}{}", word(&w.to_lowercase())?)))
    };
    let by_factor = |fix: &dyn Fn(&str) -> Option<String>| {
        let ok = |f: &str| {
            parse_factor(f, true)
                .is_ok()
                .then(|| f.to_string())
                .or_else(|| fix(f))
        };
        let fixed: Option<Vec<String>> = expr.split('/').map(|f| ok(f.trim())).collect();
        fixed.map(|f| f.join("/")).filter(|f| parse_expr(f).is_ok())
    };
    let exact = nearest(expr, true).filter(|c| c.0 == 0).map(|c| c.1);
    let close = || nearest(expr, true).map(|c| c.1);
    exact
        .or_else(|| by_factor(&alias))
        .or_else(close)
        .or_else(|| by_factor(&|f| Some(nearest(f, false)?.1)))
}

/// Display spellings for a key as (multiplier after the number, unit), and whether ties go to
/// the spelling whose number lies in [1, 1000).
fn spellings(unit: &Unit) -> (Vec<(&'static str, &'static str)>, bool) {
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
fn fmt_number(x: f64, sig: usize) -> String {
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

/// `value_si` rounded to `sig` significant digits, then shown as [`display`] does: for tables
/// and charts, where "7414 USD" reads better than "7414.213562373096 USD".
pub fn display_approx(value_si: f64, unit: &Unit, sig: i32) -> String {
    // Round in the key's own unit: 0.055 USD/kWh, not its SI value (USD per J) rounded.
    let v = value_si / unit.si;
    if v == 0.0 || !v.is_finite() {
        return display(value_si, unit);
    }
    // Decimal rounding by the formatter (exact at every magnitude, where scaling by 10^k is
    // not for |k| in the hundreds), read back as the nearest double.
    let digits = (sig.max(1) - 1) as usize;
    let rounded: f64 = format!("{v:.digits$e}").parse().unwrap_or(v);
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
    if pretty.len() <= plain.len() {
        pretty
    } else {
        plain
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPY: f64 = 31_557_600.0; // 8766 h * 3600 s

    #[test]
    fn approximate_display_rounds_in_the_keys_unit() {
        // 0.14499999999999996 USD/kWh (float noise of the conversion) shows as 0.145.
        let kwh = 0.145 / 3.6e6;
        assert_eq!(display_approx(kwh, &USD_PER_KWH, 4), "0.145 USD/kWh");
        assert_eq!(display_approx(12_345.678, &USD, 4), "12350 USD"); // 1.235e4
        assert_eq!(display_approx(2.0e9, &W, 3), "2 GW");
        // Far from 1: scientific notation with the significant digits asked for, no float
        // noise from scaling by 10^200 ("9.999999999999997e-201", "100.00000000000003e198").
        assert_eq!(display_approx(1e-200, &USD, 4), "1e-200 USD");
        assert_eq!(display_approx(1e200, &USD, 4), "1e200 USD");
        assert_eq!(display_approx(4.99999999999999e-301, &USD, 4), "5e-301 USD");
        assert_eq!(display_approx(1.23456e20, &ONE, 3), "123e18"); // display: engineering form
    }

    fn close(a: f64, b: f64) -> bool {
        a == b || ((a - b) / b).abs() < 1e-15
    }

    fn ok(text: &str, unit: &Unit) -> f64 {
        parse_quantity(text, unit).unwrap_or_else(|e| panic!("{text:?}: {e}"))
    }

    fn err(text: &str, unit: &Unit) -> UnitError {
        parse_quantity(text, unit).expect_err(text)
    }

    fn check(cases: &[(&str, Unit, f64)]) {
        for (text, unit, want) in cases {
            let got = ok(text, unit);
            assert!(close(got, *want), "{text:?}: got {got:e}, want {want:e}");
        }
    }

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
    fn dimension_of_constants() {
        // Each key unit's si is its bare number's SI value, and its name parses to its dim.
        for unit in [
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
        ] {
            let s = parse_expr(unit.name).ok().unwrap();
            assert_eq!(s.dim, unit.dim, "{}", unit.name);
            assert!(close(s.num / s.den, unit.si), "{}", unit.name);
            assert_eq!(
                ok(&format!("1 {}", unit.name), &unit),
                from_bare(1.0, &unit).unwrap()
            );
        }
        assert_eq!(USD_PER_W_YR.dim, USD_PER_KWH.dim); // USD/W/yr = USD/J
        assert_eq!(USD_PER_YR.dim, USD_PER_H.dim);
        assert_eq!(Dim::POWER.mul(Dim::TIME), Dim::ENERGY);
        assert_eq!(Dim::ENERGY.div(Dim::TIME), Dim::POWER);
    }

    #[test]
    fn describe_dims() {
        let cases = [
            (Dim::NONE, "dimensionless"),
            (Dim::MONEY, "money"),
            (Dim::ENERGY, "energy"),
            (Dim::TIME, "time"),
            (Dim::DATA, "data size"),
            (Dim::OPS, "operations"),
            (W.dim, "power"),
            (TB_PER_S.dim, "bandwidth"),
            (TFLOP_PER_S.dim, "compute rate"),
            (USD_PER_YR.dim, "money per time"),
            (USD_PER_KWH.dim, "money per energy"),
            (USD_PER_W.dim, "money per power"),
            (Dim::MONEY.div(Dim::DATA), "money per data size"),
            (Dim::NONE.div(Dim::TIME), "frequency"),
            (Dim::MONEY.mul(Dim::ENERGY), "USD·J"),
            (Dim::ENERGY.mul(Dim::ENERGY).div(Dim::DATA), "J^2·B^-1"),
        ];
        for (d, want) in cases {
            assert_eq!(d.describe(), want, "{d:?}");
        }
    }

    #[test]
    fn accepted_units_fit_their_key() {
        for unit in [
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
        ] {
            let list = accepted(&unit);
            assert!(!list.is_empty());
            for u in &list {
                assert_eq!(
                    parse_expr(u).ok().map(|s| s.dim),
                    Some(unit.dim),
                    "{u} for {}",
                    unit.name
                );
            }
            if unit != ONE {
                assert_eq!(list[0], unit.name);
            }
        }
        assert_eq!(accepted(&USD_PER_YR), ["USD/yr", "USD/h"]);
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
