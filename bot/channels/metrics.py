"""Prometheus metrics of the channels (served by the gateway at GET /metrics)."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

MESSAGES_IN = Counter("guichet_messages_in_total", "Inbound messages accepted", ["channel"])
DUPLICATES = Counter(
    "guichet_messages_duplicate_total", "Redelivered messages ignored", ["channel"]
)
MESSAGES_OUT = Counter("guichet_messages_out_total", "Outbound messages sent", ["channel", "how"])
SEGMENTS = Counter("guichet_sms_segments_total", "SMS segments sent", ["encoding"])
QUEUED = Counter("guichet_messages_queued_total", "Inbound messages kept for later", ["reason"])
RASA_ERRORS = Counter("guichet_rasa_errors_total", "Rasa or action server unreachable")
SEND_ERRORS = Counter("guichet_send_errors_total", "Provider refused or failed a send", ["channel"])
REJECTED = Counter(
    "guichet_webhook_rejected_total", "Webhook requests refused", ["channel", "reason"]
)
RASA_LATENCY = Histogram(
    "guichet_rasa_seconds",
    "Time spent waiting for Rasa (and the actions behind it) per message",
    buckets=(0.05, 0.1, 0.2, 0.3, 0.5, 1, 2, 5, 10, 15, 30),
)
LATENCY = Histogram(
    "guichet_reply_seconds",
    "From an inbound message to its reply being ready",
    ["channel"],
    buckets=(0.05, 0.1, 0.2, 0.3, 0.5, 1, 2, 5, 10, 15, 30),
)
