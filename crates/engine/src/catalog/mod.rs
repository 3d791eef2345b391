//! The catalog: data the engine embeds at compile time from `catalog/` (kernel category
//! rules, fuse patterns, and the fuse/overlap reference entries a report row links to),
//! parsed once and validated by tests. A user may add a catalog file of their own (fuse
//! patterns and reference entries, [`Catalog::add_file`]): that is input, so parsing it
//! returns errors naming the file, the entry and the reason, and never panics.

pub mod categories;
pub mod fuse;
pub mod gpus;
pub mod inductor;
pub mod lookup;
pub mod profiles;
pub mod reference;
pub(crate) mod tokens;
pub mod wrappers;

use std::sync::OnceLock;

use serde::Deserialize;

use crate::catalog::categories::CategoryRules;
pub use fuse::Pattern;
pub use gpus::{GpuSpec, GpuSpecs, PeakDtype, Peaks};
pub use lookup::EntryView;
pub use profiles::{Profile, Profiles};
pub use reference::Entry;

/// The embedded category rules.
const CATEGORIES: &str = include_str!("../../../../catalog/categories.toml");
const WRAPPERS: &str = include_str!("../../../../catalog/wrappers.toml");

/// The embedded pattern and reference files, in load order: `(name, text)`.
/// Reference files load first so the patterns' `refs` resolve.
pub const PATTERN_FILES: &[(&str, &str)] = &[
    ("catalog/fuse-reference.toml", include_str!("../../../../catalog/fuse-reference.toml")),
    ("catalog/fuse-vllm-compile.toml", include_str!("../../../../catalog/fuse-vllm-compile.toml")),
    ("catalog/overlap-reference.toml", include_str!("../../../../catalog/overlap-reference.toml")),
    ("catalog/fuse.toml", include_str!("../../../../catalog/fuse.toml")),
];

/// Why a catalog file could not be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CatalogError {
    /// Not valid TOML, or not the expected shape.
    #[error("{file}: {reason}")]
    Toml {
        /// File name as given.
        file: String,
        /// The parser's message.
        reason: String,
    },
    /// A pattern that does not compile.
    #[error("{file}: {entry}: pattern {pattern:?} is not a valid regular expression: {reason}")]
    BadPattern {
        /// File name as given.
        file: String,
        /// Which entry.
        entry: String,
        /// The pattern text.
        pattern: String,
        /// The compiler's message.
        reason: String,
    },
    /// An entry that parses but makes no sense (no condition, duplicate id, …).
    #[error("{file}: {entry}: {reason}")]
    Invalid {
        /// File name as given.
        file: String,
        /// Which entry.
        entry: String,
        /// What is wrong.
        reason: String,
    },
}

/// A TOML error on one line: `line L, column C (pattern 2, id `x`): message`.
fn toml_reason(text: &str, e: &toml::de::Error) -> String {
    let message = e.message().trim().replace('\n', " ");
    let Some(span) = e.span() else { return message };
    let before = text.get(..span.start).unwrap_or("");
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    // The table the error sits in: the last `[[pattern]]` / `[[entry]]` header at or before it.
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let upto = text
        .get(..text.get(line_start..).and_then(|r| r.find('\n')).map_or(text.len(), |i| line_start + i))
        .unwrap_or("");
    let mut table: Option<(String, usize, usize)> = None;
    let (mut patterns, mut entries) = (0, 0);
    for (i, l) in upto.lines().enumerate() {
        match l.trim() {
            "[[pattern]]" => {
                patterns += 1;
                table = Some(("pattern".to_owned(), patterns, i));
            }
            "[[entry]]" => {
                entries += 1;
                table = Some(("entry".to_owned(), entries, i));
            }
            _ => {}
        }
    }
    let Some((kind, n, header)) = table else { return format!("line {line}, column {column}: {message}") };
    let id = text
        .lines()
        .skip(header + 1)
        .take_while(|l| !l.trim_start().starts_with("[["))
        .find_map(|l| l.trim().strip_prefix("id").map(str::trim).and_then(|r| r.strip_prefix('=')))
        .map(|v| v.trim().trim_matches(['"', '\'']).to_owned());
    match id {
        Some(id) => format!("line {line}, column {column} ({kind} {n}, id `{id}`): {message}"),
        None => format!("line {line}, column {column} ({kind} {n}): {message}"),
    }
}

/// Everything the analyses look up.
#[derive(Debug)]
pub struct Catalog {
    /// Kernel category rules, in order.
    pub categories: CategoryRules,
    /// Fuse patterns, in file order (the stable tie-break of conflict resolution).
    pub patterns: Vec<Pattern>,
    /// Reference entries (fused and overlap families, toggles, compile passes).
    pub entries: Vec<Entry>,
    /// Files that contributed patterns or entries, in load order.
    pub files: Vec<String>,
    /// Python frames that never count as a kernel's launching location.
    pub wrappers: wrappers::Wrappers,
}

/// The top level of a pattern/reference file.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PatternFile {
    #[serde(default)]
    pattern: Vec<fuse::PatternSpec>,
    #[serde(default)]
    entry: Vec<reference::EntrySpec>,
    #[serde(default)]
    wrapper: Vec<wrappers::WrapperSpec>,
}

impl Catalog {
    /// The catalog compiled into the binary.
    ///
    /// # Panics
    /// Never in a tested build: the embedded files are validated by the catalog tests, so a
    /// failure here is a bug in the repository, not in user input.
    #[must_use]
    #[allow(clippy::expect_used)]
    pub fn builtin() -> &'static Catalog {
        static CATALOG: OnceLock<Catalog> = OnceLock::new();
        CATALOG.get_or_init(|| {
            Catalog::from_builtin_files().expect("the embedded catalog is validated by tests")
        })
    }

    /// Parses the embedded files (what [`Catalog::builtin`] caches).
    ///
    /// # Errors
    /// When an embedded file is invalid (caught by the catalog tests).
    pub fn from_builtin_files() -> Result<Catalog, CatalogError> {
        let mut catalog = Catalog {
            categories: CategoryRules::parse("catalog/categories.toml", CATEGORIES)?,
            patterns: Vec::new(),
            entries: Vec::new(),
            files: Vec::new(),
            wrappers: wrappers::Wrappers::parse("catalog/wrappers.toml", WRAPPERS)?,
        };
        for (name, text) in PATTERN_FILES {
            catalog.add_file(name, text)?;
        }
        Ok(catalog)
    }

    /// The built-in catalog plus a user's file (`--catalog FILE` in the CLI, a chosen file
    /// in the browser).
    ///
    /// # Errors
    /// When the built-in files or the user's file are invalid; the error names the file,
    /// the entry and the reason.
    pub fn builtin_with(file: &str, text: &str) -> Result<Catalog, CatalogError> {
        let mut catalog = Catalog::from_builtin_files()?;
        catalog.add_file(file, text)?;
        Ok(catalog)
    }

    /// Adds the `[[pattern]]` and `[[entry]]` tables of a file. Nothing is added when the
    /// file has an error.
    ///
    /// # Errors
    /// When the TOML does not parse or has unknown keys, an id is not kebab-case or is
    /// already taken, a signal does not compile, or a `subsumes`/`refs` id names nothing.
    pub fn add_file(&mut self, file: &str, text: &str) -> Result<(), CatalogError> {
        let spec: PatternFile = toml::from_str(text)
            .map_err(|e| CatalogError::Toml { file: file.to_owned(), reason: toml_reason(text, &e) })?;
        let patterns = spec.pattern.into_iter().map(|p| p.compile(file)).collect::<Result<Vec<_>, _>>()?;
        let entries = spec.entry.into_iter().map(|e| e.compile(file)).collect::<Result<Vec<_>, _>>()?;
        let mut ids: Vec<&str> = self
            .patterns
            .iter()
            .map(|p| p.id.as_str())
            .chain(self.entries.iter().map(|e| e.id.as_str()))
            .collect();
        crate::order::sort_by(&mut ids, Ord::cmp);
        let mut new_ids: Vec<(&str, String)> = patterns
            .iter()
            .map(|p| (p.id.as_str(), format!("pattern `{}`", p.id)))
            .chain(entries.iter().map(|e| (e.id.as_str(), format!("entry `{}`", e.id))))
            .collect();
        crate::order::sort_by(&mut new_ids, Ord::cmp);
        for pair in new_ids.windows(2) {
            if let [(a, entry), (b, _)] = pair
                && a == b
            {
                return Err(CatalogError::Invalid {
                    file: file.to_owned(),
                    entry: entry.clone(),
                    reason: format!("id `{a}` is used twice in this file"),
                });
            }
        }
        for (id, entry) in &new_ids {
            if ids.binary_search(id).is_ok() {
                return Err(CatalogError::Invalid {
                    file: file.to_owned(),
                    entry: entry.clone(),
                    reason: format!("id `{id}` is already used by the catalog"),
                });
            }
        }
        // Cross-references: `subsumes` names patterns, `refs` names entries (old or new).
        for p in &patterns {
            let bad = |reason: String| CatalogError::Invalid {
                file: file.to_owned(),
                entry: format!("pattern `{}`", p.id),
                reason,
            };
            for s in &p.subsumes {
                let known = self.patterns.iter().chain(&patterns).any(|q| &q.id == s);
                if !known || s == &p.id {
                    return Err(bad(format!("`subsumes` names `{s}`, which is not another pattern")));
                }
            }
            for r in &p.refs {
                if !self.entries.iter().chain(&entries).any(|e| &e.id == r) {
                    return Err(bad(format!("`refs` names `{r}`, which is not a reference entry")));
                }
            }
        }
        self.wrappers.add(file, spec.wrapper)?;
        self.patterns.extend(patterns);
        self.entries.extend(entries);
        self.files.push(file.to_owned());
        Ok(())
    }

    /// A pattern by id.
    #[must_use]
    pub fn pattern(&self, id: &str) -> Option<&Pattern> {
        self.patterns.iter().find(|p| p.id == id)
    }

    /// A reference entry by id.
    #[must_use]
    pub fn reference(&self, id: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_catalog_parses() {
        let c = Catalog::from_builtin_files().expect("valid");
        assert!(c.categories.len() > 10);
    }

    #[test]
    fn bad_user_files_give_errors() {
        let e = CategoryRules::parse("mine.toml", "[[rule]]\ncategory = \"gemm\"\nbase = ['(']")
            .expect_err("bad regex");
        assert!(matches!(e, CatalogError::BadPattern { .. }), "{e}");
        assert!(e.to_string().starts_with("mine.toml: rule 1: pattern"), "{e}");
        let e = CategoryRules::parse("mine.toml", "[[rule]]\ncategory = \"nope\"\nbase = ['x']")
            .expect_err("bad category");
        assert!(matches!(e, CatalogError::Toml { .. }), "{e}");
        let e = CategoryRules::parse("mine.toml", "[[rule]]\ncategory = \"gemm\"").expect_err("no condition");
        assert!(e.to_string().contains("needs `base` or `inner`"), "{e}");
        let e = CategoryRules::parse("mine.toml", "not toml [").expect_err("syntax");
        assert!(matches!(e, CatalogError::Toml { .. }));
    }
}
