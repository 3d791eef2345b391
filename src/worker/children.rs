//! Reading several files at once (all ranks of a capture, both runs of a comparison):
//! the engine worker starts child engine workers (this same worker script), each reads
//! files into traces with the usual [`super::reader`] and sends every trace back in the
//! engine's binary form ([`report::trace::Trace::to_bytes`], its buffer transferred, not copied),
//! or, for the all-ranks report, only the trace's reduction (the JSON of a
//! [`report::ranks::reduction::RankFile`], a few tens of KB), the trace dropped in the child.
//! The engine worker decodes each as it arrives, keeps the files' order, and analyses them
//! together, so the report is the same as from reading one file after the other.
//!
//! Progress of the children is summed into one progress bar. A child's error (a file
//! that is not a trace) ends the whole load with that message, as the sequential read
//! would; children die with the engine worker when the page cancels.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Array, Promise, Reflect, Uint8Array};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{JsFuture, future_to_promise};

use super::inbox::Linked;
use super::scope::{Pacer, Replies, scope};
use super::state;
use crate::protocol::{EncodeRequest, Envelope, FromWorker, Progress, Reply, RequestId};

/// Most child workers at once (each also starts an inflater worker for gzip files).
const MAX_CHILDREN: usize = 4;

/// Whether files can be read in child workers here: the page's engine worker, not a child
/// (`?child`).
pub(super) fn available() -> bool {
    scope().is_some() && !super::spawn::switches().iter().any(|kv| kv == "child")
}

/// How many children to start for `files` files; fewer than 2 means none (the engine
/// worker reads the files itself). Reading a gzip file keeps two threads busy (the reader
/// and its inflater), so by default there is one child per two cores: on two cores,
/// children would only fight over them. `?workers=N` asks for `N`.
pub(super) fn children_for(files: usize) -> usize {
    let asked = super::spawn::switches()
        .iter()
        .find_map(|kv| kv.strip_prefix("workers=").and_then(|n| n.parse::<usize>().ok()));
    let cores = scope()
        .map(|s| s.navigator().hardware_concurrency())
        .filter(|c| c.is_finite() && *c >= 1.0)
        .map_or(2, |c| c as usize);
    let children = asked.unwrap_or(cores / 2).min(MAX_CHILDREN).min(files);
    if children < 2 { 0 } else { children }
}

/// Progress of every file, summed for the page.
struct Tally {
    progress: Progress,
    /// What was read before these files (files done, bytes, text, events).
    before: Progress,
    /// Per file: bytes read, JSON bytes, events.
    files: Vec<(u64, u64, u64)>,
    done: usize,
    pacer: Pacer,
    /// Where the summed progress goes.
    replies: Replies,
    /// The load failed: post nothing more.
    failed: bool,
}

impl Tally {
    fn update(&mut self, index: usize, p: &Progress, force: bool) {
        if let Some(f) = self.files.get_mut(index) {
            *f = (p.bytes_read, p.bytes_text, p.events);
        }
        if self.failed || !self.pacer.due(force) {
            return;
        }
        let sum = |k: fn(&(u64, u64, u64)) -> u64| self.files.iter().map(k).sum::<u64>();
        self.progress.all_read = (self.before.all_read + sum(|f| f.0)).min(self.progress.all_total);
        self.progress.bytes_text = self.before.bytes_text + sum(|f| f.1);
        self.progress.events = self.before.events + sum(|f| f.2);
        self.progress.file = self.before.file + self.done;
        self.replies.progress(&mut self.progress);
    }
}

/// What a child sends back for each file: the trace, or its reduction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Sends {
    /// The whole trace ([`report::trace::Trace::to_bytes`]).
    Trace,
    /// Its all-ranks reduction (the JSON of a [`report::ranks::reduction::RankFile`]).
    Reduction,
}

/// Reads `files` (named `names`) in child workers: what `decode` makes of each file's
/// bytes (a trace's, or with [`Sends::Reduction`] its reduction's) in the files' order,
/// and the number of children that read them. `Ok(None)` when children would not help (see
/// [`children_for`]) or none could be started: the caller reads the files itself.
/// Progress goes to `replies`, counted on from `before` (the load's files read earlier, and
/// its `files` and `all_total`, which count every file of the load).
pub(super) async fn load_all<T: 'static>(
    files: &[web_sys::File],
    names: &[String],
    replies: Replies,
    before: &Progress,
    send: Sends,
    decode: fn(&[u8]) -> Result<T, String>,
) -> Result<Option<(Vec<(String, T)>, usize)>, String> {
    let wanted = children_for(files.len());
    if wanted == 0 {
        return Ok(None);
    }
    // Start every child first (they load their wasm side by side), then wait for each.
    let starting: Vec<_> = (0..wanted).filter_map(|_| Child::spawn()).collect();
    let mut kids = Vec::with_capacity(starting.len());
    for child in starting {
        if child.ready().await {
            kids.push(child);
        }
    }
    if kids.is_empty() {
        return Ok(None);
    }
    let children = kids.len();
    let progress = Progress {
        files: before.files.max(files.len()),
        all_total: before.all_total.max(files.iter().map(|f| f.size() as u64).sum()),
        phase: "reading".into(),
        parallel: children,
        ..Progress::default()
    };
    let tally = Rc::new(RefCell::new(Tally {
        progress,
        before: before.clone(),
        files: vec![(0, 0, 0); files.len()],
        done: 0,
        pacer: Pacer::new(),
        replies,
        failed: false,
    }));
    let results: Rc<RefCell<Vec<Option<T>>>> =
        Rc::new(RefCell::new((0..files.len()).map(|_| None).collect()));
    let lanes = Array::new();
    for (lane, child) in kids.into_iter().enumerate() {
        let (files, names) = (files.to_vec(), names.to_vec());
        let (tally, results) = (Rc::clone(&tally), Rc::clone(&results));
        lanes.push(&future_to_promise(async move {
            for i in (lane..files.len()).step_by(children) {
                if tally.borrow().failed {
                    break;
                }
                let (Some(file), Some(name)) = (files.get(i), names.get(i)) else { break };
                let bytes = child.load(file, name, i, send, &tally).await?;
                let trace = decode(&bytes).map_err(|e| JsValue::from_str(&format!("{name}: {e}")))?;
                if let Some(slot) = results.borrow_mut().get_mut(i) {
                    *slot = Some(trace);
                }
                let mut t = tally.borrow_mut();
                t.done += 1;
                let p = Progress {
                    bytes_read: file.size() as u64,
                    bytes_text: t.files.get(i).map_or(0, |f| f.1),
                    events: t.files.get(i).map_or(0, |f| f.2),
                    ..Progress::default()
                };
                t.update(i, &p, true);
            }
            Ok(JsValue::UNDEFINED)
        }));
    }
    if let Err(e) = JsFuture::from(Promise::all(&lanes)).await {
        // The other children stop after their current file and stay silent.
        tally.borrow_mut().failed = true;
        return Err(e.as_string().unwrap_or_else(|| "a reading worker failed".to_owned()));
    }
    let traces = results.borrow_mut().drain(..).collect::<Vec<_>>();
    names
        .iter()
        .cloned()
        .zip(traces)
        .map(|(name, t)| t.map(|t| (name.clone(), t)).ok_or_else(|| format!("{name}: the file was not read")))
        .collect::<Result<Vec<_>, String>>()
        .map(|traces| Some((traces, children)))
}

/// A child engine worker; terminated when dropped.
struct Child {
    link: Linked,
}

impl Child {
    /// Starts a child (see [`Child::ready`]).
    fn spawn() -> Option<Child> {
        Some(Child { link: Linked::new(super::spawn::engine_worker(Some("child")).ok()?) })
    }

    /// Whether the child started and listens (messages sent earlier would be lost).
    async fn ready(&self) -> bool {
        while let Some(data) = self.link.next(None).await {
            let reply = data.as_string().and_then(|t| serde_json::from_str::<Reply>(&t).ok());
            if reply.is_some_and(|r| r.message == FromWorker::Ready) {
                return true;
            }
        }
        false
    }

    /// Has the child read `file` (input `index`); its trace's bytes.
    async fn load(
        &self,
        file: &web_sys::File,
        name: &str,
        index: usize,
        send: Sends,
        tally: &Rc<RefCell<Tally>>,
    ) -> Result<Vec<u8>, JsValue> {
        let request = EncodeRequest { paths: vec![name.to_owned()], reduce: send == Sends::Reduction };
        let envelope = Envelope { id: RequestId(index as u64), request: request.into() };
        let request = serde_json::to_string(&envelope).map_err(|e| JsValue::from_str(&e.to_string()))?;
        let message = js_sys::Object::new();
        Reflect::set(&message, &JsValue::from_str("request"), &JsValue::from_str(&request))?;
        Reflect::set(&message, &JsValue::from_str("files"), &Array::of1(file))?;
        self.link.worker.post_message(&message)?;
        while let Some(data) = self.link.next(None).await {
            if let Some(text) = data.as_string() {
                match serde_json::from_str::<Reply>(&text).map(|r| r.message) {
                    Ok(FromWorker::Progress(p)) => tally.borrow_mut().update(index, &p, false),
                    Ok(FromWorker::Error { message }) => return Err(JsValue::from_str(&message)),
                    _ => {}
                }
            } else if let Ok(buffer) = Reflect::get(&data, &JsValue::from_str("encoded"))
                && buffer.is_instance_of::<js_sys::ArrayBuffer>()
            {
                return Ok(Uint8Array::new(&buffer).to_vec());
            }
        }
        Err(JsValue::from_str(&format!("{name}: the reading worker failed")))
    }
}

/// In a child: loads the file of an [`EncodeRequest`] and posts the trace's bytes (or its
/// reduction's) to the parent, transferring the buffer (the trace is not kept here).
pub(super) async fn encode(r: EncodeRequest, files: &Array, replies: Replies) -> Result<(), String> {
    super::load::load(
        files,
        super::load::Names::traces(&r.paths),
        None,
        replies,
        super::reader::Sizing::default(),
    )
    .await?;
    let loaded = state::with(|s| s.loaded.take()).ok_or("no trace is loaded")?;
    let (name, trace) = loaded.traces.first().ok_or("no trace is loaded")?;
    if r.reduce {
        let input = report::engine::triage::Input { path: name, trace };
        let file = report::ranks::reduction::reduce(&input, report::engine::Catalog::builtin());
        return post_encoded(file.to_json().as_bytes());
    }
    post_encoded(&trace.to_bytes())
}

/// Posts bytes to the parent, transferring the buffer.
fn post_encoded(bytes: &[u8]) -> Result<(), String> {
    let array =
        Uint8Array::new_with_length(u32::try_from(bytes.len()).map_err(|_| "the trace is too large")?);
    array.copy_from(bytes);
    let buffer = array.buffer();
    let message = js_sys::Object::new();
    Reflect::set(&message, &JsValue::from_str("encoded"), &buffer).map_err(|_| "could not send the trace")?;
    let scope = scope().ok_or("not in a worker")?;
    scope
        .post_message_with_transfer(&message, &Array::of1(&buffer))
        .map_err(|_| "could not send the trace".to_owned())
}
