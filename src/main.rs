//! The `fleetcost` binary: parse the command line, run the command, print the error, exit.

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = fleetcost::cli::Cli::parse();
    if let Err(e) = fleetcost::files::handle_signals() {
        eprintln!("error: cannot handle SIGINT and SIGTERM: {e}");
        return ExitCode::from(1);
    }
    match fleetcost::app::dispatch(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{}", e.report());
            ExitCode::from(e.code)
        }
    }
}
