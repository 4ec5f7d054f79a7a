"""`trustlab lab verify --backend vagrant`: the first-run smoke test a user runs once on a new host, after `lab up`.
It runs the preflight and then, through the backend's own steps, one online and one cached logon with a cable
pull, a NIC replacement and clock moves, and says for each what it saw. The report is kept in
`.vagrant/trustlab-verify.json`; the lab is left at its golden snapshot."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Callable

from trustlab.backends.vagrant.machines import VERIFY_REPORT
from trustlab.backends.vagrant.preflight import PreflightFailed, utc
from trustlab.engine.backend import Check, LabUnavailable, StepResult

if TYPE_CHECKING:
    from trustlab.backends.vagrant.backend import VagrantBackend
    from trustlab.backends.vagrant.machines import VagrantLab

DAY = 86400


def moved(actions) -> float:
    """Lab time a plan moves forward: its jumps and its waits."""
    return sum(a.args.get("by", 0) if a.verb == "advance_time" else a.args.get("for_", 0)
               for a in actions if a.verb in ("advance_time", "wait"))


def catalogue_jumps() -> dict[str, float]:
    """Each shipped scenario's largest run in lab time moved forward: its own jumps and waits plus those of the
    remediation claiming it that moves most."""
    from trustlab.engine.plan import plan
    from trustlab.specs.catalogue import load_default

    catalogue = load_default()
    jumps = {}
    for sid, scenario in catalogue.scenarios.items():
        claims = [r for r in catalogue.remediations.values() if sid in r.fixes]
        jumps[sid] = max([moved(plan(scenario))] + [moved(plan(scenario, r)) for r in claims])
    return jumps


def evaluation_check(left: dict[str, float | None], jumps: dict[str, float]) -> Check:
    """Which shipped scenarios fit in the evaluation time the lab's images have left (TM-9)."""
    limits = [s for s in left.values() if s is not None]
    if not limits:
        return Check("evaluation", True, "no evaluation images: every jump of the catalogue fits")
    shortest = min(limits)
    too_long = sorted(f"{sid} ({j / DAY:.0f} d)" for sid, j in jumps.items() if j >= shortest)
    return Check("evaluation", True,
                 f"{shortest / DAY:.0f} days of evaluation left on the shortest image; "
                 + (f"these scenarios jump further and are refused here (TM-9): {', '.join(too_long)}; licensed "
                    f"images (machines.yaml `boxes`) run them" if too_long else "every scenario of the catalogue fits"))


def _step(name: str, run: Callable[[], StepResult], expect: Callable[[StepResult], bool], saw: str) -> Check:
    try:
        result = run()
    except LabUnavailable as e:
        return Check(name, False, f"failed: {e}")
    detail = (f"{saw}: {result.outcome or result.status}" + (f" ({result.raw})" if result.raw else "")
              + (f"; {' / '.join(result.output)}" if result.output else ""))
    return Check(name, result.status == "ok" and expect(result), detail)


def _clock_moves(b: "VagrantBackend") -> list[Check]:
    c, d = b.machines.client, b.machines.dc
    before = {m: utc(b.guests[m].script("machine_state", {})["now"]) for m in (d, c)}
    jumped = b.do_advance_time(DAY)
    after = {m: utc(b.guests[m].script("machine_state", {})["now"]) for m in (d, c)}
    shifted = {m: (after[m] - before[m]).total_seconds() for m in (d, c)}
    ok = jumped.status == "ok" and all(DAY - 5 <= s <= DAY + 600 for s in shifted.values())
    checks = [Check("clock move", ok, "advance_time 1 d: " + ", ".join(f"{m} moved {s / 3600:.2f} h"
                                                                       for m, s in shifted.items())
                    + (f"; {jumped.output[-1]}" if jumped.status != "ok" else ""))]
    client = b.lab.workstations[0]
    b.do_set_clock(client, -7200)
    synced = b.do("local_admin_logon", {"computer": client})
    synced = b.do("sync_time", {"computer": client}) if synced.status == "ok" else synced
    skew = b._observe(c) - b._observe(d)
    checks.append(Check("time service", synced.status == "ok" and abs(skew) < 60,
                        f"{client}'s clock 2 h back, then w32tm /resync from the DC: {skew:+.0f} s off the DC"))
    return checks


def run_checks(b: "VagrantBackend") -> list[Check]:
    lab = b.lab
    computer, user = lab.workstations[0], lab.users[0]
    checks = [_step("online logon", lambda: b.do("logon", {"computer": computer, "user": user, "password": "current"}),
                    lambda r: r.outcome == "SUCCESS", f"{user} at {computer}, the DC reachable")]
    unplugged = b.do("unplug", {"computer": computer})
    checks.append(_step("cached logon", lambda: b.do("logon", {"computer": computer, "user": user,
                                                               "password": "current"}),
                        lambda r: r.outcome == "SUCCESS_CACHED",
                        f"{user} at {computer} with the lab cable pulled ({unplugged.status})"))
    checks.append(_step("cable back", lambda: b.do("plug", {"computer": computer}), lambda r: True,
                        "the lab cable plugged in again"))
    checks += _clock_moves(b)                 # while the client still has its address: the NIC goes last
    checks.append(_step("NIC replacement", lambda: _replaced(b, computer), lambda r: r.outcome == "NO_ADDRESS"
                        and r.details.get("hidden_adapters") == 1 and _hidden_holds(r, b.client_machine.ip),
                        "a new NIC model with the lab MAC, then the network probe (NW-1: the hidden adapter keeps "
                        "the static address)"))
    return checks


def _replaced(b: "VagrantBackend", computer: str) -> StepResult:
    replaced = b.do("replace_nic", {"computer": computer})
    return replaced if replaced.status != "ok" else b.do("network", {"computer": computer})


def _hidden_holds(result: StepResult, address: str) -> bool:
    adapters = result.details.get("adapters") or []
    hidden = [a for a in adapters if not a["present"]]
    present = [a for a in adapters if a["present"]]
    return any(address in a["ipv4"] for a in hidden) and not any(address in a["ipv4"] for a in present)


def verify(machines: "VagrantLab") -> list[Check]:
    from trustlab.backends.vagrant.backend import VagrantBackend
    from trustlab.specs.lab import LabSpec
    from trustlab.specs.profiles import WINDOWS

    jumps = catalogue_jumps()
    try:
        backend = VagrantBackend(LabSpec(), WINDOWS)         # a reset to the golden snapshot and the preflight
    except PreflightFailed as e:
        checks = list(e.checks)
    else:
        checks = list(backend.guests.last_checks) + [evaluation_check(backend.state.evaluation, jumps)]
        try:
            checks += run_checks(backend)
        except backend.refusals as e:            # a guest that stopped answering: said, not hidden
            checks.append(Check("smoke test", False, f"stopped: {type(e).__name__}: {e}"))
        finally:
            backend.close()
        machines.reset()                                     # the lab back at its golden snapshot
    path = machines.dir / ".vagrant" / VERIFY_REPORT
    report = {"at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
              "result": "passed" if all(c.ok for c in checks) else "failed",
              "checks": [{"name": c.name, "ok": c.ok, "detail": c.detail} for c in checks]}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2) + "\n")
    if report["result"] == "failed":
        from trustlab.backends.vagrant import failure

        failed = [c.name for c in checks if not c.ok]
        bundle = failure.write(machines.dir, "lab verify", RuntimeError(f"failed: {', '.join(failed)}"), checks)
        checks.append(Check("failure report", True, f"a redacted report for whoever fixes the lab: {bundle}"))
    return checks + [Check("report", True, str(path))]
