"""The Python reference of `cargo xtask bench-compare`: what a VTK expert writes with numpy.

usage:
  bench_reference.py to-numpy IN OUT (hdf5-gzip|hdf5-none|pickle) [--repeat N]
  bench_reference.py from-numpy IN OUT KIND [--uncompressed] [--repeat N]

VTK's own readers (XML, MetaImage) + vtk_to_numpy (vectorised: connectivity/offset arrays, no
per-cell Python loop), the ArrayDict trees of SPEC.md, then h5py create_dataset(...,
compression='gzip', compression_opts=4) or pickle.dump(protocol=5). The reverse: h5py / pickle load,
numpy_to_vtk and VTK's XML writer with its defaults (appended base64, zlib), or with --uncompressed
appended raw data and no compressor (SetEncodeAppendedData(False), SetCompressorTypeToNone: the
byte-moving path that `cp` bounds). With --repeat N the conversion runs N more times
in this process and the median of those steady-state runs is printed as `steady_s=<seconds>`.
"""
import os
import pickle
import statistics
import sys
import time

import h5py
import numpy as np
from vtkmodules.util import numpy_support as ns
from vtkmodules.vtkCommonCore import vtkIdTypeArray, vtkPoints
from vtkmodules.vtkCommonDataModel import vtkCellArray, vtkImageData, vtkPolyData, vtkUnstructuredGrid
from vtkmodules.vtkIOImage import vtkMetaImageReader
from vtkmodules.vtkIOXML import (
    vtkXMLImageDataReader,
    vtkXMLImageDataWriter,
    vtkXMLPolyDataReader,
    vtkXMLPolyDataWriter,
    vtkXMLUnstructuredGridReader,
    vtkXMLUnstructuredGridWriter,
)

CELL_CLASS = {12: "vtkHexahedron", 10: "vtkTetra", 5: "vtkTriangle", 9: "vtkQuad", 13: "vtkWedge", 14: "vtkPyramid"}


def _read(path):
    ext = os.path.splitext(path)[1].lower()
    reader = {
        ".vtp": vtkXMLPolyDataReader,
        ".vti": vtkXMLImageDataReader,
        ".vtu": vtkXMLUnstructuredGridReader,
        ".mha": vtkMetaImageReader,
        ".mhd": vtkMetaImageReader,
    }[ext]()
    reader.SetFileName(path)
    reader.Update()
    return reader.GetOutput()


def _attributes(attrs):
    out = {}
    for i in range(attrs.GetNumberOfArrays()):
        arr = attrs.GetArray(i)
        if arr is not None and arr.GetName():
            out[arr.GetName()] = ns.vtk_to_numpy(arr)
    return out


def polydata_tree(pd):
    """Surface or centerlines tree (SPEC sections 3 and 4)."""
    points = ns.vtk_to_numpy(pd.GetPoints().GetData())
    point_data = _attributes(pd.GetPointData())
    cell_data = _attributes(pd.GetCellData())
    if pd.GetNumberOfLines() > 0:
        lines = pd.GetLines()
        conn = ns.vtk_to_numpy(lines.GetConnectivityArray()).astype(np.int32)
        offsets = ns.vtk_to_numpy(lines.GetOffsetsArray())
        cell_data["CellPointIds"] = np.split(conn, offsets[1:-1])
        tree = {"CellData": cell_data, "Points": points}
        if point_data:
            tree["PointData"] = point_data
        return tree
    polys = pd.GetPolys()
    conn = ns.vtk_to_numpy(polys.GetConnectivityArray()).astype(np.int32)
    cell_data["CellPointIds"] = conn.reshape(polys.GetNumberOfCells(), -1)
    if len(cell_data) > 1:
        return {"CellData": cell_data, "Points": points, "PointData": point_data}
    return {"Points": points, "PointData": point_data, "CellData": cell_data}


def image_tree(im):
    """Image tree (SPEC section 5 + Direction): (nx, ny, nz) arrays, Fortran order, no copy."""
    dims = np.array(im.GetDimensions(), dtype=np.int64)
    tree = {
        "Origin": np.array(im.GetOrigin(), dtype=np.float64),
        "Dimensions": dims,
        "Spacing": np.array(im.GetSpacing(), dtype=np.float64),
        "Direction": np.array([im.GetDirectionMatrix().GetElement(r, c) for r in range(3) for c in range(3)]).reshape(3, 3),
    }
    pd = _attributes(im.GetPointData())
    if pd:
        tree["PointData"] = {k: v.reshape(tuple(dims), order="F") for k, v in pd.items()}
    return tree


def mesh_tree(ug):
    """Mesh tree (SPEC section 5)."""
    cells = ug.GetCells()
    types = ns.vtk_to_numpy(ug.GetCellTypes())
    legacy_ids = vtkIdTypeArray()
    cells.ExportLegacyFormat(legacy_ids)
    legacy = ns.vtk_to_numpy(legacy_ids).astype(np.int64)
    tree = {
        "Points": ns.vtk_to_numpy(ug.GetPoints().GetData()),
        "Cells": {
            "CellPointIds": legacy,
            "CellLocations": ns.vtk_to_numpy(cells.GetOffsetsArray())[:-1].astype(np.int64),
            "CellTypes": types,
            "CellTypesAsStrings": {CELL_CLASS.get(int(t), f"vtkCell{int(t)}"): np.array([t], dtype=np.uint8) for t in np.unique(types)},
        },
    }
    cd = _attributes(ug.GetCellData())
    if cd:
        tree["CellData"] = cd
    pd = _attributes(ug.GetPointData())
    if pd:
        tree["PointData"] = pd
    return tree


def to_tree(path):
    data = _read(path)
    if isinstance(data, vtkImageData):
        return image_tree(data)
    if isinstance(data, vtkUnstructuredGrid):
        return mesh_tree(data)
    return polydata_tree(data)


def h5_write(group, tree, gzip):
    for key, value in tree.items():
        if isinstance(value, dict):
            h5_write(group.create_group(key), value, gzip)
        elif isinstance(value, list):
            h5_write(group.create_group(key), {str(i): v for i, v in enumerate(value)}, gzip)
        elif gzip:
            group.create_dataset(key, data=value, compression="gzip", compression_opts=4)
        else:
            group.create_dataset(key, data=value)


def h5_read(group):
    out = {}
    for key, value in group.items():
        out[key] = h5_read(value) if isinstance(value, h5py.Group) else value[()]
    names = list(out)
    if names and sorted(names, key=lambda s: int(s) if s.isdigit() else -1) == [str(i) for i in range(len(names))]:
        return [out[str(i)] for i in range(len(names))]
    return out


def store(tree, out, fmt):
    if fmt == "pickle":
        with open(out, "wb") as f:
            pickle.dump(tree, f, protocol=5)
    else:
        with h5py.File(out, "w") as f:
            h5_write(f, tree, fmt == "hdf5-gzip")


def load(path):
    if path.endswith(".pickle") or path.endswith(".pkl"):
        with open(path, "rb") as f:
            return pickle.load(f)
    with h5py.File(path, "r") as f:
        return h5_read(f)


def _vtk_array(name, values):
    values = np.asarray(values)
    if values.ndim > 2:
        values = values.reshape(values.shape[0], -1)
    arr = ns.numpy_to_vtk(np.ascontiguousarray(values), deep=True)
    arr.SetName(name)
    return arr


def _points(xyz):
    pts = vtkPoints()
    pts.SetData(ns.numpy_to_vtk(np.ascontiguousarray(xyz), deep=True))
    return pts


def _cell_array(offsets, conn):
    ca = vtkCellArray()
    ca.SetData(ns.numpy_to_vtk(offsets.astype(np.int64), deep=True), ns.numpy_to_vtk(conn.astype(np.int64), deep=True))
    return ca


def from_tree(tree, kind):
    if kind in ("surface", "centerlines"):
        pd = vtkPolyData()
        pd.SetPoints(_points(tree["Points"]))
        cell_data = dict(tree["CellData"])
        ids = cell_data.pop("CellPointIds")
        if isinstance(ids, list):
            sizes = np.array([len(c) for c in ids], dtype=np.int64)
            conn = np.concatenate(ids)
        else:
            sizes = np.full(ids.shape[0], ids.shape[1], dtype=np.int64)
            conn = ids.reshape(-1)
        cells = _cell_array(np.concatenate([[0], np.cumsum(sizes)]), conn)
        pd.SetLines(cells) if kind == "centerlines" else pd.SetPolys(cells)
        for k, v in tree.get("PointData", {}).items():
            pd.GetPointData().AddArray(_vtk_array(k, v))
        for k, v in cell_data.items():
            pd.GetCellData().AddArray(_vtk_array(k, v))
        return pd, vtkXMLPolyDataWriter()
    if kind == "image":
        im = vtkImageData()
        im.SetDimensions(*[int(d) for d in tree["Dimensions"]])
        im.SetOrigin(*tree["Origin"])
        im.SetSpacing(*tree["Spacing"])
        if "Direction" in tree:
            im.SetDirectionMatrix(*np.asarray(tree["Direction"]).reshape(-1))
        for k, v in tree.get("PointData", {}).items():
            # (nx, ny, nz) -> VTK's x-fastest buffer (a no-op for pickled Fortran arrays).
            im.GetPointData().AddArray(_vtk_array(k, np.asarray(v).ravel(order="F")))
        return im, vtkXMLImageDataWriter()
    ug = vtkUnstructuredGrid()
    ug.SetPoints(_points(tree["Points"]))
    cells = vtkCellArray()
    cells.ImportLegacyFormat(ns.numpy_to_vtkIdTypeArray(tree["Cells"]["CellPointIds"].astype(np.int64), deep=True))
    ug.SetCells(ns.numpy_to_vtk(tree["Cells"]["CellTypes"].astype(np.uint8), deep=True), cells)
    for k, v in tree.get("PointData", {}).items():
        ug.GetPointData().AddArray(_vtk_array(k, v))
    for k, v in tree.get("CellData", {}).items():
        ug.GetCellData().AddArray(_vtk_array(k, v))
    return ug, vtkXMLUnstructuredGridWriter()


def run_once(argv, uncompressed=False):
    if argv[0] == "to-numpy":
        store(to_tree(argv[1]), argv[2], argv[3])
    else:
        data, writer = from_tree(load(argv[1]), argv[3])
        writer.SetInputData(data)
        writer.SetFileName(argv[2])
        if uncompressed:
            writer.SetDataModeToAppended()
            writer.SetEncodeAppendedData(False)
            writer.SetCompressorTypeToNone()
        if writer.Write() != 1:
            raise SystemExit(f"bench_reference: VTK could not write {argv[2]}")


def main():
    argv = sys.argv[1:]
    repeat = 0
    if "--repeat" in argv:
        i = argv.index("--repeat")
        repeat = int(argv[i + 1])
        del argv[i : i + 2]
    uncompressed = "--uncompressed" in argv
    if uncompressed:
        argv.remove("--uncompressed")
    run_once(argv, uncompressed)
    if repeat:
        times = []
        for _ in range(repeat):
            # A fresh output each time, outside the timing, as the harness does for both sides
            # (replacing a file costs extra on ext4) ...
            if os.path.exists(argv[2]):
                os.remove(argv[2])
            # ... and with the previous repeat's output written back, so no flusher thread runs
            # during the timing (also as the harness does).
            os.sync()
            t0 = time.perf_counter()
            run_once(argv, uncompressed)
            times.append(time.perf_counter() - t0)
        print(f"steady_s={statistics.median(times):.6f}")


if __name__ == "__main__":
    main()
