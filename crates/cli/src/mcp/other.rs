//! The tools that are not one report's tables: `inspect`, `layers` and `diff`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use report::engine::analysis::layers::{self, ModelConfig, Options, Selection};
use serde_json::{Value, json};

use super::cache::Cache;
use super::params::{DEFAULT_ROWS, DiffQuery, InspectQuery, LayersQuery, Source};
use super::tools::Answer;

/// Cuts every array inside `value` to `limit` items and records what was cut, by JSON
/// pointer, in `left_out`.
pub fn bound(value: &mut Value, limit: usize, at: &str, left_out: &mut serde_json::Map<String, Value>) {
    match value {
        Value::Array(items) => {
            if items.len() > limit {
                left_out.insert(at.to_owned(), json!(items.len() - limit));
                items.truncate(limit);
            }
            for (i, item) in items.iter_mut().enumerate() {
                bound(item, limit, &format!("{at}/{i}"), left_out);
            }
        }
        Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                bound(v, limit, &format!("{at}/{k}"), left_out);
            }
        }
        _ => {}
    }
}

/// `inspect`: what is in each trace file.
pub fn inspect(cache: &mut Cache, q: &InspectQuery) -> Result<Answer, String> {
    let paths = q.path.list();
    let mut values = Vec::new();
    let mut text = String::new();
    for path in &paths {
        let trace = cache.trace(path)?;
        let summary = report::trace::inspect::summarize(&trace);
        let name = path.display().to_string();
        let mut value = report::inspect::json(&summary, &name);
        text.push_str(&report::inspect::text(&summary, &name));
        if q.kernels.unwrap_or(false) {
            let census = report::engine::analysis::census::Census::of(
                &trace,
                &report::engine::Catalog::builtin().categories,
            );
            text.push_str(&report::inspect::kernels_text(&census));
            if let Some(obj) = value.as_object_mut() {
                obj.insert("kernels".to_owned(), report::inspect::kernels_json(&census));
            }
        }
        values.push(value);
    }
    let structured = if values.len() == 1 { values.remove(0) } else { json!({ "files": values }) };
    Ok(Answer { structured, text })
}

/// `layers`: forward passes and layers of one trace, bounded.
pub fn layers(cache: &mut Cache, q: &LayersQuery) -> Result<Answer, String> {
    let config = match &q.config {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| super::errors::io(Path::new(path), &e))?;
            Some(
                ModelConfig::parse(&text)
                    .map_err(|e| format!("{path}: {}. Fix: give the model's config.json", e.0))?,
            )
        }
        None => None,
    };
    let trace = cache.trace(Path::new(&q.path))?;
    let options = Options {
        path_stage: report::engine::vocab::stage_from_path(&q.path),
        path: q.path.clone(),
        profile: None,
        anchor: None,
        config,
        device: None,
        stream: None,
    };
    let found = layers::analyse(&trace, &options);
    let sel = Selection { pass: q.pass, layer: q.layer, compare: q.compare_layer };
    found
        .check(&sel)
        .map_err(|e| format!("{e}. Fix: pick a pass and layer from the summary (call without them first)"))?;
    let doc = report::LayersReport::from(found.report(&sel));
    let mut value: Value = serde_json::from_str(&doc.to_json()).map_err(|e| e.to_string())?;
    let mut left_out = serde_json::Map::new();
    bound(&mut value, q.limit.unwrap_or(DEFAULT_ROWS), "", &mut left_out);
    let mut text = report::layers::text::render(&doc).lines().take(40).collect::<Vec<_>>().join("\n");
    if !left_out.is_empty() {
        text.push_str(&format!("\n(lists cut to `limit`; left out: {})", Value::Object(left_out.clone())));
        value["left_out"] = Value::Object(left_out);
    }
    Ok(Answer { structured: value, text })
}

/// `diff`: two runs compared stage by stage.
pub fn diff(cache: &mut Cache, q: &DiffQuery) -> Result<Answer, String> {
    let stage = match q.stage.as_deref() {
        None => None,
        Some(s) => Some(stage_of(s)?),
    };
    let a = side(cache, &q.a, q.rank).map_err(|e| format!("A ({}): {e}", q.a))?;
    let b = side(cache, &q.b, q.rank).map_err(|e| format!("B ({}): {e}", q.b))?;
    let options = report::diff::DiffOptions {
        stage,
        top: q.limit.unwrap_or(3),
        a_source: q.a.clone(),
        b_source: q.b.clone(),
    };
    let d = report::diff::diff(&a, &b, &options);
    let mut value: Value = serde_json::from_str(&d.to_json()).map_err(|e| e.to_string())?;
    let mut left_out = serde_json::Map::new();
    bound(&mut value, options.top.max(1), "", &mut left_out);
    let mut text = report::diff::markdown::render(&d).lines().take(50).collect::<Vec<_>>().join("\n");
    if !left_out.is_empty() {
        text.push_str(&format!("\n(lists cut to `limit`; left out: {})", Value::Object(left_out.clone())));
        value["left_out"] = Value::Object(left_out);
    }
    Ok(Answer { structured: value, text })
}

/// A stage's JSON name.
fn stage_of(s: &str) -> Result<report::engine::vocab::Stage, String> {
    use report::engine::vocab::Stage;
    Ok(match s.trim() {
        "prefill" | "extend" => Stage::Prefill,
        "decode" => Stage::Decode,
        "mixed" => Stage::Mixed,
        "all" => Stage::All,
        "other" => Stage::Other,
        other => {
            return Err(format!("unknown stage {other:?}. Fix: give prefill, decode, mixed, all or other"));
        }
    })
}

/// One side of a diff: a report JSON file read back, or traces triaged (every row, as the
/// CLI's `diff` does).
fn side(cache: &mut Cache, path: &str, rank: Option<i64>) -> Result<Arc<report::Report>, String> {
    let p = PathBuf::from(path);
    std::fs::metadata(&p).map_err(|e| super::errors::io(&p, &e))?;
    if p.is_file() {
        let head = native::load::head(&p, 4096).map_err(|e| super::errors::load(&e))?;
        let text = String::from_utf8_lossy(&head);
        if text
            .trim_start_matches('\u{feff}')
            .trim_start()
            .strip_prefix('{')
            .is_some_and(|r| r.trim_start().starts_with("\"schema\""))
        {
            let full = std::fs::read_to_string(&p).map_err(|e| super::errors::io(&p, &e))?;
            return report::Report::from_json(&full).map(Arc::new).map_err(|e| format!("{path}: {e}"));
        }
    }
    let source = Source {
        path: super::params::Paths::One(path.to_owned()),
        framework: None,
        min_share: Some(0.0),
        rank,
        capture: None,
        no_capture: None,
    };
    Ok(super::load::report(cache, &source, 0.0)?.report)
}
