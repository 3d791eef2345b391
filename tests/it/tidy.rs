//! Tidy: the architecture's rules, checked on the source (see ARCHITECTURE.md).
//!
//! - **Crates are layers.** `trace` ← `engine` ← `report` ← {app, native ← {cli, relay}}:
//!   each pure crate depends on the ones below it only, the front ends (and `native`, their
//!   shared file edge) on `report`, never on `engine` or `trace` (they reach the lower layers
//!   through its re-exports), and the pure crates' dependencies are an
//!   allow-list, so none gains an I/O, network or web dependency unnoticed.
//! - **Modules inside a crate form no cycle.** At every level of a pure crate's module
//!   tree, the sibling modules' references to each other are acyclic (a module's use of
//!   its own parent or children does not count), and the engine's top-level modules keep
//!   their declared order.
//!
//! The source is parsed with `syn`: every `use` tree and every path starting with `crate::`,
//! `super::` or `self::` is a reference.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use syn::visit::Visit;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The `[dependencies]` (and target-specific dependencies) of a manifest, by name.
fn dependencies(manifest: &Path) -> BTreeSet<String> {
    let text = std::fs::read_to_string(manifest).unwrap_or_else(|e| panic!("{}: {e}", manifest.display()));
    let doc: toml::Table = toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", manifest.display()));
    let mut out = BTreeSet::new();
    let mut take = |t: Option<&toml::Value>| {
        if let Some(t) = t.and_then(toml::Value::as_table) {
            out.extend(t.keys().cloned());
        }
    };
    take(doc.get("dependencies"));
    if let Some(targets) = doc.get("target").and_then(toml::Value::as_table) {
        for t in targets.values() {
            take(t.get("dependencies"));
        }
    }
    out
}

/// What each pure crate may depend on: its layers below and pure, no-I/O libraries.
const PURE: &[(&str, &[&str])] = &[
    ("trace", &["crc32fast", "hashbrown", "memchr", "miniz_oxide", "rustc-hash", "thiserror"]),
    ("engine", &["memchr", "regex-lite", "rustc-hash", "serde", "serde_json", "thiserror", "toml", "trace"]),
    ("report", &["engine", "miniz_oxide", "plotters", "serde", "serde_json", "thiserror", "trace"]),
];

#[test]
fn crates_depend_downwards_only_and_pure_crates_stay_pure() {
    let mut problems = Vec::new();
    for (name, allowed) in PURE {
        let deps = dependencies(&root().join("crates").join(name).join("Cargo.toml"));
        for d in &deps {
            if !allowed.contains(&d.as_str()) {
                problems.push(format!(
                    "crates/{name} depends on `{d}`: the pure layers allow only {allowed:?} (no I/O, network or web crates, and no higher layer)"
                ));
            }
        }
    }
    for (front, manifest) in [
        ("the app", root().join("Cargo.toml")),
        ("native", root().join("crates/native/Cargo.toml")),
        ("cli", root().join("crates/cli/Cargo.toml")),
        ("relay", root().join("crates/relay/Cargo.toml")),
    ] {
        let deps = dependencies(&manifest);
        if !deps.contains("report") {
            problems.push(format!("{front} does not depend on `report`"));
        }
        for lower in ["engine", "trace"] {
            if deps.contains(lower) {
                problems.push(format!("{front} depends on `{lower}` directly: use `report::{lower}`"));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// A module path inside a crate: `["analysis", "overlap"]` is `crate::analysis::overlap`.
type ModPath = Vec<String>;

/// Every `.rs` file of a crate's `src/` with its module path (test-only files left out).
fn modules(src: &Path) -> Vec<(ModPath, PathBuf)> {
    fn walk(dir: &Path, src: &Path, out: &mut Vec<(ModPath, PathBuf)>) {
        let mut entries: Vec<_> =
            std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())).flatten().collect();
        entries.sort_by_key(std::fs::DirEntry::path);
        for e in entries {
            let p = e.path();
            if p.is_dir() {
                walk(&p, src, out);
                continue;
            }
            if p.extension().is_none_or(|x| x != "rs") || p.file_name().is_some_and(|n| n == "tests.rs") {
                continue;
            }
            let rel = p.strip_prefix(src).unwrap_or(&p).with_extension("");
            let mut m: ModPath = rel.iter().map(|c| c.to_string_lossy().into_owned()).collect();
            if m.last().is_some_and(|l| l == "mod" || l == "lib" || l == "main") {
                m.pop();
            }
            out.push((m, p));
        }
    }
    let mut out = Vec::new();
    walk(src, src, &mut out);
    out
}

/// Collects the module paths a file refers to (resolved to `crate::…`).
struct Refs<'a> {
    here: &'a [String],
    out: BTreeSet<ModPath>,
    in_test: usize,
}

impl Refs<'_> {
    fn resolve(&mut self, segments: &[String]) {
        if self.in_test > 0 {
            return;
        }
        let Some(first) = segments.first() else { return };
        let mut path: ModPath = match first.as_str() {
            "crate" => Vec::new(),
            "self" => self.here.to_vec(),
            "super" => {
                let mut p = self.here.to_vec();
                let mut rest = segments;
                while rest.first().is_some_and(|s| s == "super") {
                    p.pop();
                    rest = &rest[1..];
                }
                p.extend(rest.iter().cloned());
                self.out.insert(p);
                return;
            }
            _ => return,
        };
        path.extend(segments.iter().skip(1).cloned());
        self.out.insert(path);
    }

    fn use_tree(&mut self, prefix: &mut Vec<String>, tree: &syn::UseTree) {
        match tree {
            syn::UseTree::Path(p) => {
                prefix.push(p.ident.to_string());
                self.use_tree(prefix, &p.tree);
                prefix.pop();
            }
            syn::UseTree::Name(n) => {
                let mut full = prefix.clone();
                if n.ident != "self" {
                    full.push(n.ident.to_string());
                }
                self.resolve(&full);
            }
            syn::UseTree::Rename(r) => {
                let mut full = prefix.clone();
                full.push(r.ident.to_string());
                self.resolve(&full);
            }
            syn::UseTree::Glob(_) => self.resolve(prefix),
            syn::UseTree::Group(g) => {
                for t in &g.items {
                    self.use_tree(prefix, t);
                }
            }
        }
    }
}

fn is_test_cfg(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| {
        a.path().is_ident("cfg") && a.parse_args::<syn::Meta>().is_ok_and(|m| m.path().is_ident("test"))
    })
}

impl<'ast> Visit<'ast> for Refs<'_> {
    fn visit_item_use(&mut self, u: &'ast syn::ItemUse) {
        if !is_test_cfg(&u.attrs) {
            self.use_tree(&mut Vec::new(), &u.tree);
        }
    }

    fn visit_item_mod(&mut self, m: &'ast syn::ItemMod) {
        let test = is_test_cfg(&m.attrs);
        self.in_test += usize::from(test);
        syn::visit::visit_item_mod(self, m);
        self.in_test -= usize::from(test);
    }

    fn visit_item_fn(&mut self, f: &'ast syn::ItemFn) {
        let test = is_test_cfg(&f.attrs) || f.attrs.iter().any(|a| a.path().is_ident("test"));
        self.in_test += usize::from(test);
        syn::visit::visit_item_fn(self, f);
        self.in_test -= usize::from(test);
    }

    fn visit_path(&mut self, p: &'ast syn::Path) {
        let segments: Vec<String> = p.segments.iter().map(|s| s.ident.to_string()).collect();
        self.resolve(&segments);
        syn::visit::visit_path(self, p);
    }
}

/// Module-level references of a crate: `(from, to)`, `to` cut to the module it names (an
/// item path ends at the module that holds or re-exports the item).
fn references(krate: &str) -> Vec<(ModPath, ModPath)> {
    let src = root().join("crates").join(krate).join("src");
    let all = modules(&src);
    let known: BTreeSet<ModPath> = all.iter().map(|(m, _)| m.clone()).collect();
    let mut out = Vec::new();
    for (m, file) in all {
        let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let ast = syn::parse_file(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let mut refs = Refs { here: &m, out: BTreeSet::new(), in_test: 0 };
        refs.visit_file(&ast);
        for mut t in refs.out {
            while !t.is_empty() && !known.contains(&t) {
                t.pop();
            }
            out.push((m.clone(), t));
        }
    }
    out
}

/// The edges between sibling modules at each level: `level → {(child, child)}`.
fn sibling_edges(krate: &str) -> BTreeMap<ModPath, BTreeSet<(String, String)>> {
    let mut levels: BTreeMap<ModPath, BTreeSet<(String, String)>> = BTreeMap::new();
    for (from, to) in references(krate) {
        let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
        // A module's own ancestors and descendants are not siblings.
        let (Some(a), Some(b)) = (from.get(common), to.get(common)) else { continue };
        levels.entry(from[..common].to_vec()).or_default().insert((a.clone(), b.clone()));
    }
    levels
}

/// A cycle in a directed graph, if there is one.
fn find_cycle(edges: &BTreeSet<(String, String)>) -> Option<Vec<String>> {
    let mut next: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (a, b) in edges {
        next.entry(a).or_default().push(b);
    }
    fn dfs<'a>(
        n: &'a str,
        next: &BTreeMap<&'a str, Vec<&'a str>>,
        state: &mut BTreeMap<&'a str, u8>,
        stack: &mut Vec<&'a str>,
    ) -> Option<Vec<String>> {
        state.insert(n, 1);
        stack.push(n);
        for &m in next.get(n).map_or(&[][..], Vec::as_slice) {
            match state.get(m).copied().unwrap_or(0) {
                1 => {
                    let start = stack.iter().position(|&s| s == m).unwrap_or(0);
                    let mut cycle: Vec<String> = stack[start..].iter().map(|s| (*s).to_owned()).collect();
                    cycle.push(m.to_owned());
                    return Some(cycle);
                }
                0 => {
                    if let Some(c) = dfs(m, next, state, stack) {
                        return Some(c);
                    }
                }
                _ => {}
            }
        }
        stack.pop();
        state.insert(n, 2);
        None
    }
    let mut state = BTreeMap::new();
    let nodes: Vec<&str> = next.keys().copied().collect();
    for n in nodes {
        if state.get(n).copied().unwrap_or(0) == 0
            && let Some(c) = dfs(n, &next, &mut state, &mut Vec::new())
        {
            return Some(c);
        }
    }
    None
}

#[test]
fn modules_of_the_pure_crates_form_no_cycles() {
    let mut problems = Vec::new();
    for krate in ["trace", "engine", "report"] {
        for (level, edges) in sibling_edges(krate) {
            if let Some(cycle) = find_cycle(&edges) {
                let at = if level.is_empty() { "crate root".to_owned() } else { level.join("::") };
                problems.push(format!("{krate}: modules under {at} form a cycle: {}", cycle.join(" -> ")));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The engine's top-level modules, lowest layer first; a module may name only modules of
/// its own group or of a group before it.
const ENGINE_ORDER: &[&[&str]] = &[
    &["vocab", "names"],
    &["catalog", "discover"],
    &["results", "timeline"],
    &["analysis"],
    &["triage"],
    &["ranks"],
];

#[test]
fn engine_modules_keep_their_layer_order() {
    let rank = |m: &str| ENGINE_ORDER.iter().position(|g| g.contains(&m));
    let edges = sibling_edges("engine").remove(&Vec::new()).unwrap_or_default();
    let mut problems = Vec::new();
    for (a, b) in &edges {
        match (rank(a), rank(b)) {
            (Some(ra), Some(rb)) if rb > ra => {
                problems.push(format!("engine::{a} names engine::{b}, a higher layer"));
            }
            (None, _) | (_, None) if a != "lib" && b != "lib" => {
                problems.push(format!("engine::{a} -> engine::{b}: add the module to ENGINE_ORDER"));
            }
            _ => {}
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_checker_sees_cycles_and_layer_breaks() {
    let edges: BTreeSet<(String, String)> = [("a", "b"), ("b", "c"), ("c", "a")]
        .iter()
        .map(|(x, y)| ((*x).to_owned(), (*y).to_owned()))
        .collect();
    assert_eq!(find_cycle(&edges), Some(vec!["a".into(), "b".into(), "c".into(), "a".into()]));
    let chain: BTreeSet<(String, String)> =
        [("a", "b"), ("b", "c")].iter().map(|(x, y)| ((*x).to_owned(), (*y).to_owned())).collect();
    assert_eq!(find_cycle(&chain), None);
    // The engine's references are found at all: triage names analysis.
    let top = sibling_edges("engine").remove(&Vec::new()).unwrap_or_default();
    assert!(top.contains(&("triage".to_owned(), "analysis".to_owned())), "{top:?}");
}
