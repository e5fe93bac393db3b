//! Drawing a chart in memory and writing it atomically (temporary file + rename).

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use plotters::coord::Shift;
use plotters::prelude::*;

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
    match fmt {
        ImageFormat::Svg => {
            let mut svg = String::new();
            {
                let root =
                    SVGBackend::with_string(&mut svg, (o.width, o.height)).into_drawing_area();
                draw_on(chart, &root, &th).map_err(draw_err)?;
            }
            write_atomic(path, "svg", |tmp| {
                let mut f = OpenOptions::new().write(true).truncate(true).open(tmp)?;
                f.write_all(svg.as_bytes())?;
                f.sync_all()
            })
        }
        ImageFormat::Png => {
            let (w, h) = (o.width, o.height);
            let mut buf = vec![255u8; w as usize * h as usize * 3];
            {
                let root = BitMapBackend::with_buffer(&mut buf, (w, h)).into_drawing_area();
                draw_on(chart, &root, &th).map_err(draw_err)?;
            }
            let mut encode_err = None;
            let res = write_atomic(path, "png", |tmp| {
                // plotters encodes PNG (via its own `image`) when a file backend is presented.
                let mut b = BitMapBackend::new(tmp, (w, h));
                let done = b
                    .blit_bitmap((0, 0), (w, h), &buf)
                    .and_then(|_| b.present());
                if let Err(e) = done {
                    encode_err = Some(e.to_string());
                    return Err(std::io::Error::other("PNG encoding failed"));
                }
                drop(b);
                File::open(tmp)?.sync_all()
            });
            match (res, encode_err) {
                (Err(_), Some(message)) => Err(PlotError::Draw {
                    path: path.to_path_buf(),
                    message,
                }),
                (res, _) => res,
            }
        }
    }
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

/// Removes the temporary file unless the rename happened.
struct TempGuard {
    path: PathBuf,
    armed: bool,
}

impl Drop for TempGuard {
    fn drop(&mut self) {
        if self.armed {
            let _ = fs::remove_file(&self.path);
        }
    }
}

/// Creates a fresh hidden temporary file beside `path` (ending in `.ext`, which the PNG encoder
/// needs), lets `fill` write it, then renames it onto `path`. Any failure removes it.
fn write_atomic(
    path: &Path,
    ext: &str,
    fill: impl FnOnce(&Path) -> std::io::Result<()>,
) -> Result<(), PlotError> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let io_err = |source| PlotError::Io {
        path: path.to_path_buf(),
        source,
    };
    // As every output: a link's target is replaced (the link stays), a device or pipe is
    // written into, a folder is refused.
    let into = crate::report::output::rename_target(path).map_err(io_err)?;
    let link_target;
    let (path, direct) = match into {
        Some(dest) => {
            link_target = dest;
            (link_target.as_path(), false)
        }
        None => (path, true),
    };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| io_err(std::io::Error::other("the path names no file")))?;
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let tmp = dir.join(format!(".{name}.{}-{n}.tmp.{ext}", std::process::id()));
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&tmp)
        .map_err(io_err)?;
    let mut guard = TempGuard {
        path: tmp.clone(),
        armed: true,
    };
    fill(&tmp).map_err(io_err)?;
    if direct {
        fs::copy(&tmp, path).map_err(io_err)?;
        return Ok(()); // the guard removes the temporary file
    }
    fs::rename(&tmp, path).map_err(io_err)?;
    guard.armed = false;
    Ok(())
}
