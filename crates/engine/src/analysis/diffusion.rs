//! SGLang diffusion runs that ran vanilla diffusers pipelines: the trace-side half of the
//! diffusion backend gate (the seed tool's rule: only traces of SGLang's native diffusion
//! backend are evidence about SGLang's kernels).
//!
//! SGLang's diffusion runtime (`sglang/multimodal_gen/`, and the diffusion language
//! models of `sglang/srt/diffusion/`) can fall back to running a model through the
//! `diffusers` library's own pipelines. Such a trace shows diffusers' kernels and Python,
//! not SGLang's. A trace is flagged when its Python stacks have frames in SGLang's
//! diffusion code (which is the SGLang evidence: those paths are SGLang's own) **and**
//! frames in `diffusers/pipelines/`. A plain diffusers run (no SGLang frames) and an
//! SGLang run without diffusers pipelines are not flagged. The log-side half (the
//! server's log lines) and the words are in the report crate (`report::gate`).

use serde::{Deserialize, Serialize};

use trace::model::{Sym, Trace};

/// Python path fragments of SGLang's own diffusion code (matched on the frame's path,
/// lower-cased, `\` read as `/`).
pub const SGLANG_DIFFUSION_PATHS: &[&str] = &["sglang/multimodal_gen/", "sglang/srt/diffusion/"];

/// The Python path fragment of the `diffusers` library's pipelines.
pub const DIFFUSERS_PIPELINES: &str = "diffusers/pipelines/";

/// Evidence that an SGLang diffusion run executed diffusers pipelines.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiffusersStacks {
    /// The first Python frame (in file order) in SGLang's diffusion code, as recorded.
    pub sglang_frame: String,
    /// The first Python frame in `diffusers/pipelines/`, as recorded.
    pub diffusers_frame: String,
    /// Python frame events in `diffusers/pipelines/`.
    pub diffusers_frames: u64,
}

/// The frame's path part (before `(line): function`), lower-cased, `/`-separated.
fn path_of(frame: &str) -> String {
    frame.split('(').next().unwrap_or(frame).replace('\\', "/").to_ascii_lowercase()
}

/// Whether a Python frame is in SGLang's diffusion code.
#[must_use]
pub fn is_sglang_diffusion_frame(frame: &str) -> bool {
    let path = path_of(frame);
    SGLANG_DIFFUSION_PATHS.iter().any(|p| path.contains(p))
}

/// Whether a Python frame is in a `diffusers` pipeline.
#[must_use]
pub fn is_diffusers_pipeline_frame(frame: &str) -> bool {
    path_of(frame).contains(DIFFUSERS_PIPELINES)
}

/// Whether `trace`'s Python stacks run diffusers pipelines under SGLang's diffusion
/// runtime (see the module docs); `None` when they do not, or have no Python stacks.
#[must_use]
pub fn diffusers_stacks(trace: &Trace) -> Option<DiffusersStacks> {
    let names = &trace.python.name;
    // Ascending (the binary searches below rely on it), without copying or sorting the
    // column: it has a row per Python event, millions in a large trace.
    let distinct = trace.strings.distinct(names);
    let matching = |rule: fn(&str) -> bool| -> Vec<Sym> {
        distinct.iter().copied().filter(|&s| rule(trace.str(s))).collect()
    };
    let (sglang, diffusers) = (matching(is_sglang_diffusion_frame), matching(is_diffusers_pipeline_frame));
    if sglang.is_empty() || diffusers.is_empty() {
        return None;
    }
    // The first of each in file order (rows keep the file's order), so the evidence named
    // is the same on every run.
    let first =
        |set: &[Sym]| names.iter().find(|s| set.binary_search(s).is_ok()).map(|&s| trace.str(s).to_owned());
    let count = names.iter().filter(|s| diffusers.binary_search(s).is_ok()).count();
    Some(DiffusersStacks {
        sglang_frame: first(&sglang)?,
        diffusers_frame: first(&diffusers)?,
        diffusers_frames: u64::try_from(count).unwrap_or(u64::MAX),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A trace with one Python frame per name (nested in order) and one kernel.
    fn trace(frames: &[&str]) -> Trace {
        let events: Vec<String> = frames
            .iter()
            .enumerate()
            .map(|(i, name)| {
                let name = name.replace('\\', "\\\\");
                format!(
                    r#"{{"ph":"X","cat":"python_function","name":"{name}","pid":1,"tid":1,"ts":{i},"dur":{},"args":{{"Python id":{i},"Python parent id":null}}}}"#,
                    100 - i
                )
            })
            .chain([
                r#"{"ph":"X","cat":"kernel","name":"gemm","pid":0,"tid":7,"ts":50,"dur":5,"args":{"device":0,"stream":7,"correlation":1}}"#.to_owned(),
            ])
            .collect();
        trace::load(format!(r#"{{"traceEvents":[{}]}}"#, events.join(",")).as_bytes()).expect("a trace")
    }

    const SGLANG: &str =
        "/opt/sglang/python/sglang/multimodal_gen/runtime/managers/gpu_worker.py(120): execute_forward";
    const WRAPPER: &str = "/opt/sglang/python/sglang/multimodal_gen/runtime/architectures/basic/diffusers_backend/diffusers_pipeline.py(400): forward";
    const FLUX: &str =
        "/usr/lib/python3/site-packages/diffusers/pipelines/flux/pipeline_flux.py(650): __call__";
    const NATIVE: &str = "/opt/sglang/python/sglang/multimodal_gen/runtime/pipelines/flux.py(80): forward";

    #[test]
    fn diffusers_pipelines_under_sglang_diffusion_are_flagged() {
        let t = trace(&[SGLANG, WRAPPER, FLUX, FLUX]);
        let found = diffusers_stacks(&t).expect("flagged");
        assert_eq!(found.sglang_frame, SGLANG);
        assert_eq!(found.diffusers_frame, FLUX);
        assert_eq!(found.diffusers_frames, 2);
        // Windows paths and any case.
        let t =
            trace(&[r"C:\sglang\Multimodal_Gen\runtime\x.py(1): f", r"C:\py\Diffusers\Pipelines\x.py(2): g"]);
        assert!(diffusers_stacks(&t).is_some());
    }

    #[test]
    fn native_sglang_diffusion_plain_diffusers_and_llm_runs_are_not() {
        assert_eq!(diffusers_stacks(&trace(&[SGLANG, NATIVE])), None, "native backend");
        assert_eq!(
            diffusers_stacks(&trace(&[FLUX, "/x/diffusers/models/unet.py(3): forward"])),
            None,
            "no SGLang"
        );
        assert_eq!(
            diffusers_stacks(&trace(&["/x/sglang/srt/model_executor/model_runner.py(9): forward", FLUX])),
            None,
            "an SGLang LLM run is not a diffusion run"
        );
        assert_eq!(diffusers_stacks(&trace(&[])), None, "no Python stacks");
        // `diffusers/pipelines` in a function name is not a path.
        assert!(!is_diffusers_pipeline_frame("/x/y.py(1): diffusers/pipelines/"));
        assert!(is_sglang_diffusion_frame("/x/sglang/srt/diffusion/algorithm/low_confidence.py(5): run"));
    }
}
