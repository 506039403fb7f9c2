"""Shared helpers of the arraydict package's tests.

The tests that compare with the `arraydict` command find it through ARRAYDICT_CLI (the path of a
built `arraydict` binary: `cargo build -p arraydict-cli` makes target/debug/arraydict) and skip,
saying so, without it.
"""

import os
import pathlib
import subprocess

import numpy as np
import pytest

REPO = pathlib.Path(__file__).resolve().parents[3]
FIXTURES = REPO / "fixtures"
HOSTILE = REPO / "tests" / "hostile"
VTK_INPUTS = (".vtp", ".vtu", ".vti", ".vtk", ".mha", ".mhd", ".stl")


def fixture_files():
    """Every VTK input of fixtures/ (the .raw/.zraw data files of .mhd headers are not inputs)."""
    return sorted(
        p for p in FIXTURES.rglob("*") if p.is_file() and p.suffix.lower() in VTK_INPUTS
    )


def fixture_id(path):
    return str(path.relative_to(FIXTURES))


@pytest.fixture(scope="session")
def cli():
    """The `arraydict` command, from ARRAYDICT_CLI."""
    path = os.environ.get("ARRAYDICT_CLI")
    if not path:
        pytest.skip("ARRAYDICT_CLI is not set (build it: cargo build -p arraydict-cli, then "
                    "ARRAYDICT_CLI=target/debug/arraydict)")
    if not os.access(path, os.X_OK):
        pytest.skip(f"ARRAYDICT_CLI={path} is not an executable file")

    def run(*args):
        return subprocess.run([path, *map(str, args)], capture_output=True, text=True)

    return run


def cli_message(stderr):
    """The message of the command's error (after its `arraydict: error: ` prefix; an invalid
    tree's message goes on with one line per problem)."""
    prefix = "arraydict: error: "
    assert stderr.count(prefix) == 1, stderr
    return stderr.split(prefix, 1)[1].rstrip("\n")


def assert_same_tree(got, expected, path=""):
    """The same tree: exact types (dict, list, ndarray: no subclasses), key order, dtypes, shapes,
    memory orders and values (NaN equal to NaN)."""
    assert type(got) is type(expected), f"{path or '/'}: {type(got)} != {type(expected)}"
    if isinstance(expected, dict):
        assert list(got) == list(expected), f"{path or '/'}: keys {list(got)} != {list(expected)}"
        for key in expected:
            assert_same_tree(got[key], expected[key], f"{path}/{key}")
    elif isinstance(expected, list):
        assert len(got) == len(expected), f"{path}: {len(got)} items != {len(expected)}"
        for i, (g, e) in enumerate(zip(got, expected)):
            assert_same_tree(g, e, f"{path}/{i}")
    else:
        assert isinstance(expected, np.ndarray)
        assert got.dtype == expected.dtype, f"{path}: dtype {got.dtype} != {expected.dtype}"
        assert got.dtype.byteorder == expected.dtype.byteorder, path
        assert got.shape == expected.shape, f"{path}: shape {got.shape} != {expected.shape}"
        assert got.flags.c_contiguous == expected.flags.c_contiguous, f"{path}: C order differs"
        assert got.flags.f_contiguous == expected.flags.f_contiguous, f"{path}: F order differs"
        assert np.array_equal(got, expected, equal_nan=got.dtype.kind == "f"), f"{path}: values"


def same_values(got, expected, path=""):
    """Like assert_same_tree, without the memory orders (a format that stores C order only)."""
    assert type(got) is type(expected), f"{path or '/'}: {type(got)} != {type(expected)}"
    if isinstance(expected, dict):
        assert list(got) == list(expected), f"{path or '/'}: keys {list(got)} != {list(expected)}"
        for key in expected:
            same_values(got[key], expected[key], f"{path}/{key}")
    elif isinstance(expected, list):
        assert len(got) == len(expected), path
        for i, (g, e) in enumerate(zip(got, expected)):
            same_values(g, e, f"{path}/{i}")
    else:
        assert got.dtype == expected.dtype, f"{path}: dtype {got.dtype} != {expected.dtype}"
        assert got.shape == expected.shape, f"{path}: shape {got.shape} != {expected.shape}"
        assert np.array_equal(got, expected, equal_nan=got.dtype.kind == "f"), f"{path}: values"
