"""Messages received while the database cannot record them (a lock beyond the busy timeout, the
database down): kept in files beside the gateway before the provider hears 200, and recorded
and answered by the replayer once the database takes writes again (bot.channels.replay).

One file per message, named by its provider id (the same MessageSid spooled twice is one file),
written whole then renamed, and sealed (bot.secrets): what a person typed never lies in clear
on disk. The inbox's unique (channel, external_id) makes a message recorded both by its own
webhook and by the replayer one message.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import secrets
from dataclasses import asdict
from datetime import datetime
from pathlib import Path

from bot.channels.turn import Incoming
from bot.secrets import seal, unseal

log = logging.getLogger(__name__)

SUFFIX = ".msg"
REJECTED = ".rejected"


class Spool:
    def __init__(self, directory: Path, secret_key: str):
        self.directory = directory
        self.secret_key = secret_key

    def _path(self, incoming: Incoming) -> Path:
        name = hashlib.sha256(f"{incoming.channel}:{incoming.external_id}".encode()).hexdigest()
        return self.directory / f"{name[:40]}{SUFFIX}"

    def keep(self, incoming: Incoming, arrived: datetime) -> None:
        """The message on disk (fsynced) before its sender's provider is told it arrived.
        `incoming` as the provider sent it: its numbers are sealed with the whole record."""
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        record = asdict(incoming) | {"arrived": arrived.isoformat()}
        sealed = seal(json.dumps(record, ensure_ascii=False), self.secret_key)
        path = self._path(incoming)
        draft = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w") as out:
                out.write(sealed)
                out.flush()
                os.fsync(out.fileno())
            os.replace(draft, path)
        finally:
            draft.unlink(missing_ok=True)

    def forget(self, incoming: Incoming) -> None:
        """The message is in the database now (or was already)."""
        self._path(incoming).unlink(missing_ok=True)

    def set_aside(self, incoming: Incoming) -> Path:
        """A message the database refuses for what it holds, not for being unavailable: kept
        (sealed) under another suffix for an operator, out of the replayer's way."""
        path = self._path(incoming)
        aside = path.with_suffix(REJECTED)
        path.replace(aside)
        return aside

    def pending(self) -> list[Incoming]:
        """Every kept message this key can open, oldest first (`arrived` set)."""
        if not self.directory.is_dir():
            return []
        found: list[Incoming] = []
        for path in self.directory.glob(f"*{SUFFIX}"):
            try:
                opened = unseal(path.read_text(), self.secret_key)
            except OSError:  # taken by another process meanwhile
                continue
            if opened is None:
                # Another key's file (another stack on this folder): not ours to read or drop.
                log.warning("spooled message %s cannot be opened with this key", path.name)
                continue
            record = json.loads(opened)
            record["arrived"] = datetime.fromisoformat(record["arrived"])
            found.append(Incoming(**record))
        return sorted(found, key=lambda incoming: incoming.arrived or datetime.min)
