"""Real-lab tests: they need root, Linux and the Debian packages (`.ci/run` installs them). Without them they skip
with the reason, except under CI=true, where a missing requirement fails: CI must run them for real."""
from __future__ import annotations

import os

import pytest

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


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "gw0")


@pytest.fixture(scope="session")
def real_lab(samba_ready):
    """One lab for the session (one per xdist worker), torn down at the end."""
    from trustlab.backends.samba.domain import SambaLab

    name = f"pytest-{_worker()}"
    lab = SambaLab.named(name)
    if lab.exists:
        lab.down()
    lab.up()
    old = os.environ.get("TRUSTLAB_SAMBA_LAB")
    os.environ["TRUSTLAB_SAMBA_LAB"] = name
    yield lab
    if old is None:
        os.environ.pop("TRUSTLAB_SAMBA_LAB", None)
    else:
        os.environ["TRUSTLAB_SAMBA_LAB"] = old
    lab.down()
