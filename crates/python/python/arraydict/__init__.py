"""arraydict: VMTK's ArrayDicts in-process, zero-copy, without VMTK.

An ArrayDict is the nested dict of numpy arrays that VMTK's numpy adaptors (vmtkSurfaceToNumpy,
vmtkNumpyToSurface, ...) produce and consume. This package reads VTK files (.vtp .vtu .vti .vtk
.mha .mhd .stl) and ArrayDict files (.hdf5 .pickle .msgpack) into such dicts and writes them back,
with a Rust core doing the work: no subprocess, no temporary file, no copy of the array data.

    >>> import arraydict as ad
    >>> surface = ad.read("aorta-surface.vtp")          # dict of numpy arrays
    >>> surface["PointData"]["Scalars_"] *= 2
    >>> ad.write(surface, "aorta-scaled.vtp")           # validated, written atomically
    >>> ad.convert("aorta.mha", "aorta.hdf5")           # file to file, no Python objects

Functions: read, write, convert, validate, detect_kind (see help() of each); live VTK objects:
from_vtk and to_vtk (VMTK's vmtkSurfaceToNumpy / vmtkNumpyToSurface & co. on objects in memory,
needs ``pip install 'arraydict[vtk]'``), from_pyvista and to_pyvista (``arraydict[pyvista]``).
vtk and pyvista are imported only when those are called.
Exceptions: ArrayDictError (a ValueError) and its subclasses FormatError (VTK files), StoreError
(ArrayDict files) and InvalidTreeError (.problems); missing or unreadable files raise
FileNotFoundError / PermissionError.

The command: the package installs `arraydict` (the same command as the Rust binary: `arraydict
--help`), also run as `python -m arraydict`.

Threads: every call releases the GIL while it works on files and uses rayon's pool of worker
threads, all cores by default: set RAYON_NUM_THREADS before the first call, or pass threads=N.
"""

from ._native import (
    ArrayDictError,
    FormatError,
    InvalidTreeError,
    StoreError,
    __version__,
    convert,
    detect_kind,
    read,
    validate,
    write,
)
from ._vtk_objects import from_pyvista, from_vtk, to_pyvista, to_vtk

__all__ = [
    "ArrayDictError",
    "FormatError",
    "InvalidTreeError",
    "StoreError",
    "__version__",
    "convert",
    "detect_kind",
    "from_pyvista",
    "from_vtk",
    "read",
    "to_pyvista",
    "to_vtk",
    "validate",
    "write",
]
