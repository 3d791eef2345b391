//! Fuse patterns of a stage pair: each pattern either side lists, with its state on both
//! sides, so the diff says when a fused path went from missing to in use (or back).

use serde::{Deserialize, Serialize};

use crate::StageReport;
use engine::catalog::fuse::Origin;
use engine::results::fuse::{FuseRow, FuseState};

/// One side of a fuse pattern in a diff.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FuseSide {
    /// In use, missing, partly or upstream.
    pub state: FuseState,
    /// Σ GPU time of the related kernels, ns.
    pub gpu_ns: i64,
    /// The fused path's share of that time, %.
    pub fused_pct: f64,
}

/// A fuse pattern listed by A, B or both.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FuseDiff {
    /// Catalog id.
    pub id: String,
    /// Display name.
    pub pattern: String,
    /// Where the fused path lives (mainline, upstream, in flight).
    pub origin: Origin,
    /// A's row (`None`: A does not list the pattern).
    pub a: Option<FuseSide>,
    /// B's row.
    pub b: Option<FuseSide>,
}

impl FuseDiff {
    /// Whether the state differs between A and B (a pattern one side does not list counts
    /// as changed).
    #[must_use]
    pub fn changed(&self) -> bool {
        self.a.as_ref().map(|s| s.state) != self.b.as_ref().map(|s| s.state)
    }
}

fn side(row: &FuseRow) -> FuseSide {
    FuseSide { state: row.state, gpu_ns: row.gpu_ns, fused_pct: row.fused_pct() }
}

/// Every pattern either stage lists: changed states first, then by the larger GPU time,
/// then by id.
#[must_use]
pub fn fuse_rows(sa: &StageReport, sb: &StageReport) -> Vec<FuseDiff> {
    let mut out: Vec<FuseDiff> = sa
        .fuse
        .rows
        .iter()
        .map(|r| FuseDiff {
            id: r.id.clone(),
            pattern: r.pattern.clone(),
            origin: r.origin,
            a: Some(side(r)),
            b: sb.fuse.rows.iter().find(|x| x.id == r.id).map(side),
        })
        .collect();
    for r in sb.fuse.rows.iter().filter(|r| !sa.fuse.rows.iter().any(|x| x.id == r.id)) {
        out.push(FuseDiff {
            id: r.id.clone(),
            pattern: r.pattern.clone(),
            origin: r.origin,
            a: None,
            b: Some(side(r)),
        });
    }
    let most = |d: &FuseDiff| d.a.as_ref().map_or(0, |s| s.gpu_ns).max(d.b.as_ref().map_or(0, |s| s.gpu_ns));
    engine::order::sort_by(&mut out, |x, y| {
        y.changed().cmp(&x.changed()).then(most(y).cmp(&most(x))).then_with(|| x.id.cmp(&y.id))
    });
    out
}
