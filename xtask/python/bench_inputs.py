"""Inputs of `cargo xtask bench-compare`, built deterministically with numpy + Python VTK.

usage: bench_inputs.py OUTDIR NAME=SIZE...

NAME is one of surface (SIZE triangles; writes NAME_zlib.vtp and NAME_raw.vtp), centerlines (SIZE
points on 300 polylines), image (SIZE^3 int16 voxels; writes .mha with zlib and .vti), mesh (SIZE
hexahedra, a cube of them). A file that already exists is kept, so repeated runs are cheap. Values
are arithmetic plus a seeded generator, so every run writes the same bytes.
"""
import math
import os
import sys

import numpy as np
from vtkmodules.util import numpy_support as ns
from vtkmodules.vtkCommonCore import vtkPoints
from vtkmodules.vtkCommonDataModel import (
    VTK_HEXAHEDRON,
    vtkCellArray,
    vtkImageData,
    vtkPolyData,
    vtkUnstructuredGrid,
)
from vtkmodules.vtkIOImage import vtkMetaImageWriter
from vtkmodules.vtkIOXML import (
    vtkXMLImageDataWriter,
    vtkXMLPolyDataWriter,
    vtkXMLUnstructuredGridWriter,
)


def _array(name, values):
    arr = ns.numpy_to_vtk(np.ascontiguousarray(values), deep=True)
    arr.SetName(name)
    return arr


def _points(xyz):
    pts = vtkPoints()
    pts.SetData(ns.numpy_to_vtk(np.ascontiguousarray(xyz, dtype=np.float32), deep=True))
    return pts


def _cells(offsets, connectivity):
    ca = vtkCellArray()
    ca.SetData(
        ns.numpy_to_vtk(np.ascontiguousarray(offsets, dtype=np.int64), deep=True),
        ns.numpy_to_vtk(np.ascontiguousarray(connectivity, dtype=np.int64), deep=True),
    )
    return ca


def _write_xml(writer, data, path, compressed):
    writer.SetInputData(data)
    writer.SetFileName(path)
    writer.SetDataModeToAppended()
    writer.SetEncodeAppendedData(False)
    if compressed:
        writer.SetCompressorTypeToZLib()
    else:
        writer.SetCompressorTypeToNone()
    if writer.Write() != 1:
        raise SystemExit(f"bench_inputs: VTK could not write {path}")


def surface(n_triangles):
    """A wavy grid surface of about n_triangles triangles, f4 points, normals and a scalar."""
    side = max(2, int(round(math.sqrt(n_triangles / 2.0))) + 1)
    u, v = np.meshgrid(np.linspace(0.0, 1.0, side), np.linspace(0.0, 1.0, side), indexing="ij")
    z = 0.1 * np.sin(12.0 * u) * np.cos(9.0 * v)
    xyz = np.stack([u, v, z], axis=-1).reshape(-1, 3)
    normals = np.stack([-np.gradient(z, axis=0), -np.gradient(z, axis=1), np.ones_like(z)], axis=-1)
    normals /= np.linalg.norm(normals, axis=-1, keepdims=True)
    ij = np.arange(side * side).reshape(side, side)[:-1, :-1].reshape(-1)
    tri = np.concatenate(
        [np.stack([ij, ij + side, ij + 1], axis=1), np.stack([ij + 1, ij + side, ij + side + 1], axis=1)]
    ).reshape(-1)
    pd = vtkPolyData()
    pd.SetPoints(_points(xyz))
    pd.SetPolys(_cells(np.arange(0, tri.size + 1, 3), tri))
    pd.GetPointData().AddArray(_array("Normals", normals.reshape(-1, 3).astype(np.float32)))
    pd.GetPointData().AddArray(_array("Pressure", (z.reshape(-1) * 1000.0).astype(np.float32)))
    return pd


def centerlines(n_points, n_lines=300):
    """n_lines helices with n_points points in total, a radius (f8) and ids (i4) like VMTK's."""
    per = np.full(n_lines, n_points // n_lines)
    per[: n_points % n_lines] += 1
    t = np.concatenate([np.linspace(0.0, 1.0, k) for k in per])
    line = np.repeat(np.arange(n_lines), per)
    xyz = np.stack([np.cos(20.0 * t) + line, np.sin(20.0 * t), 50.0 * t], axis=1)
    pd = vtkPolyData()
    pd.SetPoints(_points(xyz))
    pd.SetLines(_cells(np.concatenate([[0], np.cumsum(per)]), np.arange(n_points)))
    pd.GetPointData().AddArray(_array("MaximumInscribedSphereRadius", 2.0 + np.cos(7.0 * t)))
    pd.GetCellData().AddArray(_array("CenterlineIds", np.arange(n_lines, dtype=np.int32)))
    return pd


def image(side):
    """A side^3 int16 CT-like volume: smooth blobs plus seeded noise (so zlib has real work)."""
    x = np.linspace(-1.0, 1.0, side, dtype=np.float32)
    r2 = x[:, None, None] ** 2 + x[None, :, None] ** 2 + x[None, None, :] ** 2
    vol = 1000.0 * np.exp(-3.0 * r2) - 500.0
    rng = np.random.default_rng(6)
    vol += rng.integers(-20, 21, size=vol.shape, dtype=np.int16)
    im = vtkImageData()
    im.SetDimensions(side, side, side)
    im.SetSpacing(0.5, 0.5, 0.8)
    im.SetOrigin(-10.0, 20.0, 5.0)
    # (x, y, z) array -> VTK's x-fastest buffer.
    scalars = _array("ImageScalars", vol.astype(np.int16).ravel(order="F"))
    im.GetPointData().SetScalars(scalars)
    return im


def mesh(n_hexahedra):
    """A cube of about n_hexahedra hexahedra with an f4 point array."""
    n = max(1, int(round(n_hexahedra ** (1.0 / 3.0))))
    p = n + 1
    g = np.linspace(0.0, 1.0, p, dtype=np.float32)
    xyz = np.stack(np.meshgrid(g, g, g, indexing="ij"), axis=-1)[..., ::-1].reshape(-1, 3)
    base = np.arange(p**3).reshape(p, p, p)[:-1, :-1, :-1].reshape(-1)
    corners = [0, 1, p + 1, p, p * p, p * p + 1, p * p + p + 1, p * p + p]
    conn = (base[:, None] + np.array(corners)[None, :]).reshape(-1)
    ug = vtkUnstructuredGrid()
    ug.SetPoints(_points(xyz))
    ug.SetCells(VTK_HEXAHEDRON, _cells(np.arange(0, conn.size + 1, 8), conn))
    ug.GetPointData().AddArray(_array("Pressure", xyz[:, 0] * 100.0))
    return ug


def main():
    outdir = sys.argv[1]
    os.makedirs(outdir, exist_ok=True)
    for spec in sys.argv[2:]:
        name, size = spec.split("=")
        size = int(size)
        base = os.path.join(outdir, f"{name}_{size}")
        if name == "surface":
            targets = [(base + "_zlib.vtp", True), (base + "_raw.vtp", False)]
            if all(os.path.exists(t) for t, _ in targets):
                continue
            data = surface(size)
            for path, compressed in targets:
                _write_xml(vtkXMLPolyDataWriter(), data, path, compressed)
        elif name == "centerlines":
            if not os.path.exists(base + ".vtp"):
                _write_xml(vtkXMLPolyDataWriter(), centerlines(size), base + ".vtp", True)
        elif name == "image":
            if os.path.exists(base + ".mha") and os.path.exists(base + ".vti"):
                continue
            data = image(size)
            w = vtkMetaImageWriter()
            w.SetInputData(data)
            w.SetFileName(base + ".mha")
            w.SetCompression(True)
            w.Write()
            _write_xml(vtkXMLImageDataWriter(), data, base + ".vti", True)
        elif name == "mesh":
            if not os.path.exists(base + ".vtu"):
                _write_xml(vtkXMLUnstructuredGridWriter(), mesh(size), base + ".vtu", True)
        else:
            raise SystemExit(f"bench_inputs: unknown input {name!r}")


if __name__ == "__main__":
    main()
