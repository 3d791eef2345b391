//! Python source locations: frame names (`/usr/lib/python3/site-packages/vllm/x.py(92): f`)
//! normalised to repository-relative `vllm/x.py:92 f`, and ranked so a kernel is attributed
//! to the serving engine's own code rather than to threading, contextlib, module
//! `__call__` wrappers or torch internals.

/// Path markers that start a repository-relative path, most specific first. A marker
/// found anywhere in the path keeps the text from the marker on.
const MARKERS: &[(&str, &str)] = &[
    ("python/sglang/", "python/sglang/"),
    ("python/tokenspeed/", "python/tokenspeed/"),
    ("sgl_kernel/", "sgl_kernel/"),
    ("sglang/", "python/sglang/"),
    ("vllm/", "vllm/"),
    ("tokenspeed/", "tokenspeed/"),
    ("tensorrt_llm/", "tensorrt_llm/"),
    ("tensorrt-llm/", "tensorrt_llm/"),
    ("flashinfer/", "flashinfer/"),
    ("deep_gemm/", "deep_gemm/"),
    ("deep_ep/", "deep_ep/"),
    ("transformers/", "transformers/"),
    ("triton/", "triton/"),
    ("torch/", "torch/"),
    ("site-packages/", ""),
    ("dist-packages/", ""),
];

/// `path(line): func` → `relative/path:line func`; anything else is returned trimmed.
#[must_use]
pub(crate) fn normalize_frame(name: &str) -> String {
    let name = name.trim();
    let Some((path, rest)) = split_frame(name) else {
        return name.to_owned();
    };
    format!("{}:{rest}", relative_path(path))
}

/// Splits `path(line): func` into (`path`, `line func`).
fn split_frame(name: &str) -> Option<(&str, String)> {
    let open = name.rfind(".py(").map(|i| i + 3).or_else(|| name.find('('))?;
    let path = name.get(..open)?;
    let after = name.get(open + 1..)?;
    let close = after.find(')')?;
    let line = after.get(..close)?;
    if line.is_empty() || !line.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let func = after.get(close + 1..)?.trim_start_matches(':').trim();
    Some((path, format!("{line} {func}")))
}

/// Keeps a path from its repository marker on; otherwise its last three components.
#[must_use]
pub(crate) fn relative_path(path: &str) -> String {
    let path = path.replace('\\', "/");
    let lower = path.to_ascii_lowercase();
    for (marker, replacement) in MARKERS {
        if let Some(i) = lower.find(marker) {
            let rest = path.get(i + marker.len()..).unwrap_or("");
            return format!("{replacement}{rest}");
        }
    }
    let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
    let keep = parts.len().saturating_sub(3);
    parts.get(keep..).unwrap_or(&[]).join("/")
}

/// How much a normalised location says about where work comes from; higher is better,
/// negative means "never choose this if anything else exists".
#[must_use]
pub(crate) fn priority(raw: &str, location: &str) -> i32 {
    const NOISE: &[&str] = &[
        "threading.py(",
        "multiprocessing/",
        "contextlib.py(",
        "runpy.py(",
        "asyncio/",
        "selectors.py(",
        "queue.py(",
        "socket.py(",
        "tqdm/",
        "<string>(",
        "concurrent/futures/",
        "logging/",
    ];
    if raw.starts_with("<built-in") || raw.starts_with("nn.Module:") || NOISE.iter().any(|n| raw.contains(n))
    {
        return -20;
    }
    let lower = location.to_ascii_lowercase();
    let base = if lower.starts_with("python/sglang/")
        || lower.starts_with("vllm/")
        || lower.starts_with("tensorrt_llm/")
        || lower.starts_with("python/tokenspeed/")
        || lower.starts_with("tokenspeed/")
    {
        300
    } else if lower.starts_with("transformers/") {
        250
    } else if lower.starts_with("sgl_kernel/")
        || lower.starts_with("flashinfer/")
        || lower.starts_with("deep_gemm/")
        || lower.starts_with("deep_ep/")
    {
        150
    } else if lower.starts_with("torch/") || lower.starts_with("triton/") {
        10
    } else if lower.contains(".py:") {
        200
    } else {
        0
    };
    base - if is_low_signal(&lower) { 80 } else { 0 }
}

/// Wrappers that carry no information about which layer launched the work.
fn is_low_signal(lower: &str) -> bool {
    const FUNCS: &[&str] =
        &[" __call__", " _call_impl", " _wrapped_call_impl", "__torch_function__", "__torch_dispatch__"];
    const FILES: &[&str] = &[
        "model_executor/cuda_graph_runner.py:",
        "compilation/cuda_graph.py:",
        "pyexecutor/cuda_graph_runner.py:",
        "pyexecutor/py_executor.py:",
        "_torch/utils.py:",
        "torch/fx/graph_module.py:",
        "model_executor/parameter.py:",
        "compilation/compile.py:",
        "compilation/cuda_piecewise_backend.py:",
        "compilation/piecewise_backend.py:",
        "utils/_contextlib.py:",
    ];
    FUNCS.iter().any(|f| lower.contains(f)) || FILES.iter().any(|f| lower.contains(f))
}

/// Whether a location belongs to the serving framework (worth showing in a stack).
#[must_use]
pub(crate) fn is_framework(location: &str) -> bool {
    let lower = location.to_ascii_lowercase();
    ["python/sglang/", "vllm/", "tensorrt_llm/", "tokenspeed/", "python/tokenspeed/"]
        .iter()
        .any(|p| lower.starts_with(p))
}

/// Parses a legacy `Call stack` argument (`a.py(1): f;b.py(2): g`, innermost first) into
/// frame names, outermost first.
#[must_use]
pub(crate) fn legacy_call_stack(text: &str) -> Vec<&str> {
    let mut frames: Vec<&str> = text.split(';').map(str::trim).filter(|s| !s.is_empty()).collect();
    frames.reverse();
    frames
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_normalise_to_repository_paths() {
        assert_eq!(
            normalize_frame(
                "/usr/local/lib/python3.12/dist-packages/vllm/model_executor/layers/utils.py(92): default_unquantized_gemm"
            ),
            "vllm/model_executor/layers/utils.py:92 default_unquantized_gemm"
        );
        assert_eq!(
            normalize_frame(
                "/sgl-workspace/sglang/python/sglang/srt/managers/scheduler.py(2919): _run_batch_inner"
            ),
            "python/sglang/srt/managers/scheduler.py:2919 _run_batch_inner"
        );
        assert_eq!(normalize_frame("threading.py(1030): _bootstrap"), "threading.py:1030 _bootstrap");
        assert_eq!(
            normalize_frame("<built-in method to of Tensor object at 0x7f>"),
            "<built-in method to of Tensor object at 0x7f>"
        );
        assert_eq!(normalize_frame("nn.Module: Linear_0"), "nn.Module: Linear_0");
        assert_eq!(normalize_frame("/home/me/proj/model/run.py(12): main"), "proj/model/run.py:12 main");
        assert_eq!(
            normalize_frame(
                "/opt/conda/lib/python3.10/site-packages/torch/nn/modules/module.py(1773): _call_impl"
            ),
            "torch/nn/modules/module.py:1773 _call_impl"
        );
    }

    #[test]
    fn framework_code_ranks_above_wrappers_and_internals() {
        let p = |raw: &str| priority(raw, &normalize_frame(raw));
        let sglang = p("/x/python/sglang/srt/layers/linear.py(120): forward");
        let runner = p("/x/python/sglang/srt/model_executor/cuda_graph_runner.py(700): replay");
        let module = p("/x/site-packages/torch/nn/modules/module.py(1773): _call_impl");
        let user = p("/home/me/bench.py(10): main");
        let thread = p("threading.py(1030): _bootstrap");
        assert!(sglang > user && user > module && user > thread, "{sglang} {user} {module} {thread}");
        assert!(sglang > runner);
        assert!(p("<built-in method cat of type object>") < 0);
    }

    #[test]
    fn legacy_stacks_are_outermost_first() {
        assert_eq!(legacy_call_stack("inner.py(2): g;outer.py(1): f"), ["outer.py(1): f", "inner.py(2): g"]);
        assert!(legacy_call_stack("").is_empty());
    }
}
