//! tracetriage's integration tests: one test binary (see ARCHITECTURE.md, "Testing").
//!
//! - `capture`: graph-capture traces — the real vLLM piecewise pair attributed through its
//!   capture trace (golden reports with and without it), and PyTorch's baked annotations
//!   and logical lanes.
//! - `catalog`: the fuse catalog parses; one fixture per pattern triggers it alone; the seed
//!   tool's false positives stay out; near misses, user catalog files and lookups.
//! - `codec`: every corpus trace survives `Trace::to_bytes`/`from_bytes` with an identical
//!   report, `inspect` output and re-encoding; cut encodings are errors.
//! - `categories`: real kernel names from the corpus get the category of what they do.
//! - `corpus`: every real trace in `../shared/traces` loads with the counts an independent
//!   Python count found (`counts.json`).
//! - `diff`: A/B diffs — a hand-built pair with known deltas, diff links, and two reviewed
//!   golden diffs of the corpus.
//! - `dashboard`: manifest entries of corpus reports, the manifest read back, report and
//!   manifest files of other versions (newer and broken ones skipped with a reason).
//! - `golden`: triage reports of the corpus and the fixtures against reviewed files.
//! - `layers`: forward passes and layers — hand-built sequences with known boundaries
//!   (automatic detection, each profile, a cold first pass, a batch change, no step
//!   annotations, merged devices), report JSON, heat-map SVG, the Qwen3 traces' 48
//!   layers and their golden text reports.
//! - `long_names`: a trace with a 2 MB kernel name gives the report of a short one but for
//!   that name (rules look at a capped prefix).
//! - `mapping`: two-trace triage (exact, normalised, ambiguous and missing matches on
//!   hand-built pairs, two real SGLang runs) and self-mapping against an independent count
//!   of eager twins in the SGLang trace.
//! - `overlap`: the overlap table and timeline on real traces — exposed all-reduce time,
//!   sweep figures against the kernel table, recoverable time, strip size, SVG, hit test
//!   and ASCII; serial rows folded away on a synthetic decode with and without a second
//!   busy stream.
//! - `perfetto`: Open in Perfetto — the CLI's deep links carry the engine's windows, inside
//!   the trace, steps among the timeline's steps, table rows found on the timeline.
//! - `report`: kernel-table facts — seed parity, stages, attribution, fixtures per rule.
//! - `roofline`: GEMM rows' FLOPs against an independent reader of the trace JSON, the
//!   share of GPU time with a figure on two traces with recorded shapes, and no row above a
//!   datasheet peak on any corpus trace.
//! - `robustness`: truncation at many cut points, byte flips and non-trace inputs never
//!   panic and give the right error or diagnostic.
//! - `ranks`: all ranks of one capture — hand-built rank sets with known skews, waiting
//!   and spreads, and the GB300 TP-4 capture against its golden file.
//! - `share`: report links fit the budget and decode to the same numbers.
//! - `tidy`: the architecture's rules — crates depend downwards only, the pure crates keep
//!   to an allow-list of dependencies, modules form no cycles, the engine's layer order,
//!   `thread_local!` state only in the worker's state and the page's client.
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::disallowed_methods)]

mod capture;
mod catalog;
mod categories;
mod codec;
mod common;
mod corpus;
mod coverage;
mod dashboard;
mod diff;
pub mod golden;
mod gpus;
mod layers;
mod long_names;
mod mapping;
mod overlap;
mod perfetto;
mod ranks;
mod report;
mod robustness;
mod roofline;
mod share;
mod tidy;
mod verdict;
