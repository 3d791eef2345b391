//! The triage: loaded traces in, one [`Triage`] out. Never fails; what it cannot work out
//! it says in its notes.
//!
//! Two modes, one call each:
//! - [`triage`]: single-trace. Every input is triaged; graph-replayed kernels that were
//!   also launched eagerly somewhere in the inputs take those launches' Python locations
//!   (self-mapping).
//! - [`triage_mapping_formal`]: two-trace. Tables and timing come from the *formal*
//!   traces (graphs on, the real serving config); kernels whose formal attribution is
//!   only a graph launch (or nothing) take the Python locations of their eager launches
//!   in the *mapping* traces (graphs off), matched per stage by kernel identity, then of
//!   eager launches in the formal traces themselves.
//!
//! [`triage_with_roles`] takes inputs tagged with a [`Role`] each (as a browser that lets
//! the user assign roles to dropped files has them) and calls one of the two.

use std::sync::Arc;

use crate::analysis::attribution::{self, Attribution};
use crate::analysis::capture::{self, CaptureIndex, Miss, Outcome};
use crate::analysis::framework::{self, Framework, ServerArgs};
use crate::analysis::kernels::{self, NameCache};
use crate::analysis::layers::config::ModelConfig;
use crate::analysis::mapping::{self, Index, Part, Policy, Sources};
use crate::analysis::overlap;
use crate::analysis::roofline;
use crate::analysis::split::{self, StageOps};
use crate::analysis::stages;
use crate::catalog::{Catalog, GpuSpecs};
use crate::discover::file_name;
use crate::results::notes::Note;
use crate::results::share;
use crate::results::triage::{DiagnosticRow, FrameworkInfo, InputInfo, Mode, StageReport, Triage};
use crate::vocab::Stage;
use trace::model::Trace;

/// One input trace and the name it goes by.
#[derive(Clone, Copy, Debug)]
pub struct Input<'a> {
    /// The path as given (or the file name in the browser); stages may come from it.
    pub path: &'a str,
    /// The loaded trace.
    pub trace: &'a Trace,
}

impl<'a> Input<'a> {
    /// Each name beside its trace, in order (as many inputs as the shorter list has).
    #[must_use]
    pub fn zip<N: AsRef<str>, T: core::borrow::Borrow<Trace>>(
        names: &'a [N],
        traces: &'a [T],
    ) -> Vec<Input<'a>> {
        names
            .iter()
            .zip(traces)
            .map(|(path, trace)| Input { path: path.as_ref(), trace: trace.borrow() })
            .collect()
    }
}

/// What an input is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    /// Single-trace mode: triaged, and its eager launches self-map its graph replays.
    Trace,
    /// Two-trace mode: supplies Python attribution only (captured with graphs off).
    Mapping,
    /// Two-trace mode: triaged (timing, shares, overlap), attribution from the mapping.
    Formal,
}

impl Role {
    /// `trace`, `mapping`, `formal` (the report's `inputs[].role`).
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Role::Trace => "trace",
            Role::Mapping => "mapping",
            Role::Formal => "formal",
        }
    }
}

/// Choices a user can make.
#[derive(Clone, Debug, PartialEq)]
pub struct Options {
    /// Framework override (`None`: detect).
    pub framework: Option<Framework>,
    /// Per-row share cutoff, percent (default 1.0).
    pub min_share_pct: f64,
    /// `server_args.json` found beside the traces, if any.
    pub server_args: Option<ServerArgs>,
    /// Graph-capture traces (read with [`CaptureIndex::build`]): graph-replayed kernels of
    /// the triaged traces of the same rank take the launch site recorded at capture.
    pub captures: Vec<Arc<CaptureIndex>>,
    /// The model's `config.json` (MoE weights and attention heads for the roofline).
    pub model_config: Option<ModelConfig>,
    /// GPU peaks (`catalog/gpus.toml` with a user's file laid over it); `None`: the
    /// built-in ones.
    pub gpu_specs: Option<Arc<GpuSpecs>>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            framework: None,
            min_share_pct: 1.0,
            server_args: None,
            captures: Vec::new(),
            model_config: None,
            gpu_specs: None,
        }
    }
}

/// Triage of one set of traces (single-trace mode).
#[must_use]
pub fn triage(inputs: &[Input<'_>], options: &Options, catalog: &Catalog) -> Triage {
    run(&[], inputs, Mode::SingleTrace, options, catalog)
}

/// Two-trace triage: `formal` traces give the tables, `mapping` traces the Python
/// attribution of kernels the formal traces replay from graphs. With no mapping input the
/// report says so in a note (and self-mapping still applies); with no formal input it has
/// no stages.
#[must_use]
pub fn triage_mapping_formal(
    mapping: &[Input<'_>],
    formal: &[Input<'_>],
    options: &Options,
    catalog: &Catalog,
) -> Triage {
    run(mapping, formal, Mode::MappingFormal, options, catalog)
}

/// Triage of inputs with a role each: two-trace mode when any input is a
/// [`Role::Mapping`] or [`Role::Formal`] (then [`Role::Trace`] inputs count as formal),
/// single-trace mode otherwise. Inputs keep their order within each role.
#[must_use]
pub fn triage_with_roles(inputs: &[(Role, Input<'_>)], options: &Options, catalog: &Catalog) -> Triage {
    let two = inputs.iter().any(|(r, _)| *r != Role::Trace);
    if !two {
        let all: Vec<Input<'_>> = inputs.iter().map(|(_, i)| *i).collect();
        return triage(&all, options, catalog);
    }
    let mapping: Vec<Input<'_>> =
        inputs.iter().filter(|(r, _)| *r == Role::Mapping).map(|(_, i)| *i).collect();
    let formal: Vec<Input<'_>> =
        inputs.iter().filter(|(r, _)| *r != Role::Mapping).map(|(_, i)| *i).collect();
    triage_mapping_formal(&mapping, &formal, options, catalog)
}

/// One input after attribution (capture merge included) and stage split.
struct Prepared {
    device: Option<i64>,
    attribution: Attribution,
    groups: Vec<StageOps>,
    /// The capture merge, when capture traces were given (triaged inputs only).
    capture: Option<Capture>,
}

/// What the capture merge did for one input.
struct Capture {
    outcome: Outcome,
    /// The capture traces used had no Python stacks.
    without_stacks: bool,
}

fn run(
    mapping: &[Input<'_>],
    formal: &[Input<'_>],
    mode: Mode,
    options: &Options,
    catalog: &Catalog,
) -> Triage {
    let two = mode == Mode::MappingFormal;
    let mut report = Triage {
        mode,
        framework: detect_framework(formal, options),
        mapping_framework: two.then(|| detect_framework(mapping, options)),
        model: options.server_args.as_ref().and_then(|a| a.model.clone()),
        inputs: Vec::new(),
        captures: options.captures.iter().map(|c| c.info.clone()).collect(),
        min_share_pct: options.min_share_pct,
        stages: Vec::new(),
        health: Vec::new(),
        notes: Vec::new(),
        diagnostics: Vec::new(),
    };
    for (k, c) in options.captures.iter().enumerate() {
        report
            .diagnostics
            .extend(c.diagnostics.iter().map(|d| DiagnosticRow { capture: Some(k), ..d.clone() }));
    }
    let mapping_prepared: Vec<Prepared> = mapping
        .iter()
        .enumerate()
        .map(|(index, input)| prepare(&mut report, index, input, Role::Mapping, &[], catalog))
        .collect();
    let role = if two { Role::Formal } else { Role::Trace };
    let offset = mapping.len();
    let prepared: Vec<Prepared> = formal
        .iter()
        .enumerate()
        .map(|(k, input)| prepare(&mut report, offset + k, input, role, &options.captures, catalog))
        .collect();
    let mapping_index = two.then(|| Index::build(&parts(mapping, &mapping_prepared)));
    if let Some(index) = &mapping_index {
        report.notes.push(mapping_note(index, mapping.len()));
    }
    // Self-mapping: only when some activity lacks a Python location of its own.
    let needs_own = prepared.iter().any(|p| {
        p.attribution.site.contains(&attribution::NONE)
            || p.attribution.sites.iter().any(|s| s.graph || s.location.is_none())
    });
    let own_index = needs_own.then(|| Index::build(&parts(formal, &prepared)));
    let policy = Policy { mapping: mapping_index.as_ref(), own: own_index.as_ref() };
    for (k, (input, prep)) in formal.iter().zip(&prepared).enumerate() {
        triage_one(&mut report, offset + k, input, prep, policy, options, catalog);
    }
    label_stages(&mut report);
    crate::order::sort_by_key(&mut report.stages, |s| (s.stage, s.inputs.first().copied()));
    report
}

fn parts<'a>(inputs: &[Input<'a>], prepared: &'a [Prepared]) -> Vec<Part<'a>> {
    inputs
        .iter()
        .zip(prepared)
        .map(|(i, p)| Part { trace: i.trace, attribution: &p.attribution, groups: &p.groups })
        .collect()
}

fn mapping_note(index: &Index, inputs: usize) -> Note {
    if inputs == 0 {
        return Note::NoMappingTraces;
    }
    if index.is_empty() {
        return Note::MappingAttributesNothing;
    }
    Note::MappingTraces {
        launches: index.launches,
        kernels: u64::try_from(index.kernels).unwrap_or(u64::MAX),
        gpu_ns: index.gpu_ns,
    }
}

fn detect_framework(inputs: &[Input<'_>], options: &Options) -> FrameworkInfo {
    let info = |f: Framework, source: &str| FrameworkInfo {
        id: f.id().to_owned(),
        label: f.label().to_owned(),
        source: source.to_owned(),
    };
    if let Some(f) = options.framework {
        return info(f, "override");
    }
    if let Some(f) = inputs.iter().find_map(|i| framework::from_trace(i.trace)) {
        return info(f, "trace content");
    }
    if let Some(f) = inputs.iter().find_map(|i| framework::from_text(i.path)) {
        return info(f, "file name");
    }
    if let Some(f) = options.server_args.as_ref().and_then(ServerArgs::framework) {
        return info(f, "server_args.json");
    }
    info(Framework::Unknown, "none")
}

/// Records an input (info, notes, diagnostics) and computes its attribution (through
/// `captures` of its rank) and stages.
fn prepare(
    report: &mut Triage,
    index: usize,
    input: &Input<'_>,
    role: Role,
    captures: &[Arc<CaptureIndex>],
    catalog: &Catalog,
) -> Prepared {
    let trace = input.trace;
    let (device, others) = split::primary_device(trace);
    let gpu = device.and_then(|d| trace.device(d).map(|p| p.name.clone())).or_else(|| {
        match trace.meta.devices.as_slice() {
            [only] => Some(only.name.clone()),
            _ => None,
        }
    });
    let dist = trace.meta.distributed.as_ref();
    let path_stage = crate::vocab::stage_from_path(input.path);
    report.inputs.push(InputInfo {
        path: input.path.to_owned(),
        role: role.label().to_owned(),
        rank: dist.and_then(|d| d.rank),
        world_size: dist.and_then(|d| d.world_size),
        gpu,
        device,
        path_stage,
        events: trace.counts.total,
        json_bytes: trace.json_bytes,
        captured_unix_ns: trace.start_unix_ns(),
    });
    for (d, ns) in others {
        report.notes.push(Note::OtherDevice {
            path: input.path.to_owned(),
            device: d,
            gpu_ns: ns,
            followed: device.unwrap_or_default(),
        });
    }
    report.diagnostics.extend(DiagnosticRow::of(trace, index));
    if device.is_none() {
        report.notes.push(Note::NoGpuActivity {
            path: input.path.to_owned(),
            mapping: role == Role::Mapping,
            cut: trace.diagnostics.has(trace::DiagnosticKind::Truncated),
        });
        return Prepared { device, attribution: Attribution::default(), groups: Vec::new(), capture: None };
    }
    let mut attribution: Attribution = attribution::attribute_with(trace, &catalog.wrappers);
    let capture = (!captures.is_empty()).then(|| {
        let rank = dist.and_then(|d| d.rank).or_else(|| crate::discover::rank_of(input.path));
        let mine: Vec<&CaptureIndex> = captures
            .iter()
            .map(Arc::as_ref)
            .filter(|c| rank.is_none() || c.info.rank.is_none() || c.info.rank == rank)
            .collect();
        if mine.is_empty() {
            return Capture {
                outcome: Outcome::none(trace, &attribution, Miss::NoCapture),
                without_stacks: false,
            };
        }
        let without_stacks = mine.iter().all(|c| c.info.launches > 0 && c.info.with_stacks == 0);
        Capture { outcome: capture::merge(trace, &mut attribution, &mine), without_stacks }
    });
    let groups: Vec<StageOps> = split::split(trace, &attribution, device, path_stage);
    Prepared { device, attribution, groups, capture }
}

fn triage_one(
    report: &mut Triage,
    index: usize,
    input: &Input<'_>,
    prep: &Prepared,
    policy: Policy<'_>,
    options: &Options,
    catalog: &Catalog,
) {
    let trace = input.trace;
    let Some(device) = prep.device else { return };
    let attribution = &prep.attribution;
    let groups = &prep.groups;
    let sources = Sources::resolve(trace, attribution, groups, policy);
    let total: i64 = groups
        .iter()
        .flat_map(|g| g.ops.iter())
        .map(|&i| trace.gpu.dur_ns.get(i as usize).copied().unwrap_or(0))
        .sum();
    let mut cache = NameCache::new(&catalog.categories);
    let fuse_ctx = crate::analysis::fuse::Context::new(
        trace,
        Some(device),
        &report.framework.id,
        options.server_args.as_ref(),
    );
    let windows = stages::Windows::of(trace);
    let specs = options.gpu_specs.as_deref().unwrap_or_else(|| GpuSpecs::builtin());
    let spec = report.inputs.get(index).and_then(|i| i.gpu.as_deref()).and_then(|name| specs.find(name));
    let tp = options
        .server_args
        .as_ref()
        .and_then(|a| a.tp_size)
        .or_else(|| trace.meta.distributed.as_ref().and_then(|d| d.world_size))
        .and_then(|t| u64::try_from(t).ok())
        .unwrap_or(1);
    let model = roofline::Model::of(options.model_config.as_ref(), tp);
    let work = roofline::work(trace, attribution, &mut |i| cache.of(trace, i).1, groups, &model);
    let roofs = kernels::Roofs { work: &work, spec };
    for group in groups {
        let summary = kernels::summary(trace, attribution, group);
        if group.stage == Stage::Other && groups.len() > 1 {
            let share_pct = share(summary.kernel_ns, total);
            if share_pct < 1.0 {
                report.notes.push(Note::OutsideStages {
                    path: input.path.to_owned(),
                    gpu_ns: summary.kernel_ns,
                    share_pct,
                });
                continue;
            }
        }
        // All rows once: the fuse matcher reads every row (with mapped locations and ops),
        // the table shows those above the cutoff.
        let all_rows = kernels::kernel_table_with(&sources, &mut cache, group, 0.0, roofs);
        let fuse = crate::analysis::fuse::match_stage(
            &all_rows.rows,
            all_rows.total_ns,
            &fuse_ctx,
            catalog,
            options.min_share_pct,
        );
        let overlap = overlap::table_with(&sources, &mut cache, group, &windows, options.min_share_pct);
        let (verdict, fix_first) = crate::analysis::verdict::stage(&crate::analysis::verdict::StageFigures {
            summary: &summary,
            rows: &all_rows.rows,
            overlap: &overlap,
            fuse: &fuse,
            min_share_pct: options.min_share_pct,
        });
        let table = crate::analysis::fuse::cutoff(all_rows, options.min_share_pct);
        report.stages.push(StageReport {
            stage: group.stage,
            label: group.stage.label().to_owned(),
            source: group.source,
            inputs: vec![index],
            summary,
            kernels: table,
            overlap,
            fuse,
            coverage: {
                let mut c = mapping::coverage(&sources, group);
                if let Some(cap) = &prep.capture {
                    c.capture = cap.outcome.coverage(trace, &group.ops, cap.without_stacks);
                }
                c
            },
            roofline: roofline::coverage(trace, attribution, &work, &group.ops, spec),
            verdict,
            fix_first,
        });
    }
    let mine: Vec<&StageReport> = report.stages.iter().filter(|s| s.inputs.contains(&index)).collect();
    let health =
        crate::analysis::verdict::health(index, trace, attribution, &mine, &report.framework.id, &windows);
    report.health.extend(health);
}

/// When several inputs contribute the same stage, each heading names its input.
fn label_stages(report: &mut Triage) {
    let stages: Vec<Stage> = report.stages.iter().map(|s| s.stage).collect();
    for s in &mut report.stages {
        if stages.iter().filter(|&&x| x == s.stage).count() < 2 {
            continue;
        }
        let Some(input) = s.inputs.first().and_then(|&i| report.inputs.get(i)) else { continue };
        let who = match input.rank {
            Some(r) => format!("rank {r}"),
            None => file_name(&input.path).to_owned(),
        };
        s.label = format!("{} ({who})", s.stage.label());
    }
}
