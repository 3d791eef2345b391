//! Whether a server runs CUDA/HIP graphs, where it says so, and what a mapping + formal
//! pair must look like: the mapping server eager (graphs off), the formal one with its
//! real serving flags (graphs on).
//!
//! Where each framework reports it:
//! - **SGLang** (and TokenSpeed, which answers SGLang's `/server_info`): `disable_cuda_graph`,
//!   and the piecewise (prefill) graphs as `disable_piecewise_cuda_graph` (newer: on unless
//!   disabled) or `enable_piecewise_cuda_graph` (older: off unless enabled).
//! - **vLLM**: `/v1/models` does not say; `GET /server_info?config_format=json` does
//!   (`vllm_config.model_config.enforce_eager`, `compilation_config.cudagraph_mode`), but
//!   vLLM registers that route only with `VLLM_SERVER_DEV_MODE=1`
//!   (`vllm/entrypoints/serve/instrumentator/`). Otherwise: unknown.
//! - **TensorRT-LLM**: `trtllm-serve` reports nothing: unknown. (Its PyTorch backend
//!   captures graphs unless the `--extra_llm_api_options` YAML says `cuda_graph_config:
//!   null`: `TorchLlmArgs.cuda_graph_config` defaults to a `CudaGraphConfig`.)
//!
//! Also: which flags give graph-capture traces (exact graph attribution), per framework.

use std::time::Duration;

use serde::Serialize;
use serde_json::Value;

use crate::framework::Kind;
use crate::http::Client;

/// A server's graph setting.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Setting {
    /// CUDA/HIP graphs captured and replayed.
    On,
    /// Eager: every kernel launched by its op.
    Off,
    /// The server does not say.
    Unknown,
}

/// What a server said about its graphs, and where.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Graphs {
    /// The setting.
    pub setting: Setting,
    /// Where it was read (or why it is unknown), in words.
    pub source: String,
}

impl Graphs {
    fn unknown(source: impl Into<String>) -> Graphs {
        Graphs { setting: Setting::Unknown, source: source.into() }
    }
}

fn flag(v: &Value, key: &str) -> Option<bool> {
    match v.get(key)? {
        Value::Bool(b) => Some(*b),
        Value::String(s) => match s.to_ascii_lowercase().as_str() {
            "true" | "1" => Some(true),
            "false" | "0" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

/// SGLang's `/server_info` (or TokenSpeed's): the decode graphs and the piecewise ones.
#[must_use]
pub fn from_sglang_info(info: &Value) -> Graphs {
    let Some(disabled) = flag(info, "disable_cuda_graph") else {
        return Graphs::unknown("/server_info has no disable_cuda_graph");
    };
    let piecewise = flag(info, "disable_piecewise_cuda_graph")
        .map(|d| (!d, "disable_piecewise_cuda_graph"))
        .or_else(|| flag(info, "enable_piecewise_cuda_graph").map(|e| (e, "enable_piecewise_cuda_graph")));
    let on = !disabled || piecewise.is_some_and(|(p, _)| p);
    let mut source = format!("/server_info disable_cuda_graph={disabled}");
    if let Some((p, key)) = piecewise {
        let value = if key.starts_with("disable") { !p } else { p };
        source.push_str(&format!(", {key}={value}"));
    }
    Graphs { setting: if on { Setting::On } else { Setting::Off }, source }
}

/// vLLM's `/server_info` answer (`vllm_config` as JSON or as its text form).
#[must_use]
pub fn from_vllm_info(info: &Value) -> Graphs {
    let config = info.get("vllm_config");
    if let Some(c) = config.filter(|c| c.is_object()) {
        if let Some(eager) = c.get("model_config").and_then(|m| flag(m, "enforce_eager")) {
            let setting = if eager { Setting::Off } else { Setting::On };
            return Graphs { setting, source: format!("/server_info model_config.enforce_eager={eager}") };
        }
        if let Some(mode) = c.get("compilation_config").and_then(|m| m.get("cudagraph_mode")) {
            let text = mode.as_str().map_or_else(|| mode.to_string(), str::to_owned);
            let off = text.eq_ignore_ascii_case("none") || text == "0";
            let setting = if off { Setting::Off } else { Setting::On };
            return Graphs {
                setting,
                source: format!("/server_info compilation_config.cudagraph_mode={text}"),
            };
        }
    }
    if let Some(text) = config.and_then(Value::as_str) {
        for (needle, setting) in [("enforce_eager=True", Setting::Off), ("enforce_eager=False", Setting::On)]
        {
            if text.contains(needle) {
                return Graphs { setting, source: format!("/server_info vllm_config {needle}") };
            }
        }
    }
    Graphs::unknown("/server_info does not name enforce_eager")
}

/// Asks the server (or reads what discovery saved) for its graph setting.
#[must_use]
pub fn detect(kind: Kind, server_args: &Value, client: &Client) -> Graphs {
    match kind {
        Kind::Sglang | Kind::Tokenspeed => {
            if server_args.get("disable_cuda_graph").is_some() {
                from_sglang_info(server_args)
            } else {
                Graphs::unknown(format!("{} did not report disable_cuda_graph", kind.label()))
            }
        }
        Kind::Vllm => match client.get("/server_info?config_format=json", Duration::from_secs(30)) {
            Ok(r) if r.ok() => r
                .json()
                .map_or_else(|| Graphs::unknown("/server_info did not answer JSON"), |v| from_vllm_info(&v)),
            _ => Graphs::unknown(
                "vLLM reports it only at /server_info, which needs VLLM_SERVER_DEV_MODE=1; /v1/models does not say",
            ),
        },
        Kind::Trtllm => Graphs::unknown("trtllm-serve does not report its CUDA graph setting"),
    }
}

/// The flags that turn graphs off (`off`) or back on, per framework, in words.
#[must_use]
pub fn flags(kind: Kind, off: bool) -> &'static str {
    match (kind, off) {
        (Kind::Sglang | Kind::Tokenspeed, true) => "--disable-cuda-graph --disable-piecewise-cuda-graph",
        (Kind::Sglang | Kind::Tokenspeed, false) => {
            "no --disable-cuda-graph (and no --disable-piecewise-cuda-graph)"
        }
        (Kind::Vllm, true) => "--enforce-eager",
        (Kind::Vllm, false) => "no --enforce-eager",
        (Kind::Trtllm, true) => "`cuda_graph_config: null` in the --extra_llm_api_options YAML",
        (Kind::Trtllm, false) => {
            "no `cuda_graph_config: null` (the PyTorch backend captures CUDA graphs by default)"
        }
    }
}

/// One side of a pair, for the checks.
#[derive(Clone, Copy, Debug)]
pub struct Side<'a> {
    /// Its URL.
    pub url: &'a str,
    /// Its framework.
    pub kind: Kind,
    /// Its graph setting.
    pub graphs: &'a Graphs,
}

/// Checks a mapping + formal pair: refuses a swapped pair (mapping on, formal off) or an
/// identical one (both on, both off) with what to change; an unknown side is a warning.
///
/// # Errors
/// The refusal, naming the flags per framework.
pub fn check_pair(mapping: Side<'_>, formal: Side<'_>) -> Result<Vec<String>, String> {
    let m = (mapping.url, mapping.graphs.source.as_str());
    let f = (formal.url, formal.graphs.source.as_str());
    match (mapping.graphs.setting, formal.graphs.setting) {
        (Setting::Off, Setting::On) => Ok(Vec::new()),
        (Setting::On, Setting::Off) => Err(format!(
            "refused: the pair is swapped: the mapping server {} has CUDA graphs on ({}) and the formal server \
             {} has them off ({}). Swap --mapping-url and --formal-url, or restart the mapping server with {} \
             and the formal one with {}",
            m.0,
            m.1,
            f.0,
            f.1,
            flags(mapping.kind, true),
            flags(formal.kind, false)
        )),
        (Setting::On, Setting::On) => Err(format!(
            "refused: both servers have CUDA graphs on ({}: {}; {}: {}); the mapping server must run eager: \
             restart {} with {}",
            m.0,
            m.1,
            f.0,
            f.1,
            m.0,
            flags(mapping.kind, true)
        )),
        (Setting::Off, Setting::Off) => Err(format!(
            "refused: both servers have CUDA graphs off ({}: {}; {}: {}); the formal server must run with the \
             real serving flags: restart {} with {}",
            m.0,
            m.1,
            f.0,
            f.1,
            f.0,
            flags(formal.kind, false)
        )),
        (ms, fs) => {
            let mut warnings = Vec::new();
            for (side, want_off, s, (url, source), kind) in
                [("mapping", true, ms, m, mapping.kind), ("formal", false, fs, f, formal.kind)]
            {
                if s == Setting::Unknown {
                    warnings.push(format!(
                        "the {side} server {url} does not say whether it runs CUDA graphs ({source}); it must \
                         have been started with {}",
                        flags(kind, want_off)
                    ));
                } else if (s == Setting::Off) != want_off {
                    return Err(format!(
                        "refused: the {side} server {url} has CUDA graphs {} ({source}); restart it with {}",
                        if want_off { "on" } else { "off" },
                        flags(kind, want_off)
                    ));
                }
            }
            Ok(warnings)
        }
    }
}

/// What gives exact graph attribution (graph-capture traces), per framework, for the
/// `plan:` line when the capture has none.
#[must_use]
pub fn capture_trace_flags(kind: Kind) -> &'static str {
    match kind {
        Kind::Sglang => {
            "start SGLang with --enable-profile-cuda-graph and SGLANG_GRAPH_BATCH_CAPTURE=1 (one trace per \
             batch size) or SGLANG_ENABLE_CUDA_GRAPH_CAPTURE_TRACE=1 (one trace), written to \
             graph_capture_profile/ under SGLANG_TORCH_PROFILER_DIR (default /tmp; older versions: \
             capture_traces/), then pass that folder as --capture-traces"
        }
        Kind::Vllm => {
            "start vLLM 0.26 or later with --profiler-config '{\"profiler\": \"torch\", \"torch_profiler_dir\": \
             DIR, \"capture_torch_profiler\": true}' (writes DIR/capture_traces/, found beside \
             --server-trace-path, or pass --capture-traces)"
        }
        Kind::Trtllm => {
            "TensorRT-LLM writes no graph-capture traces; a two-server capture (--mapping-url with graphs off) maps graph replays instead"
        }
        Kind::Tokenspeed => {
            "TokenSpeed writes no graph-capture traces that the relay knows of; a two-server capture (--mapping-url with graphs off) maps graph replays instead"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sglang_fields_old_and_new() {
        let g = from_sglang_info(&json!({"disable_cuda_graph": true, "disable_piecewise_cuda_graph": true}));
        assert_eq!(g.setting, Setting::Off, "{g:?}");
        let g = from_sglang_info(&json!({"disable_cuda_graph": true, "disable_piecewise_cuda_graph": false}));
        assert_eq!(g.setting, Setting::On, "piecewise graphs still on: {g:?}");
        let g = from_sglang_info(&json!({"disable_cuda_graph": true, "enable_piecewise_cuda_graph": false}));
        assert_eq!(g.setting, Setting::Off);
        assert!(g.source.contains("enable_piecewise_cuda_graph=false"), "{g:?}");
        assert_eq!(from_sglang_info(&json!({"disable_cuda_graph": false})).setting, Setting::On);
        assert_eq!(from_sglang_info(&json!({"tp_size": 1})).setting, Setting::Unknown);
    }

    #[test]
    fn vllm_config_json_and_text() {
        let g = from_vllm_info(&json!({"vllm_config": {"model_config": {"enforce_eager": true}}}));
        assert_eq!(g.setting, Setting::Off);
        let g = from_vllm_info(&json!({"vllm_config": {"compilation_config": {"cudagraph_mode": "NONE"}}}));
        assert_eq!(g.setting, Setting::Off);
        let g = from_vllm_info(&json!({"vllm_config": "model=m, enforce_eager=False, seed=0"}));
        assert_eq!(g.setting, Setting::On);
        assert_eq!(from_vllm_info(&json!({})).setting, Setting::Unknown);
    }

    fn side<'a>(url: &'a str, g: &'a Graphs) -> Side<'a> {
        Side { url, kind: Kind::Sglang, graphs: g }
    }

    #[test]
    fn pairs_swapped_identical_and_unknown() {
        let on = Graphs { setting: Setting::On, source: "x".into() };
        let off = Graphs { setting: Setting::Off, source: "y".into() };
        let unknown = Graphs::unknown("z");
        assert_eq!(check_pair(side("m", &off), side("f", &on)), Ok(Vec::new()));
        let e = check_pair(side("m", &on), side("f", &off)).unwrap_err();
        assert!(
            e.contains("swapped") && e.contains("--disable-cuda-graph --disable-piecewise-cuda-graph"),
            "{e}"
        );
        let e = check_pair(side("m", &on), side("f", &on)).unwrap_err();
        assert!(e.contains("both servers have CUDA graphs on") && e.contains("restart m with"), "{e}");
        let e = check_pair(side("m", &off), side("f", &off)).unwrap_err();
        assert!(e.contains("both servers have CUDA graphs off") && e.contains("restart f with no"), "{e}");
        let w = check_pair(side("m", &unknown), side("f", &on)).unwrap();
        assert_eq!(w.len(), 1);
        assert!(w[0].contains("mapping server m does not say"), "{w:?}");
        let e = check_pair(side("m", &unknown), side("f", &off)).unwrap_err();
        assert!(e.contains("formal server f has CUDA graphs off"), "{e}");
    }
}
