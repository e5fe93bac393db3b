//! Did-you-mean: the one rule for "is this spelling close to that name", used for scenario keys
//! and tables, parameter paths, fleet and program ids, modes, metrics, chips, platforms and
//! unit spellings, and the one wording of the suggestion.

/// How close `given` is to `name`, ignoring case (1 = the same), when close enough to suggest:
/// - a name of up to 4 characters (a unit such as "kWh", a precision such as "fp8"): at most
///   one edit (an insertion, deletion, substitution or swap of neighbours), and fewer edits than
///   `given` has characters (no "ms" for "s");
/// - a longer name: a Jaro-Winkler similarity above 0.8 (a shared prefix counts: "h100" is
///   close to "h100-sxm", "chips_per_nod" to "chips_per_node"), or at most two edits.
///
/// The score orders the candidates: Jaro-Winkler similarity, 1 for the same spelling.
pub fn closeness(given: &str, name: &str) -> Option<f64> {
    let (g, n) = (given.to_lowercase(), name.to_lowercase());
    if g == n {
        return Some(1.0);
    }
    let (lg, ln) = (g.chars().count(), n.chars().count());
    // Too far apart in length for the rule: no distance computed (fuzzing found a quadratic
    // distance on long garbage dominating the error path).
    if (ln <= 4 && lg.abs_diff(ln) > 1) || lg > 2 * ln + 8 || ln > 2 * lg + 8 {
        return None;
    }
    let score = strsim::jaro_winkler(&g, &n);
    let edits = strsim::osa_distance(&g, &n);
    let close = if ln <= 4 {
        edits <= 1 && edits < lg
    } else {
        score > 0.8 || edits <= 2
    };
    close.then_some(score)
}

/// The names close to `given`, closest first (the earlier name on a tie), at most `at_most`.
pub fn closest<'c>(
    given: &str,
    names: impl IntoIterator<Item = &'c str>,
    at_most: usize,
) -> Vec<&'c str> {
    let mut scored: Vec<(f64, usize, &str)> = names
        .into_iter()
        .enumerate()
        .filter_map(|(i, n)| Some((closeness(given, n)?, i, n)))
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    scored
        .into_iter()
        .take(at_most)
        .map(|(_, _, n)| n)
        .collect()
}

/// The name closest to `given`, when one is close.
pub fn nearest<'c>(given: &str, names: impl IntoIterator<Item = &'c str>) -> Option<&'c str> {
    closest(given, names, 1).pop()
}

/// "did you mean 'x'?" for the closest of `names`, when one is close.
pub fn did_you_mean<'c>(given: &str, names: impl IntoIterator<Item = &'c str>) -> Option<String> {
    nearest(given, names).map(|c| format!("did you mean '{c}'?"))
}

/// "did you mean 'a' or 'b'?" for suggestions already chosen.
pub fn did_you_mean_any<S: AsRef<str>>(suggestions: &[S]) -> String {
    let quoted: Vec<String> = suggestions
        .iter()
        .map(|s| format!("'{}'", s.as_ref()))
        .collect();
    format!("did you mean {}?", quoted.join(" or "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rule_by_example() {
        // Case alone: the same name.
        assert_eq!(closeness("KWH", "kWh"), Some(1.0));
        // Short names: one edit, fewer than the letters typed.
        assert!(closeness("kWj", "kWh").is_some());
        assert!(closeness("tpd", "tdp").is_some()); // a swap is one edit
        assert!(closeness("s", "ms").is_none()); // one edit, but one letter typed
        assert!(closeness("GB", "TB/s").is_none()); // three edits
                                                    // Longer names: a shared prefix or two edits.
        assert!(closeness("chips_per_nod", "chips_per_node").is_some());
        assert!(closeness("fleet.trn2.chip.prce", "fleet.trn2.chip.price").is_some());
        assert!(closeness("electricty", "electricity").is_some());
        // A prefix of a longer name beats a one-letter change of a short one.
        assert_eq!(nearest("h100", ["h200", "h100-sxm"]), Some("h100-sxm"));
        assert!(closeness("discount", "hardware_life").is_none());
        // Long garbage is refused before any distance.
        assert!(closeness(&"x".repeat(10_000), "power").is_none());
    }

    #[test]
    fn closest_first_then_file_order() {
        let names = ["power", "pue", "power_basis"];
        assert_eq!(nearest("powr", names), Some("power"));
        assert_eq!(closest("pwer", names, 4), vec!["power", "power_basis"]);
        assert_eq!(closest("pwer", names, 1), vec!["power"]);
        assert_eq!(
            did_you_mean("powr", names).as_deref(),
            Some("did you mean 'power'?")
        );
        assert_eq!(did_you_mean("zzz", names), None);
        assert_eq!(did_you_mean_any(&["a", "b"]), "did you mean 'a' or 'b'?");
    }
}
