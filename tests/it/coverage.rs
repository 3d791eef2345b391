//! Category coverage as a test: `tests/data/kernel-categories.tsv` holds every distinct
//! kernel name with at least 0.1% of the GPU time of a corpus trace (every trace under
//! the corpus directory, `capture/` included), each with the category it must get,
//! reviewed by hand. The test fails on a missing row, a stale row, or any disagreement,
//! and on a trace where kernels no rule knows (`other`) hold 1% of the GPU time or more.
//!
//! After a change of rules or corpus, `TRACETRIAGE_BLESS_CATEGORIES=1 cargo test --test it
//! coverage` rewrites the table with the categories the rules give now; review the diff
//! line by line before committing it (the table is the reviewed truth, not a snapshot).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use report::engine::analysis::census::Census;
use report::engine::catalog::Catalog;
use report::engine::vocab::Category;

use crate::common;

/// Kernels at or above this share of a trace's GPU time are in the table, %.
const MIN_SHARE_PCT: f64 = 0.1;
/// `other` must stay below this share of every trace's GPU time, %.
const MAX_OTHER_PCT: f64 = 1.0;

fn table_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/kernel-categories.tsv")
}

/// Every `*.json.gz` trace under the corpus directory (`capture/…/graph_execution.json.gz`
/// included), recursively, sorted by path.
fn corpus_traces() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.to_string_lossy().ends_with(".json.gz") {
                out.push(p);
            }
        }
    }
    let mut out = Vec::new();
    walk(&common::traces_dir(), &mut out);
    out.sort();
    out
}

/// The trace's path relative to the corpus directory, with `/` separators.
fn key(path: &Path) -> String {
    let rel = path.strip_prefix(common::traces_dir()).unwrap_or(path);
    rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/")
}

fn census(path: &Path) -> Census {
    let trace = report::trace::load(&common::read(path)).unwrap();
    Census::of(&trace, &Catalog::builtin().categories)
}

fn parse_category(label: &str) -> Option<Category> {
    Category::ALL.into_iter().find(|c| c.label() == label)
}

/// (trace, name) → category, from the checked-in table.
fn read_table() -> BTreeMap<(String, String), Category> {
    let text = std::fs::read_to_string(table_path()).unwrap_or_default();
    let mut out = BTreeMap::new();
    for (n, line) in text.lines().enumerate() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let mut cols = line.splitn(3, '\t');
        let (Some(file), Some(cat), Some(name)) = (cols.next(), cols.next(), cols.next()) else {
            panic!("kernel-categories.tsv line {}: want trace<TAB>category<TAB>name", n + 1);
        };
        let cat = parse_category(cat)
            .unwrap_or_else(|| panic!("kernel-categories.tsv line {}: unknown category `{cat}`", n + 1));
        let old = out.insert((file.to_owned(), name.to_owned()), cat);
        assert!(old.is_none(), "kernel-categories.tsv line {}: a second row for the name", n + 1);
    }
    out
}

fn write_table(rows: &[(String, Category, String, f64)]) {
    let mut text = String::from(
        "# Every kernel name with >= 0.1% of the GPU time of a corpus trace and the category it\n\
         # must get (reviewed by hand; checked by tests/it/coverage.rs). Columns: trace (relative\n\
         # to the corpus directory), category, the name exactly as the trace writes it.\n",
    );
    for (file, cat, name, _) in rows {
        let _ = writeln!(text, "{file}\t{}\t{name}", cat.label());
    }
    std::fs::create_dir_all(table_path().parent().unwrap()).unwrap();
    std::fs::write(table_path(), text).unwrap();
}

#[test]
fn every_corpus_kernel_above_a_tenth_of_a_percent_has_its_labelled_category() {
    testkit::needs_corpus!();
    let traces = corpus_traces();
    assert!(traces.len() >= 14, "the corpus holds {} traces", traces.len());
    let table = read_table();
    let mut seen = Vec::new();
    let mut wrong = Vec::new();
    let mut others = Vec::new();
    let mut summary = String::new();
    for path in &traces {
        let file = key(path);
        let census = census(path);
        let other_ns: i64 = census.unknown().map(|r| r.gpu_ns).sum();
        let other_pct =
            if census.total_ns > 0 { other_ns as f64 * 100.0 / census.total_ns as f64 } else { 0.0 };
        let _ = writeln!(summary, "{other_pct:>7.3}%  {file}");
        if other_pct >= MAX_OTHER_PCT {
            others.push(format!("  {file}: other {other_pct:.2}%"));
        }
        for row in census.rows.iter().filter(|r| census.share_pct(r) >= MIN_SHARE_PCT) {
            let share = census.share_pct(row);
            seen.push((file.clone(), row.category, row.name.clone(), share));
            match table.get(&(file.clone(), row.name.clone())) {
                None => wrong.push(format!(
                    "  missing  {file} {share:.2}% got {}: {}",
                    row.category.label(),
                    row.name
                )),
                Some(&want) if want != row.category => wrong.push(format!(
                    "  want {} got {}  {file} {share:.2}%: {}",
                    want.label(),
                    row.category.label(),
                    row.name
                )),
                Some(_) => {}
            }
        }
    }
    println!("share of GPU time in `other` per trace:\n{summary}");
    if std::env::var_os("TRACETRIAGE_BLESS_CATEGORIES").is_some() {
        write_table(&seen);
        return;
    }
    let keys: std::collections::BTreeSet<(String, String)> =
        seen.iter().map(|(f, _, n, _)| (f.clone(), n.clone())).collect();
    for (file, name) in table.keys().filter(|k| !keys.contains(*k)) {
        wrong.push(format!("  stale    {file}: {name} (not a name with >= {MIN_SHARE_PCT}% there)"));
    }
    assert!(
        wrong.is_empty(),
        "{} disagreements with kernel-categories.tsv:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    assert!(others.is_empty(), "`other` holds >= {MAX_OTHER_PCT}% of GPU time:\n{}", others.join("\n"));
}
