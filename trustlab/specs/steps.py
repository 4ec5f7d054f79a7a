"""The shared step vocabulary: every verb, its family, its typed arguments and the behaviour IDs it touches.

A step in YAML is a one-key mapping, `- verb: {args}`. Events happen to the world, admin operations are what a
technician does at the machine, probes observe and return a typed outcome. A `computer` or `user` left out means
the scenario's affected computer or user, so one remediation fits every scenario it claims to fix."""
from __future__ import annotations

import inspect
import re
from dataclasses import dataclass
from enum import Enum
from typing import Annotated, Any, ClassVar, Literal, Optional, Union

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    PlainSerializer,
    Tag,
    WithJsonSchema,
    create_model,
    model_validator,
)

from trustlab.specs import durations
from trustlab.specs.outcomes import AccountState, ChannelStatus, NetworkStatus, Outcome


class Family(str, Enum):
    EVENT = "event"
    ADMIN = "admin"
    PROBE = "probe"


class Strict(BaseModel):
    """Unknown keys are errors (pydantic's `extra_forbidden`, reported with every other problem of the file and
    translated by `specs.errors` into the key and what is allowed)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def _duration(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, str):
        raise ValueError(f"bad duration {_shown(value)}: use {durations.HELP}")
    return durations.parse(value)


def _offset(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, str):
        raise ValueError(f"bad duration {_shown(value)}: use {durations.SIGNED_HELP}")
    return durations.parse(value, signed=True)


def _shown(value: Any) -> str:
    """A value as an error message shows it: short, whatever the file held."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


_SERIALISED = PlainSerializer(durations.format, return_type=str, when_used="json")
Duration = Annotated[int, BeforeValidator(_duration), _SERIALISED,
                     WithJsonSchema({"type": "string", "pattern": r"^(\d+[wdhms])+$",
                                     "examples": ["45s", "90m", "200d", "1h30m"]})]
Offset = Annotated[int, BeforeValidator(_offset), _SERIALISED,
                   WithJsonSchema({"type": "string", "pattern": r"^-?(\d+[wdhms])+$", "examples": ["-200d", "10m"]})]
"""A duration that may be negative: only a clock's offset (set_clock)."""

class Span(BaseModel):
    """A duration an explorer may vary: any value from `min` to `max`; plain runs use `default` (else `min`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    min: Duration
    max: Duration
    default: Optional[Duration] = None

    @model_validator(mode="after")
    def _ordered(self) -> "Span":
        if self.min > self.max:
            raise ValueError(f"min {durations.format(self.min)} is more than max {durations.format(self.max)}")
        if self.default is not None and not self.min <= self.default <= self.max:
            raise ValueError(f"default {durations.format(self.default)} is outside "
                             f"{durations.format(self.min)}..{durations.format(self.max)}")
        return self

    @property
    def value(self) -> int:
        return self.min if self.default is None else self.default

    def __str__(self) -> str:
        return f"{durations.format(self.min)}..{durations.format(self.max)}"


class OffsetSpan(Span):
    """A span of clock offsets, which may be negative."""

    min: Offset
    max: Offset
    default: Optional[Offset] = None


def _span_or_value(value: Any) -> str:
    return "span" if isinstance(value, (dict, Span)) else "value"


# A duration, or a range of them that the explorer varies (plain runs take the default): a mapping is a span, so a
# mistake in one is reported as the span's, not twice.
Varying = Annotated[Union[Annotated[Duration, Tag("value")], Annotated[Span, Tag("span")]],
                    Discriminator(_span_or_value)]
VaryingOffset = Annotated[Union[Annotated[Offset, Tag("value")], Annotated[OffsetSpan, Tag("span")]],
                          Discriminator(_span_or_value)]

_NETBIOS = re.compile(r"[A-Za-z0-9-]{1,15}")
_USER = re.compile(r"[A-Za-z0-9._-]{1,20}")


def _netbios(value: str) -> str:
    if not _NETBIOS.fullmatch(value):
        raise ValueError(f"{value!r} is not a NetBIOS computer name: 1-15 letters, digits or '-'")
    return value.upper()


def _username(value: str) -> str:
    if not _USER.fullmatch(value):
        raise ValueError(f"{value!r} is not a user name: 1-20 letters, digits, '.', '_' or '-'")
    return value


ComputerName = Annotated[str, AfterValidator(_netbios)]
UserName = Annotated[str, AfterValidator(_username)]
Password = Literal["current", "previous"]
Credential = Literal["domain_admin", "none", "user"]   # `user`: a plain domain user's (not an admin's)
Console = Literal["powered", "admin"]
"""What a step at a computer's console needs: the computer switched on; or that and a signed-in administrator."""
JoinCredential = Literal["domain_admin", "joiner", "none"]   # `joiner`: the lab's delegated joining account (SC-7)


class Args(Strict):
    """Arguments of one verb."""


# Probe arguments that state what to expect rather than what to do; the engine checks them, backends never see them.
EXPECTATION_FIELDS = ("expect", "hidden_adapters")


@dataclass(frozen=True)
class Verb:
    """A verb and every fact about it that the catalogue, the engine, the backends, conformance, the console and
    the views rely on, declared once here rather than in name sets where they are used."""

    name: str
    family: Family
    args: type[Args]
    models: tuple[str, ...]
    at_dc: bool = False              # `computer` may name the DC, not only a workstation
    console: Optional[Console] = None   # done at the computer's console: `powered` needs it switched on, `admin`
                                        # also a signed-in administrator; every backend refuses it otherwise
    ends_session: bool = False       # whoever was signed in at the console is signed out by it
    boots: bool = False              # the computer starts up during it (its clock may take the DC's time)
    remediation_only: bool = False   # belongs in a remediation's steps, never in a scenario
    runs_checks: bool = False        # the engine does it by running the remediation's checks; no backend sees it
    observed: bool = False           # what it shows is an observation conformance compares (probes, admin tools)
    directory: bool = False          # done in the directory at the DC; `computer` names the account it changes
    renames: Optional[str] = None    # the argument that gives the computer a new name; later steps use that name

    @property
    def doc(self) -> str:
        return inspect.getdoc(self.args) or ""

    def computers(self, lab) -> list[str]:
        """The computers of `lab` that its `computer` may name."""
        return lab.computers if self.at_dc else lab.workstations


VERBS: dict[str, Verb] = {}


def verb(name: str, family: Family, *models: str, **facts: Any):
    def register(cls: type[Args]) -> type[Args]:
        facts.setdefault("observed", family is Family.PROBE)
        VERBS[name] = Verb(name, family, cls, models, **facts)
        return cls
    return register


class OnComputer(Args):
    computer: Optional[ComputerName] = Field(None, description="defaults to the scenario's affected computer")


class ForUser(OnComputer):
    user: Optional[UserName] = Field(None, description="defaults to the scenario's affected user")


# --- events: what happens to the world ---------------------------------------------------------------------------

@verb("join", Family.EVENT, "SC-7", console="powered", boots=True)
class Join(OnComputer):
    """Join the computer to the domain, creating its computer account (or reusing one, SC-7), as the lab's `joiner`
    when it has one, else as the domain admin."""


@verb("change_password", Family.EVENT, "LG-5", "TM-5", directory=True)
class ChangePassword(ForUser):
    """The user's password changes: on another PC or by an admin on the DC (`where: other_computer|dc`), or at
    this computer's Ctrl+Alt+Del / expired-password prompt (`this_computer`, which needs the DC in reach)."""
    where: Literal["other_computer", "dc", "this_computer"] = "other_computer"


@verb("force_password_change", Family.EVENT, "LG-6", directory=True)
class ForcePasswordChange(Args):
    """ADUC "User must change password at next logon" (pwdLastSet = 0)."""
    user: Optional[UserName] = Field(None, description="defaults to the scenario's affected user")


@verb("advance_time", Family.EVENT, "TM-1", "TM-2", "MP-1")
class AdvanceTime(Args):
    """Let time pass for the whole lab; timers (scavenger, GP refresh, time sync) fire on the way."""
    by: Varying


@verb("set_clock", Family.EVENT, "LG-8", "MP-8", at_dc=True)
class SetClock(OnComputer):
    """Move one computer's clock by an offset (a flat CMOS battery, a wrong manual setting); the only duration that
    may be negative."""
    offset: VaryingOffset


@verb("power_off", Family.EVENT, at_dc=True, ends_session=True)
class PowerOff(OnComputer):
    """Shut the computer down (the loaner goes into the drawer). The DC can be powered off too."""


@verb("power_on", Family.EVENT, at_dc=True, ends_session=True, boots=True)
class PowerOn(OnComputer):
    """Start the computer; at boot it takes its DC's time, sets up the secure channel and applies Group Policy."""


@verb("unplug", Family.EVENT, "LG-2", at_dc=True)
class Unplug(OnComputer):
    """Pull the network cable."""


@verb("plug", Family.EVENT, "LG-2", at_dc=True)
class Plug(OnComputer):
    """Plug the network cable back in."""


@verb("cable_flap", Family.EVENT, "LG-2")
class CableFlap(OnComputer):
    """The link drops and comes back (a loose cable, a switch restart); nothing happens while unplugged."""


@verb("replace_nic", Family.EVENT, "NW-1")
class ReplaceNic(OnComputer):
    """A hardware or driver change re-enumerates the NIC: a new adapter appears, the old one stays hidden with its
    static TCP/IP settings (the feature update in the seed story)."""


@verb("snapshot", Family.EVENT, "MP-6")
class Snapshot(OnComputer):
    """Save the computer's whole state (a VM snapshot, a disk image)."""
    name: str = "snap"


@verb("restore_snapshot", Family.EVENT, "MP-6", ends_session=True, boots=True)
class RestoreSnapshot(OnComputer):
    """Revert the computer to a saved state and boot it from there."""
    name: str = "snap"


@verb("rotate_machine_password", Family.EVENT, "MP-1", "MP-9", console="powered")
class RotateMachinePassword(OnComputer):
    """The member changes its machine password now, as the scavenger would (`nltest /sc_change_pwd`)."""


@verb("reset_computer_account", Family.EVENT, "MP-7", directory=True)
class ResetComputerAccount(OnComputer):
    """ADUC "Reset Account" on the DC: the account gets a password the computer does not know."""


@verb("delete_computer_account", Family.EVENT, "MP-7", "LG-1", directory=True)
class DeleteComputerAccount(OnComputer):
    """Delete the computer object in AD."""


@verb("disable_computer_account", Family.EVENT, "MP-7", directory=True)
class DisableComputerAccount(OnComputer):
    """Disable the computer object in AD."""


@verb("enable_computer_account", Family.ADMIN, "MP-7", directory=True)
class EnableComputerAccount(OnComputer):
    """An admin enables the computer object again in ADUC (done at the DC, not at the workstation)."""


@verb("join_duplicate", Family.EVENT, "MP-7", directory=True)
class JoinDuplicate(OnComputer):
    """Another machine is joined with the same name and takes over the computer account."""


@verb("set_policy", Family.EVENT, "TM-2", "TM-5", "LG-3", "MP-1", "MP-2", directory=True)
class SetPolicy(Args):
    """Change domain policy on the DC. Password age applies at once; computer settings reach a member at its next
    boot or Group Policy refresh (TM-2)."""
    max_password_age: Optional[Duration] = None
    cached_logons_count: Optional[int] = Field(None, ge=0, le=50)
    machine_password_age: Optional[Duration] = None
    disable_password_change: Optional[bool] = None


# --- admin operations: what a technician does --------------------------------------------------------------------

@verb("local_admin_logon", Family.ADMIN, console="powered")
class LocalAdminLogon(OnComputer):
    """Sign in as the local Administrator (`.\\Administrator`); needs no domain. Admin operations need a session."""


@verb("show_hidden_devices", Family.ADMIN, "NW-3", console="admin")
class ShowHiddenDevices(OnComputer):
    """`set devmgr_show_nonpresent_devices=1`, `start devmgmt.msc`, View > Show hidden devices."""


@verb("remove_ghost_adapters", Family.ADMIN, "NW-3", console="admin")
class RemoveGhostAdapters(OnComputer):
    """Uninstall every dimmed (non-present) network adapter, freeing its TCP/IP settings."""


@verb("reinstall_adapter", Family.ADMIN, "NW-4", console="admin")
class ReinstallAdapter(OnComputer):
    """Uninstall the present adapter without deleting its driver; it comes back fresh at the next reboot."""


IPV4 = r"^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}(/([0-9]|[12]\d|3[0-2]))?$"


@verb("configure_ip", Family.ADMIN, "NW-2", console="admin")
class ConfigureIp(OnComputer):
    """Enter a static address on the present adapter: `address` (`10.0.0.50` or `10.0.0.50/24`; default the lab's
    own address for the computer, /24). A wrong address stays wrong: the computer then reaches its DC only if the
    address is on the DC's subnet and no other machine's. When a hidden adapter holds the address, Windows warns:
    `cancel` answers Yes (back to the dialog, nothing applied), `apply` answers No."""
    on_conflict: Literal["cancel", "apply"] = "cancel"
    address: Optional[str] = Field(None, pattern=IPV4, description="the address typed; default the lab's address")
    left_out_unset: ClassVar[tuple[str, ...]] = ("address",)


@verb("verify_secure_channel", Family.ADMIN, "SC-1", "SC-2", observed=True, console="admin")
class VerifySecureChannel(OnComputer):
    """`nltest /sc_verify:DOMAIN` from an admin prompt; records its output."""


@verb("repair_secure_channel", Family.ADMIN, "SC-4", "MP-9", console="admin")
class RepairSecureChannel(OnComputer):
    """`Test-ComputerSecureChannel -Repair [-Credential]`. Without a credential (`none`) it binds as the session's
    user; `user`: with a plain domain user's credential, which has no right to reset the computer account (SC-4)."""
    credential: Credential = "domain_admin"


@verb("reset_machine_password", Family.ADMIN, "SC-5", "MP-9", console="admin")
class ResetMachinePassword(OnComputer):
    """`Reset-ComputerMachinePassword -Credential` or `netdom resetpwd /s:DC /ud:DOMAIN\\admin /pd:*` (`user`: a
    plain domain user's credential, which has no right to reset the computer account)."""
    credential: Credential = "domain_admin"
    tool: Literal["powershell", "netdom"] = "powershell"


@verb("rejoin_domain", Family.ADMIN, "SC-7", renames="new_name", console="admin", ends_session=True)
class RejoinDomain(OnComputer):
    """Remove-Computer to a workgroup, reboot, Add-Computer, reboot. `new_name` joins under a new computer name;
    `credential: joiner` joins with the lab's delegated joining account."""
    credential: JoinCredential = "domain_admin"
    new_name: Optional[ComputerName] = None


@verb("reset_secure_channel", Family.ADMIN, "SC-6", "MP-4", console="admin")
class ResetSecureChannel(OnComputer):
    """`nltest /sc_reset:DOMAIN`: drop the established secure channel and set it up anew now (SC-6)."""


@verb("delete_profile", Family.ADMIN, console="admin")
class DeleteProfile(ForUser):
    """Delete the user's profile (System Properties > User Profiles). Cached logon verifiers are not in it."""


@verb("lock_unlock", Family.ADMIN, "LG-4", observed=True, console="powered")
class LockUnlock(ForUser):
    """The signed-in user locks the screen and unlocks it with a password; a reachable DC checks it (LG-4)."""
    password: Password = "current"


@verb("sign_out", Family.ADMIN, console="powered", ends_session=True)
class SignOut(OnComputer):
    """Whoever is signed in at the console signs out (Start > Sign out, `logoff`); the sign-in screen shows."""


@verb("read_clock", Family.ADMIN, "LG-8", "TM-3", console="powered")
class ReadClock(OnComputer):
    """Read the computer's clock against the DC's (`time`, `Get-Date`, `w32tm /query /status`); changes nothing."""


@verb("refresh_policy", Family.ADMIN, "TM-2", console="powered")
class RefreshPolicy(OnComputer):
    """`gpupdate /force`: computer Group Policy now, as at boot and at each refresh (TM-2); it needs the DC and the
    computer's secure channel."""


@verb("sync_time", Family.ADMIN, "LG-8", console="admin")
class SyncTime(OnComputer):
    """`w32tm /resync`: take the DC's time now."""


@verb("wait", Family.ADMIN)
class Wait(Args):
    """The technician waits; the lab's timers run meanwhile."""
    for_: Varying = Field(alias="for")


@verb("stop_if_fixed", Family.ADMIN, remediation_only=True, runs_checks=True)
class StopIfFixed(Args):
    """The technician checks whether it works now (the remediation's `verify` probes) and stops the procedure if
    it does: the "if that did not help, go on" of a checklist."""


@verb("reboot", Family.ADMIN, "SC-6", "NW-4", "LG-8", "TM-2", console="powered", ends_session=True, boots=True)
class Reboot(OnComputer):
    """Restart the computer: sessions end, the secure channel is set up anew."""


# --- probes: observations with a typed outcome --------------------------------------------------------------------

@verb("logon", Family.PROBE, "LG-1", "LG-2", "LG-4", "LG-5", "LG-6", "LG-8", console="powered")
class Logon(ForUser):
    """An interactive logon at the console: SUCCESS, SUCCESS_CACHED, TRUST_FAILURE, WRONG_PASSWORD, ..."""
    password: Password = "current"
    expect: Optional[Outcome] = None


@verb("secure_channel", Family.PROBE, "SC-1", "SC-2", "MP-4", "MP-5")
class SecureChannel(OnComputer):
    """The harness checks the secure channel as `nltest /sc_verify` would: OK, BROKEN, NO_TRUST_ACCOUNT, ..."""
    expect: Optional[ChannelStatus] = None


@verb("computer_account", Family.PROBE, "MP-7")
class ComputerAccountProbe(OnComputer):
    """What the DC shows of the computer's object, as `Get-ADComputer NAME -Properties Enabled, PasswordLastSet`
    does: PRESENT, DISABLED or MISSING, and (`details.password_age`) how long ago its password was last set."""
    expect: Optional[AccountState] = None


@verb("network", Family.PROBE, "NW-1", "NW-2")
class Network(OnComputer):
    """Can the computer reach its DC? UP, UNPLUGGED, NO_ADDRESS, ... and, optionally, how many hidden adapters."""
    expect: Optional[NetworkStatus] = None
    hidden_adapters: Optional[int] = Field(None, ge=0)


# --- the step types ------------------------------------------------------------------------------------------------

class StepBase(Strict):
    """One step: a one-key mapping from its verb to its arguments."""

    @model_validator(mode="before")
    @classmethod
    def _empty_args(cls, data: Any) -> Any:
        if isinstance(data, dict) and len(data) == 1:
            (key, value), = data.items()
            if value is None:
                return {key: {}}
        return data

    @property
    def verb(self) -> str:
        return self.__class__.verb_name

    @property
    def args(self) -> Args:
        return getattr(self, self.__class__.verb_name)

    @property
    def family(self) -> Optional[Family]:
        verb = VERBS.get(self.__class__.verb_name)
        return verb.family if verb else None

    def __str__(self) -> str:
        if isinstance(self.args, list) or isinstance(self.args, StepBase):
            inner = self.args if isinstance(self.args, list) else [self.args]
            return f"{self.verb}: [{'; '.join(str(s) for s in inner)}]"
        shown = self.args.model_dump(mode="json", by_alias=True, exclude_none=True, exclude_defaults=True)
        for name, info in type(self.args).model_fields.items():
            if isinstance(getattr(self.args, name), Span):
                shown[info.alias or name] = str(getattr(self.args, name))
        inner = ", ".join(f"{k}: {v}" for k, v in shown.items())
        return f"{self.verb}: {{{inner}}}"


def _verb_of(value: Any) -> Optional[str]:
    if isinstance(value, StepBase):
        return value.verb
    if isinstance(value, dict) and len(value) == 1:
        return str(next(iter(value)))
    return None


def _step_model(name: str, args: type[Args], suffix: str) -> type[StepBase]:
    pascal = "".join(part.title() for part in name.split("_"))
    model = create_model(f"{pascal}{suffix}", __base__=StepBase, **{name: (args, ...)})
    model.verb_name = name
    return model


def _expectation_args(args: type[Args]) -> type[Args]:
    """The probe's arguments with `expect` required: in symptoms and verify a probe must say what it expects."""
    kind = args.model_fields["expect"].annotation.__args__[0]
    return create_model(f"Expected{args.__name__}", __base__=args, __doc__=args.__doc__, expect=(kind, ...))


STEP_MODELS = {name: _step_model(name, v.args, "Step") for name, v in VERBS.items()}


class AnyOrderStep(StepBase):
    """Steps whose order may change: plain runs keep the written order, the explorer permutes them."""
    any_order: list["Step"] = Field(min_length=2)


class MaybeStep(StepBase):
    """A step that may or may not happen: plain runs do it, the explorer also tries without it."""
    maybe: "Step"


AnyOrderStep.verb_name, MaybeStep.verb_name = "any_order", "maybe"
STRUCTURE = {"any_order": AnyOrderStep, "maybe": MaybeStep}
EXPECTATION_MODELS = {name: _step_model(name, _expectation_args(v.args), "Expectation")
                      for name, v in VERBS.items() if v.family is Family.PROBE}

Step = Annotated[Union[tuple(Annotated[m, Tag(n)] for n, m in {**STEP_MODELS, **STRUCTURE}.items())],
                 Discriminator(_verb_of)]
Expectation = Annotated[Union[tuple(Annotated[m, Tag(n)] for n, m in EXPECTATION_MODELS.items())],
                        Discriminator(_verb_of)]

AnyOrderStep.model_rebuild()
MaybeStep.model_rebuild()


def flatten(steps: list) -> list:
    """The steps a plain run does: structure unwrapped, written order kept, `maybe` steps included."""
    out = []
    for step in steps:
        if isinstance(step, AnyOrderStep):
            out += flatten(step.any_order)
        elif isinstance(step, MaybeStep):
            out += flatten([step.maybe])
        else:
            out.append(step)
    return out
