//! What `arraydict inspect` shows of a stored file besides its tree -- the file's size, the pickle
//! protocol, each HDF5 dataset's layout, chunks and filters -- and a read that names the entries a
//! tree cannot hold instead of failing on the first (as `h5ls` lists what it cannot read).

use std::collections::BTreeMap;
use std::path::Path;

use arraydict::Dict;

use crate::format::detect_format;
use crate::h5::{self, DatasetStorage};
use crate::{read, ReadOptions, StoreError, StoreFormat};

/// A stored file as [`inspect`] sees it.
#[derive(Debug)]
#[non_exhaustive]
pub struct Inspection {
    /// The tree, without the entries of [`Inspection::unsupported`].
    pub tree: Dict,
    /// The file's format.
    pub format: StoreFormat,
    /// The file's size in bytes.
    pub file_size: u64,
    /// The protocol of a pickle (its `PROTO` opcode; 0 to 5).
    pub pickle_protocol: Option<u8>,
    /// Each HDF5 dataset's storage, by key path (`/CellData/CellPointIds`, list elements
    /// `/CellData/CellPointIds/0`); empty for the other formats.
    pub storage: BTreeMap<String, DatasetStorage>,
    /// Entries left out of the tree because it cannot hold them, `(key path, why)`: HDF5 datasets
    /// of strings or compound types, soft and external links; pickled object, string, bool or
    /// complex arrays, Python strs and numbers. In MessagePack such an entry still fails the read.
    pub unsupported: Vec<(String, String)>,
}

/// Reads the file at `path` for showing it: the tree (leaving out, in HDF5, the entries it cannot
/// hold, each named in [`Inspection::unsupported`]) and how the file stores it. A file that is
/// not readable at all fails as [`read`] does.
pub fn inspect(path: &Path, opts: &ReadOptions) -> Result<Inspection, StoreError> {
    let io = |source| StoreError::Io {
        path: path.to_path_buf(),
        source,
    };
    let format = detect_format(path, opts)?;
    let file_size = std::fs::metadata(path).map_err(io)?.len();
    let mut out = Inspection {
        tree: Dict::new(),
        format,
        file_size,
        pickle_protocol: None,
        storage: BTreeMap::new(),
        unsupported: Vec::new(),
    };
    if format == StoreFormat::Hdf5 {
        let (tree, log) = h5::inspect_file(path, !opts.no_map)?;
        out.tree = tree;
        out.storage = log.storage;
        out.unsupported = log.unsupported;
        return Ok(out);
    }
    if format == StoreFormat::Pickle {
        let mut file = std::fs::File::open(path).map_err(io)?;
        let mut head = [0u8; 2];
        let n = crate::format::read_up_to(&mut file, &mut head).map_err(io)?;
        out.pickle_protocol = protocol(&head[..n]);
        let reader = std::io::BufReader::with_capacity(
            crate::pickle::DEFER_FROM,
            std::fs::File::open(path).map_err(io)?,
        );
        let (tree, skipped) = crate::pickle::inspect_from(reader, path, &opts.pickle)?;
        out.tree = tree;
        out.unsupported = skipped;
        return Ok(out);
    }
    let read_opts = ReadOptions {
        format: Some(format),
        ..opts.clone()
    };
    out.tree = read(path, &read_opts)?;
    Ok(out)
}

/// A pickle's protocol: the argument of its leading `PROTO` opcode, or 0 to 1 without one
/// (reported as 0).
fn protocol(head: &[u8]) -> Option<u8> {
    match head {
        [0x80, p, ..] => Some(*p),
        [] => None,
        _ => Some(0),
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use arraydict::{Dict, NdArray};

    use super::inspect;
    use crate::{read, write, ReadOptions, StoreFormat, WriteOptions};

    /// A pickle of `{"Points": f8 (2, 3), "Flags": b1 (3,)}`: written with `Flags` as `u1`, then
    /// the dtype code turned into numpy's bool (same length, so the pickle stays well-formed).
    fn pickle_with_a_bool_array(path: &Path) {
        let mut t = Dict::new();
        t.insert("Points", NdArray::c(vec![0f64; 6], vec![2, 3]).unwrap());
        t.insert("Flags", NdArray::vector(vec![1u8, 0, 1]));
        let opts = WriteOptions {
            format: Some(StoreFormat::Pickle),
            ..WriteOptions::default()
        };
        write(path, &t, &opts).unwrap();
        let mut bytes = std::fs::read(path).unwrap();
        let at = bytes
            .windows(4)
            .position(|w| w == b"\x8c\x02u1")
            .expect("the dtype code u1");
        bytes[at + 2] = b'b';
        std::fs::write(path, bytes).unwrap();
    }

    #[test]
    fn pickled_entries_no_tree_holds_are_listed_not_fatal() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("t.pickle");
        pickle_with_a_bool_array(&p);
        assert!(
            read(&p, &ReadOptions::default()).is_err(),
            "a normal read stays strict"
        );
        let seen = inspect(&p, &ReadOptions::default()).unwrap();
        assert_eq!(seen.tree.keys().collect::<Vec<_>>(), ["Points"]);
        assert_eq!(seen.unsupported.len(), 1, "{:?}", seen.unsupported);
        assert_eq!(seen.unsupported[0].0, "/Flags");
        assert!(
            seen.unsupported[0].1.contains("bool"),
            "{:?}",
            seen.unsupported
        );
        assert_eq!(seen.pickle_protocol, Some(4));
        assert_eq!(seen.file_size, std::fs::metadata(&p).unwrap().len());
        // A Python str where an array belongs: {"Name": "aorta"}, protocol 2.
        let s = dir.path().join("s.pickle");
        std::fs::write(
            &s,
            b"\x80\x02}q\x00(X\x04\x00\x00\x00NameX\x05\x00\x00\x00aortau.",
        )
        .unwrap();
        assert!(read(&s, &ReadOptions::default()).is_err());
        let seen = inspect(&s, &ReadOptions::default()).unwrap();
        assert!(seen.tree.is_empty());
        assert_eq!(seen.unsupported[0].0, "/Name");
        assert!(
            seen.unsupported[0].1.starts_with("a Python str"),
            "{:?}",
            seen.unsupported
        );
        assert_eq!(seen.pickle_protocol, Some(2));
    }

    #[test]
    fn hdf5_storage_and_unsupported_entries_are_reported() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("t.hdf5");
        let file = hdf5::File::create(&p).unwrap();
        file.new_dataset::<f64>()
            .shape([4, 3])
            .chunk([2, 3])
            .deflate(6)
            .create("Points")
            .unwrap()
            .write_raw(&[0f64; 12])
            .unwrap();
        let name: hdf5::types::VarLenUnicode = "aorta".parse().unwrap();
        file.new_dataset_builder()
            .with_data(&[name])
            .create("Name")
            .unwrap();
        file.link_soft("/Points", "Alias").unwrap();
        drop(file);
        assert!(
            read(&p, &ReadOptions::default()).is_err(),
            "a normal read stays strict"
        );
        let seen = inspect(&p, &ReadOptions::default()).unwrap();
        assert_eq!(seen.tree.keys().collect::<Vec<_>>(), ["Points"]);
        let keys: Vec<&str> = seen.unsupported.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["/Alias", "/Name"], "{:?}", seen.unsupported);
        let points = &seen.storage["/Points"];
        assert_eq!(points.layout, "chunked");
        assert_eq!(points.chunks, Some(vec![2, 3]));
        assert_eq!(points.filters.len(), 1);
        assert_eq!(
            (points.filters[0].name.as_str(), points.filters[0].level),
            ("gzip", Some(6))
        );
        assert_eq!(seen.pickle_protocol, None);
    }
}
