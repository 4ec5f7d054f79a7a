"""Network adapter rules (NW-*)."""
from __future__ import annotations

from trustlab.specs.profiles import BehaviourProfile


def test_NW_1_new_adapter_leaves_the_old_one_hidden_with_its_static_ip(sim):
    lab = sim().joined()
    lab("replace_nic")
    r = lab("network")
    assert r.outcome == "NO_ADDRESS" and r.details["hidden_adapters"] == 1
    assert r.details["adapters"] == [{"name": "Ethernet", "present": False, "ipv4": "10.0.0.11"},
                                     {"name": "Ethernet 2", "present": True, "ipv4": "DHCP"}]


def test_NW_1_a_dhcp_adapter_recovers_by_itself(sim):
    lab = sim(addressing="dhcp").joined()
    lab("replace_nic")
    assert lab.outcome("network") == "UP"


def test_NW_2_duplicate_warning_yes_returns_no_applies(sim):
    lab = sim().joined()
    lab("replace_nic")
    lab("local_admin_logon")
    r = lab("configure_ip", on_conflict="cancel")
    assert r.status == "failed"
    assert r.output[0].startswith("The IP address 10.0.0.11 you have entered for this network adapter is already "
                                  "assigned to another adapter 'Ethernet'. 'Ethernet' is hidden")
    assert lab.outcome("network") == "NO_ADDRESS"
    assert lab("configure_ip", on_conflict="apply").status == "ok"
    assert lab.outcome("network") == "UP"


def test_NW_2_profile_switch_no_does_not_keep_the_address(sim):
    lab = sim(BehaviourProfile(duplicate_ip_applied_on_no=False)).joined()
    lab("replace_nic")
    lab("local_admin_logon")
    assert lab("configure_ip", on_conflict="apply").status == "failed"
    assert lab.outcome("network") == "NO_ADDRESS"


def test_NW_3_show_and_remove_hidden_devices(sim):
    lab = sim().joined()
    lab("replace_nic")
    lab("local_admin_logon")
    r = lab("show_hidden_devices")
    assert r.output == ["Ethernet (not present) 10.0.0.11"] and r.details == {"hidden_adapters": 1}
    assert lab("remove_ghost_adapters").output == ["uninstalled Ethernet"]
    assert lab("configure_ip").status == "ok"
    assert lab.outcome("network") == "UP"


def test_NW_4_reinstall_gives_fresh_settings_but_the_ghost_still_holds_the_ip(sim):
    lab = sim().joined()
    lab("replace_nic")
    lab("local_admin_logon")
    lab("reinstall_adapter")
    assert lab.outcome("network") == "NO_ADAPTER"
    lab("reboot")
    r = lab("network")
    assert r.outcome == "NO_ADDRESS" and r.details["hidden_adapters"] == 1
    lab("local_admin_logon")
    assert lab("configure_ip").status == "failed"


def test_admin_operations_need_an_admin_session(sim):
    lab = sim().joined()
    r = lab("remove_ghost_adapters")
    assert r.status == "failed" and "administrator session" in r.output[0]
