//! Did-you-mean for unit spellings: the key's accepted units, then a vocabulary and aliases.

use super::grammar::{parse_expr, parse_factor, PREFIXES};
use super::*;

/// Known spellings for did-you-mean, after the key's accepted units.
pub(super) const VOCAB: &str =
    "W kW MW GW TW Wh kWh MWh GWh J kJ MJ GJ USD s ms us min h d yr B kB MB GB \
    TB KiB MiB GiB TiB FLOP GFLOP/s TFLOP/s PFLOP/s GB/s TB/s USD/kWh USD/MWh USD/W USD/W/yr \
    USD/yr USD/h % tokens";

/// Words for units, lowercase, with the grammar's spelling.
pub(super) const ALIASES: &str =
    "year=yr years=yr yrs=yr y=yr hr=h hrs=h hour=h hours=h sec=s secs=s \
    second=s seconds=s day=d days=d mins=min minute=min minutes=min watt=W watts=W dollar=USD \
    dollars=USD $=USD flops=FLOP/s byte=B bytes=B token=tokens percent=%";

/// Did-you-mean for an unknown unit: a close spelling, or each factor corrected.
pub(super) fn suggest(expr: &str, unit: &Unit) -> Option<String> {
    let vocab: Vec<&str> = accepted(unit)
        .into_iter()
        .chain(VOCAB.split_whitespace())
        .collect();
    // The closest spelling by the crate's one rule (`crate::suggest`): (score, spelling).
    let nearest = |e: &str, whole: bool| {
        let cands = vocab.iter().filter(|v| whole || !v.contains('/'));
        let best = crate::suggest::nearest(e, cands.copied())?;
        Some((crate::suggest::closeness(e, best)?, best.to_string()))
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
    let exact = nearest(expr, true).filter(|c| c.0 == 1.0).map(|c| c.1);
    let close = || nearest(expr, true).map(|c| c.1);
    exact
        .or_else(|| by_factor(&alias))
        .or_else(close)
        .or_else(|| by_factor(&|f| Some(nearest(f, false)?.1)))
}
