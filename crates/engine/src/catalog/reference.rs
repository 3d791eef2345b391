//! Reference entries (`catalog/fuse-reference.toml`, `overlap-reference.toml`,
//! `fuse-vllm-compile.toml`): fused-kernel and overlap families, toggles and compile passes
//! that a report row can link to. They are looked up, not run as fuse patterns; their
//! signals are compiled so rows of other tables (the overlap table) can find the entries
//! that name their kernels.

use serde::Deserialize;

use super::CatalogError;
use super::fuse::{is_kebab, is_pr};
use crate::catalog::tokens::Signal;

/// Origins a reference entry may name.
pub const ENTRY_FRAMEWORKS: &[&str] = &["sglang", "vllm", "trtllm", "tokenspeed", "flashinfer", "any"];

/// Entry kinds.
pub const ENTRY_KINDS: &[&str] =
    &["fused", "overlap", "fused/overlap", "toggle", "compile-pass", "compile-fusion"];

/// One reference entry.
#[derive(Clone, Debug)]
pub struct Entry {
    /// Stable kebab-case id.
    pub id: String,
    /// The source catalog's id (`F1.01`, `O5.02`), if it has one.
    pub source_id: Option<String>,
    /// Display name.
    pub name: String,
    /// `fused`, `overlap`, `fused/overlap`, `toggle`, `compile-pass` or `compile-fusion`.
    pub kind: String,
    /// Project it comes from: `sglang`, `vllm`, `trtllm`, `tokenspeed`, `flashinfer`, `any`.
    pub framework: String,
    /// Origin as the source names it (`SGLang (diffusion)`), if given.
    pub origin: Option<String>,
    /// `mainline` or `in-flight`.
    pub status: String,
    /// Section of the source catalog.
    pub section: Option<String>,
    /// Trace signals as written (a trailing `*` is a wildcard).
    pub signals: Vec<String>,
    /// Compiled `signals`: kernel, op or identifier names as whole-token runs.
    pub compiled: Vec<Signal>,
    /// Prose hints about the trace shape.
    pub hints: Vec<String>,
    /// Backing source paths (`PR #N` lines included as written).
    pub paths: Vec<String>,
    /// Pull requests, `owner/repo#N`.
    pub prs: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct EntrySpec {
    id: String,
    #[serde(default)]
    source_id: Option<String>,
    name: String,
    kind: String,
    framework: String,
    #[serde(default)]
    origin: Option<String>,
    #[serde(default = "default_status")]
    status: String,
    #[serde(default)]
    section: Option<String>,
    #[serde(default)]
    signals: Vec<String>,
    #[serde(default)]
    hints: Vec<String>,
    #[serde(default)]
    paths: Vec<String>,
    #[serde(default)]
    prs: Vec<String>,
}

fn default_status() -> String {
    "mainline".to_owned()
}

impl EntrySpec {
    /// Checks and compiles one entry.
    pub(super) fn compile(self, file: &str) -> Result<Entry, CatalogError> {
        let entry =
            if self.id.is_empty() { "entry without id".to_owned() } else { format!("entry `{}`", self.id) };
        let invalid =
            |reason: String| CatalogError::Invalid { file: file.to_owned(), entry: entry.clone(), reason };
        if !is_kebab(&self.id) {
            return Err(invalid(format!("id {:?} is not kebab-case (a-z, 0-9 and single dashes)", self.id)));
        }
        if self.name.trim().is_empty() {
            return Err(invalid("`name` is empty".into()));
        }
        if !ENTRY_KINDS.contains(&self.kind.as_str()) {
            return Err(invalid(format!("kind {:?} is not one of {}", self.kind, ENTRY_KINDS.join(", "))));
        }
        if !ENTRY_FRAMEWORKS.contains(&self.framework.as_str()) {
            return Err(invalid(format!(
                "framework {:?} is not one of {}",
                self.framework,
                ENTRY_FRAMEWORKS.join(", ")
            )));
        }
        if !matches!(self.status.as_str(), "mainline" | "in-flight") {
            return Err(invalid(format!("status {:?} is not `mainline` or `in-flight`", self.status)));
        }
        if let Some(pr) = self.prs.iter().find(|p| !is_pr(p)) {
            return Err(invalid(format!("pr {pr:?} is not `owner/repo#number`")));
        }
        if self.signals.is_empty() && self.hints.is_empty() {
            return Err(invalid("an entry needs `signals` or `hints`".into()));
        }
        let compiled = self
            .signals
            .iter()
            .map(|s| {
                Signal::compile(s).map_err(|reason| CatalogError::BadPattern {
                    file: file.to_owned(),
                    entry: entry.clone(),
                    pattern: s.clone(),
                    reason,
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Entry {
            id: self.id,
            source_id: self.source_id,
            name: self.name,
            kind: self.kind,
            framework: self.framework,
            origin: self.origin,
            status: self.status,
            section: self.section,
            signals: self.signals,
            compiled,
            hints: self.hints,
            paths: self.paths,
            prs: self.prs,
        })
    }
}
