//! Catalog lookups for front ends: an entry's display fields by id (the browser's side
//! panel behind a fuse or overlap row), and the reference entries whose signals name a
//! kernel (so an overlap row can link to its family).

use serde::Serialize;

use super::Catalog;
use super::fuse::{MatchMode, Pattern, SignalSet};
use super::reference::Entry;
use crate::catalog::tokens::Tokens;
use crate::names;

/// A pull request: `owner/repo#N` and its web address.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PrLink {
    /// `owner/repo#N`.
    pub id: String,
    /// `https://github.com/owner/repo/pull/N`.
    pub url: String,
}

impl PrLink {
    /// Builds the link for `owner/repo#N`.
    #[must_use]
    pub fn new(id: &str) -> PrLink {
        let url = match id.split_once('#') {
            Some((repo, n)) => format!("https://github.com/{repo}/pull/{n}"),
            None => String::new(),
        };
        PrLink { id: id.to_owned(), url }
    }
}

/// The signals of a fused path, a split group, or a reference entry, by kind.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SignalsView {
    /// `fused path`, the split group's name, or `signals`.
    pub label: String,
    /// Kernel-name signals as written.
    pub kernel: Vec<String>,
    /// CPU-op signals.
    pub cpu_op: Vec<String>,
    /// Python signals.
    pub python: Vec<String>,
    /// `any` (one signal suffices) or `all` (every listed kind must match).
    pub mode: String,
}

fn signals_view(label: &str, s: &SignalSet) -> SignalsView {
    SignalsView {
        label: label.to_owned(),
        kernel: s.kernel.iter().map(|x| x.text().to_owned()).collect(),
        cpu_op: s.cpu_op.iter().map(|x| x.text().to_owned()).collect(),
        python: s.python_text.clone(),
        mode: match s.mode {
            MatchMode::Any => "any",
            MatchMode::All => "all",
        }
        .to_owned(),
    }
}

/// What the side panel shows for one catalog id.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EntryView {
    /// The id.
    pub id: String,
    /// `fuse-pattern` for patterns the fuse table runs; otherwise the reference kind
    /// (`fused`, `overlap`, `fused/overlap`, `toggle`, `compile-pass`, `compile-fusion`).
    pub kind: String,
    /// Display name.
    pub name: String,
    /// `sglang`, `vllm`, `trtllm`, `tokenspeed`, `flashinfer` or `any`.
    pub framework: String,
    /// `mainline`, `upstream` or `in-flight`.
    pub status: String,
    /// The source catalog's id (`F1.01`, `A25`), if any.
    pub source_id: Option<String>,
    /// Source catalog section, if any.
    pub section: Option<String>,
    /// Signals, one set per fused path / split group.
    pub signals: Vec<SignalsView>,
    /// Prose hints about the trace shape.
    pub hints: Vec<String>,
    /// Conditions a pattern needs (`TP size ≥ 2`, `model contains deepseek or glm`, …).
    pub gates: Vec<String>,
    /// Backing source paths.
    pub paths: Vec<String>,
    /// Pull requests.
    pub prs: Vec<PrLink>,
    /// One-line rationale, for patterns.
    pub rationale: Option<String>,
    /// Related ids: a pattern's reference entries, or the patterns that cite an entry.
    pub related: Vec<String>,
}

/// Display name of a framework or origin id (`sglang` → `SGLang`).
#[must_use]
pub fn framework_label(id: &str) -> &str {
    match id {
        "sglang" => "SGLang",
        "vllm" => "vLLM",
        "trtllm" => "TensorRT-LLM",
        "tokenspeed" => "TokenSpeed",
        "flashinfer" => "FlashInfer",
        other => other,
    }
}

/// Human-readable gates of a pattern.
#[must_use]
pub fn gates(p: &Pattern) -> Vec<String> {
    let mut out = Vec::new();
    if p.framework != "any" {
        out.push(format!("framework: {}", framework_label(&p.framework)));
    }
    if !p.model_include.is_empty() {
        out.push(format!("model name contains {}", p.model_include.join(" or ")));
    }
    if !p.model_exclude.is_empty() {
        out.push(format!("model name does not contain {}", p.model_exclude.join(" or ")));
    }
    if let Some(tp) = p.min_tp_size {
        out.push(format!("tensor-parallel size ≥ {tp}"));
    }
    if !p.dtypes.is_empty() {
        let d: Vec<&str> = p.dtypes.iter().map(|d| d.label()).collect();
        out.push(format!("data type {} in the trace", d.join(" or ")));
    }
    if let Some(pl) = p.platform {
        out.push(format!("platform {}", pl.label()));
    }
    out
}

fn pattern_view(p: &Pattern) -> EntryView {
    let mut signals = Vec::new();
    if !p.fused.is_empty() {
        signals.push(signals_view("fused path", &p.fused));
    }
    signals.extend(p.split.iter().map(|g| signals_view(&g.name, &g.signals)));
    EntryView {
        id: p.id.clone(),
        kind: "fuse-pattern".to_owned(),
        name: p.name.clone(),
        framework: p.framework.clone(),
        status: match p.origin {
            super::fuse::Origin::Mainline => "mainline",
            super::fuse::Origin::Upstream => "upstream",
            super::fuse::Origin::Inflight => "in-flight",
        }
        .to_owned(),
        source_id: p.source_id.clone(),
        section: None,
        signals,
        hints: Vec::new(),
        gates: gates(p),
        paths: p.paths.clone(),
        prs: p.pr.iter().map(|pr| PrLink::new(pr)).collect(),
        rationale: Some(p.rationale.clone()),
        related: p.refs.clone(),
    }
}

fn entry_view(c: &Catalog, e: &Entry) -> EntryView {
    EntryView {
        id: e.id.clone(),
        kind: e.kind.clone(),
        name: e.name.clone(),
        framework: e.framework.clone(),
        status: e.status.clone(),
        source_id: e.source_id.clone(),
        section: e.section.clone(),
        signals: vec![SignalsView {
            label: "signals".to_owned(),
            kernel: e.signals.clone(),
            cpu_op: Vec::new(),
            python: Vec::new(),
            mode: "any".to_owned(),
        }],
        hints: e.hints.clone(),
        gates: Vec::new(),
        paths: e.paths.clone(),
        prs: e.prs.iter().map(|pr| PrLink::new(pr)).collect(),
        rationale: None,
        related: c.patterns.iter().filter(|p| p.refs.contains(&e.id)).map(|p| p.id.clone()).collect(),
    }
}

/// A reference entry whose signals name a kernel or op.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ReferenceMatch {
    /// The entry's id.
    pub id: String,
    /// How many of its signals matched.
    pub hits: usize,
}

impl Catalog {
    /// The display fields of a pattern or reference entry, by id.
    #[must_use]
    pub fn entry(&self, id: &str) -> Option<EntryView> {
        if let Some(p) = self.pattern(id) {
            return Some(pattern_view(p));
        }
        self.reference(id).map(|e| entry_view(self, e))
    }

    /// Reference entries whose signals match a kernel name (on its demangled base name,
    /// whole tokens) or a CPU op, most signals matched first, then catalog order.
    /// `kinds` restricts the entry kinds (`overlap`, `fused`, …); empty means all.
    #[must_use]
    pub fn reference_matches(&self, kernel: &str, cpu_op: &str, kinds: &[&str]) -> Vec<ReferenceMatch> {
        let base = Tokens::new(&names::base_name(kernel).base);
        let op = Tokens::new(cpu_op);
        let mut out: Vec<(usize, ReferenceMatch)> = self
            .entries
            .iter()
            .enumerate()
            .filter(|(_, e)| kinds.is_empty() || kinds.contains(&e.kind.as_str()))
            .filter_map(|(i, e)| {
                let hits = e.compiled.iter().filter(|s| s.matches(&base) || s.matches(&op)).count();
                (hits > 0).then(|| (i, ReferenceMatch { id: e.id.clone(), hits }))
            })
            .collect();
        crate::order::sort_by(&mut out, |a, b| b.1.hits.cmp(&a.1.hits).then(a.0.cmp(&b.0)));
        out.into_iter().map(|(_, m)| m).collect()
    }
}
