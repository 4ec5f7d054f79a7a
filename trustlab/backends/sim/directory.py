"""The DC's directory: user accounts with their password state, computer accounts, and domain policy."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from trustlab.specs.lab import LabSpec
from trustlab.specs.outcomes import Outcome
from trustlab.specs.profiles import BehaviourProfile

MUST_CHANGE = None  # pwdLastSet = 0


@dataclass
class User:
    name: str
    password: int = 1                  # the version of the user's password; the secret itself never leaves the sim
    pwd_last_set: Optional[float] = 0.0  # DC time; MUST_CHANGE when the admin forces a change
    enabled: bool = True


@dataclass
class ComputerAccount:
    name: str
    password: int
    previous: Optional[int] = None
    enabled: bool = True
    creator: str = ""                  # who created it (SC-7); its owner too, unless an admin created it
    created_by_admin: bool = True      # a member of Domain Admins, Enterprise Admins or Administrators did
    password_set: float = 0.0          # DC time of the last password set (pwdLastSet)
    key_version: int = 1               # msDS-KeyVersionNumber: one more at each password set (MP-10)


@dataclass
class Policy:
    max_password_age: int
    cached_logons_count: int
    machine_password_age: int
    disable_password_change: bool
    block_account_reuse: bool
    reuse_allowed_owners: tuple[str, ...] = ()


@dataclass
class Directory:
    policy: Policy
    users: dict[str, User] = field(default_factory=dict)
    computers: dict[str, ComputerAccount] = field(default_factory=dict)

    @classmethod
    def build(cls, lab: LabSpec, profile: BehaviourProfile) -> "Directory":
        p = lab.policies
        policy = Policy(p.max_password_age, p.cached_logons_count,
                        p.machine_password_age or profile.machine_password_age,  # MP-1 / TM-7
                        p.disable_password_change, p.block_account_reuse, tuple(p.reuse_allowed_owners))
        return cls(policy, {u: User(u) for u in lab.all_users})

    def expires_at(self, user: User) -> Optional[float]:
        """DC time at which the password passes the maximum age (TM-5); None if it never does."""
        if user.pwd_last_set is MUST_CHANGE or not self.policy.max_password_age:
            return None
        return user.pwd_last_set + self.policy.max_password_age

    def authenticate(self, name: str, password: int, dc_now: float) -> Outcome:
        """The DC's answer for a user's password (LG-1, LG-5, LG-6): password first, then its state."""
        user = self.users.get(name)
        if user is None:
            return Outcome.NO_SUCH_USER
        if password != user.password:
            return Outcome.WRONG_PASSWORD                                 # LG-5
        if not user.enabled:
            return Outcome.ACCOUNT_DISABLED
        if user.pwd_last_set is MUST_CHANGE:
            return Outcome.PASSWORD_MUST_CHANGE                           # LG-6 (1907)
        expires = self.expires_at(user)
        if expires is not None and dc_now >= expires:
            return Outcome.PASSWORD_EXPIRED                               # LG-6 (1330)
        return Outcome.SUCCESS

    def change_password(self, name: str, dc_now: float) -> None:
        user = self.users[name]
        user.password += 1
        user.pwd_last_set = dc_now

    def accepts_machine(self, account: ComputerAccount, secret: Optional[int], profile: BehaviourProfile) -> bool:
        """MP-5: a workstation secure channel is checked against the account's current password only, unless the
        profile says the DC also takes the previous one."""
        if secret is None:
            return False
        return secret == account.password or (profile.dc_accepts_previous_machine_password
                                              and secret == account.previous)

    def accepts_ntlm(self, account: ComputerAccount, secret: Optional[int], dc_now: float, window: int) -> bool:
        """MP-11: a non-interactive NTLM logon takes the current password, or the previous one within `window`
        seconds of the last password set (pwdLastSet)."""
        return secret is not None and (secret == account.password or (
            secret == account.previous and 0 <= dc_now - account.password_set < window))

    def reuse_allowed(self, account: ComputerAccount, user: str) -> bool:
        """SC-7 (KB5020276): a join may take over an existing account only if the joining user created it, an admin
        created it, or its owner is trusted by the DC's "Allow computer account re-use during domain join" policy;
        members without the hardening (`block_account_reuse: false`) reuse any account."""
        return (not self.policy.block_account_reuse or user == account.creator or account.created_by_admin
                or account.creator in self.policy.reuse_allowed_owners)

    def set_machine_password(self, name: str, secret: int, when: float) -> None:
        account = self.computers[name]
        account.previous, account.password, account.password_set = account.password, secret, when
        account.key_version += 1
