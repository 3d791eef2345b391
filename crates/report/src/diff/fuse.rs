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
    /// Whether both sides list the pattern, in different states.
    #[must_use]
    pub fn changed(&self) -> bool {
        matches!((&self.a, &self.b), (Some(a), Some(b)) if a.state != b.state)
    }

    /// Whether only one side lists the pattern.
    #[must_use]
    pub fn one_sided(&self) -> bool {
        self.a.is_none() || self.b.is_none()
    }
}

fn side(row: &FuseRow) -> FuseSide {
    FuseSide { state: row.state, gpu_ns: row.gpu_ns, fused_pct: row.fused_pct() }
}

/// Every pattern either stage lists: changed states first, then patterns one side lists,
/// then the unchanged; by the larger GPU time, then by id.
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
        (y.changed(), y.one_sided())
            .cmp(&(x.changed(), x.one_sided()))
            .then(most(y).cmp(&most(x)))
            .then_with(|| x.id.cmp(&y.id))
    });
    out
}
