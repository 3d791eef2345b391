//! Kernel category rules: ordered rules from `catalog/categories.toml` applied to the
//! demangled base name (see [`crate::names::base_name`]), so text inside template or
//! argument lists cannot leak into the decision unless a rule asks for it explicitly.

use regex_lite::Regex;
use serde::Deserialize;

use super::CatalogError;
use super::inductor;
use crate::names;
use crate::vocab::Category;
use trace::model::GpuKind;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    #[serde(default, rename = "rule")]
    rules: Vec<RuleSpec>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleSpec {
    category: Category,
    #[serde(default)]
    base: Vec<String>,
    #[serde(default)]
    inner: Vec<String>,
    #[serde(default)]
    unless: Vec<String>,
    #[serde(default)]
    note: Option<String>,
}

struct Rule {
    category: Category,
    base: Vec<Regex>,
    inner: Vec<Regex>,
    unless: Vec<Regex>,
}

/// The ordered category rules.
pub struct CategoryRules {
    rules: Vec<Rule>,
}

impl core::fmt::Debug for CategoryRules {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("CategoryRules").field("rules", &self.rules.len()).finish()
    }
}

fn compile(file: &str, index: usize, patterns: &[String]) -> Result<Vec<Regex>, CatalogError> {
    patterns
        .iter()
        .map(|p| {
            Regex::new(&format!("(?i){p}")).map_err(|e| CatalogError::BadPattern {
                file: file.to_owned(),
                entry: format!("rule {}", index + 1),
                pattern: p.clone(),
                reason: e.to_string(),
            })
        })
        .collect()
}

impl CategoryRules {
    /// Parses a rules file (`[[rule]]` tables).
    ///
    /// # Errors
    /// When the TOML is invalid, a category is unknown, a rule has no condition, or a
    /// pattern is not a valid regular expression.
    pub fn parse(file: &str, text: &str) -> Result<Self, CatalogError> {
        let spec: RuleFile = toml::from_str(text)
            .map_err(|e| CatalogError::Toml { file: file.to_owned(), reason: e.to_string() })?;
        let mut rules = Vec::with_capacity(spec.rules.len());
        for (i, r) in spec.rules.into_iter().enumerate() {
            if r.base.is_empty() && r.inner.is_empty() {
                return Err(CatalogError::Invalid {
                    file: file.to_owned(),
                    entry: format!("rule {}", i + 1),
                    reason: "a rule needs `base` or `inner` patterns".into(),
                });
            }
            let _ = r.note;
            rules.push(Rule {
                category: r.category,
                base: compile(file, i, &r.base)?,
                inner: compile(file, i, &r.inner)?,
                unless: compile(file, i, &r.unless)?,
            });
        }
        Ok(CategoryRules { rules })
    }

    /// Number of rules.
    #[must_use]
    pub fn len(&self) -> usize {
        self.rules.len()
    }

    /// Whether there are no rules.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// The category of a GPU activity. Copies and fills are [`Category::Memory`];
    /// kernels go through the rules, first match wins, [`Category::Other`] otherwise.
    #[must_use]
    pub fn classify(&self, kind: GpuKind, name: &str) -> Category {
        match kind {
            GpuKind::Memcpy | GpuKind::Memset => return Category::Memory,
            GpuKind::Sync => return Category::Other,
            GpuKind::Kernel => {}
        }
        let split = names::base_name(name);
        self.classify_base(&split.base, &split.inner)
    }

    /// Applies the rules to an already split name. A torch.compile (Inductor) kernel is
    /// decided by the operators its name lists first ([`inductor::category`]), the rules
    /// only when those say nothing.
    #[must_use]
    pub fn classify_base(&self, base: &str, inner: &str) -> Category {
        let (base, inner) = (names::looked_at(base), names::looked_at(inner));
        if let Some(category) = names::inductor::parse(base).and_then(|f| inductor::category(&f)) {
            return category;
        }
        for rule in &self.rules {
            let base_ok = rule.base.is_empty() || rule.base.iter().any(|r| r.is_match(base));
            let inner_ok = rule.inner.is_empty() || rule.inner.iter().any(|r| r.is_match(inner));
            if base_ok && inner_ok && !rule.unless.iter().any(|r| r.is_match(base)) {
                return rule.category;
            }
        }
        Category::Other
    }
}
