//! The `arenagap` binary: everything is in the library; this maps errors to exit codes.

use std::process::ExitCode;

fn main() -> ExitCode {
    ignore_file_size_signal();
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

/// A write beyond the file-size limit (`ulimit -f`) kills the process with SIGXFSZ unless the signal is ignored;
/// ignored, the write fails with EFBIG, which is reported like a full disk: an error naming the file, exit 1, and
/// the previous output folder left as it was.
#[cfg(unix)]
fn ignore_file_size_signal() {
    // SAFETY: setting a signal's disposition to SIG_IGN at start-up, before any thread exists, installs no handler
    // code and touches no memory of the program.
    unsafe {
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
    }
}

#[cfg(not(unix))]
fn ignore_file_size_signal() {}
