"""Type stubs of the compiled module (the signatures of src/lib.rs's #[pyfunction]s)."""

import os
from collections.abc import Mapping
from typing import Any, Literal

__version__: str

Kind = Literal["surface", "centerlines", "image", "mesh"]
Frame = Literal["ras", "lps"]
StrPath = str | os.PathLike[str]

class ArrayDictError(ValueError): ...
class FormatError(ArrayDictError): ...
class StoreError(ArrayDictError): ...

class InvalidTreeError(ArrayDictError):
    problems: list[str]

class MappedBuffer:
    """The base of a read-only array viewed in a mapped HDF5 file."""

    def __len__(self) -> int: ...

def read(
    path: StrPath,
    *,
    kind: Kind | None = None,
    cell_to_point: bool = False,
    cells_as_list: bool = False,
    type_names: bool = True,
    frame: Frame = "ras",
    copy: bool = False,
    allow_external_data_file: bool = False,
    threads: int | None = None,
) -> dict[str, Any]: ...
def write(
    tree: Mapping[str, Any],
    path: StrPath,
    *,
    kind: Kind | None = None,
    format: Literal["hdf5", "pickle", "msgpack", "vtp", "vtu", "vti", "vtk", "mha", "stl"]
    | None = None,
    compression: Literal["gzip", "none"] = "gzip",
    level: int = 4,
    pickle_protocol: int = 4,
    xml_compression: Literal["zlib", "lz4", "lzma", "none"] = "zlib",
    xml_level: int | None = None,
    xml_encoding: Literal["appended-raw", "appended-base64", "inline-base64", "ascii"] = "appended-raw",
    legacy_version: Literal["4.2", "5.1"] = "4.2",
    legacy_ascii: bool = False,
    meta_uncompressed: bool = False,
    stl_ascii: bool = False,
    frame: Frame = "ras",
    sync: bool = False,
    threads: int | None = None,
) -> None: ...
def convert(
    src: StrPath,
    dst: StrPath,
    *,
    kind: Kind | None = None,
    cell_to_point: bool = False,
    cells_as_list: bool = False,
    type_names: bool = True,
    frame: Frame = "ras",
    allow_external_data_file: bool = False,
    format: Literal["hdf5", "pickle", "msgpack", "vtp", "vtu", "vti", "vtk", "mha", "stl"]
    | None = None,
    compression: Literal["gzip", "none"] = "gzip",
    level: int = 4,
    pickle_protocol: int = 4,
    xml_compression: Literal["zlib", "lz4", "lzma", "none"] = "zlib",
    xml_level: int | None = None,
    xml_encoding: Literal["appended-raw", "appended-base64", "inline-base64", "ascii"] = "appended-raw",
    legacy_version: Literal["4.2", "5.1"] = "4.2",
    legacy_ascii: bool = False,
    meta_uncompressed: bool = False,
    stl_ascii: bool = False,
    sync: bool = False,
    threads: int | None = None,
) -> None: ...
def validate(tree: Mapping[str, Any], kind: Kind | None = None) -> None: ...
def detect_kind(tree: Mapping[str, Any]) -> Kind | None: ...
def batch_plan(
    inputs: list[str], out_dir: StrPath, suffix: str
) -> list[tuple[os.PathLike[str], os.PathLike[str]]]: ...
def remove_stale_temporaries(dirs: list[StrPath]) -> None: ...
def main(argv: list[str]) -> int:
    """The `arraydict` command (argv[0] is the program name); returns its exit code."""
def _from_vtk_parts(
    parts: dict[str, Any],
    *,
    kind: Kind | None = None,
    cell_to_point: bool = False,
    cells_as_list: bool = False,
    type_names: bool = True,
) -> dict[str, Any]:
    """Private: the tree of a VTK object taken apart by arraydict.from_vtk."""

def _to_vtk_parts(tree: Mapping[str, Any], *, kind: Kind | None = None) -> dict[str, Any]:
    """Private: the parts arraydict.to_vtk builds a VTK object from."""
