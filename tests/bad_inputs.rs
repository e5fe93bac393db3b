//! The bad-input suite: every file in tests/bad/ must be refused with the expected exit code
//! and message, by both `validate` and `run`, without a panic, without output on stdout and
//! without leaving results in the `--out` folder.
//!
//! Each case is `NAME.expected` beside `NAME.toml`:
//!
//! ```text
//! exit: 2                             the exit code (first line)
//! args: --set 'site.pue=0.5'          optional: extra arguments (single quotes group words)
//! generate: missing                   optional: the input is made at test time (no NAME.toml)
//! NAME.toml:7:1                       every other line: a fragment stderr must contain
//! unknown key 'hardwre_life'
//! ```
//!
//! Generated inputs (too big, binary, or not a file, so not committed), written into a temporary
//! folder as NAME.toml: `missing` (no such file), `directory` (a folder), `non-utf8` (invalid
//! UTF-8 bytes), `huge` (a 50 MB file), `unreadable` (a file whose read fails).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// One case of tests/bad/.
#[derive(Debug)]
struct Case {
    name: String,
    exit: i32,
    args: Vec<String>,
    generate: Option<String>,
    fragments: Vec<String>,
}

/// Splits an `args:` line into words; single or double quotes group words.
fn split_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    let mut any = false;
    for c in line.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => cur.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                any = true;
            }
            (None, c) if c.is_whitespace() => {
                if any || !cur.is_empty() {
                    words.push(std::mem::take(&mut cur));
                }
                any = false;
            }
            (None, c) => cur.push(c),
        }
    }
    if any || !cur.is_empty() {
        words.push(cur);
    }
    words
}

fn bad_dir() -> PathBuf {
    common::root().join("tests/bad")
}

fn read_case(expected: &Path) -> Case {
    let name = expected.file_stem().unwrap().to_string_lossy().into_owned();
    let text = std::fs::read_to_string(expected).unwrap();
    let mut lines = text.lines();
    let first = lines.next().unwrap_or_default();
    let exit = first
        .strip_prefix("exit:")
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or_else(|| panic!("{name}.expected: the first line must be `exit: N`"));
    let mut case = Case {
        name,
        exit,
        args: Vec::new(),
        generate: None,
        fragments: Vec::new(),
    };
    for line in lines {
        if let Some(a) = line.strip_prefix("args:") {
            case.args.extend(split_words(a));
        } else if let Some(g) = line.strip_prefix("generate:") {
            case.generate = Some(g.trim().to_string());
        } else if !line.trim().is_empty() {
            case.fragments.push(line.trim().to_string());
        }
    }
    case
}

fn cases() -> Vec<Case> {
    common::files(&bad_dir(), "expected")
        .iter()
        .map(|p| read_case(p))
        .collect()
}

/// The input file of `case`: the committed NAME.toml, or one generated into `tmp`.
fn input(case: &Case, tmp: &Path) -> PathBuf {
    let Some(kind) = &case.generate else {
        return PathBuf::from(format!("tests/bad/{}.toml", case.name));
    };
    let path = tmp.join(format!("{}.toml", case.name));
    match kind.as_str() {
        "missing" => {}
        "directory" => std::fs::create_dir(&path).unwrap(),
        "non-utf8" => std::fs::write(
            &path,
            b"schema = 1\nname = \"caf\xe9 \xff\xfe\"\n[site]\npower = \"1 MW\"\n",
        )
        .unwrap(),
        "huge" => {
            let line = "# a scenario file padded to 50 MB with comment lines ..........\n";
            let n = 50 * 1024 * 1024 / line.len() + 1;
            let mut text = String::with_capacity(n * line.len() + 16);
            text.push_str("schema = 1\n");
            for _ in 0..n {
                text.push_str(line);
            }
            std::fs::write(&path, text).unwrap();
        }
        // A file that exists but whose read fails, even for root (chmod 000 does not stop
        // root): a link to /proc/self/mem, where reading at offset 0 is an I/O error.
        "unreadable" => std::os::unix::fs::symlink("/proc/self/mem", &path).unwrap(),
        other => panic!("{}.expected: unknown generate: {other}", case.name),
    }
    path
}

fn fleetcost(args: &[String]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_fleetcost"))
        .args(args)
        .current_dir(common::root())
        .env("NO_COLOR", "1")
        .output()
        .expect("fleetcost runs")
}

/// What is wrong with one invocation of `case`, if anything.
fn judge(case: &Case, command: &str, out: &Output, out_dir: Option<&Path>) -> Vec<String> {
    let mut wrong = Vec::new();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let code = out.status.code();
    let what = format!("{} ({command})", case.name);
    if code == Some(101) || stderr.contains("panicked") {
        wrong.push(format!("{what}: PANIC\n{stderr}"));
        return wrong;
    }
    if code != Some(case.exit) {
        wrong.push(format!(
            "{what}: exit code {code:?}, expected {}\n{stderr}",
            case.exit
        ));
    }
    if !out.stdout.is_empty() {
        wrong.push(format!(
            "{what}: wrote to stdout on failure:\n{}",
            String::from_utf8_lossy(&out.stdout)
        ));
    }
    for f in &case.fragments {
        if !stderr.contains(f.as_str()) {
            wrong.push(format!("{what}: stderr lacks `{f}`:\n{stderr}"));
        }
    }
    if let Some(dir) = out_dir {
        if dir.join("results.json").exists() {
            wrong.push(format!("{what}: results.json written to the --out folder"));
        }
        if let Ok(entries) = std::fs::read_dir(dir) {
            let names: Vec<String> = entries
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            if !names.is_empty() {
                wrong.push(format!("{what}: --out folder holds {names:?}"));
            }
        }
    }
    wrong
}

#[test]
fn every_bad_input_is_refused_with_its_message() {
    let cases = cases();
    let mut wrong = Vec::new();
    for case in &cases {
        let tmp = tempfile::tempdir().unwrap();
        let file = input(case, tmp.path()).display().to_string();
        let mut validate = vec!["validate".to_string(), file.clone()];
        validate.extend(case.args.iter().cloned());
        wrong.extend(judge(case, "validate", &fleetcost(&validate), None));

        let out_dir = tmp.path().join("out");
        let mut run = vec!["run".to_string(), file];
        run.extend(case.args.iter().cloned());
        run.extend(["--out".to_string(), out_dir.display().to_string()]);
        wrong.extend(judge(case, "run", &fleetcost(&run), Some(&out_dir)));
    }
    assert!(
        wrong.is_empty(),
        "{} of {} bad-input checks failed:\n\n{}",
        wrong.len(),
        cases.len() * 2,
        wrong.join("\n\n")
    );
}

#[test]
fn the_suite_is_complete() {
    let cases = cases();
    assert!(cases.len() >= 60, "only {} bad inputs", cases.len());
    for case in &cases {
        let toml = bad_dir().join(format!("{}.toml", case.name));
        assert_eq!(
            toml.exists(),
            case.generate.is_none(),
            "{}: a case has NAME.toml or a `generate:` line, not both",
            case.name
        );
        assert!(!case.fragments.is_empty(), "{}: no fragments", case.name);
    }
    for toml in common::files(&bad_dir(), "toml") {
        let expected = toml.with_extension("expected");
        assert!(expected.exists(), "{} has no .expected", toml.display());
    }
    for kind in ["missing", "directory", "non-utf8", "huge", "unreadable"] {
        assert!(
            cases.iter().any(|c| c.generate.as_deref() == Some(kind)),
            "no generated `{kind}` case"
        );
    }
}

#[test]
fn every_problem_of_a_file_is_reported_at_once() {
    let out = common::fleetcost(["validate", "tests/bad/three-problems.toml"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    for f in [
        "three-problems.toml:7:7",
        "site.pue: must be >= 1 (got 0.8)",
        "three-problems.toml:12:1",
        "unknown key 'horizn'",
        "three-problems.toml:22:7",
        "fleet.h100.mfu: must be in (0, 1] (got 1.2)",
    ] {
        assert!(stderr.contains(f), "lacks `{f}`:\n{stderr}");
    }
    assert_eq!(stderr.matches("error:").count(), 3, "{stderr}");
    assert!(
        stderr.trim_end().ends_with(
            "3 problems in tests/bad/three-problems.toml; nothing was computed or written"
        ),
        "{stderr}"
    );
}

#[test]
fn a_misspelt_file_name_suggests_the_near_one() {
    let out = common::fleetcost(["run", "scenarios/trainium-vs-gpu-2g.toml"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(out.stdout.is_empty());
    assert!(
        stderr.contains(
            "scenarios/trainium-vs-gpu-2g.toml: cannot read the scenario: no such file; \
             did you mean scenarios/trainium-vs-gpu-2gw.toml?"
        ),
        "{stderr}"
    );
}

#[test]
fn every_bad_set_is_reported_and_named() {
    let out = common::fleetcost([
        "validate",
        "scenarios/minimal.toml",
        "--set",
        "fleet.trn2.chip.prce=1",
        "--set",
        "site.pue=0.5",
        "--set",
        "site.power=100 MW",
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    for f in [
        "--set 'fleet.trn2.chip.prce=1': unknown parameter path 'fleet.trn2.chip.prce'",
        "did you mean 'fleet.trn2.chip.price'",
        "--set 'site.pue=0.5': must be >= 1 (got 0.5)",
        "2 problems in scenarios/minimal.toml",
    ] {
        assert!(stderr.contains(f), "lacks `{f}`:\n{stderr}");
    }
}

#[test]
fn a_set_on_a_count_rounds_to_a_whole_number() {
    // chips_per_node = 7.6 -> 8 and 7.4 -> 7; a half rounds away from zero (7.5 -> 8).
    for (given, want) in [("7.6", "8"), ("7.4", "7"), ("7.5", "8")] {
        let set = format!("fleet.h100.chips_per_node={given}");
        let out = common::fleetcost([
            "validate",
            "scenarios/minimal.toml",
            "--set",
            &set,
            "--list-params",
        ]);
        let stdout = common::ok_stdout(&out);
        let line = stdout
            .lines()
            .find(|l| l.starts_with("fleet.h100.chips_per_node "))
            .unwrap_or_else(|| panic!("no chips_per_node line:\n{stdout}"));
        let value = line.split_whitespace().nth(1).unwrap();
        assert_eq!(value, want, "--set {set}: {line}");
    }
    // A count that rounds to 0 is out of range, and the message shows what was given.
    let out = common::fleetcost([
        "validate",
        "scenarios/minimal.toml",
        "--set",
        "fleet.h100.chips_per_node=0.4",
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("must be in [1, 1e6] (got 0.4)"), "{stderr}");
}

#[test]
fn word_splitting_of_args_lines() {
    assert_eq!(
        split_words(" --set 'site.power=5 kg' --set a=1"),
        ["--set", "site.power=5 kg", "--set", "a=1"]
    );
    assert_eq!(split_words("''"), [""]);
}

/// The whole stderr of `validate` on every case, pinned as an insta snapshot
/// (tests/snapshots/bad_inputs__NAME.snap): the fragments above say what must be there, the
/// snapshot that nothing else changed (wording, carets, help lines, order). A generated case's
/// temporary folder prints as `<tmp>`. Review a change with `cargo insta review`, or accept
/// all with `INSTA_UPDATE=always cargo test --test bad_inputs` and read the diff.
#[test]
fn every_bad_input_message_is_pinned_whole() {
    for case in &cases() {
        let tmp = tempfile::tempdir().unwrap();
        let file = input(case, tmp.path()).display().to_string();
        let mut validate = vec!["validate".to_string(), file];
        validate.extend(case.args.iter().cloned());
        let out = fleetcost(&validate);
        let stderr = String::from_utf8_lossy(&out.stderr)
            .replace(&tmp.path().display().to_string(), "<tmp>");
        let text = format!("exit: {:?}\n{stderr}", out.status.code());
        insta::assert_snapshot!(case.name.clone(), text);
    }
}
