//! The commands behind the CLI: load, compute, print, write. Errors carry their exit code:
//! 2 for bad input or usage, 1 for a failure while running.

pub mod analysis;
pub mod calibrate;
pub mod catalog;
pub mod run;
pub mod serving_charts;
pub mod warnings;

use crate::cli::ScenarioArgs;
use crate::scenario::{self, LoadError, Scenario};

/// A command's failure with its exit code.
#[derive(Debug)]
pub struct AppError {
    pub code: u8,
    pub message: String,
    /// The message is a rendered scenario report that carries its own `error:` titles and
    /// summary line; any other message is one line that gets the title when printed.
    pub rendered: bool,
}

impl AppError {
    /// Bad input or usage: exit code 2.
    pub fn input(message: impl Into<String>) -> Self {
        AppError {
            code: 2,
            message: message.into(),
            rendered: false,
        }
    }

    /// A failure while running: exit code 1.
    pub fn runtime(message: impl Into<String>) -> Self {
        AppError {
            code: 1,
            message: message.into(),
            rendered: false,
        }
    }

    /// What goes to stderr: every failure starts with `error:`, as clap's do.
    pub fn report(&self) -> String {
        if self.rendered {
            self.message.clone()
        } else {
            format!("error: {}", self.message)
        }
    }
}

impl From<LoadError> for AppError {
    fn from(e: LoadError) -> Self {
        match e {
            LoadError::Invalid(e) => e.into(),
            read => AppError::input(read.to_string()),
        }
    }
}

impl From<scenario::ScenarioError> for AppError {
    fn from(e: scenario::ScenarioError) -> Self {
        AppError {
            rendered: true,
            ..AppError::input(e.render())
        }
    }
}

/// Loads the scenario and applies `--set`.
pub fn load(args: &ScenarioArgs) -> Result<Scenario, AppError> {
    let inline = CALL.with(|c| {
        c.borrow()
            .as_ref()
            .and_then(|call| call.scenario.clone())
            .filter(|(name, _)| std::path::Path::new(name) == args.scenario)
    });
    let mut s = match inline {
        Some((name, text)) => Scenario::from_str(&name, &text)?,
        None => scenario::load(&args.scenario)?,
    };
    s.apply_sets(&args.all_sets())?;
    Ok(s)
}

/// Runs a parsed command line.
pub fn dispatch(cli: crate::cli::Cli) -> Result<(), AppError> {
    use crate::cli::Command;
    match cli.command {
        Command::Run(a) => run::run(&a),
        Command::Validate(a) => run::validate(&a),
        Command::Catalog(a) => catalog::catalog(&a),
        Command::Plot(a) => run::plot(&a),
        Command::Sweep(a) => analysis::sweep(&a),
        Command::Tornado(a) => analysis::tornado(&a),
        Command::Montecarlo(a) => analysis::montecarlo(&a),
        Command::Solve(a) => analysis::solve(&a),
        Command::Elasticities(a) => analysis::elasticities(&a),
        Command::Calibrate(a) => calibrate::calibrate(&a),
        Command::Completions(a) => {
            use clap::CommandFactory;
            let mut out = Vec::new();
            clap_complete::generate(
                a.shell,
                &mut crate::cli::Cli::command(),
                "fleetcost",
                &mut out,
            );
            print(&String::from_utf8_lossy(&out))
        }
    }
}

/// An in-process command ([`call`]): what it prints, and a scenario given as text.
struct Call {
    out: String,
    /// (name, TOML text): the scenario argument `name` reads this text, not a file.
    scenario: Option<(String, String)>,
}

thread_local! {
    static CALL: std::cell::RefCell<Option<Call>> = const { std::cell::RefCell::new(None) };
}

/// Runs `fleetcost ARGS...` in-process, exactly as the binary would, and returns what it
/// prints on stdout; a failure is the same [`AppError`] (message and exit code) the binary
/// prints. `scenario` = (name, TOML text) makes the scenario argument `name` read that text
/// instead of a file (messages name it `name`). For libraries and the Python module:
/// `call(&["run", "s.toml", "--format", "json"], None)` is `run --format json`'s JSON.
pub fn call<S: AsRef<str>>(args: &[S], scenario: Option<(&str, &str)>) -> Result<String, AppError> {
    use clap::Parser;
    let argv = std::iter::once("fleetcost").chain(args.iter().map(AsRef::as_ref));
    let cli = crate::cli::Cli::try_parse_from(argv).map_err(|e| AppError {
        code: e.exit_code().clamp(1, 255) as u8,
        message: e.render().to_string().trim_end().to_string(),
        rendered: true,
    })?;
    let previous = CALL.with(|c| {
        c.replace(Some(Call {
            out: String::new(),
            scenario: scenario.map(|(n, t)| (n.to_string(), t.to_string())),
        }))
    });
    let result = dispatch(cli);
    let call = CALL.with(|c| c.replace(previous)).expect("set above");
    result.map(|()| call.out)
}

/// Writes to stdout (or to the output of an in-process [`call`]), treating a closed pipe
/// (`| head`) as success.
pub fn print(text: &str) -> Result<(), AppError> {
    use std::io::Write;
    let captured = CALL.with(|c| match c.borrow_mut().as_mut() {
        Some(call) => {
            call.out.push_str(text);
            true
        }
        None => false,
    });
    if captured {
        return Ok(());
    }
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(AppError::runtime(format!("cannot write to stdout: {e}"))),
    }
}
