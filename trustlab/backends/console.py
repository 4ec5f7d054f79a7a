"""The console of a lab computer, the same on every backend: a step at the machine needs it switched on, and an
admin operation needs a signed-in administrator. Backends answer `console(computer)`; the messages are shared."""
from __future__ import annotations

from functools import wraps

from trustlab.engine.backend import StepResult

POWERED_OFF = "{computer} is powered off"
NEEDS_ADMIN = "{computer}: this needs an administrator session (local_admin_logon first)"


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
