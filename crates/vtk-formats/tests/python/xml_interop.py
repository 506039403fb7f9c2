"""VTK XML interop with Python VTK (run by the `interop_xml_*` tests).

  check EXPECT   read every file listed in EXPECT with VTK and compare with the expectations
  write DIR      write files with VTK in every mode into DIR and print their expectations
  lzma-sizes DIR write one surface with VTK uncompressed (raw.vtp) and with LZMA at levels 1, 5, 9
                 (vtk-L.vtp) and print "NAME SIZE" lines

Expectation format (one item per line):
  file PATH | points N | cells N | image x0 x1 y0 y1 z0 z1 ox oy oz sx sy sz d0..d8 |
  array ASSOC NAME COMPONENTS TUPLES SUM WEIGHTED_SUM | end
ASSOC is point, cell or points; NAME "-" for an unnamed array; WEIGHTED_SUM weights value i by (i % 1000 + 1).
"""
import os
import sys

import numpy as np
import vtk
from vtk.util.numpy_support import numpy_to_vtk, vtk_to_numpy


def sums(a):
    v = np.asarray(a, dtype=np.float64).ravel()
    w = (np.arange(v.size) % 1000 + 1).astype(np.float64)
    return float(v.sum()), float((v * w).sum())


def describe(ds):
    out = [f"points {ds.GetNumberOfPoints()}", f"cells {ds.GetNumberOfCells()}"]
    if isinstance(ds, vtk.vtkImageData):
        vals = list(ds.GetExtent()) + list(ds.GetOrigin()) + list(ds.GetSpacing())
        m = ds.GetDirectionMatrix()
        vals += [m.GetElement(r, c) for r in range(3) for c in range(3)]
        out.append("image " + " ".join(repr(float(x)) for x in vals))
    elif ds.GetPoints() is not None and ds.GetNumberOfPoints() > 0:
        a = ds.GetPoints().GetData()
        out.append(f"array points Points 3 {a.GetNumberOfTuples()} " + " ".join(map(repr, sums(vtk_to_numpy(a)))))
    for assoc, attrs in (("point", ds.GetPointData()), ("cell", ds.GetCellData())):
        for i in range(attrs.GetNumberOfArrays()):
            a = attrs.GetArray(i)
            name = a.GetName() or "-"
            out.append(f"array {assoc} {name} {a.GetNumberOfComponents()} {a.GetNumberOfTuples()} "
                       + " ".join(map(repr, sums(vtk_to_numpy(a)))))
    return out


def read(path):
    r = vtk.vtkXMLGenericDataObjectReader()
    r.SetFileName(path)
    r.Update()
    if r.GetErrorCode() != 0:
        raise SystemExit(f"{path}: VTK reported error code {r.GetErrorCode()}")
    return r.GetOutput()


def close(a, b):
    a, b = float(a), float(b)
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def check(expect_path):
    failures, current, expected = [], None, []
    for line in open(expect_path).read().splitlines() + ["file -"]:
        if line.startswith("file "):
            if current is not None:
                got = describe(read(current))
                if len(got) != len(expected):
                    failures.append(f"{current}: expected {expected}, VTK read {got}")
                for e, g in zip(expected, got):
                    ep, gp = e.split(), g.split()
                    same = len(ep) == len(gp) and all(x == y or (x[0] in "-0123456789" and close(x, y)) for x, y in zip(ep, gp))
                    if not same:
                        failures.append(f"{current}: expected '{e}', VTK read '{g}'")
            current, expected = line[5:], []
        elif line != "end":
            expected.append(line)
    if failures:
        print("\n".join(failures))
        raise SystemExit(1)
    print("all files match")


def sample_polydata():
    s = vtk.vtkSphereSource()
    s.SetThetaResolution(40)
    s.SetPhiResolution(30)
    s.Update()
    e = vtk.vtkElevationFilter()
    e.SetInputData(s.GetOutput())
    e.Update()
    pd = e.GetOutput()
    ids = numpy_to_vtk(np.arange(pd.GetNumberOfCells(), dtype=np.int32) * 7)
    ids.SetName("CellIds")
    pd.GetCellData().AddArray(ids)
    rad = numpy_to_vtk(np.linspace(0.1, 5.0, pd.GetNumberOfPoints()).astype(np.float64))
    rad.SetName("Radius")
    pd.GetPointData().AddArray(rad)
    return pd


def sample_image():
    img = vtk.vtkImageData()
    img.SetExtent(2, 21, -3, 14, 1, 6)
    img.SetOrigin(-1.5, 2.25, 3.0)
    img.SetSpacing(0.5, 0.875, 1.25)
    img.SetDirectionMatrix(0, -1, 0, 1, 0, 0, 0, 0, 1)
    n = img.GetNumberOfPoints()
    a = numpy_to_vtk((np.arange(n) * 37 % 2000 - 1000).astype(np.int16))
    a.SetName("ImageScalars")
    img.GetPointData().SetScalars(a)
    return img


def sample_ugrid():
    pts = vtk.vtkPoints()
    for p in [(0, 0, 0), (1, 0, 0), (1, 1, 0), (0, 1, 0), (0.5, 0.5, 1), (2, 0, 0)]:
        pts.InsertNextPoint(p)
    ug = vtk.vtkUnstructuredGrid()
    ug.SetPoints(pts)
    ug.InsertNextCell(vtk.VTK_TETRA, 4, [0, 1, 2, 4])
    ug.InsertNextCell(vtk.VTK_TRIANGLE, 3, [1, 5, 2])
    faces = vtk.vtkIdList()
    for f in [5, 4, 0, 1, 2, 3, 3, 0, 1, 4, 3, 1, 2, 4, 3, 2, 3, 4, 3, 3, 0, 4]:
        faces.InsertNextId(f)
    ug.InsertNextCell(vtk.VTK_POLYHEDRON, faces)
    t = numpy_to_vtk(np.array([1.5, -2.0, 3.25]))
    t.SetName("T")
    ug.GetCellData().AddArray(t)
    return ug


def write(out_dir):
    data = {"vtp": (vtk.vtkXMLPolyDataWriter, sample_polydata()),
            "vti": (vtk.vtkXMLImageDataWriter, sample_image()),
            "vtu": (vtk.vtkXMLUnstructuredGridWriter, sample_ugrid())}
    for ext, (cls, ds) in data.items():
        modes = [("ascii", "None", 32, False, False)]
        for mode in ("binary", "appended-base64", "appended-raw"):
            for comp in ("None", "ZLib", "LZ4", "LZMA"):
                for bits in (32, 64):
                    modes.append((mode, comp, bits, comp != "None", False))
            modes.append((mode, "ZLib", 64, True, True))
            modes.append((mode, "None", 32, False, True))
        for mode, comp, bits, small_blocks, big_endian in modes:
            path = f"{out_dir}/{ext}_{mode}_{comp}_{bits}{'_be' if big_endian else ''}.{ext}"
            w = cls()
            w.SetFileName(path)
            w.SetInputData(ds)
            if mode == "ascii":
                w.SetDataModeToAscii()
            elif mode == "binary":
                w.SetDataModeToBinary()
            else:
                w.SetDataModeToAppended()
                w.SetEncodeAppendedData(mode == "appended-base64")
            getattr(w, f"SetCompressorTypeTo{comp}")()
            w.SetHeaderTypeToUInt32() if bits == 32 else w.SetHeaderTypeToUInt64()
            if big_endian:
                w.SetByteOrderToBigEndian()
            if small_blocks:
                w.SetBlockSize(1024)
            if not w.Write():
                raise SystemExit(f"VTK failed to write {path}")
            print(f"file {path}")
            for line in describe(read(path)):
                print(line)
            print("end")


LZMA_LEVELS = (1, 5, 9)


def lzma_sizes(out_dir):
    """A 64k-triangle wavy surface with normals, written by VTK uncompressed (raw.vtp: our input)
    and with its LZMA compressor at each level of LZMA_LEVELS (vtk-L.vtp), appended raw, 32 KiB
    blocks, UInt64 headers, as our writer's defaults."""
    import numpy as np
    side = 180
    u, v = np.meshgrid(np.linspace(0, 1, side), np.linspace(0, 1, side), indexing="ij")
    z = 0.1 * np.sin(12 * u) * np.cos(9 * v)
    pd = vtk.vtkPolyData()
    pts = vtk.vtkPoints()
    pts.SetData(numpy_to_vtk(np.stack([u, v, z], -1).reshape(-1, 3).astype(np.float32), deep=True))
    pd.SetPoints(pts)
    ij = np.arange(side * side).reshape(side, side)[:-1, :-1].reshape(-1)
    tri = np.concatenate([np.stack([ij, ij + side, ij + 1], 1), np.stack([ij + 1, ij + side, ij + side + 1], 1)])
    cells = vtk.vtkCellArray()
    cells.SetData(
        numpy_to_vtk(np.arange(0, tri.size + 1, 3, dtype=np.int64), deep=True),
        numpy_to_vtk(tri.reshape(-1).astype(np.int64), deep=True),
    )
    pd.SetPolys(cells)
    normals = numpy_to_vtk(np.stack([-np.gradient(z, axis=0), -np.gradient(z, axis=1), np.ones_like(z)], -1).reshape(-1, 3).astype(np.float32), deep=True)
    normals.SetName("Normals")
    pd.GetPointData().AddArray(normals)
    for name, level in [("raw", None)] + [(f"vtk-{lv}", lv) for lv in LZMA_LEVELS]:
        w = vtk.vtkXMLPolyDataWriter()
        w.SetInputData(pd)
        w.SetFileName(os.path.join(out_dir, name + ".vtp"))
        w.SetDataModeToAppended()
        w.SetEncodeAppendedData(False)
        w.SetHeaderTypeToUInt64()
        w.SetBlockSize(32768)
        if level is None:
            w.SetCompressorTypeToNone()
        else:
            w.SetCompressorTypeToLZMA()
            w.SetCompressionLevel(level)
        assert w.Write() == 1
        print(f"{name} {os.path.getsize(w.GetFileName())}")


if __name__ == "__main__":
    commands = {"check": check, "write": write, "lzma-sizes": lzma_sizes}
    if len(sys.argv) != 3 or sys.argv[1] not in commands:
        raise SystemExit(__doc__)
    commands[sys.argv[1]](sys.argv[2])
