//! Every chart kind renders for every shipped scenario: each PNG decodes at the requested size
//! with ink inside the plot area, each SVG parses and holds its title and axis labels as text.

mod common;
use common::*;
use std::path::Path;

/// Checks a PNG: the size, and non-background pixels in the middle of the canvas (the plot
/// area), not only in the margins.
fn check_png(path: &Path, w: u32, h: u32) {
    let img = image::open(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .to_rgb8();
    assert_eq!((img.width(), img.height()), (w, h), "{}", path.display());
    let bg = *img.get_pixel(1, 1);
    let (x0, x1, y0, y1) = (w / 5, 4 * w / 5, 3 * h / 10, 4 * h / 5);
    let mut ink = 0u64;
    for y in (y0..y1).step_by(2) {
        for x in (x0..x1).step_by(2) {
            if *img.get_pixel(x, y) != bg {
                ink += 1;
            }
        }
    }
    let total = ((x1 - x0) / 2 * (y1 - y0) / 2) as u64;
    assert!(
        ink * 100 > total,
        "{}: the plot area is nearly empty ({ink} of {total} px)",
        path.display()
    );
}

/// Checks an SVG: it parses, and its text holds every expected phrase.
fn check_svg(path: &Path, phrases: &[&str]) {
    let text = std::fs::read_to_string(path).unwrap();
    let doc =
        roxmltree::Document::parse(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let all: String = doc
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| n.text())
        .collect::<Vec<_>>()
        .join(" ");
    for p in phrases {
        assert!(
            all.contains(p),
            "{}: no text {p:?} in the SVG",
            path.display()
        );
    }
}

#[test]
fn run_charts_for_every_shipped_scenario() {
    let tmp = tempfile::tempdir().unwrap();
    for scenario in files(&root().join("scenarios"), "toml") {
        let stem = scenario.file_stem().unwrap().to_string_lossy().into_owned();
        let dir = tmp.path().join(&stem);
        let out = fleetcost([
            "run".as_ref(),
            scenario.as_os_str(),
            "--out".as_ref(),
            dir.as_os_str(),
            "--size".as_ref(),
            "1200x800".as_ref(),
            "--format".as_ref(),
            "json".as_ref(),
        ]);
        let report: serde_json::Value = serde_json::from_str(&ok_stdout(&out)).unwrap();
        let name = report["name"].as_str().unwrap();
        let first_words: String = name
            .split_whitespace()
            .take(2)
            .collect::<Vec<_>>()
            .join(" ");
        for chart in ["cost_breakdown", "price_performance", "cashflow", "sizing"] {
            check_png(&dir.join(format!("{chart}.png")), 1200, 800);
            check_svg(&dir.join(format!("{chart}.svg")), &[&first_words]);
        }
        check_svg(&dir.join("cost_breakdown.svg"), &["Cost per"]);
        check_svg(&dir.join("cashflow.svg"), &["USD"]);
        // `plot DIR` redraws the same charts from the folder's rows alone.
        std::fs::remove_file(dir.join("sizing.png")).unwrap();
        let redraw = fleetcost(["plot".as_ref(), dir.as_os_str()]);
        assert!(
            redraw.status.success(),
            "{}",
            String::from_utf8_lossy(&redraw.stderr)
        );
        check_png(&dir.join("sizing.png"), 1600, 1000);
    }
}

#[test]
fn analysis_charts_for_the_2gw_scenario() {
    let tmp = tempfile::tempdir().unwrap();
    let s = "scenarios/trainium-vs-gpu-2gw.toml";
    let dir = |n: &str| tmp.path().join(n);
    let run = |args: &[&str]| {
        let out = fleetcost(args);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run(&["sweep", s, "--out", dir("sweep").to_str().unwrap()]);
    check_png(&dir("sweep").join("sweep_heatmap.png"), 1600, 1000);
    check_svg(
        &dir("sweep").join("sweep_heatmap.svg"),
        &["fleet.trn3.chip.price", "fleet.trn3.mfu", "1.30x"],
    );
    run(&[
        "sweep",
        s,
        "--param",
        "site.electricity",
        "--from",
        "0.03",
        "--to",
        "0.15",
        "--steps",
        "7",
        "--out",
        dir("line").to_str().unwrap(),
    ]);
    check_png(&dir("line").join("sweep.png"), 1600, 1000);
    check_svg(&dir("line").join("sweep.svg"), &["site.electricity"]);
    run(&["tornado", s, "--out", dir("tornado").to_str().unwrap()]);
    check_png(&dir("tornado").join("tornado.png"), 1600, 1000);
    check_svg(&dir("tornado").join("tornado.svg"), &["fleet.trn2.mfu"]);
    run(&[
        "montecarlo",
        s,
        "-n",
        "20000",
        "--out",
        dir("mc").to_str().unwrap(),
    ]);
    for id in ["trn2", "trn3", "gb200"] {
        check_png(
            &dir("mc").join(format!("montecarlo_rho_{id}.png")),
            1600,
            1000,
        );
        check_svg(
            &dir("mc").join(format!("montecarlo_rho_{id}.svg")),
            &["P(rho", "1.30x"],
        );
    }
}

/// `plot DIR` on a folder that is not a good run folder is bad input (exit 2) that says why:
/// an analysis folder naming a chart its command does not write, one written before analysis
/// folders recorded their charts, a truncated results.json, a cash flow with a NaN, a tampered
/// negative cost per unit.
#[test]
fn plot_refuses_folders_it_cannot_redraw() {
    let tmp = tempfile::tempdir().unwrap();
    let run_dir = tmp.path().join("run");
    let sweep_dir = tmp.path().join("sweep");
    let s = "scenarios/minimal.toml";
    assert!(fleetcost([
        "run".as_ref(),
        s.as_ref(),
        "--out".as_ref(),
        run_dir.as_os_str()
    ])
    .status
    .success());
    assert!(fleetcost([
        "sweep".as_ref(),
        s.as_ref(),
        "--param".as_ref(),
        "site.pue".as_ref(),
        "--from".as_ref(),
        "1".as_ref(),
        "--to".as_ref(),
        "1.5".as_ref(),
        "--steps".as_ref(),
        "3".as_ref(),
        "--out".as_ref(),
        sweep_dir.as_os_str(),
    ])
    .status
    .success());
    let plot = |dir: &Path, want: &str| {
        let out = fleetcost(["plot".as_ref(), dir.as_os_str()]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(err.contains(want), "lacks `{want}`:\n{err}");
    };
    // An analysis folder whose results.json names a chart its command does not write (here a
    // path out of the folder) is refused, and its charts stay as they were.
    let sweep_json = sweep_dir.join("results.json");
    let good_sweep = std::fs::read_to_string(&sweep_json).unwrap();
    let chart_before = std::fs::read(sweep_dir.join("sweep.png")).unwrap();
    let mut j: serde_json::Value = serde_json::from_str(&good_sweep).unwrap();
    j["charts"][0]["file"] = serde_json::json!("../elsewhere");
    std::fs::write(&sweep_json, serde_json::to_string(&j).unwrap()).unwrap();
    plot(
        &sweep_dir,
        "names a chart '../elsewhere' that `fleetcost sweep` does not write",
    );
    assert_eq!(
        std::fs::read(sweep_dir.join("sweep.png")).unwrap(),
        chart_before
    );
    // One written before analysis folders recorded their charts (no "command") is refused
    // with what to do.
    j.as_object_mut().unwrap().remove("command");
    std::fs::write(&sweep_json, serde_json::to_string(&j).unwrap()).unwrap();
    plot(&sweep_dir, "it was written by `fleetcost sweep` before");
    // A truncated one.
    std::fs::write(&sweep_json, &good_sweep[..good_sweep.len() / 2]).unwrap();
    plot(&sweep_dir, "results.json");
    assert_eq!(
        std::fs::read(sweep_dir.join("sweep.png")).unwrap(),
        chart_before
    );

    let cash = run_dir.join("cashflow.csv");
    let good = std::fs::read_to_string(&cash).unwrap();
    let mut lines: Vec<String> = good.lines().map(String::from).collect();
    let cut = lines[2].rfind(',').unwrap();
    lines[2] = format!("{},NaN", &lines[2][..cut]);
    std::fs::write(&cash, lines.join("\n") + "\n").unwrap();
    plot(&run_dir, "cashflow.csv row 3");
    std::fs::write(&cash, good).unwrap();

    let results = run_dir.join("results.json");
    let mut json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&results).unwrap()).unwrap();
    json["fleets"][0]["cost_per_unit"] = serde_json::json!(-5.0);
    std::fs::write(&results, serde_json::to_string(&json).unwrap()).unwrap();
    plot(&run_dir, "nothing sensible to draw");
}

/// `run --no-plots` into a folder that holds an earlier run's charts removes them, so the
/// folder never pairs new data with old charts.
#[test]
fn no_plots_removes_an_earlier_runs_charts() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("run");
    let run = |extra: &[&str]| {
        let mut args = vec![
            "run",
            "scenarios/minimal.toml",
            "--out",
            dir.to_str().unwrap(),
        ];
        args.extend(extra);
        assert!(fleetcost(&args).status.success());
    };
    run(&[]);
    assert!(dir.join("sizing.png").is_file());
    run(&["--no-plots"]);
    let left: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".png") || n.ends_with(".svg"))
        .collect();
    assert!(left.is_empty(), "old charts left: {left:?}");
    assert!(dir.join("results.json").is_file());
}

/// `plot DIR` on an inference folder redraws the serving charts from its resolved scenario,
/// byte for byte, and refuses a resolved scenario that does not give the folder's results.
#[test]
fn plot_redraws_the_serving_charts_from_the_resolved_scenario() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("serve");
    ok_stdout(&fleetcost([
        "run".as_ref(),
        "scenarios/llama70b-inference.toml".as_ref(),
        "--out".as_ref(),
        dir.as_os_str(),
    ]));
    let svg = dir.join("serving_throughput.svg");
    let first = std::fs::read(&svg).unwrap();
    std::fs::remove_file(&svg).unwrap();
    std::fs::remove_file(dir.join("serving_cost.png")).unwrap();
    ok_stdout(&fleetcost(["plot".as_ref(), dir.as_os_str()]));
    assert_eq!(
        std::fs::read(&svg).unwrap(),
        first,
        "redrawn serving chart differs"
    );
    check_png(&dir.join("serving_cost.png"), 1600, 1000);
    // A resolved scenario edited after the run (another bandwidth utilisation) is refused.
    let resolved = dir.join("scenario.resolved.toml");
    let text = std::fs::read_to_string(&resolved).unwrap();
    let edited = text.replacen("mbu = 0.62", "mbu = 0.5", 1);
    assert_ne!(
        edited, text,
        "the resolved scenario has no 'mbu = 0.62' line"
    );
    std::fs::write(&resolved, edited).unwrap();
    let out = fleetcost(["plot".as_ref(), dir.as_os_str()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("scenario.resolved.toml")
            && err.contains("is not the scenario of this results.json"),
        "{err}"
    );
    assert_eq!(
        std::fs::read(&svg).unwrap(),
        first,
        "a refused plot changed a chart"
    );
}

/// Issue 11: `plot DIR` redraws an analysis folder (sweep 1-D and 2-D, tornado, montecarlo)
/// from its results.json alone: the charts come back byte for byte.
#[test]
fn plot_redraws_analysis_folders_byte_for_byte() {
    let tmp = tempfile::tempdir().unwrap();
    let s = "scenarios/trainium-vs-gpu-2gw.toml";
    let cases: [(&str, Vec<&str>); 4] = [
        (
            "sweep1",
            vec![
                "sweep",
                s,
                "--param",
                "fleet.trn2.chip.price",
                "--from",
                "8k USD",
                "--to",
                "16k USD",
                "--steps",
                "5",
            ],
        ),
        ("sweep2", vec!["sweep", s]),
        ("tornado", vec!["tornado", s]),
        ("montecarlo", vec!["montecarlo", s, "-n", "20000"]),
    ];
    for (name, args) in cases {
        let dir = tmp.path().join(name);
        let mut args: Vec<&std::ffi::OsStr> = args.iter().map(|a| a.as_ref()).collect();
        args.extend(["--out".as_ref(), dir.as_os_str()]);
        let out = fleetcost(&args);
        assert!(
            out.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let charts: Vec<std::path::PathBuf> = ["png", "svg"]
            .iter()
            .flat_map(|ext| files(&dir, ext))
            .collect();
        assert!(charts.len() >= 2, "{name}: {charts:?}");
        let before: Vec<Vec<u8>> = charts.iter().map(|p| std::fs::read(p).unwrap()).collect();
        for p in &charts {
            std::fs::remove_file(p).unwrap();
        }
        let out = fleetcost(["plot".as_ref(), dir.as_os_str()]);
        assert!(
            out.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        for (p, b) in charts.iter().zip(&before) {
            assert!(
                std::fs::read(p).unwrap() == *b,
                "{name}: {} differs after plot DIR",
                p.display()
            );
        }
    }
}
