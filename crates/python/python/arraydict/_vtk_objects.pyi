"""Type stubs of the live VTK object functions (vtk and pyvista are optional, so their objects are Any)."""

from collections.abc import Mapping
from typing import Any, Literal

Kind = Literal["surface", "centerlines", "image", "mesh"]

def from_vtk(
    obj: Any,
    *,
    kind: Kind | None = None,
    cell_to_point: bool = False,
    cells_as_list: bool = False,
    type_names: bool = True,
) -> dict[str, Any]: ...
def to_vtk(tree: Mapping[str, Any], *, kind: Kind | None = None) -> Any: ...
def from_pyvista(
    mesh: Any,
    *,
    kind: Kind | None = None,
    cell_to_point: bool = False,
    cells_as_list: bool = False,
    type_names: bool = True,
) -> dict[str, Any]: ...
def to_pyvista(tree: Mapping[str, Any], *, kind: Kind | None = None) -> Any: ...
