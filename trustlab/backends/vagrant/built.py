"""What trustlab knows of the Windows lab it built, kept in `.vagrant/trustlab-lab.json` beside Vagrant's own state:
the provider, the moment the golden snapshot was taken (every run starts the guests' clocks there again, so an
ageing snapshot leaks no real time into a run), and each guest's evaluation end (TM-9). `lab up` writes it only after
the preflight passed; without it there is no golden snapshot to trust."""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Optional

from trustlab.engine.backend import LabUnavailable

FILE = "trustlab-lab.json"


@dataclass
class Built:
    provider: str
    golden_clock: str                                   # UTC, ISO 8601: the guests' clocks in the golden snapshot
    evaluation_end: dict[str, Optional[str]] = field(default_factory=dict)   # machine -> UTC end; None: licensed

    @property
    def origin(self) -> datetime:
        return datetime.fromisoformat(self.golden_clock)

    def evaluation_left(self, machine: str, lab_seconds: float) -> Optional[float]:
        """Seconds of evaluation a machine has left at `lab_seconds` of lab time; None for a licensed image."""
        end = self.evaluation_end.get(machine)
        if end is None:
            return None
        return (datetime.fromisoformat(end) - self.origin).total_seconds() - lab_seconds

    def save(self, folder: Path) -> None:
        path = folder / ".vagrant" / FILE
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(asdict(self), indent=2, sort_keys=True) + "\n")


def load(folder: Path) -> Built:
    path = folder / ".vagrant" / FILE
    if not path.is_file():
        raise LabUnavailable(f"{path} is missing: the Windows lab has no golden snapshot trustlab took; build it with "
                             f"`trustlab lab up --backend vagrant`, which checks the lab before it keeps it")
    try:
        return Built(**json.loads(path.read_text()))
    except (ValueError, TypeError) as e:
        raise LabUnavailable(f"{path} is not trustlab's record of the lab ({e}); `trustlab lab up --backend vagrant` "
                             f"writes it anew") from None


def forget(folder: Path) -> None:
    (folder / ".vagrant" / FILE).unlink(missing_ok=True)
