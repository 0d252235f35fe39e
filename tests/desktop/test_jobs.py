"""Background jobs: a job still running in a worker process when its window closes no
longer holds up the next window's jobs: they go to a fresh worker."""

from __future__ import annotations

import operator
import subprocess

import pytest

pytest.importorskip("pytestqt")

from desktop import jobs as jobs_module
from desktop.jobs import Jobs

POOL = "test-stop"


def test_the_next_job_does_not_wait_behind_a_closed_windows_job(qtbot, tmp_path):
    flag = tmp_path / "go"
    results: list = []
    jobs = Jobs()
    # a job that runs until the test lets it go: it stands for a network's presets
    blocked = ["sh", "-c", f'while [ ! -e "{flag}" ]; do sleep 0.02; done']
    jobs.submit("slow", subprocess.run, results.append, results.append, args=(blocked,),
                in_process=POOL)
    old = jobs_module._process_pools[POOL]
    slow = jobs._pending["slow"][1]
    qtbot.waitUntil(slow.running, timeout=60_000)
    jobs.shutdown()  # the window closes while its job runs
    assert POOL not in jobs_module._process_pools
    fresh = Jobs()
    fresh.submit("quick", operator.add, results.append, results.append, args=(2, 3),
                 in_process=POOL)
    # answered while the old job is still blocked: it did not wait behind it
    qtbot.waitUntil(lambda: results == [5], timeout=60_000)
    assert not flag.exists()
    assert jobs_module._process_pools[POOL] is not old
    assert not slow.done()
    flag.touch()  # the old worker finishes its job (and then leaves)
    qtbot.waitUntil(slow.done, timeout=60_000)
    assert results == [5]  # nothing delivered from the closed window's job
    fresh.shutdown()
    jobs_module.shutdown_process_pool(POOL)
