//! What differs between the four servers: how to recognise them, the `/start_profile`
//! body each expects, where each writes its traces, who bounds the number of profiled
//! steps, and what to tell the user when a precondition is not met.

use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::options::StageKind;

/// A serving framework the relay can drive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// SGLang (`/generate`, `/server_info`, `/start_profile` with `output_dir`).
    Sglang,
    /// vLLM (OpenAI API; profiler endpoints only with `--profiler-config`).
    Vllm,
    /// TensorRT-LLM `trtllm-serve` (OpenAI API; fixed trace path).
    Trtllm,
    /// TokenSpeed (OpenAI API; `/start_profile` with `output_dir` and `profile_id`).
    Tokenspeed,
}

impl Kind {
    /// Stable id: `sglang`, `vllm`, `trtllm`, `tokenspeed`.
    #[must_use]
    pub fn id(self) -> &'static str {
        self.engine().id()
    }

    /// Display name.
    #[must_use]
    pub fn label(self) -> &'static str {
        self.engine().label()
    }

    /// The engine's framework value.
    #[must_use]
    pub fn engine(self) -> report::engine::analysis::framework::Framework {
        use report::engine::analysis::framework::Framework;
        match self {
            Kind::Sglang => Framework::Sglang,
            Kind::Vllm => Framework::Vllm,
            Kind::Trtllm => Framework::Trtllm,
            Kind::Tokenspeed => Framework::Tokenspeed,
        }
    }

    /// The framework named by `/v1/models`' `owned_by`.
    #[must_use]
    pub fn from_owned_by(owned_by: &str) -> Option<Kind> {
        let o = owned_by.trim().to_ascii_lowercase();
        match o.as_str() {
            "sglang" => Some(Kind::Sglang),
            "vllm" => Some(Kind::Vllm),
            "tensorrt_llm" | "tensorrt-llm" | "trtllm" | "trt-llm" => Some(Kind::Trtllm),
            "tokenspeed" | "token-speed" => Some(Kind::Tokenspeed),
            _ => None,
        }
    }

    /// Whether the server writes into a folder the relay names (`output_dir`). Otherwise it
    /// writes where it was configured to, and the relay needs `server_trace_path`.
    #[must_use]
    pub fn takes_output_dir(self) -> bool {
        matches!(self, Kind::Sglang | Kind::Tokenspeed)
    }

    /// Whether the server stops the profiler by itself after `num_steps` (SGLang). For the
    /// others the relay bounds the profiled steps from the client side.
    #[must_use]
    pub fn server_bounds_steps(self) -> bool {
        matches!(self, Kind::Sglang)
    }

    /// Whether the probes use SGLang's native `/generate` (else the OpenAI API).
    #[must_use]
    pub fn native_generate(self) -> bool {
        matches!(self, Kind::Sglang)
    }

    /// The `/start_profile` body; `None` means an empty POST (vLLM, TensorRT-LLM).
    ///
    /// SGLang: `num_steps` is a string holding `steps + 1` (SGLang counts the forward that
    /// trips the stop condition, so one guard step is added), `output_dir` is the stage
    /// folder, `profile_by_stage` is off because the folder names the stage.
    #[must_use]
    pub fn start_body(self, dir: &Path, prefix: &str, stage: StageKind, steps: u32) -> Option<Value> {
        let dir = dir.to_string_lossy();
        let profile_id = format!("{prefix}-{}", stage.id());
        match self {
            Kind::Sglang => Some(json!({
                "output_dir": dir,
                "num_steps": (steps + 1).to_string(),
                "activities": ["CPU", "GPU"],
                "with_stack": true,
                "record_shapes": false,
                "profile_by_stage": false,
                "merge_profiles": false,
                "profile_prefix": profile_id,
            })),
            Kind::Tokenspeed => Some(json!({
                "output_dir": dir,
                "activities": ["CPU", "GPU"],
                "with_stack": true,
                "record_shapes": false,
                "profile_id": profile_id,
            })),
            Kind::Vllm | Kind::Trtllm => None,
        }
    }

    /// What to change when `/start_profile` fails with `status`.
    #[must_use]
    pub fn start_hint(self, status: u16) -> String {
        match (self, status) {
            (Kind::Vllm, 404 | 405) => {
                "vLLM exposes /start_profile only when the server was started with the torch \
                 profiler enabled: restart it with --profiler-config '{\"profiler\": \"torch\", \
                 \"torch_profiler_dir\": \"/shared/traces\"}' (vLLM 0.10 and older: environment \
                 VLLM_TORCH_PROFILER_DIR=/shared/traces) and pass the same folder, as this machine sees it, \
                 as --server-trace-path"
                    .to_owned()
            }
            (Kind::Vllm, _) => "vLLM could not start its profiler; the server log says why (a profile may \
                 already be running: POST /stop_profile ends it)"
                .to_owned(),
            (Kind::Trtllm, 404 | 405) => {
                "this trtllm-serve has no /start_profile: it needs a TensorRT-LLM version \
                 with the profiler control endpoints, started (PyTorch backend) with the environment \
                 TLLM_PROFILE_START_STOP=<start>-<stop> (e.g. 1-100000) and \
                 TLLM_TORCH_PROFILE_TRACE=/shared/traces/trace.json; pass that file path as \
                 --server-trace-path. Without the endpoints, capture with those variables alone and run \
                 `tracetriage triage` on the file"
                    .to_owned()
            }
            (Kind::Trtllm, _) => "TensorRT-LLM could not start its profiler: check that the server has \
                 TLLM_PROFILE_START_STOP and TLLM_TORCH_PROFILE_TRACE set (the server log says why)"
                .to_owned(),
            (Kind::Tokenspeed, 404 | 405) => {
                "this TokenSpeed server has no /start_profile and /stop_profile \
                 endpoints; use a TokenSpeed version that has them, or capture with `tokenspeed bench serve \
                 --profile` and run `tracetriage triage` on the files"
                    .to_owned()
            }
            (Kind::Tokenspeed, _) => {
                "TokenSpeed could not start its profiler (a profile may already be running: \
                 POST /stop_profile ends it)"
                    .to_owned()
            }
            (Kind::Sglang, 404 | 405) => {
                "this SGLang server has no /start_profile; use an SGLang version with the \
                 HTTP profiler endpoints (2024 or later)"
                    .to_owned()
            }
            (Kind::Sglang, _) => "SGLang could not start its profiler: another profile may be running (POST \
                 /stop_profile ends it), or the server cannot write to the capture folder (the server \
                 writes the trace itself, so --out must be a folder it sees at the same path)"
                .to_owned(),
        }
    }

    /// How the number of profiled decode steps is bounded, in words (printed with the plan).
    #[must_use]
    pub fn decode_bound(self, steps: u32) -> String {
        if self.server_bounds_steps() {
            format!(
                "server-side: SGLang stops after num_steps=\"{}\" forwards ({steps} plus one guard step), \
                 armed once the request is decoding",
                steps + 1
            )
        } else {
            format!(
                "client-side: {} does not bound the profiled steps, so the relay arms the profiler while the \
                 streamed decode request is running and sends /stop_profile after {} more streamed tokens \
                 ({steps} steps plus one for tokens already in flight), then closes the request",
                self.label(),
                steps + 1
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_bodies() {
        let d = Path::new("/cap/prefill");
        let s = Kind::Sglang.start_body(d, "tt", StageKind::Prefill, 5).unwrap();
        assert_eq!(s["num_steps"], "6");
        assert_eq!(s["profile_prefix"], "tt-prefill");
        assert_eq!(s["output_dir"], "/cap/prefill");
        assert_eq!(s["profile_by_stage"], false);
        let t = Kind::Tokenspeed.start_body(d, "tt", StageKind::Decode, 5).unwrap();
        assert_eq!(t["profile_id"], "tt-decode");
        assert!(t.get("num_steps").is_none());
        assert!(Kind::Vllm.start_body(d, "tt", StageKind::Decode, 5).is_none());
        assert!(Kind::Trtllm.start_body(d, "tt", StageKind::Decode, 5).is_none());
    }

    #[test]
    fn owned_by_names() {
        assert_eq!(Kind::from_owned_by("vllm"), Some(Kind::Vllm));
        assert_eq!(Kind::from_owned_by("tensorrt_llm"), Some(Kind::Trtllm));
        assert_eq!(Kind::from_owned_by("openai"), None);
    }

    #[test]
    fn hints_name_the_flags() {
        assert!(Kind::Vllm.start_hint(404).contains("--profiler-config"));
        assert!(Kind::Trtllm.start_hint(404).contains("TLLM_PROFILE_START_STOP"));
        assert!(Kind::Trtllm.start_hint(404).contains("TLLM_TORCH_PROFILE_TRACE"));
    }
}
