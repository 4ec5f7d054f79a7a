"""Behaviour profiles: the named, sourced switches where real systems differ or the sources are unsure.

Each field cites its behaviour ID (docs/reference/windows-behaviour.md, `trustlab reference ID`). `windows` carries the sourced defaults;
`samba` what the real Samba lab showed (reference/samba-lab.md). `trustlab calibrate` may write a profile file."""
from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from trustlab.errors import TrustlabError
from trustlab.specs.errors import suggest
from trustlab.specs.outcomes import Outcome


class BehaviourProfile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = "windows"
    dc_accepts_previous_machine_password: bool = Field(
        False, description="MP-5: the DC also accepts the account's previous password for a workstation secure channel."
    )
    established_channel_survives_reset: bool = Field(
        True, description="SC-6: an established secure channel keeps working after a DC-side reset until re-established."
    )
    offline_logon_after_expiry: bool = Field(
        True, description="LG-6: offline, a cached logon succeeds although the password has passed its maximum age."
    )
    expired_password_reports_trust_failure: bool = Field(
        False, description="LG-7 [folk]: an expired password is reported as the 1789 trust failure. Opt-in only."
    )
    member_syncs_time_from_dc: bool = Field(
        True, description="LG-8: a domain member takes any time correction from its DC once it can reach it."
    )
    time_resync_interval: int = Field(
        1024, ge=1, description="LG-8: seconds between a member's time polls of its DC (W32Time MaxPollInterval 10); "
        "not in the reference table, a calibration question."
    )
    clock_skew_outcome: Outcome = Field(
        Outcome.CLOCK_SKEW, description="LG-8: what a logon with the clock more than the maximum skew off ends in."
    )
    max_clock_skew: int = Field(300, ge=0, description="TM-3: Kerberos maximum clock skew in seconds.")
    channel_fails_on_clock_skew: bool = Field(
        False, description="LG-8 [lab]: a clock beyond the maximum skew also fails the secure channel check "
        "(the Samba member's wbinfo -t gives LOGON_FAILURE).")
    member_session_before_netlogon: bool = Field(
        False, description="SC-9: with no live connection the member first authenticates an SMB session as its "
        "machine account (its current secret; NTLM takes the previous password within `old_password_window`, "
        "MP-11) and opens NETLOGON only on it; refused, the member is offline: cached logons, NO_LOGON_SERVERS "
        "although the DC answers, and the channel check shows the session's refusal (BROKEN). Windows: no, its "
        "secure channel is negotiated over unprotected RPC (MS-NRPC 3.1.4.1), a reachable DC is authoritative "
        "(LG-1). Samba's winbind: yes [code][lab].")
    duplicate_ip_applied_on_no: bool = Field(
        True, description="NW-2: answering No to the duplicate-address warning applies the address anyway."
    )
    hidden_devices_need_variable: bool = Field(
        False, description="NW-3: Device Manager's View > Show hidden devices lists non-present devices only when "
        "it was started from a prompt that set devmgr_show_nonpresent_devices=1. Microsoft's 'Viewing Hidden "
        "Devices' ties the variable to Windows before 8 (default false: Windows 10/11, the seed story's); the seed "
        "article saw no dimmed adapter on Windows 11 (open question 7).")
    old_password_window: int = Field(
        3600, ge=0, description="MP-11, TM-8: seconds after a password change or reset (pwdLastSet) during which the "
        "DC still accepts the previous password on a non-interactive NTLM logon, never on Kerberos or NETLOGON. "
        "Samba: `old password allowed period`, 60 min, for every account [code][lab]. Windows: KB906305 "
        "(OldPasswordAllowedPeriod, 60 min) for domain users' NTLM network logons; whether it covers computer "
        "accounts and opens on an administrator's reset is open (calibrate).")
    one_password_change_per_jump: bool = Field(
        False, description="MP-12: a jump of lab time makes at most one machine password change, at its end, however "
        "long it is (the Samba lab's time travel restarts winbind under the new clock, which changes an overdue "
        "password once) [lab]. Off: the scavenger changes it as often as the elapsed time warrants (MP-1).")
    scavenge_interval: int = Field(900, ge=1, description="MP-1 / TM-1: seconds between Netlogon scavenger runs.")
    machine_password_age: int = Field(
        30 * 86400, ge=1, description="MP-1 / TM-1 (Windows 30 d) / TM-7 (Samba member 7 d): age at which the member changes it."
    )
    gp_refresh_interval: int = Field(5400, ge=1, description="TM-2: computer Group Policy refresh, seconds.")
    gp_refresh_jitter: int = Field(1800, ge=0, description="TM-2: random extra delay of a GP refresh, up to this many seconds.")


WINDOWS = BehaviourProfile()
SAMBA = BehaviourProfile(
    name="samba",
    member_syncs_time_from_dc=False,          # samba-lab.md: a winbind member has no time service of its own
    clock_skew_outcome=Outcome.WRONG_PASSWORD,  # samba-lab.md: skew shows as LOGON_FAILURE, no distinct code
    machine_password_age=7 * 86400,           # TM-7
    channel_fails_on_clock_skew=True,          # the rest: `trustlab conformance` on the real lab (docs/conformance.md)
    member_session_before_netlogon=True,       # SC-9
    one_password_change_per_jump=True,         # MP-12
)
PROFILES = {p.name: p for p in (WINDOWS, SAMBA)}


class UnknownProfile(TrustlabError, LookupError):
    """A profile name that is neither shipped nor a file."""


def load_profile(name_or_path: str) -> BehaviourProfile:
    """A shipped profile by name, or a profile file (YAML) such as `trustlab calibrate` writes."""
    if name_or_path in PROFILES:
        return PROFILES[name_or_path]
    path = Path(name_or_path)
    if path.is_dir():
        raise UnknownProfile(f"behaviour profile {name_or_path}: is a folder; a profile file is YAML")
    if not path.is_file():
        if path.suffix in (".yaml", ".yml") or len(path.parts) > 1:         # meant as a file
            raise UnknownProfile(f"behaviour profile {name_or_path}: no such file; allowed: {', '.join(PROFILES)} "
                                 f"or a YAML file")
        raise UnknownProfile(f"unknown behaviour profile {name_or_path!r}{suggest(name_or_path, PROFILES)}; allowed: "
                             f"{', '.join(PROFILES)} or a YAML file")
    from trustlab.specs.source import load_yaml_model

    return load_yaml_model(path, BehaviourProfile)
