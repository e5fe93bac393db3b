//! Fleet sizing to a power budget (MODEL.md section 2).

/// Relative float noise that floor and ceil tolerate (MODEL.md section 2).
const TOLERANCE: f64 = 1e-9;

/// floor(x) that treats x within a relative 1e-9 below an integer as that integer.
pub fn tolerant_floor(x: f64) -> f64 {
    let y = x + x.abs() * TOLERANCE;
    // For 0 <= y < 2^52 truncation is floor, without a libm call on baseline x86-64.
    if (0.0..4.5e15).contains(&y) {
        (y as u64) as f64
    } else {
        y.floor()
    }
}

/// ceil(x) that treats x within a relative 1e-9 above an integer as that integer.
pub fn tolerant_ceil(x: f64) -> f64 {
    (x - x.abs() * TOLERANCE).ceil()
}

/// Provisioned IT watts per chip: tdp + node_power / chips_per_node + network_power.
pub fn watts_per_chip(tdp: f64, node_power: f64, chips_per_node: f64, network_power: f64) -> f64 {
    tdp + node_power / chips_per_node + network_power
}

/// IT power available to the fleet: the budget divided by pue on a facility basis.
pub fn it_budget(power: f64, pue: f64, facility_basis: bool) -> f64 {
    if facility_basis {
        power / pue
    } else {
        power
    }
}

/// (nodes, chips) that fit in `it_power` watts: whole nodes only.
pub fn size_to_power(it_power: f64, chips_per_node: f64, watts_per_chip: f64) -> (f64, f64) {
    let nodes = tolerant_floor(it_power / (chips_per_node * watts_per_chip));
    (nodes, nodes * chips_per_node)
}

/// (nodes, chips) for a fixed chip count: the last node may be partly filled.
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
        // Exactly 3 nodes of 8 x 1000 W, with float noise below: still 3 nodes.
        assert_eq!(
            size_to_power(24_000.0 * (1.0 - 1e-12), 8.0, 1000.0),
            (3.0, 24.0)
        );
        // Clearly below 3 nodes: 2.
        assert_eq!(size_to_power(23_999.0, 8.0, 1000.0), (2.0, 16.0));
        // Below one node: zero (the model turns this into an error).
        assert_eq!(size_to_power(7_999.0, 8.0, 1000.0), (0.0, 0.0));
    }

    #[test]
    fn fixed_count() {
        // 1024 chips, 16 per node: 64 nodes; 1025 chips: 65 nodes (the last partly filled)
        assert_eq!(size_to_count(1024.0, 16.0), (64.0, 1024.0));
        assert_eq!(size_to_count(1025.0, 16.0), (65.0, 1025.0));
    }
}
