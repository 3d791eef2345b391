//! Open in Perfetto: deep links into the Perfetto UI that scroll it to a window of the
//! trace (`<ui>/#!/?visStart=<ns>&visEnd=<ns>`, raw trace-processor time, which for a
//! Chrome-JSON trace is the engine's integer nanoseconds), what each report row should
//! show there, and the CLI's "Open in Perfetto" section (`tracetriage triage --perfetto`).
//!
//! The UI reads `visStart`/`visEnd` when it starts and applies them to the next trace that
//! finishes loading: the one the user opens by hand, or the one the browser app posts to
//! it (Perfetto's `postMessage` protocol). A link only sets the window: the trace itself
//! is never sent anywhere by it.

use engine::timeline::spots::Spot;
use engine::timeline::{StageSpan, Timeline, Window};

use crate::{Report, StageReport};

/// The public Perfetto UI, the default of the browser app and of the CLI.
pub const DEFAULT_UI: &str = "https://ui.perfetto.dev";

/// The overlap table's key of the idle-gaps row.
pub const BUBBLES_ROW: &str = "GPU idle (bubbles)";

/// Steps listed per stage in the CLI's section (the rest are counted).
pub const STEP_CAP: usize = 20;

/// Rows of each table listed per stage in the CLI's section.
const ROW_CAP: usize = 3;

/// The deep link that opens the UI at `base` showing `w`: the base without its fragment,
/// then `#!/?visStart=…&visEnd=…` (after a `/` when the base is only a scheme and host).
#[must_use]
pub fn deep_link(base: &str, w: Window) -> String {
    let base = base.split('#').next().unwrap_or_default().trim();
    let host_only = base.split_once("://").is_some_and(|(_, rest)| !rest.contains('/'));
    let slash = if host_only { "/" } else { "" };
    format!("{base}{slash}#!/?visStart={}&visEnd={}", w.start_ns, w.end_ns)
}

/// What row `key` of table `table` (`kernels`, `overlap` or `fuse`, as a fix-first
/// finding's `RowRef` names them) of `stage` should show: a kernel row its kernel, a fuse
/// row its heaviest kernel, the bubbles row its longest gap.
#[must_use]
pub fn row_spot(stage: &StageReport, table: &str, key: &str) -> Option<Spot> {
    match table {
        "fuse" => {
            let row = stage.fuse.rows.iter().find(|r| r.id == key)?;
            let heaviest =
                row.kernels.iter().fold(None, |best: Option<&engine::results::fuse::FuseKernel>, k| {
                    if best.is_none_or(|b| k.gpu_ns > b.gpu_ns) { Some(k) } else { best }
                })?;
            Some(Spot::Kernel { name: heaviest.name.clone() })
        }
        _ if key == BUBBLES_ROW => stage
            .overlap
            .bubbles
            .largest
            .first()
            .map(|g| Spot::Gap { start_ns: g.start_ns, dur_ns: g.dur_ns }),
        _ => Some(Spot::Kernel { name: key.to_owned() }),
    }
}

/// A window with what it shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Labelled {
    /// What it shows, markdown (`busiest step`, ``kernel `gemm` ``…).
    pub label: String,
    /// The window.
    pub window: Window,
}

/// The windows of a stage in its trace's timeline, in the order the CLI lists them: the
/// stage, its busiest step, its steps (up to [`STEP_CAP`], then how many more), its
/// fix-first findings and the top rows of its kernel, overlap and fuse tables (rows the
/// timeline does not place are left out).
#[must_use]
pub fn stage_windows(stage: &StageReport, tl: &Timeline) -> Vec<Labelled> {
    let Some(span) = tl.stage_span(stage.stage) else { return Vec::new() };
    let mut out = vec![
        Labelled { label: format!("stage {}", code(&stage.label)), window: span.window() },
        Labelled { label: busiest_label(span), window: span.busiest },
    ];
    for (i, step) in span.steps.iter().enumerate().take(STEP_CAP) {
        let name = if step.name.is_empty() { String::new() } else { format!(" {}", code(&step.name)) };
        out.push(Labelled { label: format!("step {}{name}", i + 1), window: step.window() });
    }
    let mut spot = |label: String, table: &str, key: &str| {
        if let Some(window) = row_spot(stage, table, key).and_then(|s| tl.spot_window(stage.stage, &s)) {
            out.push(Labelled { label, window });
        }
    };
    for fix in &stage.fix_first {
        spot(format!("fix first: {}", code(&fix.subject)), &fix.row.table, &fix.row.key);
    }
    for row in stage.kernels.rows.iter().take(ROW_CAP) {
        spot(format!("kernel {}", code(&row.name)), "kernels", &row.name);
    }
    for row in stage.overlap.rows.iter().take(ROW_CAP) {
        spot(format!("overlap row {}", code(&row.kernel)), "overlap", &row.kernel);
    }
    for row in stage.fuse.rows.iter().take(ROW_CAP) {
        spot(format!("fuse pattern {}", code(&row.pattern)), "fuse", &row.id);
    }
    out
}

/// `busiest step` with the step's name when it has one.
fn busiest_label(span: &StageSpan) -> String {
    span.steps
        .iter()
        .find(|s| s.window() == span.busiest && !s.name.is_empty())
        .map_or_else(|| "busiest step".to_owned(), |s| format!("busiest step {}", code(&s.name)))
}

/// The window as milliseconds after the trace's first event: `12.345–14.567 ms`.
#[must_use]
pub fn window_text(w: Window, origin_ns: i64) -> String {
    format!("{:.3}–{:.3} ms", (w.start_ns - origin_ns) as f64 / 1e6, (w.end_ns - origin_ns) as f64 / 1e6)
}

/// The CLI's "Open in Perfetto" section: per input file (its path and its timeline) and
/// per stage of it, the windows of [`stage_windows`] as deep links into the UI at `base`.
#[must_use]
pub fn markdown(report: &Report, timelines: &[(&str, &Timeline)], base: &str) -> String {
    let mut out = String::from("\n## Open in Perfetto\n\n");
    out.push_str(&format!(
        "Open the trace file in the Perfetto UI ({base}), then follow a link: it sets the visible \
         window (the link carries no trace data). Times are ms after the trace's first event.\n"
    ));
    for (index, (path, tl)) in timelines.iter().enumerate() {
        // A stage of several inputs is placed in its first one (as the page's timeline).
        for stage in report.stages.iter().filter(|s| s.inputs.first() == Some(&index)) {
            let windows = stage_windows(stage, tl);
            if windows.is_empty() {
                continue;
            }
            out.push_str(&format!("\n### {} · {}\n\n", stage.label, code(path)));
            let steps = tl.stage_span(stage.stage).map_or(0, |s| s.steps.len());
            for (i, w) in windows.iter().enumerate() {
                out.push_str(&format!(
                    "- {}: {} — {}\n",
                    w.label,
                    window_text(w.window, tl.origin_ns),
                    deep_link(base, w.window)
                ));
                if i == STEP_CAP + 1 && steps > STEP_CAP {
                    out.push_str(&format!("- … {} more steps\n", steps - STEP_CAP));
                }
            }
        }
    }
    out
}

/// `text` as a markdown code span (on one line, fenced by more backticks than it holds).
fn code(text: &str) -> String {
    let one_line = text.replace(['\n', '\r'], " ");
    let longest = one_line.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if one_line.starts_with('`') || one_line.ends_with('`') { " " } else { "" };
    format!("{fence}{pad}{one_line}{pad}{fence}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deep_links_put_the_window_in_the_route() {
        let w = Window::new(1_500, 9_000_000_000_123);
        assert_eq!(
            deep_link(DEFAULT_UI, w),
            "https://ui.perfetto.dev/#!/?visStart=1500&visEnd=9000000000123"
        );
        assert_eq!(
            deep_link("https://p.example/ui/", w),
            "https://p.example/ui/#!/?visStart=1500&visEnd=9000000000123"
        );
        assert_eq!(
            deep_link("http://127.0.0.1:8080/ui.html#!/viewer", w),
            "http://127.0.0.1:8080/ui.html#!/?visStart=1500&visEnd=9000000000123"
        );
    }

    #[test]
    fn names_become_code_spans() {
        assert_eq!(code("gemm<float>"), "`gemm<float>`");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`x"), "`` `x ``");
        assert_eq!(code("a\nb"), "`a b`");
    }

    #[test]
    fn windows_read_as_milliseconds_after_the_start() {
        assert_eq!(window_text(Window::new(1_250_000, 3_000_000), 250_000), "1.000–2.750 ms");
    }
}
