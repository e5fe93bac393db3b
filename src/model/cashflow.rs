//! The yearly cash-flow view of a fleet (MODEL.md section 3). A second view: it does not
//! change the annualised cost C.
//!
//! Rows are years 0..=ceil(H). Year 0 buys the hardware and the facility; hardware is bought
//! again at every k * hardware_life < H (and the facility at every k * facility_life < H),
//! booked in year ceil(k * life); years 1..=ceil(H) pay energy and upkeep (or rent), the last
//! one pro rata when H is not whole; year ceil(H) credits the straight-line residual value of
//! the hardware and facility still in service at H, as a negative number. `total` is the sum of
//! the columns; `discounted_total` is total / (1 + r)^year.

use super::{finance, FleetFigures, Inputs};
use crate::units::SECONDS_PER_YEAR;

/// One fleet-year of cash, whole-fleet USD.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct YearCash {
    pub year: u32,
    pub capex: f64,
    pub energy: f64,
    pub upkeep: f64,
    pub rent: f64,
    /// Residual value credited (<= 0).
    pub residual: f64,
    pub total: f64,
    pub discounted_total: f64,
}

/// Purchase times strictly before the horizon for an asset of `life` years: 0, life, 2 life ...
fn purchases(life: f64, horizon: f64) -> impl Iterator<Item = f64> {
    let mut k = 0.0;
    std::iter::from_fn(move || {
        let t = k * life;
        k += 1.0;
        (t < horizon * (1.0 - 1e-12) || t == 0.0).then_some(t)
    })
}

/// Straight-line value left at `horizon` of an asset costing `price`, last bought before it.
fn residual(price: f64, life: f64, horizon: f64) -> f64 {
    let last = purchases(life, horizon).last().unwrap_or(0.0);
    let remaining = (last + life - horizon).max(0.0);
    price * remaining / life
}

/// Cash flows of fleet `index` given its figures.
pub fn fleet_cashflow(inputs: &Inputs, index: usize, g: &FleetFigures) -> Vec<YearCash> {
    let f = &inputs.fleets[index];
    let h = inputs.finance.horizon / SECONDS_PER_YEAR;
    let r = inputs.finance.discount_rate;
    let last_year = (h - 1e-9).ceil().max(1.0) as u32;
    let mut rows: Vec<YearCash> = (0..=last_year)
        .map(|year| YearCash {
            year,
            ..YearCash::default()
        })
        .collect();
    let n = g.chips;
    let book = |t: f64| ((t - 1e-9).ceil().max(0.0) as usize).min(last_year as usize);
    for year in 1..=last_year {
        // The share of year `year` inside the horizon (1 except a partial last year).
        let share = (h - (year - 1) as f64).clamp(0.0, 1.0);
        let row = &mut rows[year as usize];
        row.energy = n * g.cost.energy * share;
        row.upkeep = n * g.cost.upkeep * share;
        row.rent = n * g.cost.rent * share;
    }
    if f.rent.is_none() {
        let hw_life = f.hardware_life.unwrap_or(f64::INFINITY) / SECONDS_PER_YEAR;
        let fac_life = f.facility_life.unwrap_or(inputs.site.facility_life) / SECONDS_PER_YEAR;
        let (hw, fac) = (n * g.cost.hw_capex, n * g.cost.facility_capex);
        for t in purchases(hw_life, h) {
            rows[book(t)].capex += hw;
        }
        for t in purchases(fac_life, h) {
            rows[book(t)].capex += fac;
        }
        rows[last_year as usize].residual =
            -(residual(hw, hw_life, h) + residual(fac, fac_life, h));
    }
    for row in &mut rows {
        row.total = row.capex + row.energy + row.upkeep + row.rent + row.residual;
        row.discounted_total = row.total * finance::discount(r, row.year as f64);
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purchase_times() {
        // life 5, horizon 8: bought at 0 and 5
        assert_eq!(purchases(5.0, 8.0).collect::<Vec<_>>(), vec![0.0, 5.0]);
        // life 4, horizon 8: 0 and 4 (8 is not < 8)
        assert_eq!(purchases(4.0, 8.0).collect::<Vec<_>>(), vec![0.0, 4.0]);
        // life 20, horizon 8: 0 only
        assert_eq!(purchases(20.0, 8.0).collect::<Vec<_>>(), vec![0.0]);
    }

    #[test]
    fn residual_values() {
        // hardware 100 bought at 5 with life 5, horizon 8: 2 of 5 years left -> 40
        assert!((residual(100.0, 5.0, 8.0) - 40.0).abs() < 1e-12);
        // facility 100 with life 20, horizon 8: 12 of 20 left -> 60
        assert!((residual(100.0, 20.0, 8.0) - 60.0).abs() < 1e-12);
        // life 4, horizon 8: fully used -> 0
        assert_eq!(residual(100.0, 4.0, 8.0), 0.0);
    }
}
