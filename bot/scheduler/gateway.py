"""The scheduler's part of the gateway: replies to messages sent first are answered before Rasa,
and the deadline-alert endpoints are mounted under /api."""

from __future__ import annotations

from fastapi import FastAPI

from bot.scheduler import api
from bot.scheduler.replies import QuickReplies


def install(app: FastAPI) -> None:
    """Needs the channels installed first (app.state.channels)."""
    api.install(app)
    channels = getattr(app.state, "channels", None)
    if channels is None:
        return
    channels.conversations.quick_reply = QuickReplies(
        app.state.session_factory, app.state.booking_config, app.state.clock
    )
