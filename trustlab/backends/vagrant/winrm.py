"""Running commands on a lab machine over WinRM (pywinrm), with what pywinrm leaves out: a wall-clock deadline on
every call, UTF-8 output (code page 65001), and NTLM with message encryption unless plain Basic over HTTP is
explicitly allowed. Each call goes through the WS-Management shell life cycle: Create, Command, Receive (until done
or the deadline), Signal (terminate) and Delete."""
from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass, field

import requests
from winrm.exceptions import WinRMOperationTimeoutError
from winrm.protocol import Protocol

from trustlab.backends.command import Result
from trustlab.backends.vagrant import failure, powershell

UTF8 = 65001


class WinRMDeadline(TimeoutError):
    """A command ran past its wall-clock deadline; it was terminated and its shell deleted."""


class WinRMFailed(RuntimeError):
    """A script ended with an error instead of an answer."""


@dataclass(frozen=True)
class Endpoint:
    host: str
    port: int
    username: str
    password: str = field(repr=False)
    transport: str = "ntlm"           # ntlm (encrypted) or basic (only with allow_basic)
    allow_basic: bool = False

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/wsman"


class Client:
    def __init__(self, endpoint: Endpoint, operation_timeout: int = 20):
        if endpoint.transport == "basic" and not endpoint.allow_basic:
            raise ValueError("plain Basic over HTTP sends the password readable on the wire; it is used only when "
                             "explicitly allowed (TRUSTLAB_WINRM_ALLOW_BASIC=1)")
        if endpoint.transport not in ("ntlm", "basic"):
            raise ValueError(f"unknown WinRM transport {endpoint.transport!r}; allowed: ntlm, basic")
        self.endpoint = endpoint
        self.operation_timeout = operation_timeout
        self.staged: set[str] = set()
        self.protocol = Protocol(
            endpoint.url, transport="plaintext" if endpoint.transport == "basic" else "ntlm",
            username=endpoint.username, password=endpoint.password,
            message_encryption="never" if endpoint.transport == "basic" else "always",
            operation_timeout_sec=operation_timeout, read_timeout_sec=operation_timeout + 10,
            proxy=None,                 # lab traffic goes straight to the lab, never through a proxy
            ca_trust_path=None)         # HTTP with message encryption: no TLS, so no CA bundle from the environment

    def run(self, command: str, deadline: float = 300) -> Result:
        """Run one command line; terminate it and raise WinRMDeadline if it is not done within `deadline` s."""
        stop = time.monotonic() + deadline
        shell = self._again(self.protocol.open_shell, codepage=UTF8, noprofile=True)
        try:
            command_id = self.protocol.run_command(shell, command)      # never sent twice: it could run twice
            out, err, code = [], [], -1
            try:
                while True:
                    if time.monotonic() > stop:
                        raise WinRMDeadline(f"the command ran longer than {deadline:g} s and was terminated")
                    try:
                        stdout, stderr, code, done = self._again(self.protocol.get_command_output_raw, shell,
                                                                 command_id)
                    except WinRMOperationTimeoutError:
                        continue            # nothing new within the operation timeout: ask again until the deadline
                    out.append(stdout)
                    err.append(stderr)
                    if done:
                        break
            finally:
                self._again(self.protocol.cleanup_command, shell, command_id)
            return Result(code, b"".join(out).decode("utf-8", "replace"), b"".join(err).decode("utf-8", "replace"))
        finally:
            self._again(self.protocol.close_shell, shell, close_session=False)

    def close(self) -> None:
        """End the authenticated connection; the shells were deleted call by call."""
        self.protocol.transport.close_session()

    def forget_staged(self) -> None:
        """The machine's disk went back to a snapshot: scripts staged since then are gone from it. Which staged
        files it still has is asked in one call; any other is staged again before its script runs."""
        self.staged.clear()
        files = [s.path for s in powershell.staged_files()]
        listed = self.run(powershell.present_command(files), 120).stdout.split()
        self.staged.update(path for path in listed if path in files)

    def stage_all(self) -> None:
        """Put every long shipped script on the machine now (before a golden snapshot, so that runs find them)."""
        for staged in powershell.staged_files():
            if staged.path not in self.staged:
                self._stage(staged, "staging")

    def _stage(self, staged: "powershell.Staged", name: str, deadline: float = 300) -> None:
        if self.run(staged.check, deadline).stdout.strip() != "present":
            for command in staged.commands:
                self._checked(self.run(command, deadline), f"staging {name}")
        self.staged.add(staged.path)

    def _again(self, call, *args, **kwargs):
        """Keep one authenticated connection for all calls, and when it drops, send a call that is safe to repeat
        once more on a new one. requests_ntlm would re-send the message sealed for the old connection, which the
        server must refuse; a fresh session seals it anew."""
        try:
            return call(*args, **kwargs)
        except requests.exceptions.ConnectionError:
            self.protocol.transport.close_session()
            return call(*args, **kwargs)

    def script(self, name: str, params: dict, deadline: float = 300) -> dict:
        """Run a shipped script with `params` as data and return its JSON answer."""
        call = powershell.invocation(name, params)
        for staged in call.staged:
            if staged.path not in self.staged:
                self._stage(staged, name, deadline)
        out = self.run(call.command, deadline)
        try:
            answer = powershell.answer(out.stdout)
        except ValueError:
            failure.script(name, params, f"exit {out.rc}: {_last(out.stderr or out.stdout)}")
            raise WinRMFailed(f"{name}: exit {out.rc}: {_last(out.stderr or out.stdout)}") from None
        failure.script(name, params, answer)
        return answer

    @staticmethod
    def _checked(out: Result, what: str) -> None:
        if out.failed:
            raise WinRMFailed(f"{what}: exit {out.rc}: {_last(out.stderr or out.stdout)}")


def _last(text: str, lines: int = 3) -> str:
    """The end of what a failing command said; PowerShell's CLIXML error stream reduced to its messages."""
    if text.startswith("#< CLIXML"):
        text = "\n".join(m.replace("_x000D__x000A_", "") for m in re.findall(r'<S S="Error">(.*?)</S>', text))
    kept = [line for line in text.splitlines() if line.strip()]
    return " / ".join(kept[-lines:]) or "no output"


def endpoint_from_env(host: str, port: int, username: str, password: str) -> Endpoint:
    basic = os.environ.get("TRUSTLAB_WINRM_ALLOW_BASIC") == "1" and os.environ.get("TRUSTLAB_WINRM_TRANSPORT") == "basic"
    return Endpoint(host, port, username, password, "basic" if basic else "ntlm", allow_basic=basic)
