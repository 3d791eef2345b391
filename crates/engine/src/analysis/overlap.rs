//! The overlap-opportunity analysis of a stage (single-trace; anchor-spec §11 with its
//! single-trace gap and quadratic sweep fixed).
//!
//! One O(n log n) sweep ([`sweep`]) over every kernel, copy and fill of the stage, on every
//! stream, gives the busy union, the overlapped time and each activity's hidden and
//! hidden-by-compute time. Activities are grouped into kernel families (canonical name ×
//! category); the families that sit exposed on the critical path (communication no compute
//! hides, copies, other exclusive work) or that are already hidden become rows with the
//! seed's priority, dependency risk and recommendation ([`rows`]). Idle gaps inside the
//! stage's steps are summed and classified by what the CPU was doing ([`bubbles`]).
//!
//! A second pass over the same spans ([`sweep::lanes_in`]) says, per step window, which
//! lanes had work in it; a family none of whose steps had another busy lane
//! ([`Family::beside_others`] false) is a serial chain nothing could overlap, and its
//! headroom row is folded away unless it is communication or a transfer ([`rows`], which
//! also gives each row the time it could recover and ranks rows by it).

mod bubbles;
mod rows;
mod strip;
pub(crate) mod sweep;

use rustc_hash::FxHashMap;

use super::attribution::{Attribution, NONE};
use super::kernels::NameCache;
use super::mapping::Sources;
use super::split::StageOps;
use super::stages::Windows;
use crate::results::overlap::{OverlapTable, SweepFigures};
use crate::vocab::Category;
use sweep::Span;
use trace::model::{Sym, Trace};

/// One kernel family of a stage: every activity with the same canonical name and category.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Family {
    /// Canonical name (a symbol of the [`NameCache`]'s strings).
    pub name: Sym,
    /// Category.
    pub category: Category,
    /// Activities.
    pub launches: u64,
    /// Σ durations, ns.
    pub total_ns: i64,
    /// Time another stream was busy, ns.
    pub hidden_ns: i64,
    /// Time compute ran on another stream, ns.
    pub hidden_by_compute_ns: i64,
    /// Position (in the stage's ops) of the first activity.
    pub first: usize,
    /// Position of the representative activity: the longest, first on ties.
    pub representative: usize,
    /// Whether another lane had work in one of the steps the family ran in (see
    /// `mark_beside_others`); false for a family on a single busy stream, which nothing
    /// could run beside.
    pub beside_others: bool,
}

impl Family {
    /// Time no other stream was busy, ns.
    #[must_use]
    pub(crate) fn exclusive_ns(&self) -> i64 {
        self.total_ns - self.hidden_ns
    }

    /// Time on the critical path: for communication the time no compute hid, otherwise
    /// the exclusive time.
    #[must_use]
    pub(crate) fn exposed_ns(&self) -> i64 {
        if self.category == Category::Communication {
            self.total_ns - self.hidden_by_compute_ns
        } else {
            self.exclusive_ns()
        }
    }
}

/// A step of a stage: the GPU extent of the work its window launched.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct StepExtent {
    /// The step id of [`StageOps::step`] (`NONE` for work outside any step).
    pub id: u32,
    /// First start, ns.
    pub start_ns: i64,
    /// Last end, ns.
    pub end_ns: i64,
    /// Σ durations, ns.
    pub gpu_ns: i64,
    /// The annotation text, or [`Sym::NONE`] (a symbol of the trace).
    pub name: Sym,
}

/// The steps of a stage, sorted by start (work outside any step forms one extent), from
/// the step ids of [`StageOps::step`].
#[must_use]
pub(crate) fn step_extents(trace: &Trace, group: &StageOps, windows: &Windows) -> Vec<StepExtent> {
    extents(trace, group, &group.step, windows)
}

/// Like [`step_extents`], but a stage named by its file path (whose ops carry no step ids)
/// still gets its steps from the trace's step annotations: the CPU window around each
/// launch, else the GPU window around the activity. For picking and drawing steps; the
/// stage's figures keep [`step_extents`].
#[must_use]
pub(crate) fn annotated_steps(
    trace: &Trace,
    attribution: &Attribution,
    group: &StageOps,
    windows: &Windows,
) -> Vec<StepExtent> {
    if windows.is_empty() || group.step.iter().any(|&s| s != NONE) {
        return step_extents(trace, group, windows);
    }
    let ids: Vec<u32> = group
        .ops
        .iter()
        .map(|&i| {
            let launch = attribution.launch.get(i as usize).copied().unwrap_or(NONE);
            let cpu = trace.runtime.start_ns.get(launch as usize).and_then(|&t| windows.cpu_at(t));
            match cpu {
                Some(w) => u32::try_from(w).unwrap_or(NONE),
                None => trace
                    .gpu
                    .start_ns
                    .get(i as usize)
                    .and_then(|&t| windows.gpu_at(t))
                    .and_then(|w| u32::try_from(windows.cpu.len() + w).ok())
                    .unwrap_or(NONE),
            }
        })
        .collect();
    extents(trace, group, &ids, windows)
}

fn extents(trace: &Trace, group: &StageOps, ids: &[u32], windows: &Windows) -> Vec<StepExtent> {
    let g = &trace.gpu;
    let mut by_id: FxHashMap<u32, StepExtent> = FxHashMap::default();
    for (k, &i) in group.ops.iter().enumerate() {
        let i = i as usize;
        let (Some(&start), Some(&dur)) = (g.start_ns.get(i), g.dur_ns.get(i)) else { continue };
        let end = start.saturating_add(dur.max(0));
        let id = ids.get(k).copied().unwrap_or(NONE);
        let e = by_id.entry(id).or_insert_with(|| StepExtent {
            id,
            start_ns: start,
            end_ns: end,
            gpu_ns: 0,
            name: step_name(windows, group.cpu_windows, id),
        });
        e.start_ns = e.start_ns.min(start);
        e.end_ns = e.end_ns.max(end);
        e.gpu_ns += dur.max(0);
    }
    let mut v: Vec<StepExtent> = by_id.into_values().collect();
    v.sort_by_key(|e| (e.start_ns, e.end_ns, e.id));
    v
}

fn step_name(windows: &Windows, cpu_windows: u32, id: u32) -> Sym {
    if id == NONE {
        return Sym::NONE;
    }
    let w = if id < cpu_windows {
        windows.cpu.get(id as usize)
    } else {
        windows.gpu.get((id - cpu_windows) as usize)
    };
    w.map_or(Sym::NONE, |w| w.name)
}

/// The busiest step of a stage (most GPU time, earliest on ties), or the extent of all its
/// work when it has no steps.
#[must_use]
pub(crate) fn busiest_step(steps: &[StepExtent]) -> Option<&StepExtent> {
    let named: Vec<&StepExtent> = steps.iter().filter(|s| s.id != NONE).collect();
    let pool = if named.is_empty() { steps.iter().collect() } else { named };
    let mut best: Option<&StepExtent> = None;
    for s in pool {
        if best.is_none_or(|b| s.gpu_ns > b.gpu_ns) {
            best = Some(s);
        }
    }
    best
}

/// Merged `(start, end)` windows of the steps: where idle time counts.
fn merged(steps: &[StepExtent]) -> Vec<(i64, i64)> {
    let mut out: Vec<(i64, i64)> = Vec::with_capacity(steps.len());
    for s in steps {
        match out.last_mut() {
            Some(last) if s.start_ns <= last.1 => last.1 = last.1.max(s.end_ns),
            _ => out.push((s.start_ns, s.end_ns)),
        }
    }
    out
}

/// Dense lane ids per `(device, stream)`, sorted; returns the lanes and the id per op.
fn lanes(trace: &Trace, group: &StageOps) -> (Vec<(i64, i64)>, Vec<u32>) {
    let g = &trace.gpu;
    let keys: Vec<(i64, i64)> = group
        .ops
        .iter()
        .map(|&i| {
            let i = i as usize;
            (g.device.get(i).copied().unwrap_or(0), g.stream.get(i).copied().unwrap_or(0))
        })
        .collect();
    let mut list = keys.clone();
    list.sort_unstable();
    list.dedup();
    let ids =
        keys.iter().map(|k| u32::try_from(list.partition_point(|x| x < k)).unwrap_or(u32::MAX)).collect();
    (list, ids)
}

/// Everything the stage analysis computed, before it becomes report rows.
pub(crate) struct StageOverlap {
    /// Lanes `(device, stream)`, indexed by [`Span::lane`].
    pub lanes: Vec<(i64, i64)>,
    /// One span per stage op (same order as [`StageOps::ops`]).
    pub spans: Vec<Span>,
    /// Per stage op: its category.
    pub categories: Vec<Category>,
    /// Per stage op: its family index.
    pub family_of: Vec<u32>,
    /// Families, in first-seen order.
    pub families: Vec<Family>,
    /// The sweep.
    pub sweep: sweep::Sweep,
    /// Steps of the stage.
    pub steps: Vec<StepExtent>,
}

/// Sweeps a stage and groups its activities into families.
#[must_use]
pub(crate) fn stage(
    trace: &Trace,
    cache: &mut NameCache<'_>,
    group: &StageOps,
    windows: &Windows,
) -> StageOverlap {
    let g = &trace.gpu;
    let (lanes, lane_of) = lanes(trace, group);
    let mut spans = Vec::with_capacity(group.ops.len());
    let mut categories = Vec::with_capacity(group.ops.len());
    let mut family_of = Vec::with_capacity(group.ops.len());
    let mut families: Vec<Family> = Vec::new();
    let mut index: FxHashMap<(Sym, Category), u32> = FxHashMap::default();
    for (k, &i) in group.ops.iter().enumerate() {
        let i = i as usize;
        let start = g.start_ns.get(i).copied().unwrap_or(0);
        let dur = g.dur_ns.get(i).copied().unwrap_or(0).max(0);
        let (name, category) = cache.of(trace, i);
        let lane = lane_of.get(k).copied().unwrap_or(u32::MAX);
        spans.push(Span { lane, start, end: start.saturating_add(dur), compute: category.is_compute() });
        categories.push(category);
        let next = u32::try_from(families.len()).unwrap_or(u32::MAX);
        let f = *index.entry((name, category)).or_insert_with(|| {
            families.push(Family {
                name,
                category,
                launches: 0,
                total_ns: 0,
                hidden_ns: 0,
                hidden_by_compute_ns: 0,
                first: k,
                representative: k,
                beside_others: false,
            });
            next
        });
        family_of.push(f);
    }
    let sweep = sweep::sweep(&spans, lanes.len());
    for (k, (&f, share)) in family_of.iter().zip(&sweep.shares).enumerate() {
        let Some(fam) = families.get_mut(f as usize) else { continue };
        let dur = spans.get(k).map_or(0, |s| (s.end - s.start).max(0));
        let rep_dur = spans.get(fam.representative).map_or(0, |s| s.end - s.start);
        fam.launches += 1;
        fam.total_ns += dur;
        fam.hidden_ns += share.hidden;
        fam.hidden_by_compute_ns += share.hidden_by_compute;
        if dur > rep_dur {
            fam.representative = k;
        }
    }
    let steps = step_extents(trace, group, windows);
    let extents: Vec<(i64, i64)> = steps.iter().map(|s| (s.start_ns, s.end_ns)).collect();
    let step_busy = sweep::lanes_in(&spans, lanes.len(), &extents);
    mark_beside_others(&mut families, &family_of, &spans, group, &steps, &step_busy);
    StageOverlap { lanes, spans, categories, family_of, families, sweep, steps }
}

/// Sets [`Family::beside_others`]: a family ran beside other work when, in the window of
/// a step one of its activities belongs to (its step id; work outside any step forms one
/// extent, the whole stage when it has no steps), an activity of another lane overlaps
/// the window. An activity whose step has no extent counts as beside others (the row
/// stays). Linear in the stage's activities.
fn mark_beside_others(
    families: &mut [Family],
    family_of: &[u32],
    spans: &[Span],
    group: &StageOps,
    steps: &[StepExtent],
    step_busy: &[sweep::Busy],
) {
    let index: FxHashMap<u32, usize> = steps.iter().enumerate().map(|(n, s)| (s.id, n)).collect();
    for (k, (&f, span)) in family_of.iter().zip(spans).enumerate() {
        let id = group.step.get(k).copied().unwrap_or(NONE);
        let busy = index.get(&id).and_then(|&n| step_busy.get(n));
        let beside = match busy {
            Some(sweep::Busy::Idle) => false,
            Some(&sweep::Busy::One(lane)) => lane != span.lane,
            Some(sweep::Busy::Many) | None => true,
        };
        if beside && let Some(fam) = families.get_mut(f as usize) {
            fam.beside_others = true;
        }
    }
}

/// The overlap table of one stage with the trace's own attribution (the tests' entry).
#[cfg(test)]
#[must_use]
pub(crate) fn table(
    trace: &Trace,
    attribution: &Attribution,
    cache: &mut NameCache<'_>,
    group: &StageOps,
    windows: &Windows,
    min_share_pct: f64,
) -> OverlapTable {
    table_with(&Sources::own(trace, attribution), cache, group, windows, min_share_pct)
}

/// The overlap table of one stage: sweep figures, rows, bubbles and the timeline strip of
/// its busiest step, with Python scopes from `sources` (mapped activities take their eager
/// twins' locations; idle-gap causes still read the trace's own launches).
#[must_use]
pub(crate) fn table_with(
    sources: &Sources<'_>,
    cache: &mut NameCache<'_>,
    group: &StageOps,
    windows: &Windows,
    min_share_pct: f64,
) -> OverlapTable {
    let (trace, attribution) = (sources.trace, sources.attribution);
    let st = stage(trace, cache, group, windows);
    let windows_merged = merged(&st.steps);
    let span_ns: i64 = windows_merged.iter().map(|(a, b)| b - a).sum::<i64>().max(st.sweep.busy);
    let mut figures = SweepFigures {
        span_ns,
        busy_ns: st.sweep.busy,
        overlap_ns: st.sweep.overlap,
        idle_ns: span_ns - st.sweep.busy,
        streams: u32::try_from(st.lanes.len()).unwrap_or(u32::MAX),
        max_concurrent_streams: st.sweep.max_lanes,
        ..SweepFigures::default()
    };
    for f in &st.families {
        figures.kernel_ns += f.total_ns;
        match f.category {
            Category::Communication => {
                figures.comm_ns += f.total_ns;
                figures.exposed_comm_ns += f.exposed_ns();
            }
            Category::Memory => {
                figures.copy_ns += f.total_ns;
                figures.exposed_copy_ns += f.exposed_ns();
            }
            _ => {}
        }
    }
    let bubbles = bubbles::classify(trace, attribution, group, &st, &windows_merged);
    let mut out =
        OverlapTable { computed: true, sweep: figures, bubbles: bubbles.summary, ..OverlapTable::default() };
    rows::build(
        &rows::Ctx {
            trace,
            attribution,
            sources,
            cache,
            group,
            st: &st,
            min_share_pct,
            bubble_scope: bubbles.scope,
            runtime_order: core::cell::OnceCell::new(),
        },
        &mut out,
    );
    let annotated = annotated_steps(trace, attribution, group, windows);
    out.timeline = busiest_step(&annotated).map(|step| {
        let name = if step.name.is_none() { String::new() } else { trace.str(step.name).to_owned() };
        strip::of_stage(&st, (step.start_ns, step.end_ns), name)
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Catalog;
    use crate::analysis::{attribution, split};

    fn table_of(json: &str) -> OverlapTable {
        let trace = trace::load(json.as_bytes()).expect("test trace");
        let a = attribution::attribute(&trace);
        let (device, _) = split::primary_device(&trace);
        let groups = split::split(&trace, &a, device, None);
        let mut cache = NameCache::new(&Catalog::builtin().categories);
        let windows = Windows::of(&trace);
        let group = groups.first().expect("a stage");
        table(&trace, &a, &mut cache, group, &windows, 1.0)
    }

    fn kernel(name: &str, stream: u32, ts: u32, dur: u32, corr: u32) -> String {
        format!(
            r#"{{"ph":"X","cat":"kernel","name":"{name}","pid":0,"tid":{stream},"ts":{ts},"dur":{dur},"args":{{"stream":{stream},"correlation":{corr},"device":0}}}}"#
        )
    }

    fn launch(name: &str, ts: u32, dur: u32, corr: u32) -> String {
        format!(
            r#"{{"ph":"X","cat":"cuda_runtime","name":"{name}","pid":1,"tid":1,"ts":{ts},"dur":{dur},"args":{{"correlation":{corr}}}}}"#
        )
    }

    #[test]
    fn exposed_all_reduce_is_a_headroom_row_and_hidden_copy_is_low_roi() {
        // Stream 7: gemm 0..100, all-reduce 100..300 (exposed). Stream 9: a copy kernel
        // 10..60, hidden behind the gemm.
        let events = [
            launch("cudaLaunchKernel", 0, 1, 1),
            launch("cudaLaunchKernel", 1, 1, 2),
            launch("cudaLaunchKernel", 2, 1, 3),
            kernel("nvjet_tst_128x64", 7, 0, 100, 1),
            kernel("ncclDevKernel_AllReduce_Sum_bf16_RING_LL", 7, 100, 200, 2),
            kernel("void at::native::direct_copy_kernel_cuda", 9, 10, 50, 3),
        ];
        let t = table_of(&format!(r#"{{"traceEvents":[{}]}}"#, events.join(",")));
        assert!(t.computed);
        assert_eq!((t.sweep.busy_ns, t.sweep.overlap_ns, t.sweep.streams), (300_000, 50_000, 2));
        assert_eq!((t.sweep.comm_ns, t.sweep.exposed_comm_ns), (200_000, 200_000));
        let ar = t.rows.iter().find(|r| r.kernel.contains("AllReduce")).expect("all-reduce row");
        assert_eq!(ar.verdict, crate::results::overlap::Verdict::Headroom);
        assert_eq!((ar.exposed_ns, ar.exclusive_ns, ar.hidden_ns), (200_000, 200_000, 0));
        // Right after the GEMM on its stream: a likely data dependency (§11.6).
        assert_eq!((ar.priority, ar.dep_risk), (2, crate::results::overlap::DepRisk::High));
        // Two thirds of the stage's busy time: probably waiting for peers.
        assert_eq!(ar.recommendation, crate::results::overlap::Recommendation::LoadAllRanks);
        assert!(ar.waiting.as_ref().is_some_and(|w| w.share_pct > 66.0));
        let copy = t.rows.iter().find(|r| r.kernel.contains("direct_copy")).expect("copy row");
        assert_eq!(copy.verdict, crate::results::overlap::Verdict::LowRoiHidden);
        assert_eq!((copy.hidden_ns, copy.hidden_by_compute_ns), (50_000, 50_000));
        assert_eq!(copy.priority, 4);
        assert_eq!(t.bubbles.idle_ns, 0);
    }

    #[test]
    fn a_serial_chain_alone_is_folded_and_beside_another_stream_stays() {
        use crate::results::overlap::Verdict;
        // Stream 7: gemm 0..100, norm 100..130, all-reduce 130..200: a serial chain. No
        // steps, so the window is the whole stage.
        let chain = [
            kernel("nvjet_tst_128x64", 7, 0, 100, 1),
            kernel("vllm::rms_norm_kernel", 7, 100, 30, 2),
            kernel("ncclDevKernel_AllReduce_Sum_bf16_RING_LL", 7, 130, 70, 3),
        ];
        let alone = table_of(&format!(r#"{{"traceEvents":[{}]}}"#, chain.join(",")));
        assert_eq!(alone.sweep.streams, 1);
        // GEMM and norm are folded; communication never is.
        assert_eq!((alone.serial_folded_rows, alone.serial_folded_ns), (2, 130_000));
        assert!(
            alone
                .rows
                .iter()
                .all(|r| r.category != Some(Category::Gemm) && r.category != Some(Category::Norm))
        );
        let ar = alone.rows.iter().find(|r| r.kernel.contains("AllReduce")).expect("all-reduce row");
        assert_eq!((ar.verdict, ar.recoverable_ns), (Verdict::Headroom, 70_000));

        // A short kernel on stream 9 beside the GEMM: nothing is folded any more, and the
        // rows recover their exclusive time.
        let mut beside = chain.to_vec();
        beside.push(kernel("void at::native::vectorized_elementwise_kernel", 9, 10, 5, 4));
        let t = table_of(&format!(r#"{{"traceEvents":[{}]}}"#, beside.join(",")));
        assert_eq!((t.serial_folded_rows, t.serial_folded_ns), (0, 0));
        let gemm = t.rows.iter().find(|r| r.category == Some(Category::Gemm)).expect("gemm row");
        assert_eq!(
            (gemm.verdict, gemm.exclusive_ns, gemm.recoverable_ns),
            (Verdict::Headroom, 95_000, 95_000)
        );
        let norm = t.rows.iter().find(|r| r.category == Some(Category::Norm)).expect("norm row");
        assert_eq!(norm.recoverable_ns, 30_000);
        // Same priority (check deps, tight neighbours): most recoverable time first.
        let order: Vec<i64> = t.rows.iter().map(|r| r.recoverable_ns).collect();
        assert!(order.windows(2).all(|w| w[0] >= w[1]), "{order:?}");
    }

    #[test]
    fn folding_follows_the_steps_the_family_ran_in() {
        // Two decode steps: in the first only stream 7 works; in the second stream 9 runs
        // beside it. The norm runs in the first step only (folded); the GEMM in both (kept).
        let step = |ts: u32, dur: u32| {
            format!(
                r#"{{"ph":"X","cat":"user_annotation","name":"step[DECODE bs=1]","pid":1,"tid":1,"ts":{ts},"dur":{dur}}}"#
            )
        };
        let events = [
            step(0, 50),
            launch("cudaLaunchKernel", 1, 1, 1),
            launch("cudaLaunchKernel", 2, 1, 2),
            step(1000, 50),
            launch("cudaLaunchKernel", 1001, 1, 3),
            launch("cudaLaunchKernel", 1002, 1, 4),
            kernel("nvjet_tst_128x64", 7, 10, 100, 1),
            kernel("vllm::rms_norm_kernel", 7, 110, 40, 2),
            kernel("nvjet_tst_128x64", 7, 1010, 100, 3),
            kernel("void at::native::vectorized_elementwise_kernel", 9, 1100, 5, 4),
        ];
        let t = table_of(&format!(r#"{{"traceEvents":[{}]}}"#, events.join(",")));
        assert_eq!((t.serial_folded_rows, t.serial_folded_ns), (1, 40_000));
        let gemm = t.rows.iter().find(|r| r.category == Some(Category::Gemm)).expect("gemm row");
        assert_eq!(gemm.recoverable_ns, gemm.exclusive_ns);
        assert!(gemm.recoverable_ns > 0);
        assert!(t.rows.iter().all(|r| r.category != Some(Category::Norm)));
    }

    #[test]
    fn families_add_up() {
        let events = [
            kernel("gemm_a", 7, 0, 100, 1),
            kernel("gemm_a", 8, 50, 100, 2),
            kernel("elementwise_kernel", 7, 120, 10, 3),
        ];
        let trace =
            trace::load(format!(r#"{{"traceEvents":[{}]}}"#, events.join(",")).as_bytes()).expect("trace");
        let a = attribution::attribute(&trace);
        let groups = split::split(&trace, &a, Some(0), None);
        let mut cache = NameCache::new(&Catalog::builtin().categories);
        let st = stage(&trace, &mut cache, groups.first().expect("stage"), &Windows::of(&trace));
        assert_eq!(st.families.len(), 2);
        let gemm = st.families.first().expect("gemm");
        // Hidden: the first 50..100 behind the second; the second 50..100 behind the first
        // and 120..130 behind the elementwise kernel.
        assert_eq!((gemm.launches, gemm.total_ns, gemm.hidden_ns), (2, 200_000, 110_000));
        assert_eq!(gemm.hidden_by_compute_ns, 100_000);
        for f in &st.families {
            assert_eq!(f.exclusive_ns() + f.hidden_ns, f.total_ns);
        }
    }
}
