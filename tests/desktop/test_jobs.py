"""Background jobs: a job still running in a worker process when its window closes is
stopped with the worker, so the next window's jobs never wait behind it."""

from __future__ import annotations

import operator
import time

import pytest

pytest.importorskip("pytestqt")

from desktop import jobs as jobs_module
from desktop.jobs import Jobs

POOL = "test-stop"


def test_closing_stops_a_worker_busy_with_a_job_nobody_will_read(qtbot):
    jobs = Jobs()
    results: list = []
    jobs.submit("slow", time.sleep, results.append, results.append, args=(600,),
                in_process=POOL)
    pool = jobs_module._process_pools[POOL]
    future = jobs._pending["slow"][1]
    qtbot.waitUntil(future.running, timeout=60_000)
    processes = list(pool._processes.values())
    assert processes and all(p.is_alive() for p in processes)
    jobs.shutdown()
    assert POOL not in jobs_module._process_pools  # the next job starts a fresh worker
    for p in processes:
        p.join(timeout=60)
    assert not any(p.is_alive() for p in processes)
    assert results == []  # nothing delivered from the stopped job
    fresh = Jobs()
    fresh.submit("quick", operator.add, results.append, results.append, args=(2, 3),
                 in_process=POOL)
    qtbot.waitUntil(lambda: results == [5], timeout=60_000)
    fresh.shutdown()
    jobs_module.shutdown_process_pool(POOL)
