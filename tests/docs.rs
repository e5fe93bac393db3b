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
