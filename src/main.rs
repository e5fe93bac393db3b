//! The `fleetcost` binary: parse the command line, run the command, print the error, exit.

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = fleetcost::cli::Cli::parse();
    match fleetcost::app::dispatch(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // Rendered scenario problems carry their own "error:" titles and summary line;
            // every other message gets the same prefix, as clap's do.
            if e.message.starts_with("error") {
                eprintln!("{}", e.message);
            } else {
                eprintln!("error: {}", e.message);
            }
            ExitCode::from(e.code)
        }
    }
}
