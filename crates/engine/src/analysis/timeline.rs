//! Building a [`Timeline`] from a trace: lanes per device × stream, activities sorted per
//! lane with their category, canonical name and Python site; stages and steps from the
//! same split the report uses, so the timeline and the tables agree.

use rustc_hash::FxHashMap;

use crate::analysis::attribution::{self, Attribution};
use crate::analysis::kernels::NameCache;
use crate::analysis::overlap::{annotated_steps, busiest_step};
use crate::analysis::split::{self, StageOps};
use crate::analysis::stages::Windows;
use crate::catalog::Catalog;
use crate::catalog::categories::CategoryRules;
use crate::timeline::{Lane, StageSpan, StepSpan, Timeline, Window};
use crate::vocab::Stage;
use trace::model::{GpuKind, Sym, Trace};

impl Timeline {
    /// The timeline of a trace (`path` may name its stage, as in the triage).
    #[must_use]
    pub fn of(trace: &Trace, path: &str, catalog: &Catalog) -> Timeline {
        let attribution = attribution::attribute(trace);
        let (device, _) = split::primary_device(trace);
        let groups = split::split(trace, &attribution, device, crate::vocab::stage_from_path(path));
        Timeline::build(trace, &attribution, &groups, &catalog.categories)
    }

    /// The timeline from an attribution and the stage split already computed.
    #[must_use]
    pub fn build(
        trace: &Trace,
        attribution: &Attribution,
        groups: &[StageOps],
        rules: &CategoryRules,
    ) -> Timeline {
        let g = &trace.gpu;
        let mut cache = NameCache::new(rules);
        let primary =
            groups.iter().flat_map(|s| s.ops.first()).find_map(|&i| g.device.get(i as usize)).copied();
        let mut tl = Timeline { origin_ns: trace.time_span().map_or(0, |(s, _)| s), ..Timeline::default() };
        let mut names: FxHashMap<Sym, u32> = FxHashMap::default();
        let mut sites: FxHashMap<u32, u32> = FxHashMap::default();
        let mut site_text: FxHashMap<String, u32> = FxHashMap::default();
        let mut lane_of: FxHashMap<(i64, i64), usize> = FxHashMap::default();
        // (lane key, start, end, index) sorted gives lanes in order and activities sorted.
        let mut order: Vec<(i64, i64, i64, i64, u32)> = (0..g.len())
            .filter(|&i| g.kind.get(i).is_some_and(|&k| k != GpuKind::Sync))
            .filter_map(|i| {
                let s = *g.start_ns.get(i)?;
                Some((
                    *g.device.get(i)?,
                    *g.stream.get(i)?,
                    s,
                    s.saturating_add((*g.dur_ns.get(i)?).max(0)),
                    u32::try_from(i).ok()?,
                ))
            })
            .collect();
        order.sort_unstable();
        let devices = {
            let mut d: Vec<i64> = order.iter().map(|o| o.0).collect();
            d.dedup();
            d.len()
        };
        for &(device, stream, start, end, i) in &order {
            let lane = *lane_of.entry((device, stream)).or_insert_with(|| {
                tl.lanes.push(Lane {
                    device,
                    stream,
                    label: if devices > 1 {
                        format!("GPU {device} · stream {stream}")
                    } else {
                        format!("stream {stream}")
                    },
                    primary: Some(device) == primary,
                    ..Lane::default()
                });
                tl.lanes.len() - 1
            });
            let (canonical, category) = cache.of(trace, i as usize);
            let next = u32::try_from(tl.names.len()).unwrap_or(u32::MAX);
            let name = *names.entry(canonical).or_insert_with(|| {
                tl.names.push(cache.strings.get(canonical).to_owned());
                next
            });
            let site_id = attribution.site.get(i as usize).copied().unwrap_or(attribution::NONE);
            let site = match sites.get(&site_id) {
                Some(&s) => s,
                None => {
                    let s = site_label(attribution, site_id).map_or(u32::MAX, |text| {
                        let next = u32::try_from(tl.sites.len()).unwrap_or(u32::MAX);
                        *site_text.entry(text.clone()).or_insert_with(|| {
                            tl.sites.push(text);
                            next
                        })
                    });
                    sites.insert(site_id, s);
                    s
                }
            };
            let Some(l) = tl.lanes.get_mut(lane) else { continue };
            let max_end = l.max_end_ns.last().copied().unwrap_or(i64::MIN).max(end);
            l.start_ns.push(start);
            l.dur_ns.push(end - start);
            l.max_end_ns.push(max_end);
            l.category.push(category);
            l.name.push(name);
            l.site.push(site);
            l.gpu_ns += end - start;
            tl.end_ns = tl.end_ns.max(end);
        }
        let windows = Windows::of(trace);
        // `other` is work outside every stage window, not a window: no band for it.
        for group in groups.iter().filter(|g| g.stage != Stage::Other) {
            let steps = annotated_steps(trace, attribution, group, &windows);
            let (Some(start), Some(end)) =
                (steps.iter().map(|s| s.start_ns).min(), steps.iter().map(|s| s.end_ns).max())
            else {
                continue;
            };
            let busiest =
                busiest_step(&steps).map_or(Window::new(start, end), |s| Window::new(s.start_ns, s.end_ns));
            tl.stages.push(StageSpan {
                stage: group.stage,
                label: group.stage.label().to_owned(),
                start_ns: start,
                end_ns: end,
                steps: steps
                    .iter()
                    .map(|s| StepSpan {
                        name: if s.name.is_none() { String::new() } else { trace.str(s.name).to_owned() },
                        start_ns: s.start_ns,
                        end_ns: s.end_ns,
                        gpu_ns: s.gpu_ns,
                    })
                    .collect(),
                busiest,
            });
        }
        tl
    }
}

fn site_label(attribution: &Attribution, site: u32) -> Option<String> {
    let s = attribution.sites.get(site as usize)?;
    if s.location.is_none() {
        return None;
    }
    let mut text = attribution.strings.get(s.location).to_owned();
    if s.graph {
        text.push_str(" [graph]");
    }
    Some(text)
}
