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

/// The packages a manifest depends on outside tests: `[dependencies]` and
/// `[build-dependencies]`, target-specific ones too, by package name (`package = …` of a
/// renamed dependency).
fn dependencies(manifest: &Path) -> BTreeSet<String> {
    let text = std::fs::read_to_string(manifest).unwrap_or_else(|e| panic!("{}: {e}", manifest.display()));
    let doc: toml::Table = toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", manifest.display()));
    let mut out = BTreeSet::new();
    let mut take = |t: Option<&toml::Value>| {
        for (key, spec) in t.and_then(toml::Value::as_table).into_iter().flatten() {
            let package = spec.get("package").and_then(toml::Value::as_str).unwrap_or(key);
            out.insert(package.to_owned());
        }
    };
    for section in ["dependencies", "build-dependencies"] {
        take(doc.get(section));
        for target in doc.get("target").and_then(toml::Value::as_table).into_iter().flatten().map(|(_, t)| t)
        {
            take(target.get(section));
        }
    }
    out
}

/// What each pure crate may depend on: its layers below and pure, no-I/O libraries.
const PURE: &[(&str, &[&str])] = &[
    ("trace", &["crc32fast", "flate2", "hashbrown", "memchr", "miniz_oxide", "rustc-hash", "thiserror"]),
    ("engine", &["memchr", "regex-lite", "rustc-hash", "serde", "serde_json", "thiserror", "toml", "trace"]),
    ("report", &["engine", "miniz_oxide", "plotters", "serde", "serde_json", "thiserror"]),
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

/// Collects the paths a file refers to, resolved to `crate::…`: `use` trees, paths in the
/// code and paths inside macro calls and definitions (`crate::`, `$crate::`, `super::`,
/// `self::`, and a child module's name).
struct Refs<'a> {
    here: &'a [String],
    known: &'a BTreeSet<ModPath>,
    out: BTreeSet<ModPath>,
    /// `pub use` items of this file: (module + name, the path it stands for).
    reexports: Vec<(ModPath, ModPath)>,
    in_test: usize,
}

impl Refs<'_> {
    /// The `crate::` path of `segments` as written in this file, if it names the crate.
    fn absolute(&self, segments: &[String]) -> Option<ModPath> {
        let first = segments.first()?;
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
                return Some(p);
            }
            // Uniform paths: a child module of this one.
            name => {
                let mut child = self.here.to_vec();
                child.push(name.to_owned());
                if !self.known.contains(&child) {
                    return None;
                }
                return Some(self.here.iter().chain(segments).cloned().collect());
            }
        };
        path.extend(segments.iter().skip(1).cloned());
        Some(path)
    }

    fn resolve(&mut self, segments: &[String]) {
        if self.in_test == 0
            && let Some(p) = self.absolute(segments)
        {
            self.out.insert(p);
        }
    }

    fn use_tree(&mut self, prefix: &mut Vec<String>, tree: &syn::UseTree, public: bool) {
        let leaf = |this: &mut Self, full: Vec<String>, name: Option<String>| {
            if public && let (Some(target), Some(name)) = (this.absolute(&full), name) {
                let mut at = this.here.to_vec();
                at.push(name);
                this.reexports.push((at, target));
            }
            this.resolve(&full);
        };
        match tree {
            syn::UseTree::Path(p) => {
                prefix.push(p.ident.to_string());
                self.use_tree(prefix, &p.tree, public);
                prefix.pop();
            }
            syn::UseTree::Name(n) => {
                let mut full = prefix.clone();
                if n.ident != "self" {
                    full.push(n.ident.to_string());
                }
                let name = full.last().cloned();
                leaf(self, full, name);
            }
            syn::UseTree::Rename(r) => {
                let mut full = prefix.clone();
                full.push(r.ident.to_string());
                leaf(self, full, Some(r.rename.to_string()));
            }
            syn::UseTree::Glob(_) => self.resolve(prefix),
            syn::UseTree::Group(g) => {
                for t in &g.items {
                    self.use_tree(prefix, t, public);
                }
            }
        }
    }

    /// Paths in a macro's tokens: `crate::a::b`, `$crate::a`, `super::x`, `self::y`.
    fn tokens(&mut self, tokens: proc_macro2::TokenStream) {
        use proc_macro2::TokenTree;
        let flat: Vec<TokenTree> = tokens.into_iter().collect();
        let mut i = 0;
        while let Some(t) = flat.get(i) {
            if let TokenTree::Group(g) = t {
                self.tokens(g.stream());
            }
            let starts = matches!(t, TokenTree::Ident(id) if ["crate", "super", "self"].contains(&id.to_string().as_str()));
            if !starts {
                i += 1;
                continue;
            }
            let mut segments = vec![t.to_string()];
            let mut j = i + 1;
            while let (Some(TokenTree::Punct(a)), Some(TokenTree::Punct(b)), Some(TokenTree::Ident(id))) =
                (flat.get(j), flat.get(j + 1), flat.get(j + 2))
            {
                if a.as_char() != ':' || b.as_char() != ':' {
                    break;
                }
                segments.push(id.to_string());
                j += 3;
            }
            self.resolve(&segments);
            i = j;
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
            let public = matches!(u.vis, syn::Visibility::Public(_));
            self.use_tree(&mut Vec::new(), &u.tree, public);
        }
    }

    fn visit_macro(&mut self, m: &'ast syn::Macro) {
        self.tokens(m.tokens.clone());
        syn::visit::visit_macro(self, m);
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

/// The references of one file's source, which sits at module `here` among `known` modules:
/// the paths it names and its `pub use` re-exports.
fn file_refs(
    here: &[String],
    known: &BTreeSet<ModPath>,
    text: &str,
) -> (BTreeSet<ModPath>, Vec<(ModPath, ModPath)>) {
    let ast = syn::parse_file(text).unwrap_or_else(|e| panic!("{}: {e}", here.join("::")));
    let mut refs = Refs { here, known, out: BTreeSet::new(), reexports: Vec::new(), in_test: 0 };
    refs.visit_file(&ast);
    (refs.out, refs.reexports)
}

/// Cuts a referenced path to the module it names, following `pub use` re-exports (an item
/// reached through `crate::Report` counts as a reference to the module that defines it).
fn module_of(mut t: ModPath, known: &BTreeSet<ModPath>, reexports: &BTreeMap<ModPath, ModPath>) -> ModPath {
    for _ in 0..8 {
        match reexports.get(&t) {
            Some(target) if *target != t => t = target.clone(),
            _ => break,
        }
    }
    while !t.is_empty() && !known.contains(&t) {
        if let Some(target) = reexports.get(&t) {
            return module_of(target.clone(), known, reexports);
        }
        t.pop();
    }
    t
}

/// Module-level references of a crate: `(from, to)`, `to` cut to the module it names.
fn references(krate: &str) -> Vec<(ModPath, ModPath)> {
    let src = root().join("crates").join(krate).join("src");
    let all = modules(&src);
    let known: BTreeSet<ModPath> = all.iter().map(|(m, _)| m.clone()).collect();
    let mut raw = Vec::new();
    let mut reexports = BTreeMap::new();
    for (m, file) in &all {
        let text = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let (out, re) = file_refs(m, &known, &text);
        reexports.extend(re);
        raw.extend(out.into_iter().map(|t| (m.clone(), t)));
    }
    raw.into_iter().map(|(m, t)| (m, module_of(t, &known, &reexports))).collect()
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
    &["vocab", "names", "order"],
    &["catalog", "discover"],
    &["results", "timeline"],
    &["analysis"],
    &["triage"],
    &["ranks"],
];

/// The edges of `edges` that break `order` (lowest group first): a module naming a
/// higher group's module, or a module missing from `order`.
fn order_problems(edges: &BTreeSet<(String, String)>, order: &[&[&str]]) -> Vec<String> {
    let rank = |m: &str| order.iter().position(|g| g.contains(&m));
    let mut problems = Vec::new();
    for (a, b) in edges {
        match (rank(a), rank(b)) {
            (Some(ra), Some(rb)) if rb > ra => problems.push(format!("{a} names {b}, a higher layer")),
            (Some(_), Some(_)) => {}
            _ => problems.push(format!("{a} -> {b}: add the module to the layer order")),
        }
    }
    problems
}

#[test]
fn engine_modules_keep_their_layer_order() {
    let edges = sibling_edges("engine").remove(&Vec::new()).unwrap_or_default();
    let problems = order_problems(&edges, ENGINE_ORDER);
    assert!(problems.is_empty(), "engine: {}", problems.join("\n"));
}

fn edges(list: &[(&str, &str)]) -> BTreeSet<(String, String)> {
    list.iter().map(|(x, y)| ((*x).to_owned(), (*y).to_owned())).collect()
}

#[test]
fn the_checker_finds_cycles_and_order_breaks() {
    assert_eq!(
        find_cycle(&edges(&[("a", "b"), ("b", "c"), ("c", "a")])),
        Some(vec!["a".into(), "b".into(), "c".into(), "a".into()])
    );
    assert_eq!(find_cycle(&edges(&[("a", "b"), ("b", "c")])), None);
    let order: &[&[&str]] = &[&["low"], &["high"]];
    assert!(order_problems(&edges(&[("high", "low")]), order).is_empty());
    assert_eq!(order_problems(&edges(&[("low", "high")]), order), ["low names high, a higher layer"]);
    assert_eq!(
        order_problems(&edges(&[("low", "new")]), order),
        ["low -> new: add the module to the layer order"]
    );
}

#[test]
fn the_checker_reads_every_kind_of_path() {
    let known: BTreeSet<ModPath> = [
        vec![],
        vec!["a".into()],
        vec!["a".into(), "b".into()],
        vec!["a".into(), "c".into()],
        vec!["d".into()],
    ]
    .into_iter()
    .collect();
    let here: ModPath = vec!["a".into(), "b".into()];
    let text = r#"
        use super::super::d::Thing;
        use crate::{d::{self, Other}, a::c::*};
        pub use super::c::Value as Renamed;
        fn f() { let _ = crate::d::make(); m!(crate::d::in_macro, $crate::a::c::x); }
        macro_rules! m2 { () => { $crate::d::from_macro_rules() }; }
        #[cfg(test)]
        mod tests { use crate::zzz::Hidden; }
    "#;
    let (out, reexports) = file_refs(&here, &known, text);
    let p = |s: &str| -> ModPath { s.split("::").map(str::to_owned).collect() };
    for want in [
        "d::Thing",
        "d",
        "d::Other",
        "a::c",
        "a::c::Value",
        "d::make",
        "d::in_macro",
        "a::c::x",
        "d::from_macro_rules",
    ] {
        assert!(out.contains(&p(want)), "{want} not found in {out:?}");
    }
    assert!(!out.iter().any(|t| t.first().is_some_and(|s| s == "zzz")), "test code is left out: {out:?}");
    assert_eq!(reexports, [(p("a::b::Renamed"), p("a::c::Value"))]);
    // A path through a re-export counts as a reference to the module that defines the item.
    let map: BTreeMap<ModPath, ModPath> = [(p("Report"), p("triage::Report"))].into_iter().collect();
    let known: BTreeSet<ModPath> = [vec![], p("triage")].into_iter().collect();
    assert_eq!(module_of(p("Report"), &known, &map), p("triage"));
    assert_eq!(module_of(p("triage::Report"), &known, &map), p("triage"));
    // And the real crates are read: the engine's triage names its analyses.
    let top = sibling_edges("engine").remove(&Vec::new()).unwrap_or_default();
    assert!(top.contains(&("triage".to_owned(), "analysis".to_owned())), "{top:?}");
}

/// Rust files under `dir`, recursively.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())).flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(rust_files(&p));
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
    out
}

#[test]
fn thread_local_state_lives_in_the_worker_state_and_the_page_client_only() {
    let allowed = [root().join("src/worker/state.rs"), root().join("src/client/mod.rs")];
    let mut found = Vec::new();
    for file in rust_files(&root().join("src")) {
        let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let n = text.matches("thread_local! {").count();
        if n > 0 && (!allowed.contains(&file) || n > 1) {
            found.push(format!("{}: {n} thread_local! block(s)", file.display()));
        }
    }
    assert!(found.is_empty(), "thread_local! state belongs in WorkerState or the client: {found:?}");
}
