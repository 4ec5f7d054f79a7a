"""The lab a scenario runs in: one DC, workstations, users and policies. Everything has a default: the seed's
loaner laptop in domain CORP."""
from __future__ import annotations

from typing import Literal, Optional

from pydantic import Field, model_validator

from trustlab.specs.steps import ComputerName, Duration, Strict, UserName


class Policies(Strict):
    max_password_age: Duration = Field(42 * 86400, description="TM-5: user maximum password age (0 = never)")
    cached_logons_count: int = Field(10, ge=0, le=50, description="LG-3: CachedLogonsCount")
    machine_password_age: Optional[Duration] = Field(
        None, description="MP-1: member machine password age; default from the behaviour profile")
    disable_password_change: bool = Field(False, description="MP-2: DisablePasswordChange on members")
    block_account_reuse: bool = Field(
        False, description="SC-7: members check KB5020276's rules before reusing an existing computer account "
                           "(every Windows update since October 2022; the opt-out was removed in August 2024)")
    reuse_allowed_owners: list[UserName] = Field(
        default_factory=list, description="SC-7: the DC policy 'Allow computer account re-use during domain join': "
                                          "owners whose computer accounts anyone may reuse")


class LabSpec(Strict):
    domain: str = Field("CORP", pattern=r"^[A-Z][A-Z0-9-]{0,14}$")
    realm: str = "corp.test"
    dc: ComputerName = "DC01"
    workstations: list[ComputerName] = Field(default_factory=lambda: ["LOANER01"], min_length=1)
    users: list[UserName] = Field(default_factory=lambda: ["alice", "bob"], min_length=1)
    admin: UserName = Field("admin", description="the domain admin; repairs with `credential: domain_admin` use it")
    joiner: Optional[UserName] = Field(
        None, description="SC-7: a delegated, non-admin account that joins the lab's computers (a help desk's); "
                          "`join` uses it when set, and `credential: joiner` names it")
    addressing: Literal["static", "dhcp"] = Field("static", description="NW-1: how workstations get their address")
    policies: Policies = Field(default_factory=Policies)

    @model_validator(mode="after")
    def _distinct(self) -> "LabSpec":
        names = [self.dc, *self.workstations]
        if len(set(names)) != len(names):
            raise ValueError(f"computer names must be distinct: {', '.join(names)}")
        users = [*self.users, self.admin, *([self.joiner] if self.joiner else [])]
        if len(set(users)) != len(users):
            raise ValueError(f"user names must be distinct (the admin and the joiner included): {', '.join(users)}")
        return self

    @property
    def computers(self) -> list[str]:
        return [self.dc, *self.workstations]

    @property
    def all_users(self) -> list[str]:
        return [*self.users, self.admin]
