//! Codec tests on hand-built traces: exact round trips and every kind of damaged input.
//! Corpus round trips (report and `inspect` output unchanged) are in `tests/codec.rs`.

use super::*;
use crate::diagnostics::Diagnostics;
use crate::model::NO_ID;
use crate::model::{
    Annotations, CpuOps, DeviceProps, DistributedInfo, EventCounts, Flows, GpuOps, Key, PythonFrames,
    RuntimeCalls, Strings, Sym, TraceMeta, Track, TrackId, Tracks,
};

/// A trace with every field set, odd values included (negative times, empty and
/// non-ASCII strings, absent ids, diagnostics).
#[allow(clippy::too_many_lines, reason = "one literal of every field of the model")]
fn tiny() -> Trace {
    let mut strings = Strings::new();
    let kernel = strings.intern("void gemm<ü, 🚀>(float*)");
    let api = strings.intern("cudaLaunchKernel");
    let op = strings.intern("aten::mm");
    let dims = strings.intern("[[16, 2048], []]");
    let types = strings.intern("[\"c10::BFloat16\", \"Scalar\"]");
    let concrete = strings.intern("[\"\", \"1\"]");
    let strides = strings.intern("[[2048, 1], []]");
    let py = strings.intern("python/x.py(12): f — ünïcode");
    let ann = strings.intern("step[DECODE bs=16]");
    let baked = strings.intern("model.layers.0.mlp|Mlp · fused_moe · ünïcode");
    let stream = strings.intern("stream 7 ");
    let proc_name = strings.intern("python3");
    let label = strings.intern("GPU 0");
    let mut diagnostics = Diagnostics::default();
    diagnostics.add(DiagnosticKind::MalformedJson, "", Some(12));
    diagnostics.add_n(DiagnosticKind::UnknownCategory, "cat=ünknown", 3, None);
    diagnostics.add(DiagnosticKind::Instant, "[memory]", Some(0));
    Trace {
        meta: TraceMeta {
            schema_version: Some(1),
            base_time_ns: Some(-1_700_000_000_000_000_000),
            devices: vec![
                DeviceProps {
                    id: 0,
                    name: "NVIDIA GB300".into(),
                    num_sms: Some(152),
                    compute_major: Some(10),
                    compute_minor: Some(3),
                    total_global_mem: Some(u64::MAX),
                },
                DeviceProps { id: -1, ..DeviceProps::default() },
            ],
            distributed: Some(DistributedInfo {
                backend: Some("nccl".into()),
                rank: Some(3),
                world_size: Some(4),
                pg_count: None,
                nccl_version: Some(String::new()),
            }),
            trace_name: Some("TP-0 ✓".into()),
            trace_id: None,
            display_time_unit: Some("ms".into()),
            properties: vec![("with_stack".into(), "true".into()), (String::new(), "é".into())],
            other_keys: vec!["deviceTypes".into(), String::new()],
            bare_array: true,
            profiler_span: Some((-5, 1_000)),
        },
        tracks: Tracks {
            list: vec![
                Track { pid: Key::Int(-1), tid: Key::Int(i64::MIN) },
                Track { pid: Key::Int(0), tid: Key::Str(stream) },
                Track { pid: Key::Str(Sym::EMPTY), tid: Key::Str(Sym::NONE) },
            ],
            process_names: vec![(Key::Int(-1), proc_name)],
            process_labels: vec![(Key::Int(0), label), (Key::Str(stream), Sym::EMPTY)],
            thread_names: vec![(TrackId(1), stream), (TrackId(0), Sym::NONE)],
        },
        gpu: GpuOps {
            kind: vec![GpuKind::Kernel, GpuKind::Memcpy, GpuKind::Memset, GpuKind::Sync],
            name: vec![kernel, Sym::EMPTY, kernel, Sym::NONE],
            track: vec![TrackId(1); 4],
            device: vec![0, 0, -1, i64::MAX],
            stream: vec![7, 7, 0, -3],
            start_ns: vec![-100, 0, 5, i64::MIN],
            dur_ns: vec![0, 1, -1, i64::MAX],
            correlation: vec![1, NO_ID, 3, 0],
            external_id: vec![NO_ID, 2, 0, 9],
            bytes: vec![0, 4096, 16, 0],
            annotation: vec![baked, Sym::NONE, Sym::EMPTY, Sym::NONE],
        },
        runtime: RuntimeCalls {
            name: vec![api, api],
            kind: vec![RuntimeKind::LaunchKernel, RuntimeKind::EndCapture],
            track: vec![TrackId(0), TrackId(2)],
            start_ns: vec![-200, 3],
            dur_ns: vec![10, 0],
            correlation: vec![1, NO_ID],
            external_id: vec![5, NO_ID],
            kernel: vec![kernel, Sym::NONE],
        },
        cpu_ops: CpuOps {
            name: vec![op],
            track: vec![TrackId(0)],
            start_ns: vec![-300],
            dur_ns: vec![400],
            external_id: vec![5],
            input_dims: vec![dims],
            input_types: vec![types],
            input_strides: vec![strides],
            concrete_inputs: vec![concrete],
            call_stack: vec![Sym::NONE],
        },
        python: PythonFrames {
            name: vec![py, py, Sym::EMPTY],
            track: vec![TrackId(0); 3],
            start_ns: vec![-400, -350, 0],
            dur_ns: vec![500, 10, 0],
        },
        annotations: Annotations {
            name: vec![ann, ann],
            track: vec![TrackId(0), TrackId(1)],
            start_ns: vec![-450, -90],
            dur_ns: vec![600, 100],
            external_id: vec![NO_ID, 7],
            on_gpu: vec![false, true],
        },
        flows: Flows {
            id: vec![1, 1, 2],
            phase: vec![FlowPhase::Start, FlowPhase::Finish, FlowPhase::Step],
            kind: vec![FlowKind::Launch, FlowKind::Launch, FlowKind::ForwardBackward],
            track: vec![TrackId(0), TrackId(1), TrackId(2)],
            ts_ns: vec![-200, -100, i64::MIN],
        },
        counts: EventCounts {
            total: 17,
            by_category: vec![("kernel".into(), 4), ("<none>".into(), 1), ("ünknown".into(), 3)],
            by_phase: vec![("X".into(), 14), ("i".into(), 1)],
        },
        strings,
        diagnostics,
        json_bytes: 123_456,
        input_bytes: 7_890,
    }
}

fn round_trip(trace: &Trace) -> Trace {
    Trace::from_bytes(&trace.to_bytes()).unwrap_or_else(|e| panic!("decode failed: {e}"))
}

#[test]
fn tiny_trace_round_trips_exactly() {
    let trace = tiny();
    let back = round_trip(&trace);
    assert_eq!(back, trace);
    // Equality of the parts that matter most, spelled out (in case `PartialEq` ever gets
    // looser): ids still resolve to the same text, diagnostics keep their order.
    for (sym, text) in trace.strings.iter() {
        assert_eq!(back.str(sym), text);
        assert_eq!(back.strings.lookup(text), Some(sym), "intern map rebuilt for {text:?}");
    }
    assert_eq!(back.diagnostics.entries(), trace.diagnostics.entries());
    assert_eq!(back.str(back.gpu.name[0]), "void gemm<ü, 🚀>(float*)");
    assert_eq!(back.gpu.start_ns[3], i64::MIN);
    // Encoding is deterministic.
    assert_eq!(back.to_bytes(), trace.to_bytes());
}

#[test]
fn empty_and_loaded_traces_round_trip() {
    let empty = Trace::default();
    assert_eq!(empty.strings.len(), 0);
    assert_eq!(round_trip(&empty), empty);
    // A loaded trace with diagnostics (a malformed event and a truncated tail).
    let json = r#"{"schemaVersion": 1, "traceEvents": [
      {"ph": "X", "cat": "kernel", "name": "gémm", "pid": 0, "tid": 7, "ts": -10.5, "dur": 2.0,
       "args": {"stream": 7, "correlation": 1}},
      {"ph": "X", "cat": "cpu_op", "name": "", "pid": 1, "tid": "25738", "ts": 1, "dur": 3},
      {"ph": "X", bad},
      {"ph": "i", "name": "[memory]", "pid": 1, "tid": 1, "ts": 2},
      {"ph": "X", "cat": "kernel", "name": "cut"#;
    let json = json.as_bytes();
    let loaded = crate::load(json).unwrap_or_else(|e| panic!("{e}"));
    assert!(!loaded.diagnostics.is_empty());
    assert_eq!(round_trip(&loaded), loaded);
}

#[test]
fn diagnostic_codes_match_the_table() {
    for (i, kind) in DIAGNOSTIC_KINDS.iter().enumerate() {
        assert_eq!(usize::from(diagnostic_kind_code(*kind)), i, "{kind:?}");
    }
}

fn decode_err(bytes: &[u8]) -> CodecError {
    match Trace::from_bytes(bytes) {
        Ok(_) => panic!("{} bytes decoded, expected an error", bytes.len()),
        Err(e) => e,
    }
}

#[test]
fn empty_input_and_wrong_header_are_errors() {
    assert_eq!(decode_err(&[]), CodecError::BadMagic { found: Vec::new() });
    let mut bytes = tiny().to_bytes();
    bytes[0] = b'X';
    assert_eq!(decode_err(&bytes), CodecError::BadMagic { found: b"XTRC".to_vec() });
    let e = decode_err(b"{\"traceEvents\": []}");
    assert!(e.to_string().contains("magic"), "{e}");
    let mut bytes = tiny().to_bytes();
    bytes[4..8].copy_from_slice(&(CODEC_VERSION + 1).to_le_bytes());
    assert_eq!(
        decode_err(&bytes),
        CodecError::UnsupportedVersion { found: CODEC_VERSION + 1, expected: CODEC_VERSION }
    );
    assert!(decode_err(&bytes).to_string().contains("version"));
}

#[test]
fn every_truncation_is_an_error() {
    let bytes = tiny().to_bytes();
    for n in 0..bytes.len() {
        assert!(Trace::from_bytes(&bytes[..n]).is_err(), "prefix of {n} of {} bytes decoded", bytes.len());
    }
    assert!(Trace::from_bytes(&bytes).is_ok());
    let mut longer = bytes.clone();
    longer.push(0);
    assert_eq!(decode_err(&longer), CodecError::TrailingBytes { extra: 1 });
}

#[test]
fn every_single_byte_flip_is_an_error_or_a_trace() {
    // Damage anywhere must never panic (a flip inside a timestamp still decodes).
    let bytes = tiny().to_bytes();
    for i in 0..bytes.len() {
        for flip in [0x01u8, 0x80, 0xff] {
            let mut damaged = bytes.clone();
            damaged[i] ^= flip;
            let _ = Trace::from_bytes(&damaged);
        }
    }
}

#[test]
fn length_beyond_the_input_is_an_error() {
    let mut bytes = tiny().to_bytes();
    // Offset 8: the row count of the string-length column.
    bytes[8..16].copy_from_slice(&u64::MAX.to_le_bytes());
    assert!(matches!(
        decode_err(&bytes),
        CodecError::LengthTooLarge { what: "string lengths", len: u64::MAX, .. }
    ));
}

#[test]
fn out_of_range_ids_are_errors() {
    let mut t = tiny();
    let count = u64::try_from(t.strings.len()).unwrap_or(0);
    t.python.name[1] = Sym(u32::try_from(count).unwrap_or(0));
    assert_eq!(
        decode_err(&t.to_bytes()),
        CodecError::StringOutOfRange { what: "python.name", id: u32::try_from(count).unwrap_or(0), count }
    );
    let mut t = tiny();
    t.tracks.process_names[0].1 = Sym(u32::MAX - 1);
    assert!(matches!(decode_err(&t.to_bytes()), CodecError::StringOutOfRange { what: "process names", .. }));
    let mut t = tiny();
    t.tracks.list[1].tid = Key::Str(Sym(1000));
    assert!(matches!(decode_err(&t.to_bytes()), CodecError::StringOutOfRange { what: "track tid", .. }));
    let mut t = tiny();
    t.flows.track[2] = TrackId(3);
    assert_eq!(
        decode_err(&t.to_bytes()),
        CodecError::TrackOutOfRange { what: "flows.track", id: 3, count: 3 }
    );
}

#[test]
fn columns_of_one_table_must_agree() {
    let mut t = tiny();
    t.runtime.external_id.push(1);
    assert_eq!(
        decode_err(&t.to_bytes()),
        CodecError::ColumnLength { table: "runtime", column: "external_id", len: 3, expected: 2 }
    );
}

#[test]
fn invalid_utf8_and_bad_codes_are_errors() {
    let mut t = tiny();
    t.meta.other_keys = vec!["ZZZZ".into()];
    let mut bytes = t.to_bytes();
    let at = bytes.windows(4).position(|w| w == b"ZZZZ").unwrap_or(0);
    bytes[at + 1] = 0xff;
    assert!(matches!(decode_err(&bytes), CodecError::InvalidUtf8 { what: "other key", .. }));
    // Inside the string blob.
    let mut bytes = tiny().to_bytes();
    let at = bytes.windows(8).position(|w| w == b"aten::mm").unwrap_or(0);
    bytes[at] = 0xc3;
    assert!(matches!(decode_err(&bytes), CodecError::InvalidUtf8 { what: "string text", .. }));
    // A boolean that is neither 0 nor 1: `bare_array` is right before the profiler span
    // tag (1) and its two i64s, found by their values.
    let t = tiny();
    let mut bytes = t.to_bytes();
    let mut span = vec![1u8];
    span.extend_from_slice(&(-5i64).to_le_bytes());
    span.extend_from_slice(&1_000i64.to_le_bytes());
    let at = bytes.windows(span.len()).position(|w| w == span.as_slice()).unwrap_or(1) - 1;
    bytes[at] = 2;
    assert!(matches!(decode_err(&bytes), CodecError::BadValue { what: "bare array flag", value: 2, .. }));
}

#[test]
fn duplicate_strings_and_diagnostics_are_errors() {
    // A table holding "aten::mm" twice (patched in the text blob): the second copy would
    // re-intern to the first id, so the ids after it would no longer be valid.
    let mut twin = tiny();
    let x = twin.strings.intern("aten::mX");
    let mut bytes = twin.to_bytes();
    let at = bytes.windows(8).position(|w| w == b"aten::mX").unwrap_or(0);
    bytes[at + 7] = b'm';
    assert_eq!(decode_err(&bytes), CodecError::DuplicateString { index: u64::from(x.0) });

    let mut t = tiny();
    let mut entries = t.diagnostics.entries().to_vec();
    entries.push(entries[0].clone());
    t.diagnostics = Diagnostics::from_entries(entries);
    assert!(matches!(
        decode_err(&t.to_bytes()),
        CodecError::DuplicateDiagnostic { kind: "malformed_json", .. }
    ));
}
