//! The Comparisons sheet: rho, the cost reduction and each claim level (MODEL.md section 5),
//! and the contract check.

use super::*;

/// Writes the Comparisons sheet.
pub(super) fn sheet(
    wb: &mut Workbook,
    b: &Book,
    names: &mut Vec<(String, String)>,
) -> Result<(), XlsxError> {
    let (s, o, r, st) = (b.s, b.o, b.r, b.st);
    let x = &s.inputs;
    let fleet_cell = |fi: usize, key: &str| b.fleet_cell(fi, key);
    let mut ws = new_sheet();
    ws.set_name(COMPARISONS)?;
    ws.write_string_with_format(
        0,
        0,
        "Price-performance (MODEL.md section 5): rho = cost per unit of the baseline / cost per \
         unit of the candidate",
        &st.title,
    )?;
    let mut header = vec![
        "candidate".to_string(),
        "baseline".into(),
        "rho".into(),
        "cost_reduction (1 - 1/rho)".into(),
    ];
    for i in 0..x.compare.claims.len() {
        header.push(format!("claim {} level", i + 1));
        header.push(format!("claim {} holds (rho >= level)", i + 1));
        header.push(format!("claim {} margin (rho - level)", i + 1));
    }
    for (c, h) in header.iter().enumerate() {
        ws.write_string_with_format(2, c as u16, h, &st.header)?;
    }
    let mut crow = 3u32;
    for (ci, cmp) in o.comparisons.iter().enumerate() {
        let cand = &x.fleets[cmp.candidate].id;
        let base = &x.fleets[cmp.baseline].id;
        let cr = &r.comparisons[ci];
        ws.write_string(crow, 0, cand)?;
        ws.write_string(crow, 1, base)?;
        put(
            &mut ws,
            st,
            crow,
            2,
            Cell::Formula(
                format!(
                    "{}/{}",
                    result_name("cost_per_unit", base),
                    result_name("cost_per_unit", cand)
                ),
                Some(cr.rho),
            ),
        )?;
        names.push((result_name("rho", cand), abs(COMPARISONS, crow, 2)));
        put(
            &mut ws,
            st,
            crow,
            3,
            Cell::Formula(format!("1-1/{}", a1(crow, 2)), Some(cr.cost_reduction)),
        )?;
        names.push((
            result_name("cost_reduction", cand),
            abs(COMPARISONS, crow, 3),
        ));
        for (i, _) in x.compare.claims.iter().enumerate() {
            let col = 4 + 3 * i as u16;
            let level = input_name(&format!("compare.claim.{}", i + 1));
            put(&mut ws, st, crow, col, Cell::Formula(level, None))?;
            let holds = Formula::new(format!("={}>={}", a1(crow, 2), a1(crow, col)))
                .set_result(if cr.claims[i].holds { "TRUE" } else { "FALSE" });
            ws.write_formula(crow, col + 1, holds)?;
            names.push((
                result_name(&format!("claim_{}_holds", i + 1), cand),
                abs(COMPARISONS, crow, col + 1),
            ));
            put(
                &mut ws,
                st,
                crow,
                col + 2,
                Cell::Formula(
                    format!("{}-{}", a1(crow, 2), a1(crow, col)),
                    Some(cr.claims[i].margin),
                ),
            )?;
            names.push((
                result_name(&format!("claim_{}_margin", i + 1), cand),
                abs(COMPARISONS, crow, col + 2),
            ));
        }
        crow += 1;
    }
    if o.comparisons.is_empty() {
        ws.write_string(crow, 0, "(one fleet: nothing to compare)")?;
        crow += 1;
    }
    if let (Some(c), Some(cr)) = (&x.contract, &r.contract) {
        crow += 1;
        ws.write_string_with_format(
            crow,
            0,
            format!(
                "Contract check: {} buys fleet {}'s whole capacity for the term",
                crate::units::format::fmt_si(c.value, "USD", 3),
                cr.fleet
            ),
            &st.title,
        )?;
        crow += 1;
        let fi = c.fleet;
        let json = serde_json::to_value(cr).expect("rows serialise");
        let cached = |k: &str| json.get(k).and_then(|v| v.as_f64());
        let implied = format!(
            "{}/({}*{}*{HOURS_PER_YEAR})",
            input_name("contract.value"),
            fleet_cell(fi, "chips"),
            input_name("contract.term")
        );
        let mut lines: Vec<(&str, &str, String)> = vec![
            (
                "value",
                "contract value (USD)",
                input_name("contract.value"),
            ),
            ("term_years", "term (yr)", input_name("contract.term")),
            (
                "implied_per_chip_hour",
                "implied price per chip-hour: value / (N * term * 8766)",
                implied,
            ),
            (
                "cost_per_chip_hour",
                "the fleet's cost per chip-hour",
                fleet_cell(fi, "cost_per_chip_hour"),
            ),
        ];
        let (implied_ref, cost_ref) = (a1(crow + 2, 1), a1(crow + 3, 1));
        lines.push((
            "implied_margin",
            "implied margin: 1 - cost / implied (margin on the price)",
            format!("1-{cost_ref}/{implied_ref}"),
        ));
        lines.push((
            "implied_markup",
            "implied markup: implied / cost - 1",
            format!("{implied_ref}/{cost_ref}-1"),
        ));
        lines.push((
            "term_cost_nominal",
            "nominal cost over the term: N * C * term",
            format!(
                "{}*{}*{}",
                fleet_cell(fi, "chips"),
                fleet_cell(fi, "cost_per_chip_year"),
                input_name("contract.term")
            ),
        ));
        for (key, label, formula) in lines {
            ws.write_string(crow, 0, label)?;
            put(&mut ws, st, crow, 1, Cell::Formula(formula, cached(key)))?;
            ws.write_string_with_format(crow, 2, key, &st.note)?;
            names.push((format!("contract_{key}"), abs(COMPARISONS, crow, 1)));
            crow += 1;
        }
    }
    ws.set_column_width(0, 58)?;
    for c in 1..(4 + 3 * x.compare.claims.len() as u16) {
        ws.set_column_width(c, 18)?;
    }
    wb.push_worksheet(ws);
    Ok(())
}
