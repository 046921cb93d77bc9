"""The action server's shutdown hook. rasa_sdk imports this package, when it is importable, to
extend its Sanic app (rasa_sdk/plugin.py): here, the actions' shared booking client is closed
before the server's event loop stops, so its pooled connections end cleanly."""

from __future__ import annotations

import sys
from typing import Any

import pluggy
from sanic import Sanic

from bot.booking.client import close_shared_clients

hookimpl = pluggy.HookimplMarker("rasa_sdk")


@hookimpl
def attach_sanic_app_extensions(app: Sanic) -> None:
    async def close_booking_client(_app: Sanic, _loop: Any) -> None:
        await close_shared_clients()

    app.register_listener(close_booking_client, "before_server_stop")


def init_hooks(manager: pluggy.PluginManager) -> None:
    manager.register(sys.modules[__name__])
