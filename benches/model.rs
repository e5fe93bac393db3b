//! Kernel benches: one full evaluation of the shipped 2 GW scenario, one lean evaluation, one
//! Monte Carlo draw (sampling + copula + model), and `run` without charts end to end (parse,
//! evaluate, report). Run with `cargo bench --bench model`.

use criterion::{criterion_group, Criterion, Throughput};
use fleetcost::analysis::montecarlo;
use fleetcost::model;
use fleetcost::scenario::Scenario;
use std::hint::black_box;

const SCENARIO: &str = "scenarios/trainium-vs-gpu-2gw.toml";

fn load() -> Scenario {
    let text = std::fs::read_to_string(SCENARIO).expect("run benches from the repository root");
    Scenario::from_str(SCENARIO, &text).expect("the shipped scenario is valid")
}

fn benches(c: &mut Criterion) {
    let s = load();
    let mut g = c.benchmark_group("model");
    g.throughput(Throughput::Elements(1));
    g.bench_function("evaluate (full, 4 fleets)", |b| {
        b.iter(|| model::evaluate(black_box(&s.inputs)).unwrap())
    });
    g.bench_function("unit_cost x 4 fleets (lean)", |b| {
        b.iter(|| {
            let x = black_box(&s.inputs);
            (0..x.fleets.len())
                .map(|i| model::unit_cost(x, i).unwrap())
                .sum::<f64>()
        })
    });
    let setup = montecarlo::Setup::new(&s).unwrap();
    g.bench_function("one Monte Carlo draw (1 of a 16384-draw chunk)", |b| {
        b.iter_custom(|iters| {
            let n = montecarlo::CHUNK;
            let start = std::time::Instant::now();
            let mut done = 0;
            while done < iters {
                black_box(montecarlo::run_chunk_for_bench(&setup, 7, n));
                done += n;
            }
            start.elapsed().mul_f64(iters as f64 / done as f64)
        })
    });
    g.bench_function("run: parse + evaluate + table (no charts)", |b| {
        let text = std::fs::read_to_string(SCENARIO).unwrap();
        b.iter(|| {
            let s = Scenario::from_str(SCENARIO, black_box(&text)).unwrap();
            let o = model::evaluate(&s.inputs).unwrap();
            let r = fleetcost::report::run_report(&s, &o);
            fleetcost::report::table::render_table(&r).len()
        })
    });
    g.finish();
}

criterion_group!(model_benches, benches);

fn main() {
    // Criterion draws its own plots with plotters: register the bundled font first.
    fleetcost::plot::register_fonts();
    model_benches();
    criterion::Criterion::default()
        .configure_from_args()
        .final_summary();
}
