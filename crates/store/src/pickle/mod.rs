//! Python pickle backend: what VMTK's `vmtknumpywriter` / `vmtknumpyreader` exchange.
//!
//! # Writing
//! [`write_to`] writes plain Python dicts (`EMPTY_DICT` + `SETITEMS` in batches of 1000), lists,
//! and numpy arrays that stock Python loads without warnings in numpy 1.x and 2.x. The default
//! protocol is 4: arrays are `numpy.core.multiarray._reconstruct(numpy.ndarray, (0,), b'b')` +
//! BUILD `(1, shape, dtype, is_fortran, raw_bytes)`, dtypes `numpy.dtype('f8', False, True)` +
//! BUILD `(3, '<', None, None, None, -1, -1, 0)`. Fortran-ordered arrays (VTK images) are written
//! with `is_fortran = True` and load as F-contiguous arrays without a copy; permuted layouts are
//! written in C order. Protocol 5 writes what numpy 2.x writes
//! (`numpy._core.numeric._frombuffer(bytearray, dtype, shape, order[, axes])`, keeping every layout),
//! **which numpy 1.x cannot load** (it has no `numpy._core.numeric`). Protocols 2 and 3 are also
//! available. Array bytes are streamed from the array's buffer, outside pickle frames.
//!
//! # Reading
//! [`read_bytes`] and [`read_from`] are a restricted unpickler: it decodes protocols 2-5 symbolically and executes
//! nothing. Only the globals of SPEC section 8 are accepted (numpy array/dtype reconstruction in
//! `numpy.core` and `numpy._core`, `_codecs.encode`, `vmtk.*.vividict`, `collections.OrderedDict`,
//! VTK's `VTKArray`, and `builtins.bytes` called without arguments, which is how
//! protocol 2 writes an empty array's `b''`); any other global is refused with [`StoreError::ForbiddenGlobal`] when it is
//! read, before anything else happens. Big-endian arrays are byte-swapped; bool, complex, string
//! and object arrays are refused with [`StoreError::Unsupported`].

mod assemble;
mod numpy;
mod opcodes;
mod value;
mod vm;
mod writer;

use std::io::{BufRead, Seek, Write};
use std::path::Path;

use arraydict::{Dict, Node};

use crate::input::{Input, SliceInput, StreamInput};
use crate::StoreError;

/// Options of [`write_to`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PickleWriteOptions {
    /// Pickle protocol, 2 to 5. The default, 4, loads in numpy 1.x and 2.x; 5 loads only in numpy 2.x.
    pub protocol: u8,
}

impl PickleWriteOptions {
    /// The default protocol (4): loadable by numpy 1.x and 2.x.
    pub const DEFAULT_PROTOCOL: u8 = 4;
}

impl Default for PickleWriteOptions {
    fn default() -> Self {
        Self {
            protocol: Self::DEFAULT_PROTOCOL,
        }
    }
}

/// Resource limits of the reader (beyond them it fails instead of allocating).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PickleLimits {
    /// Most bytes the resulting tree may occupy (array data plus a small per-node overhead).
    /// Objects referenced more than once are copied per reference; those copies are in addition
    /// never allowed to exceed the input's size.
    pub max_alloc: u64,
    /// Deepest nesting of MARKs and of dicts/lists in the tree.
    pub max_depth: usize,
}

impl Default for PickleLimits {
    fn default() -> Self {
        Self {
            max_alloc: 64 << 30,
            max_depth: 64,
        }
    }
}

/// Writes `tree` as a pickle to `w`. `path` only names the destination in errors.
pub fn write_to<W: Write>(
    w: W,
    tree: &Dict,
    opts: &PickleWriteOptions,
    path: &Path,
) -> Result<(), StoreError> {
    writer::Writer::new(w, opts, path)?.write_root(tree)
}

/// Reads a pickle whose top level is a dict (or a VMTK `vividict` / `OrderedDict`).
pub fn read_bytes(bytes: &[u8], path: &Path, limits: &PickleLimits) -> Result<Dict, StoreError> {
    run(SliceInput::new(bytes), path, limits, as_dict)
}

/// Reads a pickle whose top level is a dict, an array or a list of arrays.
pub fn read_node_bytes(
    bytes: &[u8],
    path: &Path,
    limits: &PickleLimits,
) -> Result<Node, StoreError> {
    run(SliceInput::new(bytes), path, limits, as_node)
}

/// Reads a pickle whose top level is a dict from `reader`'s current position to its end (a
/// `BufReader<File>`, say), with the same checks, errors and results as [`read_bytes`]. Large
/// `bytes` payloads are skipped by the machine and later read straight into their arrays' buffers,
/// so the input is never held in memory besides the tree.
pub fn read_from<R: BufRead + Seek>(
    reader: R,
    path: &Path,
    limits: &PickleLimits,
) -> Result<Dict, StoreError> {
    run(stream(reader, path, DEFER_FROM)?, path, limits, as_dict)
}

/// Like [`read_from`], for a pickle whose top level is a dict, an array or a list of arrays.
pub fn read_node_from<R: BufRead + Seek>(
    reader: R,
    path: &Path,
    limits: &PickleLimits,
) -> Result<Node, StoreError> {
    run(stream(reader, path, DEFER_FROM)?, path, limits, as_node)
}

/// [`read_node_from`] with payloads of `defer_from` bytes or more left in the stream until
/// their array is built; for the differential fuzz target, which defers every payload.
#[doc(hidden)]
pub fn read_node_from_deferring<R: BufRead + Seek>(
    reader: R,
    path: &Path,
    limits: &PickleLimits,
    defer_from: usize,
) -> Result<Node, StoreError> {
    run(stream(reader, path, defer_from)?, path, limits, as_node)
}

/// Reads a pickle whose top level is a dict for showing it: entries no tree holds (object,
/// string or bool arrays, Python strs and ints) are left out and returned with why, `(key, why)`,
/// instead of failing the read.
pub(crate) fn inspect_from<R: BufRead + Seek>(
    reader: R,
    path: &Path,
    limits: &PickleLimits,
) -> Result<(Dict, Vec<(String, String)>), StoreError> {
    let mut vm = vm::Vm::new(stream(reader, path, DEFER_FROM)?, path, limits);
    vm.lenient = true;
    let vm::Outcome {
        arena,
        root,
        mut input,
    } = vm.run()?;
    let mut asm = assemble::Assembler::new(&arena, &mut input, path, limits);
    asm.skipped = Some(Vec::new());
    let tree = asm.dict(root, &mut String::new(), 0)?;
    Ok((tree, asm.skipped.unwrap_or_default()))
}

/// Stream payloads from this size on stay in the file until their array is built; smaller ones
/// cost less to keep than to seek to twice. A reader buffer of this size (see `format::read`) lets
/// the deferred reads bypass the buffer.
pub(crate) const DEFER_FROM: usize = 8 << 10;

fn stream<R: BufRead + Seek>(
    reader: R,
    path: &Path,
    defer_from: usize,
) -> Result<StreamInput<R>, StoreError> {
    StreamInput::new(reader, defer_from).map_err(|source| StoreError::Io {
        path: path.into(),
        source,
    })
}

type Asm<'o, 'a, 'p, I> = assemble::Assembler<'o, 'a, 'p, I>;

fn as_dict<'a, I: Input<'a>>(
    asm: &mut Asm<'_, 'a, '_, I>,
    root: value::Id,
) -> Result<Dict, StoreError> {
    asm.dict(root, &mut String::new(), 0)
}

fn as_node<'a, I: Input<'a>>(
    asm: &mut Asm<'_, 'a, '_, I>,
    root: value::Id,
) -> Result<Node, StoreError> {
    asm.node(root, &mut String::new(), 0)
}

/// Runs the machine over `input`, then assembles the tree from its result with `top`.
fn run<'a, I: Input<'a>, T>(
    input: I,
    path: &Path,
    limits: &PickleLimits,
    top: impl FnOnce(&mut Asm<'_, 'a, '_, I>, value::Id) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    let vm::Outcome {
        arena,
        root,
        mut input,
    } = vm::Vm::new(input, path, limits).run()?;
    top(
        &mut assemble::Assembler::new(&arena, &mut input, path, limits),
        root,
    )
}

#[cfg(test)]
pub(crate) mod tests;
