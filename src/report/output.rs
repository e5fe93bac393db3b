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

/// Where an output to `path` goes: `Some(dest)`, a regular file (or none yet) that a temporary
/// file is renamed onto (`dest` is the target of a symbolic link, so the link stays a link);
/// `None`, a device, pipe or dangling link that is written into directly. A folder is an error.
pub fn rename_target(path: &Path) -> std::io::Result<Option<PathBuf>> {
    let special = path.starts_with("/dev") || path.starts_with("/proc");
    match fs::metadata(path) {
        Ok(m) if m.is_dir() => Err(std::io::Error::other(
            "it is a folder; give the name of a file",
        )),
        Ok(m) if !m.is_file() || special => Ok(None),
        Ok(_) => Ok(Some(fs::canonicalize(path)?)),
        // A link whose target does not exist yet: writing through it creates the target.
        Err(_) if fs::symlink_metadata(path).is_ok() => Ok(None),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Some(path.to_path_buf())),
        Err(e) => Err(e),
    }
}

impl OutFile {
    pub fn create(path: &Path) -> std::io::Result<OutFile> {
        let dest = rename_target(path)?;
        let (file, rename) = match dest {
            Some(dest) => {
                let tmp = temp_beside(&dest);
                (fs::File::create(&tmp)?, Some((tmp, dest)))
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
        }
    }
}

/// Writes `bytes` to `path` as an [`OutFile`]: complete or not at all.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut f = OutFile::create(path)?;
    f.write_all(bytes)?;
    f.commit()
}

/// Creates `dir` if needed and proves it writable (a probe file written and removed), so a
/// command fails before computing rather than after.
pub fn prepare_dir(dir: &Path) -> Result<PathBuf, String> {
    if dir.exists() && !dir.is_dir() {
        return Err(format!(
            "--out {}: exists and is not a folder; give a folder name (it is created if needed)",
            dir.display()
        ));
    }
    fs::create_dir_all(dir)
        .map_err(|e| format!("--out {}: cannot create the folder: {e}", dir.display()))?;
    // A folder where an output file would go (results.json, sizing.png, ...) would fail the
    // command after computing, beside files already replaced: refuse it now.
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
    let probe = dir.join(format!(".fleetcost-probe-{}", std::process::id()));
    fs::write(&probe, b"probe")
        .map_err(|e| format!("--out {}: cannot write there: {e}", dir.display()))?;
    let _ = fs::remove_file(&probe);
    Ok(dir.to_path_buf())
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
    fn prepare_rejects_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("file");
        fs::write(&f, b"x").unwrap();
        assert!(prepare_dir(&f).is_err());
        assert!(prepare_dir(&dir.path().join("new/sub")).is_ok());
    }
}
