"""Shared by the interop scripts: an ArrayDict (as loaded by h5py or msgpack-numpy) as the JSON
node list of SPEC section 10, with every value, so the Rust side can compare exactly."""
import numpy as np

def is_list_group(group, h5py):
    names = list(group.keys())
    return (len(names) > 0 and sorted(names) == sorted(str(i) for i in range(len(names)))
            and all(isinstance(group[n], h5py.Dataset) for n in names))

def array_entry(path, a):
    a = np.asarray(a)
    dt = a.dtype
    if dt.byteorder == '>':
        dt = dt.newbyteorder('<')
    return {"path": path, "type": "array", "dtype": dt.str, "shape": list(a.shape),
            "values": a.ravel(order='C').tolist()}

def from_h5py(group, h5py, path=""):
    out = [{"path": path or "/", "type": "dict", "keys": list(group.keys())}]
    for name in group.keys():
        obj = group[name]
        p = f"{path}/{name}"
        if isinstance(obj, h5py.Dataset):
            out.append(array_entry(p, obj[()]))
        elif is_list_group(obj, h5py):
            n = len(obj)
            out.append({"path": p, "type": "list", "len": n})
            out.extend(array_entry(f"{p}/{i}", obj[str(i)][()]) for i in range(n))
        else:
            out.extend(from_h5py(obj, h5py, p)[0:])
    return out

def from_python(tree, path=""):
    out = [{"path": path or "/", "type": "dict", "keys": list(tree.keys())}]
    for name, v in tree.items():
        p = f"{path}/{name}"
        if isinstance(v, dict):
            out.extend(from_python(v, p))
        elif isinstance(v, list):
            out.append({"path": p, "type": "list", "len": len(v)})
            for i, a in enumerate(v):
                assert isinstance(a, np.ndarray), f"{p}/{i} is {type(a)}"
                out.append(array_entry(f"{p}/{i}", a))
        else:
            assert isinstance(v, np.ndarray), f"{p} is {type(v)}"
            out.append(array_entry(p, v))
    return out
