//! One trace's events parsed on several threads: the calling thread streams the text into
//! a [`Loader`] until it stands inside `traceEvents`, then cuts the rest into pieces of
//! about [`PIECE`] bytes at likely event boundaries ([`Splitter`]), worker threads parse
//! the pieces ([`parse_items`]), and the calling thread appends them back in order
//! ([`Loader::absorb`]), which verifies each cut and parses a piece again in sequence when
//! its cut was not real. The trace is the sequential load's, to the byte (see
//! `report::trace`'s `split` module for why).

use std::collections::BTreeMap;
use std::sync::{Mutex, mpsc};

use report::trace::{ItemsAt, Loader, Piece, Progress, Splitter, parse_items};

/// Bytes of JSON text per piece: large enough that appending a piece costs little beside
/// parsing it, small enough that a few pieces in flight per worker hold little memory.
pub const PIECE: usize = 2 << 20;

/// A piece of text from the source and the compressed bytes it came from (0 for plain
/// files).
pub(super) struct Text {
    /// JSON text.
    pub text: Vec<u8>,
    /// Compressed bytes it came from.
    pub compressed: u64,
}

/// How to split the work.
#[derive(Clone, Copy, Debug)]
pub struct Split {
    /// Threads parsing pieces (besides the calling thread, which cuts and appends).
    pub workers: usize,
    /// Bytes of text per piece.
    pub piece: usize,
}

/// Feeds `source` to `loader` (see the module doc), handing each emptied source buffer to
/// `recycle`. `None` when the loader refused the text or a worker stopped: the caller loads
/// the file sequentially then.
pub(super) fn run(
    mut loader: Loader,
    gzip: bool,
    split: Split,
    source: &mut dyn Iterator<Item = Text>,
    recycle: &mut dyn FnMut(Vec<u8>),
    progress: &mut dyn FnMut(&Progress),
) -> Option<Loader> {
    // Parse here, a piece's worth at a time, until inside `traceEvents`; the rest of that
    // text is the first to be cut.
    let (mut splitter, left) = 'head: loop {
        let Some(Text { text, compressed }) = source.next() else { return Some(loader) };
        loader.add_compressed_bytes(compressed);
        let mut from = 0;
        while from < text.len() {
            let to = text.len().min(from + split.piece);
            loader.push(text.get(from..to).unwrap_or_default()).ok()?;
            from = to;
            if let Some((at, rest)) = loader.detach() {
                let left = text.get(from..).unwrap_or_default().to_vec();
                recycle(text);
                break 'head (Splitter::new(at, rest, split.piece), left);
            }
        }
        progress(&loader.progress());
        recycle(text);
    };
    let workers = split.workers.max(1);
    let (jobs, job_queue) = mpsc::sync_channel::<(u64, Vec<u8>, ItemsAt)>(workers * 2);
    let job_queue = Mutex::new(job_queue);
    let (done, results) = mpsc::channel::<(u64, Piece)>();
    std::thread::scope(|scope| {
        for _ in 0..workers {
            let done = done.clone();
            let job_queue = &job_queue;
            scope.spawn(move || {
                loop {
                    let job = job_queue.lock().unwrap_or_else(std::sync::PoisonError::into_inner).recv();
                    let Ok((k, text, start)) = job else { break };
                    if done.send((k, parse_items(text, start, gzip))).is_err() {
                        break;
                    }
                }
            });
        }
        drop(done);
        let mut order = InOrder { next: 0, sent: 0, waiting: BTreeMap::new() };
        let mut ready = Vec::new();
        let first = Text { text: left, compressed: 0 };
        for Text { text, compressed } in std::iter::once(first).chain(source) {
            loader.add_compressed_bytes(compressed);
            splitter.push(&text, &mut ready);
            recycle(text);
            for (piece, start) in ready.drain(..) {
                jobs.send((order.sent, piece, start)).ok()?;
                order.sent += 1;
                order.absorb(&mut loader, &results, false)?;
            }
            progress(&loader.progress());
        }
        drop(jobs);
        order.absorb(&mut loader, &results, true)?;
        loader.push(&splitter.finish()).ok()?;
        progress(&loader.progress());
        Some(loader)
    })
}

/// Pieces sent to the workers and appended back in the order they were cut.
struct InOrder {
    next: u64,
    sent: u64,
    waiting: BTreeMap<u64, Piece>,
}

impl InOrder {
    /// Appends every finished piece that is next in order; with `all`, waits for every
    /// piece sent. `None` when the workers stopped before finishing a piece.
    fn absorb(
        &mut self,
        loader: &mut Loader,
        results: &mpsc::Receiver<(u64, Piece)>,
        all: bool,
    ) -> Option<()> {
        loop {
            while let Some(piece) = self.waiting.remove(&self.next) {
                loader.absorb(piece);
                self.next += 1;
            }
            if self.next == self.sent {
                return Some(());
            }
            let (k, piece) = if all {
                results.recv().ok()?
            } else {
                match results.try_recv() {
                    Ok(r) => r,
                    Err(mpsc::TryRecvError::Empty) => return Some(()),
                    Err(mpsc::TryRecvError::Disconnected) => return None,
                }
            };
            self.waiting.insert(k, piece);
        }
    }
}
