"""An ASGI app served by uvicorn in a daemon thread of this process: the channels benchmark
drives its own gateway this way, and tests run real HTTP servers (gateway, NLG) beside them."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from typing import Literal


@contextlib.contextmanager
def serve_in_thread(
    app: object, port: int, *, lifespan: Literal["auto", "on", "off"] = "auto"
) -> Iterator[str]:
    """Serves `app` on 127.0.0.1:port until the block ends; yields its base URL."""
    import uvicorn

    # ws="none": none of the apps served here speaks websockets.
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", ws="none", lifespan=lifespan
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
