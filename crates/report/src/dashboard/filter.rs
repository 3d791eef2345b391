//! Filtering and sorting manifest entries, for the dashboard's run list.
//!
//! A filter is text: words separated by spaces, every word must match (case-insensitive
//! substring). A bare word matches the model, framework, GPU, stages, label, source or id;
//! `model:`, `framework:` (`fw:`), `gpu:`, `stage:`, `id:` and `family:` restrict a word to
//! one field; a leading `-` negates it (`-stage:prefill`). Sorting takes any [`Column`]
//! and breaks ties by date, then id, so the order never depends on the input order;
//! missing values sort last in either direction.

use std::cmp::Ordering;

use super::date;
use super::entry::ManifestEntry;

/// A field a filter word can be restricted to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Field {
    Any,
    Model,
    Framework,
    Gpu,
    Stage,
    Id,
    Family,
}

/// One word of a filter.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Word {
    field: Field,
    text: String,
    negated: bool,
}

/// A parsed filter.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Query {
    words: Vec<Word>,
}

impl Query {
    /// Parses filter text (see the module documentation). Empty text matches everything.
    #[must_use]
    pub fn parse(text: &str) -> Query {
        let words = text
            .split_whitespace()
            .filter_map(|w| {
                let (negated, w) = match w.strip_prefix('-') {
                    Some(rest) if !rest.is_empty() => (true, rest),
                    _ => (false, w),
                };
                let (field, value) = match w.split_once(':') {
                    Some((k, v)) => match k.to_ascii_lowercase().as_str() {
                        "model" => (Field::Model, v),
                        "framework" | "fw" => (Field::Framework, v),
                        "gpu" => (Field::Gpu, v),
                        "stage" => (Field::Stage, v),
                        "id" => (Field::Id, v),
                        "family" | "kernel" => (Field::Family, v),
                        _ => (Field::Any, w),
                    },
                    None => (Field::Any, w),
                };
                let text = value.to_lowercase();
                (!text.is_empty()).then_some(Word { field, text, negated })
            })
            .collect();
        Query { words }
    }

    /// Whether the filter has no words.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// Whether `e` passes every word.
    #[must_use]
    pub fn matches(&self, e: &ManifestEntry) -> bool {
        self.words.iter().all(|w| word_matches(w, e) != w.negated)
    }
}

fn has(hay: &str, needle: &str) -> bool {
    hay.to_lowercase().contains(needle)
}

fn word_matches(w: &Word, e: &ManifestEntry) -> bool {
    let t = w.text.as_str();
    let model = || e.model.as_deref().is_some_and(|m| has(m, t));
    let framework = || has(&e.framework, t) || has(&e.framework_label, t);
    let gpu = || e.gpu.as_deref().is_some_and(|g| has(g, t));
    let stage = || e.stages.iter().any(|s| has(s.stage.label(), t) || has(&s.label, t));
    let id = || has(&e.id, t);
    let family = || {
        e.top_family.as_ref().is_some_and(|f| has(&f.name, t) || has(&f.key, t))
            || e.stages.iter().flat_map(|s| &s.families).any(|f| has(&f.name, t) || has(&f.key, t))
    };
    match w.field {
        Field::Model => model(),
        Field::Framework => framework(),
        Field::Gpu => gpu(),
        Field::Stage => stage(),
        Field::Id => id(),
        Field::Family => family(),
        Field::Any => {
            model() || framework() || gpu() || stage() || id() || has(&e.label, t) || has(&e.source, t)
        }
    }
}

/// Indexes of the entries that pass `query`, in order.
#[must_use]
pub fn filter(entries: &[ManifestEntry], query: &Query) -> Vec<usize> {
    entries.iter().enumerate().filter(|(_, e)| query.matches(e)).map(|(i, _)| i).collect()
}

/// A column of the run list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Column {
    /// The run's label.
    Run,
    /// Model.
    Model,
    /// Framework label.
    Framework,
    /// GPU.
    Gpu,
    /// Stages.
    Stages,
    /// Each stage's verdict headline (`decode: communication-bound`).
    Verdict,
    /// Capture date.
    Date,
    /// Top kernel family (name).
    TopFamily,
    /// Top kernel family's share.
    TopFamilyShare,
    /// Σ GPU time.
    GpuTime,
    /// GPU utilization.
    Utilization,
    /// Python attribution coverage.
    Coverage,
    /// Exposed communication.
    ExposedComm,
    /// Launches.
    Launches,
}

impl Column {
    /// Every column, in the run list's order.
    pub const ALL: [Column; 14] = [
        Column::Run,
        Column::Model,
        Column::Framework,
        Column::Gpu,
        Column::Stages,
        Column::Verdict,
        Column::Date,
        Column::TopFamily,
        Column::TopFamilyShare,
        Column::GpuTime,
        Column::Utilization,
        Column::Coverage,
        Column::ExposedComm,
        Column::Launches,
    ];

    /// The columns the browser dashboard's run list shows, in order (the others are in
    /// the CLI's full table and the filter language).
    pub const PAGE: [Column; 10] = [
        Column::Run,
        Column::Model,
        Column::Framework,
        Column::Gpu,
        Column::Stages,
        Column::Verdict,
        Column::Date,
        Column::TopFamily,
        Column::Utilization,
        Column::Coverage,
    ];

    /// Stable id (URL state, CLI flags): `run`, `model`, `framework`, `gpu`, `stages`,
    /// `verdict`, `date`, `top-family`, `top-family-share`, `gpu-time`, `utilization`, `coverage`,
    /// `exposed-comm`, `launches`.
    #[must_use]
    pub fn id(self) -> &'static str {
        match self {
            Column::Run => "run",
            Column::Model => "model",
            Column::Framework => "framework",
            Column::Gpu => "gpu",
            Column::Stages => "stages",
            Column::Verdict => "verdict",
            Column::Date => "date",
            Column::TopFamily => "top-family",
            Column::TopFamilyShare => "top-family-share",
            Column::GpuTime => "gpu-time",
            Column::Utilization => "utilization",
            Column::Coverage => "coverage",
            Column::ExposedComm => "exposed-comm",
            Column::Launches => "launches",
        }
    }

    /// The heading.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Column::Run => "Run",
            Column::Model => "Model",
            Column::Framework => "Framework",
            Column::Gpu => "GPU",
            Column::Stages => "Stages",
            Column::Verdict => "Verdict",
            Column::Date => "Date (UTC)",
            Column::TopFamily => "Top kernel family",
            Column::TopFamilyShare => "Top family share",
            Column::GpuTime => "GPU time",
            Column::Utilization => "GPU utilization",
            Column::Coverage => "Attribution",
            Column::ExposedComm => "Exposed comm",
            Column::Launches => "Launches",
        }
    }

    /// The column of an id.
    #[must_use]
    pub fn parse(id: &str) -> Option<Column> {
        Column::ALL.into_iter().find(|c| c.id() == id)
    }

    /// Whether the column holds numbers (right-aligned, biggest first by default).
    #[must_use]
    pub fn numeric(self) -> bool {
        matches!(
            self,
            Column::TopFamilyShare
                | Column::GpuTime
                | Column::Utilization
                | Column::Coverage
                | Column::ExposedComm
                | Column::Launches
        )
    }
}

/// A sort key value.
#[derive(Clone, Debug, PartialEq)]
enum Key {
    Text(String),
    Num(f64),
    Missing,
}

fn key(e: &ManifestEntry, c: Column) -> Key {
    let text =
        |s: Option<&str>| s.filter(|s| !s.is_empty()).map_or(Key::Missing, |s| Key::Text(s.to_lowercase()));
    let num = |v: Option<f64>| v.filter(|v| v.is_finite()).map_or(Key::Missing, Key::Num);
    match c {
        Column::Run => text(Some(&e.label)),
        Column::Model => text(e.model.as_deref()),
        Column::Framework => text(Some(&e.framework_label)),
        Column::Gpu => text(e.gpu.as_deref()),
        Column::Stages => text(Some(&e.stage_labels())),
        Column::Verdict => text(Some(&e.verdict_headlines().join("; "))),
        Column::Date => num(e.captured_unix_ns.map(|t| t as f64)),
        Column::TopFamily => text(e.top_family.as_ref().map(|f| f.name.as_str())),
        Column::TopFamilyShare => num(e.top_family.as_ref().map(|f| f.share_pct)),
        Column::GpuTime => num(Some(e.gpu_ns as f64)),
        Column::Utilization => num((e.span_ns > 0).then_some(e.utilization_pct)),
        Column::Coverage => num(e.coverage_pct),
        Column::ExposedComm => num(e.exposed_comm_ns.map(|v| v as f64)),
        Column::Launches => num(Some(e.launches as f64)),
    }
}

fn cmp_key(a: &Key, b: &Key, descending: bool) -> Ordering {
    let o = match (a, b) {
        (Key::Missing, Key::Missing) => return Ordering::Equal,
        (Key::Missing, _) => return Ordering::Greater,
        (_, Key::Missing) => return Ordering::Less,
        (Key::Text(x), Key::Text(y)) => x.cmp(y),
        (Key::Num(x), Key::Num(y)) => x.total_cmp(y),
        (Key::Text(_), Key::Num(_)) => Ordering::Less,
        (Key::Num(_), Key::Text(_)) => Ordering::Greater,
    };
    if descending { o.reverse() } else { o }
}

/// Sorts entry indexes by `column` (ties: date ascending, then id; missing values last).
pub fn sort(entries: &[ManifestEntry], indexes: &mut [usize], column: Column, descending: bool) {
    let keyed: Vec<(Key, Key, &str, usize)> = indexes
        .iter()
        .map(|&i| match entries.get(i) {
            Some(e) => (key(e, column), key(e, Column::Date), e.id.as_str(), i),
            None => (Key::Missing, Key::Missing, "", i),
        })
        .collect();
    let mut order: Vec<usize> = (0..keyed.len()).collect();
    engine::order::sort_by(&mut order, |&x, &y| {
        let (Some(a), Some(b)) = (keyed.get(x), keyed.get(y)) else { return Ordering::Equal };
        cmp_key(&a.0, &b.0, descending)
            .then_with(|| cmp_key(&a.1, &b.1, false))
            .then_with(|| a.2.cmp(b.2))
            .then_with(|| a.3.cmp(&b.3))
    });
    let sorted: Vec<usize> = order.iter().filter_map(|&o| keyed.get(o).map(|k| k.3)).collect();
    for (slot, v) in indexes.iter_mut().zip(sorted) {
        *slot = v;
    }
}

/// The date text of an entry (`YYYY-MM-DD HH:MM`, UTC), or empty.
#[must_use]
pub fn date_text(e: &ManifestEntry) -> String {
    e.captured_unix_ns.map(date::minute).unwrap_or_default()
}
