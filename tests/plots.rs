//! plots/ is never stale: each shipped scenario's chart folder holds the data its charts were
//! drawn from (results.json, cashflow.csv), those data equal what the code computes now, and
//! redrawing the charts from them gives the committed SVGs byte for byte. Regenerate with
//! scripts/plots.sh after a change to a scenario, the model or the charts.

mod common;
use common::*;
use std::path::Path;

#[test]
fn committed_run_charts_match_the_code() {
    let mut problems = Vec::new();
    let mut n = 0;
    for scenario in files(&root().join("scenarios"), "toml") {
        let stem = scenario.file_stem().unwrap().to_string_lossy().into_owned();
        let dir = root().join("plots").join(&stem);
        let fix = format!("{stem}: run scripts/plots.sh and commit plots/");
        let read = |name: &str| std::fs::read_to_string(dir.join(name));
        let Ok(committed) = read("results.json") else {
            problems.push(format!("{fix} (plots/{stem}/results.json is missing)"));
            continue;
        };
        let now = ok_stdout(&fleetcost([
            "run",
            scenario.to_str().unwrap(),
            "--format",
            "json",
        ]));
        let diff = json_diff(
            &serde_json::from_str(&committed).unwrap(),
            &serde_json::from_str(&now).unwrap(),
            1e-9,
        );
        if !diff.is_empty() {
            problems.push(format!("{fix}: its data differ: {}", diff.join("; ")));
            continue;
        }
        // Redraw from the committed data in a scratch copy; every SVG must come out the same.
        let tmp = tempfile::tempdir().unwrap();
        let copy = tmp.path().join(&stem);
        std::fs::create_dir(&copy).unwrap();
        for name in ["results.json", "cashflow.csv", "scenario.resolved.toml"] {
            if dir.join(name).exists() {
                std::fs::copy(dir.join(name), copy.join(name)).unwrap();
            }
        }
        ok_stdout(&fleetcost(["plot", copy.to_str().unwrap()]));
        for svg in files(&dir, "svg") {
            let name = svg.file_name().unwrap();
            if is_not_redrawn(&svg) {
                continue;
            }
            let drawn = std::fs::read(copy.join(name)).unwrap_or_default();
            if drawn != std::fs::read(&svg).unwrap() {
                problems.push(format!("{fix}: {} differs when redrawn", svg.display()));
            }
            n += 1;
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(n >= 20, "only {n} run charts compared");
}

/// Charts `plot` does not redraw from a run folder's data: the 2 GW folder's sweep, tornado and
/// Monte Carlo charts (scripts/plots.sh runs those commands). The serving charts are redrawn
/// from the inference folders' scenario.resolved.toml.
fn is_not_redrawn(p: &Path) -> bool {
    let name = p.file_name().unwrap().to_string_lossy();
    ["sweep", "tornado", "montecarlo"]
        .iter()
        .any(|k| name.starts_with(k))
}
