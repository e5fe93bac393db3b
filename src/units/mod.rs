//! TEMPORARY STUB: replaced by the real parser (helper-1). Same API.
pub mod format;
pub const HOURS_PER_YEAR: f64 = 8766.0;
pub const SECONDS_PER_YEAR: f64 = 8766.0 * 3600.0;
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub struct Dim {
    pub usd: i8,
    pub joule: i8,
    pub sec: i8,
    pub byte: i8,
    pub flop: i8,
}
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Unit {
    pub name: &'static str,
    pub dim: Dim,
    pub si: f64,
}
const D0: Dim = Dim {
    usd: 0,
    joule: 0,
    sec: 0,
    byte: 0,
    flop: 0,
};
pub const ONE: Unit = Unit {
    name: "",
    dim: D0,
    si: 1.0,
};
pub const W: Unit = Unit {
    name: "W",
    dim: Dim {
        joule: 1,
        sec: -1,
        ..D0
    },
    si: 1.0,
};
pub const USD: Unit = Unit {
    name: "USD",
    dim: Dim { usd: 1, ..D0 },
    si: 1.0,
};
pub const USD_PER_KWH: Unit = Unit {
    name: "USD/kWh",
    dim: Dim {
        usd: 1,
        joule: -1,
        ..D0
    },
    si: 1.0 / 3.6e6,
};
pub const USD_PER_W: Unit = Unit {
    name: "USD/W",
    dim: Dim {
        usd: 1,
        joule: -1,
        sec: 1,
        ..D0
    },
    si: 1.0,
};
pub const USD_PER_W_YR: Unit = Unit {
    name: "USD/W/yr",
    dim: Dim {
        usd: 1,
        joule: -1,
        ..D0
    },
    si: 1.0 / SECONDS_PER_YEAR,
};
pub const USD_PER_YR: Unit = Unit {
    name: "USD/yr",
    dim: Dim {
        usd: 1,
        sec: -1,
        ..D0
    },
    si: 1.0 / SECONDS_PER_YEAR,
};
pub const USD_PER_H: Unit = Unit {
    name: "USD/h",
    dim: Dim {
        usd: 1,
        sec: -1,
        ..D0
    },
    si: 1.0 / 3600.0,
};
pub const YR: Unit = Unit {
    name: "yr",
    dim: Dim { sec: 1, ..D0 },
    si: SECONDS_PER_YEAR,
};
pub const S: Unit = Unit {
    name: "s",
    dim: Dim { sec: 1, ..D0 },
    si: 1.0,
};
pub const GB: Unit = Unit {
    name: "GB",
    dim: Dim { byte: 1, ..D0 },
    si: 1e9,
};
pub const TB_PER_S: Unit = Unit {
    name: "TB/s",
    dim: Dim {
        byte: 1,
        sec: -1,
        ..D0
    },
    si: 1e12,
};
pub const TFLOP_PER_S: Unit = Unit {
    name: "TFLOP/s",
    dim: Dim {
        flop: 1,
        sec: -1,
        ..D0
    },
    si: 1e12,
};
pub const BYTES: Unit = Unit {
    name: "B",
    dim: Dim { byte: 1, ..D0 },
    si: 1.0,
};
pub const TOKENS: Unit = Unit {
    name: "tokens",
    dim: D0,
    si: 1.0,
};
#[derive(Debug, Clone, PartialEq)]
pub enum UnitError {
    Bad(String),
}
impl std::fmt::Display for UnitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            UnitError::Bad(s) => f.write_str(s),
        }
    }
}
impl std::error::Error for UnitError {}
pub fn parse_quantity(text: &str, unit: &Unit) -> Result<f64, UnitError> {
    let t = text.trim();
    let (num, rest) = t.split_once(' ').unwrap_or((t, ""));
    let (num, mult) = match num.chars().last() {
        Some('k') => (&num[..num.len() - 1], 1e3),
        Some('M') => (&num[..num.len() - 1], 1e6),
        _ => (num, 1.0),
    };
    let x: f64 = num
        .parse()
        .map_err(|_| UnitError::Bad(format!("bad number '{num}'")))?;
    let rest = rest.trim();
    let f = match rest {
        "" => unit.si,
        "%" => 0.01,
        "GW" => 1e9,
        "MW" => 1e6,
        "kW" => 1e3,
        "W" => 1.0,
        "USD" => 1.0,
        "USD/kWh" => 1.0 / 3.6e6,
        "USD/W" => 1.0,
        "USD/W/yr" => 1.0 / SECONDS_PER_YEAR,
        "USD/yr" => 1.0 / SECONDS_PER_YEAR,
        "USD/h" => 1.0 / 3600.0,
        "yr" => SECONDS_PER_YEAR,
        "s" => 1.0,
        "ms" => 1e-3,
        "GB" => 1e9,
        "GiB" => 1073741824.0,
        "TB/s" => 1e12,
        "TFLOP/s" => 1e12,
        _ => return Err(UnitError::Bad(format!("unknown unit '{rest}'"))),
    };
    Ok(x * mult * f)
}
pub fn from_bare(x: f64, unit: &Unit) -> Result<f64, UnitError> {
    if x.is_finite() {
        Ok(x * unit.si)
    } else {
        Err(UnitError::Bad("not finite".into()))
    }
}
pub fn display(value_si: f64, unit: &Unit) -> String {
    format!("{} {}", value_si / unit.si, unit.name)
        .trim()
        .to_string()
}
pub fn accepted(unit: &Unit) -> Vec<&'static str> {
    vec![unit.name]
}
