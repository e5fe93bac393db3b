//! Every chart kind rendered to PNG and SVG from hand-built inputs; sizes, ink inside the plot
//! area, title and axis texts, and atomic writes. `PLOT_GALLERY=/some/dir cargo test gallery`
//! also keeps a copy of every chart there for a person to look at.

use std::path::{Path, PathBuf};

use super::*;
use crate::report::rows::{ClaimRow, ComparisonRow, ContractRow, FleetRow};

const HOURS: f64 = 8766.0;

fn crf(r: f64, n: f64) -> f64 {
    r * (1.0 + r).powf(n) / ((1.0 + r).powf(n) - 1.0)
}

/// A fleet sized to a facility budget, with per-chip figures derived as MODEL.md does.
struct Spec {
    id: &'static str,
    chip: &'static str,
    rent_per_hour: Option<f64>,
    watts: f64,
    chips_per_node: u64,
    hw: f64,
    software: f64,
    tokens_per_s: f64,
    budget_w: f64,
}

fn fleet(s: &Spec) -> FleetRow {
    let pue = 1.2;
    let chips_per_node = s.chips_per_node;
    let nodes = (s.budget_w / pue / (s.watts * chips_per_node as f64)).floor() as u64;
    let chips = nodes * chips_per_node;
    let work = s.tokens_per_s * HOURS * 3600.0 / 1e6;
    let (hw, fac, hw_cap, fac_cap, energy, upkeep, rent) = match s.rent_per_hour {
        Some(rent) => (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, rent * HOURS),
        None => {
            let fac = 11.0 * s.watts;
            (
                s.hw,
                fac,
                s.hw * crf(0.08, 5.0),
                fac * crf(0.08, 20.0),
                s.watts * 0.8 * pue * HOURS * 0.07 / 1000.0,
                0.03 * s.hw + s.software,
                0.0,
            )
        }
    };
    let cost = hw_cap + fac_cap + energy + upkeep + rent;
    let n = chips as f64;
    FleetRow {
        id: s.id.into(),
        chip: s.chip.into(),
        chip_name: String::new(),
        chips,
        nodes,
        it_power_w: n * s.watts,
        facility_power_w: n * s.watts * pue,
        watts_per_chip: s.watts,
        hw_capex_per_chip: hw,
        facility_capex_per_chip: fac,
        capital_per_chip_year: hw_cap + fac_cap,
        energy_per_chip_year: energy,
        upkeep_per_chip_year: upkeep,
        cost_per_chip_year: cost,
        cost_per_chip_hour: cost / HOURS,
        effective_flops_per_chip: s.tokens_per_s * 6.0 * 70e9,
        work_unit: "1M training tokens".into(),
        work_per_chip_year: work,
        cost_per_unit: cost / work,
        annual_cost: n * cost,
        horizon_cost_nominal: n * cost * 8.0,
        horizon_cost_pv: n * cost * (1.0 - 1.08f64.powf(-8.0)) / 0.08,
        levelized_cost_per_unit: cost / work,
        tokens_per_s_per_chip: Some(s.tokens_per_s),
        batch: None,
        replica_chips: None,
        prefill_replica_chips: None,
        bound: None,
        batch_limit: None,
        ttft: None,
        tpot: None,
        tokens_per_s_per_user: None,
        cost_per_m_input_tokens: None,
        cost_per_m_output_tokens: None,
        joules_per_token: None,
        tokens_per_s_per_mw: None,
        run_cost: Some(15e12 / 1e6 * cost / work),
        run_seconds: Some(15e12 / (n * s.tokens_per_s)),
        chip_hours: Some(15e12 / s.tokens_per_s / 3600.0),
        joules_per_unit: s.watts * 0.8 * pue * HOURS * 3600.0 / work,
        kg_co2e_per_unit: None,
        mode: if s.rent_per_hour.is_some() {
            "rent"
        } else {
            "own"
        }
        .into(),
        hw_capital_per_chip_year: hw_cap,
        facility_capital_per_chip_year: fac_cap,
        rent_per_chip_year: rent,
        power_budget_w: Some(s.budget_w),
        precision: "bf16".into(),
        flops_per_token: Some(6.0 * 70e9),
    }
}

fn compare(fleets: &[FleetRow], baseline: &str, levels: &[f64]) -> Vec<ComparisonRow> {
    let base = fleets.iter().find(|f| f.id == baseline).unwrap();
    fleets
        .iter()
        .filter(|f| f.id != baseline)
        .map(|f| {
            let rho = base.cost_per_unit / f.cost_per_unit;
            ComparisonRow {
                candidate: f.id.clone(),
                baseline: baseline.into(),
                rho,
                cost_reduction: 1.0 - 1.0 / rho,
                claims: levels
                    .iter()
                    .map(|l| ClaimRow {
                        level: *l,
                        holds: rho >= *l,
                        margin: rho - l,
                    })
                    .collect(),
            }
        })
        .collect()
}

/// 4 fleets on a 2 GW facility budget, training a 70B model; one rented; claims 1.30 and 1.40.
pub(super) fn report4() -> RunReport {
    let b = 2e9;
    let specs = [
        Spec {
            id: "h100",
            chip: "NVIDIA H100 SXM",
            rent_per_hour: None,
            watts: 1197.5,
            chips_per_node: 8,
            hw: 30_000.0,
            software: 4500.0,
            tokens_per_s: 939.6,
            budget_w: b,
        },
        Spec {
            id: "trn2",
            chip: "AWS Trainium2",
            rent_per_hour: None,
            watts: 690.0,
            chips_per_node: 16,
            hw: 18_250.0,
            software: 0.0,
            tokens_per_s: 603.5,
            budget_w: b,
        },
        Spec {
            id: "b200-nvl72-liquid-cooled-2026",
            chip: "NVIDIA B200 (NVL72 rack)",
            rent_per_hour: None,
            watts: 1500.0,
            chips_per_node: 72,
            hw: 45_000.0,
            software: 4500.0,
            tokens_per_s: 1667.0,
            budget_w: b,
        },
        Spec {
            id: "h100-rent-on-demand-hyperscaler",
            chip: "NVIDIA H100 SXM",
            rent_per_hour: Some(2.1),
            watts: 1197.5,
            chips_per_node: 8,
            hw: 0.0,
            software: 0.0,
            tokens_per_s: 894.8,
            budget_w: b,
        },
    ];
    let fleets: Vec<FleetRow> = specs.iter().map(fleet).collect();
    let comparisons = compare(&fleets, "h100", &[1.30, 1.40]);
    let trn2 = &fleets[1];
    RunReport {
        schema: 1,
        name: "2 GW: Trainium2 vs H100 and B200, owned and rented, training a 70B model".into(),
        workload: "training".into(),
        precision: "bf16".into(),
        horizon_years: Some(8.0),
        contract: Some(ContractRow {
            fleet: "trn2".into(),
            value: 8e9,
            term_years: 4.0,
            implied_per_chip_hour: 8e9 / (trn2.chips as f64 * 4.0 * HOURS),
            cost_per_chip_hour: trn2.cost_per_chip_hour,
            implied_margin: 1.0
                - trn2.cost_per_chip_hour / (8e9 / (trn2.chips as f64 * 4.0 * HOURS)),
            implied_markup: 8e9 / (trn2.chips as f64 * 4.0 * HOURS) / trn2.cost_per_chip_hour - 1.0,
            term_cost_nominal: trn2.annual_cost * 4.0,
        }),
        fleets,
        comparisons,
        programs: vec![],
        program_comparisons: vec![],
    }
}

/// One owned fleet, no comparisons, no budget (chips given).
pub(super) fn report1() -> RunReport {
    let mut f = fleet(&Spec {
        id: "trn2",
        chip: "AWS Trainium2",
        rent_per_hour: None,
        watts: 690.0,
        chips_per_node: 16,
        hw: 18_250.0,
        software: 0.0,
        tokens_per_s: 603.5,
        budget_w: 50e6,
    });
    f.power_budget_w = None;
    RunReport {
        schema: 1,
        name: "Trainium2 pod".into(),
        workload: "training".into(),
        precision: "bf16".into(),
        horizon_years: Some(8.0),
        fleets: vec![f],
        comparisons: vec![],
        contract: None,
        programs: vec![],
        program_comparisons: vec![],
    }
}

/// The cash-flow table of a report over 8 years (hardware life 5, facility life 20, r = 8 %).
pub(super) fn cashflow_rows(r: &RunReport) -> Vec<CashflowRow> {
    let h = 8u32;
    let mut rows = vec![];
    for f in &r.fleets {
        let n = f.chips as f64;
        for year in 0..=h {
            let mut capex = 0.0;
            if year == 0 {
                capex = n * (f.hw_capex_per_chip + f.facility_capex_per_chip);
            } else if year == 5 {
                capex = n * f.hw_capex_per_chip;
            }
            let opex = year > 0;
            let energy = if opex {
                n * f.energy_per_chip_year
            } else {
                0.0
            };
            let upkeep = if opex {
                n * f.upkeep_per_chip_year
            } else {
                0.0
            };
            let rent = if opex { n * f.rent_per_chip_year } else { 0.0 };
            let residual = if year == h {
                n * (f.hw_capex_per_chip * 2.0 / 5.0 + f.facility_capex_per_chip * 12.0 / 20.0)
            } else {
                0.0
            };
            let total = capex + energy + upkeep + rent - residual;
            rows.push(CashflowRow {
                fleet: f.id.clone(),
                year,
                capex,
                energy,
                upkeep,
                rent,
                residual,
                total,
                discounted_total: total / 1.08f64.powi(year as i32),
            });
        }
    }
    rows
}

/// A fresh empty folder under the system temp dir, removed again when dropped.
struct Scratch(PathBuf);

impl std::ops::Deref for Scratch {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl AsRef<Path> for Scratch {
    fn as_ref(&self) -> &Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn scratch(name: &str) -> Scratch {
    let d = std::env::temp_dir().join(format!("fleetcost-plot-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    Scratch(d)
}

/// Copies a chart to $PLOT_GALLERY when set.
fn keep(p: &Path) {
    if let Ok(dir) = std::env::var("PLOT_GALLERY") {
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::copy(p, Path::new(&dir).join(p.file_name().unwrap())).unwrap();
    }
}

/// Decodes a PNG, checks its size and that the middle of the canvas (where every chart's plot
/// area lies) has ink, not only the margins.
fn check_png(p: &Path, o: &ChartOptions) {
    keep(p);
    let img = image::open(p).unwrap().to_rgb8();
    assert_eq!(
        (img.width(), img.height()),
        (o.width, o.height),
        "{}",
        p.display()
    );
    let (w, h) = (img.width(), img.height());
    let mut ink = 0usize;
    for y in h * 35 / 100..h * 75 / 100 {
        for x in w * 30 / 100..w * 70 / 100 {
            let px = img.get_pixel(x, y);
            if px.0.iter().any(|c| *c < 230) {
                ink += 1;
            }
        }
    }
    let area = (w * 40 / 100 * h * 40 / 100) as usize;
    assert!(
        ink > area / 50,
        "{}: only {ink} dark pixels in the plot area",
        p.display()
    );
}

/// All text of an SVG, lines joined by spaces.
fn svg_text(p: &Path) -> String {
    keep(p);
    let s = std::fs::read_to_string(p).unwrap();
    let doc = roxmltree::Document::parse(&s).unwrap();
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| n.text())
        .map(|t| t.trim().to_string())
        .collect::<Vec<_>>()
        .join(" ")
}

fn check_svg(p: &Path, must: &[&str]) {
    let text = svg_text(p);
    for m in must {
        assert!(
            text.contains(m),
            "{}: no text {m:?} in {text:?}",
            p.display()
        );
    }
    assert!(
        !float_noise(&text),
        "{}: a raw float in {text:?}",
        p.display()
    );
}

/// True when the text has a number with 6 or more decimals (1.6000000000000001).
fn float_noise(text: &str) -> bool {
    let b = text.as_bytes();
    (1..b.len()).any(|i| {
        b[i - 1] == b'.'
            && i >= 2
            && b[i - 2].is_ascii_digit()
            && b[i..].iter().take_while(|c| c.is_ascii_digit()).count() >= 6
    })
}

/// Draws one chart as PNG and SVG into `dir`, checks both.
fn both(
    dir: &Path,
    name: &str,
    must: &[&str],
    draw: impl Fn(&Path, ImageFormat) -> Result<(), PlotError>,
) {
    let o = ChartOptions::default();
    let png = dir.join(format!("{name}.png"));
    draw(&png, ImageFormat::Png).unwrap();
    check_png(&png, &o);
    let svg = dir.join(format!("{name}.svg"));
    draw(&svg, ImageFormat::Svg).unwrap();
    check_svg(&svg, must);
}

#[test]
fn cost_breakdown_four_fleets_and_one() {
    let d = scratch("cost");
    let o = ChartOptions::default();
    let r = report4();
    both(
        &d,
        "cost_breakdown",
        &[
            "Cost per 1M training tokens",
            "USD per 1M training tokens",
            "Rent",
        ],
        |p, f| cost_breakdown(&r, p, f, &o),
    );
    let r1 = report1();
    both(
        &d,
        "cost_breakdown_1",
        &["Cost per 1M training tokens", "USD per 1M training tokens"],
        |p, f| cost_breakdown(&r1, p, f, &o),
    );
}

#[test]
fn price_performance_four_fleets_and_one() {
    let d = scratch("pp");
    let o = ChartOptions::default();
    let r = report4();
    both(
        &d,
        "price_performance",
        &[
            "Price-performance vs h100",
            "Perf per dollar vs h100 (ρ)",
            "1.00x",
        ],
        |p, f| price_performance(&r, p, f, &o),
    );
    let r1 = report1();
    both(
        &d,
        "price_performance_1",
        // One fleet: nothing to compare, so its cost per unit (not a lone 1.00x bar).
        &[
            "Cost per ",
            " of trn2 (one fleet: nothing to compare)",
            "USD per ",
        ],
        |p, f| price_performance(&r1, p, f, &o),
    );
}

#[test]
fn cashflow_four_fleets_and_one() {
    let d = scratch("cash");
    let o = ChartOptions::default();
    let r = report4();
    let rows = cashflow_rows(&r);
    both(
        &d,
        "cashflow",
        &[
            "Cash flow per year over 8 years",
            "USD per year (whole fleet)",
            "Year (0 = purchase)",
        ],
        |p, f| cashflow(&r, &rows, p, f, &o),
    );
    let r1 = report1();
    let rows1 = cashflow_rows(&r1);
    both(
        &d,
        "cashflow_1",
        &["Cash flow per year", "USD per year (whole fleet)"],
        |p, f| cashflow(&r1, &rows1, p, f, &o),
    );
}

#[test]
fn sizing_four_fleets_and_one() {
    let d = scratch("sizing");
    let o = ChartOptions::default();
    let r = report4();
    both(
        &d,
        "sizing",
        &[
            "Fleet size for a 2.00 GW facility power budget",
            "Chips",
            "Facility power (IT power × PUE)",
        ],
        |p, f| sizing(&r, p, f, &o),
    );
    let r1 = report1();
    both(
        &d,
        "sizing_1",
        &["Fleet size: chips and facility power", "Chips"],
        |p, f| sizing(&r1, p, f, &o),
    );
}

/// rho of trn2 vs h100 at a trn2 chip price and MFU (the report's formulas, h100 fixed).
fn rho_trn2(price: f64, mfu: f64) -> f64 {
    let h100 = 0.5046;
    let hw = price + 2250.0;
    let cost = hw * crf(0.08, 5.0) + 7590.0 * crf(0.08, 20.0) + 431.9 + 0.03 * hw;
    let work = 19044.0 * mfu / 0.40;
    h100 / (cost / work)
}

pub(super) fn sweep_input() -> SweepChart {
    let x: Vec<f64> = (0..25).map(|i| 6000.0 + 1000.0 * i as f64).collect();
    let series = [0.30, 0.40, 0.50]
        .iter()
        .map(|m| {
            (
                format!("trn2 MFU {:.0} %", m * 100.0),
                x.iter().map(|p| rho_trn2(*p, *m)).collect(),
            )
        })
        .collect();
    SweepChart {
        title: "Price-performance of trn2 vs h100 as the Trainium2 price varies".into(),
        subtitle: "2 GW: Trainium2 vs H100, training a 70B model".into(),
        x_label: "trn2 chip price (USD)".into(),
        x_format: TickFormat::Usd,
        x,
        series,
        y_label: "ρ vs h100 (perf per dollar)".into(),
        y_format: TickFormat::Times,
        claim_band: Some((1.30, 1.40)),
        log_x: false,
        base_x: Some(16000.0),
    }
}

pub(super) fn heatmap_input() -> HeatmapChart {
    let x: Vec<f64> = (0..25).map(|i| 6000.0 + 1000.0 * i as f64).collect();
    let y: Vec<f64> = (0..16).map(|i| 0.25 + 0.02 * i as f64).collect();
    let z = y
        .iter()
        .map(|m| x.iter().map(|p| rho_trn2(*p, *m)).collect())
        .collect();
    HeatmapChart {
        title: "ρ of trn2 vs h100 over Trainium2 price and MFU".into(),
        subtitle: "2 GW: Trainium2 vs H100, training a 70B model".into(),
        x_label: "trn2 chip price (USD)".into(),
        x_format: TickFormat::Usd,
        y_label: "trn2 MFU".into(),
        y_format: TickFormat::Percent,
        x,
        y,
        z,
        z_label: "ρ vs h100 (perf per dollar)".into(),
        z_format: TickFormat::Times,
        contours: vec![1.30, 1.40],
        log_x: false,
        log_y: false,
    }
}

pub(super) fn tornado_input() -> TornadoChart {
    let bar = |param: &str, l: &str, h: &str, lv: f64, hv: f64| TornadoBar {
        param: param.into(),
        low_label: l.into(),
        high_label: h.into(),
        low_value: lv,
        high_value: hv,
    };
    TornadoChart {
        title: "What moves ρ of trn2 vs h100".into(),
        subtitle: "2 GW: Trainium2 vs H100, training a 70B model · each parameter at P5 and P95"
            .into(),
        metric_label: "ρ of trn2 vs h100 (perf per dollar)".into(),
        metric_format: TickFormat::Times,
        base: 1.53,
        no_effect: Vec::new(),
        bars: vec![
            bar(
                "site.electricity",
                "0.04 USD/kWh",
                "0.10 USD/kWh",
                1.50,
                1.56,
            ),
            bar("fleet.trn2.chip.price", "8.6k USD", "17.1k USD", 1.86, 1.33),
            bar("fleet.trn2.mfu", "30.0 %", "50.0 %", 1.15, 1.91),
            bar(
                "fleet.h100.chip.price",
                "20.9k USD",
                "28.6k USD",
                1.41,
                1.63,
            ),
            bar(
                "workload.tensor_parallel (a long parameter name that wraps)",
                "4",
                "16",
                1.58,
                1.61,
            ),
        ],
        claim_levels: vec![1.30, 1.40],
        low_high_names: ("P5".into(), "P95".into()),
    }
}

/// Deterministic lognormal-ish draws of rho around 1.5.
fn draws(n: usize) -> Vec<f64> {
    let mut s: u64 = 0x9e3779b97f4a7c15;
    let mut u = || {
        s = s
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((s >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    };
    (0..n)
        .map(|_| {
            let z = (-2.0 * u().ln()).sqrt() * (2.0 * std::f64::consts::PI * u()).cos();
            1.45 * (0.12 * z).exp()
        })
        .collect()
}

pub(super) fn histogram_input() -> HistogramChart {
    let v = draws(200_000);
    let mut sorted = v.clone();
    sorted.sort_by(f64::total_cmp);
    let q = |p: f64| sorted[((sorted.len() - 1) as f64 * p) as usize];
    let p_at = |l: f64| v.iter().filter(|x| **x >= l).count() as f64 / v.len() as f64;
    HistogramChart {
        title: "Distribution of ρ of trn2 vs h100 (Monte Carlo)".into(),
        subtitle: "2 GW: Trainium2 vs H100, training a 70B model · seed 42".into(),
        x_label: "ρ of trn2 vs h100 (perf per dollar)".into(),
        x_format: TickFormat::Times,
        metric: "ρ".into(),
        bins: bin_values(&v, 60),
        levels: vec![(1.30, p_at(1.30)), (1.40, p_at(1.40))],
        quantiles: vec![
            ("P5".into(), q(0.05)),
            ("P50".into(), q(0.5)),
            ("P95".into(), q(0.95)),
        ],
    }
}

#[test]
fn sweep_line_png_svg() {
    let d = scratch("sweep");
    let o = ChartOptions::default();
    let c = sweep_input();
    both(
        &d,
        "sweep",
        &[
            &c.title,
            "trn2 chip price (USD)",
            "ρ vs h100 (perf per dollar)",
        ],
        |p, f| sweep_line(&c, p, f, &o),
    );
    let mut log = c.clone();
    log.log_x = true;
    log.x = (0..25).map(|i| 6000.0 * 1.07f64.powi(i)).collect();
    log.series.truncate(1);
    log.series[0].1 = log.x.iter().map(|p| rho_trn2(*p, 0.4)).collect();
    log.series[0].1[7] = f64::NAN;
    both(
        &d,
        "sweep_log",
        &[&c.title, "trn2 chip price (USD)"],
        |p, f| sweep_line(&log, p, f, &o),
    );
}

#[test]
fn heatmap_png_svg() {
    let d = scratch("heat");
    let o = ChartOptions::default();
    let c = heatmap_input();
    both(
        &d,
        "heatmap",
        &[
            &c.title,
            "trn2 chip price (USD)",
            "trn2 MFU",
            "ρ vs h100 (perf per dollar)",
            "1.30x",
        ],
        |p, f| heatmap(&c, p, f, &o),
    );
    // A coarse grid: values written in the cells.
    let mut small = c.clone();
    small.x = (0..6).map(|i| 6000.0 + 4800.0 * i as f64).collect();
    small.y = (0..5).map(|i| 0.25 + 0.075 * i as f64).collect();
    small.z = small
        .y
        .iter()
        .map(|m| small.x.iter().map(|p| rho_trn2(*p, *m)).collect())
        .collect();
    both(&d, "heatmap_small", &[&c.title, "trn2 MFU"], |p, f| {
        heatmap(&small, p, f, &o)
    });
}

#[test]
fn tornado_png_svg() {
    let d = scratch("tornado");
    let o = ChartOptions::default();
    let c = tornado_input();
    both(
        &d,
        "tornado",
        &[
            &c.title,
            "ρ of trn2 vs h100 (perf per dollar)",
            "fleet.trn2.mfu",
        ],
        |p, f| tornado(&c, p, f, &o),
    );
    // 24 parameters: the 20 largest swings are drawn, the rest noted.
    let mut many = c.clone();
    for i in 0..19 {
        let mut b = c.bars[4].clone();
        b.param = format!("fleet.site-{i}-with-a-longer-name.electricity_price_override");
        b.low_value = 1.53 - 0.01 * i as f64;
        b.high_value = 1.53 + 0.012 * i as f64;
        many.bars.push(b);
    }
    let note = "4 parameters with smaller swings are not shown.";
    both(&d, "tornado_many", &[&c.title, note], |p, f| {
        tornado(&many, p, f, &o)
    });
}

#[test]
fn histogram_png_svg() {
    let d = scratch("hist");
    let o = ChartOptions::default();
    let c = histogram_input();
    both(
        &d,
        "histogram",
        &[
            &c.title,
            "ρ of trn2 vs h100 (perf per dollar)",
            "P(ρ ≥ 1.30x) = ",
        ],
        |p, f| histogram(&c, p, f, &o),
    );
    // A billion draws arrive binned.
    let mut big = c.clone();
    for b in &mut big.bins {
        b.count *= 5000;
    }
    both(
        &d,
        "histogram_1e9",
        &[&c.title, "N = 1,000,000,000"],
        |p, f| histogram(&big, p, f, &o),
    );
}

#[test]
fn draw_run_writes_eight_charts_and_nothing_else() {
    let d = scratch("run");
    // Without a contract: the four run charts (the contract chart needs a contract).
    let mut r = report4();
    r.contract = None;
    let cash = cashflow_rows(&r);
    let o = ChartOptions::default();
    let paths = draw_run(&d, &r, &cash, &o).unwrap();
    let names: Vec<String> = paths
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        [
            "cost_breakdown.png",
            "cost_breakdown.svg",
            "price_performance.png",
            "price_performance.svg",
            "cashflow.png",
            "cashflow.svg",
            "sizing.png",
            "sizing.svg"
        ]
    );
    let mut on_disk: Vec<String> = std::fs::read_dir(&d)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    on_disk.sort();
    let mut expected = names.clone();
    expected.sort();
    assert_eq!(on_disk, expected, "no temporary file is left behind");
    for p in &paths {
        if p.extension().unwrap() == "png" {
            check_png(p, &o);
        } else {
            check_svg(p, &[&r.name[..20]]);
        }
    }
    // Drawing again replaces the charts in place.
    draw_run(&d, &r, &cash, &o).unwrap();
    assert_eq!(std::fs::read_dir(&d).unwrap().count(), 8);
    // With a contract the folder gains its chart; without one again, the old chart goes.
    let with = report4();
    let paths = draw_run(&d, &with, &cash, &o).unwrap();
    assert_eq!(paths.len(), 10);
    assert!(d.join("contract.png").is_file() && d.join("contract.svg").is_file());
    draw_run(&d, &r, &cash, &o).unwrap();
    assert!(!d.join("contract.png").exists() && !d.join("contract.svg").exists());
}

#[test]
fn contract_chart_shows_implied_price_cost_and_margin() {
    let d = scratch("contract");
    let o = ChartOptions::default();
    let r = report4();
    let c = r.contract.clone().unwrap();
    // Margin on the price = 1 - cost / implied (MODEL.md section 5, second version).
    let margin = 1.0 - c.cost_per_chip_hour / c.implied_per_chip_hour;
    let label = format!("margin {:.1} %", margin * 100.0);
    let implied = format!("${:.3}", c.implied_per_chip_hour);
    let cost = format!("${:.3}", c.cost_per_chip_hour);
    both(
        &d,
        "contract",
        &[
            "Contract: $8.00 B over 4 years buys fleet trn2",
            "Implied price per chip-hour",
            "Fleet cost per chip-hour",
            &label,
            &implied,
            &cost,
        ],
        |p, f| crate::plot::contract::contract(&r, p, f, &o),
    );
}

#[test]
fn missing_folder_is_an_error_and_creates_nothing() {
    let d = scratch("missing");
    let r = report4();
    let o = ChartOptions::default();
    for fmt in [ImageFormat::Png, ImageFormat::Svg] {
        let p = d
            .join("no-such-folder")
            .join(format!("cost.{}", fmt.extension()));
        let e = cost_breakdown(&r, &p, fmt, &o).unwrap_err();
        assert!(matches!(e, PlotError::Io { .. }), "{e}");
        assert!(
            e.to_string().contains("no-such-folder"),
            "the error names the path: {e}"
        );
        assert!(!d.join("no-such-folder").exists());
    }
    assert_eq!(std::fs::read_dir(&d).unwrap().count(), 0);
}

#[test]
fn failed_rename_removes_the_temporary_file() {
    // The target is a non-empty folder: drawing and the temporary file succeed, the rename fails.
    let d = scratch("rename");
    let target = d.join("taken.png");
    std::fs::create_dir(&target).unwrap();
    std::fs::write(target.join("keep"), b"x").unwrap();
    let r = report4();
    let o = ChartOptions::default();
    for fmt in [ImageFormat::Png, ImageFormat::Svg] {
        let e = sizing(&r, &target, fmt, &o).unwrap_err();
        assert!(matches!(e, PlotError::Io { .. }), "{e}");
        let left: Vec<_> = std::fs::read_dir(&d)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(
            left,
            vec![std::ffi::OsString::from("taken.png")],
            "only the folder remains"
        );
    }
}

#[test]
fn bad_input_is_refused_before_any_file_is_written() {
    let d = scratch("bad");
    let o = ChartOptions::default();
    let p = d.join("x.png");
    let mut s = sweep_input();
    s.series[0].1.pop();
    assert!(matches!(
        sweep_line(&s, &p, ImageFormat::Png, &o),
        Err(PlotError::Input { .. })
    ));
    let mut h = heatmap_input();
    h.z.pop();
    assert!(matches!(
        heatmap(&h, &p, ImageFormat::Png, &o),
        Err(PlotError::Input { .. })
    ));
    let mut hist = histogram_input();
    hist.bins.clear();
    assert!(matches!(
        histogram(&hist, &p, ImageFormat::Png, &o),
        Err(PlotError::Input { .. })
    ));
    let mut t = tornado_input();
    t.bars[0].low_value = f64::NAN;
    assert!(matches!(
        tornado(&t, &p, ImageFormat::Png, &o),
        Err(PlotError::Input { .. })
    ));
    let r = report4();
    assert!(matches!(
        cashflow(&r, &[], &p, ImageFormat::Png, &o),
        Err(PlotError::Input { .. })
    ));
    let mut empty = report4();
    empty.fleets.clear();
    assert!(matches!(
        cost_breakdown(&empty, &p, ImageFormat::Png, &o),
        Err(PlotError::Input { .. })
    ));
    let tiny = ChartOptions {
        width: 100,
        height: 80,
    };
    assert!(matches!(
        cost_breakdown(&r, &p, ImageFormat::Png, &tiny),
        Err(PlotError::Size { .. })
    ));
    assert_eq!(std::fs::read_dir(&d).unwrap().count(), 0);
}

#[test]
fn other_sizes_scale() {
    let d = scratch("sizes");
    let r = report4();
    for o in [
        ChartOptions {
            width: 800,
            height: 500,
        },
        ChartOptions {
            width: 2400,
            height: 1500,
        },
    ] {
        let p = d.join(format!("pp_{}.png", o.width));
        price_performance(&r, &p, ImageFormat::Png, &o).unwrap();
        check_png(&p, &o);
    }
}

#[test]
fn tick_labels_are_clean() {
    use super::axis::{nice_ticks, tick_labels};
    let labels = |lo: f64, hi: f64, f: TickFormat| {
        let (t, step) = nice_ticks(lo, hi, 8);
        tick_labels(&t, step, &f)
    };
    assert_eq!(
        labels(0.0, 1.6, TickFormat::Plain),
        ["0", "0.2", "0.4", "0.6", "0.8", "1.0", "1.2", "1.4", "1.6"]
    );
    assert_eq!(
        labels(0.0, 0.8, TickFormat::Usd)[..3],
        ["$0", "$0.10", "$0.20"]
    );
    assert_eq!(
        labels(-4e10, 1e11, TickFormat::Usd)[..3],
        ["-$40 B", "-$20 B", "$0"]
    );
    assert_eq!(
        labels(0.0, 3e9, TickFormat::Si("W".into())),
        ["0", "0.5 GW", "1.0 GW", "1.5 GW", "2.0 GW", "2.5 GW", "3.0 GW"]
    );
    assert_eq!(labels(0.9, 1.5, TickFormat::Times)[..2], ["0.9x", "1.0x"]);
    assert_eq!(
        labels(0.25, 0.55, TickFormat::Percent)[..2],
        ["25 %", "30 %"]
    );
    assert_eq!(labels(0.0, 2_000_000.0, TickFormat::Plain)[1], "0.5 M");
    assert_eq!(labels(0.0, 30_000.0, TickFormat::Plain)[1], "5,000");
    // Log axes: each decade with its own prefix, tiny values in scientific notation.
    assert_eq!(
        super::axis::log_labels(&[1.0, 1e3, 1e4, 1e6], &TickFormat::Usd),
        ["$1", "$1000", "$10 k", "$1 M"]
    );
    assert_eq!(
        super::axis::log_labels(&[1e-200], &TickFormat::Usd),
        ["$1e-200"]
    );
    // Past the prefixes (a 1e300 USD chip): one power of ten for the axis.
    assert_eq!(
        labels(0.0, 4e306, TickFormat::Usd),
        [
            "$0", "$0.5e306", "$1.0e306", "$1.5e306", "$2.0e306", "$2.5e306", "$3.0e306",
            "$3.5e306", "$4.0e306"
        ]
    );
    assert_eq!(labels(-2e20, 2e20, TickFormat::Plain)[0], "-2.0e20");
    assert_eq!(labels(0.0, 3e24, TickFormat::Si("W".into()))[1], "0.5e24 W");
    assert!(!float_noise("1.6x $0.25 62.1 % 1,234.5"));
    assert!(float_noise("0.30000000000000004"));
}

#[test]
fn long_names_wrap_within_their_slot() {
    use super::canvas::{measure, wrap};
    use super::style::Theme;
    register_fonts();
    let th = Theme::new(1600, 1000);
    for text in [
        "h100-rent-on-demand-hyperscaler",
        "averyveryverylongfleetidwithnobreaksatall",
        "two words",
    ] {
        let lines = wrap(text, th.tick, 200);
        assert!(
            lines.iter().all(|l| measure(l, th.tick).0 <= 200),
            "{lines:?}"
        );
        assert_eq!(lines.concat().replace(' ', ""), text.replace(' ', ""));
    }
}

#[test]
fn a_megabyte_title_is_cut_to_three_lines_with_an_ellipsis() {
    use super::canvas::measure;
    use super::legend::{elided, HEADER_MAX_LINES};
    use super::style::Theme;
    register_fonts();
    let th = Theme::new(1600, 1000);
    let width = th.width - 2 * th.pad;
    let words = "a very long scenario name ".repeat(40_000); // 1.04 MB
    let lines = elided(&words, th.subtitle, width);
    assert_eq!(lines.len(), HEADER_MAX_LINES);
    assert!(lines[2].ends_with('…'), "{lines:?}");
    assert!(lines.iter().all(|l| measure(l, th.subtitle).0 <= width));
    assert!(lines[0].starts_with("a very long scenario name a very"));
    // One word of a megabyte: cut inside it.
    let word = "x".repeat(1 << 20);
    let lines = elided(&word, th.title, width);
    assert_eq!(lines.len(), HEADER_MAX_LINES);
    assert!(lines[2].ends_with('…'));
    // A title that fits is left alone.
    assert_eq!(
        elided("Cost per EFLOP", th.title, width),
        vec!["Cost per EFLOP"]
    );
}

#[test]
fn claim_probability_in_the_legend() {
    let d = scratch("prob");
    let c = HistogramChart {
        levels: vec![(1.30, 0.621), (1.40, 0.0004)],
        ..histogram_input()
    };
    let p = d.join("h.svg");
    histogram(&c, &p, ImageFormat::Svg, &ChartOptions::default()).unwrap();
    let text = svg_text(&p);
    assert!(text.contains("P(ρ ≥ 1.30x) = 62.1 %"), "{text}");
    assert!(text.contains("P(ρ ≥ 1.40x) = 0.040 %"), "{text}");
}

#[test]
fn many_fleets_and_a_long_name_still_fit() {
    let d = scratch("many");
    let o = ChartOptions::default();
    let mut r = report4();
    r.name = "rented H100 (sized to the budget) vs owned and rented Trainium2 and B200 at three sites, training 70B with 15T tokens, 8-year horizon, 8 % discount rate".into();
    let extra: Vec<FleetRow> = r
        .fleets
        .iter()
        .map(|f| {
            let mut g = f.clone();
            g.id = format!("{}-second-site-with-a-long-identifier", f.id);
            g.chips /= 3;
            g
        })
        .collect();
    r.fleets.extend(extra);
    r.comparisons = compare(&r.fleets, "h100", &[1.30, 1.40]);
    let cash = cashflow_rows(&r);
    let paths = draw_run(&d, &r, &cash, &o).unwrap();
    for p in paths {
        if p.extension().unwrap() == "png" {
            let named = d.join(format!("many_{}", p.file_name().unwrap().to_string_lossy()));
            std::fs::rename(&p, &named).unwrap();
            check_png(&named, &o);
        }
    }
}
