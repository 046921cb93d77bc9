"""The supervisor against small real child processes (python -c ...)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT, Settings
from bot.supervisor import ChildSpec, Supervisor, stack_children
from tests.support.servers import free_port


def _wait_for(predicate, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def _sleeper(name: str) -> ChildSpec:
    return ChildSpec(
        name, [sys.executable, "-c", "import time; print('up', flush=True); time.sleep(60)"]
    )


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie still answers kill(0); read its state to be sure.
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().split()[2] != "Z"


def test_starts_children_prefixes_their_output_and_stops_them_all():
    lines: list[str] = []
    sup = Supervisor([_sleeper("one"), _sleeper("two")], printer=lines.append, stop_timeout=5)
    sup.start_in_background()
    try:
        assert _wait_for(lambda: "[one] up" in lines and "[two] up" in lines)
        pids = [sup.pid("one"), sup.pid("two")]
        assert all(pid and _alive(pid) for pid in pids)
    finally:
        sup.stop()
    assert not any(_alive(pid) for pid in pids if pid)
    assert lines[-1] == "[supervisor] all stopped"


def test_restarts_a_crashed_child_with_growing_delay():
    lines: list[str] = []
    crasher = ChildSpec(
        "crasher", [sys.executable, "-c", "import sys; print('boom', flush=True); sys.exit(3)"]
    )
    sup = Supervisor([crasher, _sleeper("steady")], backoff=0.1, printer=lines.append)
    sup.start_in_background()
    try:
        assert _wait_for(lambda: sup.restarts("crasher") >= 3)
        steady_pid = sup.pid("steady")
    finally:
        sup.stop()
    exits = [line for line in lines if line.startswith("[supervisor] crasher exited with code 3")]
    assert len(exits) >= 3
    assert "restarting in 0.1s" in exits[0] and "restarting in 0.2s" in exits[1]
    assert "restarting in 0.4s" in exits[2]
    # The healthy child was never restarted.
    assert sup.restarts("steady") == 0 and steady_pid is not None


def test_a_child_that_ignores_sigterm_is_killed():
    stubborn = ChildSpec(
        "stubborn",
        [
            sys.executable,
            "-c",
            "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); print('up', flush=True); time.sleep(60)",
        ],
    )
    lines: list[str] = []
    sup = Supervisor([stubborn], stop_timeout=0.5, printer=lines.append)
    sup.start_in_background()
    assert _wait_for(lambda: "[stubborn] up" in lines)
    pid = sup.pid("stubborn")
    started = time.monotonic()
    sup.stop()
    assert time.monotonic() - started < 5
    assert pid is not None and not _alive(pid)
    assert "[supervisor] stubborn did not stop; killing it" in lines


# A parent that starts a worker process (as sanic does for the action server), then serves.
_FORKING_SERVER = """
import subprocess, sys, time
worker = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
print("worker", worker.pid, flush=True)
time.sleep(60)
"""


def test_a_killed_child_takes_its_workers_with_it_before_the_restart():
    """The action server SIGKILLed left its sanic worker serving port 5055: each restart could
    not bind, for ever (a failing-machine test, session 30)."""
    lines: list[str] = []
    server = ChildSpec("server", [sys.executable, "-c", _FORKING_SERVER])
    sup = Supervisor([server], backoff=0.1, printer=lines.append)
    sup.start_in_background()
    try:
        assert _wait_for(lambda: any(line.startswith("[server] worker") for line in lines))
        worker = int(next(line for line in lines if line.startswith("[server] worker")).split()[2])
        parent = sup.pid("server")
        assert parent is not None and _alive(worker)
        os.kill(parent, signal.SIGKILL)
        assert _wait_for(lambda: sup.restarts("server") >= 1)
        assert _wait_for(lambda: not _alive(worker), timeout=5)
    finally:
        sup.stop()


def test_a_missing_executable_is_reported_and_retried_not_fatal():
    lines: list[str] = []
    sup = Supervisor(
        [ChildSpec("ghost", ["/nonexistent/ghost"])], backoff=0.05, printer=lines.append
    )
    sup.start_in_background()
    try:
        assert _wait_for(lambda: sup.restarts("ghost") >= 2)
    finally:
        sup.stop()
    assert any("cannot start ghost" in line for line in lines)


def test_run_forever_returns_after_stop_from_another_thread():
    import threading

    sup = Supervisor([_sleeper("one")], printer=lambda _line: None)
    runner = threading.Thread(target=sup.run_forever)
    runner.start()
    assert _wait_for(lambda: sup.is_running("one"))
    sup.stop()
    runner.join(timeout=10)
    assert not runner.is_alive() and not sup.is_running("one")


def test_stack_children_use_both_environments_and_the_settings_ports():
    settings = Settings(
        rasa_url="http://127.0.0.1:5105", actions_port=5155, api_url="http://127.0.0.1:8100/api"
    )
    rasa, actions, worker = stack_children(settings, root=Path("/srv/guichet"))
    assert rasa.argv[0] == "/srv/guichet/.venv-rasa/bin/rasa"
    assert rasa.argv[rasa.argv.index("--port") + 1] == "5105"
    assert actions.argv[:3] == [sys.executable, "-m", "rasa_sdk"]
    assert actions.argv[actions.argv.index("--port") + 1] == "5155"
    assert actions.env["GUICHET_API_URL"] == "http://127.0.0.1:8100/api"
    assert worker.argv == [sys.executable, "-m", "bot.cli", "worker"]


def test_the_worker_child_command_is_a_real_cli_command():
    """`guichet worker` exists with the arguments stack_children gives it."""
    [worker] = [spec for spec in stack_children(Settings()) if spec.name == "worker"]
    done = subprocess.run(
        [*worker.argv, "--help"], cwd=worker.cwd, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0 and "--once" in done.stdout


# Several pump threads printing at once, in a process of their own so stdout is a real pipe.
INTERLEAVING_SCRIPT = """
import threading
from bot.supervisor import _print
def pump(n):
    for i in range(2000):
        _print(f"[t{n}] line {i}")
threads = [threading.Thread(target=pump, args=(n,)) for n in range(8)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
"""


def test_lines_of_children_printing_at_once_are_never_merged():
    """print() wrote text and newline apart: 2,063 of 16,000 lines came out merged."""
    done = subprocess.run(
        [sys.executable, "-c", INTERLEAVING_SCRIPT],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=PROJECT_ROOT,
    )
    lines = done.stdout.splitlines()
    assert len(lines) == 16_000
    assert [line for line in lines if not re.fullmatch(r"\[t\d\] line \d+", line)] == []


# A supervisor in a process of its own, as `guichet run` holds it: started, then killed.
SUPERVISING_SCRIPT = """
import sys, threading
from bot.supervisor import ChildSpec, Supervisor, exit_on_signals
sleeper = [sys.executable, "-c", "import time; print('up', flush=True); time.sleep(120)"]
with exit_on_signals():
    sup = Supervisor([ChildSpec("one", sleeper), ChildSpec("two", sleeper)], stop_timeout=5)
    try:
        sup.start_in_background()
        threading.Event().wait()
    finally:
        sup.stop()
"""


def _started_pids(
    process: subprocess.Popen[str], names: set[str], timeout: float = 30.0
) -> dict[str, int]:
    """Reads the supervisor's output until every child has said it is up."""
    pids: dict[str, int] = {}
    up: set[str] = set()
    deadline = time.monotonic() + timeout
    assert process.stdout is not None
    while up != names and time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        match = re.match(r"\[supervisor\] started (\w+) \(pid (\d+)\)", line)
        if match:
            pids[match.group(1)] = int(match.group(2))
        for name in names:
            if line.startswith(f"[{name}] "):
                up.add(name)
    assert up == names, f"children not up: {names - up}"
    return pids


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP, signal.SIGKILL])
def test_a_killed_supervisor_stops_its_children(sig):
    process = subprocess.Popen(
        [sys.executable, "-c", SUPERVISING_SCRIPT],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        pids = _started_pids(process, {"one", "two"})
        process.send_signal(sig)
        # SIGKILL runs no handler: the children go by their parent-death signal.
        assert process.wait(timeout=15) == (-sig if sig == signal.SIGKILL else 128 + sig)
    finally:
        if process.poll() is None:
            process.kill()
    try:
        assert _wait_for(lambda: not any(_alive(pid) for pid in pids.values()))
    finally:  # a failure must not leave orphans running
        for pid in pids.values():
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)


def test_guichet_run_supervises_the_worker_and_stops_it_when_killed(tmp_path):
    """The real `guichet run` (no Rasa): the scheduler worker runs beside the gateway, and a
    SIGTERM to `guichet run` ends the worker too (uvicorn re-raises the signal it caught)."""
    env = {
        **os.environ,
        "GUICHET_DATABASE_URL": f"sqlite:///{tmp_path / 'guichet.db'}",
        "GUICHET_PORT": str(free_port()),
        "PYTHONUNBUFFERED": "1",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "run", "--no-rasa", "--log-level", "warning"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        pids = _started_pids(process, {"worker"}, timeout=90)
        assert _alive(pids["worker"])
        time.sleep(0.5)  # let uvicorn install its signal handlers
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    try:
        assert _wait_for(lambda: not _alive(pids["worker"]))
    finally:  # a failure must not leave the orphan running
        if _alive(pids["worker"]):
            os.kill(pids["worker"], signal.SIGKILL)


def test_deprecation_noise_is_dropped_and_real_warnings_and_errors_kept():
    from bot.supervisor import NoiseFilter

    output = [
        "/x/rasa/core/tracker_store.py:1044: MovedIn20Warning: Deprecated API features detected!",
        "  Base: DeclarativeMeta = declarative_base()",
        "/x/pkg_resources/__init__.py:3117: DeprecationWarning: Deprecated call to `declare_namespace`.",
        "Implementing implicit namespace packages (as specified in PEP 420) is preferred",
        "  declare_namespace(pkg)",
        "/x/matplotlib/fontconfig_pattern.py:66: PyparsingDeprecationWarning: 'setParseAction'",
        "  ).setParseAction(self._family)",
        "2026-12-01 14:30:16 INFO     root  - Starting Rasa server on http://127.0.0.1:5005",
        "/x/rasa/shared/utils/io.py:99: UserWarning: Slot 'x' uses a custom mapping",
        "  rasa.shared.utils.io.raise_warning(",
        "/x/tensorflow/util.py:52: FutureWarning: something later",
        "Traceback (most recent call last):",
        '  File "/x/app.py", line 3, in <module>',
        "ValueError: boom",
    ]
    noise = NoiseFilter()
    kept = [line for line in output if noise.keep(line)]
    assert kept == [
        "2026-12-01 14:30:16 INFO     root  - Starting Rasa server on http://127.0.0.1:5005",
        "/x/rasa/shared/utils/io.py:99: UserWarning: Slot 'x' uses a custom mapping",
        "  rasa.shared.utils.io.raise_warning(",
        "Traceback (most recent call last):",
        '  File "/x/app.py", line 3, in <module>',
        "ValueError: boom",
    ]


def test_a_child_that_serves_is_announced_once_with_where_it_listens(tmp_path: Path):
    port = free_port()
    server = ChildSpec(
        "web",
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
        cwd=tmp_path,
        ready_url=f"http://127.0.0.1:{port}/",
        where=f"http://127.0.0.1:{port}",
    )
    lines: list[str] = []
    sup = Supervisor([server], printer=lines.append, stop_timeout=5)
    sup.start_in_background()
    try:
        assert _wait_for(lambda: any(line.startswith("guichet: web") for line in lines))
        time.sleep(1)
    finally:
        sup.stop()
    ready = [line for line in lines if line.startswith("guichet: web")]
    assert len(ready) == 1
    assert re.fullmatch(rf"guichet: web +http://127\.0\.0\.1:{port}  ready in \d+ s", ready[0])


def test_rasa_and_the_action_server_are_closed_to_the_host():
    """Rasa's HTTP API only with a token (anyone on the host read any conversation through
    it), both servers on 127.0.0.1, and Rasa holds the token /nlg asks for (endpoints.yml reads
    it from its env)."""
    settings = Settings(secret_key="k")
    rasa, actions, _worker = stack_children(settings, root=Path("/srv/guichet"))
    assert "--enable-api" in rasa.argv
    assert rasa.argv[rasa.argv.index("--auth-token") + 1] == settings.rasa_api_token
    assert settings.rasa_api_token not in (settings.nlg_token, settings.secret_key)
    assert rasa.argv[rasa.argv.index("--interface") + 1] == "127.0.0.1"
    assert actions.env["SANIC_HOST"] == "127.0.0.1"
    assert rasa.env["GUICHET_NLG_TOKEN"] == settings.nlg_token
    endpoints = (PROJECT_ROOT / "endpoints.yml").read_text()
    assert "token: ${GUICHET_NLG_TOKEN}" in endpoints


def test_the_stack_children_run_quietly_and_say_when_they_serve():
    settings = Settings(rasa_url="http://127.0.0.1:5105", actions_port=5155)
    rasa, actions, worker = stack_children(settings, root=Path("/srv/guichet"))
    assert "--quiet" in rasa.argv and "--quiet" in actions.argv
    assert rasa.ready_url == "http://127.0.0.1:5105/"
    assert actions.ready_url == "http://127.0.0.1:5155/health"
