//! `workbook.xlsx`: the run as a live spreadsheet (MODEL.md sections 2, 3 and 5 as formulas).
//!
//! Sheets:
//! - **Inputs**: every numeric input after `--set` ([`Param::all`]) in its key table's unit
//!   (the unit a bare `--set` number is read in), with its unit, meaning and source; a fleet's
//!   inherited site value (pue, electricity, facility_*) is a formula of the site's cell, so
//!   changing the site's value changes every fleet that inherits it. Each value cell has the
//!   defined name `in_<path with dots as underscores>` (`in_fleet_trn3_chip_price`).
//! - **Fleets**: one column per fleet; sizing (section 2), cost per chip-year and per chip-hour
//!   (section 3), work per chip-year (section 4: a formula for flops and training, a value for
//!   the serving model of inference, marked so), cost per unit and the horizon totals, which
//!   are sums of the Cash flow sheet. Result cells carry the name `<json key>_<fleet>`
//!   (`cost_per_unit_trn3`, `cost_per_chip_hour_trn3`).
//! - **Comparisons**: rho, 1 - 1/rho and each claim level per candidate (section 5; named
//!   `rho_<candidate>`, ...), and the contract check.
//! - **Cash flow**: the section-3 table, one row per fleet and year, and **Purchases**, the
//!   hardware and facility purchases it books (with the residual value credited at the horizon).
//!
//! A figure a formula cannot express (the serving model) is a value in italics with a note.
//! Names use '_' for the '-' a fleet id may contain.

use super::{CashflowRow, RunReport};
use crate::model::{Outcome, PowerBasis, WorkloadKind};
use crate::scenario::{Catalog, Param, Scenario};
use crate::units::HOURS_PER_YEAR;
use rust_xlsxwriter::{Color, Format, Formula, Workbook, Worksheet, XlsxError};
use std::collections::HashMap;

/// The workbook's file name inside a run folder.
pub const FILE: &str = "workbook.xlsx";

/// A defined name for a parameter path: `in_` + the path with '.' and '-' as '_'.
pub fn input_name(path: &str) -> String {
    format!("in_{}", sanitize(path))
}

/// A result's defined name: `<key>_<id>` with '-' as '_'.
pub fn result_name(key: &str, id: &str) -> String {
    format!("{key}_{}", sanitize(id))
}

fn sanitize(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

/// Column letters of a 0-based column index.
fn col_name(mut c: u16) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (c % 26) as u8);
        if c < 26 {
            break;
        }
        c = c / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).expect("ascii")
}

/// A1 reference of (row, col), 0-based.
fn a1(row: u32, col: u16) -> String {
    format!("{}{}", col_name(col), row + 1)
}

/// Absolute reference to a cell of `sheet`.
fn abs(sheet: &str, row: u32, col: u16) -> String {
    format!("'{sheet}'!${}${}", col_name(col), row + 1)
}

/// What goes into one cell.
enum Cell {
    /// A formula (without '='), with the model's value as its cached result.
    Formula(String, Option<f64>),
    /// A value the formulas do not express, marked in italics.
    Value(f64),
}

struct Styles {
    header: Format,
    input: Format,
    value: Format,
    note: Format,
    title: Format,
}

impl Styles {
    fn new() -> Styles {
        Styles {
            header: Format::new().set_bold(),
            input: Format::new().set_background_color(Color::RGB(0xFFF2CC)),
            value: Format::new()
                .set_italic()
                .set_font_color(Color::RGB(0x7F6000)),
            note: Format::new().set_font_color(Color::RGB(0x595959)),
            title: Format::new().set_bold().set_font_size(13),
        }
    }
}

fn put(ws: &mut Worksheet, st: &Styles, row: u32, col: u16, cell: Cell) -> Result<(), XlsxError> {
    match cell {
        Cell::Formula(f, cached) => {
            let mut formula = Formula::new(format!("={f}"));
            if let Some(v) = cached.filter(|v| v.is_finite()) {
                formula = formula.set_result(format!("{v:?}"));
            }
            ws.write_formula(row, col, formula)?;
        }
        Cell::Value(v) => {
            ws.write_number_with_format(row, col, v, &st.value)?;
        }
    }
    Ok(())
}

/// Where one line of the scenario text starts and its trailing comment, for source notes.
fn line_note(text: &str, offset: usize) -> (usize, Option<String>) {
    let line = text[..offset.min(text.len())].matches('\n').count() + 1;
    let start = text[..offset.min(text.len())]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    let end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    let comment = text[offset.min(end)..end]
        .find('#')
        .map(|i| text[offset + i + 1..end].trim().to_string())
        .filter(|c| !c.is_empty());
    (line, comment)
}

/// The source note of an input: the --set that gave it, the scenario line (with its comment),
/// the catalog row, the site value it inherits, or the default.
fn source_note(s: &Scenario, p: Param, path: &str, catalog: &Catalog) -> String {
    if let Some(set) = s
        .sets
        .iter()
        .rev()
        .find(|a| a.split_once('=').is_some_and(|(k, _)| k.trim() == path))
    {
        return format!("--set '{set}'");
    }
    if let Some(span) = s.spans.get(path) {
        let (line, comment) = line_note(&s.text, span.start);
        return match comment {
            Some(c) => format!("{} line {line}: {c}", s.file),
            None => format!("{} line {line}", s.file),
        };
    }
    match p {
        Param::Chip(i, _) | Param::Peak(i, _) => {
            let label = &s.inputs.fleets[i].chip.label;
            if let Some(row) = catalog.get(label) {
                return format!("catalog {label}: {}", row.source);
            }
        }
        Param::Fleet(..) => {
            if let Some(site) = inherited_from(s, p) {
                return format!("inherits {site} (a formula; type a value to override)");
            }
        }
        _ => {}
    }
    if p.get(&s.inputs).is_none() {
        "not set".into()
    } else {
        "default (MODEL.md key table)".into()
    }
}

/// The site-level (or workload) path a fleet key inherits when the fleet does not set it.
fn inherited_from(s: &Scenario, p: Param) -> Option<&'static str> {
    let Param::Fleet(i, k) = p else { return None };
    let from = match k.spec().name {
        "pue" => "site.pue",
        "electricity" => "site.electricity",
        "facility_capex" => "site.facility_capex",
        "facility_life" => "site.facility_life",
        "facility_opex" => "site.facility_opex",
        "tensor_parallel" => "workload.tensor_parallel",
        _ => return None,
    };
    k.own(&s.inputs, i).is_none().then_some(from)
}

/// How one fleet's column sees the sheet: its cells by quantity key, its inputs by name.
struct Ctx<'a> {
    fi: usize,
    id: &'a str,
    col: u16,
    rows: &'a HashMap<&'static str, u32>,
}

impl Ctx<'_> {
    /// This fleet's cell of quantity `key`.
    fn r(&self, key: &str) -> String {
        a1(self.rows[key], self.col)
    }
    /// This fleet's input `key` (a path below fleet.ID).
    fn i(&self, key: &str) -> String {
        input_name(&format!("fleet.{}.{key}", self.id))
    }
}

/// The Fleets sheet while it is written: one row per quantity, one column per fleet.
struct FleetSheet {
    ws: Worksheet,
    rows: HashMap<&'static str, u32>,
    next: u32,
    note_col: u16,
    first_col: u16,
    ids: Vec<String>,
    /// Each fleet's JSON row: the cached results of named formulas.
    json: Vec<serde_json::Value>,
    names: Vec<(String, String)>,
}

impl FleetSheet {
    /// Adds quantity `key` (named `<key>_<fleet>` when `named`) with each fleet's cell.
    #[allow(clippy::too_many_arguments)]
    fn add(
        &mut self,
        key: &'static str,
        label: &str,
        unit: &str,
        note: &str,
        named: bool,
        cell: &dyn Fn(&Ctx) -> Cell,
    ) -> Result<(), XlsxError> {
        let st = Styles::new();
        let row = self.next;
        self.next += 1;
        self.ws.write_string(row, 0, label)?;
        if named {
            self.ws.write_string(row, 1, key)?;
        }
        self.ws.write_string(row, 2, unit)?;
        self.ws
            .write_string_with_format(row, self.note_col, note, &st.note)?;
        for fi in 0..self.ids.len() {
            let col = self.first_col + fi as u16;
            let c = cell(&Ctx {
                fi,
                id: &self.ids[fi],
                col,
                rows: &self.rows,
            });
            // The model's figure as the cached result of a named formula.
            let c = match c {
                Cell::Formula(text, None) if named => {
                    let v = self.json[fi].get(key).and_then(|v| v.as_f64());
                    Cell::Formula(text, v)
                }
                c => c,
            };
            put(&mut self.ws, &st, row, col, c)?;
            if named {
                self.names
                    .push((result_name(key, &self.ids[fi]), abs(FLEETS, row, col)));
            }
        }
        self.rows.insert(key, row);
        Ok(())
    }
}

/// A new worksheet whose formulas without a cached result are calculated on load by every
/// spreadsheet (LibreOffice shows a cached 0 as 0 until something changes).
fn new_sheet() -> Worksheet {
    let mut ws = Worksheet::new();
    ws.set_formula_result_default("");
    ws
}

/// Sheet names.
const INPUTS: &str = "Inputs";
const FLEETS: &str = "Fleets";
const COMPARISONS: &str = "Comparisons";
const CASH: &str = "Cash flow";
const PURCHASES: &str = "Purchases";

/// Writes the workbook of an evaluated scenario: `r` and `cash` are the run's report and
/// cash-flow rows (the formulas' cached results and the values formulas cannot express).
pub fn workbook(
    s: &Scenario,
    o: &Outcome,
    r: &RunReport,
    cash: &[CashflowRow],
) -> Result<Vec<u8>, String> {
    build(s, o, r, cash).map_err(|e| format!("cannot build {FILE}: {e}"))
}

fn build(
    s: &Scenario,
    o: &Outcome,
    r: &RunReport,
    cash: &[CashflowRow],
) -> Result<Vec<u8>, XlsxError> {
    let st = Styles::new();
    let mut wb = Workbook::new();
    let mut names: Vec<(String, String)> = Vec::new();
    let x = &s.inputs;
    let catalog = Catalog::shipped();

    // ---- Inputs ----
    let mut ws = new_sheet();
    ws.set_name(INPUTS)?;
    ws.write_string_with_format(
        0,
        0,
        format!("Inputs of {}", super::elide(&s.name, 200)),
        &st.title,
    )?;
    ws.write_string_with_format(
        1,
        0,
        "Yellow cells are inputs: change one and every sheet recalculates. Values are in the \
         unit column's unit (the unit a bare number takes in the scenario file and in --set).",
        &st.note,
    )?;
    for (c, h) in ["parameter", "value", "unit", "what", "source"]
        .into_iter()
        .enumerate()
    {
        ws.write_string_with_format(3, c as u16, h, &st.header)?;
    }
    let mut row = 4u32;
    let mut input_row: HashMap<String, u32> = HashMap::new();
    // Settings that are text; only power_basis is read by formulas.
    let basis = match x.site.power_basis {
        PowerBasis::Facility => "facility",
        PowerBasis::It => "it",
    };
    let settings: Vec<(&str, String, &str)> = vec![
        (
            "workload.kind",
            x.workload.kind.name().to_string(),
            "fixed when written: the formulas below are this kind's",
        ),
        (
            "workload.precision",
            x.workload.precision.name().to_string(),
            "fixed when written: the Fleets sheet reads the peaks at this precision",
        ),
        (
            "site.power_basis",
            basis.to_string(),
            "\"facility\" or \"it\": read by the sizing formulas",
        ),
        (
            "compare.baseline",
            x.fleets[x.compare.baseline].id.clone(),
            "fixed when written",
        ),
    ];
    for (path, v, about) in settings {
        ws.write_string(row, 0, path)?;
        ws.write_string_with_format(row, 1, v, &st.input)?;
        ws.write_string(row, 2, "text")?;
        ws.write_string(row, 3, about)?;
        let src = match s.spans.get(path) {
            Some(sp) => format!("{} line {}", s.file, line_note(&s.text, sp.start).0),
            None => "default (MODEL.md key table)".into(),
        };
        ws.write_string(row, 4, src)?;
        names.push((input_name(path), abs(INPUTS, row, 1)));
        input_row.insert(path.to_string(), row);
        row += 1;
    }
    for (i, level) in x.compare.claims.iter().enumerate() {
        let path = format!("compare.claim.{}", i + 1);
        ws.write_string(row, 0, &path)?;
        ws.write_number_with_format(row, 1, *level, &st.input)?;
        ws.write_string(row, 2, "-")?;
        ws.write_string(row, 3, "claim level: rho >= level")?;
        let src = match s.spans.get("compare.claim") {
            Some(sp) => format!("{} line {}", s.file, line_note(&s.text, sp.start).0),
            None => "scenario".into(),
        };
        ws.write_string(row, 4, src)?;
        names.push((input_name(&path), abs(INPUTS, row, 1)));
        input_row.insert(path, row);
        row += 1;
    }
    for p in Param::all(x) {
        let path = p.path(x);
        let spec = p.spec();
        ws.write_string(row, 0, &path)?;
        // An inherited value links to its source, unless that is absent too.
        match inherited_from(s, p).filter(|_| p.get(x).is_some()) {
            Some(site) => {
                let f = Formula::new(format!("={}", input_name(site)));
                let f = match p.get(x) {
                    Some(v) => f.set_result(format!("{:?}", v / spec.unit.si)),
                    None => f,
                };
                ws.write_formula_with_format(row, 1, f, &st.input)?;
            }
            None => match p.get(x) {
                Some(v) => {
                    ws.write_number_with_format(row, 1, v / spec.unit.si, &st.input)?;
                }
                None => {
                    ws.write_blank(row, 1, &st.input)?;
                }
            },
        }
        ws.write_string(row, 2, spec.unit.name)?;
        ws.write_string(row, 3, spec.about)?;
        ws.write_string(row, 4, source_note(s, p, &path, catalog))?;
        names.push((input_name(&path), abs(INPUTS, row, 1)));
        input_row.insert(path, row);
        row += 1;
    }
    ws.set_column_width(0, 34)?;
    ws.set_column_width(1, 16)?;
    ws.set_column_width(2, 10)?;
    ws.set_column_width(3, 44)?;
    ws.set_column_width(4, 60)?;
    ws.set_freeze_panes(4, 1)?;
    wb.push_worksheet(ws);

    // Is an input present in this scenario (so its name exists)?
    let has = |path: &str| input_row.contains_key(path);

    // ---- Layout of the cash-flow and purchase tables (needed by the Fleets sheet) ----
    let h_years = x.finance.horizon / crate::units::SECONDS_PER_YEAR;
    let last_year = (h_years - 1e-9).ceil().max(1.0) as u32;
    let nf = x.fleets.len();
    let cash_first = 3u32; // first data row of the Cash flow sheet
    let cash_block = |fi: usize| cash_first + fi as u32 * (last_year + 1);
    // Purchases: per fleet, a hardware block then a facility block, each `rows_for(life)` long.
    let rows_for = |life_s: Option<f64>| -> u32 {
        let life = life_s.unwrap_or(f64::INFINITY) / crate::units::SECONDS_PER_YEAR;
        let by_life = if life.is_finite() && life > 0.0 {
            (h_years / life).ceil() as u32
        } else {
            1
        };
        by_life.max(last_year) + 1
    };
    let mut purchase_blocks: Vec<[(u32, u32); 2]> = Vec::new();
    let mut prow = 3u32;
    for f in &x.fleets {
        let hw = rows_for(f.hardware_life);
        let fac = rows_for(Some(f.facility_life.unwrap_or(x.site.facility_life)));
        purchase_blocks.push([(prow, prow + hw - 1), (prow + hw, prow + hw + fac - 1)]);
        prow += hw + fac;
    }
    let purchase_last = prow - 1;

    // ---- Fleets ----
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
    let first_col = 3u16;
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
    let fleet_cell = |fi: usize, key: &str| abs(FLEETS, frow[key], first_col + fi as u16);
    wb.push_worksheet(ws);

    // ---- Comparisons ----
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
            &st,
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
            &st,
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
            put(&mut ws, &st, crow, col, Cell::Formula(level, None))?;
            let holds = Formula::new(format!("={}>={}", a1(crow, 2), a1(crow, col)))
                .set_result(if cr.claims[i].holds { "TRUE" } else { "FALSE" });
            ws.write_formula(crow, col + 1, holds)?;
            names.push((
                result_name(&format!("claim_{}_holds", i + 1), cand),
                abs(COMPARISONS, crow, col + 1),
            ));
            put(
                &mut ws,
                &st,
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
            put(&mut ws, &st, crow, 1, Cell::Formula(formula, cached(key)))?;
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

    // ---- Cash flow ----
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
            put(&mut ws, &st, row, CC_SHARE, Cell::Formula(share, None))?;
            let sh = a1(row, CC_SHARE);
            let n = fleet_cell(fi, "chips");
            let id = a1(row, CC_FLEET);
            put(
                &mut ws,
                &st,
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
                &st,
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
                &st,
                row,
                CC_UPKEEP,
                Cell::Formula(
                    format!("{n}*{}*{sh}{maint}", fleet_cell(fi, "upkeep_fixed")),
                    cv(|c| c.upkeep),
                ),
            )?;
            put(
                &mut ws,
                &st,
                row,
                CC_RENT,
                Cell::Formula(
                    format!("{n}*{}*{sh}", fleet_cell(fi, "rent_per_chip_year")),
                    cv(|c| c.rent),
                ),
            )?;
            put(
                &mut ws,
                &st,
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
                &st,
                row,
                CC_TOTAL,
                Cell::Formula(
                    format!("SUM({}:{})", a1(row, CC_CAPEX), a1(row, CC_RESIDUAL)),
                    cv(|c| c.total),
                ),
            )?;
            put(
                &mut ws,
                &st,
                row,
                CC_FACTOR,
                Cell::Formula(format!("(1+{rate})^-{y}"), None),
            )?;
            put(
                &mut ws,
                &st,
                row,
                CC_DISCOUNTED,
                Cell::Formula(
                    format!("{}*{}", a1(row, CC_TOTAL), a1(row, CC_FACTOR)),
                    cv(|c| c.discounted_total),
                ),
            )?;
            put(
                &mut ws,
                &st,
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

    // ---- Purchases ----
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
                    &st,
                    row,
                    PC_T,
                    Cell::Formula(format!("{}*{life}", a1(row, PC_J)), None),
                )?;
                put(
                    &mut ws,
                    &st,
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
                    &st,
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
                    &st,
                    row,
                    PC_AMOUNT,
                    Cell::Formula(format!("IF({valid},{amount},0)"), None),
                )?;
                let is_last = if row == b {
                    valid.clone()
                } else {
                    format!("AND({valid},NOT({}))", a1(row + 1, PC_VALID))
                };
                put(&mut ws, &st, row, PC_LAST, Cell::Formula(is_last, None))?;
                let last_cell = a1(row, PC_LAST);
                put(
                    &mut ws,
                    &st,
                    row,
                    PC_UNTIL,
                    Cell::Formula(
                        format!("IF({valid},IF({last_cell},{h},{t}+{life}),0)"),
                        None,
                    ),
                )?;
                put(
                    &mut ws,
                    &st,
                    row,
                    PC_REMAINING,
                    Cell::Formula(format!("{t}+{life}-{h}"), None),
                )?;
                let rem = a1(row, PC_REMAINING);
                put(
                    &mut ws,
                    &st,
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
                    put(&mut ws, &st, row, col, Cell::Formula(formula, None))?;
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

    for (name, target) in &names {
        wb.define_name(name, &format!("={target}"))?;
    }
    wb.save_to_buffer()
}

/// Cash flow sheet columns.
const CC_FLEET: u16 = 0;
const CC_YEAR: u16 = 1;
const CC_SHARE: u16 = 2;
const CC_CAPEX: u16 = 3;
const CC_ENERGY: u16 = 4;
const CC_UPKEEP: u16 = 5;
const CC_RENT: u16 = 6;
const CC_RESIDUAL: u16 = 7;
const CC_TOTAL: u16 = 8;
const CC_FACTOR: u16 = 9;
const CC_DISCOUNTED: u16 = 10;
const CC_WORK: u16 = 11;
/// The Cash flow sheet's header: the cashflow.csv columns and the helpers between them.
pub const CASH_HEADER: [&str; 12] = [
    "fleet",
    "year",
    "share of the year in the horizon",
    "capex",
    "energy",
    "upkeep",
    "rent",
    "residual",
    "total",
    "discount factor (1+r)^-year",
    "discounted_total",
    "work (units)",
];

/// Purchases sheet columns.
const PC_FLEET: u16 = 0;
const PC_ASSET: u16 = 1;
const PC_J: u16 = 2;
const PC_T: u16 = 3;
const PC_VALID: u16 = 4;
const PC_BOOKED: u16 = 5;
const PC_AMOUNT: u16 = 6;
const PC_LAST: u16 = 7;
const PC_UNTIL: u16 = 8;
const PC_REMAINING: u16 = 9;
const PC_RESIDUAL: u16 = 10;
const PC_MAINT: u16 = 11;
const PURCHASE_HEADER: [&str; 11] = [
    "fleet",
    "asset",
    "purchase j",
    "time t (yr)",
    "bought (t < horizon)",
    "booked in year",
    "amount (USD)",
    "last one bought",
    "in service until (yr)",
    "life left at the horizon (yr)",
    "residual value (USD)",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_references() {
        assert_eq!(
            input_name("fleet.trn3.chip.price"),
            "in_fleet_trn3_chip_price"
        );
        assert_eq!(input_name("fleet.h100-sxm.mfu"), "in_fleet_h100_sxm_mfu");
        assert_eq!(result_name("rho", "gb-200"), "rho_gb_200");
        assert_eq!(col_name(0), "A");
        assert_eq!(col_name(25), "Z");
        assert_eq!(col_name(26), "AA");
        assert_eq!(col_name(27), "AB");
        assert_eq!(col_name(701), "ZZ");
        assert_eq!(col_name(702), "AAA");
        assert_eq!(a1(0, 0), "A1");
        assert_eq!(abs("Cash flow", 4, 2), "'Cash flow'!$C$5");
    }

    #[test]
    fn source_notes_read_the_line_and_its_comment() {
        let text = "[site]\npue = 1.2   # measured\npower = \"2 GW\"\n";
        let at = text.find("1.2").unwrap();
        assert_eq!(line_note(text, at), (2, Some("measured".into())));
        let at = text.find("\"2 GW\"").unwrap();
        assert_eq!(line_note(text, at), (3, None));
    }
}
