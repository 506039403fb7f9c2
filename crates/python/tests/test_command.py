"""The `arraydict` command that the wheel installs: the console script next to the venv's python,
and `python -m arraydict`. It is the Rust binary's command (the same code in the extension), so its
outputs, messages and exit codes are compared with the binary's (ARRAYDICT_CLI) byte for byte."""

import os
import pathlib
import pickle
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

import arraydict as ad
from conftest import FIXTURES

SURFACE = FIXTURES / "surface" / "surface.appended-raw.zlib.h64.id32.vtp"
SCRIPT = pathlib.Path(sys.executable).parent / "arraydict"


@pytest.fixture(params=["script", "module"])
def command(request):
    """The package's command: the installed console script, or `python -m arraydict`."""
    if request.param == "script":
        if not SCRIPT.exists():
            pytest.skip(f"no console script {SCRIPT} (the package is not installed from its wheel "
                        "into this interpreter's environment)")
        prefix = [str(SCRIPT)]
    else:
        prefix = [sys.executable, "-m", "arraydict"]

    def run(*args, **kwargs):
        return subprocess.run([*prefix, *map(str, args)], capture_output=True, **kwargs)

    run.prefix = prefix
    return run


@pytest.fixture(scope="module")
def binary():
    """The Rust binary, from ARRAYDICT_CLI (skips without it)."""
    path = os.environ.get("ARRAYDICT_CLI")
    if not path or not os.access(path, os.X_OK):
        pytest.skip("ARRAYDICT_CLI is not set to the built arraydict binary "
                    "(cargo build -p arraydict-cli; ARRAYDICT_CLI=target/debug/arraydict)")

    def run(*args, **kwargs):
        return subprocess.run([path, *map(str, args)], capture_output=True, **kwargs)

    return run


def test_version_and_help_name_the_command(command):
    r = command("--version")
    assert r.returncode == 0, r.stderr
    assert r.stdout.decode() == f"arraydict {ad.__version__}\n"
    r = command("--help")
    assert r.returncode == 0, r.stderr
    text = r.stdout.decode()
    assert "Usage: arraydict <COMMAND>" in text, text
    for sub in ("to-numpy", "from-numpy", "inspect", "validate", "batch"):
        assert sub in text
    r = command("to-numpy", "--help")
    assert r.returncode == 0 and "Usage: arraydict to-numpy" in r.stdout.decode(), r.stdout


def test_help_is_the_binarys(command, binary):
    for args in (["--help"], ["from-numpy", "--help"], ["--version"]):
        assert command(*args).stdout == binary(*args).stdout, args


def test_a_usage_error_exits_2_with_the_usage(command, binary):
    r = command("to-numpy", SURFACE)  # no -o
    assert r.returncode == 2
    assert b"Usage: arraydict to-numpy" in r.stderr, r.stderr
    assert r.stderr == binary("to-numpy", SURFACE).stderr


def test_an_error_exits_1_with_the_binarys_message(command, binary, tmp_path):
    missing = tmp_path / "missing.vtp"
    r = command("to-numpy", missing, "-o", tmp_path / "out.hdf5")
    assert r.returncode == 1
    assert r.stderr.decode().startswith(f"arraydict: error: {missing}: cannot read input: "), r.stderr
    b = binary("to-numpy", missing, "-o", tmp_path / "out.hdf5")
    assert (r.returncode, r.stdout, r.stderr) == (b.returncode, b.stdout, b.stderr)
    assert os.listdir(tmp_path) == []
    # An invalid tree: exit 1 from validate, its problems on standard output.
    bad = tmp_path / "bad.pickle"
    tree = {"Points": np.zeros((3, 3)), "PointData": {},
            "CellData": {"CellPointIds": np.array([[0, 1, 7]], np.int32)}}
    bad.write_bytes(pickle.dumps(tree, protocol=4))
    r, b = command("validate", bad), binary("validate", bad)
    assert r.returncode == 1 and r.stdout.startswith(str(bad).encode() + b": /CellData/"), r
    assert (r.returncode, r.stdout, r.stderr) == (b.returncode, b.stdout, b.stderr)


@pytest.mark.parametrize("fmt", ["hdf5", "pickle", "msgpack"])
def test_a_round_trip_is_byte_identical_to_the_binarys(command, binary, tmp_path, fmt):
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    ours.mkdir()
    theirs.mkdir()
    for run, out in ((command, ours), (binary, theirs)):
        r = run("to-numpy", SURFACE, "-o", out / f"s.{fmt}")
        assert r.returncode == 0 and r.stdout == b"" and r.stderr == b"", r
        for vtk in ("vtp", "vtk"):
            r = run("from-numpy", out / f"s.{fmt}", "-o", out / f"back.{vtk}")
            assert r.returncode == 0, r
    for name in (f"s.{fmt}", "back.vtp", "back.vtk"):
        assert (ours / name).read_bytes() == (theirs / name).read_bytes(), name
    assert sorted(os.listdir(ours)) == sorted(os.listdir(theirs))
    # What the package reads of the command's output is the package's own conversion.
    np.testing.assert_array_equal(ad.read(ours / f"s.{fmt}")["Points"], ad.read(SURFACE)["Points"])


def test_standard_input_and_output(command, binary):
    """`-` for both: the bytes written to a pipe are all there (Rust's buffer flushed before the
    interpreter exits) and are the binary's."""
    data = SURFACE.read_bytes()
    r = command("to-numpy", "-", "-o", "-", "--format", "pickle", input=data)
    b = binary("to-numpy", "-", "-o", "-", "--format", "pickle", input=data)
    assert r.returncode == 0, r.stderr
    assert len(r.stdout) > 1000 and r.stdout == b.stdout
    r = command("inspect", SURFACE)
    assert r.returncode == 0 and r.stdout == binary("inspect", SURFACE).stdout
    assert r.stdout.endswith(b"\n")


def test_the_program_name_is_the_commands_when_called_from_python(capfd):
    from arraydict.__main__ import main

    assert main(["--version"]) == 0
    assert capfd.readouterr().out == f"arraydict {ad.__version__}\n"


def temporaries(directory):
    return [n for n in os.listdir(directory) if n.startswith(".arraydict-")]


@pytest.mark.skipif(sys.platform != "linux", reason="signals to a child process: Linux only here")
def test_ctrl_c_mid_write_exits_130_and_leaves_nothing(command, tmp_path):
    rng = np.random.default_rng(3)
    n = 3_000_000
    src = tmp_path / "big.vtp"
    ad.write({"Points": rng.random((n, 3)), "PointData": {"Radius": rng.random(n)},
              "CellData": {"CellPointIds": np.array([[0, 1, 2]], np.int32)}}, src,
             xml_compression="none")
    out = tmp_path / "out"
    out.mkdir()
    child = subprocess.Popen(
        [*command.prefix, "to-numpy", str(src), "-o", str(out / "big.hdf5"), "--level", "9",
         "--threads", "1"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    start = time.monotonic()
    while not temporaries(out):
        assert child.poll() is None, child.communicate()
        assert time.monotonic() - start < 120, "no write started"
        time.sleep(0.001)
    child.send_signal(signal.SIGINT)
    stdout, stderr = child.communicate(timeout=60)
    assert child.returncode == 130, stderr
    assert stderr.decode() == (f"arraydict: interrupted (SIGINT): {out / 'big.hdf5'} was not "
                               "written (an existing file there is unchanged)\n"), stderr
    assert os.listdir(out) == []
