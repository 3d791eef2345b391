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
                assert!(bytes == b.to_bytes(), "the chunking changed the trace");
            }
            let back = Trace::from_bytes(&bytes).expect("the codec reads what it wrote");
            assert!(back.to_bytes() == bytes, "the codec round trip changed the trace");
            assert!(a.counts.total >= a.gpu.len() as u64);
        }
        (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
        _ => panic!("the chunking changed whether this is a trace: {:?} vs {:?}", small.is_ok(), whole.is_ok()),
    }
});
