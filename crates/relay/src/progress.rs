//! Progress of a capture: the events the CLI prints as lines and the browser API streams
//! as JSON (warm-up, plan, armed, probes, stopped, flushing, collected, done). The event
//! type and its one text are the protocol's ([`engine::live::Event`]), shared with the
//! page.

pub use engine::live::Event;

/// Receives events (the CLI prints them; the server stores them for the browser).
pub type Sink<'a> = &'a (dyn Fn(Event) + Sync);
