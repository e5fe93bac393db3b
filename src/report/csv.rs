//! CSV exports: fleets.csv (one row per fleet), comparisons.csv (one row per claim level),
//! cashflow.csv (one row per fleet and year).

use super::{CashflowRow, RunReport};

fn finish(w: csv::Writer<Vec<u8>>) -> String {
    String::from_utf8(w.into_inner().expect("in-memory CSV")).expect("CSV is UTF-8")
}

fn opt(x: Option<f64>) -> String {
    x.map(|v| v.to_string()).unwrap_or_default()
}

/// One row per fleet with every section-7 fleet key.
pub fn fleets(r: &RunReport) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "id",
        "chip",
        "mode",
        "chips",
        "nodes",
        "it_power_w",
        "facility_power_w",
        "watts_per_chip",
        "hw_capex_per_chip",
        "facility_capex_per_chip",
        "hw_capital_per_chip_year",
        "facility_capital_per_chip_year",
        "capital_per_chip_year",
        "energy_per_chip_year",
        "upkeep_per_chip_year",
        "rent_per_chip_year",
        "cost_per_chip_year",
        "cost_per_chip_hour",
        "effective_flops_per_chip",
        "work_unit",
        "work_per_chip_year",
        "cost_per_unit",
        "annual_cost",
        "horizon_cost_nominal",
        "horizon_cost_pv",
        "tokens_per_s_per_chip",
        "batch",
        "replica_chips",
        "run_cost",
        "run_seconds",
    ])
    .expect("in-memory CSV");
    for f in &r.fleets {
        w.write_record([
            f.id.clone(),
            f.chip.clone(),
            f.mode.clone(),
            f.chips.to_string(),
            f.nodes.to_string(),
            f.it_power_w.to_string(),
            f.facility_power_w.to_string(),
            f.watts_per_chip.to_string(),
            f.hw_capex_per_chip.to_string(),
            f.facility_capex_per_chip.to_string(),
            f.hw_capital_per_chip_year.to_string(),
            f.facility_capital_per_chip_year.to_string(),
            f.capital_per_chip_year.to_string(),
            f.energy_per_chip_year.to_string(),
            f.upkeep_per_chip_year.to_string(),
            f.rent_per_chip_year.to_string(),
            f.cost_per_chip_year.to_string(),
            f.cost_per_chip_hour.to_string(),
            f.effective_flops_per_chip.to_string(),
            f.work_unit.clone(),
            f.work_per_chip_year.to_string(),
            f.cost_per_unit.to_string(),
            f.annual_cost.to_string(),
            f.horizon_cost_nominal.to_string(),
            f.horizon_cost_pv.to_string(),
            opt(f.tokens_per_s_per_chip),
            f.batch.map(|b| b.to_string()).unwrap_or_default(),
            f.replica_chips.map(|b| b.to_string()).unwrap_or_default(),
            opt(f.run_cost),
            opt(f.run_seconds),
        ])
        .expect("in-memory CSV");
    }
    finish(w)
}

/// One row per candidate and claim level (one row with empty claim columns when there are no
/// claim levels).
pub fn comparisons(r: &RunReport) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "candidate",
        "baseline",
        "rho",
        "cost_reduction",
        "claim_level",
        "holds",
        "margin",
    ])
    .expect("in-memory CSV");
    for c in &r.comparisons {
        let head = [
            c.candidate.clone(),
            c.baseline.clone(),
            c.rho.to_string(),
            c.cost_reduction.to_string(),
        ];
        if c.claims.is_empty() {
            let mut rec = head.to_vec();
            rec.extend([String::new(), String::new(), String::new()]);
            w.write_record(rec).expect("in-memory CSV");
        }
        for cl in &c.claims {
            let mut rec = head.to_vec();
            rec.extend([
                cl.level.to_string(),
                cl.holds.to_string(),
                cl.margin.to_string(),
            ]);
            w.write_record(rec).expect("in-memory CSV");
        }
    }
    finish(w)
}

/// cashflow.csv.
pub fn cashflow(rows: &[CashflowRow]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    for r in rows {
        w.serialize(r).expect("in-memory CSV");
    }
    if rows.is_empty() {
        w.write_record([
            "fleet",
            "year",
            "capex",
            "energy",
            "upkeep",
            "rent",
            "residual",
            "total",
            "discounted_total",
        ])
        .expect("in-memory CSV");
    }
    finish(w)
}

/// Reads cashflow.csv back (for `fleetcost plot DIR`).
pub fn read_cashflow(text: &str) -> Result<Vec<CashflowRow>, String> {
    csv::Reader::from_reader(text.as_bytes())
        .deserialize()
        .collect::<Result<Vec<CashflowRow>, _>>()
        .map_err(|e| e.to_string())
}
