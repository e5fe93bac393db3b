//! Drawing a chart in memory, then writing it as every output is written
//! ([`crate::report::output::write_atomic`]).

use std::path::Path;

use image::codecs::png::PngEncoder;
use image::{ExtendedColorType, ImageEncoder};
use plotters::coord::Shift;
use plotters::prelude::*;

use crate::report::output::write_atomic;

use super::style::{register_fonts, Theme};
use super::{ChartOptions, ImageFormat, PlotError};

/// Any backend error, boxed.
pub(crate) type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// What a chart's drawing code returns.
pub(crate) type DrawResult = Result<(), BoxError>;

/// A pixel rectangle: (top-left, bottom-right).
pub(crate) type Region = ((i32, i32), (i32, i32));

/// One chart: checks its input, then draws on any plotters backend.
pub(crate) trait Chart {
    /// A reason not to draw (empty or non-finite data), or Ok.
    fn check(&self) -> Result<(), String>;
    /// Draws the whole picture on `root` (already filled white).
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, th: &Theme) -> DrawResult
    where
        DB::ErrorType: 'static;
}

/// Checks, draws and writes `chart` to `path`: complete or absent.
pub(crate) fn render<C: Chart>(
    chart: &C,
    path: &Path,
    fmt: ImageFormat,
    o: &ChartOptions,
) -> Result<(), PlotError> {
    if o.width < super::MIN_SIZE.0 || o.height < super::MIN_SIZE.1 {
        return Err(PlotError::Size {
            path: path.to_path_buf(),
            width: o.width,
            height: o.height,
        });
    }
    chart.check().map_err(|reason| PlotError::Input {
        path: path.to_path_buf(),
        reason,
    })?;
    register_fonts();
    let mut th = Theme::new(o.width, o.height);
    th.svg = fmt == ImageFormat::Svg;
    let draw_err = |e: BoxError| PlotError::Draw {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    let bytes = match fmt {
        ImageFormat::Svg => {
            let mut svg = String::new();
            {
                let root =
                    SVGBackend::with_string(&mut svg, (o.width, o.height)).into_drawing_area();
                draw_on(chart, &root, &th).map_err(draw_err)?;
            }
            svg.into_bytes()
        }
        ImageFormat::Png => {
            let (w, h) = (o.width, o.height);
            let mut buf = vec![255u8; w as usize * h as usize * 3];
            {
                let root = BitMapBackend::with_buffer(&mut buf, (w, h)).into_drawing_area();
                draw_on(chart, &root, &th).map_err(draw_err)?;
            }
            let mut png = Vec::new();
            PngEncoder::new(&mut png)
                .write_image(&buf, w, h, ExtendedColorType::Rgb8)
                .map_err(|e| draw_err(Box::new(e)))?;
            png
        }
    };
    // The same writer as every other output: complete or absent, through links, into devices.
    write_atomic(path, &bytes).map_err(|source| PlotError::Io {
        path: path.to_path_buf(),
        source,
    })
}

fn draw_on<C: Chart, DB: DrawingBackend>(
    chart: &C,
    root: &DrawingArea<DB, Shift>,
    th: &Theme,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE)?;
    chart.draw(root, th)?;
    root.present()?;
    Ok(())
}
