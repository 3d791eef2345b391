//! Serving stages (extend/prefill, decode, mixed…) and how a stage was decided, plus the
//! stage a file path names.

use serde::{Deserialize, Serialize};

/// A serving stage.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Extend / prefill: prompt processing.
    Prefill,
    /// Decode: one token per request per step.
    Decode,
    /// Steps that mix prefill and decode work (chunked prefill, vLLM mixed batches).
    Mixed,
    /// The trace says nothing about stages.
    All,
    /// Work outside every stage window of a trace that has windows.
    Other,
}

impl Stage {
    /// The label used in headings: `extend/prefill`, `decode`, `mixed`, `all`, and
    /// `outside steps` for work outside every step window (its JSON name stays `other`).
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Stage::Prefill => "extend/prefill",
            Stage::Decode => "decode",
            Stage::Mixed => "mixed",
            Stage::All => "all",
            Stage::Other => "outside steps",
        }
    }
}

/// Where a stage decision came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StageSource {
    /// The file or directory name (`…-TP-0-DECODE.trace.json.gz`, `prefill/`).
    Path,
    /// Step annotations in the trace.
    Annotations,
    /// Neither: one `all` section.
    None,
}

/// The stage a file path names, if any: the file name first, then up to three parent
/// directories. Stage words must be whole tokens (`decoder` is not `decode`), and a
/// component naming two stages says nothing.
#[must_use]
pub fn stage_from_path(path: &str) -> Option<Stage> {
    let parts: Vec<&str> = path.split(['/', '\\']).filter(|p| !p.is_empty()).collect();
    for part in parts.iter().rev().take(4) {
        let lower = part.to_ascii_lowercase();
        let tokens: Vec<&str> = lower.split(|c: char| !c.is_ascii_alphanumeric()).collect();
        let prefill = tokens.iter().any(|t| matches!(*t, "extend" | "prefill"));
        let decode = tokens.contains(&"decode");
        match (prefill, decode) {
            (true, false) => return Some(Stage::Prefill),
            (false, true) => return Some(Stage::Decode),
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths() {
        assert_eq!(
            stage_from_path("/runs/bs-128-il-2048-1779044554.08832-TP-0-DECODE.trace.json.gz"),
            Some(Stage::Decode)
        );
        assert_eq!(stage_from_path("a/x-TP-0-EXTEND.trace.json.gz"), Some(Stage::Prefill));
        assert_eq!(stage_from_path("/w/prefill/123/rank0.pt.trace.json.gz"), Some(Stage::Prefill));
        assert_eq!(stage_from_path("/w/decode/rank0.pt.trace.json.gz"), Some(Stage::Decode));
        assert_eq!(stage_from_path("trace-prefill.json"), Some(Stage::Prefill));
        assert_eq!(stage_from_path("/w/encoder_decoder/run.json"), None);
        assert_eq!(stage_from_path("/w/decoder/run.json"), None);
        assert_eq!(stage_from_path("sglang_gb300_qwen3-30b-a3b_tp4_cudagraph_bs16-TP-0.trace.json.gz"), None);
        // The file name wins over its directory (the seed let `_prefill` anywhere win).
        assert_eq!(stage_from_path("/w/prefill/x-DECODE.trace.json.gz"), Some(Stage::Decode));
        // A component naming both stages says nothing; look further up.
        assert_eq!(stage_from_path("/w/decode/prefill_vs_decode.json"), Some(Stage::Decode));
    }
}
