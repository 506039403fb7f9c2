//! Outputs that appear whole or not at all, and never damage what is not a regular file.
//!
//! Every writer of the workspace (VTK formats and ArrayDict stores) opens its output here, and
//! [`OutputTarget::resolve`] decides how the path is written, as `cp`, h5py and `tar` do:
//!
//! - a regular file, or a path where nothing is yet: into a temporary file beside it, renamed over
//!   it only when the write succeeded, so a failed or killed conversion never leaves a partial file
//!   or damages an existing one;
//! - a symbolic link: followed to its final target (through a chain of links), which is replaced as
//!   above; the links stay links. A dangling link creates its target, as Python's `open(p, "w")`
//!   and h5py do (GNU `cp` refuses; we follow the tools our users write their files with);
//! - a character device, FIFO, socket or block device: opened and written through, never replaced
//!   or removed (`/dev/null`, `/dev/stdout`, a named pipe);
//! - `-`: standard output.
//!
//! A commit replaces an existing file unless told to keep it ([`Existing::Keep`], `--no-clobber`):
//! then its rename fails if a file is at the target, even one that appeared during the write.
//!
//! Temporaries of writes in flight are registered process-wide so that a signal handler can remove
//! them ([`remove_temporaries_in_flight`]); temporaries of killed writers (`SIGKILL`, power loss) are
//! removed by the next write into the same directory.
//!
//! # Example: replace a file atomically
//!
//! ```
//! use std::io::Write;
//! use atomic_output::{Durability, Output};
//!
//! let dir = tempfile::tempdir()?;
//! let path = dir.path().join("result.txt");
//! std::fs::write(&path, "old")?;
//!
//! let mut output = Output::create(&path)?;
//! output.write_all(b"new")?;
//! // Until the commit the old file is untouched; dropping `output` instead would discard the write.
//! assert_eq!(std::fs::read_to_string(&path)?, "old");
//! output.commit(Durability::Atomic)?;
//! assert_eq!(std::fs::read_to_string(&path)?, "new");
//! # Ok::<(), std::io::Error>(())
//! ```

// Nothing here needs unsafe code (the mapped files and the allocator live in the store and the CLI).
#![forbid(unsafe_code)]

use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

use tempfile::TempPath;

/// How many symbolic links [`OutputTarget::resolve`] follows before calling it a loop (Linux's limit).
const MAX_LINKS: usize = 40;

/// What an output path is, and so how it is written.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum OutputTarget {
    /// A regular file or a new one, at this path (the final target of any symbolic links): written
    /// to a temporary file in its directory and renamed over it.
    File(PathBuf),
    /// A character device, FIFO, socket or block device: opened for writing and written through.
    Stream(PathBuf),
    /// Standard output (the path `-`).
    Stdout,
}

impl OutputTarget {
    /// Decides how `path` is written: see the [crate] documentation. A directory, a loop of
    /// symbolic links and a link that cannot be read are errors.
    pub fn resolve(path: &Path) -> io::Result<Self> {
        if path.as_os_str() == "-" {
            return Ok(Self::Stdout);
        }
        // The kernel follows the links, including /proc's "magic" ones (`/dev/stdout` ->
        // `/proc/self/fd/1` -> `pipe:[...]`), which name no path a program could follow itself.
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_dir() => Err(io::Error::new(
                io::ErrorKind::IsADirectory,
                "is a directory",
            )),
            Ok(meta) if meta.is_file() => Ok(Self::File(std::fs::canonicalize(path)?)),
            Ok(_) => Ok(Self::Stream(path.to_path_buf())),
            Err(e) if e.kind() == io::ErrorKind::NotFound => dangling_target(path).map(Self::File),
            Err(e) => Err(e),
        }
    }

    /// True for a regular (or new) file, the only target a writer can seek in or put a second file
    /// beside (`.mhd` + `.raw`).
    pub fn is_file(&self) -> bool {
        matches!(self, Self::File(_))
    }
}

/// An output being written: a [`Write`] that [`commit`](Self::commit) completes. Dropping it
/// uncommitted removes its temporary (a regular-file target is then left as it was; a stream has
/// received what was written so far).
pub struct Output {
    sink: Sink,
}

enum Sink {
    /// The temporary, its open file, and the file it replaces.
    Replace {
        file: File,
        tmp: Temporary,
        target: PathBuf,
    },
    /// A device, FIFO, socket, or standard output.
    Through(File),
}

impl Output {
    /// Opens `path` for writing as [`OutputTarget::resolve`] decides. A FIFO blocks here until a
    /// reader opens it, as with `cp`.
    pub fn create(path: &Path) -> io::Result<Self> {
        let sink = match OutputTarget::resolve(path)? {
            OutputTarget::File(target) => {
                let (file, tmp) = Temporary::create_in(parent_dir(&target), create_new_file)?;
                Sink::Replace { file, tmp, target }
            }
            OutputTarget::Stream(device) => Sink::Through(open_stream(&device)?),
            OutputTarget::Stdout => Sink::Through(stdout_file()?),
        };
        Ok(Self { sink })
    }

    /// Finishes the output: renames the temporary over its target (after flushing it to disk when
    /// `how` asks for it, and keeping the permissions of a file it replaces; with
    /// [`Existing::Keep`] a file at the target, even one that appeared during the write, is kept
    /// and the commit fails with [`io::ErrorKind::AlreadyExists`]), or flushes a stream.
    pub fn commit(self, how: impl Into<Commit>) -> io::Result<()> {
        let how = how.into();
        match self.sink {
            Sink::Replace { file, tmp, target } => {
                if how.durability == Durability::Synced {
                    file.sync_all()?;
                }
                drop(file);
                tmp.persist(&target, how)
            }
            Sink::Through(mut file) => {
                file.flush()?;
                COMMITTED.fetch_add(1, Ordering::SeqCst);
                Ok(())
            }
        }
    }
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &mut self.sink {
            Sink::Replace { file, .. } | Sink::Through(file) => file.write(buf),
        }
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match &mut self.sink {
            Sink::Replace { file, .. } | Sink::Through(file) => file.write_all(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.sink {
            Sink::Replace { file, .. } | Sink::Through(file) => file.flush(),
        }
    }
}

/// An output whose file a writer creates itself (the HDF5 library), made by [`create_with`].
pub struct CreatedOutput {
    tmp: Temporary,
    target: OutputTarget,
}

/// Starts an output whose file `create` makes itself, for writers that must open their file
/// themselves (the HDF5 library). `create` gets a path no file has and must create it exclusively
/// (failing with [`io::ErrorKind::AlreadyExists`] if one appeared meanwhile, upon which another name
/// is tried); it must be a seekable file, so for a stream or standard output it is made in
/// [`std::env::temp_dir`] and copied through by [`CreatedOutput::commit`]. Returns what `create`
/// returned; the writer closes it before the commit.
///
/// Why not [`Output::create`] and reopening its temporary: a writer that reopens an existing file
/// with `O_TRUNC` (as `H5F_ACC_TRUNC` does) makes ext4 flush the whole file to disk when it is closed
/// (its `auto_da_alloc` heuristic for files rewritten through a truncation), which costs about as
/// much as writing an uncompressed output in the first place.
pub fn create_with<R>(
    path: &Path,
    create: impl FnMut(&Path) -> io::Result<R>,
) -> io::Result<(R, CreatedOutput)> {
    let target = OutputTarget::resolve(path)?;
    let dir = match &target {
        OutputTarget::File(file) => parent_dir(file).to_path_buf(),
        OutputTarget::Stream(_) | OutputTarget::Stdout => std::env::temp_dir(),
    };
    let (made, tmp) = Temporary::create_in(&dir, create)?;
    Ok((made, CreatedOutput { tmp, target }))
}

impl CreatedOutput {
    /// The temporary file the writer fills.
    pub fn temp_path(&self) -> &Path {
        self.tmp.path()
    }

    /// Finishes the output once the writer has closed its file: renames the temporary over a
    /// regular-file target (see [`Output::commit`]), or copies it to the stream and removes it.
    pub fn commit(self, how: impl Into<Commit>) -> io::Result<()> {
        let how = how.into();
        match &self.target {
            OutputTarget::File(target) => {
                if how.durability == Durability::Synced {
                    File::open(self.tmp.path())?.sync_all()?;
                }
                self.tmp.persist(target, how)
            }
            OutputTarget::Stream(device) => copy_through(self.tmp.path(), open_stream(device)?),
            OutputTarget::Stdout => copy_through(self.tmp.path(), stdout_file()?),
        }
    }
}

/// Buffer between a writer and its output: large enough that a conversion makes few system calls.
const WRITE_BUFFER: usize = 1 << 20;

/// Writes the output `path` names in one go, for every writer that can write to a [`Write`] (the
/// HDF5 library cannot: see [`create_with`]). `fill` gets a buffered writer to the output, which is
/// committed (see [`Output::commit`]) only when `fill` and the final flush succeeded; otherwise it is
/// dropped, so a temporary is removed and an existing file is left as it was. `io_error` turns the
/// I/O errors met here into the caller's error type (which names the path).
pub fn write_with<E>(
    path: &Path,
    how: impl Into<Commit>,
    io_error: impl Fn(io::Error) -> E,
    fill: impl FnOnce(&mut dyn Write) -> Result<(), E>,
) -> Result<(), E> {
    let mut output = Output::create(path).map_err(&io_error)?;
    {
        let mut buffered = io::BufWriter::with_capacity(WRITE_BUFFER, &mut output);
        fill(&mut buffered)?;
        buffered.flush().map_err(&io_error)?;
    }
    output.commit(how).map_err(io_error)
}

/// The file a new output at `path` creates: `path` itself, or the final target of the chain of
/// symbolic links it starts (which may lead through directories that do not exist; creating the
/// temporary there then fails with the OS's reason).
fn dangling_target(path: &Path) -> io::Result<PathBuf> {
    let mut current = path.to_path_buf();
    for _ in 0..=MAX_LINKS {
        match std::fs::symlink_metadata(&current) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let link = std::fs::read_link(&current)?;
                current = if link.is_absolute() {
                    link
                } else {
                    parent_dir(&current).join(link)
                };
            }
            Ok(_) => return Err(io::Error::other("changed while it was being resolved")),
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(current),
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::other(format!(
        "more than {MAX_LINKS} symbolic links in a row"
    )))
}

fn copy_through(from: &Path, mut to: File) -> io::Result<()> {
    io::copy(&mut File::open(from)?, &mut to)?;
    to.flush()?;
    COMMITTED.fetch_add(1, Ordering::SeqCst);
    Ok(())
}

/// A device or FIFO is opened as `cp` opens it: for writing, without creating or truncating it.
fn open_stream(path: &Path) -> io::Result<File> {
    std::fs::OpenOptions::new().write(true).open(path)
}

/// Standard output as a file of its own (a duplicate descriptor), so writes bypass the line
/// buffering of [`std::io::Stdout`] and the caller's buffer decides the write sizes.
#[cfg(unix)]
fn stdout_file() -> io::Result<File> {
    use std::os::fd::AsFd;
    Ok(File::from(io::stdout().as_fd().try_clone_to_owned()?))
}

#[cfg(windows)]
fn stdout_file() -> io::Result<File> {
    use std::os::windows::io::AsHandle;
    Ok(File::from(io::stdout().as_handle().try_clone_to_owned()?))
}

/// New output files are ordinary files (0666 minus umask; a temporary file would be 0600).
fn create_new_file(path: &Path) -> io::Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).read(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o666);
    options.open(path)
}

fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Temporaries of this process's writes in flight. Process-wide because signals are: a handler of
/// SIGINT must find the temporaries of every write, whichever thread or library call started it.
static IN_FLIGHT: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn in_flight() -> MutexGuard<'static, Vec<PathBuf>> {
    // The list stays consistent whatever panicked while holding it (every change is one push or remove).
    IN_FLIGHT.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Outputs this process has committed: renamed into place (counted under the registry's lock, so
/// a [`TemporariesRemoved`] holder sees every rename that happened) or written to their stream.
static COMMITTED: AtomicU64 = AtomicU64::new(0);

/// How many outputs this process has committed so far (each [`Output::commit`] and
/// [`CreatedOutput::commit`] that succeeded). An interrupt handler compares it with the count
/// before a write to tell whether that write finished: see [`TemporariesRemoved::committed`].
pub fn committed_outputs() -> u64 {
    COMMITTED.load(Ordering::SeqCst)
}

fn unregister(registry: &mut Vec<PathBuf>, path: &Path) {
    if let Some(i) = registry.iter().position(|p| p == path) {
        registry.swap_remove(i);
    }
}

/// What [`remove_temporaries_in_flight`] did; holds the registry of temporaries while it lives.
#[must_use = "dropping it lets the interrupted writes go on (and fail)"]
pub struct TemporariesRemoved {
    count: usize,
    _registry: MutexGuard<'static, Vec<PathBuf>>,
}

impl TemporariesRemoved {
    /// How many temporary files were removed.
    pub fn count(&self) -> usize {
        self.count
    }

    /// [`committed_outputs`] as of the removal: no rename can happen while the guard lives, so a
    /// write whose count went up before it is complete, and one whose count did not never will be.
    pub fn committed(&self) -> u64 {
        committed_outputs()
    }
}

/// Removes the temporary files of every write in flight in this process, for a host's handler of
/// SIGINT, SIGTERM or SIGHUP (the `arraydict` command's handler calls it). While the returned guard
/// lives, no write of this process can create a temporary or rename one into place (they wait), so
/// a handler that exits holding it leaves nothing behind and no output half-replaced: a rename that
/// was under way when the signal came completed first, and its output is whole. Dropped, the writes
/// go on and fail (their temporaries are gone); existing outputs stay as they were.
pub fn remove_temporaries_in_flight() -> TemporariesRemoved {
    let mut registry = in_flight();
    let count = registry.len();
    for path in registry.drain(..) {
        // A writer may still have it open (HDF5 in the middle of a write): unlinking is fine.
        let _ = std::fs::remove_file(path);
    }
    TemporariesRemoved {
        count,
        _registry: registry,
    }
}

/// A registered temporary file: removed (and unregistered) when dropped unless persisted.
struct Temporary {
    path: Option<TempPath>,
}

impl Temporary {
    /// A new temporary in `dir`, made by `create` (see [`create_with`]) after removing the stale
    /// temporaries of dead writers there.
    fn create_in<R>(
        dir: &Path,
        mut create: impl FnMut(&Path) -> io::Result<R>,
    ) -> io::Result<(R, Self)> {
        remove_stale_temporaries(dir);
        let prefix = temp_prefix();
        let made = tempfile::Builder::new()
            .prefix(&prefix)
            .suffix(".tmp")
            .make_in(dir, |path| {
                // Registered before it exists, under the lock: a handler holding the lock has either seen
                // this name or keeps the file from being created.
                let mut registry = in_flight();
                registry.push(path.to_path_buf());
                create(path).inspect_err(|_| {
                    registry.pop();
                })
            })?;
        let (made, path) = made.into_parts();
        Ok((made, Self { path: Some(path) }))
    }

    fn path(&self) -> &Path {
        self.path
            .as_deref()
            .expect("a temporary has its path until persisted or dropped")
    }

    /// Renames the temporary to `target`, keeping the permissions of a file it replaces; with
    /// [`Existing::Keep`], by a rename that fails if the target exists (`renameat2` with
    /// `RENAME_NOREPLACE`, or a hard link and an unlink where that is missing), so that a file
    /// that appeared after any earlier check is not replaced either.
    fn persist(mut self, target: &Path, how: Commit) -> io::Result<()> {
        let tmp = self
            .path
            .take()
            .expect("a temporary has its path until persisted or dropped");
        let replace = how.existing == Existing::Replace;
        if let Some(meta) = std::fs::metadata(target).ok().filter(|_| replace) {
            // Replacing a file keeps its permissions, as rewriting it in place would.
            if let Err(e) = std::fs::set_permissions(&tmp, meta.permissions()) {
                self.path = Some(tmp);
                return Err(e);
            }
        }
        let name = tmp.to_path_buf();
        {
            // Renamed under the lock, so an interrupt handler sees either the temporary or the output.
            let mut registry = in_flight();
            let renamed = if replace {
                tmp.persist(target)
            } else {
                tmp.persist_noclobber(target)
            };
            match renamed {
                Ok(()) => {
                    unregister(&mut registry, &name);
                    COMMITTED.fetch_add(1, Ordering::SeqCst);
                }
                Err(e) => {
                    self.path = Some(e.path);
                    drop(registry); // before `self` drops and takes the lock again
                    return Err(e.error);
                }
            }
        }
        if how.durability == Durability::Synced {
            sync_parent_dir(target)?;
        }
        Ok(())
    }
}

impl Drop for Temporary {
    fn drop(&mut self) {
        if let Some(tmp) = self.path.take() {
            let name = tmp.to_path_buf();
            // The file goes first: unregistered but still there, a handler would miss it.
            drop(tmp);
            unregister(&mut in_flight(), &name);
        }
    }
}

/// How far a commit goes to make an output survive failures.
///
/// Both levels make the output appear whole or not at all to every other process, and leave an
/// existing file intact when the writer fails or is killed. They differ only after an operating
/// system crash or power loss. Streams (devices, FIFOs, standard output) are only flushed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Durability {
    /// Rename only, as `cp`, h5py and VTK's writers do: after a power loss the new file may be
    /// missing or empty until the OS had written it back (a few seconds). The default, because an
    /// fsync per output costs as much as the conversion itself on large uncompressed files.
    #[default]
    Atomic,
    /// Also flush the file to the disk before the rename and the directory after it, so a renamed
    /// output survives a power loss.
    Synced,
}

/// What a commit does with a file that exists where the output goes. Streams (devices, FIFOs,
/// standard output) are written through either way.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Existing {
    /// Replace it, as `cp` and h5py do.
    #[default]
    Replace,
    /// Keep it: the commit fails with [`io::ErrorKind::AlreadyExists`] and removes its temporary
    /// (`cp --no-clobber`), even when the file appeared while the output was being written.
    Keep,
}

/// How a commit puts an output in place: how durable it makes it, and whether it may replace a
/// file. A [`Durability`] alone is a commit that replaces.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Commit {
    /// How far the commit goes to make the output survive failures.
    pub durability: Durability,
    /// What becomes of a file already at the target.
    pub existing: Existing,
}

impl Commit {
    /// A commit with this durability and this treatment of an existing file.
    pub fn new(durability: Durability, existing: Existing) -> Self {
        Self {
            durability,
            existing,
        }
    }
}

impl From<Durability> for Commit {
    fn from(durability: Durability) -> Self {
        Self::new(durability, Existing::Replace)
    }
}

/// The rename itself is durable only once the directory entry is on disk.
#[cfg(unix)]
fn sync_parent_dir(path: &Path) -> io::Result<()> {
    File::open(parent_dir(path))?.sync_all()
}

#[cfg(not(unix))]
fn sync_parent_dir(_path: &Path) -> io::Result<()> {
    Ok(())
}

/// Temporary outputs are named `.arraydict-<pid>-<random>.tmp` so that a later write into the same
/// directory can tell the temporaries of killed writers (their process is gone) from those of
/// writers still running, and remove the former.
fn temp_prefix() -> String {
    format!(".arraydict-{}-", std::process::id())
}

/// Removes temporaries left in `dir` by writers that were killed (SIGKILL, power loss) before they
/// could clean up. Only on systems with `/proc`, where "process gone" can be told; best effort.
/// Every write does this in its output's directory; a host that ran writers in other processes
/// (a Dask cluster's workers) calls it on the directories they wrote into once they are done.
pub fn remove_stale_temporaries(dir: &Path) {
    let proc = Path::new("/proc");
    if !proc.join("self").exists() {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let own = std::process::id().to_string();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(rest) = name.to_str().and_then(|n| n.strip_prefix(".arraydict-")) else {
            continue;
        };
        let Some((pid, tail)) = rest.split_once('-') else {
            continue;
        };
        let is_tmp = Path::new(tail).extension() == Some(std::ffi::OsStr::new("tmp"));
        if !is_tmp || pid.is_empty() || !pid.bytes().all(|b| b.is_ascii_digit()) || pid == own {
            continue;
        }
        if !process_alive(proc, pid) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// A killed writer whose parent has not reaped it yet is a zombie: its `/proc` entry still exists
/// (state `Z` or `X`) but it will never finish its temporary file.
fn process_alive(proc: &Path, pid: &str) -> bool {
    let Ok(stat) = std::fs::read_to_string(proc.join(pid).join("stat")) else {
        return proc.join(pid).exists();
    };
    // `pid (comm) state ...`; comm may itself contain ')' and spaces, so split at the last ')'.
    let state = stat
        .rsplit_once(')')
        .and_then(|(_, rest)| rest.split_whitespace().next());
    !matches!(state, Some("Z" | "X"))
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;
    use std::os::unix::fs::FileTypeExt;

    fn write_output(path: &Path, bytes: &[u8], durability: Durability) -> io::Result<()> {
        let mut out = Output::create(path)?;
        out.write_all(bytes)?;
        out.commit(durability)
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn write_with_commits_only_what_filled_without_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.txt");
        std::fs::write(&path, "old").unwrap();
        let failed: Result<(), String> = write_with(
            &path,
            Durability::Atomic,
            |e| e.to_string(),
            |w| {
                w.write_all(b"partial").map_err(|e| e.to_string())?;
                Err("the writer failed".into())
            },
        );
        assert_eq!(failed, Err("the writer failed".into()));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old");
        assert_eq!(names(dir.path()), ["out.txt"], "the temporary is removed");
        write_with(
            &path,
            Durability::Atomic,
            |e| e.to_string(),
            |w| w.write_all(b"new").map_err(|e| e.to_string()),
        )
        .unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
    }

    #[test]
    fn stale_temporaries_of_dead_writers_are_removed_live_ones_kept() {
        let dir = tempfile::tempdir().unwrap();
        // pid 4294967295 exceeds any pid_max, so its writer is certainly gone; pid 1 is alive.
        let dead = dir.path().join(".arraydict-4294967295-abc.tmp");
        let live = dir.path().join(".arraydict-1-abc.tmp");
        let own = dir.path().join(format!("{}abc.tmp", temp_prefix()));
        let unrelated = dir.path().join(".arraydict-abc.tmp");
        for p in [&dead, &live, &own, &unrelated] {
            std::fs::write(p, b"partial").unwrap();
        }
        let out = dir.path().join("out.bin");
        write_output(&out, b"done", Durability::Atomic).unwrap();
        assert!(!dead.exists());
        assert!(live.exists() && own.exists() && unrelated.exists());
        assert_eq!(std::fs::read(&out).unwrap(), b"done");
    }

    #[test]
    fn temporaries_of_unreaped_killed_writers_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let mut child = std::process::Command::new("sleep")
            .arg("60")
            .spawn()
            .unwrap();
        let zombie = dir
            .path()
            .join(format!(".arraydict-{}-abc.tmp", child.id()));
        std::fs::write(&zombie, b"partial").unwrap();
        child.kill().unwrap();
        // Not waited for yet: the child is a zombie whose /proc entry still exists.
        let stat = std::path::Path::new("/proc").join(child.id().to_string());
        for _ in 0..200 {
            if !process_alive(std::path::Path::new("/proc"), &child.id().to_string()) {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        assert!(
            stat.exists(),
            "the killed child should still be an unreaped zombie"
        );
        write_output(&dir.path().join("out.bin"), b"", Durability::Synced).unwrap();
        assert!(
            !zombie.exists(),
            "a zombie writer's temporary must be removed"
        );
        child.wait().unwrap();
    }

    /// `Existing::Keep` fails on a file that exists at the commit, also one that appeared after
    /// the output was created (the race a check before the write cannot close), and keeps it.
    #[test]
    fn a_no_clobber_commit_keeps_a_file_that_appeared_during_the_write() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out.bin");
        let keep = Commit::new(Durability::Atomic, Existing::Keep);
        let mut output = Output::create(&out).unwrap();
        output.write_all(b"new").unwrap();
        std::fs::write(&out, b"appeared").unwrap();
        let err = output.commit(keep).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::AlreadyExists, "{err}");
        assert_eq!(std::fs::read(&out).unwrap(), b"appeared");
        assert_eq!(names(dir.path()), ["out.bin"], "the temporary is removed");
        // The writer-created kind too, and with a sync.
        let (file, created) = create_with(&out, |p| File::create_new(p)).unwrap();
        drop(file);
        let err = created
            .commit(Commit::new(Durability::Synced, Existing::Keep))
            .unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::AlreadyExists, "{err}");
        assert_eq!(names(dir.path()), ["out.bin"]);
        // Where nothing is, it commits as any write does.
        let fresh = dir.path().join("fresh.bin");
        let mut output = Output::create(&fresh).unwrap();
        output.write_all(b"made").unwrap();
        output.commit(keep).unwrap();
        assert_eq!(std::fs::read(&fresh).unwrap(), b"made");
        assert_eq!(names(dir.path()), ["fresh.bin", "out.bin"]);
    }

    #[test]
    fn a_synced_commit_writes_the_same_file() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out.bin");
        std::fs::write(&out, b"old").unwrap();
        write_output(&out, b"new", Durability::Synced).unwrap();
        assert_eq!(std::fs::read(&out).unwrap(), b"new");
        assert_eq!(names(dir.path()), ["out.bin"]);
    }

    #[test]
    fn an_uncommitted_output_leaves_nothing_and_the_old_file_intact() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out.bin");
        std::fs::write(&out, b"old").unwrap();
        let mut output = Output::create(&out).unwrap();
        output.write_all(b"half").unwrap();
        assert_eq!(in_flight_here(dir.path()), 1);
        drop(output); // a failed write never commits
        assert_eq!(std::fs::read(&out).unwrap(), b"old");
        assert_eq!(names(dir.path()), ["out.bin"]);
        assert_eq!(
            in_flight_here(dir.path()),
            0,
            "a dropped temporary stays registered"
        );
    }

    fn in_flight_here(dir: &Path) -> usize {
        in_flight()
            .iter()
            .filter(|p| p.parent() == Some(dir))
            .count()
    }

    #[cfg(unix)]
    #[test]
    fn replacing_keeps_the_permissions_of_the_old_file() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out.bin");
        std::fs::write(&out, b"old").unwrap();
        std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o640)).unwrap();
        write_output(&out, b"new", Durability::Atomic).unwrap();
        assert_eq!(
            std::fs::metadata(&out).unwrap().permissions().mode() & 0o777,
            0o640
        );
    }

    /// The writer creates the temporary itself (exclusively, as HDF5 does with `H5F_ACC_EXCL`).
    #[test]
    fn a_temporary_the_writer_creates_is_committed_or_removed() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out.h5");
        std::fs::write(&out, b"old").unwrap();
        let create = |p: &Path| {
            std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(p)
        };
        // Not committed (a failed write): the temporary goes, the old file stays.
        let (mut file, tmp) = create_with(&out, create).unwrap();
        assert!(tmp.temp_path().exists());
        assert!(tmp
            .temp_path()
            .file_name()
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with(&temp_prefix()));
        file.write_all(b"half").unwrap();
        drop((file, tmp));
        assert_eq!(std::fs::read(&out).unwrap(), b"old");
        assert_eq!(names(dir.path()), ["out.h5"]);
        for durability in [Durability::Atomic, Durability::Synced] {
            let (mut file, tmp) = create_with(&out, create).unwrap();
            file.write_all(b"new").unwrap();
            drop(file);
            tmp.commit(durability).unwrap();
            assert_eq!(std::fs::read(&out).unwrap(), b"new");
            assert_eq!(names(dir.path()), ["out.h5"]);
        }
        // A failing creator's error comes back as it was, and nothing stays registered.
        let err = create_with(&out, |_| Err::<(), _>(io::Error::other("no HDF5 today")))
            .err()
            .unwrap();
        assert_eq!(err.to_string(), "no HDF5 today");
        assert_eq!(in_flight_here(dir.path()), 0);
    }

    #[cfg(unix)]
    #[test]
    fn a_writer_created_temporary_keeps_the_permissions_of_the_old_file() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out.h5");
        std::fs::write(&out, b"old").unwrap();
        std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o640)).unwrap();
        let (file, tmp) = create_with(&out, |p| File::create_new(p)).unwrap();
        drop(file);
        tmp.commit(Durability::Atomic).unwrap();
        assert_eq!(
            std::fs::metadata(&out).unwrap().permissions().mode() & 0o777,
            0o640
        );
    }

    /// link -> link -> file in another directory: the file gets the content, the links stay links,
    /// and the temporary was made (and renamed) beside the file.
    #[test]
    fn a_symlink_chain_is_followed_and_stays() {
        let links = tempfile::tempdir().unwrap();
        let files = tempfile::tempdir().unwrap();
        let target = files.path().join("real.bin");
        std::fs::write(&target, b"old").unwrap();
        let second = links.path().join("second.bin");
        let first = links.path().join("first.bin");
        std::os::unix::fs::symlink(&target, &second).unwrap();
        std::os::unix::fs::symlink("second.bin", &first).unwrap(); // relative to the link's directory
        let canonical = target.canonicalize().unwrap();
        assert_eq!(
            OutputTarget::resolve(&first).unwrap(),
            OutputTarget::File(canonical.clone())
        );
        write_output(&first, b"new", Durability::Synced).unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"new");
        assert!(std::fs::symlink_metadata(&first)
            .unwrap()
            .file_type()
            .is_symlink());
        assert!(std::fs::symlink_metadata(&second)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(names(links.path()), ["first.bin", "second.bin"]);
        assert_eq!(names(files.path()), ["real.bin"]);
        // The writer-created kind follows it too.
        let (file, tmp) = create_with(&first, |p| File::create_new(p)).unwrap();
        assert_eq!(tmp.temp_path().parent(), canonical.parent());
        drop(file);
        tmp.commit(Durability::Atomic).unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"");
        assert!(std::fs::symlink_metadata(&first)
            .unwrap()
            .file_type()
            .is_symlink());
    }

    #[test]
    fn a_dangling_symlink_creates_its_target_and_a_loop_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join("link.bin");
        std::os::unix::fs::symlink("sub/made.bin", &link).unwrap();
        // The target's directory is missing: an error, nothing made.
        assert_eq!(
            Output::create(&link).err().unwrap().kind(),
            io::ErrorKind::NotFound
        );
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        write_output(&link, b"new", Durability::Atomic).unwrap();
        assert_eq!(
            std::fs::read(dir.path().join("sub/made.bin")).unwrap(),
            b"new"
        );
        assert!(std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        std::os::unix::fs::symlink(&b, &a).unwrap();
        std::os::unix::fs::symlink(&a, &b).unwrap();
        let err = Output::create(&a).err().unwrap();
        assert!(err.to_string().contains("symbolic links"), "{err}");
        let err = Output::create(dir.path()).err().unwrap();
        assert_eq!(err.kind(), io::ErrorKind::IsADirectory);
    }

    /// `/dev/null` is a character device: written through, never replaced (the CLI's tests also
    /// cover a private device node made with `mknod`, as root).
    #[test]
    fn a_character_device_is_written_through() {
        let null = Path::new("/dev/null");
        assert_eq!(
            OutputTarget::resolve(null).unwrap(),
            OutputTarget::Stream(null.to_path_buf())
        );
        write_output(null, b"into the void", Durability::Synced).unwrap();
        let (file, tmp) = create_with(null, |p| File::create_new(p)).unwrap();
        assert_eq!(
            tmp.temp_path().parent(),
            Some(std::env::temp_dir().as_path())
        );
        let temp = tmp.temp_path().to_path_buf();
        drop(file);
        tmp.commit(Durability::Atomic).unwrap();
        assert!(
            !temp.exists(),
            "the temporary of a copied-through output must go"
        );
        assert!(std::fs::symlink_metadata(null)
            .unwrap()
            .file_type()
            .is_char_device());
    }

    #[test]
    fn a_fifo_is_written_through_to_its_reader() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe");
        let status = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(status.success());
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || std::fs::read(fifo).unwrap())
        };
        write_output(&fifo, b"through the pipe", Durability::Atomic).unwrap();
        assert_eq!(reader.join().unwrap(), b"through the pipe");
        assert!(std::fs::symlink_metadata(&fifo)
            .unwrap()
            .file_type()
            .is_fifo());
        assert_eq!(names(dir.path()), ["pipe"]);
    }

    #[test]
    fn removing_the_temporaries_in_flight_stops_their_writes_without_damage() {
        // It removes every temporary of the process: run alone in a child, not beside other tests.
        const ALONE: &str = "ATOMIC_OUTPUT_TEST_ALONE";
        if std::env::var_os(ALONE).is_none() {
            let name =
                "tests::removing_the_temporaries_in_flight_stops_their_writes_without_damage";
            let run = std::process::Command::new(std::env::current_exe().unwrap())
                .args(["--exact", name, "--test-threads=1"])
                .env(ALONE, "1")
                .output()
                .unwrap();
            assert!(
                run.status.success(),
                "{}",
                String::from_utf8_lossy(&run.stdout)
            );
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out.bin");
        std::fs::write(&out, b"old").unwrap();
        let mut output = Output::create(&out).unwrap();
        output.write_all(b"half").unwrap();
        let (file, created) =
            create_with(&dir.path().join("h.h5"), |p| File::create_new(p)).unwrap();
        let before = committed_outputs();
        let removed = remove_temporaries_in_flight();
        assert!(removed.count() >= 2);
        assert_eq!(removed.committed(), before);
        assert_eq!(names(dir.path()), ["out.bin"]);
        drop(removed);
        // The interrupted writes fail to commit and leave the old file as it was.
        assert!(output.commit(Durability::Atomic).is_err());
        drop(file);
        assert!(created.commit(Durability::Atomic).is_err());
        assert_eq!(committed_outputs(), before, "a failed commit was counted");
        write_output(&out, b"new", Durability::Atomic).unwrap();
        assert_eq!(committed_outputs(), before + 1);
        assert_eq!(std::fs::read(&out).unwrap(), b"new");
        std::fs::write(&out, b"old").unwrap();
        assert_eq!(names(dir.path()), ["out.bin"]);
    }
}
