//! Same inputs and seed, same bytes: repeated runs and RAYON_NUM_THREADS = 1, 2 and 8 give
//! byte-identical stdout and `--samples` files (MODEL.md section 6: "same seed and n give
//! byte-identical output at any thread count"); a different seed gives different results.

mod common;

use common::root;
use std::path::Path;
use std::process::Command;

const TWO_GW: &str = "scenarios/trainium-vs-gpu-2gw.toml";

/// Runs fleetcost with `RAYON_NUM_THREADS = threads`; returns stdout, panicking on failure.
fn run_with_threads(threads: usize, args: &[&std::ffi::OsStr]) -> Vec<u8> {
    let out = Command::new(env!("CARGO_BIN_EXE_fleetcost"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .env("RAYON_NUM_THREADS", threads.to_string())
        .output()
        .expect("fleetcost runs");
    assert!(
        out.status.success(),
        "fleetcost {args:?} at {threads} threads failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn os(s: &str) -> &std::ffi::OsStr {
    s.as_ref()
}

/// One Monte Carlo: stdout (--format json) and the samples file.
fn montecarlo(threads: usize, seed: u64, samples: &Path) -> (Vec<u8>, Vec<u8>) {
    let seed = seed.to_string();
    let stdout = run_with_threads(
        threads,
        &[
            os("montecarlo"),
            os(TWO_GW),
            os("-n"),
            os("100000"),
            os("--seed"),
            os(&seed),
            os("--format"),
            os("json"),
            os("--samples"),
            samples.as_os_str(),
        ],
    );
    let bytes = std::fs::read(samples).expect("the samples file");
    (stdout, bytes)
}

/// 100,000 draws are 7 chunks of 16,384 (the last one partial), run in parallel and merged; the
/// shipped scenario has 12 uncertain inputs, 4 correlated pairs, 4 fleets and 3 comparisons.
#[test]
fn montecarlo_is_byte_identical_across_runs_and_thread_counts() {
    let dir = tempfile::tempdir().unwrap();
    let (json, samples) = montecarlo(2, 42, &dir.path().join("ref.csv"));
    let text = String::from_utf8(json.clone()).unwrap();
    assert!(text.contains("\"n\": 100000"), "{text}");
    // header + 100,000 rows
    assert_eq!(samples.iter().filter(|&&b| b == b'\n').count(), 100_001);
    for (i, threads) in [2, 1, 8].into_iter().enumerate() {
        let (j, s) = montecarlo(threads, 42, &dir.path().join(format!("s{i}.csv")));
        assert!(j == json, "stdout differs at {threads} threads");
        assert!(s == samples, "samples differ at {threads} threads");
    }
    // Another seed: other draws, other summaries.
    let (j, s) = montecarlo(2, 43, &dir.path().join("seed43.csv"));
    assert!(j != json, "seed 43 gives the same summaries as seed 42");
    assert!(s != samples, "seed 43 gives the same samples as seed 42");
    assert_eq!(s.iter().filter(|&&b| b == b'\n').count(), 100_001);
    // Same header, different rows from the first one on.
    let first_line = |b: &[u8]| {
        b.split(|&c| c == b'\n')
            .take(2)
            .map(<[u8]>::to_vec)
            .collect::<Vec<_>>()
    };
    let (a, b) = (first_line(&samples), first_line(&s));
    assert_eq!(a[0], b[0]);
    assert_ne!(a[1], b[1]);
}

/// The file's 36 x 41 [[sweep]] grid, long-format CSV.
#[test]
fn sweep_csv_is_byte_identical_across_thread_counts() {
    let args = [os("sweep"), os(TWO_GW), os("--format"), os("csv")];
    let reference = run_with_threads(2, &args);
    // header + 36 * 41 points * (4 fleets + 3 comparisons)
    assert_eq!(
        reference.iter().filter(|&&b| b == b'\n').count(),
        1 + 36 * 41 * 7
    );
    for threads in [2, 1, 8] {
        assert!(
            run_with_threads(threads, &args) == reference,
            "sweep CSV differs at {threads} threads"
        );
    }
}

/// Every shipped scenario's `run --format json` is the same bytes every time. `run` uses no
/// threads (only the Monte Carlo and the sweeps do), so the thread count here is incidental:
/// what this holds is repeatability (no hash-map order, clock or path in the JSON).
#[test]
fn run_json_is_byte_identical_on_every_run() {
    let files = common::files(&root().join("scenarios"), "toml");
    assert!(!files.is_empty());
    for f in files {
        let args = [os("run"), f.as_os_str(), os("--format"), os("json")];
        let reference = run_with_threads(2, &args);
        for threads in [2, 1, 8] {
            assert!(
                run_with_threads(threads, &args) == reference,
                "{}: run JSON differs on a repeated run (RAYON_NUM_THREADS={threads})",
                f.display()
            );
        }
    }
}
