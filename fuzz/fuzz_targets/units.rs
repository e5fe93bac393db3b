//! Fuzz target `units`: `parse_quantity` on arbitrary text for every key unit.
//!
//! Invariants: no panic; an accepted quantity is finite; its error message renders; a value
//! shown with `display` parses back (to the same value up to the last bit or two: `display`
//! picks the closest decimal when no short one is exact). The round trip runs for one unit
//! per input (by the input's length), since `display` is slow.
#![no_main]

use fleetcost::units::{self, Unit};
use libfuzzer_sys::fuzz_target;

const UNITS: [Unit; 15] = [
    units::ONE,
    units::W,
    units::USD,
    units::USD_PER_KWH,
    units::USD_PER_W,
    units::USD_PER_W_YR,
    units::USD_PER_YR,
    units::USD_PER_H,
    units::YR,
    units::S,
    units::GB,
    units::TB_PER_S,
    units::TFLOP_PER_S,
    units::BYTES,
    units::TOKENS,
];

fn close(a: f64, b: f64) -> bool {
    a == b || (a - b).abs() <= 4.0 * f64::EPSILON * a.abs().max(b.abs())
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // `display` tries many spellings, so the round trip runs for one unit per input (chosen
    // by the input's length) to keep the fuzzer fast; parsing runs for every unit.
    let shown_unit = data.len() % UNITS.len();
    for (i, unit) in UNITS.iter().enumerate() {
        match units::parse_quantity(text, unit) {
            Ok(v) if i != shown_unit => {
                assert!(v.is_finite(), "{text:?} in {} gave {v}", unit.name);
            }
            Ok(v) => {
                assert!(v.is_finite(), "{text:?} in {} gave {v}", unit.name);
                let shown = units::display(v, unit);
                match units::parse_quantity(&shown, unit) {
                    Ok(back) => assert!(
                        close(back, v),
                        "{text:?} in {}: {v:e} shows as {shown:?}, which reads back as {back:e}",
                        unit.name
                    ),
                    Err(e) => panic!(
                        "{text:?} in {}: {v:e} shows as {shown:?}, which does not parse: {e}",
                        unit.name
                    ),
                }
            }
            Err(e) => {
                let _ = e.to_string();
            }
        }
        if let Ok(x) = text.trim().parse::<f64>() {
            if let Ok(v) = units::from_bare(x, unit) {
                assert!(v.is_finite());
            }
        }
    }
});
