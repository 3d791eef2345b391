//! Progress of a capture: the events the CLI prints as lines and the browser API streams
//! as JSON (warm-up, plan, armed, probes, stopped, flushing, collected, done). The event
//! type and its one text are the protocol's ([`report::live::Event`]), shared with the
//! page.

pub use report::live::Event;

/// Receives events (the CLI prints them; the server stores them for the browser).
pub type Sink<'a> = &'a (dyn Fn(Event) + Sync);
