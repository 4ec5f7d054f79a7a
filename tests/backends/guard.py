"""What the console guard must do on any backend, checked from the verbs' own facts: every verb whose `console` fact
says admin is refused without an administrator signed in, every verb at the console is refused on a computer that is
off, in the shared words (`specs.tools`), before the backend does anything. Each backend's tests call these with a
backend they can build."""
from __future__ import annotations

from typing import Any, Callable

from trustlab.engine.backend import Backend
from trustlab.engine.plan import resolve
from trustlab.specs.steps import STEP_MODELS, VERBS
from trustlab.specs.tools import NEEDS_ADMIN, POWERED_OFF

ADMIN = sorted(name for name, verb in VERBS.items() if verb.console == "admin")
AT_CONSOLE = sorted(name for name, verb in VERBS.items() if verb.console)


def args(verb: str, computer: str = "LOANER01", user: str = "alice") -> dict[str, Any]:
    """The verb's arguments as the engine hands them to a backend, each left at its default."""
    return resolve(STEP_MODELS[verb].model_validate({verb: {}}), "break", 0, user, computer).args


def _refused(backend: Backend, verbs: list[str], text: str, untouched: Callable[[], Any], computer: str) -> list[str]:
    """Each verb the backend can do refused with `text`, `untouched()` the same after as before; the verbs tried."""
    tried = [v for v in verbs if not backend.unsupported_reason(v)]
    for verb in tried:
        before = untouched()
        result = backend.do(verb, args(verb, computer))
        assert (verb, result.status, result.output) == (verb, "failed", [text.format(computer=computer)])
        assert untouched() == before, verb
    return tried


def refuses_admin_operations(backend: Backend, untouched: Callable[[], Any], computer: str = "LOANER01") -> list[str]:
    """Every admin operation the backend can do, with no administrator signed in: refused in the shared words, and
    `untouched()` (what the backend would have changed or sent) the same after as before. Returns the verbs tried."""
    return _refused(backend, ADMIN, NEEDS_ADMIN, untouched, computer)


def refuses_at_a_computer_that_is_off(backend: Backend, untouched: Callable[[], Any],
                                      computer: str = "LOANER01") -> list[str]:
    """With the computer powered off (the caller switched it off), every step at its console is refused as off."""
    return _refused(backend, AT_CONSOLE, POWERED_OFF, untouched, computer)
