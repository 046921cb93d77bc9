"""A gateway shutting down (SIGTERM: bot/gateway/drain.py) takes no new turn — 503 with
Retry-After, so Twilio's retry or the load balancer takes the message to a live process — and
leaves the pool (/health), while /nlg and the status callbacks are still served."""

from __future__ import annotations

import asyncio


def test_a_draining_gateway_refuses_new_turns_but_serves_the_rest(client, phone):
    assert phone.send("Bonjour").status_code == 200
    channels = client.app.state.channels
    asyncio.run(channels.drain(0))
    refused = phone.send("Encore là ?")
    assert refused.status_code == 503 and refused.headers["retry-after"] == "5"
    telegram = client.post("/telegram/webhook", json={"update_id": 1})
    assert telegram.status_code == 503
    health = client.get("/health")
    assert health.status_code == 503
    assert health.json()["checks"]["serving"] == {"ok": False, "detail": "shutting down"}
    # Rasa's calls to /nlg go on (refused here for the token, not for the shutdown).
    assert client.post("/nlg", json={}).status_code != 503
    assert client.post("/sms/twilio/status", data={}).status_code == 403
