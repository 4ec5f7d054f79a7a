"""Differential conformance: Hypothesis generates scenarios from the step vocabulary, the model (the sim with the
real backend's profile) and the real lab are driven by the same generated history, and every probe is compared.

A generated scenario is a healthy baseline (join, a logon), then a break drawn move by move from the events and
admin operations that both backends can do, each only where its precondition holds (a machine is powered on before
it is powered off, a snapshot exists before it is restored, an admin operation follows an admin sign-in), with
durations drawn across the timers that matter (the scavenger, machine password ages, the Kerberos skew, the DC's
NTLM old-password window, user password ages), and probes along the way; its symptoms are what the model predicts,
and both sides' probes carry their DC's own answer, compared too (conformance.py). A
divergence is shrunk on the model first (the smallest history after which the model still shows what it showed),
then confirmed on the real lab, and written as a scenario file that `trustlab conformance --scenario FILE` replays
on both."""
from __future__ import annotations

import hashlib
import random
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

import yaml
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.database import InMemoryExampleDatabase

from trustlab.engine.backend import Backend
from trustlab.engine.journal import Journal
from trustlab.engine.runner import BackendFactory, run
from trustlab.runs.conformance import Comparison, asking_the_dc, compare, observations
from trustlab.specs.lab import LabSpec
from trustlab.specs.profiles import BehaviourProfile
from trustlab.specs.scenario import Scenario
from trustlab.specs.steps import VERBS

LAB = LabSpec()
MEMBER, DC = LAB.workstations[0], LAB.dc
USERS = LAB.users

# Durations either side of the timers that matter: the scavenger (TM-1, 15 min), the Kerberos skew (TM-3, 5 min),
# the DC's NTLM old-password window (MP-11, TM-8, 60 min: 59m and 61m, 2h), the Samba member's machine password timeout (TM-7, 7 d), Windows' machine
# password age (TM-1, 30 d), the default and the seed organisation's user password ages (TM-5, 42 d, 180 d).
ADVANCES = ["1m", "14m", "16m", "59m", "61m", "2h", "6d23h", "7d1h", "29d23h", "30d1h", "43d", "181d"]
WAITS = ["1m", "16m", "61m", "2h"]
OFFSETS = ["4m", "6m", "-4m", "-6m", "200d", "-200d"]
POLICIES = [{"max_password_age": "1d"}, {"max_password_age": "42d"}, {"max_password_age": "180d"},
            {"machine_password_age": "1d"}, {"machine_password_age": "7d"}, {"disable_password_change": True}]
PROBES = [{"logon": {"user": u, "password": p}} for u in USERS for p in ("current", "previous")] + [
    {"secure_channel": {}}, {"network": {}}]


@dataclass
class State:
    """What the generator knows of the lab, to draw only moves whose preconditions hold."""

    on: dict = field(default_factory=lambda: {MEMBER: True, DC: True})
    plugged: dict = field(default_factory=lambda: {MEMBER: True, DC: True})
    snapshot: bool = False
    account: bool = True
    admin: bool = False


@dataclass(frozen=True)
class Move:
    verb: str
    options: Callable[[State], list[dict]]        # the arguments it may take now; none: not now
    after: Callable[[State, dict], None] = lambda state, args: None


def _set(attribute: str, value: bool, key: str = "computer"):
    def effect(state: State, args: dict) -> None:
        getattr(state, attribute)[args[key]] = value
        if attribute == "on" and args[key] == MEMBER:
            state.admin = False
    return effect


def _member_on(options: list[dict]) -> Callable[[State], list[dict]]:
    return lambda s: options if s.on[MEMBER] else []


def _admin(options: list[dict]) -> Callable[[State], list[dict]]:
    return lambda s: options if s.on[MEMBER] and s.admin else []


def _dc_account(options: list[dict]) -> Callable[[State], list[dict]]:
    return lambda s: options if s.on[DC] and s.account else []


def _after(**changes):
    def effect(state: State, args: dict) -> None:
        for key, value in changes.items():
            setattr(state, key, value)
    return effect


MOVES = [   # in the order shrinking prefers: time passing first, the rarest and most drastic last
    Move("advance_time", lambda s: [{"by": d} for d in ADVANCES]),
    Move("wait", lambda s: [{"for": d} for d in WAITS]),
    Move("logon", _member_on([p["logon"] for p in PROBES[:len(USERS) * 2]])),
    Move("secure_channel", lambda s: [{}]),
    Move("network", lambda s: [{}]),
    Move("reboot", _member_on([{}]), _after(admin=False)),
    Move("unplug", lambda s: [{"computer": c} for c, p in s.plugged.items() if p], _set("plugged", False)),
    Move("plug", lambda s: [{"computer": c} for c, p in s.plugged.items() if not p], _set("plugged", True)),
    Move("cable_flap", lambda s: [{"computer": c} for c in (MEMBER, DC)]),
    Move("power_off", lambda s: [{"computer": c} for c, on in s.on.items() if on], _set("on", False)),
    Move("power_on", lambda s: [{"computer": c} for c, on in s.on.items() if not on], _set("on", True)),
    Move("change_password", lambda s: [{"user": u, "where": w} for u in USERS
                                       for w in ("other_computer", "dc", "this_computer")] if s.on[DC] else []),
    Move("force_password_change", lambda s: [{"user": u} for u in USERS] if s.on[DC] else []),
    Move("set_clock", lambda s: [{"computer": c, "offset": o} for c in (MEMBER, DC) for o in OFFSETS]),
    Move("local_admin_logon", _member_on([{}]), _after(admin=True)),
    Move("verify_secure_channel", _admin([{}])),
    Move("lock_unlock", _member_on([{"user": USERS[0], "password": p} for p in ("current", "previous")])),
    Move("rotate_machine_password", _member_on([{}])),
    Move("snapshot", lambda s: [{"name": "before"}], _after(snapshot=True)),
    Move("restore_snapshot", lambda s: [{"name": "before"}] if s.snapshot else [], _after(admin=False)),
    Move("reset_computer_account", _dc_account([{}])),
    Move("disable_computer_account", _dc_account([{}])),
    Move("enable_computer_account", _dc_account([{}])),
    Move("join_duplicate", lambda s: [{}] if s.on[DC] else []),
    Move("set_policy", lambda s: POLICIES if s.on[DC] else []),
    Move("repair_secure_channel", _admin([{"credential": c} for c in ("domain_admin", "none")])),
    Move("reset_machine_password", _admin([{"credential": c} for c in ("domain_admin", "none")])),
    Move("rejoin_domain", _admin([{"credential": "domain_admin"}]), _after(admin=False)),
    Move("delete_computer_account", _dc_account([{}]), _after(account=False)),
]


def moves_for(*backends: type[Backend]) -> list[Move]:
    """The moves every given backend can do (asked of each backend's face, before any lab exists)."""
    return [m for m in MOVES if m.verb in VERBS and not any(b.unsupported_reason(m.verb) for b in backends)]


def _allowed(verb: str, args: dict) -> bool:
    """A computer the verb may name (the catalogue's own rule)."""
    return "computer" not in args or args["computer"] in VERBS[verb].computers(LAB)


def histories(moves: list[Move], max_moves: int = 8) -> st.SearchStrategy[list[dict]]:
    """A break: 1 to `max_moves` moves, each drawn among those whose precondition holds in the state the earlier
    ones left (and the member switched back on if they left it off); shrinks towards fewer moves, earlier moves in
    MOVES' order and their first arguments."""

    @st.composite
    def history(draw) -> list[dict]:
        state, steps = State(), []
        for _ in range(draw(st.integers(1, max_moves))):
            possible = [(m, [a for a in m.options(state) if _allowed(m.verb, a)]) for m in moves]
            move, options = draw(st.sampled_from([(m, options) for m, options in possible if options]))
            args = draw(st.sampled_from(options))
            move.after(state, args)
            steps.append({move.verb: args})
        if not state.on[MEMBER]:
            steps.append({"power_on": {"computer": MEMBER}})     # the symptoms are probed at the member's console
        return steps
    return history()


def scenario_of(steps: list[dict], symptoms: Optional[list[str]] = None) -> Scenario:
    """The generated history as a scenario; its symptoms expect what the model showed (`symptoms`: one outcome per
    probe of PROBES), or, before the model has run, anything."""
    ident = "diff-" + hashlib.sha256(yaml.safe_dump(steps).encode()).hexdigest()[:8]
    models = sorted({i for step in steps for i in VERBS[next(iter(step))].models}) or ["MP-1"]
    expected = symptoms or [("SUCCESS" if "logon" in p else "OK" if "secure_channel" in p else "UP") for p in PROBES]
    checks = [{verb: {**args, "expect": outcome}} for p, outcome in zip(PROBES, expected)
              for verb, args in p.items()]
    return Scenario.model_validate({
        "id": ident, "title": "Generated by `trustlab conformance --explore`", "models": models,
        "tags": ["differential"], "setup": [{"join": {}}, {"logon": {"expect": "SUCCESS"}}],
        "break": steps, "symptoms": checks})


def predicted(steps: list[dict], model: BackendFactory, profile: BehaviourProfile) -> tuple[Scenario, Journal]:
    """The scenario whose symptoms are what the model shows after `steps`, and the model's journal of it."""
    draft = run(scenario_of(steps), None, model, profile)
    outcomes = [e.outcome for e in draft.steps if e.phase == "symptoms"]
    if len(outcomes) != len(PROBES) or None in outcomes:
        return scenario_of(steps), draft              # the model ended early: a failed break step or baseline
    spec = scenario_of(steps, outcomes)
    return spec, run(spec, None, model, profile)


def as_the_lab_does_it(steps: list[dict], real: BackendFactory) -> Optional[list[dict]]:
    """The history as the real backend carries it out, where its way is not the event itself (its face says so):
    a lab whose time travel restarts the daemons (`time_travel_restarts`) reboots the member after each jump of
    its clock. None when the backend does every step as the event."""
    if not getattr(real, "time_travel_restarts", False):
        return None
    out, on = [], True
    for step in steps:
        verb, args = next(iter(step.items()))
        out.append(step)
        if verb in ("power_off", "power_on") and args["computer"] == MEMBER:
            on = verb == "power_on"
        if on and (verb in ("advance_time", "wait") or (verb == "set_clock" and args["computer"] == MEMBER)):
            out.append({"reboot": {}})
    return out


@dataclass
class Finding:
    scenario: Scenario
    comparison: Comparison
    shrunk: bool = False              # the written scenario is smaller than the one first found
    written: Optional[Path] = None
    steps: list[dict] = field(default_factory=list)
    limitation: Optional[str] = None  # why the backend, not the model, is the cause (see `explain`)

    @property
    def signature(self) -> tuple:
        return tuple((d.step.split(" ", 1)[1], d.sim, d.real) for d in self.comparison.divergences)


def explain(finding: Finding, real: BackendFactory, model: BackendFactory, profile: BehaviourProfile) -> Optional[str]:
    """A divergence is the backend's limitation when the model, given the history as the backend carries it out,
    shows exactly what the real lab showed; otherwise it stays a divergence of the model."""
    carried = as_the_lab_does_it(finding.steps, real)
    if carried is None or carried == finding.steps or finding.comparison.journals is None:
        return None
    _, sim = predicted(carried, model, profile)
    if _observed(sim) != _observed(finding.comparison.journals[1]):
        return None
    return ("the backend's time travel restarts the daemons, which ends every established channel: with a reboot "
            "after each jump the model shows what the real lab showed (a limitation of the backend, "
            "docs/conformance.md)")


@dataclass
class Search:
    examples: int = 0
    seconds: float = 0.0
    compared: int = 0                 # examples both ran to the end of (not unsupported, not ended early alike)
    findings: list[Finding] = field(default_factory=list)

    @property
    def unexplained(self) -> list[Finding]:
        """The divergences no known limitation of the backend accounts for."""
        return [f for f in self.findings if f.limitation is None]

    @property
    def per_minute(self) -> float:
        return 60 * self.examples / self.seconds if self.seconds else 0.0


QUIET = dict(deadline=None, print_blob=False, report_multiple_bugs=False, suppress_health_check=list(HealthCheck))


def search(real: BackendFactory, model: BackendFactory, profile: BehaviourProfile, examples: int, seed: int = 0,
           moves: Optional[list[Move]] = None, out: Optional[Path] = None,
           progress: Callable[[Search], None] = lambda s: None, real_runs: int = 40) -> Search:
    """`examples` generated histories on both backends; each divergence not seen before is shrunk (with at most
    `real_runs` runs on the real lab), explained if a limitation of the backend accounts for it, and written."""
    moves = moves if moves is not None else moves_for(*(b for b in (real, model) if isinstance(b, type)))
    model = asking_the_dc(model)
    strategy = histories(moves)
    result, started = Search(), time.monotonic()
    rng = random.Random(seed)
    seen: set[tuple] = set()
    found: list[tuple[list[dict], Comparison]] = []

    @settings(database=None, **QUIET)
    @given(strategy)
    def compare_one(steps: list[dict]) -> None:
        spec, sim = predicted(steps, model, profile)
        seen_real = run(spec, None, real, profile)
        result.examples += 1
        comparison = compare(sim, seen_real, spec.id, None)
        if comparison.unsupported is None:
            result.compared += 1
        if comparison.divergences:
            found.append((steps, comparison))

    for _ in range(examples):
        buffer = rng.randbytes(2048)
        before = len(found)
        compare_one.hypothesis.fuzz_one_input(buffer)
        result.seconds = time.monotonic() - started
        progress(result)
        if len(found) > before:
            steps, comparison = found[-1]
            signature = Finding(scenario_of(steps), comparison).signature
            if signature in seen:
                continue
            seen.add(signature)
            finding = _shrunk(buffer, strategy, steps, comparison, real, model, profile, real_runs)
            finding.limitation = explain(finding, real, model, profile)
            if out is not None:
                finding.written = write(finding, out)
            result.findings.append(finding)
    result.seconds = time.monotonic() - started
    return result


def _observed(journal: Journal) -> list:
    """Every observation's outcome in order (a reboot the backend's way adds none)."""
    return [(e.verb, e.outcome) for _, e in observations(journal)]


def _symptoms(journal: Journal) -> list:
    return [e.outcome for e in journal.steps if e.phase == "symptoms"]


def _shrunk(buffer: bytes, strategy, steps: list[dict], comparison: Comparison, real: BackendFactory,
            model: BackendFactory, profile: BehaviourProfile, real_runs: int = 40) -> Finding:
    """Hypothesis shrinks the history; each candidate is judged on the model first (it must show the symptoms the
    model showed) and only then run on the real lab (it must still diverge, with the real lab showing what it
    showed), at most `real_runs` times. The smallest confirmed history is the finding."""
    spec, sim = predicted(steps, model, profile)
    model_target = _symptoms(sim)
    real_target = _symptoms(run(spec, None, real, profile))
    judged: dict[str, Optional[Finding]] = {}      # a candidate is run on the real lab once, so replays agree
    confirmed: list[Finding] = []

    def judge(candidate: list[dict]) -> Optional[Finding]:
        key = yaml.safe_dump(candidate)
        if key not in judged:
            small, small_sim = predicted(candidate, model, profile)
            judged[key] = None
            if _symptoms(small_sim) == model_target and len(judged) <= real_runs:
                seen = run(small, None, real, profile)
                again = compare(small_sim, seen, small.id, None)
                if again.divergences and _symptoms(seen) == real_target:
                    judged[key] = Finding(small, again, shrunk=candidate != steps, steps=candidate)
        return judged[key]

    @settings(database=InMemoryExampleDatabase(), phases=[Phase.reuse, Phase.shrink], max_examples=1, **QUIET)
    @given(strategy)
    def still_diverges(candidate: list[dict]) -> None:
        finding = judge(candidate)
        if finding is not None:
            confirmed.append(finding)
            raise AssertionError("the same divergence")

    for attempt in (lambda: still_diverges.hypothesis.fuzz_one_input(buffer), still_diverges):
        try:
            attempt()
        except (AssertionError, ExceptionGroup):       # the divergence (a timing-sensitive real lab: a flaky one)
            pass
    return min(confirmed, key=lambda f: len(f.scenario.break_), default=Finding(spec, comparison, steps=steps))


def write(finding: Finding, folder: Path) -> Path:
    """The divergence as a scenario file: the history, the model's prediction as its symptoms, what the real lab
    showed in its description."""
    spec = finding.scenario
    lines = [f"{d.step}: the model showed {d.sim}, the real lab {d.real}" + (f" ({d.raw})" if d.raw else "")
             for d in finding.comparison.divergences]
    if finding.limitation:
        lines.append(f"Explained: {finding.limitation}.")
    doc = spec.model_dump(mode="json", by_alias=True, exclude_none=True, exclude_defaults=True)
    doc["description"] = ("Found by `trustlab conformance --explore`: the model (the sim with the real backend's "
                          "profile) and the real lab disagree.\n" + "\n".join(lines) + "\n"
                          f"`trustlab conformance --scenario {spec.id}.yaml` replays it on both.\n")
    order = ["id", "title", "description", "models", "tags", "setup", "break", "symptoms"]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{spec.id}.yaml"
    path.write_text(yaml.safe_dump({k: doc[k] for k in order if k in doc}, sort_keys=False, allow_unicode=True,
                                   default_flow_style=None, width=110), encoding="utf-8")
    return path
