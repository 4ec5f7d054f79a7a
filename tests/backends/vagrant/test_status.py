"""Windows' own codes named as the common outcomes (LG-9, SC-1, SC-2)."""
from __future__ import annotations

import pytest

from trustlab.backends.vagrant.status import channel_status, logon_outcome, network_status
from trustlab.specs.outcomes import ChannelStatus, NetworkStatus, Outcome


@pytest.mark.parametrize("answer, outcome", [
    ({"win32": 0, "logon_type": 2}, Outcome.SUCCESS),
    ({"win32": 0, "logon_type": 11}, Outcome.SUCCESS_CACHED),          # CachedInteractive (LG-2, LG-10)
    ({"win32": 0, "logon_type": 13}, Outcome.SUCCESS_CACHED),          # CachedUnlock: an unlock from the cache
    ({"win32": 0, "logon_type": 7}, Outcome.SUCCESS),                  # Unlock, the DC checked it
    ({"win32": 1789, "logon_type": -1}, Outcome.TRUST_FAILURE),
    ({"win32": 1787}, Outcome.NO_TRUST_ACCOUNT),
    ({"win32": 1326}, Outcome.WRONG_PASSWORD),
    ({"win32": 1311}, Outcome.NO_LOGON_SERVERS),
    ({"win32": 1330}, Outcome.PASSWORD_EXPIRED),
    ({"win32": 1907}, Outcome.PASSWORD_MUST_CHANGE),
    ({"win32": 1331}, Outcome.ACCOUNT_DISABLED),
    ({"win32": 1398}, Outcome.CLOCK_SKEW),
    ({"win32": 1385}, None),                                           # no outcome names it: the number is kept
])
def test_logon_codes(answer, outcome):
    assert logon_outcome(answer) is outcome


@pytest.mark.parametrize("status, expected", [
    (0, ChannelStatus.OK), (5, ChannelStatus.BROKEN), (1789, ChannelStatus.BROKEN),
    (1787, ChannelStatus.NO_TRUST_ACCOUNT), (1311, ChannelStatus.NO_LOGON_SERVERS),
    (1722, ChannelStatus.NO_LOGON_SERVERS), (1355, ChannelStatus.NOT_JOINED), (31, None),
])
def test_nltest_status(status, expected):
    assert channel_status({"status": status}) is expected


def test_a_computer_out_of_the_domain_is_not_joined_whatever_nltest_says():
    assert channel_status({"status": 0}, joined=False) is ChannelStatus.NOT_JOINED


MAC = "08:00:27:7A:10:02"
LAB = {"name": "Lab", "status": "Up", "mac": "08-00-27-7A-10-02", "ipv4": ["192.168.56.11"]}


@pytest.mark.parametrize("present, reachable, plugged, expected", [
    ([LAB], True, True, NetworkStatus.UP),
    ([LAB], False, True, NetworkStatus.DC_DOWN),
    ([LAB], True, False, NetworkStatus.UNPLUGGED),
    ([{**LAB, "ipv4": ["169.254.3.7"]}], False, True, NetworkStatus.NO_ADDRESS),   # NW-1: the hidden one has it
    ([], False, True, NetworkStatus.NO_ADAPTER),
    ([{**LAB, "ipv4": ["169.254.9.9"]}], False, True, NetworkStatus.NO_ADDRESS),   # a new NIC, the lab MAC kept
    ([{**LAB, "mac": "08-00-27-11-22-33"}], True, True, NetworkStatus.NO_ADAPTER),  # management only: not the lab's
])
def test_network(present, reachable, plugged, expected):
    answer = {"present": present, "hidden": [], "dc_reachable": reachable, "address": "192.168.56.11"}
    assert network_status(answer, MAC, plugged) is expected
