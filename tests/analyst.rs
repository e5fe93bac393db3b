//! What a new analyst relies on (issue: "what a new analyst trips on"): command-line baseline
//! and claim levels, headline results in every CSV, warnings for costs quietly dropped or a
//! site's power exceeded, shell completions.

mod common;
use common::{fleetcost, ok_stdout, refused};

const GW2: &str = "scenarios/trainium-vs-gpu-2gw.toml";

fn json(args: &[&str]) -> serde_json::Value {
    let mut all = vec!["run"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--format", "json"]);
    serde_json::from_str(&ok_stdout(&fleetcost(&all))).unwrap()
}

fn cost_per_unit(r: &serde_json::Value, id: &str) -> f64 {
    r["fleets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == id)
        .unwrap()["cost_per_unit"]
        .as_f64()
        .unwrap()
}

#[test]
fn baseline_and_claim_flags_replace_the_files_compare_table() {
    let r = json(&[GW2, "--baseline", "trn2", "--claim", "1.1,1.2"]);
    let cmps = r["comparisons"].as_array().unwrap();
    // Candidates are every fleet but the baseline, in file order.
    let ids: Vec<&str> = cmps
        .iter()
        .map(|c| c["candidate"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["trn3", "h200", "gb200"]);
    for c in cmps {
        assert_eq!(c["baseline"], "trn2");
        // rho = cost_per_unit(baseline) / cost_per_unit(candidate) (MODEL.md section 5).
        let cand = c["candidate"].as_str().unwrap();
        let rho = cost_per_unit(&r, "trn2") / cost_per_unit(&r, cand);
        assert!((c["rho"].as_f64().unwrap() / rho - 1.0).abs() < 1e-12);
        let levels: Vec<f64> = c["claims"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["level"].as_f64().unwrap())
            .collect();
        assert_eq!(levels, [1.1, 1.2]);
    }
    // The same through --set, and recorded in the resolved scenario of a run folder.
    let via_set = json(&[
        GW2,
        "--set",
        "compare.baseline=trn2",
        "--set",
        "compare.claim=[1.1, 1.2]",
    ]);
    assert_eq!(via_set["comparisons"], r["comparisons"]);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    ok_stdout(&fleetcost([
        "run",
        GW2,
        "--baseline",
        "trn2",
        "--out",
        out.to_str().unwrap(),
        "--no-plots",
    ]));
    let resolved = std::fs::read_to_string(out.join("scenario.resolved.toml")).unwrap();
    assert!(resolved.contains("baseline = \"trn2\""), "{resolved}");
}

#[test]
fn a_misspelt_baseline_or_a_percent_claim_is_refused_with_the_fix() {
    let err = refused(&fleetcost(["run", GW2, "--baseline", "tn2"]), 2, "baseline");
    assert!(
        err.contains("no fleet 'tn2'; did you mean 'trn2'?"),
        "{err}"
    );
    assert!(err.contains("fleets: trn2, trn3, h200, gb200"), "{err}");
    let err = refused(&fleetcost(["run", GW2, "--claim", "30%"]), 2, "claim");
    assert!(
        err.contains("30 % better price-performance is 1.3"),
        "{err}"
    );
    let err = refused(&fleetcost(["run", GW2, "--claim", "-1"]), 2, "claim");
    assert!(err.contains("must be a number > 0"), "{err}");
    let err = refused(
        &fleetcost(["run", GW2, "--set", "contract.fleet=trn2"]),
        2,
        "no contract",
    );
    assert!(err.contains("needs a [contract] table"), "{err}");
}

#[test]
fn contract_fleet_can_be_set_by_name() {
    let r = json(&[
        "scenarios/openai-aws-deal.toml",
        "--set",
        "contract.fleet=gb200",
    ]);
    let c = &r["contract"];
    assert_eq!(c["fleet"], "gb200");
    // implied = value / (N * term * 8766 h) (MODEL.md section 5).
    let gb200 = r["fleets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "gb200")
        .unwrap();
    let n = gb200["chips"].as_f64().unwrap();
    let implied = c["value"].as_f64().unwrap() / (n * c["term_years"].as_f64().unwrap() * 8766.0);
    assert!((c["implied_per_chip_hour"].as_f64().unwrap() / implied - 1.0).abs() < 1e-12);
}

#[test]
fn fleet_csv_rows_carry_rho_and_each_claim_level() {
    let r = json(&[GW2]);
    let csv = ok_stdout(&fleetcost(["run", GW2, "--format", "csv"]));
    let mut rd = csv::Reader::from_reader(csv.as_bytes());
    let head = rd.headers().unwrap().clone();
    let col = |name: &str| head.iter().position(|h| h == name).unwrap();
    let levels: Vec<f64> = r["comparisons"][0]["claims"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["level"].as_f64().unwrap())
        .collect();
    assert!(!levels.is_empty(), "the 2 GW scenario sets claim levels");
    let baseline = r["comparisons"][0]["baseline"]
        .as_str()
        .unwrap()
        .to_string();
    for rec in rd.records() {
        let rec = rec.unwrap();
        let id = &rec[0];
        assert_eq!(&rec[col("baseline")], baseline);
        let rho: f64 = rec[col("rho")].parse().unwrap();
        let expected = cost_per_unit(&r, &baseline) / cost_per_unit(&r, id);
        assert!(
            (rho / expected - 1.0).abs() < 1e-12,
            "{id}: {rho} vs {expected}"
        );
        for l in &levels {
            let holds: bool = rec[col(&format!("holds_{l}"))].parse().unwrap();
            let margin: f64 = rec[col(&format!("margin_{l}"))].parse().unwrap();
            assert_eq!(holds, rho >= *l, "{id} at {l}");
            assert!((margin - (rho - l)).abs() < 1e-12, "{id} at {l}");
        }
    }
}

#[test]
fn contract_csv_is_written_with_a_contract_and_removed_without_one() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let o = out.to_str().unwrap();
    ok_stdout(&fleetcost([
        "run",
        "scenarios/openai-aws-deal.toml",
        "--out",
        o,
        "--no-plots",
    ]));
    let text = std::fs::read_to_string(out.join("contract.csv")).unwrap();
    let mut rd = csv::Reader::from_reader(text.as_bytes());
    let rows: Vec<csv::StringRecord> = rd.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 1);
    let results: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("results.json")).unwrap()).unwrap();
    let head = rd.headers().unwrap().clone();
    for (k, v) in head.iter().zip(rows[0].iter()) {
        let j = &results["contract"][k];
        match j.as_f64() {
            // CSV numbers carry 15 significant digits (units::format::Num).
            Some(x) => {
                let c: f64 = v.parse().unwrap();
                assert!((c - x).abs() <= 1e-14 * x.abs(), "{k}: {c} vs {x}");
            }
            None => assert_eq!(j.as_str().unwrap(), v, "{k}"),
        }
    }
    // The same folder, a scenario without a contract: the old contract.csv goes.
    ok_stdout(&fleetcost(["run", GW2, "--out", o, "--no-plots"]));
    assert!(!out.join("contract.csv").exists());
}

/// 8,000 H100s (8 per node, 3.5 kW of host per node, 60 W of network per chip at pue 1.3) on a
/// 10 MW site, and a B200 fleet with no node or network keys.
const OVER_BUDGET: &str = r#"schema = 1
name = "8000 H100 on 10 MW"
[site]
power = "10 MW"
pue = 1.3
electricity = "0.07 USD/kWh"
[finance]
discount_rate = 0.08
horizon = "5 yr"
[workload]
kind = "flops"
precision = "bf16"
[[fleet]]
id = "h100"
chip = "h100-sxm"
chips = 8000
chips_per_node = 8
node_power = "3.5 kW"
network_power = "60 W"
hardware_life = "5 yr"
mfu = 0.4
[[fleet]]
id = "b200"
chip = "b200"
hardware_life = "5 yr"
mfu = 0.4
"#;

#[test]
fn run_warns_of_bare_chips_and_of_a_fleet_over_the_site_power() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("over.toml");
    std::fs::write(&file, OVER_BUDGET).unwrap();
    let out = fleetcost(["run", file.to_str().unwrap()]);
    ok_stdout(&out);
    let err = String::from_utf8_lossy(&out.stderr);
    // (700 + 3500 / 8 + 60) W = 1197.5 W per chip; x 8000 x 1.3 = 12.454 MW > 10 MW.
    assert!(
        err.contains(
            "warning: fleet 'h100' draws 12.5 MW of facility power, more than site.power (10.0 MW)"
        ),
        "{err}"
    );
    assert!(
        err.contains("warning: fleet 'b200' is costed as bare chips"),
        "{err}"
    );
    assert!(
        !err.contains("fleet 'h100' is costed as bare chips"),
        "{err}"
    );
    // The shipped scenarios set their platforms and stay within their sites: no warning.
    let out = fleetcost(["run", GW2]);
    ok_stdout(&out);
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn csv_numbers_carry_no_float_noise() {
    // 2,307,296 chips x 753.75 W x 1.15 = 1,999,993,014 W exactly (tests/golden.rs hand check);
    // the double product is 1999993013.9999998, which the CSV rounds to 15 digits.
    let csv = ok_stdout(&fleetcost(["run", GW2, "--format", "csv"]));
    let row = csv.lines().find(|l| l.starts_with("trn2,")).unwrap();
    assert!(row.contains(",1739124360,1999993014,753.75,"), "{row}");
}

#[test]
fn completions_for_every_shell_name_the_commands() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let text = ok_stdout(&fleetcost(["completions", shell]));
        for cmd in ["run", "montecarlo", "calibrate", "baseline"] {
            assert!(text.contains(cmd), "{shell} completions lack {cmd}");
        }
    }
    refused(&fleetcost(["completions", "tcsh"]), 2, "unknown shell");
}

/// A fleet on the HGX H100 platform, and one on HGX B200 that sets its own node price.
const PLATFORMS: &str = r#"schema = 1
name = "platforms"
[site]
power = "100 MW"
pue = 1.2
electricity = "0.07 USD/kWh"
[finance]
discount_rate = 0.08
horizon = "5 yr"
[workload]
kind = "flops"
precision = "bf16"
[[fleet]]
id = "h100"
platform = "hgx-h100"
hardware_life = "5 yr"
mfu = 0.4
[[fleet]]
id = "b200"
platform = "hgx-b200"
node_price = "100k USD"
hardware_life = "5 yr"
mfu = 0.4
"#;

#[test]
fn a_platform_supplies_the_chip_and_node_keys_and_the_fleets_own_keys_win() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("platforms.toml");
    std::fs::write(&file, PLATFORMS).unwrap();
    let f = file.to_str().unwrap();
    let out = fleetcost(["run", f, "--format", "json"]);
    let r: serde_json::Value = serde_json::from_str(&ok_stdout(&out)).unwrap();
    assert!(
        out.stderr.is_empty(),
        "no bare-chip warning: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let h100 = &r["fleets"][0];
    let b200 = &r["fleets"][1];
    assert_eq!(h100["chip"], "h100-sxm");
    assert_eq!(b200["chip"], "b200");
    // data/platforms.csv hgx-h100: 8 chips, 4600 W node, 80 W network per chip;
    // w = 700 + 4600 / 8 + 80 = 1355 W per chip.
    assert_eq!(h100["watts_per_chip"].as_f64().unwrap(), 1355.0);
    // hw = 27,500 (chips.csv h100-sxm) + 78,000 / 8 + 5,400 = 42,650 USD per chip.
    assert_eq!(h100["hw_capex_per_chip"].as_f64().unwrap(), 42_650.0);
    // b200 keeps its own node price: 35,000 + 100,000 / 8 + 5,400 = 52,900; w = 1000 + 6300 / 8
    // + 80 = 1867.5 W.
    assert_eq!(b200["hw_capex_per_chip"].as_f64().unwrap(), 52_900.0);
    assert_eq!(b200["watts_per_chip"].as_f64().unwrap(), 1867.5);
    // Nodes of 8: 100 MW / 1.2 / (8 x 1355 W) = 7,687.3 -> 7,687 nodes, 61,496 chips.
    assert_eq!(h100["chips"].as_u64().unwrap(), 61_496);
    // The same inputs written out in full give the same figures.
    let with_keys = PLATFORMS.replace(
        "platform = \"hgx-h100\"",
        "chip = \"h100-sxm\"\nchips_per_node = 8\nnode_power = \"4600 W\"\nnode_price = \
         \"78k USD\"\nnetwork_price = \"5400 USD\"\nnetwork_power = \"80 W\"",
    );
    let file2 = dir.path().join("keys.toml");
    std::fs::write(&file2, with_keys).unwrap();
    let r2: serde_json::Value = serde_json::from_str(&ok_stdout(&fleetcost([
        "run",
        file2.to_str().unwrap(),
        "--format",
        "json",
    ])))
    .unwrap();
    assert_eq!(r2["fleets"][0], r["fleets"][0]);
}

#[test]
fn catalog_tables_fit_100_columns_unless_wide() {
    for args in [vec!["catalog"], vec!["catalog", "--platforms"]] {
        let text = ok_stdout(&fleetcost(&args));
        for line in text.lines() {
            assert!(line.chars().count() <= 100, "{args:?}: {line}");
        }
        let wide = ok_stdout(&fleetcost(args.iter().copied().chain(["--wide"])));
        assert!(
            wide.lines().any(|l| l.chars().count() > 100),
            "{args:?} --wide"
        );
    }
    let text = ok_stdout(&fleetcost(["catalog", "--platforms", "--format", "csv"]));
    assert!(text.starts_with(
        "id,chip,name,chips_per_node,node_power,node_price,network_price,network_power,source"
    ));
}

#[test]
fn solve_on_an_input_the_metric_ignores_says_so_and_fails() {
    // rho uses the annualised cost (MODEL.md section 3), which does not depend on the horizon.
    let out = fleetcost([
        "solve",
        GW2,
        "--param",
        "finance.horizon",
        "--target",
        "rho=1.3",
    ]);
    let err = refused(&out, 1, "independent");
    assert!(
        err.contains("rho (trn2 vs h200) does not depend on finance.horizon"),
        "{err}"
    );
    assert!(!err.contains("widen"), "{err}");
}

#[test]
fn tornado_leaves_out_inputs_that_do_not_move_the_metric_and_names_them() {
    let text = ok_stdout(&fleetcost(["tornado", GW2, "--candidate", "trn3"]));
    // rho of trn3 vs h200 cannot depend on another candidate's inputs.
    let note = text
        .lines()
        .find(|l| l.starts_with("no effect on rho (trn3 vs h200): "))
        .unwrap_or_else(|| panic!("{text}"));
    for p in ["fleet.gb200.mfu", "fleet.trn2.chip.price", "fleet.trn2.mfu"] {
        assert!(note.contains(p), "{note}");
        assert!(
            !text.lines().any(|l| l.trim_start().starts_with(p)),
            "{p} has a row"
        );
    }
    // The data keep every input.
    let csv = ok_stdout(&fleetcost([
        "tornado",
        GW2,
        "--candidate",
        "trn3",
        "--format",
        "csv",
    ]));
    assert!(csv.contains("\nfleet.trn2.mfu,"), "{csv}");
}

#[test]
fn the_claim_reading_is_footnoted_only_where_a_claim_is_tested_and_one_fleet_charts_its_cost() {
    let with = ok_stdout(&fleetcost(["run", GW2]));
    assert!(with.contains("AWS's reading"));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("one.toml");
    // The platforms scenario without its b200 fleet and without claims.
    let one = PLATFORMS.split("[[fleet]]\nid = \"b200\"").next().unwrap();
    std::fs::write(&file, one).unwrap();
    let out = dir.path().join("run");
    let text = ok_stdout(&fleetcost([
        "run",
        file.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]));
    assert!(!text.contains("AWS's reading"), "{text}");
    let svg = std::fs::read_to_string(out.join("price_performance.svg")).unwrap();
    assert!(
        svg.contains("Cost per EFLOP of h100"),
        "one fleet: its cost per unit"
    );
    assert!(!svg.contains("1.00x"), "no lone 1.00x bar");
    let two = dir.path().join("two.toml");
    std::fs::write(&two, PLATFORMS).unwrap();
    let out2 = dir.path().join("run2");
    ok_stdout(&fleetcost([
        "run",
        two.to_str().unwrap(),
        "--out",
        out2.to_str().unwrap(),
    ]));
    let svg = std::fs::read_to_string(out2.join("price_performance.svg")).unwrap();
    assert!(
        !svg.contains("better price-performance"),
        "no claim, no reading"
    );
    // Charts name chips as the catalog does, not only by id.
    assert!(svg.contains("NVIDIA H100 SXM"), "chip names under the bars");
}

#[test]
fn a_variant_run_can_rename_itself() {
    let r = json(&[
        GW2,
        "--set",
        "name=2 GW in fp8",
        "--set",
        "workload.precision=fp8",
    ]);
    assert_eq!(r["name"], "2 GW in fp8");
    assert_eq!(r["precision"], "fp8");
    let err = refused(&fleetcost(["run", GW2, "--set", "name="]), 2, "empty name");
    assert!(err.contains("the name must not be empty"), "{err}");
}

/// Two fleets of one inline H100-like chip serving a 70B model in 4-chip replicas: `linked`
/// has a scale-up bandwidth, `unlinked` none. MODEL.md section 4 then takes the all-reduces as
/// free for `unlinked`, and `run` says so on stderr.
const NO_SCALEUP: &str = r#"schema = 1
name = "tensor parallel without a scale-up bandwidth"
[site]
power = "10 MW"
electricity = "0.08 USD/kWh"
[finance]
discount_rate = 0.09
horizon = "5 yr"
[workload]
kind = "inference"
precision = "fp8"
model_params = 70.6e9
layers = 80
kv_heads = 8
heads = 64
head_dim = 128
weight_bytes = 1
kv_bytes = 2
input_tokens = 2000
output_tokens = 500
batch = 32
[[fleet]]
id = "linked"
chip = { name = "h100-like", tdp = "700 W", peak = { fp8 = 1978.9 }, hbm = "80 GB", hbm_bw = "3.35 TB/s", price = "27.5k USD", scaleup_bw = "450 GB/s" }
chips_per_node = 8
tensor_parallel = 4
hardware_life = "5 yr"
mfu = 0.5
mbu = 0.62
[[fleet]]
id = "unlinked"
chip = { name = "h100-like", tdp = "700 W", peak = { fp8 = 1978.9 }, hbm = "80 GB", hbm_bw = "3.35 TB/s", price = "27.5k USD" }
chips_per_node = 8
tensor_parallel = 4
hardware_life = "5 yr"
mfu = 0.5
mbu = 0.62
"#;

#[test]
fn a_forced_tensor_parallel_replica_without_scaleup_bw_warns_and_communicates_for_free() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("tp.toml");
    std::fs::write(&file, NO_SCALEUP).unwrap();
    let f = file.to_str().unwrap();
    let out = fleetcost(["run", f, "--format", "json"]);
    let text = ok_stdout(&out);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(
            "warning: fleet 'unlinked' spreads a replica over 4 chips but its chip has no \
             scaleup_bw: the tensor-parallel all-reduces are taken as free"
        ),
        "{err}"
    );
    assert!(!err.contains("fleet 'linked'"), "{err}");
    let tps = |v: &serde_json::Value, id: &str| {
        v["fleets"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id)
            .unwrap_or_else(|| panic!("no fleet {id}"))["tokens_per_s_per_chip"]
            .as_f64()
            .unwrap()
    };
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    // Communication costs the linked fleet time, so the free one serves more per chip.
    assert!(
        tps(&v, "unlinked") > tps(&v, "linked"),
        "{} vs {}",
        tps(&v, "unlinked"),
        tps(&v, "linked")
    );
    // Free means no time at all: the linked fleet with no latency and an unbounded link
    // (1e12 GB/s) serves what the unlinked one does.
    let out = fleetcost([
        "run",
        f,
        "--format",
        "json",
        "--set",
        "fleet.linked.allreduce_latency=0 s",
        "--set",
        "fleet.linked.chip.scaleup_bw=1e12 GB/s",
    ]);
    let w: serde_json::Value = serde_json::from_str(&ok_stdout(&out)).unwrap();
    let (a, b) = (tps(&w, "linked"), tps(&w, "unlinked"));
    assert!((a - b).abs() / b < 1e-9, "{a} vs {b}");
}
