"""What the DC itself answers at the moment of a probe, asked by a client trustlab did not write (issue 19). A real
lab's probe shows what the member shows; the member's client (winbind) can turn a refusal into "offline" or report
its own session's status instead of the DC's, so a model can agree with the member for the wrong reason. Beside each
real probe the journal keeps the DC's own answer, and conformance compares both.

Statuses are the DC's own names: NT_STATUS_* for NETLOGON and SMB, the Kerberos error names (KDC_ERR_PREAUTH_FAILED,
...) or OK for Kerberos; NO_ANSWER when nothing answered. `None`: not asked (no secret to try, no user)."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Optional

ACCEPTED = ("NT_STATUS_OK", "OK")


@dataclass(frozen=True)
class ComputerObject:
    """The member's computer object as the DC's directory holds it (LDAP)."""

    exists: bool
    disabled: Optional[bool] = None
    password_age: Optional[float] = None       # seconds since pwdLastSet, on the DC's clock
    key_version: Optional[int] = None          # msDS-KeyVersionNumber: one more at each password set


@dataclass(frozen=True)
class DcAnswer:
    """The DC's answer beside a probe: to the member's current machine secret over NETLOGON (NetrServerAuthenticate3,
    the secure channel itself), Kerberos (AS-REQ) and an NTLM SMB session (winbind's first step, where a Samba DC's
    old-password window applies); to the password a logon tried (Kerberos, which has no window); and the computer
    object."""

    answered: bool                             # did the DC answer at all (a refusal is an answer)
    netlogon: Optional[str] = None
    kerberos: Optional[str] = None
    session: Optional[str] = None
    user: Optional[str] = None
    account: Optional[ComputerObject] = None
    seconds: Optional[float] = None            # what asking cost

    @property
    def channel_accepted(self) -> Optional[bool]:
        """Does the DC accept the member's secret on the secure channel? None when it was not asked."""
        return None if self.netlogon is None else self.netlogon in ACCEPTED

    @property
    def user_accepted(self) -> Optional[bool]:
        return None if self.user is None else self.user in ACCEPTED

    def compared(self) -> dict[str, Any]:
        """What conformance compares: whether the DC answered, and if it did, every answer and whether the account
        exists and is disabled. Not the password's age in seconds (the clocks differ), nor the key version: Samba's
        `net ads leave` deletes the account and a rejoin starts a new one at 1, where Remove-Computer keeps it (the
        sim), so it would count passwords set, not the reason a logon failed."""
        if not self.answered:
            return {"answered": False}
        out = {k: getattr(self, k) for k in ("answered", "netlogon", "kerberos", "session", "user")}
        if self.account is not None:
            out.update(exists=self.account.exists, disabled=self.account.disabled)
        return out

    def differences(self, other: "DcAnswer") -> tuple[str, str]:
        """(ours, theirs): the answers that differ, as `name VALUE` lists; empty strings when none do."""
        mine, theirs = self.compared(), other.compared()
        keys = ["answered"] if self.answered != other.answered else \
            [k for k in {**mine, **theirs} if mine.get(k) != theirs.get(k)]
        return (", ".join(f"{k} {mine.get(k)}" for k in keys), ", ".join(f"{k} {theirs.get(k)}" for k in keys))

    def to_dict(self) -> dict[str, Any]:
        out = {k: v for k, v in asdict(self).items() if v is not None}
        if self.account is not None:
            out["account"] = {k: v for k, v in asdict(self.account).items() if v is not None}
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "DcAnswer":
        account = data.get("account")
        return cls(**{**data, "account": ComputerObject(**account) if account is not None else None})
