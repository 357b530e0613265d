//! The library's error type. Every error that comes from user data names the file and, where there is one, the
//! feature or row, so that a planner can find and fix it.

use std::path::{Path, PathBuf};

/// Everything that can go wrong in arenagap.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be opened or read.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// A whole file is unusable: empty, not the format its extension says, missing a field.
    #[error("{}: {message}", path.display())]
    Input {
        /// The file.
        path: PathBuf,
        /// What is wrong, in words a planner understands.
        message: String,
    },
    /// One feature or row of a file is unusable.
    #[error("{}, {location}: {message}", path.display())]
    Feature {
        /// The file.
        path: PathBuf,
        /// Where in the file: `feature 17`, `row 18`, `record 3`.
        location: String,
        /// What is wrong.
        message: String,
    },
    /// The coordinate system of a file is unknown or unsupported.
    #[error("{}: {message}", path.display())]
    Crs {
        /// The file.
        path: PathBuf,
        /// What is wrong and how to declare the CRS.
        message: String,
    },
    /// A configuration option is wrong (bad value, unknown key, conflicting options).
    #[error("{0}")]
    Config(String),
    /// An output file could not be written.
    #[error("cannot write {}: {source}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
}

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// A whole-file input error.
    pub fn input(path: &Path, message: impl Into<String>) -> Self {
        Error::Input { path: path.to_path_buf(), message: message.into() }
    }

    /// An error in one feature or row of a file.
    pub fn feature(path: &Path, location: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Feature { path: path.to_path_buf(), location: location.into(), message: message.into() }
    }

    /// An I/O error while reading `path`.
    pub fn io(path: &Path, source: std::io::Error) -> Self {
        Error::Io { path: path.to_path_buf(), source }
    }

    /// An I/O error while writing `path`.
    pub fn write(path: &Path, source: std::io::Error) -> Self {
        Error::Write { path: path.to_path_buf(), source }
    }
}
