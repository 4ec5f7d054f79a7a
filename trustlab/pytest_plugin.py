"""pytest plugin: `pytest scenarios/` collects trustlab files as test items.

What it collects: a YAML file with a top-level key only trustlab files have (`break`, `symptoms`, `steps`, `fixes`,
`regression`), found in a folder named `scenarios` or `remediations` (or in the folders of the ini option
`trustlab_paths`, which then replace that rule), or named on the command line. Nothing else is opened as
trustlab's: another tool's YAML (a Tavern test, a compose file) beside them is left alone.

Items: a scenario file gives `reproduce` and one `fixed-by[REMEDIATION]` per claim; a found counterexample
(`scenarios/found/`) gives `regression`, an expected failure (strict: it fails the run when it passes, to be
promoted); a remediation file gives `fixes[SCENARIO]` for its claims on scenarios this run does not collect (the
shipped ones). A claim fails when a known counterexample within it still fails.

The catalogue a file is judged with: its own catalogue folder (the folder holding its `scenarios/` and
`remediations/`) with the shipped catalogue beside it (or `trustlab_catalogue` instead), and `trustlab_add`.
Options, on the command line or as ini options: --trustlab-backend / trustlab_backend (sim), --trustlab-profile /
trustlab_profile (the backend's own), --trustlab-catalogue / trustlab_catalogue, --trustlab-add / trustlab_add,
--trustlab-seed / trustlab_seed, --trustlab-shard K/N (only shard K of N of the items: the same split as `trustlab run
--shard`, by the SHA-256 of each item's run name; a claim's item replays its known counterexamples itself, so any
split judges it whole). Marks: `trustlab`, the backend's name, and each of the scenario's tags.

Under pytest-xdist each worker uses a lab of its own on a backend with named labs: `NAME-gw0` when
TRUSTLAB_SAMBA_LAB=NAME is set, else named after the run and the worker (`RUNID-gw0`: two runs on one host never
share a lab); a lab a worker built is torn down when the worker ends. On a backend with real labs a SIGTERM (a CI
timeout, a cancelled job) stops the run as Ctrl-C does, so the labs it built are torn down."""
from __future__ import annotations

import os
import shlex
import signal
from pathlib import Path
from typing import Optional

import pytest

try:
    from _pytest.junitxml import xml_key  # where --junitxml keeps its writer (record_xml_attribute uses it)
except ImportError:                                  # pragma: no cover: another pytest keeps it elsewhere
    xml_key = None

from trustlab import backends
from trustlab.engine.journal import Journal
from trustlab.engine.judgement import Verdict
from trustlab.engine.runner import run
from trustlab.runs.claims import AS_RECORDED, DIFFERENTLY, Replay, case_name, judged, replay
from trustlab.runs.matrix import lab_variable, shard_number
from trustlab.specs import catalogue as catalogue_mod
from trustlab.specs.errors import SpecError
from trustlab.specs.profiles import PROFILES, UnknownProfile, load_profile
from trustlab.views.terminal import entry_text

FOLDERS = catalogue_mod.SECTIONS
PATH_OPTIONS = ("--trustlab-catalogue", "--trustlab-add", "--trustlab-profile")


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("trustlab", "trustlab scenarios")
    group.addoption("--trustlab-backend", default=None,
                    help=f"backend to run trustlab files on: {', '.join(backends.BACKENDS)} (ini trustlab_backend; "
                         f"default: {backends.MODEL})")
    group.addoption("--trustlab-profile", default=None,
                    help="behaviour profile, a name or a file (ini trustlab_profile; default: the backend's own)")
    group.addoption("--trustlab-catalogue", action="append", default=[],
                    help="catalogue folder to use instead of the shipped one (ini trustlab_catalogue; repeatable; "
                         "write --trustlab-catalogue=DIR)")
    group.addoption("--trustlab-add", action="append", default=[],
                    help="catalogue folder beside the shipped one (ini trustlab_add; repeatable; write "
                         "--trustlab-add=DIR)")
    group.addoption("--trustlab-seed", default=None, type=int, help="seed of the labs' timers (ini trustlab_seed)")
    group.addoption("--trustlab-shard", default=None, metavar="K/N",
                    help="run only shard K of N of the trustlab items (the split of `trustlab run --shard`)")
    parser.addini("trustlab_backend", "trustlab: the backend (default sim)", default=backends.MODEL)
    parser.addini("trustlab_profile", "trustlab: the behaviour profile (default: the backend's own)", default="")
    parser.addini("trustlab_catalogue", "trustlab: catalogue folders instead of the shipped one", type="paths",
                  default=[])
    parser.addini("trustlab_add", "trustlab: catalogue folders beside the shipped one", type="paths", default=[])
    parser.addini("trustlab_paths", "trustlab: the folders whose trustlab files are collected (default: every "
                                    "folder named scenarios or remediations)", type="paths", default=[])
    parser.addini("trustlab_seed", "trustlab: seed of the labs' timers", default="0")


class Settings:
    """What the options and the ini file say, checked once at start-up."""

    def __init__(self, config: pytest.Config):
        try:
            self.backend = backends.backend_class(config.getoption("trustlab_backend")
                                                  or config.getini("trustlab_backend"))
        except backends.UnknownBackend as e:
            raise pytest.UsageError(f"trustlab backend: {e}") from None
        self.profile = config.getoption("trustlab_profile") or self._from_ini(config, "trustlab_profile")
        self._profile = None
        if self.profile:
            try:
                self._profile = load_profile(self.profile)
            except (UnknownProfile, SpecError) as e:
                raise pytest.UsageError(f"trustlab profile: {e}") from None
        given = [Path(p) for p in config.getoption("trustlab_catalogue")] or list(config.getini("trustlab_catalogue"))
        added = [Path(p) for p in config.getoption("trustlab_add")] + list(config.getini("trustlab_add"))
        self.base = [*(given or [catalogue_mod.default_root()]), *added]
        try:
            self._base = catalogue_mod.load_folders(self.base)  # checked once: its mistakes are no file's of this run
        except (catalogue_mod.NotACatalogue, SpecError) as e:
            raise pytest.UsageError("trustlab catalogue: " + "\n".join(e.lines())) from None
        self.shard = shard_option(config.getoption("trustlab_shard"))
        self.shard_emptied: list[bool] = []   # did the shard deselect every item there was (one answer per worker)
        seed = config.getoption("trustlab_seed")
        self.seed = int(config.getini("trustlab_seed") or 0) if seed is None else seed
        self.paths = [Path(p).resolve() for p in config.getini("trustlab_paths")]
        self.asked = [Path(a.split("::")[0]).resolve() for a in config.args]
        self._catalogues: dict[Path, tuple[catalogue_mod.Catalogue, dict]] = {}

    @staticmethod
    def _from_ini(config: pytest.Config, name: str) -> Optional[str]:
        """A profile in the ini file: a name, or a file relative to the ini file."""
        value = config.getini(name)
        if not value or value in PROFILES or config.inipath is None:
            return value or None
        return str(config.inipath.parent / value)

    @property
    def behaviour(self):
        if self._profile is None:
            self._profile = load_profile(self.backend.default_profile)
        return self._profile

    def catalogue(self, folder: Optional[Path], path: Path) -> catalogue_mod.Catalogue:
        """The catalogue of a collected file: its catalogue folder (or the file alone) with the base folders. The
        folder's files that have mistakes are left out of it, each reported by its own collection error: a file's
        SpecError has that file's problems alone."""
        key = folder or path.resolve()
        if key not in self._catalogues:
            files = catalogue_mod.files_in([*self.base, folder or path])
            self._catalogues[key] = catalogue_mod.load_each(files)
        cat, bad = self._catalogues[key]
        mine = bad.get(str(path.resolve()))
        if mine:
            raise SpecError(mine)
        return cat

    def in_trustlab_folder(self, path: Path) -> bool:
        path = path.resolve()
        if self.paths:
            return any(p == path or p in path.parents for p in self.paths)
        return any(parent.name in FOLDERS for parent in path.parents)

    def named(self, path: Path) -> bool:
        return path.resolve() in self.asked

    def collects(self, path: Path) -> bool:
        """Would this run collect `path` as a trustlab file?"""
        resolved = path.resolve()
        under = any(a == resolved or a in resolved.parents for a in self.asked)
        return self.named(path) or (under and self.in_trustlab_folder(path) and catalogue_mod.is_trustlab_file(path))


def shard_option(value: Optional[str]) -> Optional[tuple[int, int]]:
    """`--trustlab-shard K/N` as (K, N); anything else is a usage error."""
    if value is None:
        return None
    k, slash, n = value.partition("/")
    if not (slash and k.isdigit() and n.isdigit() and 1 <= int(k) <= int(n)):
        raise pytest.UsageError(f"--trustlab-shard {value!r}: expected K/N with 1 <= K <= N (e.g. 2/3)")
    return int(k), int(n)


def _spaced_paths(config: pytest.Config) -> list[str]:
    """Path options written with a space: pytest takes the value for a test path while it picks its rootdir and
    ini file, before any plugin can say otherwise."""
    args = [*shlex.split(os.environ.get("PYTEST_ADDOPTS", "")), *config.invocation_params.args]
    return [f"{a} {b}" for a, b in zip(args, args[1:]) if a in PATH_OPTIONS and Path(b).exists()]


def stop_on_sigterm(config: pytest.Config) -> None:
    """A SIGTERM stops the session as Ctrl-C does: the test running is interrupted, fixtures are torn down and the
    process exits through its clean-up handlers (a lab built is torn down); a second SIGTERM while that happens is
    ignored. Only in the main thread, only over the default handler (someone else's is kept), and put back when the
    session ends."""
    import threading

    if threading.current_thread() is not threading.main_thread() or \
            signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
        return
    stopping = []

    def stop(signum, frame):
        if not stopping:
            stopping.append(signum)
            raise KeyboardInterrupt("stopped by SIGTERM")

    signal.signal(signal.SIGTERM, stop)
    config.add_cleanup(lambda: signal.signal(signal.SIGTERM, signal.SIG_DFL))


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "trustlab: a trustlab scenario item")
    for name in backends.BACKENDS:
        config.addinivalue_line("markers", f"{name}: runs on the {name} backend")
    spaced = _spaced_paths(config)
    if spaced:
        fixed = ", ".join(s.replace(" ", "=", 1) for s in spaced)
        raise pytest.UsageError(f"write {fixed}: with a space pytest reads the path as a test path when it picks its "
                                f"rootdir and ini file (rootdir is now {config.rootpath}); or set the ini option")
    config._trustlab = Settings(config)
    backend = config._trustlab.backend
    worker, variable = os.environ.get("PYTEST_XDIST_WORKER"), lab_variable(backend)
    workerinput = getattr(config, "workerinput", None)
    if worker and variable and workerinput is not None:     # one lab per xdist worker, of this run alone
        base = os.environ.get(variable) or workerinput["testrunuid"][:8]
        os.environ[variable] = base if base.endswith(f"-{worker}") else f"{base}-{worker}"
    if backend.has_lab:
        stop_on_sigterm(config)
    config.pluginmanager.register(JUnitNames(config), "trustlab-junit-names")


class JUnitNames:
    """`--junitxml`: each trustlab item's case is named as `trustlab run --junit` names the claim (`case_name`), not
    after its file's path, so a dashboard follows a claim whichever runner made it. The name travels on the item's
    reports (also from an xdist worker to the controller, which writes the file)."""

    def __init__(self, config: pytest.Config):
        self.config = config

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        names = getattr(report, "trustlab_junit", None)
        xml = self.config.stash.get(xml_key, None) if xml_key is not None else None
        if names and xml is not None:
            node = xml.node_reporter(report)
            classname, name = names
            node.add_attribute("classname", f"{xml.prefix}.{classname}" if xml.prefix else classname)
            node.add_attribute("name", name)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call):
    report = yield
    if isinstance(item, ScenarioItem):
        report.trustlab_junit = list(item.junit)
    return report


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """`--trustlab-shard K/N`: the other shards' trustlab items are deselected (other tests are left alone)."""
    settings: Settings = config._trustlab
    if settings.shard is None:
        return
    k, n = settings.shard
    kept, dropped = [], []
    for item in items:
        mine = not isinstance(item, ScenarioItem) or shard_number(item.run_name, n) == k
        (kept if mine else dropped).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept
    settings.shard_emptied = [bool(dropped) and not kept]
    if hasattr(config, "workeroutput"):                 # an xdist worker tells the controller
        config.workeroutput["trustlab_shard_emptied"] = settings.shard_emptied[0]


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error) -> None:
    """xdist's controller: what each worker's shard left (the workers collect, the controller does not)."""
    settings = getattr(node.config, "_trustlab", None)
    if settings is not None and settings.shard is not None:
        settings.shard_emptied.append(bool(getattr(node, "workeroutput", {}).get("trustlab_shard_emptied")))


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """A shard that holds none of the items is a shard with nothing to do, not a failure: status 0, as
    `trustlab run --shard` says of an empty shard (pytest's own "no tests collected", 5, would fail a CI job)."""
    settings = getattr(session.config, "_trustlab", None)
    emptied = getattr(settings, "shard_emptied", [])
    if emptied and all(emptied) and exitstatus == pytest.ExitCode.NO_TESTS_COLLECTED:
        session.exitstatus = pytest.ExitCode.OK


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> Optional[pytest.Collector]:
    settings: Settings = parent.config._trustlab
    if file_path.suffix not in (".yaml", ".yml"):
        return None
    if settings.named(file_path) or (settings.in_trustlab_folder(file_path)
                                     and catalogue_mod.is_trustlab_file(file_path)):
        return TrustlabFile.from_parent(parent, path=file_path)
    return None


class TrustlabFile(pytest.File):
    def collect(self):
        settings: Settings = self.config._trustlab
        try:
            spec, _ = catalogue_mod.load_file(self.path)
            cat = settings.catalogue(catalogue_mod.catalogue_folder(self.path), self.path)
        except SpecError as e:
            raise self.CollectError(str(e)) from None
        if hasattr(spec, "symptoms"):
            spec = cat.scenarios[spec.id]
            if spec.regression:
                kinds = [("regression", None, spec)]
            else:
                kinds = [("reproduce", None, spec)] + [(f"fixed-by[{rid}]", rid, spec)
                                                       for rid in sorted(cat.remediations)
                                                       if cat.remediations[rid].claims(spec.id)]
        else:                       # a claimed scenario whose file has mistakes is that file's collection error
            kinds = [(f"fixes[{sid}]", spec.id, cat.scenarios[sid]) for sid in spec.fixes
                     if sid in cat.scenarios and spec.claims(sid)
                     and not settings.collects(Path(cat.sources[sid].file))]
        for name, rid, scenario in kinds:
            item = ScenarioItem.from_parent(self, name=name, spec=scenario, remediation_id=rid, catalogue=cat)
            for mark in ("trustlab", settings.backend.name, *scenario.tags):
                self.config.addinivalue_line("markers", f"{mark}: trustlab tag")
                item.add_marker(mark)
            if scenario.regression and scenario.regression.verdict != Verdict.FIXED.value:
                item.add_marker(pytest.mark.xfail(
                    strict=True, raises=KnownFailure,
                    reason=f"a known counterexample (recorded {scenario.regression.verdict}); if it passes now, "
                           f"promote it: set its `regression: verdict:` to what it gives"))
            yield item


class TrustlabFailure(Exception):
    def __init__(self, journal: Journal, expected: str, contradicting: list[Replay] = ()):
        super().__init__(journal.verdict.value)
        self.journal, self.expected, self.contradicting = journal, expected, list(contradicting)


class KnownFailure(TrustlabFailure):
    """A found counterexample that still fails as recorded: the expected failure."""


class ScenarioItem(pytest.Item):
    def __init__(self, *, spec, remediation_id: Optional[str], catalogue, **kwargs):
        super().__init__(**kwargs)
        self.spec, self.remediation_id, self.catalogue = spec, remediation_id, catalogue

    def runtest(self) -> None:
        settings: Settings = self.config._trustlab
        backend, profile, seed = settings.backend, settings.behaviour, settings.seed
        if self.spec.regression:
            replayed = replay(self.spec, self.catalogue, backend, profile, seed)
            self._skip_unsupported(replayed.journal)
            if replayed.state == AS_RECORDED and replayed.fails:
                raise KnownFailure(replayed.journal, self.spec.regression.verdict)      # xfailed, as expected
            if replayed.state == DIFFERENTLY:
                raise TrustlabFailure(replayed.journal, self.spec.regression.verdict)
            return                              # passes: strict xfail makes that a failure that says to promote it
        remediation = self.catalogue.remediation(self.remediation_id) if self.remediation_id else None
        journal = run(self.spec, remediation, backend, profile, seed)
        self._skip_unsupported(journal)
        claim = judged(self.catalogue, journal, backend, profile, seed)
        if not claim.holds:
            raise TrustlabFailure(journal, claim.expected.value, claim.contradicting)

    def _skip_unsupported(self, journal: Journal) -> None:
        if journal.verdict is Verdict.UNSUPPORTED:
            pytest.skip(f"unsupported on {journal.backend}: {journal.judgement.reason}")

    def repr_failure(self, excinfo, style=None):
        if not isinstance(excinfo.value, TrustlabFailure):
            return super().repr_failure(excinfo, style)
        journal, expected = excinfo.value.journal, excinfo.value.expected
        got = journal.verdict.value
        lines = [f"{self.spec.id}: expected {expected}, got {got}" if got != expected else
                 f"{self.spec.id}: {got}, but the claim does not hold"]
        for key in ("reason", "unmet", "worse", "failed_steps"):
            value = getattr(journal.judgement, key)
            lines += [f"  {key.replace('_', ' ')}: {v}" for v in ([value] if isinstance(value, str) else value or [])]
        lines += [f"  contradicted by the known counterexample {r.found}: it replays {r.journal.verdict.value}, a "
                  f"schedule within the claim (narrow the claim with `provided:` or fix the procedure)"
                  for r in excinfo.value.contradicting]
        failing = [e for e in journal.steps if e.matched is False and e.phase != "recheck" or e.status == "failed"]
        if failing:
            lines.append("failing steps of the journal:")
            for e in failing:
                got = e.outcome or e.status
                message = (e.message or {}).get("en", "")
                lines.append(f"  {e.clock:>8}  {e.phase}[{e.index}] {entry_text(e, journal.affected)} "
                             f"-> {got}" + (f"  ({message})" if message and got not in ("SUCCESS",) else ""))
                lines += [f"            | {out}" for out in e.output[-2:]]
        return "\n".join(lines)

    def reportinfo(self):
        return self.path, 0, f"{self.spec.id}::{self.name}"

    @property
    def junit(self) -> tuple[str, str]:
        """The claim's own name in JUnit XML, as `trustlab run --junit` writes it."""
        if self.spec.regression:
            return case_name(self.spec.id, found=True)
        return case_name(self.spec.id, self.remediation_id)

    @property
    def run_name(self) -> str:
        """The run's name as the matrix names it: SCENARIO--REMEDIATION, SCENARIO--reproduce, or a found file's
        claim (SCENARIO--REMEDIATION), so a found file goes with its claim."""
        if self.spec.regression:
            return f"{self.spec.regression.scenario}--{self.spec.regression.remediation}"
        return f"{self.spec.id}--{self.remediation_id or 'reproduce'}"
