"""Picking a TCP port for a server this process is about to start (tests, benchmarks)."""

from __future__ import annotations

import random
import socket


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
