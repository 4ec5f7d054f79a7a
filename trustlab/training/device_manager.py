"""Device Manager at the console (NW-3, NW-4): the adapters it lists, View > Show hidden devices (with the
variable where the profile says Windows needs it), uninstalling a device with its driver kept or deleted, and
pnputil /remove-device. A part of the Console."""
from __future__ import annotations

from typing import Optional

from trustlab.engine.backend import FAILED
from trustlab.specs import commands
from trustlab.specs.commands import Parsed
from trustlab.training.screens import DESKTOP, DEVMGMT, Prompt, mark, say


class DeviceManager:
    """What the Console does in Device Manager (it supplies session, computer, lang, screen, env, pending)."""

    def _remove_device(self, parsed: Parsed, line: str) -> list[str]:
        device = parsed.params["device"]
        adapters = self._adapters()
        match = next((a for a in adapters if a["name"].lower() == device.lower()), None)
        if match is None:
            return [mark("no_device", self.lang, device=device, names=", ".join(a["name"] for a in adapters))]
        return self._uninstalled(match, line)

    def _uninstalled(self, match: dict, line: str) -> list[str]:
        """Uninstall a device with its driver kept (NW-3: a dimmed one, NW-4: the present one), in the console's
        words."""
        verb = "reinstall_adapter" if match["present"] else "remove_ghost_adapters"
        before = {a["name"] for a in self._adapters()}
        result = self._do(verb, {}, line)
        refused = self._refused(result)
        if refused is not None or result.status == FAILED:
            return refused or result.output
        gone = sorted(before - {a["name"] for a in self._adapters()})
        if match["present"]:
            return [mark("uninstalled_kept", self.lang, name=name) for name in gone]
        return [mark("uninstalled", self.lang, name=name) for name in gone]


    def _devmgmt_open(self) -> list[str]:
        lines = [say("devmgmt_title", self.lang, computer=self.computer), say("devmgmt_group", self.lang)]
        for a in self._adapters():
            if a["present"]:
                lines.append(f"    {a['name']}")
            elif self.show_hidden:
                lines.append(say("devmgmt_hidden", self.lang, name=a["name"]))
        return lines

    def _devmgmt(self, parsed_or_line, line: Optional[str] = None) -> list[str]:
        if isinstance(parsed_or_line, Parsed):               # `start devmgmt.msc` at a prompt
            self.screen, self.show_hidden = DEVMGMT, False
            self.devmgmt_env = self.env.get("devmgr_show_nonpresent_devices") == "1"   # NW-3: the same prompt
            self.session.note(line, "Device Manager opened")
            return self._devmgmt_open() + [mark("devmgmt_help", self.lang)]
        typed = parsed_or_line.strip()
        words = commands.tokens(typed)
        verb = words[0].lower() if words else ""
        if typed.lower() in ("close", "exit"):
            self.screen = DESKTOP
            self.session.note(typed, "Device Manager closed")
            return []
        if typed.lower() in ("view hidden", "view > show hidden devices"):
            if self.session.profile.hidden_devices_need_variable and not self.devmgmt_env:
                # NW-3 on Windows 7 and earlier: nothing dimmed shows, as Windows shows it; the why is a hint's
                self.session.note(typed, "View > Show hidden devices, without the variable: nothing dimmed shows")
                return self._devmgmt_open()
            result = self._do("show_hidden_devices", {}, f"{typed} (Device Manager: View > Show hidden devices)")
            refused = self._refused(result)
            if refused is not None or result.status == FAILED:
                return refused or result.output
            self.show_hidden = True
            return self._devmgmt_open()
        if verb == "uninstall" and len(words) == 2:
            return self._uninstall(words[1], typed)
        return [mark("devmgmt_commands", self.lang)]

    def _uninstall(self, name: str, typed: str) -> list[str]:
        adapters = self._adapters()
        visible = [a for a in adapters if a["present"] or self.show_hidden]
        match = next((a for a in visible if a["name"].lower() == name.lower()), None)
        if match is None:
            return [mark("no_device", self.lang, device=name, names=", ".join(a["name"] for a in visible))]

        def answer(reply: str) -> list[str]:
            if reply.lower() in ("yes", "y", "はい"):
                self.session.note(f"{typed} (Device Manager, delete the driver: yes)", "not modelled")
                return [mark("driver_deleted", self.lang)]
            if reply.lower() not in ("no", "n", "いいえ", ""):          # `close` is no answer: asked again
                self.pending = Prompt(say("driver_prompt", self.lang, name=match["name"]), answer)
                return [mark("yes_or_no", self.lang)]
            lines = self._uninstalled(match, f"{typed} (Device Manager, delete the driver: no)")
            return lines + self._devmgmt_open()
        self.pending = Prompt(say("driver_prompt", self.lang, name=match["name"]), answer)
        return []
