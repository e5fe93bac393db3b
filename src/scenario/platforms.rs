//! The platform catalog, `data/platforms.csv`, compiled into the binary: the server or rack a
//! chip ships in (chips per node, the node's power and price beyond its chips, the scale-out
//! network per chip), every row with its source. `fleet.platform = "ID"` supplies these keys and
//! the chip; keys the fleet sets itself win.

use super::catalog::{find, ids, read_rows, Keyed};
use serde::{Deserialize, Serialize};

/// The shipped platform catalog's CSV text.
pub const PLATFORMS_CSV: &str = include_str!("../../data/platforms.csv");

/// One row as in the CSV: powers in W, prices in USD (node figures per node, network per chip).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlatformRow {
    pub id: String,
    /// A `data/chips.csv` id.
    pub chip: String,
    pub name: String,
    pub chips_per_node: f64,
    pub node_power: f64,
    pub node_price: f64,
    pub network_price: f64,
    pub network_power: f64,
    pub source: String,
}

impl PlatformRow {
    /// The fleet keys the platform supplies, by name, in SI units (W and USD are SI here).
    pub fn keys(&self) -> [(&'static str, f64); 5] {
        [
            ("chips_per_node", self.chips_per_node),
            ("node_power", self.node_power),
            ("node_price", self.node_price),
            ("network_price", self.network_price),
            ("network_power", self.network_power),
        ]
    }
}

/// The platforms, in file order.
#[derive(Debug, Clone, PartialEq)]
pub struct Platforms {
    pub rows: Vec<PlatformRow>,
}

impl Platforms {
    /// The catalog shipped with the binary.
    pub fn shipped() -> &'static Platforms {
        static PLATFORMS: std::sync::OnceLock<Platforms> = std::sync::OnceLock::new();
        PLATFORMS.get_or_init(|| {
            Platforms::from_csv(PLATFORMS_CSV)
                .expect("data/platforms.csv is checked by the test suite")
        })
    }

    /// Parses platform CSV text; an error names the row.
    pub fn from_csv(text: &str) -> Result<Platforms, String> {
        Ok(Platforms {
            rows: read_rows(text, "data/platforms.csv")?,
        })
    }

    pub fn get(&self, id: &str) -> Option<&PlatformRow> {
        find(&self.rows, id)
    }

    pub fn ids(&self) -> Vec<&str> {
        ids(&self.rows)
    }
}

impl Keyed for PlatformRow {
    fn id(&self) -> &str {
        &self.id
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Catalog;

    #[test]
    fn shipped_platforms_are_complete_sourced_and_name_catalog_chips() {
        let p = Platforms::shipped();
        let chips = Catalog::shipped();
        // The platforms the catalog promises (data/README.md).
        for id in [
            "hgx-h100",
            "hgx-h200",
            "hgx-b200",
            "hgx-b300",
            "gb200-nvl72",
            "gb300-nvl72",
            "trn2-server",
            "trn2-ultraserver",
            "trn3-ultraserver",
            "mi300x-8",
            "mi355x-8",
            "tpu-v6e-host",
            "tpu7x-host",
            "gaudi3-8",
        ] {
            assert!(p.get(id).is_some(), "platform {id} missing");
        }
        let mut seen = std::collections::HashSet::new();
        for r in &p.rows {
            assert!(seen.insert(&r.id), "duplicate platform {}", r.id);
            assert!(
                chips.get(&r.chip).is_some(),
                "{}: unknown chip {}",
                r.id,
                r.chip
            );
            assert!(
                r.chips_per_node >= 1.0 && r.chips_per_node.fract() == 0.0,
                "{}",
                r.id
            );
            for (k, v) in r.keys() {
                assert!(v.is_finite() && v >= 0.0, "{}: {k} = {v}", r.id);
            }
            // A source for every figure: each of the four node and network figures is named.
            for k in ["node_power", "node_price", "network_price", "network_power"] {
                assert!(
                    r.source.contains(k) || r.source.contains("network_price/network_power"),
                    "{}: no source for {k}",
                    r.id
                );
            }
        }
    }

    #[test]
    fn rack_priced_chips_add_no_node_price() {
        // chips.csv prices GB200 and GB300 as the NVL72 rack price / 72, Grace and switch trays
        // included (data/README.md): their platforms must not charge the rack twice.
        let p = Platforms::shipped();
        for id in ["gb200-nvl72", "gb300-nvl72"] {
            assert_eq!(p.get(id).unwrap().node_price, 0.0, "{id}");
        }
    }
}
