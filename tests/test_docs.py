"""The documentation that must not drift from the code."""
from __future__ import annotations

import re

import yaml

from tests.conftest import ROOT
from trustlab.specs.catalogue import is_trustlab_text
from trustlab.specs.remediation import Remediation
from trustlab.specs.scenario import Scenario
from trustlab.views.language import render


def test_scenario_language_reference_matches_the_vocabulary():
    assert (ROOT / "docs/scenario-language.md").read_text(encoding="utf-8") == render(), \
        "run `trustlab docs -o docs/scenario-language.md`"


def test_readme_examples_are_valid_specs():
    """Every YAML block of the README that is a trustlab file (by the catalogue's own rule) is a valid spec; the
    others (a CI workflow) are valid YAML."""
    blocks = re.findall(r"```yaml\n(.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"), re.S)
    kinds = []
    for block in blocks:
        data = yaml.safe_load(block)
        if not is_trustlab_text(block):
            continue
        model = Scenario if "break" in data else Remediation
        model.model_validate(data)
        kinds.append(model)
    assert Scenario in kinds and Remediation in kinds


def test_readme_starts_with_the_two_commands():
    head = (ROOT / "README.md").read_text(encoding="utf-8").split("\n## ")[0]
    assert "trustlab run" in head and "pytest" in head
