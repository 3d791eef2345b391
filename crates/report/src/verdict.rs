//! The verdict of each stage, its fix-first list and the trace's health as sentences and
//! tables. The engine decides (`engine::results::verdict`, rules in its analysis); this
//! module writes the words, fills the `text` fields of the report's JSON, and builds the
//! fix-first table every front end shows; [`svg`] draws a stage's GPU time by category.

pub mod svg;

use engine::results::overlap::BubbleCause;
use engine::results::verdict::{Fix, FixKind, Health, Reading, RoofRead, StageVerdict};
use engine::vocab::Category;

use crate::format::{ms, pct};
use crate::table::{Cell, Column, Table};
use engine::results::triage::{StageReport, Triage};

/// A category's name as a verdict's `…-bound` word (`GEMM`, `MoE`, `attention`).
#[must_use]
pub fn category_word(c: Category) -> &'static str {
    match c {
        Category::Gemm => "GEMM",
        Category::Moe => "MoE",
        Category::Ssm => "SSM",
        c => c.label(),
    }
}

fn roof_words(r: &RoofRead) -> String {
    format!(
        "{}-bound at {} of the achievable roof on average ({} of the time has a roofline figure)",
        r.bound.label(),
        pct(100.0 * r.roof_fraction),
        pct(r.figured_pct)
    )
}

/// A kernel name cut to 48 characters (`…` marks the cut), for one-line verdicts.
fn clip(name: &str) -> String {
    if name.chars().count() <= 48 {
        name.to_owned()
    } else {
        format!("{}…", name.chars().take(47).collect::<String>())
    }
}

/// `fully exposed` from 99.5%, else `N% exposed`.
fn exposed_words(exposed_pct: f64) -> String {
    if exposed_pct >= 99.5 { "fully exposed".to_owned() } else { format!("{} exposed", pct(exposed_pct)) }
}

/// `longest launch 16× the median`.
fn skew_words(max_ns: i64, median_ns: i64) -> String {
    format!("longest launch {:.0}× the median", max_ns as f64 / median_ns.max(1) as f64)
}

/// The verdict of a stage as one line, headed by the stage's label.
#[must_use]
pub fn line(label: &str, v: &StageVerdict) -> String {
    let body = match &v.reading {
        Reading::Empty => "no GPU work".to_owned(),
        Reading::Communication { family, kernel, comm_share_pct, exposed_pct, busy_share_pct, waiting } => {
            let mut s = format!(
                "communication-bound — communication {} of GPU time, {} ({} of GPU busy time); largest: {} {} ({})",
                pct(*comm_share_pct),
                exposed_words(*exposed_pct),
                pct(*busy_share_pct),
                family.label(),
                clip(&kernel.short),
                pct(kernel.share_pct),
            );
            if let Some(w) = waiting {
                if w.max_ns >= w.median_ns.saturating_mul(8) {
                    s.push_str(&format!(
                        "; {}, likely waiting on peer ranks: load all ranks",
                        skew_words(w.max_ns, w.median_ns)
                    ));
                } else {
                    s.push_str("; a collective this exposed is likely waiting on peer ranks: load all ranks");
                }
            }
            s
        }
        Reading::Launch { idle_pct, cpu_pct, cause, cause_pct, graph_pct } => {
            let sync = matches!(cause, BubbleCause::Sync | BubbleCause::Memcpy);
            let mut s = format!(
                "{} — GPU idle for {} of the steps' wall time, {} of it on the CPU side (most: {}, {})",
                if sync { "sync-bound" } else { "launch/CPU-bound" },
                pct(*idle_pct),
                pct(*cpu_pct),
                cause.label(),
                pct(*cause_pct),
            );
            if sync {
                s.push_str(": remove the blocking calls");
            } else if *graph_pct < 50.0 {
                s.push_str(&format!(
                    "; only {} of GPU time graph-replayed: try CUDA graphs",
                    pct(*graph_pct)
                ));
            } else {
                s.push_str(&format!("; {} of GPU time already graph-replayed", pct(*graph_pct)));
            }
            s
        }
        Reading::Kernels { category, share_pct, top, kernels, roof } => {
            let names: Vec<String> =
                top.iter().map(|k| format!("{} {}", clip(&k.short), pct(k.share_pct))).collect();
            let who =
                if *kernels == 1 { "1 kernel takes".to_owned() } else { format!("{kernels} kernels take") };
            let mut s = format!(
                "{}-bound — {} {} of GPU time (largest: {})",
                category_word(*category),
                who,
                pct(*share_pct),
                names.join(", ")
            );
            if let Some(r) = roof {
                s.push_str(&format!("; {}", roof_words(r)));
            }
            s
        }
        Reading::Roofline { roof } => {
            format!(
                "{}-bound kernels — no category dominates; the kernels are {}",
                roof.bound.label(),
                roof_words(roof)
            )
        }
        Reading::Balanced { top } => {
            let parts: Vec<String> =
                top.iter().map(|c| format!("{} {}", c.category.label(), pct(c.share_pct))).collect();
            format!("balanced — no category dominates: {}", parts.join(", "))
        }
    };
    format!("{label}: {body}")
}

/// A finding's subject for display: a kernel's short base name, else the subject itself.
fn subject(f: &Fix) -> String {
    if f.category.is_some() { engine::names::short(&f.subject) } else { f.subject.clone() }
}

/// A finding's Python location, ` [graph]` when it is a graph launch.
fn location(f: &Fix) -> String {
    if f.graph { format!("{} [graph]", f.location) } else { f.location.clone() }
}

/// What a finding is and the model of its estimate.
#[must_use]
pub fn model(f: &Fix) -> String {
    let ratio = f.ratio.unwrap_or(0.0);
    match f.kind {
        FixKind::ExposedComm => format!(
            "{} exposed communication, overlappable with compute on another stream (the next layer's)",
            pct(100.0 * ratio)
        ),
        FixKind::PeerWait => format!(
            "waiting on peer ranks ({:.0}× longest over median launch): the time above the median launch, what balancing the ranks recovers",
            ratio
        ),
        FixKind::CopyKernels => format!(
            "copy kernels on the critical path ({} exposed): avoid the copy (contiguous, cat, dtype cast) or fuse it into its producer",
            pct(100.0 * ratio)
        ),
        FixKind::Copies => format!(
            "copies/fills on the critical path ({} exposed): move them to a copy engine beside compute or remove the sync that forces them",
            pct(100.0 * ratio)
        ),
        FixKind::LaunchGaps if f.basis == "try CUDA graphs" => format!(
            "GPU idle while the CPU launched kernels or ran operator code and Python ({} of the idle time): CUDA graphs remove launch gaps",
            pct(100.0 * ratio)
        ),
        FixKind::LaunchGaps => format!(
            "GPU idle while the CPU ran operator code, Python or launches between graph replays ({} of the idle time): less CPU work between steps (or overlapping it with the GPU) removes it",
            pct(100.0 * ratio)
        ),
        FixKind::SyncGaps => format!(
            "GPU idle behind synchronize and blocking memcpy calls ({} of the idle time): remove the syncs",
            pct(100.0 * ratio)
        ),
        FixKind::Fuse => {
            let fewer = f.count.saturating_sub(1);
            format!(
                "fusing {} split kernels removes {} launch{} and memory round trip{}: all but the longest split kernel's time",
                f.count,
                fewer,
                if fewer == 1 { "" } else { "es" },
                if fewer == 1 { "" } else { "s" },
            )
        }
        FixKind::BelowRoof => {
            format!("at {} of its achievable roof: the time it would save at the roof", pct(100.0 * ratio))
        }
    }
}

/// A finding as one line: subject, model and its upper-bound saving.
#[must_use]
pub fn fix_line(f: &Fix) -> String {
    format!(
        "{}: {}: up to {} ({} of the stage, {} per step)",
        subject(f),
        model(f),
        ms(f.saving_ns),
        pct(f.stage_pct),
        ms(f.per_step_ns)
    )
}

/// The fix-first table's columns.
pub const FIX_COLUMNS: [(&str, crate::table::Align); 7] = [
    ("#", crate::table::Align::Right),
    ("Fix", crate::table::Align::Left),
    ("Saving ≤", crate::table::Align::Right),
    ("Of stage", crate::table::Align::Right),
    ("Per step", crate::table::Align::Right),
    ("Python location", crate::table::Align::Left),
    ("Basis", crate::table::Align::Left),
];

/// The fix-first table of a stage.
#[must_use]
pub fn fix_table(stage: &StageReport) -> Table {
    let columns = FIX_COLUMNS.iter().map(|&(label, align)| Column { label, align }).collect();
    let rows = stage
        .fix_first
        .iter()
        .enumerate()
        .map(|(i, f)| {
            vec![
                Cell::count(i as u64 + 1),
                Cell::text(format!("{}: {}", subject(f), model(f))),
                Cell::duration(f.saving_ns),
                Cell::pct(f.stage_pct),
                Cell::duration(f.per_step_ns),
                Cell::text(location(f)),
                Cell::text(&f.basis),
            ]
        })
        .collect();
    let empty = "nothing to fix first: no finding saves at least the share cutoff of the stage".to_owned();
    Table { columns, rows, empty, footer: None }
}

/// What a health finding limits, and how to record a better trace.
#[must_use]
pub fn health_words(h: &Health) -> (String, String) {
    match h {
        Health::NoStacks { framework } => (
            "no Python stacks: kernel locations are record_function scopes at best".to_owned(),
            match framework.as_str() {
                "vllm" => "start vLLM with `torch_profiler_with_stack` on (`--profiler-config`, or `VLLM_TORCH_PROFILER_WITH_STACK=1` on older releases)".to_owned(),
                "sglang" => "profile with `with_stack: true` in the `/start_profile` request (or `SGLANG_PROFILE_WITH_STACK=1`)".to_owned(),
                _ => "profile with `torch.profiler.profile(with_stack=True)`".to_owned(),
            },
        ),
        Health::NoShapes { framework } => (
            "no operator shapes (`Input Dims`): no roofline figures".to_owned(),
            match framework.as_str() {
                "vllm" => "start vLLM with `torch_profiler_record_shapes` on (`--profiler-config`, or `VLLM_TORCH_PROFILER_RECORD_SHAPES=1` on older releases)".to_owned(),
                "sglang" => "profile with `record_shapes: true` in the `/start_profile` request (or `SGLANG_PROFILE_RECORD_SHAPES=1`)".to_owned(),
                _ => "profile with `torch.profiler.profile(record_shapes=True)`".to_owned(),
            },
        ),
        Health::GpuOnly => (
            "only GPU activity was recorded: no CPU ops, launches or Python frames, so nothing is attributed".to_owned(),
            "profile with `ProfilerActivity.CPU` as well as `ProfilerActivity.CUDA`".to_owned(),
        ),
        Health::GraphWithoutCapture { graph_pct, framework } => (
            format!(
                "{} of GPU time is graph replays located only at the graph launch (no capture trace)",
                pct(*graph_pct)
            ),
            match framework.as_str() {
                "vllm" => "record capture traces (`--profiler-config` with `\"capture_torch_profiler\": true`) and load them beside the trace".to_owned(),
                "sglang" => "record capture traces (`--enable-profile-cuda-graph`, with `SGLANG_GRAPH_BATCH_CAPTURE=1` on 0.5.13+) and load them beside the trace".to_owned(),
                _ => "load the graph-capture traces of the run beside the trace (`--capture`)".to_owned(),
            },
        ),
        Health::DroppedActivity { steps, of } => (
            format!(
                "{} of {} steps launched GPU work the trace has no GPU activity for: activity was dropped",
                crate::format::count(*steps),
                crate::format::count(*of)
            ),
            "profile fewer steps per trace (the profiler's activity buffers overflowed) and check that the trace was fully written".to_owned(),
        ),
        Health::RocmGraphWithoutFlows { launches } => (
            format!(
                "{} hipGraphLaunch calls have no GPU activity linked to them: replayed kernels cannot be located",
                crate::format::count(*launches)
            ),
            "load the graph-capture traces of the run beside the trace (`--capture`), or profile with a ROCm build whose tracer links graph kernels".to_owned(),
        ),
        Health::LogicalLanes { moved, without_stream } => (
            format!(
                "GPU activity on PyTorch's logical graph lanes: {} moved back to their streams, {} without a stream",
                crate::format::count(*moved),
                crate::format::count(*without_stream)
            ),
            if *without_stream == 0 {
                "nothing to do: every activity named its stream".to_owned()
            } else {
                "export with a PyTorch that writes `original_stream` on graph kernels".to_owned()
            },
        ),
        Health::Damaged { diagnostic } => (
            format!("the trace is damaged ({diagnostic}): events after the damage are missing"),
            "copy the file again, or wait until the profiler has finished writing it".to_owned(),
        ),
    }
}

/// Fills the text fields of a report's verdicts, findings and health.
pub(crate) fn write(r: &mut Triage<String>) {
    for s in &mut r.stages {
        if s.verdict.computed {
            s.verdict.text = line(&s.label, &s.verdict);
        }
        for f in &mut s.fix_first {
            f.text = fix_line(f);
        }
    }
    for h in &mut r.health {
        let (text, fix) = health_words(&h.finding);
        h.text = text;
        h.fix = fix;
    }
}

/// Clears the text fields [`write`] fills (a shared link carries the typed values only).
pub(crate) fn clear(r: &mut Triage<String>) {
    for s in &mut r.stages {
        s.verdict.text.clear();
        for f in &mut s.fix_first {
            f.text.clear();
        }
    }
    for h in &mut r.health {
        h.text.clear();
        h.fix.clear();
    }
}

/// The trace-health lines of a report (`- text. Fix: …`), naming the input when several.
#[must_use]
pub fn health_lines(r: &Triage<String>) -> Vec<String> {
    let several = r.inputs.len() > 1;
    r.health
        .iter()
        .map(|h| {
            let (text, fix) =
                if h.text.is_empty() { health_words(&h.finding) } else { (h.text.clone(), h.fix.clone()) };
            let who = if several {
                r.inputs
                    .get(h.input)
                    .map_or(String::new(), |i| format!("{}: ", engine::discover::file_name(&i.path)))
            } else {
                String::new()
            };
            format!("- {who}{text}. Fix: {fix}.")
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use engine::results::roofline::Bound;
    use engine::results::verdict::{CategoryTime, NamedKernel, PeerWait, RowRef};
    use engine::vocab::{Family, Via};

    fn kernel(short: &str, share_pct: f64) -> NamedKernel {
        NamedKernel { name: format!("void {short}<float>"), short: short.to_owned(), gpu_ns: 1, share_pct }
    }

    fn verdict(reading: Reading) -> StageVerdict {
        StageVerdict { computed: true, reading, text: String::new(), categories: Vec::new() }
    }

    #[test]
    fn communication_lines_say_exposure_and_how_sure_the_wait_is() {
        let mut reading = Reading::Communication {
            family: Family::AllReduce,
            kernel: kernel("all_reduce_two_shot_kernel", 49.5),
            comm_share_pct: 51.1,
            exposed_pct: 100.0,
            busy_share_pct: 51.8,
            waiting: Some(PeerWait { max_ns: 2_290_000, median_ns: 88_400 }),
        };
        let l = line("extend/prefill", &verdict(reading.clone()));
        assert_eq!(
            l,
            "extend/prefill: communication-bound — communication 51.1% of GPU time, fully exposed (51.8% of GPU busy time); largest: all-reduce all_reduce_two_shot_kernel (49.5%); longest launch 26× the median, likely waiting on peer ranks: load all ranks"
        );
        if let Reading::Communication { waiting, exposed_pct, .. } = &mut reading {
            *waiting = Some(PeerWait { max_ns: 3_000_000, median_ns: 600_000 });
            *exposed_pct = 80.0;
        }
        let l = line("decode", &verdict(reading));
        assert!(l.contains("80.0% exposed") && !l.contains("5×"), "{l}");
        assert!(l.contains("a collective this exposed is likely waiting on peer ranks"), "{l}");
    }

    #[test]
    fn kernel_lines_name_the_category_its_kernels_and_the_roofline() {
        let long = "bmm_Bfloat16_Bfloat16Bfloat16_Fp32_t128x8x128u2_s6_et128x8_m128x8x16_c1x1x1";
        let reading = Reading::Kernels {
            category: Category::Gemm,
            share_pct: 85.0,
            top: vec![kernel("Cijk_Alik_Bljk", 60.0), kernel(long, 25.0)],
            kernels: 3,
            roof: Some(RoofRead { bound: Bound::Memory, roof_fraction: 0.42, figured_pct: 90.0 }),
        };
        let l = line("extend", &verdict(reading));
        assert!(
            l.starts_with(
                "extend: GEMM-bound — 3 kernels take 85.0% of GPU time (largest: Cijk_Alik_Bljk 60.0%, "
            ),
            "{l}"
        );
        assert!(l.contains("…") && !l.contains(long), "long names are cut: {l}");
        assert!(l.ends_with("memory-bound at 42.0% of the achievable roof on average (90.0% of the time has a roofline figure)"), "{l}");
        let balanced = Reading::Balanced {
            top: vec![CategoryTime { category: Category::Moe, gpu_ns: 1, share_pct: 30.0 }],
        };
        assert_eq!(line("decode", &verdict(balanced)), "decode: balanced — no category dominates: moe 30.0%");
    }

    #[test]
    fn idle_lines_tell_launch_gaps_from_syncs() {
        let mut reading = Reading::Launch {
            idle_pct: 40.0,
            cpu_pct: 90.0,
            cause: BubbleCause::CpuOp,
            cause_pct: 70.0,
            graph_pct: 0.0,
        };
        assert!(line("all", &verdict(reading.clone())).contains("launch/CPU-bound"));
        assert!(line("all", &verdict(reading.clone())).ends_with("try CUDA graphs"));
        if let Reading::Launch { cause, .. } = &mut reading {
            *cause = BubbleCause::Sync;
        }
        let l = line("decode", &verdict(reading));
        assert!(l.starts_with("decode: sync-bound") && l.ends_with("remove the blocking calls"), "{l}");
    }

    #[test]
    fn fix_lines_carry_their_model_and_upper_bound() {
        let f = Fix {
            row_id: String::new(),
            kind: FixKind::Fuse,
            subject: "Fused QK RMSNorm + RoPE".to_owned(),
            category: None,
            saving_ns: 469_000,
            per_step_ns: 117_250,
            stage_pct: 2.1,
            location: "model_runner.py:3344 _forward_raw".to_owned(),
            graph: true,
            via: Via::GraphLaunch,
            basis: "sglang-fused-qknorm-rope".to_owned(),
            count: 2,
            ratio: None,
            row: RowRef { table: "fuse".to_owned(), key: "sglang-fused-qknorm-rope".to_owned() },
            text: String::new(),
        };
        assert_eq!(
            fix_line(&f),
            "Fused QK RMSNorm + RoPE: fusing 2 split kernels removes 1 launch and memory round trip: all but the longest split kernel's time: up to 0.47 ms (2.1% of the stage, 0.12 ms per step)"
        );
        let t = fix_table(&StageReport { fix_first: vec![f], ..crate::verdict::tests::stage() });
        assert_eq!(t.rows.len(), 1);
        assert_eq!(t.rows[0][5].lines, ["model_runner.py:3344 _forward_raw [graph]"]);
    }

    fn stage() -> StageReport {
        serde_json::from_value(serde_json::json!({
            "stage": "decode", "label": "decode", "source": "annotations", "inputs": [0],
            "summary": {"start_ns": 0, "end_ns": 0, "span_ns": 0, "busy_ns": 0, "kernel_ns": 0,
                "launches": 0, "graph_replay_ns": 0, "steps": 0, "utilization_pct": 0.0},
            "kernels": {"rows": [], "hidden_rows": 0, "hidden_ns": 0, "total_ns": 0}
        }))
        .expect("a stage")
    }
}
