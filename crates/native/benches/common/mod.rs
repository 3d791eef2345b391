//! What the benchmarks share: their command line (`[ARG] [--reps N]`) and the default
//! trace of the corpus.

/// The first positional argument (if any) and `--reps N` (else `default_reps`). Cargo's
/// own `--bench` flag is ignored.
pub fn args(default_reps: usize) -> (Option<String>, usize) {
    let mut args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    let mut reps = default_reps;
    if let Some(i) = args.iter().position(|a| a == "--reps") {
        reps = args.get(i + 1).and_then(|v| v.parse().ok()).unwrap_or(reps);
        args.drain(i..(i + 2).min(args.len()));
    }
    (args.into_iter().next(), reps)
}

/// The 32.9 MB SGLang trace `…bs16-TP-0` of `../shared/traces`.
#[allow(dead_code)]
pub fn default_trace() -> String {
    format!(
        "{}/../../../shared/traces/sglang_gb300_qwen3-30b-a3b_tp4_cudagraph_bs16-TP-0.trace.json.gz",
        env!("CARGO_MANIFEST_DIR")
    )
}
