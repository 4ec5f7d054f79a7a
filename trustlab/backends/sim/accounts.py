"""The sim's steps in the directory at the DC: user passwords, computer accounts and what the DC shows of one, a
second machine joined under the same name, and domain policy (MP-7, LG-5, LG-6)."""
from __future__ import annotations

from typing import Optional

from trustlab.backends.sim.directory import MUST_CHANGE, ComputerAccount
from trustlab.backends.sim.world import World
from trustlab.engine.backend import StepResult
from trustlab.specs import tools as texts
from trustlab.specs.lab import LabSpec
from trustlab.specs.outcomes import AccountState


class AccountSteps:
    """Mixed into SimBackend: the account steps, on its `world`."""

    world: World
    lab: LabSpec

    def do_change_password(self, computer: str, user: str, where: str) -> StepResult:
        if where == "this_computer" and not self.world.reachable(self.world.workstations[computer]):
            return StepResult.failed(texts.CHANGE_NEEDS_DC.format(computer=computer))
        self.world.directory.change_password(user, self.world.dc_time())   # LG-5
        return StepResult(output=[texts.PASSWORD_CHANGED.format(user=user, where=where.replace('_', ' '))])

    def do_force_password_change(self, user: str) -> StepResult:
        self.world.directory.users[user].pwd_last_set = MUST_CHANGE         # LG-6
        return StepResult(output=[texts.MUST_CHANGE.format(user=user)])

    def _account(self, computer: str) -> Optional[ComputerAccount]:
        ws = self.world.workstations[computer]
        return self.world.directory.computers.get(ws.netlogon.account or computer)

    def do_reset_computer_account(self, computer: str) -> StepResult:
        account = self._account(computer)
        if account is None:
            return StepResult.failed(texts.NO_ACCOUNT.format(computer=computer))
        self.world.directory.set_machine_password(account.name, self.world.new_secret(),   # MP-7
                                                  self.world.dc_time())
        return StepResult()

    def do_join_duplicate(self, computer: str) -> StepResult:
        """Another machine joins under the same name, by the domain admin (MP-7); the same reuse rules apply (SC-7)."""
        account = self._account(computer)
        secret = self.world.new_secret()                                    # MP-7: the other machine's password
        if account is None:
            self.world.directory.computers[computer] = ComputerAccount(computer, secret, creator=self.lab.admin,
                                                                       password_set=self.world.dc_time())
        elif not self.world.directory.reuse_allowed(account, self.lab.admin):
            return StepResult.failed(texts.REUSE_BLOCKED, raw="2732")         # SC-7, KB5020276
        else:
            self.world.directory.set_machine_password(account.name, secret, self.world.dc_time())
        return StepResult(output=[texts.DUPLICATE_JOINED.format(computer=computer)])

    def do_delete_computer_account(self, computer: str) -> StepResult:
        account = self._account(computer)
        if account is None:
            return StepResult.failed(texts.NO_ACCOUNT.format(computer=computer))
        del self.world.directory.computers[account.name]                    # MP-7
        return StepResult()

    def do_disable_computer_account(self, computer: str) -> StepResult:
        account = self._account(computer)
        if account is None:
            return StepResult.failed(texts.NO_ACCOUNT.format(computer=computer))
        account.enabled = False                                             # MP-7
        return StepResult()

    def do_enable_computer_account(self, computer: str) -> StepResult:
        account = self._account(computer)
        if account is None:
            return StepResult.failed(texts.NO_ACCOUNT.format(computer=computer))
        account.enabled = True                                              # MP-7, undone
        return StepResult()

    def do_set_policy(self, **changes) -> StepResult:
        policy = self.world.directory.policy
        for key, value in changes.items():
            if value is not None:
                setattr(policy, key, value)
        return StepResult()

    def do_computer_account(self, computer: str) -> StepResult:
        """The DC's view of the computer's object (MP-7): it answers whatever the member's state."""
        account = self._account(computer)
        if account is None:
            return StepResult(outcome=AccountState.MISSING.value)
        state = AccountState.PRESENT if account.enabled else AccountState.DISABLED
        return StepResult(outcome=state.value, details={"password_age": self.world.dc_time() - account.password_set})
