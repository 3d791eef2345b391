//! Command-line mistakes said in one line, like every other error of the CLI. Clap finds
//! them (value enums, value parsers, `conflicts_with`, `requires`, argument groups); this
//! module words them, and adds the reason a subcommand gives for its relations.

use clap::error::{ContextKind, ContextValue, ErrorKind};

/// Why two arguments go together or apart: `(how clap names one of them, the reason)`.
/// The first entry naming an argument of a conflict or a missing argument is used.
pub type Hints = [(&'static str, &'static str)];

/// One line for a parse error (without the `tracetriage: ` prefix); `hints` are the
/// subcommands' [`Hints`], in order.
#[must_use]
pub fn one_line(e: &clap::Error, hints: &[&Hints]) -> String {
    let message = match e.kind() {
        ErrorKind::InvalidValue => invalid_value(e),
        // A value parser's own message already names the option.
        ErrorKind::ValueValidation => match std::error::Error::source(e) {
            Some(cause) => cause.to_string(),
            None => first_paragraph(e),
        },
        _ => first_paragraph(e),
    };
    if !matches!(e.kind(), ErrorKind::ArgumentConflict | ErrorKind::MissingRequiredArgument) {
        return message;
    }
    let involved: Vec<String> =
        [ContextKind::InvalidArg, ContextKind::PriorArg].into_iter().flat_map(|k| strings(e, k)).collect();
    match hints.iter().flat_map(|h| h.iter()).find(|(arg, _)| involved.iter().any(|i| i.contains(arg))) {
        Some((_, why)) => format!("{message}; {why}"),
        None => message,
    }
}

/// `unknown framework "pytorch": --framework takes auto, sglang, vllm, trtllm or tokenspeed`.
fn invalid_value(e: &clap::Error) -> String {
    let arg = strings(e, ContextKind::InvalidArg).join(" ");
    let value = strings(e, ContextKind::InvalidValue).join(" ");
    let flag = arg.split_whitespace().next().unwrap_or(&arg);
    let noun = flag.trim_start_matches('-').replace('-', " ");
    let mut out =
        format!("unknown {noun} {value:?}: {flag} takes {}", or_list(&strings(e, ContextKind::ValidValue)));
    if let Some(s) = strings(e, ContextKind::SuggestedValue).first() {
        out.push_str(&format!(" (did you mean {s:?}?)"));
    }
    out
}

/// Clap's own message: its first paragraph, on one line, without `error: `.
fn first_paragraph(e: &clap::Error) -> String {
    let text = e.render().to_string();
    let first = text.split("\n\n").next().unwrap_or(&text);
    let line = first.split_whitespace().collect::<Vec<_>>().join(" ");
    line.strip_prefix("error: ").unwrap_or(&line).to_owned()
}

fn strings(e: &clap::Error, kind: ContextKind) -> Vec<String> {
    match e.get(kind) {
        Some(ContextValue::String(s)) => vec![s.clone()],
        Some(ContextValue::Strings(v)) => v.clone(),
        _ => Vec::new(),
    }
}

/// `a, b or c`.
fn or_list(items: &[String]) -> String {
    match items.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        Some((last, _)) => last.clone(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser, Debug)]
    struct Try {
        #[arg(long, value_enum, default_value_t = crate::args::FrameworkArg::Auto)]
        framework: crate::args::FrameworkArg,
        #[arg(long, value_parser = crate::args::percent)]
        min_share: Option<f64>,
        #[arg(long, conflicts_with = "b")]
        a: bool,
        #[arg(long)]
        b: bool,
    }

    fn error(args: &[&str]) -> String {
        let e = Try::try_parse_from(std::iter::once("t").chain(args.iter().copied())).unwrap_err();
        one_line(&e, &[&[("--a", "a and b are two ways to say one thing")]])
    }

    #[test]
    fn mistakes_are_one_line() {
        assert_eq!(
            error(&["--framework", "sglng"]),
            "unknown framework \"sglng\": --framework takes auto, sglang, vllm, trtllm or tokenspeed \
             (did you mean \"sglang\"?)"
        );
        assert_eq!(error(&["--min-share", "101"]), "--min-share must be between 0 and 100, got 101");
        assert_eq!(
            error(&["--a", "--b"]),
            "the argument '--a' cannot be used with '--b'; a and b are two ways to say one thing"
        );
        assert!(!error(&["--c"]).contains('\n'));
    }
}
