//! The chip catalog, `data/chips.csv`, compiled into the binary. Every row carries its source.

use crate::model::{Chip, Precision};
use serde::{Deserialize, Serialize};

/// The shipped catalog's CSV text.
pub const CHIPS_CSV: &str = include_str!("../../data/chips.csv");

/// One catalog row as in the CSV: tdp W, hbm GB, hbm_bw TB/s, peaks dense TFLOP/s, prices USD.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CatalogRow {
    pub id: String,
    pub name: String,
    pub vendor: String,
    pub year: Option<u32>,
    pub tdp: f64,
    pub hbm: Option<f64>,
    pub hbm_bw: Option<f64>,
    pub fp32: Option<f64>,
    pub tf32: Option<f64>,
    pub bf16: Option<f64>,
    pub fp8: Option<f64>,
    pub fp4: Option<f64>,
    pub price: Option<f64>,
    pub price_low: Option<f64>,
    pub price_high: Option<f64>,
    /// Scale-up (NVLink, NeuronLink, ...) GB/s per chip, one way; empty if unknown.
    #[serde(default)]
    pub scaleup_bw: Option<f64>,
    pub source: String,
}

impl CatalogRow {
    /// The row as model input, in SI units.
    pub fn chip(&self) -> Chip {
        let tflops = |x: Option<f64>| x.map(|v| v * 1e12);
        Chip {
            label: self.id.clone(),
            tdp: self.tdp,
            hbm: self.hbm.map(|v| v * 1e9),
            hbm_bw: self.hbm_bw.map(|v| v * 1e12),
            peak: [
                tflops(self.fp32),
                tflops(self.tf32),
                tflops(self.bf16),
                tflops(self.fp8),
                tflops(self.fp4),
            ],
            price: self.price,
            price_low: self.price_low,
            price_high: self.price_high,
            scaleup_bw: self.scaleup_bw.map(|v| v * 1e9),
        }
    }

    /// Dense TFLOP/s at a precision, as in the CSV.
    pub fn peak(&self, p: Precision) -> Option<f64> {
        match p {
            Precision::Fp32 => self.fp32,
            Precision::Tf32 => self.tf32,
            Precision::Bf16 => self.bf16,
            Precision::Fp8 => self.fp8,
            Precision::Fp4 => self.fp4,
        }
    }

    /// Whether any figure of the row is an estimate rather than a published figure.
    pub fn has_estimate(&self) -> bool {
        self.source.contains("estimate")
    }
}

/// The catalog: rows in file order.
#[derive(Debug, Clone, PartialEq)]
pub struct Catalog {
    pub rows: Vec<CatalogRow>,
}

impl Catalog {
    /// The catalog shipped with the binary.
    pub fn shipped() -> &'static Catalog {
        static CATALOG: std::sync::OnceLock<Catalog> = std::sync::OnceLock::new();
        CATALOG.get_or_init(|| {
            Catalog::from_csv(CHIPS_CSV).expect("data/chips.csv is checked by the test suite")
        })
    }

    /// Parses catalog CSV text; an error names the row.
    pub fn from_csv(text: &str) -> Result<Catalog, String> {
        Ok(Catalog {
            rows: read_rows(text, "data/chips.csv")?,
        })
    }

    pub fn get(&self, id: &str) -> Option<&CatalogRow> {
        find(&self.rows, id)
    }

    pub fn ids(&self) -> Vec<&str> {
        ids(&self.rows)
    }
}

impl Keyed for CatalogRow {
    fn id(&self) -> &str {
        &self.id
    }
}

/// A row of a shipped CSV catalog (chips, platforms), looked up by its `id` column.
pub(crate) trait Keyed {
    fn id(&self) -> &str;
}

/// The rows of a shipped CSV catalog; an error names `file` and the row (2 = the first after
/// the header).
pub(crate) fn read_rows<T: serde::de::DeserializeOwned>(
    text: &str,
    file: &str,
) -> Result<Vec<T>, String> {
    csv::Reader::from_reader(text.as_bytes())
        .deserialize::<T>()
        .enumerate()
        .map(|(i, row)| row.map_err(|e| format!("{file} row {}: {e}", i + 2)))
        .collect()
}

/// The row with `id`.
pub(crate) fn find<'a, T: Keyed>(rows: &'a [T], id: &str) -> Option<&'a T> {
    rows.iter().find(|r| r.id() == id)
}

/// Every id, in file order.
pub(crate) fn ids<T: Keyed>(rows: &[T]) -> Vec<&str> {
    rows.iter().map(Keyed::id).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_catalog_is_complete_and_sourced() {
        let c = Catalog::shipped();
        for id in [
            "trainium2",
            "trainium3",
            "h100-sxm",
            "h200",
            "b200",
            "gb200",
            "b300",
            "gb300",
            "mi300x",
            "mi355x",
            "tpu-v6e",
            "tpu7x",
            "gaudi3",
        ] {
            let row = c.get(id).unwrap_or_else(|| panic!("catalog lacks {id}"));
            assert!(!row.source.trim().is_empty(), "{id} has no source");
            assert!(row.tdp > 0.0, "{id} tdp");
            assert!(
                Precision::ALL.iter().any(|&p| row.peak(p).is_some()),
                "{id} has no peak"
            );
            if let (Some(lo), Some(p), Some(hi)) = (row.price_low, row.price, row.price_high) {
                assert!(lo <= p && p <= hi, "{id}: price_low <= price <= price_high");
            }
        }
        let mut ids = c.ids();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), c.rows.len(), "duplicate ids in data/chips.csv");
    }
}
