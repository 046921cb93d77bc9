"""endpoints.yml, as Rasa itself reads it: the conversations of `guichet run` survive a restart."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT
from tests.support.skips import unavailable

pytestmark = pytest.mark.rasa

RASA_PYTHON = PROJECT_ROOT / ".venv-rasa" / "bin" / "python"

# Runs inside .venv-rasa: builds the tracker store from endpoints.yml, as `rasa run` does.
SCRIPT = """
import asyncio, sys
from rasa.core.tracker_store import TrackerStore
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import read_endpoint_config

async def main(mode):
    store = TrackerStore.create(read_endpoint_config(sys.argv[2], "tracker_store"))
    if mode == "write":
        tracker = DialogueStateTracker("+33600000000", slots=[])
        tracker.update(UserUttered("bonjour"))
        await store.save(tracker)
    else:
        tracker = await store.retrieve("+33600000000")
        print(type(store).__name__, [e.text for e in tracker.events if isinstance(e, UserUttered)])

asyncio.run(main(sys.argv[1]))
"""


def test_conversations_are_kept_in_the_sql_tracker_store(tmp_path: Path) -> None:
    if not RASA_PYTHON.exists():
        unavailable(f"no Rasa environment at {RASA_PYTHON} (make test creates it)")
    (tmp_path / "var").mkdir()
    endpoints = str(PROJECT_ROOT / "endpoints.yml")
    for mode in ("write", "read"):  # two processes: a restart of Rasa in between
        result = subprocess.run(
            [str(RASA_PYTHON), "-c", SCRIPT, mode, endpoints],
            cwd=tmp_path,
            # endpoints.yml reads the /nlg token from Rasa's environment (guichet run sets it).
            env=dict(os.environ, GUICHET_NLG_TOKEN="test-nlg-token"),
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().splitlines()[-1] == "SQLTrackerStore ['bonjour']"
    assert (tmp_path / "var" / "rasa-tracker.db").exists()
