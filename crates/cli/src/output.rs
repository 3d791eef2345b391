//! Where a subcommand's document goes: `-o FILE`, else stdout.

use std::io::Write;
use std::path::Path;

use anyhow::Context;

/// Writes `text` to `path`, or to stdout when there is none.
///
/// # Errors
/// When the file or stdout cannot be written.
pub fn write(path: Option<&Path>, text: &str) -> anyhow::Result<()> {
    match path {
        Some(p) => std::fs::write(p, text).with_context(|| format!("cannot write {}", p.display())),
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes()).and_then(|()| out.flush()).context("cannot write to stdout")
        }
    }
}

/// A JSON document with its final newline.
#[must_use]
pub fn json_line(mut json: String) -> String {
    json.push('\n');
    json
}
