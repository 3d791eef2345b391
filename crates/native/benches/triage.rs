//! Triage benchmark: load (streamed in 1 MiB chunks by [`native::load`]) plus the full
//! triage of one trace, native, one thread, as `tracetriage triage` runs it.
//!
//! ```text
//! cargo bench -p native --bench triage -- [FILE] [--reps N]
//! ```
//! `FILE` defaults to the 32.9 MB SGLang trace `…bs16-TP-0` (target: ≤ 150 ms in total).
#![allow(clippy::print_stdout, clippy::disallowed_methods, clippy::disallowed_types, clippy::unwrap_used)]

mod common;

use std::time::Instant;

fn main() {
    let (path, reps) = common::args(10);
    let path = path.unwrap_or_else(common::default_trace);
    let catalog = report::engine::Catalog::builtin();
    let mut rows: Vec<(f64, f64)> = Vec::new();
    for _ in 0..reps {
        let start = Instant::now();
        let trace = native::load(std::path::Path::new(&path)).unwrap_or_else(|e| panic!("{e}"));
        let loaded = start.elapsed().as_secs_f64();
        let inputs = [report::engine::triage::Input { path: &path, trace: &trace }];
        let report =
            report::triage::triage_with(&inputs, &report::engine::triage::Options::default(), catalog);
        let total = start.elapsed().as_secs_f64();
        assert!(!report.stages.is_empty());
        rows.push((loaded * 1e3, (total - loaded) * 1e3));
    }
    rows.sort_by(|a, b| (a.0 + a.1).total_cmp(&(b.0 + b.1)));
    let (best_load, best_triage) = rows[0];
    let (med_load, med_triage) = rows[rows.len() / 2];
    println!("triage {path}");
    println!(
        "best  {:.1} ms (load {best_load:.1} + analysis {best_triage:.1}); median {:.1} ms (load {med_load:.1} + analysis {med_triage:.1}); {reps} reps",
        best_load + best_triage,
        med_load + med_triage
    );
}
