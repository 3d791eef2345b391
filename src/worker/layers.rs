//! The layers request: forward passes and layers of one loaded trace, as
//! `tracetriage layers` finds them, with the heat map of the pass shown.

use report::engine::analysis::layers;
use report::engine::analysis::layers::ModelConfig;
use report::engine::analysis::layers::Options;
use report::engine::analysis::layers::Selection;
use report::engine::catalog::Profiles;

use super::palette::palette;
use super::state;
use crate::protocol::{LayersDone, LayersRequest};

/// Runs the layers analysis of the asked input: the report and the pass's heat map.
///
/// # Errors
/// A sentence for the page: no such input, an unreadable config.json, an unknown profile,
/// or a pass or layer that does not exist.
pub(super) fn analyse(r: &LayersRequest) -> Result<LayersDone, String> {
    state::with(|s| {
        let (path, trace) = s.loaded()?.traces.get(r.input).ok_or("no such input")?;
        let found = layers::analyse(trace, &options(r, path)?);
        let sel = Selection { pass: r.pass, layer: r.layer, compare: None };
        found.check(&sel).map_err(|e| e.to_string())?;
        let doc = report::LayersReport::from(found.report(&sel));
        let svg = report::layers::svg::heatmap(
            &doc,
            r.width.clamp(200, 4000),
            r.height.clamp(120, 2000),
            &palette(&r.palette),
            r.layer,
        );
        Ok(LayersDone { json: doc.to_json(), svg })
    })
}

/// The analysis options of a request for the trace at `path`.
fn options(r: &LayersRequest, path: &str) -> Result<Options, String> {
    let profile = r.profile.clone().filter(|p| !p.trim().is_empty());
    if let Some(name) = &profile
        && Profiles::builtin().get(name).is_none()
    {
        return Err(format!(
            "unknown profile {name:?}: expected one of {}",
            Profiles::builtin().names().join(", ")
        ));
    }
    let config = match r.config.as_deref() {
        Some(text) => Some(ModelConfig::parse(text).map_err(|e| format!("config.json: {e}"))?),
        None => None,
    };
    Ok(Options {
        path_stage: report::engine::vocab::stage_from_path(path),
        path: path.to_owned(),
        profile,
        anchor: r.anchor.clone().filter(|a| !a.is_empty()),
        config,
        device: None,
        stream: None,
    })
}
