"""GET /metrics (Prometheus) and the channels' part of GET /health."""

from __future__ import annotations

import httpx
from fastapi import APIRouter, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from bot.config import Settings


def build_metrics_router() -> APIRouter:
    router = APIRouter(tags=["monitoring"])

    @router.get("/metrics")
    def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router


def _probe(url: str) -> tuple[bool, str]:
    try:
        status = httpx.get(url, timeout=1.5).status_code
    except httpx.HTTPError as exc:
        return False, type(exc).__name__
    return status < 500, f"HTTP {status}"


def rasa_check(settings: Settings) -> tuple[bool, str]:
    return _probe(f"{settings.rasa_url}/")


def actions_check(settings: Settings) -> tuple[bool, str]:
    return _probe(f"{actions_url(settings)}/health")


def actions_url(settings: Settings) -> str:
    return f"http://127.0.0.1:{settings.actions_port}"
