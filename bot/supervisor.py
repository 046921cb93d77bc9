"""Keeps the helper processes of `guichet run` alive: the Rasa server, the action server and
the scheduler worker.

The gateway runs in the main process; the Rasa server (in its own Python environment,
.venv-rasa), the rasa-sdk action server and `guichet worker` run as children. A child that dies is
restarted with a growing delay, so a crash loop does not eat the machine; Ctrl-C (or
`stop()`) ends every child, politely first (SIGTERM), then firmly (SIGKILL).

Children start in their own session: a terminal Ctrl-C reaches only the supervisor, which
then stops the children in order instead of letting them all die at once mid-write. The same
must hold for a `kill` (SIGTERM) or a closed terminal (SIGHUP): `exit_on_signals` turns them
into SystemExit so that the `finally` stopping the children runs.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from bot.config import PROJECT_ROOT, Settings

Printer = Callable[[str], None]


_PRINT_LOCK = threading.Lock()


def _print(line: str) -> None:
    # One pump thread per child prints at once; print() writes the text and the newline in two
    # calls, so without the lock two children's lines could share one line ("[one] up[two] up").
    with _PRINT_LOCK:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


@dataclass(frozen=True)
class ChildSpec:
    """How to start one child process; `ready_url` answers 200 once it serves (printed once)."""

    name: str
    argv: Sequence[str]
    cwd: Path | None = None
    env: Mapping[str, str] = field(default_factory=dict)
    ready_url: str | None = None
    where: str = ""  # what the ready line says after the name: an address, a model


# What Rasa and its libraries print on every start and nobody can act on: deprecation warnings
# of TensorFlow, SQLAlchemy 1.4, pkg_resources, matplotlib... `QUIET_ENV` silences them at the
# source; `NoiseFilter` drops what a library re-enables itself. Real warnings and errors pass.
QUIET_ENV = {
    "PYTHONWARNINGS": (
        "ignore::DeprecationWarning,ignore::PendingDeprecationWarning,ignore::FutureWarning"
    ),
    "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
    "TF_CPP_MIN_LOG_LEVEL": "2",
}
_WARNING_HEADER = re.compile(r"\.py:\d+: (\w+)Warning\b")
_NOISY_WARNINGS = ("Deprecation", "PendingDeprecation", "Future", "SADeprecation", "MovedIn20")
_LOG_LINE = re.compile(r"^(\d{4}-\d{2}-\d{2}[ T]|Traceback |[A-Z]+:  |\[)")


class NoiseFilter:
    """Drops the lines of a deprecation warning: its header (`file.py:12: XWarning: ...`) and
    what follows it (the source line, a wrapped message) until a log line, a traceback or
    another warning starts."""

    def __init__(self) -> None:
        self._dropping = False

    def keep(self, line: str) -> bool:
        header = _WARNING_HEADER.search(line)
        if header is not None:
            self._dropping = header.group(1).endswith(_NOISY_WARNINGS)
            return not self._dropping
        if self._dropping and not _LOG_LINE.match(line):
            return False
        self._dropping = False
        return True


@dataclass
class _Child:
    spec: ChildSpec
    process: subprocess.Popen[str] | None = None
    started_at: float = 0.0
    restarts: int = 0
    next_start_at: float = 0.0
    pump: threading.Thread | None = None


class Supervisor:
    """Starts children, restarts the ones that exit, and stops them all on request.

    `backoff` is the delay before the first restart; it doubles on each crash up to
    `max_backoff`, and resets once a child has stayed up `stable_after` seconds.
    """

    def __init__(
        self,
        specs: Sequence[ChildSpec],
        *,
        backoff: float = 1.0,
        max_backoff: float = 30.0,
        stable_after: float = 60.0,
        poll_interval: float = 0.2,
        stop_timeout: float = 10.0,
        printer: Printer = _print,
    ) -> None:
        names = [spec.name for spec in specs]
        if len(set(names)) != len(names):
            raise ValueError(f"child names must be unique: {names}")
        self._children = [_Child(spec) for spec in specs]
        self._backoff = backoff
        self._max_backoff = max_backoff
        self._stable_after = stable_after
        self._poll_interval = poll_interval
        self._stop_timeout = stop_timeout
        self._print = printer
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._monitor: threading.Thread | None = None

    # -- observation (used by tests and by `guichet run` status lines) --------------------

    def pid(self, name: str) -> int | None:
        child = self._child(name)
        return child.process.pid if child.process else None

    def restarts(self, name: str) -> int:
        return self._child(name).restarts

    def is_running(self, name: str) -> bool:
        process = self._child(name).process
        return process is not None and process.poll() is None

    # -- life cycle ----------------------------------------------------------------------

    def start(self) -> None:
        with self._lock:
            for child in self._children:
                self._spawn(child)

    def poll_once(self) -> None:
        """Restarts every child that has exited (after its backoff delay)."""
        with self._lock:
            if self._stopping.is_set():
                return
            now = time.monotonic()
            for child in self._children:
                process = child.process
                if process is None:
                    if now >= child.next_start_at:
                        self._spawn(child)
                    continue
                code = process.poll()
                if code is None:
                    continue
                # What it started dies with it: the action server's sanic worker, left serving
                # port 5055 after its parent was killed, made every restart fail to bind, for
                # ever and unsupervised (a failing-machine test, session 30).
                _signal_group(process, signal.SIGKILL)
                uptime = now - child.started_at
                delay = self._delay_after_crash(child, uptime)
                child.restarts += 1
                child.process = None
                child.next_start_at = now + delay
                self._print(
                    f"[supervisor] {child.spec.name} exited with code {code} after "
                    f"{uptime:.1f}s; restarting in {delay:.1f}s (restart #{child.restarts})"
                )

    def run_forever(self) -> None:
        """Supervises until `stop()` is called (or Ctrl-C), then stops the children."""
        self.start()
        try:
            while not self._stopping.wait(self._poll_interval):
                self.poll_once()
        except KeyboardInterrupt:
            self._print("[supervisor] Ctrl-C received")
        finally:
            self.stop()

    def start_in_background(self) -> None:
        """Starts the children and a daemon thread that restarts them; call `stop()` at the end."""
        self.start()

        def monitor() -> None:
            while not self._stopping.wait(self._poll_interval):
                self.poll_once()

        self._monitor = threading.Thread(target=monitor, name="supervisor", daemon=True)
        self._monitor.start()

    def stop(self) -> None:
        self._stopping.set()
        if self._monitor is not None and self._monitor is not threading.current_thread():
            self._monitor.join(timeout=self._poll_interval * 5)
        with self._lock:
            running = [c for c in self._children if c.process and c.process.poll() is None]
            for child in running:
                self._print(f"[supervisor] stopping {child.spec.name} (pid {child.process.pid})")
                _signal_group(child.process, signal.SIGTERM)
            deadline = time.monotonic() + self._stop_timeout
            for child in running:
                assert child.process is not None
                try:
                    child.process.wait(timeout=max(0.0, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    self._print(f"[supervisor] {child.spec.name} did not stop; killing it")
                    _signal_group(child.process, signal.SIGKILL)
                    child.process.wait()
            for child in self._children:
                if child.pump is not None:
                    child.pump.join(timeout=2)
        self._print("[supervisor] all stopped")

    # -- internals -----------------------------------------------------------------------

    def _child(self, name: str) -> _Child:
        for child in self._children:
            if child.spec.name == name:
                return child
        raise KeyError(name)

    def _delay_after_crash(self, child: _Child, uptime: float) -> float:
        if uptime >= self._stable_after:
            child.restarts = 0
            return self._backoff
        return min(self._max_backoff, self._backoff * (2**child.restarts))

    def _spawn(self, child: _Child) -> None:
        spec = child.spec
        env = {**os.environ, **QUIET_ENV, **spec.env, "PYTHONUNBUFFERED": "1"}
        try:
            if shutil.which(spec.argv[0]) is None:  # setpriv would start, then fail to exec
                raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), spec.argv[0])
            process = subprocess.Popen(
                [*_DIE_WITH_US, *spec.argv],
                cwd=spec.cwd,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                text=True,
                bufsize=1,
                start_new_session=True,
            )
        except OSError as exc:
            # A missing executable is a crash like any other: report it, retry later.
            child.restarts += 1
            child.next_start_at = time.monotonic() + self._delay_after_crash(child, 0.0)
            self._print(f"[supervisor] cannot start {spec.name}: {exc}")
            return
        child.process = process
        child.started_at = time.monotonic()
        self._print(f"[supervisor] started {spec.name} (pid {process.pid})")
        assert process.stdout is not None
        child.pump = threading.Thread(
            target=_pump, args=(spec.name, process.stdout, self._print), daemon=True
        )
        child.pump.start()
        if spec.ready_url is not None:
            threading.Thread(target=self._announce_ready, args=(spec, process), daemon=True).start()

    def _announce_ready(self, spec: ChildSpec, process: subprocess.Popen[str]) -> None:
        """One line when the child serves: until then `guichet chat` would only get apologies."""
        assert spec.ready_url is not None
        started = time.monotonic()
        while process.poll() is None and not self._stopping.is_set():
            if _answers(spec.ready_url):
                seconds = time.monotonic() - started
                self._print(f"guichet: {spec.name:<8} {spec.where}  ready in {seconds:.0f} s")
                return
            time.sleep(0.5)


# The children end with the supervisor even when it is SIGKILLed (no handler runs then): left
# running, they held the ports, and the next `guichet run` restarted a Rasa that could not bind
# every 30 s, for ever (a failing-machine test, session 23). util-linux's setpriv sets the
# parent-death signal then execs the child (same pid); preexec_fn is unsafe beside threads.
_SETPRIV = shutil.which("setpriv") if sys.platform == "linux" else None
_DIE_WITH_US: tuple[str, ...] = (_SETPRIV, "--pdeathsig", "TERM", "--") if _SETPRIV else ()


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:  # noqa: S310 (our own URL)
            return bool(response.status == 200)
    except (OSError, urllib.error.URLError, ValueError):
        return False


def _pump(name: str, stream: IO[str], printer: Printer) -> None:
    """Prefixes each line of a child's output with its name, so interleaved logs stay legible;
    deprecation noise is dropped (NoiseFilter)."""
    noise = NoiseFilter()
    for line in stream:
        if noise.keep(line.rstrip()):
            printer(f"[{name}] {line.rstrip()}")
    stream.close()


def _signal_group(process: subprocess.Popen[str], sig: signal.Signals) -> None:
    # Rasa forks workers (sanic); signalling the whole session reaches them too.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)


@contextlib.contextmanager
def exit_on_signals(
    signals: Sequence[signal.Signals] = (signal.SIGTERM, signal.SIGHUP),
) -> Iterator[None]:
    """Turns these signals into SystemExit(128 + signal) for the duration, in the main thread.

    Their default action ends the process at once, skipping every `finally`: the children,
    in sessions of their own, would outlive it. uvicorn captures SIGTERM while it serves and
    re-raises it once shut down, which then lands here.
    """

    def leave(signum: int, _frame: object) -> None:
        # A second kill while the children are being stopped must not cut that short.
        for sig in signals:
            signal.signal(sig, signal.SIG_IGN)
        raise SystemExit(128 + signum)

    previous = {sig: signal.signal(sig, leave) for sig in signals}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def action_server_argv(port: int) -> list[str]:
    """The action server's command line (rasa-sdk serving our `actions` package)."""
    return [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(port)]


def stack_children(settings: Settings, root: Path = PROJECT_ROOT) -> list[ChildSpec]:
    """The Rasa server, the action server and the scheduler worker of `guichet run`."""
    rasa_port = settings.rasa_url.rsplit(":", 1)[-1].split("/")[0]
    rasa = ChildSpec(
        name="rasa",
        argv=[
            str(root / ".venv-rasa" / "bin" / "rasa"),
            "run",
            "--model",
            str(root / "models"),
            "--endpoints",
            str(root / "endpoints.yml"),
            "--credentials",
            str(root / "credentials.yml"),
            "--interface",
            "127.0.0.1",
            "--port",
            rasa_port,
            # The gateway takes failed turns back through Rasa's HTTP API: open only with the
            # token derived from the secret key, so nobody else on the host reads a conversation.
            "--enable-api",
            "--auth-token",
            settings.rasa_api_token,
            "--quiet",  # its INFO lines repeat what the ready line says; warnings stay
        ],
        cwd=root,
        env={"GUICHET_NLG_TOKEN": settings.nlg_token},
        ready_url=f"{settings.rasa_url}/",
        where=f"{settings.rasa_url}  (model in {root / 'models'})",
    )
    actions = ChildSpec(
        name="actions",
        # --quiet: one "Registered function" line per action otherwise.
        argv=[*action_server_argv(settings.actions_port), "--quiet"],
        cwd=root,
        # rasa-sdk binds 0.0.0.0 unless SANIC_HOST says otherwise (rasa_sdk.endpoint.run).
        # The service credential: the booking API acts for a phone only for such a caller.
        env={
            "GUICHET_API_URL": settings.api_url,
            "SANIC_HOST": "127.0.0.1",
            "GUICHET_SERVICE_TOKEN": settings.service_token,
        },
        ready_url=f"http://127.0.0.1:{settings.actions_port}/health",
        where=f"http://127.0.0.1:{settings.actions_port}",
    )
    # Reminders, waitlist offers and deadline alerts; it reads the same environment (database,
    # Twilio, Telegram) as the gateway.
    worker = ChildSpec(
        name="worker",
        argv=[sys.executable, "-m", "bot.cli", "worker"],
        cwd=root,
        env={"GUICHET_SERVICE_TOKEN": settings.service_token},
    )
    return [rasa, actions, worker]
