//! Reading one `File` into the engine's streaming loader, inside the engine worker.
//!
//! Gzip files are inflated in a second worker ([`super::inflater`], the engine's own
//! decoder), so inflating and parsing run side by side: the engine worker only parses. The
//! inflater's text is used only when the stream ended cleanly (every member whole, its
//! checksums right); otherwise (damaged or truncated) the file is read again through the
//! loader's own inflater, whose diagnostics say what was wrong. Plain JSON is read in 4 MiB
//! slices, the next one requested while the engine parses the current one. Neither path
//! holds the whole file or makes a JS string of it.

use js_sys::{Array, Reflect, Uint8Array};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use super::inbox::Linked;
use super::scope::{Pacer, Replies};
use crate::protocol::Progress;

/// Slice size read from a `File` at a time.
const SLICE: f64 = 4.0 * 1024.0 * 1024.0;
/// Bytes of a slice handed to the engine at a time, between progress checks (128 KiB of
/// gzip is about 2 MB of JSON, a few milliseconds of parsing).
const PIECE: usize = 128 * 1024;
/// Longest wait for the inflater's next buffer before the file is read again with the
/// loader's own inflater (a stalled inflater must not hold the load up for ever).
const INFLATER_PATIENCE_MS: i32 = 15_000;

/// Progress of a multi-file load, posted to the page as its [`Pacer`] allows.
pub(super) struct Meter {
    /// What the page is told.
    pub progress: Progress,
    /// Paces the messages.
    pub pacer: Pacer,
    /// Where they go.
    pub replies: Replies,
    /// Bytes of the earlier files.
    pub files_before: u64,
    /// JSON text of the earlier files.
    pub text_before: u64,
    /// Events of the earlier files.
    pub events_before: u64,
    /// How large a model may grow, and the window to keep instead.
    pub sizing: Sizing,
}

/// What a load may hold.
#[derive(Clone, Copy, Debug)]
pub(super) struct Sizing {
    /// The engine worker's memory budget, bytes.
    pub budget: u64,
    /// Keep only events overlapping this time range (trace ns).
    pub window_ns: Option<(i64, i64)>,
    /// Whether the current file's estimate was judged (once, when it settled).
    pub judged: bool,
}

impl Default for Sizing {
    fn default() -> Self {
        Sizing { budget: crate::protocol::MEMORY_BUDGET_MIB << 20, window_ns: None, judged: false }
    }
}

/// The engine worker's peak memory per byte of estimated model: the model, the analysis's
/// own tables beside it, and the loader's buffers (measured in Chromium: 1.57 for the
/// 1.1 GB `scale-trace` file, 1.61 for the 8.2 GB one).
const ANALYSIS_OVERHEAD: f64 = 1.6;

impl Sizing {
    /// Sets `loader` up for a file of `size` bytes whose gzip trailer says `isize`
    /// (`None`: plain JSON): a window to keep, or the text's size for reserving columns
    /// and the estimate [`check`](Sizing::check) reads.
    fn prepare(&mut self, loader: &mut report::trace::Loader, size: u64, isize: Option<u32>) {
        self.judged = false;
        if let Some((from, to)) = self.window_ns {
            // Rows in a window are no guide to the whole file's: nothing is reserved.
            loader.keep_window(from, to);
            return;
        }
        match isize {
            Some(isize) => loader.expect_gzip(size, isize),
            None => loader.expect_text_bytes(size),
        }
        loader.limit_model_bytes(self.model_limit());
    }

    /// The largest model that fits the budget with the analysis beside it.
    fn model_limit(&self) -> u64 {
        (self.budget as f64 / ANALYSIS_OVERHEAD) as u64
    }

    /// Stops a load whose model is estimated not to fit, offering the window of the trace's
    /// first events that would. Judged once per file, when its estimate has settled: a load
    /// let through is never stopped later.
    fn check(&mut self, loader: &mut report::trace::Loader, name: &str) -> Result<(), String> {
        if self.judged || self.window_ns.is_some() {
            return Ok(());
        }
        let Some(e) = loader.estimate() else { return Ok(()) };
        // Judged from the first 64 MiB (or quarter) of the text: a trace's mix of events
        // settles over its first tens of megabytes.
        if e.sampled_bytes < (64 << 20).min(e.text_bytes / 4) {
            return Ok(());
        }
        self.judged = true;
        if e.model_bytes <= self.model_limit() {
            // Let through: the loader reserves whatever its later estimates say.
            loader.limit_model_bytes(u64::MAX);
            return Ok(());
        }
        let need = e.model_bytes as f64 * ANALYSIS_OVERHEAD;
        // 80% of what would fit, at the rate the trace's time span grows.
        let share = (self.budget as f64 / need * 0.8).min(1.0);
        let whole_span = e.whole_span_ns.max(e.span_ns.1 - e.span_ns.0) as f64;
        let window_ns = (whole_span * share) as i64;
        let gb = |b: f64| b / 1e9;
        let message = format!(
            "{name}: too large for this tab: its {:.1} GB of JSON would need about {:.1} GB of memory \
             (estimated from its first {:.0} MB: {:.1} M events), and the tab can hold {:.1} GB. \
             Load a time window instead: its first {:.1} s (of about {:.1} s), about {:.0}% of it. \
             The command-line tool (tracetriage triage) reads it whole.",
            gb(e.text_bytes as f64),
            gb(need),
            e.sampled_bytes as f64 / 1e6,
            e.rows as f64 / 1e6,
            gb(self.budget as f64),
            window_ns as f64 / 1e9,
            whole_span / 1e9,
            share * 100.0,
        );
        Err(crate::protocol::with_window_offer(
            &message,
            (e.span_ns.0, e.span_ns.0.saturating_add(window_ns)),
        ))
    }
}

impl Meter {
    /// Starts file `index` of the load, shown as `name`.
    pub(super) fn begin(&mut self, index: usize, name: &str, file: &web_sys::File) {
        self.progress.file = index;
        self.progress.name = name.to_owned();
        self.progress.bytes_total = file.size() as u64;
        self.progress.bytes_read = 0;
    }

    /// Counts `file` as read, with its trace's text and events (`None`: it could not be
    /// read, and only its bytes count).
    pub(super) fn done(&mut self, file: &web_sys::File, trace: Option<&report::trace::Trace>) {
        self.files_before += file.size() as u64;
        if let Some(trace) = trace {
            self.text_before += trace.json_bytes;
            self.events_before += trace.counts.total;
        }
    }

    /// Records `bytes_read` of the current file and the loader's counters; posts when due.
    fn update(&mut self, loader: &report::trace::Loader, bytes_read: u64) {
        let p = loader.progress();
        self.progress.bytes_read = bytes_read;
        self.progress.bytes_text = self.text_before + p.bytes_text;
        self.progress.events = self.events_before + p.events;
        self.progress.all_read = self.files_before + bytes_read;
        if self.pacer.due(false) {
            self.replies.progress(&mut self.progress);
        }
    }
}

/// Reads `file` into a trace. Errors are page-ready messages naming the file.
pub(super) async fn read_file(
    file: &web_sys::File,
    name: &str,
    meter: &mut Meter,
) -> Result<report::trace::Trace, String> {
    if let Some(trace) = read_inflated(file, name, meter).await? {
        return Ok(trace);
    }
    read_own(file, name, meter).await
}

fn unreadable(name: &str) -> String {
    format!("{name}: the browser could not read the file")
}

/// Bytes `from..to` of the file.
async fn bytes(file: &web_sys::File, name: &str, from: f64, to: f64) -> Result<Vec<u8>, String> {
    let blob = file.slice_with_f64_and_f64(from, to).map_err(|_| unreadable(name))?;
    let buffer = JsFuture::from(blob.array_buffer()).await.map_err(|_| unreadable(name))?;
    Ok(Uint8Array::new(&buffer).to_vec())
}

/// The gzip path through the inflater worker. `Ok(None)`: not gzip, or the inflater could
/// not be started or found the stream damaged; read the file with the engine's own inflater.
async fn read_inflated(
    file: &web_sys::File,
    name: &str,
    meter: &mut Meter,
) -> Result<Option<report::trace::Trace>, String> {
    let size = file.size();
    // The smallest gzip member is 18 bytes.
    if size < 18.0 || bytes(file, name, 0.0, 2.0).await? != [0x1f, 0x8b] {
        return Ok(None);
    }
    let trailer = bytes(file, name, size - 4.0, size).await?;
    let isize = u32::from_le_bytes(trailer.try_into().unwrap_or_default());
    let Some(inflater) = Inflater::start(file).await else { return Ok(None) };
    let mut loader = report::trace::Loader::for_inflated_gzip();
    meter.sizing.prepare(&mut loader, size as u64, Some(isize));
    let mut text = Vec::new();
    let mut read = 0u64;
    loop {
        let Some(message) = inflater.next().await else { return Ok(None) };
        let field = |key: &str| Reflect::get(&message, &JsValue::from_str(key)).ok();
        let now_read = field("read").and_then(|v| v.as_f64()).map_or(read, |r| r as u64);
        loader.add_compressed_bytes(now_read.saturating_sub(read));
        read = read.max(now_read);
        if let Some(buffer) = field("text").filter(|v| v.is_instance_of::<js_sys::ArrayBuffer>()) {
            let view = Uint8Array::new(&buffer);
            text.resize(view.length() as usize, 0);
            view.copy_to(&mut text);
            if inflater.give_back(&buffer).is_none() {
                return Ok(None);
            }
            loader.push(&text).map_err(|e| format!("{name}: {e}"))?;
            meter.sizing.check(&mut loader, name)?;
            meter.update(&loader, read);
        } else if field("done").is_some_and(|v| v.is_truthy()) {
            break;
        } else {
            return Ok(None);
        }
    }
    drop(inflater);
    meter.update(&loader, size as u64);
    loader.finish().map(Some).map_err(|e| format!("{name}: {e}"))
}

/// The inflater worker for one file ([`super::inflater`]); terminated when dropped.
///
/// Flow control by credits: the inflater may send a buffer for each credit. It starts with
/// [`CREDITS`] and gets one more per buffer taken (the buffer itself, given back to be
/// filled again), so buffers wait in this worker's queue instead of a request going out and
/// its answer coming back between two buffers (that round trip, when the inflater was busy,
/// cost more than a third of the read time of a 1 GiB trace).
struct Inflater {
    link: Linked,
}

/// Buffers the inflater may send before it is asked for more.
const CREDITS: usize = 4;

impl Inflater {
    /// Starts an inflater for `file` once it listens; `None` when it cannot start.
    async fn start(file: &web_sys::File) -> Option<Inflater> {
        let link = Linked::new(super::spawn::engine_worker(Some("inflate")).ok()?);
        let inflater = Inflater { link };
        // Messages sent before it listens would be lost.
        let ready = inflater.next().await?;
        if ready.as_string().as_deref() != Some("ready") {
            return None;
        }
        inflater.link.worker.post_message(file).ok()?;
        for _ in 0..CREDITS {
            inflater.link.worker.post_message(&JsValue::from_str("next")).ok()?;
        }
        Some(inflater)
    }

    /// Hands a text buffer back once its bytes are copied out: one more credit, and the
    /// inflater fills the same memory again instead of allocating a new MiB.
    fn give_back(&self, buffer: &JsValue) -> Option<()> {
        self.link.worker.post_message_with_transfer(buffer, &Array::of1(buffer)).ok()
    }

    /// The next message; `None` when the worker failed or sent nothing for
    /// [`INFLATER_PATIENCE_MS`].
    async fn next(&self) -> Option<JsValue> {
        self.link.next(Some(INFLATER_PATIENCE_MS)).await
    }
}

/// The engine's own path: 4 MiB slices into [`report::trace::Loader::new`], which sniffs gzip.
async fn read_own(
    file: &web_sys::File,
    name: &str,
    meter: &mut Meter,
) -> Result<report::trace::Trace, String> {
    let size = file.size();
    let mut loader = report::trace::Loader::new();
    let gzip = size >= 18.0 && bytes(file, name, 0.0, 2.0).await? == [0x1f, 0x8b];
    let isize = if gzip {
        let trailer = bytes(file, name, size - 4.0, size).await?;
        Some(u32::from_le_bytes(trailer.try_into().unwrap_or_default()))
    } else {
        None
    };
    meter.sizing.prepare(&mut loader, size as u64, isize);
    let mut buf: Vec<u8> = Vec::new();
    // The next slice is requested before the current one is parsed, so the browser
    // reads the file while the engine works.
    let read = |from: f64| -> Result<(f64, JsFuture), String> {
        let end = (from + SLICE).min(size);
        let blob = file.slice_with_f64_and_f64(from, end).map_err(|_| unreadable(name))?;
        Ok((end, JsFuture::from(blob.array_buffer())))
    };
    let mut pending = if size > 0.0 { Some(read(0.0)?) } else { None };
    while let Some((end, future)) = pending.take() {
        let buffer = future.await.map_err(|_| unreadable(name))?;
        if end < size {
            pending = Some(read(end)?);
        }
        let bytes = Uint8Array::new(&buffer);
        buf.resize(bytes.length() as usize, 0);
        bytes.copy_to(&mut buf);
        // A gzip slice inflates to ~15× its size: feed it in pieces so the progress bar
        // moves several times a second whatever the compression ratio.
        let slice_start = end - buf.len() as f64;
        let mut fed = 0usize;
        for piece in buf.chunks(PIECE) {
            loader.push(piece).map_err(|e| format!("{name}: {e}"))?;
            meter.sizing.check(&mut loader, name)?;
            fed += piece.len();
            meter.update(&loader, (slice_start + fed as f64) as u64);
        }
    }
    loader.finish().map_err(|e| format!("{name}: {e}"))
}
