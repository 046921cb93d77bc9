"""Servers a test or a benchmark starts beside itself: a free TCP port, and an ASGI app (the
gateway, the NLG endpoint) served by uvicorn in a daemon thread of this process."""

from __future__ import annotations

import contextlib
import random
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any, Literal


def free_port() -> int:
    """A port free on every interface, below the kernel's ephemeral range: a port the kernel
    hands out (bind to 0) can be taken again by any outgoing connection before the server that
    was meant to use it binds it, which made stacks fail with 'address already in use'."""
    rng = random.SystemRandom()
    for _ in range(200):
        port = rng.randrange(20000, 32000)
        with socket.socket() as sock:
            try:
                sock.bind(("0.0.0.0", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free TCP port between 20000 and 32000")


# A port nothing listens on: a server "down" is a real refused connection.
closed_port = free_port


@contextlib.contextmanager
def serve_in_thread(
    app: object,
    port: int,
    *,
    lifespan: Literal["auto", "on", "off"] = "auto",
    **options: Any,
) -> Iterator[str]:
    """Serves `app` on 127.0.0.1:port until the block ends; yields its base URL. `options` go
    to uvicorn.Config (e.g. the gateway's proxy options)."""
    import uvicorn

    # ws="none": none of the apps served here speaks websockets.
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        ws="none",
        lifespan=lifespan,
        **options,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    if not server.started:
        server.should_exit = True
        raise RuntimeError(f"the server did not start on port {port}")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
