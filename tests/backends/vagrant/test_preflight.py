"""The preflight's judgement: what the guests said, read as checks that name what they saw and what to do. The
answers here are what the preflight scripts print (lab/scripts/preflight_*.ps1, offline_path.ps1); each test breaks
one assumption the way a first real use could."""
from __future__ import annotations

import copy

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.backends.vagrant.windows import read_back
from trustlab.backends.vagrant import preflight
from trustlab.backends.vagrant.preflight import Facts, judge
from trustlab.backends.vagrant.settings import load

S = load()
DAY = 86400
LAB_DC = {"name": "Lab", "mac": "08-00-27-7A-10-01", "status": "Up", "ipv4": ["192.168.56.10"], "lab": True}
LAB_CLIENT = {"name": "Lab", "mac": "08-00-27-7A-10-02", "status": "Up", "ipv4": ["192.168.56.11"], "lab": True}
NAT = {"name": "Ethernet", "mac": "08-00-27-00-00-01", "status": "Up", "ipv4": ["10.0.2.15"], "lab": False}
HEALTHY = Facts(
    dc={"adapters": [LAB_DC, NAT], "dns": {"listening": ["192.168.56.10"],
                                           "records": {"@": ["192.168.56.10"], "DC01": ["192.168.56.10"]}},
        "time": {"service": "Running", "type": "NoSync", "ntp_server": 1},
        "identities": {"admin": {"enabled": True, "never_expires": True},
                       "helpdesk": {"enabled": True, "never_expires": True},
                       "vagrant": {"enabled": False}, "Administrator": {"enabled": False}},
        "joiner_delegated": True, "password_ages": {"alice": 600, "bob": 600, "admin": 600, "helpdesk": 600,
                                                    "LOANER01$": 900},
        "clock": "2026-11-25T09:00:00.0000000Z", "expected_clock": "2026-11-25T09:00:05+00:00"},
    client={"adapters": [LAB_CLIENT, NAT], "name": "LOANER01", "domain": "corp.test", "joined": True,
            "channel": {"exit_code": 0, "lines": ["Trust Verification Status = 0 0x0 NERR_Success"]},
            "dns": {"names": {"DC01.corp.test": ["192.168.56.10"], "corp.test": ["192.168.56.10"]},
                    "srv": ["DC01.corp.test"]},
            "time": {"service": "Running", "source": "DC01.corp.test", "ntp_ok": True},
            "hidden": [], "local_admin": {"exists": True, "never_expires": True},
            "offline_rule": ["192.168.56.0/255.255.255.0"]},       # as Windows reads the rule back
    offline={"locator_found": False, "open": [], "resolved": []})
LEFT = {"dc": 178 * DAY, "client": 89 * DAY}


def checks(change=None, left=LEFT) -> dict[str, preflight.Check]:
    facts = copy.deepcopy(HEALTHY)
    if change:
        change(facts)
    return {c.name: c for c in judge(S, facts, left)}


def failed(change, left=LEFT) -> dict[str, str]:
    return {name: c.detail for name, c in checks(change, left).items() if not c.ok}


def test_a_healthy_lab_passes_every_check():
    found = checks()
    assert list(found) == ["lab adapter (DC01)", "lab adapter (LOANER01)", "joined", "dns", "offline", "time",
                           "service identities", "golden state", "evaluation"]
    assert all(c.ok for c in found.values()), [c for c in found.values() if not c.ok]
    assert found["evaluation"].detail == ("DC01: 178 days left, LOANER01: 89 days left; a jump past a machine's "
                                          "evaluation end is refused (TM-9)")


def test_hyper_v_without_the_lab_adapter_fails_loudly():
    """Vagrant gives a Hyper-V VM one adapter (SC-8's neighbour: no private network); the lab's must be there."""
    assert failed(lambda f: f.client.update(adapters=[NAT])) == {"lab adapter (LOANER01)": (
        "LOANER01 has no lab adapter 08:00:27:7A:10:02 up with 192.168.56.11 (seen: Ethernet 08-00-27-00-00-01 Up "
        "10.0.2.15); on Hyper-V the Vagrantfile's trigger adds it (lab/hyperv/configure.ps1), elsewhere `vagrant "
        "reload` the machine and run `trustlab lab up --backend vagrant` again")}


def test_a_client_that_never_joined():
    """SC-8: Add-Computer -NewName with the name Vagrant already gave raised NewNameIsOldName and joined nothing."""
    got = failed(lambda f: f.client.update(joined=False, domain="WORKGROUP",
                                           channel={"exit_code": 1, "lines": ["ERROR_NO_SUCH_DOMAIN"]}))
    assert list(got) == ["joined"]
    assert got["joined"].startswith("LOANER01 is in no domain; nltest /sc_verify: ERROR_NO_SUCH_DOMAIN")


def test_dns_that_names_a_management_address():
    got = failed(lambda f: f.dc["dns"]["records"].update({"@": ["192.168.56.10", "10.0.2.15"]}))
    assert got["dns"].startswith("the zone has @ -> 192.168.56.10, 10.0.2.15 (only 192.168.56.10 expected)")


def test_unplugged_is_not_offline_while_a_management_path_reaches_the_dc():
    shared = [LAB_CLIENT, {**NAT, "ipv4": ["10.0.2.16"]}]                # Hyper-V, libvirt: one management net
    got = failed(lambda f: (f.offline.update(open=["10.0.2.15:389"], locator_found=True),
                            f.client.update(adapters=shared, offline_rule=["192.168.56.0/24"])))
    assert got == {"offline": "with the lab cable pulled the client still reaches the DC: 10.0.2.15:389, the DC "
                              "locator found a DC (nltest /dsgetdc); the client's firewall does not block 10.0.2.15 "
                              "on its management adapters; unplugged must mean offline (lab/scripts/offline_rule.ps1 "
                              "sets the block)"}


def test_a_dc_that_serves_no_time():
    """W32Time disabled on the DC (the lab as it was): no NTP server, so nothing could ever resync a clock."""
    got = failed(lambda f: (f.dc["time"].update(service="Stopped", type="NT5DS", ntp_server=0),
                            f.client["time"].update(ntp_ok=False)))
    assert list(got) == ["time"] and got["time"].startswith("the DC's W32Time is Stopped with Type NT5DS and the "
                                                            "NTP server off")


def test_service_identities_that_expire_in_lab_time():
    """After the seed story's 181-day jump an expiring admin would be refused on every DC step."""
    got = failed(lambda f: (f.dc["identities"]["admin"].update(never_expires=False),
                            f.dc["identities"]["vagrant"].update(enabled=True),
                            f.client["local_admin"].update(never_expires=False)))
    assert got["service identities"] == (
        "admin: enabled, expires; vagrant is enabled (the box's well-known password became a domain account at "
        "the promotion); LOANER01's local vagrant account expires (lab/scripts/provision/dc_lab.ps1 and base.ps1 "
        "set these; `lab up` disables the box's)")


def test_an_ageing_golden_state():
    got = failed(lambda f: (f.client.update(hidden=[{"name": "Intel(R) PRO/1000 MT"}]),
                            f.dc["password_ages"].update({"alice": 31 * DAY}),
                            f.dc.update(clock="2026-11-25T09:10:00Z")))
    assert got["golden state"].startswith("LOANER01 has hidden NICs: Intel(R) PRO/1000 MT; alice's password is 31.0 "
                                          "days old on the DC's clock; DC01's clock is +595 s off lab time")


def test_an_expired_evaluation():
    got = failed(None, {"dc": 178 * DAY, "client": -3600.0})
    assert got == {"evaluation": "DC01: 178 days left, LOANER01: its evaluation is over: an expired evaluation shuts Windows down "
                                 "about hourly (TM-9); build the lab anew (`trustlab lab down`, `lab up`) or use "
                                 "licensed images (machines.yaml `boxes`)"}
    assert checks(None, {"dc": None, "client": None})["evaluation"].ok


def test_require_names_every_failed_check():
    found = judge(S, Facts(HEALTHY.dc, {**HEALTHY.client, "joined": False}, None), LEFT)
    with pytest.raises(preflight.PreflightFailed) as caught:
        preflight.require(found, "lab up: no golden snapshot was taken")
    lines = str(caught.value).splitlines()
    assert lines[0] == "the Windows lab is not what trustlab assumes (lab up: no golden snapshot was taken):"
    assert [line.split(":")[0] for line in lines[1:]] == ["  FAIL joined", "  FAIL offline"]
    assert caught.value.checks == found


def test_the_blocked_paths_are_the_lab_network_and_the_dcs_other_addresses():
    assert preflight.blocked(S, HEALTHY.dc) == ["192.168.56.0/24", "10.0.2.15"]
    assert preflight.paths(HEALTHY.dc, HEALTHY.client) == []              # behind NAT the DC's is the client's own
    elsewhere = {**HEALTHY.client, "adapters": [LAB_CLIENT, {**NAT, "ipv4": ["10.0.2.16"]}]}
    assert preflight.paths(HEALTHY.dc, elsewhere) == ["10.0.2.15"]


def test_windows_times_are_read_to_the_microsecond():
    assert preflight.utc("2026-11-25T09:00:00.1234567Z").isoformat() == "2026-11-25T09:00:00.123456+00:00"


@given(st.sampled_from(["mask", "prefix", "range"]), st.lists(st.sampled_from(["LocalSubnet", "DNS", "10.9.9.9"]),
                                                             max_size=2))
def test_the_offline_rule_is_compared_as_networks_in_every_notation_windows_uses(notation, others):
    """Windows reads a subnet back with its mask (`192.168.56.0/255.255.255.0`) whatever it was set with; a check
    looking for `/24` never passed and `lab up` kept no golden snapshot. Any documented notation must pass."""
    rule = [*others, read_back("192.168.56.0/24", notation), read_back("10.0.2.15", notation)]
    assert checks(lambda f: f.client.update(offline_rule=rule))["offline"].ok


@pytest.mark.parametrize("rule, ok", [
    (["Any"], True), (["192.168.0.0/255.255.0.0"], True), (["192.168.56.0-192.168.56.255"], True),
    (["192.168.56.0-192.168.56.200"], False), (["192.168.56.10"], False), (["LocalSubnet"], False),
    (["192.168.56.0/255.255.255.128"], False), ([], False)])
def test_a_rule_blocks_the_lab_network_only_if_it_covers_all_of_it(rule, ok):
    """LocalSubnet and the other keywords name addresses only Windows knows: they prove no block."""
    assert preflight.covered(rule, "192.168.56.0/24") is ok
