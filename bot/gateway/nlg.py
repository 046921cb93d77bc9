"""Rasa's NLG server (`endpoints.yml` → `nlg: url: http://127.0.0.1:8000/nlg`): how things are said.

Rasa 3.6 POSTs `{"response", "id", "arguments", "tracker", "channel"}` (rasa.core.nlg.callback)
whenever it utters a response, and sends back to the channel what we answer, validated against
`{"text", "buttons", "custom", ...}`. We render the response from `bot.responses` in the
conversation's language: the `language` slot, else the `language` the gateway put in the
message metadata, else French. Format parameters are the slots, overridden by the arguments an
action passed to `utter_message(response=..., **kwargs)`.

The answer also carries `custom: {"language", "response", "text_fr"}`: the gateway learns which
language the text is written in, and the mediator page can show French beside it. After a
booking it adds the sealed `phone` (bot/channels/phone_link.py) and the convocation `code` (a
Telegram chat then gets its PDF: bot/channels/printed.py).

Only Rasa may ask: it sends the `token` of endpoints.yml as a query parameter (Settings.nlg_token);
anyone else gets 401, without a word about the conversation.

This endpoint never answers 500 for content: a wrong name or a missing parameter becomes a
visible, logged, polite sentence, because an NLG failure would make Rasa drop the message.
"""

from __future__ import annotations

import datetime as dt
import functools
import hmac
import logging
import re
from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from bot.catalogue import get_catalogue
from bot.channels.phone_link import LINKING_RESPONSES
from bot.channels.printed import CONVOCATION_RESPONSES
from bot.formatting import Channel, format_when
from bot.i18n import SOURCE_LANGUAGE, SUPPORTED_LANGUAGES, normalise_language, source_of
from bot.language_menu import LANGUAGE_PAGE
from bot.responses import MISSING_RESPONSE, RESPONSES, render

log = logging.getLogger(__name__)

router = APIRouter()

# Keys rasa-sdk's `utter_message` always sends along with `response`; not format parameters.
_RASA_MESSAGE_KEYS = frozenset(
    {
        "text",
        "buttons",
        "elements",
        "custom",
        "template",
        "response",
        "image",
        "attachment",
        "json_message",
        "quick_replies",
        "response_id",
        "domain_responses",
    }
)
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_DATETIME = re.compile(
    r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$"
)


def parse_slot_value(value: Any) -> Any:
    """Slots cross JSON as strings: ISO dates and datetimes become real ones for babel."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    try:
        if _ISO_DATETIME.match(text):
            moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
            # Our convention: a naive datetime is UTC (that is how we store them).
            return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
        if _ISO_DATE.match(text):
            return dt.date.fromisoformat(text)
    except ValueError:
        pass
    return value


def _metadata(tracker: Mapping[str, Any]) -> Mapping[str, Any]:
    latest = tracker.get("latest_message") or {}
    metadata = latest.get("metadata") if isinstance(latest, Mapping) else None
    return metadata if isinstance(metadata, Mapping) else {}


def conversation_language(tracker: Mapping[str, Any]) -> str:
    """The `language` slot, else the gateway's metadata, else French."""
    slots = tracker.get("slots") or {}
    for candidate in (slots.get("language"), _metadata(tracker).get("language")):
        # normalise_language maps unknown codes to French; here an unknown slot value must
        # let the metadata speak instead.
        if isinstance(candidate, str) and candidate.strip():
            code = normalise_language(candidate)
            if code != SOURCE_LANGUAGE or candidate.strip().lower().startswith(SOURCE_LANGUAGE):
                return code
    return SOURCE_LANGUAGE


def conversation_channel(tracker: Mapping[str, Any]) -> Channel:
    return "sms" if str(_metadata(tracker).get("channel", "")).lower() == "sms" else "chat"


def format_params(tracker: Mapping[str, Any], arguments: Mapping[str, Any]) -> dict[str, Any]:
    slots = tracker.get("slots") or {}
    params = {key: value for key, value in slots.items() if isinstance(key, str)}
    params.update((key, value) for key, value in arguments.items() if key not in _RASA_MESSAGE_KEYS)
    # The language menu's page ("Autres / Others") is an entity of the message, not a slot.
    latest = tracker.get("latest_message")
    for entity in (latest.get("entities") if isinstance(latest, Mapping) else None) or []:
        if isinstance(entity, Mapping) and entity.get("entity") == LANGUAGE_PAGE:
            params[LANGUAGE_PAGE] = entity.get("value")
    return {key: parse_slot_value(value) for key, value in params.items()}


@functools.cache
def _french_names() -> tuple[tuple[str, str], ...]:
    """Every translated name of a démarche or a document with its French name, longest first:
    actions pass names already in the person's language, and the French rendering beside it
    (the mediator page) must not show them in Arabic."""
    catalogue = get_catalogue()
    pairs: dict[str, str] = {}
    named = [d.names for d in catalogue.demarches.values()]
    named += [d.label for d in catalogue.documents.values()]
    for names in named:
        french = names(SOURCE_LANGUAGE)
        for lang in SUPPORTED_LANGUAGES:
            translated = names(lang)
            if lang != SOURCE_LANGUAGE and translated and translated != french:
                pairs.setdefault(translated, french)
    return tuple(sorted(pairs.items(), key=lambda pair: -len(pair[0])))


def back_to_french(value: str, lang: str, dates: Mapping[str, str] | None = None) -> str:
    """A text an action wrote in the person's language, in French when we can tell: a whole
    translated sentence (a routing question, an option), a date it proposed, the catalogue's
    names inside it."""
    whole = source_of(value, lang)
    if whole is not None:
        return whole
    if dates and value in dates:
        return dates[value]
    for translated, name in _french_names():
        if translated in value:
            value = value.replace(translated, name)
    return value


def in_french(params: Mapping[str, Any], lang: str) -> dict[str, Any]:
    """The parameters with what actions translated put back in French."""
    return {
        key: back_to_french(value, lang) if isinstance(value, str) and value else value
        for key, value in params.items()
    }


def _proposed_dates(tracker: Mapping[str, Any], lang: str) -> dict[str, str]:
    """The slots just proposed, as their buttons show them in `lang` → in French."""
    proposed = (tracker.get("slots") or {}).get("proposed_slots") or []
    dates: dict[str, str] = {}
    for slot in proposed if isinstance(proposed, list) else []:
        starts = parse_slot_value(slot.get("starts_at")) if isinstance(slot, Mapping) else None
        if isinstance(starts, dt.datetime):
            dates[format_when(starts, lang)] = format_when(starts, SOURCE_LANGUAGE)
    return dates


def french_buttons(
    rendered: list[Mapping[str, Any]],
    arguments: Mapping[str, Any],
    tracker: Mapping[str, Any],
    lang: str,
) -> list[str]:
    """The French titles of every button of the message: the response's, then the action's
    (Rasa appends those after the NLG's answer)."""
    titles = [str(button["title"]) for button in rendered]
    extra = arguments.get("buttons")
    if isinstance(extra, list) and extra:
        dates = _proposed_dates(tracker, lang)
        titles += [
            back_to_french(str(b.get("title", "")), lang, dates)
            for b in extra
            if isinstance(b, Mapping)
        ]
    return titles


def generate(body: Mapping[str, Any]) -> dict[str, Any]:
    """The NLG answer for one Rasa request body (pure: the router only adds HTTP)."""
    name = body.get("response")
    tracker = body.get("tracker") if isinstance(body.get("tracker"), Mapping) else {}
    arguments = body.get("arguments") if isinstance(body.get("arguments"), Mapping) else {}
    # An action that switches the language says so in the new one (`language=` passed with the
    # response): the slot it sets is applied only after this reply is rendered.
    asked = arguments.get("language")
    lang = asked if asked in SUPPORTED_LANGUAGES else conversation_language(tracker)
    if not isinstance(name, str) or name not in RESPONSES:
        # Bounded: the name comes from the request body.
        log.error("nlg: Rasa asked for unknown response %.80r: add it to bot/responses.py", name)
        name = MISSING_RESPONSE
    params = format_params(tracker, arguments)
    channel = conversation_channel(tracker)
    message = render(name, lang, params, channel=channel)
    french = message if lang == SOURCE_LANGUAGE else render(name, "fr", in_french(params, lang))
    message["custom"] = {
        "language": lang,
        "response": name,
        "text_fr": french["text"],
        "buttons_fr": french_buttons(french["buttons"], arguments, tracker, lang),
    }
    if name in LINKING_RESPONSES:
        # The sealed phone the answer used: the gateway links a Telegram chat to it.
        message["custom"]["phone"] = (tracker.get("slots") or {}).get("phone")
    if name in CONVOCATION_RESPONSES and isinstance(params.get("code"), str):
        # The code the answer gives: a Telegram chat then gets its convocation PDF.
        message["custom"]["code"] = params["code"]
    return message


def from_rasa(request: Request) -> bool:
    expected = request.app.state.settings.nlg_token
    given = request.query_params.get("token", "")
    return hmac.compare_digest(given.encode(), expected.encode())


@router.post("/nlg")
async def nlg(request: Request) -> JSONResponse:
    if not from_rasa(request):
        return JSONResponse(
            {"error": {"code": "unauthorized", "message": "Réservé au serveur Rasa."}},
            status_code=401,
        )
    try:
        body = await request.json()
    except (ValueError, RecursionError):  # not JSON, or nested deeper than Python parses
        return JSONResponse(
            {"error": {"code": "invalid_request", "message": "Le corps doit être du JSON."}},
            status_code=400,
        )
    if not isinstance(body, Mapping):
        body = {}
    try:
        return JSONResponse(generate(body))
    except Exception:
        # Last resort: Rasa would drop the message on a 500; the person still gets a sentence.
        log.exception("nlg: failed to render %.80r", body.get("response"))
        return JSONResponse(render(MISSING_RESPONSE, SOURCE_LANGUAGE, {}))
