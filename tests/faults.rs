//! Faults outside the scenario parser (issue 17): endless and special inputs, an output that is
//! its own input, signals, two commands in one folder, stale outputs, names that cannot be
//! files, paths that are not UTF-8. Each test runs the binary as a user (or an adversary) would.

mod common;

use common::{fleetcost, ok_stdout, refused, root};
use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const MINIMAL: &str = "scenarios/minimal.toml";
const UNCERTAIN: &str = "scenarios/trainium-vs-gpu-2gw.toml";
const MEASURED: &str = "tests/data/h100_sxm_2026-11.csv";

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().expect("temporary folder")
}

/// Every name in `dir`, sorted, hidden ones included.
fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

fn hidden(dir: &Path) -> Vec<String> {
    names(dir)
        .into_iter()
        .filter(|n| n.starts_with('.'))
        .collect()
}

fn calibrate_args(measured: &Path) -> Vec<OsString> {
    let mut v: Vec<OsString> = vec!["calibrate".into(), measured.into()];
    v.extend(["--chip", "h100-sxm", "--model", "llama3-8b"].map(OsString::from));
    v
}

// ------------------------------------------------------------------------------ reads

#[test]
fn endless_and_special_inputs_are_refused_or_capped() {
    // A character device is refused at once, not read.
    let t0 = Instant::now();
    let err = refused(
        &fleetcost(["validate", "/dev/zero"]),
        2,
        "validate /dev/zero",
    );
    assert!(
        err.contains(
            "/dev/zero: cannot read the scenario: it is a character device, not a regular file"
        ),
        "{err}"
    );
    let err = refused(
        &fleetcost(calibrate_args(Path::new("/dev/zero"))),
        2,
        "calibrate /dev/zero",
    );
    assert!(err.contains("it is a character device"), "{err}");
    // A FIFO is refused too.
    let dir = tmp();
    let fifo = dir.path().join("fifo.toml");
    assert!(Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let err = refused(
        &fleetcost(["validate".as_ref(), fifo.as_os_str()]),
        2,
        "fifo",
    );
    assert!(err.contains("a pipe (FIFO)"), "{err}");
    // Standard input is read, but only up to the 10 MB a scenario may be: `yes` never ends.
    let mut child = Command::new(env!("CARGO_BIN_EXE_fleetcost"))
        .args(["validate", "/dev/stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let feeder = std::thread::spawn(move || {
        use std::io::Write;
        let line = [b'y', b'\n'].repeat(1 << 15);
        while stdin.write_all(&line).is_ok() {}
    });
    let out = child.wait_with_output().unwrap();
    feeder.join().unwrap();
    let err = refused(&out, 2, "yes | validate /dev/stdin");
    assert!(
        err.contains("/dev/stdin: cannot read the scenario: it is larger than 10 MB"),
        "{err}"
    );
    // `-` is standard input too, and a good scenario on it validates.
    let text = std::fs::read(root().join(MINIMAL)).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_fleetcost"))
        .args(["validate", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        child.stdin.take().unwrap().write_all(&text).unwrap();
    }
    let out = child.wait_with_output().unwrap();
    assert!(ok_stdout(&out).starts_with("ok: <stdin> (stdin)"));
    assert!(t0.elapsed() < Duration::from_secs(120));
}

#[test]
fn plot_reads_are_refused_for_special_files() {
    let dir = tmp();
    let out = dir.path().join("run");
    ok_stdout(&fleetcost([
        "run".as_ref(),
        MINIMAL.as_ref(),
        "--out".as_ref(),
        out.as_os_str(),
        "--no-plots".as_ref(),
    ]));
    std::fs::remove_file(out.join("cashflow.csv")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", out.join("cashflow.csv")).unwrap();
    let err = refused(&fleetcost(["plot".as_ref(), out.as_os_str()]), 2, "plot");
    assert!(
        err.contains("cannot read cashflow.csv (it is a character device"),
        "{err}"
    );
}

// --------------------------------------------------------------- an output that is an input

#[test]
fn an_output_that_is_an_input_is_refused_before_computing() {
    let dir = tmp();
    let sc = dir.path().join("sc.toml");
    std::fs::copy(root().join(UNCERTAIN), &sc).unwrap();
    let before = std::fs::read(&sc).unwrap();
    let err = refused(
        &fleetcost([
            "montecarlo".as_ref(),
            sc.as_os_str(),
            "-n".as_ref(),
            "1000".as_ref(),
            "--samples".as_ref(),
            sc.as_os_str(),
        ]),
        2,
        "--samples the scenario",
    );
    assert!(err.contains("it is the same file as the scenario"), "{err}");
    // Through a link, too.
    let link = dir.path().join("link.csv");
    std::os::unix::fs::symlink(&sc, &link).unwrap();
    let err = refused(
        &fleetcost([
            "montecarlo".as_ref(),
            sc.as_os_str(),
            "--samples".as_ref(),
            link.as_os_str(),
        ]),
        2,
        "--samples a link to the scenario",
    );
    assert!(err.contains("same file"), "{err}");
    assert_eq!(std::fs::read(&sc).unwrap(), before);

    let m = dir.path().join("m.csv");
    std::fs::copy(root().join(MEASURED), &m).unwrap();
    let before = std::fs::read(&m).unwrap();
    let mut args = calibrate_args(&m);
    args.extend(["--out".into(), m.clone().into_os_string()]);
    let err = refused(&fleetcost(args), 2, "calibrate --out the measurements");
    assert!(
        err.contains("it is the same file as the measurements file"),
        "{err}"
    );
    assert_eq!(std::fs::read(&m).unwrap(), before);

    // A run folder's resolved scenario given back as the scenario of a run into that folder.
    let out = dir.path().join("out");
    ok_stdout(&fleetcost([
        "run".as_ref(),
        MINIMAL.as_ref(),
        "--out".as_ref(),
        out.as_os_str(),
        "--no-plots".as_ref(),
    ]));
    let resolved = out.join("scenario.resolved.toml");
    let err = refused(
        &fleetcost([
            "run".as_ref(),
            resolved.as_os_str(),
            "--out".as_ref(),
            out.as_os_str(),
            "--set".as_ref(),
            "site.pue=1.4".as_ref(),
        ]),
        2,
        "run --out the scenario's folder",
    );
    assert!(
        err.contains("is the folder's scenario.resolved.toml, which this command replaces"),
        "{err}"
    );
}

// ------------------------------------------------------------------------------ signals

/// Starts the binary, waits until `ready` holds (at most 60 s), sends `signal` with kill(1),
/// and returns the exit code and stderr.
fn interrupt(args: &[OsString], signal: &str, ready: impl Fn() -> bool) -> (Option<i32>, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_fleetcost"))
        .args(args)
        .current_dir(root())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let t0 = Instant::now();
    while !ready() {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the command ended before it could be interrupted"
        );
        assert!(t0.elapsed() < Duration::from_secs(60), "never became ready");
        std::thread::sleep(Duration::from_millis(20));
    }
    let pid = child.id().to_string();
    assert!(Command::new("kill")
        .args([signal, &pid])
        .status()
        .unwrap()
        .success());
    let t1 = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if t1.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!("{signal} did not end the command within 60 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn sigint_during_samples_removes_the_temporary_file_and_exits_130() {
    let dir = tmp();
    let samples = dir.path().join("s.csv");
    std::fs::write(&samples, b"old samples\n").unwrap();
    let args: Vec<OsString> = vec![
        "montecarlo".into(),
        UNCERTAIN.into(),
        "-n".into(),
        "1000000000000".into(),
        "-q".into(),
        "--samples".into(),
        samples.clone().into(),
    ];
    // Ready once the temporary file beside s.csv has rows in it.
    let d = dir.path().to_path_buf();
    let (code, err) = interrupt(&args, "-INT", || {
        std::fs::read_dir(&d).unwrap().flatten().any(|e| {
            e.file_name().to_string_lossy().starts_with(".s.csv.tmp-")
                && e.metadata().map(|m| m.len() > 0).unwrap_or(false)
        })
    });
    assert_eq!(code, Some(130), "{err}");
    assert!(err.contains("interrupted (SIGINT)"), "{err}");
    assert_eq!(names(dir.path()), ["s.csv"], "debris left");
    assert_eq!(std::fs::read(&samples).unwrap(), b"old samples\n");
}

#[test]
fn sigterm_during_a_sweep_leaves_the_folder_as_it_was_and_exits_143() {
    let dir = tmp();
    let out = dir.path().join("out");
    ok_stdout(&fleetcost([
        "run".as_ref(),
        MINIMAL.as_ref(),
        "--out".as_ref(),
        out.as_os_str(),
    ]));
    let before: Vec<(String, Vec<u8>)> = names(&out)
        .into_iter()
        .map(|n| {
            let b = std::fs::read(out.join(&n)).unwrap();
            (n, b)
        })
        .collect();
    // A 500 x 500 grid takes seconds; the signal comes while it is computed.
    let args: Vec<OsString> = [
        "sweep",
        MINIMAL,
        "-q",
        "--param",
        "site.pue",
        "--from",
        "1.1",
        "--to",
        "1.6",
        "--steps",
        "500",
        "--param",
        "site.electricity",
        "--from",
        "0.03",
        "--to",
        "0.2",
        "--steps",
        "500",
        "--out",
    ]
    .iter()
    .map(OsString::from)
    .chain([out.clone().into_os_string()])
    .collect();
    let o = out.clone();
    let (code, err) = interrupt(&args, "-TERM", || {
        names(&o)
            .iter()
            .any(|n| n.starts_with(".fleetcost-staging-"))
    });
    assert_eq!(code, Some(143), "{err}");
    assert!(err.contains("interrupted (SIGTERM)"), "{err}");
    let after: Vec<(String, Vec<u8>)> = names(&out)
        .into_iter()
        .map(|n| {
            let b = std::fs::read(out.join(&n)).unwrap();
            (n, b)
        })
        .collect();
    assert!(before == after, "the folder changed: {:?}", names(&out));
}

#[test]
fn temporary_files_of_a_dead_process_are_removed_by_the_next_run() {
    let dir = tmp();
    // Pids above the kernel's maximum (2^22) never run.
    let stale = [".s.csv.tmp-99999999-3", ".fleetcost-probe-99999998"];
    for n in stale {
        std::fs::write(dir.path().join(n), vec![0u8; 4096]).unwrap();
    }
    std::fs::create_dir(dir.path().join(".fleetcost-staging-99999997-0")).unwrap();
    std::fs::write(
        dir.path().join(".fleetcost.lock"),
        b"99999996\nfleetcost run\n",
    )
    .unwrap();
    let samples = dir.path().join("s.csv");
    ok_stdout(&fleetcost([
        "montecarlo".as_ref(),
        UNCERTAIN.as_ref(),
        "-n".as_ref(),
        "2000".as_ref(),
        "--samples".as_ref(),
        samples.as_os_str(),
    ]));
    assert_eq!(hidden(dir.path()), [".fleetcost.lock"]);
    // The stale lock is taken over and released by a run into the folder.
    ok_stdout(&fleetcost([
        "run".as_ref(),
        MINIMAL.as_ref(),
        "--out".as_ref(),
        dir.path().as_os_str(),
        "--no-plots".as_ref(),
    ]));
    assert!(hidden(dir.path()).is_empty(), "{:?}", hidden(dir.path()));
}

// -------------------------------------------------------------- two commands in one folder

#[test]
fn a_folder_held_by_a_live_command_is_refused_naming_it() {
    let dir = tmp();
    // A live process (this test) holds the folder's lock.
    std::fs::write(
        dir.path().join(".fleetcost.lock"),
        format!("{}\nfleetcost sweep x.toml --out d\n", std::process::id()),
    )
    .unwrap();
    let err = refused(
        &fleetcost([
            "run".as_ref(),
            MINIMAL.as_ref(),
            "--out".as_ref(),
            dir.path().as_os_str(),
        ]),
        2,
        "a locked folder",
    );
    assert!(
        err.contains(&format!(
            "another fleetcost (process {}: fleetcost sweep x.toml --out d) is writing this folder",
            std::process::id()
        )),
        "{err}"
    );
    assert_eq!(names(dir.path()), [".fleetcost.lock"]);
}

#[test]
fn concurrent_runs_never_mix_their_files() {
    let dir = tmp();
    let out = dir.path().join("out");
    // Two runs of different scenarios race for one folder, five times: each ends either
    // refused (the other holds the folder) or with all its files; results.json and the
    // resolved scenario always come from the same run.
    for _ in 0..5 {
        let spawn = |sc: &str| {
            Command::new(env!("CARGO_BIN_EXE_fleetcost"))
                .args(["run", sc, "--no-plots", "--format", "json", "--out"])
                .arg(&out)
                .current_dir(root())
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        };
        let a = spawn(MINIMAL);
        let b = spawn(UNCERTAIN);
        for c in [a, b] {
            let o = c.wait_with_output().unwrap();
            let err = String::from_utf8_lossy(&o.stderr);
            assert!(
                o.status.code() == Some(0)
                    || (o.status.code() == Some(2) && err.contains("is writing this folder")),
                "{err}"
            );
        }
        let prov = std::fs::read_to_string(out.join("provenance.json")).unwrap();
        let results = std::fs::read_to_string(out.join("results.json")).unwrap();
        let resolved = std::fs::read_to_string(out.join("scenario.resolved.toml")).unwrap();
        let from_uncertain = prov.contains("trainium-vs-gpu-2gw");
        let fleets = |text: &str| text.contains("gb200");
        assert_eq!(
            fleets(&results),
            from_uncertain,
            "results.json from the other run"
        );
        assert_eq!(
            fleets(&resolved),
            from_uncertain,
            "resolved scenario from the other run"
        );
        assert!(hidden(&out).is_empty(), "{:?}", hidden(&out));
    }
}

// ------------------------------------------------------------------------------ stale outputs

#[test]
fn each_command_removes_its_outputs_that_it_did_not_write_this_time() {
    let dir = tmp();
    let out = dir.path().join("out");
    let sweep = |extra: &[&str]| {
        let mut args: Vec<OsString> = [
            "sweep", MINIMAL, "--param", "site.pue", "--from", "1.1", "--to", "1.5", "--steps", "3",
        ]
        .map(OsString::from)
        .to_vec();
        args.extend(extra.iter().map(OsString::from));
        args.extend(["--out".into(), out.clone().into_os_string()]);
        fleetcost(args)
    };
    ok_stdout(&sweep(&[
        "--param",
        "site.electricity",
        "--from",
        "0.05",
        "--to",
        "0.1",
        "--steps",
        "3",
    ]));
    assert!(out.join("sweep_heatmap.png").exists());
    let o = sweep(&[]);
    ok_stdout(&o);
    assert_eq!(
        names(&out),
        [
            "provenance.json",
            "results.json",
            "scenario.resolved.toml",
            "sweep.csv",
            "sweep.png",
            "sweep.svg"
        ]
    );
    assert!(String::from_utf8_lossy(&o.stderr).contains("sweep_heatmap.png, sweep_heatmap.svg"));

    // A Monte Carlo histogram of a candidate the scenario no longer has goes; files of other
    // commands and of the user stay.
    let mc = dir.path().join("mc");
    std::fs::create_dir(&mc).unwrap();
    for n in [
        "montecarlo_rho_gone.png",
        "montecarlo_rho_gone.svg",
        "notes.txt",
        "sweep.csv",
    ] {
        std::fs::write(mc.join(n), b"x").unwrap();
    }
    ok_stdout(&fleetcost([
        "montecarlo".as_ref(),
        UNCERTAIN.as_ref(),
        "-n".as_ref(),
        "2000".as_ref(),
        "--out".as_ref(),
        mc.as_os_str(),
    ]));
    let n = names(&mc);
    assert!(!n.iter().any(|x| x.contains("gone")), "{n:?}");
    assert!(
        n.contains(&"notes.txt".into()) && n.contains(&"sweep.csv".into()),
        "{n:?}"
    );
    assert!(n.contains(&"montecarlo.csv".into()), "{n:?}");
}

// ---------------------------------------------------------- names that cannot be files

#[test]
fn file_names_ending_in_a_slash_and_broken_links_are_refused_up_front() {
    let dir = tmp();
    let slash = format!("{}/x.csv/", dir.path().display());
    let t0 = Instant::now();
    let err = refused(
        &fleetcost([
            "montecarlo",
            UNCERTAIN,
            "-n",
            "100000000000",
            "--samples",
            &slash,
        ]),
        2,
        "--samples x.csv/",
    );
    // Refused before the 1e11 draws, which would take hours.
    assert!(t0.elapsed() < Duration::from_secs(30));
    assert!(err.contains("ends with '/'"), "{err}");
    let mut args = calibrate_args(&root().join(MEASURED));
    args.extend([
        "--out".into(),
        format!("{}/f/", dir.path().display()).into(),
    ]);
    let err = refused(&fleetcost(args), 2, "calibrate --out f/");
    assert!(err.contains("ends with '/'"), "{err}");
    assert!(names(dir.path()).is_empty(), "{:?}", names(dir.path()));

    let lp = dir.path().join("loop");
    std::os::unix::fs::symlink(&lp, &lp).unwrap();
    let err = refused(
        &fleetcost([
            "run".as_ref(),
            MINIMAL.as_ref(),
            "--out".as_ref(),
            lp.as_os_str(),
        ]),
        2,
        "--out a link loop",
    );
    assert!(err.contains("symbolic link that loops"), "{err}");
    let dangling = dir.path().join("dangling");
    std::os::unix::fs::symlink(dir.path().join("nowhere"), &dangling).unwrap();
    let err = refused(
        &fleetcost([
            "run".as_ref(),
            MINIMAL.as_ref(),
            "--out".as_ref(),
            dangling.as_os_str(),
        ]),
        2,
        "--out a dangling link",
    );
    assert!(err.contains("nowhere, which does not exist"), "{err}");
    assert!(!err.contains("File exists"), "{err}");
}

// --------------------------------------------------------------------- non-UTF-8 paths

#[test]
fn an_out_path_that_is_not_utf8_is_written_and_recorded_lossily() {
    let dir = tmp();
    let mut name = dir.path().as_os_str().to_owned().into_vec();
    name.extend_from_slice(b"/out-\xff\xfe");
    let out = PathBuf::from(OsString::from_vec(name));
    let o = fleetcost([
        "run".as_ref(),
        MINIMAL.as_ref(),
        "--out".as_ref(),
        out.as_os_str(),
    ]);
    ok_stdout(&o);
    let err = String::from_utf8_lossy(&o.stderr);
    // 6 data files, workbook.xlsx and 4 charts as PNG and SVG.
    assert!(err.contains("wrote 15 files"), "{err}");
    assert!(err.contains("U+FFFD"), "{err}");
    assert_eq!(names(&out).len(), 15);
    let prov: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("provenance.json")).unwrap())
            .unwrap();
    let cmd = prov["command"].as_array().unwrap();
    assert!(cmd
        .iter()
        .any(|a| a.as_str().unwrap().ends_with("out-\u{fffd}\u{fffd}")));
    assert!(prov["note"].as_str().unwrap().contains("not UTF-8"));
    // The same for a Monte Carlo with --samples under that folder and an analysis --out.
    let samples = out.join("s-\u{e9}.csv");
    ok_stdout(&fleetcost([
        "montecarlo".as_ref(),
        UNCERTAIN.as_ref(),
        "-n".as_ref(),
        "1000".as_ref(),
        "--samples".as_ref(),
        samples.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
    ]));
    assert!(samples.exists());
}

// ------------------------------------------------------------------------------ sizes

#[test]
fn sizes_that_overflow_an_integer_are_refused_up_front() {
    // Two --steps of 2^32: 2^64 points, which a usize product wraps to 0. Counted in f64 it is
    // 1.8447e19 > 250,000, refused before any allocation, both orders of the axes.
    for (a, b) in [
        ("site.pue", "site.electricity"),
        ("site.electricity", "site.pue"),
    ] {
        let t0 = Instant::now();
        let err = refused(
            &fleetcost([
                "sweep",
                MINIMAL,
                "--param",
                a,
                "--from",
                "1.1",
                "--to",
                "1.5",
                "--steps",
                "4294967296",
                "--param",
                b,
                "--from",
                "1.1",
                "--to",
                "1.5",
                "--steps",
                "4294967296",
            ]),
            2,
            "2^32 x 2^32 sweep",
        );
        assert!(
            err.contains(
                "a sweep of 1.845e19 points keeps a full report per point; at most 250,000"
            ),
            "{err}"
        );
        assert!(t0.elapsed() < Duration::from_secs(20));
    }
    // One axis past usize on 32 bits and past the limit: refused by clap or by the limit.
    let err = refused(
        &fleetcost([
            "sweep",
            MINIMAL,
            "--param",
            "site.pue",
            "--from",
            "1.1",
            "--to",
            "1.5",
            "--steps",
            "18446744073709551616",
        ]),
        2,
        "2^64 steps",
    );
    assert!(err.contains("--steps"), "{err}");
    // Draw counts: 0 and more than 1e12 are refused by the argument parser (exit 2).
    for n in ["0", "1000000000001", "18446744073709551616"] {
        let err = refused(
            &fleetcost(["montecarlo", UNCERTAIN, "-n", n]),
            2,
            "draw count",
        );
        assert!(err.contains("--draws"), "{n}: {err}");
    }
}

#[test]
fn a_replica_larger_than_its_fleet_is_refused_naming_the_key_and_the_fix() {
    // Llama-3-70B at fp8 on H100s: tensor_parallel = "auto" picks 4-chip replicas; a fleet of
    // one chip cannot hold one of them.
    let err = refused(
        &fleetcost([
            "run",
            "scenarios/llama70b-inference.toml",
            "--set",
            "fleet.h100.chips=1",
        ]),
        2,
        "one-chip fleet",
    );
    assert!(
        err.contains(
            "fleet.h100.chips (from --set 'fleet.h100.chips=1'): fleet 'h100': one replica of the \
             model needs 4 chips but the fleet has 1 chip; set fleet.h100.chips to at least 4"
        ),
        "{err}"
    );
    // Four chips hold one replica: accepted.
    ok_stdout(&fleetcost([
        "validate",
        "scenarios/llama70b-inference.toml",
        "--set",
        "fleet.h100.chips=4",
    ]));
    // A batch of 1e9 needs 10,240,001 chips per replica on the H100: refused, naming batch.
    let err = refused(
        &fleetcost([
            "run",
            "scenarios/llama70b-inference.toml",
            "--set",
            "workload.batch=1e9",
        ]),
        2,
        "batch 1e9",
    );
    assert!(err.contains("workload.batch (from --set"), "{err}");
}

#[test]
fn a_draw_that_underflows_to_the_open_end_of_a_range_does_not_break_the_model() {
    // lognormal mfu with p5 = 1e-300: a third of the draws underflow to 0 (exp(-750) = 0);
    // before, they were clamped to the subnormal 5e-324 and the model multiplied it back to 0
    // ("draw 12 breaks the model (fleet.trn2.mfu = 5e-324)"). Now they are the smallest normal
    // double; the run reaches the statistics, which refuse a cost spread over 300 orders of
    // magnitude and name the input: from the first chunk of draws, so 1e8 draws are refused
    // as soon as 5,000 (a broken early check would compute all 1e8 first).
    let dir = tmp();
    let sc = dir.path().join("tiny-mfu.toml");
    let mut text = std::fs::read_to_string(root().join(MINIMAL)).unwrap();
    text.push_str(
        "\n[uncertainty]\n\"fleet.trn2.mfu\" = { dist = \"lognormal\", p5 = 1e-300, p95 = 0.48 }\n",
    );
    std::fs::write(&sc, text).unwrap();
    let o = fleetcost([
        "montecarlo".as_ref(),
        sc.as_os_str(),
        "-n".as_ref(),
        "100000000".as_ref(),
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!err.contains("breaks the model"), "{err}");
    assert!(
        err.contains(
            "the sd of the cost per unit of trn2 cannot be computed (it overflows): its draws run from"
        ),
        "{err}"
    );
    assert!(!err.contains("e-324"), "{err}");
    assert!(err.contains("fleet.trn2.mfu"), "{err}");
    assert!(err.contains("give them realistic ranges"), "{err}");
    assert_eq!(o.status.code(), Some(1), "{err}");
}

// ------------------------------------------------------------------------------ names

#[test]
fn a_scenario_on_standard_input_is_named_stdin() {
    let text = std::fs::read_to_string(root().join(MINIMAL)).unwrap();
    let run = |input: &str| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_fleetcost"))
            .args(["validate", "-"])
            .current_dir(root())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write;
        c.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
        c.wait_with_output().unwrap()
    };
    let out = ok_stdout(&run(&text));
    assert!(out.starts_with("ok: <stdin> (stdin): 2 fleets"), "{out}");
    // A name key wins; errors point at <stdin> with line and column.
    let named = text.replace("schema = 1", "schema = 1\nname = \"piped\"");
    let out = ok_stdout(&run(&named));
    assert!(out.starts_with("ok: <stdin> (piped)"), "{out}");
    let bad = text.replace("mfu = 0.40                      # assumed equal", "mfu = 2");
    let err = refused(&run(&bad), 2, "bad stdin");
    assert!(err.contains("--> <stdin>:"), "{err}");
    assert!(err.contains("problem in <stdin>;"), "{err}");
}

#[test]
fn a_megabyte_scenario_name_is_cut_in_titles_and_kept_in_results() {
    // A 1 MB name took 28.6 s per chart (the title was wrapped whole) and broke workbook.xlsx
    // (Excel holds 32,767 characters a cell). Titles and headlines show its first 200
    // characters and at most three lines, ending in "…"; results.json keeps it whole.
    let dir = tmp();
    let sc = dir.path().join("long.toml");
    let name = "a very long scenario name ".repeat(40_000); // 1,040,000 characters
    let text = std::fs::read_to_string(root().join(MINIMAL))
        .unwrap()
        .replace(
            "schema = 1",
            &format!("schema = 1\nname = \"{}\"", name.trim_end()),
        );
    std::fs::write(&sc, text).unwrap();
    let out = dir.path().join("out");
    let o = fleetcost([
        "run".as_ref(),
        sc.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
    ]);
    let stdout = ok_stdout(&o);
    let first = stdout.lines().next().unwrap();
    assert_eq!(first.chars().count(), 200, "{first}");
    assert!(first.ends_with('…'));
    for chart in ["cost_breakdown", "price_performance", "cashflow", "sizing"] {
        let svg = std::fs::read_to_string(out.join(format!("{chart}.svg"))).unwrap();
        assert!(svg.len() < 100_000, "{chart}.svg is {} bytes", svg.len());
        assert!(svg.contains("a very long scenario name"), "{chart}");
        assert!(svg.contains('…'), "{chart}");
        assert!(out.join(format!("{chart}.png")).exists());
    }
    assert!(out.join("workbook.xlsx").exists());
    let results: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("results.json")).unwrap()).unwrap();
    assert_eq!(results["name"].as_str().unwrap(), name.trim_end());
    // plot DIR redraws from results.json with the same cut.
    ok_stdout(&fleetcost(["plot".as_ref(), out.as_os_str()]));
    let svg = std::fs::read_to_string(out.join("sizing.svg")).unwrap();
    assert!(svg.len() < 100_000 && svg.contains('…'));
}

/// No run of more than 20 digits anywhere in `text`.
fn no_long_digit_runs(text: &str) -> bool {
    let mut run = 0;
    for c in text.chars() {
        run = if c.is_ascii_digit() { run + 1 } else { 0 };
        if run > 20 {
            return false;
        }
    }
    true
}

#[test]
fn huge_inputs_never_print_hundreds_of_digits() {
    // A claim of 1e308 headed its column with 309 digits.
    let out = ok_stdout(&fleetcost(["run", MINIMAL, "--claim", "1e308"]));
    assert!(out.contains("rho >= 1.000e308?"), "{out}");
    assert!(no_long_digit_runs(&out), "{out}");
    let md = ok_stdout(&fleetcost([
        "run", MINIMAL, "--claim", "1e308", "--format", "markdown",
    ]));
    assert!(no_long_digit_runs(&md), "{md}");
    // calibrate: a measured rate of 1e300 tokens/s printed 301 digits in its check line.
    let dir = tmp();
    let m = dir.path().join("m.csv");
    let text = std::fs::read_to_string(root().join(MEASURED))
        .unwrap()
        .replace(
            "\"decode tokens/s, batch 1\",137.3",
            "\"decode tokens/s, batch 1\",1e300",
        );
    std::fs::write(&m, text).unwrap();
    let o = fleetcost(calibrate_args(&m));
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(all.contains("1e300 tokens/s at batch 1"), "{all}");
    assert!(no_long_digit_runs(&all), "{all}");
    // An mfu of 1e-300: 1.510e299 USD per EFLOP (3,179 USD per chip-year over 2.105e-296
    // EFLOP), in scientific notation; never "inf" or "NaN".
    let out = ok_stdout(&fleetcost([
        "run",
        MINIMAL,
        "--set",
        "fleet.trn2.mfu=1e-300",
    ]));
    assert!(out.contains("1.510e299"), "{out}");
    let words: Vec<&str> = out.split_whitespace().collect();
    assert!(
        !words.iter().any(|w| ["inf", "NaN", "-inf"].contains(w)),
        "{out}"
    );
    assert!(no_long_digit_runs(&out), "{out}");
    // At 1e-305 the energy per EFLOP overflows: refused (it printed "inf" in a run that
    // validated), naming the input.
    let err = refused(
        &fleetcost(["run", MINIMAL, "--set", "fleet.trn2.mfu=1e-305"]),
        2,
        "mfu 1e-305",
    );
    assert!(
        err.contains("the energy per unit of work is too large to compute (it overflows); it comes from fleet.trn2.mfu = 1e-305"),
        "{err}"
    );
    // A pue of 5e307 in a sweep printed 308 digits in the below-one-node message.
    let err = refused(
        &fleetcost([
            "sweep", MINIMAL, "--param", "site.pue", "--from", "1", "--to", "1e308", "--steps", "3",
        ]),
        1,
        "pue 1e308",
    );
    // The first refused point in grid order (1, 5e307, 1e308), whichever thread meets one first.
    assert!(err.contains("sweep at site.pue = 5e307:"), "{err}");
    assert!(err.contains("with pue 5e307)"), "{err}");
    assert!(no_long_digit_runs(&err), "{err}");
    // solve for rho = 1e308: rho - 1e308 is -1e308 for every ordinary rho, which looked flat
    // ("does not depend on ... it is 0.0000 everywhere"); the metric itself varies.
    let out = ok_stdout(&fleetcost([
        "solve",
        UNCERTAIN,
        "--param",
        "fleet.trn2.chip.price",
        "--target",
        "rho=1e308",
    ]));
    assert!(
        out.contains(
            "no crossing in [1.1k USD, 110k USD]: rho (trn2 vs h200) is 3.6218 at 1.1k USD"
        ),
        "{out}"
    );
    assert!(out.contains("both on the same side of 1e308"), "{out}");
}

#[test]
fn plot_refuses_a_cashflow_csv_that_is_not_the_one_of_its_results() {
    let dir = tmp();
    let run = |name: &str, extra: &[&str]| {
        let out = dir.path().join(name);
        let mut args: Vec<OsString> = vec!["run".into(), MINIMAL.into()];
        args.extend(extra.iter().map(OsString::from));
        args.extend(["--out".into(), out.clone().into_os_string()]);
        ok_stdout(&fleetcost(&args));
        out
    };
    let a = run("a", &[]);
    let other = run("b", &["--set", "fleet.trn2.chip.price=12k USD"]);
    let good = std::fs::read_to_string(a.join("cashflow.csv")).unwrap();
    let plot = |what: &str| refused(&fleetcost(["plot".as_ref(), a.as_os_str()]), 2, what);
    let set = |text: &str| std::fs::write(a.join("cashflow.csv"), text).unwrap();
    let tail = "it is not the cash flow of this results.json (a truncated or foreign file?): \
                rerun `fleetcost run` to write the folder again";
    // Truncated at a line: trn2 has 5 years, h100 6 (years 0..5 of a 5-year horizon).
    let lines: Vec<&str> = good.lines().collect();
    set(&(lines[..lines.len() - 1].join("\n") + "\n"));
    let err = plot("truncated");
    assert!(
        err.contains("cashflow.csv has 5 years for fleet 'trn2' but 6 for 'h100'"),
        "{err}"
    );
    assert!(err.contains(tail), "{err}");
    // Truncated to one fleet.
    set(&(lines[..7].join("\n") + "\n"));
    assert!(plot("one fleet").contains("has no rows for fleet 'trn2'"));
    // The same fleets and years from another run: the totals give it away. trn2: 200,000
    // chips at 11k USD = 2.2 B capex + 5 x 70.128 M energy = 2.55 B; at 12k USD, 2.75 B.
    std::fs::copy(other.join("cashflow.csv"), a.join("cashflow.csv")).unwrap();
    let err = plot("foreign");
    assert!(
        err.contains(
            "rows of fleet 'trn2' sum to $2.75 B (nominal), but results.json says $2.55 B"
        ),
        "{err}"
    );
    // Another scenario's fleets.
    let c = dir.path().join("c");
    ok_stdout(&fleetcost([
        "run".as_ref(),
        UNCERTAIN.as_ref(),
        "--out".as_ref(),
        c.as_os_str(),
    ]));
    std::fs::copy(c.join("cashflow.csv"), a.join("cashflow.csv")).unwrap();
    assert!(plot("other fleets").contains("which results.json does not (its fleets: h100, trn2)"));
    // Finite rows whose sum overflows: refused, never drawn as "$inf total".
    let big: Vec<String> = lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            if i == 2 || i == 3 {
                let mut f: Vec<&str> = l.split(',').collect();
                f[7] = "1.7e308";
                f.join(",")
            } else {
                l.to_string()
            }
        })
        .collect();
    set(&(big.join("\n") + "\n"));
    let err = plot("overflow");
    assert!(
        err.contains("rows of fleet 'h100' sum to more than floating point holds"),
        "{err}"
    );
    // The file as written: drawn.
    set(&good);
    ok_stdout(&fleetcost(["plot".as_ref(), a.as_os_str()]));
}
