//! CSV exports: fleets.csv (one row per fleet), comparisons.csv (one row per claim level),
//! cashflow.csv (one row per fleet and year).

use super::{CashflowRow, RunReport};
use crate::units::format::Num;

/// The text of an in-memory CSV writer (writing to memory cannot fail).
pub fn finish(w: csv::Writer<Vec<u8>>) -> String {
    String::from_utf8(w.into_inner().expect("in-memory CSV")).expect("CSV is UTF-8")
}

/// One row per fleet with every section-7 fleet key (and the added ones), in the order of
/// [`super::FleetRow`]; keys a workload lacks are empty.
pub fn fleets(r: &RunReport) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    for f in &r.fleets {
        w.serialize(f).expect("in-memory CSV");
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
            Num(c.rho).to_string(),
            Num(c.cost_reduction).to_string(),
        ];
        if c.claims.is_empty() {
            let mut rec = head.to_vec();
            rec.extend([String::new(), String::new(), String::new()]);
            w.write_record(rec).expect("in-memory CSV");
        }
        for cl in &c.claims {
            let mut rec = head.to_vec();
            rec.extend([
                Num(cl.level).to_string(),
                cl.holds.to_string(),
                Num(cl.margin).to_string(),
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
