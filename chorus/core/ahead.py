"""Run CPU-bound steps of a long loop in worker processes, ahead of the loop, results in order.

An import of many files alternates two kinds of work: reading a file's text and preparing its
search rows (pure Python, no database), and storing them (the database). Python runs one thread
at a time, so only another process can do the first kind on the second core while this one
stores. Workers are started once per process, on first use, with the `forkserver` method (a
clean interpreter, so nothing of a busy server's threads or open connections is copied), and
set Django up without ever opening a database connection.

A worker that dies (a parser crashing, the kernel ending it for memory) or a call that runs
past CALL_SECONDS does not break later imports: the pool is ended and started afresh, the call
is given one more try on its own, and if it fails again `on_failure` answers for it.
"""

from __future__ import annotations

import atexit
import multiprocessing
import os
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as CallTimeout
from concurrent.futures.process import BrokenProcessPool
from itertools import islice
from typing import TypeVar

from django.conf import settings

T = TypeVar("T")

# How long one call may run in a worker before it is given up (a 50 MB PDF takes under a minute).
CALL_SECONDS = 300

_POOL: ProcessPoolExecutor | None = None
_POOL_LOCK = threading.Lock()


def worker_count() -> int:
    """How many worker processes an import may use (0: everything runs in this process)."""
    return settings.CHORUS_IMPORT_WORKERS


def _set_up_worker() -> None:
    # A forkserver child starts from a fresh interpreter: it needs Django's settings and
    # translations (error messages), never a database connection.
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chorus.settings")
    django.setup(set_prefix=False)


def _pool() -> ProcessPoolExecutor:
    global _POOL
    with _POOL_LOCK:
        if _POOL is None:
            _POOL = ProcessPoolExecutor(
                max_workers=worker_count(),
                mp_context=multiprocessing.get_context("forkserver"),
                initializer=_set_up_worker,
            )
            atexit.register(_POOL.shutdown, cancel_futures=True)
        return _POOL


def _discard(pool: ProcessPoolExecutor) -> None:
    """End a broken or stuck pool, so that the next call starts a new one."""
    global _POOL
    with _POOL_LOCK:
        if _POOL is pool:
            _POOL = None
    # A running call cannot be cancelled; its process is ended so that it frees its core.
    # (CPython keeps the pool's processes in `_processes`.)
    running = getattr(pool, "_processes", None)
    processes = list(running.values()) if isinstance(running, dict) else []
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.terminate()


def _submit(pool: ProcessPoolExecutor, function: Callable[..., T], args: tuple) -> Future[T]:
    """Submit a call; a pool found broken at this moment gives a future holding that error."""
    try:
        return pool.submit(function, *args)
    except (BrokenProcessPool, RuntimeError) as error:
        # RuntimeError: the pool was shut down. Either way the waiting code handles it alike.
        failed: Future[T] = Future()
        failed.set_exception(
            error if isinstance(error, BrokenProcessPool) else BrokenProcessPool(str(error))
        )
        return failed


def ahead(
    function: Callable[..., T],
    arguments: Iterable[tuple],
    *,
    count: int,
    at_least: int = 8,
    on_failure: Callable[[tuple, BaseException], T] | None = None,
) -> Iterator[tuple[tuple, T]]:
    """Yield `(args, function(*args))` for each tuple of `arguments`, in order.

    With `count` (the number of tuples) of at least `at_least` and workers enabled, the calls run
    in the worker processes, up to two per worker ahead of the consumer, so the consumer's own
    work overlaps with theirs; otherwise they run here, one by one. `function` and its arguments
    must be picklable and must not use the database. `arguments` is read lazily, as calls are
    submitted. An exception raised by `function` is raised here when its result is due. A call
    whose worker died, or that ran past CALL_SECONDS, gives `on_failure(args, error)` instead
    (or raises, without `on_failure`).
    """
    workers = worker_count()
    if not workers or count < at_least:
        for args in arguments:
            yield args, function(*args)
        return
    iterator = iter(arguments)
    pool = _pool()
    pending: deque[tuple[tuple, Future[T]]] = deque(
        (args, _submit(pool, function, args)) for args in islice(iterator, 2 * workers)
    )
    while pending:
        args, future = pending.popleft()
        try:
            result = future.result(timeout=CALL_SECONDS)
        except (BrokenProcessPool, CallTimeout) as error:
            if on_failure is None:
                _discard(pool)
                raise
            result, pool = _recover(function, args, error, pool, on_failure)
            # The calls that were in flight on the ended pool go to the new one.
            pending = deque((other, _submit(pool, function, other)) for other, _f in pending)
        following = next(iterator, None)
        if following is not None:
            pending.append((following, _submit(pool, function, following)))
        yield args, result


def _recover(function, args, error, pool, on_failure):
    """Start a new pool; give a call that lost its worker one more try on its own."""
    _discard(pool)
    pool = _pool()
    if isinstance(error, CallTimeout):
        return on_failure(args, error), pool
    # Any call in flight may have broken the pool: this one runs alone, so that it fails again
    # only if it is the cause.
    try:
        return _submit(pool, function, args).result(timeout=CALL_SECONDS), pool
    except (BrokenProcessPool, CallTimeout) as second:
        _discard(pool)
        return on_failure(args, second), _pool()
