"""The package: its API, docstrings, version, stubs, and no import-time cost."""

import ast
import inspect
import pathlib
import subprocess
import sys

import pytest

import arraydict as ad

API = ["read", "write", "convert", "validate", "detect_kind"]
# The live VTK object functions (pure Python, arraydict/_vtk_objects.py).
VTK_API = ["from_vtk", "to_vtk", "from_pyvista", "to_pyvista"]


def test_the_api_and_the_version():
    assert set(ad.__all__) == set(API) | set(VTK_API) | {
        "ArrayDictError", "FormatError", "StoreError", "InvalidTreeError", "__version__"}
    parts = ad.__version__.split(".")
    assert len(parts) == 3 and all(p.isdigit() for p in parts)


def test_help_shows_signatures_and_examples():
    for name in API + VTK_API:
        f = getattr(ad, name)
        assert ">>> " in f.__doc__, name
        assert inspect.signature(f), name
    read = inspect.signature(ad.read)
    assert list(read.parameters) == ["path", "kind", "cell_to_point", "cells_as_list",
                                     "type_names", "frame", "copy", "allow_external_data_file",
                                     "threads"]
    assert read.parameters["kind"].kind is inspect.Parameter.KEYWORD_ONLY
    assert "cores" in ad.read.__doc__ and "RAYON_NUM_THREADS" in ad.read.__doc__


@pytest.mark.parametrize("stub, module, names", [
    # `main` is the console command's entry (arraydict/__main__.py), not in the package's API;
    # the _*_parts are from_vtk's and to_vtk's compiled halves; batch_plan is arraydict.dask's
    # naming (the command's batch rule).
    ("_native.pyi", "_native", set(API) | {"main", "_from_vtk_parts", "_to_vtk_parts",
                                           "batch_plan", "remove_stale_temporaries"}),
    ("_vtk_objects.pyi", "_vtk_objects", set(VTK_API)),
])
def test_the_stubs_match_the_real_signatures(stub, module, names):
    """Names, kinds (positional or keyword-only) and defaults of the stubs' functions."""
    stubs = ast.parse((pathlib.Path(ad.__file__).parent / stub).read_text())
    functions = {f.name: f for f in stubs.body if isinstance(f, ast.FunctionDef)}
    assert set(functions) == names
    for name, f in functions.items():
        a = f.args
        positional = [(x.arg, inspect.Parameter.POSITIONAL_OR_KEYWORD) for x in a.args]
        keyword = [(x.arg, inspect.Parameter.KEYWORD_ONLY) for x in a.kwonlyargs]
        defaults = [ast.literal_eval(d) for d in a.defaults]
        stub_defaults = dict(zip([x.arg for x in a.args][-len(defaults):] if defaults else [], defaults))
        stub_defaults.update({x.arg: ast.literal_eval(d) for x, d in zip(a.kwonlyargs, a.kw_defaults) if d})
        real = inspect.signature(getattr(getattr(ad, module), name)).parameters
        assert positional + keyword == [(p.name, p.kind) for p in real.values()], name
        assert stub_defaults == {p.name: p.default for p in real.values() if p.default is not p.empty}, name
    assert (pathlib.Path(ad.__file__).parent / "py.typed").exists()


def test_import_loads_only_the_extension():
    code = ("import sys, arraydict; "
            "print([m for m in ('numpy', 'vtk', 'vtkmodules', 'pyvista') if m in sys.modules])")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    # numpy is imported by the first call that needs it, vtk and pyvista by from_vtk & co.
    assert r.stdout.strip() == "[]"
