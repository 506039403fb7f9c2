"""Times Python's own pickle on the tree stored in FILE (written by arraydict): pickle.dump
(protocol 5) to memory and to a file, and pickle.load from memory, best of 5, in MB/s of the
protocol-5 pickle size.

usage: python pickle_bench.py FILE.pickle"""
import io
import os
import pickle
import sys
import tempfile
import time

with open(sys.argv[1], "rb") as f:
    tree = pickle.load(f)


def best(fn, n=5):
    t = min((lambda s: (fn(), time.perf_counter() - s)[1])(time.perf_counter()) for _ in range(n))
    return t


data = pickle.dumps(tree, protocol=5)
size = len(data) / 1e6
dump_mem = best(lambda: pickle.dumps(tree, protocol=5))
with tempfile.TemporaryDirectory() as d:
    path = os.path.join(d, "t.pickle")

    def dump_file():
        with open(path, "wb") as f:
            pickle.dump(tree, f, protocol=5)

    dump_file_t = best(dump_file)
load_mem = best(lambda: pickle.loads(data))
print(f"{size:.1f} MB: dump(mem) {size / dump_mem:.0f} MB/s, dump(file) {size / dump_file_t:.0f} MB/s, "
      f"load(mem) {size / load_mem:.0f} MB/s")
