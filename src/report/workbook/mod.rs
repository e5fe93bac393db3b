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

mod cash;
mod comparisons;
mod fleets;
mod inputs;

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

/// What every sheet reads: the run, the styles, and what the sheets before it laid out.
struct Book<'a> {
    s: &'a Scenario,
    o: &'a Outcome,
    r: &'a RunReport,
    cash: &'a [CashflowRow],
    st: &'a Styles,
    /// The Inputs sheet's row of each input path (an input is named only when present).
    input_row: HashMap<String, u32>,
    layout: Layout,
    /// The Fleets sheet's row of each quantity.
    frow: HashMap<&'static str, u32>,
}

impl Book<'_> {
    /// Fleet fi's cell of quantity `key` on the Fleets sheet.
    fn fleet_cell(&self, fi: usize, key: &str) -> String {
        abs(FLEETS, self.frow[key], FIRST_COL + fi as u16)
    }
}

/// The rows of the Cash flow and Purchases tables (the Fleets sheet sums them).
struct Layout {
    last_year: u32,
    nf: usize,
    /// First data row of the Cash flow sheet.
    cash_first: u32,
    /// Per fleet, the hardware and the facility purchase rows (first, last).
    purchase_blocks: Vec<[(u32, u32); 2]>,
    purchase_last: u32,
}

impl Layout {
    fn new(x: &crate::model::Inputs) -> Layout {
        let h_years = x.finance.horizon / crate::units::SECONDS_PER_YEAR;
        let last_year = (h_years - 1e-9).ceil().max(1.0) as u32;
        let nf = x.fleets.len();
        let cash_first = 3u32; // first data row of the Cash flow sheet
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

        Layout {
            last_year,
            nf,
            cash_first,
            purchase_blocks,
            purchase_last,
        }
    }

    /// The first Cash flow row of fleet fi.
    fn cash_block(&self, fi: usize) -> u32 {
        self.cash_first + fi as u32 * (self.last_year + 1)
    }
}

/// The Fleets sheet's first fleet column.
const FIRST_COL: u16 = 3;

fn build(
    s: &Scenario,
    o: &Outcome,
    r: &RunReport,
    cash: &[CashflowRow],
) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let mut names: Vec<(String, String)> = Vec::new();
    let st = Styles::new();
    let mut b = Book {
        s,
        o,
        r,
        cash,
        st: &st,
        input_row: HashMap::new(),
        layout: Layout::new(&s.inputs),
        frow: HashMap::new(),
    };
    b.input_row = inputs::sheet(&mut wb, &b, &mut names)?;
    b.frow = fleets::sheet(&mut wb, &b, &mut names)?;
    comparisons::sheet(&mut wb, &b, &mut names)?;
    cash::sheets(&mut wb, &b)?;
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
