//! The yearly cash-flow view (MODEL.md sections 3 and 8): one fleet bought at year 0, or the
//! tranches of a program, each starting at its own time. A second view beside the annualised
//! cost C, and the one source of every horizon total.
//!
//! Rows are years 0..=ceil(end). Year k covers (k-1, k] and is discounted by (1+r)^-k. A
//! tranche starting at s buys its hardware at s and again every hardware_life before the end,
//! each purchase at price * (1 - price_decline)^t (chip, node and network), and its facility
//! at s (again every facility_life before the end), booked in year ceil(t) (t = 0 in year 0).
//! Energy, upkeep, rent, work and chip-hours accrue pro rata to the years they fall in. The
//! last year credits, as a negative number, the residual value of every purchase still in
//! service at the end: the value of its remaining service at the cost of capital,
//! purchase * AF(r, life - age) / AF(r, life) (straight line when r = 0). With that residual a
//! steady fleet's PV of cash is N * C * AF(r, H) over a whole number of years and lives.

use super::cost::ChipYearCost;
use super::{finance, FleetFigures, Inputs};
use crate::units::{HOURS_PER_YEAR, SECONDS_PER_YEAR};

/// One year of cash, whole-fleet (or whole-program) USD, with the work delivered that year.
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
    /// Units of work delivered in the year (the workload's unit).
    pub work: f64,
    /// Chip-hours online in the year (every hour of every chip, availability aside).
    pub chip_hours: f64,
}

/// One tranche's per-chip figures and timing, in years and USD per chip (per chip-year for
/// running costs). A fleet bought at year 0 is one tranche starting at 0.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrancheCash {
    pub chips: f64,
    /// Years from the program's start.
    pub start: f64,
    /// Hardware capex per chip at today's price (chip + node share + network).
    pub hw: f64,
    /// Facility capex per chip.
    pub fac: f64,
    /// Years; infinite: never refreshed.
    pub hw_life: f64,
    pub fac_life: f64,
    /// Fraction per year off every purchase of hardware at time t: (1 - decline)^t.
    pub decline: f64,
    /// Energy per chip-year.
    pub energy: f64,
    /// Maintenance as a fraction of the hardware in service, per year.
    pub maintenance: f64,
    /// The rest of upkeep per chip-year: software and facility opex.
    pub upkeep_fixed: f64,
    /// Rent per chip-year (an owned tranche has none and buys nothing when rented).
    pub rent: f64,
    pub owned: bool,
    /// Units of work per chip-year.
    pub work: f64,
}

impl TrancheCash {
    /// Fleet `index` of `inputs` with its figures `g`, `chips` chips from `start` years.
    pub fn of_fleet(
        inputs: &Inputs,
        index: usize,
        g: &FleetFigures,
        chips: f64,
        start: f64,
    ) -> Self {
        Self::new(inputs, index, &g.cost, g.work_per_chip_year, chips, start)
    }

    /// Fleet `index` of `inputs` with its chip-year cost and work per chip-year.
    pub fn new(
        inputs: &Inputs,
        index: usize,
        cost: &ChipYearCost,
        work_per_chip_year: f64,
        chips: f64,
        start: f64,
    ) -> Self {
        let f = &inputs.fleets[index];
        let owned = f.rent.is_none();
        let maintenance_per_year = if owned {
            f.maintenance * cost.hw_capex
        } else {
            0.0
        };
        TrancheCash {
            chips,
            start,
            hw: cost.hw_capex,
            fac: cost.facility_capex,
            hw_life: f.hardware_life.unwrap_or(f64::INFINITY) / SECONDS_PER_YEAR,
            fac_life: f.facility_life.unwrap_or(inputs.site.facility_life) / SECONDS_PER_YEAR,
            decline: f.price_decline,
            energy: cost.energy,
            maintenance: if owned { f.maintenance } else { 0.0 },
            upkeep_fixed: cost.upkeep - maintenance_per_year,
            rent: cost.rent,
            owned,
            work: work_per_chip_year,
        }
    }
}

/// The last row of a table that ends at `end` years: ceil(end), at least 1.
pub fn last_year(end: f64) -> u32 {
    (end - 1e-9).ceil().max(1.0) as u32
}

/// Empty rows 0..=ceil(end).
pub fn empty_rows(end: f64) -> Vec<YearCash> {
    (0..=last_year(end))
        .map(|year| YearCash {
            year,
            ..YearCash::default()
        })
        .collect()
}

/// The year a purchase at time t is booked in: ceil(t), 0 for t = 0.
fn book(t: f64, last: u32) -> usize {
    ((t - 1e-9).ceil().max(0.0) as usize).min(last as usize)
}

/// Purchase times from `start` strictly before `end` for an asset of `life` years:
/// start, start + life, ... (the first one always, when start < end).
fn purchases(start: f64, life: f64, end: f64) -> impl Iterator<Item = f64> {
    let mut k = 0.0;
    std::iter::from_fn(move || {
        let t = start + k * life;
        k += 1.0;
        (t < end * (1.0 - 1e-12) || (k == 1.0 && t < end)).then_some(t)
    })
}

/// PV of 1 a year for m years at rate r, straight line (m) when r = 0.
fn af(r: f64, m: f64) -> f64 {
    finance::annuity_pv(r, m)
}

/// The value left at `end` of a purchase of `price` made at `bought` with `life` years of
/// service: price * AF(r, life - age) / AF(r, life), 0 once fully used.
pub fn residual_value(price: f64, bought: f64, life: f64, end: f64, r: f64) -> f64 {
    let remaining = bought + life - end;
    if remaining <= 0.0 || !life.is_finite() {
        // An asset never refreshed (infinite life) keeps its whole price.
        return if life.is_finite() { 0.0 } else { price };
    }
    price * af(r, remaining) / af(r, life)
}

/// Adds `per_year` accrued evenly over (a, b] to the years it falls in, via `field`.
fn accrue(
    rows: &mut [YearCash],
    a: f64,
    b: f64,
    per_year: f64,
    field: fn(&mut YearCash) -> &mut f64,
) {
    if b <= a || per_year == 0.0 {
        return;
    }
    for (k, row) in rows.iter_mut().enumerate().skip(1) {
        let lo = ((k - 1) as f64).max(a);
        let hi = (k as f64).min(b);
        if hi > lo {
            *field(row) += per_year * (hi - lo);
        }
    }
}

/// Adds tranche `t`'s cash, work and chip-hours over (0, end] into `rows` (from
/// [`empty_rows`]`(end)`), the residual credited in the last row. Nothing when it starts at or
/// after `end`. Totals are left for [`finish`].
pub fn add_tranche(rows: &mut [YearCash], t: &TrancheCash, end: f64, r: f64) {
    if t.start >= end {
        return;
    }
    let last = (rows.len() - 1) as u32;
    let n = t.chips;
    let (s, e) = (t.start, end);
    accrue(rows, s, e, n * t.energy, |y| &mut y.energy);
    accrue(rows, s, e, n * t.upkeep_fixed, |y| &mut y.upkeep);
    accrue(rows, s, e, n * t.rent, |y| &mut y.rent);
    accrue(rows, s, e, n * t.work, |y| &mut y.work);
    accrue(rows, s, e, n * HOURS_PER_YEAR, |y| &mut y.chip_hours);
    if !t.owned {
        return;
    }
    let mut residual = 0.0;
    // Iterated, not collected: this runs on every Monte Carlo draw of a program metric.
    let mut times = purchases(s, t.hw_life, e).peekable();
    while let Some(at) = times.next() {
        let price = n * t.hw * (1.0 - t.decline).powf(at);
        rows[book(at, last)].capex += price;
        let next = times.peek().copied();
        let until = next.unwrap_or(e).min(e);
        accrue(rows, at, until, t.maintenance * price, |y| &mut y.upkeep);
        if next.is_none() {
            residual += residual_value(price, at, t.hw_life, e, r);
        }
    }
    let mut last_fac = None;
    for at in purchases(s, t.fac_life, e) {
        rows[book(at, last)].capex += n * t.fac;
        last_fac = Some(at);
    }
    if let Some(at) = last_fac {
        residual += residual_value(n * t.fac, at, t.fac_life, e, r);
    }
    rows[last as usize].residual -= residual;
}

/// Discount factors (1+r)^-k of rows 0, 1, 2, ... (rows are whole years from 0), by repeated
/// division rather than a power per row: the same to a few ulps, and no `powf` per row on the
/// Monte Carlo path.
fn factors(rows: &[YearCash], r: f64) -> impl Iterator<Item = f64> + '_ {
    let d = 1.0 / (1.0 + r);
    let mut v = 1.0;
    rows.iter().enumerate().map(move |(k, row)| {
        debug_assert_eq!(row.year as usize, k, "rows are years 0, 1, 2, ...");
        let now = v;
        v *= d;
        now
    })
}

/// Fills every row's total and discounted total.
pub fn finish(rows: &mut [YearCash], r: f64) {
    let d = 1.0 / (1.0 + r);
    let mut v = 1.0;
    for (k, row) in rows.iter_mut().enumerate() {
        debug_assert_eq!(row.year as usize, k, "rows are years 0, 1, 2, ...");
        row.total = row.capex + row.energy + row.upkeep + row.rent + row.residual;
        row.discounted_total = row.total * v;
        v *= d;
    }
}

/// Totals of a table: (nominal, PV of cash, PV of work, PV of chip-hours).
pub fn totals(rows: &[YearCash], r: f64) -> (f64, f64, f64, f64) {
    let mut t = (0.0, 0.0, 0.0, 0.0);
    for (row, v) in rows.iter().zip(factors(rows, r)) {
        t.0 += row.total;
        t.1 += row.discounted_total;
        t.2 += row.work * v;
        t.3 += row.chip_hours * v;
    }
    t
}

/// Cash flows of fleet `index` given its figures: one tranche of all its chips from year 0 to
/// the horizon.
pub fn fleet_cashflow(inputs: &Inputs, index: usize, g: &FleetFigures) -> Vec<YearCash> {
    let h = inputs.finance.horizon / SECONDS_PER_YEAR;
    let r = inputs.finance.discount_rate;
    let mut rows = empty_rows(h);
    add_tranche(
        &mut rows,
        &TrancheCash::of_fleet(inputs, index, g, g.chips, 0.0),
        h,
        r,
    );
    finish(&mut rows, r);
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-9 * b.abs().max(1.0)
    }

    #[test]
    fn purchase_times() {
        // life 5, horizon 8: bought at 0 and 5
        assert_eq!(purchases(0.0, 5.0, 8.0).collect::<Vec<_>>(), vec![0.0, 5.0]);
        // life 4, horizon 8: 0 and 4 (8 is not < 8)
        assert_eq!(purchases(0.0, 4.0, 8.0).collect::<Vec<_>>(), vec![0.0, 4.0]);
        // life 20, horizon 8: 0 only
        assert_eq!(purchases(0.0, 20.0, 8.0).collect::<Vec<_>>(), vec![0.0]);
        // a tranche from 1.5 with life 4, horizon 8: 1.5 and 5.5
        assert_eq!(purchases(1.5, 4.0, 8.0).collect::<Vec<_>>(), vec![1.5, 5.5]);
    }

    #[test]
    fn residual_values() {
        // r = 0 is straight line. Hardware 100 bought at 5 with life 5, horizon 8: 2 of 5 left
        assert!(close(residual_value(100.0, 5.0, 5.0, 8.0, 0.0), 40.0));
        // facility 100 with life 20, horizon 8: 12 of 20 left -> 60
        assert!(close(residual_value(100.0, 0.0, 20.0, 8.0, 0.0), 60.0));
        // life 4, bought at 4, horizon 8: fully used -> 0
        assert_eq!(residual_value(100.0, 4.0, 4.0, 8.0, 0.1), 0.0);
        // r = 10 %, life 2, 1 year left: AF(0.1, 1) / AF(0.1, 2) = (1/1.1) / (1/1.1 + 1/1.21)
        //   = 0.909091 / 1.735537 = 0.5238095 (= 1.1 / 2.1)
        assert!(close(
            residual_value(100.0, 0.0, 2.0, 1.0, 0.1),
            100.0 * 1.1 / 2.1
        ));
    }

    fn steady(chips: f64) -> TrancheCash {
        TrancheCash {
            chips,
            start: 0.0,
            hw: 1000.0,
            fac: 500.0,
            hw_life: 2.0,
            fac_life: 4.0,
            decline: 0.0,
            energy: 100.0,
            maintenance: 0.1,
            upkeep_fixed: 20.0,
            rent: 0.0,
            owned: true,
            work: 10.0,
        }
    }

    /// Hand calculation, r = 10 %, horizon 3, one chip: hardware 1000 (life 2) at 0 and 2,
    /// facility 500 (life 4) at 0. Year 0: capex 1500. Years 1-3: energy 100, upkeep 20 +
    /// 0.1 * 1000 = 120. Year 2 also capex 1000. Residual at 3: hardware bought at 2 has 1 of
    /// 2 years left: 1000 * AF(1) / AF(2) = 1000 * 1.1 / 2.1 = 523.8095; facility 1 of 4 left:
    /// 500 * AF(1) / AF(4) = 500 * 0.9090909 / 3.1698654 = 143.3960.
    #[test]
    fn one_tranche_by_hand() {
        let r = 0.1;
        let mut rows = empty_rows(3.0);
        add_tranche(&mut rows, &steady(1.0), 3.0, r);
        finish(&mut rows, r);
        assert_eq!(rows.len(), 4);
        assert!(close(rows[0].capex, 1500.0));
        assert!(close(rows[2].capex, 1000.0));
        for row in &rows[1..=3] {
            assert!(close(row.energy, 100.0));
            assert!(close(row.upkeep, 120.0));
            assert!(close(row.work, 10.0));
            assert!(close(row.chip_hours, 8766.0));
        }
        let res = 1000.0 * 1.1 / 2.1 + 500.0 * (1.0 / 1.1) / ((1.0 - 1.1f64.powi(-4)) / 0.1);
        assert!(close(-rows[3].residual, res));
        assert!(close(rows[3].total, 220.0 - res));
        // The PV of cash equals C * AF(r, 3) with C = 1000 CRF(.1, 2) + 500 CRF(.1, 4) + 220
        let c = 1000.0 * finance::crf(r, 2.0) + 500.0 * finance::crf(r, 4.0) + 220.0;
        let (_, pv, pv_work, _) = totals(&rows, r);
        assert!(
            close(pv, c * finance::annuity_pv(r, 3.0)),
            "{pv} vs {}",
            c * finance::annuity_pv(r, 3.0)
        );
        // and the levelized cost per unit is C / 10
        assert!(close(pv / pv_work, c / 10.0));
    }

    /// A tranche from 1.5 years with a 50 % yearly decline: bought at 1.5 for
    /// 1000 * 0.5^1.5 = 353.553 (year 2), running costs over (1.5, 3]: half of year 2 and all
    /// of year 3; maintenance 10 % of the declined price.
    #[test]
    fn late_tranche_with_decline() {
        let r = 0.0;
        let mut t = steady(2.0);
        t.start = 1.5;
        t.decline = 0.5;
        t.hw_life = 10.0;
        let mut rows = empty_rows(3.0);
        add_tranche(&mut rows, &t, 3.0, r);
        finish(&mut rows, r);
        let price = 2.0 * 1000.0 * 0.5f64.powf(1.5);
        assert!(close(rows[2].capex, price + 1000.0));
        assert_eq!(rows[1].capex + rows[1].energy, 0.0);
        assert!(close(rows[2].energy, 100.0));
        assert!(close(rows[3].energy, 200.0));
        assert!(close(rows[2].upkeep, 0.5 * 2.0 * 20.0 + 0.5 * 0.1 * price));
        // straight-line residual at r = 0: hardware 8.5 of 10 years left, facility 2.5 of 4
        assert!(close(-rows[3].residual, price * 0.85 + 1000.0 * 2.5 / 4.0));
        // the tranche starting at the end adds nothing
        let mut empty = empty_rows(3.0);
        t.start = 3.0;
        add_tranche(&mut empty, &t, 3.0, r);
        assert!(empty.iter().all(|y| y.capex == 0.0 && y.energy == 0.0));
    }
}
