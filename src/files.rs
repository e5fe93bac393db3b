//! The file system as an adversary sees it: reads capped by the bytes actually read,
//! non-regular inputs refused, an output that is the same file as an input refused, temporary
//! files and staging folders removed when the process is interrupted (SIGINT, SIGTERM) or
//! when a later run finds those of a process that died.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Why an input could not be read: the reason alone (the caller names the file and the fix).
#[derive(Debug)]
pub enum ReadError {
    /// The file system's error.
    Io(std::io::Error),
    /// A folder given where a file is wanted.
    Folder,
    /// A device, pipe or socket other than standard input (`/dev/zero`, a FIFO).
    NotRegular(&'static str),
    /// More than `max` bytes were read.
    TooLarge { max: u64 },
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::Io(e) => write!(f, "{e}"),
            ReadError::Folder => write!(f, "it is a folder; give a file"),
            ReadError::NotRegular(kind) => write!(
                f,
                "it is {kind}, not a regular file; give a file (or `-` for standard input)"
            ),
            ReadError::TooLarge { max } => write!(
                f,
                "it is larger than {} MB, the most fleetcost reads (is this the right file?)",
                max / (1024 * 1024)
            ),
        }
    }
}

/// What kind of non-regular file `m` is, in words.
fn kind_of(m: &std::fs::Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let t = m.file_type();
    if t.is_char_device() {
        "a character device"
    } else if t.is_block_device() {
        "a block device"
    } else if t.is_fifo() {
        "a pipe (FIFO)"
    } else if t.is_socket() {
        "a socket"
    } else {
        "not a regular file"
    }
}

/// Is `path` this process's standard input (`-`, `/dev/stdin`, or the same file as fd 0)?
pub fn is_stdin(path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    if path.as_os_str() == "-" {
        return true;
    }
    let (Ok(p), Ok(s)) = (
        std::fs::metadata(path),
        std::fs::metadata("/proc/self/fd/0").or_else(|_| std::fs::metadata("/dev/stdin")),
    ) else {
        return false;
    };
    p.dev() == s.dev() && p.ino() == s.ino() && p.rdev() == s.rdev()
}

/// Reads `path` whole, refusing more than `max` bytes (counted as read, so `/dev/zero` or an
/// endless pipe stops at `max`), a folder, and a device, pipe or socket unless it is standard
/// input (`-` reads standard input).
pub fn read_capped(path: &Path, max: u64) -> Result<Vec<u8>, ReadError> {
    let stdin = is_stdin(path);
    let mut bytes = Vec::new();
    let got = if path.as_os_str() == "-" {
        std::io::stdin()
            .lock()
            .take(max + 1)
            .read_to_end(&mut bytes)
    } else {
        let m = std::fs::metadata(path).map_err(ReadError::Io)?;
        if m.is_dir() {
            return Err(ReadError::Folder);
        }
        if !m.is_file() && !stdin {
            return Err(ReadError::NotRegular(kind_of(&m)));
        }
        let f = std::fs::File::open(path).map_err(ReadError::Io)?;
        f.take(max + 1).read_to_end(&mut bytes)
    };
    got.map_err(ReadError::Io)?;
    if bytes.len() as u64 > max {
        return Err(ReadError::TooLarge { max });
    }
    Ok(bytes)
}

/// The identity of an existing file (device and inode), followed through links.
fn identity(path: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    let m = std::fs::metadata(path).ok()?;
    m.is_file().then(|| (m.dev(), m.ino()))
}

/// Are `a` and `b` the same regular file (through links, `..`, hard links)? False when either
/// does not exist yet.
pub fn same_file(a: &Path, b: &Path) -> bool {
    match (identity(a), identity(b)) {
        (Some(x), Some(y)) => x == y,
        _ => false,
    }
}

/// Refuses an output `out` that is the same file as one of `inputs` (each named by its flag
/// or role): writing it would destroy the input.
pub fn refuse_same(out: &Path, out_flag: &str, inputs: &[(&str, &Path)]) -> Result<(), String> {
    for (role, input) in inputs {
        if same_file(out, input) {
            return Err(format!(
                "{out_flag} {}: it is the same file as the {role} {}; writing it would destroy \
                 the input: give another output name",
                out.display(),
                input.display()
            ));
        }
    }
    Ok(())
}

// --------------------------------------------------------------- interruption and clean-up

/// Paths this process created and removes if it is interrupted: temporary files, staging
/// folders, lock files.
struct Debris {
    paths: Vec<PathBuf>,
}

static DEBRIS: Mutex<Debris> = Mutex::new(Debris { paths: Vec::new() });
/// Held while a run folder changes (its renames), so an interruption waits for the folder to
/// be whole.
static CRITICAL: Mutex<()> = Mutex::new(());

fn debris() -> std::sync::MutexGuard<'static, Debris> {
    DEBRIS.lock().unwrap_or_else(|e| e.into_inner())
}

/// Creates `path` by `make` and records it as debris in one step, so an interruption either
/// finds it recorded or before it exists.
pub fn create_tracked<T>(
    path: &Path,
    make: impl FnOnce() -> std::io::Result<T>,
) -> std::io::Result<T> {
    let mut d = debris();
    let made = make()?;
    d.paths.push(path.to_path_buf());
    Ok(made)
}

/// `path` is no longer debris (renamed into place or removed).
pub fn untrack(path: &Path) {
    let mut d = debris();
    if let Some(i) = d.paths.iter().rposition(|p| p == path) {
        d.paths.swap_remove(i);
    }
}

/// Runs `f` (a run folder's renames) so that an interruption waits for it to finish.
pub fn critical<R>(f: impl FnOnce() -> R) -> R {
    let _g = CRITICAL.lock().unwrap_or_else(|e| e.into_inner());
    f()
}

fn remove_path(p: &Path) {
    match std::fs::symlink_metadata(p) {
        Ok(m) if m.is_dir() => {
            let _ = std::fs::remove_dir_all(p);
        }
        Ok(_) => {
            let _ = std::fs::remove_file(p);
        }
        Err(_) => {}
    }
}

/// Removes every recorded temporary file, staging folder and lock (the process is ending).
pub fn remove_debris() {
    let mut d = debris();
    for p in d.paths.drain(..).rev() {
        remove_path(&p);
    }
}

/// Handles SIGINT and SIGTERM: waits for a run folder being changed to be whole, removes this
/// process's temporary files, staging folders and locks, and exits with 128 + the signal
/// (130, 143), as a shell reports a process killed by it.
pub fn handle_signals() -> std::io::Result<()> {
    use signal_hook::consts::{SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM])?;
    std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            if let Some(sig) = signals.forever().next() {
                let _critical = CRITICAL.lock().unwrap_or_else(|e| e.into_inner());
                // Holding DEBRIS until exit: nothing new is created after the clean-up.
                let mut d = debris();
                for p in d.paths.drain(..).rev() {
                    remove_path(&p);
                }
                let name = if sig == SIGINT { "SIGINT" } else { "SIGTERM" };
                eprintln!("\nerror: interrupted ({name}); temporary files removed, nothing half-written was left");
                std::process::exit(128 + sig);
            }
        })?;
    Ok(())
}

/// Is the process `pid` alive? Unknown (no /proc) counts as alive, so nothing is removed.
pub fn pid_alive(pid: u32) -> bool {
    if !Path::new("/proc/self").exists() {
        return true;
    }
    Path::new("/proc").join(pid.to_string()).exists()
}

/// The process id in a name this crate gives its temporary files and folders:
/// `.NAME.tmp-PID-N`, `.fleetcost-probe-PID`, `.fleetcost-staging-PID-N`.
pub fn debris_pid(name: &str) -> Option<u32> {
    if !name.starts_with('.') {
        return None;
    }
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if let Some(rest) = name
        .strip_prefix(".fleetcost-probe-")
        .or_else(|| name.strip_prefix(".fleetcost-staging-"))
    {
        let pid = rest.split('-').next()?;
        return if digits(pid) { pid.parse().ok() } else { None };
    }
    let (_, tail) = name.rsplit_once(".tmp-")?;
    let (pid, n) = tail.split_once('-')?;
    (digits(pid) && digits(n)).then(|| pid.parse().ok())?
}

/// Removes from `dir` the temporary files and staging folders of processes that are no longer
/// running (killed before they could clean up); returns how many.
pub fn clean_stale(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let me = std::process::id();
    let mut n = 0;
    for e in entries.flatten() {
        let name = e.file_name();
        let Some(pid) = name.to_str().and_then(debris_pid) else {
            continue;
        };
        if pid != me && !pid_alive(pid) {
            remove_path(&e.path());
            n += 1;
        }
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debris_names() {
        assert_eq!(debris_pid(".samples.csv.tmp-123-4"), Some(123));
        assert_eq!(debris_pid(".fleetcost-probe-77"), Some(77));
        assert_eq!(debris_pid(".fleetcost-staging-9-0"), Some(9));
        assert_eq!(debris_pid("samples.csv.tmp-123-4"), None);
        assert_eq!(debris_pid(".x.tmp-12a-4"), None);
        assert_eq!(debris_pid(".x.tmp-12-"), None);
        assert_eq!(debris_pid(".fleetcost.lock"), None);
    }

    #[test]
    fn reads_stop_at_the_cap() {
        let e = read_capped(Path::new("/dev/zero"), 1024).unwrap_err();
        assert!(
            matches!(e, ReadError::NotRegular("a character device")),
            "{e}"
        );
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("big");
        std::fs::write(&p, vec![b'x'; 2000]).unwrap();
        assert!(matches!(
            read_capped(&p, 1999),
            Err(ReadError::TooLarge { max: 1999 })
        ));
        assert_eq!(read_capped(&p, 2000).unwrap().len(), 2000);
        assert!(matches!(
            read_capped(dir.path(), 10),
            Err(ReadError::Folder)
        ));
    }

    #[test]
    fn same_file_through_a_link() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a");
        std::fs::write(&a, b"x").unwrap();
        let l = dir.path().join("l");
        std::os::unix::fs::symlink(&a, &l).unwrap();
        assert!(same_file(&a, &l));
        assert!(same_file(&a, &dir.path().join(".").join("a")));
        assert!(!same_file(&a, &dir.path().join("missing")));
        assert!(refuse_same(&l, "--out", &[("scenario", &a)]).is_err());
    }

    #[test]
    fn stale_debris_of_dead_processes_is_removed() {
        let dir = tempfile::tempdir().unwrap();
        // A pid above the kernel's maximum (4194304) never runs.
        let dead = dir.path().join(".s.csv.tmp-99999999-0");
        let mine = dir
            .path()
            .join(format!(".s.csv.tmp-{}-0", std::process::id()));
        let stage = dir.path().join(".fleetcost-staging-99999999-1");
        let keep = dir.path().join("s.csv");
        for p in [&dead, &mine, &keep] {
            std::fs::write(p, b"x").unwrap();
        }
        std::fs::create_dir(&stage).unwrap();
        std::fs::write(stage.join("results.json"), b"{}").unwrap();
        assert_eq!(clean_stale(dir.path()), 2);
        assert!(!dead.exists() && !stage.exists());
        assert!(mine.exists() && keep.exists());
    }
}
