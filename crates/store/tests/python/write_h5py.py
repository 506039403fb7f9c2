"""Writes HDF5 files with h5py in every setting VMTK or a user might produce, plus the JSON
tree h5py itself reads back from each. Usage: write_h5py.py OUTDIR"""
import json, os, sys
sys.path.insert(0, os.path.dirname(__file__))
import h5py
import numpy as np
import tree_json

out = sys.argv[1]
rng = np.random.default_rng(7)
DTYPES = ["i1", "u1", "i2", "u2", "i4", "u4", "i8", "u8", "f4", "f8"]

def arrays():
    a = {}
    for d in DTYPES:
        info = np.iinfo(d) if d[0] in "iu" else None
        if info is not None:
            a[d] = rng.integers(info.min, info.max, size=(37, 3), dtype=d, endpoint=True)
        else:
            a[d] = rng.standard_normal((37, 3)).astype(d)
    a["image"] = np.asfortranarray(rng.integers(-1000, 1000, size=(40, 30, 20), dtype="i2"))
    return a

def fill(group, kw):
    for name, arr in arrays().items():
        group.create_dataset(name, data=arr, **kw)
    group.create_dataset("empty", data=np.zeros((0, 3), "f8"), **{k: v for k, v in kw.items() if k == "dtype"})
    group.create_dataset("scalar", data=np.float64(2.5))
    big = group.create_group("BigEndian")
    big.create_dataset("f8", data=np.arange(10, dtype=">f8") / 3, **kw)
    big.create_dataset("i4", data=np.arange(-5, 5, dtype=">i4"), **kw)
    big.create_dataset("u2", data=np.arange(10, dtype=">u2") * 1000, **kw)
    group.create_group("EmptyGroup")
    cells = group.create_group("CellData").create_group("CellPointIds")
    for i in range(12):
        cells.create_dataset(str(i), data=np.arange(i + 1, dtype="i4"), **kw)
    nested = group.create_group("Z").create_group("Y")
    nested.create_dataset("ünïcödé", data=np.arange(4, dtype="u8"), **kw)
    notlist = group.create_group("NotAList")
    notlist.create_dataset("0", data=np.ones(2))
    notlist.create_dataset("2", data=np.ones(2))

settings = {
    "default": ({}, {}),
    "latest": ({"libver": "latest"}, {}),
    "gzip1": ({}, {"compression": "gzip", "compression_opts": 1}),
    "gzip9": ({}, {"compression": "gzip", "compression_opts": 9}),
    "gzip4_shuffle": ({}, {"compression": "gzip", "compression_opts": 4, "shuffle": True}),
    "fletcher32": ({}, {"fletcher32": True, "chunks": True}),
    "chunked": ({}, {"chunks": True}),
    "latest_gzip_shuffle_fletcher": ({"libver": "latest"}, {"compression": "gzip", "shuffle": True, "fletcher32": True}),
    "track_order": ({"track_order": True}, {}),
}
expected = {}
for name, (fkw, dkw) in settings.items():
    path = os.path.join(out, f"{name}.h5")
    with h5py.File(path, "w", **fkw) as f:
        fill(f, dkw)
    with h5py.File(path, "r") as f:
        expected[path] = tree_json.from_h5py(f, h5py)
# compact layout needs the low-level API
path = os.path.join(out, "compact.h5")
with h5py.File(path, "w") as f:
    dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
    dcpl.set_layout(h5py.h5d.COMPACT)
    space = h5py.h5s.create_simple((4, 2))
    ds = h5py.h5d.create(f.id, b"small", h5py.h5t.STD_I16LE, space, dcpl=dcpl)
    ds.write(h5py.h5s.ALL, h5py.h5s.ALL, np.arange(8, dtype="<i2").reshape(4, 2))
with h5py.File(path, "r") as f:
    assert f["small"].id.get_create_plist().get_layout() == h5py.h5d.COMPACT
    expected[path] = tree_json.from_h5py(f, h5py)
json.dump({"h5py": h5py.__version__, "numpy": np.__version__, "files": expected}, sys.stdout)
