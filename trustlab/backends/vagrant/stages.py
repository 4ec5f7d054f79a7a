"""How far `lab up` got, kept in `.vagrant/trustlab-up-stages.json`: the DC built, the client joined, the preflight
passed (with the evaluation ends it read). A failed `lab up` run again resumes after the last stage done instead of
rebuilding for an hour: a machine whose stage is missing is provisioned again (`vagrant up --provision`), and a
passed preflight is not repeated before the golden snapshot. Forgotten once the golden snapshot is kept."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

FILE = "trustlab-up-stages.json"
DC_BUILT, CLIENT_JOINED, PREFLIGHT_PASSED = "dc built", "client joined", "preflight passed"


class Stages:
    def __init__(self, folder: Path):
        self.path = folder / ".vagrant" / FILE
        self.done: dict[str, Any] = json.loads(self.path.read_text()) if self.path.is_file() else {}

    def __contains__(self, stage: str) -> bool:
        return stage in self.done

    def mark(self, stage: str, **facts: Any) -> None:
        self.done[stage] = {"at": datetime.now(timezone.utc).isoformat(timespec="seconds"), **facts}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(json.dumps(self.done, indent=1) + "\n")

    def forget(self) -> None:
        self.done = {}
        self.path.unlink(missing_ok=True)
