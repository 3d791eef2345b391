//! One manifest entry: what the dashboard lists of a run (model, framework, GPU, stages,
//! capture date, headline figures, category shares and the top kernel families), taken
//! from its [`Report`] once, so a thousand runs can be listed, filtered, sorted and charted
//! without loading a single report.
//!
//! Kernel families use the A/B diff's identity ([`family_key`]: the demangled base name
//! without run-dependent tokens, else the normalised name, else the canonical name), so a
//! family in the manifest is the same family the comparison shows.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::format;
use crate::{Report, StageReport};
use engine::names;
use engine::vocab::Category;
use engine::vocab::Stage;

/// Kernel families kept per stage by default (the comparison reads full reports).
pub const DEFAULT_FAMILIES: usize = 5;
/// Family names and keys are cut to this many characters (kernel names reach 1–2 KB).
const NAME_CHARS: usize = 200;

/// Where a run came from, as the writer of the manifest knows it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EntrySource {
    /// The entry's id (see [`super::ids`]): unique in the manifest, safe as a file name.
    pub id: String,
    /// The report file, relative to the manifest (`<id>.json`).
    pub report: String,
    /// What was given: a trace path, a capture folder or a report file.
    pub source: String,
    /// The name of the folder the run came from (the bundle's fallback group).
    pub folder: String,
    /// The file's modification time (Unix ns), used when the trace has no date.
    pub file_mtime_unix_ns: Option<i64>,
}

/// How much of each report an entry keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EntryOptions {
    /// Kernel families kept per stage (most GPU time first); `usize::MAX` keeps all.
    pub families: usize,
}

impl Default for EntryOptions {
    fn default() -> Self {
        EntryOptions { families: DEFAULT_FAMILIES }
    }
}

/// Where an entry's date came from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DateSource {
    /// The trace's own timestamps (`baseTimeNanoseconds` + first event, or epoch times).
    Trace,
    /// The file's modification time.
    File,
    /// Unknown.
    #[default]
    None,
}

/// A kernel family's time in a stage (or in the whole run).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FamilyFigure {
    /// The family key (lower-case, normalised; see [`family_key`]).
    pub key: String,
    /// The canonical name of its kernel with the most GPU time.
    pub name: String,
    /// That kernel's category.
    pub category: Category,
    /// GPU time of the family's listed kernels, ns.
    pub gpu_ns: i64,
    /// Percentage of the stage's (or run's) Σ GPU activity time.
    pub share_pct: f64,
    /// Launches.
    pub launches: u64,
    /// Listed kernels (table rows) in the family.
    pub kernels: u64,
}

/// A category's time.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CategoryShare {
    /// The category.
    pub category: Category,
    /// GPU time of its listed kernels, ns.
    pub gpu_ns: i64,
    /// Percentage of Σ GPU activity time.
    pub share_pct: f64,
}

/// One stage of a run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EntryStage {
    /// The stage.
    pub stage: Stage,
    /// Its label in the report (`decode`, `decode (rank 1)`).
    pub label: String,
    /// Σ GPU activity time, ns.
    pub gpu_ns: i64,
    /// Time the GPU was busy, ns.
    pub busy_ns: i64,
    /// GPU wall time of the stage's steps, ns.
    pub span_ns: i64,
    /// `busy / span`, percent.
    pub utilization_pct: f64,
    /// GPU activities.
    pub launches: u64,
    /// Step windows.
    pub steps: u64,
    /// Σ durations of graph-replayed activities, ns.
    pub graph_replay_ns: i64,
    /// Percentage of GPU time with a Python location; `None` when not computed.
    pub coverage_pct: Option<f64>,
    /// Communication time no compute hid, ns; `None` without the overlap analysis.
    pub exposed_comm_ns: Option<i64>,
    /// Idle time inside the steps, ns; `None` without the overlap analysis.
    pub idle_ns: Option<i64>,
    /// Listed GPU time per category, most first.
    pub categories: Vec<CategoryShare>,
    /// GPU time below the report's share cutoff (no category or family known), ns.
    pub unlisted_ns: i64,
    /// The top kernel families, most GPU time first.
    pub families: Vec<FamilyFigure>,
    /// Families not kept in `families`.
    pub more_families: u64,
    /// Fuse opportunities listed.
    pub fuse_rows: u64,
    /// The stage's verdict line (empty in manifests of older builds).
    #[serde(default)]
    pub verdict: String,
}

/// One run of the dashboard.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ManifestEntry {
    /// Unique id in the manifest (`[A-Za-z0-9._-]`, also the report file's stem).
    pub id: String,
    /// The report file, relative to the manifest.
    pub report: String,
    /// What was given: a trace path, a capture folder or a report file.
    pub source: String,
    /// A short name of the run: the source's file or folder name without extensions.
    pub label: String,
    /// The folder the run came from.
    pub folder: String,
    /// Model name or path (`server_args.json`), else the model files on the Python stacks.
    pub model: Option<String>,
    /// Where `model` came from.
    pub model_source: Option<String>,
    /// Framework id: `sglang`, `vllm`, `trtllm`, `tokenspeed` or `unknown`.
    pub framework: String,
    /// Framework label: `SGLang`, `vLLM`, `TensorRT-LLM`, `TokenSpeed` or `unknown`.
    pub framework_label: String,
    /// `single-trace` or `mapping-formal`.
    pub mode: String,
    /// GPU names of the inputs (distinct, `; `-joined), when known.
    pub gpu: Option<String>,
    /// World size from `distributedInfo`.
    pub world_size: Option<i64>,
    /// Ranks of the inputs (distinct, sorted).
    pub ranks: Vec<i64>,
    /// Stages in report order.
    pub stages: Vec<EntryStage>,
    /// Capture time, Unix ns.
    pub captured_unix_ns: Option<i64>,
    /// Where `captured_unix_ns` came from.
    pub date_source: DateSource,
    /// Σ GPU activity time over the stages, ns.
    pub gpu_ns: i64,
    /// Σ busy time over the stages, ns.
    pub busy_ns: i64,
    /// Σ step wall time over the stages, ns.
    pub span_ns: i64,
    /// `busy / span` over the stages, percent.
    pub utilization_pct: f64,
    /// Percentage of GPU time with a Python location (stages that computed it).
    pub coverage_pct: Option<f64>,
    /// GPU activities.
    pub launches: u64,
    /// Step windows.
    pub steps: u64,
    /// Σ exposed communication over the stages that have the overlap analysis, ns.
    pub exposed_comm_ns: Option<i64>,
    /// Σ idle time inside steps over those stages, ns.
    pub idle_ns: Option<i64>,
    /// The kernel family with the most GPU time over all stages.
    pub top_family: Option<FamilyFigure>,
    /// Listed GPU time per category over all stages, most first.
    pub categories: Vec<CategoryShare>,
    /// Fuse opportunities listed, all stages.
    pub fuse_rows: u64,
    /// Warning diagnostics (truncation, damage, …).
    pub warnings: u64,
    /// The report's version.
    pub report_version: u32,
    /// The tool that wrote the report.
    pub generator: String,
    /// Where the run's trace can be fetched, when the writer knows (`tracetriage dashboard
    /// --trace-url-base`): an `http(s)` URL, or a URL relative to the dashboard page. The
    /// page links it as "open trace" (the app at `#src=<trace_url>`). Absent in manifests
    /// of older builds and for runs read from report files or of several traces.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trace_url: Option<String>,
}

/// A kernel's family, as the A/B diff groups kernels: [`names::family`], else
/// [`names::normalized`], else [`names::canonical`].
#[must_use]
pub fn family_key(name: &str) -> String {
    if let Some(f) = names::family(name).filter(|f| !f.is_empty()) {
        return f;
    }
    let n = names::normalized(name);
    if n.is_empty() { names::canonical(name) } else { n }
}

/// At most [`NAME_CHARS`] characters, with `…` when cut.
fn cut(text: &str) -> String {
    match text.char_indices().nth(NAME_CHARS) {
        Some((i, _)) => format!("{}…", text.get(..i).unwrap_or(text)),
        None => text.to_owned(),
    }
}

/// A family being summed: (name of the largest row, its ns, category, Σ ns, launches, rows).
#[derive(Default)]
struct FamilySum {
    name: String,
    top_ns: i64,
    category: Option<Category>,
    gpu_ns: i64,
    launches: u64,
    kernels: u64,
}

fn add_rows(sums: &mut BTreeMap<String, FamilySum>, stage: &StageReport) {
    for row in &stage.kernels.rows {
        let s = sums.entry(family_key(&row.name)).or_default();
        let ns = row.gpu_ns.max(0);
        if s.category.is_none() || ns > s.top_ns || (ns == s.top_ns && row.name < s.name) {
            s.name.clone_from(&row.name);
            s.top_ns = ns;
            s.category = Some(row.category);
        }
        s.gpu_ns = s.gpu_ns.saturating_add(ns);
        s.launches = s.launches.saturating_add(row.launches);
        s.kernels += 1;
    }
}

/// Families most GPU time first (then key), with shares of `total_ns`.
fn families(sums: BTreeMap<String, FamilySum>, total_ns: i64) -> Vec<FamilyFigure> {
    let mut out: Vec<FamilyFigure> = sums
        .into_iter()
        .map(|(key, s)| FamilyFigure {
            key: cut(&key),
            name: cut(&s.name),
            category: s.category.unwrap_or(Category::Other),
            gpu_ns: s.gpu_ns,
            share_pct: format::share(s.gpu_ns, total_ns),
            launches: s.launches,
            kernels: s.kernels,
        })
        .collect();
    engine::order::sort_by(&mut out, |a, b| b.gpu_ns.cmp(&a.gpu_ns).then_with(|| a.key.cmp(&b.key)));
    out
}

fn add_categories(sums: &mut BTreeMap<Category, i64>, stage: &StageReport) {
    for row in &stage.kernels.rows {
        let v = sums.entry(row.category).or_insert(0);
        *v = v.saturating_add(row.gpu_ns.max(0));
    }
}

fn categories(sums: &BTreeMap<Category, i64>, total_ns: i64) -> Vec<CategoryShare> {
    let mut out: Vec<CategoryShare> = sums
        .iter()
        .filter(|(_, ns)| **ns > 0)
        .map(|(c, ns)| CategoryShare { category: *c, gpu_ns: *ns, share_pct: format::share(*ns, total_ns) })
        .collect();
    engine::order::sort_by(&mut out, |a, b| {
        b.gpu_ns.cmp(&a.gpu_ns).then_with(|| a.category.cmp(&b.category))
    });
    out
}

/// The stage's share denominator: the kernel table's total, else the summary's.
fn stage_total(s: &StageReport) -> i64 {
    if s.kernels.total_ns > 0 { s.kernels.total_ns } else { s.summary.kernel_ns.max(0) }
}

fn stage_of(s: &StageReport, options: EntryOptions) -> EntryStage {
    let total = stage_total(s);
    let mut fam = BTreeMap::new();
    add_rows(&mut fam, s);
    let mut all = families(fam, total);
    let more = all.len().saturating_sub(options.families);
    all.truncate(options.families);
    let mut cats = BTreeMap::new();
    add_categories(&mut cats, s);
    let listed: i64 = s.kernels.rows.iter().map(|r| r.gpu_ns.max(0)).sum();
    let c = &s.coverage;
    EntryStage {
        stage: s.stage,
        label: s.label.clone(),
        gpu_ns: total,
        busy_ns: s.summary.busy_ns,
        span_ns: s.summary.span_ns,
        utilization_pct: s.summary.utilization_pct,
        launches: s.summary.launches,
        steps: s.summary.steps,
        graph_replay_ns: s.summary.graph_replay_ns,
        coverage_pct: (c.computed && c.total_ns > 0)
            .then(|| format::share(c.total_ns.saturating_sub(c.unattributed_ns), c.total_ns)),
        exposed_comm_ns: s.overlap.computed.then_some(s.overlap.sweep.exposed_comm_ns),
        idle_ns: s.overlap.computed.then_some(s.overlap.sweep.idle_ns),
        categories: categories(&cats, total),
        unlisted_ns: total.saturating_sub(listed).max(0),
        families: all,
        more_families: more as u64,
        fuse_rows: s.fuse.rows.len() as u64,
        verdict: s.verdict.text.clone(),
    }
}

/// The label of a source path: its last component without trace and JSON extensions.
#[must_use]
pub fn label_of(source: &str) -> String {
    let trimmed = source.trim_end_matches(['/', '\\']);
    let name = trimmed.rsplit(['/', '\\']).next().unwrap_or(trimmed);
    let mut stem = name;
    for ext in [".gz", ".json", ".trace", ".pt"] {
        if stem.len() > ext.len()
            && stem.get(stem.len() - ext.len()..).is_some_and(|e| e.eq_ignore_ascii_case(ext))
        {
            stem = stem.get(..stem.len() - ext.len()).unwrap_or(stem);
        }
    }
    stem.to_owned()
}

fn sum_opt(values: impl Iterator<Item = Option<i64>>) -> Option<i64> {
    values.fold(None, |acc, v| match (acc, v) {
        (None, v) => v,
        (Some(a), Some(b)) => Some(a.saturating_add(b)),
        (a, None) => a,
    })
}

impl ManifestEntry {
    /// The entry of a report.
    #[must_use]
    pub fn from_report(report: &Report, src: &EntrySource, options: EntryOptions) -> ManifestEntry {
        let stages: Vec<EntryStage> = report.stages.iter().map(|s| stage_of(s, options)).collect();
        let gpu_ns = stages.iter().fold(0i64, |a, s| a.saturating_add(s.gpu_ns));
        let busy_ns = stages.iter().fold(0i64, |a, s| a.saturating_add(s.busy_ns));
        let span_ns = stages.iter().fold(0i64, |a, s| a.saturating_add(s.span_ns));
        let covered: Vec<&StageReport> =
            report.stages.iter().filter(|s| s.coverage.computed && s.coverage.total_ns > 0).collect();
        let coverage_pct = (!covered.is_empty()).then(|| {
            let total = covered.iter().fold(0i64, |a, s| a.saturating_add(s.coverage.total_ns));
            let un = covered.iter().fold(0i64, |a, s| a.saturating_add(s.coverage.unattributed_ns));
            format::share(total.saturating_sub(un), total)
        });
        let mut fam = BTreeMap::new();
        let mut cats = BTreeMap::new();
        for s in &report.stages {
            add_rows(&mut fam, s);
            add_categories(&mut cats, s);
        }
        let top_family = families(fam, gpu_ns).into_iter().next();
        let (model, model_source) = match &report.model {
            Some(m) if !m.trim().is_empty() => (Some(m.clone()), Some("server_args.json".to_owned())),
            _ => report
                .stages
                .iter()
                .find_map(|s| {
                    let c = &s.fuse.context;
                    c.model
                        .as_ref()
                        .filter(|m| !m.trim().is_empty())
                        .map(|m| (m.clone(), c.model_source.clone()))
                })
                .map_or((None, None), |(m, src)| (Some(m), src)),
        };
        let mut gpus: Vec<String> = Vec::new();
        let mut ranks: Vec<i64> = Vec::new();
        for i in &report.inputs {
            if let Some(g) = i.gpu.as_ref().filter(|g| !g.is_empty())
                && !gpus.contains(g)
            {
                gpus.push(g.clone());
            }
            ranks.extend(i.rank);
        }
        engine::order::sort_by(&mut ranks, Ord::cmp);
        ranks.dedup();
        let captured = report.inputs.iter().filter_map(|i| i.captured_unix_ns).min();
        let (captured_unix_ns, date_source) = match (captured, src.file_mtime_unix_ns) {
            (Some(t), _) => (Some(t), DateSource::Trace),
            (None, Some(t)) => (Some(t), DateSource::File),
            (None, None) => (None, DateSource::None),
        };
        ManifestEntry {
            id: src.id.clone(),
            report: src.report.clone(),
            source: src.source.clone(),
            label: label_of(&src.source),
            folder: src.folder.clone(),
            model,
            model_source,
            framework: report.framework.id.clone(),
            framework_label: report.framework.label.clone(),
            mode: report.mode.label().to_owned(),
            gpu: (!gpus.is_empty()).then(|| gpus.join("; ")),
            world_size: report.inputs.iter().find_map(|i| i.world_size),
            ranks,
            captured_unix_ns,
            date_source,
            gpu_ns,
            busy_ns,
            span_ns,
            utilization_pct: format::share(busy_ns, span_ns),
            coverage_pct,
            launches: stages.iter().map(|s| s.launches).sum(),
            steps: stages.iter().map(|s| s.steps).sum(),
            exposed_comm_ns: sum_opt(stages.iter().map(|s| s.exposed_comm_ns)),
            idle_ns: sum_opt(stages.iter().map(|s| s.idle_ns)),
            top_family,
            categories: categories(&cats, gpu_ns),
            fuse_rows: stages.iter().map(|s| s.fuse_rows).sum(),
            warnings: report.diagnostics.iter().filter(|d| d.severity == "warning").count() as u64,
            report_version: report.envelope.version,
            generator: report.envelope.generator.clone(),
            trace_url: None,
            stages,
        }
    }

    /// The stage of a kind, if the run has it.
    #[must_use]
    pub fn stage(&self, stage: Stage) -> Option<&EntryStage> {
        self.stages.iter().find(|s| s.stage == stage)
    }

    /// The stage labels joined with `, ` (`extend/prefill, decode`).
    #[must_use]
    pub fn stage_labels(&self) -> String {
        self.stages.iter().map(|s| s.stage.label()).collect::<Vec<_>>().join(", ")
    }

    /// Each stage's verdict headline: its line up to the ` — ` that starts the figures
    /// (`decode: communication-bound`); stages without a verdict are left out.
    #[must_use]
    pub fn verdict_headlines(&self) -> Vec<String> {
        self.stages
            .iter()
            .filter(|s| !s.verdict.is_empty())
            .map(|s| s.verdict.split(" — ").next().unwrap_or(&s.verdict).to_owned())
            .collect()
    }

    /// The model key runs are grouped and compared by: the model in lower case, or empty
    /// when unknown.
    #[must_use]
    pub fn model_key(&self) -> String {
        self.model.as_deref().map(|m| m.trim().to_lowercase()).unwrap_or_default()
    }
}
