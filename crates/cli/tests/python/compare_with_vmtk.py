"""Loads our output and VMTK's output of the same real file with stock Python and compares them.

usage: compare_with_vmtk.py OURS VMTK_REFERENCE
OURS is a .pickle/.hdf5/.msgpack we wrote; VMTK_REFERENCE is VMTK's .pickle (needs numpy 2, which wrote
it) or .hdf5. Extension keys (Direction, ExtentStart, CellKindCounts) are left out of the comparison;
key order is compared when both sides keep it (pickle, msgpack vs pickle). Exits 1 with the first
difference.
"""
import sys
import types
import warnings

warnings.simplefilter("error")
import numpy as np

EXTENSIONS = {"Direction", "ExtentStart", "CellKindCounts"}


def install_fake_vmtk():
    """VMTK's pickles name vmtk.vmtk<kind>tonumpy.vividict; a dict subclass is all they need."""
    class vividict(dict):
        def __missing__(self, key):
            value = self[key] = type(self)()
            return value

    pkg = types.ModuleType("vmtk")
    pkg.__path__ = []
    sys.modules["vmtk"] = pkg
    for kind in ("surface", "centerlines", "image", "mesh"):
        name = f"vmtk.vmtk{kind}tonumpy"
        mod = types.ModuleType(name)
        vividict.__module__ = name
        mod.vividict = type("vividict", (vividict,), {"__module__": name})
        sys.modules[name] = mod


def load(path):
    if path.endswith((".pickle", ".pkl")):
        import pickle
        with open(path, "rb") as f:
            return pickle.load(f), True
    if path.endswith((".hdf5", ".h5")):
        import h5py

        def walk(g):
            out = {}
            for k, v in g.items():
                out[k] = walk(v) if isinstance(v, h5py.Group) else v[()]
            return out

        with h5py.File(path, "r") as f:
            return walk(f), False
    if path.endswith((".msgpack", ".mpk")):
        import msgpack
        import msgpack_numpy
        with open(path, "rb") as f:
            return msgpack.unpackb(f.read(), object_hook=msgpack_numpy.decode), True
    raise SystemExit(f"unknown extension: {path}")


def as_mapping(node):
    """HDF5 has no lists: VMTK reads a list back as a dict keyed '0'..'n-1'."""
    if isinstance(node, list):
        return {str(i): v for i, v in enumerate(node)}
    return node


def compare(ours, ref, path, ordered):
    if isinstance(ref, (dict, list)) or isinstance(ours, (dict, list)):
        if isinstance(ref, list) != isinstance(ours, list) and ordered:
            raise SystemExit(f"{path}: {type(ours).__name__}, expected {type(ref).__name__}")
        ours, ref = as_mapping(ours), as_mapping(ref)
        ok = [k for k in ours if not (path == "" and k in EXTENSIONS)]
        rk = list(ref)
        if ordered and ok != rk:
            raise SystemExit(f"{path}/: keys {ok}, expected {rk}")
        if sorted(ok) != sorted(rk):
            raise SystemExit(f"{path}/: keys {sorted(ok)}, expected {sorted(rk)}")
        for k in rk:
            compare(ours[k], ref[k], f"{path}/{k}", ordered)
        return
    if not isinstance(ours, np.ndarray) or not isinstance(ref, np.ndarray):
        raise SystemExit(f"{path}: {type(ours).__name__}, expected {type(ref).__name__}")
    if ours.dtype != ref.dtype or ours.shape != ref.shape:
        raise SystemExit(f"{path}: {ours.dtype} {ours.shape}, expected {ref.dtype} {ref.shape}")
    if not np.array_equal(ours, ref, equal_nan=True):
        raise SystemExit(f"{path}: values differ")


def main():
    ours_path, ref_path = sys.argv[1], sys.argv[2]
    install_fake_vmtk()
    ours, ours_ordered = load(ours_path)
    ref, ref_ordered = load(ref_path)
    compare(ours, ref, "", ours_ordered and ref_ordered)
    print(f"ok: {ours_path} == {ref_path}")


if __name__ == "__main__":
    main()
