//! The verdict of a stage and its fix-first list, from the figures the kernel, overlap,
//! fuse and roofline tables already hold. Deterministic rules, in this order:
//!
//! 1. **Empty**: no GPU time.
//! 2. **Communication-bound**: communication no compute hides is at least
//!    [`COMM_BUSY_PCT`] of the GPU's busy time; **launch-bound**: idle time inside the steps
//!    is at least [`IDLE_PCT`] of their wall time and the CPU-side causes (launch API,
//!    synchronize, memcpy calls, operator code, Python) explain at least [`CPU_IDLE_PCT`]
//!    of it. When both hold, the one with more time wins. The largest collective reads
//!    as waiting for peer ranks when its overlap row does (exposed for a quarter of the
//!    busy time, or its longest launch at least 8× its median and 200 µs).
//! 3. **Kernel-bound**: one category other than communication (which, past rule 2, is
//!    mostly hidden) takes at least [`DOMINANT_PCT`] of the GPU time and at least
//!    [`DOMINANT_RATIO`]× the next; its largest kernels are named, and the roofline reading added
//!    when at least [`ROOF_FIGURED_PCT`] of its time has a figure and two thirds of that is
//!    bound the same way.
//! 4. **Roofline-bound**: at least half of all GPU time has a figure and two thirds of it
//!    is memory-bound (or compute-bound).
//! 5. **Balanced**: the three largest categories.
//!
//! Fix first: up to [`FIX_LIMIT`] findings, each an upper bound of the time it could save,
//! ranked by that saving (ties: kind, then subject):
//! - exposed communication: its exposed time (overlappable with the next layer's compute);
//! - a collective waiting for peers (its overlap row says so): its time above the median
//!   launch (`total − median × launches`), what balancing the ranks could recover; the rest
//!   of its exposed time is an exposed-communication finding;
//! - copies and fills on the critical path: their exposed time;
//! - GPU idle while the CPU launched, ran operator code or Python (CUDA graphs) and while
//!   it synchronised or copied (remove the sync): that idle time;
//! - a fuse pattern whose split kernels run: the split kernels' time but the longest
//!   (a fused kernel takes at least as long as its longest part);
//! - a kernel below half its achievable roof: the time it would save at the roof.
//!
//! Findings under the table cutoff (as a share of the stage's wall time) are left out.

use crate::results::fuse::FuseTable;
use crate::results::kernels::{KernelRow, StageSummary};
use crate::results::overlap::{BubbleCause, OverlapTable};
use crate::results::roofline::Bound;
use crate::results::share;
use crate::results::verdict::{CategoryTime, Fix, NamedKernel, PeerWait, Reading, RoofRead, StageVerdict};
use crate::vocab::{Category, Family};

mod fix;
mod health;

pub(crate) use health::health;

/// Exposed communication, as a share of busy time, that makes a stage communication-bound, %.
pub(crate) const COMM_BUSY_PCT: f64 = 25.0;
/// Idle time inside the steps, as a share of their wall time, that may make a stage launch-bound, %.
pub(crate) const IDLE_PCT: f64 = 30.0;
/// The share of the idle time CPU-side causes must explain for a launch-bound stage, %.
pub(crate) const CPU_IDLE_PCT: f64 = 50.0;
/// The share of GPU time one category needs to dominate, %.
pub(crate) const DOMINANT_PCT: f64 = 35.0;
/// How many times the next category's time a dominant category needs.
pub(crate) const DOMINANT_RATIO: f64 = 1.3;
/// The share of a group's time that needs a roofline figure before it is read, %.
pub(crate) const ROOF_FIGURED_PCT: f64 = 30.0;
/// Findings listed at most.
pub(crate) const FIX_LIMIT: usize = 5;

/// CPU-side bubble causes: the GPU waited for the host.
pub(crate) const CPU_CAUSES: [BubbleCause; 5] =
    [BubbleCause::Launch, BubbleCause::Sync, BubbleCause::Memcpy, BubbleCause::CpuOp, BubbleCause::Python];

/// What a stage's verdict reads.
pub(crate) struct StageFigures<'a> {
    /// Headline figures.
    pub summary: &'a StageSummary,
    /// Every kernel row (before the share cutoff), with roofline figures.
    pub rows: &'a [KernelRow],
    /// The overlap table.
    pub overlap: &'a OverlapTable,
    /// The fuse table.
    pub fuse: &'a FuseTable,
    /// The share cutoff, %.
    pub min_share_pct: f64,
}

/// The stage's verdict and its fix-first list.
pub(crate) fn stage(f: &StageFigures<'_>) -> (StageVerdict, Vec<Fix>) {
    let categories = categories(f.rows, f.summary.kernel_ns);
    let reading = reading(f, &categories);
    (StageVerdict { computed: true, reading, text: String::new(), categories }, fix::fix_first(f))
}

/// GPU time by category, most first (ties in category order).
fn categories(rows: &[KernelRow], total: i64) -> Vec<CategoryTime> {
    let mut out: Vec<CategoryTime> = Vec::new();
    for r in rows {
        match out.iter_mut().find(|c| c.category == r.category) {
            Some(c) => c.gpu_ns += r.gpu_ns,
            None => out.push(CategoryTime { category: r.category, gpu_ns: r.gpu_ns, share_pct: 0.0 }),
        }
    }
    for c in &mut out {
        c.share_pct = share(c.gpu_ns, total);
    }
    crate::order::sort_by(&mut out, |a, b| b.gpu_ns.cmp(&a.gpu_ns).then(a.category.cmp(&b.category)));
    out.retain(|c| c.gpu_ns > 0);
    out
}

fn named(r: &KernelRow) -> NamedKernel {
    NamedKernel {
        name: r.name.clone(),
        short: crate::names::short(&r.name),
        gpu_ns: r.gpu_ns,
        share_pct: r.share_pct,
    }
}

fn reading(f: &StageFigures<'_>, categories: &[CategoryTime]) -> Reading {
    let s = f.summary;
    if s.kernel_ns <= 0 || f.rows.is_empty() {
        return Reading::Empty;
    }
    let comm = communication(f);
    let launch = launch(f);
    match (comm, launch) {
        (Some((ca, a)), Some((cb, b))) => return if ca >= cb { a } else { b },
        (Some((_, a)), None) | (None, Some((_, a))) => return a,
        (None, None) => {}
    }
    // Communication that did not pass the exposure rule is mostly hidden: it does not bound
    // the stage, so dominance is read among the other categories.
    let mut work = categories.iter().filter(|c| c.category != Category::Communication);
    if let Some(top) = work.next() {
        let next = work.next().map_or(0, |c| c.gpu_ns);
        if top.share_pct >= DOMINANT_PCT && top.gpu_ns as f64 >= DOMINANT_RATIO * next as f64 {
            return dominant(f, top);
        }
    }
    let all: Vec<&KernelRow> = f.rows.iter().collect();
    if let Some(roof) = roof_read(&all, s.kernel_ns).filter(|r| r.figured_pct >= 50.0) {
        return Reading::Roofline { roof };
    }
    Reading::Balanced { top: categories.iter().take(3).cloned().collect() }
}

/// The communication reading and its exposed time, when it holds.
fn communication(f: &StageFigures<'_>) -> Option<(i64, Reading)> {
    let sweep = &f.overlap.sweep;
    let busy = if sweep.busy_ns > 0 { sweep.busy_ns } else { f.summary.busy_ns };
    let busy_share_pct = share(sweep.exposed_comm_ns, busy);
    if !f.overlap.computed || busy_share_pct < COMM_BUSY_PCT {
        return None;
    }
    let top = f
        .rows
        .iter()
        .filter(|r| r.category == Category::Communication)
        .max_by(|a, b| a.gpu_ns.cmp(&b.gpu_ns).then(b.name.cmp(&a.name)))?;
    let waiting = f
        .overlap
        .rows
        .iter()
        .find(|r| r.kernel == top.name && r.category == Some(Category::Communication))
        .and_then(|r| r.waiting.as_ref())
        .map(|w| PeerWait { max_ns: w.max_ns, median_ns: w.median_ns });
    let reading = Reading::Communication {
        family: Family::of_name(&top.name),
        kernel: named(top),
        comm_share_pct: share(sweep.comm_ns, f.summary.kernel_ns),
        exposed_pct: share(sweep.exposed_comm_ns, sweep.comm_ns),
        busy_share_pct,
        waiting,
    };
    Some((sweep.exposed_comm_ns, reading))
}

/// The launch-bound reading and its CPU-side idle time, when it holds.
fn launch(f: &StageFigures<'_>) -> Option<(i64, Reading)> {
    let b = &f.overlap.bubbles;
    let span = f.summary.span_ns;
    let idle_pct = share(b.idle_ns, span);
    let cpu: i64 = b.causes.iter().filter(|c| CPU_CAUSES.contains(&c.cause)).map(|c| c.ns).sum();
    let cpu_pct = share(cpu, b.idle_ns);
    if idle_pct < IDLE_PCT || cpu_pct < CPU_IDLE_PCT {
        return None;
    }
    let top = b
        .causes
        .iter()
        .filter(|c| CPU_CAUSES.contains(&c.cause))
        .max_by(|a, b| a.ns.cmp(&b.ns).then(b.cause.cmp(&a.cause)))?;
    let reading = Reading::Launch {
        idle_pct,
        cpu_pct,
        cause: top.cause,
        cause_pct: share(top.ns, b.idle_ns),
        graph_pct: share(f.summary.graph_replay_ns, f.summary.kernel_ns),
    };
    Some((cpu, reading))
}

/// The kernel-bound reading of a dominant category.
fn dominant(f: &StageFigures<'_>, top: &CategoryTime) -> Reading {
    let mut rows: Vec<&KernelRow> = f.rows.iter().filter(|r| r.category == top.category).collect();
    crate::order::sort_by(&mut rows, |a, b| b.gpu_ns.cmp(&a.gpu_ns).then(a.name.cmp(&b.name)));
    let mut named_rows: Vec<NamedKernel> = Vec::new();
    let mut covered = 0i64;
    for r in &rows {
        if named_rows.len() == 3 || (covered as f64) >= 0.8 * top.gpu_ns as f64 {
            break;
        }
        covered += r.gpu_ns;
        named_rows.push(named(r));
    }
    Reading::Kernels {
        category: top.category,
        share_pct: top.share_pct,
        top: named_rows,
        kernels: rows.len() as u64,
        roof: roof_read(&rows, top.gpu_ns).filter(|r| r.figured_pct >= ROOF_FIGURED_PCT),
    }
}

/// How rows sit under the roofline: `None` without figures or when neither bound has two
/// thirds of the figured time.
fn roof_read(rows: &[&KernelRow], total_ns: i64) -> Option<RoofRead> {
    let (mut figured, mut memory, mut weighted) = (0i64, 0i64, 0.0f64);
    for r in rows {
        let (Some(frac), Some(bound)) = (r.roofline.roof_fraction, r.roofline.bound) else { continue };
        let ns = r.roofline.roofline_ns;
        figured += ns;
        weighted += frac * ns as f64;
        if bound == Bound::Memory {
            memory += ns;
        }
    }
    if figured <= 0 {
        return None;
    }
    let bound = if memory as f64 >= 2.0 / 3.0 * figured as f64 {
        Bound::Memory
    } else if (figured - memory) as f64 >= 2.0 / 3.0 * figured as f64 {
        Bound::Compute
    } else {
        return None;
    };
    Some(RoofRead { bound, roof_fraction: weighted / figured as f64, figured_pct: share(figured, total_ns) })
}

#[cfg(test)]
mod tests;
