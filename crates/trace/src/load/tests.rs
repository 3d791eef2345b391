//! Loader tests on small hand-written inputs. Corpus-wide checks live in `tests/it`.

use super::*;
use crate::model::{GpuKind, Key};

fn gz(text: &[u8]) -> Vec<u8> {
    let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3];
    out.extend(miniz_oxide::deflate::compress_to_vec(text, 6));
    let mut crc = crc32fast::Hasher::new();
    crc.update(text);
    out.extend(crc.finalize().to_le_bytes());
    out.extend((text.len() as u32).to_le_bytes());
    out
}

const SMALL: &[u8] = br#"
{
  "schemaVersion": 1,
  "deviceProperties": [{"id": 0, "name": "NVIDIA H100", "numSms": 132}],
  "traceEvents": [
  {"ph": "X", "cat": "cpu_op", "name": "aten::mm", "pid": 10, "tid": 11, "ts": 100.0, "dur": 20.0, "args": {"External id": 5}},
  {"ph": "X", "cat": "cuda_runtime", "name": "cudaLaunchKernel", "pid": 10, "tid": 11, "ts": 105.5, "dur": 3.25, "args": {"External id": 5, "cbid": 211, "correlation": 77}},
  {"ph": "s", "id": 77, "pid": 10, "tid": 11, "ts": 105.5, "cat": "ac2g", "name": "ac2g"},
  {"ph": "X", "cat": "kernel", "name": "sm90_gemm", "pid": 0, "tid": 7, "ts": 110.001, "dur": 4.5, "args": {"device": 0, "stream": 7, "correlation": 77, "External id": 5, "grid": [2, 1, 1], "block": [128, 1, 1]}},
  {"ph": "f", "id": 77, "pid": 0, "tid": 7, "ts": 110.001, "cat": "ac2g", "name": "ac2g", "bp": "e"},
  {"ph": "X", "cat": "python_function", "name": "model.py(12): forward", "pid": 10, "tid": 11, "ts": 90, "dur": 40, "args": {"Python id": 2, "Python parent id": null}},
  {"ph": "i", "s": "t", "name": "[memory]", "pid": 10, "tid": 11, "ts": 101},
  {"name": "thread_name", "ph": "M", "pid": 0, "tid": 7, "args": {"name": "stream 7 "}}
  ],
  "traceName": "small.json"
}
"#;

#[test]
fn loads_a_small_trace_plain_and_gzip_identically() {
    let a = load(SMALL).expect("plain");
    let b = load(&gz(SMALL)).expect("gzip");
    for t in [&a, &b] {
        assert_eq!(t.counts.total, 8);
        assert_eq!(t.gpu.len(), 1);
        assert_eq!(t.gpu.kind[0], GpuKind::Kernel);
        assert_eq!(t.gpu.start_ns[0], 110_001);
        assert_eq!(t.gpu.dur_ns[0], 4_500);
        assert_eq!(t.gpu.stream[0], 7);
        assert_eq!(t.gpu.correlation[0], 77);
        assert_eq!(t.runtime.len(), 1);
        assert_eq!(t.runtime.dur_ns[0], 3_250);
        assert_eq!(t.cpu_ops.len(), 1);
        assert_eq!(t.python.len(), 1);
        assert_eq!(t.python.dur_ns[0], t.python.dur_ns[0].max(0));
        assert_eq!(t.flows.len(), 2);
        assert_eq!(t.meta.trace_name.as_deref(), Some("small.json"));
        assert_eq!(t.meta.devices[0].num_sms, Some(132));
        assert_eq!(t.counts.category("kernel"), 1);
        assert_eq!(t.counts.category("<none>"), 2);
        assert_eq!(t.diagnostics.count(D::Instant), 1);
        assert!(!t.diagnostics.has(D::Truncated));
        assert_eq!(t.tracks.thread_names.len(), 1);
    }
    assert_eq!(a.json_bytes, SMALL.len() as u64);
}

#[test]
fn one_ns_apart_at_epoch_scale_stay_distinct_and_ordered() {
    let doc = br#"[
      {"ph":"X","cat":"kernel","name":"a","pid":0,"tid":7,"ts":1712195495505583.123,"dur":0.001,"args":{"stream":7}},
      {"ph":"X","cat":"kernel","name":"b","pid":0,"tid":7,"ts":1712195495505583.124,"dur":0.001,"args":{"stream":7}}
    ]"#;
    let t = load(doc).expect("bare array");
    assert!(t.meta.bare_array);
    assert_eq!(t.gpu.start_ns, [1_712_195_495_505_583_123, 1_712_195_495_505_583_124]);
    assert!(t.gpu.start_ns[0] < t.gpu.start_ns[1]);
    // f64 cannot tell them apart: the reason for integer parsing.
    assert_eq!(1712195495505583.123f64, 1712195495505583.124f64);
}

#[test]
fn every_chunking_gives_the_same_trace() {
    let whole = load(SMALL).expect("whole");
    for size in [1, 2, 3, 17, 64, 1000] {
        for data in [SMALL.to_vec(), gz(SMALL)] {
            let mut l = Loader::new();
            for c in data.chunks(size) {
                l.push(c).expect("push");
            }
            let t = l.finish().expect("finish");
            assert_eq!(t.counts, whole.counts, "chunk {size}");
            assert_eq!(t.gpu.start_ns, whole.gpu.start_ns);
            assert_eq!(t.diagnostics, whole.diagnostics);
        }
    }
}

#[test]
fn traceevents_after_other_keys_and_metadata_after_events() {
    let doc = br#"{"metadata": {"x": [1, 2, {"y": "]}"}]}, "traceEvents": [], "displayTimeUnit": "ms", "baseTimeNanoseconds": 1775078550000000000}"#;
    let t = load(doc).expect("trace");
    assert_eq!(t.counts.total, 0);
    assert_eq!(t.meta.display_time_unit.as_deref(), Some("ms"));
    assert_eq!(t.meta.base_time_ns, Some(1_775_078_550_000_000_000));
    assert_eq!(t.meta.other_keys, ["metadata"]);
}

#[test]
fn clear_errors_for_non_traces() {
    assert_eq!(load(b"").err(), Some(LoadError::Empty));
    let html = load(b"<!DOCTYPE html><html><body>hi</body></html>").expect_err("html");
    assert!(html.to_string().contains("HTML page"), "{html}");
    let bin = load(&[0x89, b'P', b'N', b'G', 0, 1, 2]).expect_err("binary");
    assert!(bin.to_string().contains("binary data (byte 0x89)"), "{bin}");
    let obj = load(br#"{"foo": 1, "bar": [2]}"#).expect_err("no traceEvents");
    assert_eq!(obj, LoadError::NoTraceEvents { keys: "foo, bar".into() });
    assert!(obj.to_string().contains("no \"traceEvents\""));
    let not_array = load(br#"{"traceEvents": {"a": 1}}"#).expect_err("not array");
    assert!(matches!(not_array, LoadError::TraceEventsNotArray { .. }));
    let ws = load(b"   \n ").expect_err("whitespace");
    assert!(ws.to_string().contains("only whitespace"));
    let bad_gz = load(&[0x1f, 0x8b, 7, 0, 0, 0]).expect_err("bad gzip");
    assert!(matches!(bad_gz, LoadError::BadGzip { .. }));
    let html_gz = load(&gz(b"<html></html>")).expect_err("html in gzip");
    assert!(html_gz.to_string().contains("inside the gzip stream"), "{html_gz}");
    let invalid = load(br#"{"a": tru}"#).expect_err("invalid");
    assert!(matches!(invalid, LoadError::InvalidJson { .. }), "{invalid:?}");
}

#[test]
fn truncation_keeps_complete_events() {
    let cut = SMALL.iter().position(|&b| b == b'f').map(|_| ()).and(Some(SMALL.len() * 2 / 3)).unwrap_or(0);
    let t = load(&SMALL[..cut]).expect("truncated still loads");
    assert!(t.diagnostics.has(D::Truncated));
    assert!(t.counts.total > 0 && t.counts.total < 8);
    let gz_full = gz(SMALL);
    let t = load(&gz_full[..gz_full.len() - 20]).expect("truncated gzip loads");
    assert!(t.diagnostics.has(D::Truncated));
}

#[test]
fn malformed_event_is_skipped_and_parsing_resumes() {
    let doc = br#"{"traceEvents": [
      {"ph": "X", "cat": "kernel", "name": "a", "pid": 0, "tid": 7, "ts": 1, "dur": 1, "args": {"stream": 7}},
      {"ph": "X", "cat": "kernel", "name": "b" "pid": 0, "tid": 7, "ts": 2, "dur": 1},
      {"ph": "X", "cat": "kernel", "name": "c", "pid": 0, "tid": 7, "ts": 3, "dur": 1, "args": {"stream": 7}}
    ]}"#;
    let t = load(doc).expect("loads");
    assert_eq!(t.gpu.len(), 2);
    assert_eq!(t.counts.total, 3);
    assert!(t.diagnostics.has(D::MalformedJson));
    assert!(!t.diagnostics.has(D::Truncated));
}

#[test]
fn odd_events_are_counted_not_dropped() {
    let doc = br#"{"traceEvents": [
      42,
      {"cat": "kernel", "name": "no phase"},
      {"ph": "B", "name": "begin", "ts": 1},
      {"ph": "X", "cat": "cuda_profiler_range", "name": "r", "ts": 1, "dur": 1},
      {"ph": "X", "cat": "kernel", "name": "no ts", "dur": 1},
      {"ph": "X", "cat": "kernel", "name": "neg", "ts": 1, "dur": -5, "pid": 0, "tid": "stream 9"},
      {"ph": "X", "cat": "overhead", "name": "Activity Buffer Request", "pid": -1, "tid": 0, "ts": 1, "dur": 3},
      {"ph": "X", "cat": "kernel", "name": "k", "pid": "0", "tid": 7, "ts": 1, "dur": 2, "args": {"correlation": "x"}},
      {"ph": "M", "name": "process_sort_index", "pid": 1, "args": {"sort_index": 1}}
    ]}"#;
    let t = load(doc).expect("loads");
    let d = &t.diagnostics;
    assert_eq!(t.counts.total, 9);
    assert_eq!(d.count(D::NotAnObject), 1);
    assert_eq!(d.count(D::MissingPhase), 1);
    assert_eq!(d.count(D::UnsupportedPhase), 1);
    assert_eq!(d.count(D::UnknownCategory), 1);
    assert_eq!(d.count(D::MissingTimestamp), 1);
    assert_eq!(d.count(D::NegativeDuration), 1);
    assert_eq!(d.count(D::Overhead), 1);
    assert_eq!(d.count(D::BadId), 1);
    assert_eq!(d.count(D::OtherMetadata), 1);
    // The negative-duration kernel is kept on stream 9 (from "stream 9").
    assert_eq!(t.gpu.len(), 2);
    assert_eq!(t.gpu.stream[0], 9);
    assert_eq!(t.gpu.dur_ns[0], 0);
    // pid "0" is the same process as 0.
    assert_eq!(t.tracks.get(t.gpu.track[1]).map(|k| k.pid), Some(Key::Int(0)));
}

#[test]
fn huge_ids_and_values_do_not_break_parsing() {
    let doc = br#"{"traceEvents": [
      {"ph": "X", "cat": "cpu_op", "name": "nccl:all_reduce", "pid": 1, "tid": 1, "ts": 1, "dur": 1,
       "args": {"Comms Id": 10159970886766084423, "External id": 10159970886766084423, "x": 1e400}}
    ]}"#;
    let t = load(doc).expect("loads");
    assert_eq!(t.cpu_ops.len(), 1);
    assert_eq!(t.cpu_ops.external_id[0], crate::model::NO_ID);
    assert_eq!(t.diagnostics.count(D::BadId), 1);
}

#[test]
fn errors_are_sticky() {
    let mut l = Loader::new();
    assert!(l.push(b"<html>").is_ok(), "decided only once 256 KiB or finish arrive");
    let e = l.finish().expect_err("html");
    assert!(matches!(e, LoadError::NotJson { .. }));
    let mut l = Loader::new();
    let big = vec![b'x'; 300 * 1024];
    assert!(l.push(&big).is_err());
    assert!(l.push(b"more").is_err());
}

#[test]
fn text_inflated_by_the_caller_loads_like_the_gzip_file() {
    let packed = gz(SMALL);
    let own = load(&packed).expect("gzip");
    for piece in [1, 7, SMALL.len()] {
        let mut l = Loader::for_inflated_gzip();
        for chunk in SMALL.chunks(piece) {
            l.push(chunk).expect("push");
            assert_eq!(l.progress().phase, Phase::Inflating);
        }
        assert_eq!(l.progress().bytes_in, 0);
        assert_eq!(l.progress().bytes_text, SMALL.len() as u64);
        l.add_compressed_bytes(10);
        l.add_compressed_bytes(packed.len() as u64 - 10);
        let theirs = l.finish().expect("inflated");
        assert_eq!(theirs.input_bytes, packed.len() as u64);
        assert_eq!(crate::inspect::summarize(&theirs), crate::inspect::summarize(&own), "piece {piece}");
    }
    // Errors name the gzip stream as with the engine's own inflater.
    let mut l = Loader::for_inflated_gzip();
    l.push(b"<html>").expect("buffered");
    l.add_compressed_bytes(20);
    let e = l.finish().expect_err("not json");
    assert!(e.to_string().contains("gzip"), "{e}");
    // Plain loaders ignore compressed-byte counts.
    let mut l = Loader::new();
    l.push(SMALL).expect("plain");
    l.add_compressed_bytes(5);
    assert_eq!(l.finish().expect("plain").input_bytes, SMALL.len() as u64);
}

/// Feeds `parts` (each repeated `times`) to a loader in 1 MiB chunks, returning the
/// trace and the most text the loader held at once.
fn stream(parts: &[(&[u8], usize)], limit: Option<usize>) -> (Result<Trace, LoadError>, usize) {
    let mut loader = Loader::new();
    if let Some(n) = limit {
        loader.limit_event_bytes(n);
    }
    let mut held = 0;
    for &(part, times) in parts {
        for _ in 0..times {
            for chunk in part.chunks(1 << 20) {
                if let Err(e) = loader.push(chunk) {
                    return (Err(e), held);
                }
                held = held.max(loader.held_bytes());
            }
        }
    }
    (loader.finish(), held)
}

const KERNEL: &[u8] =
    br#"{"ph": "X", "cat": "kernel", "name": "k", "pid": 0, "tid": 7, "ts": 1, "dur": 2, "args": {"stream": 7}}"#;

#[test]
fn whitespace_between_events_is_not_kept() {
    let spaces = vec![b' '; 1 << 20];
    let lines = b"\n\t\r ".repeat(1 << 18);
    let (trace, held) = stream(
        &[
            (b"{\"traceEvents\"", 1),
            (&spaces, 20),
            (b":", 1),
            (&lines, 20),
            (b"[", 1),
            (&spaces, 50),
            (KERNEL, 1),
            (&spaces, 50),
            (b",", 1),
            (&lines, 50),
            (KERNEL, 1),
            (&spaces, 10),
            (b"]}", 1),
            (&spaces, 10),
        ],
        None,
    );
    let trace = trace.expect("a trace");
    assert_eq!(trace.gpu.len(), 2);
    assert_eq!(trace.json_bytes, 210 * (1 << 20) + 2 * KERNEL.len() as u64 + 14 + 1 + 1 + 1 + 2);
    assert!(held < 4 << 20, "held {held} bytes for 210 MiB of whitespace");
}

#[test]
fn whitespace_inside_an_event_is_squeezed_out() {
    let spaces = vec![b' '; 1 << 20];
    let (trace, held) = stream(
        &[
            (b"[", 1),
            (KERNEL, 1),
            (b",{\"ph\":", 1),
            (&spaces, 100),
            (b"\"X\", \"cat\": \"kernel\",\"name\":\"a  b\"", 1),
            (&spaces, 100),
            (b",\"pid\":0,\"tid\":7,\"ts\":", 1),
            (&spaces, 10),
            (b"5,\"dur\":1,\"args\":{\"stream\":7}},", 1),
            (KERNEL, 1),
            (b"]", 1),
        ],
        None,
    );
    let trace = trace.expect("a trace");
    assert_eq!(trace.gpu.len(), 3);
    assert_eq!(trace.strings.get(trace.gpu.name[1]), "a  b", "spaces inside strings stay");
    assert_eq!(trace.gpu.start_ns[1], 5_000);
    assert!(held < 4 << 20, "held {held} bytes for an event padded with 210 MiB of whitespace");
}

#[test]
fn whitespace_in_gzip_is_not_kept() {
    let mut gz_input = gz(b"{\"traceEvents\": [");
    let spaces = gz(&vec![b' '; 1 << 20]);
    for _ in 0..200 {
        gz_input.extend_from_slice(&spaces);
    }
    gz_input.extend(gz(KERNEL));
    gz_input.extend(gz(b"]}"));
    let (trace, held) = stream(&[(&gz_input, 1)], None);
    let trace = trace.expect("a trace");
    assert_eq!(trace.gpu.len(), 1);
    assert!(held < 8 << 20, "held {held} bytes for 200 MiB of gzipped whitespace");
}

#[test]
fn an_event_over_the_cap_is_skipped_and_the_rest_loads() {
    let blob = vec![b'x'; 1 << 20];
    let (trace, held) = stream(
        &[
            (b"{\"big\": \"", 1),
            (&blob, 3),
            (b"\", \"traceEvents\": [", 1),
            (KERNEL, 1),
            (b", {\"ph\": \"X\", \"cat\": \"kernel\", \"args\": {\"a\": [\"", 1),
            (&blob, 5),
            (b"]}\", {}]}}, ", 1),
            (KERNEL, 1),
            (b"]}", 1),
        ],
        Some(1 << 20),
    );
    let trace = trace.expect("a trace");
    assert_eq!(trace.gpu.len(), 2, "the events around the large one are kept");
    assert_eq!(trace.diagnostics.count(D::EventTooLarge), 2, "the large top-level value and the large event");
    assert_eq!(trace.counts.total, 3);
    assert!(!trace.diagnostics.has(D::Truncated));
    assert!(!trace.diagnostics.has(D::MalformedJson));
    assert!(held < 4 << 20, "held {held} bytes with a 1 MiB cap");
}

/// Events like a cpu_op's, whose `Concrete Inputs` hold empty strings.
fn cpu_ops(n: usize) -> Vec<u8> {
    let events: Vec<String> = (0..n)
        .map(|i| {
            format!(
                r#"{{"ph": "X", "cat": "cpu_op", "name": "aten::op{i}", "pid": 1, "tid": 1, "ts": {i}, "dur": 1,
  "args": {{"External id": {i}, "Input Dims": [[1, 2], [], []], "Input type": ["float", "", "Scalar"], "Concrete Inputs": ["", "", "1"]}}}}"#
            )
        })
        .collect();
    format!("{{\"traceEvents\": [\n{}\n], \"traceName\": \"t\"}}", events.join(",\n")).into_bytes()
}

#[test]
fn one_damaged_quote_loses_one_event() {
    for n in [20, 60_000] {
        let mut text = cpu_ops(n);
        // The first quote of `["", "", "1"]` in the middle event's Concrete Inputs.
        let needle = format!("aten::op{}\"", n / 2);
        let at = text.windows(needle.len()).position(|w| w == needle.as_bytes()).expect("event");
        let inputs = at + text[at..].windows(5).position(|w| w == b"[\"\", ").expect("inputs");
        text[inputs + 1] = b'x';
        let (trace, held) = stream(&[(&text, 1)], None);
        let trace = trace.expect("a trace");
        assert_eq!(trace.cpu_ops.len(), n - 1, "{n} events");
        assert_eq!(trace.counts.total, n as u64);
        assert!(trace.diagnostics.has(D::MalformedJson));
        assert!(!trace.diagnostics.has(D::Truncated), "not reported as a cut file");
        assert_eq!(trace.meta.trace_name.as_deref(), Some("t"));
        if n > 1000 {
            assert!(text.len() > 8 << 20 && held < 4 << 20, "held {held} of {}", text.len());
        }
    }
}

#[test]
fn a_lost_comma_between_events_loses_nothing() {
    let text = cpu_ops(5);
    let s = String::from_utf8(text).expect("utf-8").replacen("}},\n{", "}}\n{", 1);
    let trace = load(s.as_bytes()).expect("a trace");
    assert_eq!(trace.cpu_ops.len(), 5);
    assert_eq!(trace.diagnostics.count(D::MalformedJson), 1);
}

#[test]
fn negative_timestamps_are_kept_and_counted() {
    let doc = br#"[{"ph":"X","cat":"kernel","name":"a","pid":0,"tid":7,"ts":-5,"dur":1,"args":{"stream":7}},
      {"ph":"X","cat":"kernel","name":"b","pid":0,"tid":7,"ts":3,"dur":1,"args":{"stream":7}}]"#;
    let t = load(doc).expect("a trace");
    assert_eq!(t.gpu.start_ns, [-5_000, 3_000]);
    assert_eq!(t.diagnostics.count(D::NegativeTimestamp), 1);
}

#[test]
fn arrays_of_non_events_are_not_traces() {
    for doc in [&b"[1, 2, 3]"[..], br#"[{"a": 1}]"#, br#"["x", {"name": "y"}]"#] {
        let e = load(doc).expect_err("not a trace");
        assert!(matches!(e, LoadError::NoEvents { .. }), "{e}");
        assert!(e.to_string().starts_with("not a trace"), "{e}");
    }
    // One event among them is enough, and an empty array is an empty trace.
    assert!(load(br#"[1, {"ph": "M", "name": "process_name", "pid": 1, "args": {"name": "p"}}]"#).is_ok());
    assert!(load(b"[]").is_ok());
}

#[test]
fn resync_finds_the_next_event_across_chunks_and_long_whitespace() {
    let pad = " ".repeat(5000);
    let doc = format!(
        "[{k}, {{\"ph\": oops}}{pad},{pad}{k}, {{\"ph\": \"X\", \"x\": {{\"a\": 1}}{pad}, {{\"b\": 2}}]}}, {k}]",
        k = String::from_utf8_lossy(KERNEL)
    );
    let whole = load(doc.as_bytes()).expect("a trace");
    assert_eq!(whole.gpu.len(), 3);
    assert_eq!(whole.diagnostics.count(D::MalformedJson), 2);
    for size in [1, 7, 100, 4096] {
        let mut loader = Loader::new();
        for chunk in doc.as_bytes().chunks(size) {
            loader.push(chunk).expect("push");
        }
        let t = loader.finish().expect("a trace");
        assert_eq!(t.to_bytes(), whole.to_bytes(), "chunks of {size}");
    }
}
