//! The CI gate of a diff (`tracetriage diff A B --fail-above PCT`): does B regress on any
//! compared stage by more than a threshold, in one metric?
//!
//! Per compared stage pair, the metric's figure of A and of B (busy time, wall time or
//! Σ kernel time, from the stage summaries the diff already holds) gives a relative change
//! `(B − A) / A`. The gate fails when that change is **strictly more** than the threshold
//! on any stage; a stage whose A figure is zero while B's is not grew by more than any
//! percentage and fails it too. Stages present on one side only are not compared: the
//! verdict names them and they never count as a regression. Pure: the CLI turns a failed
//! gate into its exit status.

use serde::{Deserialize, Serialize};

use super::{Diff, StageFigures};
use crate::format;

/// The stage figure a gate compares.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Metric {
    /// Time the GPU was busy in the stage (the stage summary's `busy_ns`).
    #[default]
    Busy,
    /// GPU wall time of the stage's steps (`span_ns`).
    Wall,
    /// Σ GPU activity durations (`kernel_ns`).
    KernelTime,
}

impl Metric {
    /// The words the verdict uses: `busy time`, `wall time`, `kernel time`.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Metric::Busy => "busy time",
            Metric::Wall => "wall time",
            Metric::KernelTime => "kernel time",
        }
    }

    /// The metric's figure, ns.
    #[must_use]
    pub fn of(self, f: &StageFigures) -> i64 {
        match self {
            Metric::Busy => f.busy_ns,
            Metric::Wall => f.span_ns,
            Metric::KernelTime => f.kernel_ns,
        }
    }
}

/// One compared stage under the gate.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StageChange {
    /// The stage pair's label (`decode`, `all (A) vs decode (B)`).
    pub label: String,
    /// A's figure, ns.
    pub a_ns: i64,
    /// B's figure, ns.
    pub b_ns: i64,
    /// `(B − A) / A`, percent; `None` when A's figure is zero (no percentage).
    pub change_pct: Option<f64>,
    /// Whether this stage regressed by more than the threshold.
    pub regressed: bool,
}

/// The gate's result over a whole diff.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Gate {
    /// The figure compared.
    pub metric: Metric,
    /// The threshold, percent: a stage fails when its change is more than this.
    pub threshold_pct: f64,
    /// Every compared stage, in the diff's order.
    pub stages: Vec<StageChange>,
    /// A's stages with no counterpart in B (not compared, never a regression).
    pub only_a: Vec<String>,
    /// B's stages with no counterpart in A.
    pub only_b: Vec<String>,
}

/// Puts every compared stage of `diff` under the gate: `metric` must not grow by more
/// than `threshold_pct` percent from A to B.
#[must_use]
pub fn gate(diff: &Diff, metric: Metric, threshold_pct: f64) -> Gate {
    let stages = diff
        .stages
        .iter()
        .map(|s| {
            let (a_ns, b_ns) = (metric.of(&s.summary.a), metric.of(&s.summary.b));
            let grew = b_ns.saturating_sub(a_ns);
            let (change_pct, regressed) = if a_ns > 0 {
                // `grew · 100 > threshold · a` is `grew / a > threshold %` without the
                // rounding of a division, so a change of exactly the threshold passes.
                let regressed = grew as f64 * 100.0 > threshold_pct * a_ns as f64;
                (Some(grew as f64 * 100.0 / a_ns as f64), regressed)
            } else {
                (None, b_ns > 0)
            };
            StageChange { label: s.label.clone(), a_ns, b_ns, change_pct, regressed }
        })
        .collect();
    Gate { metric, threshold_pct, stages, only_a: diff.unpaired_a.clone(), only_b: diff.unpaired_b.clone() }
}

impl Gate {
    /// Whether B regressed by more than the threshold on some stage.
    #[must_use]
    pub fn failed(&self) -> bool {
        self.stages.iter().any(|s| s.regressed)
    }

    /// The stage with the largest relative growth (a stage growing from zero first), if
    /// any stage was compared.
    #[must_use]
    pub fn worst(&self) -> Option<&StageChange> {
        let key = |s: &StageChange| match s.change_pct {
            None if s.b_ns > 0 => f64::INFINITY,
            None => 0.0,
            Some(p) => p,
        };
        self.stages.iter().reduce(|best, s| if key(s) > key(best) { s } else { best })
    }

    /// The one-line verdict: `regression: …` when the gate failed, else
    /// `within threshold: …`, with the stages that were not compared.
    #[must_use]
    pub fn verdict(&self) -> String {
        let (metric, limit) = (self.metric.label(), threshold(self.threshold_pct));
        let mut text = if self.stages.is_empty() {
            format!(
                "within threshold: nothing was compared (no stage of A could be paired with a stage of B), so no {metric} grew more than {limit}"
            )
        } else if self.failed() {
            let failed: Vec<String> = self.stages.iter().filter(|s| s.regressed).map(change).collect();
            format!("regression: B's {metric} grew more than {limit} on {}", failed.join("; "))
        } else {
            let worst = self.worst().map(change).unwrap_or_default();
            let n = self.stages.len();
            let stages = if n == 1 {
                "the one compared stage".to_owned()
            } else {
                format!("any of the {n} compared stages")
            };
            format!(
                "within threshold: B's {metric} grew no more than {limit} on {stages} (largest change: {worst})"
            )
        };
        for (side, other, left) in [("A", "B", &self.only_a), ("B", "A", &self.only_b)] {
            if !left.is_empty() {
                text.push_str(&format!(
                    "; not compared: {side}'s {} (no counterpart in {other})",
                    left.join(", ")
                ));
            }
        }
        text
    }
}

/// `decode +12.3% (10.00 ms → 11.23 ms)`, or `decode from none to 1.20 ms`.
fn change(s: &StageChange) -> String {
    match s.change_pct {
        Some(p) => {
            format!("{} {} ({} → {})", s.label, format::delta_pct(p), format::ms(s.a_ns), format::ms(s.b_ns))
        }
        None if s.b_ns > 0 => format!("{} from none to {}", s.label, format::ms(s.b_ns)),
        None => format!("{} none on both sides", s.label),
    }
}

/// The threshold as given: `5%`, `2.5%`.
fn threshold(pct: f64) -> String {
    format!("{pct}%")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::{Rows, Side, StageDiff, SummaryDiff, Unlisted};
    use crate::triage::Mode;
    use engine::vocab::Stage;

    fn side() -> Side {
        Side {
            source: String::new(),
            inputs: Vec::new(),
            mode: Mode::SingleTrace,
            framework: "SGLang".into(),
            model: None,
            gpu: None,
            min_share_pct: 0.0,
            stages: Vec::new(),
        }
    }

    /// A stage pair whose busy, wall and kernel time are `a` on A's side and `b` on B's.
    fn stage(stage: Stage, a: i64, b: i64) -> StageDiff {
        let fig = |ns: i64| StageFigures {
            span_ns: ns * 2,
            busy_ns: ns,
            kernel_ns: ns * 3,
            ..StageFigures::default()
        };
        StageDiff {
            stage,
            b_stage: stage,
            label: stage.label().to_owned(),
            a_label: stage.label().to_owned(),
            b_label: stage.label().to_owned(),
            summary: SummaryDiff { a: fig(a), b: fig(b), delta: StageFigures::default() },
            bubbles: Vec::new(),
            categories: Vec::new(),
            families: rows(),
            kernels: rows(),
            only_a: rows(),
            only_b: rows(),
            unlisted: Unlisted::default(),
            notes: Vec::new(),
            a_verdict: Default::default(),
            b_verdict: Default::default(),
            fuse: Vec::new(),
        }
    }

    fn rows<T>() -> Rows<T> {
        Rows { rows: Vec::new(), omitted: 0, omitted_a_ns: 0, omitted_b_ns: 0 }
    }

    fn diff(stages: Vec<StageDiff>) -> Diff {
        Diff {
            a: side(),
            b: side(),
            top: 20,
            stages,
            unpaired_a: Vec::new(),
            unpaired_b: Vec::new(),
            notes: Vec::new(),
        }
    }

    #[test]
    fn more_than_the_threshold_fails_exactly_the_threshold_passes() {
        let d = diff(vec![
            stage(Stage::Prefill, 1_000_000, 1_050_000),
            stage(Stage::Decode, 1_000_000, 1_100_000),
        ]);
        let at = gate(&d, Metric::Busy, 10.0);
        assert!(!at.failed(), "+10% is not more than 10%: {at:?}");
        assert_eq!(at.stages[1].change_pct, Some(10.0));
        let v = at.verdict();
        assert!(v.starts_with("within threshold: "), "{v}");
        assert!(v.contains("decode +10.0% (1.00 ms → 1.10 ms)"), "{v}");

        let over = gate(&d, Metric::Busy, 9.99);
        assert!(over.failed());
        assert_eq!(over.stages.iter().map(|s| s.regressed).collect::<Vec<_>>(), [false, true]);
        let v = over.verdict();
        assert!(
            v.starts_with(
                "regression: B's busy time grew more than 9.99% on decode +10.0% (1.00 ms → 1.10 ms)"
            ),
            "{v}"
        );
        assert!(!v.contains("extend"), "{v}");
        assert!(gate(&d, Metric::Busy, 4.9).stages.iter().all(|s| s.regressed));
        // A faster B never fails, whatever the threshold.
        let faster = diff(vec![stage(Stage::Decode, 1_000_000, 500_000)]);
        assert!(!gate(&faster, Metric::Busy, 0.0).failed());
    }

    #[test]
    fn each_metric_reads_its_own_figure() {
        let d = diff(vec![stage(Stage::Decode, 1_000, 1_200)]);
        for (metric, a, b) in
            [(Metric::Busy, 1_000, 1_200), (Metric::Wall, 2_000, 2_400), (Metric::KernelTime, 3_000, 3_600)]
        {
            let g = gate(&d, metric, 5.0);
            assert_eq!((g.stages[0].a_ns, g.stages[0].b_ns), (a, b), "{metric:?}");
            assert!(g.failed() && g.verdict().contains(metric.label()), "{}", g.verdict());
        }
    }

    #[test]
    fn a_zero_baseline_has_no_percentage() {
        let d = diff(vec![stage(Stage::Prefill, 0, 0), stage(Stage::Decode, 0, 1_500_000)]);
        let g = gate(&d, Metric::Busy, 50.0);
        assert_eq!(g.stages[0].change_pct, None);
        assert!(!g.stages[0].regressed, "nothing on both sides is no change");
        assert!(g.stages[1].regressed, "time from nothing is more growth than any percentage");
        assert_eq!(g.worst().map(|s| s.label.as_str()), Some("decode"));
        let v = g.verdict();
        assert!(v.contains("decode from none to 1.50 ms"), "{v}");
        let only_zero = gate(&diff(vec![stage(Stage::Decode, 0, 0)]), Metric::Busy, 0.0);
        assert!(!only_zero.failed(), "{}", only_zero.verdict());
    }

    #[test]
    fn stages_on_one_side_only_are_named_and_never_fail() {
        let mut d = diff(vec![stage(Stage::Decode, 1_000, 1_000)]);
        d.unpaired_a = vec!["extend/prefill".into()];
        d.unpaired_b = vec!["mixed".into()];
        let g = gate(&d, Metric::Busy, 1.0);
        assert!(!g.failed());
        let v = g.verdict();
        assert!(v.starts_with("within threshold: "), "{v}");
        assert!(v.ends_with(
            "; not compared: A's extend/prefill (no counterpart in B); not compared: B's mixed (no counterpart in A)"
        ), "{v}");
        assert_eq!(v.lines().count(), 1);

        let none = gate(&diff(Vec::new()), Metric::Wall, 1.0);
        assert!(!none.failed());
        assert!(none.verdict().contains("nothing was compared"), "{}", none.verdict());
        assert_eq!(none.worst(), None);
    }
}
