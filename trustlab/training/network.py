"""The console's network commands: ipconfig, ping and the PnP listings as Windows prints them, `ipconfig /renew`,
and entering an address (NW-2, NW-5), with Windows' duplicate-address question (KB269155). A part of the Console."""
from __future__ import annotations

import ipaddress

from trustlab.engine.backend import StepResult
from trustlab.specs.commands import Parsed, prefix_of
from trustlab.training.screens import Prompt, duplicate_warning, ipconfig_lines, mark, say


class NetworkCommands:
    """What the Console does for the network commands (it supplies session, lab, computer, lang, pending)."""

    def _network(self, screen: str, parsed: Parsed, result: StepResult) -> list[str]:
        adapters = result.details.get("adapters", [])
        outcome = result.outcome
        if screen == "ping":
            key = "ping_ok" if outcome == "UP" else "ping_fail"
            return [mark(key, self.lang, host=parsed.params["target"], outcome=outcome)]
        if screen in ("ipconfig", "ipconfig_all"):
            return ipconfig_lines(adapters, outcome, self.computer, self.lab.realm, screen == "ipconfig_all")
        if screen == "ipconfig_renew":
            return self._renew(adapters, outcome)
        if screen == "pnpdevice":
            lines = ["", "Status     Class           FriendlyName", "------     -----           ------------"]
            lines += [f"{'OK' if a['present'] else 'Unknown':<11}{'Net':<16}{a['name']}" for a in adapters]
            return lines + ["", mark("pnp_note", self.lang)]
        shown = [a for a in adapters if not a["present"]] if screen == "pnputil_disconnected" else adapters
        lines = ["Microsoft PnP Utility", ""]
        for a in shown:
            lines += [f"Instance ID:                {a['name']}", f"Device Description:         {a['name']}",
                      "Class Name:                 Net",
                      f"Status:                     {'Started' if a['present'] else 'Disconnected'}", ""]
        if not shown:
            lines.append(say("pnputil_none", self.lang))
        return lines + [mark("pnputil_note", self.lang)]

    def _renew(self, adapters: list[dict], outcome: str) -> list[str]:
        """`ipconfig /renew`: DHCP adapters ask the DHCP server again; static ones are not in a state for it."""
        dhcp = [a for a in adapters if a["present"] and a["ipv4"] == "DHCP"]
        if not dhcp:
            return ["", "Windows IP Configuration", "",
                    "The operation failed as no adapter is in the state permissible for this operation."]
        if outcome == "UNPLUGGED":
            return ["", "Windows IP Configuration", "",
                    f"No operation can be performed on {dhcp[0]['name']} while it has its media disconnected."]
        if not dhcp[0].get("leased"):
            return ["", "Windows IP Configuration", "",
                    f"An error occurred while renewing interface {dhcp[0]['name']} : unable to contact your DHCP "
                    f"server. Request has timed out."]
        return ipconfig_lines(adapters, outcome, self.computer, self.lab.realm)

    def _flushdns(self, parsed: Parsed, line: str) -> list[str]:
        self.session.note(line, "the DNS client cache flushed (the model has no DNS cache)")
        return ["", "Windows IP Configuration", "", "Successfully flushed the DNS Resolver Cache."]


    def _adapters(self) -> list[dict]:
        return self.session.look("network").details.get("adapters", [])

    def _configure_ip(self, parsed: Parsed, line: str) -> list[str]:
        """NW-2, NW-5: the address typed is the address entered; a wrong one stays wrong. Windows' duplicate-address
        dialog (KB269155) asks each time a hidden adapter holds the address."""
        params = parsed.params
        ip = params.get("ip") or params.get("ipaddress", "")
        name = params.get("adapter") or params.get("interfacealias", "")
        if "mask" in params:
            prefix = prefix_of(params["mask"]) if params["mask"] else 24
            if prefix is None:
                return [f"Invalid mask parameter ({params['mask']})."]
        else:
            prefix = int(params["prefixlength"]) if params.get("prefixlength", "").isdigit() else 24
        try:
            ipaddress.IPv4Address(ip)
        except ValueError:
            return [f"Invalid address parameter ({ip}). It should be a valid IPv4 address."]
        adapters = self._adapters()
        present = [a["name"] for a in adapters if a["present"]]
        if name.lower() not in (p.lower() for p in present):
            return [mark("no_adapter", self.lang, name=name, present=", ".join(present) or "-")]
        address = {"address": f"{ip}/{prefix}"}
        clash = next((a for a in adapters if not a["present"] and a["ipv4"] == ip), None)
        if clash is None:
            return self._show(parsed, self._do("configure_ip", address, line))
        warning = duplicate_warning(self.lang, ip, clash["name"])

        def answer(reply: str) -> list[str]:
            if reply.lower() in ("yes", "y", "はい"):
                result = self._do("configure_ip", {"on_conflict": "cancel", **address}, f"{line} (Yes)")
                return self._refused(result) or [mark("conflict_yes", self.lang)]
            if reply.lower() in ("no", "n", "いいえ"):
                result = self._do("configure_ip", {"on_conflict": "apply", **address}, f"{line} (No)")
                return self._refused(result) or [o for o in result.output if not o.startswith("The IP address")]
            self.pending = Prompt(say("conflict_prompt", self.lang), answer)
            return [mark("yes_or_no", self.lang)]
        self.pending = Prompt(say("conflict_prompt", self.lang), answer)
        return [warning]
