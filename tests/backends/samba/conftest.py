"""Real-lab tests: they need root, Linux and the Debian packages (`.ci/run` installs them). Without them they skip
with the reason, except under CI=true, where a missing requirement fails: CI must run them for real."""
from __future__ import annotations

import os

import pytest

from tests.conftest import lab_name
from trustlab.backends.samba.domain import leftovers  # noqa: F401  (what a lab left on the host)


def _missing() -> list[str]:
    from trustlab.backends.samba.doctor import problems

    return problems()


@pytest.fixture(scope="session")
def samba_ready():
    missing = _missing()
    if missing:
        message = "the samba backend cannot run here: " + "; ".join(missing)
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="session")
def real_lab(samba_ready):
    """This run's lab (one per xdist worker, named by tests.conftest.lab_name: TRUSTLAB_SAMBA_LAB names it for the
    whole run), built unless this run built it already, torn down at the end, also when the run is stopped."""
    from trustlab.backends.samba.domain import SambaLab

    lab = SambaLab.named(lab_name())
    assert os.environ["TRUSTLAB_SAMBA_LAB"] == lab.name
    if not lab.exists:
        lab.up()
    try:
        yield lab
    finally:
        lab.down()
