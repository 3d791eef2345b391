//! The diffusion backend gate (the seed tool's rule): a trace of an SGLang diffusion run
//! that used the vanilla `diffusers` backend is not evidence about SGLang's native
//! kernels, so it is refused instead of triaged.
//!
//! Two kinds of evidence, both checked by pure functions: the server's log
//! ([`diffusion`]: a line with `Falling back to diffusers backend`, `Using diffusers
//! backend` or `Loaded diffusers pipeline`, in any case) and the trace's Python stacks
//! ([`diffusion_stacks`]: frames in `diffusers/pipelines/` under SGLang's diffusion runtime,
//! [`engine::analysis::diffusion`]). A [`Refusal`] is one line naming the file and what
//! was found. The front ends read the files (the CLI's `--server-log` and the `server.log` /
//! `*.log` beside the traces, the relay's, the page's dropped `*.log`) and say the refusal
//! their way: the CLI with exit status 4, the relay as the capture's error, the page
//! instead of the report.

use serde::{Deserialize, Serialize};

use engine::analysis::diffusion::DiffusersStacks;
use engine::triage::Input;

/// The log lines that say a run used the diffusers backend.
pub const DIFFUSERS_LOG_LINES: [&str; 3] =
    ["Falling back to diffusers backend", "Using diffusers backend", "Loaded diffusers pipeline"];

/// The log file preferred among the logs of a folder (the CLI's, the relay's and the
/// page's discovery).
pub const SERVER_LOG: &str = "server.log";

/// A server log: its name (a path, as the reader should see it) and its text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerLog {
    /// The file's name or path.
    pub name: String,
    /// Its text (invalid UTF-8 replaced).
    pub text: String,
}

/// A log line that says the diffusers backend ran.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogHit {
    /// The line number, from 1.
    pub line: usize,
    /// The matched text, as written in the log.
    pub text: String,
}

/// The first line of a server log that says the run used the diffusers backend
/// ([`DIFFUSERS_LOG_LINES`], matched in any case), if any.
#[must_use]
pub fn diffusion(log_text: &str) -> Option<LogHit> {
    let wanted: Vec<String> = DIFFUSERS_LOG_LINES.iter().map(|w| w.to_ascii_lowercase()).collect();
    log_text.lines().enumerate().find_map(|(i, line)| {
        // ASCII lower-casing keeps byte offsets, so the match is cut from the line itself.
        let lower = line.to_ascii_lowercase();
        wanted.iter().find_map(|w| {
            let at = lower.find(w.as_str())?;
            let text = line.get(at..at + w.len())?.to_owned();
            Some(LogHit { line: i + 1, text })
        })
    })
}

/// Why a triage was refused.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "evidence", rename_all = "kebab-case")]
pub enum Refusal {
    /// The server's log says the diffusers backend ran.
    Log {
        /// The log file.
        file: String,
        /// The line that says so.
        hit: LogHit,
    },
    /// A trace's Python stacks run diffusers pipelines under SGLang's diffusion runtime.
    Stacks {
        /// The trace.
        trace: String,
        /// What its stacks show.
        stacks: DiffusersStacks,
    },
}

/// What to do instead, the same for both kinds of evidence.
const FIX: &str =
    "fix the model's pipeline resolution so SGLang runs its native diffusion backend, then profile again";

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::Log { file, hit } => write!(
                f,
                "refused: {file} line {} logged \"{}\": the run used the diffusers backend, so its trace is not native SGLang diffusion evidence; {FIX}",
                hit.line, hit.text
            ),
            Refusal::Stacks { trace, stacks } => write!(
                f,
                "refused: {trace}: its Python stacks run diffusers pipelines ({}, {} frame{}) under SGLang's diffusion runtime ({}): the run used the diffusers backend, so the trace is not native SGLang diffusion evidence; {FIX}",
                stacks.diffusers_frame,
                stacks.diffusers_frames,
                if stacks.diffusers_frames == 1 { "" } else { "s" },
                stacks.sglang_frame
            ),
        }
    }
}

/// The first of `logs` (in order) with a diffusers-backend line, as a refusal.
#[must_use]
pub fn diffusion_logs(logs: &[ServerLog]) -> Option<Refusal> {
    logs.iter().find_map(|l| diffusion(&l.text).map(|hit| Refusal::Log { file: l.name.clone(), hit }))
}

/// The first input whose Python stacks run diffusers pipelines under SGLang's diffusion
/// runtime ([`engine::analysis::diffusion::diffusers_stacks`]), as a refusal.
#[must_use]
pub fn diffusion_stacks(inputs: &[Input<'_>]) -> Option<Refusal> {
    inputs.iter().find_map(|i| {
        engine::analysis::diffusion::diffusers_stacks(i.trace)
            .map(|stacks| Refusal::Stacks { trace: i.path.to_owned(), stacks })
    })
}

/// [`diffusion_stacks`] of reduced traces (each reduction carries its trace's evidence).
#[must_use]
pub fn diffusion_reductions(reductions: &[engine::ranks::RankReduction]) -> Option<Refusal> {
    reductions
        .iter()
        .find_map(|r| r.diffusers.clone().map(|stacks| Refusal::Stacks { trace: r.path.clone(), stacks }))
}

/// The whole gate: the logs first (they need no trace), then the traces' stacks.
#[must_use]
pub fn diffusion_gate(logs: &[ServerLog], inputs: &[Input<'_>]) -> Option<Refusal> {
    diffusion_logs(logs).or_else(|| diffusion_stacks(inputs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_diffusers_line_is_found_with_its_line_number() {
        for (n, phrase) in DIFFUSERS_LOG_LINES.iter().enumerate() {
            let log = format!(
                "[2025-11-07 10:00:00] server_args=...\r\n[2025-11-07 10:00:01] loading model\n[2025-11-07 10:00:02] INFO {phrase}. model=flux{n}\nready\n"
            );
            let hit = diffusion(&log).expect("found");
            assert_eq!(hit, LogHit { line: 3, text: (*phrase).to_owned() });
        }
    }

    #[test]
    fn the_first_line_wins_any_case_and_clean_logs_pass() {
        let log = "a\nWARNING Could not resolve native configuration. falling back to DIFFUSERS backend.\nLoaded diffusers pipeline\n";
        assert_eq!(
            diffusion(log),
            Some(LogHit { line: 2, text: "falling back to DIFFUSERS backend".into() })
        );
        for clean in [
            "",
            "\n\n",
            "INFO Using native sglang backend\nLoaded pipeline FluxPipeline\n",
            "diffusers version 0.30.0\nUsing diffusers\nbackend\n",
            "naïve ünïcode — Using diffusers back end\n",
        ] {
            assert_eq!(diffusion(clean), None, "{clean:?}");
        }
        // Non-ASCII text before the match keeps the offsets right.
        assert_eq!(
            diffusion("ünïcode ✓ Using diffusers backend"),
            Some(LogHit { line: 1, text: "Using diffusers backend".into() })
        );
    }

    #[test]
    fn a_refusal_is_one_line_naming_the_file_the_line_and_the_text() {
        let logs = [
            ServerLog { name: "clean.log".into(), text: "ok\n".into() },
            ServerLog { name: "runs/server.log".into(), text: "x\ny\nUsing diffusers backend\n".into() },
        ];
        let r = diffusion_logs(&logs).expect("refused");
        let text = r.to_string();
        assert!(
            text.starts_with("refused: runs/server.log line 3 logged \"Using diffusers backend\": "),
            "{text}"
        );
        assert!(text.contains("not native SGLang diffusion evidence"), "{text}");
        assert_eq!(text.lines().count(), 1);
        assert_eq!(diffusion_logs(&logs[..1]), None);

        let s = Refusal::Stacks {
            trace: "t.json".into(),
            stacks: DiffusersStacks {
                sglang_frame: "sglang/multimodal_gen/x.py(1): f".into(),
                diffusers_frame: "diffusers/pipelines/flux/pipeline_flux.py(2): __call__".into(),
                diffusers_frames: 1,
            },
        }
        .to_string();
        assert!(s.starts_with("refused: t.json: its Python stacks run diffusers pipelines (diffusers/pipelines/flux/pipeline_flux.py(2): __call__, 1 frame) under SGLang's diffusion runtime (sglang/multimodal_gen/x.py(1): f)"), "{s}");
    }
}
