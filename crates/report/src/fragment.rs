//! The browser app's URL fragment: what it opens and how the report is shown.
//!
//! A fragment is a *head* (a shared link `r1.…`, a diff link `d1.…`, `dashboard…`, or
//! nothing) followed by `&`-separated parameters: `src=<url>` (a trace to fetch; several
//! open together, like several dropped files), `tab=<stage label>` and `q=<filter text>`.
//! Values are percent-encoded. The share links' payload is base64url
//! ([`crate::share::base64url_encode`]: `A–Z a–z 0–9 - _`), so neither `&` nor `=` can
//! occur in a head and the parameters never clash with it:
//!
//! ```
//! let f = report::fragment::parse("#r1.eJwr&tab=decode&q=nccl%20all");
//! assert_eq!((f.head.as_str(), f.tab.as_deref(), f.q.as_deref()), ("r1.eJwr", Some("decode"), Some("nccl all")));
//! let f = report::fragment::parse("#src=https%3A%2F%2Fh%2Fa.json.gz&src=b.json");
//! assert_eq!(f.src, ["https://h/a.json.gz", "b.json"]);
//! assert_eq!(f.render(), "src=https://h/a.json.gz&src=b.json");
//! ```

/// A parsed fragment ([`parse`]; [`Fragment::render`] writes it back).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Fragment {
    /// What the fragment opens besides `src`: `r1.…`, `d1.…`, `dashboard…` or empty.
    pub head: String,
    /// Trace URLs to fetch and open together, in order.
    pub src: Vec<String>,
    /// The stage tab shown (a stage label, or `layers`).
    pub tab: Option<String>,
    /// The filter text.
    pub q: Option<String>,
}

/// The parameter keys of a fragment; any other `key=value` part belongs to the head.
const KEYS: [&str; 3] = ["src", "tab", "q"];

/// Reads a fragment (with or without `#`). Parts that are not `src=`, `tab=` or `q=` make
/// the head (joined by `&` in order, as `dashboard-synthetic=N`).
#[must_use]
pub fn parse(fragment: &str) -> Fragment {
    let body = fragment.trim().trim_start_matches('#');
    let mut f = Fragment::default();
    let mut head: Vec<&str> = Vec::new();
    for part in body.split('&').filter(|p| !p.is_empty()) {
        match part.split_once('=') {
            // An empty `src=` names nothing (it would resolve to the page itself).
            Some(("src", v)) if v.trim().is_empty() => {}
            Some(("src", v)) => f.src.push(percent_decode(v)),
            Some(("tab", v)) => f.tab = Some(percent_decode(v)),
            Some(("q", v)) => f.q = Some(percent_decode(v)),
            _ => head.push(part),
        }
    }
    f.head = head.join("&");
    f
}

impl Fragment {
    /// The fragment as text, without `#`: the head, then every `src`, `tab` and `q`
    /// (empty ones left out).
    #[must_use]
    pub fn render(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        if !self.head.is_empty() {
            parts.push(self.head.clone());
        }
        parts.extend(self.src.iter().map(|s| format!("{}={}", KEYS[0], percent_encode(s))));
        if let Some(t) = self.tab.as_deref().filter(|t| !t.is_empty()) {
            parts.push(format!("{}={}", KEYS[1], percent_encode(t)));
        }
        if let Some(q) = self.q.as_deref().filter(|q| !q.is_empty()) {
            parts.push(format!("{}={}", KEYS[2], percent_encode(q)));
        }
        parts.join("&")
    }

    /// The same fragment with another head and no `src` (what a shared link replaces).
    #[must_use]
    pub fn with_head(&self, head: &str) -> Fragment {
        Fragment { head: head.to_owned(), src: Vec::new(), ..self.clone() }
    }

    /// The same fragment opening `src` (no head).
    #[must_use]
    pub fn with_src(&self, src: &[String]) -> Fragment {
        Fragment { head: String::new(), src: src.to_vec(), ..self.clone() }
    }
}

/// Whether `b` is kept as is in a parameter value: RFC 3986 unreserved characters and
/// the URL punctuation that means nothing in a fragment's parameters.
fn plain(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-._~:/?@!$'()*+,;".contains(&b)
}

/// Percent-encodes `text` for a parameter value (`&`, `=`, `#`, `%`, spaces and non-ASCII
/// bytes become `%XX`).
#[must_use]
pub fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for &b in text.as_bytes() {
        if plain(b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Decodes `%XX` escapes (UTF-8; a broken escape is kept as written, invalid UTF-8 is
/// replaced).
#[must_use]
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        // Exactly two hex digits (`from_str_radix` alone would take `+5`).
        let hex = bytes
            .get(i + 1..i + 3)
            .filter(|h| h.iter().all(u8::is_ascii_hexdigit))
            .and_then(|h| std::str::from_utf8(h).ok());
        match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
            Some(v) if b == b'%' => {
                out.push(v);
                i += 3;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::{Fragment, parse, percent_decode, percent_encode};

    #[test]
    fn the_head_keeps_links_and_dashboard_forms() {
        assert_eq!(parse("#d1.abc-_").head, "d1.abc-_");
        assert_eq!(parse("#dashboard-synthetic=500").head, "dashboard-synthetic=500");
        assert_eq!(parse("#dashboard&tab=x").tab.as_deref(), Some("x"));
        assert_eq!(parse("").render(), "");
        assert_eq!(parse("#tab=decode&q=").render(), "tab=decode", "an empty filter is left out");
    }

    #[test]
    fn values_round_trip_through_the_fragment() {
        let f = Fragment {
            head: "r1.AbC".into(),
            src: vec!["https://h/x y&z=1#a.json.gz".into(), "./t/ü.json".into()],
            tab: Some("decode (rank 1)".into()),
            q: Some("nccl & 100%".into()),
        };
        let text = f.render();
        assert!(!text.contains(' ') && text.matches('&').count() == 4, "{text}");
        assert_eq!(parse(&format!("#{text}")), f);
    }

    #[test]
    fn a_shared_link_drops_the_sources_and_keeps_the_view() {
        let f = parse("#src=a.json&tab=prefill&q=gemm");
        assert_eq!(f.with_head("r1.x").render(), "r1.x&tab=prefill&q=gemm");
        assert_eq!(parse("#r1.x&q=a").with_src(&["b".into()]).render(), "src=b&q=a");
    }

    #[test]
    fn broken_escapes_are_kept() {
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
        assert_eq!(percent_decode("%E2%9C%93"), "✓");
        assert_eq!(percent_decode("%+5%-1"), "%+5%-1", "a sign is not a hex digit");
        assert_eq!(percent_encode("a b"), "a%20b");
    }

    #[test]
    fn an_empty_source_names_nothing() {
        assert!(parse("#src=&tab=decode").src.is_empty());
        assert_eq!(parse("#src=&src=b.json").src, ["b.json"]);
    }
}
