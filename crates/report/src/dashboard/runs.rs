//! Which traces of a folder belong to one run, from their paths alone: the traces of one
//! capture differ only in rank (`-TP-3`, `rank3`, `worker3` and what a capture tool
//! appends after it, such as a pid or time stamp) and stage (`-DECODE`, or `prefill/` and
//! `decode/` folders). Each group is then one run, triaged like `tracetriage triage DIR`
//! (its default rank, every stage). Pure: shared by the CLI's `bundle` and `dashboard`.

use super::entry::label_of;

/// Rank markers, as [`engine::discover::rank_of`] reads them.
const RANK_KEYS: [&str; 7] = ["tp-", "tp", "rank-", "rank_", "rank ", "rank", "worker"];

fn is_stage_word(w: &str) -> bool {
    matches!(w, "prefill" | "decode" | "extend")
}

/// Replaces the digits of the rank markers that name the file's rank
/// ([`engine::discover::rank_of`]) with `#` and drops `.digits` runs right after them
/// (`tp4_…_TP-0` keeps `tp4`: a TP size, not the rank).
fn mask_ranks(name: &str) -> String {
    let Some(rank) = engine::discover::rank_of(name) else { return name.to_owned() };
    let bytes = name.as_bytes();
    let mut out = String::with_capacity(name.len());
    let mut i = 0;
    'scan: while i < bytes.len() {
        let before_ok = i == 0 || bytes.get(i - 1).is_some_and(|b| !b.is_ascii_alphanumeric());
        if before_ok {
            for key in RANK_KEYS {
                if name.get(i..).is_some_and(|rest| rest.starts_with(key)) {
                    let digits = bytes
                        .get(i + key.len()..)
                        .unwrap_or(&[])
                        .iter()
                        .take_while(|b| b.is_ascii_digit())
                        .count();
                    let mut end = i + key.len() + digits;
                    let value = name.get(i + key.len()..end).and_then(|d| d.parse::<i64>().ok());
                    if value == Some(rank) && bytes.get(end).is_none_or(|b| !b.is_ascii_alphanumeric()) {
                        out.push_str(key);
                        out.push('#');
                        // Pids and time stamps after the rank: `.1776`, `.1623143089861`.
                        while bytes.get(end) == Some(&b'.') {
                            let more = bytes
                                .get(end + 1..)
                                .unwrap_or(&[])
                                .iter()
                                .take_while(|b| b.is_ascii_digit())
                                .count();
                            if more == 0 {
                                break;
                            }
                            end += 1 + more;
                        }
                        i = end;
                        continue 'scan;
                    }
                }
            }
        }
        let ch_len = name.get(i..).and_then(|s| s.chars().next()).map_or(1, char::len_utf8);
        out.push_str(name.get(i..i + ch_len).unwrap_or(""));
        i += ch_len;
    }
    out
}

/// Drops stage words (whole tokens) from a name.
fn drop_stages(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut word = String::new();
    for ch in name.chars() {
        if ch.is_ascii_alphanumeric() {
            word.push(ch);
        } else {
            if !is_stage_word(&word) {
                out.push_str(&word);
            }
            word.clear();
            out.push(ch);
        }
    }
    if !is_stage_word(&word) {
        out.push_str(&word);
    }
    out
}

/// The capture a trace belongs to: its folder and its name without rank and stage (a
/// trace in a `prefill/`, `decode/` or `extend/` folder belongs to the folder above,
/// whatever its name).
#[must_use]
pub fn capture_key(path: &str) -> String {
    let lower = path.to_lowercase().replace('\\', "/");
    let (dir, name) = lower.rsplit_once('/').unwrap_or(("", lower.as_str()));
    if let Some((up, last)) = dir.rsplit_once('/').or(Some(("", dir)))
        && is_stage_word(last)
    {
        return format!("{up}/");
    }
    format!("{dir}/{}", drop_stages(&mask_ranks(&label_of(name))))
}

/// Groups trace paths into runs (by [`capture_key`]), in order of first appearance; each
/// group lists indexes into `paths` in their order.
#[must_use]
pub fn group(paths: &[&str]) -> Vec<Vec<usize>> {
    let mut keys: Vec<String> = Vec::new();
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for (i, p) in paths.iter().enumerate() {
        let k = capture_key(p);
        match keys.iter().position(|x| *x == k) {
            Some(g) => {
                if let Some(list) = groups.get_mut(g) {
                    list.push(i);
                }
            }
            None => {
                keys.push(k);
                groups.push(vec![i]);
            }
        }
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_and_stages_of_one_capture_group_together() {
        let same = |a: &str, b: &str| capture_key(a) == capture_key(b);
        assert!(same("d/bs16-TP-0.trace.json.gz", "d/bs16-TP-3.trace.json.gz"));
        assert!(same("d/x-1779.08-TP-0-DECODE.trace.json.gz", "d/x-1779.08-TP-1-EXTEND.trace.json.gz"));
        assert!(same(
            "d/dp0_pp0_tp2_ep0_rank2.1776.pt.trace.json.gz",
            "d/dp0_pp0_tp0_ep0_rank0.1801.pt.trace.json.gz"
        ));
        assert!(same("d/worker0.1623143089861.pt.trace.json.gz", "d/worker1.1623143089999.pt.trace.json.gz"));
        assert!(same("cap/prefill/a.json.gz", "cap/decode/b-TP-0.json.gz"));
        assert!(!same("d/bs16-TP-0.trace.json.gz", "d/bs128-TP-0.trace.json.gz"));
        assert!(same("d/q_tp4_bs16-TP-0.trace.json.gz", "d/q_tp4_bs16-TP-2.trace.json.gz"));
        assert!(!same("d/q_tp4_bs16-TP-0.trace.json.gz", "d/q_tp8_bs16-TP-0.trace.json.gz"));
        assert!(!same("d/a/x.trace.json.gz", "d/b/x.trace.json.gz"));
        assert!(!same("d/decoder.json", "d/encoder.json"));
        let paths = ["t/a-TP-0.json", "t/b.json", "t/a-TP-1.json"];
        assert_eq!(group(&paths), vec![vec![0, 2], vec![1]]);
    }
}
