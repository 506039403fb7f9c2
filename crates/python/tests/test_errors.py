"""Errors are exceptions with the command's message; hostile files raise, crash nothing and leave
nothing behind; a hostile pickle runs nothing."""

import os
import pickle
import shutil

import numpy as np
import pytest

import arraydict as ad
from conftest import FIXTURES, HOSTILE, cli_message

VTK_EXTS = {".vtp", ".vtu", ".vti", ".vtk", ".mha", ".mhd", ".stl"}


def hostile_cases():
    cases = []
    for line in (HOSTILE / "manifest.tsv").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, expected = line.split("\t", 1)
            cases.append((name, expected.strip()))
    return cases


CASES = hostile_cases()


def test_the_hostile_corpus_is_there():
    assert len(CASES) > 100
    assert {n for n, _ in CASES} == {p.name for p in (HOSTILE / "cases").iterdir()}


def test_the_exception_hierarchy():
    assert issubclass(ad.ArrayDictError, ValueError)
    for cls in (ad.FormatError, ad.StoreError, ad.InvalidTreeError):
        assert issubclass(cls, ad.ArrayDictError)
        assert cls.__module__ == "arraydict"
        assert cls.__doc__


@pytest.mark.parametrize("name, expected", CASES, ids=[n for n, _ in CASES])
def test_hostile_file_raises_with_the_message_and_writes_nothing(name, expected, tmp_path):
    src = tmp_path / name
    shutil.copy(HOSTILE / "cases" / name, src)
    before = src.read_bytes()
    is_vtk = src.suffix in VTK_EXTS
    try:
        tree = ad.read(src)
    except (ad.ArrayDictError, OSError) as read_error:
        message = str(read_error)
        assert name in message, message
        assert expected.lower() in message.lower(), message
        if not is_vtk:
            assert isinstance(read_error, (ad.StoreError, OSError)), repr(read_error)
        elif not isinstance(read_error, OSError):
            assert isinstance(read_error, (ad.FormatError, ad.ArrayDictError)), repr(read_error)
    else:
        # A well-formed ArrayDict file holding a tree that breaks the schema: read gives the tree
        # as stored (to inspect or mend), validate and every conversion refuse it.
        assert not is_vtk, f"{name} was read without an error"
        with pytest.raises(ad.InvalidTreeError):
            ad.validate(tree)
    out = tmp_path / ("out.pickle" if is_vtk else "out.vtp")
    with pytest.raises((ad.ArrayDictError, OSError)) as convert_error:
        ad.convert(src, out)
    assert name in str(convert_error.value)
    assert expected.lower() in str(convert_error.value).lower()
    assert sorted(p.name for p in tmp_path.iterdir()) == [name], "something was written"
    assert src.read_bytes() == before


@pytest.mark.parametrize("name", [n for n, _ in CASES])
def test_hostile_messages_are_the_commands(name, cli, tmp_path):
    src = tmp_path / name
    shutil.copy(HOSTILE / "cases" / name, src)
    is_vtk = src.suffix in VTK_EXTS
    r = cli("to-numpy" if is_vtk else "from-numpy", src, "-o",
            tmp_path / ("o.pickle" if is_vtk else "o.vtp"))
    assert r.returncode == 1
    with pytest.raises((ad.ArrayDictError, OSError)) as e:
        ad.convert(src, tmp_path / ("p.pickle" if is_vtk else "p.vtp"))
    # The one difference: the option is named as Python spells it.
    assert str(e.value) == cli_message(r.stderr).replace("pass --kind", "pass kind=")


def test_a_hostile_pickle_runs_nothing(tmp_path):
    marker = tmp_path / "ran"

    class Evil:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    path = tmp_path / "evil.pickle"
    path.write_bytes(pickle.dumps({"Points": Evil()}, protocol=4))
    with pytest.raises(ad.StoreError, match="refusing pickle global .*system.*nothing was executed"):
        ad.read(path)
    with pytest.raises(ad.StoreError):
        ad.convert(path, tmp_path / "out.vtp")
    assert not marker.exists()
    assert not (tmp_path / "out.vtp").exists()


def test_a_missing_file_is_file_not_found(tmp_path):
    missing = tmp_path / "missing.vtp"
    with pytest.raises(FileNotFoundError) as e:
        ad.read(missing)
    assert str(missing) in str(e.value) and e.value.errno == 2
    with pytest.raises(FileNotFoundError):
        ad.read(tmp_path / "missing.hdf5")
    with pytest.raises(FileNotFoundError):
        ad.convert(missing, tmp_path / "out.hdf5")
    src = FIXTURES / "surface" / "surface.binary.zlib.h64.id64.vtp"
    with pytest.raises(FileNotFoundError):
        ad.convert(src, tmp_path / "no-such-dir" / "out.hdf5")
    with pytest.raises(FileNotFoundError):
        ad.write(ad.read(src), tmp_path / "no-such-dir" / "out.vtp")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads and writes files whatever their mode")
def test_an_unreadable_file_is_permission_error(tmp_path):
    src = tmp_path / "s.vtp"
    shutil.copy(FIXTURES / "surface" / "surface.binary.zlib.h64.id64.vtp", src)
    src.chmod(0)
    with pytest.raises(PermissionError):
        ad.read(src)
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    src.chmod(0o600)
    with pytest.raises(PermissionError):
        ad.convert(src, locked / "out.hdf5")


def test_a_directory_is_an_os_error(tmp_path):
    with pytest.raises(OSError):
        ad.read(tmp_path)


POINTS = np.zeros((3, 3))


def test_invalid_tree_lists_every_problem_as_the_command_does(cli, tmp_path):
    tree = {
        "Points": POINTS,
        "PointData": {"Radius": np.zeros(2)},
        "CellData": {"CellPointIds": np.array([[0, 1, 7]], np.int32)},
    }
    with pytest.raises(ad.InvalidTreeError) as e:
        ad.validate(tree)
    problems = e.value.problems
    assert len(problems) == 2 and all(p.startswith("/") for p in problems), problems
    path = tmp_path / "bad.pickle"
    with open(path, "wb") as f:
        pickle.dump(tree, f, protocol=4)
    r = cli("validate", path)
    assert r.returncode == 1
    assert r.stdout.splitlines() == [f"{path}: {p}" for p in problems]
    for ext in ["vtp", "hdf5", "pickle"]:
        with pytest.raises(ad.InvalidTreeError) as w:
            ad.write(tree, tmp_path / f"out.{ext}")
        assert w.value.problems == problems
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.pickle"]


def test_a_tree_of_no_kind_needs_kind():
    with pytest.raises(ad.InvalidTreeError, match="cannot tell the kind"):
        ad.validate({"Foo": np.zeros(3)})
    assert ad.detect_kind({"Foo": np.zeros(3)}) is None
    with pytest.raises(ad.InvalidTreeError):
        ad.validate({"Foo": np.zeros(3)}, kind="surface")


@pytest.mark.parametrize(
    "value, words",
    [
        (np.zeros(3, bool), "dtype bool"),
        (np.zeros(3, np.complex128), "dtype complex128"),
        ("text", "dtype <U4"),
        ({1: np.zeros(3)}, "keys must be strings"),
        (object(), "dtype object"),
    ],
    ids=["bool", "complex", "str", "int-key", "object"],
)
def test_values_that_cannot_be_arrays_name_their_path(value, words):
    tree = {"Points": POINTS, "PointData": {"Bad": value},
            "CellData": {"CellPointIds": np.array([[0, 1, 2]], np.int32)}}
    with pytest.raises(ad.InvalidTreeError) as e:
        ad.validate(tree)
    assert e.value.problems[0].startswith("/PointData/Bad")
    assert words in str(e.value)


@pytest.mark.parametrize(
    "options",
    [{"kind": "blob"}, {"compression": "zip"}, {"level": 10}, {"pickle_protocol": 6},
     {"xml_compression": "bz2"}, {"format": "png"}, {"frame": "xyz"}, {"threads": 0}],
    ids=lambda o: next(iter(o)),
)
def test_bad_options_are_value_errors(options, tmp_path):
    tree = ad.read(FIXTURES / "surface" / "surface.binary.zlib.h64.id64.vtp")
    with pytest.raises(ValueError):
        ad.write(tree, tmp_path / "o.vtp", **options)
    assert not (tmp_path / "o.vtp").exists()


def test_an_unknown_extension_says_which_are_known(tmp_path):
    tree = ad.read(FIXTURES / "surface" / "surface.binary.zlib.h64.id64.vtp")
    with pytest.raises(ValueError, match=r"\.vtp.*\.hdf5"):
        ad.write(tree, tmp_path / "o.png")
    ad.write(tree, tmp_path / "o.png", format="vtp")
    assert ad.read(tmp_path / "o.png")["Points"].shape == tree["Points"].shape
