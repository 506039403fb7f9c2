"""h5py / msgpack-numpy reference timings for the store_hdf5 bench: the same trees (256^3 i16
Fortran-ordered image, 1M-triangle surface) written and read the way VMTK does
(create_dataset(..., compression='gzip', compression_opts=4) or uncompressed), reporting MB/s of
logical array bytes. Usage: bench_h5py.py [OUTDIR] [REPEATS]"""
import os, sys, tempfile, time
import h5py, msgpack, msgpack_numpy
import numpy as np

def image_tree(n=256):
    rng = np.random.default_rng(1)
    x, y, z = np.meshgrid(np.arange(n) - 128, np.arange(n) - 128, np.arange(n) - 128, indexing="ij")
    body = np.where(x * x + y * y < 90 * 90, 40, -1000)
    vessel = np.where((x - 20) ** 2 + y * y < 100, 300, 0)
    img = (body + vessel + rng.integers(-8, 8, size=x.shape) + z // 16).astype("i2")
    return {"Origin": np.zeros(3), "Dimensions": np.array([n] * 3, "i8"), "Spacing": np.full(3, 0.5),
            "PointData": {"ImageScalars": np.asfortranarray(img)}}

def surface_tree(cells=1_000_000):
    side = int(np.sqrt(cells / 2)) + 1
    u, v = np.meshgrid(np.arange(side) / side, np.arange(side) / side)
    pts = np.stack([u * 100, v * 100, np.sin(u * 20) * np.cos(v * 15) * 5], -1).reshape(-1, 3).astype("f4")
    nrm = np.stack([0.1 * u, 0.1 * v, np.full_like(u, 0.99)], -1).reshape(-1, 3).astype("f4")
    p = (np.arange(side - 1)[None, :] + side * np.arange(side - 1)[:, None]).ravel()
    tris = np.concatenate([np.stack([p, p + 1, p + side], 1), np.stack([p + 1, p + side + 1, p + side], 1)], 1).reshape(-1, 3)[:cells]
    return {"CellData": {"CellPointIds": tris.astype("i4")}, "Points": pts, "PointData": {"Normals": nrm}}

def nbytes(t):
    return sum(nbytes(v) if isinstance(v, dict) else v.nbytes for v in t.values())

def h5_write(path, t, comp):
    def rec(g, d):
        for k, v in d.items():
            if isinstance(v, dict):
                rec(g.create_group(k), v)
            elif comp:
                g.create_dataset(k, data=v, compression="gzip", compression_opts=4)
            else:
                g.create_dataset(k, data=v)
    with h5py.File(path, "w") as f:
        rec(f, t)

def h5_read(path):
    def rec(g):
        return {k: rec(v) if isinstance(v, h5py.Group) else v[()] for k, v in g.items()}
    with h5py.File(path, "r") as f:
        return rec(f)

def mp_write(path, t):
    with open(path, "wb") as f:
        f.write(msgpack.packb(t, default=msgpack_numpy.encode))

def mp_read(path):
    with open(path, "rb") as f:
        return msgpack.unpackb(f.read(), object_hook=msgpack_numpy.decode)

def best(fn, repeats):
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter(); fn(); times.append(time.perf_counter() - t0)
    return min(times)

out = sys.argv[1] if len(sys.argv) > 1 else tempfile.mkdtemp()
repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 3
for tname, tree in [("image256_i16", image_tree()), ("surface_1M_tri", surface_tree())]:
    mb = nbytes(tree) / 1e6
    for cname, ext, w, r in [("hdf5_gzip4", "h5", lambda p: h5_write(p, tree, True), h5_read),
                             ("hdf5_none", "h5", lambda p: h5_write(p, tree, False), h5_read),
                             ("msgpack", "msgpack", lambda p: mp_write(p, tree), mp_read)]:
        p = os.path.join(out, f"{tname}_{cname}.{ext}")
        tw = best(lambda: w(p), repeats)
        tr = best(lambda: r(p), repeats)
        print(f"python {cname:10s} {tname:15s} write {tw*1e3:8.1f} ms {mb/tw:8.1f} MB/s   read {tr*1e3:8.1f} ms {mb/tr:8.1f} MB/s   file {os.path.getsize(p)/1e6:.1f} MB")
