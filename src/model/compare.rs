//! Price-performance ratios, claims and the contract check (MODEL.md section 5).

use super::{Comparison, ContractFigures, FleetFigures, Inputs, ModelError};
use crate::units::{HOURS_PER_YEAR, SECONDS_PER_YEAR};

/// rho = cost_per_unit(baseline) / cost_per_unit(candidate): how many times more work a dollar
/// buys on the candidate. "x % better price-performance" holds when rho >= 1 + x.
pub fn rho(baseline_cost_per_unit: f64, candidate_cost_per_unit: f64) -> f64 {
    baseline_cost_per_unit / candidate_cost_per_unit
}

/// Every fleet but the baseline, in file order, against the baseline.
pub fn comparisons(
    inputs: &Inputs,
    fleets: &[FleetFigures],
) -> Result<Vec<Comparison>, ModelError> {
    let b = inputs.compare.baseline;
    if fleets.len() > 1 {
        for (i, g) in fleets.iter().enumerate() {
            if g.cost_per_unit <= 0.0 {
                return Err(ModelError::FreeFleet {
                    fleet: inputs.fleets[i].id.clone(),
                });
            }
        }
    }
    Ok((0..fleets.len())
        .filter(|&i| i != b)
        .map(|i| Comparison {
            candidate: i,
            baseline: b,
            rho: rho(fleets[b].cost_per_unit, fleets[i].cost_per_unit),
        })
        .collect())
}

/// Whether a claim level holds, and by what margin: (rho >= level, rho - level).
pub fn claim(rho: f64, level: f64) -> (bool, f64) {
    (rho >= level, rho - level)
}

/// The price per chip-hour a buyer pays when the contract buys the fleet's whole capacity for
/// the term: value / (N * term * 8766), against the fleet's own cost per chip-hour.
pub fn contract(c: &super::Contract, g: &FleetFigures) -> ContractFigures {
    let term_years = c.term / SECONDS_PER_YEAR;
    let implied = c.value / (g.chips * term_years * HOURS_PER_YEAR);
    let cost_per_chip_hour = g.cost_per_chip_year / HOURS_PER_YEAR;
    ContractFigures {
        fleet: c.fleet,
        value: c.value,
        term_years,
        implied_per_chip_hour: implied,
        cost_per_chip_hour,
        implied_margin: 1.0 - cost_per_chip_hour / implied,
        implied_markup: implied / cost_per_chip_hour - 1.0,
        term_cost_nominal: g.chips * g.cost_per_chip_year * term_years,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rho_and_claims() {
        // baseline 1.50 USD/unit, candidate 1.00 USD/unit: rho = 1.5, 1 - 1/rho = 1/3
        let r = rho(1.5, 1.0);
        assert_eq!(r, 1.5);
        let c = Comparison {
            candidate: 1,
            baseline: 0,
            rho: r,
        };
        assert!((c.cost_reduction() - 1.0 / 3.0).abs() < 1e-15);
        // 1.5 >= 1.30 by 0.20; 1.5 >= 1.40 by 0.10; 1.5 < 1.6 by -0.10
        let (holds, margin) = claim(r, 1.3);
        assert!(holds && (margin - 0.2).abs() < 1e-12);
        assert!(claim(r, 1.4).0);
        assert!(!claim(r, 1.6).0);
        // exactly at the level holds
        assert!(claim(1.3, 1.3).0);
    }
}
