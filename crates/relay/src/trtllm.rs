//! `tracetriage-relay trtllm-override`: a copy of TensorRT-LLM's
//! `tensorrt_llm/_torch/pyexecutor/py_executor.py` whose profiler records Python stacks
//! and whose torch trace is written by rank 0 only (anchor spec §17).
//!
//! TensorRT-LLM's PyTorch backend creates its profiler as
//! `torch.profiler.profile(activities=…, record_shapes=True, with_modules=True)`: without
//! `with_stack`, so a trace has no Python locations. And every rank computes
//! `enable_torch_trace = bool(torch_trace_path and profile_start_stop)` from the same
//! `TLLM_TORCH_PROFILE_TRACE`, so with TP > 1 the ranks export to one path at once (newer
//! versions append `-rank-<r>` to the path; the guard then keeps rank 0's file only). The
//! override adds `with_stack=True` to the call (once, keeping its layout and arguments; an
//! existing `with_stack=` is set to `True`) and guards the switch with `<rank> == 0`, the
//! rank expression taken from the file (`self.global_rank`, `ctx.svc.dist.rank`, else
//! `self.dist.rank`). Running it on its own output changes nothing.

/// The profiler call the override edits.
pub const PROFILE_CALL: &str = "torch.profiler.profile(";
/// The torch-trace switch the override makes rank-0 only.
pub const TRACE_SWITCH: &str = "enable_torch_trace = bool(torch_trace_path and profile_start_stop)";
/// The comment written above the guarded switch.
const GUARD_COMMENT: &str =
    "# tracetriage: only rank 0 writes the torch trace, so ranks do not race on one trace path.";

/// What [`apply`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Patched {
    /// The new file text.
    pub text: String,
    /// One line per change (empty: the file was already patched).
    pub changes: Vec<String>,
}

/// Patches the text of `py_executor.py`.
///
/// # Errors
/// When a marker is missing ([`PROFILE_CALL`], its closing parenthesis, or [`TRACE_SWITCH`]);
/// the message names it.
pub fn apply(source: &str) -> Result<Patched, String> {
    let mut changes = Vec::new();
    let text = with_stack(source, &mut changes)?;
    let text = rank_zero(&text, &mut changes)?;
    Ok(Patched { text, changes })
}

/// Byte offset of the `)` closing the `(` at `open`, skipping strings and comments.
fn closing_paren(text: &str, open: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = open;
    let mut quote: Option<u8> = None;
    while i < bytes.len() {
        let b = bytes[i];
        if let Some(q) = quote {
            if b == b'\\' {
                i += 1;
            } else if b == q {
                quote = None;
            }
        } else {
            match b {
                b'\'' | b'"' => quote = Some(b),
                b'#' => {
                    while i < bytes.len() && bytes[i] != b'\n' {
                        i += 1;
                    }
                    continue;
                }
                b'(' | b'[' | b'{' => depth += 1,
                b')' | b']' | b'}' => {
                    depth = depth.checked_sub(1)?;
                    if depth == 0 {
                        return (b == b')').then_some(i);
                    }
                }
                _ => {}
            }
        }
        i += 1;
    }
    None
}

/// The whitespace that starts the line holding byte `at`.
fn indent_at(text: &str, at: usize) -> &str {
    let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let line = &text[start..];
    &line[..line.len() - line.trim_start().len()]
}

/// Adds `with_stack=True` to the profiler call, or sets an existing `with_stack=` to True.
fn with_stack(source: &str, changes: &mut Vec<String>) -> Result<String, String> {
    let call = source.find(PROFILE_CALL).ok_or_else(|| {
        format!("marker `{PROFILE_CALL}` not found: is this TensorRT-LLM's py_executor.py?")
    })?;
    let open = call + PROFILE_CALL.len() - 1;
    let close = closing_paren(source, open)
        .ok_or_else(|| format!("the closing `)` of `{PROFILE_CALL}` not found"))?;
    let args = &source[open + 1..close];
    if let Some(at) = args.find("with_stack=") {
        let value_start = open + 1 + at + "with_stack=".len();
        let rest = &source[value_start..close];
        let value_len = rest.find([',', '\n', ')', ' ']).unwrap_or(rest.len());
        let value = &source[value_start..value_start + value_len];
        if value == "True" {
            return Ok(source.to_owned());
        }
        changes.push(format!("with_stack={value} set to with_stack=True"));
        return Ok(format!("{}True{}", &source[..value_start], &source[value_start + value_len..]));
    }
    changes.push("with_stack=True added to torch.profiler.profile(".to_owned());
    let before = &source[..close];
    let after = &source[close..];
    let trimmed = args.trim_end();
    // `)` alone on its line: a new argument line before it, indented as the last argument.
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    if args.contains('\n') && source[line_start..close].trim().is_empty() {
        let last_arg_end = open + 1 + trimmed.len();
        let indent = indent_at(source, last_arg_end.saturating_sub(1)).to_owned();
        let comma = if trimmed.ends_with(',') { "" } else { "," };
        return Ok(format!(
            "{}{comma}\n{indent}with_stack=True,{}",
            &source[..last_arg_end],
            &source[last_arg_end..]
        ));
    }
    if trimmed.trim().is_empty() {
        return Ok(format!("{before}with_stack=True{after}"));
    }
    // `)` right after the last argument: spread calls get a new line at the arguments'
    // column, one-line calls a `, with_stack=True`.
    let last_arg_end = open + 1 + trimmed.len();
    let comma = if trimmed.ends_with(',') { "" } else { "," };
    if args.contains('\n') {
        let line = &source[line_start..];
        let column = &line[..line.len() - line.trim_start().len()];
        return Ok(format!("{}{comma}\n{column}with_stack=True{after}", &source[..last_arg_end]));
    }
    Ok(format!("{}{comma} with_stack=True{after}", &source[..last_arg_end]))
}

/// The rank expression the file itself uses.
fn rank_expr(source: &str) -> &'static str {
    if source.contains("{self.global_rank}") {
        "self.global_rank"
    } else if source.contains("{ctx.svc.dist.rank}") {
        "ctx.svc.dist.rank"
    } else {
        "self.dist.rank"
    }
}

/// Guards the torch-trace switch with `<rank> == 0`.
fn rank_zero(source: &str, changes: &mut Vec<String>) -> Result<String, String> {
    let guarded_head = "enable_torch_trace = bool(torch_trace_path and profile_start_stop and ";
    if source.lines().any(|l| l.trim_start().starts_with(guarded_head) && l.trim_end().ends_with("== 0)")) {
        return Ok(source.to_owned());
    }
    let mut out = String::with_capacity(source.len() + 128);
    let mut done = false;
    for line in source.split_inclusive('\n') {
        let body = line.trim_end_matches(['\n', '\r']);
        if !done && body.trim() == TRACE_SWITCH {
            let indent = &body[..body.len() - body.trim_start().len()];
            let eol = &line[body.len()..];
            let rank = rank_expr(source);
            out.push_str(&format!("{indent}{GUARD_COMMENT}\n"));
            out.push_str(&format!(
                "{indent}enable_torch_trace = bool(torch_trace_path and profile_start_stop and {rank} == 0){eol}"
            ));
            changes.push(format!("torch trace on rank 0 only ({rank} == 0)"));
            done = true;
        } else {
            out.push_str(line);
        }
    }
    if !done {
        return Err(format!("marker `{TRACE_SWITCH}` not found: is this TensorRT-LLM's py_executor.py?"));
    }
    Ok(out)
}

/// Where `py_executor.py` sits below the `tensorrt_llm` package.
pub const PACKAGE_PATH: &str = "tensorrt_llm/_torch/pyexecutor/py_executor.py";

/// How to mount the override `out` into a TensorRT-LLM container.
#[must_use]
pub fn mount_hint(out: &std::path::Path) -> String {
    format!(
        "mount it over the container's copy: docker run … -v {}:/usr/local/lib/python3.12/dist-packages/{PACKAGE_PATH}:ro …\n\
         (the package folder differs between images: `python3 -c 'import tensorrt_llm, os; \
         print(os.path.dirname(tensorrt_llm.__file__))'` in the container prints it; a launch spec \
         puts the -v in its `command`)",
        out.display()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// TensorRT-LLM ≤ 1.0's `PyExecutor._profiler`: the call spread over lines, `)` after
    /// the last argument.
    const SPREAD: &str = r#"    @contextmanager
    def _profiler(self):
        it = -1
        enabled = False
        torch_trace_path = os.environ.get(PROFILE_TRACE_ENV_VAR_NAME, None)
        profile_start_stop = os.environ.get(PROFILE_START_STOP_ENV_VAR_NAME,
                                            None)
        enable_torch_trace = bool(torch_trace_path and profile_start_stop)
        if enable_torch_trace:
            activities = [
                torch.profiler.ProfilerActivity.CPU,
                torch.profiler.ProfilerActivity.CUDA,
            ]
            torch_profiler = torch.profiler.profile(activities=activities,
                                                    record_shapes=True,
                                                    with_modules=True)
"#;

    /// Newer: one argument per line, `)` alone, the path per rank (`self.global_rank`).
    const LINES: &str = r#"        torch_trace_path = os.environ.get(PROFILE_TRACE_ENV_VAR_NAME, None)
        if torch_trace_path is not None:
            trace_base, trace_ext = os.path.splitext(torch_trace_path)
            torch_trace_path = f"{trace_base}-rank-{self.global_rank}{trace_ext}"
        enable_torch_trace = bool(torch_trace_path and profile_start_stop)
        if enable_torch_trace:
            torch_profiler = torch.profiler.profile(
                activities=[
                    torch.profiler.ProfilerActivity.CPU,
                    torch.profiler.ProfilerActivity.CUDA,
                ],
                record_shapes=True,
                with_modules=True
            )
"#;

    /// Newest: a module-level generator (four spaces), the rank from `ctx.svc.dist.rank`,
    /// the activities list inside the call with a trailing comma.
    const GENERATOR: &str = r#"    torch_trace_path = os.environ.get(PROFILE_TRACE_ENV_VAR_NAME, None)
    if torch_trace_path is not None:
        trace_base, trace_ext = os.path.splitext(torch_trace_path)
        torch_trace_path = (
            f"{trace_base}-rank-{ctx.svc.dist.rank}{trace_ext}")
    enable_torch_trace = bool(torch_trace_path and profile_start_stop)

    if enable_torch_trace:
        torch_profiler = torch.profiler.profile(
            activities=[
                torch.profiler.ProfilerActivity.CPU,
                torch.profiler.ProfilerActivity.CUDA,
            ],
            record_shapes=True,
            with_modules=True,
        )
"#;

    #[test]
    fn the_generator_shape_keeps_its_trailing_comma_and_rank() {
        let p = apply(GENERATOR).unwrap();
        assert!(
            p.text.contains("            with_modules=True,\n            with_stack=True,\n        )\n"),
            "{}",
            p.text
        );
        assert!(p.text.contains(
            "    enable_torch_trace = bool(torch_trace_path and profile_start_stop and ctx.svc.dist.rank == 0)\n"
        ));
        assert_eq!(apply(&p.text).unwrap().text, p.text);
    }

    #[test]
    fn a_spread_call_gets_with_stack_at_its_argument_column() {
        let p = apply(SPREAD).unwrap();
        assert!(
            p.text.contains(
                "                                                    with_modules=True,\n                                                    with_stack=True)\n"
            ),
            "{}",
            p.text
        );
        assert!(p.text.contains(
            "        enable_torch_trace = bool(torch_trace_path and profile_start_stop and self.dist.rank == 0)\n"
        ));
        assert!(p.text.contains(&format!("        {GUARD_COMMENT}\n")));
        assert_eq!(p.changes.len(), 2);
        assert_eq!(p.text.matches("with_stack").count(), 1);
    }

    #[test]
    fn a_lone_closing_paren_gets_an_argument_line_and_the_files_rank() {
        let p = apply(LINES).unwrap();
        assert!(
            p.text.contains(
                "                with_modules=True,\n                with_stack=True,\n            )\n"
            ),
            "{}",
            p.text
        );
        assert!(p.text.contains("profile_start_stop and self.global_rank == 0)"));
    }

    #[test]
    fn an_existing_with_stack_becomes_true_and_a_second_run_changes_nothing() {
        let src = SPREAD.replace("with_modules=True)", "with_stack=False,\n    with_modules=True)");
        let p = apply(&src).unwrap();
        assert!(p.text.contains("with_stack=True,\n    with_modules=True)"), "{}", p.text);
        assert_eq!(p.text.matches("with_stack").count(), 1);
        assert!(p.changes[0].contains("with_stack=False"));
        let again = apply(&p.text).unwrap();
        assert_eq!(again.text, p.text);
        assert!(again.changes.is_empty());
        assert_eq!(apply(&apply(LINES).unwrap().text).unwrap().text, apply(LINES).unwrap().text);
    }

    #[test]
    fn one_line_calls_and_missing_markers() {
        let one = "x = torch.profiler.profile(record_shapes=True)\nenable_torch_trace = bool(torch_trace_path and profile_start_stop)\n";
        let p = apply(one).unwrap();
        assert!(p.text.starts_with("x = torch.profiler.profile(record_shapes=True, with_stack=True)\n"));
        let e = apply("enable_torch_trace = bool(torch_trace_path and profile_start_stop)\n").unwrap_err();
        assert!(e.contains(PROFILE_CALL), "{e}");
        let e = apply("p = torch.profiler.profile(\n  a=1,\n").unwrap_err();
        assert!(e.contains("closing"), "{e}");
        let e = apply("p = torch.profiler.profile(a=1)\n").unwrap_err();
        assert!(e.contains(TRACE_SWITCH), "{e}");
    }
}
