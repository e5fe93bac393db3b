//! `fleetcost elasticities`: the percent change of a metric per percent change of each input.

use super::metric_of;
use crate::analysis::elasticity;
use crate::app::{load, print, AppError};
use crate::cli::ElasticitiesArgs;
use crate::report::{self, Format};

pub fn elasticities(a: &ElasticitiesArgs) -> Result<(), AppError> {
    let s = load(&a.scenario)?;
    let metric = metric_of(&s, &a.metric)?;
    let (list, skipped) =
        elasticity::elasticities(&s.inputs, &metric).map_err(AppError::runtime)?;
    let body = report::analysis::ElasticitiesReport {
        metric: metric.label(&s.inputs),
        elasticities: list,
        skipped,
    };
    let text = match a.format {
        Format::Json => super::analysis_json("elasticities", &body, &[]),
        Format::Csv => body.csv(),
        _ => body.table(&s.name, a.format == Format::Markdown),
    };
    print(&text)
}
