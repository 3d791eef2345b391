//! A catalog entry as text: what the browser's side panel says about the fuse pattern or
//! reference entry behind a table row ([`engine::catalog::EntryView`], from
//! `Catalog::entry`).

use engine::catalog::EntryView;
use engine::catalog::lookup::{SignalsView, framework_label};

/// The line under the entry's name: kind, framework, status and the source catalog's id
/// when it has one, `fuse-pattern · SGLang · mainline · F1.01`.
#[must_use]
pub fn entry_meta(e: &EntryView) -> String {
    let mut line = format!("{} · {} · {}", e.kind, framework_label(&e.framework), e.status);
    if let Some(s) = &e.source_id {
        line.push_str(&format!(" · {s}"));
    }
    line
}

/// One signal set after its label: the match mode and the signals of each kind that has
/// any, `(any): kernel: fused_add_rmsnorm; CPU op: sgl_kernel::rmsnorm; Python: layernorm.py`.
#[must_use]
pub fn signals_line(s: &SignalsView) -> String {
    let mut parts = Vec::new();
    for (kind, signals) in [("kernel", &s.kernel), ("CPU op", &s.cpu_op), ("Python", &s.python)] {
        if !signals.is_empty() {
            parts.push(format!("{kind}: {}", signals.join(", ")));
        }
    }
    format!("({}): {}", s.mode, parts.join("; "))
}

/// What the panel says when the catalog has no entry `id`.
#[must_use]
pub fn missing_entry(id: &str) -> String {
    format!("No catalog entry {id}.")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(source_id: Option<&str>) -> EntryView {
        EntryView {
            id: "fused-add-rmsnorm".to_owned(),
            kind: "fuse-pattern".to_owned(),
            name: "Fused add + RMSNorm".to_owned(),
            framework: "sglang".to_owned(),
            status: "mainline".to_owned(),
            source_id: source_id.map(str::to_owned),
            section: None,
            signals: Vec::new(),
            hints: Vec::new(),
            gates: Vec::new(),
            paths: Vec::new(),
            prs: Vec::new(),
            rationale: None,
            related: Vec::new(),
        }
    }

    fn signals(kernel: &[&str], cpu_op: &[&str], python: &[&str]) -> SignalsView {
        let own = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect();
        SignalsView {
            label: "fused path".to_owned(),
            kernel: own(kernel),
            cpu_op: own(cpu_op),
            python: own(python),
            mode: "any".to_owned(),
        }
    }

    #[test]
    fn meta_line_names_framework_and_source() {
        assert_eq!(entry_meta(&entry(Some("F1.01"))), "fuse-pattern · SGLang · mainline · F1.01");
        assert_eq!(entry_meta(&entry(None)), "fuse-pattern · SGLang · mainline");
    }

    #[test]
    fn signals_line_lists_kinds_with_signals() {
        assert_eq!(
            signals_line(&signals(
                &["fused_add_rmsnorm", "rmsnorm"],
                &["sgl_kernel::rmsnorm"],
                &["layernorm.py"]
            )),
            "(any): kernel: fused_add_rmsnorm, rmsnorm; CPU op: sgl_kernel::rmsnorm; Python: layernorm.py"
        );
        assert_eq!(signals_line(&signals(&[], &["aten::add"], &[])), "(any): CPU op: aten::add");
        assert_eq!(missing_entry("x"), "No catalog entry x.");
    }
}
