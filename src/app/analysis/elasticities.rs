//! `fleetcost elasticities`: the percent change of a metric per percent change of each input.

use super::{metric_of, table};
use crate::analysis::elasticity;
use crate::app::{load, print, AppError};
use crate::cli::ElasticitiesArgs;
use crate::report::{self, Format};
use crate::units::format::fmt_signed;

pub fn elasticities(a: &ElasticitiesArgs) -> Result<(), AppError> {
    let s = load(&a.scenario)?;
    let metric = metric_of(&s, &a.metric)?;
    let (list, skipped) =
        elasticity::elasticities(&s.inputs, &metric).map_err(AppError::runtime)?;
    let label = metric.label(&s.inputs);
    let text = match a.format {
        Format::Json => super::analysis_json(
            "elasticities",
            &report::analysis::ElasticitiesReport {
                metric: label.clone(),
                elasticities: list.clone(),
                skipped: skipped.clone(),
            },
            &[],
        ),
        Format::Csv => {
            let mut w = csv::Writer::from_writer(Vec::new());
            w.write_record(["param", "base", "elasticity"])
                .expect("csv");
            for e in &list {
                w.write_record([
                    e.param.clone(),
                    e.value.clone(),
                    crate::units::format::Num(e.elasticity).to_string(),
                ])
                .expect("csv");
            }
            report::csv::finish(w)
        }
        _ => {
            let rows = list
                .iter()
                .filter(|e| e.elasticity != 0.0)
                .map(|e| {
                    vec![
                        e.param.clone(),
                        e.value.clone(),
                        fmt_signed(e.elasticity, 4),
                    ]
                })
                .collect();
            let zero = list.iter().filter(|e| e.elasticity == 0.0).count();
            format!("{}\nd ln({label}) / d ln(input) at the base case, largest first\n{}{zero} inputs have no effect; {} skipped (counts, zeros)\n",
                s.name, table(a.format == Format::Markdown, ["input", "base", "elasticity"].map(String::from).to_vec(), rows), skipped.len())
        }
    };
    print(&text)
}
