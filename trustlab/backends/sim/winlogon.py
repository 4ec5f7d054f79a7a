"""Winlogon: the online-or-cached decision for an interactive logon or unlock, and the cached verifiers."""
from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Optional

from trustlab.backends.sim import netlogon
from trustlab.specs.outcomes import ChannelStatus, Outcome

if TYPE_CHECKING:
    from trustlab.backends.sim.world import Workstation


@dataclass
class Verifier:
    password: int
    expires_at: Optional[float]   # DC time, as the DC reported it at the logon that cached it


@dataclass
class SignedIn:
    """Who is signed in at the console (not a training session, not an SMB session)."""
    user: str
    admin: bool
    local: bool = False


@dataclass
class Winlogon:
    cache: "OrderedDict[str, Verifier]" = field(default_factory=OrderedDict)   # HKLM\SECURITY\Cache, not the profile
    profiles: set = field(default_factory=set)
    session: Optional[SignedIn] = None

    def remember(self, user: str, verifier: Verifier, count: int) -> None:
        """LG-4: refresh at every DC-checked logon; LG-3: keep at most CachedLogonsCount, dropping the oldest."""
        if count <= 0:
            self.cache.clear()
            return
        self.cache[user] = verifier
        self.cache.move_to_end(user)
        while len(self.cache) > count:
            self.cache.popitem(last=False)


def authenticate(ws: "Workstation", user: str, password: int) -> Outcome:
    """An interactive logon or an unlock, as Winlogon decides it."""
    world, wl = ws.world, ws.winlogon
    if not ws.netlogon.joined:
        return Outcome.NOT_JOINED
    status = netlogon.establish(ws) if world.reachable(ws) else ChannelStatus.NO_LOGON_SERVERS
    if status not in (ChannelStatus.OK, ChannelStatus.NO_LOGON_SERVERS) and \
            netlogon.diagnose(ws)[1] == netlogon.SESSION_REFUSED:
        status = ChannelStatus.NO_LOGON_SERVERS          # SC-9: the session refused, the member is offline (LG-2)
    if status is not ChannelStatus.NO_LOGON_SERVERS:
        # LG-1: a reachable DC's answer is authoritative; the secure channel carries it.
        if status is ChannelStatus.NO_TRUST_ACCOUNT:
            return Outcome.NO_TRUST_ACCOUNT
        if status is not ChannelStatus.OK:
            return Outcome.TRUST_FAILURE
        if abs(ws.offset - world.dc.offset) > world.profile.max_clock_skew:
            return world.profile.clock_skew_outcome                            # LG-8, TM-3
        outcome = world.directory.authenticate(user, password, world.dc_time())
        if outcome is Outcome.PASSWORD_EXPIRED and world.profile.expired_password_reports_trust_failure:
            return Outcome.TRUST_FAILURE                                       # LG-7, opt-in only
        if outcome is Outcome.SUCCESS:
            account = world.directory.users[user]
            wl.remember(user, Verifier(password, world.directory.expires_at(account)), ws.policy.cached_logons_count)
        return outcome
    # LG-2: no DC; the cached verifier decides.
    verifier = wl.cache.get(user) if ws.policy.cached_logons_count > 0 else None    # LG-3: 0 disables it
    if verifier is None:
        return Outcome.NO_LOGON_SERVERS
    if verifier.password != password:
        return Outcome.WRONG_PASSWORD                                          # LG-5: offline only the old one works
    if (verifier.expires_at is not None and ws.local_time() >= verifier.expires_at
            and not world.profile.offline_logon_after_expiry):
        return Outcome.PASSWORD_EXPIRED                                        # LG-6 profile switch
    return Outcome.SUCCESS_CACHED
