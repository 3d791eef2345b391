//! The roofline: each GPU kernel's work (FLOPs and bytes moved), from the shapes and
//! dtypes its launching op recorded (`record_shapes`) through the same attribution chain
//! as the kernel table (graph replays through their capture trace), and how close its
//! achieved rate comes to the GPU's achievable roof (`catalog/gpus.toml`).
//!
//! One op call can launch several kernels (a GEMM and its split-K reduction, a MoE
//! layer's routing, GEMMs and finalize): its work goes to the kernels of its kind
//! ([`ops::Class`]), split by their GPU time, and the others are its helpers. Attention
//! ops that record no sequence lengths take their step's work from the step annotation's
//! aggregates ([`aggregate`]) with the model's `config.json`. Anything else has no
//! figure, with the reason ([`NoFigure`]): never a guess.

mod aggregate;
mod args;
mod dtype;
mod ops;

use rustc_hash::FxHashMap;

use super::attribution::{Attribution, OpRef};
use super::layers::config::ModelConfig;
use super::split::StageOps;
use super::stages::Windows;
use crate::catalog::{GpuSpec, PeakDtype};
use crate::results::roofline::{Bound, NoFigure, NoFigureTime, OpTime, RooflineCoverage, RowRoofline};
use crate::vocab::Category;
use aggregate::{AttentionShape, StepLoad};
pub(crate) use ops::ModelFacts;
use ops::{Class, NoWork};
use trace::model::{GpuKind, Sym, Trace};

/// One activity's share of its op's work.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Figure {
    /// FLOPs and bytes, and the peak its math runs against.
    Known {
        /// FLOPs.
        flops: f64,
        /// Bytes moved.
        bytes: f64,
        /// The peak it runs against.
        peak: PeakDtype,
    },
    /// No figure, and why.
    Missing(NoFigure),
}

/// The figures of every GPU activity of a trace (indexed like `trace.gpu`).
#[derive(Clone, Debug, Default)]
pub(crate) struct Work {
    /// Per activity.
    pub per: Vec<Figure>,
}

/// What the model's config gives the roofline.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct Model {
    /// MoE facts.
    pub moe: ModelFacts,
    /// Attention per layer, when the config describes standard (non-MLA, non-sliding)
    /// attention.
    pub attention: Option<AttentionShape>,
}

impl Model {
    /// The facts of `config` (none without one) for a rank of tensor-parallel size `tp`.
    #[must_use]
    pub(crate) fn of(config: Option<&ModelConfig>, tp: u64) -> Model {
        let tp = tp.max(1);
        let Some(c) = config else {
            return Model { moe: ModelFacts { tp, ..ModelFacts::default() }, attention: None };
        };
        let weight_bytes = match c.quant_method.as_deref() {
            Some("mxfp4") => Some(4.25 / 8.0),
            Some("fp8" | "fbgemm_fp8" | "modelopt") => Some(1.0),
            Some(_) => None,
            None => c.dtype_bytes,
        };
        let moe = ModelFacts {
            hidden: c.hidden_size,
            moe_intermediate: c.moe_intermediate_size.or(c.intermediate_size),
            top_k: c.num_experts_per_tok,
            weight_bytes,
            tp,
        };
        let sliding = c.layer_types.iter().any(|t| t.contains("sliding"));
        let attention = (|| {
            if c.kv_lora_rank.is_some() || sliding {
                return None;
            }
            let heads = c.num_attention_heads?;
            let kv = c.num_key_value_heads.unwrap_or(heads);
            let d = c.head_dim.or_else(|| c.hidden_size.map(|h| h / heads.max(1)))?;
            let layers = c.num_hidden_layers?;
            Some(AttentionShape {
                q_heads: (heads as f64 / tp as f64).max(1.0),
                kv_heads: (kv as f64 / tp as f64).max(1.0),
                d_qk: d as f64,
                d_v: d as f64,
                elem_bytes: c.dtype_bytes.unwrap_or(2.0),
                layers: layers as f64,
            })
        })();
        Model { moe, attention }
    }
}

/// Which of an op's kernels carry its work.
fn carries(class: Class, category: Category) -> bool {
    match class {
        Class::Gemm => category == Category::Gemm,
        Class::Attention => category == Category::Attention,
        Class::Moe => category == Category::Moe,
        Class::Memory => true,
    }
}

/// An op call's identity: one cpu_op row, or one recorded op in one replay.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Call {
    Trace(u32),
    Captured(u32, u32),
}

/// The op's recorded text: `(name, dims, types, concrete, strides)`.
fn op_text<'a>(trace: &'a Trace, attribution: &'a Attribution, op: OpRef) -> Option<[&'a str; 5]> {
    match op {
        OpRef::None => None,
        OpRef::Trace(row) => {
            let r = row as usize;
            let o = &trace.cpu_ops;
            let s = |v: &Vec<Sym>| v.get(r).map_or("", |&s| if s.is_none() { "" } else { trace.str(s) });
            Some([
                s(&o.name),
                s(&o.input_dims),
                s(&o.input_types),
                s(&o.concrete_inputs),
                s(&o.input_strides),
            ])
        }
        OpRef::Captured { op, .. } => {
            let c = attribution.captured_ops.get(op as usize)?;
            let s = |sym: Sym| if sym.is_none() { "" } else { attribution.strings.get(sym) };
            Some([s(c.name), s(c.dims), s(c.types), s(c.concrete), s(c.strides)])
        }
    }
}

/// The work of every GPU activity of `trace` (all stages), then attention kernels without
/// a figure take their step's work from the step annotations of `groups`.
pub(crate) fn work(
    trace: &Trace,
    attribution: &Attribution,
    category: &mut dyn FnMut(usize) -> Category,
    groups: &[StageOps],
    model: &Model,
) -> Work {
    let g = &trace.gpu;
    let n = g.len();
    let mut per = vec![Figure::Missing(NoFigure::NoOp); n];
    let mut calls: FxHashMap<Call, Vec<u32>> = FxHashMap::default();
    for (i, slot) in per.iter_mut().enumerate() {
        if g.kind.get(i) != Some(&GpuKind::Kernel) {
            *slot = Figure::Missing(NoFigure::CopyOrFill);
            continue;
        }
        let op = attribution.op.get(i).copied().unwrap_or_default();
        let call = match op {
            OpRef::None => {
                let why = if attribution.launch.get(i).is_none_or(|&r| r == super::attribution::NONE) {
                    NoFigure::NoLaunch
                } else if attribution.site_of(i).is_some_and(|s| s.graph) {
                    NoFigure::GraphReplay
                } else {
                    NoFigure::NoOp
                };
                *slot = Figure::Missing(why);
                continue;
            }
            OpRef::Trace(row) => Call::Trace(row),
            OpRef::Captured { op, replay } => Call::Captured(op, replay),
        };
        calls.entry(call).or_default().push(u32::try_from(i).unwrap_or(u32::MAX));
    }
    // Each distinct recorded op text is modelled once.
    let mut modelled: FxHashMap<[&str; 5], Result<ops::OpWork, NoWork>> = FxHashMap::default();
    let mut list: Vec<(Call, Vec<u32>)> = calls.into_iter().collect();
    list.sort_unstable_by_key(|(c, _)| *c);
    for (_, acts) in list {
        let Some(&first) = acts.first() else { continue };
        let op = attribution.op.get(first as usize).copied().unwrap_or_default();
        let Some(text) = op_text(trace, attribution, op) else { continue };
        let result = *modelled.entry(text).or_insert_with(|| {
            let a = args::Args::parse(text[1], text[2], text[3], text[4]);
            ops::work(text[0], &a, &model.moe)
        });
        spread(trace, category, &acts, result, &mut per);
    }
    attention_from_steps(trace, category, groups, model, &mut per);
    Work { per }
}

/// Gives an op call's work to its carrying kernels `acts` by GPU time (all of them when
/// none is of its kind); the others are its helpers.
fn spread(
    trace: &Trace,
    category: &mut dyn FnMut(usize) -> Category,
    acts: &[u32],
    result: Result<ops::OpWork, NoWork>,
    per: &mut [Figure],
) {
    let set = |per: &mut [Figure], i: u32, f: Figure| {
        if let Some(slot) = per.get_mut(i as usize) {
            *slot = f;
        }
    };
    let w = match result {
        Ok(w) => w,
        Err(e) => {
            let why = match e {
                NoWork::NoShapes => NoFigure::NoShapes,
                NoWork::NoConfig => NoFigure::NoConfig,
                NoWork::NotModelled => NoFigure::NotModelled,
            };
            for &i in acts {
                set(per, i, Figure::Missing(why));
            }
            return;
        }
    };
    let dur = |i: u32| trace.gpu.dur_ns.get(i as usize).copied().unwrap_or(0).max(0) as f64;
    let mut carriers: Vec<u32> =
        acts.iter().copied().filter(|&i| carries(w.class, category(i as usize))).collect();
    if carriers.is_empty() {
        carriers = acts.to_vec();
    }
    let total: f64 = carriers.iter().map(|&i| dur(i)).sum();
    for &i in acts {
        set(per, i, Figure::Missing(NoFigure::Helper));
    }
    for &i in &carriers {
        let share = if total > 0.0 { dur(i) / total } else { 1.0 / carriers.len() as f64 };
        set(per, i, Figure::Known { flops: w.flops * share, bytes: w.bytes * share, peak: w.peak });
    }
}

/// Attention kernels of a step with aggregates and no figure of their own share the
/// step's attention work by GPU time (only when no attention kernel of the step has an
/// op figure, so nothing is counted twice).
fn attention_from_steps(
    trace: &Trace,
    category: &mut dyn FnMut(usize) -> Category,
    groups: &[StageOps],
    model: &Model,
    per: &mut [Figure],
) {
    let windows = Windows::of(trace);
    // Step window id → its attention kernels.
    let mut steps: FxHashMap<(usize, u32), Vec<u32>> = FxHashMap::default();
    for (gi, group) in groups.iter().enumerate() {
        for (&i, &step) in group.ops.iter().zip(&group.step) {
            if step != u32::MAX && category(i as usize) == Category::Attention {
                steps.entry((gi, step)).or_default().push(i);
            }
        }
    }
    let mut list: Vec<((usize, u32), Vec<u32>)> = steps.into_iter().collect();
    crate::order::sort_by_key(&mut list, |(k, _)| *k);
    for ((gi, step), acts) in list {
        let Some(group) = groups.get(gi) else { continue };
        let window = if step < group.cpu_windows {
            windows.cpu.get(step as usize)
        } else {
            windows.gpu.get((step - group.cpu_windows) as usize)
        };
        let Some(load) = window.and_then(|w| StepLoad::parse(trace.str(w.name))) else { continue };
        let own = |f: &Figure| matches!(f, Figure::Known { .. });
        if acts.iter().any(|&i| per.get(i as usize).is_some_and(own)) {
            continue;
        }
        let Some(shape) = model.attention else {
            for &i in &acts {
                if let Some(slot) = per.get_mut(i as usize) {
                    *slot = Figure::Missing(NoFigure::NoConfig);
                }
            }
            continue;
        };
        let (flops, bytes) = shape.step_work(&load);
        let dur = |i: u32| trace.gpu.dur_ns.get(i as usize).copied().unwrap_or(0).max(0) as f64;
        let total: f64 = acts.iter().map(|&i| dur(i)).sum();
        let peak = if shape.elem_bytes >= 4.0 { PeakDtype::Fp32 } else { PeakDtype::Bf16 };
        for &i in &acts {
            let share = if total > 0.0 { dur(i) / total } else { 1.0 / acts.len() as f64 };
            if let Some(slot) = per.get_mut(i as usize) {
                *slot = Figure::Known { flops: flops * share, bytes: bytes * share, peak };
            }
        }
    }
}

/// Sums of a row's launches with a figure.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct RowSums {
    flops: f64,
    bytes: f64,
    ns: i64,
    /// GPU time per peak, to pick the row's.
    peaks: [i64; PeakDtype::ALL.len()],
}

impl RowSums {
    /// Adds one launch of `dur` ns.
    pub(crate) fn add(&mut self, figure: Option<&Figure>, dur: i64) {
        if let Some(&Figure::Known { flops, bytes, peak }) = figure {
            self.flops += flops;
            self.bytes += bytes;
            self.ns += dur;
            if let Some(slot) =
                PeakDtype::ALL.iter().position(|&p| p == peak).and_then(|k| self.peaks.get_mut(k))
            {
                *slot += dur;
            }
        }
    }

    /// The row's figures against `spec` (rates and roof only with a spec).
    #[must_use]
    pub(crate) fn figures(&self, spec: Option<&GpuSpec>) -> RowRoofline {
        if self.ns <= 0 || self.bytes <= 0.0 {
            return RowRoofline::default();
        }
        let peak = PeakDtype::ALL.iter().zip(&self.peaks).max_by_key(|(_, ns)| **ns).map(|(&p, _)| p);
        let ns = self.ns as f64;
        let tflops = self.flops / ns / 1e3;
        let tbps = self.bytes / ns / 1e3;
        let intensity = self.flops / self.bytes;
        let mut row = RowRoofline {
            flops: Some(self.flops),
            bytes: Some(self.bytes),
            intensity: Some(intensity),
            achieved_tflops: (self.flops > 0.0).then_some(tflops),
            achieved_tbps: Some(tbps),
            peak_dtype: peak,
            roofline_ns: self.ns,
            ..RowRoofline::default()
        };
        let Some(spec) = spec else { return row };
        let bw = spec.achievable_tbps();
        let compute = peak.and_then(|p| spec.achievable_tflops(p));
        let (fraction, bound) = match compute {
            Some(c) if self.flops > 0.0 => {
                let ridge = c / bw;
                let roof = c.min(intensity * bw);
                (tflops / roof, if intensity >= ridge { Bound::Compute } else { Bound::Memory })
            }
            _ => (tbps / bw, Bound::Memory),
        };
        if fraction.is_finite() {
            row.roof_fraction = Some(fraction);
            row.bound = Some(bound);
            row.headroom_ns = Some(if fraction < 1.0 { (ns * (1.0 - fraction)).round() as i64 } else { 0 });
        }
        row
    }
}

/// How much of a stage's GPU time (`ops`) has a figure, and why the rest has none.
#[must_use]
pub(crate) fn coverage(
    trace: &Trace,
    attribution: &Attribution,
    work: &Work,
    ops: &[u32],
    spec: Option<&GpuSpec>,
) -> RooflineCoverage {
    let mut c = RooflineCoverage {
        computed: true,
        gpu_id: spec.map(|s| s.id.clone()),
        gpu_label: spec.map(|s| s.label.clone()),
        ..RooflineCoverage::default()
    };
    let mut missing: FxHashMap<NoFigure, i64> = FxHashMap::default();
    let mut unmodelled: FxHashMap<&str, i64> = FxHashMap::default();
    for &i in ops {
        let dur = trace.gpu.dur_ns.get(i as usize).copied().unwrap_or(0);
        c.total_ns += dur;
        match work.per.get(i as usize) {
            Some(Figure::Known { .. }) => c.with_figure_ns += dur,
            Some(&Figure::Missing(why)) => {
                *missing.entry(why).or_default() += dur;
                if why == NoFigure::NotModelled {
                    let op = attribution.op.get(i as usize).copied().unwrap_or_default();
                    if let Some([name, ..]) = op_text(trace, attribution, op) {
                        *unmodelled.entry(name).or_default() += dur;
                    }
                }
            }
            None => *missing.entry(NoFigure::NoOp).or_default() += dur,
        }
    }
    c.missing = missing.into_iter().map(|(reason, ns)| NoFigureTime { reason, ns }).collect();
    crate::order::sort_by(&mut c.missing, |a, b| b.ns.cmp(&a.ns).then(a.reason.cmp(&b.reason)));
    let mut ops: Vec<(&str, i64)> = unmodelled.into_iter().collect();
    crate::order::sort_by(&mut ops, |a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    c.unmodelled = ops.into_iter().take(5).map(|(op, ns)| OpTime { op: op.to_owned(), ns }).collect();
    c
}
