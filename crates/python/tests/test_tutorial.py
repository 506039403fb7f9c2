"""The seed tutorial's flow, in-process, on the real VMTK files of ../shared/real-vmtk (skipped,
saying so, where they are absent)."""

import numpy as np
import pytest

import arraydict as ad
from conftest import REPO, same_values

REAL = REPO.parent / "shared" / "real-vmtk"

pytestmark = pytest.mark.skipif(
    not (REAL / "aorta-surface.vtp").is_file(), reason=f"the real VMTK files are not in {REAL}"
)


def test_surface_scaled_point_array_written_as_vtp_reads_back_changed(tmp_path):
    surface = ad.read(REAL / "aorta-surface.vtp")
    assert surface["Points"].shape == (6468, 3)
    original = surface["PointData"]["Scalars_"].copy()
    surface["PointData"]["Scalars_"] *= 2
    ad.write(surface, tmp_path / "scaled.vtp")
    back = ad.read(tmp_path / "scaled.vtp")
    assert np.array_equal(back["PointData"]["Scalars_"], original * 2)
    same_values(back, surface)


def test_vtk_reads_the_change(tmp_path):
    vtk = pytest.importorskip("vtk", reason="the vtk package is not installed in this venv")
    from vtk.util.numpy_support import vtk_to_numpy

    surface = ad.read(REAL / "aorta-surface.vtp")
    surface["PointData"]["Scalars_"] *= 2
    ad.write(surface, tmp_path / "scaled.vtp")
    reader = vtk.vtkXMLPolyDataReader()
    reader.SetFileName(str(tmp_path / "scaled.vtp"))
    reader.Update()
    scalars = vtk_to_numpy(reader.GetOutput().GetPointData().GetArray("Scalars_"))
    assert np.array_equal(scalars, surface["PointData"]["Scalars_"])


def test_centerlines_cells_are_a_list_of_point_id_arrays():
    cl = ad.read(REAL / "aorta-centerline-branches.vtp")
    cells = cl["CellData"]["CellPointIds"]
    assert isinstance(cells, list) and len(cells) == 6
    assert all(c.dtype == np.int32 and c.ndim == 1 for c in cells)
    first_line = cl["Points"][cells[0]]
    radius = cl["PointData"]["MaximumInscribedSphereRadius"][cells[0]]
    assert first_line.shape == (len(cells[0]), 3) and radius.shape == (len(cells[0]),)
    assert list(cl["CellData"])[:4] == ["CenterlineIds", "TractIds", "Blanking", "GroupIds"]


@pytest.mark.parametrize("fmt", ["vti", "mha"])
def test_image_clamped_and_written_keeps_its_geometry(fmt, tmp_path):
    image = ad.read(REAL / "aorta.mha")
    voxels = image["PointData"]["MetaImage"]
    assert voxels.shape == (157, 393, 34) and voxels.flags.f_contiguous
    assert (voxels > 500).any()
    voxels[voxels > 500] = 500
    ad.write(image, tmp_path / f"clamped.{fmt}")
    back = ad.read(tmp_path / f"clamped.{fmt}")
    assert back["PointData"]["MetaImage"].max() <= 500
    assert np.array_equal(back["PointData"]["MetaImage"], voxels)
    for key in ["Origin", "Spacing", "Dimensions", "Direction"]:
        assert np.allclose(back[key], image[key]), key


def test_read_lps_equals_vmtks_image_arraydict_plus_our_extension_keys():
    ours = ad.read(REAL / "aorta.mha", frame="lps")
    vmtk = ad.read(REAL / "vmtk-output" / "aorta.pickle")  # VMTK's vividict pickle, run by nothing
    extensions = [k for k in ours if k not in vmtk]
    assert set(extensions) <= {"Direction", "ExtentStart"}, extensions
    same_values({k: ours[k] for k in vmtk}, vmtk)
