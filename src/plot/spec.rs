//! A chart as data. Each analysis command (sweep, tornado, montecarlo) records the charts it
//! draws in its results.json ("charts": file stem, kind and every value the drawing reads), so
//! `fleetcost plot DIR` redraws an analysis folder from that file alone, byte for byte (JSON
//! numbers round-trip f64 exactly; a NaN, written as null, reads back as NaN).

use super::{
    heatmap, histogram, sweep_line, tornado, ChartOptions, HeatmapChart, HistogramChart,
    ImageFormat, PlotError, SweepChart, TornadoChart,
};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// One chart of an analysis command.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ChartSpec {
    Sweep(SweepChart),
    Heatmap(HeatmapChart),
    Histogram(HistogramChart),
    Tornado(TornadoChart),
}

impl ChartSpec {
    /// Draws the chart at `path` in `fmt`.
    pub fn draw(&self, path: &Path, fmt: ImageFormat, o: &ChartOptions) -> Result<(), PlotError> {
        match self {
            ChartSpec::Sweep(c) => sweep_line(c, path, fmt, o),
            ChartSpec::Heatmap(c) => heatmap(c, path, fmt, o),
            ChartSpec::Histogram(c) => histogram(c, path, fmt, o),
            ChartSpec::Tornado(c) => tornado(c, path, fmt, o),
        }
    }
}

/// A chart and the file stem it is written under (`<file>.png` and `<file>.svg`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DrawnChart {
    pub file: String,
    pub chart: ChartSpec,
}

impl DrawnChart {
    /// Writes `<dir>/<file>.png` and `.svg`.
    pub fn draw_both(&self, dir: &Path, o: &ChartOptions) -> Result<(), PlotError> {
        for fmt in [ImageFormat::Png, ImageFormat::Svg] {
            let path = dir.join(format!("{}.{}", self.file, fmt.extension()));
            self.chart.draw(&path, fmt, o)?;
        }
        Ok(())
    }
}

/// Reading numbers that may be NaN (JSON has no NaN: serde_json writes null).
pub(super) mod nan {
    use serde::{Deserialize, Deserializer};

    fn or_nan(v: Option<f64>) -> f64 {
        v.unwrap_or(f64::NAN)
    }

    pub fn one<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        Option::<f64>::deserialize(d).map(or_nan)
    }

    pub fn list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<f64>, D::Error> {
        Vec::<Option<f64>>::deserialize(d).map(|v| v.into_iter().map(or_nan).collect())
    }

    pub fn grid<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Vec<f64>>, D::Error> {
        Vec::<Vec<Option<f64>>>::deserialize(d).map(|g| {
            g.into_iter()
                .map(|r| r.into_iter().map(or_nan).collect())
                .collect()
        })
    }

    pub fn series<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<(String, Vec<f64>)>, D::Error> {
        Vec::<(String, Vec<Option<f64>>)>::deserialize(d).map(|s| {
            s.into_iter()
                .map(|(n, v)| (n, v.into_iter().map(or_nan).collect()))
                .collect()
        })
    }

    pub fn pairs<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<(f64, f64)>, D::Error> {
        Vec::<(Option<f64>, Option<f64>)>::deserialize(d)
            .map(|v| v.into_iter().map(|(a, b)| (or_nan(a), or_nan(b))).collect())
    }

    pub fn named<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<(String, f64)>, D::Error> {
        Vec::<(String, Option<f64>)>::deserialize(d)
            .map(|v| v.into_iter().map(|(n, x)| (n, or_nan(x))).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chart_round_trips_through_json_with_its_nans() {
        let c = DrawnChart {
            file: "sweep".into(),
            chart: ChartSpec::Sweep(SweepChart {
                title: "t".into(),
                x: vec![1.0, 2.0, 3.0],
                series: vec![("a".into(), vec![0.1 + 0.2, f64::NAN, 1e-300])],
                base_x: Some(2.0),
                claim_band: Some((1.3, 1.4)),
                ..Default::default()
            }),
        };
        let back: DrawnChart = serde_json::from_str(&serde_json::to_string(&c).unwrap()).unwrap();
        let (ChartSpec::Sweep(a), ChartSpec::Sweep(b)) = (&c.chart, &back.chart) else {
            panic!("{back:?}")
        };
        assert_eq!(a.x, b.x);
        assert_eq!(a.series[0].1[0].to_bits(), b.series[0].1[0].to_bits());
        assert!(b.series[0].1[1].is_nan());
        assert_eq!(a.series[0].1[2], b.series[0].1[2]);
        assert_eq!(a.claim_band, b.claim_band);
    }
}
