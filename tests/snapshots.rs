//! Whole human-read outputs pinned as insta snapshots (tests/snapshots/snapshots__*.snap): the
//! tables of `run`, `sweep`, `tornado`, `montecarlo` (fixed seed) and `solve` on the shipped
//! 2 GW scenario, and `run`'s table of the inference and program scenarios. A change to any
//! number, label or layout shows as a diff to review (`cargo insta review`, or
//! `INSTA_UPDATE=always cargo test --test snapshots` and read `git diff tests/snapshots`).
//!
//! The machine-read outputs (JSON, CSV) are pinned by tests/golden.rs at 1e-9 relative rather
//! than byte for byte, since their 15-17 significant digits carry the last bits of libm.

mod common;
use common::*;

const GW2: &str = "scenarios/trainium-vs-gpu-2gw.toml";

fn table(args: &[&str]) -> String {
    ok_stdout(&fleetcost(args))
}

#[test]
fn run_tables() {
    insta::assert_snapshot!("run_2gw", table(&["run", GW2]));
    insta::assert_snapshot!(
        "run_llama70b_inference",
        table(&["run", "scenarios/llama70b-inference.toml"])
    );
    insta::assert_snapshot!(
        "run_openai_aws_deal",
        table(&["run", "scenarios/openai-aws-deal.toml"])
    );
}

#[test]
fn analysis_tables() {
    insta::assert_snapshot!("sweep_2gw", table(&["sweep", GW2]));
    insta::assert_snapshot!(
        "tornado_2gw",
        table(&["tornado", GW2, "--candidate", "trn3"])
    );
    insta::assert_snapshot!(
        "montecarlo_2gw",
        table(&["montecarlo", GW2, "-n", "20000", "--seed", "7", "--quiet"])
    );
    insta::assert_snapshot!(
        "solve_2gw",
        table(&[
            "solve",
            GW2,
            "--param",
            "fleet.trn2.chip.price",
            "--target",
            "rho=1.3",
            "--candidate",
            "trn2",
        ])
    );
}
