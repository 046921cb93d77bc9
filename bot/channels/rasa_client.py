"""Rasa's REST channel, as the gateway reaches it on localhost."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

import httpx

log = logging.getLogger(__name__)


# The metadata key carrying the inbox row of a message to Rasa: a retaken message is looked
# up by it in Rasa's conversation (RasaClient.answered).
INBOUND_KEY = "inbound"


class RasaUnavailable(Exception):
    """Rasa (or the action server behind it) cannot answer now; the message must be kept."""


class EmptyAnswer(RasaUnavailable):
    """Rasa took the message but said nothing: its call to our /nlg failed (unreachable, as
    while the gateway shuts down) or its circuit breaker tripped. Every turn of our domain says
    at least one sentence, so an empty answer is a failed turn, never a real one."""


# Rasa's UserUtteranceReverted, then a fresh listen: the failed message is taken back (it is
# replayed later and must not count twice), and the circuit breaker, which counts the actions
# since the last action_listen, lets the conversation answer again.
_TAKE_BACK = [{"event": "rewind"}, {"event": "action", "name": "action_listen"}]


class RasaClient:
    def __init__(
        self,
        base_url: str,
        actions_url: str | None = None,
        timeout: float = 30.0,
        api_token: str = "",
    ):
        self.base_url = base_url.rstrip("/")
        self.actions_url = actions_url.rstrip("/") if actions_url else None
        self.timeout = timeout
        # Rasa's HTTP API (tracker events) answers only with this token (`--auth-token`).
        self.api_params = {"token": api_token} if api_token else {}

    async def send(
        self, client: httpx.AsyncClient, sender: str, message: str, metadata: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """Rasa's answer, never empty: a failed turn is taken back and tried once more (a
        breaker tripped in an earlier turn costs nothing then), else EmptyAnswer.

        Nothing is sent while the action server is down: Rasa would run the form, fail, and
        mark it rejected, and taking the message back does not undo that. Replayed after the
        restart, "lundi" at the form's day question got "not understood" and the menu, the
        form lost (an attacker's test, session 22)."""
        if await self.actions_down(client):
            raise RasaUnavailable("action server unreachable")
        answer = await self._post(client, sender, message, metadata)
        if answer:
            return answer
        await self.take_back(client, sender)
        # Rasa's REST channel swallows action failures and answers 200 with what it had;
        # an empty answer with the action server down means the turn did not happen.
        if await self.actions_down(client):
            raise RasaUnavailable("action server unreachable")
        answer = await self._post(client, sender, message, metadata)
        if answer:
            return answer
        await self.take_back(client, sender)
        raise EmptyAnswer("Rasa answered nothing")

    async def _post(
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
        return [item for item in answer if isinstance(item, dict)]

    async def take_back(self, client: httpx.AsyncClient, sender: str) -> None:
        """Takes the last message back out of the conversation (see _TAKE_BACK)."""
        try:
            response = await client.post(
                f"{self.base_url}/conversations/{sender}/tracker/events",
                params=self.api_params,
                json=_TAKE_BACK,
                timeout=self.timeout,
            )
        except httpx.HTTPError as exc:
            raise RasaUnavailable(f"Rasa unreachable: {type(exc).__name__}") from exc
        if response.status_code >= 400:
            log.warning("Rasa refused to take back a failed turn: HTTP %s", response.status_code)

    async def answered(
        self, client: httpx.AsyncClient, sender: str, inbound_id: int
    ) -> list[dict[str, Any]] | None:
        """Rasa's answer to the message `inbound_id` if it already took it and kept its turn
        (a process died between Rasa's answer and sending it on), as the REST channel gives
        it; None when the message must be sent. Sent again, "1" at the confirmation booked
        and then got the menu: the person never saw their code (a failing-machine test)."""
        try:
            response = await client.get(
                f"{self.base_url}/conversations/{quote(sender, safe='')}/tracker",
                params={**self.api_params, "include_events": "AFTER_RESTART"},
                timeout=self.timeout,
            )
            response.raise_for_status()
            events = response.json().get("events") or []
        except (httpx.HTTPError, ValueError) as exc:
            # Then it is sent: down, Rasa keeps it for later; up, the old risk of a second turn
            # beats leaving the person without an answer.
            log.warning("Rasa's conversation unreadable (%s)", type(exc).__name__)
            return None
        return answer_to(events, inbound_id) if isinstance(events, list) else None

    async def ready(self, client: httpx.AsyncClient) -> bool:
        """Rasa and the action server behind it both answer: a turn can happen."""
        if not await _reachable(client, f"{self.base_url}/"):
            return False
        return self.actions_url is None or await self.actions_up(client)

    async def set_slot(self, client: httpx.AsyncClient, sender: str, name: str, value: str) -> None:
        """A slot of the conversation set through Rasa's HTTP API (`--enable-api`). Best effort:
        if it fails, the message still goes (Rasa down shows there) and the answer's language
        says what the person read."""
        try:
            response = await client.post(
                f"{self.base_url}/conversations/{quote(sender, safe='')}/tracker/events",
                params={**self.api_params, "include_events": "NONE"},
                json=[{"event": "slot", "name": name, "value": value}],
                timeout=self.timeout,
            )
            response.raise_for_status()
        except httpx.HTTPError as exc:
            log.warning("could not set slot %s of %s: %s", name, sender, type(exc).__name__)

    async def actions_down(self, client: httpx.AsyncClient) -> bool:
        """The action server Rasa calls does not answer (a stack without one: never down)."""
        return bool(self.actions_url) and not await self.actions_up(client)

    async def actions_up(self, client: httpx.AsyncClient) -> bool:
        return bool(self.actions_url) and await _reachable(client, f"{self.actions_url}/health")


async def _reachable(client: httpx.AsyncClient, url: str) -> bool:
    try:
        return (await client.get(url, timeout=2.0)).status_code < 500
    except httpx.HTTPError:
        return False


def answer_to(events: list[dict[str, Any]], inbound_id: int) -> list[dict[str, Any]] | None:
    """The bot messages that followed the person's message `inbound_id` (metadata `inbound`),
    None if it is not there, was taken back (rewind) or got no answer."""
    start = next(
        (
            i
            for i in range(len(events) - 1, -1, -1)
            if events[i].get("event") == "user"
            and (events[i].get("metadata") or {}).get(INBOUND_KEY) == inbound_id
        ),
        None,
    )
    if start is None:
        return None
    answer: list[dict[str, Any]] = []
    for event in events[start + 1 :]:
        kind = event.get("event")
        if kind in ("user", "rewind"):
            if kind == "rewind":
                return None
            break
        if kind == "bot":
            data = {k: v for k, v in (event.get("data") or {}).items() if v}
            answer.append({"text": event.get("text"), **data})
    return answer or None
