"""Hostile and careless input through every command that reads files: exit 2, every problem with its position, no
traceback, no hang, nothing run."""
from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from tests.conftest import FIXTURES, ROOT

HOSTILE = ["alias-cycle", "billion-laughs", "control-character", "deep-nesting", "huge-number", "not-utf8",
           "time-backwards", "unquoted-colon", "key-is-a-list", "every-problem"]


def trustlab(*args: str, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "trustlab", *args], capture_output=True, text=True, timeout=120,
                          cwd=cwd)


def _catalogue_with(tmp_path, name: str):
    """The shipped catalogue plus one bad scenario file."""
    for sub in ("scenarios", "remediations"):
        shutil.copytree(ROOT / sub, tmp_path / "cat" / sub)
    shutil.copy(FIXTURES / "invalid" / "scenarios" / f"{name}.yaml", tmp_path / "cat" / "scenarios")
    return tmp_path / "cat"


def _clean_failure(done: subprocess.CompletedProcess, name: str) -> None:
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert f"{name}.yaml:" in done.stderr and "nothing was run" in done.stderr or "problem(s)" in done.stderr


@pytest.mark.parametrize("name", HOSTILE)
def test_validate_refuses_hostile_files_cleanly(name):
    path = FIXTURES / "invalid" / "scenarios" / f"{name}.yaml"
    done = trustlab("validate", str(path))
    _clean_failure(done, name)


@pytest.mark.parametrize("command", [["list"], ["show", "machine-account-reset"], ["run", "machine-account-reset"],
                                     ["explore", "machine-account-reset", "-r", "reset-machine-password",
                                      "--examples", "5"], ["run"]])
def test_every_command_that_reads_the_catalogue_refuses_it_cleanly(tmp_path, command):
    catalogue = _catalogue_with(tmp_path, "billion-laughs")
    done = trustlab("--catalogue", str(catalogue), *command, cwd=tmp_path)
    _clean_failure(done, "billion-laughs")
    assert "8:10: the file expands to more than 20,000 values" in done.stderr


def test_a_bad_profile_file_is_refused_with_its_position(tmp_path):
    profile = tmp_path / "p.yaml"
    profile.write_text("name: mine\nmax_clock_skew: -5\nscavenge_intervall: 900\n")
    done = trustlab("run", "machine-account-reset", "--profile", str(profile))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert f"{profile}:2:1: max_clock_skew: must be at least 0, got -5" in done.stderr
    assert f"{profile}:3:1: scavenge_intervall: unknown key 'scavenge_intervall' (did you mean " \
           f"'scavenge_interval'?)" in done.stderr


pytest_plugins = ["pytester"]


def test_the_pytest_plugin_reports_a_hostile_file_as_a_positioned_collection_error(pytester):
    folder = pytester.path / "scenarios"
    folder.mkdir()
    shutil.copy(FIXTURES / "invalid" / "scenarios" / "alias-cycle.yaml", folder)
    shutil.copy(ROOT / "scenarios" / "machine-account-reset.yaml", folder)
    result = pytester.runpytest(str(folder), "-p", "no:cacheprovider")
    out = result.stdout.str()
    assert "alias-cycle.yaml:6:5: the alias *steps refers to the value it is part of (a cycle)" in out
    assert "Traceback" not in out and "RecursionError" not in out
    assert result.ret != 0


BAD_OUTPUTS = [
    (["run", "--journal", "{file}/sub"], "--journal {file}/sub: cannot be made: {file} is a file"),
    (["run", "--journal", "{file}"], "--journal {file}: is a file; with no SCENARIO, --journal names a folder"),
    (["run", "machine-account-reset", "--journal", "{file}/x.json"], "cannot be made: {file} is a file"),
    (["run", "--report", "/sys/trustlab-report.html"], "--report /sys/trustlab-report.html: cannot be written: "
                                                       "Permission denied"),
    (["run", "machine-account-reset", "--junit", "{file}/x.xml"], "--junit {file}/x.xml: cannot be made"),
    (["run", "--junit", "{folder}"], "--junit {folder}: is a folder, not a file"),
    (["guide", "-o", "/sys/guide.md"], "--out /sys/guide.md: cannot be written"),
    (["report", "{folder}", "-o", "/sys/report.html"], "--out /sys/report.html: cannot be written"),
    (["merge", "{folder}", "--junit", "{file}/m.xml"], "--junit {file}/m.xml: cannot be made"),
    (["explore", "clock-months-off", "-r", "unplug-cached-logon-wait-reboot", "--out", "{file}"],
     "--out {file}: is a file, not a folder"),
    (["lab", "check", "--report", "/sys/check.html"], "--report /sys/check.html: cannot be written"),
    (["schema", "-o", "{file}/s.json"], "--output {file}/s.json: cannot be made"),
]


@pytest.mark.parametrize("args, said", BAD_OUTPUTS, ids=lambda v: " ".join(v) if isinstance(v, list) else "")
def test_an_output_that_cannot_be_written_is_one_line_and_exit_2_before_anything_runs(tmp_path, args, said):
    file, folder = tmp_path / "a-file", tmp_path / "a-folder"
    file.write_text("x")
    folder.mkdir()
    given = [a.format(file=file, folder=folder) for a in args]
    done = trustlab(*given, cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert done.stdout == "" and done.stderr.count("\n") == 1, done.stderr          # nothing ran; one line
    assert done.stderr.startswith("error: ") and said.format(file=file, folder=folder) in done.stderr


def test_junit_and_report_make_their_folders_as_pytest_junitxml_does(tmp_path):
    done = trustlab("run", "machine-account-reset", "--junit", str(tmp_path / "new" / "deep" / "x.xml"),
                    "--report", str(tmp_path / "other" / "r.html"))
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "new" / "deep" / "x.xml").is_file() and (tmp_path / "other" / "r.html").is_file()
