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

impl ScenarioError {
    /// Renders every problem, then a one-line count.
    pub fn render(&self) -> String {
        let renderer = Renderer::plain();
        let mut out = String::new();
        for p in &self.problems {
            let title = if p.key.is_empty() {
                p.message.clone()
            } else {
                format!("{}: {}", p.key, p.message)
            };
            let text = match &p.span {
                Some(span)
                    if span.start <= span.end
                        && span.end <= self.text.len()
                        && self.text.is_char_boundary(span.start)
                        && self.text.is_char_boundary(span.end)
                        && !self.text.is_empty() =>
                {
                    // Show only the lines around the span so big files stay readable.
                    let (excerpt, first_line, local) = excerpt(&self.text, span.clone());
                    let label = short_label(&p.message);
                    // annotate-snippets appends line:column to the origin itself.
                    let snippet = Snippet::source(excerpt)
                        .line_start(first_line)
                        .origin(&self.file)
                        .fold(false)
                        .annotation(Level::Error.span(local).label(&label));
                    let mut msg = Level::Error.title(&title).snippet(snippet);
                    if let Some(h) = p.help.as_deref().map(|h| Level::Help.title(h)) {
                        msg = msg.footer(h);
                    }
                    // annotate-snippets prints the origin without line:col when it computes
                    // them itself; ours already carries them.
                    let rendered = renderer.render(msg).to_string();
                    rendered
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
/// An empty span is widened to the character it points at (if any), so the caret shows.
fn excerpt(text: &str, span: Range<usize>) -> (&str, usize, Range<usize>) {
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
