//! Warnings on stderr for inputs that are valid but quietly drop a cost or break a budget: a
//! fleet costed as bare chips, a fleet drawing more than the site's power.

use crate::model::{Inputs, PowerBasis};
use crate::report::RunReport;
use crate::units::format::{fmt_si, fmt_thousands};

/// One line per finding, each starting with "warning: ".
pub fn warnings(x: &Inputs, r: &RunReport) -> Vec<String> {
    let mut out = Vec::new();
    for (f, row) in x.fleets.iter().zip(&r.fleets) {
        let bare = f.chips_per_node == 1.0
            && f.node_power == 0.0
            && f.node_price == 0.0
            && f.network_price == 0.0
            && f.network_power == 0.0;
        if bare && f.rent.is_none() {
            out.push(format!(
                "warning: fleet '{}' is costed as bare chips: no server, rack or network \
                 (chips_per_node, node_power, node_price, network_price, network_power are all \
                 unset), so {} one-chip nodes and no host power or price; set fleet.{}.platform \
                 (`fleetcost catalog --platforms`) or those keys",
                f.id,
                fmt_thousands(row.nodes as f64, 0),
                f.id
            ));
        }
        if let Some(n) = row.replica_chips.filter(|&n| n > 1) {
            if f.chip.scaleup_bw.is_none() {
                out.push(format!(
                    "warning: fleet '{}' spreads a replica over {n} chips but its chip has no \
                     scaleup_bw: the tensor-parallel all-reduces are taken as free; set \
                     fleet.{}.chip.scaleup_bw (GB/s per chip, one way)",
                    f.id, f.id
                ));
            }
        }
        let Some(power) = x.site.power else { continue };
        // A sized fleet fits by construction; a fixed count or an override may not.
        let (drawn, basis) = match x.site.power_basis {
            PowerBasis::Facility => (row.facility_power_w, "facility"),
            PowerBasis::It => (row.it_power_w, "IT"),
        };
        if drawn > power * (1.0 + 1e-9) {
            out.push(format!(
                "warning: fleet '{}' draws {} of {basis} power, more than site.power ({}): \
                 {} chips at {} each{}; lower fleet.{}.chips or raise site.power",
                f.id,
                fmt_si(drawn, "W", 3),
                fmt_si(power, "W", 3),
                fmt_thousands(row.chips as f64, 0),
                fmt_si(row.watts_per_chip, "W", 4),
                if basis == "facility" {
                    format!(
                        " with pue {}",
                        crate::units::format::fmt_fixed(row.facility_power_w / row.it_power_w, 3)
                    )
                } else {
                    String::new()
                },
                f.id,
            ));
        }
    }
    out
}
