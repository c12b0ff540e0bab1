//! `probity`: the one command-line tool of the Probity credential network.
//!
//! `main` only parses arguments, sets up logging and maps the outcome to an exit code;
//! every command lives in `commands/`.

use clap::Parser;
use probity::{cli::Cli, exit};

fn main() {
    let cli = Cli::parse();
    probity::logging::init(cli.global.verbose, cli.global.quiet);
    let code = match probity::run(cli) {
        Ok(code) => code,
        Err(err) => {
            probity::commands::note(&format!("error: {err:#}"));
            exit::USAGE
        }
    };
    std::process::exit(code);
}
