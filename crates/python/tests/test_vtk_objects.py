"""from_vtk / to_vtk on live VTK objects (and pyvista): equal to read of the file the object was
read from, equal to VTK's reader output of the file write makes, lossless both ways.

Needs the vtk package (the numpy 2 test venv has it); the tests skip, saying so, without it, but
for the ImportError ones, which simulate its absence. The pyvista tests skip without pyvista.
"""

import sys

import numpy as np
import pytest

import arraydict as ad
from conftest import FIXTURES, REPO, assert_same_tree, fixture_files, fixture_id, same_values

try:
    import vtkmodules.all as vtk
    from vtkmodules.util.numpy_support import vtk_to_numpy
except ImportError:
    vtk = None

needs_vtk = pytest.mark.skipif(
    vtk is None, reason="the vtk package is not installed in this venv (pip install 'arraydict[vtk]')"
)
REAL = REPO.parent / "shared" / "real-vmtk"
FILES = fixture_files()


def vtk_read(path):
    """VTK's own reader output of a file (the readers the fixtures' manifest was made with)."""
    suffix = path.suffix.lower()
    if suffix == ".vtk":
        reader = vtk.vtkDataSetReader()
        for what in ("Scalars", "Vectors", "Normals", "Tensors", "ColorScalars", "TCoords", "Fields"):
            getattr(reader, f"ReadAll{what}On")()
    else:
        reader = {
            ".vtp": vtk.vtkXMLPolyDataReader,
            ".vtu": vtk.vtkXMLUnstructuredGridReader,
            ".vti": vtk.vtkXMLImageDataReader,
            ".stl": vtk.vtkSTLReader,
            ".mha": vtk.vtkMetaImageReader,
            ".mhd": vtk.vtkMetaImageReader,
        }[suffix]()
    reader.SetFileName(str(path))
    reader.Update()
    return reader.GetOutput()


def direction(image):
    m = image.GetDirectionMatrix()
    return np.array([[m.GetElement(r, c) for c in range(3)] for r in range(3)])


def read_as_vtk_sees_it(path, **options):
    """ad.read of the file, as VTK's readers see it: a MetaImage in its own LPS numbers, with the
    direction vtkMetaImageReader gives."""
    if path.suffix.lower() not in (".mha", ".mhd"):
        return ad.read(path, **options)
    tree = ad.read(path, frame="lps", **options)
    vtks = direction(vtk_read(path))
    # VTK < 9.7 drops the TransformMatrix (identity); 9.7 reads it row by row, the transpose of
    # ITK's convention, which SPEC 9 picks and `read` follows.
    assert np.array_equal(vtks, np.eye(3)) or np.allclose(vtks, tree["Direction"].T), vtks
    tree["Direction"] = vtks
    return tree


@needs_vtk
def test_the_fixtures_are_there():
    assert len(FILES) > 250 and {p.suffix for p in FILES} >= {".vtp", ".vtu", ".vti", ".vtk",
                                                             ".mha", ".mhd", ".stl"}


@needs_vtk
@pytest.mark.parametrize("path", FILES, ids=fixture_id)
def test_from_vtk_of_vtks_reader_output_equals_read(path):
    assert_same_tree(ad.from_vtk(vtk_read(path)), read_as_vtk_sees_it(path))


OPTIONS = [
    {"cell_to_point": True},
    {"cells_as_list": True},
    {"type_names": False},
    {"cell_to_point": True, "cells_as_list": True, "type_names": False},
    {"kind": "surface"},
    {"kind": "centerlines"},
    {"kind": "image"},
    {"kind": "mesh"},
]


@needs_vtk
@pytest.mark.parametrize("path", FILES, ids=fixture_id)
def test_from_vtk_with_every_option_equals_read(path):
    obj = vtk_read(path)
    for options in OPTIONS:
        try:
            expected = read_as_vtk_sees_it(path, **options)
        except ad.ArrayDictError as e:
            # The option does not apply (kind="surface" of an image): both refuse, with the same
            # message but for what it names (the file, the object's class).
            with pytest.raises(type(e)) as got:
                ad.from_vtk(obj, **options)
            assert str(got.value).startswith(obj.GetClassName() + ": "), (options, got.value)
            assert str(got.value).split(": ", 1)[1] == str(e).split(": ", 1)[1], options
            continue
        assert_same_tree(ad.from_vtk(obj, **options), expected)


def cell_types(grid):
    try:
        return grid.GetCellTypes()  # VTK >= 9.6: the array
    except TypeError:
        return grid.GetCellTypesArray()


def describe(obj):
    """What of a VTK dataset an ArrayDict carries, comparable with ==: class, points, cells, cell
    types, faces, named arrays (name, dtype, components, values) and image geometry."""
    out = {"class": "vtkImageData" if obj.IsA("vtkImageData") else obj.GetClassName()}

    def cells(c):
        if c is None:
            return ([0], [])
        return (vtk_to_numpy(c.GetOffsetsArray()).tolist(),
                vtk_to_numpy(c.GetConnectivityArray()).tolist())

    def arrays(data):
        found = []
        for i in range(data.GetNumberOfArrays()):
            a = data.GetArray(i)
            if a is None or not a.GetName():
                continue  # unnamed arrays are not in an ArrayDict (SPEC 2)
            values = vtk_to_numpy(a)
            found.append((a.GetName(), values.dtype.str, a.GetNumberOfComponents(),
                          values.tobytes()))
        return found

    if obj.IsA("vtkImageData"):
        out["extent"] = tuple(obj.GetExtent())
        out["origin"] = tuple(obj.GetOrigin())
        out["spacing"] = tuple(obj.GetSpacing())
        out["direction"] = tuple(direction(obj).ravel())
    else:
        points = vtk_to_numpy(obj.GetPoints().GetData())
        out["points"] = (points.dtype.str, points.tobytes())
    if obj.IsA("vtkPolyData"):
        out["cells"] = [cells(c) for c in (obj.GetVerts(), obj.GetLines(), obj.GetPolys(),
                                           obj.GetStrips())]
    if obj.IsA("vtkUnstructuredGrid"):
        out["cells"] = cells(obj.GetCells())
        out["types"] = vtk_to_numpy(cell_types(obj)).tolist()
        faces = obj.GetPolyhedronFaces()
        has_faces = faces is not None and faces.GetNumberOfCells() > 0
        out["faces"] = (cells(faces), cells(obj.GetPolyhedronFaceLocations())) if has_faces else None
    out["point_data"] = arrays(obj.GetPointData())
    out["cell_data"] = arrays(obj.GetCellData())
    return out


@needs_vtk
@pytest.mark.parametrize("path", FILES, ids=fixture_id)
def test_to_vtk_of_read_equals_vtks_reader_output(path):
    got = describe(ad.to_vtk(read_as_vtk_sees_it(path)))
    expected = describe(vtk_read(path))
    assert got.keys() == expected.keys()
    for key in expected:
        assert got[key] == expected[key], key


@needs_vtk
@pytest.mark.parametrize("path", FILES, ids=fixture_id)
def test_from_vtk_of_to_vtk_is_the_tree(path):
    tree = ad.read(path)
    assert_same_tree(ad.from_vtk(ad.to_vtk(tree)), tree)


def tutorial_surfaces():
    surfaces = [FIXTURES / "surface" / "surface.binary.zlib.h64.id64.vtp"]
    real = REAL / "aorta-surface.vtp"
    return surfaces + [pytest.param(real, marks=pytest.mark.skipif(
        not real.is_file(), reason=f"the real VMTK files are not in {REAL}"))]


@needs_vtk
@pytest.mark.parametrize("path", tutorial_surfaces(), ids=lambda p: p.name)
def test_the_seed_tutorial_in_memory(path):
    """VMTK's vmtkSurfaceToNumpy / vmtkNumpyToSurface swapped for from_vtk / to_vtk."""
    surface = vtk_read(path)
    tree = ad.from_vtk(surface)
    before = vtk_to_numpy(surface.GetPointData().GetArray("Scalars_")).copy()
    tree["PointData"]["Scalars_"] *= 2
    scaled = ad.to_vtk(tree)
    assert isinstance(scaled, vtk.vtkPolyData)
    got = vtk_to_numpy(scaled.GetPointData().GetArray("Scalars_"))
    assert np.array_equal(got, before * 2)
    # The tree owned its arrays: the source object is unchanged.
    assert np.array_equal(vtk_to_numpy(surface.GetPointData().GetArray("Scalars_")), before)
    # And the new object owns its own: changing the tree now does not change it.
    tree["PointData"]["Scalars_"][:] = -1
    assert np.array_equal(vtk_to_numpy(scaled.GetPointData().GetArray("Scalars_")), before * 2)
    assert scaled.GetNumberOfCells() == surface.GetNumberOfCells()
    # A VTK filter runs on the new object.
    normals = vtk.vtkPolyDataNormals()
    normals.SetInputData(scaled)
    normals.SplittingOff()
    normals.Update()
    assert normals.GetOutput().GetNumberOfPoints() == scaled.GetNumberOfPoints()


@needs_vtk
@pytest.mark.parametrize("name", ["aorta_surface.pickle", "aorta_centerline_branches.pickle",
                                  "aorta.pickle"])
def test_vmtks_own_trees(name):
    path = REAL / "vmtk-output" / name
    if not path.is_file():
        pytest.skip(f"VMTK's pickles are not in {path.parent}")
    vmtk_tree = ad.read(path)
    obj = ad.to_vtk(vmtk_tree)
    back = ad.from_vtk(obj)
    # Ours has the extension keys VMTK's lacks (an image's Direction); the rest is VMTK's.
    assert set(back) - set(vmtk_tree) <= {"Direction", "ExtentStart"}
    same_values({k: back[k] for k in vmtk_tree}, vmtk_tree)


@needs_vtk
def test_image_geometry_and_active_scalars():
    path = FIXTURES / "image" / "image-int16.binary.zlib.h64.id32.vti"
    obj = ad.to_vtk(ad.read(path))
    source = vtk_read(path)
    assert obj.GetExtent() == source.GetExtent() and obj.GetExtent()[0] == 2
    assert obj.GetPointData().GetScalars().GetName() == "Density"


@needs_vtk
def test_an_inconsistent_object_is_a_clear_error():
    surface = vtk_read(FIXTURES / "surface" / "surface.binary.zlib.h64.id64.vtp")
    broken = vtk.vtkPolyData()
    broken.DeepCopy(surface)
    short = vtk.vtkFloatArray()
    short.SetName("Short")
    short.SetNumberOfTuples(3)
    broken.GetPointData().AddArray(short)
    with pytest.raises(ad.ArrayDictError, match="vtkPolyData.*Short"):
        ad.from_vtk(broken)
    points = vtk.vtkPoints()
    points.SetNumberOfPoints(2)
    broken = vtk.vtkPolyData()
    broken.DeepCopy(surface)
    broken.SetPoints(points)
    with pytest.raises(ad.ArrayDictError, match="vtkPolyData"):
        ad.from_vtk(broken)


@needs_vtk
def test_other_objects_are_a_type_error():
    with pytest.raises(TypeError, match="vtkPolyData, vtkImageData or vtkUnstructuredGrid"):
        ad.from_vtk({"Points": np.zeros((1, 3))})
    with pytest.raises(TypeError, match="vtkRectilinearGrid"):
        ad.from_vtk(vtk.vtkRectilinearGrid())


@needs_vtk
def test_an_invalid_tree_is_refused_as_write_refuses_it():
    tree = {"Points": np.zeros((3, 3)), "PointData": {},
            "CellData": {"CellPointIds": np.array([[0, 1, 3]], np.int32)}}
    with pytest.raises(ad.InvalidTreeError) as e:
        ad.to_vtk(tree)
    assert any("/CellData/CellPointIds" in p for p in e.value.problems)
    surface = ad.read(FIXTURES / "surface" / "surface.binary.zlib.h64.id64.vtp")
    with pytest.raises(ad.InvalidTreeError):
        ad.to_vtk(surface, kind="image")
    with pytest.raises(ValueError, match="kind="):
        ad.to_vtk(surface, kind="volume")
    with pytest.raises(ad.InvalidTreeError, match="cannot tell the kind"):
        ad.to_vtk({"Foo": np.zeros(3)})
    centerlines = ad.read(FIXTURES / "centerlines" / "centerlines.binary.zlib.h64.id32.vtp")
    lines = ad.to_vtk(centerlines, kind="centerlines")
    assert lines.GetNumberOfLines() == len(centerlines["CellData"]["CellPointIds"])


def hide(monkeypatch, *prefixes):
    """Make `import` of these packages fail, as if they were not installed."""
    for name in list(sys.modules):
        if name.split(".")[0] in prefixes:
            monkeypatch.setitem(sys.modules, name, None)
    for name in prefixes:
        monkeypatch.setitem(sys.modules, name, None)


def test_without_vtk_the_error_names_the_extra(monkeypatch):
    hide(monkeypatch, "vtk", "vtkmodules")
    for call in (lambda: ad.from_vtk(object()), lambda: ad.to_vtk({})):
        with pytest.raises(ImportError, match=r"pip install 'arraydict\[vtk\]'"):
            call()


def test_without_pyvista_the_error_names_the_extra(monkeypatch):
    hide(monkeypatch, "pyvista")
    with pytest.raises(ImportError, match=r"pip install 'arraydict\[pyvista\]'"):
        ad.to_pyvista({})


@pytest.fixture
def pyvista():
    try:
        import pyvista
    except ImportError:
        pytest.skip("pyvista is not installed in this venv (pip install 'arraydict[pyvista]')")
    return pyvista


@needs_vtk
def test_to_pyvista_and_back(pyvista):
    path = FIXTURES / "surface" / "surface.binary.zlib.h64.id64.vtp"
    tree = ad.read(path)
    mesh = ad.to_pyvista(tree)
    assert isinstance(mesh, pyvista.PolyData)
    assert mesh.n_points == len(tree["Points"])
    assert np.array_equal(mesh.point_data["Scalars_"], tree["PointData"]["Scalars_"])
    assert_same_tree(ad.from_pyvista(mesh), tree)
    image = ad.to_pyvista(ad.read(FIXTURES / "image" / "image-int16.binary.zlib.h64.id32.vti"))
    assert isinstance(image, pyvista.ImageData)


@needs_vtk
def test_from_pyvista_of_pyvistas_own_meshes(pyvista):
    sphere = pyvista.Sphere()
    tree = ad.from_pyvista(sphere)
    assert tree["CellData"]["CellPointIds"].shape == (sphere.n_cells, 3)
    assert np.array_equal(tree["Points"], sphere.points)
    grid = pyvista.ImageData(dimensions=(4, 3, 2))
    grid.point_data["values"] = np.arange(24, dtype=np.int16)
    image = ad.from_pyvista(grid)
    assert image["PointData"]["values"].shape == (4, 3, 2)
    assert image["PointData"]["values"][1, 0, 0] == 1


@needs_vtk
def test_cells_without_offsets_and_arrays_in_other_layouts():
    """VTK >= 9.6 stores cells of one size without an offsets array, and arrays may be SOA or
    implicit: from_vtk reads them through plain copies."""
    from vtkmodules.util import numpy_support

    points = vtk.vtkPoints()
    for i in range(4):
        points.InsertNextPoint(i, i * i, 0)
    surface = vtk.vtkPolyData()
    surface.SetPoints(points)
    polys = vtk.vtkCellArray()
    if not hasattr(polys, "UseFixedSizeDefaultStorage"):
        pytest.skip("this VTK (< 9.6) has no fixed-size cell storage")
    polys.UseFixedSizeDefaultStorage(3)
    polys.InsertNextCell(3, (0, 1, 2))
    polys.InsertNextCell(3, (1, 2, 3))
    surface.SetPolys(polys)
    pressure = numpy_support.numpy_to_vtk_soa([np.arange(4.0), -np.arange(4.0)], name="Pair")
    surface.GetPointData().AddArray(pressure)
    tree = ad.from_vtk(surface)
    assert np.array_equal(tree["CellData"]["CellPointIds"], [[0, 1, 2], [1, 2, 3]])
    assert np.array_equal(tree["PointData"]["Pair"], np.stack([np.arange(4.0), -np.arange(4.0)], 1))
