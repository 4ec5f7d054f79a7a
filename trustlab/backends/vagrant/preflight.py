"""The preflight: every assumption trustlab makes about the Windows guests, checked on the guests themselves before a
golden snapshot is kept (`lab up`) and again before every run, so that a lab that is not what trustlab assumes
fails loudly, naming the check, what it saw and what to do, instead of giving wrong results quietly.

What is read (`gather`) is separate from what it means (`judge`), so the judging is tested with the answers the
scripts give, and the reading runs the same scripts on every provider."""
from __future__ import annotations

import ipaddress
import re
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable, Optional

from trustlab.backends.vagrant.settings import Settings
from trustlab.engine.backend import Check, LabUnavailable

GOLDEN_AGE = 86400          # a password older than this at the start of a run was not set when the lab was built
CLOCK_SLACK = 30            # seconds a guest's clock may be off lab time when the preflight reads it
DAY = 86400.0


@dataclass
class Facts:
    dc: dict[str, Any]
    client: dict[str, Any]
    offline: Optional[dict[str, Any]]        # what the client saw with its lab cable pulled


def management_addresses(dc: dict[str, Any]) -> list[str]:
    """The DC's IPv4 addresses on adapters other than the lab's (NAT, Default Switch, libvirt's management net)."""
    return sorted({ip for a in dc.get("adapters", []) if not a.get("lab") for ip in a.get("ipv4") or []})


def own_addresses(facts: dict[str, Any]) -> set[str]:
    return {ip for a in facts.get("adapters", []) for ip in a.get("ipv4") or []}


def paths(dc: dict[str, Any], client: dict[str, Any]) -> list[str]:
    """The DC's management addresses that are a path from the client: not the client's own (behind VirtualBox's NAT
    every guest is 10.0.2.15, each on a NAT network of its own)."""
    return [a for a in management_addresses(dc) if a not in own_addresses(client)]


def blocked(settings: Settings, dc: dict[str, Any]) -> list[str]:
    """What the client's management adapters must never reach: the lab network and the DC's other addresses
    (offline_rule.ps1 leaves out the client's own)."""
    return [settings.network.prefix, *management_addresses(dc)]


def _span(entry: str) -> Optional[tuple[int, int]]:
    """The first and last address a firewall rule's remote address names, in any notation Windows reads back or
    takes: a subnet with a mask (`192.168.56.0/255.255.255.0`, what Get-NetFirewallAddressFilter answers even for a
    rule set with a prefix: NetworkingDsc eaed17c DSC_Firewall.psm1:1205-1216) or a prefix (`/24`), a bare host, a
    range `first-last`, or `Any`/`*` (INetFwRule::get_RemoteAddresses, learn.microsoft.com/en-us/windows/win32/api/
    netfw/nf-netfw-inetfwrule-get_remoteaddresses). A keyword whose addresses only Windows knows (LocalSubnet, DNS,
    DHCP, WINS, DefaultGateway) names no span here: it proves no block."""
    entry = entry.strip()
    if entry.lower() in ("any", "*"):
        return 0, 2 ** 32 - 1
    try:
        if "-" in entry:
            first, last = (int(ipaddress.IPv4Address(a.strip())) for a in entry.split("-", 1))
            return first, last
        network = ipaddress.IPv4Network(entry, strict=False)
    except ValueError:
        return None
    return int(network.network_address), int(network.broadcast_address)


def covered(rule: list[str], wanted: str) -> bool:
    """Whether the addresses of `wanted` (a network or a host) all lie in one of the rule's remote addresses,
    compared as networks, not as strings."""
    need = _span(wanted)
    return need is not None and any(s is not None and s[0] <= need[0] and need[1] <= s[1]
                                    for s in map(_span, rule))


def gather(settings: Settings, dc_client, client_client, pull_cable: Callable[[bool], None],
           wait_online: Callable[[], None], lab_now: Optional[Callable[[], datetime]] = None) -> Facts:
    """Read the guests. The cable is pulled for the offline probe and always plugged back in. With `lab_now`, each
    machine's facts carry the clock it should show (`expected_clock`) as they were read."""
    _, dc = settings.machine("dc")
    _, client = settings.machine("client")

    def read(guest, script: str, params: dict[str, Any]) -> dict[str, Any]:
        facts = guest.script(script, params)
        if lab_now is not None:
            facts["expected_clock"] = lab_now().isoformat()
        return facts

    dc_facts = read(dc_client, "preflight_dc", {
        "MacAddress": dc.mac, "Realm": settings.realm, "Hostname": dc.hostname, "Users": settings.users,
        "ServiceIdentities": [settings.admin, settings.joiner], "Joiner": settings.joiner,
        "Computer": client.hostname})
    client_client.script("offline_rule", {"MacAddress": client.mac, "Blocked": blocked(settings, dc_facts)})
    client_facts = read(client_client, "preflight_client", {
        "MacAddress": client.mac, "DcName": f"{dc.hostname}.{settings.realm}", "DcAddress": dc.ip,
        "Realm": settings.realm, "Domain": settings.domain})
    pull_cable(False)
    try:
        offline = client_client.script("offline_path", {"Realm": settings.realm,
                                                        "Addresses": [dc.ip, *paths(dc_facts, client_facts)]})
    finally:
        pull_cable(True)
    wait_online()
    return Facts(dc_facts, client_facts, offline)


def _lab_adapter(name: str, ip: str, facts: dict[str, Any], mac: str) -> Check:
    lab = [a for a in facts.get("adapters", []) if a.get("lab")]
    seen = "; ".join(f"{a.get('name')} {a.get('mac')} {a.get('status')} {','.join(a.get('ipv4') or []) or '-'}"
                     for a in facts.get("adapters", [])) or "no adapters"
    ok = bool(lab) and lab[0].get("status") == "Up" and ip in (lab[0].get("ipv4") or [])
    return Check(f"lab adapter ({name})", ok,
                 f"{name} has its lab adapter {mac} up with {ip}" if ok else
                 f"{name} has no lab adapter {mac} up with {ip} (seen: {seen}); on Hyper-V the Vagrantfile's trigger "
                 f"adds it (lab/hyperv/configure.ps1), elsewhere `vagrant reload` the machine and run "
                 f"`trustlab lab up --backend vagrant` again")


def judge(settings: Settings, facts: Facts, evaluation_left: dict[str, Optional[float]]) -> list[Check]:
    """Every check, passed or failed, each saying what it saw; `evaluation_left` is each machine's seconds of
    evaluation at the start of the run (None: no evaluation image)."""
    _, dc = settings.machine("dc")
    _, client = settings.machine("client")
    fqdn = f"{dc.hostname}.{settings.realm}"
    found = [_lab_adapter(dc.hostname, dc.ip, facts.dc, dc.mac),
             _lab_adapter(client.hostname, client.ip, facts.client, client.mac)]
    c, d = facts.client, facts.dc

    channel = " / ".join(c.get("channel", {}).get("lines") or [])
    joined = (c.get("joined") and (c.get("domain") or "").lower() == settings.realm
              and (c.get("name") or "").upper() == client.hostname and c.get("channel", {}).get("exit_code") == 0)
    found.append(Check("joined", bool(joined),
                       f"{client.hostname} is a member of {settings.realm} and its secure channel verifies" if joined
                       else f"{c.get('name')} is {'a member of ' + str(c.get('domain')) if c.get('joined') else 'in no domain'}"
                            f"; nltest /sc_verify: {channel or 'no output'}; the client's join did not happen or did "
                            f"not hold: see .vagrant/trustlab-up.log, then `trustlab lab down` and `lab up`"))

    names = c.get("dns", {}).get("names", {})
    wrong = {n: a for n, a in names.items() if sorted(a or []) != [dc.ip]}
    listening = d.get("dns", {}).get("listening") or []
    records = {n: a for n, a in (d.get("dns", {}).get("records") or {}).items() if sorted(a or []) != [dc.ip]}
    srv = [t.lower().rstrip(".") for t in c.get("dns", {}).get("srv") or []]
    dns_ok = not wrong and names and listening == [dc.ip] and not records and fqdn.lower() in srv
    found.append(Check("dns", bool(dns_ok),
                       f"{client.hostname} resolves {fqdn} and {settings.realm} to {dc.ip} only" if dns_ok else
                       "; ".join(filter(None, [
                           ", ".join(f"{client.hostname} resolves {n} to {', '.join(a) or 'nothing'}"
                                     for n, a in wrong.items()),
                           "" if fqdn.lower() in srv else f"no _ldap SRV record names {fqdn}",
                           "" if listening == [dc.ip] else f"the DC's DNS listens on {', '.join(listening) or 'nothing'}",
                           ", ".join(f"the zone has {n} -> {', '.join(a)}" for n, a in records.items())]))
                       + f" (only {dc.ip} expected); the DC registered a management address: its cleanup is "
                         f"lab/scripts/provision/dc_lab.ps1"))

    found.append(_offline(settings, facts))

    t, dt = c.get("time", {}), d.get("time", {})
    time_ok = (dt.get("service") == "Running" and dt.get("type") == "NoSync" and dt.get("ntp_server") == 1
               and t.get("service") == "Running" and t.get("ntp_ok")
               and dc.hostname.lower() in (t.get("source") or "").lower())
    found.append(Check("time", bool(time_ok),
                       f"{dc.hostname} serves time (NoSync: its clock stays the harness's); {client.hostname} takes "
                       f"it from {t.get('source')}" if time_ok else
                       f"the DC's W32Time is {dt.get('service')} with Type {dt.get('type')} and the NTP server "
                       f"{'on' if dt.get('ntp_server') == 1 else 'off'}; the client's is {t.get('service')}, its "
                       f"source {t.get('source')!r}, the DC {'answers' if t.get('ntp_ok') else 'does not answer'} NTP "
                       f"({' / '.join(t.get('ntp') or [])}); expected: the DC serving time with Type NoSync (TM-10), "
                       f"set by lab/scripts/provision/dc_lab.ps1, the client a running member polling it"))

    identities = d.get("identities", {})
    wrong_ids = [f"{n}: {'enabled' if i.get('enabled') else 'disabled'}, "
                 f"{'never expires' if i.get('never_expires') else 'expires'}"
                 for n, i in identities.items() if n in (settings.admin, settings.joiner)
                 and not (i.get("enabled") and i.get("never_expires"))]
    wrong_ids += [f"{n} is enabled (the box's well-known password became a domain account at the promotion)"
                  for n in ("vagrant", "Administrator") if identities.get(n, {}).get("enabled")]
    wrong_ids += [f"{n} is missing" for n in (settings.admin, settings.joiner) if n not in identities]
    local = c.get("local_admin", {})
    if not local.get("never_expires"):
        wrong_ids.append(f"{client.hostname}'s local vagrant account "
                         f"{'expires' if local.get('exists') else 'is missing'}")
    if not d.get("joiner_delegated"):
        wrong_ids.append(f"{settings.joiner} has no delegation to create computer objects")
    found.append(Check("service identities", not wrong_ids,
                       f"{settings.admin} and {settings.joiner} never expire; the box's vagrant and Administrator "
                       f"are disabled on the DC; trustlab's local account on {client.hostname} never expires"
                       if not wrong_ids else "; ".join(wrong_ids) +
                       " (lab/scripts/provision/dc_lab.ps1 and base.ps1 set these; `lab up` disables the box's)"))

    found.append(_golden(settings, facts))
    found.append(_evaluation({settings.machines[m].hostname if m in settings.machines else m: left
                              for m, left in evaluation_left.items()}))
    return found


def _offline(settings: Settings, facts: Facts) -> Check:
    _, dc = settings.machine("dc")
    rule = facts.client.get("offline_rule") or []
    missing = [a for a in blocked(settings, facts.dc) if a not in own_addresses(facts.client) and not covered(rule, a)]
    o = facts.offline
    if o is None:
        return Check("offline", False, "not checked: the cable could not be pulled")
    reached = [*(o.get("open") or []), *(f"DNS answered {a}" for a in o.get("resolved") or [])]
    if o.get("locator_found"):
        reached.append("the DC locator found a DC (nltest /dsgetdc)")
    ok = not reached and not missing
    return Check("offline", ok,
                 f"with the lab cable pulled the client has no path to the DC on any adapter "
                 f"(tried {', '.join([dc.ip, *paths(facts.dc, facts.client)])})" if ok else
                 "with the lab cable pulled the client still reaches the DC: " + ", ".join(reached or ["-"])
                 + (f"; the client's firewall does not block {', '.join(missing)} on its management adapters"
                    if missing else "")
                 + "; unplugged must mean offline (lab/scripts/offline_rule.ps1 sets the block)")


def _golden(settings: Settings, facts: Facts) -> Check:
    _, client = settings.machine("client")
    hidden = facts.client.get("hidden") or []
    problems = [f"{client.hostname} has hidden NICs: {', '.join(h.get('name', '?') for h in hidden)}"] if hidden else []
    ages = facts.dc.get("password_ages") or {}
    old = {n: a for n, a in ages.items() if a > GOLDEN_AGE or a < -CLOCK_SLACK}
    problems += [f"{n}'s password is {a / DAY:.1f} days old on the DC's clock" for n, a in sorted(old.items())]
    if f"{client.hostname}$" not in ages:
        problems.append(f"the DC has no computer account {client.hostname}")
    for who, f in ((settings.machine("dc")[1].hostname, facts.dc), (client.hostname, facts.client)):
        if f.get("clock") and f.get("expected_clock"):
            off = (utc(f["clock"]) - utc(f["expected_clock"])).total_seconds()
            if abs(off) > CLOCK_SLACK:
                problems.append(f"{who}'s clock is {off:+.0f} s off lab time")
    return Check("golden state", not problems,
                 "no hidden NICs; every password and the machine secret as they were when the lab was built; the "
                 "clocks at lab time" if not problems else "; ".join(problems) +
                 " (each run starts from the golden snapshot with the clocks at its time; `trustlab lab up "
                 "--backend vagrant` takes it anew)")


def utc(text: str) -> datetime:
    """An ISO 8601 time as Windows (`o`, 7 decimals, Z) or Python writes it."""
    text = re.sub(r"\.(\d{6})\d+", r".\1", text.replace("Z", "+00:00"))
    return datetime.fromisoformat(text)


def _evaluation(left: dict[str, Optional[float]]) -> Check:
    over = {m: s for m, s in left.items() if s is not None and s <= 0}
    said = ", ".join(f"{m}: " + ("no evaluation image" if s is None else "its evaluation is over" if s <= 0 else
                                 f"{s / DAY:.0f} days left") for m, s in left.items())
    return Check("evaluation", not over,
                 f"{said}; a jump past a machine's evaluation end is refused (TM-9)" if not over else
                 f"{said}: an expired evaluation shuts Windows down about hourly (TM-9); build the lab anew "
                 f"(`trustlab lab down`, `lab up`) or use licensed images (machines.yaml `boxes`)")


class PreflightFailed(LabUnavailable):
    """The lab is not what trustlab assumes; `checks` are all of them, passed and failed."""

    def __init__(self, message: str, checks: list[Check]):
        super().__init__(message)
        self.checks = checks


def require(checks: list[Check], when: str) -> None:
    """Raise PreflightFailed naming every failed check, what it saw and what to do."""
    failed = [c for c in checks if not c.ok]
    if failed:
        raise PreflightFailed(f"the Windows lab is not what trustlab assumes ({when}):\n"
                              + "\n".join(f"  FAIL {c.name}: {c.detail}" for c in failed), checks)


def wait(probe: Callable[[], bool], seconds: float, what: str, pause: float = 5) -> None:
    """Until `probe()` is true, within a wall-clock deadline."""
    deadline = time.monotonic() + seconds
    while not probe():
        if time.monotonic() > deadline:
            raise LabUnavailable(f"{what} within {seconds:g} s")
        time.sleep(pause)
