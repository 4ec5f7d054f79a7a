"""The Samba lab's steps in the directory at the DC, with samba-tool and ldbmodify: user passwords, computer
accounts, a second machine joined under the member's name, and domain policy."""
from __future__ import annotations

import base64
import re
import secrets
import shutil

from trustlab.backends.samba import dc as dc_mod
from trustlab.backends.samba import member as member_mod
from trustlab.backends.samba.domain import SambaLab
from trustlab.backends.samba.node import Node
from trustlab.backends.samba.state import SambaState
from trustlab.engine.backend import StepResult
from trustlab.specs import tools as texts
from trustlab.specs.lab import LabSpec


class AccountSteps:
    """Mixed into SambaBackend: the directory's steps, on its DC's node."""

    state: SambaState
    lab: LabSpec
    domain: SambaLab
    dc_node: Node

    def do_change_password(self, computer: str, user: str, where: str) -> StepResult:
        if where == "this_computer" and not self.state.reachable:
            return StepResult.failed(texts.CHANGE_NEEDS_DC.format(computer=computer))
        new = self.domain.password(user, self.state.versions[user] + 1)
        dc_mod.tool(self.dc_node, "user", "setpassword", user, f"--newpassword={new}")
        self.state.versions[user] += 1
        return StepResult(output=[texts.PASSWORD_CHANGED.format(user=user, where=where.replace("_", " "))])

    def do_force_password_change(self, user: str) -> StepResult:
        dn = f"CN={user},CN=Users,{dc_mod.base_dn(self.lab.realm)}"
        dc_mod.modify(self.dc_node, f"dn: {dn}\nchangetype: modify\nreplace: pwdLastSet\npwdLastSet: 0\n")
        return StepResult(output=[texts.MUST_CHANGE.format(user=user)])

    def _account_tool(self, *args: str) -> StepResult:
        result = dc_mod.tool(self.dc_node, *args, check=False)
        return StepResult() if result.succeeded else StepResult.failed(*self._said(self.dc_node, result.output, 1))

    def do_reset_computer_account(self, computer: str) -> StepResult:
        """ADUC's Reset Account: the password alone (unicodePwd) is set. `samba-tool user setpassword` also enables
        a disabled account (samba python/samba/samdb.py `setpassword`, line 900), which no reset does: a disabled
        account reset stayed disabled in the model and not on the lab (issue 19, diff-dd6be3c8)."""
        sam = str(self.dc_node.dir / "private" / "sam.ldb")
        found = re.search(r"^dn: (.+)$", self.dc_node.run("ldbsearch", "-H", sam, f"(sAMAccountName={self._account()})",
                                                         "dn").output, re.M)
        if found is None:
            return StepResult.failed(f"no computer account {self._account()} in the directory")
        password = ('"' + f"Reset-{secrets.token_hex(12)}!" + '"').encode("utf-16-le")
        dc_mod.modify(self.dc_node, f"dn: {found.group(1)}\nchangetype: modify\nreplace: unicodePwd\n"
                                    f"unicodePwd:: {base64.b64encode(password).decode()}\n")
        return StepResult()

    def do_delete_computer_account(self, computer: str) -> StepResult:
        return self._account_tool("computer", "delete", self.state.member.name)

    def do_disable_computer_account(self, computer: str) -> StepResult:
        return self._account_tool("user", "disable", self._account())

    def do_enable_computer_account(self, computer: str) -> StepResult:
        return self._account_tool("user", "enable", self._account())

    def do_join_duplicate(self, computer: str) -> StepResult:
        """A real second machine: a scratch client config with the same NetBIOS name joins from the DC's
        namespace and takes the account over (MP-7)."""
        dc = self.dc_node
        folder = self.domain.dir / "scratch" / "other"
        other = Node("other", folder, dc.ns, dc.dev, dc.address, folder / "etc" / "krb5.conf", dc.offset, dc.secrets)
        member_mod.configure(other, self.lab.domain, self.lab.realm, self.state.member.name, None)
        user, password = self._admin_credential()
        result = member_mod.join(other, user, password)
        shutil.rmtree(other.dir, ignore_errors=True)
        if result.failed:
            return StepResult.failed(*self._said(dc, result.output))
        return StepResult(output=[texts.DUPLICATE_JOINED.format(computer=self.state.member.name)])

    def do_set_policy(self, max_password_age=None, cached_logons_count=None, machine_password_age=None,
                      disable_password_change=None) -> StepResult:
        if cached_logons_count is not None:
            return StepResult.unsupported("winbind has no CachedLogonsCount (LG-3)")
        if max_password_age is not None:
            if max_password_age % 86400:
                return StepResult.unsupported("Samba sets the maximum password age in whole days")
            self._max_password_age(max_password_age)
        if disable_password_change:
            self.state.machine_password_timeout = 0
        elif machine_password_age is not None:
            self.state.machine_password_timeout = machine_password_age
        return StepResult(output=["member settings apply at its next start"] if (
            machine_password_age is not None or disable_password_change is not None) else [])

    def _max_password_age(self, seconds: int) -> None:
        """With no minimum age, as the model has none: samba-tool refuses a maximum that is not above the minimum
        (1 day by default; "Maximum password age (1) must be greater than minimum password age (1)!", found by
        the differential search)."""
        dc_mod.tool(self.dc_node, "domain", "passwordsettings", "set", "--min-pwd-age=0",
                    f"--max-pwd-age={seconds // 86400}")

    def _account(self) -> str:
        return f"{self.state.member.name}$"

    def _account_exists(self) -> bool:
        return dc_mod.tool(self.dc_node, "computer", "show", self.state.member.name, check=False).succeeded
