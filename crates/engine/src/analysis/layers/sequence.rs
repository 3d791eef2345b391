//! The kernel sequence layers are found in: the kernels of one device and one stream,
//! sorted by start, each with its category key (a profile rule's, else the engine's
//! category) and whether it is an all-reduce. Ranks and devices are never mixed.

use rustc_hash::FxHashMap;

use crate::catalog::categories::CategoryRules;
use crate::catalog::profiles::Profile;
use crate::names;
use crate::vocab::Category;
use trace::model::{GpuKind, Sym, Trace};

/// A category key of the layer tables.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Key {
    /// Machine key: a profile rule's key or an engine category label.
    pub key: String,
    /// Display label.
    pub label: String,
    /// The column it adds to.
    pub group: String,
    /// The engine category it stands for.
    pub category: Category,
}

/// One stream of one device, as a kernel sequence.
#[derive(Clone, Debug, Default)]
pub struct Sequence {
    /// Device ordinal.
    pub device: i64,
    /// Stream id.
    pub stream: i64,
    /// Row in `trace.gpu`, per kernel.
    pub row: Vec<u32>,
    /// Start, ns.
    pub start: Vec<i64>,
    /// Duration, ns.
    pub dur: Vec<i64>,
    /// Kernel name symbol of the trace (what repeats).
    pub name: Vec<u32>,
    /// Index into [`Sequence::keys`].
    pub key: Vec<u16>,
    /// Engine category (the alignment compares these).
    pub cat: Vec<u8>,
    /// Whether the kernel is an all-reduce.
    pub allreduce: Vec<bool>,
    /// Category keys in first-seen order.
    pub keys: Vec<Key>,
}

impl Sequence {
    /// Number of kernels.
    #[must_use]
    pub fn len(&self) -> usize {
        self.row.len()
    }

    /// Whether there are none.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.row.is_empty()
    }

    /// End of kernel `i`, ns.
    #[must_use]
    pub fn end(&self, i: usize) -> i64 {
        match (self.start.get(i), self.dur.get(i)) {
            (Some(s), Some(d)) => s.saturating_add(*d),
            _ => 0,
        }
    }
}

/// Kernels and kernel time of one stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StreamLoad {
    /// Device ordinal.
    pub device: i64,
    /// Stream id.
    pub stream: i64,
    /// Kernels.
    pub kernels: u64,
    /// Σ kernel time, ns.
    pub gpu_ns: i64,
}

/// Kernels and time per device × stream, most time first (ties: device, stream).
#[must_use]
pub(crate) fn stream_loads(trace: &Trace) -> Vec<StreamLoad> {
    let g = &trace.gpu;
    let mut per: FxHashMap<(i64, i64), (u64, i64)> = FxHashMap::default();
    for i in 0..g.len() {
        let (Some(&kind), Some(&d), Some(&s), Some(&dur)) =
            (g.kind.get(i), g.device.get(i), g.stream.get(i), g.dur_ns.get(i))
        else {
            continue;
        };
        if kind != GpuKind::Kernel {
            continue;
        }
        let e = per.entry((d, s)).or_insert((0, 0));
        e.0 += 1;
        e.1 += dur;
    }
    let mut out: Vec<StreamLoad> = per
        .into_iter()
        .map(|((device, stream), (kernels, gpu_ns))| StreamLoad { device, stream, kernels, gpu_ns })
        .collect();
    crate::order::sort_by(&mut out, |a, b| {
        b.gpu_ns.cmp(&a.gpu_ns).then(a.device.cmp(&b.device)).then(a.stream.cmp(&b.stream))
    });
    out
}

/// Whether a kernel name is an all-reduce (`AllReduce`, `all_reduce`, `allreduce` in any
/// case, or vLLM's custom `cross_device_reduce`).
#[must_use]
pub(crate) fn is_allreduce(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.contains("allreduce") || lower.contains("all_reduce") || lower.contains("cross_device_reduce")
}

/// The kernels of `device` × `stream`, sorted by start (then end, then file order).
#[must_use]
pub(crate) fn build(
    trace: &Trace,
    device: i64,
    stream: i64,
    profile: &Profile,
    rules: &CategoryRules,
) -> Sequence {
    let g = &trace.gpu;
    let mut rows: Vec<u32> = Vec::new();
    for i in 0..g.len() {
        if g.kind.get(i) == Some(&GpuKind::Kernel)
            && g.device.get(i) == Some(&device)
            && g.stream.get(i) == Some(&stream)
            && let Ok(r) = u32::try_from(i)
        {
            rows.push(r);
        }
    }
    crate::order::sort_by_key(&mut rows, |&r| {
        let i = r as usize;
        (g.start_ns.get(i).copied().unwrap_or(0), g.end_ns(i), r)
    });
    let mut seq = Sequence { device, stream, ..Sequence::default() };
    let mut cache: FxHashMap<Sym, (u16, u8, bool)> = FxHashMap::default();
    for r in rows {
        let i = r as usize;
        let name = g.name.get(i).copied().unwrap_or(Sym::EMPTY);
        let (key, cat, allreduce) = match cache.get(&name) {
            Some(&v) => v,
            None => {
                let text = trace.str(name);
                let category = rules.classify(GpuKind::Kernel, text);
                let base = names::base_name(text).base;
                let key = match profile.category_of(&base) {
                    Some(c) => Key {
                        key: c.key.clone(),
                        label: c.label.clone(),
                        group: c.group.clone(),
                        category: c.category,
                    },
                    None => Key {
                        key: category.label().to_owned(),
                        label: category.label().to_owned(),
                        group: category.label().to_owned(),
                        category,
                    },
                };
                let idx = match seq.keys.iter().position(|k| k.key == key.key) {
                    Some(p) => p,
                    None => {
                        seq.keys.push(key);
                        seq.keys.len() - 1
                    }
                };
                let v = (u16::try_from(idx).unwrap_or(u16::MAX), category as u8, is_allreduce(text));
                cache.insert(name, v);
                v
            }
        };
        seq.row.push(r);
        seq.start.push(g.start_ns.get(i).copied().unwrap_or(0));
        seq.dur.push(g.dur_ns.get(i).copied().unwrap_or(0));
        seq.name.push(name.0);
        seq.key.push(key);
        seq.cat.push(cat);
        seq.allreduce.push(allreduce);
    }
    seq
}
