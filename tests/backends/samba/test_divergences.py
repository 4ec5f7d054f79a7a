"""The differential search on the real lab: a bounded slice with a fixed seed, and the divergences it found at
length (docs/divergences/, docs/conformance.md) replayed as documented: the fixed one agrees, each open one still
diverges as written down (like Samba's knownfail list: when one starts to agree, this fails and the docs change)."""
from __future__ import annotations

from pathlib import Path

from trustlab.backends.samba import SambaBackend
from trustlab.backends.sim import SimBackend
from trustlab.runs.conformance import conformance
from trustlab.runs.differential import search
from trustlab.specs.catalogue import load_file, load_folders
from trustlab.specs.profiles import SAMBA

FOUND = Path(__file__).resolve().parents[3] / "docs" / "divergences"
FIXED = ["diff-b7f8955d",               # a 1-day maximum password age: samba-tool wanted a lower minimum
         "diff-dd6be3c8",               # a reset re-enabled a disabled account (samba-tool setpassword)
         "diff-96532f5f"]               # a skewed clock refused the session even without a Kerberos ticket (SC-9)
OPEN = {                                # the first divergence of each: (probe, the model, the real lab)
    "diff-204444b4": ("break[1] lock_unlock: {user: alice}", "SUCCESS_CACHED", "SUCCESS"),
    "diff-d41b6005": ("symptoms[0] logon: {user: alice, expect: SUCCESS_CACHED}", "SUCCESS_CACHED",
                      "PASSWORD_MUST_CHANGE"),
}


def test_a_slice_of_the_differential_search_on_the_real_lab(real_lab, tmp_path):
    result = search(SambaBackend, SimBackend, SAMBA, 3, seed=7, out=tmp_path, real_runs=3)
    assert result.examples == 3 and result.compared >= 1
    for finding in result.findings:                                # whatever it finds is a replayable file
        spec, _ = load_file(finding.written)
        assert spec.id == finding.written.stem


def test_the_divergences_found_at_length_replay_as_documented(real_lab):
    catalogue = load_folders([FOUND])
    results = {c.scenario: c for c in conformance(catalogue, SambaBackend, SimBackend, SAMBA, (*FIXED, *OPEN))}
    for sid in FIXED:
        assert results[sid].divergences == [], (sid, results[sid].divergences)
    for sid, (step, sim, real) in OPEN.items():
        first = results[sid].divergences[0] if results[sid].divergences else None
        assert first is not None and (first.step, first.sim, first.real) == (step, sim, real), (sid, first)
