//! Triage of a capture: pick the traces (per stage, the lowest rank unless all ranks are
//! asked for: the engine's selection rules), pass the diffusion backend gate
//! ([`report::gate`]: the server's log, the traces' Python stacks), load each file
//! ([`native::load`]), and run [`report::triage::triage_with`] with the framework the
//! relay talked to.

use std::path::{Path, PathBuf};

use native::discover::{self, Ranks};

use crate::framework::Kind;
use crate::layout;
use crate::options::StageKind;

/// A triaged capture.
#[derive(Debug)]
pub struct Triaged {
    /// The report.
    pub report: report::Report,
    /// The traces triaged, relative to the capture folder.
    pub traces: Vec<String>,
    /// Files that could not be read as traces, and rank choices.
    pub warnings: Vec<String>,
}

/// Chooses the traces of one stage: worker traces only ([`discover::is_candidate`]: not
/// vLLM's front-end trace), and the lowest rank's unless `all_ranks`
/// ([`discover::select`]).
#[must_use]
pub fn select(files: &[PathBuf], all_ranks: bool) -> Vec<PathBuf> {
    let workers: Vec<PathBuf> = files.iter().filter(|p| discover::is_candidate(p)).cloned().collect();
    let ranks = if all_ranks { Ranks::All } else { Ranks::Default };
    // Only `Ranks::Only` can fail.
    discover::select(&workers, ranks).unwrap_or(workers)
}

/// How a capture is triaged: the framework the relay talked to, the server's arguments,
/// the gate's log, the rank choice and the kernel-row cutoff.
#[derive(Clone, Copy, Debug)]
pub struct Settings<'a> {
    /// The framework.
    pub kind: Kind,
    /// The server's arguments (the formal server's, for a pair).
    pub server_args: Option<&'a report::engine::analysis::framework::ServerArgs>,
    /// `server_log`.
    pub server_log: Option<&'a Path>,
    /// Triage every rank.
    pub all_ranks: bool,
    /// Kernel-row cutoff, percent.
    pub min_share: f64,
}

/// Traces loaded for a triage, in report order.
struct Loaded {
    names: Vec<String>,
    traces: Vec<report::trace::Trace>,
    chosen: Vec<PathBuf>,
}

/// Chooses and loads the traces of `stages`; files that cannot be read are warnings.
fn load(
    dir: &Path,
    stages: &[(StageKind, Vec<PathBuf>)],
    all_ranks: bool,
    warnings: &mut Vec<String>,
) -> Loaded {
    let mut l = Loaded { names: Vec::new(), traces: Vec::new(), chosen: Vec::new() };
    for (stage, files) in stages {
        let chosen = select(files, all_ranks);
        l.chosen.extend(chosen.iter().cloned());
        if chosen.len() < files.iter().filter(|p| discover::is_candidate(p)).count() {
            warnings.push(format!(
                "{}: triaging rank {} only (the other ranks' traces are kept; --all-ranks triages them all)",
                stage.id(),
                chosen.first().and_then(|p| discover::rank_of(p)).unwrap_or(0)
            ));
        }
        for p in chosen {
            match native::load(&p) {
                Ok(t) => {
                    l.names.push(layout::relative(dir, &p));
                    l.traces.push(t);
                }
                Err(e) => warnings.push(format!("not triaged (kept on disk): {e}")),
            }
        }
    }
    l
}

/// The graph-capture traces beside `traces` (the capture's own `capture_traces/`), read.
fn captures(
    dir: &Path,
    traces: &[PathBuf],
    warnings: &mut Vec<String>,
) -> Vec<std::sync::Arc<report::engine::analysis::capture::CaptureIndex>> {
    let found = native::capture::find(traces);
    let paths: Vec<&Path> = found.iter().map(PathBuf::as_path).collect();
    let mut out = Vec::new();
    for result in native::capture::load(&paths, 1, |p| layout::relative(dir, p)) {
        match result {
            Ok(index) => out.push(index),
            Err(e) => warnings.push(format!("capture trace not used: {e}")),
        }
    }
    out
}

fn none_read(dir: &Path, warnings: &[String]) -> String {
    format!(
        "no captured file could be read as a trace ({}); the files are kept in {}",
        if warnings.is_empty() { "none arrived".to_owned() } else { warnings.join("; ") },
        dir.display()
    )
}

/// Triages the captured stages, after the diffusion backend gate ([`report::gate`]):
/// `server_log` (else the logs found beside the chosen traces), then their Python stacks.
///
/// # Errors
/// When no captured file could be read as a trace, or the gate refused the triage (the
/// message is the refusal's line and says where the files are kept).
pub fn triage(
    dir: &Path,
    stages: &[(StageKind, Vec<PathBuf>)],
    kind: Kind,
    server_args: Option<report::engine::analysis::framework::ServerArgs>,
    server_log: Option<&Path>,
    all_ranks: bool,
    min_share: f64,
) -> Result<Triaged, String> {
    let settings = Settings { kind, server_args: server_args.as_ref(), server_log, all_ranks, min_share };
    triage_runs(dir, &[], stages, &settings)
}

/// The mapping + formal triage of a two-server capture (the one `tracetriage triage
/// --mapping … --formal …` runs: [`report::engine::triage::triage_mapping_formal`]), after
/// the same gate on both sides; capture traces are taken beside the formal traces.
///
/// # Errors
/// As [`triage`], for either side.
pub fn triage_pair(
    dir: &Path,
    mapping: &[(StageKind, Vec<PathBuf>)],
    formal: &[(StageKind, Vec<PathBuf>)],
    settings: &Settings<'_>,
) -> Result<Triaged, String> {
    triage_runs(dir, mapping, formal, settings)
}

/// Single-trace mode when `mapping` is empty, else mapping + formal.
fn triage_runs(
    dir: &Path,
    mapping: &[(StageKind, Vec<PathBuf>)],
    formal: &[(StageKind, Vec<PathBuf>)],
    settings: &Settings<'_>,
) -> Result<Triaged, String> {
    let mut warnings = Vec::new();
    let two = !mapping.is_empty();
    let m = load(dir, mapping, settings.all_ranks, &mut warnings);
    let f = load(dir, formal, settings.all_ranks, &mut warnings);
    let kept =
        |refusal: report::gate::Refusal| format!("{refusal} (the files are kept in {})", dir.display());
    let all_chosen: Vec<PathBuf> = m.chosen.iter().chain(&f.chosen).cloned().collect();
    let logs = server_logs(settings.server_log, &all_chosen, &mut warnings);
    if let Some(refusal) = report::gate::diffusion_logs(&logs) {
        return Err(kept(refusal));
    }
    if f.traces.is_empty() || (two && m.traces.is_empty()) {
        return Err(none_read(dir, &warnings));
    }
    let captures = captures(dir, &f.chosen, &mut warnings);
    let names: Vec<String> = m.names.iter().chain(&f.names).cloned().collect();
    let traces: Vec<&report::trace::Trace> = m.traces.iter().chain(&f.traces).collect();
    let inputs = report::engine::triage::Input::zip(&names, &traces);
    if let Some(refusal) = report::gate::diffusion_stacks(&inputs) {
        return Err(kept(refusal));
    }
    let options = report::engine::triage::Options {
        framework: Some(settings.kind.engine()),
        min_share_pct: settings.min_share,
        server_args: settings.server_args.cloned(),
        captures,
        model_config: f.chosen.first().and_then(|p| native::discover::model_config(p)).map(|(_, c)| c),
        gpu_specs: None,
    };
    let catalog = report::engine::Catalog::builtin();
    let report = if two {
        let (mi, fi) = inputs.split_at(m.traces.len());
        report::Report::from(report::engine::triage::triage_mapping_formal(mi, fi, &options, catalog))
    } else {
        report::triage::triage_with(&inputs, &options, catalog)
    };
    Ok(Triaged { report, traces: names, warnings })
}

/// The server logs of the diffusion backend gate: `given` (the capture's `server_log`),
/// else those beside the traces ([`native::discover::server_logs`]). One that cannot be
/// read is a warning: the server may not share its file system with the relay.
fn server_logs(
    given: Option<&Path>,
    traces: &[PathBuf],
    warnings: &mut Vec<String>,
) -> Vec<report::gate::ServerLog> {
    let paths = match given {
        Some(p) => vec![p.to_path_buf()],
        None => discover::server_logs(traces),
    };
    let mut logs = Vec::new();
    for p in paths {
        match discover::server_log(&p) {
            Ok(log) => logs.push(log),
            Err(e) => {
                warnings.push(format!("server log not read, the diffusion backend gate did not see it: {e}"))
            }
        }
    }
    logs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selects_the_lowest_rank_and_skips_front_end_traces() {
        let files: Vec<PathBuf> = [
            "d/tt-decode-1.5-TP-1.trace.json.gz",
            "d/tt-decode-1.5-TP-0.trace.json.gz",
            "d/host_1.async_llm.5.pt.trace.json.gz",
        ]
        .iter()
        .map(PathBuf::from)
        .collect();
        assert_eq!(select(&files, false), vec![PathBuf::from("d/tt-decode-1.5-TP-0.trace.json.gz")]);
        assert_eq!(select(&files, true).len(), 2);
    }

    /// A decode step replaying one graph of one kernel, and the capture trace that
    /// recorded its launch from `layers.py(7): rmsnorm`.
    const EXECUTION: &str = r#"{"traceEvents": [
      {"ph":"X","cat":"user_annotation","name":"step[DECODE bs=4]","pid":1,"tid":1,"ts":0,"dur":10},
      {"ph":"X","cat":"cuda_runtime","name":"cudaGraphLaunch","pid":1,"tid":1,"ts":2,"dur":2,"args":{"correlation":9}},
      {"ph":"X","cat":"kernel","name":"rms_kernel","pid":0,"tid":7,"ts":20,"dur":5,"args":{"device":0,"stream":7,"correlation":9}}
    ]}"#;
    const CAPTURE: &str = r#"{"traceEvents": [
      {"ph":"X","cat":"cuda_runtime","name":"cudaStreamBeginCapture","pid":1,"tid":1,"ts":100,"dur":1},
      {"ph":"X","cat":"python_function","name":"/x/sglang/srt/layers.py(7): rmsnorm","pid":1,"tid":1,"ts":102,"dur":5},
      {"ph":"X","cat":"cpu_op","name":"sgl::rmsnorm","pid":1,"tid":1,"ts":103,"dur":3,"args":{"External id":4}},
      {"ph":"X","cat":"cuda_runtime","name":"cudaLaunchKernel","pid":1,"tid":1,"ts":104,"dur":1,"args":{"External id":4,"correlation":50,"kernel":"rms_kernel"}},
      {"ph":"X","cat":"cuda_runtime","name":"cudaStreamEndCapture","pid":1,"tid":1,"ts":110,"dur":1}
    ]}"#;

    #[test]
    fn capture_traces_copied_beside_the_server_s_attribute_graph_replays() {
        let tmp = tempfile::tempdir().unwrap();
        // The server's folder with its capture traces, and the capture being made.
        let server = tmp.path().join("server");
        std::fs::create_dir_all(server.join("capture_traces")).unwrap();
        std::fs::write(server.join("capture_traces/bs_4_rank0.json"), CAPTURE).unwrap();
        std::fs::write(server.join("capture_traces/notes.txt"), "not a trace").unwrap();
        let dir = tmp.path().join("cap");
        std::fs::create_dir_all(dir.join("decode")).unwrap();
        let trace = dir.join("decode/x-TP-0.trace.json");
        std::fs::write(&trace, EXECUTION).unwrap();
        let copied = layout::copy_capture_traces(&server, &dir).unwrap();
        assert_eq!(copied, [dir.join("capture_traces/bs_4_rank0.json")]);
        assert!(server.join("capture_traces/bs_4_rank0.json").exists(), "the server's file stays");
        assert!(layout::copy_capture_traces(&server, &dir).unwrap().is_empty(), "copied once");

        let t =
            triage(&dir, &[(StageKind::Decode, vec![trace])], Kind::Sglang, None, None, false, 1.0).unwrap();
        assert_eq!(t.traces, ["decode/x-TP-0.trace.json"], "the capture trace is not a trace to triage");
        assert_eq!(t.report.captures.len(), 1);
        assert_eq!(t.report.captures[0].path, "capture_traces/bs_4_rank0.json");
        let stage = t.report.stages.first().unwrap();
        assert_eq!(stage.coverage.capture_ns, 5_000);
        let site = &stage.kernels.rows[0].sites[0];
        assert!(site.location.contains("rmsnorm") && site.cpu_op == "sgl::rmsnorm", "{site:?}");
    }
}
