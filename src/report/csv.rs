//! CSV exports: fleets.csv (one row per fleet), comparisons.csv (one row per claim level),
//! cashflow.csv (one row per fleet and year).

use super::{CashflowRow, RunReport};
use crate::units::format::Num;

/// The text of an in-memory CSV writer (writing to memory cannot fail).
pub fn finish(w: csv::Writer<Vec<u8>>) -> String {
    String::from_utf8(w.into_inner().expect("in-memory CSV")).expect("CSV is UTF-8")
}

/// The text of an in-memory CSV writer whose rows were serialized from structs, with every
/// number written by [`Num`] (serde writes an f64 in full: 1999993013.9999998), so the
/// serialized files follow the same number rule as the hand-written ones. A field is a number
/// where it parses as one in a column whose every non-empty field does (ids stay as written).
pub fn finish_serialized(w: csv::Writer<Vec<u8>>) -> String {
    let text = finish(w);
    let mut rd = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes());
    let rows: Vec<csv::StringRecord> = rd.records().map(|r| r.expect("in-memory CSV")).collect();
    let Some(width) = rows.first().map(|h| h.len()) else {
        return text;
    };
    let numeric: Vec<bool> = (0..width)
        .map(|c| {
            rows.iter()
                .skip(1)
                .filter_map(|r| r.get(c))
                .filter(|f| !f.is_empty())
                .all(|f| f.parse::<f64>().is_ok())
        })
        .collect();
    let mut out = csv::Writer::from_writer(Vec::new());
    for (i, row) in rows.iter().enumerate() {
        let rec: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(c, f)| match f.parse::<f64>() {
                Ok(x) if i > 0 && numeric[c] && f.contains(['.', 'e', 'E']) => Num(x).to_string(),
                _ => f.to_string(),
            })
            .collect();
        out.write_record(&rec).expect("in-memory CSV");
    }
    finish(out)
}

/// One row per fleet with every section-7 fleet key (and the added ones), in the order of
/// [`super::FleetRow`]; keys a workload lacks are empty. The headline comparison follows on
/// each row: `baseline`, `rho` and `cost_reduction` against it (1 and 0 on the baseline's own
/// row), then `holds_L` and `margin_L` for each claim level L, so a spreadsheet has the claim
/// test beside the costs without joining comparisons.csv.
pub fn fleets(r: &RunReport) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    for f in &r.fleets {
        w.serialize(f).expect("in-memory CSV");
    }
    let plain = finish_serialized(w);
    let mut rd = csv::Reader::from_reader(plain.as_bytes());
    let mut out = csv::Writer::from_writer(Vec::new());
    let levels: Vec<f64> = r
        .comparisons
        .first()
        .map(|c| c.claims.iter().map(|l| l.level).collect())
        .unwrap_or_default();
    let baseline = r.comparisons.first().map(|c| c.baseline.clone());
    let mut header = rd.headers().expect("in-memory CSV").clone();
    if baseline.is_some() {
        header.extend(["baseline", "rho", "cost_reduction"]);
        for l in &levels {
            let l = Num(*l).to_string();
            header.extend([format!("holds_{l}"), format!("margin_{l}")]);
        }
    }
    out.write_record(&header).expect("in-memory CSV");
    for (f, rec) in r.fleets.iter().zip(rd.records()) {
        let mut rec = rec.expect("in-memory CSV");
        if let Some(b) = &baseline {
            let cmp = r.comparisons.iter().find(|c| c.candidate == f.id);
            let (rho, red) = cmp.map_or((1.0, 0.0), |c| (c.rho, c.cost_reduction));
            rec.extend([b.clone(), Num(rho).to_string(), Num(red).to_string()]);
            for (i, l) in levels.iter().enumerate() {
                let (holds, margin) = match cmp {
                    Some(c) => (c.claims[i].holds, c.claims[i].margin),
                    // The baseline against itself: rho 1.
                    None => (1.0 >= *l, 1.0 - l),
                };
                rec.extend([holds.to_string(), Num(margin).to_string()]);
            }
        }
        out.write_record(&rec).expect("in-memory CSV");
    }
    finish(out)
}

/// contract.csv: the contract check of MODEL.md section 5, one row; `None` without a contract.
pub fn contract(r: &RunReport) -> Option<String> {
    let c = r.contract.as_ref()?;
    let mut w = csv::Writer::from_writer(Vec::new());
    w.serialize(c).expect("in-memory CSV");
    Some(finish_serialized(w))
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
    finish_serialized(w)
}

/// Reads cashflow.csv back (for `fleetcost plot DIR`).
pub fn read_cashflow(text: &str) -> Result<Vec<CashflowRow>, String> {
    csv::Reader::from_reader(text.as_bytes())
        .deserialize()
        .collect::<Result<Vec<CashflowRow>, _>>()
        .map_err(|e| e.to_string())
}

/// programs.csv: one row per program with its totals and its contract's figures (empty
/// without a contract; provider_irr empty when there is none, irr_note saying why).
pub fn programs(r: &RunReport) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "program",
        "work_unit",
        "nominal_cost",
        "pv_cost",
        "pv_work",
        "levelized_cost_per_unit",
        "peak_power_w",
        "peak_chips",
        "contract_value",
        "start_years",
        "term_years",
        "payments_pv",
        "provider_npv",
        "provider_irr",
        "multiple_irr",
        "payback_year",
        "implied_per_unit",
        "implied_per_chip_hour",
        "implied_margin",
        "irr_note",
    ])
    .expect("in-memory CSV");
    let num = |x: f64| Num(x).to_string();
    for p in &r.programs {
        let mut rec = vec![
            p.id.clone(),
            p.work_unit.clone(),
            num(p.nominal_cost),
            num(p.pv_cost),
            num(p.pv_work),
            num(p.levelized_cost_per_unit),
            num(p.peak_power_w),
            num(p.peak_chips),
        ];
        match &p.contract {
            Some(c) => rec.extend([
                num(c.value),
                num(c.start_years),
                num(c.term_years),
                num(c.payments_pv),
                num(c.provider_npv),
                c.provider_irr.map(num).unwrap_or_default(),
                c.multiple_irr.to_string(),
                c.payback_year.map(|y| y.to_string()).unwrap_or_default(),
                num(c.implied_per_unit),
                num(c.implied_per_chip_hour),
                num(c.implied_margin),
                c.irr_note.clone().unwrap_or_default(),
            ]),
            None => rec.extend(std::iter::repeat(String::new()).take(12)),
        }
        w.write_record(rec).expect("in-memory CSV");
    }
    finish(w)
}

/// program_years.csv: one row per program and year (the columns of [`ProgramYearRow`]).
pub fn program_years(r: &RunReport) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "program",
        "year",
        "power_online_w",
        "chips_online",
        "capex",
        "energy",
        "upkeep",
        "rent",
        "residual",
        "total",
        "discounted_total",
        "work",
        "payments",
        "net",
    ])
    .expect("in-memory CSV");
    for p in &r.programs {
        for y in &p.years {
            let num = |x: f64| Num(x).to_string();
            w.write_record([
                p.id.clone(),
                y.year.to_string(),
                num(y.power_online_w),
                num(y.chips_online),
                num(y.capex),
                num(y.energy),
                num(y.upkeep),
                num(y.rent),
                num(y.residual),
                num(y.total),
                num(y.discounted_total),
                num(y.work),
                num(y.payments),
                num(y.net),
            ])
            .expect("in-memory CSV");
        }
    }
    finish(w)
}
