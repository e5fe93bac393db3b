//! End-to-end analysis benches on the shipped 2 GW scenario: Monte Carlo of 1e5 and 1e6 draws
//! (and the same on the MoE serving scenario, batch "max", tensor_parallel "auto", tpot)
//! (sampling, copula, the model for every fleet, comparisons, summary statistics) and a 2-D
//! sweep of 1e6 grid points, and Monte Carlo of a program's provider NPV (the OpenAI-AWS
//! scenario's Trainium ramp). Throughput is printed per element (draw or grid point).
//! Run with `cargo bench --bench analysis`.

use criterion::{criterion_group, Criterion, Throughput};
use fleetcost::analysis::{metric::Metric, montecarlo, sweep};
use fleetcost::scenario::{Scenario, SweepAxis};
use std::hint::black_box;

const SCENARIO: &str = "scenarios/trainium-vs-gpu-2gw.toml";
/// Inference: a MoE served at tpot 50 ms with batch "max" and tensor_parallel "auto" on four
/// fleets, 6 uncertain inputs.
const SERVING: &str = "scenarios/moe-serving-2gw.toml";
/// Programs: two tranches under a contract, three programs, 10 uncertain inputs.
const PROGRAM: &str = "scenarios/openai-aws-deal.toml";

fn load_file(path: &str) -> Scenario {
    let text = std::fs::read_to_string(path).expect("run benches from the repository root");
    Scenario::from_str(path, &text).expect("the shipped scenario is valid")
}

fn load() -> Scenario {
    load_file(SCENARIO)
}

fn benches(c: &mut Criterion) {
    let s = load();
    let setup = montecarlo::Setup::new(&s).unwrap();
    let mut g = c.benchmark_group("analysis");
    g.sample_size(10);
    for n in [100_000u64, 1_000_000] {
        g.throughput(Throughput::Elements(n));
        g.bench_function(format!("montecarlo {n} draws"), |b| {
            b.iter(|| montecarlo::run(&setup, n, black_box(42), None, &|_| {}).unwrap())
        });
    }
    let serving = montecarlo::Setup::new(&load_file(SERVING)).unwrap();
    for n in [100_000u64, 1_000_000] {
        g.throughput(Throughput::Elements(n));
        g.bench_function(
            format!("montecarlo inference (auto, tpot) {n} draws"),
            |b| b.iter(|| montecarlo::run(&serving, n, black_box(42), None, &|_| {}).unwrap()),
        );
    }
    // A program (MODEL.md section 8): the 2 GW Trainium ramp of the OpenAI-AWS scenario, 10
    // uncertain inputs (prices, a TDP, price declines, maintenance, electricity, PUE, the
    // discount rate), its provider NPV on every draw beside the fleets' cost per unit.
    let deal = load_file(PROGRAM);
    let metric = Metric::parse(
        Some("provider_npv"),
        None,
        None,
        Some("trainium"),
        &deal.inputs,
    )
    .unwrap();
    let program = montecarlo::Setup::new(&deal)
        .unwrap()
        .with_program(metric, vec![0.0]);
    assert_eq!(program.params.len(), 10);
    for n in [100_000u64, 1_000_000] {
        g.throughput(Throughput::Elements(n));
        g.bench_function(
            format!("montecarlo program (provider_npv) {n} draws"),
            |b| b.iter(|| montecarlo::run(&program, n, black_box(42), None, &|_| {}).unwrap()),
        );
    }
    // 1000 x 1000 grid of Trainium3 price x MFU; rho of trn3 vs the baseline at every point.
    let mut axes: Vec<SweepAxis> = s.sweeps.clone();
    for a in &mut axes {
        a.steps = 1000;
    }
    let metric = Metric::default_for(&s.inputs);
    let metric = match metric {
        Metric::Comparison { .. } => {
            Metric::parse(Some("rho"), None, Some("trn3"), None, &s.inputs).unwrap_or(metric)
        }
        m => m,
    };
    g.throughput(Throughput::Elements(1_000_000));
    g.bench_function("sweep 1000 x 1000 grid (rho)", |b| {
        b.iter(|| sweep::metric_grid(&s.inputs, &axes, &metric).unwrap().len())
    });
    g.finish();
}

criterion_group!(analysis_benches, benches);

fn main() {
    fleetcost::plot::register_fonts();
    analysis_benches();
    criterion::Criterion::default()
        .configure_from_args()
        .final_summary();
}
