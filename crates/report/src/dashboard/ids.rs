//! Entry ids and anchors: short, unique, safe as file names (`<id>.json`) and in URLs,
//! and how a manifest's paths are checked before the browser fetches them.

/// The longest id, in bytes.
const MAX_ID: usize = 96;

/// A slug: lower case, ASCII letters, digits, `.`, `_` and `-` kept, every other run of
/// characters one `-`, no leading or trailing `-` or `.`; `run` when nothing is left.
#[must_use]
pub fn slug(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(MAX_ID));
    for ch in text.chars() {
        let c = ch.to_ascii_lowercase();
        if c.is_ascii_alphanumeric() || c == '_' || c == '.' {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
        if out.len() >= MAX_ID {
            break;
        }
    }
    let t = out.trim_matches(['-', '.']);
    if t.is_empty() { "run".to_owned() } else { t.to_owned() }
}

/// Unique ids for `labels`, in order: the slug of each, and `-2`, `-3`, … after slugs
/// already taken.
#[must_use]
pub fn unique(labels: &[String]) -> Vec<String> {
    let mut taken: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();
    labels
        .iter()
        .map(|l| {
            let base = slug(l);
            let mut id = base.clone();
            let mut n = 2;
            while taken.contains(&id) {
                id = format!("{base}-{n}");
                n += 1;
            }
            taken.insert(id.clone());
            id
        })
        .collect()
}

/// Whether an id read from a manifest is safe: 1–`MAX_ID` bytes of `[A-Za-z0-9._-]`, not
/// starting with `.`.
#[must_use]
pub fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_ID + 8
        && !id.starts_with('.')
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// Whether a report path read from a manifest stays beside it: relative, `/`-separated,
/// no `..`, no scheme, no backslash, ending in `.json`.
#[must_use]
pub fn valid_report_path(path: &str) -> bool {
    !path.is_empty()
        && !path.starts_with('/')
        && !path.contains('\\')
        && !path.contains(':')
        && !path.contains('?')
        && !path.contains('#')
        && path.ends_with(".json")
        && path.split('/').all(|part| !part.is_empty() && part != ".." && part != ".")
}

/// A markdown heading anchor as the seed's bundle makes it (anchor-spec §18): lower case,
/// letters and digits kept, every other run one `-`, trimmed.
#[must_use]
pub fn anchor(text: &str) -> String {
    let mut out = String::new();
    for ch in text.chars() {
        if ch.is_alphanumeric() {
            out.extend(ch.to_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    let t = out.trim_end_matches('-');
    if t.is_empty() { "section".to_owned() } else { t.to_owned() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_and_uniqueness() {
        assert_eq!(slug("sglang_gb300 Qwen3-30B/TP-0"), "sglang_gb300-qwen3-30b-tp-0");
        assert_eq!(slug("../../etc/passwd"), "etc-passwd");
        assert_eq!(slug("///"), "run");
        let ids = unique(&["a b".into(), "a-b".into(), "A B".into(), "a-b-2".into()]);
        assert_eq!(ids, ["a-b", "a-b-2", "a-b-3", "a-b-2-2"]);
        assert!(ids.iter().all(|i| valid_id(i)));
        assert!(!valid_id("../x") && !valid_id(".hidden") && !valid_id(""));
    }

    #[test]
    fn report_paths_stay_beside_the_manifest() {
        assert!(valid_report_path("a.json") && valid_report_path("runs/a.json"));
        for bad in [
            "/etc/x.json",
            "../x.json",
            "a/../../x.json",
            "https://x/y.json",
            "a\\b.json",
            "a.txt",
            "a//b.json",
        ] {
            assert!(!valid_report_path(bad), "{bad}");
        }
    }

    #[test]
    fn anchors_follow_the_seed() {
        assert_eq!(anchor("Qwen/Qwen3-8B (SGLang)"), "qwen-qwen3-8b-sglang");
        assert_eq!(anchor("--"), "section");
    }
}
