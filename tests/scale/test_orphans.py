"""`kill -9` of `budgetkg ingest` takes its process-pool workers with it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[2]


def _workers(proc: psutil.Process) -> list[psutil.Process]:
    out = []
    for c in proc.children():
        try:
            if "resource_tracker" not in " ".join(c.cmdline()):
                out.append(c)
        except psutil.NoSuchProcess:
            pass
    return out


def _still_running(procs: list[psutil.Process], timeout: float) -> list[int]:
    """pids still running after `timeout` s (a zombie waiting for its new parent to reap it counts as gone)."""
    deadline = time.monotonic() + timeout
    while True:
        alive = []
        for p in procs:
            try:
                if p.is_running() and p.status() != psutil.STATUS_ZOMBIE:
                    alive.append(p.pid)
            except psutil.NoSuchProcess:
                pass
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.05)


def test_pool_workers_die_with_a_killed_ingest(tmp_path):
    subprocess.run([sys.executable, str(ROOT / "data" / "generate.py"), "--out", str(tmp_path / "gen"), "--count",
                    "80", "--seed", "11", "--formats", "txt"], check=True, capture_output=True, timeout=300)
    log = open(tmp_path / "ingest.log", "wb")
    ingest = subprocess.Popen([sys.executable, "-m", "api.cli", "ingest", "--json", "--workers", "2", "--db",
                               str(tmp_path / "db"), str(tmp_path / "gen" / "txt")],
                              cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    workers: list[psutil.Process] = []
    try:
        parent = psutil.Process(ingest.pid)
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and ingest.poll() is None:
            workers = _workers(parent)
            if len(workers) >= 2:
                break
            time.sleep(0.02)
        assert len(workers) >= 2, f"no pool workers seen (ingest exit {ingest.poll()}): " \
                                  f"{(tmp_path / 'ingest.log').read_text(errors='replace')[-2000:]}"
        os.kill(ingest.pid, signal.SIGKILL)
        ingest.wait(10)
        alive = _still_running(workers, 5)
        assert not alive, f"workers outlived the killed ingest: {alive}"
    finally:
        for p in workers:
            try:
                p.kill()
            except psutil.NoSuchProcess:
                pass
        if ingest.poll() is None:
            ingest.kill()
        log.close()


def test_a_worker_whose_parent_is_already_gone_exits(tmp_path):
    """The race before the death signal is armed: started after its parent died, the
    worker ends at once instead of waiting for a signal that will never come."""
    code = ("import sys; from kg.parallel import die_with_parent; die_with_parent(int(sys.argv[1])); "
            "import time; time.sleep(30)")
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    p = subprocess.run([sys.executable, "-c", code, str(dead.pid)], cwd=ROOT, timeout=60, capture_output=True)
    assert (p.returncode, p.stderr.decode(errors="replace")) == (1, "")


def test_without_prctl_a_watcher_thread_ends_the_orphan(tmp_path):
    """Where PR_SET_PDEATHSIG is not available the worker watches its parent itself."""
    code = """if True:
        import os, sys, time
        pid = os.fork()
        if pid == 0:
            sys.platform = "darwin"  # no prctl: the watcher thread
            from kg.parallel import die_with_parent
            die_with_parent(os.getppid())
            print("ready", flush=True)
            time.sleep(60)
            os._exit(0)
        print(pid, flush=True)
        time.sleep(60)
    """
    middle = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE)
    child = None
    try:
        child = psutil.Process(int(middle.stdout.readline()))
        assert middle.stdout.readline().strip() == b"ready"
        assert _still_running([child], 0) == [child.pid]
        middle.kill()
        middle.wait(10)
        assert _still_running([child], 5) == []
    finally:
        middle.kill()
        middle.wait(10)
        if child is not None and _still_running([child], 0):
            child.kill()
