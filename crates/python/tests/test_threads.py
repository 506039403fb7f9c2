"""Calls release the GIL: Python threads convert files in parallel; Ctrl-C interrupts a call and
leaves no output."""

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

import numpy as np

import arraydict as ad


def big_surface(n_points, seed):
    rng = np.random.default_rng(seed)
    return {
        "Points": rng.random((n_points, 3)),
        "PointData": {"Radius": rng.random(n_points)},
        "CellData": {"CellPointIds": np.array([[0, 1, 2]], np.int32)},
    }


def test_four_threads_converting_four_files_overlap_in_time(tmp_path):
    sources = []
    for i in range(4):
        src = tmp_path / f"s{i}.vtp"
        ad.write(big_surface(300_000, i), src)
        sources.append(src)
    intervals = [None] * 4

    def work(i):
        start = time.perf_counter()
        ad.convert(sources[i], tmp_path / f"o{i}.hdf5", level=6, threads=1)
        intervals[i] = (start, time.perf_counter())

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(intervals), intervals
    # Every call started before any call ended: all four ran at once. A call holding the GIL
    # would keep the other threads from even starting theirs.
    latest_start = max(s for s, _ in intervals)
    earliest_end = min(e for _, e in intervals)
    assert latest_start < earliest_end, intervals
    for i in range(4):
        assert np.array_equal(ad.read(tmp_path / f"o{i}.hdf5")["Points"], ad.read(sources[i])["Points"])


INTERRUPTED = textwrap.dedent(
    """
    import os, sys, time
    import numpy as np
    import arraydict as ad

    src, dst = sys.argv[1], sys.argv[2]
    print("ready", flush=True)
    start = time.perf_counter()
    try:
        ad.convert(src, dst, level=9, threads=1)
        print("finished", flush=True)
    except KeyboardInterrupt:
        print("interrupted", time.perf_counter() - start, flush=True)
    print("listing", sorted(os.listdir(os.path.dirname(dst))), flush=True)
    # The interpreter lives on (as a Jupyter kernel does): the abandoned conversion finishes in the
    # background and must still not put its output in place.
    time.sleep(float(sys.argv[3]))
    print("later", sorted(os.listdir(os.path.dirname(dst))), flush=True)
    """
)


def test_ctrl_c_interrupts_a_conversion_and_leaves_no_output(tmp_path):
    src = tmp_path / "in.pickle"
    ad.write(big_surface(3_000_000, 7), src)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    dst = out_dir / "out.hdf5"  # gzip level 9 on one thread: seconds of work
    # How long the conversion takes uninterrupted: the child waits that long after the interrupt.
    started = time.perf_counter()
    ad.convert(src, out_dir / "timing.hdf5", level=9, threads=1)
    duration = time.perf_counter() - started
    (out_dir / "timing.hdf5").unlink()
    child = subprocess.Popen([sys.executable, "-c", INTERRUPTED, str(src), str(dst), str(duration)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "ready"
    time.sleep(duration / 3)
    sent = time.perf_counter()
    child.send_signal(signal.SIGINT)
    line = child.stdout.readline().split()
    answered = time.perf_counter() - sent
    listing = child.stdout.readline()
    rest, err = child.communicate(timeout=120)
    assert line and line[0] == "interrupted", (line, rest, err)
    assert answered < 1.0, answered  # polled every 50 ms, not after the conversion
    assert listing.strip() == "listing []", (listing, rest, err)  # no output, no temporary
    assert rest.strip() == "later []", (rest, err)
    assert child.returncode == 0, err
    assert os.listdir(out_dir) == []
