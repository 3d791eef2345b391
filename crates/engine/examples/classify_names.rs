//! Prints the category of every kernel name read from stdin (one per line): a tool for
//! reviewing `catalog/categories.toml` against real names.
#![allow(clippy::print_stdout)]
use std::io::BufRead;
fn main() {
    let rules = &engine::catalog::Catalog::builtin().categories;
    for line in std::io::stdin().lock().lines().map_while(Result::ok) {
        let kind = if line.starts_with("Memcpy") {
            trace::model::GpuKind::Memcpy
        } else if line.starts_with("Memset") {
            trace::model::GpuKind::Memset
        } else {
            trace::model::GpuKind::Kernel
        };
        let c = rules.classify(kind, &line);
        let b = engine::names::base_name(&line);
        println!(
            "{:<14} {:<60} {}",
            c.label(),
            b.base.chars().take(60).collect::<String>(),
            line.chars().take(100).collect::<String>()
        );
    }
}
