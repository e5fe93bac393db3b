//! Charts for a memo, drawn from result rows (never from model internals).
//!
//! Every chart is a function `(input, path, format, options) -> Result<(), PlotError>` that draws
//! the whole picture in memory, writes it to a temporary file in the target folder and renames
//! it into place, so a chart on disk is complete or absent. Text is set in the embedded DejaVu
//! Sans (see `assets/fonts/`), so a fresh machine needs no system font; SVG text stays `<text>`.
//!
//! Run charts (from `RunReport` and `CashflowRow`): [`cost_breakdown`], [`price_performance`],
//! [`cashflow`], [`sizing`], and [`draw_run`] for all four. Analysis charts take plain data
//! structs: [`sweep_line`] ([`SweepChart`]), [`heatmap`] ([`HeatmapChart`]), [`tornado`]
//! ([`TornadoChart`]) and [`histogram`] ([`HistogramChart`], pre-binned counts).

mod axis;
mod canvas;
mod cashflow;
mod contour;
pub(crate) mod contract;
mod cost;
mod fleets;
mod heatmap;
mod histogram;
mod legend;
mod output;
mod priceperf;
mod program;
mod sizing;
mod spec;
mod style;
mod sweep;
mod tornado;

#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};

use crate::report::rows::{CashflowRow, RunReport};

pub use axis::TickFormat;
pub use cashflow::cashflow;
pub use cost::cost_breakdown;
pub use heatmap::{heatmap, HeatmapChart};
pub use histogram::{bin_values, histogram, HistBin, HistogramChart};
pub use priceperf::price_performance;
pub use program::is_program_chart;
pub use sizing::sizing;
pub use spec::{ChartSpec, DrawnChart};
pub use style::register_fonts;
pub use sweep::{sweep_line, SweepChart};
pub use tornado::{tornado, TornadoBar, TornadoChart};

/// File format of a chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageFormat {
    Png,
    Svg,
}

impl ImageFormat {
    /// The usual file extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            ImageFormat::Png => "png",
            ImageFormat::Svg => "svg",
        }
    }
}

/// The smallest canvas (width, height) whose titles, legends and tick labels still fit;
/// `--size` refuses anything smaller before computing.
pub const MIN_SIZE: (u32, u32) = (400, 250);

/// Canvas size in pixels. Fonts, margins and line widths scale with it (designed at 1600x1000).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChartOptions {
    pub width: u32,
    pub height: u32,
}

impl Default for ChartOptions {
    fn default() -> Self {
        ChartOptions {
            width: 1600,
            height: 1000,
        }
    }
}

/// Why a chart was not written. Each variant names the chart's path.
#[derive(Debug, thiserror::Error)]
pub enum PlotError {
    #[error("cannot write chart {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot draw chart {}: {message}", path.display())]
    Draw { path: PathBuf, message: String },
    #[error("nothing sensible to draw in {}: {reason}", path.display())]
    Input { path: PathBuf, reason: String },
    #[error("chart size {width}x{height} for {} is too small (at least 400x250)", path.display())]
    Size {
        path: PathBuf,
        width: u32,
        height: u32,
    },
}

/// The charts of a run folder, by file stem.
/// `contract` is drawn only when the report has a contract (and an old one is removed otherwise).
const RUN_CHARTS: [&str; 5] = [
    "cost_breakdown",
    "price_performance",
    "cashflow",
    "sizing",
    "contract",
];

/// The chart files of a run folder `dir`: each of [`RUN_CHARTS`] as PNG, then SVG.
pub fn run_chart_files(dir: &Path) -> Vec<(&'static str, ImageFormat, PathBuf)> {
    RUN_CHARTS
        .iter()
        .flat_map(|&name| {
            [ImageFormat::Png, ImageFormat::Svg]
                .map(|fmt| (name, fmt, dir.join(format!("{name}.{}", fmt.extension()))))
        })
        .collect()
}

/// Draws the four run charts into `dir` as `NAME.png` and `NAME.svg` for NAME in
/// cost_breakdown, price_performance, cashflow, sizing. Returns the paths written, in that order
/// (PNG before SVG). Stops at the first error; charts written before it stay.
pub fn draw_run(
    dir: &Path,
    r: &RunReport,
    cash: &[CashflowRow],
    o: &ChartOptions,
) -> Result<Vec<PathBuf>, PlotError> {
    let mut written = Vec::new();
    for (name, fmt, path) in run_chart_files(dir) {
        if name == "contract" && r.contract.is_none() {
            // A contract chart of an earlier run does not belong to this one.
            match std::fs::remove_file(&path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    return Err(PlotError::Draw {
                        path,
                        message: format!("cannot remove the old contract chart: {e}"),
                    })
                }
                _ => continue,
            }
        }
        match name {
            "contract" => contract::contract(r, &path, fmt, o)?,
            "cost_breakdown" => cost_breakdown(r, &path, fmt, o)?,
            "price_performance" => price_performance(r, &path, fmt, o)?,
            "cashflow" => cashflow(r, cash, &path, fmt, o)?,
            _ => sizing(r, &path, fmt, o)?,
        }
        written.push(path);
    }
    // With programs: capacity by tranche and (with a contract) cash against payments per
    // program, and their levelized costs.
    for (stem, index) in program::program_charts(r) {
        for fmt in [ImageFormat::Png, ImageFormat::Svg] {
            let path = dir.join(format!("{stem}.{}", fmt.extension()));
            program::draw(r, &stem, index, &path, fmt, o)?;
            written.push(path);
        }
    }
    Ok(written)
}
