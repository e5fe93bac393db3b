//! The Fleets sheet: sizing, cost and work per fleet (MODEL.md sections 2-4) as formulas.

use super::*;

/// Writes the Fleets sheet; returns each quantity's row by key.
pub(super) fn sheet(
    wb: &mut Workbook,
    b: &Book,
    names: &mut Vec<(String, String)>,
) -> Result<HashMap<&'static str, u32>, XlsxError> {
    let (s, o, r, st) = (b.s, b.o, b.r, b.st);
    let x = &s.inputs;
    let has = |path: &str| b.input_row.contains_key(path);
    let Layout { last_year, nf, .. } = b.layout;
    let cash_block = |fi: usize| b.layout.cash_block(fi);
    let mut ws = new_sheet();
    ws.set_name(FLEETS)?;
    ws.write_string_with_format(
        0,
        0,
        "Fleets: MODEL.md sections 2 (sizing), 3 (cost) and 4 (work), as formulas of the Inputs",
        &st.title,
    )?;
    for (c, h) in ["quantity", "key", "unit"].into_iter().enumerate() {
        ws.write_string_with_format(2, c as u16, h, &st.header)?;
    }
    let first_col = FIRST_COL;
    let note_col = first_col + nf as u16;
    ws.write_string_with_format(2, note_col, "formula", &st.header)?;
    for (fi, f) in x.fleets.iter().enumerate() {
        ws.write_string_with_format(2, first_col + fi as u16, &f.id, &st.header)?;
    }
    let fleet_json: Vec<serde_json::Value> = r
        .fleets
        .iter()
        .map(|fr| serde_json::to_value(fr).expect("rows serialise"))
        .collect();
    let prec = x.workload.precision.name();
    let kind = x.workload.kind;
    let mut sheet = FleetSheet {
        ws,
        rows: HashMap::new(),
        next: 3,
        note_col,
        first_col,
        ids: x.fleets.iter().map(|f| f.id.clone()).collect(),
        json: fleet_json,
        names: Vec::new(),
    };
    let site = |k: &str| input_name(&format!("site.{k}"));
    let fin = |k: &str| input_name(&format!("finance.{k}"));
    let wl = |k: &str| input_name(&format!("workload.{k}"));
    let f_ = |formula: String| Cell::Formula(formula, None);

    // Section 2: sizing.
    sheet.add(
        "mode",
        "own or rent",
        "",
        "rent: fleet.ID.rent is set",
        false,
        &|c| f_(format!("IF(ISBLANK({}),\"own\",\"rent\")", c.i("rent"))),
    )?;
    sheet.add(
        "pue",
        "pue",
        "-",
        "the fleet's own or the site's",
        false,
        &|c| f_(c.i("pue")),
    )?;
    sheet.add(
        "watts_per_chip",
        "provisioned IT power per chip w",
        "W",
        "tdp + node_power / chips_per_node + network_power",
        true,
        &|c| {
            f_(format!(
                "{}+{}/{}+{}",
                c.i("chip.tdp"),
                c.i("node_power"),
                c.i("chips_per_node"),
                c.i("network_power")
            ))
        },
    )?;
    sheet.add(
        "it_budget",
        "IT power budget P_it",
        "W",
        "power / pue on a facility basis, power on an IT basis",
        false,
        &|c| {
            f_(format!(
                "IF({}=\"facility\",{}/{},{})",
                input_name("site.power_basis"),
                site("power"),
                c.r("pue"),
                site("power")
            ))
        },
    )?;
    sheet.add(
        "nodes_fit",
        "nodes that fit P_it / (chips_per_node * w)",
        "-",
        "before rounding down",
        false,
        &|c| {
            f_(format!(
                "{}/({}*{})",
                c.r("it_budget"),
                c.i("chips_per_node"),
                c.r("watts_per_chip")
            ))
        },
    )?;
    // floor and ceil absorb 4 ulps of float noise (MODEL.md section 2, src/model/sizing.rs).
    let tfloor = |v: &str| {
        format!(
            "IF(AND({v}-INT({v})>0.5,1-({v}-INT({v}))<=4*2^-52*MAX(ABS({v}),1)),INT({v})+1,INT({v}))"
        )
    };
    let tceil = |v: &str| {
        format!(
            "IF(OR({v}-INT({v})=0,AND({v}-INT({v})<=0.5,{v}-INT({v})<=4*2^-52*MAX(ABS({v}),1))),INT({v}),INT({v})+1)"
        )
    };
    sheet.add(
        "nodes",
        "nodes",
        "-",
        "floor(P_it / (chips_per_node * w)); with chips: ceil(chips / chips_per_node)",
        true,
        &|c| {
            let chips = c.i("chips");
            let per = format!("({chips}/{})", c.i("chips_per_node"));
            f_(format!(
                "IF(ISBLANK({chips}),{},{})",
                tfloor(&c.r("nodes_fit")),
                tceil(&per)
            ))
        },
    )?;
    sheet.add(
        "chips",
        "chips N",
        "-",
        "nodes * chips_per_node, or fleet.ID.chips",
        true,
        &|c| {
            let chips = c.i("chips");
            f_(format!(
                "IF(ISBLANK({chips}),{}*{},{chips})",
                c.r("nodes"),
                c.i("chips_per_node")
            ))
        },
    )?;
    sheet.add("it_power_w", "fleet IT power", "W", "N * w", true, &|c| {
        f_(format!("{}*{}", c.r("chips"), c.r("watts_per_chip")))
    })?;
    sheet.add(
        "facility_power_w",
        "fleet facility power",
        "W",
        "N * w * pue",
        true,
        &|c| {
            f_(format!(
                "{}*{}*{}",
                c.r("chips"),
                c.r("watts_per_chip"),
                c.r("pue")
            ))
        },
    )?;
    // Section 3: cost per chip-year. Own-cost figures are 0 for a rented fleet.
    let own = |c: &Ctx, formula: String| format!("IF({}=\"rent\",0,{formula})", c.r("mode"));
    sheet.add(
        "hw_capex_per_chip",
        "hardware capex per chip hw",
        "USD",
        "price + node_price / chips_per_node + network_price",
        true,
        &|c| {
            f_(own(
                c,
                format!(
                    "{}+{}/{}+{}",
                    c.i("chip.price"),
                    c.i("node_price"),
                    c.i("chips_per_node"),
                    c.i("network_price")
                ),
            ))
        },
    )?;
    sheet.add(
        "facility_capex_per_chip",
        "facility capex per chip fac",
        "USD",
        "facility_capex * w",
        true,
        &|c| {
            f_(own(
                c,
                format!("{}*{}", c.i("facility_capex"), c.r("watts_per_chip")),
            ))
        },
    )?;
    let crf = |r: &str, n: &str| format!("IF({r}=0,1/{n},{r}*(1+{r})^{n}/((1+{r})^{n}-1))");
    sheet.add(
        "crf_hw",
        "CRF(r, hardware_life)",
        "1/yr",
        "r (1+r)^n / ((1+r)^n - 1); 1/n at r = 0",
        false,
        &|c| f_(own(c, crf(&fin("discount_rate"), &c.i("hardware_life")))),
    )?;
    sheet.add(
        "crf_fac",
        "CRF(r, facility_life)",
        "1/yr",
        "r (1+r)^n / ((1+r)^n - 1); 1/n at r = 0",
        false,
        &|c| f_(own(c, crf(&fin("discount_rate"), &c.i("facility_life")))),
    )?;
    sheet.add(
        "hw_capital_per_chip_year",
        "hardware capital",
        "USD/yr",
        "hw * CRF(r, hardware_life)",
        true,
        &|c| f_(format!("{}*{}", c.r("hw_capex_per_chip"), c.r("crf_hw"))),
    )?;
    sheet.add(
        "facility_capital_per_chip_year",
        "facility capital",
        "USD/yr",
        "fac * CRF(r, facility_life)",
        true,
        &|c| {
            f_(format!(
                "{}*{}",
                c.r("facility_capex_per_chip"),
                c.r("crf_fac")
            ))
        },
    )?;
    sheet.add(
        "capital_per_chip_year",
        "capital",
        "USD/yr",
        "hardware + facility capital",
        true,
        &|c| {
            f_(format!(
                "{}+{}",
                c.r("hw_capital_per_chip_year"),
                c.r("facility_capital_per_chip_year")
            ))
        },
    )?;
    sheet.add(
        "energy_per_chip_year",
        "energy",
        "USD/yr",
        "w * power_load * pue * 8766 h * electricity (USD/kWh / 1000 per Wh)",
        true,
        &|c| {
            f_(own(
                c,
                format!(
                    "{}*{}*{}*{HOURS_PER_YEAR}*{}/1000",
                    c.r("watts_per_chip"),
                    c.i("power_load"),
                    c.r("pue"),
                    c.i("electricity")
                ),
            ))
        },
    )?;
    sheet.add(
        "upkeep_fixed",
        "software + facility opex",
        "USD/yr",
        "software + facility_opex * w: the upkeep that is not maintenance",
        false,
        &|c| {
            f_(own(
                c,
                format!(
                    "{}+{}*{}",
                    c.i("software"),
                    c.i("facility_opex"),
                    c.r("watts_per_chip")
                ),
            ))
        },
    )?;
    sheet.add(
        "upkeep_per_chip_year",
        "upkeep",
        "USD/yr",
        "maintenance * hw + software + facility_opex * w",
        true,
        &|c| {
            f_(own(
                c,
                format!(
                    "{}*{}+{}",
                    c.i("maintenance"),
                    c.r("hw_capex_per_chip"),
                    c.r("upkeep_fixed")
                ),
            ))
        },
    )?;
    sheet.add(
        "rent_per_chip_year",
        "rent",
        "USD/yr",
        "rent * 8766 h",
        true,
        &|c| {
            f_(format!(
                "IF({}=\"rent\",{}*{HOURS_PER_YEAR},0)",
                c.r("mode"),
                c.i("rent")
            ))
        },
    )?;
    sheet.add(
        "cost_per_chip_year",
        "cost per chip-year C",
        "USD/yr",
        "capital + energy + upkeep (owned) or rent",
        true,
        &|c| {
            f_(format!(
                "{}+{}+{}+{}",
                c.r("capital_per_chip_year"),
                c.r("energy_per_chip_year"),
                c.r("upkeep_per_chip_year"),
                c.r("rent_per_chip_year")
            ))
        },
    )?;
    sheet.add(
        "cost_per_chip_hour",
        "cost per chip-hour",
        "USD/h",
        "C / 8766",
        true,
        &|c| f_(format!("{}/{HOURS_PER_YEAR}", c.r("cost_per_chip_year"))),
    )?;
    // Section 4: work.
    // Each fleet's precision (its own or the workload's), fixed when written.
    let precs: Vec<&str> = x
        .fleets
        .iter()
        .map(|f| f.precision(&x.workload).name())
        .collect();
    sheet.add(
        "effective_flops_per_chip",
        &format!(
            "effective FLOP/s R ({})",
            if precs.iter().all(|p| *p == prec) {
                prec.to_string()
            } else {
                "each fleet's precision".into()
            }
        ),
        "FLOP/s",
        "peak[precision] * 1e12 * mfu * availability (the precision is fixed when written)",
        true,
        &|c| {
            f_(format!(
                "{}*1E12*{}*{}",
                c.i(&format!("chip.peak.{}", precs[c.fi])),
                c.i("mfu"),
                c.i("availability")
            ))
        },
    )?;
    match kind {
        WorkloadKind::Flops => {}
        WorkloadKind::Training => {
            // F_tok = 6 Pa (+ 12 layers heads head_dim seq_len with seq_len), section 4.
            let pa = if has("workload.active_params") {
                format!(
                    "IF(ISBLANK({0}),{1},{0})",
                    wl("active_params"),
                    wl("model_params")
                )
            } else {
                wl("model_params")
            };
            let attention = if has("workload.seq_len") {
                format!(
                    "+IF(ISBLANK({s}),0,12*{}*{}*{}*{s})",
                    wl("layers"),
                    wl("heads"),
                    wl("head_dim"),
                    s = wl("seq_len")
                )
            } else {
                String::new()
            };
            sheet.add(
                "flops_per_token",
                "training FLOP per token F_tok",
                "FLOP",
                "6 * active_params (+ 12 * layers * heads * head_dim * seq_len with seq_len)",
                true,
                &|_| f_(format!("6*{pa}{attention}")),
            )?;
            sheet.add(
                "tokens_per_s_per_chip",
                "training tokens/s per chip",
                "1/s",
                "R / F_tok",
                true,
                &|c| {
                    f_(format!(
                        "{}/{}",
                        c.r("effective_flops_per_chip"),
                        c.r("flops_per_token")
                    ))
                },
            )?;
        }
        WorkloadKind::Inference => {
            sheet.add(
                "tokens_per_s_per_chip",
                "output tokens/s per chip",
                "1/s",
                "VALUE from fleetcost's serving model (MODEL.md section 4, not a formula here): \
                 rerun fleetcost after changing a workload, chip memory or utilisation input",
                true,
                &|c| Cell::Value(o.fleets[c.fi].tokens_per_s.unwrap_or(f64::NAN)),
            )?;
        }
    }
    sheet.add(
        "work_per_chip_year",
        &format!("work per chip-year ({})", kind.work_unit()),
        kind.work_unit(),
        match kind {
            WorkloadKind::Flops => "R * 8766 * 3600 / 1e18",
            _ => "tokens/s * 8766 * 3600 / 1e6",
        },
        true,
        &|c| match kind {
            WorkloadKind::Flops => f_(format!(
                "{}*{HOURS_PER_YEAR}*3600/1E18",
                c.r("effective_flops_per_chip")
            )),
            _ => f_(format!(
                "{}*{HOURS_PER_YEAR}*3600/1E6",
                c.r("tokens_per_s_per_chip")
            )),
        },
    )?;
    // Section 5: cost per unit.
    sheet.add(
        "cost_per_unit",
        &format!("cost per unit (USD per {})", kind.work_unit()),
        "USD",
        "C / work per chip-year (annualised)",
        true,
        &|c| {
            f_(format!(
                "{}/{}",
                c.r("cost_per_chip_year"),
                c.r("work_per_chip_year")
            ))
        },
    )?;
    sheet.add(
        "annual_cost",
        "annual cost",
        "USD/yr",
        "N * C",
        true,
        &|c| f_(format!("{}*{}", c.r("chips"), c.r("cost_per_chip_year"))),
    )?;
    let cash_range = |fi: usize, col: u16| {
        let a = cash_block(fi);
        format!("'{CASH}'!{}:{}", a1(a, col), a1(a + last_year, col))
    };
    sheet.add(
        "horizon_cost_nominal",
        "horizon cost, nominal",
        "USD",
        "sum of the Cash flow sheet's totals",
        true,
        &|c| f_(format!("SUM({})", cash_range(c.fi, CC_TOTAL))),
    )?;
    sheet.add(
        "horizon_cost_pv",
        "horizon cost, present value",
        "USD",
        "sum of the Cash flow sheet's discounted totals",
        true,
        &|c| f_(format!("SUM({})", cash_range(c.fi, CC_DISCOUNTED))),
    )?;
    if r.fleets.iter().any(|f| {
        serde_json::to_value(f)
            .ok()
            .and_then(|v| v.get("levelized_cost_per_unit").cloned())
            .is_some()
    }) {
        sheet.add(
            "levelized_cost_per_unit",
            "cost per unit levelized over the horizon",
            "USD",
            "PV of the cash / PV of the work (Cash flow sheet)",
            true,
            &|c| {
                f_(format!(
                    "SUM({})/SUMPRODUCT({},{})",
                    cash_range(c.fi, CC_DISCOUNTED),
                    cash_range(c.fi, CC_WORK),
                    cash_range(c.fi, CC_FACTOR)
                ))
            },
        )?;
    }
    if kind == WorkloadKind::Training && x.workload.tokens.is_some() {
        sheet.add(
            "run_cost",
            "cost of one training run",
            "USD",
            "tokens / 1e6 * cost per unit",
            true,
            &|c| f_(format!("{}/1E6*{}", wl("tokens"), c.r("cost_per_unit"))),
        )?;
        sheet.add(
            "run_seconds",
            "wall time of one run",
            "s",
            "tokens / (N * tokens/s per chip)",
            true,
            &|c| {
                f_(format!(
                    "{}/({}*{})",
                    wl("tokens"),
                    c.r("chips"),
                    c.r("tokens_per_s_per_chip")
                ))
            },
        )?;
    }
    if kind == WorkloadKind::Training && x.workload.tokens.is_some() {
        sheet.add(
            "chip_hours",
            "chip-hours of one run",
            "h",
            "N * run seconds / 3600",
            true,
            &|c| f_(format!("{}*{}/3600", c.r("chips"), c.r("run_seconds"))),
        )?;
    }
    sheet.add(
        "joules_per_unit",
        "facility energy per unit of work",
        "J",
        "w * power_load * pue * 8766 * 3600 / work per chip-year",
        true,
        &|c| {
            f_(format!(
                "{}*{}*{}*{HOURS_PER_YEAR}*3600/{}",
                c.r("watts_per_chip"),
                c.i("power_load"),
                c.r("pue"),
                c.r("work_per_chip_year")
            ))
        },
    )?;
    if has("site.carbon_intensity") {
        sheet.add(
            "kg_co2e_per_unit",
            "emissions per unit of work",
            "kg CO2e",
            "carbon_intensity * joules per unit / 3.6e6 (needs site.carbon_intensity)",
            x.site.carbon_intensity.is_some(),
            &|c| {
                f_(format!(
                    "{}*{}/3.6E6",
                    site("carbon_intensity"),
                    c.r("joules_per_unit")
                ))
            },
        )?;
    }
    sheet.add(
        "decline",
        "price decline per year",
        "-",
        "fraction off every later hardware purchase",
        false,
        &|c| {
            let p = format!("fleet.{}.price_decline", c.id);
            if has(&p) {
                f_(input_name(&p))
            } else {
                Cell::Value(0.0)
            }
        },
    )?;
    let FleetSheet {
        mut ws,
        rows: frow,
        names: fleet_names,
        ..
    } = sheet;
    names.extend(fleet_names);
    ws.set_column_width(0, 40)?;
    ws.set_column_width(1, 30)?;
    ws.set_column_width(2, 10)?;
    for fi in 0..nf {
        ws.set_column_width(first_col + fi as u16, 16)?;
    }
    ws.set_column_width(note_col, 70)?;
    ws.set_freeze_panes(3, 3)?;
    wb.push_worksheet(ws);
    Ok(frow)
}
