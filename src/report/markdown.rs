//! `--format markdown`: the table report's sections as GitHub markdown tables.

use super::RunReport;

/// The run report as markdown.
pub fn run(r: &RunReport) -> String {
    super::table::render_markdown(r)
}
