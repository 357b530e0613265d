//! Atomic file writing: write to a temporary file beside the target, then rename, so a reader never sees a
//! half-written output and a failed run leaves the previous file (or nothing) in place.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// The temporary path used while `path` is being written: `.NAME.partial` in the same folder.
pub fn partial_path(path: &Path) -> PathBuf {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    path.with_file_name(format!(".{name}.partial"))
}

/// Writes `path` through `write`, atomically.
pub fn write_file(path: &Path, write: impl FnOnce(&mut BufWriter<File>) -> std::io::Result<()>) -> Result<()> {
    let partial = partial_path(path);
    let result = (|| {
        let file = File::create(&partial)?;
        let mut out = BufWriter::with_capacity(1 << 20, file);
        write(&mut out)?;
        out.flush()?;
        // No fsync: the rename is what keeps readers from a half-written file, and forcing a 100 MB layer to
        // disk would cost more than the whole analysis.
        drop(out.into_inner().map_err(|e| e.into_error())?);
        std::fs::rename(&partial, path)
    })();
    result.map_err(|e| {
        let _ = std::fs::remove_file(&partial);
        Error::write(path, e)
    })
}

/// Writes `path` atomically through `write`, which gets the open file for positioned writes (several threads can
/// each write their own part of it).
pub fn write_file_at(path: &Path, write: impl FnOnce(&File) -> std::io::Result<()>) -> Result<()> {
    let partial = partial_path(path);
    let result = (|| {
        let file = File::create(&partial)?;
        write(&file)?;
        drop(file);
        std::fs::rename(&partial, path)
    })();
    result.map_err(|e| {
        let _ = std::fs::remove_file(&partial);
        Error::write(path, e)
    })
}

/// Renames a finished temporary file over `path` (for writers, like SQLite, that need a path of their own).
pub fn commit(partial: &Path, path: &Path) -> Result<()> {
    std::fs::rename(partial, path).map_err(|e| {
        let _ = std::fs::remove_file(partial);
        Error::write(path, e)
    })
}
