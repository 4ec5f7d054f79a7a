"""Calibration: small experiments, written as ordinary scenarios, that settle the open questions of
windows-behaviour.md on a real backend, and the observed behaviour profile they add up to.

Each experiment's symptom states what the sourced default predicts; the journal says what the backend did, and
that observation sets the profile switch. Run on the sim, calibration reads back the profile it was given; that
is how the experiments are tested here. `trustlab calibrate --backend vagrant` runs them on real Windows."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional

import yaml

from trustlab.engine.backend import Backend
from trustlab.engine.journal import Journal, StepEntry
from trustlab.engine.judgement import Verdict
from trustlab.engine.runner import run
from trustlab.specs.outcomes import usable
from trustlab.specs.profiles import BehaviourProfile
from trustlab.specs.scenario import Scenario

EXPIRING = {"policies": {"max_password_age": "1d"}}


@dataclass(frozen=True)
class Experiment:
    question: str                           # as numbered under "Open questions" in windows-behaviour.md
    scenario: dict
    switch: Optional[str] = None            # the profile switch it settles, if any
    read: Callable[[StepEntry], Any] = lambda probe: None

    @property
    def spec(self) -> Scenario:
        return Scenario.model_validate(self.scenario)


EXPERIMENTS = [
    Experiment(
        "1. Does the DC accept the previous machine password for a workstation secure channel (MP-5)?",
        {"id": "calibrate-previous-machine-password", "title": "A snapshot restored after one machine password change",
         "models": ["MP-5", "MP-6"],
         "setup": [{"join": {}}, {"logon": {"expect": "SUCCESS"}}],
         "break": [{"snapshot": {"name": "calibrate"}}, {"rotate_machine_password": {}},
                   {"restore_snapshot": {"name": "calibrate"}}],
         "symptoms": [{"secure_channel": {"expect": "BROKEN"}}]},
        "dc_accepts_previous_machine_password", lambda probe: probe.outcome == "OK"),
    Experiment(
        "2. What does a failing `nltest /sc_verify` print (SC-2)?",
        {"id": "calibrate-failing-nltest", "title": "The computer account reset on the DC, then a reboot",
         "models": ["MP-7", "SC-2"],
         "setup": [{"join": {}}, {"logon": {"expect": "SUCCESS"}}],
         "break": [{"reset_computer_account": {}}, {"reboot": {}}],
         "symptoms": [{"secure_channel": {"expect": "BROKEN"}}]},
        read=lambda probe: list(probe.output)),
    Experiment(
        "3. Does a cached logon still work offline after the password expired (LG-6)?",
        {"id": "calibrate-offline-after-expiry", "title": "Offline, two days after a one-day maximum age",
         "models": ["LG-6"], "lab": EXPIRING,
         "setup": [{"join": {}}, {"logon": {"expect": "SUCCESS"}}],
         "break": [{"unplug": {}}, {"advance_time": {"by": "2d"}}],
         "symptoms": [{"logon": {"expect": "SUCCESS_CACHED"}}]},
        "offline_logon_after_expiry", lambda probe: usable(probe.outcome)),
    Experiment(
        "4. Does an expired password ever show as the 1789 trust failure (LG-7)?",
        {"id": "calibrate-expired-online", "title": "Online, two days after a one-day maximum age",
         "models": ["LG-7", "LG-6"], "lab": EXPIRING,
         "setup": [{"join": {}}, {"logon": {"expect": "SUCCESS"}}],
         "break": [{"advance_time": {"by": "2d"}}],
         "symptoms": [{"logon": {"expect": "PASSWORD_EXPIRED"}}]},
        "expired_password_reports_trust_failure", lambda probe: probe.outcome == "TRUST_FAILURE"),
]
NOT_AN_EXPERIMENT = ("5. Whether a feature update strands a static IP on a hidden adapter (NW-1) needs a feature "
                     "update; the lab reproduces the stranding itself with `replace_nic`.")


@dataclass
class Finding:
    experiment: Experiment
    journal: Journal
    probe: Optional[StepEntry]           # the experiment's observation, if the run got that far
    value: Any

    @property
    def settled(self) -> bool:
        return self.journal.verdict not in (Verdict.UNSUPPORTED, Verdict.BASELINE_FAILED)


@dataclass
class Calibration:
    backend: str                            # its name, for the written profile's header
    base: BehaviourProfile
    findings: list[Finding] = field(default_factory=list)

    def profile(self, name: str) -> BehaviourProfile:
        """The base profile with every switch an experiment settled set to what was observed."""
        observed = {f.experiment.switch: f.value for f in self.findings if f.experiment.switch and f.settled}
        return self.base.model_copy(update={"name": name, **observed})

    def write(self, path: Path, name: str) -> BehaviourProfile:
        profile = self.profile(name)
        lines = [f"# Written by `trustlab calibrate --backend {self.backend}` from the {self.base.name} profile.",
                 "# What each experiment observed (windows-behaviour.md, Open questions):"]
        for f in self.findings:
            lines.append(f"#   {f.experiment.question}")
            lines.append(f"#     {f.journal.verdict.value}: observed {f.probe.outcome if f.probe else None}"
                         + (f" -> {f.experiment.switch}: {f.value}" if f.experiment.switch else ""))
            if not f.experiment.switch:
                lines += [f"#       | {line}" for line in f.value]
        lines.append(f"#   {NOT_AN_EXPERIMENT}")
        body = yaml.safe_dump(profile.model_dump(mode="json"), sort_keys=False, allow_unicode=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines) + "\n" + body, encoding="utf-8")
        return profile


def calibrate(backend: type[Backend], base: BehaviourProfile, progress: Callable[[Experiment], None] = lambda e: None,
              only: Optional[list[str]] = None) -> Calibration:
    result = Calibration(backend.name, base)
    for experiment in EXPERIMENTS:
        if only and experiment.scenario["id"] not in only:
            continue
        progress(experiment)
        journal = run(experiment.spec, None, backend, base)
        probe = next((e for e in journal.steps if e.phase == "symptoms"), None)
        result.findings.append(Finding(experiment, journal, probe, experiment.read(probe) if probe else None))
    return result
