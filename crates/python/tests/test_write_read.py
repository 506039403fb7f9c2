"""`write` then `read` is the identity, for every output format a tree's kind allows; trees built
by hand in Python (what users hold) write and read back."""

import collections
import collections.abc
import pickle

import numpy as np
import pytest

import arraydict as ad
from conftest import FIXTURES, assert_same_tree, fixture_files, fixture_id, same_values

STORES = ["hdf5", "pickle", "msgpack"]
# The VTK formats that carry a whole tree of each kind without loss. Not here: .stl (points and
# polygons only: tested with STL's own trees below) and MetaImage for images with cell data (it has
# no cell data; tested with the MetaImage fixtures' own trees).
VTK_BY_KIND = {
    "surface": ["vtp", "vtk"],
    "centerlines": ["vtp", "vtk"],
    "image": ["vti", "vtk"],
    "mesh": ["vtu", "vtk"],
}


def one_fixture_per_directory():
    seen = {}
    for p in fixture_files():
        seen.setdefault((p.parent.name, p.suffix), p)
    return sorted(seen.values())


CASES = one_fixture_per_directory()


def formats_of(tree, path):
    kind = ad.detect_kind(tree)
    formats = STORES + VTK_BY_KIND[kind]
    if path.suffix == ".stl":
        formats.append("stl")
    if path.suffix in (".mha", ".mhd"):
        formats += ["mha", "mhd"]
    return formats


def test_every_kind_and_input_format_is_covered():
    kinds = {ad.detect_kind(ad.read(p)) for p in CASES}
    assert kinds == {"surface", "centerlines", "image", "mesh"}
    assert {p.suffix for p in CASES} == {".vtp", ".vtu", ".vti", ".vtk", ".mha", ".mhd", ".stl"}


@pytest.mark.parametrize("path", CASES, ids=fixture_id)
def test_write_then_read_is_the_identity(path, tmp_path):
    tree = ad.read(path)
    for fmt in formats_of(tree, path):
        out = tmp_path / f"out.{fmt}"
        ad.write(tree, out)
        back = ad.read(out)
        if fmt in ("hdf5", "msgpack"):
            # Both store arrays in logical C order (SPEC 8): same values, C-ordered.
            same_values(back, tree, f"[{fmt}]")
        else:
            assert_same_tree(back, tree, f"[{fmt}]")


@pytest.mark.parametrize("path", CASES, ids=fixture_id)
def test_convert_gives_what_write_of_read_gives(path, tmp_path):
    tree = ad.read(path)
    for fmt in STORES:
        ad.convert(path, tmp_path / f"c.{fmt}")
        ad.write(tree, tmp_path / f"w.{fmt}")
        assert (tmp_path / f"c.{fmt}").read_bytes() == (tmp_path / f"w.{fmt}").read_bytes(), fmt
    vtk = VTK_BY_KIND[ad.detect_kind(tree)][0]
    ad.convert(tmp_path / "c.pickle", tmp_path / f"c.{vtk}")
    assert_same_tree(ad.read(tmp_path / f"c.{vtk}"), tree)


def test_convert_matches_the_command_byte_for_byte(cli, tmp_path):
    src = FIXTURES / "surface" / "surface.binary.zlib.h64.id64.vtp"
    for fmt in ["pickle", "msgpack"]:
        ad.convert(src, tmp_path / f"py.{fmt}")
        assert cli("to-numpy", src, "-o", tmp_path / f"cli.{fmt}").returncode == 0
        assert (tmp_path / f"py.{fmt}").read_bytes() == (tmp_path / f"cli.{fmt}").read_bytes()
    ad.convert(tmp_path / "py.pickle", tmp_path / "py.vtp")
    assert cli("from-numpy", tmp_path / "cli.pickle", "-o", tmp_path / "cli.vtp").returncode == 0
    assert (tmp_path / "py.vtp").read_bytes() == (tmp_path / "cli.vtp").read_bytes()


def surface(points, ids, **point_data):
    return {"Points": points, "PointData": dict(point_data), "CellData": {"CellPointIds": ids}}


POINTS = np.array([[0, 0, 0], [1, 0, 0], [0, 1, 0], [1, 1, 0]], np.float64)
IDS = np.array([[0, 1, 2], [1, 3, 2]], np.int32)


class vividict(dict):
    """VMTK's dict subclass (vmtk.vmtksurfacetonumpy.vividict)."""

    def __missing__(self, key):
        value = self[key] = type(self)()
        return value


class VTKArray(np.ndarray):
    """Like vtk.numpy_interface.dataset_adapter.VTKArray: an ndarray subclass with attributes."""

    def __new__(cls, array, dataset=None):
        obj = np.asarray(array).view(cls)
        obj.DataSet = dataset
        return obj

    def __array_finalize__(self, obj):
        self.DataSet = getattr(obj, "DataSet", None)


def plain(tree):
    """The tree as plain dicts and C/F ndarrays, as read gives it back."""
    if isinstance(tree, collections.abc.Mapping):
        return {k: plain(v) for k, v in tree.items()}
    if isinstance(tree, (list, tuple)) and (not tree or isinstance(tree[0], np.ndarray)):
        return [np.asarray(a).astype(np.asarray(a).dtype.newbyteorder("="), order="K") for a in tree]
    a = np.asarray(tree)
    return a.astype(a.dtype.newbyteorder("="), order="K")


class ReadOnlyMapping(collections.abc.Mapping):
    """A Mapping that is not a dict."""

    def __init__(self, entries):
        self._entries = dict(entries)

    def __getitem__(self, key):
        return self._entries[key]

    def __iter__(self):
        return iter(self._entries)

    def __len__(self):
        return len(self._entries)


HAND_BUILT = {
    "abc_mapping": lambda: ReadOnlyMapping(surface(POINTS, IDS)),
    "vividict": lambda: vividict(surface(POINTS, IDS)),
    "ordered_dict": lambda: collections.OrderedDict(surface(POINTS, IDS)),
    "vtkarray_subclass": lambda: surface(VTKArray(POINTS), VTKArray(IDS), Radius=VTKArray(np.arange(4.0))),
    "fortran_ordered": lambda: surface(np.asfortranarray(POINTS), np.asfortranarray(IDS)),
    "big_endian": lambda: surface(POINTS.astype(">f8"), IDS.astype(">i4"), Radius=np.arange(4, dtype=">u2")),
    "strided_view": lambda: surface(np.repeat(POINTS, 2, axis=0)[::2], IDS[:, :]),
    "lists_of_numbers": lambda: surface(POINTS.astype(np.float64).tolist(), np.array(IDS.tolist(), np.int32), Radius=[0.5, 1.5, 2.5, 3.5]),
    "centerlines_tuple_of_arrays": lambda: {
        "Points": POINTS,
        "PointData": {"Radius": np.arange(4.0)},
        "CellData": {"CellPointIds": (np.array([0, 1, 2], np.int32), np.array([2, 3], np.int32))},
    },
    "centerlines_list_of_lists": lambda: {
        "Points": POINTS,
        "CellData": {"CellPointIds": [np.array([0, 1], np.int32), np.array([1, 2, 3], np.int32)]},
    },
}


@pytest.mark.parametrize("name", HAND_BUILT)
@pytest.mark.parametrize("fmt", ["vtp", "vtk", "hdf5", "pickle", "msgpack"])
def test_hand_built_trees_write_and_read_back(name, fmt, tmp_path):
    tree = HAND_BUILT[name]()
    out = tmp_path / f"t.{fmt}"
    ad.write(tree, out)
    back = ad.read(out)
    expected = plain(tree)
    if name == "lists_of_numbers":
        # numpy.asarray of a list of floats is float64, as the tree says.
        assert back["PointData"]["Radius"].dtype == np.float64
    same_values(back, expected)
    for a in _arrays(back):
        assert type(a) is np.ndarray and a.dtype.isnative


def _arrays(tree):
    if isinstance(tree, dict):
        for v in tree.values():
            yield from _arrays(v)
    elif isinstance(tree, list):
        yield from tree
    else:
        yield tree


def test_an_image_tree_built_by_hand_keeps_its_geometry(tmp_path):
    voxels = np.arange(4 * 3 * 2, dtype=np.int16).reshape((4, 3, 2), order="F")
    tree = {
        "Origin": np.array([1.0, 2.0, 3.0]),
        "Dimensions": np.array([4, 3, 2]),
        "Spacing": np.array([0.5, 0.5, 2.0]),
        "PointData": {"Density": voxels},
    }
    for fmt in ["vti", "mha", "mhd", "vtk", "hdf5", "pickle"]:
        ad.write(tree, tmp_path / f"i.{fmt}")
        back = ad.read(tmp_path / f"i.{fmt}")
        # MetaImage has one unnamed array, read back as "MetaImage" (as VTK's reader names it).
        (name,) = back["PointData"]
        assert name == ("MetaImage" if fmt in ("mha", "mhd") else "Density")
        assert np.array_equal(back["PointData"][name], voxels), fmt
        # HDF5 stores logical C order (SPEC 8); the VTK formats give VTK's x-fastest buffer.
        assert back["PointData"][name].flags.f_contiguous == (fmt != "hdf5"), fmt
        assert np.array_equal(back["Spacing"], tree["Spacing"]), fmt
        assert np.array_equal(back["Origin"], tree["Origin"]), fmt


def test_read_of_a_pickle_of_a_python_tree_equals_the_tree(tmp_path):
    tree = surface(POINTS, IDS, Radius=np.arange(4.0))
    with open(tmp_path / "t.pickle", "wb") as f:
        pickle.dump(tree, f, protocol=5)
    assert_same_tree(ad.read(tmp_path / "t.pickle"), tree)
