"""What the Windows scripts' answers mean in the common outcome names. Windows says the Win32 codes the outcomes
are named after (LG-9), so the mapping is by code; the raw code always goes into the journal too."""
from __future__ import annotations

from typing import Any, Optional

from trustlab.specs.outcomes import MEANINGS, ChannelStatus, NetworkStatus, Outcome

CACHED = {11, 13}                     # SECURITY_LOGON_TYPE CachedInteractive, CachedUnlock: served from the cache (LG-10)
LOGON = {m.win32: o for o, m in MEANINGS.items() if m.win32 and o is not Outcome.SUCCESS_CACHED}
CHANNEL = {
    0: ChannelStatus.OK,
    5: ChannelStatus.BROKEN,                   # SC-2: ERROR_ACCESS_DENIED
    1789: ChannelStatus.BROKEN,                # ERROR_TRUSTED_RELATIONSHIP_FAILURE
    1326: ChannelStatus.BROKEN,                # the DC refused the machine password
    1786: ChannelStatus.BROKEN,                # ERROR_NO_TRUST_LSA_SECRET
    1787: ChannelStatus.NO_TRUST_ACCOUNT,      # ERROR_NO_TRUST_SAM_ACCOUNT
    1311: ChannelStatus.NO_LOGON_SERVERS,
    1355: ChannelStatus.NOT_JOINED,
    1722: ChannelStatus.NO_LOGON_SERVERS,      # SC-2: RPC_S_SERVER_UNAVAILABLE, Netlogon not reachable
}


def logon_outcome(answer: dict[str, Any]) -> Optional[Outcome]:
    """LogonUser's answer: a logon or an unlock served from the cache is SUCCESS_CACHED (LG-2, LG-10); an unknown
    code maps to nothing and the journal keeps the number."""
    code = answer.get("win32")
    if code == 0:
        return Outcome.SUCCESS_CACHED if answer.get("logon_type") in CACHED else Outcome.SUCCESS
    return LOGON.get(code)


def channel_status(answer: dict[str, Any], joined: bool = True) -> Optional[ChannelStatus]:
    if not joined:
        return ChannelStatus.NOT_JOINED
    return CHANNEL.get(answer.get("status"))


def network_status(answer: dict[str, Any], mac: str, plugged: bool) -> NetworkStatus:
    """The first reason a technician would find, as the sim reports it: cable, adapter, address, DC. The lab adapter
    is the one with the lab MAC, which a replaced NIC keeps (NW-1); the management adapters are never the lab's."""
    if not plugged:
        return NetworkStatus.UNPLUGGED
    wanted = mac.replace(":", "-").upper()
    lab = [a for a in answer.get("present", []) if (a.get("mac") or "").upper() == wanted]
    if not lab:
        return NetworkStatus.NO_ADAPTER
    if answer.get("address") not in (lab[0].get("ipv4") or []):
        return NetworkStatus.NO_ADDRESS
    return NetworkStatus.UP if answer.get("dc_reachable") else NetworkStatus.DC_DOWN
