//! `fleetcost catalog`: the chip catalog with figures and sources.

use super::{print, AppError};
use crate::cli::{CatalogArgs, CatalogFormat};
use crate::scenario::catalog::{Catalog, CHIPS_CSV};
use comfy_table::{presets, Table};

pub fn catalog(a: &CatalogArgs) -> Result<(), AppError> {
    let c = Catalog::shipped();
    let text = match a.format {
        CatalogFormat::Csv => CHIPS_CSV.to_string(),
        CatalogFormat::Json => crate::report::to_json(&c.rows),
        CatalogFormat::Table => {
            let mut t = Table::new();
            t.load_preset(presets::UTF8_HORIZONTAL_ONLY);
            t.set_header([
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
                "price USD (low-high)",
            ]);
            let o = |x: Option<f64>| x.map(|v| format!("{v}")).unwrap_or_else(|| "-".into());
            for r in &c.rows {
                let price = match (r.price, r.price_low, r.price_high) {
                    (Some(p), Some(lo), Some(hi)) if lo != hi => format!("{p} ({lo}-{hi})"),
                    (p, _, _) => o(p),
                };
                t.add_row([
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
                    price,
                ]);
            }
            let mut s = format!("{t}\n\nDense TFLOP/s. Sources (\"estimate:\" marks a figure with no public source):\n");
            for r in &c.rows {
                s.push_str(&format!("  {}: {}\n", r.id, r.source));
            }
            s
        }
    };
    print(&text)
}
