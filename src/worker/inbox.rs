//! A worker's incoming messages as a queue that async code awaits: the `message` handler
//! pushes, [`Inbox::next`] pops or waits. Messages that arrive while nobody waits are kept,
//! in order. [`Linked`] is a worker this one started, with its messages in an inbox.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

use js_sys::{Array, Promise};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

/// Messages received and not yet taken, and who waits for the next one.
#[derive(Default)]
pub(crate) struct Inbox {
    messages: VecDeque<JsValue>,
    /// The other side failed (an `error` event): no more messages will come.
    failed: bool,
    /// Resolves the promise [`Inbox::next`] waits on.
    waiting: Option<js_sys::Function>,
}

/// An inbox shared between a `message` handler and the code that reads it.
pub(crate) type Shared = Rc<RefCell<Inbox>>;

impl Inbox {
    /// An empty inbox.
    pub(crate) fn shared() -> Shared {
        Rc::new(RefCell::new(Inbox::default()))
    }

    /// Adds a message and wakes the reader.
    pub(crate) fn push(inbox: &RefCell<Inbox>, message: JsValue) {
        inbox.borrow_mut().messages.push_back(message);
        Inbox::wake(inbox);
    }

    /// Marks the sender as failed and wakes the reader.
    pub(crate) fn fail(inbox: &RefCell<Inbox>) {
        inbox.borrow_mut().failed = true;
        Inbox::wake(inbox);
    }

    /// The oldest message, if one is waiting.
    pub(crate) fn try_next(inbox: &RefCell<Inbox>) -> Option<JsValue> {
        inbox.borrow_mut().messages.pop_front()
    }

    fn wake(inbox: &RefCell<Inbox>) {
        let waiting = inbox.borrow_mut().waiting.take();
        if let Some(resolve) = waiting {
            let _ = resolve.call0(&JsValue::NULL);
        }
    }

    /// The next message; `None` when the sender failed, or when nothing came for
    /// `patience_ms` (when given).
    pub(crate) async fn next(inbox: &Shared, patience_ms: Option<i32>) -> Option<JsValue> {
        loop {
            {
                let mut inbox = inbox.borrow_mut();
                if let Some(message) = inbox.messages.pop_front() {
                    return Some(message);
                }
                if inbox.failed {
                    return None;
                }
            }
            let woken = Promise::new(&mut |resolve: js_sys::Function, _reject| {
                inbox.borrow_mut().waiting = Some(resolve);
            });
            let Some(patience_ms) = patience_ms else {
                let _ = JsFuture::from(woken).await;
                continue;
            };
            let scope = super::scope::scope()?;
            let mut timer = 0;
            let patience = Promise::new(&mut |resolve: js_sys::Function, _reject| {
                timer = scope
                    .set_timeout_with_callback_and_timeout_and_arguments_1(
                        &resolve,
                        patience_ms,
                        &JsValue::TRUE,
                    )
                    .unwrap_or(0);
            });
            let timed_out = JsFuture::from(Promise::race(&Array::of2(&woken, &patience))).await;
            scope.clear_timeout_with_handle(timer);
            if timed_out.is_ok_and(|v| v.is_truthy()) {
                return None;
            }
        }
    }
}

/// A worker this one started (an inflater, a child engine worker): what it posts goes to an
/// [`Inbox`], and its `error` event ends the inbox. Terminated when dropped.
pub(crate) struct Linked {
    /// The worker.
    pub worker: web_sys::Worker,
    inbox: Shared,
    /// The worker's `message` handler (kept alive while it runs).
    _on_message: Closure<dyn FnMut(web_sys::MessageEvent)>,
    /// The worker's `error` handler.
    _on_error: Closure<dyn FnMut(JsValue)>,
}

impl Linked {
    /// Listens to `worker`.
    pub(crate) fn new(worker: web_sys::Worker) -> Linked {
        let inbox = Inbox::shared();
        let on_message = {
            let inbox = Rc::clone(&inbox);
            Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
                Inbox::push(&inbox, ev.data());
            })
        };
        let on_error = {
            let inbox = Rc::clone(&inbox);
            Closure::<dyn FnMut(JsValue)>::new(move |_| Inbox::fail(&inbox))
        };
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Linked { worker, inbox, _on_message: on_message, _on_error: on_error }
    }

    /// The worker's next message (see [`Inbox::next`]).
    pub(crate) async fn next(&self, patience_ms: Option<i32>) -> Option<JsValue> {
        Inbox::next(&self.inbox, patience_ms).await
    }
}

impl Drop for Linked {
    fn drop(&mut self) {
        self.worker.terminate();
    }
}
