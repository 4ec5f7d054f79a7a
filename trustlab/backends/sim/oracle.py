"""What the sim's DC itself answers beside a probe, as the Samba lab's oracle asks it (backends/samba/oracle.py), so
conformance compares the model with the real lab on the DC's answer as well as on what the member shows: a model
that agrees with the member for the wrong reason then diverges on the DC's side (issue 19). Asked only when a
caller wants it (`Backend.asks_the_dc`), so the sim's own journals stay as they were."""
from __future__ import annotations

from typing import Any, Optional

from trustlab.backends.sim.directory import MUST_CHANGE, ComputerAccount, Directory
from trustlab.backends.sim.world import Workstation, World
from trustlab.engine.backend import OK, StepResult
from trustlab.engine.dc_answer import ComputerObject, DcAnswer
from trustlab.specs.steps import VERBS, Family


def netlogon(account: Optional[ComputerAccount], secret: int, directory: Directory, profile) -> str:
    """MP-10: NetrServerAuthenticate3 for a workstation: a missing or disabled account is NO_TRUST_SAM_ACCOUNT
    (disabled is checked before the password), a secret the DC does not take (MP-5) ACCESS_DENIED."""
    if account is None or not account.enabled:
        return "NT_STATUS_NO_TRUST_SAM_ACCOUNT"
    return "NT_STATUS_OK" if directory.accepts_machine(account, secret, profile) else "NT_STATUS_ACCESS_DENIED"


def kerberos(known: bool, right: bool, enabled: bool, expired: bool = False) -> str:
    """MP-10: an AS-REQ: the pre-authentication is checked against the current keys only (no window), then the
    account's state."""
    if not known:
        return "KDC_ERR_C_PRINCIPAL_UNKNOWN"
    if not right:
        return "KDC_ERR_PREAUTH_FAILED"
    if not enabled:
        return "KDC_ERR_CLIENT_REVOKED"
    return "KDC_ERR_KEY_EXPIRED" if expired else "OK"


def session(account: Optional[ComputerAccount], secret: int, directory: Directory, dc_now: float, window: int) -> str:
    """MP-10, MP-11: an NTLM network logon as the machine account: the current password, or the previous one within
    `window` seconds of pwdLastSet (TM-8), then the account's state (ACCOUNT_DISABLED after a right password). An
    unknown account is LOGON_FAILURE, as any wrong password."""
    if account is None:
        return "NT_STATUS_LOGON_FAILURE"
    if not directory.accepts_ntlm(account, secret, dc_now, window):
        return "NT_STATUS_LOGON_FAILURE"
    return "NT_STATUS_OK" if account.enabled else "NT_STATUS_ACCOUNT_DISABLED"


def answer(world: World, ws: Workstation, user: Optional[str], password: Optional[int]) -> DcAnswer:
    """The DC's answer now: to the member's current secret, to the password a logon tried, and the computer
    object. A DC switched off answers nothing (the oracle asks from the DC itself, so cables do not matter)."""
    if not world.dc.powered:
        return DcAnswer(False)
    directory, profile, now = world.directory, world.profile, world.dc_time()
    name = ws.netlogon.account or ws.name
    account = directory.computers.get(name)
    secret = ws.netlogon.current
    statuses: dict[str, Any] = {}
    if secret is not None:
        statuses = {"netlogon": netlogon(account, secret, directory, profile),
                    "kerberos": kerberos(account is not None, account is not None and secret == account.password,
                                         account is not None and account.enabled),
                    "session": session(account, secret, directory, now, profile.old_password_window)}
    if user is not None and password is not None:
        u = directory.users.get(user)
        expired = u is not None and (u.pwd_last_set is MUST_CHANGE or
                                     (directory.expires_at(u) is not None and now >= directory.expires_at(u)))
        statuses["user"] = kerberos(u is not None, u is not None and password == u.password,
                                    u is not None and u.enabled, expired)
    obj = ComputerObject(False) if account is None else ComputerObject(
        True, not account.enabled, round(now - account.password_set, 1), account.key_version)
    return DcAnswer(True, **statuses, account=obj)


class AsksTheDc:
    """Mixed into SimBackend first: with `asks_the_dc`, every probe the lab did carries the DC's answer (none on a
    refused or unsupported one, as on a real lab)."""

    world: World
    asks_the_dc: bool

    def do(self, verb: str, args: dict[str, Any]) -> StepResult:
        result = super().do(verb, args)
        if self.asks_the_dc and result.status == OK and VERBS[verb].family is Family.PROBE:
            ws = self.world.workstations.get(args.get("computer")) or next(iter(self.world.workstations.values()))
            user = args.get("user") if verb == "logon" else None
            password = self._password(user, args.get("password", "current")) if user in self.world.directory.users \
                else None
            result.dc = answer(self.world, ws, user, password)
        return result
