//! What a graph-capture trace holds that the merge needs: its capture roots (one per
//! captured batch size and mode), their capture windows, and in each window the launches
//! recorded in order, each with its kernel name and the Python site, CPU op and input
//! shapes that issued it. Owned, so the capture trace itself can be dropped.

use crate::analysis::attribution::{self, NONE};
use crate::names;
use crate::results::capture::{CaptureInfo, CaptureRoot};
use crate::results::triage::DiagnosticRow;
use trace::model::{RuntimeKind, Strings, Sym, Trace};

/// What one recorded launch put into the graph.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Key {
    /// A kernel, by canonical name (a symbol of the index's strings).
    Kernel(Sym),
    /// A copy.
    Memcpy,
    /// A fill.
    Memset,
}

/// One launch recorded inside a capture window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Launch {
    /// What it launched.
    pub key: Key,
    /// Its site (index into [`CaptureIndex::sites`]).
    pub site: u32,
}

/// One `…BeginCapture` … `…EndCapture` window: one graph (or one piece of a piecewise
/// graph).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Window {
    /// The launches recorded, in order.
    pub launches: Vec<Launch>,
}

/// One capture root (`capture_8192_PIECEWISE`, `capture_32_DECODE`): the graphs of one
/// batch size and mode.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Root {
    /// The batch size it was captured for, when known.
    pub batch: Option<u32>,
    /// Its mode word (`PIECEWISE`, `FULL`, `DECODE`…), empty when unknown.
    pub mode: String,
    /// Its windows, in capture order.
    pub windows: Vec<Window>,
}

/// Where one recorded launch came from, as text of the index's strings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct CapturedSite {
    /// Python location, or [`Sym::NONE`].
    pub location: Sym,
    /// Framework frames, or [`Sym::NONE`].
    pub stack: Sym,
    /// The enclosing CPU op, or [`Sym::NONE`].
    pub cpu_op: Sym,
    /// Its `Input Dims`, or [`Sym::NONE`].
    pub input_dims: Sym,
    /// Its `Input type`, or [`Sym::NONE`].
    pub input_types: Sym,
    /// Its `Concrete Inputs`, or [`Sym::NONE`].
    pub concrete_inputs: Sym,
    /// Its `Input Strides`, or [`Sym::NONE`].
    pub input_strides: Sym,
    /// The op's row in the capture trace (one op instance, possibly several launches), or
    /// `u32::MAX`.
    pub op: u32,
    /// Whether `location` is the launch's `record_function` scope (no Python stacks).
    pub scoped: bool,
}

/// The merge's view of one capture trace (see the module docs).
#[derive(Clone, Debug, PartialEq)]
pub struct CaptureIndex {
    /// What it holds (path, rank — `distributedInfo`, else the file name — roots and
    /// launches), as the report shows it.
    pub info: CaptureInfo,
    /// What loading it skipped or adjusted (`input` 0, `capture` set by the triage).
    pub diagnostics: Vec<DiagnosticRow>,
    pub(crate) strings: Strings,
    pub(crate) roots: Vec<Root>,
    pub(crate) sites: Vec<CapturedSite>,
}

/// `capture_<bs>_<MODE>` → (bs, MODE).
fn root_name(name: &str) -> Option<(u32, String)> {
    let rest = name.strip_prefix("capture_")?;
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    let batch = digits.parse().ok()?;
    let mode = rest.get(digits.len()..)?.trim_start_matches('_');
    mode.chars().all(|c| c.is_ascii_alphanumeric() || c == '_').then(|| (batch, mode.to_owned()))
}

/// A batch size written in a capture file's name (SGLang's `bs_<bs>_rank<r>.json.gz`).
fn batch_from_path(path: &str) -> Option<u32> {
    let file = crate::discover::file_name(path);
    let rest = file.strip_prefix("bs_")?;
    rest.chars().take_while(char::is_ascii_digit).collect::<String>().parse().ok()
}

impl CaptureIndex {
    /// Reads the capture roots, windows and recorded launches of a capture trace.
    #[must_use]
    pub fn build(path: &str, trace: &Trace) -> CaptureIndex {
        let mut strings = Strings::new();
        let rank =
            trace.meta.distributed.as_ref().and_then(|d| d.rank).or_else(|| crate::discover::rank_of(path));
        let windows = capture_windows(trace);
        // The launches of every window, with their sites found in one pass.
        let rt = &trace.runtime;
        // Recorded calls (launches, copies, fills) by (thread, start): each window is one
        // range of it.
        let mut recorded: Vec<(u32, i64, u32)> = (0..rt.len())
            .filter_map(|i| {
                let k = rt.kind.get(i)?;
                matches!(k, RuntimeKind::LaunchKernel | RuntimeKind::Memcpy | RuntimeKind::Memset)
                    .then_some((rt.track.get(i)?.0, *rt.start_ns.get(i)?, u32::try_from(i).ok()?))
            })
            .collect();
        recorded.sort_unstable();
        let mut calls: Vec<u32> = Vec::new();
        let mut spans: Vec<(usize, usize)> = Vec::new();
        for &(track, begin, end) in &windows {
            let first = calls.len();
            let from = recorded.partition_point(|&(t, s, _)| (t, s) < (track, begin));
            calls.extend(
                recorded
                    .get(from..)
                    .unwrap_or(&[])
                    .iter()
                    .take_while(|&&(t, s, _)| t == track && s <= end)
                    .map(|x| x.2),
            );
            spans.push((first, calls.len()));
        }
        let found = attribution::call_sites(trace, &calls, &mut strings);
        let mut sites: Vec<CapturedSite> = Vec::with_capacity(calls.len());
        let mut launches: Vec<Launch> = Vec::with_capacity(calls.len());
        for (q, &r) in calls.iter().enumerate() {
            let i = r as usize;
            let key = match rt.kind.get(i) {
                Some(RuntimeKind::Memcpy) => Key::Memcpy,
                Some(RuntimeKind::Memset) => Key::Memset,
                _ => {
                    let name = rt.kernel.get(i).copied().unwrap_or(Sym::NONE);
                    Key::Kernel(if name.is_none() {
                        Sym::NONE
                    } else {
                        strings.intern(&names::canonical(trace.str(name)))
                    })
                }
            };
            let c = found.get(q).copied();
            let op = c.map_or(NONE, |c| c.cpu_op) as usize;
            let text = |s: Option<&Sym>, strings: &mut Strings| match s.copied() {
                Some(s) if !s.is_none() => strings.intern(trace.str(s)),
                _ => Sym::NONE,
            };
            let cpu_op = text(trace.cpu_ops.name.get(op), &mut strings);
            let input_dims = text(trace.cpu_ops.input_dims.get(op), &mut strings);
            let input_types = text(trace.cpu_ops.input_types.get(op), &mut strings);
            let concrete_inputs = text(trace.cpu_ops.concrete_inputs.get(op), &mut strings);
            let input_strides = text(trace.cpu_ops.input_strides.get(op), &mut strings);
            sites.push(CapturedSite {
                location: c.map_or(Sym::NONE, |c| c.location),
                stack: c.map_or(Sym::NONE, |c| c.stack),
                cpu_op,
                input_dims,
                input_types,
                concrete_inputs,
                input_strides,
                op: u32::try_from(op).unwrap_or(NONE),
                scoped: c.is_some_and(|c| c.scoped),
            });
            launches.push(Launch { key, site: u32::try_from(q).unwrap_or(NONE) });
        }
        let roots = roots_of(trace, path, &windows, &spans, &launches);
        let info = CaptureInfo {
            path: path.to_owned(),
            rank,
            roots: roots
                .iter()
                .map(|r| CaptureRoot {
                    batch: r.batch,
                    mode: r.mode.clone(),
                    windows: r.windows.len(),
                    launches: r.windows.iter().map(|w| w.launches.len()).sum(),
                })
                .collect(),
            launches: launches.len(),
            with_stacks: sites.iter().filter(|s| !s.location.is_none() && !s.scoped).count(),
        };
        let diagnostics = DiagnosticRow::of(trace, 0);
        CaptureIndex { info, diagnostics, strings, roots, sites }
    }

    /// The text of one of the index's symbols.
    pub(crate) fn text(&self, sym: Sym) -> &str {
        self.strings.get(sym)
    }
}

/// The capture windows of a trace: `(track, begin, end)` of each `…BeginCapture` with the
/// next `…EndCapture` on the same thread, in time order.
fn capture_windows(trace: &Trace) -> Vec<(u32, i64, i64)> {
    let rt = &trace.runtime;
    let mut marks: Vec<(u32, i64, bool)> = (0..rt.len())
        .filter_map(|i| {
            let begin = match rt.kind.get(i)? {
                RuntimeKind::BeginCapture => true,
                RuntimeKind::EndCapture => false,
                _ => return None,
            };
            Some((rt.track.get(i)?.0, *rt.start_ns.get(i)?, begin))
        })
        .collect();
    marks.sort_unstable_by_key(|&(track, t, begin)| (track, t, !begin));
    let mut out = Vec::new();
    let mut open: Option<(u32, i64)> = None;
    for (track, t, begin) in marks {
        match (begin, open) {
            (true, _) => open = Some((track, t)),
            (false, Some((tr, start))) if tr == track => {
                out.push((track, start, t));
                open = None;
            }
            _ => {}
        }
    }
    out.sort_unstable_by_key(|&(track, begin, _)| (begin, track));
    out
}

/// Groups windows into roots: the `capture_<bs>_<MODE>` annotation containing each window,
/// else one root for the whole trace (its batch size from the file name, when written).
fn roots_of(
    trace: &Trace,
    path: &str,
    windows: &[(u32, i64, i64)],
    spans: &[(usize, usize)],
    launches: &[Launch],
) -> Vec<Root> {
    let ann = &trace.annotations;
    let named: Vec<(i64, i64, u32, String)> = (0..ann.len())
        .filter_map(|i| {
            if ann.on_gpu.get(i).copied().unwrap_or(true) {
                return None;
            }
            let (batch, mode) = root_name(trace.str(*ann.name.get(i)?))?;
            let start = *ann.start_ns.get(i)?;
            Some((start, start.saturating_add(*ann.dur_ns.get(i)?), batch, mode))
        })
        .collect();
    let mut roots: Vec<Root> = named
        .iter()
        .map(|(_, _, batch, mode)| Root { batch: Some(*batch), mode: mode.clone(), windows: Vec::new() })
        .collect();
    let mut loose = Root { batch: batch_from_path(path), mode: String::new(), windows: Vec::new() };
    for (&(_, begin, end), &(a, b)) in windows.iter().zip(spans) {
        let window = Window { launches: launches.get(a..b).map(<[Launch]>::to_vec).unwrap_or_default() };
        let owner = named.iter().position(|&(s, e, _, _)| begin >= s && end <= e);
        match owner.and_then(|k| roots.get_mut(k)) {
            Some(root) => root.windows.push(window),
            None => loose.windows.push(window),
        }
    }
    roots.retain(|r| !r.windows.is_empty());
    if !loose.windows.is_empty() {
        roots.push(loose);
    }
    roots
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_names_give_batch_and_mode() {
        assert_eq!(root_name("capture_8192_PIECEWISE"), Some((8192, "PIECEWISE".to_owned())));
        assert_eq!(root_name("capture_32_DECODE"), Some((32, "DECODE".to_owned())));
        assert_eq!(root_name("capture_model"), None);
        assert_eq!(root_name("execute_8192"), None);
        assert_eq!(batch_from_path("/p/capture_traces/bs_64_rank1.json.gz"), Some(64));
        assert_eq!(batch_from_path("/p/capture_traces/graph_capture_rank_0.json.gz"), None);
    }
}
