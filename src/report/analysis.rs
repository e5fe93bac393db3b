//! What the analysis commands report, typed (as [`super::RunReport`] is for `run`): each
//! command builds one of these and its JSON (stdout with `--format json`, and results.json) is
//! that struct under [`AnalysisReport`], which adds the command's name and, in an `--out`
//! folder, the charts drawn (`plot::DrawnChart`, from which `fleetcost plot DIR` redraws them).
//! The rows the analyses compute (tornado bars, elasticities) are defined here, below them.

use super::RunReport;
use crate::units::format::{fmt_fixed, fmt_signed, fmt_thousands, fmt_usd, Num};
use serde::Serialize;

/// A right-aligned table of the analysis commands: plain text, or GitHub markdown for
/// `--format markdown`.
pub fn grid(md: bool, header: Vec<String>, rows: Vec<Vec<String>>) -> String {
    let mut t = comfy_table::Table::new();
    t.load_preset(if md {
        comfy_table::presets::ASCII_MARKDOWN
    } else {
        "     ──            "
    });
    t.set_header(header);
    for r in rows {
        t.add_row(r);
    }
    for (i, col) in t.column_iter_mut().enumerate() {
        if i > 0 {
            col.set_cell_alignment(comfy_table::CellAlignment::Right);
        }
    }
    format!("{t}\n")
}

/// One bar of the tornado.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Bar {
    pub param: String,
    /// The parameter at its 5th and 95th percentiles (SI) and as text in its unit.
    pub low_value: f64,
    pub high_value: f64,
    pub low_text: String,
    pub high_text: String,
    /// The metric with the parameter at p5 and at p95.
    pub metric_low: f64,
    pub metric_high: f64,
    /// |metric_high - metric_low|.
    pub swing: f64,
}

/// One parameter's elasticity.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Elasticity {
    pub param: String,
    /// Base value in the key's unit, as text.
    pub value: String,
    pub elasticity: f64,
}

/// Why a parameter has no elasticity.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Skipped {
    pub param: String,
    pub reason: String,
}

/// An analysis command's JSON: which command wrote it, its report's fields, and the charts
/// (`C` is `plot::DrawnChart`; generic so that this layer does not depend on `plot`).
#[derive(Debug, Serialize)]
pub struct AnalysisReport<'a, T: Serialize, C: Serialize> {
    pub command: &'static str,
    #[serde(flatten)]
    pub body: &'a T,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub charts: &'a [C],
}

impl<T: Serialize, C: Serialize> AnalysisReport<'_, T, C> {
    /// The pretty JSON text with a final newline.
    pub fn json(&self) -> String {
        super::to_json(self)
    }
}

/// `fleetcost tornado`: the metric at base and each input's swing between its p5 and p95.
#[derive(Debug, Clone, Serialize)]
pub struct TornadoReport {
    /// The metric's label ("rho of trn2 vs h200").
    pub metric: String,
    pub base: f64,
    /// Every uncertain input, largest swing first (swing 0 for those without effect).
    pub bars: Vec<Bar>,
}

impl TornadoReport {
    /// The bars of the table and chart: those that move the metric (all when none does).
    pub fn shown(&self) -> Vec<&Bar> {
        let moves = |b: &&Bar| b.swing > 1e-12 * self.base.abs().max(f64::MIN_POSITIVE);
        if self.bars.iter().any(|b| moves(&b)) {
            self.bars.iter().filter(moves).collect()
        } else {
            self.bars.iter().collect()
        }
    }

    /// The inputs left out of the table and chart, named in a note.
    pub fn no_effect(&self) -> Vec<String> {
        let shown = self.shown();
        self.bars
            .iter()
            .filter(|b| !shown.iter().any(|s| s.param == b.param))
            .map(|b| b.param.clone())
            .collect()
    }

    /// tornado.csv: every bar, 15 significant digits.
    pub fn csv(&self) -> String {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record([
            "param",
            "low_p5",
            "high_p95",
            "metric",
            "metric_at_low",
            "metric_at_high",
            "swing",
            "metric_at_base",
        ])
        .expect("csv");
        for b in &self.bars {
            w.write_record([
                b.param.clone(),
                b.low_text.clone(),
                b.high_text.clone(),
                self.metric.clone(),
                Num(b.metric_low).to_string(),
                Num(b.metric_high).to_string(),
                Num(b.swing).to_string(),
                Num(self.base).to_string(),
            ])
            .expect("csv");
        }
        super::csv::finish(w)
    }

    /// The table: the scenario's name, the base, then the bars that move the metric at
    /// `decimals` places (the metric's own).
    pub fn table(&self, scenario: &str, decimals: usize, md: bool) -> String {
        let rows = self
            .shown()
            .iter()
            .map(|b| {
                vec![
                    b.param.clone(),
                    b.low_text.clone(),
                    b.high_text.clone(),
                    fmt_thousands(b.metric_low, decimals),
                    fmt_thousands(b.metric_high, decimals),
                    fmt_thousands(b.swing, decimals),
                ]
            })
            .collect();
        let header = [
            "input",
            "p5",
            "p95",
            "metric at p5",
            "metric at p95",
            "swing",
        ];
        let no_effect = self.no_effect();
        format!(
            "{scenario}\n{}: {} at base; each input at its p5 and p95, the others at base\n{}",
            self.metric,
            fmt_thousands(self.base, decimals),
            grid(md, header.map(String::from).to_vec(), rows)
        ) + &if no_effect.is_empty() {
            String::new()
        } else {
            format!("no effect on {}: {}\n", self.metric, no_effect.join(", "))
        }
    }
}

/// `fleetcost solve`: the value of a parameter that gives a metric its target, or why none.
#[derive(Debug, Clone, Serialize)]
pub struct SolveReport {
    pub param: String,
    /// The metric's key and label.
    pub metric: String,
    pub metric_label: String,
    pub target: f64,
    /// The solution in the parameter's unit; `None` with `reason` when there is none.
    pub value: Option<f64>,
    pub unit: &'static str,
    pub reason: Option<String>,
    /// The scenario's value of the parameter, in its unit.
    pub base: Option<f64>,
}

impl SolveReport {
    /// CSV: one row, numbers in the parameter's unit; the reason when there is no value.
    pub fn csv(&self) -> String {
        let mut w = csv::Writer::from_writer(Vec::new());
        let num = |v: Option<f64>| v.map(|v| Num(v).to_string()).unwrap_or_default();
        w.write_record([
            "param", "unit", "metric", "target", "value", "base", "reason",
        ])
        .expect("in-memory CSV");
        w.write_record([
            self.param.clone(),
            self.unit.to_string(),
            self.metric.clone(),
            Num(self.target).to_string(),
            num(self.value),
            num(self.base),
            self.reason.clone().unwrap_or_default(),
        ])
        .expect("in-memory CSV");
        super::csv::finish(w)
    }
}

/// `fleetcost elasticities`: d ln(metric) / d ln(input) for every numeric input.
#[derive(Debug, Clone, Serialize)]
pub struct ElasticitiesReport {
    pub metric: String,
    /// Largest magnitude first.
    pub elasticities: Vec<Elasticity>,
    pub skipped: Vec<Skipped>,
}

impl ElasticitiesReport {
    /// CSV: every input with its base value and elasticity.
    pub fn csv(&self) -> String {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(["param", "base", "elasticity"])
            .expect("csv");
        for e in &self.elasticities {
            w.write_record([
                e.param.clone(),
                e.value.clone(),
                Num(e.elasticity).to_string(),
            ])
            .expect("csv");
        }
        super::csv::finish(w)
    }

    /// The table: the inputs that move the metric, largest first, and how many do not.
    pub fn table(&self, scenario: &str, md: bool) -> String {
        let rows = self
            .elasticities
            .iter()
            .filter(|e| e.elasticity != 0.0)
            .map(|e| {
                vec![
                    e.param.clone(),
                    e.value.clone(),
                    fmt_signed(e.elasticity, 4),
                ]
            })
            .collect();
        let zero = self
            .elasticities
            .iter()
            .filter(|e| e.elasticity == 0.0)
            .count();
        format!(
            "{scenario}\nd ln({}) / d ln(input) at the base case, largest first\n{}{zero} inputs have no effect; {} skipped (counts, zeros)\n",
            self.metric,
            grid(md, ["input", "base", "elasticity"].map(String::from).to_vec(), rows),
            self.skipped.len()
        )
    }
}

/// Summary statistics of one Monte Carlo metric.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Stat {
    pub mean: f64,
    pub sd: f64,
    pub p5: f64,
    pub p50: f64,
    pub p95: f64,
}

/// P(metric >= level) with its standard error.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Above {
    pub level: f64,
    pub probability: f64,
    pub se: f64,
}

/// How the quantiles were computed: exactly, or from a histogram within a relative error.
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum Quantiles {
    Exact,
    Histogram { max_rel_error: f64 },
}

/// The metric a Monte Carlo follows besides the fleets and comparisons (`--program`,
/// `--metric`).
#[derive(Debug, Clone, Serialize)]
pub struct Followed {
    /// "fleet", "comparison" or "contract" (absent for a program, which has its own field).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<&'static str>,
    pub id: String,
    /// What it is measured against (a comparison's or a program's baseline; empty otherwise).
    pub baseline: String,
    pub metric: &'static str,
    /// The metric's label ("provider NPV of program trainium").
    pub label: String,
    pub stat: Stat,
    pub above: Vec<Above>,
}

/// One fleet's cost per unit over the draws.
#[derive(Debug, Clone, Serialize)]
pub struct FleetStat {
    pub id: String,
    pub cost_per_unit: Stat,
}

/// One comparison's rho over the draws, and each claim level's probability.
#[derive(Debug, Clone, Serialize)]
pub struct ComparisonStat {
    pub candidate: String,
    pub baseline: String,
    pub rho: Stat,
    pub claims: Vec<Above>,
}

/// `fleetcost montecarlo`: n draws from a seed, each fleet's cost per unit, each comparison's
/// rho and claims, and the followed program or metric.
#[derive(Debug, Clone, Serialize)]
pub struct MonteCarloReport {
    /// The scenario's name, its unit of work and how many inputs are uncertain.
    pub scenario: String,
    pub unit: String,
    pub uncertain_inputs: usize,
    pub n: u64,
    pub seed: u64,
    pub quantiles: Quantiles,
    /// A program's metric (`--program`); null otherwise.
    pub program: Option<Followed>,
    /// A fleet's, comparison's or contract's metric (`--metric`); null otherwise.
    pub metric: Option<Followed>,
    pub fleets: Vec<FleetStat>,
    pub comparisons: Vec<ComparisonStat>,
}

/// `fleetcost sweep`: the swept parameters and, at each grid point, their values and the run's
/// whole report; `view` is what the table shows beside them (not in the JSON).
#[derive(Debug, Serialize)]
pub struct SweepReport<'a> {
    pub params: Vec<&'a str>,
    /// The parameters' units (the values are in them).
    pub units: Vec<&'static str>,
    pub points: Vec<SweepPoint<'a>>,
    #[serde(skip)]
    pub view: SweepView,
}

/// One grid point of a sweep.
#[derive(Debug, Serialize)]
pub struct SweepPoint<'a> {
    /// Numbers in the keys' units; a precision's name.
    pub values: Vec<serde_json::Value>,
    #[serde(flatten)]
    pub report: &'a RunReport,
    /// The axis values as swept (SI), formatted only where the table shows them.
    #[serde(skip)]
    pub swept: Vec<f64>,
    /// The `--metric` at this point (NaN where it has none).
    #[serde(skip)]
    pub metric: f64,
}

/// How the sweep's table states the claim levels.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum ClaimNote {
    #[default]
    None,
    /// A program's rho along one axis: at which values each level holds.
    AlongAxis,
    /// A comparison's metric or a program's rho on a grid: at how many points rho holds each.
    OnGrid,
}

/// What the sweep's table and CSV need beside the JSON.
#[derive(Debug, Default)]
pub struct SweepView {
    pub scenario: String,
    /// Per axis: its parameter, its path, its label with unit, its number of steps.
    pub axes: Vec<(crate::scenario::Param, String, String, usize)>,
    /// The fleet keys of the CSV's columns, in order.
    pub fleet_keys: &'static [&'static str],
    pub metric_label: String,
    /// Decimals of the metric in the 1-D table and on the 2-D grid.
    pub decimals: (usize, usize),
    /// The metric already has a column of the 1-D table (cost per unit, rho).
    pub metric_in_columns: bool,
    pub claims: Vec<f64>,
    pub claim_note: ClaimNote,
}

impl SweepReport<'_> {
    /// Long-format CSV: axis columns, then one row per fleet and per comparison with the metrics.
    pub fn csv(&self) -> String {
        let v = &self.view;
        let mut w = csv::Writer::from_writer(Vec::new());
        let mut header: Vec<String> = self
            .params
            .iter()
            .zip(&self.units)
            .map(|(p, u)| format!("{p} [{u}]"))
            .collect();
        header.extend(["row", "id", "baseline"].map(String::from));
        header.extend(v.fleet_keys.iter().map(|k| k.to_string()));
        header.extend(["rho", "cost_reduction"].map(String::from));
        w.write_record(&header).expect("in-memory CSV");
        for p in &self.points {
            let lead: Vec<String> = p
                .values
                .iter()
                .map(|x| match x {
                    serde_json::Value::String(s) => s.clone(),
                    x => Num(x.as_f64().unwrap_or(f64::NAN)).to_string(),
                })
                .collect();
            for f in &p.report.fleets {
                let obj = serde_json::to_value(f).expect("row");
                let mut rec = lead.clone();
                rec.extend([String::from("fleet"), f.id.clone(), String::new()]);
                rec.extend(v.fleet_keys.iter().map(|k| {
                    obj.get(*k)
                        .and_then(|v| v.as_f64())
                        .map(|v| Num(v).to_string())
                        .unwrap_or_default()
                }));
                rec.extend([String::new(), String::new()]);
                w.write_record(&rec).expect("in-memory CSV");
            }
            for c in &p.report.comparisons {
                let mut rec = lead.clone();
                rec.extend([
                    String::from("comparison"),
                    c.candidate.clone(),
                    c.baseline.clone(),
                ]);
                rec.extend(v.fleet_keys.iter().map(|_| String::new()));
                rec.extend([Num(c.rho).to_string(), Num(c.cost_reduction).to_string()]);
                w.write_record(&rec).expect("in-memory CSV");
            }
        }
        super::csv::finish(w)
    }

    /// The table: a 1-D sweep point by point (cost per unit, rho, the metric); a 2-D sweep as the
    /// metric on at most ~9 x 9 of its grid points (the CSV has them all).
    pub fn table(&self, md: bool) -> String {
        let v = &self.view;
        let points = &self.points;
        let holds = |p: &SweepPoint, level: f64| p.metric >= level;
        // An axis value as the scenario writes it ("11k USD"), counts rounded or as swept.
        let show = |axis: usize, p: &SweepPoint, rounded: bool| {
            let param = v.axes[axis].0;
            let x = p.swept[axis];
            param.show(if rounded && param.spec().range.integer {
                x.round()
            } else {
                x
            })
        };
        if v.axes.len() == 1 {
            let (_, path, label, _) = &v.axes[0];
            let mut header = vec![label.clone()];
            if let Some(p0) = points.first() {
                header.extend(
                    p0.report
                        .fleets
                        .iter()
                        .map(|f| format!("USD/unit {}", f.id)),
                );
                header.extend(
                    p0.report
                        .comparisons
                        .iter()
                        .map(|c| format!("rho {}", c.candidate)),
                );
            }
            if !v.metric_in_columns {
                header.push(v.metric_label.clone());
            }
            let rows = points
                .iter()
                .map(|p| {
                    let mut r = vec![show(0, p, true)];
                    r.extend(
                        p.report
                            .fleets
                            .iter()
                            .map(|f| fmt_thousands(f.cost_per_unit, 4)),
                    );
                    r.extend(p.report.comparisons.iter().map(|c| fmt_thousands(c.rho, 3)));
                    if !v.metric_in_columns {
                        r.push(fmt_thousands(p.metric, v.decimals.0));
                    }
                    r
                })
                .collect();
            let mut out = format!(
                "{}\nsweep of {path}\n{}",
                v.scenario,
                grid(md, header, rows)
            );
            if v.claim_note == ClaimNote::AlongAxis {
                for &level in &v.claims {
                    let held: Vec<String> = points
                        .iter()
                        .filter(|p| holds(p, level))
                        .map(|p| show(0, p, true))
                        .collect();
                    out.push_str(&format!(
                        "{} >= {} at {} of {} points{}\n",
                        v.metric_label,
                        fmt_fixed(level, 2),
                        held.len(),
                        points.len(),
                        if held.is_empty() {
                            String::new()
                        } else {
                            format!(" ({})", held.join(", "))
                        }
                    ));
                }
            }
            return out;
        }
        // 2-D: the metric on the grid, at most ~9 x 9 of its points (the CSV has them all).
        let ((_, px, _, nx), (_, py, _, ny)) = (&v.axes[0], &v.axes[1]);
        let (nx, ny) = (*nx, *ny);
        let pick = |n: usize| -> Vec<usize> {
            let k = n.min(9);
            let mut v: Vec<usize> = (0..k).map(|i| i * (n - 1) / (k - 1).max(1)).collect();
            v.dedup();
            v
        };
        let (ix, iy) = (pick(nx), pick(ny));
        let mut header = vec![format!("{px} \\ {py}")];
        header.extend(iy.iter().map(|&j| show(1, &points[j], false)));
        let rows = ix
            .iter()
            .map(|&i| {
                let mut r = vec![show(0, &points[i * ny], false)];
                r.extend(
                    iy.iter()
                        .map(|&j| fmt_thousands(points[i * ny + j].metric, v.decimals.1)),
                );
                r
            })
            .collect();
        let mut out = format!(
            "{}\n{} on a {nx} x {ny} grid (every point in --format csv)\n{}",
            v.scenario,
            v.metric_label,
            grid(md, header, rows)
        );
        if v.claim_note == ClaimNote::OnGrid {
            for &level in &v.claims {
                let held = points.iter().filter(|p| holds(p, level)).count();
                out.push_str(&format!(
                    "rho >= {} on {held} of {} grid points\n",
                    fmt_fixed(level, 2),
                    points.len()
                ));
            }
        }
        out
    }
}

impl MonteCarloReport {
    /// montecarlo.csv: one row per statistic and claim level (fleets, comparisons, the followed
    /// metric), 15 significant digits.
    pub fn csv(&self) -> String {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record([
            "kind",
            "id",
            "baseline",
            "metric",
            "mean",
            "sd",
            "p5",
            "p50",
            "p95",
            "level",
            "probability",
            "se",
        ])
        .expect("csv");
        let mut rows = |names: [&str; 4], s: &Stat, ex: &[Above]| {
            let mut head: Vec<String> = names.iter().map(|n| n.to_string()).collect();
            head.extend([s.mean, s.sd, s.p5, s.p50, s.p95].map(|v| Num(v).to_string()));
            if ex.is_empty() {
                let mut rec = head.clone();
                rec.extend([String::new(), String::new(), String::new()]);
                w.write_record(rec).expect("csv");
            }
            for e in ex {
                let mut rec = head.clone();
                rec.extend([e.level, e.probability, e.se].map(|v| Num(v).to_string()));
                w.write_record(rec).expect("csv");
            }
        };
        for f in &self.fleets {
            rows(["fleet", &f.id, "", "cost_per_unit"], &f.cost_per_unit, &[]);
        }
        for c in &self.comparisons {
            rows(
                ["comparison", &c.candidate, &c.baseline, "rho"],
                &c.rho,
                &c.claims,
            );
        }
        if let Some(f) = self.program.as_ref().or(self.metric.as_ref()) {
            let kind = f.kind.unwrap_or("program");
            rows([kind, &f.id, &f.baseline, f.metric], &f.stat, &f.above);
        }
        super::csv::finish(w)
    }

    /// The table: the fleets' cost per unit, each comparison's rho with its claims, and the
    /// followed metric in its own form (money, percent, counts).
    pub fn table(&self, md: bool) -> String {
        let method = match self.quantiles {
            Quantiles::Exact => "exact order statistics".to_string(),
            Quantiles::Histogram { max_rel_error } => {
                format!("a log histogram, within {max_rel_error:.1e} relative")
            }
        };
        let mut out = format!(
            "{}\nMonte Carlo: {} draws, seed {}; {} uncertain inputs; quantiles by {method}\n\nUSD per {}\n",
            self.scenario,
            fmt_thousands(self.n as f64, 0),
            self.seed,
            self.uncertain_inputs,
            self.unit
        );
        let five = |s: &Stat, d: usize| -> Vec<String> {
            [s.mean, s.sd, s.p5, s.p50, s.p95]
                .iter()
                .map(|&v| fmt_thousands(v, d))
                .collect()
        };
        let chance = |e: &Above| {
            format!(
                "{} % (se {})",
                fmt_fixed(e.probability * 100.0, 2),
                fmt_fixed(e.se * 100.0, 2)
            )
        };
        let rows = self
            .fleets
            .iter()
            .map(|f| {
                let mut r = vec![f.id.clone()];
                r.extend(five(&f.cost_per_unit, 4));
                r
            })
            .collect();
        out.push_str(&grid(
            md,
            ["fleet", "mean", "sd", "p5", "p50", "p95"]
                .map(String::from)
                .to_vec(),
            rows,
        ));
        if let Some(first) = self.comparisons.first() {
            out.push_str("\nrho (perf per dollar vs baseline)\n");
            let mut header: Vec<String> = ["candidate", "mean", "sd", "p5", "p50", "p95"]
                .map(String::from)
                .to_vec();
            header.extend(
                first
                    .claims
                    .iter()
                    .map(|e| format!("P(rho >= {})", fmt_fixed(e.level, 2))),
            );
            let rows = self
                .comparisons
                .iter()
                .map(|c| {
                    let mut row = vec![c.candidate.clone()];
                    row.extend(five(&c.rho, 3));
                    row.extend(c.claims.iter().map(chance));
                    row
                })
                .collect();
            out.push_str(&grid(md, header, rows));
        }
        if let Some(f) = self.program.as_ref().or(self.metric.as_ref()) {
            let key = f.metric;
            out.push_str(&format!("\n{}\n", f.label));
            let mut header: Vec<String> = ["mean", "sd", "p5", "p50", "p95"]
                .map(String::from)
                .to_vec();
            header.extend(
                f.above
                    .iter()
                    .map(|e| format!("P({key} >= {})", Num(e.level))),
            );
            // Money as money, rates as percentages, the rest with 4 decimals.
            let show = |v: f64| match key {
                "nominal_cost" | "pv_cost" | "payments_pv" | "provider_npv" | "run_cost" => {
                    fmt_usd(v)
                }
                "provider_irr" | "implied_margin" | "cost_reduction" => {
                    format!("{} %", fmt_fixed(v * 100.0, 2))
                }
                // counts and hours: whole numbers with thousands separators
                "chip_hours" | "chips" | "run_seconds" | "pv_work" | "peak_chips" => {
                    fmt_thousands(v, 0)
                }
                _ => fmt_thousands(v, 4),
            };
            let s = &f.stat;
            let mut row: Vec<String> = [s.mean, s.sd, s.p5, s.p50, s.p95]
                .iter()
                .map(|&v| show(v))
                .collect();
            row.extend(f.above.iter().map(chance));
            out.push_str(&grid(md, header, vec![row]));
        }
        out
    }
}
