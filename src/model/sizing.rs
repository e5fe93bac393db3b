//! Fleet sizing to a power budget (MODEL.md section 2).

/// Float noise that floor and ceil absorb, in units of `f64::EPSILON * max(|x|, 1)`: a few
/// ulps of x (MODEL.md section 2). A quotient of decimal inputs that is mathematically an
/// integer comes out a few roundings away from it at most (26,400 W / 1.1 / 8,000 W is
/// 2.9999999999999996, one ulp below 3). A real fraction is never absorbed: a relative 1e-9
/// tolerance turned an exact 2e9 W budget of 1 W chips into 2,000,000,002 chips.
const SNAP_ULPS: f64 = 4.0;

/// The largest distance from an integer that counts as float noise at x.
#[inline]
fn snap_width(x: f64) -> f64 {
    SNAP_ULPS * f64::EPSILON * x.abs().max(1.0)
}

/// (floor(x), x - floor(x)); the difference is exact for x >= 0.
#[inline]
fn split(x: f64) -> (f64, f64) {
    // For 0 <= x < 2^52 truncation is floor, without a libm call on baseline x86-64.
    let f = if (0.0..4.5e15).contains(&x) {
        (x as u64) as f64
    } else {
        x.floor()
    };
    (f, x - f)
}

/// floor(x), except that x within [`snap_width`] (a few ulps) below an integer is that
/// integer: float noise is absorbed, a real fraction is not.
#[inline]
pub fn tolerant_floor(x: f64) -> f64 {
    let (f, frac) = split(x);
    // Only the upper neighbour can differ from floor; it is the nearest one when frac > 1/2.
    if frac > 0.5 && 1.0 - frac <= snap_width(x) {
        f + 1.0
    } else {
        f
    }
}

/// ceil(x), except that x within [`snap_width`] (a few ulps) above an integer is that
/// integer.
#[inline]
pub fn tolerant_ceil(x: f64) -> f64 {
    let (f, frac) = split(x);
    // frac is NaN for an infinite x: f + 1 is then still x.
    if frac == 0.0 || (frac <= 0.5 && frac <= snap_width(x)) {
        f
    } else {
        f + 1.0
    }
}

/// Provisioned IT watts per chip: tdp + node_power / chips_per_node + network_power.
pub fn watts_per_chip(tdp: f64, node_power: f64, chips_per_node: f64, network_power: f64) -> f64 {
    tdp + node_power / chips_per_node + network_power
}

/// IT power available to the fleet: the budget divided by pue on a facility basis.
#[inline]
pub fn it_budget(power: f64, pue: f64, facility_basis: bool) -> f64 {
    if facility_basis {
        power / pue
    } else {
        power
    }
}

/// (nodes, chips) that fit in `it_power` watts: whole nodes only.
#[inline]
pub fn size_to_power(it_power: f64, chips_per_node: f64, watts_per_chip: f64) -> (f64, f64) {
    let nodes = tolerant_floor(it_power / (chips_per_node * watts_per_chip));
    (nodes, nodes * chips_per_node)
}

/// (nodes, chips) for a fixed chip count: the last node may be partly filled.
#[inline]
pub fn size_to_count(chips: f64, chips_per_node: f64) -> (f64, f64) {
    (tolerant_ceil(chips / chips_per_node), chips)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn watts() {
        // 500 + 2400 / 16 + 40 = 690 W (Trainium2-like node)
        assert_eq!(watts_per_chip(500.0, 2400.0, 16.0, 40.0), 690.0);
        // 700 + 3500 / 8 + 60 = 1197.5 W (H100 node)
        assert_eq!(watts_per_chip(700.0, 3500.0, 8.0, 60.0), 1197.5);
    }

    #[test]
    fn facility_basis() {
        // 2 GW facility at pue 1.2: 2e9 / 1.2 = 1.6667e9 W of IT.
        let it = it_budget(2e9, 1.2, true);
        assert!((it - 2e9 / 1.2).abs() < 1e-3);
        // nodes = floor(1.6667e9 / (16 * 690)) = floor(150966.18) = 150966; chips = 2415456
        assert_eq!(size_to_power(it, 16.0, 690.0), (150_966.0, 2_415_456.0));
    }

    #[test]
    fn it_basis() {
        // 100 MW of IT: nodes = floor(1e8 / (8 * 1197.5)) = floor(10438.4) = 10438
        let it = it_budget(1e8, 1.25, false);
        assert_eq!(it, 1e8);
        assert_eq!(size_to_power(it, 8.0, 1197.5), (10_438.0, 83_504.0));
    }

    #[test]
    fn node_rounding() {
        // 880,000 W at pue 1.1 is 800,000 W of IT = exactly 100 nodes of 8 x 1000 W; in floating
        // point 880000 / 1.1 / 8000 is 99.99999999999999 (one ulp, 1.4e-14, below 100): the
        // snap absorbs that noise, so 100 nodes.
        let it = it_budget(880_000.0, 1.1, true);
        assert!(it / 8_000.0 < 100.0, "the case must carry float noise");
        assert_eq!(size_to_power(it, 8.0, 1000.0), (100.0, 800.0));
        // 26,400 W at pue 1.1 = 24,000 W = 3 nodes (float: 2.9999999999999996).
        assert_eq!(
            size_to_power(it_budget(26_400.0, 1.1, true), 8.0, 1000.0),
            (3.0, 24.0)
        );
        // A relative 1e-12 below 3 nodes is 6,000 ulps: a real shortfall, not noise: 2 nodes.
        assert_eq!(
            size_to_power(24_000.0 * (1.0 - 1e-12), 8.0, 1000.0),
            (2.0, 16.0)
        );
        // Clearly below 3 nodes: 2.
        assert_eq!(size_to_power(23_999.0, 8.0, 1000.0), (2.0, 16.0));
        // Below one node: zero (the model turns this into an error).
        assert_eq!(size_to_power(7_999.0, 8.0, 1000.0), (0.0, 0.0));
    }

    #[test]
    fn a_billion_units_are_counted_exactly() {
        // 2 GW of 1 W chips, one per node: 2e9 / (1 * 1) = 2e9 nodes and chips, not 2e9 + 2.
        assert_eq!(size_to_power(2e9, 1.0, 1.0), (2e9, 2e9));
        // 2e9 + 0.5 W: still 2e9 whole nodes (half a node is not float noise).
        assert_eq!(size_to_power(2e9 + 0.5, 1.0, 1.0), (2e9, 2e9));
        // 1,000,000,001 chips, 1 per node: 1,000,000,001 nodes, not 1e9.
        assert_eq!(
            size_to_count(1_000_000_001.0, 1.0),
            (1_000_000_001.0, 1_000_000_001.0)
        );
        // 1e15 chips, 7 per node: 7 x 142,857,142,857,142 = 999,999,999,999,994, 6 chips left
        // over, so ceil = 142,857,142,857,143 nodes (a relative 1e-9 lost 142,857 of them).
        assert_eq!(size_to_count(1e15, 7.0), (142_857_142_857_143.0, 1e15));
    }

    #[test]
    fn snap_absorbs_only_float_noise() {
        let up = |x: f64| f64::from_bits(x.to_bits() + 1);
        let down = |x: f64| f64::from_bits(x.to_bits() - 1);
        // One ulp either side of an integer is noise.
        assert_eq!(tolerant_floor(down(3.0)), 3.0);
        assert_eq!(tolerant_ceil(up(3.0)), 3.0);
        assert_eq!(tolerant_floor(down(1e9)), 1e9);
        assert_eq!(tolerant_ceil(up(1e9)), 1e9);
        // 1e-12 from an integer is thousands of ulps at 3: a real fraction.
        assert_eq!(tolerant_floor(3.0 - 1e-12), 2.0);
        assert_eq!(tolerant_ceil(3.0 + 1e-12), 4.0);
        // Exact integers and plain fractions.
        assert_eq!(tolerant_floor(3.0), 3.0);
        assert_eq!(tolerant_ceil(3.0), 3.0);
        assert_eq!(tolerant_floor(2.5), 2.0);
        assert_eq!(tolerant_ceil(2.5), 3.0);
        assert_eq!(tolerant_floor(0.0), 0.0);
        // Near zero the width is absolute, 4 eps = 8.9e-16: 1e-12 of a node is a node, 1e-300
        // is noise around 0.
        assert_eq!(tolerant_ceil(1e-12), 1.0);
        assert_eq!(tolerant_ceil(1e-300), 0.0);
        // Beyond 2^52 every float is an integer; beyond the fast path the same rules hold.
        assert_eq!(tolerant_floor(1e17), 1e17);
        assert_eq!(tolerant_ceil(1e17), 1e17);
        assert_eq!(tolerant_floor(f64::INFINITY), f64::INFINITY);
        assert_eq!(tolerant_ceil(f64::INFINITY), f64::INFINITY);
        assert!(tolerant_floor(f64::NAN).is_nan() && tolerant_ceil(f64::NAN).is_nan());
    }

    #[test]
    fn fixed_count() {
        // 1024 chips, 16 per node: 64 nodes; 1025 chips: 65 nodes (the last partly filled)
        assert_eq!(size_to_count(1024.0, 16.0), (64.0, 1024.0));
        assert_eq!(size_to_count(1025.0, 16.0), (65.0, 1025.0));
    }
}
