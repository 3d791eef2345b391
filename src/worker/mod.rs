//! The worker side of the app: everything that runs in a Web Worker. The page, its engine
//! worker, the engine worker's child workers and their inflater workers all run this one
//! WebAssembly module ([`spawn`]); [`start`] picks the loop.
//!
//! The engine worker receives requests and `File`s ([`dispatch`]), reads the files into
//! traces ([`load`]: one after the other with [`reader`], gzip inflated beside it by an
//! [`inflater`] worker; or several at once in [`children`]), keeps them ([`state`]) and
//! answers: triage, two-trace triage, retriage, all ranks and diff ([`analyse`], with the
//! roles of [`roles`]), timeline drawings and hover facts ([`timeline`]) and layers
//! ([`layers`]). Every message about a request carries its id ([`scope::Replies`]). It runs
//! off the main thread, so the page stays responsive; it is started once and kept, and
//! Cancel terminates it with every worker it started.

mod analyse;
mod children;
mod dispatch;
mod inbox;
mod inflater;
mod layers;
mod load;
pub(crate) mod palette;
mod reader;
mod roles;
mod scope;
pub(crate) mod spawn;
mod state;
mod timeline;
mod warmup;

/// Runs this worker: the inflater when it was started with `?inflate`, otherwise the engine
/// loop (which says `ready` once it listens). Called by the binary when there is no window.
pub fn start() {
    if inflater::is_inflater() {
        inflater::start();
    } else if warmup::is_warmup() {
        warmup::start();
    } else {
        dispatch::listen();
    }
}
