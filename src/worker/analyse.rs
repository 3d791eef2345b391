//! The analysis requests: load the attached files and triage them (one trace set, or two
//! traces in mapping + formal roles), triage the loaded traces again, build the all-ranks
//! report, and compare two runs. Triages and the all-ranks report pass the diffusion
//! backend gate first ([`report::gate`]: the dropped server logs, then the Python stacks):
//! a refusal is the request's error.

use js_sys::Array;

use super::load::{Names, load};
use super::reader::Sizing;
use super::roles::check_roles;
use super::scope::{Replies, now, wasm_memory};
use super::state::{self, Loaded};
use crate::protocol::{
    DiffDone, DiffRequest, RanksDone, RanksRequest, RetriageRequest, RolesRequest, TriageRequest, Triaged,
    UserCatalog,
};
use report::engine::analysis::layers::config::ModelConfig;

/// Loads the files and triages them.
pub(super) async fn triage(r: TriageRequest, files: &Array, replies: Replies) -> Result<Triaged, String> {
    let extra = user_catalog(r.catalog.as_ref())?;
    refuse_by_logs(&r.server_logs)?;
    state::with(|s| s.mapping = None);
    let names = Names { traces: &r.paths, captures: &r.captures };
    let sizing = Sizing {
        budget: r.memory_mib.unwrap_or(crate::protocol::MEMORY_BUDGET_MIB) << 20,
        window_ns: r.window_ns,
        judged: false,
    };
    load(files, names, r.server_args, replies, sizing).await?;
    // A config that does not parse is left out (the layers tab says why).
    let config = r.model_config.as_deref().and_then(|t| ModelConfig::parse(t).ok());
    state::with(|s| {
        if let Some(l) = s.loaded.as_mut() {
            l.model_config = config;
        }
    });
    report(r.min_share_pct, extra.as_ref(), true)
}

/// Loads the files and triages them as mapping + formal traces.
pub(super) async fn triage_roles(
    r: RolesRequest,
    files: &Array,
    replies: Replies,
) -> Result<Triaged, String> {
    let extra = user_catalog(r.catalog.as_ref())?;
    let mapping = check_roles(&r.roles, r.paths.len())?;
    if r.paths.len() + r.captures.len() != files.length() as usize {
        return Err(format!("{} files for {} paths", files.length(), r.paths.len() + r.captures.len()));
    }
    load(files, Names { traces: &r.paths, captures: &r.captures }, None, replies, Sizing::default()).await?;
    state::with(|s| s.mapping = Some(mapping));
    report(r.min_share_pct, extra.as_ref(), true)
}

/// Triages the loaded traces again (in their roles, if any).
pub(super) fn retriage(r: &RetriageRequest) -> Result<Triaged, String> {
    let extra = user_catalog(r.catalog.as_ref())?;
    report(r.min_share_pct, extra.as_ref(), false)
}

/// The diffusion backend gate's log half: a server log saying the diffusers backend ran
/// refuses the triage (its one line is the error the page shows instead of the report).
fn refuse_by_logs(logs: &[report::gate::ServerLog]) -> Result<(), String> {
    report::gate::diffusion_logs(logs).map_or(Ok(()), |refusal| Err(refusal.to_string()))
}

/// The built-in catalog plus the user's file, when one was chosen (`None`: built-in only).
fn user_catalog(c: Option<&UserCatalog>) -> Result<Option<report::engine::Catalog>, String> {
    c.map(|c| report::engine::Catalog::builtin_with(&c.name, &c.text).map_err(|e| e.to_string())).transpose()
}

/// Triages what is loaded. `fresh`: right after a load, whose time the answer reports
/// (a retriage read nothing).
fn report(
    min_share_pct: f64,
    extra: Option<&report::engine::Catalog>,
    fresh: bool,
) -> Result<Triaged, String> {
    let catalog = extra.unwrap_or_else(|| report::engine::Catalog::builtin());
    let analysis_start = now();
    let (json, json_bytes, load_ms, warnings) = state::with(|s| {
        let l = s.loaded()?;
        let inputs = l.inputs();
        // The diffusion backend gate's stack half.
        if let Some(refusal) = report::gate::diffusion_stacks(&inputs) {
            return Err(refusal.to_string());
        }
        let options = report::engine::triage::Options {
            framework: None,
            min_share_pct,
            server_args: l.server_args(),
            captures: l.captures.clone(),
            model_config: l.model_config.clone(),
            gpu_specs: None,
        };
        let report = match s.mapping {
            Some(mapping) => {
                let (m, f) = inputs.split_at(mapping.min(inputs.len()));
                report::Report::from(report::engine::triage::triage_mapping_formal(m, f, &options, catalog))
            }
            None => report::triage::triage_with(&inputs, &options, catalog),
        };
        let load_ms = if fresh { s.load_ms() } else { 0.0 };
        Ok::<_, String>((report.to_json(), l.json_bytes(), load_ms, l.warnings.clone()))
    })?;
    let triage_ms = now() - analysis_start;
    Ok(Triaged { json, load_ms, triage_ms, json_bytes, wasm_memory: wasm_memory(), warnings })
}

/// Reads one trace per rank, each reduced as soon as it is read (no trace is kept), and
/// the rank-reduction files given with them, and builds the all-ranks report from the
/// reductions (as `tracetriage triage --all-ranks` of the same files).
pub(super) async fn ranks(r: RanksRequest, files: &Array, replies: Replies) -> Result<RanksDone, String> {
    refuse_by_logs(&r.server_logs)?;
    let (reductions, load_ms) = super::load::reduce(files, &r.paths, &r.reductions, replies).await?;
    let analysis_start = now();
    if let Some(refusal) = report::gate::diffusion_reductions(&reductions) {
        return Err(refusal.to_string());
    }
    let options = report::engine::triage::Options {
        min_share_pct: r.min_share_pct,
        server_args: r
            .server_args
            .as_deref()
            .and_then(report::engine::analysis::framework::ServerArgs::parse),
        ..report::engine::triage::Options::default()
    };
    let report = report::ranks::reduction::compare_reductions(&reductions, &options);
    Ok(RanksDone { json: report.to_json(), load_ms, analysis_ms: now() - analysis_start })
}

/// Loads and triages run A (the first `a_paths.len()` files), then run B, and compares
/// them as `tracetriage diff` does.
pub(super) async fn diff(r: DiffRequest, files: &Array, replies: Replies) -> Result<DiffDone, String> {
    let (a_files, b_files) = (Array::new(), Array::new());
    for (i, f) in files.iter().enumerate() {
        if i < r.a_paths.len() {
            a_files.push(&f)
        } else {
            b_files.push(&f)
        };
    }
    load(&a_files, Names::traces(&r.a_paths), None, replies, Sizing::default()).await?;
    let a = state::with(|s| s.loaded().map(full_report))?;
    load(&b_files, Names::traces(&r.b_paths), None, replies, Sizing::default()).await?;
    let b = state::with(|s| s.loaded().map(full_report))?;
    let options = report::diff::DiffOptions {
        top: 20,
        a_source: r.a_paths.join(", "),
        b_source: r.b_paths.join(", "),
        ..report::diff::DiffOptions::default()
    };
    Ok(DiffDone { json: report::diff::diff(&a, &b, &options).to_json() })
}

/// The triage of `loaded` with every kernel listed (as `tracetriage diff` does).
fn full_report(loaded: &Loaded) -> report::Report {
    let options =
        report::engine::triage::Options { min_share_pct: 0.0, ..report::engine::triage::Options::default() };
    report::triage::triage_with(&loaded.inputs(), &options, report::engine::Catalog::builtin())
}
