//! The report's presentation: its header, stage lines and kernel and diagnostics tables as
//! display text, once, for every front end. Markdown, CSV and the browser render these
//! [`Table`]s; none of them formats a number itself.

use crate::format;
use crate::table::{Cell, Column, Table};
use crate::triage::{
    CaptureInfo, CaptureMiss, Coverage, DiagnosticRow, FrameworkInfo, KernelRow, Mode, Report, StageReport,
    StageSummary,
};
use engine::vocab::{MatchKind, Via};

/// The header block: `(label, value)` lines in display order.
#[must_use]
pub fn header(r: &Report) -> Vec<(&'static str, String)> {
    let mut lines = vec![("Mode", r.mode.label().to_owned())];
    let fw = |f: &FrameworkInfo| {
        if f.id == "unknown" {
            "unknown (no SGLang, vLLM, TensorRT-LLM or TokenSpeed evidence in the trace)".to_owned()
        } else {
            format!("{} (from {})", f.label, f.source)
        }
    };
    match &r.mapping_framework {
        Some(m) if m.id != r.framework.id => {
            lines.push(("Mapping framework", fw(m)));
            lines.push(("Formal framework", fw(&r.framework)));
        }
        _ => lines.push(("Framework", fw(&r.framework))),
    }
    let paths = |role: &str| -> String {
        r.inputs.iter().filter(|i| i.role == role).map(|i| i.path.as_str()).collect::<Vec<_>>().join(", ")
    };
    if r.mode == Mode::MappingFormal {
        lines.push(("Mapping traces", paths("mapping")));
        lines.push(("Formal traces", paths("formal")));
    } else {
        let traces: Vec<&str> = r.inputs.iter().map(|i| i.path.as_str()).collect();
        lines.push(("Input traces", traces.join(", ")));
    }
    if !r.captures.is_empty() {
        let captures: Vec<String> = r.captures.iter().map(capture_text).collect();
        lines.push(("Capture traces", captures.join("; ")));
    }
    if let Some(model) = &r.model {
        lines.push(("Model", model.clone()));
    }
    let mut gpus: Vec<String> = Vec::new();
    for i in &r.inputs {
        let mut s = i.gpu.clone().filter(|g| !g.is_empty()).unwrap_or_else(|| "unknown GPU".to_owned());
        if let Some(d) = i.device {
            s.push_str(&format!(" (device {d})"));
        }
        match (i.rank, i.world_size) {
            (Some(rank), Some(world)) => s.push_str(&format!(", rank {rank} of {world}")),
            (Some(rank), None) => s.push_str(&format!(", rank {rank}")),
            _ => {}
        }
        if !gpus.contains(&s) {
            gpus.push(s);
        }
    }
    if !gpus.is_empty() {
        lines.push(("GPU", gpus.join("; ")));
    }
    lines
}

/// One line of headline figures for a stage.
#[must_use]
pub fn stage_summary(s: &StageSummary) -> String {
    let mut parts = vec![
        format!(
            "GPU busy {} of {} wall ({} utilization)",
            format::ms(s.busy_ns),
            format::ms(s.span_ns),
            format::pct(s.utilization_pct)
        ),
        format!("Σ kernel time {}", format::ms(s.kernel_ns)),
        format!("{} launches", format::count(s.launches)),
    ];
    if s.graph_replay_ns > 0 {
        parts.push(format!("{} graph-replayed", format::pct(format::share(s.graph_replay_ns, s.kernel_ns))));
    }
    if s.steps > 0 {
        parts.push(format!("{} step{}", format::count(s.steps), if s.steps == 1 { "" } else { "s" }));
    }
    parts.join(" · ")
}

/// One capture trace in the header: `capture_traces/x.json.gz (rank 0: capture_8192_PIECEWISE
/// 25 windows; 361 launches, all with Python stacks)`.
fn capture_text(c: &CaptureInfo) -> String {
    let roots: Vec<String> = c
        .roots
        .iter()
        .map(|r| {
            let name = match (r.batch, r.mode.is_empty()) {
                (Some(b), false) => format!("capture_{b}_{}", r.mode),
                (Some(b), true) => format!("batch {b}"),
                (None, false) => r.mode.clone(),
                (None, true) => "one root".to_owned(),
            };
            format!("{name} {} window{}", r.windows, if r.windows == 1 { "" } else { "s" })
        })
        .collect();
    let stacks = match (c.with_stacks, c.launches) {
        (_, 0) => "no launches recorded in capture windows".to_owned(),
        (w, n) if w == n => format!("{} launches, all with Python stacks", format::count(n as u64)),
        (0, n) => format!("{} launches, none with Python stacks", format::count(n as u64)),
        (w, n) => {
            format!("{} launches, {} with Python stacks", format::count(n as u64), format::count(w as u64))
        }
    };
    let rank = c.rank.map(|r| format!("rank {r}: ")).unwrap_or_default();
    let roots = if roots.is_empty() { "no capture windows".to_owned() } else { roots.join(", ") };
    format!("{} ({rank}{roots}; {stacks})", c.path)
}

/// A stage tab's figure: its GPU utilization, `71.4% GPU`.
#[must_use]
pub fn stage_tab_utilization(s: &StageSummary) -> String {
    format!("{} GPU", format::pct(s.utilization_pct))
}

/// The bracketed tag of a mapped location: `mapped`, `self-mapped`, with the match kind
/// when it is not exact (`self-mapped, normalised name`, `mapped, ambiguous`).
#[must_use]
pub fn via_tag(via: Via, matched: Option<MatchKind>) -> String {
    let base = match via {
        Via::Mapping => "mapped",
        Via::SelfMapping => "self-mapped",
        Via::GraphLaunch => "graph",
        Via::Capture => "capture",
        Via::Annotation => "annotation",
        Via::Direct | Via::None => "",
    };
    match matched {
        Some(MatchKind::Normalised) => format!("{base}, normalised name"),
        Some(MatchKind::Ambiguous) => format!("{base}, ambiguous"),
        _ => base.to_owned(),
    }
}

/// The tag after a location that was not found directly: `[capture]`, `[graph]`,
/// `[mapped]`, `[self-mapped, normalised name]`… (`None` for direct launches).
#[must_use]
pub fn location_tag(via: Via, graph: bool, matched: Option<MatchKind>) -> Option<String> {
    if via.is_mapped() {
        Some(via_tag(via, matched))
    } else if matches!(via, Via::Capture | Via::Annotation) {
        Some(via_tag(via, None))
    } else if graph {
        Some("graph".to_owned())
    } else {
        None
    }
}

/// The attribution line of a stage: how much of its GPU time has a Python location, and
/// how (`None` for reports without coverage figures or without GPU time). With capture
/// traces it reads `direct · through capture · through mapping / self-mapping · through
/// graph launch only · unattributed`.
#[must_use]
pub fn coverage_line(c: &Coverage, mode: Mode) -> Option<String> {
    if !c.computed || c.total_ns <= 0 {
        return None;
    }
    let pct = |ns: i64| format::pct(format::share(ns, c.total_ns));
    let captures = c.capture.computed || c.capture_ns > 0;
    let mut parts = vec![format!("direct {}", pct(c.direct_ns))];
    if captures {
        parts.push(format!("through capture {}", pct(c.capture_ns)));
    } else {
        parts.push(format!("through graph launch {}", pct(c.graph_launch_ns)));
    }
    if c.annotation_ns > 0 {
        parts.push(format!("through baked annotation {}", pct(c.annotation_ns)));
    }
    if mode == Mode::MappingFormal || c.mapping_ns > 0 {
        parts.push(format!("through mapping {}", pct(c.mapping_ns)));
    }
    if mode == Mode::SingleTrace || c.self_mapping_ns > 0 {
        parts.push(format!("through self-mapping {}", pct(c.self_mapping_ns)));
    }
    if captures {
        parts.push(format!("through graph launch only {}", pct(c.graph_launch_ns)));
    }
    parts.push(format!("unattributed {}", pct(c.unattributed_ns)));
    let mut line = format!("Python attribution of GPU time: {}", parts.join(" · "));
    let mapped = c.mapping_ns + c.self_mapping_ns;
    if mapped > 0 {
        let mut kinds = Vec::new();
        for (ns, label) in
            [(c.exact_ns, "exact"), (c.normalised_ns, "normalised name"), (c.ambiguous_ns, "ambiguous")]
        {
            if ns > 0 {
                kinds.push(format!("{label} {}", format::pct(format::share(ns, mapped))));
            }
        }
        line.push_str(&format!(" (mapped matches: {})", kinds.join(", ")));
    }
    if let Some(capture) = capture_sentence(c) {
        line.push_str(". ");
        line.push_str(&capture);
    }
    if let Some(stacks) = stacks_sentence(c) {
        line.push_str(". ");
        line.push_str(&stacks);
    }
    Some(line)
}

/// How the stage's graph-replayed time matched the capture traces: `Capture traces
/// aligned 97.2% of graph-replayed time (not aligned: 2.8% not recorded in its capture
/// window)`.
fn capture_sentence(c: &Coverage) -> Option<String> {
    let cap = &c.capture;
    if !cap.computed {
        return None;
    }
    if cap.replayed_ns <= 0 {
        return Some("Capture traces: no graph-replayed GPU time in this stage".to_owned());
    }
    let pct = |ns: i64| format::pct(format::share(ns, cap.replayed_ns));
    let mut s = format!("Capture traces aligned {} of graph-replayed time", pct(cap.aligned_ns));
    if !cap.missed.is_empty() {
        let why: Vec<String> =
            cap.missed.iter().map(|m| format!("{} {}", pct(m.ns), miss_reason(m.why))).collect();
        s.push_str(&format!(" (not aligned: {})", why.join(", ")));
    }
    Some(s)
}

/// Why graph-replayed time was not aligned, in words.
#[must_use]
pub fn miss_reason(why: CaptureMiss) -> String {
    match why {
        CaptureMiss::NoCapture => "no capture trace of this rank".to_owned(),
        CaptureMiss::NoRoot { batch, launches } => {
            let graphs = format!("{launches} graph launch{}", if launches == 1 { "" } else { "es" });
            match batch {
                Some(b) => format!("no capture of batch size {b} or larger with {graphs} per step"),
                None => format!("no capture with {graphs} per step"),
            }
        }
        CaptureMiss::NotRecorded => "not recorded in its capture window".to_owned(),
    }
}

/// The note for traces without Python stacks: which share of time has only a
/// `record_function` scope as its location, and the flag that records stacks.
fn stacks_sentence(c: &Coverage) -> Option<String> {
    let whose = match (c.without_stacks, c.capture.computed && c.capture.without_stacks) {
        (true, true) => "the trace and its capture traces have",
        (true, false) => "the trace has",
        (false, true) => "the capture traces have",
        (false, false) => return None,
    };
    let scoped = if c.scope_ns > 0 {
        format!(
            "{} of GPU time is located by its record_function scope",
            format::pct(format::share(c.scope_ns, c.total_ns))
        )
    } else {
        "locations fall back to record_function scopes".to_owned()
    };
    Some(format!(
        "No Python stacks: {whose} none, so {scoped}; profile with stacks for source lines (torch.profiler `with_stack=True`; vLLM `torch_profiler_with_stack`)"
    ))
}

fn site_lines(row: &KernelRow) -> (Vec<String>, Vec<String>) {
    const SHOWN: usize = 3;
    let mut locations = Vec::new();
    let mut ops = Vec::new();
    let several = row.sites.len() > 1;
    for site in row.sites.iter().take(SHOWN) {
        let mut loc = site.location.clone();
        if let Some(tag) = location_tag(site.via, site.graph, Some(site.matched)) {
            loc.push_str(&format!(" [{tag}]"));
        }
        if several {
            loc.push_str(&format!(" (site share {:.0}%)", site.share_pct));
        }
        locations.push(loc);
        let op = if !site.cpu_op.is_empty() {
            site.cpu_op.clone()
        } else if site.graph && !site.via.is_mapped() {
            "(graph replay)".to_owned()
        } else {
            "-".to_owned()
        };
        if !ops.contains(&op) {
            ops.push(op);
        }
    }
    if row.sites.len() > SHOWN {
        locations.push(format!("… {} more sites", row.sites.len() - SHOWN));
    }
    if locations.is_empty() {
        locations.push("unresolved".to_owned());
        ops.push("-".to_owned());
    }
    (locations, ops)
}

/// The kernel cell: the name, and for a torch.compile (Inductor) kernel a second line with
/// the operators it was fused from (`fused: add, native_layer_norm`), which decide its
/// category (catalog/README.md).
fn kernel_cell(name: &str) -> Cell {
    let base = engine::names::base_name(name).base;
    match engine::names::inductor::parse(&base).filter(|f| !f.ops.is_empty()) {
        Some(fused) => Cell::lines(vec![name.to_owned(), format!("fused: {}", fused.ops.join(", "))]),
        None => Cell::text(name.to_owned()),
    }
}

/// The kernel table of a stage (the seed tool's columns).
#[must_use]
pub fn kernel_table(stage: &StageReport, min_share_pct: f64) -> Table {
    kernel_table_with(stage, min_share_pct, false)
}

/// The kernel table of a stage, with the roofline columns ([`crate::roofline::COLUMNS`])
/// when `roofline` is set.
#[must_use]
pub fn kernel_table_with(stage: &StageReport, min_share_pct: f64, roofline: bool) -> Table {
    let k = &stage.kernels;
    let mut columns = vec![
        Column::left("Kernel"),
        Column::left("Category"),
        Column::right("GPU time"),
        Column::right("Share"),
        Column::right("Launches"),
        Column::right("Avg"),
        Column::left("Python location (site share)"),
        Column::left("CPU op"),
    ];
    if roofline {
        columns.extend(crate::roofline::COLUMNS);
    }
    let rows = k
        .rows
        .iter()
        .map(|row| {
            let avg = if row.launches > 0 {
                row.gpu_ns / i64::try_from(row.launches).unwrap_or(i64::MAX)
            } else {
                0
            };
            let (locations, ops) = site_lines(row);
            let mut cells = vec![
                kernel_cell(&row.name),
                Cell::text(row.category.label()),
                Cell::ms(row.gpu_ns),
                Cell::share(row.share_pct),
                Cell::count(row.launches),
                Cell::duration(avg),
                Cell::lines(locations),
                Cell::lines(ops),
            ];
            if roofline {
                cells.extend(crate::roofline::cells(&row.roofline));
            }
            cells
        })
        .collect();
    let footer = (k.hidden_rows > 0).then(|| {
        format!(
            "{}: {} ({} of GPU time)",
            more_kernels(k.hidden_rows, min_share_pct),
            format::ms(k.hidden_ns),
            format::pct(format::share(k.hidden_ns, k.total_ns))
        )
    });
    Table {
        columns,
        rows,
        empty: format!("No kernel rows at or above {} share.", format::pct(min_share_pct)),
        footer,
    }
}

/// `3 more kernels below the 1.0% share cutoff`: the start of a table footer.
#[must_use]
pub fn more_kernels(hidden_rows: u64, min_share_pct: f64) -> String {
    format!(
        "{} more kernel{} below the {} share cutoff",
        format::count(hidden_rows),
        if hidden_rows == 1 { "" } else { "s" },
        format::pct(min_share_pct)
    )
}

/// Diagnostics worth showing (warnings first), as a table.
#[must_use]
pub fn diagnostics_table(r: &Report) -> Table {
    let columns = vec![
        Column::left("Severity"),
        Column::left("Input"),
        Column::left("What"),
        Column::right("Count"),
        Column::left("Meaning"),
    ];
    let rows = r
        .diagnostics
        .iter()
        .map(|d| {
            let input = match d.capture {
                Some(k) => r
                    .captures
                    .get(k)
                    .map(|c| format!("{} (capture)", engine::discover::file_name(&c.path)))
                    .unwrap_or_default(),
                None => r
                    .inputs
                    .get(d.input)
                    .map(|i| engine::discover::file_name(&i.path).to_owned())
                    .unwrap_or_default(),
            };
            let what =
                if d.detail.is_empty() { d.kind.clone() } else { format!("{} ({})", d.kind, d.detail) };
            vec![
                Cell::text(d.severity.clone()),
                Cell::text(input),
                Cell::text(what),
                Cell::count(d.count),
                Cell::text(d.message.clone()),
            ]
        })
        .collect();
    Table { columns, rows, empty: "Nothing was skipped.".to_owned(), footer: None }
}

/// Whether a diagnostic is a warning (shown in the markdown report and counted on the page),
/// not only information.
#[must_use]
pub fn is_warning(d: &DiagnosticRow) -> bool {
    d.severity == "warning"
}

/// The first input cut short (`truncated`), and where its JSON ends when known.
fn cut(r: &Report) -> Option<(&DiagnosticRow, Option<String>)> {
    let d = r.diagnostics.iter().find(|d| d.kind == "truncated" && d.capture.is_none())?;
    Some((d, d.offset.map(crate::format::count)))
}

/// The line every front end shows first when an input is cut short: "This trace ends early
/// at byte N: the GPU events after it are missing." (the file named when there are several).
#[must_use]
pub fn truncation(r: &Report) -> Option<String> {
    let (d, at) = cut(r)?;
    let what = match r.inputs.get(d.input) {
        Some(input) if r.inputs.len() > 1 => input.path.clone(),
        _ => "This trace".to_owned(),
    };
    Some(match at {
        Some(at) => format!("{what} ends early at byte {at}: the GPU events after it are missing."),
        None => format!("{what} ends early: the GPU events after the cut are missing."),
    })
}

/// What a report without stages says: no GPU activity, or, for a trace cut short, that
/// the file ends before any GPU event.
#[must_use]
pub fn no_gpu_activity(r: &Report) -> String {
    match cut(r) {
        Some((_, Some(at))) => format!("The file ends before any GPU event (cut at byte {at})."),
        Some((_, None)) => "The file ends before any GPU event.".to_owned(),
        None => "No GPU activity in this trace.".to_owned(),
    }
}

/// How many of the report's diagnostics are warnings.
#[must_use]
pub fn warning_count(r: &Report) -> usize {
    r.diagnostics.iter().filter(|d| is_warning(d)).count()
}

/// The warning count in brackets, for the folded diagnostics: `(1 warning)`, `(3 warnings)`.
#[must_use]
pub fn warnings_label(count: usize) -> String {
    format!("({count} warning{})", if count == 1 { "" } else { "s" })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_inductor_kernel_shows_its_fused_operators() {
        let cell = kernel_cell("triton_per_fused_add_native_layer_norm_4");
        assert_eq!(cell.lines, ["triton_per_fused_add_native_layer_norm_4", "fused: add, native_layer_norm"]);
        assert_eq!(kernel_cell("attn_fwd").lines, ["attn_fwd"]);
    }

    fn diagnostic(severity: &str) -> DiagnosticRow {
        DiagnosticRow {
            severity: severity.to_owned(),
            kind: "truncated".to_owned(),
            detail: String::new(),
            count: 1,
            message: "the file ends early".to_owned(),
            input: 0,
            capture: None,
            offset: None,
        }
    }

    #[test]
    fn a_cut_trace_says_so_first_and_never_no_gpu_activity() {
        let mut r = crate::triage::triage(&[], &engine::triage::Options::default());
        assert_eq!(truncation(&r), None);
        assert_eq!(no_gpu_activity(&r), "No GPU activity in this trace.");
        r.diagnostics = vec![DiagnosticRow { offset: Some(1234), ..diagnostic("warning") }];
        assert_eq!(
            truncation(&r).as_deref(),
            Some("This trace ends early at byte 1,234: the GPU events after it are missing.")
        );
        assert_eq!(no_gpu_activity(&r), "The file ends before any GPU event (cut at byte 1,234).");
        r.diagnostics = vec![diagnostic("warning")];
        assert_eq!(
            truncation(&r).as_deref(),
            Some("This trace ends early: the GPU events after the cut are missing.")
        );
    }

    #[test]
    fn stage_tab_shows_utilization() {
        let s = StageSummary { utilization_pct: 71.44, ..StageSummary::default() };
        assert_eq!(stage_tab_utilization(&s), "71.4% GPU");
    }

    #[test]
    fn warnings_are_counted_and_labelled() {
        let mut r = crate::triage::triage(&[], &engine::triage::Options::default());
        r.diagnostics = vec![diagnostic("warning"), diagnostic("info"), diagnostic("warning")];
        assert!(is_warning(&diagnostic("warning")));
        assert!(!is_warning(&diagnostic("info")));
        assert_eq!(warning_count(&r), 2);
        assert_eq!(warnings_label(warning_count(&r)), "(2 warnings)");
        assert_eq!(warnings_label(1), "(1 warning)");
        assert_eq!(warnings_label(0), "(0 warnings)");
    }
}
