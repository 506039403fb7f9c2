"""The source datasets of the fixtures, built deterministically (no randomness, no clocks).

Each builder returns a fresh VTK data object. Values are arithmetic so that every platform and every
numpy build produces the same bytes; sizes stay small (a few hundred cells) so the fixtures stay small.
"""
import math

import numpy as np
from vtkmodules.util import numpy_support as ns
from vtkmodules.vtkCommonCore import vtkIdList, vtkPoints
from vtkmodules.vtkCommonDataModel import (
    VTK_HEXAHEDRON,
    VTK_POLYHEDRON,
    VTK_PYRAMID,
    VTK_QUAD,
    VTK_TETRA,
    VTK_TRIANGLE,
    VTK_WEDGE,
    vtkCellArray,
    vtkImageData,
    vtkPolyData,
    vtkUnstructuredGrid,
)
from vtkmodules.vtkFiltersSources import vtkSphereSource


def _array(name, values, components=1):
    """A VTK array holding a copy of `values` (numpy dtype kept), named, with `components`."""
    values = np.ascontiguousarray(values)
    flat = values.reshape(-1, components) if components > 1 else values.reshape(-1)
    arr = ns.numpy_to_vtk(flat, deep=True)
    arr.SetName(name)
    return arr


def _points(xyz, dtype):
    pts = vtkPoints()
    pts.SetData(ns.numpy_to_vtk(np.ascontiguousarray(xyz, dtype=dtype).reshape(-1, 3), deep=True))
    return pts


def _cells(cells):
    ca = vtkCellArray()
    for c in cells:
        ca.InsertNextCell(len(c))
        for i in c:
            ca.InsertCellPoint(int(i))
    return ca


def surface():
    """A triangulated sphere like a VMTK surface: f4 points, scalars, normals, ints, a tensor."""
    src = vtkSphereSource()
    src.SetCenter(1.0, 2.0, 3.0)
    src.SetRadius(5.0)
    src.SetThetaResolution(16)
    src.SetPhiResolution(12)
    src.Update()
    sphere = src.GetOutput()
    xyz = ns.vtk_to_numpy(sphere.GetPoints().GetData()).astype(np.float32)
    n = len(xyz)
    pd = vtkPolyData()
    pd.SetPoints(_points(xyz, np.float32))
    polys = vtkCellArray()
    polys.DeepCopy(sphere.GetPolys())
    pd.SetPolys(polys)
    idx = np.arange(n)
    rel = xyz - np.array([1.0, 2.0, 3.0], dtype=np.float32)
    normals = rel / np.linalg.norm(rel, axis=1, keepdims=True)
    pt = pd.GetPointData()
    pt.AddArray(_array("Scalars_", (xyz[:, 0] * 0.5 + xyz[:, 2] * 0.25).astype(np.float32)))
    pt.AddArray(_array("Normals_", normals.astype(np.float32), 3))
    pt.AddArray(_array("Labels", ((idx * 7919) % 1000 - 500).astype(np.int32)))
    pt.AddArray(_array("Tensor", (np.arange(9 * n, dtype=np.float64) * 0.5 - 3.0), 9))
    pt.AddArray(_array("GlobalIds64", (idx.astype(np.int64) * 3 + (1 << 40)).astype(np.int64)))
    pt.SetActiveScalars("Scalars_")
    pt.SetActiveNormals("Normals_")
    n_cells = pd.GetNumberOfCells()
    conn = ns.vtk_to_numpy(pd.GetPolys().GetConnectivityArray()).reshape(-1, 3)
    p = xyz.astype(np.float64)
    area = 0.5 * np.linalg.norm(np.cross(p[conn[:, 1]] - p[conn[:, 0]], p[conn[:, 2]] - p[conn[:, 0]]), axis=1)
    cd = pd.GetCellData()
    cd.AddArray(_array("Area", area.astype(np.float64)))
    cd.AddArray(_array("Mask", (np.arange(n_cells) % 3 == 0).astype(np.uint8)))
    return pd


def centerlines():
    """Four polylines with VMTK's centerline arrays (each line has its own points, as in VMTK)."""
    lengths = [12, 9, 15, 7]
    xyz, lines = [], []
    start = 0
    for li, m in enumerate(lengths):
        t = np.arange(m, dtype=np.float64)
        ang = li * math.pi / 2
        xyz.append(np.stack([np.cos(ang) * t * 0.4, np.sin(ang) * t * 0.4, t * 1.25 - li], axis=1))
        lines.append(list(range(start, start + m)))
        start += m
    xyz = np.concatenate(xyz).astype(np.float32)
    n = len(xyz)
    pd = vtkPolyData()
    pd.SetPoints(_points(xyz, np.float32))
    pd.SetLines(_cells(lines))
    idx = np.arange(n)
    pt = pd.GetPointData()
    pt.AddArray(_array("MaximumInscribedSphereRadius", 2.0 + np.cos(idx * 0.3) * 0.75))
    pt.AddArray(_array("EdgeArray", np.stack([idx, idx + 1], axis=1).astype(np.int32), 2))
    pt.AddArray(_array("EdgePCoordArray", (idx % 5) / 5.0))
    cd = pd.GetCellData()
    cd.AddArray(_array("CenterlineIds", np.array([0, 1, 2, 3], dtype=np.int32)))
    cd.AddArray(_array("TractIds", np.array([0, 1, 1, 2], dtype=np.int32)))
    cd.AddArray(_array("Blanking", np.array([0, 0, 1, 0], dtype=np.int32)))
    cd.AddArray(_array("GroupIds", np.array([0, 2, 3, 5], dtype=np.int32)))
    return pd


def _plate(nx, ny):
    x, y = np.meshgrid(np.arange(nx, dtype=np.float64), np.arange(ny, dtype=np.float64))
    z = 0.1 * x * y - 0.05 * x
    return np.stack([x.ravel() * 1.5, y.ravel(), z.ravel()], axis=1)


def mixed_polys():
    """Triangles, quads, a pentagon and a hexagon: cells of different sizes (cow.vtp-like)."""
    xyz = _plate(6, 4)
    g = lambda i, j: j * 6 + i  # noqa: E731 - point id of grid node (i, j)
    cells = [
        [g(0, 0), g(1, 0), g(1, 1)],
        [g(0, 0), g(1, 1), g(0, 1)],
        [g(1, 0), g(2, 0), g(2, 1), g(1, 1)],
        [g(2, 0), g(3, 0), g(4, 0), g(4, 1), g(3, 1), g(2, 1)],
        [g(4, 0), g(5, 0), g(5, 1), g(4, 1)],
        [g(0, 1), g(1, 1), g(2, 1), g(2, 2), g(0, 2)],
        [g(2, 1), g(3, 1), g(3, 2), g(2, 2)],
        [g(3, 1), g(5, 1), g(5, 2)],
        [g(0, 2), g(2, 2), g(1, 3), g(0, 3)],
        [g(2, 2), g(5, 2), g(5, 3), g(1, 3)],
    ]
    pd = vtkPolyData()
    pd.SetPoints(_points(xyz, np.float32))
    pd.SetPolys(_cells(cells))
    pd.GetPointData().AddArray(_array("Height", xyz[:, 2].astype(np.float64)))
    cd = pd.GetCellData()
    cd.AddArray(_array("CellSize", np.array([len(c) for c in cells], dtype=np.int32)))
    cd.AddArray(_array("Quality", np.linspace(0.25, 1.0, len(cells)).astype(np.float32)))
    return pd


def all_cell_kinds():
    """Verts, lines, polys and strips in one polydata, with the less common dtypes."""
    xyz = _plate(5, 4)
    g = lambda i, j: j * 5 + i  # noqa: E731
    pd = vtkPolyData()
    pd.SetPoints(_points(xyz, np.float64))
    pd.SetVerts(_cells([[g(0, 0)], [g(4, 0), g(4, 1), g(4, 2)]]))
    pd.SetLines(_cells([[g(0, 3), g(1, 3)], [g(1, 3), g(2, 3), g(3, 3), g(4, 3)]]))
    pd.SetPolys(_cells([[g(0, 0), g(1, 0), g(1, 1)], [g(1, 0), g(2, 0), g(2, 1), g(1, 1)]]))
    pd.SetStrips(_cells([[g(0, 1), g(0, 2), g(1, 1), g(1, 2), g(2, 1), g(2, 2)]]))
    n = len(xyz)
    idx = np.arange(n)
    pt = pd.GetPointData()
    pt.AddArray(_array("Temperature", (20.0 + idx * 0.125).astype(np.float32)))
    pt.AddArray(_array("Count", (idx * 1000003 % 65537).astype(np.uint32)))
    pt.AddArray(_array("Big", (idx.astype(np.uint64) * np.uint64(1 << 50)).astype(np.uint64)))
    n_cells = pd.GetNumberOfCells()
    cd = pd.GetCellData()
    cd.AddArray(_array("Kind", np.array([1, 1, 3, 4, 5, 9, 6], dtype=np.int16)[:n_cells]))
    cd.AddArray(_array("Weight", (np.arange(n_cells) * 300).astype(np.uint16)))
    cd.AddArray(_array("Flag", (np.arange(n_cells) - 3).astype(np.int8)))
    return pd


def _rotation():
    """A proper rotation (30 degrees about z, then 10 degrees about x), as a 3x3 numpy matrix."""
    a, b = math.radians(30.0), math.radians(10.0)
    rz = np.array([[math.cos(a), -math.sin(a), 0], [math.sin(a), math.cos(a), 0], [0, 0, 1]])
    rx = np.array([[1, 0, 0], [0, math.cos(b), -math.sin(b)], [0, math.sin(b), math.cos(b)]])
    return rx @ rz


def _image(extent, origin, spacing, direction):
    img = vtkImageData()
    img.SetExtent(*extent)
    img.SetOrigin(*origin)
    img.SetSpacing(*spacing)
    img.SetDirectionMatrix(*np.asarray(direction, dtype=np.float64).ravel().tolist())
    return img


def _dims(extent):
    return [extent[1] - extent[0] + 1, extent[3] - extent[2] + 1, extent[5] - extent[4] + 1]


def _voxel_field(dims):
    """x-fastest values of a smooth function of (i, j, k), VTK's point order."""
    k, j, i = np.meshgrid(np.arange(dims[2]), np.arange(dims[1]), np.arange(dims[0]), indexing="ij")
    return (i * 3.0 - j * 7.0 + k * 11.0 + (i * j) % 5).ravel()


def image_int16(extent=(2, 8, -1, 4, 3, 7), direction=None):
    """int16 scalars + a u1 cell array; non-unit spacing, non-zero origin, rotated, extent start != 0."""
    img = _image(extent, (-10.5, 3.25, 7.0), (0.5, 0.75, 1.25), _rotation() if direction is None else direction)
    dims = _dims(extent)
    img.GetPointData().AddArray(_array("Density", (_voxel_field(dims) * 13 - 200).astype(np.int16)))
    img.GetPointData().SetActiveScalars("Density")
    n_cells = img.GetNumberOfCells()
    img.GetCellData().AddArray(_array("CellLabel", (np.arange(n_cells) % 4).astype(np.uint8)))
    return img


def image_float32(extent=(0, 8, 0, 7, 0, 3), direction=None):
    """float32 scalars; axis-permuting direction by default."""
    perm = np.array([[0.0, -1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
    img = _image(extent, (156.445, -24.6094, 0.5), (0.878906, 0.878906, 1.50009), perm if direction is None else direction)
    dims = _dims(extent)
    img.GetPointData().AddArray(_array("Intensity", (_voxel_field(dims) * 0.37 + 0.125).astype(np.float32)))
    img.GetPointData().SetActiveScalars("Intensity")
    return img


def image_vector(extent=(-2, 2, 0, 3, 1, 3), direction=None):
    """A 3-component f4 vector image and a 2-component u1 array."""
    img = _image(extent, (1.0, -2.0, 0.25), (0.3, 0.4, 0.6), np.eye(3) if direction is None else direction)
    dims = _dims(extent)
    f = _voxel_field(dims)
    vel = np.stack([f * 0.5, -f * 0.25, f * 0.125 + 1.0], axis=1).astype(np.float32)
    img.GetPointData().AddArray(_array("Velocity", vel, 3))
    img.GetPointData().SetActiveVectors("Velocity")
    pair = np.stack([np.arange(len(f)) % 256, (np.arange(len(f)) * 7) % 256], axis=1).astype(np.uint8)
    img.GetPointData().AddArray(_array("Pair", pair, 2))
    return img


def image_2d():
    """A flat (nz = 1) u2 image."""
    img = _image((0, 5, 0, 4, 0, 0), (0.0, 0.0, -1.0), (0.25, 0.5, 1.0), np.eye(3))
    img.GetPointData().AddArray(_array("Label", (np.arange(30) * 2111 % 65536).astype(np.uint16)))
    return img


def mesh():
    """Tetra, hexahedron, wedge, pyramid, triangle and quad, f8 points."""
    cube = [[0, 0, 0], [1, 0, 0], [1, 1, 0], [0, 1, 0], [0, 0, 1], [1, 0, 1], [1, 1, 1], [0, 1, 1]]
    extra = [[2, 0, 0], [2, 1, 0], [2, 0, 1], [2, 1, 1], [0.5, 0.5, 1.8], [-1, 0, 0], [-1, 1, 0], [-0.5, 0.5, 0.7]]
    xyz = np.array(cube + extra, dtype=np.float64) * np.array([1.5, 1.0, 0.75])
    cells = [
        (VTK_HEXAHEDRON, [0, 1, 2, 3, 4, 5, 6, 7]),
        (VTK_WEDGE, [1, 8, 2, 5, 10, 6]),
        (VTK_PYRAMID, [4, 5, 6, 7, 12]),
        (VTK_TETRA, [0, 3, 14, 15]),
        (VTK_TRIANGLE, [0, 13, 15]),
        (VTK_QUAD, [8, 9, 11, 10]),
        (VTK_TETRA, [13, 14, 15, 3]),
    ]
    ug = vtkUnstructuredGrid()
    ug.SetPoints(_points(xyz, np.float64))
    ug.Allocate(len(cells))
    for t, ids in cells:
        il = vtkIdList()
        for i in ids:
            il.InsertNextId(i)
        ug.InsertNextCell(t, il)
    n = len(xyz)
    idx = np.arange(n)
    pt = ug.GetPointData()
    pt.AddArray(_array("Displacement", (xyz * 0.01 + idx[:, None] * 0.001).astype(np.float64), 3))
    pt.AddArray(_array("NodeId", (idx + 100).astype(np.int32)))
    cd = ug.GetCellData()
    cd.AddArray(_array("Material", np.array([1, 2, 2, 3, 4, 4, 3], dtype=np.int32)))
    cd.AddArray(_array("Stress", (np.arange(9 * len(cells)) * 0.25 - 1.0).astype(np.float32), 9))
    cd.AddArray(_array("Volume", np.linspace(0.1, 0.7, len(cells))))
    return ug


def polyhedra():
    """Two polyhedra (a cube and a triangular prism, given by faces) and a tetra."""
    xyz = np.array(
        [[0, 0, 0], [1, 0, 0], [1, 1, 0], [0, 1, 0], [0, 0, 1], [1, 0, 1], [1, 1, 1], [0, 1, 1], [2, 0, 0], [2, 0, 1]],
        dtype=np.float32,
    )
    cube_faces = [[0, 3, 2, 1], [4, 5, 6, 7], [0, 1, 5, 4], [1, 2, 6, 5], [2, 3, 7, 6], [3, 0, 4, 7]]
    prism_faces = [[1, 8, 2], [5, 6, 9], [1, 5, 9, 8], [8, 9, 6, 2], [2, 6, 5, 1]]
    ug = vtkUnstructuredGrid()
    ug.SetPoints(_points(xyz, np.float32))
    ug.Allocate(3)
    for faces in (cube_faces, None, prism_faces):
        il = vtkIdList()
        if faces is None:
            for i in (0, 1, 3, 4):
                il.InsertNextId(i)
            ug.InsertNextCell(VTK_TETRA, il)
            continue
        il.InsertNextId(len(faces))
        for f in faces:
            il.InsertNextId(len(f))
            for i in f:
                il.InsertNextId(i)
        ug.InsertNextCell(VTK_POLYHEDRON, il)
    ug.GetCellData().AddArray(_array("Region", np.array([7, 8, 9], dtype=np.int32)))
    ug.GetPointData().AddArray(_array("Weight", np.linspace(0.0, 1.0, len(xyz)).astype(np.float32)))
    return ug
