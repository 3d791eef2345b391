//! Which serving framework produced a trace: SGLang, vLLM, TensorRT-LLM, TokenSpeed, or an
//! honest `unknown`. Evidence comes from the trace's own content first (Python source paths,
//! process names, operator namespaces), then file names, then `server_args.json`.

use serde::{Deserialize, Serialize};

use trace::model::Trace;

/// A serving framework.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Framework {
    /// SGLang.
    Sglang,
    /// vLLM.
    Vllm,
    /// TensorRT-LLM (PyTorch backend).
    Trtllm,
    /// TokenSpeed.
    Tokenspeed,
    /// Not recognised.
    Unknown,
}

impl Framework {
    /// Stable id: `sglang`, `vllm`, `trtllm`, `tokenspeed`, `unknown`.
    #[must_use]
    pub fn id(self) -> &'static str {
        match self {
            Framework::Sglang => "sglang",
            Framework::Vllm => "vllm",
            Framework::Trtllm => "trtllm",
            Framework::Tokenspeed => "tokenspeed",
            Framework::Unknown => "unknown",
        }
    }

    /// Display name.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Framework::Sglang => "SGLang",
            Framework::Vllm => "vLLM",
            Framework::Trtllm => "TensorRT-LLM",
            Framework::Tokenspeed => "TokenSpeed",
            Framework::Unknown => "unknown",
        }
    }

    /// Parses a user's choice, with the seed tool's aliases (`sgl`, `tllm`, `tensorrt-llm`, `ts`, …).
    /// `auto` and the empty string give `None` (detect).
    #[must_use]
    pub fn parse(text: &str) -> Option<Option<Framework>> {
        let t = text.trim().to_ascii_lowercase().replace('_', "-");
        Some(match t.as_str() {
            "" | "auto" => None,
            "sglang" | "sgl" => Some(Framework::Sglang),
            "vllm" => Some(Framework::Vllm),
            "trt" | "tllm" | "trtllm" | "tensorrt-llm" | "tensorrtllm" => Some(Framework::Trtllm),
            "tokenspeed" | "token-speed" | "ts" => Some(Framework::Tokenspeed),
            "unknown" | "none" => Some(Framework::Unknown),
            _ => return None,
        })
    }
}

/// Hints in a piece of text (a path, a process name); `None` when it names no framework.
#[must_use]
pub fn from_text(text: &str) -> Option<Framework> {
    let t = text.to_ascii_lowercase();
    if t.contains("tokenspeed") || t.contains("token-speed") {
        Some(Framework::Tokenspeed)
    } else if t.contains("tensorrt_llm")
        || t.contains("tensorrt-llm")
        || t.contains("trtllm")
        || t.contains("pyexecutor")
    {
        Some(Framework::Trtllm)
    } else if t.contains("vllm") {
        Some(Framework::Vllm)
    } else if t.contains("sglang") || t.contains("sgl_kernel") || t.contains("sgl-kernel") {
        Some(Framework::Sglang)
    } else {
        None
    }
}

/// Evidence in the trace: Python frames (weight 2 per distinct frame), process names
/// (weight 10) and operator namespaces (weight 1 per distinct op). The framework with the
/// most evidence wins if it has at least 3 points; TokenSpeed (which carries SGLang code)
/// wins whenever it has that much.
#[must_use]
pub fn from_trace(trace: &Trace) -> Option<Framework> {
    let mut score = [0u32; 4];
    let mut add = |f: Framework, w: u32| {
        let i = match f {
            Framework::Sglang => 0,
            Framework::Vllm => 1,
            Framework::Trtllm => 2,
            Framework::Tokenspeed => 3,
            Framework::Unknown => return,
        };
        if let Some(s) = score.get_mut(i) {
            *s = s.saturating_add(w);
        }
    };
    for s in crate::order::distinct_syms(&trace.python.name, trace.strings.len()) {
        let name = trace.str(s);
        // Only the path part: function names like `vllm_compat` say little.
        let path = name.split('(').next().unwrap_or(name);
        if let Some(f) = from_text(path) {
            add(f, 2);
        }
    }
    for &(_, s) in &trace.tracks.process_names {
        if let Some(f) = from_text(trace.str(s)) {
            add(f, 10);
        }
    }
    for s in crate::order::distinct_syms(&trace.cpu_ops.name, trace.strings.len()) {
        let name = trace.str(s);
        if let Some((ns, _)) = name.split_once("::")
            && let Some(f) = from_text(ns)
        {
            add(f, 1);
        }
    }
    let [sglang, vllm, trtllm, tokenspeed] = score;
    if tokenspeed >= 3 {
        return Some(Framework::Tokenspeed);
    }
    let best = [(trtllm, Framework::Trtllm), (vllm, Framework::Vllm), (sglang, Framework::Sglang)]
        .into_iter()
        .max_by_key(|&(s, _)| s)?;
    (best.0 >= 3).then_some(best.1)
}

/// `server_args.json` (SGLang `/server_info`, or any engine's saved arguments).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ServerArgs {
    /// Top-level keys, sorted.
    pub keys: Vec<String>,
    /// The whole file, lower-cased (for text hints).
    pub text: String,
    /// `model_path`, else `model`, else `served_model_name`.
    pub model: Option<String>,
    /// `tp_size`, else `tensor_parallel_size`, else `tp`.
    pub tp_size: Option<i64>,
}

impl ServerArgs {
    /// Parses the file; `None` when it is not a JSON object.
    #[must_use]
    pub fn parse(text: &str) -> Option<ServerArgs> {
        let value: serde_json::Value = serde_json::from_str(text).ok()?;
        let obj = value.as_object()?;
        let mut keys: Vec<String> = obj.keys().cloned().collect();
        crate::order::sort_by(&mut keys, Ord::cmp);
        let string =
            |k: &str| obj.get(k).and_then(|v| v.as_str()).map(str::to_owned).filter(|s| !s.is_empty());
        let int = |k: &str| {
            obj.get(k).and_then(|v| v.as_i64().or_else(|| v.as_str().and_then(|s| s.trim().parse().ok())))
        };
        Some(ServerArgs {
            keys,
            text: text.to_ascii_lowercase(),
            model: string("model_path").or_else(|| string("model")).or_else(|| string("served_model_name")),
            tp_size: int("tp_size").or_else(|| int("tensor_parallel_size")).or_else(|| int("tp")),
        })
    }

    /// The framework these arguments belong to, from their keys (the seed's rules plus
    /// vLLM and TensorRT-LLM keys).
    #[must_use]
    pub fn framework(&self) -> Option<Framework> {
        let has = |k: &[&str]| k.iter().any(|k| self.keys.iter().any(|x| x == k));
        if self.text.contains("tokenspeed")
            || has(&[
                "attn_tp_size",
                "dense_tp_size",
                "moe_tp_size",
                "enable_mla_l1_5_cache",
                "mla_chunk_multiplier",
            ])
        {
            return Some(Framework::Tokenspeed);
        }
        if has(&["kv_cache_free_gpu_memory_fraction", "extra_llm_api_options", "max_num_tokens"]) {
            return Some(Framework::Trtllm);
        }
        if has(&["tensor_parallel_size", "gpu_memory_utilization", "enforce_eager", "max_model_len"]) {
            return Some(Framework::Vllm);
        }
        if has(&[
            "attention_backend",
            "sampling_backend",
            "disable_cuda_graph",
            "chunked_prefill_size",
            "schedule_policy",
        ]) {
            return Some(Framework::Sglang);
        }
        from_text(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases() {
        assert_eq!(Framework::parse("auto"), Some(None));
        assert_eq!(Framework::parse("SGL"), Some(Some(Framework::Sglang)));
        assert_eq!(Framework::parse("tensorrt_llm"), Some(Some(Framework::Trtllm)));
        assert_eq!(Framework::parse("token-speed"), Some(Some(Framework::Tokenspeed)));
        assert_eq!(Framework::parse("pytorch"), None);
    }

    #[test]
    fn server_args() {
        let a = ServerArgs::parse(
            r#"{"model_path": "Qwen/Qwen3-30B-A3B", "tp_size": 4, "attention_backend": "fa3"}"#,
        )
        .expect("object");
        assert_eq!(a.model.as_deref(), Some("Qwen/Qwen3-30B-A3B"));
        assert_eq!(a.tp_size, Some(4));
        assert_eq!(a.framework(), Some(Framework::Sglang));
        let v = ServerArgs::parse(r#"{"model": "openai/gpt-oss-120b", "tensor_parallel_size": "8"}"#)
            .expect("object");
        assert_eq!((v.tp_size, v.framework()), (Some(8), Some(Framework::Vllm)));
        assert!(ServerArgs::parse("[1,2]").is_none());
        assert_eq!(ServerArgs::parse("{}").and_then(|a| a.framework()), None);
    }

    #[test]
    fn text_hints() {
        assert_eq!(from_text("/runs/sglang_profile/x.json"), Some(Framework::Sglang));
        assert_eq!(from_text("rank0.vllm.pt.trace.json"), Some(Framework::Vllm));
        assert_eq!(from_text("/data/resnet/worker0.pt.trace.json"), None);
    }
}
