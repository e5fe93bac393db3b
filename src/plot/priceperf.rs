//! Price-performance against the baseline (rho), one bar per fleet, with the claim band.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::axis::{Axis, Frame, TickFormat};
use super::canvas::{line_height, measure, Align, Canvas, VAlign};
use super::fleets::{
    baseline_id, blocks_height, check_fleets, draw_under, fit_blocks, run_subtitle,
};
use super::legend::{frame_region, Item};
use super::output::{render, Chart, DrawResult};
use super::style::{claim_dash, darker, viridis, Theme, ACCENT, BAND, MUTED, TEXT};
use super::{ChartOptions, ImageFormat, PlotError};
use crate::report::rows::{FleetRow, RunReport};

/// Bars of perf per dollar relative to the baseline (rho; the baseline's bar is 1.00x), each
/// labelled with rho and the cost change, over the claim band (min to max claim level) shaded.
/// The baseline is the one in `r.comparisons`, or the first fleet when there are none.
pub fn price_performance(
    r: &RunReport,
    path: &Path,
    fmt: ImageFormat,
    o: &ChartOptions,
) -> Result<(), PlotError> {
    render(&PricePerf { r }, path, fmt, o)
}

struct PricePerf<'a> {
    r: &'a RunReport,
}

/// rho of every fleet against the baseline, in fleet order.
fn rhos(r: &RunReport, base: &FleetRow) -> Vec<f64> {
    r.fleets
        .iter()
        .map(|f| {
            if f.id == base.id {
                return 1.0;
            }
            r.comparisons
                .iter()
                .find(|c| c.candidate == f.id && c.baseline == base.id)
                .map(|c| c.rho)
                .unwrap_or(base.cost_per_unit / f.cost_per_unit)
        })
        .collect()
}

/// Claim levels of the report, sorted and unique.
fn levels(r: &RunReport) -> Vec<f64> {
    let mut v: Vec<f64> = r
        .comparisons
        .iter()
        .flat_map(|c| c.claims.iter().map(|l| l.level))
        .filter(|l| l.is_finite())
        .collect();
    v.sort_by(f64::total_cmp);
    v.dedup_by(|a, b| (*a - *b).abs() < 1e-12);
    v
}

/// Bar classes: 0 baseline, 1 meets every claim, 2 meets some, 3 meets none.
fn class(is_base: bool, rho: f64, levels: &[f64]) -> usize {
    if is_base {
        0
    } else if levels.iter().all(|l| rho >= *l) {
        1
    } else if levels.iter().any(|l| rho >= *l) {
        2
    } else {
        3
    }
}

fn class_color(c: usize) -> RGBColor {
    match c {
        0 => RGBColor(0xc9, 0xc9, 0xc9),
        1 => viridis(0.05),
        2 => viridis(0.5),
        _ => viridis(0.88),
    }
}

fn pct(x: f64) -> String {
    let v = x * 100.0;
    if v.abs() >= crate::units::format::SCI_FROM || !v.is_finite() {
        crate::units::format::fmt_short(v, 3)
    } else if (v - v.round()).abs() < 0.05 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

impl Chart for PricePerf<'_> {
    fn check(&self) -> Result<(), String> {
        check_fleets(self.r)?;
        let base = baseline_id(self.r).unwrap_or_default();
        let Some(b) = self.r.fleets.iter().find(|f| f.id == base) else {
            return Err(format!("the baseline {base} is not among the fleets"));
        };
        for (f, rho) in self.r.fleets.iter().zip(rhos(self.r, b)) {
            if !(rho.is_finite() && rho >= 0.0) {
                return Err(format!("fleet {} has rho {rho}", f.id));
            }
        }
        Ok(())
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, th: &Theme) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let r = self.r;
        let cv = Canvas::new(root, th);
        if r.fleets.len() == 1 {
            // Nothing to compare: a lone 1.00x bar says nothing, the cost per unit does.
            return single(&cv, r, th);
        }
        let base_id = baseline_id(r).unwrap_or_default().to_string();
        let base = r
            .fleets
            .iter()
            .find(|f| f.id == base_id)
            .unwrap_or(&r.fleets[0]);
        let rho = rhos(r, base);
        let levels = levels(r);
        let classes: Vec<usize> = r
            .fleets
            .iter()
            .zip(&rho)
            .map(|(f, x)| class(f.id == base.id, *x, &levels))
            .collect();

        let mut items = vec![Item::fill(
            format!("Baseline ({})", base.id),
            class_color(0),
            true,
        )];
        let names = if levels.is_empty() {
            ["", "Candidate", "", ""]
        } else if levels.len() == 1 {
            ["", "Meets the claim", "", "Below the claim"]
        } else {
            [
                "",
                "Meets every claim level",
                "Meets some claim levels",
                "Below every claim level",
            ]
        };
        for (c, name) in names.iter().enumerate().skip(1) {
            if classes.contains(&c) {
                items.push(Item::fill(*name, class_color(c), false));
            }
        }
        let (lo, hi) = (levels.first().copied(), levels.last().copied());
        if let (Some(lo), Some(hi)) = (lo, hi) {
            let claim = if levels.len() == 1 {
                format!(
                    "Claim {} ({} % better price-performance)",
                    TickFormat::Times.value(lo),
                    pct(lo - 1.0)
                )
            } else {
                format!(
                    "Claim band {}–{} ({}–{} % better)",
                    TickFormat::Times.value(lo).trim_end_matches('x'),
                    TickFormat::Times.value(hi),
                    pct(lo - 1.0),
                    pct(hi - 1.0)
                )
            };
            items.push(Item::band(claim, BAND));
        }
        let title = format!(
            "Price-performance vs {} (perf per dollar, baseline = 1.00x)",
            base.id
        );
        let notes = vec![format!(
            "ρ = cost per {u} of {b} / cost per {u} of the fleet;{reading} Under each ρ: the change in cost per unit against {b}.",
            u = base.work_unit,
            b = base.id,
            // How a claim reads matters only where one is tested.
            reading = if levels.is_empty() {
                ""
            } else {
                " \"x % better price-performance\" means ρ ≥ 1 + x."
            }
        )];
        let region = frame_region(&cv, &title, &run_subtitle(r), &items, &notes)?;

        let n = r.fleets.len();
        let top = rho
            .iter()
            .copied()
            .chain(levels.iter().copied())
            .fold(1.0, f64::max);
        let y = Axis::nice(
            0.0,
            top * 1.16,
            &TickFormat::Times,
            8,
            &format!("Perf per dollar vs {} (ρ)", base.id),
        );
        let x = Axis::bare(-0.5, n as f64 - 0.5);
        // Room on the right for the claim levels' labels.
        let lvl_w = levels
            .iter()
            .map(|l| measure(&TickFormat::Times.value(*l), th.value).0)
            .max()
            .unwrap_or(0);
        let region = (
            (region.0 .0, region.0 .1),
            (region.1 .0 - lvl_w - th.px(8.0), region.1 .1),
        );
        let probe = Frame::fit(region, x.clone(), y.clone(), th, (0, 0));
        let slot = (probe.right - probe.left) / n as i32;
        let fleets: Vec<&FleetRow> = r.fleets.iter().collect();
        let max_h = (region.1 .1 - region.0 .1) / 4;
        let blocks = fit_blocks(&fleets, &[(slot as f64 * 0.9) as i32], max_h, th);
        let frame = Frame::fit(region, x, y, th, (0, blocks_height(&blocks) + th.px(16.0)));

        if let (Some(lo), Some(hi)) = (lo, hi) {
            let (ya, yb) = (frame.py(lo).round() as i32, frame.py(hi).round() as i32);
            let yb = if ya - yb < 3 { ya - 3 } else { yb };
            cv.fill_rect((frame.left, yb), (frame.right, ya), BAND.mix(0.75))?;
        }
        frame.grid(&cv, false)?;
        // Claim levels: dashed lines across, labelled in the right margin.
        for (k, l) in levels.iter().enumerate() {
            let y = frame.py(*l);
            let dash = claim_dash(k);
            let pts = [(frame.left as f64, y), (frame.right as f64, y)];
            cv.polyline(&pts, ACCENT, th.lw(2.5), dash)?;
            let label_y = if levels.len() == 2 && k == 0 {
                (VAlign::Top, y.round() as i32)
            } else if levels.len() == 2 {
                (VAlign::Bottom, y.round() as i32)
            } else {
                (VAlign::Middle, y.round() as i32)
            };
            cv.text(
                &TickFormat::Times.value(*l),
                (frame.right + th.px(8.0), label_y.1),
                th.value,
                ACCENT,
                (Align::Left, label_y.0),
            )?;
        }
        let y1 = frame.py(1.0).round() as i32;
        cv.line(&[(frame.left, y1), (frame.right, y1)], TEXT, th.lw(1.5))?;
        let bar_w = ((frame.right - frame.left) as f64 / n as f64 * 0.56).min(th.px(230.0) as f64);
        for (i, f) in r.fleets.iter().enumerate() {
            let cx = frame.px(i as f64);
            let (x0, x1) = (
                (cx - bar_w / 2.0).round() as i32,
                (cx + bar_w / 2.0).round() as i32,
            );
            let (ya, yb) = (
                frame.py(0.0).round() as i32,
                frame.py(rho[i]).round() as i32,
            );
            let c = class_color(classes[i]);
            cv.fill_rect((x0, yb), (x1, ya), c.to_rgba())?;
            if classes[i] == 0 {
                cv.hatch((x0, yb), (x1, ya), darker(c, 0.55), th.px(14.0), th.lw(2.0))?;
            }
            cv.stroke_rect((x0, yb), (x1, ya), darker(c, 0.5), th.lw(1.5))?;
            let cr = 1.0 - 1.0 / rho[i];
            let second = if f.id == base.id {
                "baseline".to_string()
            } else if cr >= 0.0 {
                format!("{} % lower cost", pct(cr))
            } else {
                format!("{} % higher cost", pct(-cr))
            };
            let big = th.value.scaled(1.25).bold();
            // Above the bar, and above any claim line the label's white box would hide.
            let mut y2 = yb - th.px(8.0);
            let m = th.px(4.0);
            for _ in 0..=levels.len() {
                let top = y2 - line_height(th.note) - th.px(2.0) - line_height(big) - m;
                let hit = levels
                    .iter()
                    .map(|l| frame.py(*l).round() as i32)
                    .filter(|ly| (top..=y2 + m).contains(ly))
                    .min();
                match hit {
                    Some(ly) => y2 = ly - th.px(8.0),
                    None => break,
                }
            }
            cv.label(
                &second,
                (cx.round() as i32, y2),
                th.note,
                MUTED,
                (Align::Center, VAlign::Bottom),
            )?;
            let y1 = y2 - line_height(th.note) - th.px(2.0);
            cv.label(
                &TickFormat::Times.value(rho[i]),
                (cx.round() as i32, y1),
                big,
                TEXT,
                (Align::Center, VAlign::Bottom),
            )?;
        }
        frame.axes(&cv)?;
        draw_under(&cv, &frame, &blocks)?;
        Ok(())
    }
}

/// One fleet: its cost per unit of work as one labelled bar.
fn single<DB: DrawingBackend>(cv: &Canvas<DB>, r: &RunReport, th: &Theme) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let f = &r.fleets[0];
    let title = format!(
        "Cost per {} of {} (one fleet: nothing to compare)",
        f.work_unit, f.id
    );
    let notes = vec![format!(
        "Cost per {u} = cost per chip-year (annualised: capital, energy, upkeep{rent}) / {u} per chip-year. Add a second fleet for price-performance (ρ).",
        u = f.work_unit,
        rent = if f.mode == "rent" { ", or rent" } else { "" }
    )];
    let region = frame_region(cv, &title, &run_subtitle(r), &[], &notes)?;
    let y = Axis::nice(
        0.0,
        f.cost_per_unit * 1.25,
        &TickFormat::Usd,
        8,
        &format!("USD per {}", f.work_unit),
    );
    let x = Axis::bare(-0.5, 0.5);
    let fleets: Vec<&FleetRow> = r.fleets.iter().collect();
    let probe = Frame::fit(region, x.clone(), y.clone(), th, (0, 0));
    let max_h = (region.1 .1 - region.0 .1) / 4;
    let blocks = fit_blocks(
        &fleets,
        &[((probe.right - probe.left) as f64 * 0.5) as i32],
        max_h,
        th,
    );
    let frame = Frame::fit(region, x, y, th, (0, blocks_height(&blocks) + th.px(16.0)));
    frame.grid(cv, false)?;
    let cx = frame.px(0.0);
    let bar_w = ((frame.right - frame.left) as f64 * 0.3).min(th.px(230.0) as f64);
    let (x0, x1) = (
        (cx - bar_w / 2.0).round() as i32,
        (cx + bar_w / 2.0).round() as i32,
    );
    let (ya, yb) = (
        frame.py(0.0).round() as i32,
        frame.py(f.cost_per_unit).round() as i32,
    );
    let c = viridis(0.05);
    cv.fill_rect((x0, yb), (x1, ya), c.to_rgba())?;
    cv.stroke_rect((x0, yb), (x1, ya), darker(c, 0.5), th.lw(1.5))?;
    let y2 = yb - th.px(8.0);
    cv.label(
        &format!("per {}", f.work_unit),
        (cx.round() as i32, y2),
        th.note,
        MUTED,
        (Align::Center, VAlign::Bottom),
    )?;
    let big = th.value.scaled(1.25).bold();
    cv.label(
        &TickFormat::Usd.value(f.cost_per_unit),
        (cx.round() as i32, y2 - line_height(th.note) - th.px(2.0)),
        big,
        TEXT,
        (Align::Center, VAlign::Bottom),
    )?;
    frame.axes(cv)?;
    draw_under(cv, &frame, &blocks)?;
    Ok(())
}
