//! The drawing palette from the page's CSS colours (`(name, css colour)` pairs, see
//! [`crate::protocol::TimelineRequest::palette`]): the worker's drawings, and the roofline
//! chart the page draws itself (`components::roofline`).

use report::timeline::Palette;
use report::timeline::Rgb;

/// The engine's palette with the colours the page sent; unknown names and unreadable
/// colours keep the defaults.
pub(crate) fn palette(spec: &[(String, String)]) -> Palette {
    let mut p = Palette::default();
    for (name, css) in spec {
        let Some(rgb) = Rgb::parse(css) else { continue };
        match name.as_str() {
            "background" => p.background = rgb,
            "text" => p.text = rgb,
            "grid" => p.grid = rgb,
            "overlap" => p.overlap = rgb,
            "idle" => p.idle = rgb,
            "stage" => p.stage = rgb,
            label => {
                if let Some(c) = report::engine::vocab::Category::ALL.iter().find(|c| c.label() == label) {
                    p.set_category(*c, rgb);
                }
            }
        }
    }
    p
}
