//! Stages: extend/prefill, decode or mixed, from file names first, then from the
//! annotations a serving engine writes around each step.
//!
//! A GPU activity belongs to the stage whose CPU window contains its *launch* (through
//! the correlation id), because the GPU runs behind the CPU: a decode step's kernels often
//! execute after its CPU annotation has closed.

use crate::vocab::Stage;
use trace::model::{Sym, Trace};

/// What a step annotation says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct StepInfo {
    /// The stage.
    pub stage: Stage,
    /// Batch size, when written (`bs=16`).
    pub batch: Option<u32>,
    /// Tokens, when written (`toks=4096`, vLLM `context_N(tokens)`).
    pub tokens: Option<u64>,
}

/// Reads a stage from an annotation name: SGLang `step[EXTEND bs=2 toks=4096]` /
/// `step[DECODE bs=16]`, vLLM `execute_context_N(…)_generation_M(…)`, or the whole words
/// `prefill`, `extend`, `decode`.
#[must_use]
pub(crate) fn stage_from_annotation(name: &str) -> Option<StepInfo> {
    if let Some(rest) = name.strip_prefix("step[") {
        let body = rest.split(']').next().unwrap_or(rest);
        let mut words = body.split_whitespace();
        let stage = match words.next()?.to_ascii_uppercase().as_str() {
            "EXTEND" | "PREFILL" => Stage::Prefill,
            "DECODE" => Stage::Decode,
            "MIXED" => Stage::Mixed,
            _ => return None,
        };
        let mut info = StepInfo { stage, batch: None, tokens: None };
        for w in words {
            if let Some(v) = w.strip_prefix("bs=") {
                info.batch = v.parse().ok();
            } else if let Some(v) = w.strip_prefix("toks=") {
                info.tokens = v.parse().ok();
            }
        }
        return Some(info);
    }
    if let (Some(ctx), Some(generation)) = (number_after(name, "context_"), number_after(name, "generation_"))
    {
        let stage = match (ctx > 0, generation > 0) {
            (true, false) => Stage::Prefill,
            (false, true) => Stage::Decode,
            (true, true) => Stage::Mixed,
            (false, false) => return None,
        };
        let tokens = paren_number_after(name, "context_");
        return Some(StepInfo { stage, batch: u32::try_from(ctx + generation).ok(), tokens });
    }
    let lower = name.to_ascii_lowercase();
    let tokens: Vec<&str> = lower.split(|c: char| !c.is_ascii_alphanumeric()).collect();
    let prefill = tokens.iter().any(|t| matches!(*t, "extend" | "prefill"));
    let decode = tokens.contains(&"decode");
    let stage = match (prefill, decode) {
        (true, false) => Stage::Prefill,
        (false, true) => Stage::Decode,
        (true, true) => Stage::Mixed,
        (false, false) => return None,
    };
    Some(StepInfo { stage, batch: None, tokens: None })
}

fn number_after(text: &str, key: &str) -> Option<u64> {
    let at = text.find(key)? + key.len();
    let digits: String = text.get(at..)?.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// `context_1(888)` → 888.
fn paren_number_after(text: &str, key: &str) -> Option<u64> {
    let at = text.find(key)? + key.len();
    let rest = text.get(at..)?;
    let open = rest.find('(')?;
    let digits: String = rest.get(open + 1..)?.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// One stage window (a step).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Window {
    /// What the step is.
    pub step: StepInfo,
    /// Start, ns.
    pub start_ns: i64,
    /// End, ns.
    pub end_ns: i64,
    /// Whether it is a `gpu_user_annotation` (GPU time) rather than a CPU annotation.
    pub on_gpu: bool,
    /// The annotation text.
    pub name: Sym,
}

/// Stage windows of a trace, CPU and GPU windows apart, each sorted by start.
#[derive(Clone, Debug, Default)]
pub(crate) struct Windows {
    /// CPU (`user_annotation`) windows: matched against launch times.
    pub cpu: Vec<Window>,
    /// GPU (`gpu_user_annotation`) windows: matched against GPU start times.
    pub gpu: Vec<Window>,
}

impl Windows {
    /// Reads the stage windows of a trace.
    #[must_use]
    pub(crate) fn of(trace: &Trace) -> Windows {
        let mut w = Windows::default();
        let a = &trace.annotations;
        let mut cache: Vec<(Sym, Option<StepInfo>)> = Vec::new();
        for i in 0..a.len() {
            let (Some(&name), Some(&start), Some(&dur), Some(&on_gpu)) =
                (a.name.get(i), a.start_ns.get(i), a.dur_ns.get(i), a.on_gpu.get(i))
            else {
                continue;
            };
            let step = match cache.iter().find(|(s, _)| *s == name) {
                Some((_, step)) => *step,
                None => {
                    let step = stage_from_annotation(trace.str(name));
                    cache.push((name, step));
                    step
                }
            };
            if let Some(step) = step {
                let window =
                    Window { step, start_ns: start, end_ns: start.saturating_add(dur), on_gpu, name };
                if on_gpu { w.gpu.push(window) } else { w.cpu.push(window) }
            }
        }
        w.cpu.sort_by_key(|x| (x.start_ns, x.end_ns));
        w.gpu.sort_by_key(|x| (x.start_ns, x.end_ns));
        w
    }

    /// Whether the trace has any stage window.
    #[must_use]
    pub(crate) fn is_empty(&self) -> bool {
        self.cpu.is_empty() && self.gpu.is_empty()
    }

    /// The innermost CPU window containing `t` (index into `cpu`).
    #[must_use]
    pub(crate) fn cpu_at(&self, t: i64) -> Option<usize> {
        innermost(&self.cpu, t)
    }

    /// The innermost GPU window containing `t` (index into `gpu`).
    #[must_use]
    pub(crate) fn gpu_at(&self, t: i64) -> Option<usize> {
        innermost(&self.gpu, t)
    }
}

/// Binary search for the last window starting at or before `t`, then a short scan back
/// for the shortest one that still contains `t` (windows rarely nest deeply).
fn innermost(windows: &[Window], t: i64) -> Option<usize> {
    let upto = windows.partition_point(|w| w.start_ns <= t);
    let mut best: Option<(i64, usize)> = None;
    for i in (0..upto).rev().take(64) {
        let Some(w) = windows.get(i) else { continue };
        if w.end_ns >= t {
            let len = w.end_ns - w.start_ns;
            if best.is_none_or(|(l, _)| len < l) {
                best = Some((len, i));
            }
        }
    }
    best.map(|(_, i)| i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn annotations() {
        let s = stage_from_annotation("step[EXTEND bs=2 toks=4096]").expect("sglang extend");
        assert_eq!((s.stage, s.batch, s.tokens), (Stage::Prefill, Some(2), Some(4096)));
        let s = stage_from_annotation("step[DECODE bs=16]").expect("sglang decode");
        assert_eq!((s.stage, s.batch), (Stage::Decode, Some(16)));
        let s = stage_from_annotation("execute_context_1(888)_generation_0(0)").expect("vllm prefill");
        assert_eq!((s.stage, s.tokens), (Stage::Prefill, Some(888)));
        assert_eq!(
            stage_from_annotation("execute_context_0(0)_generation_32(32)").map(|s| s.stage),
            Some(Stage::Decode)
        );
        assert_eq!(
            stage_from_annotation("execute_32_context_2(4096)_generation_30(30)").map(|s| s.stage),
            Some(Stage::Mixed)
        );
        assert_eq!(stage_from_annotation("prefill").map(|s| s.stage), Some(Stage::Prefill));
        assert_eq!(stage_from_annotation("run_decode_step").map(|s| s.stage), Some(Stage::Decode));
        // `decoder` is not decode (the seed's bug).
        assert_eq!(stage_from_annotation("TransformerDecoderLayer"), None);
        assert_eq!(stage_from_annotation("decoder_forward"), None);
        assert_eq!(stage_from_annotation("ProfilerStep#3"), None);
        assert_eq!(stage_from_annotation("nccl:all_reduce"), None);
    }

    #[test]
    fn innermost_window_wins() {
        let mk = |s, e| Window {
            step: StepInfo { stage: Stage::Decode, batch: None, tokens: None },
            start_ns: s,
            end_ns: e,
            on_gpu: false,
            name: Sym::EMPTY,
        };
        let w = Windows { cpu: vec![mk(0, 100), mk(10, 20), mk(50, 60)], gpu: vec![] };
        assert_eq!(w.cpu_at(15), Some(1));
        assert_eq!(w.cpu_at(55), Some(2));
        assert_eq!(w.cpu_at(30), Some(0));
        assert_eq!(w.cpu_at(100), Some(0));
        assert_eq!(w.cpu_at(101), None);
        assert_eq!(w.cpu_at(-1), None);
    }
}
