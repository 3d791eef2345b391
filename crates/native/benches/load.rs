//! Load benchmark: streams a trace file through [`report::trace::Loader`] in 1 MiB chunks
//! ([`native::load`], as the CLI and the relay read files), one thread, and reports
//! throughput in MB/s of uncompressed JSON and the peak RSS.
//!
//! ```text
//! cargo bench -p native --bench load -- [FILE] [--reps N]
//! ```
//! `FILE` defaults to the 32 MB SGLang corpus trace; `scripts/bench-load.sh` makes the
//! 1 GiB trace of the README figures and runs this on it.
//!
//! It then times the worker codec on the loaded trace: `Trace::to_bytes` and
//! `Trace::from_bytes` (best and median of 10 runs each), and the encoded size.
#![allow(clippy::print_stdout, clippy::disallowed_methods, clippy::disallowed_types, clippy::unwrap_used)]

mod common;

use std::time::Instant;

fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn main() {
    let (path, reps) = common::args(3);
    let path = path.unwrap_or_else(common::default_trace);
    let mut times = Vec::new();
    let mut summary = String::new();
    let mut last = None;
    for _ in 0..reps {
        let start = Instant::now();
        let trace = native::load(std::path::Path::new(&path)).unwrap_or_else(|e| panic!("{e}"));
        let secs = start.elapsed().as_secs_f64();
        times.push(secs);
        summary = format!(
            "{} events, {:.1} MB JSON ({:.1} MB input), {} GPU ops, {} python frames",
            trace.counts.total,
            trace.json_bytes as f64 / 1e6,
            trace.input_bytes as f64 / 1e6,
            trace.gpu.len(),
            trace.python.len()
        );
        let mb = trace.json_bytes as f64 / 1e6;
        println!("load {path}: {secs:.3} s = {:.0} MB/s of JSON", mb / secs);
        last = Some(trace);
    }
    times.sort_by(f64::total_cmp);
    println!("{summary}");
    println!(
        "best {:.3} s, median {:.3} s; peak RSS {:.0} MB",
        times[0],
        times[times.len() / 2],
        peak_rss_mb().unwrap_or(f64::NAN)
    );
    if let Some(trace) = last {
        codec(&trace);
    }
}

/// Best and median of `runs` timings of `f`, in ms.
fn time_ms(runs: usize, mut f: impl FnMut()) -> (f64, f64) {
    let mut t: Vec<f64> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    t.sort_by(f64::total_cmp);
    (t[0], t[t.len() / 2])
}

/// Times `Trace::to_bytes` and `Trace::from_bytes` (the hand-over between Web Workers).
fn codec(trace: &report::trace::Trace) {
    let bytes = trace.to_bytes();
    let (enc_best, enc_median) = time_ms(10, || {
        std::hint::black_box(trace.to_bytes());
    });
    let (dec_best, dec_median) = time_ms(10, || {
        std::hint::black_box(report::trace::Trace::from_bytes(&bytes).unwrap());
    });
    assert!(report::trace::Trace::from_bytes(&bytes).unwrap() == *trace, "codec round trip differs");
    println!(
        "codec: {:.1} MB encoded ({} strings); to_bytes best {enc_best:.1} ms, median {enc_median:.1} ms; \
         from_bytes best {dec_best:.1} ms, median {dec_median:.1} ms",
        bytes.len() as f64 / 1e6,
        trace.strings.len()
    );
}
