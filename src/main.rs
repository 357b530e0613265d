//! The `arenagap` binary: everything is in the library; this maps errors to exit codes.

use std::process::ExitCode;

fn main() -> ExitCode {
    match arenagap::cli::run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let code = match e {
                arenagap::Error::Write { .. } => 1,
                _ => 2,
            };
            // Every variant's message already ends with its cause (`Io`, `Write`); printing the source chain too
            // would repeat it.
            eprintln!("error: {}", arenagap::cli::terminal_safe(&e.to_string()));
            ExitCode::from(code)
        }
    }
}
