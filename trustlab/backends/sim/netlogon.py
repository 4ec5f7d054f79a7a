"""The member's Netlogon: the `$MACHINE.ACC` secret (current and old), the secure channel, and the scavenger."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional

from trustlab.backends.sim.clock import next_tick
from trustlab.specs.outcomes import ChannelStatus

if TYPE_CHECKING:
    from trustlab.backends.sim.world import Workstation


@dataclass
class Netlogon:
    """State that lives on the member's disk (and so in its snapshots), except `channel`, which lives in memory."""

    domain: Optional[str] = None
    account: Optional[str] = None      # the computer account it is joined as
    current: Optional[int] = None
    old: Optional[int] = None
    set_at: float = 0.0                # member clock time of the last change
    channel: Optional[int] = None      # the secret an established channel was set up with

    @property
    def joined(self) -> bool:
        return self.domain is not None

    def store(self, secret: int, member_now: float) -> None:
        """MP-9: the new value becomes current, the former current becomes old."""
        self.old, self.current, self.set_at = self.current, secret, member_now

    def leave(self) -> None:
        self.domain = self.account = self.current = self.old = self.channel = None


SESSION_REFUSED = "session_refused"


def session_accepted(ws: "Workstation", skewed: bool) -> bool:
    """SC-9: the member's SMB session as its machine account, with its current secret. Kerberos first: with the
    DC's current password it gets a ticket, which a skewed clock makes useless, with no fallback; a refused
    pre-authentication falls back to NTLM, which no clock fails and which takes the previous password within the
    profile's window after pwdLastSet (MP-11). A missing or disabled account is refused either way (MP-10)."""
    world, nl = ws.world, ws.netlogon
    account = world.directory.computers.get(nl.account)
    if account is None or not account.enabled or nl.current is None:
        return False
    if nl.current == account.password:
        return not skewed
    return world.directory.accepts_ntlm(account, nl.current, world.dc_time(), world.profile.old_password_window)


def diagnose(ws: "Workstation") -> tuple[ChannelStatus, Optional[str]]:
    """What setting up (or using) the secure channel now would give, and why it is refused; changes nothing."""
    world, nl = ws.world, ws.netlogon
    profile = world.profile
    if not nl.joined:
        return ChannelStatus.NOT_JOINED, None
    if not world.reachable(ws):
        return ChannelStatus.NO_LOGON_SERVERS, None                 # LG-2
    skewed = abs(ws.offset - world.dc.offset) > profile.max_clock_skew
    if profile.member_session_before_netlogon and nl.channel is None and not session_accepted(ws, skewed):
        return ChannelStatus.BROKEN, SESSION_REFUSED                # SC-9: the member goes offline
    if profile.channel_fails_on_clock_skew and skewed:
        return ChannelStatus.BROKEN, "clock_skew"                   # LG-8 [lab]
    account = world.directory.computers.get(nl.account)
    if account is None:                                             # MP-7, LG-1 (0xC000018B)
        return ChannelStatus.NO_TRUST_ACCOUNT, "account_missing"
    if not account.enabled:
        return ChannelStatus.BROKEN, "account_disabled"             # MP-7
    if nl.channel is not None and profile.established_channel_survives_reset:
        return ChannelStatus.OK, None                               # SC-6
    for secret in (nl.current, nl.old):                             # MP-4: new password bad, try the old one
        if world.directory.accepts_machine(account, secret, profile):   # MP-5
            return ChannelStatus.OK, None
    if account.previous is not None and account.previous in (nl.current, nl.old):
        return ChannelStatus.BROKEN, "password_previous"            # the DC knows it as the previous one
    return ChannelStatus.BROKEN, "password_unknown"


def verdict(ws: "Workstation") -> ChannelStatus:
    return diagnose(ws)[0]


def establish(ws: "Workstation") -> ChannelStatus:
    """Set up the secure channel if there is none; a failure leaves none."""
    status, nl = verdict(ws), ws.netlogon
    if status is not ChannelStatus.OK:
        nl.channel = None
    elif nl.channel is None:
        account = ws.world.directory.computers[nl.account]
        nl.channel = next(s for s in (nl.current, nl.old)
                          if ws.world.directory.accepts_machine(account, s, ws.world.profile))
    return status


def change_password(ws: "Workstation") -> bool:
    """The member-initiated change over a working channel (MP-1, MP-9); refused when the channel is not OK."""
    if establish(ws) is not ChannelStatus.OK:
        return False
    secret = ws.world.new_secret()
    ws.world.directory.set_machine_password(ws.netlogon.account, secret, ws.world.dc_time())
    ws.netlogon.store(secret, ws.local_time())
    ws.netlogon.channel = secret
    return True


class Scavenger:
    """MP-1: every ScavengeInterval Netlogon changes the password once it is older than the maximum age, measured
    on the member's own clock (so a clock jump can bring the change forward, MP-8). MP-2: not when disabled.
    MP-3: nothing on the DC side expires, so a member that was away simply changes it at its next run."""

    def __init__(self, ws: "Workstation"):
        self.ws = ws

    def _threshold(self) -> Optional[float]:
        """World time from which the change is due; None when none can be made now."""
        ws = self.ws
        policy = ws.policy
        if not ws.powered or not ws.netlogon.joined or policy.disable_password_change:
            return None
        if verdict(ws) is not ChannelStatus.OK:
            return None
        return ws.netlogon.set_at - ws.offset + policy.machine_password_age

    def due(self) -> Optional[float]:
        threshold = self._threshold()
        if threshold is None:
            return None
        return next_tick(self.ws.boot_time, self.ws.world.profile.scavenge_interval, self.ws.world.clock.now,
                         threshold)

    def overdue(self) -> bool:
        threshold = self._threshold()
        return threshold is not None and threshold <= self.ws.world.clock.now

    def fire(self) -> None:
        if change_password(self.ws):
            self.ws.world.note(self.ws, "scavenger changed the machine password (MP-1)")
