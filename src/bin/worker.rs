//! The engine worker's entry point (built by trunk with `data-type="worker"`).

fn main() {
    console_error_panic_hook::set_once();
    tracetriage_app::worker::start();
}
