//! `probity`: the one command-line tool of the Probity credential network.
//!
//! `main` only parses arguments, sets up logging and maps the outcome to an exit code;
//! every command lives in `commands/`.

use clap::Parser;
use probity::{cli::Cli, exit};

fn main() {
    let cli = Cli::parse();
    // A fault inside the QR decoder is caught and reported as an unreadable image; its
    // panic message has no place on the user's terminal.
    probity_verifier::qr::quiet_decoder_panics();
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
