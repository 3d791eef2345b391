//! Top-level keys other than `traceEvents`: device properties, distributed info, base
//! time and friends. Each value arrives complete (as a byte span) and is read here.

use super::number;
use super::scan::{Cur, RawStr, Scan};
use crate::diagnostics::{DiagnosticKind, Diagnostics};
use crate::model::{DeviceProps, DistributedInfo, TraceMeta};

/// Keys kept as text in [`TraceMeta::properties`].
const PROPERTY_KEYS: &[&str] = &[
    "cuda_runtime_version",
    "cuda_driver_version",
    "cupti_version",
    "hip_runtime_version",
    "hip_driver_version",
    "roctracer_version",
    "record_shapes",
    "with_stack",
    "profile_memory",
    "with_flops",
    "with_modules",
    "cudaGraphInlineAnnotated",
];

/// Reads one top-level `key: value` pair into `meta`.
pub(crate) fn apply(meta: &mut TraceMeta, diags: &mut Diagnostics, key: &str, value: &[u8], offset: u64) {
    let ok = match key {
        "schemaVersion" => int(value).map(|v| meta.schema_version = Some(v)),
        "baseTimeNanoseconds" => int(value).map(|v| meta.base_time_ns = Some(v)),
        "traceName" => string(value).map(|v| meta.trace_name = Some(v)),
        "trace_id" => string(value).map(|v| meta.trace_id = Some(v)),
        "displayTimeUnit" => string(value).map(|v| meta.display_time_unit = Some(v)),
        "deviceProperties" => devices(value).map(|v| meta.devices = v),
        "distributedInfo" => distributed(value).map(|v| meta.distributed = Some(v)),
        k if PROPERTY_KEYS.contains(&k) => {
            let text = scalar_text(value).unwrap_or_else(|| String::from_utf8_lossy(value).into_owned());
            meta.properties.push((k.to_owned(), text));
            Some(())
        }
        k => {
            meta.other_keys.push(k.to_owned());
            Some(())
        }
    };
    if ok.is_none() {
        diags.add(DiagnosticKind::BadMetadata, key, Some(offset));
    }
}

fn int(value: &[u8]) -> Option<i64> {
    let mut c = Cur::new(value, 0);
    match c.peek().ok()? {
        b'"' => number::integer(c.string().ok()?.raw),
        _ => number::integer(value.trim_ascii()),
    }
}

fn string(value: &[u8]) -> Option<String> {
    let mut c = Cur::new(value, 0);
    let s: RawStr<'_> = c.string().ok()?;
    Some(s.text().into_owned())
}

/// A number or string as text; `None` for objects and arrays.
fn scalar_text(value: &[u8]) -> Option<String> {
    let v = value.trim_ascii();
    match v.first()? {
        b'"' => string(v),
        b'{' | b'[' => None,
        _ => Some(String::from_utf8_lossy(v).into_owned()),
    }
}

fn devices(value: &[u8]) -> Option<Vec<DeviceProps>> {
    let mut c = Cur::new(value, 0);
    let mut out = Vec::new();
    let r: Scan<()> = c.array(|c| {
        if c.peek()? != b'{' {
            return c.skip_value();
        }
        let mut d = DeviceProps::default();
        c.object(|c, key| {
            let span = c.value_span()?;
            match key.raw {
                b"id" => d.id = int(span).unwrap_or(d.id),
                b"name" => d.name = string(span).unwrap_or_default(),
                b"numSms" => d.num_sms = int(span),
                b"computeMajor" => d.compute_major = int(span),
                b"computeMinor" => d.compute_minor = int(span),
                b"totalGlobalMem" => d.total_global_mem = int(span).and_then(|v| u64::try_from(v).ok()),
                _ => {}
            }
            Ok(())
        })?;
        out.push(d);
        Ok(())
    });
    r.ok().map(|()| out)
}

fn distributed(value: &[u8]) -> Option<DistributedInfo> {
    let mut c = Cur::new(value, 0);
    let mut info = DistributedInfo::default();
    let r: Scan<()> = c.object(|c, key| {
        let span = c.value_span()?;
        match key.raw {
            b"backend" => info.backend = scalar_text(span),
            b"rank" => info.rank = int(span),
            b"world_size" => info.world_size = int(span),
            b"pg_count" => info.pg_count = int(span),
            b"nccl_version" => info.nccl_version = scalar_text(span),
            _ => {}
        }
        Ok(())
    });
    r.ok().map(|()| info)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_known_keys() {
        let mut meta = TraceMeta::default();
        let mut d = Diagnostics::default();
        apply(&mut meta, &mut d, "schemaVersion", b"1", 0);
        apply(&mut meta, &mut d, "baseTimeNanoseconds", b"1775078550000000000", 0);
        apply(
            &mut meta,
            &mut d,
            "deviceProperties",
            br#"[{"id": 0, "name": "NVIDIA GB300", "numSms": 152, "computeMajor": 10, "totalGlobalMem": 297021079552}, {"id": 1, "name": ""}]"#,
            0,
        );
        apply(
            &mut meta,
            &mut d,
            "distributedInfo",
            br#"{"backend": "nccl", "rank": 0, "world_size": 4, "pg_config": [{"ranks": [0,1]}], "nccl_version": "2.27.3"}"#,
            0,
        );
        apply(&mut meta, &mut d, "with_stack", b"1", 0);
        apply(&mut meta, &mut d, "metadata", br#"{"x": 1}"#, 0);
        assert_eq!(meta.schema_version, Some(1));
        assert_eq!(meta.base_time_ns, Some(1_775_078_550_000_000_000));
        assert_eq!(meta.devices.len(), 2);
        assert_eq!(meta.devices[0].name, "NVIDIA GB300");
        assert_eq!(meta.devices[0].num_sms, Some(152));
        let dist = meta.distributed.as_ref().expect("distributed");
        assert_eq!((dist.rank, dist.world_size), (Some(0), Some(4)));
        assert_eq!(dist.nccl_version.as_deref(), Some("2.27.3"));
        assert_eq!(meta.property("with_stack"), Some("1"));
        assert_eq!(meta.other_keys, ["metadata"]);
        assert!(d.is_empty());
        apply(&mut meta, &mut d, "deviceProperties", b"17", 5);
        assert!(d.has(DiagnosticKind::BadMetadata));
    }
}
