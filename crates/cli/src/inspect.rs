//! `tracetriage inspect FILE...`.

use std::path::PathBuf;

use crate::Format;

/// Prints a summary of each file; JSON is one object for one file, an array for several.
pub fn run(files: &[PathBuf], format: Format) -> anyhow::Result<()> {
    let mut json = Vec::new();
    for (i, path) in files.iter().enumerate() {
        let trace = native::load_on(path, 0)?;
        let summary = report::trace::inspect::summarize(&trace);
        let name = path.display().to_string();
        match format {
            Format::Text => {
                if i > 0 {
                    println!();
                }
                print!("{}", report::inspect::text(&summary, &name));
            }
            Format::Json => json.push(report::inspect::json(&summary, &name)),
        }
    }
    if format == Format::Json {
        let value = if json.len() == 1 { json.remove(0) } else { serde_json::Value::Array(json) };
        println!("{}", serde_json::to_string_pretty(&value)?);
    }
    Ok(())
}
