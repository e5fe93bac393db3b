//! Fonts, sizes and colours shared by every chart.

use std::sync::Once;

use plotters::style::{FontStyle, RGBColor};

static SANS: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
static SANS_BOLD: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");

/// Registers the embedded DejaVu Sans (regular and bold) as plotters' "sans-serif". Runs once
/// per process; every chart function calls it, and so may benches before drawing by hand.
pub fn register_fonts() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // The bytes are the shipped, valid TrueType files, so registration cannot fail; if it
        // did, text would fail to draw and the chart function would return the error.
        let _ = plotters::style::register_font("sans-serif", FontStyle::Normal, SANS);
        let _ = plotters::style::register_font("sans-serif", FontStyle::Bold, SANS_BOLD);
    });
}

/// A font role: size in pixels (plotters' size: about 1.16 x the em height) and weight.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Font {
    pub size: f64,
    pub bold: bool,
}

impl Font {
    pub fn bold(self) -> Font {
        Font { bold: true, ..self }
    }

    pub fn scaled(self, k: f64) -> Font {
        Font {
            size: self.size * k,
            ..self
        }
    }
}

/// Sizes scaled to the canvas (designed at 1600x1000).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Theme {
    pub width: i32,
    pub height: i32,
    /// Scale factor against 1600x1000.
    pub k: f64,
    pub title: Font,
    pub subtitle: Font,
    /// Axis titles.
    pub label: Font,
    /// Tick labels and category names.
    pub tick: Font,
    /// Values written on or beside the data.
    pub value: Font,
    /// Legend entries.
    pub legend: Font,
    /// Notes under the chart and secondary lines.
    pub note: Font,
    /// Outer margin.
    pub pad: i32,
    /// Drawing for the SVG backend (text baselines differ from the bitmap's).
    pub svg: bool,
}

impl Theme {
    pub fn new(width: u32, height: u32) -> Theme {
        let k = (width as f64 / 1600.0).min(height as f64 / 1000.0).max(0.3);
        let f = |size: f64| Font {
            size: size * k,
            bold: false,
        };
        Theme {
            width: width as i32,
            height: height as i32,
            k,
            title: f(40.0).bold(),
            subtitle: f(28.0),
            label: f(28.0),
            tick: f(25.0),
            value: f(24.0),
            legend: f(25.0),
            note: f(21.0),
            pad: (28.0 * k).round() as i32,
            svg: false,
        }
    }

    /// A length in pixels scaled to the canvas.
    pub fn px(&self, v: f64) -> i32 {
        (v * self.k).round() as i32
    }

    /// A line width scaled to the canvas, at least 1.
    pub fn lw(&self, v: f64) -> u32 {
        (v * self.k).round().max(1.0) as u32
    }
}

pub(crate) const TEXT: RGBColor = RGBColor(0x22, 0x22, 0x22);
pub(crate) const MUTED: RGBColor = RGBColor(0x55, 0x55, 0x55);
pub(crate) const GRID: RGBColor = RGBColor(0xdd, 0xdd, 0xdd);
pub(crate) const AXIS: RGBColor = RGBColor(0x44, 0x44, 0x44);
pub(crate) const WHITE: RGBColor = RGBColor(0xff, 0xff, 0xff);
pub(crate) const BLACK: RGBColor = RGBColor(0, 0, 0);
/// Shading of claim bands: a light warm tone that stays light in grey-scale.
pub(crate) const BAND: RGBColor = RGBColor(0xf6, 0xd2, 0x8b);
/// Accent for reference lines (claims, budgets): dark enough for grey-scale print.
pub(crate) const ACCENT: RGBColor = RGBColor(0xb2, 0x3a, 0x12);

/// Dash pattern (dash, gap in design pixels) of the k-th claim level's line.
pub(crate) fn claim_dash(k: usize) -> Option<(f64, f64)> {
    [(16.0, 8.0), (5.0, 6.0), (24.0, 6.0), (10.0, 4.0)]
        .get(k % 4)
        .copied()
}

/// Viridis anchors: perceptually uniform, lightness rises steadily from dark purple to yellow,
/// so neighbours stay apart in grey-scale and for colour-blind readers.
const VIRIDIS: [(u8, u8, u8); 9] = [
    (0x44, 0x01, 0x54),
    (0x47, 0x2d, 0x7b),
    (0x3b, 0x52, 0x8b),
    (0x2c, 0x72, 0x8e),
    (0x21, 0x91, 0x8c),
    (0x28, 0xae, 0x80),
    (0x5e, 0xc9, 0x62),
    (0xad, 0xdc, 0x30),
    (0xfd, 0xe7, 0x25),
];

/// Viridis at t in [0, 1] (clamped).
pub(crate) fn viridis(t: f64) -> RGBColor {
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let x = t * (VIRIDIS.len() - 1) as f64;
    let i = (x.floor() as usize).min(VIRIDIS.len() - 2);
    let f = x - i as f64;
    let (a, b) = (VIRIDIS[i], VIRIDIS[i + 1]);
    let mix = |p: u8, q: u8| (p as f64 + (q as f64 - p as f64) * f).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// `n` categorical colours, dark to light, far apart in lightness.
pub(crate) fn sequence(n: usize) -> Vec<RGBColor> {
    match n {
        0 => vec![],
        1 => vec![viridis(0.25)],
        _ => (0..n)
            .map(|i| viridis(0.9 * i as f64 / (n - 1) as f64))
            .collect(),
    }
}

/// `n` colours for lines, dark to medium (light lines vanish on white).
pub(crate) fn line_sequence(n: usize) -> Vec<RGBColor> {
    match n {
        0 => vec![],
        1 => vec![viridis(0.1)],
        _ => (0..n)
            .map(|i| viridis(0.72 * i as f64 / (n - 1) as f64))
            .collect(),
    }
}

/// Relative luminance in [0, 1] (sRGB approximation).
pub(crate) fn luminance(c: RGBColor) -> f64 {
    (0.2126 * c.0 as f64 + 0.7152 * c.1 as f64 + 0.0722 * c.2 as f64) / 255.0
}

/// Black or white, whichever reads on `c`.
pub(crate) fn text_on(c: RGBColor) -> RGBColor {
    if luminance(c) < 0.5 {
        WHITE
    } else {
        BLACK
    }
}

/// A darker shade of `c` (outlines, hatching).
pub(crate) fn darker(c: RGBColor, f: f64) -> RGBColor {
    let s = |v: u8| (v as f64 * (1.0 - f)).round() as u8;
    RGBColor(s(c.0), s(c.1), s(c.2))
}
