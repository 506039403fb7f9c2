"""Loads a pickle written by arraydict with stock pickle (run with `python -W error`, so any
warning fails) and checks it against the JSON node list the Rust test wrote: exact container
types (plain dict / list / numpy.ndarray), key order, dtype, shape, memory order and values.

usage: python -W error pickle_check_ours.py FILE.pickle EXPECTED.json"""
import json
import pickle
import sys

import numpy as np


def order_of(a):
    if a.flags.c_contiguous:
        return "C"
    if a.flags.f_contiguous:
        return "F"
    return "K"


def describe(tree, path=""):
    assert type(tree) is dict, f"{path or '/'} is {type(tree)}, expected a plain dict"
    out = [{"path": path or "/", "type": "dict", "keys": list(tree.keys())}]
    for name, v in tree.items():
        p = f"{path}/{name}"
        if isinstance(v, dict):
            out.extend(describe(v, p))
        elif type(v) is list:
            out.append({"path": p, "type": "list", "len": len(v)})
            out.extend(array(f"{p}/{i}", a) for i, a in enumerate(v))
        else:
            out.append(array(p, v))
    return out


def array(path, a):
    assert type(a) is np.ndarray, f"{path} is {type(a)}, expected numpy.ndarray"
    assert a.flags.writeable or a.size == 0, f"{path} is read-only"
    return {"path": path, "type": "array", "dtype": a.dtype.str, "shape": list(a.shape),
            "order": order_of(a), "values": a}


def main():
    with open(sys.argv[1], "rb") as f:
        tree = pickle.load(f)
    with open(sys.argv[2]) as f:
        expected = json.load(f)
    got = describe(tree)
    assert len(got) == len(expected), f"{len(got)} nodes, expected {len(expected)}"
    for g, e in zip(got, expected):
        where = e["path"]
        assert g["path"] == e["path"], f"node {g['path']} where {where} was expected"
        assert g["type"] == e["type"], f"{where}: {g['type']} instead of {e['type']}"
        if e["type"] == "dict":
            assert g["keys"] == e["keys"], f"{where}: keys {g['keys']} != {e['keys']}"
        elif e["type"] == "list":
            assert g["len"] == e["len"], f"{where}: {g['len']} items != {e['len']}"
        else:
            assert g["dtype"] == e["dtype"], f"{where}: dtype {g['dtype']} != {e['dtype']}"
            assert g["shape"] == e["shape"], f"{where}: shape {g['shape']} != {e['shape']}"
            if e["order"] != "any":
                assert g["order"] == e["order"], f"{where}: order {g['order']} != {e['order']}"
            want = np.array(e["values"], dtype=np.dtype(e["dtype"])).reshape(e["shape"])
            assert np.array_equal(g["values"], want), f"{where}: values differ"
    print(f"OK {len(got)} nodes, numpy {np.__version__}")


main()
