"""No copy of array data between Rust and numpy: arrays from `read` are views of the buffers the
Rust reader filled (or of the mapped file), and `write` reads contiguous numpy memory in place."""

import subprocess
import sys
import textwrap

import numpy as np
import pytest

import arraydict as ad
from conftest import FIXTURES

IMAGE = FIXTURES / "image" / "image-float32.appended-raw.none.h32.id32.vti"
SURFACE = FIXTURES / "surface" / "surface.binary.zlib.h64.id64.vtp"


def root_base(a):
    while isinstance(a.base, np.ndarray):
        a = a.base
    return a, a.base


def address(a):
    return a.__array_interface__["data"][0]


def test_arrays_from_read_are_views_of_the_rust_buffers():
    tree = ad.read(SURFACE)
    arrays = [tree["Points"], tree["PointData"]["Scalars_"], tree["CellData"]["CellPointIds"]]
    for a in arrays:
        flat, owner = root_base(a)
        # numpy's array over the Vec that Rust handed over (rust-numpy's PySliceContainer owns it)
        assert type(owner).__name__ == "PySliceContainer", type(owner)
        assert not a.flags.owndata
        assert address(a) == address(flat) and np.shares_memory(a, flat)
        assert a.flags.writeable


def test_an_image_array_is_the_fortran_view_of_vtks_buffer():
    voxels = next(iter(ad.read(IMAGE)["PointData"].values()))
    assert voxels.ndim == 3 and voxels.flags.f_contiguous and not voxels.flags.c_contiguous
    flat, owner = root_base(voxels)
    assert flat.ndim == 1 and type(owner).__name__ == "PySliceContainer"
    assert address(voxels) == address(flat)
    # x fastest: the F view of the flat buffer, element for element
    assert np.array_equal(voxels.ravel(order="F"), flat)


def big_surface(n_points):
    return {
        "Points": np.arange(n_points * 3, dtype=np.float64).reshape(n_points, 3),
        "PointData": {},
        "CellData": {"CellPointIds": np.array([[0, 1, 2]], np.int32)},
    }


def mapped_ranges(path):
    ranges = []
    with open("/proc/self/maps") as f:
        for line in f:
            if line.rstrip().endswith(str(path)):
                lo, hi = (int(x, 16) for x in line.split()[0].split("-"))
                ranges.append((lo, hi))
    return ranges


def test_uncompressed_hdf5_arrays_are_read_only_views_of_the_mapped_file(tmp_path):
    path = tmp_path / "big.hdf5"
    ad.write(big_surface(100_000), path, compression="none")
    points = ad.read(path)["Points"]
    assert isinstance(points.base, ad._native.MappedBuffer), type(points.base)
    assert "mapped HDF5 file" in repr(points.base)
    assert not points.flags.writeable
    with pytest.raises(ValueError):
        points[0, 0] = 1.0
    with pytest.raises(ValueError):
        points.setflags(write=True)  # numpy refuses: the base has no writable buffer
    # The data pointer lies inside a mapping of the file itself.
    assert any(lo <= address(points) < hi for lo, hi in mapped_ranges(path)), mapped_ranges(path)
    assert np.array_equal(points, big_surface(100_000)["Points"])
    copied = ad.read(path, copy=True)["Points"]
    assert copied.flags.writeable and type(root_base(copied)[1]).__name__ == "PySliceContainer"
    assert not any(lo <= address(copied) < hi for lo, hi in mapped_ranges(path))


def test_a_mapped_view_outlives_the_tree_and_keeps_the_mapping(tmp_path):
    path = tmp_path / "big.hdf5"
    ad.write(big_surface(100_000), path, compression="none")
    points = ad.read(path)["Points"]  # the dict is gone; the view's base holds the mapping
    import gc

    gc.collect()
    assert mapped_ranges(path)
    assert points[-1, -1] == 100_000 * 3 - 1
    del points
    gc.collect()
    assert not mapped_ranges(path)


PEAK = textwrap.dedent(
    """
    import sys
    import numpy as np
    import arraydict as ad

    n = 4_000_000  # 96 MB of float64 points
    points = np.arange(n * 3, dtype=np.float64).reshape(n, 3)
    if sys.argv[1] == "fortran":
        points = np.asfortranarray(points)
    elif sys.argv[1] == "strided":
        points = np.arange(n * 6, dtype=np.float64).reshape(n, 6)[:, ::2]
    elif sys.argv[1] == "big-endian":
        points = points.astype(">f8")
    tree = {"Points": points, "PointData": {},
            "CellData": {"CellPointIds": np.array([[0, 1, 2]], np.int32)}}
    def status(field):
        with open("/proc/self/status") as f:
            return next(int(l.split()[1]) for l in f if l.startswith(field + ":")) * 1024

    before = status("VmRSS")
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # resets the peak (VmHWM) to the current resident size
    ad.write(tree, "/dev/null", format="pickle")
    print((status("VmHWM") - before) / (n * 3 * 8))
    """
)


def peak_growth(layout):
    r = subprocess.run([sys.executable, "-c", PEAK, layout], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return float(r.stdout)


@pytest.mark.parametrize("layout", ["c", "fortran"])
def test_write_reads_contiguous_numpy_memory_in_place(layout):
    # Peak memory grows by well under the array's size during the write: no copy was made.
    assert peak_growth(layout) < 0.25


@pytest.mark.parametrize("layout", ["strided", "big-endian"])
def test_write_copies_strided_and_byte_swapped_arrays_once(layout):
    # The same measure sees the one copy these need (so the in-place test above can fail).
    assert 0.9 < peak_growth(layout) < 1.6


READ_PEAK = textwrap.dedent(
    """
    import sys
    import numpy
    import arraydict as ad

    def status(field):
        with open("/proc/self/status") as f:
            return next(int(l.split()[1]) for l in f if l.startswith(field + ":")) * 1024

    before = status("VmRSS")
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # resets the peak (VmHWM); ru_maxrss would carry the parent's from the fork
    tree = ad.read(sys.argv[1])
    print((status("VmHWM") - before) / tree["Points"].nbytes)
    """
)


def test_read_of_an_uncompressed_vtp_holds_the_arrays_once(tmp_path):
    path = tmp_path / "big.vtp"
    ad.write(big_surface(4_000_000), path, xml_compression="none")
    r = subprocess.run([sys.executable, "-c", READ_PEAK, str(path)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    # Read into one buffer that numpy then owns: about 1x the array, not 2x (a copy). The issue's
    # budget: at most 1.2x the array bytes over the interpreter's baseline.
    assert 0.9 < float(r.stdout) < 1.2, r.stdout


def test_write_then_read_of_an_array_subclass_gives_a_plain_array(tmp_path):
    class Sub(np.ndarray):
        pass

    tree = big_surface(10)
    tree["Points"] = tree["Points"].view(Sub)
    ad.write(tree, tmp_path / "s.pickle")
    back = ad.read(tmp_path / "s.pickle")["Points"]
    assert type(back) is np.ndarray
