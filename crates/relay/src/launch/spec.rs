//! The launch spec: a small TOML file naming the server to start (framework, model, TP
//! size, port, the command or container invocation, extra flags and environment), whether
//! CUDA graphs stay on, and the graphs-off (mapping) variant's own flags.
//!
//! ```toml
//! framework = "vllm"                      # sglang | vllm | trtllm
//! model = "Qwen/Qwen3-8B"
//! tp = 1
//! port = 8000
//! command = ["vllm", "serve"]             # default per framework; containers: see the README
//! args = ["--max-model-len", "4096"]
//! env = { CUDA_VISIBLE_DEVICES = "0" }
//! graphs = true                           # false: a graphs-off (mapping) capture
//! startup_timeout_s = 900
//! # vLLM ≥ 0.26: capture_traces = true; TensorRT-LLM writing trace-<stage>-rank-<r>.json: rank_suffix = true
//!
//! [mapping]                               # extra flags of the graphs-off variant
//! args = ["--max-num-seqs", "16"]
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::framework::Kind;

/// The extra flags and environment of one variant (the `[mapping]` table).
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Variant {
    /// Flags appended after the spec's own.
    pub args: Vec<String>,
    /// Environment added to the spec's.
    pub env: BTreeMap<String, String>,
}

/// One server to start.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    /// `sglang`, `vllm` or `trtllm`.
    pub framework: Kind,
    /// The model (a hub id or a path the server sees).
    pub model: String,
    /// Tensor-parallel size.
    #[serde(default = "one")]
    pub tp: u32,
    /// The port the server listens on.
    pub port: u16,
    /// The address it listens on (the relay talks to 127.0.0.1 when it is 0.0.0.0).
    #[serde(default = "localhost")]
    pub host: String,
    /// The plain command or container invocation the framework flags are appended to
    /// (default: `python3 -m sglang.launch_server`, `vllm serve`, `trtllm-serve serve`). An
    /// item `{env}` becomes `-e NAME=VALUE` for each variable of the run (containers), and
    /// `{trace_dir}` inside an item the server's trace folder (for a `-v` mount).
    #[serde(default)]
    pub command: Vec<String>,
    /// Extra flags, appended after the framework's.
    #[serde(default)]
    pub args: Vec<String>,
    /// Extra environment.
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    /// Whether CUDA graphs stay on (`false`: the graphs-off flags are added, as for a
    /// mapping capture).
    #[serde(default = "yes")]
    pub graphs: bool,
    /// The graphs-off variant's extra flags and environment.
    #[serde(default)]
    pub mapping: Option<Variant>,
    /// Seconds to wait for `/v1/models` to answer.
    #[serde(default = "startup_timeout")]
    pub startup_timeout_s: f64,
    /// Seconds between SIGTERM and SIGKILL when stopping the server.
    #[serde(default = "grace")]
    pub stop_grace_s: f64,
    /// Where the server writes its traces (vLLM's `torch_profiler_dir`, TensorRT-LLM's
    /// trace files), as both the server and this machine see it. Default:
    /// `<out>/server-traces/<framework>-<variant>`.
    #[serde(default)]
    pub trace_dir: Option<PathBuf>,
    /// vLLM: also record capture traces while the graphs are captured
    /// (`capture_torch_profiler`).
    #[serde(default)]
    pub capture_traces: bool,
    /// TensorRT-LLM: the server appends `-rank-<r>` to `TLLM_TORCH_PROFILE_TRACE` (newer
    /// versions do, so ranks do not share one file); the relay then waits for rank 0's
    /// `trace-<stage>-rank-0.json`.
    #[serde(default)]
    pub rank_suffix: bool,
}

fn one() -> u32 {
    1
}
fn yes() -> bool {
    true
}
fn localhost() -> String {
    "127.0.0.1".to_owned()
}
fn startup_timeout() -> f64 {
    900.0
}
fn grace() -> f64 {
    15.0
}

impl Spec {
    /// Parses and checks a spec.
    ///
    /// # Errors
    /// TOML errors, and values the launcher cannot use (named).
    pub fn parse(text: &str) -> Result<Spec, String> {
        let spec: Spec = toml::from_str(text).map_err(|e| e.to_string().trim_end().to_owned())?;
        spec.check()?;
        Ok(spec)
    }

    /// Reads and parses a spec file.
    ///
    /// # Errors
    /// As [`Spec::parse`], with the file named.
    pub fn read(path: &Path) -> Result<Spec, String> {
        let text =
            std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        Spec::parse(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// Checks the values.
    ///
    /// # Errors
    /// The first value the launcher cannot use.
    pub fn check(&self) -> Result<(), String> {
        if self.framework == Kind::Tokenspeed {
            return Err("launch starts SGLang, vLLM and TensorRT-LLM servers (framework = \"sglang\", \
                        \"vllm\" or \"trtllm\"); start TokenSpeed yourself and use `capture`"
                .into());
        }
        if self.model.trim().is_empty() {
            return Err("model is empty".into());
        }
        if self.tp == 0 {
            return Err("tp must be at least 1".into());
        }
        if self.port == 0 {
            return Err("port must be a fixed port (1-65535): the relay connects to it".into());
        }
        for (name, v) in [("startup_timeout_s", self.startup_timeout_s), ("stop_grace_s", self.stop_grace_s)]
        {
            if !(v > 0.0 && v.is_finite()) {
                return Err(format!("{name} must be a positive number of seconds, got {v}"));
            }
        }
        if self.command.first().is_some_and(|c| c.trim().is_empty()) {
            return Err("command starts with an empty program".into());
        }
        if let Some(d) = &self.trace_dir
            && !d.is_absolute()
        {
            return Err(format!(
                "trace_dir {} must be an absolute path (the server resolves it)",
                d.display()
            ));
        }
        Ok(())
    }

    /// The URL the relay talks to.
    #[must_use]
    pub fn url(&self) -> String {
        let host = match self.host.as_str() {
            "0.0.0.0" | "::" | "" => "127.0.0.1",
            h => h,
        };
        format!("http://{host}:{}", self.port)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_checks() {
        let s = Spec::parse("framework = \"sglang\"\nmodel = \"m\"\nport = 30000\n").unwrap();
        assert_eq!((s.tp, s.graphs, s.host.as_str()), (1, true, "127.0.0.1"));
        assert_eq!(s.url(), "http://127.0.0.1:30000");
        assert!(s.mapping.is_none());
        let e = Spec::parse("framework = \"sglang\"\nmodel = \"m\"\nport = 30000\ntp = 0\n").unwrap_err();
        assert!(e.contains("tp"), "{e}");
        let e = Spec::parse("framework = \"tokenspeed\"\nmodel = \"m\"\nport = 1\n").unwrap_err();
        assert!(e.contains("TokenSpeed"), "{e}");
        let e = Spec::parse("framework = \"vllm\"\nmodel = \"m\"\nport = 1\nportt = 2\n").unwrap_err();
        assert!(e.contains("portt"), "{e}");
        let s = Spec::parse(
            "framework = \"vllm\"\nmodel = \"m\"\nport = 1\nhost = \"0.0.0.0\"\n[mapping]\nargs = [\"-x\"]\n",
        )
        .unwrap();
        assert_eq!(s.mapping.as_ref().unwrap().args, ["-x"]);
        assert_eq!(s.url(), "http://127.0.0.1:1");
    }
}
