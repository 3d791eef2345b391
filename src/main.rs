//! Entry point of the one WebAssembly module: on the page it mounts the app; in an engine
//! worker (started by `spawn`, where there is no window) it runs the engine loop, or in an
//! inflater worker (`?inflate`) the inflater.

fn main() {
    console_error_panic_hook::set_once();
    if web_sys::window().is_some() {
        leptos::mount::mount_to_body(tracetriage_app::app::App);
    } else if tracetriage_app::worker::inflater::is_inflater() {
        tracetriage_app::worker::inflater::start();
    } else {
        tracetriage_app::worker::start();
    }
}
