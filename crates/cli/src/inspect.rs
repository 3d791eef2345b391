//! `tracetriage inspect FILE...`.

use std::path::PathBuf;

use crate::Format;

/// Prints a summary of each file; JSON is one object for one file, an array for several.
/// With `kernels`, also the kernel census: GPU time per category and the kernels no rule knows.
pub fn run(files: &[PathBuf], format: Format, kernels: bool) -> anyhow::Result<()> {
    let mut json = Vec::new();
    for (i, path) in files.iter().enumerate() {
        let trace = native::load_on(path, 0)?;
        let summary = report::trace::inspect::summarize(&trace);
        let name = path.display().to_string();
        let census = kernels.then(|| {
            report::engine::analysis::census::Census::of(
                &trace,
                &report::engine::Catalog::builtin().categories,
            )
        });
        match format {
            Format::Text => {
                if i > 0 {
                    println!();
                }
                print!("{}", report::inspect::text(&summary, &name));
                if let Some(c) = &census {
                    print!("{}", report::inspect::kernels_text(c));
                }
            }
            Format::Json => {
                let mut value = report::inspect::json(&summary, &name);
                if let (Some(c), Some(obj)) = (&census, value.as_object_mut()) {
                    obj.insert("kernels".to_owned(), report::inspect::kernels_json(c));
                }
                json.push(value);
            }
        }
    }
    if format == Format::Json {
        let value = if json.len() == 1 { json.remove(0) } else { serde_json::Value::Array(json) };
        println!("{}", serde_json::to_string_pretty(&value)?);
    }
    Ok(())
}
