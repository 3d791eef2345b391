//! The report rows: input, profile, categories, the all-passes summary, the selected
//! pass's layers and clusters, and the selected layers' kernels.

use super::config::{self, layer_type};
use super::detail::{self, Dims};
use super::{Layers, Selection, steady};
use crate::results::layers::{
    CategoryKey, ClusterRow, Fact, LayerAnalysis, LayerRow, LayersInput, PassDetail, PassRow, ProfileRow,
    StreamRow,
};
use crate::results::notes::Note;
use crate::vocab::Category;

/// Seed order of layer-type clusters; other types go between `C128_HEAVY` and `HASH`.
const HEAD: [&str; 4] = ["FIRST", "FULL_ATTN", "C4_LIGHT", "C128_HEAVY"];
const TAIL: [&str; 2] = ["HASH", "FINAL"];

/// Columns shown when the profile names none.
const AUTO_COLUMNS: usize = 6;

fn input(l: &Layers<'_>) -> LayersInput {
    let trace = l.trace();
    let s = &l.seq;
    let has = !s.is_empty();
    let device = if has { Some(s.device) } else { l.options.device };
    let mut other: Vec<StreamRow> = l
        .loads
        .iter()
        .filter(|x| !(has && x.device == s.device && x.stream == s.stream))
        .map(|x| StreamRow { device: x.device, stream: x.stream, kernels: x.kernels, gpu_ns: x.gpu_ns })
        .collect();
    // This device's other streams first (the loads are already most time first).
    crate::order::sort_by_key(&mut other, |x| Some(x.device) != device);
    LayersInput {
        path: l.options.path.clone(),
        device,
        gpu: device.and_then(|d| trace.device(d)).map(|p| p.name.clone()).filter(|n| !n.is_empty()),
        rank: trace.meta.distributed.as_ref().and_then(|d| d.rank),
        world_size: trace.meta.distributed.as_ref().and_then(|d| d.world_size),
        stream: has.then_some(s.stream),
        kernels: s.len() as u64,
        other_streams: other,
    }
}

/// Report keys in display order (profile rules first, then engine categories) and the
/// map from the sequence's key indices to them.
fn categories(l: &Layers<'_>) -> (Vec<CategoryKey>, Vec<usize>) {
    let seen = &l.seq.keys;
    let mut order: Vec<usize> = (0..seen.len()).collect();
    let rank = |k: &super::sequence::Key| -> (usize, usize) {
        match l.profile.categories.iter().position(|c| c.key == k.key) {
            Some(p) => (0, p),
            None => (1, Category::ALL.iter().position(|c| c.label() == k.key).unwrap_or(Category::ALL.len())),
        }
    };
    crate::order::sort_by_key(&mut order, |&i| seen.get(i).map(rank));
    let keys: Vec<CategoryKey> = order
        .iter()
        .filter_map(|&i| seen.get(i))
        .map(|k| CategoryKey {
            key: k.key.clone(),
            label: k.label.clone(),
            group: k.group.clone(),
            category: k.category,
        })
        .collect();
    let mut map = vec![0usize; seen.len()];
    for (pos, &i) in order.iter().enumerate() {
        if let Some(slot) = map.get_mut(i) {
            *slot = pos;
        }
    }
    (keys, map)
}

/// Type label and compress ratio of layer `k` of a pass with `n` layers.
fn kind_of(l: &Layers<'_>, k: usize, n: usize) -> (String, Option<i64>) {
    let cfg = l.options.config.as_ref();
    match cfg {
        Some(c) if c.num_hidden_layers == Some(n) => (layer_type(Some(c), k, n), c.compress_ratio(k, n)),
        _ => (layer_type(None, k, n), None),
    }
}

fn layer_rows(l: &Layers<'_>, pass: usize, key_map: &[usize], keys: usize) -> Vec<LayerRow> {
    let s = &l.seq;
    let Some(p) = l.passes.get(pass) else { return Vec::new() };
    let n = p.layers.len();
    p.layers
        .iter()
        .enumerate()
        .map(|(k, layer)| {
            let start = s.start.get(layer.lo).copied().unwrap_or(0);
            let end = (layer.lo..layer.hi).map(|i| s.end(i)).max().unwrap_or(start);
            let mut category_ns = vec![0i64; keys];
            let mut sum = 0i64;
            let mut all_reduces = 0u64;
            for i in layer.lo..layer.hi {
                let dur = s.dur.get(i).copied().unwrap_or(0);
                sum += dur;
                if let Some(slot) =
                    s.key.get(i).and_then(|&x| key_map.get(x as usize)).and_then(|&x| category_ns.get_mut(x))
                {
                    *slot += dur;
                }
                if s.allreduce.get(i) == Some(&true) {
                    all_reduces += 1;
                }
            }
            let (kind, cr) = kind_of(l, k, n);
            LayerRow {
                row_id: String::new(),
                index: k,
                kind,
                compress_ratio: cr,
                start_ns: start,
                end_ns: end,
                wall_ns: end - start,
                sum_ns: sum,
                kernels: (layer.hi - layer.lo) as u64,
                all_reduces,
                category_ns,
            }
        })
        .collect()
}

fn clusters(rows: &[LayerRow], keys: usize) -> Vec<ClusterRow> {
    let mut types: Vec<String> = Vec::new();
    for t in HEAD {
        if rows.iter().any(|r| r.kind == t) {
            types.push(t.to_owned());
        }
    }
    for r in rows {
        if !types.contains(&r.kind) && !TAIL.contains(&r.kind.as_str()) {
            types.push(r.kind.clone());
        }
    }
    for t in TAIL {
        if rows.iter().any(|r| r.kind == t) {
            types.push(t.to_owned());
        }
    }
    types
        .into_iter()
        .map(|t| {
            let members: Vec<&LayerRow> = rows.iter().filter(|r| r.kind == t).collect();
            let count = members.len();
            let div = i64::try_from(count.max(1)).unwrap_or(1);
            let mut category_ns = vec![0i64; keys];
            for m in &members {
                for (a, b) in category_ns.iter_mut().zip(&m.category_ns) {
                    *a += b;
                }
            }
            let sum: i64 = members.iter().map(|m| m.sum_ns).sum();
            ClusterRow {
                kind: t,
                layers: count,
                avg_wall_ns: members.iter().map(|m| m.wall_ns).sum::<i64>() / div,
                avg_sum_ns: sum / div,
                sum_ns: sum,
                category_ns,
            }
        })
        .collect()
}

fn pass_rows(
    l: &Layers<'_>,
    kinds: &[usize],
    notes: Vec<Vec<crate::results::layers::PassNote>>,
) -> Vec<PassRow> {
    let s = &l.seq;
    l.passes
        .iter()
        .zip(notes)
        .enumerate()
        .map(|(i, (p, notes))| {
            let start = s.start.get(p.lo).copied().unwrap_or(0);
            let end = (p.lo..p.hi).map(|k| s.end(k)).max().unwrap_or(start);
            let walls: Vec<i64> = p
                .layers
                .iter()
                .map(|layer| {
                    let ls = s.start.get(layer.lo).copied().unwrap_or(0);
                    (layer.lo..layer.hi).map(|k| s.end(k)).max().unwrap_or(ls) - ls
                })
                .collect();
            let layers_start = p.layers.first().and_then(|x| s.start.get(x.lo)).copied().unwrap_or(start);
            let layers_end = p.layers.iter().flat_map(|x| x.lo..x.hi).map(|k| s.end(k)).max().unwrap_or(end);
            LayerSummary { walls }.row(
                i,
                p,
                start,
                end,
                layers_start,
                layers_end,
                kinds.get(i).copied().unwrap_or(0),
                notes,
                s,
            )
        })
        .collect()
}

struct LayerSummary {
    walls: Vec<i64>,
}

impl LayerSummary {
    #[allow(clippy::too_many_arguments)]
    fn row(
        &self,
        i: usize,
        p: &super::Pass,
        start: i64,
        end: i64,
        layers_start: i64,
        layers_end: i64,
        kind: usize,
        notes: Vec<crate::results::layers::PassNote>,
        s: &super::sequence::Sequence,
    ) -> PassRow {
        let n = i64::try_from(self.walls.len().max(1)).unwrap_or(1);
        PassRow {
            row_id: String::new(),
            index: i,
            step: p.step.clone(),
            stage: p.stage,
            batch: p.batch,
            start_ns: start,
            end_ns: end,
            dur_ns: end - start,
            layers_start_ns: layers_start,
            layers_end_ns: layers_end,
            layers: p.layers.len(),
            kernels: (p.hi - p.lo) as u64,
            sum_ns: s.dur.get(p.lo..p.hi).unwrap_or(&[]).iter().sum(),
            avg_layer_ns: self.walls.iter().sum::<i64>() / n,
            first_layer_ns: self.walls.first().copied().unwrap_or(0),
            period: p.period,
            kind,
            notes,
        }
    }
}

/// Groups with the most time in `rows` (all layers of the detail pass), up to `max`.
fn auto_columns(keys: &[CategoryKey], rows: &[LayerRow], max: usize) -> Vec<String> {
    let mut per: Vec<(String, i64)> = Vec::new();
    for r in rows {
        for (k, ns) in keys.iter().zip(&r.category_ns) {
            match per.iter_mut().find(|(g, _)| *g == k.group) {
                Some(e) => e.1 += ns,
                None => per.push((k.group.clone(), *ns)),
            }
        }
    }
    per.retain(|(_, ns)| *ns > 0);
    crate::order::sort_by(&mut per, |a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    per.into_iter().take(max).map(|(g, _)| g).collect()
}

/// Builds the report.
#[must_use]
pub(super) fn report(l: &Layers<'_>, sel: &Selection) -> LayerAnalysis {
    let trace = l.trace();
    let mut notes = l.notes.clone();
    let config_layers = l.options.config.as_ref().and_then(|c| c.num_hidden_layers);
    let kinds = steady::kinds(l);
    let pass_notes = steady::notes(l, &kinds, config_layers);
    let steady_pass = steady::pick(l);
    let passes = pass_rows(l, &kinds, pass_notes);
    let (keys, key_map) = categories(l);
    let detail_index = sel.pass.or(steady_pass);
    let mut pass = None;
    if let Some(i) = detail_index {
        if i < l.passes.len() {
            let layers = layer_rows(l, i, &key_map, keys.len());
            let clusters = clusters(&layers, keys.len());
            pass = Some(PassDetail { index: i, layers, clusters });
        } else {
            notes.push(Note::NoSuchPass { pass: i, passes: l.passes.len() });
        }
    }
    let columns = if l.profile.columns.is_empty() {
        match &pass {
            Some(p) => auto_columns(&keys, &p.layers, AUTO_COLUMNS),
            None => Vec::new(),
        }
    } else {
        l.profile.columns.clone()
    };
    // One layer's kernels, and a comparison.
    let key_names: Vec<String> =
        key_map.iter().map(|&i| keys.get(i).map_or_else(|| "other".to_owned(), |k| k.key.clone())).collect();
    let mut layer = None;
    let mut compare = None;
    if let (Some(pi), Some(li)) = (detail_index, sel.layer) {
        let dims = Dims::of(trace);
        let n = l.passes.get(pi).map_or(0, |p| p.layers.len());
        layer = detail::layer(l, &dims, pi, li, kind_of(l, li, n), &key_names);
        if layer.is_none() {
            notes.push(Note::NoSuchLayer { layer: li, pass: pi, layers: n });
        }
        if let (Some(first), Some(ci)) = (&layer, sel.compare) {
            match detail::layer(l, &dims, pi, ci, kind_of(l, ci, n), &key_names) {
                Some(other) => compare = Some(detail::compare(first, other)),
                None => notes.push(Note::NoSuchLayer { layer: ci, pass: pi, layers: n }),
            }
        }
    }
    let model_layers =
        config_layers.or_else(|| detail_index.and_then(|i| l.passes.get(i)).map(|p| p.layers.len()));
    let model = match (&l.options.config, model_layers) {
        (Some(c), Some(n)) => {
            config::summary(c, n).into_iter().map(|(label, value)| Fact { label, value }).collect()
        }
        _ => Vec::new(),
    };
    if let (Some(n), Some(p)) = (config_layers, detail_index.and_then(|i| l.passes.get(i)))
        && p.layers.len() != n
    {
        notes.push(Note::LayerCountMismatch {
            config: n,
            pass: detail_index.unwrap_or(0),
            found: p.layers.len(),
        });
    }
    let origin = match (trace.time_span(), trace.meta.profiler_span) {
        (Some((s, _)), Some((p, _))) => s.min(p),
        (Some((s, _)), None) => s,
        (None, Some((p, _))) => p,
        (None, None) => 0,
    };
    LayerAnalysis {
        input: input(l),
        profile: ProfileRow {
            name: l.profile.name.clone(),
            source: l.profile_source.to_owned(),
            method: l.method,
            anchor: l.anchor.clone(),
            anchor_at: l.anchor_at.label().to_owned(),
            blocks_per_layer: if l.method == crate::results::layers::Method::Anchors {
                l.profile.blocks_per_layer
            } else {
                1
            },
            half_labels: if l.method == crate::results::layers::Method::Anchors {
                l.profile.half_labels.clone()
            } else {
                vec!["full".to_owned()]
            },
        },
        config_layers,
        model,
        categories: keys,
        columns,
        origin_ns: origin,
        passes,
        steady_pass,
        pass,
        layer,
        compare,
        notes,
    }
}
