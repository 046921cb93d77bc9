"""The préfectures' time zone: datetimes are stored in UTC and read and shown in Paris time."""

from __future__ import annotations

from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")
