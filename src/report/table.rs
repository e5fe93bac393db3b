//! The human-readable report of `fleetcost run` (and the markdown variant's sections).

use super::RunReport;
use crate::units::format::{
    denoise, fmt_fixed, fmt_short, fmt_si, fmt_sig, fmt_signed, fmt_thousands, fmt_usd,
};
use comfy_table::{presets, Cell, CellAlignment, Table};

/// No borders; a rule under the header only.
pub const HEADER_RULE: &str = "     ──            ";

/// A section: a heading, a header row and rows, right-aligned numbers.
pub struct Section {
    pub title: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

fn money(x: f64) -> String {
    if !x.is_finite() || (x != 0.0 && x.abs() < 0.01) {
        // Not "$0.00" for a fraction of a cent, not "$NaN".
        fmt_usd(x)
    } else if x.abs() < 100.0 {
        format!("${x:.2}")
    } else {
        format!("${}", fmt_thousands(x, 0))
    }
}

/// A year count without trailing zeros: 8, 8.5.
fn fmt_num(x: f64) -> String {
    fmt_short(x, 4)
}

/// Three significant digits, with thousands separators above 1,000: "0.742", "12.4", "1,234".
fn sig3(x: f64) -> String {
    fmt_sig(x, 3)
}

fn pct(x: f64) -> String {
    format!("{} %", fmt_fixed(x * 100.0, 1))
}

/// The sections of a run report, shared by the table and markdown formats.
pub fn sections(r: &RunReport) -> Vec<Section> {
    let unit = r
        .fleets
        .first()
        .map(|f| f.work_unit.clone())
        .unwrap_or_default();
    let mut out = vec![Section {
        title: "Sizing".into(),
        header: vec![
            "fleet",
            "chip",
            "chips",
            "nodes",
            "W/chip",
            "IT power",
            "facility power",
        ]
        .into_iter()
        .map(String::from)
        .collect(),
        rows: r
            .fleets
            .iter()
            .map(|f| {
                vec![
                    format!("{}{}", f.id, if f.mode == "rent" { " (rent)" } else { "" }),
                    f.chip.clone(),
                    fmt_thousands(f.chips as f64, 0),
                    fmt_thousands(f.nodes as f64, 0),
                    fmt_thousands(f.watts_per_chip, 1),
                    fmt_si(f.it_power_w, "W", 3),
                    fmt_si(f.facility_power_w, "W", 3),
                ]
            })
            .collect(),
    }];
    out.push(Section {
        title: "Cost per chip-hour (USD)".into(),
        header: vec![
            "fleet",
            "hw capital",
            "facility capital",
            "energy",
            "upkeep",
            "rent",
            "total",
            "per chip-year",
        ]
        .into_iter()
        .map(String::from)
        .collect(),
        rows: r
            .fleets
            .iter()
            .map(|f| {
                let h = |x: f64| fmt_fixed(x / crate::units::HOURS_PER_YEAR, 3);
                vec![
                    f.id.clone(),
                    h(f.hw_capital_per_chip_year),
                    h(f.facility_capital_per_chip_year),
                    h(f.energy_per_chip_year),
                    h(f.upkeep_per_chip_year),
                    h(f.rent_per_chip_year),
                    h(f.cost_per_chip_year),
                    money(f.cost_per_chip_year),
                ]
            })
            .collect(),
    });
    let tokens = r.fleets.iter().any(|f| f.tokens_per_s_per_chip.is_some());
    // A fleet running its own precision (fleet.precision) shows every fleet's.
    let precisions = r.fleets.iter().any(|f| f.precision != r.precision);
    let mut header: Vec<String> = vec!["fleet".into()];
    if precisions {
        header.push("precision".into());
    }
    header.push("effective TFLOP/s".into());
    if tokens {
        header.push("tokens/s/chip".into());
    }
    if r.fleets.iter().any(|f| f.batch.is_some()) {
        header.push("batch".into());
        header.push("chips/replica".into());
    }
    header.push(format!("{unit} per chip-year"));
    header.push(format!("USD per {unit} (annualised)"));
    header.push(match r.horizon_years {
        Some(h) => format!("(levelized over {} yr)", fmt_num(h)),
        None => "(levelized over the horizon)".into(),
    });
    out.push(Section {
        title: "Work and cost per unit".into(),
        header,
        rows: r
            .fleets
            .iter()
            .map(|f| {
                let mut row = vec![f.id.clone()];
                if precisions {
                    row.push(f.precision.clone());
                }
                row.push(fmt_thousands(f.effective_flops_per_chip / 1e12, 1));
                if tokens {
                    row.push(
                        f.tokens_per_s_per_chip
                            .map(|t| fmt_thousands(t, 1))
                            .unwrap_or_default(),
                    );
                }
                if let (Some(b), Some(n)) = (f.batch, f.replica_chips) {
                    row.push(b.to_string());
                    row.push(n.to_string());
                }
                row.push(fmt_thousands(f.work_per_chip_year, 1));
                row.push(fmt_fixed(f.cost_per_unit, 4));
                row.push(fmt_fixed(f.levelized_cost_per_unit, 4));
                row
            })
            .collect(),
    });
    if r.fleets.iter().any(|f| f.tpot.is_some()) {
        out.push(serving_section(r));
    }
    let carbon = r.fleets.iter().any(|f| f.kg_co2e_per_unit.is_some());
    let mut header: Vec<String> = vec!["fleet".into(), "facility kWh".into()];
    if carbon {
        header.push("kg CO2e".into());
    }
    out.push(Section {
        title: format!("Energy per {unit}"),
        header,
        rows: r
            .fleets
            .iter()
            .map(|f| {
                let mut row = vec![f.id.clone(), sig3(f.joules_per_unit / 3.6e6)];
                if carbon {
                    row.push(f.kg_co2e_per_unit.map(sig3).unwrap_or_default());
                }
                row
            })
            .collect(),
    });
    let runs = r.fleets.iter().any(|f| f.run_cost.is_some());
    let mut header: Vec<String> = vec![
        "fleet",
        "annual",
        "horizon cash (nominal)",
        "horizon cash (present value)",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    if runs {
        header.push("one training run".into());
        header.push("run time".into());
        header.push("chip-hours".into());
    }
    out.push(Section {
        title: "Fleet totals (USD; horizon cash = the sums of cashflow.csv)".into(),
        header,
        rows: r
            .fleets
            .iter()
            .map(|f| {
                let mut row = vec![
                    f.id.clone(),
                    fmt_usd(f.annual_cost),
                    fmt_usd(f.horizon_cost_nominal),
                    fmt_usd(f.horizon_cost_pv),
                ];
                if runs {
                    row.push(f.run_cost.map(fmt_usd).unwrap_or_default());
                    row.push(
                        f.run_seconds
                            .map(|s| format!("{} days", fmt_thousands(s / 86_400.0, 1)))
                            .unwrap_or_default(),
                    );
                    row.push(f.chip_hours.map(|h| fmt_si(h, "", 3)).unwrap_or_default());
                }
                row
            })
            .collect(),
    });
    if !r.comparisons.is_empty() {
        let levels: Vec<f64> = r.comparisons[0].claims.iter().map(|c| c.level).collect();
        let mut header: Vec<String> = vec![
            "candidate".into(),
            "rho (perf per $ vs baseline)".into(),
            "1 - 1/rho (lower cost per unit)".into(),
        ];
        header.extend(
            levels
                .iter()
                .map(|l| format!("rho >= {}?", fmt_fixed(*l, 2))),
        );
        out.push(Section {
            title: format!("Price-performance against {}", r.comparisons[0].baseline),
            header,
            rows: r
                .comparisons
                .iter()
                .map(|c| {
                    let mut row = vec![
                        c.candidate.clone(),
                        fmt_fixed(c.rho, 3),
                        // 1 - 1/rho: a difference of numbers near 1.
                        pct(denoise(c.cost_reduction, 1.0)),
                    ];
                    row.extend(c.claims.iter().map(|cl| {
                        format!(
                            "{} ({})",
                            if cl.holds { "holds" } else { "fails" },
                            fmt_signed(denoise(cl.margin, cl.level), 3)
                        )
                    }));
                    row
                })
                .collect(),
        });
    }
    if let Some(c) = &r.contract {
        out.push(Section {
            title: format!(
                "Contract: {} over {} years buys fleet {}",
                fmt_usd(c.value),
                c.term_years,
                c.fleet
            ),
            header: vec![
                "implied USD/chip-h",
                "fleet cost USD/chip-h",
                "implied margin (1 - cost/price)",
                "implied markup (price/cost - 1)",
                "fleet cost over the term",
            ]
            .into_iter()
            .map(String::from)
            .collect(),
            rows: vec![vec![
                fmt_fixed(c.implied_per_chip_hour, 3),
                fmt_fixed(c.cost_per_chip_hour, 3),
                pct(c.implied_margin),
                pct(c.implied_markup),
                fmt_usd(c.term_cost_nominal),
            ]],
        });
    }
    program_sections(r, &mut out);
    out
}

/// Programs (MODEL.md section 8): totals, each program's years, contracts, comparisons.
fn program_sections(r: &RunReport, out: &mut Vec<Section>) {
    if r.programs.is_empty() {
        return;
    }
    let unit = &r.programs[0].work_unit;
    let strs = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    out.push(Section {
        title: "Programs: capacity over time (USD; cash over the horizon)".into(),
        header: strs(&[
            "program",
            "tranches (fleet @ start: chips)",
            "peak power",
            "cash (nominal)",
            "cash (present value)",
            &format!("USD per {unit} (levelized)"),
        ]),
        rows: r
            .programs
            .iter()
            .map(|p| {
                let tranches: Vec<String> = p
                    .tranches
                    .iter()
                    .map(|t| {
                        format!(
                            "{} @ {} yr: {}",
                            t.fleet,
                            fmt_num(t.start_years),
                            fmt_thousands(t.chips, 0)
                        )
                    })
                    .collect();
                vec![
                    p.id.clone(),
                    tranches.join("; "),
                    fmt_si(p.peak_power_w, "W", 3),
                    fmt_usd(p.nominal_cost),
                    fmt_usd(p.pv_cost),
                    fmt_fixed(p.levelized_cost_per_unit, 4),
                ]
            })
            .collect(),
    });
    for p in &r.programs {
        let contract = p.contract.is_some();
        let mut header = strs(&[
            "year",
            "power online",
            "chips online",
            "capex",
            "running",
            "residual",
            "total",
            "discounted",
        ]);
        if contract {
            header.extend(strs(&["payments", "net", "cumulative net"]));
        }
        let mut cumulative = 0.0;
        out.push(Section {
            title: format!("Program {}: years (USD)", p.id),
            header,
            rows: p
                .years
                .iter()
                .map(|y| {
                    let mut row = vec![
                        y.year.to_string(),
                        fmt_si(y.power_online_w, "W", 3),
                        fmt_thousands(y.chips_online, 0),
                        fmt_usd(y.capex),
                        fmt_usd(y.energy + y.upkeep + y.rent),
                        fmt_usd(y.residual),
                        fmt_usd(y.total),
                        fmt_usd(y.discounted_total),
                    ];
                    if contract {
                        cumulative += y.net;
                        row.extend([fmt_usd(y.payments), fmt_usd(y.net), fmt_usd(cumulative)]);
                    }
                    row
                })
                .collect(),
        });
        if let Some(c) = &p.contract {
            out.push(Section {
                title: format!(
                    "Program {} contract: {} over {} yr from year {} (provider's view)",
                    p.id,
                    fmt_usd(c.value),
                    fmt_num(c.term_years),
                    fmt_num(c.start_years)
                ),
                header: strs(&[
                    "payments (PV)",
                    "provider NPV",
                    "provider IRR",
                    "payback year",
                    "implied USD/chip-h",
                    &format!("implied USD per {unit}"),
                    "implied margin (NPV/PV payments)",
                ]),
                rows: vec![vec![
                    fmt_usd(c.payments_pv),
                    fmt_usd(c.provider_npv),
                    match c.provider_irr {
                        Some(i) if c.multiple_irr => format!("{} (several)", pct(i)),
                        Some(i) => pct(i),
                        None => "none".into(),
                    },
                    c.payback_year
                        .map(|y| y.to_string())
                        .unwrap_or_else(|| "never".into()),
                    fmt_fixed(c.implied_per_chip_hour, 3),
                    fmt_fixed(c.implied_per_unit, 4),
                    pct(c.implied_margin),
                ]],
            });
        }
    }
    if !r.program_comparisons.is_empty() {
        out.push(Section {
            title: format!(
                "Programs against {} (rho of levelized costs)",
                r.program_comparisons[0].baseline
            ),
            header: strs(&["program", "rho", "1 - 1/rho"]),
            rows: r
                .program_comparisons
                .iter()
                .map(|c| {
                    vec![
                        c.candidate.clone(),
                        fmt_fixed(c.rho, 3),
                        pct(denoise(1.0 - 1.0 / c.rho, 1.0)),
                    ]
                })
                .collect(),
        });
    }
}

/// The serving figures of an inference run: latency, what set the batch, the cost split.
fn serving_section(r: &RunReport) -> Section {
    let ms = |x: Option<f64>| {
        x.map(|v| fmt_fixed(v * 1e3, 2))
            .unwrap_or_else(|| "-".into())
    };
    let inputs = r.fleets.iter().any(|f| f.cost_per_m_input_tokens.is_some());
    let mut header: Vec<String> = vec![
        "fleet",
        "batch (set by)",
        "bound",
        "ttft ms",
        "tpot ms",
        "tokens/s/user",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    if inputs {
        header.push("USD per 1M input".into());
    }
    header.push("USD per 1M output".into());
    header.push("J/token".into());
    header.push("tokens/s per MW".into());
    Section {
        title: "Serving".into(),
        header,
        rows: r
            .fleets
            .iter()
            .map(|f| {
                let mut row = vec![
                    f.id.clone(),
                    format!(
                        "{} ({})",
                        f.batch.unwrap_or_default(),
                        f.batch_limit.clone().unwrap_or_default()
                    ),
                    f.bound.clone().unwrap_or_default(),
                    ms(f.ttft),
                    ms(f.tpot),
                    f.tokens_per_s_per_user
                        .map(|t| fmt_thousands(t, 1))
                        .unwrap_or_default(),
                ];
                if inputs {
                    row.push(
                        f.cost_per_m_input_tokens
                            .map(|c| fmt_fixed(c, 4))
                            .unwrap_or_else(|| "-".into()),
                    );
                }
                let num = |x: Option<f64>, d| x.map(|v| fmt_thousands(v, d)).unwrap_or_default();
                row.push(
                    f.cost_per_m_output_tokens
                        .map(|c| fmt_fixed(c, 4))
                        .unwrap_or_default(),
                );
                row.push(
                    f.joules_per_token
                        .map(|j| fmt_fixed(j, 3))
                        .unwrap_or_default(),
                );
                row.push(num(f.tokens_per_s_per_mw, 0));
                row
            })
            .collect(),
    }
}

/// One line saying what the numbers are about.
pub fn headline(r: &RunReport) -> String {
    let unit = r.fleets.first().map(|f| f.work_unit.as_str()).unwrap_or("");
    format!(
        "{}\nworkload: {} at {}; work unit: {unit}",
        super::elide(&r.name, super::NAME_SHOWN),
        r.workload,
        r.precision
    )
}

fn render(s: &Section, preset: &str) -> String {
    let mut t = Table::new();
    t.load_preset(preset);
    t.set_header(s.header.iter().map(Cell::new));
    for row in &s.rows {
        t.add_row(row.iter().enumerate().map(|(i, c)| {
            let cell = Cell::new(c);
            if i == 0 {
                cell
            } else {
                cell.set_alignment(CellAlignment::Right)
            }
        }));
    }
    for (i, col) in t.column_iter_mut().enumerate() {
        if i > 0 {
            col.set_cell_alignment(CellAlignment::Right);
        }
    }
    t.to_string()
}

/// The plain-text report.
pub fn render_table(r: &RunReport) -> String {
    let mut out = headline(r);
    out.push_str("\n\n");
    for s in sections(r) {
        out.push_str(&s.title);
        out.push('\n');
        out.push_str(&render(&s, HEADER_RULE));
        out.push_str("\n\n");
    }
    for p in &r.programs {
        if let Some(note) = p.contract.as_ref().and_then(|c| c.irr_note.as_ref()) {
            out.push_str(&format!("program {}: {note}\n", p.id));
        }
    }
    if !r.comparisons.is_empty() {
        out.push_str("rho = cost per unit of the baseline / cost per unit of the candidate.\n");
    }
    if r.comparisons.iter().any(|c| !c.claims.is_empty()) {
        // The readings of a claim matter only where a claim is tested.
        out.push_str(
            "AWS's reading of \"x % better price-performance\" is rho >= 1 + x; the stricter \
             \"x % lower cost\"\nis 1 - 1/rho >= x.\n",
        );
    }
    out
}

/// Markdown sections (used by `--format markdown`).
pub fn render_markdown(r: &RunReport) -> String {
    let mut out = format!(
        "# {}\n\n{}\n\n",
        super::elide(&r.name, super::NAME_SHOWN),
        headline(r).lines().nth(1).unwrap_or("")
    );
    for s in sections(r) {
        out.push_str(&format!("## {}\n\n", s.title));
        out.push_str(&render(&s, presets::ASCII_MARKDOWN));
        out.push_str("\n\n");
    }
    out
}
