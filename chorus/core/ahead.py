"""Run CPU-bound steps of a long loop in worker processes, ahead of the loop, results in order.

An import of many files alternates two kinds of work: reading a file's text and preparing its
search rows (pure Python, no database), and storing them (the database). Python runs one thread
at a time, so only another process can do the first kind on the second core while this one
stores. Workers are started once per process, on first use, with the `forkserver` method (a
clean interpreter, so nothing of a busy server's threads or open connections is copied), and
set Django up without ever opening a database connection.
"""

from __future__ import annotations

import atexit
import multiprocessing
import os
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from itertools import islice
from typing import TypeVar

from django.conf import settings

T = TypeVar("T")

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


class _Inline(Executor):
    """Runs each task at once, in this process: for small batches or when workers are off."""

    def submit(self, fn, /, *args, **kwargs) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as error:  # handed to the caller through the future
            future.set_exception(error)
        return future


def ahead(
    function: Callable[..., T], arguments: Iterable[tuple], *, count: int, at_least: int = 8
) -> Iterator[tuple[tuple, T]]:
    """Yield `(args, function(*args))` for each tuple of `arguments`, in order.

    With `count` (the number of tuples) of at least `at_least` and workers enabled, the calls run
    in the worker processes, up to two per worker ahead of the consumer, so the consumer's own
    work overlaps with theirs; otherwise they run here, one by one. `function` and its arguments
    must be picklable and must not use the database. `arguments` is read lazily, as calls are
    submitted. An exception raised by a call is raised here when its result is due; calls not
    yet started are then cancelled.
    """
    workers = worker_count()
    executor: Executor = _pool() if workers and count >= at_least else _Inline()
    depth = 2 * workers if isinstance(executor, ProcessPoolExecutor) else 1
    iterator = iter(arguments)
    pending: deque[tuple[tuple, Future[T]]] = deque(
        (args, executor.submit(function, *args)) for args in islice(iterator, depth)
    )
    try:
        while pending:
            args, future = pending.popleft()
            result = future.result()
            following = next(iterator, None)
            if following is not None:
                pending.append((following, executor.submit(function, *following)))
            yield args, result
    finally:
        for _args, future in pending:
            future.cancel()
