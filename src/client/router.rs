//! The routing core of the page client, plain Rust (no browser): which handler a worker's
//! message goes to.
//!
//! - Every request gets a fresh [`RequestId`] and its handler is kept under it; a message
//!   about that id (progress, the answer, an error) goes to that handler and to no other.
//!   The answer or an error ends the request.
//! - A new request supersedes the one still pending in its [`Lane`]: the superseded
//!   request's later messages are dropped.
//! - A handler whose view is gone ([`Handler::alive`] false) gets nothing: a late answer
//!   is dropped, never delivered to a disposed view.
//! - A message that names no request (the worker died, or sent something unreadable) goes
//!   to every pending request, and ends them all.
//! - Messages about unknown ids (finished, superseded or cancelled requests) are dropped.

use crate::protocol::{FromWorker, Lane, RequestId};

/// Whoever waits for a request's messages.
pub trait Handler: Clone {
    /// Whether it still wants messages (false once its view is gone).
    fn alive(&self) -> bool;
}

/// A pending request.
struct Pending<H> {
    id: RequestId,
    lane: Lane,
    handler: H,
}

/// Pending requests by id.
pub struct Router<H> {
    /// The last id handed out.
    last: u64,
    pending: Vec<Pending<H>>,
}

impl<H> Default for Router<H> {
    fn default() -> Self {
        Router { last: 0, pending: Vec::new() }
    }
}

impl<H: Handler> Router<H> {
    /// Registers a request in `lane` (superseding the one pending there); its fresh id.
    pub fn open(&mut self, lane: Lane, handler: H) -> RequestId {
        self.last += 1;
        let id = RequestId(self.last);
        self.pending.retain(|p| p.lane != lane && p.handler.alive());
        self.pending.push(Pending { id, lane, handler });
        id
    }

    /// Forgets a request (it could not be sent).
    pub fn forget(&mut self, id: RequestId) {
        self.pending.retain(|p| p.id != id);
    }

    /// Forgets every request (the worker was stopped).
    pub fn clear(&mut self) {
        self.pending.clear();
    }

    /// Whether `id` is still pending.
    #[must_use]
    pub fn is_pending(&self, id: RequestId) -> bool {
        self.pending.iter().any(|p| p.id == id)
    }

    /// The handlers `message` about request `id` (`None`: about no request in particular)
    /// goes to, in the order their requests were sent. Ended requests are forgotten.
    pub fn route(&mut self, id: Option<RequestId>, message: &FromWorker) -> Vec<H> {
        let ends = message.is_final();
        let mut out = Vec::new();
        self.pending.retain(|p| {
            if id.is_some_and(|id| id != p.id) {
                return true;
            }
            if !p.handler.alive() {
                return false;
            }
            out.push(p.handler.clone());
            !ends
        });
        out
    }
}

#[cfg(test)]
mod tests {
    use std::cell::{Cell, RefCell};
    use std::rc::Rc;

    use super::*;
    use crate::protocol::{HoverFacts, Progress, Triaged};

    /// A handler that records what it gets; `alive` can be switched off (its view is gone).
    #[derive(Clone, Default)]
    struct Probe {
        got: Rc<RefCell<Vec<FromWorker>>>,
        gone: Rc<Cell<bool>>,
    }

    impl Handler for Probe {
        fn alive(&self) -> bool {
            !self.gone.get()
        }
    }

    impl Probe {
        fn got(&self) -> Vec<FromWorker> {
            self.got.borrow().clone()
        }
    }

    /// Routes `message` as the page client does and hands it to each handler.
    fn deliver(router: &mut Router<Probe>, id: Option<RequestId>, message: &FromWorker) {
        for handler in router.route(id, message) {
            handler.got.borrow_mut().push(message.clone());
        }
    }

    fn error(text: &str) -> FromWorker {
        FromWorker::Error { message: text.to_owned() }
    }

    fn report() -> FromWorker {
        FromWorker::Report(Triaged {
            json: "{}".into(),
            load_ms: 0.0,
            triage_ms: 0.0,
            json_bytes: 0,
            wasm_memory: 0,
            warnings: Vec::new(),
        })
    }

    fn hover() -> FromWorker {
        FromWorker::Hover(HoverFacts { hover: None })
    }

    #[test]
    fn a_triage_error_reaches_the_triage_not_a_hover_sent_after_it() {
        // Regression: the page used to hand an error to whichever request was sent last,
        // so a hover sent during a triage got the triage's error and the triage hung.
        let mut router = Router::default();
        let (triage, hovering) = (Probe::default(), Probe::default());
        let triage_id = router.open(Lane::Analysis, triage.clone());
        let hover_id = router.open(Lane::Hover, hovering.clone());
        deliver(&mut router, Some(triage_id), &error("not a trace"));
        assert_eq!(triage.got(), vec![error("not a trace")]);
        assert_eq!(hovering.got(), vec![]);
        // The hover is still pending and gets its own answer.
        deliver(&mut router, Some(hover_id), &hover());
        assert_eq!(hovering.got(), vec![hover()]);
        assert_eq!(triage.got().len(), 1);
    }

    #[test]
    fn a_hover_error_reaches_the_hover_not_a_triage_sent_after_it() {
        // The reverse: whichever request was sent last, an error goes to the one it names.
        let mut router = Router::default();
        let (triage, hovering) = (Probe::default(), Probe::default());
        let hover_id = router.open(Lane::Hover, hovering.clone());
        let triage_id = router.open(Lane::Analysis, triage.clone());
        deliver(&mut router, Some(hover_id), &error("no such input"));
        assert_eq!(hovering.got(), vec![error("no such input")]);
        assert_eq!(triage.got(), vec![]);
        deliver(&mut router, Some(triage_id), &report());
        assert_eq!(triage.got(), vec![report()]);
        assert_eq!(hovering.got().len(), 1);
    }

    #[test]
    fn progress_keeps_a_request_open_and_its_answer_ends_it() {
        let mut router = Router::default();
        let triage = Probe::default();
        let id = router.open(Lane::Analysis, triage.clone());
        let progress = FromWorker::Progress(Progress::default());
        deliver(&mut router, Some(id), &progress);
        assert!(router.is_pending(id));
        deliver(&mut router, Some(id), &report());
        assert!(!router.is_pending(id));
        // Anything later about it is dropped.
        deliver(&mut router, Some(id), &error("late"));
        assert_eq!(triage.got(), vec![progress, report()]);
    }

    #[test]
    fn a_superseded_request_hears_nothing_more() {
        let mut router = Router::default();
        let (old, new, drawing) = (Probe::default(), Probe::default(), Probe::default());
        let old_id = router.open(Lane::Analysis, old.clone());
        let drawing_id = router.open(Lane::Timeline, drawing.clone());
        let new_id = router.open(Lane::Analysis, new.clone());
        assert!(!router.is_pending(old_id));
        assert!(router.is_pending(drawing_id), "other lanes are not superseded");
        deliver(&mut router, Some(old_id), &report());
        deliver(&mut router, Some(new_id), &error("bad"));
        assert_eq!(old.got(), vec![]);
        assert_eq!(new.got(), vec![error("bad")]);
    }

    #[test]
    fn a_late_answer_after_its_view_is_gone_is_dropped() {
        let mut router = Router::default();
        let drawing = Probe::default();
        let id = router.open(Lane::Timeline, drawing.clone());
        drawing.gone.set(true);
        deliver(&mut router, Some(id), &error("late"));
        assert_eq!(drawing.got(), vec![]);
        assert!(!router.is_pending(id));
    }

    #[test]
    fn a_message_about_no_request_ends_every_pending_one() {
        let mut router = Router::default();
        let (triage, hovering, gone) = (Probe::default(), Probe::default(), Probe::default());
        let ids = [
            router.open(Lane::Analysis, triage.clone()),
            router.open(Lane::Hover, hovering.clone()),
            router.open(Lane::Layers, gone.clone()),
        ];
        gone.gone.set(true);
        deliver(&mut router, None, &error("the worker stopped"));
        assert_eq!(triage.got(), vec![error("the worker stopped")]);
        assert_eq!(hovering.got(), vec![error("the worker stopped")]);
        assert_eq!(gone.got(), vec![]);
        assert!(ids.iter().all(|id| !router.is_pending(*id)));
    }

    #[test]
    fn ids_are_fresh_and_cleared_requests_are_forgotten() {
        let mut router = Router::default();
        let a = router.open(Lane::Hover, Probe::default());
        let b = router.open(Lane::Hover, Probe::default());
        assert_ne!(a, b);
        let c = router.open(Lane::Layers, Probe::default());
        router.forget(c);
        assert!(!router.is_pending(c));
        router.clear();
        assert!(!router.is_pending(b));
    }
}
