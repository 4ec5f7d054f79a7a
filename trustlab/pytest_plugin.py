"""pytest plugin: `pytest scenarios/` collects every scenario file as test items: its reproduction, one item per
remediation that claims to fix it, and, for a file the explorer wrote, its regression replay.

Options: --trustlab-backend (sim), --trustlab-profile (the backend's own), --trustlab-catalogue DIR. Marks: `trustlab`,
the backend's name, and each of the scenario's tags (`pytest scenarios/ -m seed`). JUnit XML through pytest's own
`--junitxml`."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import pytest

from trustlab import backends
from trustlab import catalogue as catalogue_mod
from trustlab.engine.journal import Journal
from trustlab.engine.judgement import Verdict
from trustlab.engine.runner import run
from trustlab.profiles import load_profile
from trustlab.specs.errors import SpecError
from trustlab.specs.remediation import from_regression


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("trustlab", "trustlab scenarios")
    group.addoption("--trustlab-backend", default=backends.MODEL,
                    help=f"backend to run scenario files on: {', '.join(backends.BACKENDS)} "
                         f"(default: {backends.MODEL})")
    group.addoption("--trustlab-profile", default=None,
                    help="behaviour profile (default: the backend's own, e.g. `samba` on samba)")
    group.addoption("--trustlab-catalogue", action="append", default=[],
                    help="catalogue folder for the remediations that claim the scenarios (default: the shipped one)")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "trustlab: a trustlab scenario item")
    for name in backends.BACKENDS:
        config.addinivalue_line("markers", f"{name}: runs on the {name} backend")
    try:
        config._trustlab_backend = backends.backend_class(config.getoption("trustlab_backend"))
    except backends.UnknownBackend as e:
        raise pytest.UsageError(f"--trustlab-backend: {e}") from None


def _requested(path: Path, config: pytest.Config) -> bool:
    """Only files the user asked for: a `scenarios` folder (or a scenario file) named on the command line."""
    for arg in config.args:
        target = Path(arg.split("::")[0]).resolve()
        if target == path.resolve() or (target.is_dir() and target.name == "scenarios"
                                         and target in path.resolve().parents):
            return True
    return False


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> Optional[pytest.Collector]:
    if file_path.suffix in (".yaml", ".yml") and _requested(file_path, parent.config):
        return ScenarioFile.from_parent(parent, path=file_path)
    return None


def _catalogue(config: pytest.Config):
    if not hasattr(config, "_trustlab_catalogue"):
        dirs = [Path(d) for d in config.getoption("trustlab_catalogue")]
        config._trustlab_catalogue = catalogue_mod.load(dirs) if dirs else catalogue_mod.load_default()
    return config._trustlab_catalogue


class ScenarioFile(pytest.File):
    def collect(self):
        try:
            spec, _ = catalogue_mod.load_file(self.path)
        except SpecError as e:
            raise self.CollectError(str(e)) from None
        if not hasattr(spec, "symptoms"):
            return
        backend = self.config._trustlab_backend.name
        if spec.regression:
            kinds = [("regression", None)]
        else:
            claims = sorted(r.id for r in _catalogue(self.config).remediations.values() if spec.id in r.fixes)
            kinds = [("reproduce", None)] + [(f"fixed-by[{rid}]", rid) for rid in claims]
        for name, rid in kinds:
            item = ScenarioItem.from_parent(self, name=name, spec=spec, remediation_id=rid)
            for mark in ("trustlab", backend, *spec.tags):
                self.config.addinivalue_line("markers", f"{mark}: trustlab tag")
                item.add_marker(mark)
            yield item


class TrustlabFailure(Exception):
    def __init__(self, journal: Journal, expected: str):
        super().__init__(journal.verdict.value)
        self.journal, self.expected = journal, expected


class ScenarioItem(pytest.Item):
    def __init__(self, *, spec, remediation_id: Optional[str], **kwargs):
        super().__init__(**kwargs)
        self.spec, self.remediation_id = spec, remediation_id

    def runtest(self) -> None:
        backend = self.config._trustlab_backend
        profile = load_profile(self.config.getoption("trustlab_profile") or backend.default_profile)
        if self.spec.regression:
            remediation, expected = from_regression(self.spec), self.spec.regression.verdict
        elif self.remediation_id:
            remediation, expected = _catalogue(self.config).remediation(self.remediation_id), Verdict.FIXED.value
        else:
            remediation, expected = None, Verdict.REPRODUCED.value
        journal = run(self.spec, remediation, backend, profile)
        if journal.verdict is Verdict.UNSUPPORTED:
            pytest.skip(f"unsupported on {backend.name}: {journal.judgement.reason}")
        if journal.verdict.value != expected:
            raise TrustlabFailure(journal, expected)

    def repr_failure(self, excinfo, style=None):
        if not isinstance(excinfo.value, TrustlabFailure):
            return super().repr_failure(excinfo, style)
        journal, expected = excinfo.value.journal, excinfo.value.expected
        lines = [f"{self.spec.id}: expected {expected}, got {journal.verdict.value}"]
        for key in ("reason", "unmet", "worse", "failed_steps"):
            value = getattr(journal.judgement, key)
            lines += [f"  {key.replace('_', ' ')}: {v}" for v in ([value] if isinstance(value, str) else value or [])]
        failing = [e for e in journal.steps if e.get("matched") is False and e["phase"] != "recheck"
                   or e["status"] == "failed"]
        if failing:
            lines.append("failing steps of the journal:")
            for e in failing:
                got = e.get("outcome") or e["status"]
                message = (e.get("message") or {}).get("en", "")
                lines.append(f"  {e['clock']:>8}  {e['phase']}[{e['index']}] {e['step']} -> {got}"
                             + (f"  ({message})" if message and got not in ("SUCCESS",) else ""))
                lines += [f"            | {out}" for out in e.get("output", [])[-2:]]
        return "\n".join(lines)

    def reportinfo(self):
        return self.path, 0, f"{self.spec.id}::{self.name}"
