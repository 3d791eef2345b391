//! The kernel census of a trace: every distinct GPU activity name with its GPU time and
//! the category the rules give it, before any stage split or attribution. It is what
//! `tracetriage inspect --kernels` lists (the kernels no rule knows, `other`, first of
//! all) and what the labelled category table over the corpus is checked against.

use std::collections::HashMap;

use trace::Trace;
use trace::model::GpuKind;

use crate::catalog::categories::CategoryRules;
use crate::vocab::Category;

/// One distinct activity name.
#[derive(Clone, Debug, PartialEq)]
pub struct CensusRow {
    /// The name as the trace writes it.
    pub name: String,
    /// Kernel, copy or fill (the first kind seen under this name).
    pub kind: GpuKind,
    /// The category the rules give it ([`Category::Other`]: no rule knows it).
    pub category: Category,
    /// Its summed GPU time over every device, ns.
    pub gpu_ns: i64,
    /// How many times it ran.
    pub count: u64,
}

/// Every distinct kernel, copy and fill name of a trace (GPU-side waits are not work).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Census {
    /// The rows, most GPU time first, then by name.
    pub rows: Vec<CensusRow>,
    /// GPU time of all rows, ns.
    pub total_ns: i64,
}

impl Census {
    /// Counts a trace's GPU activity by name and classifies each name once.
    #[must_use]
    pub fn of(trace: &Trace, rules: &CategoryRules) -> Census {
        let mut index: HashMap<u32, usize> = HashMap::new();
        let mut rows: Vec<CensusRow> = Vec::new();
        let mut total_ns = 0i64;
        for i in 0..trace.gpu.len() {
            let kind = trace.gpu.kind[i];
            if kind == GpuKind::Sync {
                continue;
            }
            let dur = trace.gpu.dur_ns[i].max(0);
            total_ns += dur;
            let sym = trace.gpu.name[i];
            let slot = *index.entry(sym.0).or_insert_with(|| {
                let name = trace.str(sym).to_owned();
                rows.push(CensusRow {
                    category: rules.classify(kind, &name),
                    name,
                    kind,
                    gpu_ns: 0,
                    count: 0,
                });
                rows.len() - 1
            });
            if let Some(row) = rows.get_mut(slot) {
                row.gpu_ns += dur;
                row.count += 1;
            }
        }
        rows.sort_by(|a, b| b.gpu_ns.cmp(&a.gpu_ns).then_with(|| a.name.cmp(&b.name)));
        Census { rows, total_ns }
    }

    /// A row's share of the census' GPU time, %.
    #[must_use]
    pub fn share_pct(&self, row: &CensusRow) -> f64 {
        if self.total_ns > 0 {
            #[allow(clippy::cast_precision_loss)]
            let pct = row.gpu_ns as f64 * 100.0 / self.total_ns as f64;
            pct
        } else {
            0.0
        }
    }

    /// GPU time per category, most first (ties in display order); categories with no
    /// time are left out.
    #[must_use]
    pub fn by_category(&self) -> Vec<(Category, i64)> {
        let mut out: Vec<(Category, i64)> = Category::ALL
            .iter()
            .map(|&c| (c, self.rows.iter().filter(|r| r.category == c).map(|r| r.gpu_ns).sum()))
            .filter(|&(_, ns)| ns > 0)
            .collect();
        out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        out
    }

    /// The rows no rule knows (`other`), most GPU time first.
    pub fn unknown(&self) -> impl Iterator<Item = &CensusRow> {
        self.rows.iter().filter(|r| r.category == Category::Other)
    }
}
