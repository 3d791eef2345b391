//! One layer kernel by kernel: hot order, category keys, block labels, offsets and the
//! `Input Dims` of the cpu_op that launched each kernel (its External id, else the
//! launching runtime call's); and the comparison of two layers.

use rustc_hash::FxHashMap;

use super::{Layer, Layers};
use crate::names;
use crate::results::layers::{CategorySum, LayerCompare, LayerDetail, LayerKernel};
use trace::model::{NO_ID, Sym, Trace};

/// `Input Dims` lookups: External id → dims, correlation → the launch's External id.
pub(super) struct Dims {
    by_external: FxHashMap<u64, Sym>,
    launch_external: FxHashMap<u64, u64>,
}

impl Dims {
    /// Indexes the cpu_ops that recorded `Input Dims` and the launching runtime calls.
    #[must_use]
    pub(super) fn of(trace: &Trace) -> Dims {
        let ops = &trace.cpu_ops;
        let mut by_external: FxHashMap<u64, Sym> = FxHashMap::default();
        for (&ext, &dims) in ops.external_id.iter().zip(&ops.input_dims) {
            if ext != NO_ID && !dims.is_none() {
                by_external.entry(ext).or_insert(dims);
            }
        }
        let rt = &trace.runtime;
        let mut launch_external: FxHashMap<u64, u64> = FxHashMap::default();
        for ((&c, &ext), kind) in rt.correlation.iter().zip(&rt.external_id).zip(&rt.kind) {
            if c != NO_ID && ext != NO_ID && kind.launches_work() {
                launch_external.entry(c).or_insert(ext);
            }
        }
        Dims { by_external, launch_external }
    }

    /// The input dims of GPU row `i`, when recorded.
    #[must_use]
    pub(super) fn of_row(&self, trace: &Trace, i: usize) -> Option<String> {
        let g = &trace.gpu;
        let own =
            g.external_id.get(i).copied().filter(|&e| e != NO_ID).and_then(|e| self.by_external.get(&e));
        let via_launch = || {
            let c = g.correlation.get(i).copied().filter(|&c| c != NO_ID)?;
            self.by_external.get(self.launch_external.get(&c)?)
        };
        own.or_else(via_launch).map(|&s| trace.str(s).to_owned()).filter(|s| !s.is_empty())
    }
}

/// A kernel name for tables: the canonical name without `void `, `(anonymous
/// namespace)::`, `at::native::`, `flashinfer::` and a trailing argument list, at most
/// `max` characters (the last one `…` when cut).
#[must_use]
pub(super) fn short_name(name: &str, max: usize) -> String {
    let mut s = names::canonical(name);
    for cut in ["void ", "(anonymous namespace)::", "at::native::", "flashinfer::"] {
        s = s.replace(cut, "");
    }
    if s.ends_with(')')
        && let Some(open) = args_start(&s)
    {
        s.truncate(open);
    }
    let s = s.trim().to_owned();
    if s.chars().count() <= max {
        return s;
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// Byte index of the first `(` outside template brackets (an argument list), if any.
fn args_start(s: &str) -> Option<usize> {
    let mut depth = 0i32;
    for (i, ch) in s.char_indices() {
        match ch {
            '<' => depth += 1,
            '>' => depth -= 1,
            '(' if depth <= 0 && i > 0 => return Some(i),
            _ => {}
        }
    }
    None
}

/// The block label of position `pos` in a layer.
fn block_label(layer: &Layer, pos: usize, labels: &[String]) -> String {
    let b = layer.blocks.iter().position(|&(s, e)| pos >= s && pos < e).unwrap_or(0);
    labels.get(b).cloned().unwrap_or_else(|| "full".to_owned())
}

/// One layer's kernels; `key_names` maps the sequence's key indices to report keys.
#[must_use]
pub(super) fn layer(
    l: &Layers<'_>,
    dims: &Dims,
    pass: usize,
    index: usize,
    kind: (String, Option<i64>),
    key_names: &[String],
) -> Option<LayerDetail> {
    let p = l.passes.get(pass)?;
    let layer = p.layers.get(index)?;
    let s = &l.seq;
    let trace = l.trace();
    let labels: Vec<String> = if l.method == crate::results::layers::Method::Anchors {
        l.profile.half_labels.clone()
    } else {
        vec!["full".to_owned()]
    };
    let start = s.start.get(layer.lo).copied().unwrap_or(0);
    let end = (layer.lo..layer.hi).map(|i| s.end(i)).max().unwrap_or(start);
    let sum: i64 = s.dur.get(layer.lo..layer.hi).unwrap_or(&[]).iter().sum();
    let mut kernels: Vec<LayerKernel> = Vec::with_capacity(layer.hi - layer.lo);
    let mut per_key: Vec<(String, i64, u64)> = Vec::new();
    for pos in layer.lo..layer.hi {
        let (Some(&row), Some(&ks), Some(&dur), Some(&k)) =
            (s.row.get(pos), s.start.get(pos), s.dur.get(pos), s.key.get(pos))
        else {
            continue;
        };
        let i = row as usize;
        let raw = trace.str(trace.gpu.name.get(i).copied().unwrap_or(Sym::EMPTY));
        let key = key_names.get(k as usize).cloned().unwrap_or_else(|| "other".to_owned());
        match per_key.iter_mut().find(|(x, _, _)| *x == key) {
            Some(e) => {
                e.1 += dur;
                e.2 += 1;
            }
            None => per_key.push((key.clone(), dur, 1)),
        }
        kernels.push(LayerKernel {
            row_id: String::new(),
            position: pos - layer.lo,
            block: block_label(layer, pos, &labels),
            name: names::canonical(raw),
            short: short_name(raw, 80),
            key,
            start_ns: ks,
            dur_ns: dur,
            share_pct: crate::results::share(dur, sum),
            input_dims: dims.of_row(trace, i),
            stream: s.stream,
        });
    }
    crate::order::sort_by(&mut kernels, |a, b| {
        b.dur_ns.cmp(&a.dur_ns).then(a.start_ns.cmp(&b.start_ns)).then(a.position.cmp(&b.position))
    });
    crate::order::sort_by(&mut per_key, |a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    Some(LayerDetail {
        pass,
        layer: index,
        kind: kind.0,
        compress_ratio: kind.1,
        start_ns: start,
        end_ns: end,
        wall_ns: end - start,
        sum_ns: sum,
        kernels,
        categories: per_key
            .into_iter()
            .map(|(key, dur_ns, count)| CategorySum { key, dur_ns, count })
            .collect(),
    })
}

/// The comparison of `first` with `other`: short-name sets.
#[must_use]
pub(super) fn compare(first: &LayerDetail, other: LayerDetail) -> LayerCompare {
    let set = |d: &LayerDetail| {
        let mut v: Vec<String> = d.kernels.iter().map(|k| k.short.clone()).collect();
        crate::order::sort_by(&mut v, Ord::cmp);
        v.dedup();
        v
    };
    let a = set(first);
    let b = set(&other);
    let common = a.iter().filter(|x| b.binary_search(x).is_ok()).count();
    let only_first = a.iter().filter(|x| b.binary_search(x).is_err()).cloned().collect();
    let only_other = b.iter().filter(|x| a.binary_search(x).is_err()).cloned().collect();
    LayerCompare { other, common, only_first, only_other }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_names() {
        assert_eq!(
            short_name("ncclDevKernel_AllReduce_Sum_bf16_RING_LL(ncclDevKernelArgsStorage<4096ul>)", 80),
            "ncclDevKernel_AllReduce_Sum_bf16_RING_LL"
        );
        assert_eq!(
            short_name(
                "void at::native::vectorized_elementwise_kernel<4, at::native::FillFunctor<int>>(int, float)",
                80
            ),
            "vectorized_elementwise_kernel<4, FillFunctor<int>>"
        );
        assert_eq!(short_name("void flashinfer::norm::RMSNormKernel<8u>(float*)", 12), "norm::RMSNo…");
        assert_eq!(short_name("nvjet_tst_64x8", 80), "nvjet_tst_64x8");
    }
}
