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
    read = []

    def arguments():
        for n in range(10):
            read.append(n)
            yield (n, 0.0)

    settings.CHORUS_IMPORT_WORKERS = 0
    results = ahead(_slow_square, arguments(), count=10)
    next(results)
    assert read == [0]
    assert len(list(results)) == 9
    # With two workers, two calls each run ahead of the one consumed.
    settings.CHORUS_IMPORT_WORKERS = 2
    read.clear()
    results = ahead(_slow_square, arguments(), count=10, at_least=2)
    next(results)
    assert read == [0, 1, 2, 3, 4]
    assert len(list(results)) == 9


def _die_on_three(number: int) -> int:
    if number == 3:
        os._exit(1)  # as when the kernel ends a worker for memory, or a parser crashes
    return number


def _hang_on_two(number: int, pid_file: str) -> int:
    if number == 2:
        with open(pid_file, "w") as handle:
            handle.write(str(os.getpid()))
        time.sleep(300)
    return number


def _running(pid: int) -> bool:
    """Whether the process exists and is not a zombie waiting to be reaped."""
    try:
        with open(f"/proc/{pid}/status") as handle:
            return not any(line.startswith("State:\tZ") for line in handle)
    except FileNotFoundError:
        return False


def _failed(args: tuple, error: BaseException) -> str:
    return f"failed {args[0]}: {type(error).__name__}"


def test_a_dying_worker_fails_only_its_own_call_and_later_imports_work(settings):
    settings.CHORUS_IMPORT_WORKERS = 2
    results = [
        result
        for _args, result in ahead(
            _die_on_three, [(n,) for n in range(8)], count=8, at_least=2, on_failure=_failed
        )
    ]
    assert results == [0, 1, 2, "failed 3: BrokenProcessPool", 4, 5, 6, 7]
    after = ahead(_slow_square, [(n, 0.0) for n in range(4)], count=4, at_least=2)
    assert [result[0] for _args, result in after] == [0, 1, 4, 9]


def test_a_call_past_its_time_is_given_up_and_its_worker_ended(settings, monkeypatch, tmp_path):
    settings.CHORUS_IMPORT_WORKERS = 2
    # Long enough for a new pool's workers to start (Django set up) on a busy machine, far
    # shorter than the hung call.
    monkeypatch.setattr(ahead_module, "CALL_SECONDS", 10)
    started = time.monotonic()
    pid_file = tmp_path / "hung.pid"
    arguments = [(n, str(pid_file)) for n in range(5)]
    results = [
        result
        for _args, result in ahead(_hang_on_two, arguments, count=5, at_least=2, on_failure=_failed)
    ]
    assert results == [0, 1, "failed 2: TimeoutError", 3, 4]
    assert time.monotonic() - started < 120
    hung = int(pid_file.read_text())
    deadline = time.monotonic() + 10
    while _running(hung) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _running(hung)


def test_without_on_failure_a_dying_worker_raises(settings):
    from concurrent.futures.process import BrokenProcessPool

    settings.CHORUS_IMPORT_WORKERS = 2
    with pytest.raises(BrokenProcessPool):
        list(ahead(_die_on_three, [(n,) for n in range(6)], count=6, at_least=2))
    assert [r for _a, r in ahead(_fail_on_three, [(1,), (2,)], count=2, at_least=2)] == [1, 2]
