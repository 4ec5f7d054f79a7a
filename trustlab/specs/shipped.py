"""Files shipped beside the code: the catalogue (`scenarios/`, `remediations/`), the lab's own definition (`lab/`:
machines.yaml and the PowerShell scripts) and the behaviour reference (`docs/reference/`). A wheel carries them
inside the package, under `trustlab/_shipped/`; a checkout (or an editable install) uses the repository's folders."""
from __future__ import annotations

from pathlib import Path

PACKAGED = Path(__file__).resolve().parent.parent / "_shipped"
CHECKOUT = Path(__file__).resolve().parents[2]


def path(*parts: str) -> Path:
    return (PACKAGED if PACKAGED.is_dir() else CHECKOUT).joinpath(*parts)
