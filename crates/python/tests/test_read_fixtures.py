"""`read` of every fixture equals `pickle.load` of the command's pickle of the same file."""

import pickle

import pytest

import arraydict as ad
from conftest import FIXTURES, assert_same_tree, cli_message, fixture_files, fixture_id

FILES = fixture_files()


def test_the_fixtures_are_there():
    # Every kind and every input format: a broken glob must not pass as "no cases".
    suffixes = {p.suffix for p in FILES}
    assert suffixes == {".vtp", ".vtu", ".vti", ".vtk", ".mha", ".mhd", ".stl"}, suffixes
    assert len(FILES) > 250


@pytest.mark.parametrize("path", FILES, ids=fixture_id)
def test_read_equals_the_commands_pickle(path, cli, tmp_path):
    out = tmp_path / "tree.pickle"
    r = cli("to-numpy", path, "-o", out)
    assert r.returncode == 0, r.stderr
    with open(out, "rb") as f:
        expected = pickle.load(f)
    assert_same_tree(ad.read(path), expected)


@pytest.mark.parametrize(
    "options, flags",
    [
        ({"cell_to_point": True}, ["--cell-to-point"]),
        ({"frame": "lps"}, ["--frame", "lps"]),
        ({"kind": "surface"}, ["--kind", "surface"]),
    ],
    ids=["cell_to_point", "frame", "kind"],
)
@pytest.mark.parametrize(
    "name",
    ["centerlines/centerlines.binary.zlib.h64.id32.vtp", "metaimage/float32.sitk-raw.mha",
     "mesh/mesh.appended-base64.lz4.h32.id32.vtu"],
)
def test_read_options_equal_the_commands_flags(name, options, flags, cli, tmp_path):
    path = FIXTURES / name
    out = tmp_path / "tree.pickle"
    r = cli("to-numpy", path, "-o", out, *flags)
    if r.returncode == 2:
        # The command refuses an option that cannot apply to this input (--frame for a .vtp,
        # --cell-to-point for an image); the library takes its keywords as settings and reads
        # the file as it would without them.
        assert cli_message(r.stderr).startswith(flags[0] + ": "), r.stderr
        assert_same_tree(ad.read(path, **options), ad.read(path))
        return
    if r.returncode != 0:
        # The option does not apply to this kind (--kind surface of an image): both refuse.
        with pytest.raises(ad.ArrayDictError) as e:
            ad.read(path, **options)
        assert str(e.value) == cli_message(r.stderr)
        return
    with open(out, "rb") as f:
        expected = pickle.load(f)
    assert_same_tree(ad.read(path, **options), expected)


@pytest.mark.parametrize("flag, option", [("--cells-as-list", "cells_as_list"),
                                           ("--no-type-names", "type_names")])
def test_mesh_options_equal_the_commands_flags(flag, option, cli, tmp_path):
    path = next(p for p in FILES if p.suffix == ".vtu")
    out = tmp_path / "tree.pickle"
    assert cli("to-numpy", path, "-o", out, flag).returncode == 0
    with open(out, "rb") as f:
        expected = pickle.load(f)
    got = ad.read(path, **{option: option == "cells_as_list"})
    assert_same_tree(got, expected)
