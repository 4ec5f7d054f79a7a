"""Verdicts: did the scenario reproduce, did the remediation fix it, and did anything get worse."""
from __future__ import annotations

from enum import Enum


class Verdict(str, Enum):
    REPRODUCED = "REPRODUCED"                        # scenario alone: the symptoms hold
    BASELINE_FAILED = "BASELINE_FAILED"              # the healthy set-up did not come out healthy
    SYMPTOMS_NOT_REPRODUCED = "SYMPTOMS_NOT_REPRODUCED"  # the scenario itself is wrong
    UNSUPPORTED = "UNSUPPORTED"                      # the backend cannot do a step: skipped, never faked
    FIXED = "FIXED"
    NOT_FIXED = "NOT_FIXED"
    MADE_WORSE = "MADE_WORSE"                        # something usable before the procedure is not after it

    @property
    def scenario_fault(self) -> bool:
        return self in (Verdict.BASELINE_FAILED, Verdict.SYMPTOMS_NOT_REPRODUCED)


USABLE = {"SUCCESS", "SUCCESS_CACHED", "OK", "UP"}


def usable(outcome: object) -> bool:
    """The user got a desktop, the channel works, the network is up."""
    return outcome in USABLE
