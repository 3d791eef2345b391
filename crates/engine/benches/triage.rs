//! Triage benchmark: load (streamed in 1 MiB chunks) plus the full triage of one trace,
//! native, one thread, as `tracetriage triage` runs it.
//!
//! ```text
//! cargo bench -p engine --bench triage -- [FILE] [--reps N]
//! ```
//! `FILE` defaults to the 32.9 MB SGLang trace `…bs16-TP-0` (target: ≤ 150 ms in total).
#![allow(clippy::print_stdout, clippy::disallowed_methods, clippy::disallowed_types, clippy::unwrap_used)]

use std::io::Read;
use std::time::Instant;

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    let mut reps = 10usize;
    if let Some(i) = args.iter().position(|a| a == "--reps") {
        reps = args.get(i + 1).and_then(|v| v.parse().ok()).unwrap_or(reps);
        args.drain(i..(i + 2).min(args.len()));
    }
    let path = args.first().cloned().unwrap_or_else(|| {
        format!(
            "{}/../../../shared/traces/sglang_gb300_qwen3-30b-a3b_tp4_cudagraph_bs16-TP-0.trace.json.gz",
            env!("CARGO_MANIFEST_DIR")
        )
    });
    let catalog = engine::Catalog::builtin();
    let mut rows: Vec<(f64, f64)> = Vec::new();
    for _ in 0..reps {
        let start = Instant::now();
        let mut file = std::fs::File::open(&path).unwrap();
        let mut loader = engine::Loader::new();
        let mut buf = vec![0u8; 1 << 20];
        loop {
            let n = file.read(&mut buf).unwrap();
            if n == 0 {
                break;
            }
            loader.push(&buf[..n]).unwrap();
        }
        let trace = loader.finish().unwrap();
        let loaded = start.elapsed().as_secs_f64();
        let inputs = [engine::triage::Input { path: &path, trace: &trace }];
        let report = engine::triage::triage(&inputs, &engine::triage::Options::default(), catalog);
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
