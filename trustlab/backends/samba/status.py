"""What the real lab's NT_STATUS codes mean in the common outcome names (samba-lab.md, "Observed results").
Samba never says NT_STATUS_TRUSTED_RELATIONSHIP_FAILURE; the raw status always goes into the journal too."""
from __future__ import annotations

from typing import Optional

from trustlab.specs.outcomes import ChannelStatus, Outcome

LOGON = {
    "NT_STATUS_WRONG_PASSWORD": Outcome.WRONG_PASSWORD,
    "NT_STATUS_LOGON_FAILURE": Outcome.WRONG_PASSWORD,
    "NT_STATUS_PASSWORD_EXPIRED": Outcome.PASSWORD_EXPIRED,
    "NT_STATUS_PASSWORD_MUST_CHANGE": Outcome.PASSWORD_MUST_CHANGE,
    "NT_STATUS_ACCOUNT_DISABLED": Outcome.ACCOUNT_DISABLED,
    "NT_STATUS_ACCOUNT_LOCKED_OUT": Outcome.ACCOUNT_LOCKED_OUT,
    "NT_STATUS_ACCOUNT_EXPIRED": Outcome.ACCOUNT_EXPIRED,
    "NT_STATUS_TRUSTED_RELATIONSHIP_FAILURE": Outcome.TRUST_FAILURE,
    "NT_STATUS_ACCESS_DENIED": Outcome.TRUST_FAILURE,        # a DC-side reset: pam logon ACCESS_DENIED
    "NT_STATUS_NO_TRUST_SAM_ACCOUNT": Outcome.NO_TRUST_ACCOUNT,
    "NT_STATUS_TIME_DIFFERENCE_AT_DC": Outcome.CLOCK_SKEW,
    "NT_STATUS_NO_LOGON_SERVERS": Outcome.NO_LOGON_SERVERS,
    "NT_STATUS_DOMAIN_CONTROLLER_NOT_FOUND": Outcome.NO_LOGON_SERVERS,
    "NT_STATUS_CANT_ACCESS_DOMAIN_INFO": Outcome.NO_LOGON_SERVERS,
    "NT_STATUS_IO_TIMEOUT": Outcome.NO_LOGON_SERVERS,
    "NT_STATUS_HOST_UNREACHABLE": Outcome.NO_LOGON_SERVERS,
    "NT_STATUS_NETLOGON_NOT_STARTED": Outcome.NETLOGON_NOT_STARTED,
}

CHANNEL = {
    "NT_STATUS_ACCESS_DENIED": ChannelStatus.BROKEN,
    "NT_STATUS_LOGON_FAILURE": ChannelStatus.BROKEN,
    "NT_STATUS_WRONG_PASSWORD": ChannelStatus.BROKEN,
    "NT_STATUS_ACCOUNT_DISABLED": ChannelStatus.BROKEN,
    "NT_STATUS_TRUSTED_RELATIONSHIP_FAILURE": ChannelStatus.BROKEN,
    "NT_STATUS_NO_TRUST_SAM_ACCOUNT": ChannelStatus.NO_TRUST_ACCOUNT,
    "NT_STATUS_NO_SUCH_USER": ChannelStatus.NO_TRUST_ACCOUNT,
    "NT_STATUS_NO_LOGON_SERVERS": ChannelStatus.NO_LOGON_SERVERS,
    "NT_STATUS_DOMAIN_CONTROLLER_NOT_FOUND": ChannelStatus.NO_LOGON_SERVERS,
    "NT_STATUS_CANT_ACCESS_DOMAIN_INFO": ChannelStatus.NO_LOGON_SERVERS,
    "NT_STATUS_IO_TIMEOUT": ChannelStatus.NO_LOGON_SERVERS,
}


def logon_outcome(status: Optional[str], known_user: bool, offline: bool) -> Optional[Outcome]:
    """NO_SUCH_USER needs context: offline, it is a user with nothing cached (Windows: 1311); online, for a user the
    DC has, it is how Samba reports a trust that no longer holds (samba-lab.md: a member restored from before two
    password changes)."""
    if status == "NT_STATUS_NO_SUCH_USER":
        if offline:
            return Outcome.NO_LOGON_SERVERS
        return Outcome.TRUST_FAILURE if known_user else Outcome.NO_SUCH_USER
    return LOGON.get(status) if status else None


def channel_status(status: Optional[str], offline: bool) -> Optional[ChannelStatus]:
    if offline:
        return ChannelStatus.NO_LOGON_SERVERS
    return CHANNEL.get(status) if status else None
