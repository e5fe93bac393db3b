//! The parts around the plot: the title block, a legend row (outside the data) and notes.

use plotters::prelude::*;

use super::canvas::{line_height, measure, wrap, Align, Canvas, Marker, VAlign};
use super::output::{BoxError, DrawResult, Region};
use super::style::{darker, Font, Theme, MUTED, TEXT};

/// What a legend entry shows beside its text.
#[derive(Debug, Clone)]
pub(crate) enum Swatch {
    /// A filled box, optionally hatched.
    Fill { color: RGBColor, hatch: bool },
    /// A line, optionally dashed (design pixels) and with a marker.
    Line {
        color: RGBColor,
        width: f64,
        dash: Option<(f64, f64)>,
        marker: Option<Marker>,
    },
    /// A translucent band.
    Band(RGBColor),
    /// An open circle (a marked point).
    Ring(RGBColor),
}

#[derive(Debug, Clone)]
pub(crate) struct Item {
    pub label: String,
    pub swatch: Swatch,
}

impl Item {
    pub fn fill(label: impl Into<String>, color: RGBColor, hatch: bool) -> Item {
        Item {
            label: label.into(),
            swatch: Swatch::Fill { color, hatch },
        }
    }

    pub fn line(
        label: impl Into<String>,
        color: RGBColor,
        dash: Option<(f64, f64)>,
        marker: Option<Marker>,
    ) -> Item {
        Item {
            label: label.into(),
            swatch: Swatch::Line {
                color,
                width: 4.0,
                dash,
                marker,
            },
        }
    }

    pub fn band(label: impl Into<String>, color: RGBColor) -> Item {
        Item {
            label: label.into(),
            swatch: Swatch::Band(color),
        }
    }
}

fn swatch_w(th: &Theme) -> i32 {
    th.px(52.0)
}

/// Items laid out in rows no wider than `width`: indices per row.
fn rows(items: &[Item], width: i32, th: &Theme) -> Vec<Vec<usize>> {
    let gap = th.px(40.0);
    let mut rows: Vec<Vec<usize>> = vec![];
    let mut x = 0;
    for (i, it) in items.iter().enumerate() {
        let w = swatch_w(th) + th.px(12.0) + measure(&it.label, th.legend).0;
        if rows.is_empty() || (x > 0 && x + w > width) {
            rows.push(vec![]);
            x = 0;
        }
        if let Some(r) = rows.last_mut() {
            r.push(i);
        }
        x += w + gap;
    }
    rows
}

/// Height the legend needs within `width` (0 for no items).
pub(crate) fn legend_height(items: &[Item], width: i32, th: &Theme) -> i32 {
    if items.is_empty() {
        return 0;
    }
    let n = rows(items, width - 2 * th.px(16.0), th).len() as i32;
    n * row_h(th) + 2 * th.px(10.0)
}

fn row_h(th: &Theme) -> i32 {
    (line_height(th.legend) as f64 * 1.45) as i32
}

/// Draws the legend in a light box whose top-left is (x, y), at most `width` wide.
pub(crate) fn draw_legend<DB: DrawingBackend>(
    cv: &Canvas<DB>,
    items: &[Item],
    (x, y): (i32, i32),
    width: i32,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    if items.is_empty() {
        return Ok(());
    }
    let th = &cv.th;
    let inset = th.px(16.0);
    let rows = rows(items, width - 2 * inset, th);
    let gap = th.px(40.0);
    let rh = row_h(th);
    let used = rows
        .iter()
        .map(|r| {
            r.iter()
                .map(|i| swatch_w(th) + th.px(12.0) + measure(&items[*i].label, th.legend).0)
                .sum::<i32>()
                + gap * (r.len() as i32 - 1)
        })
        .max()
        .unwrap_or(0);
    let h = legend_height(items, width, th);
    let box_w = used + 2 * inset;
    cv.fill_rect(
        (x, y),
        (x + box_w, y + h),
        RGBColor(0xf6, 0xf6, 0xf6).to_rgba(),
    )?;
    cv.stroke_rect(
        (x, y),
        (x + box_w, y + h),
        RGBColor(0xcc, 0xcc, 0xcc),
        th.lw(1.0),
    )?;
    for (ri, row) in rows.iter().enumerate() {
        let cy = y + th.px(10.0) + rh * ri as i32 + rh / 2;
        let mut cx = x + inset;
        for i in row {
            let it = &items[*i];
            swatch(cv, &it.swatch, (cx, cy))?;
            let tx = cx + swatch_w(th) + th.px(12.0);
            cv.text(
                &it.label,
                (tx, cy),
                th.legend,
                TEXT,
                (Align::Left, VAlign::Middle),
            )?;
            cx = tx + measure(&it.label, th.legend).0 + gap;
        }
    }
    Ok(())
}

fn swatch<DB: DrawingBackend>(cv: &Canvas<DB>, s: &Swatch, (x, cy): (i32, i32)) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let th = &cv.th;
    let w = swatch_w(th);
    let h = th.px(26.0);
    match s {
        Swatch::Fill { color, hatch } => {
            let (a, b) = ((x, cy - h / 2), (x + w, cy + h / 2));
            cv.fill_rect(a, b, color.to_rgba())?;
            if *hatch {
                cv.hatch(a, b, darker(*color, 0.55), th.px(11.0), th.lw(2.0))?;
            }
            cv.stroke_rect(a, b, darker(*color, 0.6), th.lw(1.5))?;
        }
        Swatch::Ring(color) => {
            let c = Circle::new((x + w / 2, cy), th.px(9.0), color.stroke_width(th.lw(3.0)));
            cv.area.draw(&c)?;
        }
        Swatch::Band(color) => {
            let (a, b) = ((x, cy - h / 2), (x + w, cy + h / 2));
            cv.fill_rect(a, b, color.to_rgba())?;
        }
        Swatch::Line {
            color,
            width,
            dash,
            marker,
        } => {
            let pts = [(x as f64, cy as f64), ((x + w) as f64, cy as f64)];
            cv.polyline(&pts, *color, th.lw(*width), *dash)?;
            if let Some(m) = marker {
                cv.marker(*m, (x + w / 2, cy), th.px(8.0), *color, RGBColor(0, 0, 0))?;
            }
        }
    }
    Ok(())
}

/// Lines of the title block: (title lines, subtitle lines) wrapped to `width`.
pub(crate) fn header_lines(
    title: &str,
    subtitle: &str,
    width: i32,
    th: &Theme,
) -> (Vec<String>, Vec<String>) {
    let t = elided(title, th.title, width);
    let s = if subtitle.is_empty() {
        vec![]
    } else {
        elided(subtitle, th.subtitle, width)
    };
    (t, s)
}

/// A title or subtitle shows at most this many lines.
pub(crate) const HEADER_MAX_LINES: usize = 3;
/// Characters of a title or subtitle that are wrapped at all: more than
/// [`HEADER_MAX_LINES`] lines hold at any width a chart has, so a scenario name of a megabyte
/// costs the same as one of a line (wrapping measures every prefix of a line).
const HEADER_MAX_CHARS: usize = 600;

/// `text` wrapped to `width`, cut to [`HEADER_MAX_LINES`] lines ending in "…" when longer.
pub(crate) fn elided(text: &str, f: Font, width: i32) -> Vec<String> {
    let long = text.chars().nth(HEADER_MAX_CHARS).is_some();
    let head: String = text.chars().take(HEADER_MAX_CHARS).collect();
    let mut lines = wrap(&head, f, width);
    if lines.len() > HEADER_MAX_LINES || long {
        lines.truncate(HEADER_MAX_LINES);
        if let Some(last) = lines.last_mut() {
            while !last.is_empty() && measure(&format!("{last}…"), f).0 > width {
                last.pop();
            }
            let kept = last.trim_end().len();
            last.truncate(kept);
            last.push('…');
        }
    }
    lines
}

/// Draws the title (bold) and subtitle (grey) from the top-left; returns the y below them.
pub(crate) fn draw_header<DB: DrawingBackend>(
    cv: &Canvas<DB>,
    title: &str,
    subtitle: &str,
) -> Result<i32, BoxError>
where
    DB::ErrorType: 'static,
{
    let th = &cv.th;
    let width = th.width - 2 * th.pad;
    let (t, s) = header_lines(title, subtitle, width, th);
    let mut y = th.pad;
    cv.lines(&t, (th.pad, y), th.title, TEXT, (Align::Left, VAlign::Top))?;
    y += line_height(th.title) * t.len() as i32 + th.px(8.0);
    if !s.is_empty() {
        cv.lines(
            &s,
            (th.pad, y),
            th.subtitle,
            MUTED,
            (Align::Left, VAlign::Top),
        )?;
        y += line_height(th.subtitle) * s.len() as i32;
    }
    Ok(y + th.px(18.0))
}

/// Height the notes need, wrapped to the canvas width.
pub(crate) fn notes_height(notes: &[String], th: &Theme) -> i32 {
    let width = th.width - 2 * th.pad;
    let n: usize = notes.iter().map(|n| wrap(n, th.note, width).len()).sum();
    if n == 0 {
        0
    } else {
        n as i32 * line_height(th.note) + th.px(12.0)
    }
}

/// Draws notes (grey, small) ending at the bottom margin.
pub(crate) fn draw_notes<DB: DrawingBackend>(cv: &Canvas<DB>, notes: &[String]) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let th = &cv.th;
    let width = th.width - 2 * th.pad;
    let lines: Vec<String> = notes.iter().flat_map(|n| wrap(n, th.note, width)).collect();
    cv.lines(
        &lines,
        (th.pad, th.height - th.pad),
        th.note,
        MUTED,
        (Align::Left, VAlign::Bottom),
    )
}

/// The region left for the plot once the title, legend and notes are placed: draws those and
/// returns ((x0, y0), (x1, y1)).
pub(crate) fn frame_region<DB: DrawingBackend>(
    cv: &Canvas<DB>,
    title: &str,
    subtitle: &str,
    items: &[Item],
    notes: &[String],
) -> Result<Region, BoxError>
where
    DB::ErrorType: 'static,
{
    let th = &cv.th;
    let mut y = draw_header(cv, title, subtitle)?;
    let width = th.width - 2 * th.pad;
    if !items.is_empty() {
        // A legend that would take over a fifth of the canvas is set smaller.
        let mut small = *th;
        if legend_height(items, width, th) > th.height / 5 {
            small.legend = th.note;
        }
        let lcv = Canvas::new(cv.area, &small);
        draw_legend(&lcv, items, (th.pad, y), width)?;
        y += legend_height(items, width, &small) + th.px(16.0);
    }
    draw_notes(cv, notes)?;
    let bottom = th.height - th.pad - notes_height(notes, th);
    Ok(((th.pad, y), (th.width - th.pad, bottom)))
}
