"""Peak RSS of a command where GNU time is missing: bench_rusage.py OUTFILE CMD ARGS...

Runs CMD, then writes `maxrss_kb=<getrusage(RUSAGE_CHILDREN).ru_maxrss>` (kilobytes on Linux) to
OUTFILE and exits with CMD's status. The wrapper itself never counts: RUSAGE_CHILDREN only covers
the waited-for child.
"""
import resource
import subprocess
import sys

status = subprocess.call(sys.argv[2:])
with open(sys.argv[1], "w") as f:
    f.write(f"maxrss_kb={resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}\n")
sys.exit(status)
