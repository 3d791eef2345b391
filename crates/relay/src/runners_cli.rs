//! The command lines of the host runners: `launch`, `matrix` and `trtllm-override`.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use relay::options::CaptureOptions;

/// `launch SPEC.toml`.
#[derive(clap::Args, Debug)]
#[command(mut_arg("url", |a| a.required(false).default_value("").hide(true)))]
#[command(mut_arg("framework", |a| a.hide(true)))]
#[command(mut_arg("server_trace_path", |a| a.hide(true)))]
pub struct LaunchArgs {
    /// The launch spec (TOML: framework, model, tp, port, command, args, env, graphs,
    /// [mapping], startup_timeout_s).
    pub spec: PathBuf,
    /// The capture options (the server's URL and framework come from the spec).
    #[command(flatten)]
    pub options: CaptureOptions,
    /// Folder for captures (and the server's trace folder, server-traces/).
    #[arg(long)]
    pub out: PathBuf,
    /// Start the graphs-off (mapping) variant: the framework's graphs-off flags and the
    /// spec's [mapping] flags.
    #[arg(long)]
    pub mapping: bool,
    /// Print the commands and environment, start nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// `matrix SPEC.toml`.
#[derive(clap::Args, Debug)]
pub struct MatrixArgs {
    /// The matrix spec (TOML: model, tp, mapping, title, [capture], [[server]]...).
    pub spec: PathBuf,
    /// The matrix folder (captures/, runs/, bundle.md, site/, matrix.json).
    #[arg(long)]
    pub out: PathBuf,
    /// The built browser app for the dashboard site (default: ./dist when it exists; none:
    /// no site).
    #[arg(long, value_name = "DIR")]
    pub app: Option<PathBuf>,
    /// Leave out the bundle's "Generated on" line.
    #[arg(long)]
    pub no_date: bool,
}

/// `trtllm-override`.
#[derive(clap::Args, Debug)]
pub struct OverrideArgs {
    /// TensorRT-LLM's tensorrt_llm/_torch/pyexecutor/py_executor.py (copied out of the
    /// container or the installed package).
    #[arg(long)]
    pub source: PathBuf,
    /// The patched copy to write.
    #[arg(short, long)]
    pub output: PathBuf,
}

fn say(line: &str) {
    eprintln!("tracetriage-relay: {line}");
}

fn sink(e: relay::progress::Event) {
    eprintln!("tracetriage-relay: {e}");
}

/// Runs `launch`.
pub fn launch(a: &LaunchArgs) -> ExitCode {
    let spec = match relay::launch::Spec::read(&a.spec) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("tracetriage-relay: error: {e}");
            return ExitCode::FAILURE;
        }
    };
    if a.dry_run {
        print!("{}", relay::launch::dry_run(&spec, a.mapping, &a.options, &a.out));
        return ExitCode::SUCCESS;
    }
    let cancel = relay::cancel::Cancel::new();
    let req = relay::launch::Request {
        spec: &spec,
        mapping: a.mapping,
        opts: &a.options,
        out: &a.out,
        cancel: &cancel,
        sink: &sink,
        say: &say,
    };
    let runs = relay::launch::run(&req);
    let mut status = ExitCode::SUCCESS;
    for r in runs {
        match r.result {
            Ok(o) => {
                let mut out = std::io::stdout().lock();
                let _ = out.write_all(o.markdown.as_bytes());
                let _ = out.flush();
                say(&format!("{}: report written to {}", r.label, o.dir.join("report.json").display()));
            }
            Err(e) => {
                eprintln!("tracetriage-relay: error: {}: {}", r.label, e.message);
                if let Some(d) = &e.dir {
                    say(&format!("capture folder (kept): {}", d.display()));
                }
                status = if e.stop.is_some() { ExitCode::from(130) } else { ExitCode::FAILURE };
            }
        }
        say(&format!("{}: server log {}", r.label, r.log.display()));
    }
    status
}

/// Runs `matrix`.
pub fn matrix(a: &MatrixArgs) -> ExitCode {
    let spec = match relay::matrix::MatrixSpec::read(&a.spec) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("tracetriage-relay: error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let default_app = PathBuf::from("dist");
    let app = a.app.clone().or_else(|| native::site::is_app(&default_app).then_some(default_app));
    if let Some(dir) = &app
        && !native::site::is_app(dir)
    {
        eprintln!(
            "tracetriage-relay: error: --app {}: no index.html there (build it: trunk build --release)",
            dir.display()
        );
        return ExitCode::FAILURE;
    }
    let cancel = relay::cancel::Cancel::new();
    let generated = if a.no_date { None } else { native::site::generated_now() };
    let cx = relay::matrix::Context {
        out: &a.out,
        app: app.as_deref(),
        generated,
        cancel: &cancel,
        sink: &sink,
        say: &say,
    };
    match relay::matrix::run(&spec, &cx) {
        Ok(o) => {
            say(&format!("bundle: {}", o.bundle.display()));
            match &o.site {
                Some(s) => say(&format!("dashboard site: {}", s.display())),
                None => say(
                    "no dashboard site: no built app (pass --app DIR, e.g. dist/ from `trunk build --release`)",
                ),
            }
            let failed = o.frameworks.iter().filter(|f| f.status == "failed").count();
            if cancel.check().is_some() {
                ExitCode::from(130)
            } else if failed > 0 {
                say(&format!("{failed} of {} framework(s) failed (see the bundle)", o.frameworks.len()));
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(e) => {
            eprintln!("tracetriage-relay: error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Runs `trtllm-override`.
pub fn trtllm_override(a: &OverrideArgs) -> ExitCode {
    let run = || -> Result<Vec<String>, String> {
        let text = std::fs::read_to_string(&a.source)
            .map_err(|e| format!("cannot read {}: {e}", a.source.display()))?;
        let p = relay::trtllm::apply(&text).map_err(|e| format!("{}: {e}", a.source.display()))?;
        std::fs::write(&a.output, &p.text)
            .map_err(|e| format!("cannot write {}: {e}", a.output.display()))?;
        Ok(p.changes)
    };
    match run() {
        Ok(changes) => {
            println!("{}", a.output.display());
            if changes.is_empty() {
                say("already patched: the copy is unchanged");
            }
            for c in changes {
                say(&c);
            }
            say(&relay::trtllm::mount_hint(
                &std::path::absolute(&a.output).unwrap_or_else(|_| a.output.clone()),
            ));
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("tracetriage-relay: error: {e}");
            ExitCode::FAILURE
        }
    }
}
