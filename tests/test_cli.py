"""The command line, through click's runner: exit codes, texts, files written."""
from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import FIXTURES, ROOT
from trustlab.cli import main


def cli(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_run_without_arguments_prints_the_matrix_and_exits_0():
    r = cli("run")
    assert r.exit_code == 0
    assert "remediation × scenario" in r.output
    assert "12/12 scenarios reproduced" in r.output and "claims hold" in r.output
    assert "seed-loaner-story" in r.output and "seed-checklist" in r.output


def test_run_one_shows_the_technicians_messages():
    r = cli("run", "machine-account-reset", "-r", "repair-secure-channel-with-credential")
    assert r.exit_code == 0
    assert "The trust relationship between this workstation and the primary domain failed." in r.output
    assert "TRUST_FAILURE (1789, 0xC000018D)" in r.output
    assert "verdict: FIXED" in r.output
    assert "claim repair-secure-channel-with-credential fixes machine-account-reset: holds" in r.output


def test_run_in_japanese():
    r = cli("run", "machine-account-reset", "--lang", "ja")
    assert "このワークステーションとプライマリ ドメインとの信頼関係に失敗しました。" in r.output
    assert "判定: REPRODUCED (症状が再現した)" in r.output and r.exit_code == 0
    assert "症状 (symptoms)" in r.output


def test_run_not_fixed_exits_1():
    r = cli("run", "machine-account-reset", "-r", "delete-user-profile")
    assert r.exit_code == 1 and "verdict: NOT_FIXED" in r.output


def test_run_writes_the_journal(tmp_path):
    path = tmp_path / "j.json"
    assert cli("run", "seed-loaner-story", "-r", "seed-checklist", "--journal", str(path)).exit_code == 0
    data = json.loads(path.read_text())
    assert data["scenario"] == "seed-loaner-story" and data["verdict"] == {"verdict": "FIXED"}
    assert data["entries"][0]["step"] == "join: {}"


def test_matrix_journals_and_junit(tmp_path):
    r = cli("run", "--journal", str(tmp_path / "j"), "--junit", str(tmp_path / "junit.xml"))
    assert r.exit_code == 0
    assert (tmp_path / "j" / "seed-loaner-story--seed-checklist.json").exists()
    assert (tmp_path / "j" / "seed-loaner-story--reproduce.json").exists()
    found = next((ROOT / "scenarios" / "found").glob("*.yaml")).stem
    assert (tmp_path / "j" / f"{found}--unplug-cached-logon-wait-reboot.json").exists()
    xml = (tmp_path / "junit.xml").read_text()
    assert 'failures="0"' in xml and 'classname="trustlab.seed-loaner-story" name="fixed-by[seed-checklist]"' in xml
    assert f'classname="trustlab.{found}" name="regression"' in xml and "xfail: a known counterexample" in xml


def test_the_journal_folder_may_exist_and_old_files_are_said_to_stay(tmp_path):
    (tmp_path / "j").mkdir()
    (tmp_path / "j" / "notes.txt").write_text("mine")
    for _ in range(2):
        r = cli("run", "--journal", str(tmp_path / "j"))
        assert r.exit_code == 0
        assert (f"journals to {tmp_path / 'j'}/ (a journal of the same name is replaced; other files there are left "
                f"as they are)") in r.output
    assert (tmp_path / "j" / "notes.txt").read_text() == "mine"
    one = cli("run", "machine-account-reset", "-r", "reset-machine-password", "--journal", str(tmp_path / "j"))
    assert one.exit_code == 0 and (tmp_path / "j" / "machine-account-reset--reset-machine-password.json").exists()
    (tmp_path / "file").write_text("")
    assert cli("run", "--journal", str(tmp_path / "file")).exit_code == 2


def test_one_run_writes_junit(tmp_path):
    out = tmp_path / "out.xml"
    r = cli("run", "machine-account-reset", "-r", "repair-secure-channel-with-credential", "--junit", str(out))
    assert r.exit_code == 0
    root = ET.parse(out).getroot()
    suite = root.find("testsuite")
    assert suite.get("name") == "trustlab.sim.windows" and suite.get("tests") == "1" and suite.get("timestamp")
    case = suite.find("testcase")
    assert case.get("classname") == "trustlab.machine-account-reset"
    assert case.get("name") == "fixed-by[repair-secure-channel-with-credential]" and float(case.get("time")) >= 0
    assert "repair_secure_channel: {credential: domain_admin}" in case.find("system-out").text
    assert "verdict: FIXED" in case.find("system-out").text
    r = cli("run", "machine-account-reset", "-r", "delete-user-profile", "--junit", str(out))
    assert r.exit_code == 1 and ET.parse(out).getroot().find("testsuite/testcase/failure").get("message") == "NOT_FIXED"


def test_json_formats_of_run(tmp_path):
    data = json.loads(cli("run", "--format", "json").output)
    assert data["ok"] and data["scenarios"]["hidden-adapter"]["cells"]["rejoin-domain"] == "MADE_WORSE"
    assert {"scenario": "clock-months-off", "remediation": "unplug-cached-logon-wait-reboot", "verdict": "FIXED",
            "holds": True, "contradicted_by": []} in data["claims"]
    journal = json.loads(cli("run", "machine-account-reset", "--format", "json").output)
    assert journal["scenario"] == "machine-account-reset" and journal["verdict"] == {"verdict": "REPRODUCED"}


def _own(root):
    for sub in ("scenarios", "remediations"):
        (root / sub).mkdir(parents=True)
    (root / "remediations/just-reboot.yaml").write_text(
        "id: just-reboot\ntitle: Reboot\nfixes: [machine-account-reset]\nsteps:\n  - reboot: {}\n")
    return root


def test_catalogue_options_also_follow_the_command(tmp_path):
    own = _own(tmp_path / "own")
    r = cli("show", "just-reboot", "--add", str(own))
    assert r.exit_code == 0 and "claims to fix: machine-account-reset" in r.output
    r = cli("run", "machine-account-reset", "-r", "just-reboot", f"--add={own}")
    assert r.exit_code == 1 and "claim just-reboot fixes machine-account-reset: DOES NOT HOLD" in r.output
    assert cli("list", "--catalogue", str(own)).exit_code == 2          # its claim needs the shipped scenario


def test_add_puts_a_folder_beside_the_shipped_catalogue_and_reads_nothing_else(tmp_path):
    own = _own(tmp_path / "own")
    (own / ".github" / "workflows").mkdir(parents=True)
    (own / ".github" / "workflows" / "ci.yml").write_text("on: [push]\njobs: {test: {runs-on: ubuntu-latest}}\n")
    r = cli("--add", str(own), "list", "--format", "plain")
    assert r.exit_code == 0 and "just-reboot" in r.output and "seed-loaner-story" in r.output


def test_a_folder_that_is_not_a_catalogue_is_bad_input(tmp_path):
    (tmp_path / "x.yaml").write_text("id: x\n")
    r = cli("--catalogue", str(tmp_path), "list")
    assert r.exit_code == 2
    assert r.output.startswith(f"error: {tmp_path}: not a catalogue folder: it has no scenarios/ or remediations/")


def test_version():
    r = cli("--version")
    assert r.exit_code == 0 and r.output.startswith("trustlab 0.1.0")


def test_validate_a_missing_path_names_it_without_a_position():
    r = cli("validate", "no/such.yaml")
    assert r.exit_code == 2 and r.output == "error: no/such.yaml: no such file or folder\n"


def test_a_catalogue_with_a_broken_claim_exits_1(tmp_path):
    for sub in ("scenarios", "remediations"):
        (tmp_path / sub).mkdir()
    shutil.copy(ROOT / "scenarios/machine-account-reset.yaml", tmp_path / "scenarios")
    (tmp_path / "remediations/just-reboot.yaml").write_text(
        "id: just-reboot\ntitle: Reboot\nfixes: [machine-account-reset]\nsteps:\n  - reboot: {}\n")
    r = cli("--catalogue", str(tmp_path), "run")
    assert r.exit_code == 1
    assert "claim broken: just-reboot on machine-account-reset: NOT_FIXED" in r.output
    assert "0/1 claims hold" in r.output


def test_unknown_scenario_exits_2_with_a_suggestion():
    r = cli("run", "machine-account")
    assert r.exit_code == 2 and "did you mean machine-account-reset" in r.output
    r = cli("run", "machine-acount-reset")
    assert r.exit_code == 2 and r.output == ("error: no scenario 'machine-acount-reset'; did you mean "
                                             "machine-account-reset?\n")


def test_validate_ok_and_bad():
    assert cli("validate").output.startswith("ok: ")
    bad = FIXTURES / "invalid/scenarios/unknown-verb.yaml"
    r = cli("validate", str(bad))
    assert r.exit_code == 2
    assert f"{bad}:5:5: break[0].rebot: 'rebot' is not a step" in r.output


def test_schema_is_json():
    data = json.loads(cli("schema", "remediation").output)
    assert data["title"] == "Remediation"


def test_list_and_show():
    r = cli("list", "--tag", "seed")
    assert "seed-loaner-story" in r.output and "machine-account-reset " not in r.output
    r = cli("show", "stale-snapshot-one-rotation")
    assert "MP-5: the DC checks only the account's current password" in r.output
    assert "restore_snapshot: {name: golden}" in r.output
    r = cli("show", "delete-user-profile")
    assert "claims to fix: nothing" in r.output and "verify (default)" in r.output


@pytest.mark.parametrize("command", ["run", "list", "show", "validate", "schema", "docs"])
def test_every_command_has_help_with_examples(command):
    r = cli(command, "--help")
    assert r.exit_code == 0 and "Example" in r.output


def test_unknown_profile_exits_2():
    r = cli("run", "machine-account-reset", "--profile", "macos")
    assert r.exit_code == 2 and "unknown behaviour profile 'macos'; allowed: windows, samba" in r.output


def test_profile_file(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text("name: calibrated\ndc_accepts_previous_machine_password: true\n")
    r = cli("run", "stale-snapshot-one-rotation", "--profile", str(path))
    assert r.exit_code == 1 and "SYMPTOMS_NOT_REPRODUCED" in r.output   # the DC now takes N-1: no breakage


def test_lab_commands_refuse_the_sim():
    r = cli("lab", "up", "--backend", "sim")
    assert r.exit_code == 2


@pytest.mark.parametrize("command", ["up", "status", "reset", "down", "clean"])
def test_lab_subcommands_have_help_with_examples(command):
    r = cli("lab", command, "--help")
    assert r.exit_code == 0 and "Example" in r.output


def test_show_and_run_print_every_argument_defaults_included(tmp_path):
    own = _own(tmp_path / "own")
    (own / "remediations/repair-quietly.yaml").write_text(
        "id: repair-quietly\ntitle: Repair\nsteps:\n  - local_admin_logon: {}\n  - repair_secure_channel: {}\n")
    r = cli("show", "repair-quietly", "--add", str(own))
    assert "  - repair_secure_channel: {credential: domain_admin}" in r.output
    assert "  - logon: {password: current, expect: SUCCESS}" in r.output
    r = cli("show", "repair-secure-channel-local-admin")
    assert "  - repair_secure_channel: {credential: none}" in r.output
    r = cli("run", "machine-account-reset", "-r", "repair-quietly", "--add", str(own))
    assert "repair_secure_channel: {credential: domain_admin}" in r.output
    assert "logon: {password: current, expect: SUCCESS}  -> SUCCESS" in r.output


def test_list_plain_never_cuts_an_id_and_json_is_data():
    r = cli("list", "--format", "plain")
    lines = r.output.splitlines()
    assert any(line.startswith("machine-account-reset-reuse-blocked  ") for line in lines)
    assert any(line.startswith("repair-secure-channel-with-credential  Test-ComputerSecureChannel") for line in lines)
    data = json.loads(cli("list", "--format", "json").output)
    ids = [s["id"] for s in data["scenarios"]]
    assert "seed-loaner-story" in ids and data["remediations"][0]["file"].endswith(".yaml")
    shown = json.loads(cli("show", "seed-checklist", "--format", "json").output)
    assert "repair_secure_channel: {credential: domain_admin}" in shown["sections"]["steps"]


def test_a_claim_a_known_counterexample_contradicts_does_not_hold(tmp_path):
    from tests.runs.test_explorer import as_told

    told = as_told(tmp_path / "told")
    (told / "scenarios" / "found").mkdir()
    found = next((ROOT / "scenarios" / "found").glob("*.yaml"))
    shutil.copy(found, told / "scenarios" / "found")
    r = cli("--catalogue", str(told), "run")
    assert r.exit_code == 1 and "1/2 claims hold" in r.output
    assert (f"claim broken: unplug-cached-logon-wait-reboot on clock-months-off: FIXED; contradicted by {found.stem} "
            f"(replays NOT_FIXED)") in r.output
    r = cli("--catalogue", str(told), "run", "clock-months-off", "-r", "unplug-cached-logon-wait-reboot")
    assert r.exit_code == 1 and "verdict: FIXED" in r.output
    assert "claim unplug-cached-logon-wait-reboot fixes clock-months-off: DOES NOT HOLD" in r.output
    assert f"known counterexample {found.stem}: replayed NOT_FIXED (a schedule within the claim)" in r.output
    r = cli("run", "clock-months-off", "-r", "unplug-cached-logon-wait-reboot")          # the shipped, narrowed claim
    assert r.exit_code == 0 and "claim unplug-cached-logon-wait-reboot fixes clock-months-off: holds" in r.output
    r = cli("run")
    assert "outside its claim: " + found.stem in r.output and "only provided plug before the last reboot" in r.output


def test_the_journal_schema_describes_every_journal_written(tmp_path):
    from trustlab.engine.journal import Document

    schema = json.loads(cli("schema", "journal").output)
    assert schema["title"] == "Document" and schema["properties"]["format"]["const"] == 3
    assert cli("run", "--journal", str(tmp_path)).exit_code == 0
    journals = list(tmp_path.glob("*.json"))
    assert len(journals) > 200
    for path in journals:
        Document.model_validate_json(path.read_text())            # no key the schema does not describe


def test_lang_ja_covers_trustlabs_own_words():
    r = cli("run", "machine-account-reset", "-r", "reset-machine-password", "--lang", "ja")
    assert r.exit_code == 0
    for words in ("準備 (setup)", "障害の発生 (break)", "対処手順 (remediation)", "確認 (verify)",
                  "症状の再確認 (recheck)", "症状は解消", "判定: FIXED (修復された)",
                  "主張「reset-machine-password は machine-account-reset を修復する」: 成立",
                  "このワークステーションとプライマリ ドメインとの信頼関係に失敗しました。"):
        assert words in r.output, words
    for english in ("symptom gone", "verdict:", "claim reset-machine-password", "The trust relationship"):
        assert english not in r.output, english
    r = cli("run", "--lang", "ja")
    assert "対処手順 × シナリオ" in r.output and "シナリオ 12/12 が再現、主張 49 件中 49 件が成立" in r.output
    assert "主張の範囲外:" in r.output


def test_list_on_a_narrow_terminal_prints_lines_rather_than_cut_ids():
    r = CliRunner().invoke(main, ["list", "--format", "rich"], env={"COLUMNS": "60"})
    found = next((ROOT / "scenarios" / "found").glob("*.yaml")).stem
    assert any(line.startswith(found + "  ") for line in r.output.splitlines())
    assert "…" not in r.output


def test_a_command_run_in_process_leaves_the_callers_sigterm_handler_alone():
    """The CLI's SIGTERM handler is the real entry point's (the `trustlab` script, `python -m trustlab`): pytest
    calling a command in its own process keeps its own, so a SIGTERM stops the suite, not the test running."""
    import signal

    mine = signal.getsignal(signal.SIGTERM)
    assert cli("list").exit_code == 0 and cli("run", "machine-account-reset").exit_code == 0
    assert signal.getsignal(signal.SIGTERM) is mine


def test_the_real_entry_point_ends_on_sigterm_with_143(tmp_path):
    import signal
    import subprocess
    import sys
    import time

    proc = subprocess.Popen([sys.executable, "-m", "trustlab", "explore", "clock-months-off", "-r",
                             "unplug-cached-logon-wait-reboot", "--examples", "1000000", "--seed", "1", "--out",
                             str(tmp_path)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=tmp_path)
    status, deadline = Path(f"/proc/{proc.pid}/status"), time.monotonic() + 60
    while not int(next(line for line in status.read_text().splitlines() if line.startswith("SigCgt:")).split()[1],
                  16) >> (signal.SIGTERM - 1) & 1:              # until it has a handler of its own
        assert time.monotonic() < deadline and proc.poll() is None
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=60) == 143


def test_validate_a_file_knows_the_scenarios_of_its_own_catalogue_folder(tmp_path):
    """As the pytest plugin judges a file with its catalogue folder, so does `validate FILE`: a remediation claims
    its folder's own scenario; a bad file beside it is not this file's mistake."""
    own = _own(tmp_path / "ci")
    (own / "scenarios/my-reset.yaml").write_text(
        (ROOT / "scenarios/machine-account-reset.yaml").read_text().replace("id: machine-account-reset",
                                                                            "id: my-reset"))
    (own / "remediations/my-fix.yaml").write_text(
        "id: my-fix\ntitle: Repair\nfixes: [my-reset]\nsteps:\n  - local_admin_logon: {}\n"
        "  - repair_secure_channel: {}\n")
    (own / "remediations/broken.yaml").write_text("id: broken\ntitle: Broken\nfixes: []\nsteps:\n  - rebot: {}\n")
    r = cli("validate", str(own / "remediations/my-fix.yaml"))
    assert r.exit_code == 0 and r.output == "ok: 0 scenario(s), 1 remediation(s)\n", r.output
    r = cli("validate", str(own / "remediations/broken.yaml"))
    assert r.exit_code == 2 and "broken.yaml:5:5: steps[0].rebot" in r.output


def test_a_profile_file_that_is_not_there_is_said_to_be_missing(tmp_path):
    r = cli("run", "machine-account-reset", "--profile", "nosuch.yaml")
    assert r.exit_code == 2 and "behaviour profile nosuch.yaml: no such file; allowed: windows, samba or a YAML " \
                                "file" in r.output
    r = cli("run", "machine-account-reset", "--profile", str(tmp_path))
    assert r.exit_code == 2 and f"behaviour profile {tmp_path}: is a folder" in r.output
    r = cli("run", "machine-account-reset", "--profile", "sambaa")
    assert r.exit_code == 2 and "unknown behaviour profile 'sambaa' (did you mean 'samba'?)" in r.output
