//! Entry point of the one WebAssembly module: on the page it mounts the app; in a worker
//! (started by `worker::spawn`, where there is no window) it runs the worker's loop.

fn main() {
    console_error_panic_hook::set_once();
    if web_sys::window().is_some() {
        leptos::mount::mount_to_body(tracetriage_app::app::App);
    } else {
        tracetriage_app::worker::start();
    }
}
