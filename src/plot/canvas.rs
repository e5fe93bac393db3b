//! Pixel-space drawing on any backend: text that is measured and wrapped, rectangles, hatching,
//! dashed polylines and markers. Charts lay out in pixels and draw through this.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::output::DrawResult;
use super::style::{Font, Theme};

/// Horizontal anchor of a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Align {
    Left,
    Center,
    Right,
}

/// Vertical anchor of a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum VAlign {
    Top,
    Middle,
    Bottom,
}

/// Marker shapes for line series: they tell series apart where colour does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Marker {
    Circle,
    Square,
    Triangle,
    Diamond,
    Cross,
}

pub(crate) const MARKERS: [Marker; 5] = [
    Marker::Circle,
    Marker::Square,
    Marker::Triangle,
    Marker::Diamond,
    Marker::Cross,
];

/// Dash patterns (dash, gap) in design pixels; None is solid.
pub(crate) const DASHES: [Option<(f64, f64)>; 5] = [
    None,
    Some((18.0, 9.0)),
    Some((5.0, 7.0)),
    Some((24.0, 8.0)),
    Some((12.0, 6.0)),
];

fn font_desc(f: Font) -> FontDesc<'static> {
    let style = if f.bold {
        FontStyle::Bold
    } else {
        FontStyle::Normal
    };
    FontDesc::new(FontFamily::SansSerif, f.size, style)
}

/// Width and height in pixels of one line of `text` in font `f`.
pub(crate) fn measure(text: &str, f: Font) -> (i32, i32) {
    let (w, h) = font_desc(f).box_size(text).unwrap_or_else(|_| {
        // Fonts are embedded; fall back to a rough estimate rather than fail a layout.
        (
            (text.chars().count() as f64 * f.size * 0.55) as u32,
            f.size as u32,
        )
    });
    (w as i32, h as i32)
}

/// Height of one text line including leading.
pub(crate) fn line_height(f: Font) -> i32 {
    (f.size * 1.05).round() as i32
}

/// Splits `text` into lines no wider than `max_w`, breaking at spaces, or after '-', '_', '/'
/// and ',' when a word is too long, and inside a word only as a last resort.
pub(crate) fn wrap(text: &str, f: Font, max_w: i32) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut cur = String::new();
    for piece in pieces(text) {
        let candidate = format!("{cur}{piece}");
        if cur.is_empty() || measure(candidate.trim_end(), f).0 <= max_w {
            cur = candidate;
            continue;
        }
        lines.push(cur.trim_end().to_string());
        cur = piece.trim_start().to_string();
    }
    if !cur.trim().is_empty() {
        lines.push(cur.trim_end().to_string());
    }
    // Break any line still too wide inside the word.
    let mut out = Vec::new();
    for line in lines {
        if measure(&line, f).0 <= max_w {
            out.push(line);
            continue;
        }
        let mut part = String::new();
        for c in line.chars() {
            let next = format!("{part}{c}");
            if !part.is_empty() && measure(&next, f).0 > max_w {
                out.push(std::mem::take(&mut part));
                part.push(c);
            } else {
                part = next;
            }
        }
        if !part.is_empty() {
            out.push(part);
        }
    }
    if out.is_empty() {
        out.push(String::new());
    }
    out
}

/// Break opportunities: each piece ends after a space or a '-', '_', '/', ','.
fn pieces(text: &str) -> Vec<String> {
    let mut v = Vec::new();
    let mut cur = String::new();
    for c in text.chars() {
        cur.push(c);
        if matches!(c, ' ' | '-' | '_' | '/' | ',') {
            v.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        v.push(cur);
    }
    v
}

/// Width of the widest of `lines`.
pub(crate) fn max_width<S: AsRef<str>>(lines: &[S], f: Font) -> i32 {
    lines
        .iter()
        .map(|l| measure(l.as_ref(), f).0)
        .max()
        .unwrap_or(0)
}

/// A drawing surface in canvas pixels.
pub(crate) struct Canvas<'a, DB: DrawingBackend> {
    pub area: &'a DrawingArea<DB, Shift>,
    pub th: Theme,
}

impl<'a, DB: DrawingBackend> Canvas<'a, DB>
where
    DB::ErrorType: 'static,
{
    pub fn new(area: &'a DrawingArea<DB, Shift>, th: &Theme) -> Self {
        Canvas { area, th: *th }
    }

    /// One line of text anchored at (x, y).
    pub fn text(
        &self,
        s: &str,
        (x, y): (i32, i32),
        f: Font,
        color: RGBColor,
        (h, v): (Align, VAlign),
    ) -> DrawResult {
        let hp = match h {
            Align::Left => HPos::Left,
            Align::Center => HPos::Center,
            Align::Right => HPos::Right,
        };
        // Place the baseline ourselves: plotters' bitmap (ab_glyph) and SVG backends put it at
        // different depths below a top anchor (0.5 and 0.613 of the size).
        let size = f.size;
        let baseline = match v {
            VAlign::Top => y as f64 + 0.63 * size,
            VAlign::Middle => y as f64 + 0.28 * size,
            VAlign::Bottom => y as f64 - 0.18 * size,
        };
        let y = (baseline - if self.th.svg { 0.613 } else { 0.5 } * size).round() as i32;
        let style = TextStyle::from(font_desc(f))
            .color(&color)
            .pos(Pos::new(hp, VPos::Top));
        self.area.draw_text(s, &style, (x, y))?;
        Ok(())
    }

    /// Text rotated to read bottom-to-top, centred on (x, y).
    pub fn text_vertical(
        &self,
        s: &str,
        (x, y): (i32, i32),
        f: Font,
        color: RGBColor,
    ) -> DrawResult {
        let style = TextStyle::from(font_desc(f))
            .color(&color)
            .transform(FontTransform::Rotate270)
            .pos(Pos::new(HPos::Center, VPos::Center));
        self.area.draw_text(s, &style, (x, y))?;
        Ok(())
    }

    /// Several lines; `y` is the top of the first line (or per `v`, of the block).
    pub fn lines<S: AsRef<str>>(
        &self,
        lines: &[S],
        (x, y): (i32, i32),
        f: Font,
        color: RGBColor,
        (h, v): (Align, VAlign),
    ) -> DrawResult {
        let lh = line_height(f);
        let total = lh * lines.len() as i32;
        let top = match v {
            VAlign::Top => y,
            VAlign::Middle => y - total / 2,
            VAlign::Bottom => y - total,
        };
        for (i, l) in lines.iter().enumerate() {
            self.text(
                l.as_ref(),
                (x, top + lh * i as i32),
                f,
                color,
                (h, VAlign::Top),
            )?;
        }
        Ok(())
    }

    /// Filled rectangle between two corners (any order).
    pub fn fill_rect(
        &self,
        (x0, y0): (i32, i32),
        (x1, y1): (i32, i32),
        c: RGBAColor,
    ) -> DrawResult {
        let (a, b) = ((x0.min(x1), y0.min(y1)), (x0.max(x1), y0.max(y1)));
        self.area.draw(&Rectangle::new([a, b], c.filled()))?;
        Ok(())
    }

    /// Rectangle outline.
    pub fn stroke_rect(
        &self,
        (x0, y0): (i32, i32),
        (x1, y1): (i32, i32),
        c: RGBColor,
        w: u32,
    ) -> DrawResult {
        let (a, b) = ((x0.min(x1), y0.min(y1)), (x0.max(x1), y0.max(y1)));
        self.area.draw(&Rectangle::new([a, b], c.stroke_width(w)))?;
        Ok(())
    }

    /// Diagonal hatching (lines rising to the right) inside a rectangle.
    pub fn hatch(
        &self,
        (x0, y0): (i32, i32),
        (x1, y1): (i32, i32),
        c: RGBColor,
        spacing: i32,
        w: u32,
    ) -> DrawResult {
        let (x0, x1) = (x0.min(x1), x0.max(x1));
        let (y0, y1) = (y0.min(y1), y0.max(y1));
        let spacing = spacing.max(3);
        // Lines x + y = s; start on a global grid so neighbouring boxes line up.
        let mut s = (x0 + y0).div_euclid(spacing) * spacing;
        while s <= x1 + y1 {
            let xa = x0.max(s - y1);
            let xb = x1.min(s - y0);
            if xa < xb {
                self.line(&[(xa, s - xa), (xb, s - xb)], c, w)?;
            }
            s += spacing;
        }
        Ok(())
    }

    /// Solid polyline.
    pub fn line(&self, pts: &[(i32, i32)], c: RGBColor, w: u32) -> DrawResult {
        if pts.len() >= 2 {
            self.area
                .draw(&PathElement::new(pts.to_vec(), c.stroke_width(w)))?;
        }
        Ok(())
    }

    /// Polyline, dashed when `dash` is Some((dash, gap)) in design pixels.
    pub fn polyline(
        &self,
        pts: &[(f64, f64)],
        c: RGBColor,
        w: u32,
        dash: Option<(f64, f64)>,
    ) -> DrawResult {
        let round = |p: &(f64, f64)| (p.0.round() as i32, p.1.round() as i32);
        let Some((d, g)) = dash else {
            return self.line(&pts.iter().map(round).collect::<Vec<_>>(), c, w);
        };
        let (d, g) = (d * self.th.k, g * self.th.k);
        let mut on = true;
        let mut left = d;
        let mut cur: Vec<(f64, f64)> = pts.first().copied().into_iter().collect();
        for seg in pts.windows(2) {
            let (a, b) = (seg[0], seg[1]);
            let len = ((b.0 - a.0).powi(2) + (b.1 - a.1).powi(2)).sqrt();
            let mut t = 0.0;
            while len - t > left {
                t += left;
                let p = (a.0 + (b.0 - a.0) * t / len, a.1 + (b.1 - a.1) * t / len);
                if on {
                    cur.push(p);
                    self.line(&cur.iter().map(round).collect::<Vec<_>>(), c, w)?;
                }
                cur = vec![p];
                on = !on;
                left = if on { d } else { g };
            }
            left -= len - t;
            if on {
                cur.push(b);
            }
        }
        if on {
            self.line(&cur.iter().map(round).collect::<Vec<_>>(), c, w)?;
        }
        Ok(())
    }

    /// A marker of radius `r` centred on (x, y), filled with `c` and outlined in `edge`.
    pub fn marker(
        &self,
        m: Marker,
        (x, y): (i32, i32),
        r: i32,
        c: RGBColor,
        edge: RGBColor,
    ) -> DrawResult {
        let ew = self.th.lw(2.0);
        match m {
            Marker::Circle => {
                self.area.draw(&Circle::new((x, y), r, c.filled()))?;
                self.area
                    .draw(&Circle::new((x, y), r, edge.stroke_width(ew)))?;
            }
            Marker::Square => {
                let r = (r as f64 * 0.85) as i32;
                self.fill_rect((x - r, y - r), (x + r, y + r), c.to_rgba())?;
                self.stroke_rect((x - r, y - r), (x + r, y + r), edge, ew)?;
            }
            Marker::Triangle | Marker::Diamond => {
                let pts = if m == Marker::Triangle {
                    let h = (r as f64 * 1.15) as i32;
                    vec![(x, y - h), (x + h, y + h * 3 / 4), (x - h, y + h * 3 / 4)]
                } else {
                    let h = (r as f64 * 1.2) as i32;
                    vec![(x, y - h), (x + h, y), (x, y + h), (x - h, y)]
                };
                self.area.draw(&Polygon::new(pts.clone(), c.filled()))?;
                let mut closed = pts.clone();
                closed.push(pts[0]);
                self.line(&closed, edge, ew)?;
            }
            Marker::Cross => {
                let w = self.th.lw(4.0);
                self.line(&[(x - r, y - r), (x + r, y + r)], c, w)?;
                self.line(&[(x - r, y + r), (x + r, y - r)], c, w)?;
            }
        }
        Ok(())
    }

    /// Text on a white ground (no border), so lines behind it stop short of the letters.
    pub fn label(
        &self,
        s: &str,
        (x, y): (i32, i32),
        f: Font,
        color: RGBColor,
        (h, v): (Align, VAlign),
    ) -> DrawResult {
        let (w, ht) = measure(s, f);
        let x0 = match h {
            Align::Left => x,
            Align::Center => x - w / 2,
            Align::Right => x - w,
        };
        let y0 = match v {
            VAlign::Top => y,
            VAlign::Middle => y - ht / 2,
            VAlign::Bottom => y - ht,
        };
        let m = self.th.px(4.0);
        self.fill_rect(
            (x0 - m, y0 - m / 2),
            (x0 + w + m, y0 + ht + m / 2),
            WHITE.to_rgba(),
        )?;
        self.text(s, (x, y), f, color, (h, v))
    }

    /// A label on a white box (for text that sits on data).
    pub fn boxed_text(
        &self,
        s: &str,
        (x, y): (i32, i32),
        f: Font,
        color: RGBColor,
        edge: Option<RGBColor>,
    ) -> DrawResult {
        let (w, h) = measure(s, f);
        let p = self.th.px(6.0);
        let (x0, y0) = (x - w / 2 - p, y - h / 2 - p / 2);
        let (x1, y1) = (x + w / 2 + p, y + h / 2 + p / 2);
        self.fill_rect((x0, y0), (x1, y1), WHITE.to_rgba())?;
        if let Some(e) = edge {
            self.stroke_rect((x0, y0), (x1, y1), e, self.th.lw(1.5))?;
        }
        self.text(s, (x, y), f, color, (Align::Center, VAlign::Middle))
    }
}
