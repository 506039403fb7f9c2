//! Format selection and the format-independent `read` / `write` entry points.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use arraydict::Dict;

use crate::atomic::{write_atomically, write_atomically_created};
use crate::pickle::{self, PickleLimits, PickleWriteOptions};
use crate::{h5, msgpack, Commit, Compression, Durability, Existing, StoreError};

/// The three storage formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StoreFormat {
    /// Python pickle (VMTK's default), loadable by stock Python + numpy.
    Pickle,
    /// HDF5 in VMTK's layout (dict -> group, array -> dataset).
    Hdf5,
    /// MessagePack in msgpack-numpy's encoding.
    MessagePack,
}

impl StoreFormat {
    /// All formats.
    pub const ALL: [StoreFormat; 3] = [
        StoreFormat::Pickle,
        StoreFormat::Hdf5,
        StoreFormat::MessagePack,
    ];

    /// The format named by `path`'s extension, case-insensitive: `.pickle`/`.pkl`,
    /// `.hdf5`/`.h5`, `.msgpack`/`.mpk`.
    pub fn from_extension(path: &Path) -> Result<Self, StoreError> {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some("pickle" | "pkl") => Ok(Self::Pickle),
            Some("hdf5" | "h5") => Ok(Self::Hdf5),
            Some("msgpack" | "mpk") => Ok(Self::MessagePack),
            _ => Err(StoreError::UnknownFormat {
                path: path.to_path_buf(),
            }),
        }
    }

    /// The format whose signature starts `head` (the first bytes of a file), if any: the HDF5
    /// superblock signature `\x89HDF\r\n\x1a\n`, a pickle `PROTO` opcode (`\x80` + protocol 2-5), or
    /// a MessagePack map header. A lone `\x80` is an empty MessagePack map.
    pub fn sniff(head: &[u8]) -> Option<Self> {
        match head {
            [0x89, b'H', b'D', b'F', b'\r', b'\n', 0x1a, b'\n', ..] => Some(Self::Hdf5),
            [0x80, 2..=5, ..] => Some(Self::Pickle),
            [0x80..=0x8f | 0xde | 0xdf, ..] => Some(Self::MessagePack),
            _ => None,
        }
    }

    /// The canonical file extension (without the dot): `pickle`, `hdf5` or `msgpack`.
    pub const fn extension(self) -> &'static str {
        match self {
            Self::Pickle => "pickle",
            Self::Hdf5 => "hdf5",
            Self::MessagePack => "msgpack",
        }
    }
}

/// How [`write`] stores a tree.
#[derive(Clone, Debug, Default)]
pub struct WriteOptions {
    /// The format; `None` takes it from the file extension.
    pub format: Option<StoreFormat>,
    /// HDF5 compression (ignored by pickle and MessagePack).
    pub compression: Compression,
    /// Pickle protocol choice.
    pub pickle: PickleWriteOptions,
    /// Whether the output is flushed to disk before it is renamed into place.
    pub durability: Durability,
    /// What the write does with a file already at the output: replace it (the default) or keep
    /// it and fail.
    pub existing: Existing,
}

/// How [`read`] loads a tree.
#[derive(Clone, Debug, Default)]
pub struct ReadOptions {
    /// The format; `None` recognises it from the file's first bytes, then from its extension.
    pub format: Option<StoreFormat>,
    /// Resource limits of the pickle reader.
    pub pickle: PickleLimits,
    /// Read every HDF5 dataset into owned memory. By default an uncompressed, contiguous dataset
    /// of at least 64 KiB whose bytes are aligned for its dtype becomes a view of a read-only
    /// mapping of the file ([`ArrayData::Shared`](arraydict::ArrayData::Shared)): no copy and no
    /// fresh memory (an HDF5 -> raw `.vtp` conversion of 26 MB: 25.6 -> 20.8 ms). The price of a
    /// mapping is that the arrays are the file: while they are alive, another process that
    /// writes to the file changes them, and one that truncates it makes touching them raise
    /// `SIGBUS`. Set this when the file may change under the reader.
    pub no_map: bool,
}

/// Writes `tree` to `path` atomically: into a temporary file in the same directory that is
/// renamed over `path` only when complete. A symbolic link is followed (its final target is
/// replaced, the link stays); a character device, FIFO or socket is written through, and `-` is
/// standard output (HDF5 is then built in a temporary file and copied through): see
/// [`atomic_output::OutputTarget`].
pub fn write(path: &Path, tree: &Dict, opts: &WriteOptions) -> Result<(), StoreError> {
    let format = match opts.format {
        Some(f) => f,
        None => StoreFormat::from_extension(path)?,
    };
    let commit = Commit::new(opts.durability, opts.existing);
    match format {
        // The HDF5 library creates its file itself.
        StoreFormat::Hdf5 => write_atomically_created(
            path,
            commit,
            |tmp_path| h5::create_file(tmp_path, path),
            |file| h5::write_tree(file, path, tree, opts.compression),
        ),
        StoreFormat::MessagePack => {
            write_atomically(path, commit, |w| msgpack::write_to(w, tree, path))
        }
        StoreFormat::Pickle => write_atomically(path, commit, |w| {
            pickle::write_to(w, tree, &opts.pickle, path)
        }),
    }
}

/// The format of the file at `path`: `opts.format`, else its signature, else its extension.
pub(crate) fn detect_format(path: &Path, opts: &ReadOptions) -> Result<StoreFormat, StoreError> {
    if let Some(f) = opts.format {
        return Ok(f);
    }
    let io = |source| StoreError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut head = [0u8; 8];
    let mut file = File::open(path).map_err(io)?;
    let n = read_up_to(&mut file, &mut head).map_err(io)?;
    // The HDF5 and pickle signatures are unambiguous and win over a wrong extension; a msgpack
    // map's first byte is not, so it only decides when the extension does not.
    Ok(match StoreFormat::sniff(&head[..n]) {
        Some(f @ (StoreFormat::Hdf5 | StoreFormat::Pickle)) => f,
        weak => StoreFormat::from_extension(path).or_else(|e| weak.ok_or(e))?,
    })
}

/// Reads the tree stored at `path`.
pub fn read(path: &Path, opts: &ReadOptions) -> Result<Dict, StoreError> {
    let io = |source| StoreError::Io {
        path: path.to_path_buf(),
        source,
    };
    let format = detect_format(path, opts)?;
    match format {
        StoreFormat::Hdf5 => h5::read_file(path, !opts.no_map),
        StoreFormat::MessagePack => {
            let file = File::open(path).map_err(io)?;
            let reader = BufReader::with_capacity(pickle::DEFER_FROM, file);
            msgpack::read_from(reader, path)
        }
        StoreFormat::Pickle => {
            // streamed: only the tree is held in memory, never the whole file besides it
            let file = File::open(path).map_err(io)?;
            let reader = BufReader::with_capacity(pickle::DEFER_FROM, file);
            pickle::read_from(reader, path, &opts.pickle)
        }
    }
}

/// Reads a tree held in memory (standard input), recognising pickle and MessagePack from the first
/// bytes (`opts.format` overrides); `name` is used in errors only. HDF5 is refused: the library
/// reads a seekable file.
pub fn read_bytes(bytes: &[u8], name: &Path, opts: &ReadOptions) -> Result<Dict, StoreError> {
    let format = opts
        .format
        .or_else(|| StoreFormat::sniff(bytes))
        .ok_or_else(|| StoreError::UnknownFormat {
            path: name.to_path_buf(),
        })?;
    match format {
        StoreFormat::Pickle => pickle::read_bytes(bytes, name, &opts.pickle),
        StoreFormat::MessagePack => msgpack::read_bytes(bytes, name),
        StoreFormat::Hdf5 => Err(StoreError::Unsupported {
            path: name.to_path_buf(),
            key: "/".into(),
            detail: "HDF5 cannot be read from standard input (the HDF5 library needs a seekable file); give the \
                     file's path"
                .into(),
        }),
    }
}

/// Reads until `buf` is full or the file ends; returns the bytes read.
pub(crate) fn read_up_to(file: &mut File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match file.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}
