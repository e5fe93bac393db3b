//! Cost per chip-year (MODEL.md section 3): capital, energy, upkeep, or rent.

use super::finance::crf;
use crate::units::SECONDS_PER_YEAR;

/// The owned-fleet inputs of one chip's cost, SI units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OwnCostInputs {
    /// Provisioned IT W per chip.
    pub watts: f64,
    /// Hardware capex per chip, USD: price + node_price / chips_per_node + network_price.
    pub hw_capex: f64,
    pub hardware_life_years: f64,
    pub discount_rate: f64,
    pub facility_capex_per_w: f64,
    pub facility_life_years: f64,
    /// USD per W per year.
    pub facility_opex_per_w_year: f64,
    pub power_load: f64,
    pub pue: f64,
    /// USD per J.
    pub electricity: f64,
    /// Fraction of hw capex per year.
    pub maintenance: f64,
    /// USD per chip-year.
    pub software_per_year: f64,
}

/// One chip's yearly cost, split as reports and charts show it. USD per chip-year.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ChipYearCost {
    pub hw_capex: f64,
    pub facility_capex: f64,
    pub hw_capital: f64,
    pub facility_capital: f64,
    pub energy: f64,
    pub upkeep: f64,
    pub rent: f64,
}

impl ChipYearCost {
    /// capital = hw * CRF(r, hardware_life) + fac * CRF(r, facility_life)
    pub fn capital(&self) -> f64 {
        self.hw_capital + self.facility_capital
    }

    /// C = capital + energy + upkeep + rent (rent is 0 for owned fleets, the rest 0 for rented).
    pub fn total(&self) -> f64 {
        self.capital() + self.energy + self.upkeep + self.rent
    }
}

/// Hardware capex per chip: price + node_price / chips_per_node + network_price.
pub fn hw_capex(price: f64, node_price: f64, chips_per_node: f64, network_price: f64) -> f64 {
    price + node_price / chips_per_node + network_price
}

/// The cost of one owned chip-year:
///
/// ```text
/// fac     = facility_capex * w
/// capital = hw * CRF(r, hardware_life) + fac * CRF(r, facility_life)
/// energy  = w * power_load * pue * 8766 h * electricity
/// upkeep  = maintenance * hw + software + facility_opex * w
/// ```
pub fn owned(i: &OwnCostInputs) -> ChipYearCost {
    owned_with_crf(
        i,
        crf(i.discount_rate, i.hardware_life_years),
        crf(i.discount_rate, i.facility_life_years),
    )
}

/// [`owned`] with the two capital recovery factors given (the analysis loops share them
/// between fleets of equal lives).
pub fn owned_with_crf(i: &OwnCostInputs, hw_crf: f64, facility_crf: f64) -> ChipYearCost {
    let fac = i.facility_capex_per_w * i.watts;
    ChipYearCost {
        hw_capex: i.hw_capex,
        facility_capex: fac,
        hw_capital: i.hw_capex * hw_crf,
        facility_capital: fac * facility_crf,
        energy: i.watts * i.power_load * i.pue * SECONDS_PER_YEAR * i.electricity,
        upkeep: i.maintenance * i.hw_capex
            + i.software_per_year
            + i.facility_opex_per_w_year * i.watts,
        rent: 0.0,
    }
}

/// The cost of one rented chip-year: rent * 8766 h, nothing else.
pub fn rented(rent_per_hour: f64) -> ChipYearCost {
    ChipYearCost {
        rent: rent_per_hour * crate::units::HOURS_PER_YEAR,
        ..ChipYearCost::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trn2() -> OwnCostInputs {
        OwnCostInputs {
            watts: 690.0,
            hw_capex: hw_capex(12_000.0, 60_000.0, 16.0, 2_500.0),
            hardware_life_years: 5.0,
            discount_rate: 0.08,
            facility_capex_per_w: 11.0,
            facility_life_years: 20.0,
            facility_opex_per_w_year: 0.0,
            power_load: 0.85,
            pue: 1.2,
            electricity: 0.07 / 3.6e6,
            maintenance: 0.03,
            software_per_year: 0.0,
        }
    }

    #[test]
    fn owned_chip_year() {
        let c = owned(&trn2());
        // hw = 12000 + 60000 / 16 + 2500 = 18250 USD
        assert_eq!(c.hw_capex, 18_250.0);
        // fac = 11 USD/W * 690 W = 7590 USD
        assert_eq!(c.facility_capex, 7_590.0);
        // capital = 18250 * CRF(8 %, 5) + 7590 * CRF(8 %, 20)
        //         = 18250 * 0.2504564546 + 7590 * 0.1018522088 = 4570.830 + 773.058 = 5343.889
        assert!((c.capital() - 5_343.888_56).abs() < 1e-2);
        // energy = 690 W * 0.85 * 1.2 * 8766 h * 0.07 USD/kWh / 1000 = 431.8658 USD
        assert!((c.energy - 431.865_756).abs() < 1e-6);
        // upkeep = 0.03 * 18250 = 547.5 USD
        assert!((c.upkeep - 547.5).abs() < 1e-9);
        // C = 5343.889 + 431.866 + 547.5 = 6323.254
        assert!((c.total() - 6_323.254_316_8).abs() < 1e-6);
    }

    #[test]
    fn upkeep_terms() {
        let mut i = trn2();
        i.software_per_year = 4_500.0;
        i.facility_opex_per_w_year = 0.5;
        // 0.03 * 18250 + 4500 + 0.5 * 690 = 547.5 + 4500 + 345 = 5392.5
        assert!((owned(&i).upkeep - 5_392.5).abs() < 1e-9);
    }

    #[test]
    fn rent_mode() {
        // 2.1 USD/h * 8766 h = 18408.6 USD per chip-year, and nothing else
        let c = rented(2.1);
        assert!((c.total() - 18_408.6).abs() < 1e-9);
        assert_eq!(c.capital() + c.energy + c.upkeep, 0.0);
    }
}
