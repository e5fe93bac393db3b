//! Files are complete or absent (MODEL.md section 7: temporary file + rename): a run killed
//! while it writes leaves the old complete file; an `--out` folder (or `--samples` file) that
//! cannot be written fails at once, before any computing, with exit 2 and a message naming it.

mod common;

use common::root;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const LINEAR: &str = "tests/fixtures/linear.toml";
const TWO_GW: &str = "scenarios/trainium-vs-gpu-2gw.toml";

fn command(args: &[&std::ffi::OsStr]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_fleetcost"));
    c.args(args).current_dir(root()).env("NO_COLOR", "1");
    c
}

fn os(s: &str) -> &std::ffi::OsStr {
    s.as_ref()
}

/// Waits for `child` at most `limit`; kills it (and fails) past that. Returns its output.
fn wait_at_most(mut child: Child, limit: Duration, what: &str) -> Output {
    let start = Instant::now();
    loop {
        if child.try_wait().expect("try_wait").is_some() {
            return child.wait_with_output().expect("output");
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what}: still running after {limit:?}: it computes before checking its output");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// The visible (non-dot) and hidden entries of `dir`.
fn entries(dir: &Path) -> (Vec<String>, Vec<String>) {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names.into_iter().partition(|n| !n.starts_with('.'))
}

/// The samples file's temporary sibling `.samples.csv.tmp-PID`, if it exists.
fn temporary(dir: &Path) -> Option<PathBuf> {
    entries(dir)
        .1
        .into_iter()
        .find(|n| n.starts_with(".samples.csv.tmp-"))
        .map(|n| dir.join(n))
}

/// A first complete run writes samples.csv; a second, much bigger run is SIGKILLed while it
/// streams into its temporary file. samples.csv must still be the first run's complete file.
#[test]
fn killed_montecarlo_leaves_the_old_samples_file_whole() {
    let dir = tempfile::tempdir().unwrap();
    let samples = dir.path().join("samples.csv");
    let first = command(&[
        os("montecarlo"),
        os(LINEAR),
        os("-n"),
        os("1000"),
        os("--samples"),
        samples.as_os_str(),
    ])
    .output()
    .unwrap();
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let old = std::fs::read(&samples).unwrap();
    assert_eq!(old.iter().filter(|&&b| b == b'\n').count(), 1001);
    assert_eq!(temporary(dir.path()), None);

    // 3 million draws of ~80 bytes: ~240 MB, written batch by batch (32 chunks of 16,384
    // draws each) into .samples.csv.tmp-PID, renamed over samples.csv only at the end.
    let mut child = command(&[
        os("montecarlo"),
        os(LINEAR),
        os("-n"),
        os("3000000"),
        os("-q"),
        os("--samples"),
        samples.as_os_str(),
    ])
    .stdout(Stdio::null())
    .stderr(Stdio::null())
    .spawn()
    .unwrap();
    let start = Instant::now();
    let mut sizes = Vec::new();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("the big run finished ({status}) before it could be killed; raise -n");
        }
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "no growing temporary file after 120 s"
        );
        if let Some(len) = temporary(dir.path())
            .and_then(|t| std::fs::metadata(t).ok())
            .map(|m| m.len())
        {
            sizes.push(len);
            // Appeared, and grew past its first observed size: it is being written.
            if len > 0 && len > sizes[0] {
                break;
            }
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    child.kill().unwrap(); // SIGKILL on Unix: no chance to clean up
    child.wait().unwrap();

    // The old complete file, byte for byte.
    assert!(
        std::fs::read(&samples).unwrap() == old,
        "samples.csv changed"
    );
    // No other visible file, truncated or not. The killed run's temporary file stays behind
    // as a hidden dotfile (.samples.csv.tmp-PID): a SIGKILL cannot be caught to remove it.
    let (visible, hidden) = entries(dir.path());
    assert_eq!(visible, ["samples.csv"]);
    assert!(
        hidden.iter().all(|h| h.starts_with(".samples.csv.tmp-")),
        "{hidden:?}"
    );
    let partial = temporary(dir.path()).expect("the killed run's temporary file");
    let partial_len = std::fs::metadata(&partial).unwrap().len();
    assert!(
        partial_len > 0 && partial_len < 3_000_000 * 40,
        "{partial_len} bytes"
    );

    // A later complete run replaces samples.csv whole (and leaves only its own file).
    let again = command(&[
        os("montecarlo"),
        os(LINEAR),
        os("-n"),
        os("2000"),
        os("--samples"),
        samples.as_os_str(),
    ])
    .output()
    .unwrap();
    assert!(again.status.success());
    let new = std::fs::read(&samples).unwrap();
    assert_eq!(new.iter().filter(|&&b| b == b'\n').count(), 2001);
    assert!(new.ends_with(b"\n"));
}

/// The commands with a long computation behind them: each would run for a long time if it
/// computed before checking its --out folder.
fn slow_commands() -> Vec<(&'static str, Vec<&'static str>)> {
    vec![
        ("run", vec!["run", TWO_GW]),
        (
            "sweep",
            // 400 x 400 = 160,000 grid points with full reports
            vec![
                "sweep",
                LINEAR,
                "--param",
                "fleet.cand.chip.price",
                "--from",
                "1k USD",
                "--to",
                "100k USD",
                "--steps",
                "400",
                "--param",
                "fleet.cand.mfu",
                "--from",
                "0.1",
                "--to",
                "1",
                "--steps",
                "400",
            ],
        ),
        ("tornado", vec!["tornado", TWO_GW]),
        // a billion draws
        (
            "montecarlo",
            vec!["montecarlo", TWO_GW, "-n", "1000000000", "-q"],
        ),
    ]
}

fn check_refused(args: &[&std::ffi::OsStr], named: &Path, what: &str) -> String {
    let start = Instant::now();
    let child = command(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let out = wait_at_most(child, Duration::from_secs(20), what);
    let secs = start.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "{what}: {stderr}");
    assert!(out.stdout.is_empty(), "{what}: printed results");
    assert!(
        stderr.contains(&named.display().to_string()),
        "{what}: the message does not name {}: {stderr}",
        named.display()
    );
    // Quick: loading and checking only (the computations above take minutes).
    assert!(secs < 5.0, "{what}: took {secs:.1} s");
    stderr
}

/// --out under an existing regular file (cannot be created; this works as root too, which
/// ignores permission bits) and --out naming a regular file.
#[test]
fn unwritable_out_folder_fails_before_computing() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("a-file");
    std::fs::write(&blocker, b"not a folder").unwrap();
    let under = blocker.join("out");
    for (name, args) in slow_commands() {
        let mut a: Vec<&std::ffi::OsStr> = args.iter().map(|s| os(s)).collect();
        a.extend([os("--out"), under.as_os_str()]);
        check_refused(&a, &under, &format!("{name} --out under a file"));

        let mut a: Vec<&std::ffi::OsStr> = args.iter().map(|s| os(s)).collect();
        a.extend([os("--out"), blocker.as_os_str()]);
        let msg = check_refused(&a, &blocker, &format!("{name} --out a file"));
        assert!(msg.contains("not a folder"), "{name}: {msg}");
    }
    // Nothing was written next to the blocker, and it is untouched.
    assert_eq!(std::fs::read(&blocker).unwrap(), b"not a folder");
    assert_eq!(entries(dir.path()), (vec!["a-file".to_string()], vec![]));
}

/// --samples in a folder that cannot exist: refused before the draws.
#[test]
fn unwritable_samples_file_fails_before_computing() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("a-file");
    std::fs::write(&blocker, b"x").unwrap();
    let samples = blocker.join("samples.csv");
    check_refused(
        &[
            os("montecarlo"),
            os(TWO_GW),
            os("-n"),
            os("1000000000"),
            os("-q"),
            os("--samples"),
            samples.as_os_str(),
        ],
        &samples,
        "montecarlo --samples under a file",
    );
}

/// A chart whose path is a symbolic link is written to the link's target (the link stays); a
/// folder where an output file goes is refused before anything is computed or written.
#[test]
fn charts_write_through_links_and_folders_in_the_way_are_refused_first() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("run");
    std::fs::create_dir(&dir).unwrap();
    let real = tmp.path().join("real.svg");
    std::fs::write(&real, "old").unwrap();
    std::os::unix::fs::symlink(&real, dir.join("sizing.svg")).unwrap();
    let out = common::fleetcost([
        "run".as_ref(),
        "scenarios/minimal.toml".as_ref(),
        "--out".as_ref(),
        dir.as_os_str(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let link = std::fs::symlink_metadata(dir.join("sizing.svg")).unwrap();
    assert!(link.file_type().is_symlink(), "the link was replaced");
    assert!(std::fs::read_to_string(&real).unwrap().starts_with("<svg"));

    let blocked = tmp.path().join("blocked");
    std::fs::create_dir_all(blocked.join("sizing.png")).unwrap();
    let out = common::fleetcost([
        "run".as_ref(),
        "scenarios/minimal.toml".as_ref(),
        "--out".as_ref(),
        blocked.as_os_str(),
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("'sizing.png' in it is a folder"), "{err}");
    let names: Vec<_> = std::fs::read_dir(&blocked).unwrap().collect();
    assert_eq!(names.len(), 1, "something was written beside the folder");
}
