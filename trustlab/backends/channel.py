"""What the secure-channel tools print, composed the same on every backend from the language's texts
(`specs.tools`)."""
from __future__ import annotations

from trustlab.engine.backend import StepResult
from trustlab.specs.tools import CHANNEL_STATE


def channel_repaired(domain: str, good: bool) -> StepResult:
    """What `Test-ComputerSecureChannel -Repair` prints once the reset is done and the channel is checked (SC-3)."""
    state = "in good condition" if good else "broken"
    return StepResult(status="ok" if good else "failed",
                      output=[CHANNEL_STATE.format(domain=domain, state=state), str(good)])
