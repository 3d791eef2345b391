//! The catalog: data the engine embeds at compile time from `catalog/` (kernel category
//! rules; fuse and overlap patterns and model profiles as their issues land), parsed once
//! and validated by tests. A user may add a catalog file of their own: that is input, so
//! parsing it returns errors and never panics.

use std::sync::OnceLock;

use crate::analysis::categories::CategoryRules;

/// The embedded category rules.
const CATEGORIES: &str = include_str!("../../../../catalog/categories.toml");

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

/// Everything the analyses look up.
#[derive(Debug)]
pub struct Catalog {
    /// Kernel category rules, in order.
    pub categories: CategoryRules,
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
        Ok(Catalog { categories: CategoryRules::parse("catalog/categories.toml", CATEGORIES)? })
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
