"""The console as a state machine, apart from any terminal: the screen it is at (sign-in, password, a cmd or
PowerShell prompt, Device Manager, locked, off), what it prompts, and what each line typed shows. Every step goes
to the training session, so the record has it and any backend that does the step can take it; the console never
decides an outcome itself."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

from trustlab.engine.backend import FAILED, UNSUPPORTED, StepResult
from trustlab.specs import commands
from trustlab.specs import tools as tool_texts
from trustlab.specs.commands import CMD, PS, Parsed
from trustlab.specs.outcomes import usable
from trustlab.specs.steps import VERBS
from trustlab.training.device_manager import DeviceManager
from trustlab.training.network import NetworkCommands
from trustlab.training.screens import (
    DESKTOP,
    DEVMGMT,
    LOCKED,
    MARK,
    OFF,
    SIGNIN,
    Prompt,
    mark,
    minutes,
    say,
    signed,
    span,
)
from trustlab.training.session import Grade, Session


@dataclass
class Console(NetworkCommands, DeviceManager):
    """The broken computer as the trainee types at it: the screen it is at, who is signed in, what it prompts."""

    session: Session
    lang: str = "en"
    screen: str = SIGNIN
    shell: str = CMD
    user: Optional[str] = None                 # the signed-in user, as the lab names them ("alice", "Administrator")
    env: dict[str, str] = field(default_factory=dict)
    devmgmt_env: bool = False                  # Device Manager was started from a prompt with the variable set
    show_hidden: bool = False
    pending: Optional[Prompt] = None
    cleared: bool = False

    def __post_init__(self) -> None:
        self.lab = self.session.scenario.lab
        self.computer = self.session.scenario.computer
        self._resume()

    # --- where the console is ---------------------------------------------------------------------------------

    def _resume(self) -> None:
        """Back at the screen the record leaves the machine at (the console may be opened again later)."""
        for entry in self.session.steps():
            ok, verb = entry.status == "ok", entry.verb
            if verb == "power_off" and ok and entry.args.get("computer") == self.computer:
                self.screen, self.user = OFF, None
            elif VERBS[verb].ends_session and ok:
                self.screen, self.user = SIGNIN, None
            elif verb == "logon" and usable(entry.outcome):
                self.screen, self.user = DESKTOP, entry.args["user"]
            elif verb == "local_admin_logon" and ok:
                self.screen, self.user = DESKTOP, "Administrator"

    @property
    def prompt(self) -> str:
        if self.pending:
            return self.pending.text
        if self.screen == OFF:
            return say("off_prompt", self.lang, computer=self.computer)
        if self.screen == SIGNIN:
            return say("user_prompt", self.lang)
        if self.screen == DEVMGMT:
            return say("devmgmt_prompt", self.lang)
        home = f"C:\\Users\\{self.user}"
        return f"PS {home}> " if self.shell == PS else f"{home}>"

    @property
    def secret(self) -> bool:
        return bool(self.pending and self.pending.secret)

    def words(self) -> list[str]:
        """What completion offers at this screen."""
        if self.pending:
            return []
        if self.screen == DEVMGMT:
            return ["view hidden", "uninstall", "close"]
        world = ["unplug", "plug", "wait", "power off", "power on", "check", "hint", "help"]
        if self.screen in (SIGNIN, OFF, LOCKED):
            users = [f"{self.lab.domain}\\{u}" for u in self.lab.all_users] + [".\\Administrator"]
            return users + world if self.screen == SIGNIN else world
        return sorted({u.split(" [")[0] for u in commands.usages(self.shell)} | set(world))

    def start(self) -> str:
        lines = [say("welcome", self.lang, computer=self.computer, domain=self.lab.domain),
                 mark("passwords", self.lang), "", self.session.briefing(self.lang), ""]
        if self.screen == DESKTOP:
            lines.append(mark("signed_in", self.lang, who=self._who()))
        elif self.screen == OFF:
            lines.append(mark("powered_off", self.lang, computer=self.computer))
        return "\n".join(lines)

    # --- a line typed ----------------------------------------------------------------------------------------

    def feed(self, line: str) -> str:
        self.cleared = False
        if self.pending:
            pending, self.pending = self.pending, None
            return "\n".join(pending.answer(line.strip()))
        line = line.strip()
        if not line:
            return ""
        world = commands.parse(line, "signin", self.lab)
        if world is not None and world.verb:
            return "\n".join(self._step(world, line))
        if line.lower() in ("check", "hint", "help"):
            return "\n".join(getattr(self, f"_{line.lower()}")())
        handler = {SIGNIN: self._signin, OFF: self._off, DEVMGMT: self._devmgmt, LOCKED: self._locked}.get(
            self.screen, self._desktop)
        return "\n".join(handler(line))

    def _who(self) -> str:
        if self.user == "Administrator":
            return f"{self.computer}\\Administrator"
        return f"{self.lab.domain}\\{self.user}"

    # --- steps -------------------------------------------------------------------------------------------------

    def _do(self, verb: str, args: dict[str, Any], line: str) -> StepResult:
        return self.session.do(verb, args, command=line)

    def _step(self, parsed: Parsed, line: str) -> list[str]:
        """What the technician's hands do: the cable, the power button, waiting."""
        result = self._do(parsed.verb, parsed.args, line)
        out = self._refused(result)
        if out is not None:
            return out
        if parsed.verb == "power_off":
            self.screen, self.user, self.pending = OFF, None, None
            return [mark("powered_off", self.lang, computer=self.computer)]
        if parsed.verb == "power_on":
            self.screen = SIGNIN
            return [mark("restarted", self.lang, computer=self.computer)]
        if parsed.verb == "wait":
            return result.output + [mark("waited", self.lang, span=parsed.args["for"])]
        return result.output + [mark("unplugged" if parsed.verb == "unplug" else "plugged", self.lang,
                                     computer=self.computer)]

    def _refused(self, result: StepResult) -> Optional[list[str]]:
        """What the console shows for a step the lab could not do; None when it did it."""
        if result.status == UNSUPPORTED:
            return [mark("unsupported", self.lang, why="; ".join(result.output))]
        return None

    # --- the sign-in screen ---------------------------------------------------------------------------------------

    def _off(self, line: str) -> list[str]:
        return [mark("powered_off", self.lang, computer=self.computer)]

    def _signin(self, line: str) -> list[str]:
        name = line.strip()
        domain, sep, user = name.rpartition("\\")
        if not sep and "@" in name:
            user, _, _realm = name.partition("@")
            domain = self.lab.domain
        elif not sep:
            domain, user = self.lab.domain, name
        if domain in (".", self.computer.lower(), self.computer) or domain.upper() == self.computer:
            if user.lower() != "administrator":
                return [mark("unknown_user", self.lang, users=", ".join(self.lab.all_users))]
            self.pending = Prompt(say("password_prompt", self.lang), self._local_admin, secret=True)
            return [mark("local_password", self.lang)]
        if domain.upper() != self.lab.domain:
            return [mark("other_domain", self.lang, domain=self.lab.domain)]
        if user not in self.lab.all_users:
            return [mark("unknown_user", self.lang, users=", ".join(self.lab.all_users))]
        self.pending = Prompt(say("password_prompt", self.lang), lambda pw: self._logon(user, pw, name), secret=True)
        return []

    def _local_admin(self, _password: str) -> list[str]:
        result = self.session.do("local_admin_logon", {}, command=".\\Administrator")
        if result.status != "ok":
            return self._refused(result) or result.output
        self.screen, self.user, self.shell, self.env = DESKTOP, "Administrator", CMD, {}
        return [mark("signed_in", self.lang, who=self._who())]

    def _logon(self, user: str, password: str, typed: str) -> list[str]:
        if password not in ("current", "previous"):
            self.pending = Prompt(say("password_prompt", self.lang), lambda pw: self._logon(user, pw, typed),
                                  secret=True)
            return [mark("which_password", self.lang)]
        result = self.session.do("logon", {"user": user, "password": password}, command=typed)
        refused = self._refused(result)
        if refused is not None:
            return refused
        if result.status == FAILED:
            return result.output
        lines = self._message(result)
        if usable(result.outcome):
            self.screen, self.user, self.shell, self.env = DESKTOP, user, CMD, {}
            lines.append(mark("signed_in", self.lang, who=self._who()))
        return lines

    def _message(self, result: StepResult) -> list[str]:
        """An outcome as the sign-in screen shows it: Windows' text, then the codes behind it."""
        lines = []
        if result.outcome != "SUCCESS" and result.message:
            lines.append(result.message.get(self.lang) or result.message["en"])
        if result.outcome not in ("SUCCESS", "SUCCESS_CACHED"):
            ntstatus = f"0x{result.ntstatus:08X}" if result.ntstatus is not None else ""
            lines.append(mark("code", self.lang, win32=result.win32, ntstatus=ntstatus, outcome=result.outcome))
        return lines

    def _locked(self, line: str) -> list[str]:
        return self._unlock(line)

    def _unlock(self, password: str) -> list[str]:
        if password.lower() in ("sign out", "logoff"):
            self.screen = DESKTOP
            return self._desktop("logoff")
        if password not in ("current", "previous"):
            return [mark("which_password", self.lang)]
        result = self.session.do("lock_unlock", {"user": self.user, "password": password}, command="unlock")
        refused = self._refused(result)
        if refused is not None:
            self.screen = DESKTOP
            return refused
        if result.status == FAILED:
            self.screen = DESKTOP
            return result.output
        lines = self._message(result)
        if usable(result.outcome):
            self.screen = DESKTOP
        return lines

    # --- the desktop: cmd and PowerShell ----------------------------------------------------------------------

    def _desktop(self, line: str) -> list[str]:
        parsed = commands.parse(line, self.shell, self.lab)
        name = commands.program(line)
        if parsed is None:
            return self._not_recognized(name)
        if parsed.unmodelled:
            return [mark("unmodelled", self.lang, why=parsed.unmodelled)]
        if parsed.action:
            return getattr(self, f"_{parsed.action}")(parsed, line)
        problem = self._check_params(parsed)
        if problem:
            return [problem]
        if parsed.verb == "configure_ip":
            return self._configure_ip(parsed, line)
        if parsed.args.get("credential") not in (None, "none"):
            return self._with_credential(parsed, line)
        return self._show(parsed, self._do(parsed.verb, parsed.args, line))

    def _not_recognized(self, name: str) -> list[str]:
        other = PS if self.shell == CMD else CMD
        if commands.known(name, self.shell):
            return [mark("forms", self.lang, name=name, forms="; ".join(commands.known(name, self.shell)))]
        if commands.real(name, self.shell):
            return [mark("not_modelled_here", self.lang, name=name)]
        key = "not_recognized_ps" if self.shell == PS else "not_recognized_cmd"
        lines = [say(key, self.lang, name=name)]
        if commands.known(name, other):
            lines.append(mark("ps_only" if other == PS else "cmd_only", self.lang, name=name))
        else:
            some = ", ".join(["ipconfig", "ping", "nltest", "netdom", "pnputil", "powershell", "w32tm"])
            lines.append(mark("knows", self.lang, some=some))
        return lines

    def _check_params(self, parsed: Parsed) -> Optional[str]:
        """What was typed that names the lab (its domain, its DC, the domain admin) must be the lab's."""
        params = parsed.params
        for key in ("domain", "domainname"):
            if key in params and params[key].upper() not in (self.lab.domain, self.lab.realm.upper()):
                return mark("other_domain", self.lang, domain=self.lab.domain)
        if "user" in params and params["user"] not in self.lab.users:
            return mark("unknown_user", self.lang, users=", ".join(self.lab.all_users))
        if parsed.refused:                  # the one reading of a credential, as a remediation file's (commands)
            return mark("credential_refused", self.lang, why=parsed.refused.text(self.lang))
        if parsed.screen == "ping" and params.get("target", "").split(".")[0].upper() != self.lab.dc:
            return mark("ping_other", self.lang, dc=self.lab.dc)
        return None

    def _with_credential(self, parsed: Parsed, line: str) -> list[str]:
        """-Credential and /pd:* ask for the password; the lab supplies the account's own."""
        user = f"{self.lab.domain}\\{parsed.params['account']}"
        text = say("netdom_prompt", self.lang) if parsed.verb == "reset_machine_password" and \
            parsed.args.get("tool") == "netdom" else say("credential_prompt", self.lang, user=user)

        def answer(_typed: str) -> list[str]:
            return [mark("credential_note", self.lang, user=user)] + \
                self._show(parsed, self._do(parsed.verb, parsed.args, line))
        self.pending = Prompt(text, answer, secret=True)
        return []

    def _show(self, parsed: Parsed, result: StepResult) -> list[str]:
        refused = self._refused(result)
        if refused is not None:
            return refused
        screen = parsed.screen
        if result.status == FAILED and result.output == [tool_texts.NEEDS_ADMIN.format(computer=self.computer)]:
            return [tool_texts.access_denied(screen, parsed.usage.split()[0])]
        if screen in ("ipconfig", "ipconfig_all", "ipconfig_renew", "ping", "pnpdevice", "pnputil",
                      "pnputil_disconnected"):
            return self._network(screen, parsed, result)
        if screen in ("time", "w32tm_status"):
            return self._clock(result)
        if screen == "sc_query":
            return [line for line in result.output if not line.startswith("Trust Verification")]
        if screen == "tcsc":                                    # SC-3: True or False, the text with -Verbose
            if result.outcome is None:
                return result.output
            good = result.outcome == "OK"
            state = "in good condition" if good else "broken"
            verbose = [f"VERBOSE: {tool_texts.CHANNEL_STATE.format(domain=self.lab.domain, state=state)}"]
            return (verbose if "verbose" in parsed.params else []) + [str(good)]
        if screen in ("restart", "signed_out", "rejoin") and result.status == "ok":
            self.screen, self.user, self.pending = SIGNIN, None, None
            if parsed.verb == "power_off":
                self.screen = OFF
                return [mark("powered_off", self.lang, computer=self.computer)]
            if screen == "rejoin":
                return result.output + [mark("restarted", self.lang, computer=self.computer)]
            key = "signed_out" if screen == "signed_out" else "restarted"
            return [mark(key, self.lang, computer=self.computer)]
        if screen == "quiet" and result.status == "ok":
            return result.output
        if parsed.verb == "rejoin_domain" and result.status == FAILED:
            self.screen, self.user = SIGNIN, None
            return result.output + [mark("restarted", self.lang, computer=self.computer)]
        return result.output

    def _clock(self, result: StepResult) -> list[str]:
        d = result.details
        offset = d.get("offset", 0)
        side = "ahead" if offset > 0 else "behind" if offset < 0 else "in_step"
        return [mark("clock", self.lang, computer=self.computer, dc=self.lab.dc, local=signed(d.get("local", 0)),
                     dc_time=signed(d.get("dc", 0)), skew=span(offset) if offset else "",
                     side=say(side, self.lang), max="5m").replace("  ", " ")]

    # --- console actions ---------------------------------------------------------------------------------------

    def _set_env(self, parsed: Parsed, line: str) -> list[str]:
        name, value = parsed.params.get("name", ""), parsed.params.get("value")
        if value is None:
            shown = {k: v for k, v in self.env.items() if k.lower().startswith(name.lower())}
            return [f"{k}={v}" for k, v in shown.items()] or ([f"Environment variable {name} not defined"]
                                                              if name else [])
        self.env[name.lower()] = value
        self.session.note(line, "environment variable set in this prompt")
        return []

    def _set_variable(self, parsed: Parsed, line: str) -> list[str]:
        self.session.note(line, "PowerShell: `set` is Set-Variable; no environment variable changed")
        return []

    def _powershell(self, parsed: Parsed, line: str) -> list[str]:
        self.shell = PS
        self.session.note(line, "PowerShell")
        return [say("powershell_banner", self.lang)]

    def _exit(self, parsed: Parsed, line: str) -> list[str]:
        if self.shell == PS:
            self.shell = CMD
            self.session.note(line, "back to cmd")
            return []
        self.env = {}
        self.session.note(line, "the prompt closed; a new one opened")
        return [mark("prompt_closed", self.lang)]

    def _cls(self, parsed: Parsed, line: str) -> list[str]:
        self.cleared = True
        return []

    def _whoami(self, parsed: Parsed, line: str) -> list[str]:
        return [self._who().lower()]

    def _hostname(self, parsed: Parsed, line: str) -> list[str]:
        return [self.computer]

    def _lock(self, parsed: Parsed, line: str) -> list[str]:
        self.screen = LOCKED
        self.session.note(line, "locked")
        self.pending = Prompt(say("unlock_prompt", self.lang, who=self._who()), self._unlock, secret=True)
        return [mark("locked", self.lang, computer=self.computer, who=self._who())]

    # --- trustlab's own ----------------------------------------------------------------------------------------

    def _help(self) -> list[str]:
        shell = {CMD: "cmd.exe", PS: "Windows PowerShell"}.get(self.shell)
        if self.screen in (SIGNIN, OFF, LOCKED):
            return [mark("welcome", self.lang, computer=self.computer, domain=self.lab.domain),
                    MARK + say("help_world", self.lang), MARK + say("help_trustlab", self.lang)]
        if self.screen == DEVMGMT:
            return [mark("devmgmt_commands", self.lang)]
        usages = [u for u in commands.usages(self.shell) if u.split()[0].lower() not in
                  ("unplug", "plug", "wait", "power", "check", "hint", "help")]
        return [mark("help_title", self.lang, shell=shell)] + [f"  {u}" for u in usages] + \
            [MARK + say("help_world", self.lang), MARK + say("help_trustlab", self.lang)]

    def _check(self) -> list[str]:
        return grade_lines(self.session.check(), self.lang)

    def _hint(self) -> list[str]:
        hint = self.session.hint()
        return [MARK + hint_line(hint, self.lang) if hint else mark("no_hint", self.lang)]


def grade_lines(grade: Grade, lang: str) -> list[str]:
    """A grade as `lab check` and the console's `check` show it: one line per condition, the score, the hint."""
    clock = signed(grade.lab_time)
    lines = [say("check_head", lang, passed=grade.passed, total=grade.total, percent=grade.percent,
                 minutes=minutes(grade.seconds, lang), clock=clock)]
    for c in grade.lines:
        state = say("passed" if c.passed else "not_yet", lang)
        lines.append(f"  [{state}] {c.text[lang]}" + ("" if c.passed else f" - {c.seen[lang]}"))
    lines += [MARK + say("caveat", lang, text=c[lang]) for c in grade.caveats]
    if grade.fixed:
        lines.append(say("fixed", lang))
    elif grade.hint:
        lines.append(hint_line(grade.hint, lang))
    return lines


def hint_line(hint: dict, lang: str) -> str:
    return say("hint", lang, n=hint["n"], of=hint["of"], text=hint["text"][lang])
