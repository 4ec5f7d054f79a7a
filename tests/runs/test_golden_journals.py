"""The sim's journals are the project's memory of what each run did: a change that means to leave behaviour alone
(a re-partition, a speed-up) must leave every journal of the matrix byte for byte as it was. A change that means to
alter behaviour regenerates the digests on purpose (`python -m tests.runs.test_golden_journals`) and says why."""
from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import pytest

from trustlab.backends.sim import SimBackend
from trustlab.runs.matrix import key, run_matrix
from trustlab.specs.catalogue import load_default
from trustlab.specs.profiles import load_profile

DIGESTS = Path(__file__).resolve().parents[1] / "fixtures" / "golden" / "sim-journals.json"
PROFILES = ("windows", "samba")


def digests(profile: str) -> dict[str, str]:
    m = run_matrix(load_default(), SimBackend, load_profile(profile))
    return {key(j): hashlib.sha256(j.to_json().encode("utf-8")).hexdigest() for j in m.journals()}


@pytest.mark.parametrize("profile", PROFILES)
def test_every_journal_of_the_sim_matrix_is_byte_identical_to_the_recorded_one(profile):
    recorded = json.loads(DIGESTS.read_text(encoding="utf-8"))[profile]
    now = digests(profile)
    assert sorted(now) == sorted(recorded)                          # the same runs
    assert [k for k in sorted(now) if now[k] != recorded[k]] == []  # each byte for byte


if __name__ == "__main__":
    DIGESTS.write_text(json.dumps({p: digests(p) for p in PROFILES}, indent=1, sort_keys=True) + "\n",
                       encoding="utf-8")
    sys.exit(0)
