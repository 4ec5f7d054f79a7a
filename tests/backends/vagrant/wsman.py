"""A WS-Management endpoint on 127.0.0.1 for the tests: the shell life cycle (Create, Command, Receive, Signal,
Delete) with Basic or NTLM authentication and NTLM message encryption ([MS-WSMV] 2.2.9.1.1), chunked output,
operation timeouts and SOAP faults. It checks what trustlab sends and how it reads answers; it is not Windows.

Commands are answered by `respond(command) -> Reply`. `PowerShellSide` plays the harness's counterpart: it decodes
trustlab's bootstrap, keeps staged script files, and hands the script name and its decoded parameters to a
function of the test's."""
from __future__ import annotations

import base64
import json
import re
import struct
import threading
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Optional

import spnego
import spnego.exceptions

from trustlab.backends.vagrant import powershell

NS = {"s": "http://www.w3.org/2003/05/soap-envelope", "a": "http://schemas.xmlsoap.org/ws/2004/08/addressing",
      "w": "http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd", "rsp": "http://schemas.microsoft.com/wbem/wsman/1/windows/shell"}
ACTIONS = {"http://schemas.xmlsoap.org/ws/2004/09/transfer/Create": "Create",
           "http://schemas.xmlsoap.org/ws/2004/09/transfer/Delete": "Delete",
           "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Command": "Command",
           "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Receive": "Receive",
           "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Signal": "Signal"}
BOUNDARY = b"--Encrypted Boundary"
PROTOCOL = "application/HTTP-SPNEGO-session-encrypted"
OPERATION_TIMEOUT = 2150858793        # 0x80338029, WSMAN_OPERATION_TIMEDOUT


@dataclass
class Reply:
    """What a command prints: stdout chunks handed out one per Receive, then the exit code. `running=True` never
    finishes (each Receive ends in an operation timeout fault)."""

    chunks: list[bytes] = field(default_factory=list)
    code: int = 0
    stderr: bytes = b""
    running: bool = False
    fault: Optional[tuple[str, str]] = None        # (WSManFault code, message) answered to the Command itself


@dataclass
class Seen:
    action: str
    auth: str
    encrypted: bool
    shell: Optional[str] = None
    connection: Optional[int] = None
    command: Optional[str] = None
    codepage: Optional[str] = None
    signal: Optional[str] = None


class Endpoint:
    def __init__(self, respond: Callable[[str], Reply], users: dict[str, str], auth: str = "ntlm",
                 user_file: Optional[str] = None):
        self.respond, self.users, self.auth, self.user_file = respond, users, auth, user_file
        self.seen: list[Seen] = []
        self.handshakes = 0
        self.drop: set[str] = set()           # actions whose next request loses its connection, unanswered
        self.shells: dict[str, dict[str, Reply]] = {}
        self.lock = threading.Lock()
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body go out at once, not 40 ms apart
            context = None                  # one NTLM context per connection, as WinRM's HTTP.sys keeps it

            def log_message(self, *args) -> None:
                pass

            def do_POST(self) -> None:
                endpoint.handle(self)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    def __enter__(self) -> "Endpoint":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    # --- HTTP and authentication -----------------------------------------------------------------------------------

    def handle(self, http: BaseHTTPRequestHandler) -> None:
        body = http.rfile.read(int(http.headers.get("Content-Length", "0")))
        header = http.headers.get("Authorization", "")
        if self.auth == "basic":
            if not self._basic_ok(header):
                return self._send(http, 401, b"", {"WWW-Authenticate": 'Basic realm="WSMAN"'})
            return self._soap(http, body, "basic", encrypted=False)
        if header.startswith(("Negotiate ", "NTLM ")):
            scheme, token = header.split(" ", 1)
            if http.context is None or http.context.complete:
                http.context = spnego.server(protocol="ntlm")
            try:
                out = http.context.step(base64.b64decode(token))
            except spnego.exceptions.SpnegoError:
                http.context = None
                return self._send(http, 401, b"", {"WWW-Authenticate": "Negotiate"})
            if not http.context.complete:
                return self._send(http, 401, b"", {"WWW-Authenticate": f"{scheme} {base64.b64encode(out).decode()}"})
            self.handshakes += 1
            if not body:
                return self._send(http, 200, b"", {})
        if http.context is None or not http.context.complete:
            return self._send(http, 401, b"", {"WWW-Authenticate": "Negotiate"})
        if "multipart/encrypted" not in http.headers.get("Content-Type", ""):
            return self._send(http, 400, b"unencrypted message on an NTLM connection", {})
        self._soap(http, self._unwrap(http.context, body), "ntlm", encrypted=True, context=http.context)

    def _basic_ok(self, header: str) -> bool:
        if not header.startswith("Basic "):
            return False
        user, _, password = base64.b64decode(header[6:]).decode("utf-8").partition(":")
        return self.users.get(user) == password

    @staticmethod
    def _unwrap(context, body: bytes) -> bytes:
        parts = [p for p in body.split(BOUNDARY + b"\r\n") if p]
        header, payload = parts[0], parts[1]
        length = int(re.search(rb"Length=(\d+)", header).group(1))
        payload = payload.removesuffix(BOUNDARY + b"--\r\n").replace(b"\tContent-Type: application/octet-stream\r\n", b"")
        size = struct.unpack("<i", payload[:4])[0]
        message = context.unwrap(payload[4:4 + size] + payload[4 + size:]).data
        assert len(message) == length, "the encrypted length does not match OriginalContent"
        return message

    @staticmethod
    def _wrap(context, message: bytes) -> bytes:
        sealed = context.wrap(message).data
        signature, data = sealed[:16], sealed[16:]
        return (BOUNDARY + b"\r\n\tContent-Type: " + PROTOCOL.encode() + b"\r\n\tOriginalContent: "
                b"type=application/soap+xml;charset=UTF-8;Length=" + str(len(message)).encode() + b"\r\n"
                + BOUNDARY + b"\r\n\tContent-Type: application/octet-stream\r\n"
                + struct.pack("<i", len(signature)) + signature + data + BOUNDARY + b"--\r\n")

    def _send(self, http, status: int, body: bytes, headers: dict[str, str], context=None) -> None:
        if context is not None:
            body = self._wrap(context, body)
            headers = {**headers, "Content-Type": f'multipart/encrypted;protocol="{PROTOCOL}";boundary="Encrypted Boundary"'}
        elif body:
            headers = {**headers, "Content-Type": "application/soap+xml;charset=UTF-8"}
        http.send_response(status)
        for key, value in headers.items():
            http.send_header(key, value)
        http.send_header("Content-Length", str(len(body)))
        http.end_headers()
        http.wfile.write(body)

    # --- WS-Management ---------------------------------------------------------------------------------------------

    def _soap(self, http, message: bytes, auth: str, encrypted: bool, context=None) -> None:
        root = ET.fromstring(message)
        action = ACTIONS[root.find("s:Header/a:Action", NS).text]
        if action in self.drop:
            self.drop.discard(action)
            http.close_connection = True
            return
        selector = root.find("s:Header/w:SelectorSet/w:Selector[@Name='ShellId']", NS)
        seen = Seen(action, auth, encrypted, shell=selector.text if selector is not None else None,
                    connection=http.client_address[1])
        message_id = root.find("s:Header/a:MessageID", NS).text
        with self.lock:
            self.seen.append(seen)
        status, reply = 200, b""
        if action == "Create":
            codepage = root.find("s:Header/w:OptionSet/w:Option[@Name='WINRS_CODEPAGE']", NS)
            seen.codepage = codepage.text if codepage is not None else None
            shell = str(uuid.uuid4()).upper()
            self.shells[shell] = {}
            reply = _envelope(f'<x:ResourceCreated xmlns:x="http://schemas.xmlsoap.org/ws/2004/09/transfer">'
                              f'<a:ReferenceParameters><w:SelectorSet><w:Selector Name="ShellId">{shell}</w:Selector>'
                              f'</w:SelectorSet></a:ReferenceParameters></x:ResourceCreated>')
        elif action == "Command":
            line = root.find("s:Body/rsp:CommandLine/rsp:Command", NS).text or ""
            args = [a.text or "" for a in root.findall("s:Body/rsp:CommandLine/rsp:Arguments", NS)]
            seen.command = " ".join([line, *args]).strip()
            try:
                answer = self.respond(seen.command)
            except Exception as e:                  # a test's responder failed: say so as Windows would, a fault
                answer = Reply(fault=("2147942401", f"the test endpoint's responder failed: {e!r}"))
            if answer.fault:
                status, reply = 500, _fault(*answer.fault)
            else:
                command = str(uuid.uuid4()).upper()
                self.shells[seen.shell][command] = answer
                reply = _envelope(f"<rsp:CommandResponse><rsp:CommandId>{command}</rsp:CommandId></rsp:CommandResponse>")
        elif action == "Receive":
            command = root.find("s:Body/rsp:Receive/rsp:DesiredStream", NS).get("CommandId")
            answer = self.shells[seen.shell][command]
            if answer.running:
                status, reply = 500, _fault(str(OPERATION_TIMEOUT), "The WS-Management service cannot complete the "
                                                                    "operation within the time specified in OperationTimeout.")
            else:
                chunk = answer.chunks.pop(0) if answer.chunks else b""
                done = not answer.chunks
                streams = f'<rsp:Stream Name="stdout" CommandId="{command}">{base64.b64encode(chunk).decode()}</rsp:Stream>'
                if done and answer.stderr:
                    streams += f'<rsp:Stream Name="stderr" CommandId="{command}">{base64.b64encode(answer.stderr).decode()}</rsp:Stream>'
                state = (f'<rsp:CommandState CommandId="{command}" State="http://schemas.microsoft.com/wbem/wsman/1/'
                         f'windows/shell/CommandState/Done"><rsp:ExitCode>{answer.code}</rsp:ExitCode></rsp:CommandState>'
                         if done else
                         f'<rsp:CommandState CommandId="{command}" State="http://schemas.microsoft.com/wbem/wsman/1/'
                         f'windows/shell/CommandState/Running"/>')
                reply = _envelope(f"<rsp:ReceiveResponse>{streams}{state}</rsp:ReceiveResponse>")
        elif action == "Signal":
            seen.signal = root.find("s:Body/rsp:Signal/rsp:Code", NS).text.rsplit("/", 1)[-1]
            reply = _envelope("<rsp:SignalResponse/>")
        elif action == "Delete":
            self.shells.pop(seen.shell, None)
            reply = _envelope("")
        reply = reply.replace(b"<s:Header/>", f"<s:Header><a:RelatesTo>{message_id}</a:RelatesTo></s:Header>".encode())
        self._send(http, status, reply, {}, context)


def _envelope(body: str) -> bytes:
    return (f'<s:Envelope xmlns:s="{NS["s"]}" xmlns:a="{NS["a"]}" xmlns:w="{NS["w"]}" xmlns:rsp="{NS["rsp"]}">'
            f"<s:Header/><s:Body>{body}</s:Body></s:Envelope>").encode("utf-8")


def _fault(code: str, text: str) -> bytes:
    return _envelope(f'<s:Fault><s:Code><s:Value>s:Receiver</s:Value></s:Code><s:Reason><s:Text xml:lang="en-US">'
                     f'{text}</s:Text></s:Reason><s:Detail><f:WSManFault xmlns:f="http://schemas.microsoft.com/wbem/'
                     f'wsman/1/wsmanfault" Code="{code}" Machine="127.0.0.1"><f:Message>{text}</f:Message>'
                     f'</f:WSManFault></s:Detail></s:Fault>')


class PowerShellSide:
    """The machine's side of trustlab's bootstrap: staged files kept in memory, parameters decoded, the script's
    answer produced by `answer(script, params) -> (dict | str, exit code)`; a str is printed as is."""

    def __init__(self, answer: Callable[[str, dict], tuple[object, int]], hostname: str = ""):
        self.answer, self.hostname = answer, hostname
        self.files: dict[str, bytes] = {}
        self.runs: list[tuple[str, dict]] = []

    def __call__(self, command: str) -> Reply:
        if command == "hostname" and self.hostname:      # hostname.exe prints the computer's host name, CRLF
            return Reply([self.hostname.encode() + b"\r\n"])
        if not command.startswith(powershell.EXE):
            return Reply([b"'" + command.split()[0].encode() + b"' is not recognized"], code=1)
        code = powershell.decode(command)
        if m := re.search(r"AppendAllText\('([^']+)\.part', '([^']*)'\)", code):
            self.files[m.group(1) + ".part"] = self.files.get(m.group(1) + ".part", b"") + m.group(2).encode()
            return Reply()
        if m := re.search(r"ReadAllText\('([^']+)\.part'\)", code):
            self.files[m.group(1)] = base64.b64decode(self.files.pop(m.group(1) + ".part"))
            return Reply()
        if m := re.match(r"foreach \(\$tp in @\(((?:'[^']+'(?:, )?)*)\)\)", code):
            listed = re.findall(r"'([^']+)'", m.group(1))
            return Reply(["".join(f"{p}\r\n" for p in listed if p in self.files).encode()])
        if m := re.match(r"if \(Test-Path -LiteralPath '([^']+)'\)", code):
            return Reply([b"present\r\n" if m.group(1) in self.files else b"absent\r\n"])
        data = json.loads(base64.b64decode(re.search(r"FromBase64String\('([A-Za-z0-9+/=]*)'\)\); \$tp", code).group(1)))
        staged = re.search(r"\. '([^']+)'; & '([^']+)' @tp", code)
        if staged:
            body = self.files[staged.group(2)].decode("utf-8-sig")
        else:
            literals = re.findall(r"FromBase64String\('([A-Za-z0-9+/=]*)'\)", code)
            body = base64.b64decode(literals[-1]).decode("utf-8")
        name = next(n for n in powershell.names() if powershell.source(n) == body)
        self.runs.append((name, data))
        result, exit_code = self.answer(name, data)
        text = result if isinstance(result, str) else powershell.MARKER + json.dumps(result, ensure_ascii=False)
        return Reply([text.encode("utf-8") + b"\r\n"], code=exit_code)
