//! Writing files: every file complete or absent (temporary file in the same folder + rename),
//! and an output folder checked for writability before any computing.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The temporary file beside `path` that is written and then renamed over it:
/// `.NAME.tmp-PID-N` in the same folder, so the rename never crosses a file system and two
/// writers in one process never share one.
pub fn temp_beside(path: &Path) -> PathBuf {
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    dir.join(format!(".{name}.tmp-{}-{n}", std::process::id()))
}

/// An output file that is complete or absent: written to a temporary file beside its
/// destination and renamed over it by [`OutFile::commit`]; dropped without a commit, it leaves
/// the old file (if any) as it was.
///
/// What is at the path decides how: a regular file, or nothing, is replaced atomically; a
/// symbolic link to a regular file has its target replaced (the link stays a link); a device,
/// a pipe or a socket (`/dev/null`, `/dev/stdout`, a FIFO) is written into directly, since it
/// cannot be replaced; a folder is an error before anything is written.
pub struct OutFile {
    w: std::io::BufWriter<fs::File>,
    /// The temporary file and the destination it is renamed to; None when writing straight
    /// into a device or pipe.
    rename: Option<(PathBuf, PathBuf)>,
}

/// Does `path` end with a `/` (so it names a folder, though the output is a file)?
fn ends_with_slash(path: &Path) -> bool {
    use std::os::unix::ffi::OsStrExt;
    path.as_os_str().as_bytes().ends_with(b"/")
}

/// Why `path`, a symbolic link, cannot be followed: a loop, or a target that does not exist.
fn broken_link(path: &Path, e: &std::io::Error) -> std::io::Error {
    let target = fs::read_link(path)
        .map(|t| t.display().to_string())
        .unwrap_or_default();
    if e.raw_os_error() == Some(40) {
        std::io::Error::other(format!(
            "it is a symbolic link that loops (-> {target}); remove the link or give another name"
        ))
    } else {
        std::io::Error::other(format!(
            "it is a symbolic link to {target}, which does not exist; create it or give another name"
        ))
    }
}

/// Where an output to `path` goes: `Some(dest)`, a regular file (or none yet) that a temporary
/// file is renamed onto (`dest` is the target of a symbolic link, so the link stays a link);
/// `None`, a device or pipe that is written into directly. A folder, a name ending in `/`, a
/// link loop and a link to a missing folder are errors.
pub fn rename_target(path: &Path) -> std::io::Result<Option<PathBuf>> {
    if ends_with_slash(path) {
        return Err(std::io::Error::other(
            "the name ends with '/', which names a folder; give the name of a file",
        ));
    }
    let special = path.starts_with("/dev") || path.starts_with("/proc");
    match fs::metadata(path) {
        Ok(m) if m.is_dir() => Err(std::io::Error::other(
            "it is a folder; give the name of a file",
        )),
        Ok(m) if !m.is_file() || special => Ok(None),
        Ok(_) => Ok(Some(fs::canonicalize(path)?)),
        Err(e) if fs::symlink_metadata(path).is_ok() => {
            // A link whose target does not exist yet: the target is created, if its folder
            // exists (the link stays a link).
            let target = fs::read_link(path)?;
            let target = match path.parent() {
                Some(dir) if target.is_relative() => dir.join(target),
                _ => target,
            };
            let folder_exists = target
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .map_or(true, |p| p.is_dir());
            if e.raw_os_error() == Some(40) || !folder_exists {
                return Err(broken_link(path, &e));
            }
            Ok(Some(target))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let folder = path.parent().filter(|p| !p.as_os_str().is_empty());
            if let Some(dir) = folder {
                if !dir.is_dir() {
                    return Err(std::io::Error::other(format!(
                        "the folder {} does not exist; create it first",
                        dir.display()
                    )));
                }
            }
            Ok(Some(path.to_path_buf()))
        }
        Err(e) => Err(e),
    }
}

impl OutFile {
    pub fn create(path: &Path) -> std::io::Result<OutFile> {
        let dest = rename_target(path)?;
        let (file, rename) = match dest {
            Some(dest) => {
                if let Some(dir) = dest.parent().filter(|p| !p.as_os_str().is_empty()) {
                    crate::files::clean_stale(dir);
                }
                let tmp = temp_beside(&dest);
                let file = crate::files::create_tracked(&tmp, || fs::File::create(&tmp))?;
                (file, Some((tmp, dest)))
            }
            None => (
                fs::OpenOptions::new()
                    .write(true)
                    .create(true)
                    .truncate(true)
                    .open(path)?,
                None,
            ),
        };
        Ok(OutFile {
            w: std::io::BufWriter::with_capacity(1 << 20, file),
            rename,
        })
    }

    /// Flushes, syncs and renames the temporary file over the destination.
    pub fn commit(mut self) -> std::io::Result<()> {
        self.w.flush()?;
        match self.rename.take() {
            Some((tmp, dest)) => {
                let done = self
                    .w
                    .get_ref()
                    .sync_all()
                    .and_then(|_| fs::rename(&tmp, &dest));
                if done.is_err() {
                    let _ = fs::remove_file(&tmp);
                }
                crate::files::untrack(&tmp);
                done
            }
            None => Ok(()),
        }
    }
}

impl Write for OutFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.w.write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.w.flush()
    }
}

impl Drop for OutFile {
    fn drop(&mut self) {
        if let Some((tmp, _)) = &self.rename {
            let _ = fs::remove_file(tmp);
            crate::files::untrack(tmp);
        }
    }
}

/// Writes `bytes` to `path` as an [`OutFile`]: complete or not at all.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut f = OutFile::create(path)?;
    f.write_all(bytes)?;
    f.commit()
}

/// Checks an `--out DIR` before any computing: a folder or nothing (then it is created), not a
/// file, a link loop or a link to nothing; no folder where an output file goes.
fn check_out_dir(dir: &Path) -> Result<(), String> {
    if let (Err(e), Ok(_)) = (fs::metadata(dir), fs::symlink_metadata(dir)) {
        return Err(format!("--out {}: {}", dir.display(), broken_link(dir, &e)));
    }
    if dir.exists() && !dir.is_dir() {
        return Err(format!(
            "--out {}: exists and is not a folder; give a folder name (it is created if needed)",
            dir.display()
        ));
    }
    fs::create_dir_all(dir)
        .map_err(|e| format!("--out {}: cannot create the folder: {e}", dir.display()))?;
    // A folder where an output file would go (results.json, sizing.png, ...) would fail the
    // command after computing: refuse it now.
    if let Ok(entries) = fs::read_dir(dir) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let output = [".json", ".csv", ".toml", ".png", ".svg"]
                .iter()
                .any(|x| name.ends_with(x));
            if output && e.path().is_dir() {
                return Err(format!(
                    "--out {}: '{name}' in it is a folder where fleetcost writes a file; \
                     move it away or choose another --out",
                    dir.display()
                ));
            }
        }
    }
    Ok(())
}

/// The lock a command holds on its `--out` folder while it writes: `.fleetcost.lock`, created
/// exclusively, holding the holder's process id and command; a lock whose process is gone is
/// stale and taken over.
pub const LOCK: &str = ".fleetcost.lock";

fn take_lock(dir: &Path) -> Result<PathBuf, String> {
    let lock = dir.join(LOCK);
    for _ in 0..2 {
        let made = crate::files::create_tracked(&lock, || {
            fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&lock)
        });
        match made {
            Ok(mut f) => {
                let holder = format!(
                    "{}\n{}\n",
                    std::process::id(),
                    std::env::args_os()
                        .map(|a| a.to_string_lossy().into_owned())
                        .collect::<Vec<_>>()
                        .join(" ")
                );
                if let Err(e) = f.write_all(holder.as_bytes()).and_then(|_| f.sync_all()) {
                    let _ = fs::remove_file(&lock);
                    crate::files::untrack(&lock);
                    return Err(format!("--out {}: cannot write there: {e}", dir.display()));
                }
                return Ok(lock);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                let text = fs::read_to_string(&lock).unwrap_or_default();
                let mut lines = text.lines();
                let pid: Option<u32> = lines.next().and_then(|l| l.trim().parse().ok());
                match pid {
                    Some(pid) if crate::files::pid_alive(pid) => {
                        return Err(format!(
                            "--out {}: another fleetcost (process {pid}: {}) is writing this \
                             folder; wait for it to finish or choose another --out",
                            dir.display(),
                            lines.next().unwrap_or("?")
                        ));
                    }
                    // Its process is gone (or it was cut short while being written): stale.
                    _ => {
                        let _ = fs::remove_file(&lock);
                    }
                }
            }
            Err(e) => return Err(format!("--out {}: cannot write there: {e}", dir.display())),
        }
    }
    Err(format!(
        "--out {}: cannot take the folder's lock {LOCK}; remove it if no fleetcost is running",
        dir.display()
    ))
}

/// An `--out` folder that changes as one unit: locked against a second command, written into
/// a hidden staging folder inside it (the [`std::ops::Deref`] target, so files and charts are
/// written there), and moved into place by [`RunFolder::commit`] only when everything is
/// written, removing the outputs the command owns that it did not write this time. An
/// interruption waits for the moves; a failure, or an interruption before them, leaves the
/// folder as it was.
pub struct RunFolder {
    dir: PathBuf,
    stage: PathBuf,
    lock: PathBuf,
    owns: fn(&str) -> bool,
}

impl RunFolder {
    /// Checks, locks and stages `dir`; `owns` tells the names of the command's outputs, and
    /// `inputs` (role, path) the files it reads, which must not be among them.
    pub fn open(
        dir: &Path,
        owns: fn(&str) -> bool,
        inputs: &[(&str, &Path)],
    ) -> Result<RunFolder, String> {
        check_out_dir(dir)?;
        crate::files::clean_stale(dir);
        for (role, input) in inputs {
            if let Ok(entries) = fs::read_dir(dir) {
                for e in entries.flatten() {
                    let name = e.file_name().to_string_lossy().into_owned();
                    if owns(&name) && crate::files::same_file(&e.path(), input) {
                        return Err(format!(
                            "--out {}: the {role} {} is the folder's {name}, which this \
                             command replaces; copy it elsewhere first or choose another --out",
                            dir.display(),
                            input.display()
                        ));
                    }
                }
            }
        }
        let lock = take_lock(dir)?;
        static N: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let stage = dir.join(format!(".fleetcost-staging-{}-{n}", std::process::id()));
        let made = crate::files::create_tracked(&stage, || fs::create_dir(&stage));
        let folder = RunFolder {
            dir: dir.to_path_buf(),
            stage,
            lock,
            owns,
        };
        made.map_err(|e| format!("--out {}: cannot write there: {e}", dir.display()))?;
        Ok(folder)
    }

    /// The folder itself (for messages).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Moves everything written into place and removes the owned outputs not written this
    /// time. Returns the names written and the names removed.
    pub fn commit(self) -> std::io::Result<(Vec<String>, Vec<String>)> {
        crate::files::critical(|| {
            let mut written = Vec::new();
            for e in fs::read_dir(&self.stage)? {
                let e = e?;
                let name = e.file_name();
                let dest = self.dir.join(&name);
                match rename_target(&dest)? {
                    // A link's target may be on another file system: then copied atomically.
                    Some(t) => {
                        if fs::rename(e.path(), &t).is_err() {
                            write_atomic(&t, &fs::read(e.path())?)?;
                        }
                    }
                    // A device or pipe where an output goes is written into.
                    None => {
                        let mut f = fs::OpenOptions::new().write(true).open(&dest)?;
                        f.write_all(&fs::read(e.path())?)?;
                    }
                }
                written.push(name.to_string_lossy().into_owned());
            }
            let mut removed = Vec::new();
            for e in fs::read_dir(&self.dir)?.flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                let regular = e.file_type().map(|t| t.is_file()).unwrap_or(false);
                if regular && (self.owns)(&name) && !written.contains(&name) {
                    fs::remove_file(e.path())?;
                    removed.push(name);
                }
            }
            written.sort();
            removed.sort();
            Ok((written, removed))
        })
    }
}

impl std::ops::Deref for RunFolder {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.stage
    }
}

impl Drop for RunFolder {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.stage);
        crate::files::untrack(&self.stage);
        let _ = fs::remove_file(&self.lock);
        crate::files::untrack(&self.lock);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_replaces_whole_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.txt");
        write_atomic(&p, b"old contents").unwrap();
        write_atomic(&p, b"new").unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"new");
        // No temporary file is left behind.
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 1, "{names:?}");
    }

    #[test]
    fn a_link_keeps_pointing_at_the_new_contents() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.csv");
        let link = dir.path().join("link.csv");
        fs::write(&real, b"old").unwrap();
        std::os::unix::fs::symlink(&real, &link).unwrap();
        write_atomic(&link, b"new").unwrap();
        assert!(fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(fs::read(&real).unwrap(), b"new");
    }

    #[test]
    fn a_device_is_written_into_not_replaced() {
        write_atomic(Path::new("/dev/null"), b"discarded").unwrap();
        let m = fs::metadata("/dev/null").unwrap();
        assert!(!m.is_file(), "/dev/null was replaced by a regular file");
    }

    #[test]
    fn a_folder_is_refused_before_writing() {
        let dir = tempfile::tempdir().unwrap();
        let e = OutFile::create(dir.path())
            .err()
            .expect("a folder must be refused");
        assert!(e.to_string().contains("it is a folder"), "{e}");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn an_uncommitted_file_leaves_the_old_one() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.txt");
        fs::write(&p, b"old").unwrap();
        let mut f = OutFile::create(&p).unwrap();
        f.write_all(b"half").unwrap();
        drop(f);
        assert_eq!(fs::read(&p).unwrap(), b"old");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn failed_write_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("missing-folder").join("a.txt");
        assert!(write_atomic(&p, b"x").is_err());
        assert!(!p.exists());
    }

    #[test]
    fn a_run_folder_refuses_a_file_and_changes_as_one() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("file");
        fs::write(&f, b"x").unwrap();
        assert!(RunFolder::open(&f, |_| true, &[]).is_err());
        let out = dir.path().join("new/sub");
        fs::create_dir_all(&out).unwrap();
        fs::write(out.join("old.csv"), b"old").unwrap();
        fs::write(out.join("keep.txt"), b"not ours").unwrap();
        let owns = |n: &str| n.ends_with(".csv");
        let folder = RunFolder::open(&out, owns, &[]).unwrap();
        // A second command is refused while the first holds the folder.
        let e = RunFolder::open(&out, owns, &[]).err().unwrap();
        assert!(e.contains("another fleetcost"), "{e}");
        write_atomic(&folder.join("new.csv"), b"new").unwrap();
        assert!(!out.join("new.csv").exists(), "written before the commit");
        let (written, removed) = folder.commit().unwrap();
        assert_eq!(
            (written, removed),
            (vec!["new.csv".into()], vec!["old.csv".into()])
        );
        let mut names: Vec<_> = fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        assert_eq!(names, ["keep.txt", "new.csv"]);
    }

    #[test]
    fn a_dropped_run_folder_leaves_the_old_contents() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("a.csv"), b"old").unwrap();
        let folder = RunFolder::open(dir.path(), |_| true, &[]).unwrap();
        write_atomic(&folder.join("a.csv"), b"new").unwrap();
        drop(folder);
        assert_eq!(fs::read(dir.path().join("a.csv")).unwrap(), b"old");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn names_that_cannot_be_files_are_refused_before_writing() {
        let dir = tempfile::tempdir().unwrap();
        let slash = dir.path().join("x.csv/");
        let e = OutFile::create(&slash).err().unwrap();
        assert!(e.to_string().contains("ends with '/'"), "{e}");
        let lp = dir.path().join("loop");
        std::os::unix::fs::symlink(&lp, &lp).unwrap();
        let e = OutFile::create(&lp).err().unwrap();
        assert!(e.to_string().contains("loops"), "{e}");
        let dangling = dir.path().join("dangling");
        std::os::unix::fs::symlink(dir.path().join("no/such/x.csv"), &dangling).unwrap();
        let e = OutFile::create(&dangling).err().unwrap();
        assert!(e.to_string().contains("does not exist"), "{e}");
        // A link to a file not yet written, in a folder that exists: the target is created.
        let later = dir.path().join("later");
        std::os::unix::fs::symlink("target.csv", &later).unwrap();
        write_atomic(&later, b"x").unwrap();
        assert_eq!(fs::read(dir.path().join("target.csv")).unwrap(), b"x");
        assert!(fs::symlink_metadata(&later)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 4);
    }
}
