//! The markdown bundle: many runs in one document, grouped by model and framework as the
//! seed's bundle renderer groups them (anchor-spec §18), with a table of contents and each
//! run's full report (kernel, overlap and fuse tables) from [`crate::markdown`].
//!
//! Differences from the seed, on purpose: a group is a model (the report's model, else the
//! model files on the Python stacks) and only runs without a model fall back to their
//! folder's name; runs are listed under their group with one `###` section each
//! (framework and run name), so two runs of one framework stay apart; headings carry
//! explicit anchors, so the contents links work whatever the markdown viewer's own
//! anchor rules; the `Notes` and `Diagnostics` lines become `####` headings like the
//! table titles.

use super::date;
use super::entry::{DateSource, ManifestEntry};
use super::ids;
use crate::{Report, markdown};

/// The seed's default title.
pub const DEFAULT_TITLE: &str = "Unified LLM Torch Profiler Triage Bundle";

/// One run of a bundle.
#[derive(Clone, Copy, Debug)]
pub struct BundleRun<'a> {
    /// Its manifest entry (model, framework, label, source, date).
    pub entry: &'a ManifestEntry,
    /// Its report.
    pub report: &'a Report,
}

/// Bundle options.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BundleOptions {
    /// The `#` title.
    pub title: String,
    /// Whether to write the table of contents.
    pub toc: bool,
    /// The "Generated on" text (the engine has no clock), e.g. `2026-06-09 13:39:13 UTC`.
    pub generated: Option<String>,
}

impl Default for BundleOptions {
    fn default() -> Self {
        BundleOptions { title: DEFAULT_TITLE.to_owned(), toc: true, generated: None }
    }
}

/// Lines of a report that become `####` headings.
const SECTIONS: [&str; 8] = [
    "Triage View",
    "Trace Health",
    "Verdict",
    "Kernel Table",
    "Overlap Opportunity Table",
    "Fuse Opportunity Table",
    "Notes",
    "Diagnostics",
];

/// The seed's framework order: SGLang, vLLM, TensorRT-LLM, TokenSpeed, others.
fn framework_rank(id: &str) -> u8 {
    match id {
        "sglang" => 0,
        "vllm" => 1,
        "trtllm" => 2,
        "tokenspeed" => 3,
        _ => 4,
    }
}

/// The group of a run: `(key, display name)`. Runs of one model share a group; runs
/// without a model are grouped by folder.
#[must_use]
pub fn group_of(e: &ManifestEntry) -> (String, String) {
    let key = e.model_key();
    if key.is_empty() {
        let folder = if e.folder.is_empty() { "runs".to_owned() } else { e.folder.clone() };
        (format!("folder:{}", folder.to_lowercase()), format!("{folder} (model unknown)"))
    } else {
        (format!("model:{key}"), e.model.clone().unwrap_or_default())
    }
}

/// Escapes text for a heading or link label.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        if matches!(ch, '\\' | '`' | '*' | '[' | ']' | '<' | '>' | '#' | '|') {
            out.push('\\');
        }
        out.push(ch);
    }
    out
}

/// The report text as the bundle shows it: section lines as `####` headings.
fn normalised(report: &Report) -> String {
    let text = markdown::render(report).replace("\r\n", "\n");
    let text = text.trim();
    if text.is_empty() {
        return "_Empty analysis output._".to_owned();
    }
    text.lines()
        .map(|l| if SECTIONS.contains(&l) { format!("#### {l}") } else { l.to_owned() })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A unique anchor.
fn unique_anchor(taken: &mut std::collections::BTreeSet<String>, text: &str) -> String {
    let base = ids::anchor(text);
    let mut a = base.clone();
    let mut n = 1;
    while taken.contains(&a) {
        a = format!("{base}-{n}");
        n += 1;
    }
    taken.insert(a.clone());
    a
}

struct Group<'a> {
    key: String,
    display: String,
    runs: Vec<BundleRun<'a>>,
}

/// Runs grouped: groups by display name (case-insensitive) then key; runs by framework
/// order, label, source, id. The display name is the longest model spelling in the group.
fn groups<'a>(runs: &[BundleRun<'a>]) -> Vec<Group<'a>> {
    let mut groups: Vec<Group<'a>> = Vec::new();
    for run in runs {
        let (key, display) = group_of(run.entry);
        match groups.iter_mut().find(|g| g.key == key) {
            Some(g) => {
                if display.len() > g.display.len()
                    || (display.len() == g.display.len() && display < g.display)
                {
                    g.display = display;
                }
                g.runs.push(*run);
            }
            None => groups.push(Group { key, display, runs: vec![*run] }),
        }
    }
    engine::order::sort_by(&mut groups, |a, b| {
        a.display.to_lowercase().cmp(&b.display.to_lowercase()).then_with(|| a.key.cmp(&b.key))
    });
    for g in &mut groups {
        engine::order::sort_by(&mut g.runs, |a, b| {
            let k = |r: &BundleRun<'_>| {
                (
                    framework_rank(&r.entry.framework),
                    r.entry.label.clone(),
                    r.entry.source.clone(),
                    r.entry.id.clone(),
                )
            };
            k(a).cmp(&k(b))
        });
    }
    groups
}

/// The bundle as markdown.
#[must_use]
pub fn render(runs: &[BundleRun<'_>], options: &BundleOptions) -> String {
    let groups = groups(runs);
    let mut taken = std::collections::BTreeSet::new();
    // Anchors first, so the contents and the sections agree.
    let anchors: Vec<(String, Vec<String>)> = groups
        .iter()
        .map(|g| {
            let ga = unique_anchor(&mut taken, &g.display);
            let ra = g
                .runs
                .iter()
                .map(|r| {
                    unique_anchor(
                        &mut taken,
                        &format!("{} {} {}", g.display, r.entry.framework_label, r.entry.label),
                    )
                })
                .collect();
            (ga, ra)
        })
        .collect();
    let mut out: Vec<String> = vec![format!("# {}", options.title), String::new()];
    if let Some(when) = &options.generated {
        out.push(format!("_Generated on {when}_"));
        out.push(String::new());
    }
    let count = runs.len();
    out.push(format!(
        "{count} run{} of {} model group{}.",
        if count == 1 { "" } else { "s" },
        groups.len(),
        if groups.len() == 1 { "" } else { "s" }
    ));
    out.push(String::new());
    if options.toc {
        out.push("## Contents".to_owned());
        out.push(String::new());
        for (g, (ga, ras)) in groups.iter().zip(&anchors) {
            out.push(format!("- [{}](#{ga})", escape(&g.display)));
            for (r, ra) in g.runs.iter().zip(ras) {
                out.push(format!(
                    "  - [{} · {}](#{ra})",
                    escape(&r.entry.framework_label),
                    escape(&r.entry.label)
                ));
            }
        }
        out.push(String::new());
    }
    for (g, (ga, ras)) in groups.iter().zip(&anchors) {
        out.push(format!("## <a id=\"{ga}\"></a>{}", escape(&g.display)));
        out.push(String::new());
        out.push(format!("Model id: `{}`", g.key.split_once(':').map_or(g.key.as_str(), |(_, k)| k)));
        out.push(String::new());
        for (r, ra) in g.runs.iter().zip(ras) {
            let e = r.entry;
            out.push(format!("### <a id=\"{ra}\"></a>{} · {}", escape(&e.framework_label), escape(&e.label)));
            out.push(String::new());
            out.push(format!("Source: `{}`", e.source.replace('`', "'")));
            if let Some(t) = e.captured_unix_ns {
                let from = match e.date_source {
                    DateSource::Trace => "from the trace",
                    DateSource::File => "file time",
                    DateSource::None => "",
                };
                out.push(String::new());
                out.push(format!("Captured: {} UTC ({from})", date::minute(t)));
            }
            out.push(String::new());
            out.push(normalised(r.report));
            out.push(String::new());
        }
    }
    let mut text: String = out.iter().map(|l| l.trim_end()).collect::<Vec<_>>().join("\n");
    let trimmed = text.trim_end().len();
    text.truncate(trimmed);
    text.push('\n');
    text
}
