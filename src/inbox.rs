//! A worker's incoming messages as a queue that async code awaits: the `message` handler
//! pushes, [`Inbox::next`] pops or waits. Messages that arrive while nobody waits are kept,
//! in order.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

use js_sys::{Array, Promise};
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
            let scope = crate::worker::scope()?;
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
