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

mod display;
pub mod format;
mod grammar;
mod suggest;
#[cfg(test)]
mod test_util;

pub use display::{display, display_approx};
pub use grammar::{from_bare, parse_quantity};

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

#[cfg(test)]
mod tests {
    use super::*;
    use grammar::parse_expr;
    use test_util::*;

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
}
