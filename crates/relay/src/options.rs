//! What a capture is asked to do: the server, the workload, the budget and the timing
//! knobs. The same struct is filled from the command line and from the browser API's
//! JSON (every field has a default, so the API accepts partial objects).

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// The framework a user names (`auto` asks the server).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum FrameworkChoice {
    /// Ask the server (`/v1/models` `owned_by`, then `/server_info`).
    Auto,
    /// SGLang.
    Sglang,
    /// vLLM.
    Vllm,
    /// TensorRT-LLM (`trtllm-serve`, PyTorch backend).
    Trtllm,
    /// TokenSpeed.
    Tokenspeed,
}

/// Which stage workloads to capture.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Workload {
    /// Prefill, then decode (two captures, one folder each).
    Both,
    /// Long prompts, one output token each.
    Prefill,
    /// One short prompt, many output tokens.
    Decode,
}

/// One stage capture.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StageKind {
    /// Prefill (extend).
    Prefill,
    /// Decode.
    Decode,
}

impl StageKind {
    /// `prefill` or `decode`: the folder name and the word in file names.
    #[must_use]
    pub fn id(self) -> &'static str {
        match self {
            StageKind::Prefill => "prefill",
            StageKind::Decode => "decode",
        }
    }
}

impl Workload {
    /// The stages to capture, in order.
    #[must_use]
    pub fn stages(self) -> &'static [StageKind] {
        match self {
            Workload::Both => &[StageKind::Prefill, StageKind::Decode],
            Workload::Prefill => &[StageKind::Prefill],
            Workload::Decode => &[StageKind::Decode],
        }
    }
}

/// Everything a capture needs to know (see docs/relay-api.md for the JSON form).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CaptureOptions {
    /// Base URL of the inference server, e.g. `http://127.0.0.1:30000`.
    pub url: String,
    /// Framework of the server.
    pub framework: FrameworkChoice,
    /// Stages to capture.
    pub workload: Workload,
    /// Prompt length of the prefill workload (tokens; calibrated from the warm-up).
    pub prefill_input_len: u32,
    /// Output tokens per prefill request.
    pub prefill_output_len: u32,
    /// Prompt length of the decode workload (tokens).
    pub decode_input_len: u32,
    /// Output tokens of the decode request.
    pub decode_output_len: u32,
    /// Warm-up steps before the profiler is armed.
    pub warmup_steps: u32,
    /// Profiled steps per stage (prefill: requests; decode: decode steps).
    pub num_steps: u32,
    /// Name prefix of the trace files (SGLang `profile_prefix`, TokenSpeed `profile_id`).
    pub prefix: String,
    /// Where the server writes its traces, as this machine sees it: vLLM's
    /// `torch_profiler_dir`, TensorRT-LLM's `TLLM_TORCH_PROFILE_TRACE` file. SGLang and
    /// TokenSpeed write into the capture folder and need none.
    pub server_trace_path: Option<PathBuf>,
    /// Budget for the estimated size of one stage's trace, as JSON text in MB.
    pub max_trace_mb: f64,
    /// How long to wait for the trace to be flushed, in seconds (`None`: from the estimate,
    /// at least 60 s).
    pub flush_timeout_s: Option<f64>,
    /// How long a complete trace file must stay unchanged before it counts as flushed (ms).
    pub settle_ms: u64,
    /// How often the trace folder is looked at while waiting (ms).
    pub poll_ms: u64,
    /// Timeout of one HTTP request to the server (seconds).
    pub request_timeout_s: f64,
    /// Triage every rank's trace, not only the lowest rank's.
    pub all_ranks: bool,
    /// Hide kernel rows below this share of GPU time (percent).
    pub min_share: f64,
}

impl Default for CaptureOptions {
    fn default() -> Self {
        CaptureOptions {
            url: String::new(),
            framework: FrameworkChoice::Auto,
            workload: Workload::Both,
            prefill_input_len: 4090,
            prefill_output_len: 1,
            decode_input_len: 1,
            decode_output_len: 2048,
            warmup_steps: 10,
            num_steps: 5,
            prefix: "tracetriage".to_owned(),
            server_trace_path: None,
            max_trace_mb: 500.0,
            flush_timeout_s: None,
            settle_ms: 1000,
            poll_ms: 200,
            request_timeout_s: 300.0,
            all_ranks: false,
            min_share: 1.0,
        }
    }
}

impl CaptureOptions {
    /// Checks the values; the message says which one is wrong and what is allowed.
    ///
    /// # Errors
    /// The first bad value.
    pub fn validate(&self) -> Result<(), String> {
        let url = self.url.trim();
        if url.is_empty() {
            return Err(
                "no server URL: give the inference server's address, e.g. http://127.0.0.1:30000".into()
            );
        }
        if url.starts_with("https://") {
            return Err(format!(
                "{url}: this relay speaks plain HTTP only; reach the server over http:// (for a remote \
                 server, through an SSH tunnel such as `ssh -L 30000:127.0.0.1:30000 host`)"
            ));
        }
        if !url.starts_with("http://") {
            return Err(format!("{url}: the server URL must start with http://"));
        }
        let positive = [
            ("prefill input length", self.prefill_input_len),
            ("prefill output length", self.prefill_output_len),
            ("decode input length", self.decode_input_len),
            ("decode output length", self.decode_output_len),
            ("number of steps", self.num_steps),
        ];
        for (name, v) in positive {
            if v == 0 {
                return Err(format!("the {name} must be at least 1"));
            }
        }
        if self.workload != Workload::Prefill && self.decode_output_len < self.num_steps + 4 {
            return Err(format!(
                "the decode output length ({}) must exceed the profiled steps ({}) by at least 4: the \
                 profiler is armed once the request is decoding",
                self.decode_output_len, self.num_steps
            ));
        }
        if !(self.max_trace_mb > 0.0 && self.max_trace_mb.is_finite()) {
            return Err(format!(
                "the trace budget must be a positive number of MB, got {}",
                self.max_trace_mb
            ));
        }
        if let Some(t) = self.flush_timeout_s
            && !(t > 0.0 && t.is_finite())
        {
            return Err(format!("the flush timeout must be a positive number of seconds, got {t}"));
        }
        if !(self.request_timeout_s > 0.0 && self.request_timeout_s.is_finite()) {
            return Err(format!(
                "the request timeout must be a positive number of seconds, got {}",
                self.request_timeout_s
            ));
        }
        if !(0.0..=100.0).contains(&self.min_share) {
            return Err(format!("the minimum share must be between 0 and 100, got {}", self.min_share));
        }
        if self.prefix.is_empty()
            || !self.prefix.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        {
            return Err(format!(
                "the file prefix {:?} must be non-empty and use only letters, digits, '-', '_' and '.'",
                self.prefix
            ));
        }
        if self.poll_ms == 0 {
            return Err("the poll interval must be at least 1 ms".into());
        }
        Ok(())
    }

    /// The URL without trailing slashes.
    #[must_use]
    pub fn base_url(&self) -> String {
        self.url.trim().trim_end_matches('/').to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_follow_the_seed_protocol() {
        let o = CaptureOptions { url: "http://127.0.0.1:30000/".into(), ..CaptureOptions::default() };
        assert_eq!((o.prefill_input_len, o.prefill_output_len), (4090, 1));
        assert_eq!((o.decode_input_len, o.decode_output_len), (1, 2048));
        assert_eq!((o.warmup_steps, o.num_steps), (10, 5));
        assert_eq!(o.validate(), Ok(()));
        assert_eq!(o.base_url(), "http://127.0.0.1:30000");
    }

    #[test]
    fn bad_values_are_named() {
        let base = CaptureOptions { url: "http://h:1".into(), ..CaptureOptions::default() };
        let e = CaptureOptions { url: "https://h".into(), ..base.clone() }.validate().unwrap_err();
        assert!(e.contains("plain HTTP"), "{e}");
        let e = CaptureOptions { num_steps: 0, ..base.clone() }.validate().unwrap_err();
        assert!(e.contains("number of steps"), "{e}");
        let e = CaptureOptions { prefix: "../x".into(), ..base.clone() }.validate().unwrap_err();
        assert!(e.contains("prefix"), "{e}");
        let e = CaptureOptions { decode_output_len: 6, ..base }.validate().unwrap_err();
        assert!(e.contains("decode output length"), "{e}");
    }

    #[test]
    fn json_accepts_partial_objects_and_refuses_unknown_keys() {
        let o: CaptureOptions =
            serde_json::from_str(r#"{"url": "http://x:1", "workload": "decode"}"#).unwrap();
        assert_eq!((o.workload, o.num_steps), (Workload::Decode, 5));
        assert!(serde_json::from_str::<CaptureOptions>(r#"{"urll": "x"}"#).is_err());
    }
}
