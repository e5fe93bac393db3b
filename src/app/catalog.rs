//! `fleetcost catalog`: the chip catalog (or, with --platforms, the platform catalog) with
//! figures and sources.

use super::{print, AppError};
use crate::cli::{CatalogArgs, CatalogFormat};
use crate::scenario::catalog::{Catalog, CHIPS_CSV};
use crate::scenario::platforms::{Platforms, PLATFORMS_CSV};
use comfy_table::{ContentArrangement, Table};

/// A row's cells with the name (third argument's position) only in the wide table.
fn cells(wide: bool, name_at: usize, mut v: Vec<String>) -> Vec<String> {
    if !wide {
        v.remove(name_at);
    }
    v
}

/// The terminal width the default table fits.
const WIDTH: u16 = 100;

pub fn catalog(a: &CatalogArgs) -> Result<(), AppError> {
    let text = match (a.platforms, a.format) {
        (false, CatalogFormat::Csv) => CHIPS_CSV.to_string(),
        (false, CatalogFormat::Json) => crate::report::to_json(&Catalog::shipped().rows),
        (false, CatalogFormat::Table) => chips_table(a.wide),
        (true, CatalogFormat::Csv) => PLATFORMS_CSV.to_string(),
        (true, CatalogFormat::Json) => crate::report::to_json(&Platforms::shipped().rows),
        (true, CatalogFormat::Table) => platforms_table(a.wide),
    };
    print(&text)
}

fn table(wide: bool, header: &[&str]) -> Table {
    let mut t = Table::new();
    t.load_preset(crate::report::table::HEADER_RULE);
    if wide {
        t.set_content_arrangement(ContentArrangement::Disabled);
    }
    t.set_header(header.to_vec());
    // One space between columns (the preset's blank border) and one after each cell.
    for col in t.column_iter_mut() {
        col.set_padding((0, 1));
    }
    t
}

/// `id: source` lines, wrapped to the table's width unless `wide`.
fn sources<'a>(rows: impl Iterator<Item = (&'a str, &'a str)>, wide: bool) -> String {
    let mut s = String::new();
    for (id, src) in rows {
        let line = format!("{id}: {src}");
        if wide {
            s.push_str(&format!("  {line}\n"));
        } else {
            s.push_str(&wrap(&line, WIDTH as usize, "  ", "      "));
        }
    }
    s
}

/// Greedy word wrap at `width` characters: the first line indented by `first`, the others by
/// `indent`; a word longer than a line stands alone.
fn wrap(text: &str, width: usize, first: &str, indent: &str) -> String {
    let mut out = String::new();
    let mut line = first.to_string();
    let mut fresh = true;
    for word in text.split_whitespace() {
        let len = line.chars().count();
        if !fresh && len + 1 + word.chars().count() > width {
            out.push_str(line.trim_end());
            out.push('\n');
            line = indent.to_string();
            fresh = true;
        }
        if !fresh {
            line.push(' ');
        }
        line.push_str(word);
        fresh = false;
    }
    out.push_str(line.trim_end());
    out.push('\n');
    out
}

fn chips_table(wide: bool) -> String {
    let c = Catalog::shipped();
    let mut t = table(
        wide,
        &cells(
            wide,
            1,
            [
                "id",
                "name",
                "tdp W",
                "HBM GB",
                "TB/s",
                "fp32",
                "tf32",
                "bf16",
                "fp8",
                "fp4",
                "price USD",
                "low-high",
            ]
            .map(String::from)
            .to_vec(),
        )
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>(),
    );
    let o = |x: Option<f64>| x.map(|v| format!("{v}")).unwrap_or_else(|| "-".into());
    for r in &c.rows {
        let range = match (r.price_low, r.price_high) {
            (Some(lo), Some(hi)) if lo != hi => format!("{lo}-{hi}"),
            _ => "-".into(),
        };
        t.add_row(cells(
            wide,
            1,
            vec![
                r.id.clone(),
                r.name.clone(),
                format!("{}", r.tdp),
                o(r.hbm),
                o(r.hbm_bw),
                o(r.fp32),
                o(r.tf32),
                o(r.bf16),
                o(r.fp8),
                o(r.fp4),
                o(r.price),
                range,
            ],
        ));
    }
    format!(
        "{t}\n\nDense TFLOP/s. Sources (\"estimate:\" marks a figure with no public source):\n{}",
        sources(
            c.rows.iter().map(|r| (r.id.as_str(), r.source.as_str())),
            wide
        )
    )
}

fn platforms_table(wide: bool) -> String {
    let p = Platforms::shipped();
    let mut t = table(
        wide,
        &cells(
            wide,
            2,
            [
                "id",
                "chip",
                "name",
                "chips/node",
                "node W",
                "node USD",
                "network USD/chip",
                "network W/chip",
            ]
            .map(String::from)
            .to_vec(),
        )
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>(),
    );
    for r in &p.rows {
        t.add_row(cells(
            wide,
            2,
            vec![
                r.id.clone(),
                r.chip.clone(),
                r.name.clone(),
                format!("{}", r.chips_per_node),
                format!("{}", r.node_power),
                format!("{}", r.node_price),
                format!("{}", r.network_price),
                format!("{}", r.network_power),
            ],
        ));
    }
    let note = "Node W and USD are per node beyond its chips; network per chip. A fleet with \
                `platform = \"ID\"` takes these and the chip; keys it sets itself win.";
    format!(
        "{t}\n\n{}Sources (\"estimate:\" marks a figure with no public source):\n{}",
        if wide {
            format!("{note}\n")
        } else {
            wrap(note, WIDTH as usize, "", "")
        },
        sources(
            p.rows.iter().map(|r| (r.id.as_str(), r.source.as_str())),
            wide
        )
    )
}
