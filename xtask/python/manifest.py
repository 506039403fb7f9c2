"""What a reader sees in a fixture, as a JSON-ready dict (schema: fixtures/README.md)."""
import hashlib

import numpy as np
from vtkmodules.util import numpy_support as ns
from vtkmodules.vtkCommonCore import vtkIdList
from vtkmodules.vtkCommonDataModel import VTK_POLYHEDRON


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def le_bytes(a):
    """The array's elements as contiguous little-endian bytes, in memory (VTK) order."""
    a = np.asarray(a)
    return np.ascontiguousarray(a, dtype=a.dtype.newbyteorder("<")).tobytes()


def i64_hash(a):
    return sha256(le_bytes(np.asarray(a, dtype=np.int64)))


def dtype_str(a):
    return np.asarray(a).dtype.newbyteorder("<").str


def _arrays(attrs):
    out = []
    for i in range(attrs.GetNumberOfArrays()):
        arr = attrs.GetAbstractArray(i)
        if arr is None or not arr.IsNumeric():
            continue
        values = ns.vtk_to_numpy(arr)
        out.append(
            {
                "name": arr.GetName() or "",
                "dtype": dtype_str(values),
                "components": arr.GetNumberOfComponents(),
                "tuples": arr.GetNumberOfTuples(),
                "sha256": sha256(le_bytes(values)),
            }
        )
    return out


def _cell_array(ca):
    offsets = ns.vtk_to_numpy(ca.GetOffsetsArray()).astype(np.int64)
    if len(offsets) == 0:
        offsets = np.zeros(1, dtype=np.int64)
    conn = ns.vtk_to_numpy(ca.GetConnectivityArray()).astype(np.int64)
    return {
        "num_cells": int(len(offsets) - 1),
        "connectivity_len": int(len(conn)),
        "offsets_sha256": i64_hash(offsets),
        "connectivity_sha256": i64_hash(conn),
    }


def _offsets_conn(cells):
    """VTK 9 offsets (leading 0) and connectivity of a list of id lists."""
    offsets = np.zeros(len(cells) + 1, dtype=np.int64)
    offsets[1:] = np.cumsum([len(c) for c in cells]) if cells else []
    conn = np.array([i for c in cells for i in c], dtype=np.int64)
    return {
        "num_cells": len(cells),
        "connectivity_len": int(len(conn)),
        "offsets_sha256": i64_hash(offsets),
        "connectivity_sha256": i64_hash(conn),
    }


def _faces(ug):
    """Polyhedron faces in VTK 9.4's layout: all faces, and per cell the indices of its faces."""
    types = ns.vtk_to_numpy(ug.GetCellTypesArray())
    if not (types == VTK_POLYHEDRON).any():
        return None
    faces, cell_faces = [], []
    for c in range(ug.GetNumberOfCells()):
        mine = []
        if types[c] == VTK_POLYHEDRON:
            stream = vtkIdList()
            ug.GetFaceStream(c, stream)
            s = [stream.GetId(i) for i in range(stream.GetNumberOfIds())]
            pos = 1
            for _ in range(s[0]):
                n = s[pos]
                mine.append(len(faces))
                faces.append(s[pos + 1 : pos + 1 + n])
                pos += 1 + n
        cell_faces.append(mine)
    return {"faces": _offsets_conn(faces), "cell_faces": _offsets_conn(cell_faces)}


def _points(ds):
    values = ns.vtk_to_numpy(ds.GetPoints().GetData())
    return {"dtype": dtype_str(values), "sha256": sha256(le_bytes(values))}


def describe_vtk(ds):
    """Manifest content for a dataset as VTK's reader returned it."""
    kind = ds.GetClassName()[3:]
    out = {"kind": kind, "num_points": ds.GetNumberOfPoints(), "num_cells": ds.GetNumberOfCells()}
    if kind == "PolyData":
        out["points"] = _points(ds)
        out["cells"] = {
            "verts": _cell_array(ds.GetVerts()),
            "lines": _cell_array(ds.GetLines()),
            "polys": _cell_array(ds.GetPolys()),
            "strips": _cell_array(ds.GetStrips()),
        }
    elif kind == "UnstructuredGrid":
        out["points"] = _points(ds)
        types = ns.vtk_to_numpy(ds.GetCellTypesArray()).astype(np.uint8)
        out["cells"] = _cell_array(ds.GetCells())
        out["cell_types_sha256"] = sha256(types.tobytes())
        out["cell_types"] = sorted({int(t) for t in types})
        out["polyhedron_faces"] = _faces(ds)
    elif kind in ("ImageData", "StructuredPoints"):
        out["kind"] = "ImageData"
        out["extent"] = list(ds.GetExtent())
        out["origin"] = list(ds.GetOrigin())
        out["spacing"] = list(ds.GetSpacing())
        m = ds.GetDirectionMatrix()
        out["direction"] = [m.GetElement(r, c) for r in range(3) for c in range(3)]
    else:
        raise ValueError(f"unexpected dataset kind {kind}")
    out["point_data"] = _arrays(ds.GetPointData())
    out["cell_data"] = _arrays(ds.GetCellData())
    return out


def describe_sitk(img):
    """Manifest content for a MetaImage as SimpleITK reads it (LPS), named as VTK names it."""
    import SimpleITK as sitk

    size = list(img.GetSize())
    if len(size) != 3:
        raise ValueError("fixture images are 3-D")
    values = sitk.GetArrayViewFromImage(img)  # (z, y, x[, c]) C order == VTK's x-fastest tuples
    comps = img.GetNumberOfComponentsPerPixel()
    n_points = size[0] * size[1] * size[2]
    n_cells = 1
    for d in size:
        n_cells *= max(d - 1, 1)
    return {
        "kind": "ImageData",
        "num_points": n_points,
        "num_cells": n_cells,
        "extent": [0, size[0] - 1, 0, size[1] - 1, 0, size[2] - 1],
        "origin": list(img.GetOrigin()),
        "spacing": list(img.GetSpacing()),
        "direction": list(img.GetDirection()),
        "point_data": [
            {
                "name": "MetaImage",
                "dtype": dtype_str(values),
                "components": comps,
                "tuples": n_points,
                "sha256": sha256(le_bytes(values)),
            }
        ],
        "cell_data": [],
    }
