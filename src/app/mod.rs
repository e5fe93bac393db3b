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
    let mut s = scenario::load(&args.scenario)?;
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

/// Writes to stdout, treating a closed pipe (`| head`) as success.
pub fn print(text: &str) -> Result<(), AppError> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(AppError::runtime(format!("cannot write to stdout: {e}"))),
    }
}
