"""The CRF-only baseline for scripts/eval_facts.py: the routing facts Rasa's entity extractor
finds in each opening, as JSON {text: facts}. Run with the Rasa venv and a trained model:

    .venv-rasa/bin/python scripts/crf_facts_dump.py models/<model>.tar.gz out.json
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

import yaml
from rasa.core.agent import Agent

ROOT = Path(__file__).resolve().parents[1]
DIMENSIONS = ("topic", "procedure_kind", "title_type")


async def main(model: str, out: str) -> None:
    agent = Agent.load(model)
    found: dict[str, dict[str, str]] = {}
    for path in sorted((ROOT / "tests" / "understanding" / "openings").glob("*.yml")):
        for entry in yaml.safe_load(path.read_text(encoding="utf-8"))["openings"]:
            parsed = await agent.parse_message(entry["text"])
            facts: dict[str, str] = {}
            for entity in parsed.get("entities", []):
                if entity["entity"] in DIMENSIONS:
                    facts.setdefault(entity["entity"], str(entity["value"]))
            found[entry["text"]] = facts
    Path(out).write_text(json.dumps(found, ensure_ascii=False, indent=0), encoding="utf-8")


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
