//! The Inputs sheet: every numeric input, its unit, meaning and source, each a defined name.

use super::*;

/// Writes the Inputs sheet; returns each input's row by path.
pub(super) fn sheet(
    wb: &mut Workbook,
    b: &Book,
    names: &mut Vec<(String, String)>,
) -> Result<HashMap<String, u32>, XlsxError> {
    let (s, st) = (b.s, b.st);
    let x = &s.inputs;
    let catalog = Catalog::shipped();
    let mut ws = new_sheet();
    ws.set_name(INPUTS)?;
    ws.write_string_with_format(
        0,
        0,
        format!("Inputs of {}", crate::report::elide(&s.name, 200)),
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
    Ok(input_row)
}
