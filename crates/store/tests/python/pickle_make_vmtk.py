"""Writes VMTK-style pickles the way VMTK does (dict subclass `vividict` from a module
`vmtk.vmtksurfacetonumpy`, here a stand-in created on sys.path) at protocols 2-5, with C, F,
permuted, big-endian, 0-d and empty arrays, lists, OrderedDict and (when vtk is importable)
VTKArray, and prints the expected trees as JSON: {"numpy": version, "files": {name: nodes}}.

usage: python -W error pickle_make_vmtk.py OUT_DIR"""
import collections
import json
import os
import pickle
import sys

import numpy as np

out_dir = sys.argv[1]
pkg = os.path.join(out_dir, "fakevmtk", "vmtk")
os.makedirs(pkg, exist_ok=True)
open(os.path.join(pkg, "__init__.py"), "w").close()
with open(os.path.join(pkg, "vmtksurfacetonumpy.py"), "w") as f:
    f.write("class vividict(dict):\n    def __missing__(self, key):\n"
            "        value = self[key] = type(self)()\n        return value\n")
sys.path.insert(0, os.path.join(out_dir, "fakevmtk"))
from vmtk.vmtksurfacetonumpy import vividict  # noqa: E402

try:
    from vtk.numpy_interface.dataset_adapter import VTKArray
except Exception:  # vtk is optional here
    VTKArray = None


def order_of(a):
    if a.flags.c_contiguous:
        return "C"
    if a.flags.f_contiguous:
        return "F"
    return "K"


def describe(tree, path=""):
    out = [{"path": path or "/", "type": "dict", "keys": list(tree.keys())}]
    for name, v in tree.items():
        p = f"{path}/{name}"
        if isinstance(v, dict):
            out.extend(describe(v, p))
        elif isinstance(v, list):
            out.append({"path": p, "type": "list", "len": len(v)})
            out.extend(array(f"{p}/{i}", a) for i, a in enumerate(v))
        else:
            out.append(array(p, v))
    return out


def array(path, a):
    a = np.asarray(a)
    dt = a.dtype.newbyteorder("<") if a.dtype.byteorder == ">" else a.dtype
    return {"path": path, "type": "array", "dtype": dt.str, "shape": list(a.shape),
            "order": order_of(a), "values": a.ravel(order="C").tolist()}


def tree():
    root = vividict()
    root["Points"] = (np.arange(30, dtype="<f4").reshape(10, 3) * 0.5)
    image = np.asfortranarray(np.arange(4 * 3 * 2, dtype="<i2").reshape(4, 3, 2) - 7)
    root["PointData"]["Image"] = image
    root["PointData"]["Permuted"] = np.arange(24, dtype="<u4").reshape(2, 3, 4).transpose(1, 0, 2)
    root["PointData"]["BigEndian"] = np.arange(6, dtype=">f8").reshape(2, 3) / 3
    root["PointData"]["BigEndianF"] = np.asfortranarray(np.arange(6, dtype=">i4").reshape(3, 2) * -1000)
    root["PointData"]["Empty"] = np.zeros((0, 3), dtype="<i8")
    root["PointData"]["Scalar0d"] = np.array(2.5)
    root["PointData"]["NumpyScalar"] = np.float32(1.25)
    root["CellData"]["CellPointIds"] = [np.arange(n, dtype="<i4") for n in (3, 0, 5)]
    root["CellData"]["U8"] = np.array([0, 255, 7], dtype="u1")
    root["Ordered"] = collections.OrderedDict([("b", np.arange(3, dtype="<u2")), ("a", collections.OrderedDict())])
    root["EmptyPlain"] = {}
    if VTKArray is not None:
        root["Mesh"]["Vtk"] = VTKArray(np.arange(12, dtype="<f8").reshape(4, 3))
        root["Mesh"]["VtkF"] = VTKArray(np.asfortranarray(np.arange(12, dtype="<i8").reshape(4, 3)))
    return root


files = {}
t = tree()
expected = describe(t)
major = np.__version__.split(".")[0]
for protocol in (2, 3, 4, 5):
    name = f"vmtk_np{major}_p{protocol}.pickle"
    with open(os.path.join(out_dir, name), "wb") as f:
        pickle.dump(t, f, protocol=protocol)
    files[name] = expected
print(json.dumps({"numpy": np.__version__, "vtk": VTKArray is not None, "files": files}))
