//! The innermost `record_function` scope (a CPU `user_annotation`) around each of some
//! runtime calls, on the call's own thread: what a launch is attributed to when the trace
//! has no Python stacks (vLLM writes none unless `torch_profiler_with_stack` is set).

use super::intervals::{Intervals, sweep};
use trace::model::{Sym, Trace};

/// The location shown for a launch known only by its `record_function` scope.
pub(crate) fn location(scope: &str) -> String {
    format!("record_function {scope}")
}

/// Whether an annotation marks a whole step or capture rather than a piece of code:
/// `ProfilerStep#3`, SGLang's `step[DECODE bs=32]`, vLLM's `execute_…` and
/// `capture_<bs>_<MODE>`. Such a scope says nothing about where a kernel came from.
pub(crate) fn is_step_scope(name: &str) -> bool {
    let numbered = |prefix: &str| {
        name.strip_prefix(prefix).is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_digit()))
    };
    name.starts_with("ProfilerStep#")
        || name.starts_with("step[")
        || name.starts_with("execute_")
        || numbered("capture_")
        || (name.contains("context_") && name.contains("generation_"))
}

/// Per call of `calls` (runtime call rows), the name of the innermost CPU annotation
/// containing its start on its thread, or [`Sym::NONE`]; step and capture annotations
/// ([`is_step_scope`]) do not count.
pub(crate) fn innermost_scopes(trace: &Trace, calls: &[u32]) -> Vec<Sym> {
    let ann = &trace.annotations;
    let mut out = vec![Sym::NONE; calls.len()];
    if ann.is_empty() || calls.is_empty() {
        return out;
    }
    // Annotations that cannot be a code scope (GPU annotations, steps) get no duration.
    let mut step: Vec<(Sym, bool)> = Vec::new();
    let dur: Vec<i64> = (0..ann.len())
        .map(|i| {
            let name = ann.name.get(i).copied().unwrap_or(Sym::NONE);
            let is_step = match step.iter().find(|(s, _)| *s == name) {
                Some(&(_, b)) => b,
                None => {
                    let b = is_step_scope(trace.str(name));
                    step.push((name, b));
                    b
                }
            };
            if is_step || ann.on_gpu.get(i).copied().unwrap_or(true) {
                -1
            } else {
                ann.dur_ns.get(i).copied().unwrap_or(0)
            }
        })
        .collect();
    let intervals = Intervals::new(&ann.track, &ann.start_ns, &dur);
    let rt = &trace.runtime;
    let mut points: Vec<(u32, i64, usize)> = calls
        .iter()
        .enumerate()
        .filter_map(|(q, &r)| Some((rt.track.get(r as usize)?.0, *rt.start_ns.get(r as usize)?, q)))
        .collect();
    points.sort_unstable();
    sweep(&intervals, &points, |q, t, stack| {
        let inner = stack.iter().rev().find(|&&(_, end, _)| end >= t);
        if let (Some(&(_, _, i)), Some(slot)) = (inner, out.get_mut(q)) {
            *slot = ann.name.get(i as usize).copied().unwrap_or(Sym::NONE);
        }
    });
    out
}

#[cfg(test)]
mod tests {
    use super::is_step_scope;

    #[test]
    fn steps_and_captures_are_not_code_scopes() {
        for step in [
            "ProfilerStep#3",
            "step[DECODE bs=32]",
            "execute_8192_context_9(sq8155)_generation_37(sq37)",
            "execute_context_0(0)_generation_16(16)",
            "capture_8192_PIECEWISE",
        ] {
            assert!(is_step_scope(step), "{step}");
        }
        for scope in ["attn(F)", "## forward ##", "nccl:all_reduce", "capture_model", "mlp(B)"] {
            assert!(!is_step_scope(scope), "{scope}");
        }
    }
}
