"""The Windows lab's steps in the directory at the DC (its ActiveDirectory module) and the domain's and the
client's policies."""
from __future__ import annotations

from trustlab.backends.vagrant.guests import Guests
from trustlab.backends.vagrant.machines import VagrantLab
from trustlab.backends.vagrant.state import VagrantState
from trustlab.engine.backend import StepResult
from trustlab.specs.lab import LabSpec


def _days(seconds: int) -> int:
    """Windows keeps these policies in whole days (at least one)."""
    return max(1, seconds // 86400)


class AccountSteps:
    """Mixed into VagrantBackend: the directory's steps and the policies, on the DC and the client."""

    state: VagrantState
    lab: LabSpec
    machines: VagrantLab
    guests: Guests

    def do_change_password(self, computer: str, user: str, where: str) -> StepResult:
        old, new = self._password(user), self.guests.secrets.password(user, self.state.versions[user] + 1)
        if where == "this_computer":
            if not self.state.member.on:
                return StepResult.failed(f"{computer} is powered off")
            answer = self.client.script("change_password_here", {"Domain": self.machines.settings.domain,
                                                                 "User": user, "OldPassword": old, "NewPassword": new})
        else:
            answer = self.dc.script("dc_user", {"User": user, "Action": "change", "OldPassword": old,
                                                "NewPassword": new})
        if answer.get("ok"):
            self.state.versions[user] += 1
        return self._done(answer, "password change")

    def do_force_password_change(self, user: str) -> StepResult:
        return self._done(self.dc.script("dc_user", {"User": user, "Action": "force_change"}), "Set-ADUser")

    def _computer(self, computer: str, action: str) -> StepResult:
        answer = self.dc.script("dc_computer", {"Computer": computer, "Action": action,
                                                "Domain": self.machines.settings.realm})
        if not answer.get("exists") and action != "delete":
            return StepResult.failed(f"no computer account {computer}")
        return self._done(answer, f"computer account {action}")

    def do_reset_computer_account(self, computer: str) -> StepResult:
        return self._computer(computer, "reset")

    def do_delete_computer_account(self, computer: str) -> StepResult:
        return self._computer(computer, "delete")

    def do_disable_computer_account(self, computer: str) -> StepResult:
        return self._computer(computer, "disable")

    def do_enable_computer_account(self, computer: str) -> StepResult:
        return self._computer(computer, "enable")

    def do_join_duplicate(self, computer: str) -> StepResult:
        return self._computer(computer, "duplicate")

    def do_set_policy(self, max_password_age=None, cached_logons_count=None, machine_password_age=None,
                      disable_password_change=None) -> StepResult:
        local = (cached_logons_count, machine_password_age, disable_password_change)
        if not self.state.member.on and any(v is not None for v in local):
            return StepResult.failed(f"{self.lab.workstations[0]} is powered off")
        self._set_policies(max_password_age, *local)
        return StepResult()

    def _policies(self, lab: LabSpec) -> None:
        p = lab.policies
        self._set_policies(p.max_password_age, p.cached_logons_count, p.machine_password_age,
                           p.disable_password_change)

    def _set_policies(self, max_password_age=None, cached_logons_count=None, machine_password_age=None,
                      disable_password_change=None) -> None:
        """The domain's maximum password age on the DC; the rest are the client's own settings. None: unchanged."""
        if max_password_age is not None:
            self.dc.script("dc_policy", {"MaxPasswordAgeDays": _days(max_password_age)})
        local = {"CachedLogonsCount": cached_logons_count,
                 "MachinePasswordAgeDays": None if machine_password_age is None else _days(machine_password_age),
                 "DisablePasswordChange": None if disable_password_change is None else int(disable_password_change)}
        local = {k: v for k, v in local.items() if v is not None}
        if local:
            self.client.script("client_policy", local)
