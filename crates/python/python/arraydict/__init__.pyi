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

__all__ = [
    "ArrayDictError",
    "FormatError",
    "InvalidTreeError",
    "StoreError",
    "__version__",
    "convert",
    "detect_kind",
    "read",
    "validate",
    "write",
]
