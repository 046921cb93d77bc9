"""The NLG endpoint, as Rasa 3.6 calls it (`endpoints.yml` → `nlg: url`)."""

from __future__ import annotations

import json
import logging
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from bot.channels.shaping import from_rasa
from bot.config import Settings
from bot.formatting import FSI, LRM, PDI
from bot.gateway.nlg import generate, router
from bot.responses import MISSING_RESPONSE, RESPONSES, Response
from tests.support.servers import free_port, serve_in_thread
from tests.support.skips import unavailable

ROOT = Path(__file__).resolve().parents[2]
RASA_PYTHON = ROOT / ".venv-rasa" / "bin" / "python"


SETTINGS = Settings(secret_key="test-key")
# How Rasa calls us: endpoints.yml's `token` as a query parameter.
NLG = f"/nlg?token={SETTINGS.nlg_token}"


def _app() -> FastAPI:
    app = FastAPI()
    app.state.settings = SETTINGS
    app.include_router(router)
    return app


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(_app())


def rasa_body(
    response: str,
    slots: dict[str, Any] | None = None,
    metadata: dict[str, Any] | None = None,
    arguments: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A request shaped like rasa.core.nlg.callback.nlg_request_format (Rasa 3.6.21)."""
    return {
        "response": response,
        "id": None,
        "arguments": arguments or {},
        "tracker": {
            "sender_id": "d1f0c2",
            "slots": {"language": None, "requested_slot": None, **(slots or {})},
            "latest_message": {
                "intent": {"name": "greet", "confidence": 0.99},
                "entities": [],
                "text": "bonjour",
                "message_id": "94838d6f49ff4366b254b6f6d23a90cf",
                "metadata": metadata or {},
            },
            "latest_event_time": 1599476297.69,
            "followup_action": None,
            "paused": False,
            "events": [],
            "latest_input_channel": "rest",
            "active_loop": {},
            "latest_action": {"action_name": "action_listen"},
            "latest_action_name": "action_listen",
        },
        "channel": {"name": "rest"},
    }


def test_renders_in_the_language_slot(client: TestClient) -> None:
    answer = client.post(NLG, json=rasa_body("utter_menu", slots={"language": "en"}))
    assert answer.status_code == 200
    body = answer.json()
    assert body["text"] == "What would you like to do?"
    assert body["buttons"][0] == {"title": "Book an appointment", "payload": "/book_appointment"}
    assert body["custom"] == {
        "language": "en",
        "response": "utter_menu",
        "text_fr": "Que voulez-vous faire ?",
        # The mediator page shows the menu in French beside the person's language.
        "buttons_fr": [
            "Prendre rendez-vous",
            "Documents à apporter",
            "Mon rendez-vous",
            "Annuler un rendez-vous",
            "Aide",
        ],
    }


def test_language_comes_from_metadata_when_the_slot_is_unset(client: TestClient) -> None:
    body = client.post(
        NLG, json=rasa_body("utter_ask_language", metadata={"language": "ar", "channel": "sms"})
    ).json()
    assert body["text"] == "اختر لغتك:"


def test_an_unknown_slot_language_lets_the_metadata_speak(client: TestClient) -> None:
    body = client.post(
        NLG,
        json=rasa_body("utter_goodbye", slots={"language": "xx"}, metadata={"language": "en"}),
    ).json()
    assert body["text"].startswith("Goodbye")


def test_a_language_switched_to_is_said_in_that_language(client: TestClient) -> None:
    # "vous parlez anglais ?": the action sets the slot after its reply is rendered, so it
    # passes the language asked for with the response; the gateway then keeps the choice.
    body = rasa_body(
        "utter_language_switched", slots={"language": "fr"}, arguments={"language": "en"}
    )
    answer = client.post(NLG, json=body).json()
    assert answer["text"] == "OK, I will write to you in English."
    assert answer["custom"]["language"] == "en"
    assert from_rasa([answer]).language_chosen


def test_french_when_nothing_says_otherwise(client: TestClient) -> None:
    body = client.post(NLG, json=rasa_body("utter_goodbye")).json()
    assert body["text"] == "Au revoir. Vous pouvez nous écrire à tout moment."


def test_unknown_response_is_a_logged_error_and_a_polite_sentence(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="bot.gateway.nlg"):
        answer = client.post(NLG, json=rasa_body("utter_nobody_wrote_this"))
    assert answer.status_code == 200
    assert answer.json()["text"] == RESPONSES[MISSING_RESPONSE].text
    assert any("utter_nobody_wrote_this" in r.getMessage() for r in caplog.records)


def test_slots_and_arguments_fill_the_sentence(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(
        RESPONSES, "utter_test_booked", Response("Rendez-vous le {when}, code {code}, {site}.")
    )
    # What rasa-sdk's dispatcher.utter_message(response=..., code=...) sends as arguments.
    arguments = {
        "text": None,
        "buttons": [],
        "elements": [],
        "custom": {},
        "template": "utter_test_booked",
        "image": None,
        "attachment": None,
        "code": "K7P2QX4M",
    }
    slots = {
        "language": "fr",
        "when": "2025-01-14T13:20:00+00:00",
        "site": "Grenoble",
        "code": "ANCIEN",
    }
    body = client.post(
        NLG, json=rasa_body("utter_test_booked", slots=slots, arguments=arguments)
    ).json()
    assert body["text"] == "Rendez-vous le mardi 14 janvier à 14 h 20, code K7P2QX4M, Grenoble."
    assert body["buttons"] == []


def test_arabic_isolates_latin_runs_with_marks_on_sms(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(RESPONSES, "utter_test_code", Response("Code : {code}"))
    sms = client.post(
        NLG,
        json=rasa_body(
            "utter_test_code",
            slots={"language": "ar", "code": "K7P2QX4M"},
            metadata={"channel": "sms"},
        ),
    ).json()
    chat = client.post(
        NLG,
        json=rasa_body(
            "utter_test_code",
            slots={"language": "ar", "code": "K7P2QX4M"},
            metadata={"channel": "telegram"},
        ),
    ).json()
    assert f"{LRM}K7P2QX4M{LRM}" in sms["text"]
    assert f"{FSI}K7P2QX4M{PDI}" in chat["text"]
    assert sms["custom"]["text_fr"] == "Code : K7P2QX4M"


def test_a_date_only_slot_is_written_as_a_date(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(RESPONSES, "utter_test_expiry", Response("Expire le {expiry}."))
    body = client.post(
        NLG,
        json=rasa_body("utter_test_expiry", slots={"language": "en", "expiry": "2025-03-01"}),
    ).json()
    assert "Saturday 1 March 2025" in body["text"]


def test_malformed_requests_never_give_a_500(client: TestClient) -> None:
    assert client.post(NLG, content=b"not json").status_code == 400
    answer = client.post(NLG, json=["a", "list"])
    assert answer.status_code == 200 and answer.json()["text"]
    answer = client.post(NLG, json={"response": "utter_menu", "tracker": "broken"})
    assert answer.status_code == 200 and answer.json()["text"] == "Que voulez-vous faire ?"


def test_only_rasa_may_ask(client: TestClient) -> None:
    """Anyone else on the host would read slots back through the NLG, or flood it."""
    body = rasa_body("utter_menu", slots={"language": "en"})
    assert client.post("/nlg", json=body).status_code == 401
    assert client.post("/nlg?token=guess", json=body).status_code == 401
    other = Settings(secret_key="another-key").nlg_token
    assert client.post(f"/nlg?token={other}", json=body).status_code == 401
    assert client.post(NLG, json=body).status_code == 200


# --- Against Rasa itself ---------------------------------------------------------------------

_RASA_SCRIPT = r"""
import asyncio, json, sys
from rasa.core.nlg.callback import CallbackNaturalLanguageGenerator
from rasa.shared.core.events import SlotSet, UserUttered
from rasa.shared.core.slots import TextSlot
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

async def main() -> None:
    slots = [TextSlot("language", mappings=[]), TextSlot("site", mappings=[])]
    tracker = DialogueStateTracker("d1f0c2", slots)
    tracker.update(UserUttered("مرحبا", intent={"name": "greet", "confidence": 1.0},
                               metadata={"channel": "sms", "language": "ar"}))
    tracker.update(SlotSet("language", "ar"))
    nlg = CallbackNaturalLanguageGenerator(EndpointConfig(sys.argv[1], token=sys.argv[2]))
    out = {
        "help": await nlg.generate("utter_help", tracker, "rest"),
        # How an action's dispatcher.utter_message(response="utter_menu") reaches the NLG.
        "menu": await nlg.generate("utter_menu", tracker, "rest", text=None, buttons=[],
                                   elements=[], custom={}, template="utter_menu", image=None,
                                   attachment=None),
        "unknown": await nlg.generate("utter_missing_here", tracker, "rest"),
    }
    print(json.dumps(out))

asyncio.run(main())
"""


@pytest.fixture
def live_nlg() -> Iterator[str]:
    with serve_in_thread(_app(), free_port()) as base:
        yield f"{base}/nlg"


@pytest.mark.rasa
def test_rasa_callback_generator_accepts_our_answers(live_nlg: str) -> None:
    if not RASA_PYTHON.exists():
        unavailable(f"no Rasa environment at {RASA_PYTHON} (make test creates it)")
    run = subprocess.run(
        [str(RASA_PYTHON), "-c", _RASA_SCRIPT, live_nlg, SETTINGS.nlg_token],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    out = json.loads(run.stdout.strip().splitlines()[-1])
    # Rasa validated each answer against its nlg_response_format_spec (it raises otherwise).
    assert "يساعدك وسيط" in out["help"]["text"]
    assert f"{LRM}09 69 39 00 00{LRM}" in out["help"]["text"]  # the SMS metadata reached us
    assert out["menu"]["buttons"][0]["title"] == "حجز موعد"
    assert out["unknown"]["text"] == "عذرًا، لا أستطيع الرد الآن. أرسل 0 لرؤية القائمة."


def test_the_gateway_app_serves_the_nlg_endpoint() -> None:
    from bot.gateway.app import create_app

    app = create_app(Settings(database_url="sqlite://", secret_key="test-key"))
    body = TestClient(app).post(NLG, json=rasa_body("utter_help", slots={"language": "en"})).json()
    assert body["text"].startswith("Need help?")


def test_what_an_action_translated_is_put_back_in_french_beside_it() -> None:
    """The mediator page reads `text_fr` and `buttons_fr`: a routing question, its options and
    the slots proposed come from actions already in Arabic; the French must not show them so."""
    question = {
        "response": "utter_route_question",
        "arguments": {
            "question": "ما بطاقة الإقامة التي لديك، أو التي تطلبها؟",
            "buttons": [{"title": "بطاقة المقيم (10 سنوات)", "payload": "/x"}],
        },
        "tracker": {"slots": {"language": "ar"}},
    }
    custom = generate(question)["custom"]
    assert custom["text_fr"] == "Quel titre de séjour avez-vous, ou demandez-vous ?"
    assert custom["buttons_fr"] == ["Carte de résident (10 ans)"]
    slots = {
        "response": "utter_ask_chosen_slot",
        "arguments": {
            "site_name": "Préfecture de l'Isère",
            "buttons": [{"title": "الاثنين 7 ديسمبر الساعة 13:30", "payload": "/y"}],
        },
        "tracker": {
            "slots": {
                "language": "ar",
                "proposed_slots": [{"id": 1, "starts_at": "2026-12-07T12:30:00+00:00"}],
            }
        },
    }
    assert generate(slots)["custom"]["buttons_fr"] == ["lundi 7 décembre à 13 h 30"]
