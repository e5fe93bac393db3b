//! The README quotes shipped scenarios instead of copying them: every ```toml block in it must
//! stand verbatim in a file under scenarios/, and the smallest scenario is quoted whole.

mod common;
use common::*;

fn toml_blocks(text: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<Vec<&str>> = None;
    for line in text.lines() {
        match (&mut current, line.trim_end()) {
            (None, "```toml") => current = Some(Vec::new()),
            (Some(b), "```") => {
                blocks.push(b.join("\n"));
                current = None;
            }
            (Some(b), l) => b.push(l),
            _ => {}
        }
    }
    blocks
}

#[test]
fn readme_toml_blocks_are_quotes_of_shipped_scenarios() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let scenarios: Vec<String> = files(&root().join("scenarios"), "toml")
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    let blocks = toml_blocks(&readme);
    assert!(blocks.len() >= 3, "the README shows scenario excerpts");
    for b in &blocks {
        assert!(
            scenarios.iter().any(|s| s.contains(b.as_str())),
            "README block is not a verbatim quote of a shipped scenario:\n{b}"
        );
    }
    let minimal = std::fs::read_to_string(root().join("scenarios/minimal.toml")).unwrap();
    assert!(
        blocks.iter().any(|b| b == minimal.trim_end()),
        "README quotes scenarios/minimal.toml whole"
    );
}

#[test]
fn the_block_finder_finds_blocks() {
    let text = "a\n```toml\nx = 1\ny = 2\n```\nb\n```sh\nls\n```\n";
    assert_eq!(toml_blocks(text), vec!["x = 1\ny = 2".to_string()]);
}

#[test]
fn readme_commands_name_real_scenarios() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    for word in readme.split_whitespace() {
        let w =
            word.trim_matches(|c: char| c == '`' || c == '(' || c == ')' || c == ',' || c == ';');
        if w.starts_with("scenarios/") && w.ends_with(".toml") {
            assert!(
                root().join(w).exists(),
                "README names {w}, which does not exist"
            );
        }
    }
}

/// docs/scenario.md is generated from the key tables the parser reads, so it cannot drift:
/// it must equal `fleetcost schema --markdown` (regenerate it with that command).
#[test]
fn scenario_reference_is_generated_from_the_key_tables() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_fleetcost"))
        .args(["schema", "--markdown"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let generated = String::from_utf8(out.stdout).unwrap();
    let committed = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/scenario.md"),
    )
    .unwrap();
    assert!(
        generated == committed,
        "docs/scenario.md is stale: run `cargo run -- schema --markdown > docs/scenario.md`"
    );
    // The JSON Schema names every numeric key the reference lists.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_fleetcost"))
        .arg("schema")
        .output()
        .unwrap();
    let schema: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(schema["title"], "fleetcost scenario");
    let site = &schema["properties"]["site"]["properties"];
    for key in ["power", "pue", "electricity", "power_basis"] {
        assert!(site.get(key).is_some(), "site.{key}");
        assert!(
            committed.contains(&format!("| `{key}` |")),
            "{key} in docs/scenario.md"
        );
    }
    let fleet = &schema["properties"]["fleet"]["items"]["properties"];
    for key in ["platform", "chips_per_node", "mfu", "precision"] {
        assert!(fleet.get(key).is_some(), "fleet.{key}");
    }
}

/// Lines of a source file before its `#[cfg(test)]` module (the whole file without one).
fn lines_before_tests(text: &str) -> usize {
    text.lines()
        .position(|l| l.starts_with("#[cfg(test)]"))
        .unwrap_or_else(|| text.lines().count())
}

/// Files that are a test module themselves (declared `#[cfg(test)] mod NAME;`).
fn is_test_module(path: &std::path::Path) -> bool {
    let Some(dir) = path.parent() else {
        return false;
    };
    let stem = path.file_stem().unwrap().to_string_lossy();
    ["mod.rs", "lib.rs"].iter().any(|parent| {
        std::fs::read_to_string(dir.join(parent))
            .map(|t| t.contains(&format!("#[cfg(test)]\nmod {stem};")))
            .unwrap_or(false)
    })
}

/// Issue 11: no file in src over 800 lines before its tests (the last two over it, the scenario
/// parser and the workbook, were split by meaning into src/scenario/parse/ and
/// src/report/workbook/).
#[test]
fn no_source_file_is_over_800_lines_before_its_tests() {
    const LIMIT: usize = 800;
    let mut stack = vec![root().join("src")];
    let mut over = Vec::new();
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") || is_test_module(&path) {
                continue;
            }
            let rel = path
                .strip_prefix(root())
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            let n = lines_before_tests(&std::fs::read_to_string(&path).unwrap());
            if n > LIMIT {
                over.push(format!(
                    "{rel}: {n} lines before its tests (at most {LIMIT})"
                ));
            }
        }
    }
    over.sort();
    assert!(over.is_empty(), "split by meaning:\n{}", over.join("\n"));
}
