"""`cargo xtask bench-compare --python`: the `arraydict` Python package against VMTK's numpy adaptors
and against the expert Python pipeline of bench_reference.py, in one interpreter, alternating.

usage: bench_python.py --inputs DIR --work DIR --vmtk-wheel WHEEL --sizes TRIANGLES,SIDE,HEXAHEDRA
                       [--rounds N] [--json OUT] [--markdown OUT]

VMTK 1.5.2 is on PyPI only as a cp312 wheel, but its adaptor scripts are pure Python over `vtk` and
numpy. This script takes those modules out of the wheel into WORK/vmtk-src (the wheel is downloaded
by the caller; VMTK's code is never committed) and runs them with stub `vtkvmtk` and
`vmtkrenderer` modules, which the readers, writers and adaptors for .vtp/.vti/.vtu never call.

Every case times each side `--rounds` times in one process, alternating which side goes first,
and reports medians. Outputs are deleted and `os.sync()` is called before each timed write,
outside the timing (replacing a file and the kernel's write-back of the previous output would
otherwise be charged to whichever side runs next). Peak RSS of `ad.read` runs in a fresh
interpreter per file: the peak RSS (VmHWM) after `ad.read` and touching every array, minus the
peak after the imports and a first read of a three-point file of the same format (the library's
start-up), against the bytes of the arrays read.
"""
import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import time
import zipfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

STUB_VTKVMTK = '''"""Stub of VMTK's compiled vtkvmtk: the .vtp/.vti/.vtu paths benchmarked never use it."""


def __getattr__(name):
    raise AttributeError(f"vtkvmtk stub (benchmark): {name} is not available")
'''

STUB_RENDERER = '''"""Stub of vmtkrenderer: the adaptors import it but render nothing when run as a library."""


class vmtkRenderer:
    pass
'''


def extract_vmtk(wheel, work):
    """VMTK's adaptor modules out of the wheel into WORK/vmtk-src/vmtk, with the stubs."""
    root = os.path.join(work, "vmtk-src")
    pkg = os.path.join(root, "vmtk")
    os.makedirs(pkg, exist_ok=True)
    with zipfile.ZipFile(wheel) as z:
        # Every pure-Python module of the package (pypes imports the pype* modules by name); the
        # compiled vtkvmtk and the renderer are replaced by the stubs.
        for name in z.namelist():
            if name.startswith("vmtk/") and name.endswith(".py") and name.count("/") == 1:
                with z.open(name) as src, open(os.path.join(root, name), "wb") as dst:
                    dst.write(src.read())
    stubs = [("vtkvmtk.py", STUB_VTKVMTK), ("vmtkrenderer.py", STUB_RENDERER)]
    if not os.path.exists(os.path.join(pkg, "__init__.py")):
        stubs.append(("__init__.py", ""))
    for name, text in stubs:
        with open(os.path.join(pkg, name), "w") as f:
            f.write(text)
    sys.path.insert(0, root)


def fresh(path):
    """Deletes PATH and writes back everything dirty, outside the timing."""
    if os.path.exists(path):
        os.remove(path)
    os.sync()


def time_once(fn):
    gc.collect()
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def alternate(sides, rounds, before=None):
    """Median seconds per side; the order of the sides rotates every round."""
    times = {name: [] for name, _ in sides}
    for r in range(rounds):
        k = r % len(sides)
        for name, fn in sides[k:] + sides[:k]:
            if before:
                before(name)
            times[name].append(time_once(fn))
            print(f"  {name}: {times[name][-1]:.3f} s", file=sys.stderr, flush=True)
    return {name: statistics.median(v) for name, v in times.items()}


class Vmtk:
    """VMTK 1.5.2's scripts, called as a VMTK user's Python does (the seed tutorial's code)."""

    def __init__(self):
        from vmtk import (
            vmtkimagereader,
            vmtkimagetonumpy,
            vmtkimagewriter,
            vmtkmeshreader,
            vmtkmeshtonumpy,
            vmtkmeshwriter,
            vmtknumpytoimage,
            vmtknumpytomesh,
            vmtknumpytosurface,
            vmtksurfacereader,
            vmtksurfacetonumpy,
            vmtksurfacewriter,
        )

        self.m = locals()

    def _run(self, module, cls, **members):
        script = getattr(self.m[module], cls)()
        for k, v in members.items():
            setattr(script, k, v)
        script.Execute()
        return script

    def read(self, kind, path):
        if kind == "surface":
            s = self._run("vmtksurfacereader", "vmtkSurfaceReader", InputFileName=path).Surface
            return self._run("vmtksurfacetonumpy", "vmtkSurfaceToNumpy", Surface=s).ArrayDict
        if kind == "image":
            im = self._run("vmtkimagereader", "vmtkImageReader", InputFileName=path).Image
            return self._run("vmtkimagetonumpy", "vmtkImageToNumpy", Image=im).ArrayDict
        mesh = self._run("vmtkmeshreader", "vmtkMeshReader", InputFileName=path).Mesh
        return self._run("vmtkmeshtonumpy", "vmtkMeshToNumpy", Mesh=mesh).ArrayDict

    def write(self, kind, tree, path):
        if kind == "surface":
            s = self._run("vmtknumpytosurface", "vmtkNumpyToSurface", ArrayDict=tree).Surface
            self._run("vmtksurfacewriter", "vmtkSurfaceWriter", Surface=s, OutputFileName=path)
        elif kind == "image":
            im = self._run("vmtknumpytoimage", "vmtkNumpyToImage", ArrayDict=tree).Image
            self._run("vmtkimagewriter", "vmtkImageWriter", Image=im, OutputFileName=path)
        else:
            mesh = self._run("vmtknumpytomesh", "vmtkNumpyToMesh", ArrayDict=tree).Mesh
            self._run("vmtkmeshwriter", "vmtkMeshWriter", Mesh=mesh, OutputFileName=path)


def expert_write(tree, kind, path):
    import bench_reference as ref

    data, writer = ref.from_tree(tree, kind)
    writer.SetInputData(data)
    writer.SetFileName(path)
    if writer.Write() != 1:
        raise SystemExit(f"bench_python: VTK could not write {path}")


def read_cases(ad, vmtk, inputs, rounds):
    import bench_reference as ref

    rows = []
    for kind, path in inputs:
        print(f"read {kind} {os.path.basename(path)}", file=sys.stderr, flush=True)
        sides = [
            ("ours", lambda: ad.read(path)),
            ("expert", lambda: ref.to_tree(path)),
            ("vmtk", lambda: vmtk.read(kind, path)),
        ]
        rows.append({"case": f"read {os.path.basename(path)}", "kind": kind, **alternate(sides, rounds)})
    return rows


def write_cases(ad, vmtk, inputs, work, rounds):
    import bench_reference as ref

    rows = []
    for kind, path, ext in inputs:
        tree = ad.read(path)
        vtk_out = {side: os.path.join(work, f"{kind}.{side}{ext}") for side in ("ours", "expert", "vmtk")}
        print(f"write {kind} {ext}", file=sys.stderr, flush=True)
        sides = [
            ("ours", lambda: ad.write(tree, vtk_out["ours"])),
            ("expert", lambda: expert_write(tree, kind, vtk_out["expert"])),
            ("vmtk", lambda: vmtk.write(kind, tree, vtk_out["vmtk"])),
        ]
        med = alternate(sides, rounds, before=lambda side: fresh(vtk_out[side]))
        rows.append({"case": f"write {kind} {ext}", "kind": kind, **med})
        h5 = {side: os.path.join(work, f"{kind}.{side}.hdf5") for side in ("ours", "h5py")}
        print(f"write {kind} .hdf5 gzip 4", file=sys.stderr, flush=True)
        sides = [
            ("ours", lambda: ad.write(tree, h5["ours"], compression="gzip", level=4)),
            ("h5py", lambda: ref.store(tree, h5["h5py"], "hdf5-gzip")),
        ]
        med = alternate(sides, rounds, before=lambda side: fresh(h5[side]))
        rows.append({"case": f"write {kind} .hdf5 gzip 4", "kind": kind, **med})
    return rows


# VmHWM, not ru_maxrss: Linux carries a parent's ru_maxrss into a forked and exec'd child, so a
# child of this (large) process would report the parent's peak.
def vtk_object_cases(ad, vmtk, surface, rounds):
    """Live VTK objects (issue 15): ad.from_vtk against vmtkSurfaceToNumpy on the same
    vtkPolyData, ad.to_vtk against vmtkNumpyToSurface on the same tree."""
    polydata = vmtk._run("vmtksurfacereader", "vmtkSurfaceReader", InputFileName=surface).Surface
    tree = ad.read(surface)

    def vmtk_from():
        vmtk._run("vmtksurfacetonumpy", "vmtkSurfaceToNumpy", Surface=polydata)

    def vmtk_to():
        vmtk._run("vmtknumpytosurface", "vmtkNumpyToSurface", ArrayDict=tree)

    rows = []
    print("from_vtk surface", file=sys.stderr, flush=True)
    med = alternate([("ours", lambda: ad.from_vtk(polydata)), ("vmtk", vmtk_from)], rounds)
    rows.append({"case": "from_vtk surface (vtkPolyData in memory)", "kind": "surface", **med})
    print("to_vtk surface", file=sys.stderr, flush=True)
    med = alternate([("ours", lambda: ad.to_vtk(tree)), ("vmtk", vmtk_to)], rounds)
    rows.append({"case": "to_vtk surface (vtkPolyData in memory)", "kind": "surface", **med})
    return rows


def cohort_case(work, rounds):
    """The LocalCluster cohort of the tests (every fixture) through arraydict.dask.convert_many on
    2 single-threaded worker processes, against `arraydict batch` (python -m arraydict) on the
    same files; the cluster's start-up is timed apart."""
    import shutil

    import distributed

    from arraydict.dask import convert_many

    fixtures = os.path.join(HERE, "..", "..", "fixtures")
    t0 = time.perf_counter()
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    client = distributed.Client(cluster)
    startup = time.perf_counter() - t0
    outs = {side: os.path.join(work, f"cohort-{side}") for side in ("batch", "ours")}

    def clear(side):
        shutil.rmtree(outs[side], ignore_errors=True)
        os.sync()

    def batch():
        cmd = [sys.executable, "-m", "arraydict", "batch", fixtures, "-o", outs["batch"], "--quiet"]
        subprocess.run(cmd, check=True, capture_output=True)

    def dask():
        results = convert_many([fixtures], outs["ours"], client=client, progress=False)
        assert all(r.ok for r in results), [r.error for r in results if not r.ok]

    try:
        med = alternate([("ours", dask), ("batch", batch)], rounds, before=clear)
    finally:
        client.close()
        cluster.close()
    files = sum(len(f) for _, _, f in os.walk(outs["ours"]))
    return {"files": files, "dask_s": med["ours"], "batch_s": med["batch"], "cluster_startup_s": startup}


RSS_PROBE = r"""
import json, sys
import numpy as np
import arraydict as ad
def hwm_kib():
    with open("/proc/self/status") as f:
        return next(int(l.split()[1]) for l in f if l.startswith("VmHWM:"))
# The baseline is the interpreter with the package imported and its machinery started (the HDF5
# library, the thread pools): a first read of a three-point file of the same format.
ad.read(sys.argv[2])
base = hwm_kib()
tree = ad.read(sys.argv[1])
total = 0
def walk(node):
    global total
    items = node.values() if isinstance(node, dict) else node
    for v in items:
        if isinstance(v, np.ndarray):
            total += v.nbytes
            v.view(np.uint8).sum()   # touch every page, as a user's code would
        elif isinstance(v, (dict, list)):
            walk(v)
walk(tree)
peak = hwm_kib()
print(json.dumps({"base_kib": base, "peak_kib": peak, "array_bytes": total}))
"""


def tiny_like(path, work):
    """A three-point surface in PATH's format: what the probe reads before its baseline."""
    import arraydict as ad

    ext = os.path.splitext(path)[1]
    tiny = os.path.join(work, "tiny" + ext)
    if not os.path.exists(tiny):
        tree = {
            "Points": np.eye(3, dtype=np.float32),
            "PointData": {},
            "CellData": {"CellPointIds": np.array([[0, 1, 2]], dtype=np.int32)},
        }
        ad.write(tree, tiny)
    return tiny


def rss_cases(files, work):
    rows = []
    for path in files:
        probe = [sys.executable, "-c", RSS_PROBE, path, tiny_like(path, work)]
        out = subprocess.run(probe, check=True, capture_output=True, text=True)
        r = json.loads(out.stdout)
        growth = (r["peak_kib"] - r["base_kib"]) * 1024
        rows.append(
            {
                "file": os.path.basename(path),
                "array_mib": r["array_bytes"] / 2**20,
                "growth_mib": growth / 2**20,
                "ratio": growth / r["array_bytes"],
            }
        )
        print(f"rss {rows[-1]}", file=sys.stderr, flush=True)
    return rows


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--inputs", required=True)
    p.add_argument("--work", required=True)
    p.add_argument("--vmtk-wheel", required=True)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--sizes", required=True, help="surface triangles, image side, mesh hexahedra")
    p.add_argument("--json")
    p.add_argument("--markdown")
    p.add_argument("--cases", default="read,write,vtk,rss,cohort", help="some of read,write,vtk,rss,cohort")
    a = p.parse_args()
    os.makedirs(a.work, exist_ok=True)
    extract_vmtk(a.vmtk_wheel, a.work)
    import arraydict as ad

    vmtk = Vmtk()
    s, i, m = (int(v) for v in a.sizes.split(","))
    inp = lambda n: os.path.join(a.inputs, n)  # noqa: E731
    surface, surface_raw = inp(f"surface_{s}_zlib.vtp"), inp(f"surface_{s}_raw.vtp")
    image, mesh = inp(f"image_{i}.vti"), inp(f"mesh_{m}.vtu")
    reads = [("surface", surface), ("surface", surface_raw), ("image", image), ("mesh", mesh)]
    writes = [("surface", surface, ".vtp"), ("image", image, ".vti"), ("mesh", mesh, ".vtu")]
    cases = a.cases.split(",")
    report = {"versions": versions(ad), "rounds": a.rounds, "read": [], "write": [], "vtk": [], "rss": []}
    if "read" in cases:
        report["read"] = read_cases(ad, vmtk, reads, a.rounds)
    if "write" in cases:
        report["write"] = write_cases(ad, vmtk, writes, a.work, a.rounds)
    if "vtk" in cases:
        report["vtk"] = vtk_object_cases(ad, vmtk, surface, a.rounds)
    if "cohort" in cases:
        report["cohort"] = cohort_case(a.work, a.rounds)
    if "rss" in cases:
        uncompressed = []
        for kind, path in [("surface", surface), ("image", image), ("mesh", mesh)]:
            out = os.path.join(a.work, f"{kind}.none.hdf5")
            ad.write(ad.read(path), out, compression="none")
            uncompressed.append(out)
        pickled = os.path.join(a.work, "surface.pickle")
        ad.write(ad.read(surface), pickled)
        report["rss"] = rss_cases([surface_raw, pickled] + uncompressed, a.work)
    if a.json:
        with open(a.json, "w") as f:
            json.dump(report, f, indent=1)
    text, ok = markdown(report)
    if a.markdown:
        with open(a.markdown, "w") as f:
            f.write(text)
    print(text)
    sys.exit(0 if ok else 1)


# Issue 14's targets: (table, case prefix, reference side, least speed-up).
TARGETS = [
    ("read", "read surface_", "vmtk", 50.0),
    ("read", "read surface_", "expert", 1.5),
    ("write", "write surface .vtp", "vmtk", 20.0),
    ("write", "write surface .hdf5", "h5py", 2.0),
    ("vtk", "from_vtk surface", "vmtk", 30.0),
    ("vtk", "to_vtk surface", "vmtk", 20.0),
]
RSS_LIMIT = 1.2


def markdown(report):
    lines = [f"versions: {report['versions']}", f"rounds: {report['rounds']} (medians, in process)", ""]
    lines += ["| case | ours s | expert s | vmtk s | h5py s | vs expert | vs vmtk | vs h5py |", "|---" * 8 + "|"]
    for row in report["read"] + report["write"] + report["vtk"]:
        cell = lambda side: f"{row[side]:.3f}" if side in row else ""  # noqa: E731
        ratio = lambda side: f"{row[side] / row['ours']:.1f}x" if side in row else ""  # noqa: E731
        lines.append(
            f"| {row['case']} | {cell('ours')} | {cell('expert')} | {cell('vmtk')} | {cell('h5py')} "
            f"| {ratio('expert')} | {ratio('vmtk')} | {ratio('h5py')} |"
        )
    lines += ["", "| peak RSS of ad.read (fresh interpreter) | arrays MiB | growth MiB | ratio |", "|---|---|---|---|"]
    for r in report["rss"]:
        lines.append(f"| {r['file']} | {r['array_mib']:.1f} | {r['growth_mib']:.1f} | {r['ratio']:.2f} |")
    lines.append("")
    ok = True
    for table, prefix, side, least in TARGETS:
        rows = [r for r in report[table] if r["case"].startswith(prefix)]
        if not rows:
            lines.append(f"- {prefix.strip()}* vs {side} >= {least}x: not measured")
            continue
        worst = min(r[side] / r["ours"] for r in rows)
        holds = worst >= least
        ok &= holds
        lines.append(f"- {prefix.strip()}* vs {side} >= {least}x: {'holds' if holds else 'FAILS'} (lowest {worst:.1f}x)")
    if "cohort" in report:
        c = report["cohort"]
        lines.append(
            f"- cohort of {c['files']} fixture files: convert_many on a 2-worker LocalCluster "
            f"{c['dask_s']:.2f} s ({c['files'] / c['dask_s']:.0f} files/s; cluster start-up "
            f"{c['cluster_startup_s']:.2f} s apart), arraydict batch {c['batch_s']:.2f} s "
            f"({c['files'] / c['batch_s']:.0f} files/s)"
        )
    if not report["rss"]:
        return "\n".join(lines) + "\n", ok
    worst_rss = max(r["ratio"] for r in report["rss"])
    ok &= worst_rss <= RSS_LIMIT
    lines.append(
        f"- peak RSS growth of read <= {RSS_LIMIT} x array bytes: "
        f"{'holds' if worst_rss <= RSS_LIMIT else 'FAILS'} (highest {worst_rss:.2f})"
    )
    return "\n".join(lines) + "\n", ok


def versions(ad):
    import h5py
    import vtk

    return {
        "python": sys.version.split()[0],
        "numpy": np.__version__,
        "h5py": h5py.__version__,
        "vtk": vtk.vtkVersion.GetVTKVersion(),
        "arraydict": ad.__version__,
        "vmtk": "1.5.2 (adaptor scripts from the PyPI wheel)",
    }


if __name__ == "__main__":
    main()
