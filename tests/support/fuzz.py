"""A fuzzer of every route of the gateway's OpenAPI, in process (no socket): requests drawn from
the schema, half plausible and half hostile (edge dates, huge numbers, non-ASCII digits, wrong
types, deep JSON, garbage bodies), with a credential, none, or a forged one.

Seeded `random`, not hypothesis: ten thousand requests must take seconds, and a failure is
reproduced from its seed. Shared by tests/gateway/test_fuzz_api.py and
benchmarks/resilience_api.py.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from fastapi.testclient import TestClient

EDGE_DATES = ["9999-12-31", "0001-01-01", "2026-02-30", "2026-13-01", "1970-01-01", "2026-01-13"]
EDGE_INTS = [0, -1, 1, 2, 3, 2**31 - 1, 2**31, 2**63, 10**30, -(2**63)]
EDGE_STRINGS = [
    "",
    " ",
    "٣",
    "１",
    "²",
    "\x00",
    "𝟘𝟙",
    "' OR 1=1 --",
    "../../etc/passwd",
    "%00",
    "a" * 300,
    "+33612345678",
    "06 12 34 56 78",
    "عربي",
    "null",
    "1e309",
]
PHONES = ["+33612345678", "+33698765432", "0612345600", "+212600000000", "12", "+3361234567890123"]


def _deep(depth: int) -> str:
    return "[" * depth + "]" * depth


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    parameters: tuple[dict[str, Any], ...]
    body: dict[str, Any] | None
    acts_for_a_phone: bool = False


@dataclass
class Tally:
    sent: int = 0
    server_errors: list[str] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    forged_tried: int = 0
    forged_refused: int = 0
    forged_acted: list[str] = field(default_factory=list)


def _resolve(schema: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = spec["components"]["schemas"][name]
    return schema


def operations(spec: dict[str, Any]) -> list[Operation]:
    """Every (method, path) of the OpenAPI document."""
    found = []
    for path, item in spec["paths"].items():
        for method, op in item.items():
            body = None
            content = (op.get("requestBody") or {}).get("content", {})
            if "application/json" in content:
                body = _resolve(content["application/json"]["schema"], spec)
            properties = (body or {}).get("properties", {})
            found.append(
                Operation(
                    method.upper(),
                    path,
                    tuple(op.get("parameters", [])),
                    body,
                    acts_for_a_phone="phone" in properties,
                )
            )
    return found


class Fuzzer:
    """Draws requests for `operations`; `hints` gives real values by parameter name (site and
    démarche codes, slot ids, convocation codes) so that plausible requests reach the engine."""

    def __init__(
        self,
        spec: dict[str, Any],
        rng: random.Random,
        hints: dict[str, list[Any]],
        credentials: dict[str, dict[str, str]],
    ) -> None:
        self.spec = spec
        self.rng = rng
        self.hints = hints
        self.credentials = credentials
        self.operations = operations(spec)

    # --- values ------------------------------------------------------------------------
    def value(self, name: str, schema: dict[str, Any], depth: int = 0) -> Any:
        rng = self.rng
        schema = _resolve(schema, self.spec)
        if rng.random() < 0.25:
            return self.hostile()
        if name in self.hints and rng.random() < 0.7:
            return rng.choice(self.hints[name])
        if name == "phone" or name.endswith("_phone"):
            return rng.choice(PHONES)
        for key in ("anyOf", "oneOf"):
            if key in schema:
                return self.value(name, rng.choice(schema[key]), depth)
        if "enum" in schema:
            return rng.choice(schema["enum"])
        kind = schema.get("type")
        if kind == "string" and schema.get("format") == "date":
            return rng.choice(EDGE_DATES)
        if kind == "string" and schema.get("format") == "date-time":
            return rng.choice(["2026-01-12T08:00:00Z", "9999-12-31T23:59:59", "nope"])
        if kind == "string":
            return rng.choice(EDGE_STRINGS + ["pref-24", "fr", "ar", "en", "matin"])
        if kind == "integer":
            return rng.choice(EDGE_INTS + [rng.randint(1, 60)])
        if kind == "number":
            return rng.choice([0.5, -1.0, 1e308, float(rng.randint(0, 9))])
        if kind == "boolean":
            return rng.choice([True, False])
        if kind == "null":
            return None
        if kind == "array":
            return [self.value(name, schema.get("items", {}), depth + 1) for _ in range(2)]
        if kind == "object" or "properties" in schema:
            return self.body(schema, depth + 1)
        return self.hostile()

    def hostile(self) -> Any:
        return self.rng.choice(
            [
                None,
                True,
                -1,
                2**64,
                1.5,
                self.rng.choice(EDGE_STRINGS),
                self.rng.choice(EDGE_DATES),
                [],
                {},
                {"$gt": ""},
                [[[[[]]]]],
            ]
        )

    def body(self, schema: dict[str, Any], depth: int = 0) -> dict[str, Any]:
        properties = schema.get("properties", {})
        required = set(schema.get("required", []))
        body = {
            name: self.value(name, sub, depth)
            for name, sub in properties.items()
            if name in required or self.rng.random() < 0.6
        }
        if self.rng.random() < 0.05:
            body["unexpected"] = "field"
        return body

    # --- requests ----------------------------------------------------------------------
    def credential(self) -> tuple[str, dict[str, str]]:
        kind = self.rng.choice(["service"] * 5 + ["none"] * 2 + ["forged"] * 2 + ["admin"])
        if kind == "none":
            return kind, {}
        if kind == "forged":
            token = self.rng.choice(["guess", "gk_" + "A" * 43, "s3cre", "", "Basic Zm9v"])
            return kind, {"Authorization": f"Bearer {token}"}
        return kind, self.credentials[kind]

    def request(self, op: Operation) -> tuple[str, dict[str, Any]]:
        """(url, httpx request arguments) for one draw of `op`."""
        path = op.path
        query: list[tuple[str, str]] = []
        for param in op.parameters:
            value = self.value(param["name"], param.get("schema", {}))
            text = json.dumps(value) if not isinstance(value, str) else value
            if param["in"] == "path":
                path = path.replace("{" + param["name"] + "}", quote(text, safe="") or "x")
            elif param["in"] == "query" and (param.get("required") or self.rng.random() < 0.7):
                query.append((param["name"], text))
        kwargs: dict[str, Any] = {"params": query}
        shape = self.rng.random()
        if op.method in ("POST", "PUT", "PATCH"):
            if op.body is not None and shape < 0.85:
                kwargs["json"] = self.body(op.body)
            elif shape < 0.9:
                kwargs["content"] = _deep(self.rng.choice([50, 2000, 30000]))
                kwargs["headers"] = {"content-type": "application/json"}
            elif shape < 0.95:
                kwargs["data"] = {
                    "From": self.rng.choice(PHONES),
                    "Body": "OUI",
                    "MessageSid": "SMx",
                }
            else:
                kwargs["content"] = self.rng.choice([b"\xff\xfe", b"{", b"null", b"[]", b'{"a":'])
                kwargs["headers"] = {"content-type": "application/json"}
        return path, kwargs

    def draws(self, count: int) -> Iterator[tuple[Operation, str, dict[str, Any], str]]:
        for _ in range(count):
            op = self.rng.choice(self.operations)
            url, kwargs = self.request(op)
            kind, headers = self.credential()
            kwargs["headers"] = {**kwargs.get("headers", {}), **headers}
            yield op, url, kwargs, kind


def fuzz(client: TestClient, fuzzer: Fuzzer, count: int, tally: Tally | None = None) -> Tally:
    """Sends `count` drawn requests through `client`; tallies statuses, 5xx and forged calls
    acting for a phone (refused: any 4xx; acted: a 2xx)."""
    tally = tally or Tally()
    for op, url, kwargs, kind in fuzzer.draws(count):
        response = client.request(op.method, url, **kwargs)
        tally.sent += 1
        tally.statuses[response.status_code] += 1
        if response.status_code >= 500:
            tally.server_errors.append(
                f"{op.method} {url} {kwargs!r:.300} -> {response.status_code}"
            )
        # A phone named, not a null one: {"phone": null} acts for nobody (an anonymous search
        # is public), and was counted as a forged call that acted (seed 76699659, session 24).
        named_a_phone = isinstance(kwargs.get("json"), dict) and bool(kwargs["json"].get("phone"))
        if op.acts_for_a_phone and named_a_phone and kind in ("none", "forged"):
            tally.forged_tried += 1
            if 400 <= response.status_code < 500:
                tally.forged_refused += 1
            elif response.status_code < 300:
                tally.forged_acted.append(f"{op.method} {url}")
    return tally
