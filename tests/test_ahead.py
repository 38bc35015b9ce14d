"""Work ahead of a loop in worker processes: order, errors, and the small-batch fallback."""

from __future__ import annotations

import os
import time

import pytest

from chorus.core import ahead as ahead_module
from chorus.core.ahead import ahead


def _slow_square(number: int, delay: float) -> tuple[int, int]:
    time.sleep(delay)
    return number * number, os.getpid()


def _fail_on_three(number: int) -> int:
    if number == 3:
        raise ValueError("broken file")
    return number


def test_results_come_in_order_from_worker_processes(settings):
    """Slow early calls do not let later ones overtake them; the work runs in other processes."""
    settings.CHORUS_IMPORT_WORKERS = 2
    arguments = [(n, 0.05 if n % 3 == 0 else 0.0) for n in range(10)]
    results = list(ahead(_slow_square, arguments, count=len(arguments), at_least=2))
    assert [args for args, _result in results] == arguments
    assert [result[0] for _args, result in results] == [n * n for n in range(10)]
    assert all(result[1] != os.getpid() for _args, result in results)


def test_an_error_is_raised_when_its_result_is_due(settings):
    settings.CHORUS_IMPORT_WORKERS = 2
    results = ahead(_fail_on_three, [(n,) for n in range(8)], count=8, at_least=2)
    assert [next(results)[1] for _ in range(3)] == [0, 1, 2]
    with pytest.raises(ValueError, match="broken file"):
        next(results)


def test_small_batches_and_disabled_workers_run_here(settings):
    """Below `at_least` calls, or with no workers, nothing is sent to another process."""
    settings.CHORUS_IMPORT_WORKERS = 2
    small = list(ahead(_slow_square, [(2, 0.0), (3, 0.0)], count=2, at_least=8))
    assert [result for _args, result in small] == [(4, os.getpid()), (9, os.getpid())]
    settings.CHORUS_IMPORT_WORKERS = 0
    large = list(ahead(_slow_square, [(n, 0.0) for n in range(10)], count=10, at_least=2))
    assert {result[1] for _args, result in large} == {os.getpid()}
    with pytest.raises(ValueError, match="broken file"):
        list(ahead(_fail_on_three, [(n,) for n in range(5)], count=5))


def test_arguments_are_read_only_as_calls_are_submitted(settings):
    """A lazy sequence of arguments (files read one by one) is not read all at once."""
    settings.CHORUS_IMPORT_WORKERS = 0
    read = []

    def arguments():
        for n in range(5):
            read.append(n)
            yield (n, 0.0)

    results = ahead(_slow_square, arguments(), count=5)
    next(results)
    assert read == [0, 1]
    assert len(list(results)) == 4
    assert ahead_module.worker_count() == 0
