"""Booking benchmark (`guichet bench booking`): a burst of 2,000 booking attempts from 50
concurrent HTTP clients at 100 places (10 slots × 10 guichets), against a real gateway process
(uvicorn) on PostgreSQL and on SQLite. Prints attempts/s, p50/p95 latency, bookings made and
overbookings (must be 0).

PostgreSQL: GUICHET_BENCH_POSTGRES_URL (default: the test server); a throw-away schema is used.
"""

from __future__ import annotations

import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx
from sqlalchemy import Engine, func, select, text

from benchmarks.timing import percentile
from bot.booking.models import Booking, BookingStatus, DemarcheRow, SiteDemarche, SiteRow, Slot
from bot.db import make_engine, make_session_factory, upgrade, utcnow
from tests.support.booking import SERVICE, SERVICE_TOKEN
from tests.support.servers import free_port

ATTEMPTS = 2_000
CLIENTS = 50
SLOTS = 10
GUICHETS = 10
DEMARCHE = "bench_demarche"
DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
# Gateway worker processes (uvicorn --workers); `guichet run` serves with one.
WORKERS = int(os.environ.get("GUICHET_BENCH_WORKERS", "1"))


@dataclass(frozen=True)
class BurstResult:
    backend: str
    seconds: float
    latencies_ms: list[float]
    outcomes: Counter[str]
    bookings: int
    overbooked_places: int
    counter_drift: int

    def lines(self) -> list[str]:
        lat = sorted(self.latencies_ms)
        p95 = percentile(lat, 0.95) if lat else float("nan")
        return [
            f"{self.backend:10} attempts/s {len(lat) / self.seconds:7.0f}   "
            f"p50 {statistics.median(lat):6.1f} ms   p95 {p95:6.1f} ms",
            f"{'':10} bookings made {self.bookings} / {SLOTS * GUICHETS} places   "
            f"overbookings {self.overbooked_places}   counter drift {self.counter_drift}   "
            f"outcomes {dict(self.outcomes)}",
        ]


def _prepare(engine: Engine) -> list[int]:
    upgrade(engine)
    factory = make_session_factory(engine)
    start = utcnow().replace(minute=0, second=0, microsecond=0) + timedelta(days=2)
    with factory.begin() as session:
        session.add_all(
            [
                SiteRow(
                    code="bench-site",
                    name="Préfecture de banc d'essai",
                    departement="99",
                    departement_name="Banc",
                    city="Banc",
                    postal_codes=[],
                    address="",
                ),
                DemarcheRow(code=DEMARCHE, name="Banc d'essai", slot_minutes=20, horizon_days=60),
            ]
        )
        session.flush()
        session.add(SiteDemarche(site_code="bench-site", demarche_code=DEMARCHE))
        slots = [
            Slot(
                site_code="bench-site",
                demarche_code=DEMARCHE,
                starts_at=start + timedelta(minutes=20 * i),
                ends_at=start + timedelta(minutes=20 * (i + 1)),
                capacity=GUICHETS,
                places_taken=0,
                published_at=utcnow(),
            )
            for i in range(SLOTS)
        ]
        session.add_all(slots)
        session.flush()
        return [s.id for s in slots]


@contextmanager
def _gateway(database_url: str) -> Iterator[str]:
    """The real gateway in its own process, as `guichet run` serves it."""
    port = free_port()
    env = {
        **os.environ,
        "GUICHET_DATABASE_URL": database_url,
        "GUICHET_PORT": str(port),
        # The clients book as the action server does; this measures the engine under
        # contention, not the service's rate limit.
        "GUICHET_SERVICE_TOKEN": SERVICE_TOKEN,
        "GUICHET_RATE_PER_SERVICE": "",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "bot.gateway.app:create_app",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--ws",
            "none",
            "--no-access-log",
            "--workers",
            str(WORKERS),
        ],
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/api/v1/demarches", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            raise RuntimeError("the gateway did not start")
        yield f"{base}/api/v1"
    finally:
        process.terminate()
        process.wait(timeout=10)


def _burst(api: str, slot_ids: list[int]) -> tuple[float, list[float], Counter[str]]:
    latencies: list[float] = []
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()
    barrier = threading.Barrier(CLIENTS)
    per_client = ATTEMPTS // CLIENTS

    def client(index: int) -> None:
        rng = random.Random(index)
        mine: list[float] = []
        seen: Counter[str] = Counter()
        with httpx.Client(base_url=api, timeout=30, headers=SERVICE) as http:
            with suppress(httpx.HTTPError):
                http.get("/demarches")  # open the keep-alive connection before the start signal
            with suppress(threading.BrokenBarrierError):
                barrier.wait(timeout=60)
            for attempt in range(per_client):
                phone = f"+3361{index:03d}{attempt:04d}"
                started = time.perf_counter()
                try:
                    response = http.post(
                        "/bookings", json={"slot_id": rng.choice(slot_ids), "phone": phone}
                    )
                    outcome = (
                        "booked"
                        if response.status_code == 201
                        else (
                            response.json().get("error", {}).get("code", str(response.status_code))
                            if response.status_code < 500
                            else f"http_{response.status_code}"
                        )
                    )
                except httpx.HTTPError as exc:
                    outcome = type(exc).__name__
                mine.append((time.perf_counter() - started) * 1000)
                seen[outcome] += 1
        with lock:
            latencies.extend(mine)
            outcomes.update(seen)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started, latencies, outcomes


def _audit(engine: Engine) -> tuple[int, int, int]:
    """(bookings, places overbooked, slots whose counter disagrees with their bookings)."""
    with make_session_factory(engine)() as session:
        counts = dict(
            session.execute(
                select(Booking.slot_id, func.count(Booking.id))
                .where(Booking.status == BookingStatus.BOOKED)
                .group_by(Booking.slot_id)
            ).all()
        )
        slots = session.scalars(select(Slot)).all()
        overbooked = sum(max(0, counts.get(s.id, 0) - s.capacity) for s in slots)
        drift = sum(1 for s in slots if s.places_taken != counts.get(s.id, 0))
        return sum(counts.values()), overbooked, drift


def _run(backend: str, url: str, engine: Engine) -> BurstResult:
    slot_ids = _prepare(engine)
    with _gateway(url) as api:
        seconds, latencies, outcomes = _burst(api, slot_ids)
    bookings, overbooked, drift = _audit(engine)
    return BurstResult(backend, seconds, latencies, outcomes, bookings, overbooked, drift)


def _sqlite() -> BurstResult:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        engine = make_engine(url)
        try:
            return _run("sqlite", url, engine)
        finally:
            engine.dispose()


def _postgres() -> BurstResult | str:
    base = os.environ.get("GUICHET_BENCH_POSTGRES_URL", DEFAULT_POSTGRES_URL)
    name = f"bench_{uuid.uuid4().hex[:10]}"
    admin = make_engine(base)
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{name}"'))
    except Exception as exc:  # no server: report it, the SQLite figures still stand
        admin.dispose()
        return f"skipped ({type(exc).__name__}: PostgreSQL unreachable at {base})"
    separator = "&" if "?" in base else "?"
    url = f"{base}{separator}options=-csearch_path%3D{name}"
    engine = make_engine(url)
    try:
        return _run("postgresql", url, engine)
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
        admin.dispose()


def run_benchmark() -> None:
    print(
        f"booking burst: {ATTEMPTS} attempts, {CLIENTS} concurrent HTTP clients, "
        f"{SLOTS * GUICHETS} places ({SLOTS} slots × {GUICHETS} guichets)",
        flush=True,
    )
    for name, runner in (("postgresql", _postgres), ("sqlite", _sqlite)):
        print(f"  running on {name}…", flush=True)
        result = runner()
        if isinstance(result, str):
            print(f"  {name:10} {result}")
            continue
        for line in result.lines():
            print(f"  {line}", flush=True)
