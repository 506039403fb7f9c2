//! Reading any h5py/VMTK HDF5 file into a tree.

use std::path::Path;

use arraydict::{DType, Dict, Element, MemoryOrder, NdArray, Node};
use hdf5::plist::group_create::LinkCreationOrder;
use hdf5::{
    Dataset, Group, H5Type, IndexType, IterationOrder, LinkType, LocationInfo, LocationType,
};

use crate::StoreError;

/// Largest expansion a deflate stream allows (about 1032:1); with a margin for small datasets,
/// a dataset declaring more logical bytes than this times its stored bytes cannot be real data
/// and is refused before HDF5 allocates the buffer.
const MAX_EXPANSION: u64 = 1032;
const SMALL_DATASET: u64 = 16 << 20;

/// True when the file has HDF5's superblock signature where the format allows it: at byte 0, or
/// after a user block of 512, 1024, 2048, ... bytes. A file that cannot be read counts as one (the
/// library's error then says why).
fn has_hdf5_signature(path: &Path) -> bool {
    use std::io::{Read as _, Seek as _, SeekFrom};
    let Ok(mut file) = std::fs::File::open(path) else {
        return true;
    };
    let len = file.metadata().map_or(0, |m| m.len());
    let mut offset = 0u64;
    while offset + 8 <= len {
        let mut head = [0u8; 8];
        if file.seek(SeekFrom::Start(offset)).is_err() || file.read_exact(&mut head).is_err() {
            return true;
        }
        if head == *b"\x89HDF\r\n\x1a\n" {
            return true;
        }
        offset = if offset == 0 { 512 } else { offset * 2 };
    }
    false
}

/// Reads the HDF5 file at `path`.
pub(crate) fn read_file(path: &Path, map: bool) -> Result<Dict, StoreError> {
    read_with(path, map, None)
}

/// Reads the HDF5 file at `path` for showing it: an entry the tree cannot hold (a string dataset,
/// a soft link) is left out and named in the log with why, instead of failing the read, and every
/// dataset's storage is recorded.
pub(crate) fn inspect_file(path: &Path, map: bool) -> Result<(Dict, InspectLog), StoreError> {
    let log = std::cell::RefCell::default();
    let tree = read_with(path, map, Some(&log))?;
    Ok((tree, log.into_inner()))
}

/// What an inspection read saw besides the tree.
#[derive(Default)]
pub(crate) struct InspectLog {
    /// Each dataset's storage, by key path.
    pub(crate) storage: std::collections::BTreeMap<String, super::DatasetStorage>,
    /// The entries left out: `(key, why)`.
    pub(crate) unsupported: Vec<(String, String)>,
}

fn read_with(
    path: &Path,
    map: bool,
    log: Option<&std::cell::RefCell<InspectLog>>,
) -> Result<Dict, StoreError> {
    let file = hdf5::File::open(path).map_err(|e| {
        // The library's own words for it ("H5Fopen(): unable to synchronously open file: file
        // signature not found") name its API, not the problem.
        if has_hdf5_signature(path) {
            super::hdf5_error(path, "/")(e)
        } else {
            StoreError::Malformed {
                path: path.to_path_buf(),
                offset: Some(0),
                key: None,
                detail: "not an HDF5 file (no HDF5 signature at byte 0, 512, 1024, ...)".into(),
            }
        }
    })?;
    // Chunk addresses are relative to the HDF5 base address; read chunks ourselves only when
    // that is the file's start (no user block: h5py's and our default).
    let raw = if file.userblock() == 0 {
        std::fs::File::open(path).ok()
    } else {
        None
    };
    let reader = Reader {
        path,
        raw: raw.as_ref(),
        map,
        log,
        #[cfg(unix)]
        deferred: std::cell::RefCell::default(),
    };
    // The root as a group object: group property lists are not reachable through the file id.
    let root = file.group("/").map_err(reader.err("/"))?;
    let mut seen = Seen::default();
    seen.first_visit(&reader, &root.loc_info().map_err(reader.err("/"))?, "/")?;
    #[allow(unused_mut)]
    let mut tree = reader.read_group(&root, "", &mut seen)?;
    #[cfg(unix)]
    reader.read_deferred(&mut tree)?;
    Ok(tree)
}

/// Groups nested deeper than this are refused (the other stores' limit too): VMTK's trees are
/// three levels deep, and each level costs stack.
const MAX_DEPTH: usize = crate::msgpack::MAX_DEPTH;

/// The objects read so far. HDF5 links make a graph, not necessarily a tree: a group linked into
/// one of its own descendants would recurse forever, and a few groups each linking the next one
/// twice would be read 2^depth times (both found by fuzzing). A tree reaches every object once.
#[derive(Default)]
struct Seen {
    objects: std::collections::HashMap<String, String>,
}

impl Seen {
    /// Records `info`'s object as reached through `key`, refusing a second way to it.
    fn first_visit(
        &mut self,
        reader: &Reader<'_>,
        info: &LocationInfo,
        key: &str,
    ) -> Result<(), StoreError> {
        // The token is HDF5's object address; its fields are private, its Debug form is exact.
        let token = format!("{}:{:?}", info.fileno, info.token);
        if let Some(first) = self.objects.insert(token, key.to_owned()) {
            return Err(reader.malformed(
                key,
                format!("links to the same object as {first}; an ArrayDict is a tree, each group and dataset in one place"),
            ));
        }
        Ok(())
    }
}

struct Reader<'a> {
    path: &'a Path,
    /// The file opened by us, for the parallel chunk reader.
    raw: Option<&'a std::fs::File>,
    /// Whether contiguous datasets may be views of a mapping of the file ([`crate::ReadOptions`]).
    #[cfg_attr(not(unix), allow(dead_code))]
    map: bool,
    /// For an inspection read ([`inspect_file`]): where storage and left-out entries go.
    log: Option<&'a std::cell::RefCell<InspectLog>>,
    /// Contiguous datasets met by the walk, read after it (see `contiguous`); the tree holds an
    /// empty placeholder array for each until then.
    #[cfg(unix)]
    deferred: std::cell::RefCell<Vec<super::contiguous::Deferred>>,
}

impl Reader<'_> {
    fn err(&self, key: &str) -> impl Fn(hdf5::Error) -> StoreError {
        super::hdf5_error(self.path, key)
    }

    /// A malformed-file error at `key` of this file (HDF5 gives no byte offsets).
    fn malformed(&self, key: impl Into<String>, detail: impl Into<String>) -> StoreError {
        StoreError::Malformed {
            path: self.path.to_path_buf(),
            offset: None,
            key: Some(key.into()),
            detail: detail.into(),
        }
    }

    fn unsupported(&self, key: &str, detail: String) -> StoreError {
        StoreError::Unsupported {
            path: self.path.to_path_buf(),
            key: key.to_owned(),
            detail,
        }
    }

    /// In an inspection read, records an unsupported entry and says to go on without it; in a
    /// normal read (or for any other error), `false`.
    fn skip(&self, e: &StoreError) -> bool {
        match (self.log, e) {
            (Some(log), StoreError::Unsupported { key, detail, .. }) => {
                log.borrow_mut()
                    .unsupported
                    .push((key.clone(), detail.clone()));
                true
            }
            _ => false,
        }
    }

    /// In an inspection read, records how `ds` is stored.
    fn log_storage(&self, ds: &Dataset, key: &str) {
        if let Some(log) = self.log {
            log.borrow_mut()
                .storage
                .insert(key.to_owned(), super::storage_of(ds));
        }
    }

    fn read_group(&self, group: &Group, prefix: &str, seen: &mut Seen) -> Result<Dict, StoreError> {
        let here = if prefix.is_empty() { "/" } else { prefix };
        if prefix.matches('/').count() > MAX_DEPTH {
            return Err(self.malformed(here, format!("groups nested deeper than {MAX_DEPTH}")));
        }
        let indexed = group
            .create_plist()
            .map_err(self.err(here))?
            .link_creation_order()
            == LinkCreationOrder::Indexed;
        let index = if indexed {
            IndexType::CreationOrder
        } else {
            IndexType::Name
        };
        let links = group
            .links(index, IterationOrder::Increasing)
            .map_err(self.err(here))?;
        let mut dict = Dict::new();
        for (name, info) in links {
            let key = format!("{prefix}/{name}");
            if info.link_type != LinkType::Hard {
                let e = self.unsupported(
                    &key,
                    format!(
                        "{:?} links are not supported (only groups and datasets)",
                        info.link_type
                    ),
                );
                if self.skip(&e) {
                    continue;
                }
                return Err(e);
            }
            let info = group.loc_info_by_name(&name).map_err(self.err(&key))?;
            if matches!(info.loc_type, LocationType::Group | LocationType::Dataset) {
                seen.first_visit(self, &info, &key)?;
            }
            let node = match info.loc_type {
                LocationType::Group => {
                    let sub = group.group(&name).map_err(self.err(&key))?;
                    as_list(self.read_group(&sub, &key, seen)?)
                }
                LocationType::Dataset => {
                    let ds = group.dataset(&name).map_err(self.err(&key))?;
                    self.log_storage(&ds, &key);
                    match self.read_dataset(&ds, &key) {
                        Ok(array) => Node::Array(array),
                        Err(e) if self.skip(&e) => continue,
                        Err(e) => return Err(e),
                    }
                }
                // Committed datatypes carry no data; h5py never writes them for arrays.
                _ => continue,
            };
            dict.insert(name, node);
        }
        Ok(dict)
    }

    fn read_dataset(&self, ds: &Dataset, key: &str) -> Result<NdArray, StoreError> {
        let err = self.err(key);
        let desc = ds.dtype().and_then(|t| t.to_descriptor()).map_err(&err)?;
        let Some(dtype) = super::dtype_of(&desc) else {
            return Err(self.unsupported(
                key,
                format!("HDF5 type {desc} is not one of the ten numeric dtypes"),
            ));
        };
        let space = ds.space().map_err(&err)?;
        if space.is_null() {
            return Err(self.unsupported(
                key,
                "the dataset has a null dataspace (h5py.Empty), not an array".into(),
            ));
        }
        let shape = ds.shape();
        self.check_sizes(ds, key, dtype, &shape)?;
        #[cfg(unix)]
        if let Some(run) = self
            .raw
            .and_then(|f| super::contiguous::run_of(f, ds, dtype, &shape))
        {
            let addr = run.map_err(|detail| self.malformed(key, detail))?;
            self.deferred
                .borrow_mut()
                .push(super::contiguous::Deferred {
                    key: key.to_owned(),
                    addr,
                    dtype,
                    shape,
                });
            return Ok(NdArray::vector(Vec::<u8>::new()));
        }
        #[cfg(unix)]
        let fast = self
            .raw
            .and_then(|f| super::chunked_read::read_deflate_chunks(f, ds, dtype, &shape));
        #[cfg(not(unix))]
        let fast: Option<Result<arraydict::ArrayData, String>> = None;
        let data = match fast {
            Some(Ok(data)) => Ok(data),
            Some(Err(detail)) => {
                return Err(self.malformed(key, detail));
            }
            None => self.read_with_hdf5(ds, dtype),
        }
        .map_err(&err)?;
        NdArray::new(data, shape, MemoryOrder::C).map_err(|source| StoreError::Tree {
            path: self.path.to_path_buf(),
            key: key.to_owned(),
            source,
        })
    }

    /// Refuses a dataset whose declared size is beyond what its stored bytes can hold (or whose
    /// chunks are), before HDF5 allocates it.
    fn check_sizes(
        &self,
        ds: &Dataset,
        key: &str,
        dtype: DType,
        shape: &[usize],
    ) -> Result<(), StoreError> {
        let logical = shape
            .iter()
            .try_fold(dtype.size() as u64, |acc, &d| acc.checked_mul(d as u64))
            .unwrap_or(u64::MAX);
        let stored = ds.storage_size();
        let allowed = stored
            .saturating_mul(MAX_EXPANSION)
            .saturating_add(SMALL_DATASET);
        if logical > allowed {
            return Err(StoreError::TooLarge {
                path: self.path.to_path_buf(),
                offset: ds.offset().unwrap_or(0),
                what: format!("dataset {key} (shape {shape:?}, {stored} bytes stored)"),
                declared: logical,
                available: allowed,
            });
        }
        match ds.chunk() {
            Some(chunk) => self.check_chunks(ds, key, dtype, &chunk, allowed),
            None => Ok(()),
        }
    }

    /// Refuses chunks HDF5 would allocate more for than the dataset can hold. HDF5 allocates a
    /// whole chunk per read, whatever the dataset's shape: a corrupt layout message declaring a
    /// 4 GiB chunk for a tiny dataset made it malloc 4 GiB (found by fuzzing).
    fn check_chunks(
        &self,
        ds: &Dataset,
        key: &str,
        dtype: DType,
        chunk: &[usize],
        allowed: u64,
    ) -> Result<(), StoreError> {
        let chunk_bytes = chunk
            .iter()
            .try_fold(dtype.size() as u64, |acc, &d| acc.checked_mul(d as u64))
            .unwrap_or(u64::MAX);
        if chunk_bytes > allowed {
            return Err(StoreError::TooLarge {
                path: self.path.to_path_buf(),
                offset: ds.offset().unwrap_or(0),
                what: format!("a chunk of dataset {key} (chunk shape {chunk:?})"),
                declared: chunk_bytes,
                available: allowed,
            });
        }
        // HDF5 also mallocs each chunk's *stored* size from the chunk index before reading it;
        // a stored chunk cannot extend past the end of the file.
        let file_len = std::fs::metadata(self.path).map_or(u64::MAX, |m| m.len());
        let mut past_end = None;
        let _ = ds.chunks_visit(|info| match info.addr.checked_add(info.size) {
            Some(end) if end <= file_len => 0,
            _ => {
                past_end = Some((info.addr, info.size));
                1
            }
        });
        if let Some((addr, size)) = past_end {
            return Err(StoreError::TooLarge {
                path: self.path.to_path_buf(),
                offset: addr,
                what: format!("a stored chunk of dataset {key}"),
                declared: size,
                available: file_len.saturating_sub(addr),
            });
        }
        Ok(())
    }

    /// Reads the deferred contiguous datasets, all at once, and puts each in its place in `tree`.
    #[cfg(unix)]
    fn read_deferred(&self, tree: &mut Dict) -> Result<(), StoreError> {
        let runs = self.deferred.take();
        let Some(file) = self.raw.filter(|_| !runs.is_empty()) else {
            return Ok(());
        };
        let arrays = super::contiguous::read_all(file, &runs, self.map)
            .map_err(|(key, detail)| self.malformed(key, detail))?;
        for (run, data) in runs.into_iter().zip(arrays) {
            let array = NdArray::new(data, run.shape, MemoryOrder::C).map_err(|source| {
                StoreError::Tree {
                    path: self.path.to_path_buf(),
                    key: run.key.clone(),
                    source,
                }
            })?;
            let parts: Vec<&str> = run.key.split('/').skip(1).collect();
            if place(tree, &parts, array).is_none() {
                return Err(self.malformed(
                    run.key,
                    "the dataset's place in the tree was lost while reading",
                ));
            }
        }
        Ok(())
    }

    /// `H5Dread` of the whole dataset into native-endian values (HDF5 converts byte order).
    #[allow(clippy::unused_self)]
    fn read_with_hdf5(&self, ds: &Dataset, dtype: DType) -> hdf5::Result<arraydict::ArrayData> {
        match dtype {
            DType::I8 => read_typed::<i8>(ds),
            DType::U8 => read_typed::<u8>(ds),
            DType::I16 => read_typed::<i16>(ds),
            DType::U16 => read_typed::<u16>(ds),
            DType::I32 => read_typed::<i32>(ds),
            DType::U32 => read_typed::<u32>(ds),
            DType::I64 => read_typed::<i64>(ds),
            DType::U64 => read_typed::<u64>(ds),
            DType::F32 => read_typed::<f32>(ds),
            DType::F64 => read_typed::<f64>(ds),
        }
    }
}

/// Reads a whole dataset into native-endian values; HDF5 converts the file's byte order.
fn read_typed<T: H5Type + Element>(ds: &Dataset) -> hdf5::Result<arraydict::ArrayData> {
    ds.read_raw::<T>().map(T::wrap)
}

/// Puts `array` at `parts` (a key's components) in place of the placeholder there; `None` when the
/// path leads nowhere.
#[cfg(unix)]
fn place(dict: &mut Dict, parts: &[&str], array: NdArray) -> Option<()> {
    let (first, rest) = parts.split_first()?;
    match (dict.get_mut(first)?, rest) {
        (slot @ Node::Array(_), []) => *slot = Node::Array(array),
        (Node::Dict(d), _) => return place(d, rest, array),
        (Node::List(l), [index]) => *l.get_mut(index.parse::<usize>().ok()?)? = array,
        _ => return None,
    }
    Some(())
}

/// SPEC 7.8: a group whose members are exactly `'0'..'n-1'` (n >= 1), all arrays, is a list in
/// numeric order; anything else stays a dict.
pub(crate) fn as_list(dict: Dict) -> Node {
    let n = dict.len();
    let is_list = n > 0
        && dict
            .iter()
            .all(|(k, v)| matches!(v, Node::Array(_)) && canonical_index(k).is_some_and(|i| i < n));
    if !is_list {
        return Node::Dict(dict);
    }
    // Keys are distinct canonical indices below n, so every slot is filled exactly once.
    let mut slots: Vec<Option<NdArray>> = vec![None; n];
    for (k, v) in dict {
        if let (Some(i), Node::Array(a)) = (canonical_index(&k), v) {
            slots[i] = Some(a);
        }
    }
    Node::List(slots.into_iter().flatten().collect())
}

/// `"0"`, `"17"` -> the number; `"01"`, `"+1"`, `""` -> None.
fn canonical_index(key: &str) -> Option<usize> {
    let canonical = !key.is_empty()
        && key.bytes().all(|b| b.is_ascii_digit())
        && (key == "0" || !key.starts_with('0'));
    if canonical {
        key.parse().ok()
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numeric_groups_become_lists_in_numeric_order() {
        let mut d = Dict::new();
        for i in [0usize, 1, 10, 2, 3, 4, 5, 6, 7, 8, 9] {
            d.insert(i.to_string(), NdArray::vector(vec![i as i32]));
        }
        let Node::List(list) = as_list(d) else {
            panic!("expected a list")
        };
        let firsts: Vec<f64> = list.iter().map(|a| a.get_f64(&[0])).collect();
        assert_eq!(firsts, (0..11).map(f64::from).collect::<Vec<_>>());
    }

    #[test]
    fn other_groups_stay_dicts() {
        let mut gap = Dict::new();
        gap.insert("0", NdArray::vector(vec![1u8]));
        gap.insert("2", NdArray::vector(vec![1u8]));
        assert!(matches!(as_list(gap), Node::Dict(_)));
        let mut leading_zero = Dict::new();
        leading_zero.insert("00", NdArray::vector(vec![1u8]));
        assert!(matches!(as_list(leading_zero), Node::Dict(_)));
        let mut nested = Dict::new();
        nested.insert("0", Dict::new());
        assert!(matches!(as_list(nested), Node::Dict(_)));
        assert!(matches!(as_list(Dict::new()), Node::Dict(_)));
    }
}
