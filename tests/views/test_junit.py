"""JUnit XML: a suite per backend and profile, times, the journal in system-out, UNSUPPORTED skipped."""
from __future__ import annotations

import xml.etree.ElementTree as ET

from trustlab.backends.sim import SimBackend
from trustlab.runs.matrix import run_matrix
from trustlab.specs.profiles import SAMBA
from trustlab.views.junit import matrix_cases, write_junit


class NoAdapters(SimBackend):
    """The sim without PnP adapters, as on the Samba lab: the NW-1 scenarios are UNSUPPORTED."""

    def unsupported_reason(self, verb):
        return "no PnP adapters here" if verb == "replace_nic" else super().unsupported_reason(verb)


def test_unsupported_runs_are_skipped_and_each_backend_and_profile_is_a_suite(tmp_path, catalogue):
    cases = matrix_cases(run_matrix(catalogue, NoAdapters)) + matrix_cases(run_matrix(catalogue, SimBackend, SAMBA))
    write_junit(tmp_path / "j.xml", cases, 0.0)
    root = ET.parse(tmp_path / "j.xml").getroot()
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert set(suites) == {"trustlab.sim.windows", "trustlab.sim.samba"}
    windows = suites["trustlab.sim.windows"]
    assert windows.get("timestamp") == "1970-01-01T00:00:00" and float(windows.get("time")) > 0
    skipped = {c.get("classname") for c in windows.findall("testcase") if c.find("skipped") is not None}
    assert {"trustlab.hidden-adapter", "trustlab.seed-loaner-story"} <= skipped
    hidden = next(c for c in windows.findall("testcase") if c.get("classname") == "trustlab.hidden-adapter"
                  and c.get("name") == "reproduce")
    assert hidden.find("skipped").get("message") == "unsupported on sim: break[0] replace_nic: {}: no PnP adapters here"
    assert hidden.find("failure") is None and "replace_nic: {}" in hidden.find("system-out").text
    assert int(windows.get("failures")) == 0 and int(windows.get("skipped")) >= len(skipped)
    assert int(root.get("tests")) == sum(int(s.get("tests")) for s in suites.values())
