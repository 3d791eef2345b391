//! Worker requests beyond single-trace triage: two-trace mode (the roles of the loaded
//! files) and the layers analysis of one loaded trace (report JSON + heat map). Kept apart
//! from [`crate::worker`] so that file only dispatches.

use std::cell::Cell;

use engine::analysis::layers::{self, ModelConfig, Options, Selection};
use engine::catalog::Profiles;
use engine::timeline::Palette;

use crate::protocol::FromWorker;

thread_local! {
    /// Two-trace mode: how many of the loaded traces (the first ones) are mapping traces.
    static MAPPING: Cell<Option<usize>> = const { Cell::new(None) };
}

/// Sets (or clears, for single-trace mode) the number of leading mapping traces.
pub fn set_roles(mapping: Option<usize>) {
    MAPPING.with(|m| m.set(mapping));
}

/// The number of leading mapping traces, in two-trace mode.
#[must_use]
pub fn roles() -> Option<usize> {
    MAPPING.with(Cell::get)
}

/// Checks the roles of `files` files (`mapping` ones first, then `formal` ones, at least
/// one of each) and returns the number of mapping files.
///
/// # Errors
/// A sentence for the page when the roles do not fit.
pub fn check_roles(roles: &[String], files: usize) -> Result<usize, String> {
    if roles.len() != files {
        return Err(format!("{} roles for {files} files", roles.len()));
    }
    let mapping = roles.iter().take_while(|r| r.as_str() == "mapping").count();
    if let Some(bad) = roles.iter().skip(mapping).find(|r| r.as_str() != "formal") {
        return Err(format!("unexpected role {bad:?}: mapping files come first, then formal ones"));
    }
    if mapping == 0 || mapping == files {
        return Err("two-trace mode needs at least one mapping and one formal trace".into());
    }
    Ok(mapping)
}

/// What the page asks of the layers analysis.
pub struct LayersRequest {
    /// The model's `config.json` text.
    pub config: Option<String>,
    /// A profile name.
    pub profile: Option<String>,
    /// An anchor substring.
    pub anchor: Option<String>,
    /// The pass shown (default: the steady-state pick).
    pub pass: Option<usize>,
    /// The layer listed kernel by kernel.
    pub layer: Option<usize>,
    /// Heat-map width, px.
    pub width: u32,
    /// Heat-map height, px.
    pub height: u32,
}

/// Runs the layers analysis of one trace as `tracetriage layers` does and returns the
/// report with the pass's heat map.
///
/// # Errors
/// A sentence for the page: an unreadable config.json, an unknown profile, or a pass or
/// layer that does not exist.
pub fn layers(
    path: &str,
    trace: &engine::Trace,
    req: &LayersRequest,
    palette: &Palette,
) -> Result<FromWorker, String> {
    let profile = req.profile.clone().filter(|p| !p.trim().is_empty());
    if let Some(name) = &profile
        && Profiles::builtin().get(name).is_none()
    {
        return Err(format!(
            "unknown profile {name:?}: expected one of {}",
            Profiles::builtin().names().join(", ")
        ));
    }
    let config = match req.config.as_deref() {
        Some(text) => Some(ModelConfig::parse(text).map_err(|e| format!("config.json: {e}"))?),
        None => None,
    };
    let options = Options {
        path_stage: engine::analysis::stages::stage_from_path(path),
        path: path.to_owned(),
        profile,
        anchor: req.anchor.clone().filter(|a| !a.is_empty()),
        config,
        device: None,
        stream: None,
    };
    let found = layers::analyse(trace, &options);
    let sel = Selection { pass: req.pass, layer: req.layer, compare: None };
    found.check(&sel).map_err(|e| e.to_string())?;
    let report = found.report(&sel);
    let svg = engine::report::layers::svg::heatmap(
        &report,
        req.width.clamp(200, 4000),
        req.height.clamp(120, 2000),
        palette,
        req.layer,
    );
    Ok(FromWorker::Layers { json: report.to_json(), svg })
}

#[cfg(test)]
mod tests {
    use super::check_roles;

    fn roles(r: &[&str]) -> Vec<String> {
        r.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn roles_need_mapping_first_and_both_kinds() {
        assert_eq!(check_roles(&roles(&["mapping", "formal", "formal"]), 3), Ok(1));
        assert!(check_roles(&roles(&["formal", "mapping"]), 2).is_err());
        assert!(check_roles(&roles(&["mapping", "mapping"]), 2).is_err());
        assert!(check_roles(&roles(&["mapping"]), 2).is_err());
        assert!(check_roles(&roles(&["mapping", "other"]), 2).is_err());
    }
}
