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

/// An output folder written aside and swapped in whole: every file goes into a hidden folder beside the target
/// (`.NAME.partial-PID`), and only [`OutputFolder::commit`] puts it in the target's place. A run that fails or is
/// killed before that leaves the previous output as it was; the next run clears what it left behind. The target
/// must be absent, empty, or an earlier arenagap output (it has a run.json written by arenagap): it is replaced
/// whole, so no file of an earlier run stays behind unlisted, and a folder of other files is never deleted.
#[derive(Debug)]
pub struct OutputFolder {
    target: PathBuf,
    partial: PathBuf,
    committed: bool,
}

/// Whether `dir` is an output folder arenagap wrote (its run.json names the tool).
fn is_arenagap_output(dir: &Path) -> bool {
    std::fs::read_to_string(dir.join("run.json")).is_ok_and(|text| text.contains("\"tool\": \"arenagap\""))
}

impl OutputFolder {
    /// Prepares to write `target`: checks that it may be replaced, clears what an interrupted run left beside it,
    /// and creates the hidden folder the files go into.
    pub fn begin(target: &Path) -> Result<OutputFolder> {
        let (parent, name) = match (target.parent(), target.file_name()) {
            (Some(parent), Some(name)) => (parent, name.to_string_lossy().into_owned()),
            _ => {
                return Err(Error::Config(format!(
                    "--out {}: give a folder with a name, not a root or '..'",
                    target.display()
                )))
            }
        };
        let parent = if parent.as_os_str().is_empty() { Path::new(".") } else { parent };
        // A file where a folder of the path should be is the user's mistake, not a failed write.
        if let Some(file) = parent.ancestors().find(|a| a.is_file()) {
            return Err(Error::Config(format!(
                "--out {}: {} is a file, not a folder; give a folder to write the results to",
                target.display(),
                file.display()
            )));
        }
        std::fs::create_dir_all(parent).map_err(|e| Error::write(parent, e))?;
        Self::recover(parent, &name, target)?;
        if target.exists() {
            if !target.is_dir() {
                return Err(Error::Config(format!(
                    "--out {}: is a file, not a folder; give a folder to write the results to",
                    target.display()
                )));
            }
            let empty = std::fs::read_dir(target).map_err(|e| Error::io(target, e))?.next().is_none();
            if !empty && !is_arenagap_output(target) {
                return Err(Error::Config(format!(
                    "--out {}: holds files that are not an arenagap output (no run.json of arenagap): the whole folder \
                     is replaced by the new results, so give a new or empty folder",
                    target.display()
                )));
            }
        }
        let partial = parent.join(format!(".{name}.partial-{}", std::process::id()));
        if partial.exists() {
            std::fs::remove_dir_all(&partial).map_err(|e| Error::write(&partial, e))?;
        }
        std::fs::create_dir(&partial).map_err(|e| Error::write(&partial, e))?;
        Ok(OutputFolder { target: target.to_path_buf(), partial, committed: false })
    }

    /// Clears what an interrupted run left beside `target`: unfinished folders are removed; a previous output that
    /// was moved aside but not replaced (killed between the two renames of a commit) is put back.
    fn recover(parent: &Path, name: &str, target: &Path) -> Result<()> {
        let Ok(entries) = std::fs::read_dir(parent) else { return Ok(()) };
        let (partial, old) = (format!(".{name}.partial-"), format!(".{name}.old-"));
        for entry in entries.flatten() {
            let file_name = entry.file_name().to_string_lossy().into_owned();
            let path = entry.path();
            if file_name.starts_with(&partial) {
                std::fs::remove_dir_all(&path).map_err(|e| Error::write(&path, e))?;
            } else if file_name.starts_with(&old) {
                if target.exists() {
                    std::fs::remove_dir_all(&path).map_err(|e| Error::write(&path, e))?;
                } else {
                    std::fs::rename(&path, target).map_err(|e| Error::write(target, e))?;
                }
            }
        }
        Ok(())
    }

    /// The folder to write into.
    pub fn path(&self) -> &Path {
        &self.partial
    }

    /// Puts the finished folder in the target's place: the previous output is moved aside, the new one renamed
    /// in, the previous one removed.
    pub fn commit(mut self) -> Result<()> {
        let aside = self.partial.with_file_name(format!(
            ".{}.old-{}",
            self.target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
            std::process::id()
        ));
        let had_old = self.target.exists();
        if had_old {
            std::fs::rename(&self.target, &aside).map_err(|e| Error::write(&self.target, e))?;
        }
        if let Err(e) = std::fs::rename(&self.partial, &self.target) {
            if had_old {
                let _ = std::fs::rename(&aside, &self.target);
            }
            return Err(Error::write(&self.target, e));
        }
        self.committed = true;
        if had_old {
            std::fs::remove_dir_all(&aside).map_err(|e| Error::write(&aside, e))?;
        }
        Ok(())
    }
}

impl Drop for OutputFolder {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.partial);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> =
            std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        names.sort();
        names
    }

    fn run_json(dir: &Path) {
        std::fs::write(dir.join("run.json"), "{\n  \"tool\": \"arenagap\"\n}\n").unwrap();
    }

    #[test]
    fn a_committed_folder_replaces_the_old_one_whole() {
        let root = tempfile::tempdir().unwrap();
        let target = root.path().join("out");
        std::fs::create_dir(&target).unwrap();
        run_json(&target);
        std::fs::write(target.join("map.png"), "old").unwrap();
        let folder = OutputFolder::begin(&target).unwrap();
        run_json(folder.path());
        std::fs::write(folder.path().join("districts.csv"), "new").unwrap();
        // Before the commit the old output is untouched.
        assert_eq!(names(&target), ["map.png", "run.json"]);
        folder.commit().unwrap();
        assert_eq!(names(&target), ["districts.csv", "run.json"], "the earlier run's map is not left behind");
        assert_eq!(names(root.path()), ["out"], "nothing beside it");
    }

    #[test]
    fn a_failed_run_leaves_the_old_output_and_nothing_beside_it() {
        let root = tempfile::tempdir().unwrap();
        let target = root.path().join("out");
        std::fs::create_dir(&target).unwrap();
        run_json(&target);
        {
            let folder = OutputFolder::begin(&target).unwrap();
            std::fs::write(folder.path().join("districts.csv"), "half").unwrap();
            // Dropped without a commit: the run failed.
        }
        assert_eq!(names(&target), ["run.json"]);
        assert_eq!(names(root.path()), ["out"]);
    }

    #[test]
    fn what_a_killed_run_left_is_cleared_or_put_back() {
        let root = tempfile::tempdir().unwrap();
        let target = root.path().join("out");
        // Killed while writing: an unfinished folder beside a missing target.
        std::fs::create_dir(root.path().join(".out.partial-1")).unwrap();
        // Killed between the renames of a commit: the old output aside, no target.
        let aside = root.path().join(".out.old-2");
        std::fs::create_dir(&aside).unwrap();
        run_json(&aside);
        let folder = OutputFolder::begin(&target).unwrap();
        assert_eq!(names(&target), ["run.json"], "the previous output is put back");
        drop(folder);
        assert_eq!(names(root.path()), ["out"]);
    }

    #[test]
    fn a_folder_of_other_files_is_never_replaced() {
        let root = tempfile::tempdir().unwrap();
        std::fs::write(root.path().join("thesis.docx"), "mine").unwrap();
        let err = OutputFolder::begin(root.path()).unwrap_err().to_string();
        assert!(err.contains("not an arenagap output"), "{err}");
        assert_eq!(names(root.path()), ["thesis.docx"]);
        // A file where the folder should be.
        let file = root.path().join("thesis.docx");
        assert!(OutputFolder::begin(&file).unwrap_err().to_string().contains("is a file"));
        // An empty folder is fine.
        let empty = root.path().join("empty");
        std::fs::create_dir(&empty).unwrap();
        OutputFolder::begin(&empty).unwrap().commit().unwrap();
        assert!(empty.is_dir());
    }
}
