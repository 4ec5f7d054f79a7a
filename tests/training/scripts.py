"""The seed story typed at the console, the article's way (its dead ends included) and the right way. Each line is
what the trainee types; `transcript()` shows the screen as the trainee saw it (hidden answers as stars)."""
from __future__ import annotations

import re

from trustlab.training.console import Console

REAL_TIME = re.compile(r"\d+ min \d+ s|\d+ 分 \d+ 秒")

ARTICLE = [
    "CORP\\alice", "current",                              # 1326 (the article saw the trust message; LG-5, LG-7)
    ".\\Administrator", "x",                                # ローカル管理者でログイン
    "ipconfig",                                             # IPアドレスが全て消えてました
    'netsh interface ipv4 set address name="Ethernet 2" static 10.0.0.11 255.255.255.0', "Yes",   # はい: back again
    "powershell",
    "set devmgr_show_nonpresent_devices=1",                 # in PowerShell: Set-Variable, no environment variable
    "start devmgmt.msc", "view hidden",                     # この環境では灰色のアイコンは出てきませんでした
    'uninstall "Ethernet 2"', "no",                         # 対応2: device only, driver kept
    "close",
    "Restart-Computer",
    ".\\Administrator", "x",
    "ipconfig",
    'netsh interface ipv4 set address name="Ethernet 2" static 10.0.0.11 255.255.255.0', "No",    # いいえ (NW-2)
    "ping DC01",
    "nltest /sc_verify:CORP",                               # NERR_Success: the channel is healthy (MP-3)
    "powershell",
    "Test-ComputerSecureChannel -Repair",                   # SC-4: refused from a local session
    'Get-CimInstance Win32_UserProfile | Where-Object LocalPath -like "*\\alice" | Remove-CimInstance',
    "exit",
    "logoff",
    "CORP\\alice", "previous",                              # 当時使用していたパスワード: online, 1326
    "unplug",
    "CORP\\alice", "previous",                              # cached logon
    "plug",
    "wait 1h",
    "shutdown /r /t 0",
    "CORP\\alice", "current",
    "check",
]

RIGHT = [
    ".\\Administrator", "x",
    "ipconfig",
    "pnputil /enum-devices /disconnected",
    "set devmgr_show_nonpresent_devices=1",
    "start devmgmt.msc", "view hidden",
    'uninstall "Ethernet"', "no",
    "close",
    'netsh interface ipv4 set address name="Ethernet 2" static 10.0.0.11 255.255.255.0',
    "ping DC01",
    "logoff",
    "CORP\\alice", "current",
    "check",
]


def transcript(machine: Console, lines: list[str]) -> str:
    out = [machine.start()]
    for line in lines:
        typed = "*" * len(line) if machine.secret else line
        out.append(machine.prompt + typed)
        shown = machine.feed(line)
        if shown:
            out.append(shown)
    return REAL_TIME.sub("(real time)", "\n".join(out) + "\n")   # the only part that depends on the machine
