"""arraydict.dask.convert_many on a LocalCluster (2 worker processes, 1 thread each).

Skips, saying so, where `distributed` is not installed (the numpy-1.26 venv).
"""

import os
import shutil
import signal
import threading
import time

import pytest

from conftest import FIXTURES

distributed = pytest.importorskip("distributed", reason="distributed is not installed in this venv")

import arraydict as ad  # noqa: E402
from arraydict.dask import ConversionResult, convert_many, plan  # noqa: E402

CORRUPT = {
    "bad/truncated.vtp": b'<?xml version="1.0"?>\n<VTKFile type="PolyData" version="1.0">\n<PolyData><Piece Numbe',
    "bad/not-xml.vtu": b"\x00\x01\x02 this is not a VTK file",
    "bad/empty.vti": b"",
}


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    )
    c = distributed.Client(cluster)
    yield c
    c.close()
    cluster.close()


@pytest.fixture(scope="module")
def cohort(tmp_path_factory):
    """A copy of every VTK fixture (their folders) plus the three corrupt files."""
    root = tmp_path_factory.mktemp("cohort")
    for sub in sorted(p for p in FIXTURES.iterdir() if p.is_dir()):
        shutil.copytree(sub, root / sub.name)
    for rel, data in CORRUPT.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
    return root


def files_under(root):
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def test_cohort_converts_every_good_file_and_reports_exactly_the_bad_ones(client, cohort, tmp_path, cli):
    out = tmp_path / "out"
    results = convert_many([cohort], out, client=client, progress=False)
    assert all(isinstance(r, ConversionResult) for r in results)
    assert [r.input for r in results] == [src for src, _ in plan([cohort], out)]
    bad = sorted(os.path.relpath(r.input, cohort) for r in results if not r.ok)
    assert bad == sorted(CORRUPT), bad
    for r in results:
        if not r.ok:
            assert os.path.basename(r.input) in r.error, r.error
            assert not os.path.exists(r.output)
    good = [r for r in results if r.ok]
    assert len(good) > 100
    # Each output equals the command's: `arraydict batch` of the same folder names them alike and
    # writes the same bytes (the store writes deterministically).
    ref = tmp_path / "ref"
    done = cli("batch", cohort, "-o", ref, "--quiet")
    assert done.returncode == 1, done.stderr  # the three corrupt files
    for r in good:
        twin = ref / os.path.relpath(r.output, out)
        assert open(r.output, "rb").read() == twin.read_bytes(), r.input
    assert files_under(ref) == files_under(out)
    # Nothing else in the output folder: no temporary files.
    assert files_under(out) == sorted(os.path.relpath(r.output, out) for r in good)


def test_rerun_with_skip_existing_converts_nothing(client, cohort, tmp_path):
    out = tmp_path / "out"
    first = convert_many([cohort / "surface"], out, client=client, progress=False)
    stamps = {r.output: os.stat(r.output).st_mtime_ns for r in first if r.ok}
    again = convert_many([cohort / "surface"], out, client=client, progress=False, skip_existing=True)
    assert [r.seconds for r in again if r.ok] == [0.0] * len(stamps)
    assert {r.output: os.stat(r.output).st_mtime_ns for r in again if r.ok} == stamps


def test_a_killed_worker_is_retried_and_the_cohort_completes(client, cohort, tmp_path):
    out = tmp_path / "out"
    pids = list(client.run(os.getpid).values())
    assert len(pids) == 2

    def kill_one_worker_once_work_started():
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not (out.exists() and any(out.rglob("*.hdf5"))):
            time.sleep(0.01)
        os.kill(pids[0], signal.SIGKILL)

    killer = threading.Thread(target=kill_one_worker_once_work_started)
    killer.start()
    results = convert_many([cohort / "mesh", cohort / "image"], out, client=client, retries=2, progress=False)
    killer.join()
    assert pids[0] not in client.run(os.getpid).values(), "the worker was not killed"
    assert all(r.ok for r in results), [r.error for r in results if not r.ok]
    assert files_under(out) == sorted(os.path.relpath(r.output, out) for r in results)
    client.wait_for_workers(2, timeout=60)


def test_clashing_outputs_are_refused_before_anything_runs(client, cohort, tmp_path):
    # The same file name in two folders given explicitly: both would write out/<name>.hdf5.
    a = tmp_path / "a" / "x.vtp"
    b = tmp_path / "b" / "x.vtp"
    for p in (a, b):
        p.parent.mkdir()
        shutil.copy(next((cohort / "surface").glob("*.vtp")), p)
    with pytest.raises(ad.ArrayDictError) as e:
        convert_many([a, b], tmp_path / "out", client=client, progress=False)
    assert str(a) in str(e.value) and str(b) in str(e.value), str(e.value)
    assert not (tmp_path / "out").exists()


def test_missing_distributed_names_the_extra(monkeypatch):
    import sys

    import arraydict.dask as dask_module

    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(ImportError, match=r"arraydict\[dask\]"):
        dask_module.convert_many([], "out")


def test_temporaries_of_dead_writers_are_removed_at_the_end(client, cohort, tmp_path):
    # What a worker killed mid-write leaves: a temporary named for its (gone) process. The rerun
    # writes nothing (every output exists), so only convert_many's own sweep can remove it.
    out = tmp_path / "out"
    convert_many([cohort / "surface"], out, client=client, progress=False)
    stale = out / ".arraydict-4294967295-abc.tmp"
    stale.write_bytes(b"partial")
    again = convert_many([cohort / "surface"], out, client=client, progress=False, skip_existing=True)
    assert all(r.seconds == 0.0 for r in again)
    assert not stale.exists()
