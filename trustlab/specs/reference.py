"""The behaviour IDs of the behaviour reference (docs/reference/windows-behaviour.md, shipped with the package), so
specs can cite them and be checked, and `trustlab reference ID` can show a user what each one says and where it
comes from. A test keeps this table and the document in step."""
from __future__ import annotations

import re
from typing import Optional

from trustlab.specs import shipped

DOCUMENT = shipped.path("docs", "reference", "windows-behaviour.md")

BEHAVIOURS: dict[str, str] = {
    "MP-1": "the member starts every machine password change (scavenger, 30 days)",
    "MP-2": "DisablePasswordChange / RefusePasswordChange",
    "MP-3": "machine passwords never expire in AD",
    "MP-4": "the member keeps current and old in $MACHINE.ACC and retries with old",
    "MP-5": "the DC checks only the account's current password",
    "MP-6": "a restored stale snapshot breaks the trust; a restored DC heals",
    "MP-7": "reset account, same-name join, deleted or disabled account break it",
    "MP-8": "a large clock jump can trigger an early machine password change",
    "MP-9": "a repair writes a new random password to the DC and the LSA secret",
    "MP-10": "the DC's answers to a machine secret: NETLOGON, Kerberos, NTLM",
    "MP-11": "the NTLM old-password window after a change or reset (60 min)",
    "MP-12": "[lab] the Samba lab's time travel: one machine password change per jump",
    "SC-1": "nltest /sc_verify healthy output",
    "SC-2": "nltest /sc_query on a broken channel",
    "SC-3": "Test-ComputerSecureChannel returns True/False",
    "SC-4": "Test-ComputerSecureChannel -Repair [-Credential]",
    "SC-5": "Reset-ComputerMachinePassword / netdom resetpwd",
    "SC-6": "an established channel survives a DC-side reset until re-established",
    "SC-7": "rejoin; KB5020276 blocks reusing an account (2732) unless its creator rejoins, an admin created it "
             "or the DC policy trusts its owner",
    "SC-8": "Vagrant renames a Windows guest before provisioning; Add-Computer -NewName with that name fails",
    "SC-9": "a winbind member authenticates an SMB session before NETLOGON; refused, it goes offline",
    "LG-1": "a reachable DC's answer is authoritative (1789, 1787)",
    "LG-2": "no DC: cached logon, or 1311",
    "LG-3": "CachedLogonsCount, oldest dropped first",
    "LG-4": "the cached verifier is refreshed by DC-checked logons and unlocks",
    "LG-5": "password changed elsewhere: online old fails, offline only old works",
    "LG-6": "expired password: online 1330/1907, offline cached logon",
    "LG-7": "[folk] an expired password shows the 1789 trust message",
    "LG-8": "clock skew beyond 5 minutes fails Kerberos; members take the DC's time",
    "LG-9": "message texts",
    "LG-10": "logon session types: a logon or unlock from the cache is type 11 or 13",
    "NW-1": "a new NIC leaves the old one hidden with its static settings",
    "NW-2": "the duplicate-address warning (KB269155)",
    "NW-3": "showing and removing hidden devices",
    "NW-4": "uninstalling the adapter without its driver re-detects it fresh",
    "NW-5": "the address typed is the one entered; off the DC's subnet or in use, no way to the DC (APIPA)",
    "TM-1": "machine password age / scavenger interval",
    "TM-2": "computer GP refresh",
    "TM-3": "Kerberos maximum clock skew",
    "TM-4": "TGT lifetime / renewal",
    "TM-5": "user maximum password age",
    "TM-6": "password expiry warning",
    "TM-7": "Samba member machine password timeout",
    "TM-8": "Samba NTLM old-password grace",
    "TM-9": "evaluation licences of the lab's guests (90 / 180 days)",
    "TM-10": "the forest-root PDC serves time; members poll between 1,024 and 32,768 s",
}


def text(ident: str) -> Optional[str]:
    """What the reference says under `ident` (its bullet or its table row), or None."""
    lines = DOCUMENT.read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        if line.startswith(f"- **{ident}**") or re.match(rf"\|\s*{re.escape(ident)}\s*\|", line):
            out = [line]
            for more in lines[i + 1:]:
                if not more.startswith("  ") or not more.strip():
                    break
                out.append(more)
            return " ".join(part.strip() for part in out).removeprefix("- ")
    return None
