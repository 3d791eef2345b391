//! Argument types shared by the subcommands: the framework value enum and the percentage
//! parsers.

use report::engine::analysis::framework::Framework;

/// `--framework`: the serving framework, or `auto` to detect it. The spellings are the
/// engine's ([`Framework::parse`]: any case, `_` for `-`, the usual short names), checked
/// by a test.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum FrameworkArg {
    /// Detect it from the trace (Python paths, process names), file names and
    /// server_args.json.
    #[value(alias = "")]
    Auto,
    /// SGLang.
    #[value(alias = "sgl")]
    Sglang,
    /// vLLM.
    Vllm,
    /// TensorRT-LLM (PyTorch backend).
    #[value(aliases = ["trt", "tllm", "tensorrt-llm", "tensorrt_llm", "tensorrtllm"])]
    Trtllm,
    /// TokenSpeed.
    #[value(aliases = ["ts", "token-speed", "token_speed"])]
    Tokenspeed,
    /// None of them: no framework-specific rules.
    #[value(hide = true, alias = "none")]
    Unknown,
}

impl FrameworkArg {
    /// The engine's framework (`None`: detect).
    #[must_use]
    pub fn framework(self) -> Option<Framework> {
        match self {
            FrameworkArg::Auto => None,
            FrameworkArg::Sglang => Some(Framework::Sglang),
            FrameworkArg::Vllm => Some(Framework::Vllm),
            FrameworkArg::Trtllm => Some(Framework::Trtllm),
            FrameworkArg::Tokenspeed => Some(Framework::Tokenspeed),
            FrameworkArg::Unknown => Some(Framework::Unknown),
        }
    }
}

/// Parses `--min-share`: a percentage from 0 to 100.
///
/// # Errors
/// Not a number, or out of range.
pub fn percent(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(v) if (0.0..=100.0).contains(&v) => Ok(v),
        Ok(v) => Err(format!("--min-share must be between 0 and 100, got {v}")),
        Err(_) => Err(format!("--min-share must be a percentage between 0 and 100, got {text:?}")),
    }
}

/// Parses `--fail-above`: a percentage of zero or more (a regression can exceed 100%).
///
/// # Errors
/// Not a number, negative or not finite.
pub fn threshold(text: &str) -> Result<f64, String> {
    match text.trim().trim_end_matches('%').parse::<f64>() {
        Ok(v) if v >= 0.0 && v.is_finite() => Ok(v),
        Ok(v) => Err(format!("--fail-above must be a percentage of 0 or more, got {v}")),
        Err(_) => Err(format!("--fail-above must be a percentage (e.g. 5 or 2.5), got {text:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::ValueEnum;

    #[test]
    fn framework_spellings_are_the_engines() {
        for s in [
            "",
            "auto",
            "AUTO",
            "sglang",
            "SGLang",
            "sgl",
            "vllm",
            "vLLM",
            "trt",
            "tllm",
            "trtllm",
            "tensorrt-llm",
            "TensorRT-LLM",
            "tensorrt_llm",
            "tensorrtllm",
            "tokenspeed",
            "token-speed",
            "token_speed",
            "ts",
            "unknown",
            "none",
            "pytorch",
            "sglang2",
        ] {
            let ours = FrameworkArg::from_str(s, true).ok().map(FrameworkArg::framework);
            assert_eq!(ours, Framework::parse(s), "{s:?}");
        }
    }

    #[test]
    fn percentages() {
        assert_eq!(percent("2.5"), Ok(2.5));
        assert!(percent("101").unwrap_err().contains("between 0 and 100, got 101"));
        assert!(percent("x").is_err());
        assert_eq!(threshold("5"), Ok(5.0));
        assert_eq!(threshold("2.5%"), Ok(2.5));
        assert_eq!(threshold("150"), Ok(150.0));
        assert!(threshold("-1").unwrap_err().contains("0 or more"));
        assert!(threshold("inf").is_err() && threshold("five").is_err());
    }
}
