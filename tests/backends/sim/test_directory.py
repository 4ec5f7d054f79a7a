from __future__ import annotations

from trustlab.backends.sim.directory import Directory
from trustlab.specs.lab import LabSpec
from trustlab.specs.profiles import WINDOWS


def test_TM_5_password_expiry_from_policy():
    d = Directory.build(LabSpec.model_validate({"policies": {"max_password_age": "180d"}}), WINDOWS)
    assert d.authenticate("alice", 1, 180 * 86400 - 1) == "SUCCESS"
    assert d.authenticate("alice", 1, 180 * 86400) == "PASSWORD_EXPIRED"
    assert d.authenticate("alice", 2, 0) == "WRONG_PASSWORD"       # the password is checked first


def test_zero_maximum_age_means_never():
    d = Directory.build(LabSpec.model_validate({"policies": {"max_password_age": "0s"}}), WINDOWS)
    assert d.authenticate("alice", 1, 10_000 * 86400) == "SUCCESS"


def test_machine_password_age_defaults_to_the_profile():
    from trustlab.specs.profiles import SAMBA
    assert Directory.build(LabSpec(), SAMBA).policy.machine_password_age == 7 * 86400   # TM-7
    assert Directory.build(LabSpec(), WINDOWS).policy.machine_password_age == 30 * 86400  # TM-1
