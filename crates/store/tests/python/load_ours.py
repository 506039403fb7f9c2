"""Loads files the Rust writer produced with stock h5py / msgpack-numpy and prints their trees as
JSON (SPEC section 10 node list with values). Usage: load_ours.py FILE..."""
import json, sys, warnings
warnings.simplefilter("error")
sys.path.insert(0, __import__("os").path.dirname(__file__))
import numpy as np
import tree_json

result = {"numpy": np.__version__}
for f in sys.argv[1:]:
    if f.endswith((".hdf5", ".h5")):
        import h5py
        with h5py.File(f, "r") as h:
            result[f] = tree_json.from_h5py(h, h5py)
            attrs = []
            h.visititems(lambda n, o: attrs.extend(f"{n}@{a}" for a in o.attrs))
            attrs.extend(f"/@{a}" for a in h.attrs)
            assert not attrs, f"{f}: attributes {attrs}"
    else:
        import msgpack, msgpack_numpy
        with open(f, "rb") as fh:
            tree = msgpack.unpackb(fh.read(), object_hook=msgpack_numpy.decode)
        result[f] = tree_json.from_python(tree)
json.dump(result, sys.stdout)
