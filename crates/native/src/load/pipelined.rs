//! One gzip trace inflated on a second thread while the calling thread parses: the two
//! halves of a load side by side, as the browser runs its inflater worker beside the
//! engine worker.
//!
//! The inflater ([`report::trace::GzipText`]) reads the file in small steps and hands the
//! text over a short queue to a [`report::trace::Loader::for_inflated_gzip`]. That text is
//! trusted only when the stream ended clean (whole members, checksums right); otherwise, and
//! whenever the parser stops early (not a trace), the file is read again by the sequential
//! [`super::load_with`], so damage, truncation and errors are reported exactly as there.
//!
//! The parser hands each emptied text buffer back, and the inflater fills those again:
//! memory stays at a few buffers, and no buffer is allocated on one thread and freed on the
//! other (which makes the allocator keep per-thread pools growing).

use std::path::Path;
use std::sync::mpsc;

use report::trace::{GzipText, Loader, Trace};

use super::parallel::{self, Split, Text};
use crate::Error;

/// Compressed bytes read per step (about 3–4 MiB of JSON text once inflated).
const READ: usize = 256 * 1024;
/// Inflated pieces waiting for the parser at most: bounds the text held at once.
const QUEUE: usize = 4;
/// Compressed bytes inflated at a time: at most about 4 MiB of text (deflate expands at
/// most about 1032 times).
const INFLATE_STEP: usize = 4 * 1024;
/// Text handed to the parser in one piece at most (plus one step's worth).
const PIECE_TEXT: usize = 4 << 20;

/// A piece of inflated text and the compressed bytes it came from.
struct Piece {
    text: Vec<u8>,
    compressed: u64,
}

/// Loads one trace file, inflating a gzip file on a second thread while this one parses; a
/// plain file (or one whose head cannot be read) goes to the sequential [`super::load_with`].
/// The trace is the same as the sequential load's.
///
/// # Errors
/// When the file cannot be read or is not a trace; the message names the file.
pub fn load(path: &Path, progress: &mut dyn FnMut(&report::trace::Progress)) -> Result<Trace, Error> {
    load_split(path, None, progress)
}

/// [`load`], with the parse itself split over worker threads when `split` is given (see
/// [`super::parallel`]); a plain file is then read on this thread and parsed in pieces.
///
/// # Errors
/// When the file cannot be read or is not a trace; the message names the file.
pub fn load_split(
    path: &Path,
    split: Option<Split>,
    progress: &mut dyn FnMut(&report::trace::Progress),
) -> Result<Trace, Error> {
    let gzip = super::head(path, 2).is_ok_and(|h| h == [0x1f, 0x8b]);
    if !gzip {
        return match split {
            Some(split) => plain_split(path, split, progress),
            None => super::load_with(path, progress),
        };
    }
    let (tx, rx) = mpsc::sync_channel::<Piece>(QUEUE);
    let (give_back, take_back) = mpsc::channel::<Vec<u8>>();
    let (parsed, clean) = std::thread::scope(|scope| {
        let inflater = scope.spawn(move || inflate(path, &tx, &take_back));
        let parsed = match split {
            Some(split) => {
                let mut source = rx.into_iter().map(|p| Text { text: p.text, compressed: p.compressed });
                let mut recycle = |mut text: Vec<u8>| {
                    text.clear();
                    let _ = give_back.send(text);
                };
                parallel::run(Loader::for_inflated_gzip(), true, split, &mut source, &mut recycle, progress)
            }
            None => parse(rx, &give_back, progress),
        };
        // A panicked inflater counts as a stream not read clean: the file is read again.
        (parsed, inflater.join().unwrap_or(false))
    });
    match parsed {
        Some(loader) if clean => {
            loader.finish().map_err(|cause| Error::NotATrace { path: path.to_path_buf(), cause })
        }
        _ => super::load_with(path, progress),
    }
}

/// Parses the pieces as they come, handing each emptied buffer back; `None` when the
/// loader refused the text (the queue is dropped, which stops the inflater).
fn parse(
    rx: mpsc::Receiver<Piece>,
    give_back: &mpsc::Sender<Vec<u8>>,
    progress: &mut dyn FnMut(&report::trace::Progress),
) -> Option<Loader> {
    let mut loader = Loader::for_inflated_gzip();
    for Piece { mut text, compressed } in rx {
        loader.add_compressed_bytes(compressed);
        loader.push(&text).ok()?;
        progress(&loader.progress());
        text.clear();
        // The inflater may have finished; then the buffer is simply dropped.
        let _ = give_back.send(text);
    }
    Some(loader)
}

/// Inflates the file into the queue; whether the whole stream was read and is clean (false
/// also when reading failed or the parser stopped taking pieces).
fn inflate(path: &Path, tx: &mpsc::SyncSender<Piece>, take_back: &mpsc::Receiver<Vec<u8>>) -> bool {
    let Ok(mut file) = std::fs::File::open(path) else { return false };
    let mut gz = GzipText::new();
    let mut buf = vec![0u8; READ];
    loop {
        let Ok(n) = super::read_some(&mut file, &mut buf) else { return false };
        if n == 0 {
            break;
        }
        let fresh = || Vec::with_capacity(n.saturating_mul(12).min(PIECE_TEXT));
        let mut text = take_back.try_recv().unwrap_or_else(|_| fresh());
        let mut compressed = 0;
        // In small steps, so text that inflates a thousandfold (whitespace) is handed on
        // in pieces of a few MiB instead of piling up.
        for step in buf.get(..n).unwrap_or(&[]).chunks(INFLATE_STEP) {
            if gz.push(step, &mut text).is_err() || gz.is_damaged() {
                return false;
            }
            compressed += step.len() as u64;
            if text.len() >= PIECE_TEXT {
                let next = take_back.try_recv().unwrap_or_else(|_| fresh());
                if tx.send(Piece { text: core::mem::replace(&mut text, next), compressed }).is_err() {
                    return false;
                }
                compressed = 0;
            }
        }
        if tx.send(Piece { text, compressed }).is_err() {
            return false;
        }
    }
    gz.is_clean()
}

/// A plain JSON file read on this thread and parsed in pieces by `split.workers` threads;
/// read errors and refusals go to the sequential [`super::load_with`] for their message.
fn plain_split(
    path: &Path,
    split: Split,
    progress: &mut dyn FnMut(&report::trace::Progress),
) -> Result<Trace, Error> {
    let Ok(mut file) = std::fs::File::open(path) else { return super::load_with(path, progress) };
    let mut failed = false;
    let mut spare: Vec<Vec<u8>> = Vec::new();
    let mut source = std::iter::from_fn(|| {
        let mut buf = spare.pop().unwrap_or_default();
        buf.resize(super::CHUNK, 0);
        match super::read_some(&mut file, &mut buf) {
            Ok(0) => None,
            Ok(n) => {
                buf.truncate(n);
                Some(Text { text: buf, compressed: 0 })
            }
            Err(_) => {
                failed = true;
                None
            }
        }
    });
    let parsed = parallel::run(Loader::new(), false, split, &mut source, &mut |_| {}, progress);
    match parsed {
        Some(loader) if !failed => {
            loader.finish().map_err(|cause| Error::NotATrace { path: path.to_path_buf(), cause })
        }
        _ => super::load_with(path, progress),
    }
}
