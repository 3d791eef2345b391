//! What a capture is asked to do: the server, the workload, the budget and the timing
//! knobs. One struct is both the command line of `tracetriage-relay capture` (clap) and
//! the browser API's JSON (serde; every field has a default, so the API accepts partial
//! objects). The defaults are written once, in [`defaults`], and read by both.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

pub use report::live::StageKind;

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

/// The defaults of [`CaptureOptions`]: clap's `default_value_t` and [`Default`] (hence
/// the API's JSON, whose missing fields take them) both read these.
pub mod defaults {
    use super::{FrameworkChoice, Workload};

    /// Framework: ask the server.
    pub const FRAMEWORK: FrameworkChoice = FrameworkChoice::Auto;
    /// Stages: prefill, then decode.
    pub const WORKLOAD: Workload = Workload::Both;
    /// Prompt tokens of each prefill request.
    pub const PREFILL_INPUT_LEN: u32 = 4090;
    /// Output tokens of each prefill request.
    pub const PREFILL_OUTPUT_LEN: u32 = 1;
    /// Prompt tokens of the decode request.
    pub const DECODE_INPUT_LEN: u32 = 1;
    /// Output tokens of the decode request.
    pub const DECODE_OUTPUT_LEN: u32 = 2048;
    /// Warm-up steps.
    pub const WARMUP_STEPS: u32 = 10;
    /// Profiled steps per stage.
    pub const NUM_STEPS: u32 = 5;
    /// Trace file prefix.
    pub const PREFIX: &str = "tracetriage";
    /// Trace budget, MB.
    pub const MAX_TRACE_MB: f64 = 500.0;
    /// Settle time, ms.
    pub const SETTLE_MS: u64 = 1000;
    /// Poll interval, ms.
    pub const POLL_MS: u64 = 200;
    /// Request timeout, seconds.
    pub const REQUEST_TIMEOUT_S: f64 = 300.0;
    /// Kernel-row cutoff, percent.
    pub const MIN_SHARE: f64 = 1.0;
}

/// Everything a capture needs to know: the options of `tracetriage-relay capture` and the
/// body of `POST /api/v1/captures` (docs/relay-api.md; the page sends
/// [`report::live::CaptureRequest`], a part of it).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, clap::Args)]
#[serde(default, deny_unknown_fields)]
pub struct CaptureOptions {
    /// Base URL of the inference server, e.g. http://127.0.0.1:30000 (not with
    /// --mapping-url/--formal-url).
    #[arg(long, default_value = "", hide_default_value = true)]
    pub url: String,
    /// Two-server capture: the server started with CUDA/HIP graphs off (SGLang
    /// --disable-cuda-graph --disable-piecewise-cuda-graph, vLLM --enforce-eager), whose
    /// eager launches map graph-replayed kernels to their source. Needs --formal-url.
    #[arg(long, value_name = "URL", requires = "formal_url", conflicts_with = "url")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mapping_url: Option<String>,
    /// Two-server capture: the same model served with the real serving flags (graphs on),
    /// whose timing the report shows. Needs --mapping-url.
    #[arg(long, value_name = "URL", requires = "mapping_url", conflicts_with = "url")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub formal_url: Option<String>,
    /// Serving framework (auto asks the server).
    #[arg(long, value_enum, default_value_t = defaults::FRAMEWORK)]
    pub framework: FrameworkChoice,
    /// Stages to capture.
    #[arg(long, value_enum, default_value_t = defaults::WORKLOAD)]
    pub workload: Workload,
    /// Prompt tokens of each prefill request (calibrated from the warm-up).
    #[arg(long, default_value_t = defaults::PREFILL_INPUT_LEN)]
    pub prefill_input_len: u32,
    /// Output tokens of each prefill request.
    #[arg(long, default_value_t = defaults::PREFILL_OUTPUT_LEN)]
    pub prefill_output_len: u32,
    /// Prompt tokens of the decode request.
    #[arg(long, default_value_t = defaults::DECODE_INPUT_LEN)]
    pub decode_input_len: u32,
    /// Output tokens of the decode request.
    #[arg(long, default_value_t = defaults::DECODE_OUTPUT_LEN)]
    pub decode_output_len: u32,
    /// Warm-up steps before the profiler is armed.
    #[arg(long, default_value_t = defaults::WARMUP_STEPS)]
    pub warmup_steps: u32,
    /// Profiled steps per stage (prefill: requests; decode: decode steps).
    #[arg(long, default_value_t = defaults::NUM_STEPS)]
    pub num_steps: u32,
    /// Trace file prefix (SGLang profile_prefix, TokenSpeed profile_id).
    #[arg(long, default_value = defaults::PREFIX)]
    pub prefix: String,
    /// Where the server writes traces, as this machine sees it: vLLM's torch_profiler_dir,
    /// or TensorRT-LLM's TLLM_TORCH_PROFILE_TRACE file (SGLang and TokenSpeed write into
    /// the capture folder and need none).
    #[arg(long)]
    pub server_trace_path: Option<PathBuf>,
    /// Where the server wrote its graph-capture traces at start-up, as this machine sees it
    /// (a `capture_traces/` or `graph_capture_profile/` folder, or the folder holding one).
    /// They are copied (never moved) into the capture folder and make the report's graph
    /// attribution exact. Without it, those beside --server-trace-path are taken.
    #[arg(long, value_name = "DIR")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capture_traces: Option<PathBuf>,
    /// The inference server's log, as this machine sees it. Diffusion backend gate: when it
    /// says the run used the diffusers backend (`Falling back to diffusers backend`, `Using
    /// diffusers backend`, `Loaded diffusers pipeline`), the capture's triage is refused
    /// (the traces are kept). Without it, a `server.log` (else `*.log`) beside the captured
    /// traces is read.
    #[arg(long, value_name = "FILE")]
    pub server_log: Option<PathBuf>,
    /// Budget for one trace's estimated JSON size, MB; bigger plans are shrunk or refused.
    #[arg(long, default_value_t = defaults::MAX_TRACE_MB)]
    pub max_trace_mb: f64,
    /// Seconds to wait for the trace to be flushed (default: from the estimate, at least
    /// 60).
    #[arg(long = "flush-timeout", value_name = "SECONDS")]
    pub flush_timeout_s: Option<f64>,
    /// A complete trace must stay unchanged this long (ms) to count as flushed.
    #[arg(long, default_value_t = defaults::SETTLE_MS)]
    pub settle_ms: u64,
    /// How often to look at the trace while it is written (ms).
    #[arg(long, default_value_t = defaults::POLL_MS)]
    pub poll_ms: u64,
    /// Timeout of one request to the server (seconds).
    #[arg(long = "request-timeout", value_name = "SECONDS", default_value_t = defaults::REQUEST_TIMEOUT_S)]
    pub request_timeout_s: f64,
    /// Triage every rank's trace, not only the lowest rank's.
    #[arg(long)]
    pub all_ranks: bool,
    /// Hide kernel rows below this share of GPU time (percent).
    #[arg(long, default_value_t = defaults::MIN_SHARE)]
    pub min_share: f64,
}

impl Default for CaptureOptions {
    fn default() -> Self {
        CaptureOptions {
            url: String::new(),
            mapping_url: None,
            formal_url: None,
            framework: defaults::FRAMEWORK,
            workload: defaults::WORKLOAD,
            prefill_input_len: defaults::PREFILL_INPUT_LEN,
            prefill_output_len: defaults::PREFILL_OUTPUT_LEN,
            decode_input_len: defaults::DECODE_INPUT_LEN,
            decode_output_len: defaults::DECODE_OUTPUT_LEN,
            warmup_steps: defaults::WARMUP_STEPS,
            num_steps: defaults::NUM_STEPS,
            prefix: defaults::PREFIX.to_owned(),
            server_trace_path: None,
            capture_traces: None,
            server_log: None,
            max_trace_mb: defaults::MAX_TRACE_MB,
            flush_timeout_s: None,
            settle_ms: defaults::SETTLE_MS,
            poll_ms: defaults::POLL_MS,
            request_timeout_s: defaults::REQUEST_TIMEOUT_S,
            all_ranks: false,
            min_share: defaults::MIN_SHARE,
        }
    }
}

impl CaptureOptions {
    /// Checks the values; the message says which one is wrong and what is allowed.
    ///
    /// # Errors
    /// The first bad value.
    pub fn validate(&self) -> Result<(), String> {
        match self.pair() {
            Some((mapping, formal)) => {
                if !self.url.trim().is_empty() {
                    return Err("give either --url (one server) or --mapping-url and --formal-url (two \
                         servers), not both"
                        .into());
                }
                check_url(mapping)?;
                check_url(formal)?;
                if mapping.trim().trim_end_matches('/') == formal.trim().trim_end_matches('/') {
                    return Err(format!(
                        "--mapping-url and --formal-url are the same server ({mapping}): the mapping server \
                         runs with CUDA graphs off, the formal one with the real serving flags"
                    ));
                }
            }
            None if self.mapping_url.is_some() || self.formal_url.is_some() => {
                return Err("a two-server capture needs both --mapping-url (graphs off) and --formal-url \
                     (graphs on)"
                    .into());
            }
            None => check_url(&self.url)?,
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

    /// The two servers of a mapping + formal capture, when both are given.
    #[must_use]
    pub fn pair(&self) -> Option<(&str, &str)> {
        Some((self.mapping_url.as_deref()?, self.formal_url.as_deref()?))
    }

    /// The URL without trailing slashes.
    #[must_use]
    pub fn base_url(&self) -> String {
        self.url.trim().trim_end_matches('/').to_owned()
    }
}

/// Checks one server URL: present, plain HTTP.
fn check_url(url: &str) -> Result<(), String> {
    let url = url.trim();
    if url.is_empty() {
        return Err("no server URL: give the inference server's address, e.g. http://127.0.0.1:30000".into());
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
    Ok(())
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

    /// The command line without options, the API's JSON without options and `Default` are
    /// one set of defaults.
    #[test]
    fn clap_json_and_default_agree() {
        use clap::Parser;
        #[derive(Parser)]
        struct Cli {
            #[command(flatten)]
            options: CaptureOptions,
        }
        let url = "http://127.0.0.1:30000";
        let cli = Cli::try_parse_from(["capture", "--url", url]).unwrap().options;
        let json: CaptureOptions = serde_json::from_str(&format!(r#"{{"url": "{url}"}}"#)).unwrap();
        let default = CaptureOptions { url: url.into(), ..CaptureOptions::default() };
        assert_eq!(cli, default);
        assert_eq!(json, default);
        let renamed =
            Cli::try_parse_from(["c", "--url", url, "--flush-timeout", "9", "--request-timeout", "7"])
                .unwrap()
                .options;
        assert_eq!((renamed.flush_timeout_s, renamed.request_timeout_s), (Some(9.0), 7.0));
    }

    /// What the page sends is a part of these options.
    #[test]
    fn the_pages_request_is_accepted() {
        let request = report::live::CaptureRequest {
            url: "http://h:1".into(),
            framework: Some("vllm".into()),
            workload: Some("decode".into()),
            num_steps: Some(3),
            warmup_steps: Some(2),
            decode_output_len: Some(64),
            max_trace_mb: Some(50.0),
            server_trace_path: Some("/tmp/t".into()),
            mapping_url: None,
            formal_url: None,
            capture_traces: Some("/srv/capture_traces".into()),
        };
        let o: CaptureOptions = serde_json::from_str(&serde_json::to_string(&request).unwrap()).unwrap();
        assert_eq!(
            (o.framework, o.workload, o.num_steps, o.warmup_steps),
            (FrameworkChoice::Vllm, Workload::Decode, 3, 2)
        );
        assert_eq!((o.decode_output_len, o.max_trace_mb), (64, 50.0));
        assert_eq!(o.server_trace_path, Some(PathBuf::from("/tmp/t")));
        assert_eq!(o.capture_traces, Some(PathBuf::from("/srv/capture_traces")));
        let back: report::live::CaptureRequest =
            serde_json::from_str(&serde_json::to_string(&o).unwrap()).unwrap();
        assert_eq!(back, request);
    }

    #[test]
    fn json_accepts_partial_objects_and_refuses_unknown_keys() {
        let o: CaptureOptions =
            serde_json::from_str(r#"{"url": "http://x:1", "workload": "decode"}"#).unwrap();
        assert_eq!((o.workload, o.num_steps), (Workload::Decode, 5));
        assert!(serde_json::from_str::<CaptureOptions>(r#"{"urll": "x"}"#).is_err());
    }
}
