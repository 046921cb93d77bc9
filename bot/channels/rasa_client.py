"""Rasa's REST channel, as the gateway reaches it on localhost."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

import httpx

log = logging.getLogger(__name__)


class RasaUnavailable(Exception):
    """Rasa (or the action server behind it) cannot answer now; the message must be kept."""


class RasaClient:
    def __init__(self, base_url: str, actions_url: str | None = None, timeout: float = 30.0):
        self.base_url = base_url.rstrip("/")
        self.actions_url = actions_url.rstrip("/") if actions_url else None
        self.timeout = timeout

    async def send(
        self, client: httpx.AsyncClient, sender: str, message: str, metadata: dict[str, Any]
    ) -> list[dict[str, Any]]:
        try:
            response = await client.post(
                f"{self.base_url}/webhooks/rest/webhook",
                json={"sender": sender, "message": message, "metadata": metadata},
                timeout=self.timeout,
            )
        except httpx.HTTPError as exc:
            raise RasaUnavailable(f"Rasa unreachable: {type(exc).__name__}") from exc
        if response.status_code >= 400:
            raise RasaUnavailable(f"Rasa answered HTTP {response.status_code}")
        answer = response.json()
        if not isinstance(answer, list):
            raise RasaUnavailable("Rasa answered something that is not a message list")
        # Rasa's REST channel swallows action failures and answers 200 with what it had;
        # an empty answer with the action server down means the turn did not happen.
        if not answer and self.actions_url and not await self.actions_up(client):
            raise RasaUnavailable("action server unreachable")
        return [item for item in answer if isinstance(item, dict)]

    async def set_slot(self, client: httpx.AsyncClient, sender: str, name: str, value: str) -> None:
        """A slot of the conversation set through Rasa's HTTP API (`--enable-api`). Best effort:
        if it fails, the message still goes (Rasa down shows there) and the answer's language
        says what the person read."""
        try:
            response = await client.post(
                f"{self.base_url}/conversations/{quote(sender, safe='')}/tracker/events",
                params={"include_events": "NONE"},
                json=[{"event": "slot", "name": name, "value": value}],
                timeout=self.timeout,
            )
            response.raise_for_status()
        except httpx.HTTPError as exc:
            log.warning("could not set slot %s of %s: %s", name, sender, type(exc).__name__)

    async def rasa_up(self, client: httpx.AsyncClient) -> bool:
        return await _reachable(client, f"{self.base_url}/")

    async def actions_up(self, client: httpx.AsyncClient) -> bool:
        return bool(self.actions_url) and await _reachable(client, f"{self.actions_url}/health")


async def _reachable(client: httpx.AsyncClient, url: str) -> bool:
    try:
        return (await client.get(url, timeout=2.0)).status_code < 500
    except httpx.HTTPError:
        return False
