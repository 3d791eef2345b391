//! The loader on any bytes, pushed in small chunks: it never panics, holds a bounded
//! buffer whatever the input (whitespace, gzip bombs, a giant value), gives the same
//! trace in any chunking, and a trace it gives survives the codec.

#![no_main]

use libfuzzer_sys::fuzz_target;
use trace::{Loader, Trace};

/// The event cap used here (small, so oversized items are reached by small inputs).
const CAP: usize = 4096;
/// What the loader may hold at most: a parse batch and a gzip slice's text beside the cap.
const HELD: usize = 16 << 20;

fn load(input: &[u8], chunk: usize) -> (Result<Trace, trace::LoadError>, usize) {
    let mut loader = Loader::new();
    loader.limit_event_bytes(CAP);
    let mut held = 0;
    for piece in input.chunks(chunk) {
        if loader.push(piece).is_err() {
            break;
        }
        held = held.max(loader.held_bytes());
    }
    (loader.finish(), held)
}

/// The trace without its diagnostics' details (a detail may say how much of the buffer
/// was left, which depends on the chunking), and the diagnostics' kinds, counts and
/// offsets, sorted.
fn fingerprint(t: &Trace) -> (Vec<u8>, Vec<(&'static str, u64, Option<u64>)>) {
    let mut bare = t.clone();
    bare.diagnostics = trace::Diagnostics::default();
    // In kind order; entries of one kind may come in another order (a gzip trailer's and
    // the JSON's trailing data are found in an order that depends on the chunking).
    let mut diagnostics: Vec<_> =
        t.diagnostics.sorted().iter().map(|d| (d.kind.id(), d.count, d.first_offset)).collect();
    diagnostics.sort_unstable();
    (bare.to_bytes(), diagnostics)
}

fuzz_target!(|data: &[u8]| {
    let Some((&k, input)) = data.split_first() else { return };
    let chunk = 1 + usize::from(k) % 61;
    let (small, held) = load(input, chunk);
    assert!(held <= HELD, "held {held} bytes");
    let (whole, _) = load(input, input.len().max(1));
    match (&small, &whole) {
        (Ok(a), Ok(b)) => {
            let bytes = a.to_bytes();
            // Offsets inside an item squeezed or re-checked after 1 MiB may differ by chunking.
            if a.json_bytes < 1 << 20 {
                let (fa, fb) = (fingerprint(a), fingerprint(b));
                assert!(
                    fa == fb,
                    "the chunking changed the trace: {:?} vs {:?} ({} vs {} events)",
                    fa.1,
                    fb.1,
                    a.counts.total,
                    b.counts.total
                );
            }
            let back = Trace::from_bytes(&bytes).expect("the codec reads what it wrote");
            assert!(back.to_bytes() == bytes, "the codec round trip changed the trace");
            assert!(a.counts.total >= a.gpu.len() as u64);
        }
        (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
        _ => {
            panic!("the chunking changed whether this is a trace: {:?} vs {:?}", small.is_ok(), whole.is_ok())
        }
    }
});
