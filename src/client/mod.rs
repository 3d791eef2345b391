//! The page's client of the engine worker: sends typed requests ([`crate::protocol::Ask`]),
//! each with a fresh id, and hands every message the worker posts about a request
//! (progress, its answer, an error) to that request's handler and to no other
//! ([`router`]).
//!
//! The worker is started on the first request and kept, so later requests skip the wasm
//! start-up and the loaded traces stay available; [`cancel`] terminates it (and every
//! worker it started), and the next request starts a new one. Requests sent before the
//! worker says `ready` wait in order (messages posted earlier would be lost).

pub mod router;
mod warmup;

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Array, Reflect};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

use crate::protocol::{Ask, Envelope, Event, FromWorker, Reply, RequestId, ToWorker};
use router::{Handler, Router};

/// A request's handler as the page keeps it.
#[derive(Clone)]
struct PageHandler {
    /// Whether the view that asked is still shown.
    alive: Rc<dyn Fn() -> bool>,
    /// Takes the request's messages.
    on: Rc<dyn Fn(FromWorker)>,
}

impl Handler for PageHandler {
    fn alive(&self) -> bool {
        (self.alive)()
    }
}

/// The running engine worker.
struct Engine {
    worker: web_sys::Worker,
    /// Tells this worker's messages from those of one stopped earlier.
    generation: u64,
    /// Whether the worker has said `ready`.
    ready: bool,
    /// Requests waiting for `ready`, in order.
    queued: Vec<(RequestId, JsValue)>,
}

/// The page's one client: the worker and the requests waiting for answers.
#[derive(Default)]
struct Client {
    engine: Option<Engine>,
    generations: u64,
    router: Router<PageHandler>,
    /// The warm-up worker while it runs ([`warm_up`]).
    warmup: Option<web_sys::Worker>,
    /// Whether the warm-up was started on this page (it runs once).
    warmed: bool,
}

thread_local! {
    static CLIENT: RefCell<Client> = RefCell::new(Client::default());
}

/// The text for a worker the browser would not hand a message to.
const REFUSED: &str = "the browser refused to hand the files to the worker";

/// Sends `request` (with `files` attached) to the engine worker, starting it if needed.
/// `on` gets every event of this request, as long as `alive` says its view is shown; a
/// later request of the same lane supersedes this one (see [`router`]).
///
/// # Errors
/// When the browser cannot start the worker or refuses the message.
pub fn ask<A: Ask>(
    request: A,
    files: &[web_sys::File],
    alive: impl Fn() -> bool + 'static,
    on: impl Fn(Event<A::Answer>) + 'static,
) -> Result<RequestId, String> {
    // Real work starts: the warm-up must not compete with it.
    end_warm_up("stopped");
    let request: ToWorker = request.into();
    let handler = PageHandler { alive: Rc::new(alive), on: Rc::new(move |m| on(Event::of::<A>(m))) };
    let lane = request.lane();
    let (id, worker) = CLIENT.with(|c| {
        let mut c = c.borrow_mut();
        if c.engine.is_none() {
            c.generations += 1;
            let generation = c.generations;
            c.engine =
                Some(Engine { worker: spawn(generation)?, generation, ready: false, queued: Vec::new() });
        }
        let id = c.router.open(lane, handler);
        let worker = c.engine.as_ref().filter(|e| e.ready).map(|e| e.worker.clone());
        Ok::<_, String>((id, worker))
    })?;
    let message = match envelope(id, request, files) {
        Ok(m) => m,
        Err(e) => {
            forget(id);
            return Err(e);
        }
    };
    match worker {
        Some(worker) => worker.post_message(&message).map_err(|_| {
            forget(id);
            REFUSED.to_owned()
        })?,
        None => CLIENT.with(|c| {
            if let Some(engine) = c.borrow_mut().engine.as_mut() {
                engine.queued.push((id, message));
            }
        }),
    }
    Ok(id)
}

/// Starts the warm-up worker ([`warmup`]) unless it ran on this page already or the page
/// was opened with `?cold`: the page now waits for the user.
pub fn warm_up() {
    let first = CLIENT.with(|c| !std::mem::replace(&mut c.borrow_mut().warmed, true));
    if first && !warmup::cold() {
        let worker = warmup::spawn(end_warm_up);
        CLIENT.with(|c| c.borrow_mut().warmup = worker);
    }
}

/// Terminates the warm-up worker if it runs, recording `how` it ended.
fn end_warm_up(how: &str) {
    if let Some(worker) = CLIENT.with(|c| c.borrow_mut().warmup.take()) {
        worker.terminate();
        warmup::mark(how, None);
    }
}

/// Stops the running analysis, if any: the worker is terminated (and replaced on the next
/// request); pending requests hear nothing more.
pub fn cancel() {
    let engine = CLIENT.with(|c| {
        let mut c = c.borrow_mut();
        c.router.clear();
        c.engine.take()
    });
    if let Some(engine) = engine {
        engine.worker.terminate();
    }
}

/// Whether a worker is running (it holds the loaded traces); false after a cancel and for
/// a report opened from a shared link.
#[must_use]
pub fn has_worker() -> bool {
    CLIENT.with(|c| c.borrow().engine.is_some())
}

fn forget(id: RequestId) {
    CLIENT.with(|c| c.borrow_mut().router.forget(id));
}

/// The message posted for request `id`: `{request: JSON, files: [File…]}`.
fn envelope(id: RequestId, request: ToWorker, files: &[web_sys::File]) -> Result<JsValue, String> {
    let text = serde_json::to_string(&Envelope { id, request }).map_err(|e| e.to_string())?;
    let list = Array::new();
    for f in files {
        list.push(f);
    }
    let message = js_sys::Object::new();
    Reflect::set(&message, &JsValue::from_str("request"), &JsValue::from_str(&text))
        .map_err(|_| "internal error")?;
    Reflect::set(&message, &JsValue::from_str("files"), &list).map_err(|_| "internal error")?;
    Ok(message.into())
}

/// Hands `message` about `id` to the handlers the router names (outside the client's
/// borrow: a handler may send the next request).
fn deliver(id: Option<RequestId>, message: FromWorker) {
    let handlers = CLIENT.with(|c| c.borrow_mut().router.route(id, &message));
    for handler in handlers {
        (handler.on)(message.clone());
    }
}

/// The worker of `generation` said `ready`: posts the requests that waited for it.
fn on_ready(generation: u64) {
    let waiting = CLIENT.with(|c| {
        let mut c = c.borrow_mut();
        let engine = c.engine.as_mut().filter(|e| e.generation == generation)?;
        engine.ready = true;
        Some((engine.worker.clone(), std::mem::take(&mut engine.queued)))
    });
    let Some((worker, queued)) = waiting else { return };
    for (id, message) in queued {
        if worker.post_message(&message).is_err() {
            deliver(Some(id), FromWorker::Error { message: REFUSED.to_owned() });
        }
    }
}

/// Whether `generation` is the running worker's (a stopped worker's messages are ignored).
fn current(generation: u64) -> bool {
    CLIENT.with(|c| c.borrow().engine.as_ref().is_some_and(|e| e.generation == generation))
}

/// Starts an engine worker and listens to it.
fn spawn(generation: u64) -> Result<web_sys::Worker, String> {
    // `?workers=N` on the page (for tests and benchmarks) sets how many files the worker
    // reads at once (1: one after the other); it sees the switch in its own URL.
    let workers = crate::io::page_param("workers").map(|n| format!("workers={n}"));
    let worker = crate::worker::spawn::engine_worker(workers.as_deref())
        .map_err(|_| "this browser could not start the analysis worker".to_owned())?;
    let on_message = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
        let Some(text) = ev.data().as_string() else { return };
        if !current(generation) {
            return;
        }
        match serde_json::from_str::<Reply>(&text) {
            Ok(Reply { message: FromWorker::Ready, .. }) => on_ready(generation),
            Ok(Reply { id, message }) => deliver(id, message),
            Err(e) => deliver(
                None,
                FromWorker::Error { message: format!("unexpected message from the worker: {e}") },
            ),
        }
    });
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    let on_error = Closure::<dyn FnMut(web_sys::ErrorEvent)>::new(move |ev: web_sys::ErrorEvent| {
        ev.prevent_default();
        if current(generation) {
            let message = format!(
                "the analysis stopped unexpectedly ({}); please report this with the trace",
                ev.message()
            );
            deliver(None, FromWorker::Error { message });
        }
    });
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    on_error.forget();
    Ok(worker)
}
