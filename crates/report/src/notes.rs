//! Notes as sentences: every [`Note`] an analysis returns, written for the reader. The
//! one place their wording lives, so the CLI, the page and shared links say the same.

use engine::discover::file_name;
use engine::results::notes::Note;

use crate::format;

/// The sentence of a note.
#[must_use]
pub fn sentence(note: Note) -> String {
    match note {
        Note::NoMappingTraces => {
            "No mapping traces were given: only the formal traces' own launches attribute kernels".to_owned()
        }
        Note::MappingAttributesNothing => "The mapping traces have no eager kernel launch with a Python location, so they attribute nothing: capture them with CUDA graphs off and with_stack=True".to_owned(),
        Note::MappingTraces { launches, kernels, gpu_ns } => format!(
            "Mapping traces: {} eager launches of {} kernels ({} of GPU time) with a Python location attribute the formal traces' graph-replayed and unattributed kernels",
            format::count(launches),
            format::count(kernels),
            format::ms(gpu_ns)
        ),
        Note::OtherDevice { path, device, gpu_ns, followed } => format!(
            "{}: device {device} also ran {} of GPU work, not shown (the report follows device {followed}); triage per-rank traces for it",
            file_name(&path),
            format::ms(gpu_ns),
        ),
        Note::OtherDeviceNotCompared { path, device, gpu_ns, followed } => format!(
            "{}: device {device} also ran {} of GPU work, not compared (the report follows device {followed})",
            file_name(&path),
            format::ms(gpu_ns),
        ),
        Note::NoGpuActivity { path, mapping, cut } => {
            let what = match (cut, mapping) {
                (true, _) => "the file ends before any GPU event",
                (false, true) => "no GPU activity to map from",
                (false, false) => "no GPU activity",
            };
            format!("{}: {what}", file_name(&path))
        }
        Note::OutsideStages { path, gpu_ns, share_pct } => format!(
            "{}: {} of GPU time ({}) ran outside every stage window and is not shown",
            file_name(&path),
            format::ms(gpu_ns),
            format::pct(share_pct)
        ),

        Note::NoTraces => "No traces were given.".to_owned(),
        Note::OnlyOneRank => {
            "Only one rank was given: there is nothing to compare across ranks (give every rank's trace)".to_owned()
        }
        Note::SecondTraceOfRank { path, rank } => format!(
            "{}: a second trace of rank {rank} for the same stage; left out of the comparison",
            file_name(&path)
        ),
        Note::OutsideStagesOnRanks { max_ns, rank } => format!(
            "Work outside every stage window ({} on rank {rank} at most) is not shown",
            format::ms(max_ns)
        ),
        Note::NotAligned { missing, traces } => format!(
            "{missing} of {traces} traces have no baseTimeNanoseconds and no collective family is common to every rank: times are compared as written, so skews may be meaningless"
        ),
        Note::AlignedOnFirstCollective { missing, traces, family } => format!(
            "{missing} of {traces} traces have no baseTimeNanoseconds: ranks aligned on the end of their first {} (skews of that collective are measured, later ones include any clock drift)",
            family.label()
        ),
        Note::FamilyOnSomeRanks { family, ranks, of } => format!(
            "{} runs on rank{} {} only (of {of} ranks): matched among those",
            family.label(),
            if ranks.len() == 1 { "" } else { "s" },
            ranks.iter().map(i64::to_string).collect::<Vec<_>>().join(", "),
        ),
        Note::UnevenCollectives { family, counts, matched } => {
            let per: Vec<String> =
                counts.iter().map(|&(rank, n)| format!("rank {rank} {}", format::count(n))).collect();
            format!(
                "{}: ranks ran different numbers of kernels ({}); the first {} of each are matched, the rest are left unmatched",
                family.label(),
                per.join(", "),
                format::count(matched)
            )
        }

        Note::UnknownProfile { name, known } => {
            format!("Unknown profile `{name}` (known: {}); chose one as if none was given.", known.join(", "))
        }
        Note::NoProfile => "No model profile is available; the built-in fallback is shown.".to_owned(),
        Note::NoKernelsOnStream { device, stream } => {
            format!("Device {device} has no kernels on stream {stream}.")
        }
        Note::NoKernelsOnDevice { device } => format!("Device {device} has no kernels."),
        Note::NoKernels => "The trace has no GPU kernels.".to_owned(),
        Note::OutsideSteps { kernels, stream } => format!(
            "{} kernels of stream {stream} ran outside every step annotation and belong to no pass.",
            format::count(kernels)
        ),
        Note::AnchorFallback { anchor } => {
            format!("No repeating kernel sequence was found; layers are split at the anchor `{anchor}`.")
        }
        Note::NoLayersAtAnchor { anchor, kernels, stream } => format!(
            "No layers: the anchor `{anchor}` names {} kernels of stream {stream} (it is a case-sensitive part of the kernel name).",
            format::count(kernels)
        ),
        Note::NoRepeatingSequence => "No layers: no pass shows a kernel sequence repeating at least twice; try --anchor-kernel with a kernel that runs once per layer.".to_owned(),
        Note::NoStepAnnotations => "The trace has no step annotations: a pass is a run of consecutive layers (kernels before and after a run are not counted).".to_owned(),
        Note::NoSuchPass { pass, passes } => format!("Pass {pass} does not exist (the trace has {passes} passes)."),
        Note::NoSuchLayer { layer, pass, layers } => {
            format!("Layer {layer} does not exist in pass {pass} ({layers} layers).")
        }
        Note::LayerCountMismatch { config, pass, found } => format!(
            "config.json says {config} layers but pass {pass} has {found}: layer types need the two to agree, so only FIRST / LAYER / FINAL are shown."
        ),
    }
}
