from ._native import (
    ArrayDictError as ArrayDictError,
    FormatError as FormatError,
    InvalidTreeError as InvalidTreeError,
    StoreError as StoreError,
    __version__ as __version__,
    convert as convert,
    detect_kind as detect_kind,
    read as read,
    validate as validate,
    write as write,
)
from ._vtk_objects import (
    from_pyvista as from_pyvista,
    from_vtk as from_vtk,
    to_pyvista as to_pyvista,
    to_vtk as to_vtk,
)

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
