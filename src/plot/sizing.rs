//! Fleet sizing: chips and facility power per fleet, two panels sharing the fleet rows.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::axis::{Axis, Frame, TickFormat};
use super::canvas::{line_height, measure, Align, Canvas, VAlign};
use super::fleets::{blocks_width, check_fleets, draw_left, fit_blocks, run_subtitle};
use super::legend::{frame_region, Item};
use super::output::{render, Chart, DrawResult};
use super::style::{darker, sequence, Theme, ACCENT, MUTED, TEXT};
use super::{ChartOptions, ImageFormat, PlotError};
use crate::report::rows::{FleetRow, RunReport};
use crate::units::format::{fmt_si, fmt_thousands};

/// Two panels with one row per fleet: chips (and nodes), and facility power (and IT power)
/// against the power budget each fleet was sized to (dashed), values written at the bars' ends.
pub fn sizing(
    r: &RunReport,
    path: &Path,
    fmt: ImageFormat,
    o: &ChartOptions,
) -> Result<(), PlotError> {
    render(&Sizing { r }, path, fmt, o)
}

struct Sizing<'a> {
    r: &'a RunReport,
}

/// A panel: axis title, tick format, value per fleet, and two label lines per fleet.
struct Panel {
    title: String,
    fmt: TickFormat,
    values: Vec<f64>,
    labels: Vec<(String, String)>,
}

fn panels(r: &RunReport) -> [Panel; 2] {
    let chips = Panel {
        title: "Chips".into(),
        fmt: TickFormat::Si(String::new()),
        values: r.fleets.iter().map(|f| f.chips as f64).collect(),
        labels: r
            .fleets
            .iter()
            .map(|f| {
                (
                    fmt_si(f.chips as f64, " chips", 3),
                    format!(
                        "{} chips in {} nodes of {}",
                        fmt_thousands(f.chips as f64, 0),
                        fmt_thousands(f.nodes as f64, 0),
                        per_node(f)
                    ),
                )
            })
            .collect(),
    };
    let power = Panel {
        title: "Facility power (IT power × PUE)".into(),
        fmt: TickFormat::Si("W".into()),
        values: r.fleets.iter().map(|f| f.facility_power_w).collect(),
        labels: r
            .fleets
            .iter()
            .map(|f| {
                (
                    format!("{} facility", fmt_si(f.facility_power_w, "W", 3)),
                    format!(
                        "{} IT, {} per chip",
                        fmt_si(f.it_power_w, "W", 3),
                        fmt_si(f.watts_per_chip, "W", 3)
                    ),
                )
            })
            .collect(),
    };
    [chips, power]
}

fn per_node(f: &FleetRow) -> String {
    if f.nodes == 0 {
        return "0".into();
    }
    let k = f.chips as f64 / f.nodes as f64;
    if (k - k.round()).abs() < 1e-9 {
        format!("{k:.0}")
    } else {
        format!("{k:.1}")
    }
}

impl Chart for Sizing<'_> {
    fn check(&self) -> Result<(), String> {
        check_fleets(self.r)?;
        for f in &self.r.fleets {
            if !(f.facility_power_w.is_finite() && f.facility_power_w >= 0.0) {
                return Err(format!(
                    "fleet {} has facility power {}",
                    f.id, f.facility_power_w
                ));
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
        let budgets: Vec<Option<f64>> = r.fleets.iter().map(|f| f.power_budget_w).collect();
        let mut distinct: Vec<f64> = budgets.iter().flatten().copied().collect();
        distinct.sort_by(f64::total_cmp);
        distinct.dedup_by(|a, b| (*a - *b).abs() <= 1e-9 * b.abs());
        let mut items = vec![];
        let title = match distinct.as_slice() {
            [] => "Fleet size: chips and facility power".to_string(),
            [b] => format!(
                "Fleet size for a {} facility power budget",
                fmt_si(*b, "W", 3)
            ),
            _ => "Fleet size for each fleet's facility power budget".to_string(),
        };
        if !distinct.is_empty() {
            let vals: Vec<String> = distinct.iter().map(|b| fmt_si(*b, "W", 3)).collect();
            items.push(Item::line(
                format!("Facility power budget ({})", vals.join(", ")),
                ACCENT,
                Some((14.0, 7.0)),
                None,
            ));
        }
        let mut notes = vec![if distinct.is_empty() {
            "Chip counts as given in the scenario; facility power = chips × provisioned W per chip × PUE.".to_string()
        } else {
            "A fleet sized to a budget holds whole nodes: chips = nodes × chips per node; facility power = chips × provisioned W per chip × PUE, at most the budget.".to_string()
        }];
        let over: Vec<String> = r
            .fleets
            .iter()
            .zip(&budgets)
            .filter_map(|(f, b)| {
                b.filter(|b| f.facility_power_w > b * (1.0 + 1e-9))
                    .map(|b| format!("{} by {}", f.id, fmt_si(f.facility_power_w - b, "W", 3)))
            })
            .collect();
        if !over.is_empty() {
            notes.push(format!(
                "Over the budget (chip count given in the scenario): {}.",
                over.join(", ")
            ));
        }
        let region = frame_region(&cv, &title, &run_subtitle(r), &items, &notes)?;
        let ((x0, y0), (x1, y1)) = region;

        let fleets: Vec<&FleetRow> = r.fleets.iter().collect();
        let n = r.fleets.len();
        // Rows share the height left above the x axes; names get 20 to 34 % of the width.
        let probe = Frame::fit(
            region,
            Axis::linear(0.0, 1.0, &TickFormat::Plain, 5, "Chips"),
            Axis::bare(0.0, 1.0),
            th,
            (0, 0),
        );
        let row_h = (probe.bottom - probe.top) / n as i32;
        let widths: Vec<i32> = [0.2, 0.27, 0.34]
            .iter()
            .map(|f| ((x1 - x0) as f64 * f) as i32)
            .collect();
        let blocks = fit_blocks(&fleets, &widths, row_h - th.px(6.0), th);
        let names_w = blocks_width(&blocks);
        let colors = sequence(n);
        let gap = th.px(60.0);
        let left0 = x0 + names_w + th.px(16.0);
        let panel_w = (x1 - left0 - gap) / 2;
        let mut frames = vec![];
        for (k, p) in panels(r).iter().enumerate() {
            let px0 = left0 + k as i32 * (panel_w + gap);
            let px1 = px0 + panel_w;
            let lw = p
                .labels
                .iter()
                .map(|(a, b)| measure(a, th.value.bold()).0.max(measure(b, th.note).0))
                .max()
                .unwrap_or(0);
            let mut max = p.values.iter().copied().fold(0.0, f64::max);
            if k == 1 {
                max = distinct.iter().copied().fold(max, f64::max);
            }
            let max = if max > 0.0 { max } else { 1.0 };
            let room = (lw + th.px(24.0)) as f64 / panel_w as f64;
            let hi = max / (1.0 - room.min(0.7));
            let x = Axis::linear(0.0, hi, &p.fmt, 5, &p.title);
            let y = Axis::bare(n as f64 - 0.5, -0.5);
            let frame = Frame::fit(((px0, y0), (px1, y1)), x, y, th, (0, 0));
            frame.grid(&cv, true)?;
            let row_h = (frame.bottom - frame.top) as f64 / n as f64;
            let bar_h = (row_h * 0.5).min(th.px(110.0) as f64);
            for (i, v) in p.values.iter().enumerate() {
                let cy = frame.py(i as f64);
                let (ya, yb) = (
                    (cy - bar_h / 2.0).round() as i32,
                    (cy + bar_h / 2.0).round() as i32,
                );
                let xe = frame.px(*v).round() as i32;
                cv.fill_rect((frame.left, ya), (xe, yb), colors[i].to_rgba())?;
                cv.stroke_rect(
                    (frame.left, ya),
                    (xe, yb),
                    darker(colors[i], 0.5),
                    th.lw(1.5),
                )?;
                if k == 1 {
                    if let Some(b) = budgets[i] {
                        let xb = frame.px(b);
                        let h = row_h * 0.42;
                        let pts = [(xb, cy - h), (xb, cy + h)];
                        cv.polyline(&pts, ACCENT, th.lw(3.0), Some((14.0, 7.0)))?;
                    }
                }
                let (a, b) = &p.labels[i];
                let lx = xe + th.px(12.0);
                let lines = [a.as_str(), b.as_str()];
                let h = line_height(th.value) + line_height(th.note);
                let top = cy.round() as i32 - h / 2;
                cv.text(
                    lines[0],
                    (lx, top),
                    th.value.bold(),
                    TEXT,
                    (Align::Left, VAlign::Top),
                )?;
                cv.text(
                    lines[1],
                    (lx, top + line_height(th.value)),
                    th.note,
                    MUTED,
                    (Align::Left, VAlign::Top),
                )?;
            }
            frame.axes(&cv)?;
            frames.push(frame);
        }
        draw_left(&cv, &frames[0], &blocks, x0 + names_w)?;
        Ok(())
    }
}
