"""`make run` stops on Ctrl-C without a traceback, whether the stack had finished starting or
not. run.py is started as `make run` starts it, against the suite's PostgreSQL and Temporal
(so nothing embedded is started twice), and sent SIGINT as a terminal's Ctrl-C would."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

import devstack

ROOT = Path(__file__).resolve().parents[2]


def start_run(database_url: str, temporal_address: str, tmp_path: Path) -> subprocess.Popen:
    env = devstack.env_with(
        DATABASE_URL=database_url,
        TEMPORAL_ADDRESS=temporal_address,
        TEMPORAL_TASK_QUEUE="leads-run-stop",
        PORT=str(devstack.free_port()),
        DATA_DIR=str(tmp_path),
        MEDIA_DIR=str(tmp_path / "media"),
        WORKER_SHUTDOWN_SECONDS="2",
        WORKER_METRICS_PORT="0",  # other suites may run beside this one
        TEMPORAL_METRICS_PORT="0",
    )
    return subprocess.Popen(
        [sys.executable, "run.py"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own group, as a terminal's foreground job
    )


def ctrl_c(process: subprocess.Popen) -> str:
    os.killpg(process.pid, signal.SIGINT)  # the terminal signals the whole foreground group
    output, _ = process.communicate(timeout=60)
    return output


def wait_for_line(process: subprocess.Popen, text: str, timeout: float = 90) -> str:
    seen = ""
    deadline = time.monotonic() + timeout
    assert process.stdout is not None
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        seen += line
        if text in line:
            return seen
    raise AssertionError(f"{text!r} not printed; output so far:\n{seen}")


def test_ctrl_c_after_start_up_stops_everything_without_a_traceback(
    database_url: str, temporal_address: str, tmp_path: Path
) -> None:
    process = start_run(database_url, temporal_address, tmp_path)
    started = wait_for_line(process, "Ctrl-C stops everything")
    # On one machine the worker yields the CPU to the API (WORKER_NICENESS, 5 by default).
    children = {" ".join(c.cmdline()): c for c in psutil.Process(process.pid).children()}
    worker = next(c for cmd, c in children.items() if "worker.py" in cmd)
    api = next(c for cmd, c in children.items() if "uvicorn" in cmd)
    deadline = time.monotonic() + 60  # the worker sets it once its modules are loaded
    while worker.nice() == os.nice(0) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert (worker.nice(), api.nice()) == (os.nice(0) + 5, os.nice(0))
    output = started + ctrl_c(process)
    assert "Traceback" not in output, output
    assert "stopping" in output
    assert process.returncode == 0, output


@pytest.mark.parametrize("after", [0.3, 1.5, 4.0])
def test_ctrl_c_during_start_up_stops_without_a_traceback(
    database_url: str, temporal_address: str, tmp_path: Path, after: float
) -> None:
    process = start_run(database_url, temporal_address, tmp_path)
    time.sleep(after)  # loading modules, migrating, or starting the children
    output = ctrl_c(process)
    assert "Traceback" not in output, output
    assert process.returncode in (0, 130), output
