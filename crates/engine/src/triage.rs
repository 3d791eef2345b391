//! The triage: loaded traces in, one [`Report`] out. Never fails; what it cannot work out
//! it says in the report's notes.

use crate::analysis::attribution::{self, Attribution};
use crate::analysis::framework::{self, Framework, ServerArgs};
use crate::analysis::kernels::{self, NameCache, StageOps};
use crate::analysis::overlap;
use crate::analysis::stages::{self, Stage};
use crate::catalog::Catalog;
use crate::model::Trace;
use crate::report::{
    DiagnosticRow, FrameworkInfo, InputInfo, Mode, REPORT_SCHEMA, REPORT_VERSION, Report, StageReport,
};
use crate::{Severity, format};

/// One input trace and the name it goes by.
#[derive(Clone, Copy, Debug)]
pub struct Input<'a> {
    /// The path as given (or the file name in the browser); stages may come from it.
    pub path: &'a str,
    /// The loaded trace.
    pub trace: &'a Trace,
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
}

impl Default for Options {
    fn default() -> Self {
        Options { framework: None, min_share_pct: 1.0, server_args: None }
    }
}

/// The version string written into reports.
pub const GENERATOR: &str = concat!("tracetriage ", env!("CARGO_PKG_VERSION"));

/// Triage of one set of traces (single-trace mode).
#[must_use]
pub fn triage(inputs: &[Input<'_>], options: &Options, catalog: &Catalog) -> Report {
    let mut report = Report {
        schema: REPORT_SCHEMA.to_owned(),
        version: REPORT_VERSION,
        generator: GENERATOR.to_owned(),
        mode: Mode::SingleTrace,
        framework: detect_framework(inputs, options),
        model: options.server_args.as_ref().and_then(|a| a.model.clone()),
        inputs: Vec::new(),
        min_share_pct: options.min_share_pct,
        stages: Vec::new(),
        notes: Vec::new(),
        diagnostics: Vec::new(),
    };
    for (index, input) in inputs.iter().enumerate() {
        triage_one(&mut report, index, input, options, catalog);
    }
    label_stages(&mut report);
    report.stages.sort_by_key(|s| (s.stage, s.inputs.first().copied()));
    report
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

fn triage_one(report: &mut Report, index: usize, input: &Input<'_>, options: &Options, catalog: &Catalog) {
    let trace = input.trace;
    let (device, others) = kernels::primary_device(trace);
    let gpu = device.and_then(|d| trace.device(d).map(|p| p.name.clone())).or_else(|| {
        match trace.meta.devices.as_slice() {
            [only] => Some(only.name.clone()),
            _ => None,
        }
    });
    let dist = trace.meta.distributed.as_ref();
    let path_stage = stages::stage_from_path(input.path);
    report.inputs.push(InputInfo {
        path: input.path.to_owned(),
        role: "trace".to_owned(),
        rank: dist.and_then(|d| d.rank),
        world_size: dist.and_then(|d| d.world_size),
        gpu,
        device,
        path_stage,
        events: trace.counts.total,
        json_bytes: trace.json_bytes,
    });
    for (d, ns) in others {
        report.notes.push(format!(
            "{}: device {d} also ran {} of GPU work, not shown (the report follows device {}); triage per-rank traces for it",
            crate::report::view::short_name(input.path),
            format::ms(ns),
            device.unwrap_or_default()
        ));
    }
    for d in trace.diagnostics.sorted() {
        report.diagnostics.push(DiagnosticRow {
            severity: match d.kind.severity() {
                Severity::Warning => "warning",
                Severity::Info => "info",
            }
            .to_owned(),
            kind: d.kind.id().to_owned(),
            detail: d.detail.clone(),
            count: d.count,
            message: d.kind.describe().to_owned(),
            input: index,
        });
    }
    if device.is_none() {
        report.notes.push(format!("{}: no GPU activity", crate::report::view::short_name(input.path)));
        return;
    }
    let attribution: Attribution = attribution::attribute(trace);
    let groups: Vec<StageOps> = kernels::split(trace, &attribution, device, path_stage);
    let total: i64 = groups
        .iter()
        .flat_map(|g| g.ops.iter())
        .map(|&i| trace.gpu.dur_ns.get(i as usize).copied().unwrap_or(0))
        .sum();
    let mut cache = NameCache::new(&catalog.categories);
    let fuse_ctx = crate::analysis::fuse::Context::new(
        trace,
        device,
        &report.framework.id,
        options.server_args.as_ref(),
    );
    let windows = stages::Windows::of(trace);
    for group in &groups {
        let summary = kernels::summary(trace, &attribution, group);
        if group.stage == Stage::Other && groups.len() > 1 {
            let share = format::share(summary.kernel_ns, total);
            if share < 1.0 {
                report.notes.push(format!(
                    "{}: {} of GPU time ({}) ran outside every stage window and is not shown",
                    crate::report::view::short_name(input.path),
                    format::ms(summary.kernel_ns),
                    format::pct(share)
                ));
                continue;
            }
        }
        // All rows once: the fuse matcher reads every row, the table shows those above the cutoff.
        let all_rows = kernels::kernel_table(trace, &attribution, &mut cache, group, 0.0);
        let fuse = crate::analysis::fuse::match_stage(
            &all_rows.rows,
            all_rows.total_ns,
            &fuse_ctx,
            catalog,
            options.min_share_pct,
        );
        let table = crate::analysis::fuse::cutoff(all_rows, options.min_share_pct);
        let overlap = overlap::table(trace, &attribution, &mut cache, group, &windows, options.min_share_pct);
        report.stages.push(StageReport {
            stage: group.stage,
            label: group.stage.label().to_owned(),
            source: group.source,
            inputs: vec![index],
            summary,
            kernels: table,
            overlap,
            fuse,
        });
    }
}

/// When several inputs contribute the same stage, each heading names its input.
fn label_stages(report: &mut Report) {
    let stages: Vec<Stage> = report.stages.iter().map(|s| s.stage).collect();
    for s in &mut report.stages {
        if stages.iter().filter(|&&x| x == s.stage).count() < 2 {
            continue;
        }
        let Some(input) = s.inputs.first().and_then(|&i| report.inputs.get(i)) else { continue };
        let who = match input.rank {
            Some(r) => format!("rank {r}"),
            None => crate::report::view::short_name(&input.path),
        };
        s.label = format!("{} ({who})", s.stage.label());
    }
}
