//! The command line and environment of one server start: the spec's command, the
//! framework's serving flags (model, port, TP size), its profiler flags, the graphs-off
//! flags of a mapping run, then the spec's own flags.
//!
//! | framework | profiler | graphs off |
//! | --- | --- | --- |
//! | SGLang | `SGLANG_TORCH_PROFILER_DIR` (the relay also names `output_dir` per stage) | `--disable-cuda-graph --disable-piecewise-cuda-graph` |
//! | vLLM | `--profiler-config '{"profiler": "torch", "torch_profiler_dir": DIR, "torch_profiler_with_stack": true[, "capture_torch_profiler": true]}'` | `--enforce-eager` |
//! | TensorRT-LLM | `--backend pytorch`, `TLLM_PROFILE_START_STOP=<start>-<stop>`, `TLLM_TORCH_PROFILE_TRACE=DIR/trace-<stage>.json` (one server per stage) | `--extra_llm_api_options` with `cuda_graph_config: null` |
//!
//! TensorRT-LLM's window follows the seed: start = warm-up + 1 (prefill) or + 2 (decode),
//! stop = start + profiled steps − 1.

use std::path::{Path, PathBuf};

use serde_json::json;

use super::spec::Spec;
use crate::framework::Kind;
use crate::options::{CaptureOptions, StageKind, Workload};

/// One server start of a launch: SGLang and vLLM capture every stage on one server;
/// TensorRT-LLM gets one server per stage (its trace path and profiling window are fixed
/// at start).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Round {
    /// `<framework>-<formal|mapping>[-<stage>]`.
    pub label: String,
    /// The stages this server captures.
    pub workload: Workload,
    /// The stage, for a per-stage server.
    pub stage: Option<StageKind>,
}

/// What to run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invocation {
    /// The program.
    pub program: String,
    /// Its arguments.
    pub args: Vec<String>,
    /// Environment added to the relay's own.
    pub env: Vec<(String, String)>,
    /// The relay's `--server-trace-path` (vLLM's folder, TensorRT-LLM's file).
    pub server_trace_path: Option<PathBuf>,
    /// Files the command names, written before it starts (path, text).
    pub files: Vec<(PathBuf, String)>,
}

fn stage_workload(st: StageKind) -> Workload {
    match st {
        StageKind::Prefill => Workload::Prefill,
        StageKind::Decode => Workload::Decode,
    }
}

/// The server starts of a launch.
#[must_use]
pub fn rounds(spec: &Spec, mapping: bool, workload: Workload) -> Vec<Round> {
    let variant = if mapping || !spec.graphs { "mapping" } else { "formal" };
    let base = format!("{}-{variant}", spec.framework.id());
    if spec.framework == Kind::Trtllm {
        workload
            .stages()
            .iter()
            .map(|&st| Round {
                label: format!("{base}-{}", st.id()),
                workload: stage_workload(st),
                stage: Some(st),
            })
            .collect()
    } else {
        vec![Round { label: base, workload, stage: None }]
    }
}

/// TensorRT-LLM's `TLLM_PROFILE_START_STOP` for a stage (the seed's formula).
#[must_use]
pub fn trtllm_window(stage: StageKind, warmup: u32, steps: u32) -> String {
    let start = warmup + if stage == StageKind::Decode { 2 } else { 1 };
    format!("{start}-{}", start + steps.max(1) - 1)
}

fn default_command(kind: Kind) -> Vec<String> {
    let c: &[&str] = match kind {
        Kind::Sglang => &["python3", "-m", "sglang.launch_server"],
        Kind::Vllm => &["vllm", "serve"],
        Kind::Trtllm | Kind::Tokenspeed => &["trtllm-serve", "serve"],
    };
    c.iter().map(|s| (*s).to_owned()).collect()
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

/// Builds the invocation of `round`; `trace_dir` is the server's trace folder (absolute).
#[must_use]
pub fn build(
    spec: &Spec,
    mapping: bool,
    round: &Round,
    trace_dir: &Path,
    opts: &CaptureOptions,
) -> Invocation {
    let graphs = spec.graphs && !mapping;
    let dir = trace_dir.to_string_lossy().into_owned();
    let (port, tp) = (spec.port.to_string(), spec.tp.to_string());
    let mut env: Vec<(String, String)> = Vec::new();
    let mut files = Vec::new();
    let mut server_trace_path = None;
    let mut args: Vec<String> = match spec.framework {
        Kind::Sglang => {
            env.push(("SGLANG_TORCH_PROFILER_DIR".into(), dir.clone()));
            let mut a = strings(&["--model-path", &spec.model, "--host", &spec.host, "--port", &port]);
            a.extend(strings(&["--tp-size", &tp]));
            if !graphs {
                a.extend(strings(&["--disable-cuda-graph", "--disable-piecewise-cuda-graph"]));
            }
            a
        }
        Kind::Vllm => {
            let mut config =
                json!({"profiler": "torch", "torch_profiler_dir": dir, "torch_profiler_with_stack": true});
            if spec.capture_traces {
                config["capture_torch_profiler"] = json!(true);
            }
            server_trace_path = Some(trace_dir.to_path_buf());
            let mut a = strings(&[&spec.model, "--host", &spec.host, "--port", &port]);
            a.extend(strings(&["--tensor-parallel-size", &tp, "--profiler-config", &config.to_string()]));
            if !graphs {
                a.push("--enforce-eager".into());
            }
            a
        }
        Kind::Trtllm | Kind::Tokenspeed => {
            let stage = round.stage.unwrap_or(StageKind::Prefill);
            let trace = trace_dir.join(format!("trace-{}.json", stage.id()));
            env.push((
                "TLLM_PROFILE_START_STOP".into(),
                trtllm_window(stage, opts.warmup_steps, opts.num_steps),
            ));
            env.push(("TLLM_TORCH_PROFILE_TRACE".into(), trace.to_string_lossy().into_owned()));
            env.push(("TLLM_LLMAPI_ENABLE_NVTX".into(), "1".into()));
            server_trace_path = Some(if spec.rank_suffix {
                trace_dir.join(format!("trace-{}-rank-0.json", stage.id()))
            } else {
                trace
            });
            let mut a =
                strings(&[&spec.model, "--backend", "pytorch", "--host", &spec.host, "--port", &port]);
            a.extend(strings(&["--tp_size", &tp]));
            if !graphs {
                let yaml = trace_dir.join(format!("{}-no-cuda-graph.yaml", round.label));
                a.extend(strings(&["--extra_llm_api_options", &yaml.to_string_lossy()]));
                files.push((yaml, "cuda_graph_config: null\n".to_owned()));
            }
            a
        }
    };
    args.extend(spec.args.iter().cloned());
    env.extend(spec.env.iter().map(|(k, v)| (k.clone(), v.clone())));
    if mapping && let Some(v) = &spec.mapping {
        args.extend(v.args.iter().cloned());
        env.extend(v.env.iter().map(|(k, v)| (k.clone(), v.clone())));
    }
    let command =
        if spec.command.is_empty() { default_command(spec.framework) } else { spec.command.clone() };
    let mut full: Vec<String> = Vec::new();
    for item in command {
        if item == "{env}" {
            for (k, v) in &env {
                full.push("-e".into());
                full.push(format!("{k}={v}"));
            }
        } else {
            full.push(item.replace("{trace_dir}", &dir));
        }
    }
    full.extend(args);
    let program = full.remove(0);
    Invocation { program, args: full, env, server_trace_path, files }
}

/// One word for a POSIX shell.
fn quote(s: &str) -> String {
    if !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "-_./:=,@+%".contains(c)) {
        s.to_owned()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

impl Invocation {
    /// The command as a shell line: `NAME=VALUE … program args…`.
    #[must_use]
    pub fn shell(&self) -> String {
        let mut words: Vec<String> = self.env.iter().map(|(k, v)| format!("{k}={}", quote(v))).collect();
        words.push(quote(&self.program));
        words.extend(self.args.iter().map(|a| quote(a)));
        words.join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(text: &str) -> Spec {
        Spec::parse(text).unwrap()
    }

    fn opts() -> CaptureOptions {
        CaptureOptions::default()
    }

    #[test]
    fn vllm_gets_its_profiler_config_and_enforce_eager_when_mapping() {
        let s = spec("framework = \"vllm\"\nmodel = \"M\"\nport = 8000\ntp = 2\ncapture_traces = true\n");
        let r = &rounds(&s, false, Workload::Both)[0];
        assert_eq!((r.label.as_str(), r.workload), ("vllm-formal", Workload::Both));
        let i = build(&s, false, r, Path::new("/t/v"), &opts());
        assert_eq!(i.program, "vllm");
        assert_eq!(&i.args[..2], ["serve", "M"]);
        let at = i.args.iter().position(|a| a == "--profiler-config").unwrap();
        let config: serde_json::Value = serde_json::from_str(&i.args[at + 1]).unwrap();
        assert_eq!(config["torch_profiler_dir"], "/t/v");
        assert_eq!(config["capture_torch_profiler"], true);
        assert!(i.args.windows(2).any(|w| w == ["--tensor-parallel-size", "2"]));
        assert!(!i.args.contains(&"--enforce-eager".to_owned()));
        assert_eq!(i.server_trace_path.as_deref(), Some(Path::new("/t/v")));
        let m = build(&s, true, &rounds(&s, true, Workload::Both)[0], Path::new("/t/v"), &opts());
        assert!(m.args.contains(&"--enforce-eager".to_owned()));
    }

    #[test]
    fn sglang_graphs_off_and_the_mapping_variant() {
        let s = spec(
            "framework = \"sglang\"\nmodel = \"M\"\nport = 30000\nargs = [\"--x\"]\n[mapping]\nargs = [\"--y\"]\nenv = { A = \"1\" }\n",
        );
        let f = build(&s, false, &rounds(&s, false, Workload::Both)[0], Path::new("/t"), &opts());
        assert_eq!(f.args[..3], ["-m", "sglang.launch_server", "--model-path"]);
        assert!(!f.args.iter().any(|a| a.contains("disable")));
        assert_eq!(f.args.last().unwrap(), "--x");
        assert_eq!(f.env, [("SGLANG_TORCH_PROFILER_DIR".to_owned(), "/t".to_owned())]);
        let m = build(&s, true, &rounds(&s, true, Workload::Both)[0], Path::new("/t"), &opts());
        assert!(m.args.ends_with(&["--x".to_owned(), "--y".to_owned()]));
        assert!(m.args.contains(&"--disable-cuda-graph".to_owned()));
        assert!(m.args.contains(&"--disable-piecewise-cuda-graph".to_owned()));
        assert!(m.env.contains(&("A".to_owned(), "1".to_owned())));
    }

    #[test]
    fn trtllm_runs_one_server_per_stage_with_its_window() {
        let s = spec(
            "framework = \"trtllm\"\nmodel = \"M\"\nport = 8000\ncommand = [\"docker\", \"run\", \"{env}\", \"-v\", \"{trace_dir}:{trace_dir}\", \"img\", \"trtllm-serve\", \"serve\"]\n",
        );
        let rs = rounds(&s, true, Workload::Both);
        assert_eq!(
            rs.iter().map(|r| r.label.as_str()).collect::<Vec<_>>(),
            ["trtllm-mapping-prefill", "trtllm-mapping-decode"]
        );
        assert_eq!(trtllm_window(StageKind::Prefill, 10, 5), "11-15");
        assert_eq!(trtllm_window(StageKind::Decode, 10, 5), "12-16");
        let i = build(&s, true, &rs[1], Path::new("/t"), &opts());
        assert_eq!(i.program, "docker");
        assert!(i.args.windows(2).any(|w| w == ["-e", "TLLM_PROFILE_START_STOP=12-16"]));
        assert!(i.args.windows(2).any(|w| w == ["-e", "TLLM_TORCH_PROFILE_TRACE=/t/trace-decode.json"]));
        assert!(i.args.windows(2).any(|w| w == ["-v", "/t:/t"]));
        assert!(i.args.windows(2).any(|w| w == ["--backend", "pytorch"]));
        assert_eq!(
            i.files,
            [(
                PathBuf::from("/t/trtllm-mapping-decode-no-cuda-graph.yaml"),
                "cuda_graph_config: null\n".to_owned()
            )]
        );
        assert_eq!(i.server_trace_path.as_deref(), Some(Path::new("/t/trace-decode.json")));
        let ranked = Spec { rank_suffix: true, ..s.clone() };
        let r =
            build(&ranked, false, &rounds(&ranked, false, Workload::Prefill)[0], Path::new("/t"), &opts());
        assert_eq!(r.server_trace_path.as_deref(), Some(Path::new("/t/trace-prefill-rank-0.json")));
        assert!(r.env.contains(&("TLLM_TORCH_PROFILE_TRACE".to_owned(), "/t/trace-prefill.json".to_owned())));
        assert!(i.shell().starts_with("TLLM_PROFILE_START_STOP=12-16 "), "{}", i.shell());
    }
}
