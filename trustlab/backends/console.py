"""The console of a lab computer, the same on every backend: a step at the machine needs it switched on, an admin
operation needs a signed-in administrator. Backends answer `console(computer)`; the guard is shared, the texts are
the language's (`specs.tools`)."""
from __future__ import annotations

from functools import wraps

from trustlab.engine.backend import StepResult
from trustlab.specs.tools import CHANNEL_STATE, NEEDS_ADMIN, POWERED_OFF


def channel_repaired(domain: str, good: bool) -> StepResult:
    """What `Test-ComputerSecureChannel -Repair` prints once the reset is done and the channel is checked (SC-3)."""
    state = "in good condition" if good else "broken"
    return StepResult(status="ok" if good else "failed",
                      output=[CHANNEL_STATE.format(domain=domain, state=state), str(good)])


def console_step(admin: bool = False):
    """Guard a backend's `do_<verb>(computer, ...)`: the method gets what `console()` says the step acts on."""
    def wrap(method):
        @wraps(method)
        def guarded(self, computer: str, **kw):
            target, powered, is_admin = self.console(computer)
            if not powered:
                return StepResult.failed(POWERED_OFF.format(computer=computer))
            if admin and not is_admin:
                return StepResult.failed(NEEDS_ADMIN.format(computer=computer))
            return method(self, target, **kw)
        return guarded
    return wrap
