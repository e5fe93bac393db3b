//! Problems found in a scenario, reported all at once with file:line:column and a caret.

use annotate_snippets::{Level, Renderer, Snippet};
use std::ops::Range;

/// One thing wrong with the input.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// Byte range of the offending value (or key, or table header) in the file.
    pub span: Option<Range<usize>>,
    /// The key path, e.g. "fleet.trn2.mfu" ("" for the file itself).
    pub key: String,
    pub message: String,
    /// The fix, when there is an obvious one.
    pub help: Option<String>,
}

impl Problem {
    pub fn new(
        span: Option<Range<usize>>,
        key: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Problem {
            span,
            key: key.into(),
            message: message.into(),
            help: None,
        }
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

/// Every problem of one scenario file.
#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioError {
    /// The file as the user named it.
    pub file: String,
    pub text: String,
    pub problems: Vec<Problem>,
}

/// 1-based (line, column) of a byte offset; the column counts characters.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    (line, before[line_start..].chars().count() + 1)
}

/// Problems rendered with their source line; the rest take one line each.
pub const SHOWN_IN_FULL: usize = 50;

impl ScenarioError {
    /// Renders every problem, then a one-line count. The first [`SHOWN_IN_FULL`] problems
    /// show their source line with a caret; any more take one line each.
    pub fn render(&self) -> String {
        let renderer = Renderer::plain();
        let mut out = String::new();
        for (i, p) in self.problems.iter().enumerate() {
            let title = if p.key.is_empty() {
                p.message.clone()
            } else {
                format!("{}: {}", p.key, p.message)
            };
            // One line: the location goes right under it.
            let title = title.replace(['\r', '\n'], " ");
            let located = p.span.as_ref().filter(|span| {
                span.start <= span.end
                    && span.end <= self.text.len()
                    && self.text.is_char_boundary(span.start)
                    && self.text.is_char_boundary(span.end)
                    && !self.text.is_empty()
            });
            let text = match located {
                Some(span) if i >= SHOWN_IN_FULL => {
                    let (line, col) = line_col(&self.text, span.start);
                    format!("error: {}:{line}:{col}: {title}", self.file)
                }
                Some(span) => {
                    // Show only the line of the span, at most WINDOW bytes of it.
                    let (line, col) = line_col(&self.text, span.start);
                    let (excerpt, first_line, local) = excerpt(&self.text, span.clone());
                    let (excerpt, local) = window(excerpt, local);
                    let label = short_label(&p.message);
                    let snippet = Snippet::source(&excerpt)
                        .line_start(first_line)
                        .fold(false)
                        .annotation(Level::Error.span(local).label(&label));
                    let mut msg = Level::Error.title(&title).snippet(snippet);
                    if let Some(h) = p.help.as_deref().map(|h| Level::Help.title(h)) {
                        msg = msg.footer(h);
                    }
                    let rendered = renderer.render(msg).to_string();
                    // The location goes under the title, as annotate-snippets would put it
                    // (ours counts columns in the whole line, not in the window shown).
                    let gutter = " ".repeat(first_line.to_string().len());
                    match rendered.split_once('\n') {
                        Some((head, rest)) => {
                            format!("{head}\n{gutter}--> {}:{line}:{col}\n{rest}", self.file)
                        }
                        None => format!("{rendered}\n{gutter}--> {}:{line}:{col}", self.file),
                    }
                }
                _ => {
                    let title = format!("{}: {title}", self.file);
                    let mut msg = Level::Error.title(&title);
                    if let Some(h) = p.help.as_deref().map(|h| Level::Help.title(h)) {
                        msg = msg.footer(h);
                    }
                    let rendered = renderer.render(msg).to_string();
                    rendered
                }
            };
            out.push_str(&text);
            out.push_str("\n\n");
        }
        let n = self.problems.len();
        out.push_str(&format!(
            "{n} problem{} in {}; nothing was computed or written",
            if n == 1 { "" } else { "s" },
            self.file
        ));
        out
    }
}

/// The lines holding `span`, the 1-based number of the first, and the span relative to them.
/// An empty span is widened to the character it points at (if any), so the caret shows; a
/// span over several lines is cut to its first line (a table's header, an array's start).
fn excerpt(text: &str, span: Range<usize>) -> (&str, usize, Range<usize>) {
    let span = match text[span.start..span.end].find('\n') {
        Some(i) if i > 0 => span.start..span.start + i,
        Some(_) => span.start..span.start,
        None => span,
    };
    let start = text[..span.start].rfind('\n').map(|i| i + 1).unwrap_or(0);
    let end = text[span.end..]
        .find('\n')
        .map(|i| i + span.end)
        .unwrap_or(text.len());
    let first_line = text[..start].matches('\n').count() + 1;
    let excerpt = &text[start..end];
    let local_start = span.start - start;
    let local_end = if span.end > span.start {
        span.end - start
    } else {
        excerpt[local_start..]
            .chars()
            .next()
            .map_or(local_start, |c| local_start + c.len_utf8())
    };
    (excerpt, first_line, local_start..local_end)
}

/// The most bytes of a source line shown. annotate-snippets trims lines wider than the
/// terminal itself, and its trimming can overflow (fuzzing found it: a long line of tabs with
/// the caret in them), so long lines are cut here, around the caret, with "..." marks.
const WINDOW: usize = 96;

/// `line` with tabs as one space and control or invisible characters as '?', byte for byte,
/// so the caret lands where the offsets say (annotate-snippets widens tabs and drops some
/// invisible characters from the line it shows, but not from the caret's position).
fn visible(line: &str) -> String {
    line.chars()
        .map(|c| match c {
            '\t' => " ".to_string(),
            '\u{200D}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' => {
                "?".repeat(c.len_utf8())
            }
            c if c.is_control() => "?".repeat(c.len_utf8()),
            c => c.to_string(),
        })
        .collect()
}

/// `line` cut to at most [`WINDOW`] bytes around `local` (and `local` moved with it), made
/// [`visible`].
fn window(line: &str, local: Range<usize>) -> (String, Range<usize>) {
    if line.len() <= WINDOW {
        return (visible(line), local);
    }
    let floor = |mut i: usize| {
        while !line.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let start = floor(local.start.saturating_sub(WINDOW / 4));
    let end = floor((start + WINDOW - 6).min(line.len()));
    let (pre, post) = (
        if start > 0 { "..." } else { "" },
        if end < line.len() { "..." } else { "" },
    );
    let shown = format!("{pre}{}{post}", visible(&line[start..end]));
    let a = (local.start.max(start) - start + pre.len()).min(pre.len() + end - start);
    let b = (local.end.min(end).max(local.start.max(start)) - start + pre.len())
        .min(pre.len() + end - start);
    let b = if b == a && a < pre.len() + end - start {
        // Keep a visible caret: the character at `a`.
        a + shown[a..].chars().next().map_or(0, char::len_utf8)
    } else {
        b
    };
    (shown, a..b)
}

/// The caret's label: the message up to its first ';' (the rest is in the title).
fn short_label(message: &str) -> String {
    let message = message.strip_prefix("TOML syntax: ").unwrap_or(message);
    message
        .split(';')
        .next()
        .unwrap_or(message)
        .trim()
        .to_string()
}

impl std::fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.render())
    }
}

impl std::error::Error for ScenarioError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column() {
        let t = "a = 1\nbb = \"x\"\n";
        assert_eq!(line_col(t, 0), (1, 1));
        assert_eq!(line_col(t, 6), (2, 1));
        assert_eq!(line_col(t, 11), (2, 6));
    }

    #[test]
    fn renders_any_span_without_panicking() {
        // Multi-byte characters, a tab, a CRLF, no newline at the end: every span (empty or
        // not, on a character boundary or not, past the end) renders.
        let text = "a = \"µs\"\r\n\tb = 'é'\n[x]\nc = 1".to_string();
        for start in 0..=text.len() + 1 {
            for end in start..=text.len() + 1 {
                let e = ScenarioError {
                    file: "s.toml".into(),
                    text: text.clone(),
                    problems: vec![Problem::new(Some(start..end), "k", "m").help("h")],
                };
                let r = e.render();
                assert!(r.ends_with("1 problem in s.toml; nothing was computed or written"));
            }
        }
        let e = ScenarioError {
            file: "s.toml".into(),
            text: String::new(),
            problems: vec![Problem::new(Some(0..0), "", "empty file")],
        };
        assert!(e.render().contains("s.toml: empty file"));
    }

    #[test]
    fn long_lines_are_cut_around_the_caret() {
        // Found by fuzzing: annotate-snippets' own trimming of a line wider than the terminal
        // overflowed when the caret sat in a long run of leading tabs.
        let line = format!(
            "{}\u{0}f{}& 1 USD 中文 \u{202E}{}x = 'é\n",
            "\t".repeat(150),
            "\t".repeat(40),
            "a".repeat(300)
        );
        let text = format!("schema = 1\n{line}b = 2");
        for start in (11..text.len()).filter(|&i| text.is_char_boundary(i)) {
            let next = text[start..].chars().next().map_or(0, char::len_utf8);
            for end in [start, start + next] {
                let e = ScenarioError {
                    file: "s.toml".into(),
                    text: text.clone(),
                    problems: vec![Problem::new(Some(start..end), "k", "bad value")],
                };
                let r = e.render();
                let (l, c) = line_col(&text, start);
                assert!(r.contains(&format!("--> s.toml:{l}:{c}\n")), "{r}");
                let shown = r.lines().find(|x| x.contains(" | ")).unwrap_or_default();
                assert!(shown.len() < 120, "{r}");
            }
        }
    }

    #[test]
    fn many_problems_take_one_line_each_after_the_first_fifty() {
        let text = "a = 1\nb = 2\n".to_string();
        let problems = (0..60)
            .map(|i| Problem::new(Some(6..7), format!("k{i}"), "bad"))
            .collect();
        let e = ScenarioError {
            file: "s.toml".into(),
            text,
            problems,
        };
        let r = e.render();
        assert_eq!(r.matches("error:").count(), 60, "{r}");
        assert_eq!(r.matches("^ bad").count(), SHOWN_IN_FULL, "{r}");
        assert!(r.contains("error: s.toml:2:1: k59: bad"), "{r}");
        assert!(r.ends_with("60 problems in s.toml; nothing was computed or written"));
    }

    #[test]
    fn renders_location_and_caret() {
        let text = "[site]\npue = 0.9\n".to_string();
        let e = ScenarioError {
            file: "s.toml".into(),
            text,
            problems: vec![
                Problem::new(Some(13..16), "site.pue", "must be >= 1 (got 0.9)")
                    .help("pue is facility power over IT power: 1.0 at best"),
            ],
        };
        let r = e.render();
        assert!(r.contains("s.toml:2:7"), "{r}");
        assert!(r.contains("site.pue: must be >= 1 (got 0.9)"), "{r}");
        assert!(r.contains("^^^"), "{r}");
        assert!(r.contains("help: pue is facility power"), "{r}");
        assert!(
            r.ends_with("1 problem in s.toml; nothing was computed or written"),
            "{r}"
        );
    }
}
