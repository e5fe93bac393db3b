//! The Cash flow sheet (MODEL.md section 3) and the Purchases sheet it books from.

use super::*;

/// Writes the Cash flow and Purchases sheets.
pub(super) fn sheets(wb: &mut Workbook, b: &Book) -> Result<(), XlsxError> {
    let (s, cash, st) = (b.s, b.cash, b.st);
    let x = &s.inputs;
    let fin = |k: &str| input_name(&format!("finance.{k}"));
    let fleet_cell = |fi: usize, key: &str| b.fleet_cell(fi, key);
    let Layout {
        last_year,
        nf,
        purchase_last,
        ..
    } = b.layout;
    let cash_block = |fi: usize| b.layout.cash_block(fi);
    let purchase_blocks = &b.layout.purchase_blocks;
    let mut ws = new_sheet();
    ws.set_name(CASH)?;
    ws.write_string_with_format(
        0,
        0,
        "Cash flow (MODEL.md section 3): year k covers (k-1, k] and is discounted by (1+r)^-k; \
         purchases from the Purchases sheet; the residual value credited in the last year",
        &st.title,
    )?;
    for (c, h) in CASH_HEADER.iter().enumerate() {
        ws.write_string_with_format(2, c as u16, *h, &st.header)?;
    }
    let h = fin("horizon");
    let rate = fin("discount_rate");
    let last = format!("MAX(1,-INT(-({h}-1E-9)))");
    let plast = purchase_last + 1;
    let pcol = |c: u16| format!("'{PURCHASES}'!${0}$4:${0}${plast}", col_name(c));
    let cash_of = |fleet: &str, year: u32| {
        cash.iter()
            .find(|c| c.fleet == fleet && c.year == year)
            .cloned()
    };
    for (fi, f) in x.fleets.iter().enumerate() {
        for year in 0..=last_year {
            let row = cash_block(fi) + year;
            let cached = cash_of(&f.id, year);
            let cv = |g: fn(&CashflowRow) -> f64| cached.as_ref().map(g);
            ws.write_string(row, CC_FLEET, &f.id)?;
            ws.write_number(row, CC_YEAR, year as f64)?;
            let y = a1(row, CC_YEAR);
            let share = if year == 0 {
                "0".to_string()
            } else {
                format!("MAX(0,MIN(1,{h}-({y}-1)))")
            };
            put(&mut ws, st, row, CC_SHARE, Cell::Formula(share, None))?;
            let sh = a1(row, CC_SHARE);
            let n = fleet_cell(fi, "chips");
            let id = a1(row, CC_FLEET);
            put(
                &mut ws,
                st,
                row,
                CC_CAPEX,
                Cell::Formula(
                    format!(
                        "SUMIFS({},{},{id},{},{y})",
                        pcol(PC_AMOUNT),
                        pcol(PC_FLEET),
                        pcol(PC_BOOKED)
                    ),
                    cv(|c| c.capex),
                ),
            )?;
            put(
                &mut ws,
                st,
                row,
                CC_ENERGY,
                Cell::Formula(
                    format!("{n}*{}*{sh}", fleet_cell(fi, "energy_per_chip_year")),
                    cv(|c| c.energy),
                ),
            )?;
            let maint = if year == 0 {
                String::new()
            } else {
                format!(
                    "+SUMIFS({},{},{id})",
                    pcol(PC_MAINT + year as u16 - 1),
                    pcol(PC_FLEET)
                )
            };
            put(
                &mut ws,
                st,
                row,
                CC_UPKEEP,
                Cell::Formula(
                    format!("{n}*{}*{sh}{maint}", fleet_cell(fi, "upkeep_fixed")),
                    cv(|c| c.upkeep),
                ),
            )?;
            put(
                &mut ws,
                st,
                row,
                CC_RENT,
                Cell::Formula(
                    format!("{n}*{}*{sh}", fleet_cell(fi, "rent_per_chip_year")),
                    cv(|c| c.rent),
                ),
            )?;
            put(
                &mut ws,
                st,
                row,
                CC_RESIDUAL,
                Cell::Formula(
                    format!(
                        "IF({y}={last},-SUMIFS({},{},{id}),0)",
                        pcol(PC_RESIDUAL),
                        pcol(PC_FLEET)
                    ),
                    cv(|c| c.residual),
                ),
            )?;
            put(
                &mut ws,
                st,
                row,
                CC_TOTAL,
                Cell::Formula(
                    format!("SUM({}:{})", a1(row, CC_CAPEX), a1(row, CC_RESIDUAL)),
                    cv(|c| c.total),
                ),
            )?;
            put(
                &mut ws,
                st,
                row,
                CC_FACTOR,
                Cell::Formula(format!("(1+{rate})^-{y}"), None),
            )?;
            put(
                &mut ws,
                st,
                row,
                CC_DISCOUNTED,
                Cell::Formula(
                    format!("{}*{}", a1(row, CC_TOTAL), a1(row, CC_FACTOR)),
                    cv(|c| c.discounted_total),
                ),
            )?;
            put(
                &mut ws,
                st,
                row,
                CC_WORK,
                Cell::Formula(
                    format!("{n}*{}*{sh}", fleet_cell(fi, "work_per_chip_year")),
                    None,
                ),
            )?;
        }
    }
    ws.write_string_with_format(
        cash_block(nf),
        0,
        format!(
            "Rows cover years 0..{last_year} (the horizon as written); a longer horizon needs a \
             rerun of fleetcost."
        ),
        &st.note,
    )?;
    ws.set_column_width(0, 12)?;
    for c in 1..CASH_HEADER.len() as u16 {
        ws.set_column_width(c, 16)?;
    }
    ws.set_freeze_panes(3, 2)?;
    wb.push_worksheet(ws);

    let mut ws = new_sheet();
    ws.set_name(PURCHASES)?;
    ws.write_string_with_format(
        0,
        0,
        "Purchases (MODEL.md sections 3 and 8): hardware at 0 and every hardware_life before the \
         horizon, at price * (1 - price_decline)^t; the facility likewise; booked in year \
         ceil(t); the last one still in service is credited purchase * AF(r, life - age) / \
         AF(r, life) at the horizon",
        &st.title,
    )?;
    let mut pheader: Vec<String> = PURCHASE_HEADER.iter().map(|s| s.to_string()).collect();
    for k in 1..=last_year {
        pheader.push(format!("maintenance in year {k}"));
    }
    for (c, hd) in pheader.iter().enumerate() {
        ws.write_string_with_format(2, c as u16, hd, &st.header)?;
    }
    let af = |m: &str| format!("IF({rate}=0,{m},(1-(1+{rate})^-({m}))/{rate})");
    for (fi, f) in x.fleets.iter().enumerate() {
        for (ai, &(a, b)) in purchase_blocks[fi].iter().enumerate() {
            let hardware = ai == 0;
            let life = if hardware {
                input_name(&format!("fleet.{}.hardware_life", f.id))
            } else {
                input_name(&format!("fleet.{}.facility_life", f.id))
            };
            for row in a..=b {
                let j = row - a;
                ws.write_string(row, PC_FLEET, &f.id)?;
                ws.write_string(
                    row,
                    PC_ASSET,
                    if hardware { "hardware" } else { "facility" },
                )?;
                ws.write_number(row, PC_J, j as f64)?;
                let t = a1(row, PC_T);
                let valid = a1(row, PC_VALID);
                put(
                    &mut ws,
                    st,
                    row,
                    PC_T,
                    Cell::Formula(format!("{}*{life}", a1(row, PC_J)), None),
                )?;
                put(
                    &mut ws,
                    st,
                    row,
                    PC_VALID,
                    Cell::Formula(
                        format!(
                            "AND({}<>\"rent\",OR({}=0,{t}<{h}*(1-1E-12)))",
                            fleet_cell(fi, "mode"),
                            a1(row, PC_J)
                        ),
                        None,
                    ),
                )?;
                put(
                    &mut ws,
                    st,
                    row,
                    PC_BOOKED,
                    Cell::Formula(
                        format!("IF({valid},MIN({last},MAX(0,-INT(-({t}-1E-9)))),-1)"),
                        None,
                    ),
                )?;
                let amount = if hardware {
                    format!(
                        "{}*{}*(1-{})^{t}",
                        fleet_cell(fi, "chips"),
                        fleet_cell(fi, "hw_capex_per_chip"),
                        fleet_cell(fi, "decline")
                    )
                } else {
                    format!(
                        "{}*{}",
                        fleet_cell(fi, "chips"),
                        fleet_cell(fi, "facility_capex_per_chip")
                    )
                };
                put(
                    &mut ws,
                    st,
                    row,
                    PC_AMOUNT,
                    Cell::Formula(format!("IF({valid},{amount},0)"), None),
                )?;
                let is_last = if row == b {
                    valid.clone()
                } else {
                    format!("AND({valid},NOT({}))", a1(row + 1, PC_VALID))
                };
                put(&mut ws, st, row, PC_LAST, Cell::Formula(is_last, None))?;
                let last_cell = a1(row, PC_LAST);
                put(
                    &mut ws,
                    st,
                    row,
                    PC_UNTIL,
                    Cell::Formula(
                        format!("IF({valid},IF({last_cell},{h},{t}+{life}),0)"),
                        None,
                    ),
                )?;
                put(
                    &mut ws,
                    st,
                    row,
                    PC_REMAINING,
                    Cell::Formula(format!("{t}+{life}-{h}"), None),
                )?;
                let rem = a1(row, PC_REMAINING);
                put(
                    &mut ws,
                    st,
                    row,
                    PC_RESIDUAL,
                    Cell::Formula(
                        format!(
                            "IF(AND({last_cell},{rem}>0),{}*{}/{},0)",
                            a1(row, PC_AMOUNT),
                            af(&rem),
                            af(&life)
                        ),
                        None,
                    ),
                )?;
                for k in 1..=last_year {
                    let col = PC_MAINT + k as u16 - 1;
                    let formula = if hardware {
                        format!(
                            "{}*{}*MAX(0,MIN({k},{})-MAX({k}-1,{t}))",
                            input_name(&format!("fleet.{}.maintenance", f.id)),
                            a1(row, PC_AMOUNT),
                            a1(row, PC_UNTIL)
                        )
                    } else {
                        "0".into()
                    };
                    put(&mut ws, st, row, col, Cell::Formula(formula, None))?;
                }
            }
        }
    }
    ws.write_string_with_format(
        purchase_last + 1,
        0,
        "Each fleet has rows for the purchases of its lives as written (at least one per year \
         of the horizon); a life shorter than one year, or a longer horizon, needs a rerun of \
         fleetcost.",
        &st.note,
    )?;
    ws.set_column_width(0, 12)?;
    ws.set_freeze_panes(3, 2)?;
    wb.push_worksheet(ws);
    Ok(())
}
