//! What the run charts share: fleet names under (or beside) bars, wrapped so long ids never
//! overlap, and the baseline of a run.

use plotters::prelude::*;

use super::axis::Frame;
use super::canvas::{line_height, max_width, wrap, Align, Canvas, VAlign};
use super::output::DrawResult;
use super::style::{Font, Theme, MUTED, TEXT};
use crate::report::rows::{FleetRow, RunReport};

/// One fleet's name block: lines with their font and colour.
pub(crate) type Block = Vec<(String, Font, RGBColor)>;

/// Name blocks for fleets, each wrapped to `max_w`: the id (bold, in `id_font`), then, when
/// `with_chip`, the chip and "rented" in small grey type.
fn name_blocks(
    fleets: &[&FleetRow],
    max_w: i32,
    id_font: Font,
    with_chip: bool,
    th: &Theme,
) -> Vec<Block> {
    fleets
        .iter()
        .map(|f| {
            let mut b: Block = vec![];
            for l in wrap(&f.id, id_font, max_w) {
                b.push((l, id_font, TEXT));
            }
            let mut second = if f.chip_name.is_empty() {
                f.chip.clone()
            } else {
                f.chip_name.clone()
            };
            if f.mode == "rent" {
                second.push_str(" (rented)");
            }
            if with_chip && !second.is_empty() && second != f.id {
                for l in wrap(&second, th.note, max_w) {
                    b.push((l, th.note, MUTED));
                }
            }
            b
        })
        .collect()
}

/// Name blocks no taller than `max_h`: the first of these that fits, trying each width in
/// `widths`: id and chip; id only; id in smaller type. The last try is kept if none fits.
pub(crate) fn fit_blocks(
    fleets: &[&FleetRow],
    widths: &[i32],
    max_h: i32,
    th: &Theme,
) -> Vec<Block> {
    let tries = [
        (th.tick.bold(), true),
        (th.tick.bold(), false),
        (th.note.bold(), false),
    ];
    let mut last = vec![];
    for (font, with_chip) in tries {
        for w in widths {
            last = name_blocks(fleets, *w, font, with_chip, th);
            if blocks_height(&last) <= max_h {
                return last;
            }
        }
    }
    last
}

/// Height of the tallest block.
pub(crate) fn blocks_height(blocks: &[Block]) -> i32 {
    blocks
        .iter()
        .map(|b| b.iter().map(|(_, f, _)| line_height(*f)).sum::<i32>())
        .max()
        .unwrap_or(0)
}

/// Width of the widest line of any block.
pub(crate) fn blocks_width(blocks: &[Block]) -> i32 {
    blocks
        .iter()
        .flat_map(|b| b.iter().map(|(l, f, _)| max_width(&[l], *f)))
        .max()
        .unwrap_or(0)
}

/// Draws the blocks centred under category i at x = frame.px(i), from y = frame.bottom + gap.
pub(crate) fn draw_under<DB: DrawingBackend>(
    cv: &Canvas<DB>,
    frame: &Frame,
    blocks: &[Block],
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    for (i, b) in blocks.iter().enumerate() {
        let x = frame.px(i as f64).round() as i32;
        let mut y = frame.bottom + cv.th.px(12.0);
        for (l, f, c) in b {
            cv.text(l, (x, y), *f, *c, (Align::Center, VAlign::Top))?;
            y += line_height(*f);
        }
    }
    Ok(())
}

/// Draws the blocks right-aligned at `x`, vertically centred on row i at y = frame.py(i).
pub(crate) fn draw_left<DB: DrawingBackend>(
    cv: &Canvas<DB>,
    frame: &Frame,
    blocks: &[Block],
    x: i32,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    for (i, b) in blocks.iter().enumerate() {
        let h: i32 = b.iter().map(|(_, f, _)| line_height(*f)).sum();
        let mut y = frame.py(i as f64).round() as i32 - h / 2;
        for (l, f, c) in b {
            cv.text(l, (x, y), *f, *c, (Align::Right, VAlign::Top))?;
            y += line_height(*f);
        }
    }
    Ok(())
}

/// The baseline fleet's id: the baseline of the first comparison, else the first fleet.
pub(crate) fn baseline_id(r: &RunReport) -> Option<&str> {
    r.comparisons
        .first()
        .map(|c| c.baseline.as_str())
        .or_else(|| r.fleets.first().map(|f| f.id.as_str()))
}

/// The subtitle of a run chart: the scenario name and what was modelled.
pub(crate) fn run_subtitle(r: &RunReport) -> String {
    // The name is cut so that the workload stays in view (the header cuts what is left).
    let mut s = crate::report::elide(&r.name, crate::report::NAME_SHOWN);
    if !r.workload.is_empty() {
        s.push_str(&format!(" · {} workload, {}", r.workload, r.precision));
    }
    s
}

/// Common checks of a run report.
pub(crate) fn check_fleets(r: &RunReport) -> Result<(), String> {
    if r.fleets.is_empty() {
        return Err("the report has no fleets".into());
    }
    Ok(())
}
