//! Fuse patterns (`catalog/fuse.toml`): the families the fuse table looks for, with the
//! kernel, CPU-op and Python signals of their fused path and of each split group, their
//! gates and their conflict-resolution fields. Parsed and checked here; matched by
//! the engine's fuse matcher (`analysis::fuse`).

use serde::{Deserialize, Serialize};

use super::CatalogError;
use crate::catalog::tokens::Signal;

/// Where a pattern's fused path lives relative to the framework's main branch.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Origin {
    /// Merged in the framework the trace comes from.
    Mainline,
    /// Merged upstream (another component of the stack, or the framework's own newer code).
    Upstream,
    /// An open pull request.
    Inflight,
}

impl Origin {
    /// `mainline`, `upstream` or `inflight`.
    #[must_use]
    pub fn id(self) -> &'static str {
        match self {
            Origin::Mainline => "mainline",
            Origin::Upstream => "upstream",
            Origin::Inflight => "inflight",
        }
    }
}

/// A low-precision data type a pattern is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Dtype {
    /// FP8 (e4m3 / e5m2).
    Fp8,
    /// FP4 (NVFP4, MXFP4, e2m1).
    Fp4,
    /// INT8.
    Int8,
}

impl Dtype {
    /// `fp8`, `fp4`, `int8`.
    #[must_use]
    pub fn id(self) -> &'static str {
        match self {
            Dtype::Fp8 => "fp8",
            Dtype::Fp4 => "fp4",
            Dtype::Int8 => "int8",
        }
    }

    /// `FP8`, `FP4`, `INT8`.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Dtype::Fp8 => "FP8",
            Dtype::Fp4 => "FP4",
            Dtype::Int8 => "INT8",
        }
    }
}

/// GPU platform.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Platform {
    /// NVIDIA CUDA.
    Cuda,
    /// AMD ROCm / HIP.
    Rocm,
}

impl Platform {
    /// `CUDA` / `ROCm`.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Platform::Cuda => "CUDA",
            Platform::Rocm => "ROCm",
        }
    }
}

/// How the kinds of a signal set combine.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MatchMode {
    /// A row matches when any signal of any kind matches.
    #[default]
    Any,
    /// A row matches when every kind that lists signals has a match.
    All,
}

/// A Python signal: what a frame (`path:line function`) must show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PySignal {
    /// Path components in a row (`layers/layernorm.py`, `v1/attention/`).
    Path(Vec<String>),
    /// A file name (`flashinfer_comm_fusion.py`).
    File(String),
    /// A file and a function in it (`layernorm.py::forward_with_allreduce_fusion`).
    FileFunction(String, String),
    /// A function name (`apply_qk_norm`).
    Function(String),
}

impl PySignal {
    /// Parses a Python signal.
    ///
    /// # Errors
    /// When it is empty or has empty parts.
    pub fn compile(text: &str) -> Result<PySignal, String> {
        let t = text.trim();
        if t.is_empty() || t.contains(char::is_whitespace) {
            return Err(
                "a Python signal is a path, a file, `file.py::function` or a function name, without spaces"
                    .into(),
            );
        }
        if let Some((file, func)) = t.split_once("::") {
            if file.is_empty() || func.is_empty() || !file.ends_with(".py") {
                return Err("`file.py::function` needs both parts".into());
            }
            return Ok(PySignal::FileFunction(file.to_owned(), func.to_owned()));
        }
        if t.contains('/') {
            let parts: Vec<String> =
                t.trim_matches('/').split('/').filter(|p| !p.is_empty()).map(str::to_owned).collect();
            if parts.is_empty() {
                return Err("an empty path".into());
            }
            return Ok(PySignal::Path(parts));
        }
        if t.ends_with(".py") {
            return Ok(PySignal::File(t.to_owned()));
        }
        Ok(PySignal::Function(t.to_owned()))
    }

    /// Whether a frame (`path`, `function`) matches.
    #[must_use]
    pub fn matches(&self, path: &str, function: &str) -> bool {
        let file = path.rsplit('/').next().unwrap_or(path);
        match self {
            PySignal::Path(parts) => {
                let comps: Vec<&str> = path.split('/').collect();
                comps.windows(parts.len()).any(|w| w.iter().zip(parts).all(|(a, b)| *a == b.as_str()))
            }
            PySignal::File(f) => file == f,
            PySignal::FileFunction(f, func) => file == f && function == func,
            PySignal::Function(func) => function == func,
        }
    }
}

/// Compiled signals of one kind-set (the fused path, or one split group).
#[derive(Clone, Debug, Default)]
pub struct SignalSet {
    /// Signals on the kernel's demangled base name.
    pub kernel: Vec<Signal>,
    /// Signals on the CPU op around the launch.
    pub cpu_op: Vec<Signal>,
    /// Signals on the Python frames of the launch (location and stack).
    pub python: Vec<PySignal>,
    /// The Python signals as written (for display).
    pub python_text: Vec<String>,
    /// How the kinds combine.
    pub mode: MatchMode,
}

impl SignalSet {
    /// Whether there are no signals at all.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.kernel.is_empty() && self.cpu_op.is_empty() && self.python.is_empty()
    }
}

/// One split group: one half of the ladder the fused path replaces.
#[derive(Clone, Debug)]
pub struct Group {
    /// Short name (`all-reduce`, `RMSNorm`, `KV-cache write`).
    pub name: String,
    /// Its signals.
    pub signals: SignalSet,
}

/// A fuse pattern.
#[derive(Clone, Debug)]
pub struct Pattern {
    /// Stable kebab-case id.
    pub id: String,
    /// Display name (the seed tool's, for the same family).
    pub name: String,
    /// `sglang`, `vllm`, `trtllm`, `tokenspeed` or `any`.
    pub framework: String,
    /// Mainline, upstream or in-flight.
    pub origin: Origin,
    /// `owner/repo#N` of the pull request, when there is one.
    pub pr: Option<String>,
    /// Conflict-resolution priority (higher first).
    pub priority: i32,
    /// Share (%) a split-only match needs.
    pub min_share: f64,
    /// Share (%) from which a split-only match is `Confirmed`.
    pub likely_share: f64,
    /// Ids of patterns this one blocks when accepted.
    pub subsumes: Vec<String>,
    /// Ids of reference entries about the same family.
    pub refs: Vec<String>,
    /// Candidate source paths of the fused path.
    pub paths: Vec<String>,
    /// One-line rationale.
    pub rationale: String,
    /// The model name must contain one of these (lower-case substrings), if any.
    pub model_include: Vec<String>,
    /// The model name must contain none of these.
    pub model_exclude: Vec<String>,
    /// Minimum tensor-parallel size.
    pub min_tp_size: Option<i64>,
    /// The trace must show one of these data types, if any.
    pub dtypes: Vec<Dtype>,
    /// The GPU platform, if the pattern is platform-specific.
    pub platform: Option<Platform>,
    /// Signals of the fused path (any match: the family is present).
    pub fused: SignalSet,
    /// Split groups (all must match for a split-only match).
    pub split: Vec<Group>,
    /// The seed registry's number (`A25`), for traceability.
    pub source_id: Option<String>,
    /// Why the signals differ from the seed's, if they do (documentation only).
    pub note: Option<String>,
}

impl Pattern {
    /// `max(#split groups, 1 if it has fused signals)`.
    #[must_use]
    pub fn span(&self) -> usize {
        self.split.len().max(usize::from(!self.fused.is_empty()))
    }
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct SignalSpec {
    #[serde(default)]
    kernel: Vec<String>,
    #[serde(default)]
    cpu_op: Vec<String>,
    #[serde(default)]
    python: Vec<String>,
    #[serde(default)]
    r#match: MatchMode,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GroupSpec {
    name: String,
    #[serde(default)]
    kernel: Vec<String>,
    #[serde(default)]
    cpu_op: Vec<String>,
    #[serde(default)]
    python: Vec<String>,
    #[serde(default)]
    r#match: MatchMode,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct PatternSpec {
    id: String,
    name: String,
    framework: String,
    origin: Origin,
    #[serde(default)]
    pr: Option<String>,
    #[serde(default)]
    priority: i32,
    #[serde(default = "default_min_share")]
    min_share: f64,
    #[serde(default = "default_likely_share")]
    likely_share: f64,
    #[serde(default)]
    subsumes: Vec<String>,
    #[serde(default)]
    refs: Vec<String>,
    #[serde(default)]
    paths: Vec<String>,
    rationale: String,
    #[serde(default)]
    model_include: Vec<String>,
    #[serde(default)]
    model_exclude: Vec<String>,
    #[serde(default)]
    min_tp_size: Option<i64>,
    #[serde(default)]
    dtype: Vec<Dtype>,
    #[serde(default)]
    platform: Option<Platform>,
    #[serde(default)]
    fused: SignalSpec,
    #[serde(default)]
    split: Vec<GroupSpec>,
    #[serde(default)]
    source_id: Option<String>,
    #[serde(default)]
    note: Option<String>,
}

fn default_min_share() -> f64 {
    0.25
}

fn default_likely_share() -> f64 {
    3.0
}

/// Frameworks a pattern may name.
pub const PATTERN_FRAMEWORKS: &[&str] = &["sglang", "vllm", "trtllm", "tokenspeed", "any"];

/// Whether `id` is kebab-case (`[a-z0-9]+(-[a-z0-9]+)*`).
#[must_use]
pub fn is_kebab(id: &str) -> bool {
    !id.is_empty()
        && !id.starts_with('-')
        && !id.ends_with('-')
        && !id.contains("--")
        && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Whether `pr` reads `owner/repo#123`.
#[must_use]
pub fn is_pr(pr: &str) -> bool {
    let Some((repo, number)) = pr.split_once('#') else { return false };
    let Some((owner, name)) = repo.split_once('/') else { return false };
    !owner.is_empty()
        && !name.is_empty()
        && !name.contains('/')
        && !number.is_empty()
        && number.bytes().all(|b| b.is_ascii_digit())
}

fn compile_set(
    file: &str,
    entry: &str,
    kernel: &[String],
    cpu_op: &[String],
    python: &[String],
    mode: MatchMode,
) -> Result<SignalSet, CatalogError> {
    let bad = |pattern: &str, reason: String| CatalogError::BadPattern {
        file: file.to_owned(),
        entry: entry.to_owned(),
        pattern: pattern.to_owned(),
        reason,
    };
    let sig = |list: &[String]| -> Result<Vec<Signal>, CatalogError> {
        list.iter().map(|s| Signal::compile(s).map_err(|e| bad(s, e))).collect()
    };
    Ok(SignalSet {
        kernel: sig(kernel)?,
        cpu_op: sig(cpu_op)?,
        python: python
            .iter()
            .map(|s| PySignal::compile(s).map_err(|e| bad(s, e)))
            .collect::<Result<_, _>>()?,
        python_text: python.to_vec(),
        mode,
    })
}

impl PatternSpec {
    /// Checks and compiles one pattern (cross-references are checked by the caller).
    pub(super) fn compile(self, file: &str) -> Result<Pattern, CatalogError> {
        let entry = if self.id.is_empty() {
            "pattern without id".to_owned()
        } else {
            format!("pattern `{}`", self.id)
        };
        let invalid =
            |reason: String| CatalogError::Invalid { file: file.to_owned(), entry: entry.clone(), reason };
        if !is_kebab(&self.id) {
            return Err(invalid(format!("id {:?} is not kebab-case (a-z, 0-9 and single dashes)", self.id)));
        }
        if self.name.trim().is_empty() {
            return Err(invalid("`name` is empty".into()));
        }
        if self.rationale.trim().is_empty() {
            return Err(invalid("`rationale` is empty".into()));
        }
        if !PATTERN_FRAMEWORKS.contains(&self.framework.as_str()) {
            return Err(invalid(format!(
                "framework {:?} is not one of {}",
                self.framework,
                PATTERN_FRAMEWORKS.join(", ")
            )));
        }
        for (name, v) in [("min_share", self.min_share), ("likely_share", self.likely_share)] {
            if !v.is_finite() || !(0.0..=100.0).contains(&v) {
                return Err(invalid(format!("`{name}` must be a percentage between 0 and 100, got {v}")));
            }
        }
        match &self.pr {
            Some(pr) if !is_pr(pr) => {
                return Err(invalid(format!("pr {pr:?} is not `owner/repo#number`")));
            }
            None if self.origin == Origin::Inflight => {
                return Err(invalid("an in-flight pattern needs its `pr`".into()));
            }
            _ => {}
        }
        if self.min_tp_size.is_some_and(|t| t < 1) {
            return Err(invalid("`min_tp_size` must be at least 1".into()));
        }
        let f = self.fused;
        let fused = compile_set(file, &entry, &f.kernel, &f.cpu_op, &f.python, f.r#match)?;
        let mut split = Vec::with_capacity(self.split.len());
        for (i, g) in self.split.into_iter().enumerate() {
            if g.name.trim().is_empty() {
                return Err(invalid(format!("split group {} has no name", i + 1)));
            }
            let signals = compile_set(file, &entry, &g.kernel, &g.cpu_op, &g.python, g.r#match)?;
            if signals.is_empty() {
                return Err(invalid(format!("split group {:?} has no signals", g.name)));
            }
            split.push(Group { name: g.name, signals });
        }
        if fused.is_empty() && split.is_empty() {
            return Err(invalid("a pattern needs fused signals or split groups".into()));
        }
        let lower = |v: Vec<String>| v.into_iter().map(|s| s.to_ascii_lowercase()).collect::<Vec<_>>();
        Ok(Pattern {
            id: self.id,
            name: self.name,
            framework: self.framework,
            origin: self.origin,
            pr: self.pr,
            priority: self.priority,
            min_share: self.min_share,
            likely_share: self.likely_share,
            subsumes: self.subsumes,
            refs: self.refs,
            paths: self.paths,
            rationale: self.rationale,
            model_include: lower(self.model_include),
            model_exclude: lower(self.model_exclude),
            min_tp_size: self.min_tp_size,
            dtypes: self.dtype,
            platform: self.platform,
            fused,
            split,
            source_id: self.source_id,
            note: self.note,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_signals() {
        let m = |s: &str, path: &str, f: &str| PySignal::compile(s).expect("valid").matches(path, f);
        assert!(m("layers/layernorm.py", "python/sglang/srt/layers/layernorm.py", "forward"));
        assert!(!m("layers/layernorm.py", "python/sglang/srt/layers/my_layernorm.py", "forward"));
        assert!(m("v1/attention/", "vllm/v1/attention/backends/flashinfer.py", "forward"));
        assert!(m("flashinfer_comm_fusion.py", "python/sglang/srt/layers/flashinfer_comm_fusion.py", "x"));
        assert!(m("apply_qk_norm", "python/sglang/srt/models/utils.py", "apply_qk_norm"));
        assert!(!m("apply_qk_norm", "python/sglang/srt/models/utils.py", "apply_qk_norm_rope"));
        assert!(m("utils.py::apply_qk_norm", "python/sglang/srt/models/utils.py", "apply_qk_norm"));
        assert!(PySignal::compile("a b").is_err());
        assert!(PySignal::compile("x::f").is_err());
    }

    #[test]
    fn ids_and_prs() {
        assert!(is_kebab("sglang-fused-add-rmsnorm"));
        assert!(!is_kebab("Sglang"));
        assert!(!is_kebab("a--b"));
        assert!(!is_kebab("a_b"));
        assert!(is_pr("sgl-project/sglang#22392"));
        assert!(!is_pr("#22392"));
        assert!(!is_pr("sgl-project/sglang#x"));
    }
}
