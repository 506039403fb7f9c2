"""Cohorts on a Dask cluster: `convert_many` converts thousands of files with `arraydict.convert`.

One machine: `arraydict batch` serves. Beyond it, the same conversions as Dask tasks, on whatever
cluster `distributed` reaches (a LocalCluster on a workstation, dask-jobqueue on Slurm or PBS,
Kubernetes):

    >>> from arraydict.dask import convert_many
    >>> results = convert_many(["cohort/"], "out/", suffix=".hdf5")      # a LocalCluster
    >>> [r.input for r in results if not r.ok]                           # what failed, and why
    >>> from dask.distributed import Client
    >>> from dask_jobqueue import SLURMCluster                           # on a Slurm cluster
    >>> cluster = SLURMCluster(cores=8, memory="16GB"); cluster.scale(jobs=10)
    >>> results = convert_many(["/data/cohort/"], "/scratch/out", client=Client(cluster))

Outputs are named as `arraydict batch` names them (the input's folder structure kept under
`out_dir`); two inputs that would write one output are refused before anything runs. Each task
returns only a small `ConversionResult`, never the arrays. A bad input is recorded (`ok=False`, the
message) and not retried; unexpected failures (a lost worker, an OSError) are retried by Dask up to
`retries` times. Outputs are written atomically, so a worker killed mid-write leaves nothing.

Needs the `distributed` package: `pip install arraydict[dask]`.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import Any, Iterable, List, Optional, Union

from . import _native

__all__ = ["ConversionResult", "convert_many", "plan"]

StrPath = Union[str, "os.PathLike[str]"]


@dataclass(frozen=True)
class ConversionResult:
    """What one conversion did: `ok` and `error` (the message, as the CLI prints it) and its time."""

    input: str
    output: str
    ok: bool
    error: Optional[str]
    seconds: float


def _distributed():
    try:
        import distributed
    except ImportError as e:
        raise ImportError(
            "arraydict.dask needs the 'distributed' package: pip install 'arraydict[dask]'"
        ) from e
    return distributed


def plan(inputs: Iterable[StrPath], out_dir: StrPath, *, suffix: str = ".hdf5") -> List[tuple]:
    """The (input, output) pairs `convert_many` would run, in input order: paths, directories
    (searched recursively for files of the run's direction) and globs, named as `arraydict batch`
    names them. Raises ArrayDictError listing every clash (two inputs, one output)."""
    pairs = _native.batch_plan([os.fspath(p) for p in inputs], os.fspath(out_dir), suffix)
    return [(os.fspath(src), os.fspath(dst)) for src, dst in pairs]


def _convert_one(src: str, dst: str, options: dict) -> ConversionResult:
    # Runs on a worker. ArrayDictError (a bad input) is a result, not a failure, so Dask does not
    # retry it; anything else (OSError, MemoryError, ...) raises and goes to Dask's retries.
    from . import ArrayDictError, convert

    t0 = time.perf_counter()
    try:
        convert(src, dst, **options)
    except ArrayDictError as e:
        return ConversionResult(src, dst, False, str(e), time.perf_counter() - t0)
    return ConversionResult(src, dst, True, None, time.perf_counter() - t0)


def _client(distributed, client):
    if client is not None:
        return client, None
    try:
        return distributed.get_client(), None
    except ValueError:
        # No client in this process: a LocalCluster sized to the machine (one process per core,
        # one thread each: convert already uses the cores it has).
        cluster = distributed.LocalCluster(threads_per_worker=1, processes=True)
        return distributed.Client(cluster), cluster


def convert_many(
    inputs: Iterable[StrPath],
    out_dir: StrPath,
    *,
    client: Any = None,
    suffix: str = ".hdf5",
    retries: int = 2,
    skip_existing: bool = False,
    progress: bool = True,
    **convert_options: Any,
) -> List[ConversionResult]:
    """Convert every input with `arraydict.convert` as Dask tasks; one ConversionResult per
    input, in input order.

    inputs: paths, directories or globs (as `arraydict batch`); out_dir: where outputs go, the
    inputs' folder structure kept; suffix: the output extension (".hdf5", ".pickle", ".vtp", ...);
    client: a `distributed.Client` (default: the current one, else a LocalCluster for this call);
    retries: Dask retries of a task that failed unexpectedly (a bad input is never retried);
    skip_existing: inputs whose output exists are not converted (reported ok, 0 seconds);
    progress: distributed's progress bar (terminal or notebook); convert_options: keyword
    options of `arraydict.convert` (compression, level, kind, ...).

        >>> results = convert_many(["cases/*.vtp"], "out", suffix=".pickle", level=6)
        >>> sum(r.ok for r in results), [r.error for r in results if not r.ok]
    """
    distributed = _distributed()
    pairs = plan(inputs, out_dir, suffix=suffix)
    results: List[Optional[ConversionResult]] = [None] * len(pairs)
    todo = []
    for i, (src, dst) in enumerate(pairs):
        if skip_existing and os.path.exists(dst):
            results[i] = ConversionResult(src, dst, True, None, 0.0)
        else:
            todo.append(i)
    if not todo:
        _remove_stale_temporaries(pairs)
        return results  # type: ignore[return-value]
    for i in todo:
        os.makedirs(os.path.dirname(pairs[i][1]) or ".", exist_ok=True)
    dask_client, own_cluster = _client(distributed, client)
    try:
        futures = dask_client.map(
            _convert_one,
            [pairs[i][0] for i in todo],
            [pairs[i][1] for i in todo],
            options=dict(convert_options),
            retries=retries,
            pure=False,
        )
        where = {f.key: i for f, i in zip(futures, todo)}
        if progress:
            distributed.progress(futures)
        completed = distributed.as_completed(futures, raise_errors=False)
        for future in completed:
            i = where[future.key]
            if future.status == "finished":
                results[i] = future.result()
            elif future.status == "error":
                src, dst = pairs[i]
                results[i] = ConversionResult(src, dst, False, _failure(future), float("nan"))
            else:
                # "lost": its worker died holding the small result, and the scheduler computes
                # it again (the conversion reruns; its write is atomic): wait for that.
                completed.add(future)
        _remove_stale_temporaries(pairs)
    finally:
        if own_cluster is not None:
            dask_client.close()
            own_cluster.close()
    return results  # type: ignore[return-value]


def _remove_stale_temporaries(pairs) -> None:
    # A worker killed mid-write leaves its temporary until the next write into that folder; the
    # run is over, so clear them now (those of live processes are kept).
    _native.remove_stale_temporaries(sorted({os.path.dirname(dst) for _, dst in pairs}))


def _failure(future) -> str:
    try:
        exc = future.exception()
    except Exception as e:  # a cancelled future has no exception to fetch
        return f"task {future.status}: {e}"
    return f"{type(exc).__name__}: {exc} (after the retries)"
