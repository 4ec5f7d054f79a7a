"""What the console shows, in English and Japanese. Windows' own words where the reference (or Windows itself, for
cmd.exe's and PowerShell's "not recognized") gives them; everywhere else the console says, marked `[trustlab]`,
what the model knows, and never dresses it up as a Windows text."""
from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import Callable

from trustlab.specs import durations
from trustlab.specs import tools as tool_texts
from trustlab.specs.words import Words

MARK = "[trustlab] "
SIGNIN, OFF, DESKTOP, LOCKED, DEVMGMT = "signin", "off", "desktop", "locked", "devmgmt"
"""The screens the console can be at."""


@dataclass
class Prompt:
    """A question the next line answers (a password, Yes/No), and what to do with the answer."""

    text: str
    answer: Callable[[str], list[str]]
    secret: bool = False

SCREENS = Words({
    "welcome": {"en": "{computer} ({domain} domain). Sign in with a user name: {domain}\\alice, .\\Administrator, "
                      "...; `help` lists what this console knows, Ctrl-D leaves it.",
                "ja": "{computer} ({domain} ドメイン)。ユーザー名でサインインします: {domain}\\alice、.\\Administrator など。"
                      "`help` でこのコンソールが知っているコマンド、Ctrl-D で終了。"},
    "passwords": {"en": "the lab's passwords are references: type `current` for a user's password now, `previous` "
                        "for the one before the last change.",
                  "ja": "ラボのパスワードは参照で入力します: 現在のパスワードは `current`、前回の変更前のものは `previous`。"},
    "user_prompt": {"en": "User name: ", "ja": "ユーザー名: "},
    "password_prompt": {"en": "Password: ", "ja": "パスワード: "},
    "unknown_user": {"en": "the lab's users are {users} (and .\\Administrator, the local one)",
                     "ja": "ラボのユーザーは {users} です (ローカルの .\\Administrator も)"},
    "other_domain": {"en": "this lab's domain is {domain}", "ja": "このラボのドメインは {domain} です"},
    "which_password": {"en": "type `current` or `previous`", "ja": "`current` か `previous` を入力してください"},
    "local_password": {"en": "the model does not check the local Administrator's password",
                       "ja": "モデルはローカル Administrator のパスワードを確認しません"},
    "signed_in": {"en": "signed in as {who}", "ja": "{who} としてサインインしました"},
    "signed_out": {"en": "signed out; the sign-in screen shows", "ja": "サインアウトしました。サインイン画面が表示されます"},
    "restarted": {"en": "{computer} restarts; the sign-in screen shows", "ja": "{computer} が再起動します。サインイン画面が表示されます"},
    "powered_off": {"en": "{computer} is off; `power on` starts it", "ja": "{computer} の電源は切れています。`power on` で起動します"},
    "off_prompt": {"en": "({computer} is off) ", "ja": "({computer} は電源オフ) "},
    "locked": {"en": "{computer} is locked ({who}); type the password to unlock",
               "ja": "{computer} はロックされています ({who})。パスワードを入力してロックを解除します"},
    "unlock_prompt": {"en": "Password for {who}: ", "ja": "{who} のパスワード: "},
    "code": {"en": "{win32} {ntstatus} {outcome}", "ja": "{win32} {ntstatus} {outcome}"},
    "not_recognized_cmd": {"en": "'{name}' is not recognized as an internal or external command,\n"
                                 "operable program or batch file.",
                           "ja": "'{name}' は、内部コマンドまたは外部コマンド、\n"
                                 "操作可能なプログラムまたはバッチ ファイルとして認識されていません。"},
    "not_recognized_ps": {"en": "{name} : The term '{name}' is not recognized as the name of a cmdlet, function, "
                                "script file, or operable program. Check the spelling of the name, or if a path was "
                                "included, verify that the path is correct and try again.",
                          "ja": "{name} : 用語 '{name}' は、コマンドレット、関数、スクリプト ファイル、または操作可能な"
                                "プログラムの名前として認識されません。名前が正しく記述されていることを確認し、パスが"
                                "含まれている場合はそのパスが正しいことを確認してから、再試行してください。"},
    "knows": {"en": "this console knows {some}, ...; `help` lists every command",
              "ja": "このコンソールが知っているコマンド: {some} など。`help` ですべて表示します"},
    "ps_only": {"en": "{name} is a PowerShell command: type `powershell` first",
                "ja": "{name} は PowerShell のコマンドです。先に `powershell` と入力してください"},
    "cmd_only": {"en": "{name} is a cmd.exe command here: `exit` back to cmd first",
                 "ja": "{name} はここでは cmd.exe のコマンドです。先に `exit` で cmd に戻ってください"},
    "forms": {"en": "this console knows these forms of {name}: {forms}",
              "ja": "このコンソールが知っている {name} の書き方: {forms}"},
    "unmodelled": {"en": "not modelled: {why}", "ja": "モデル化されていません: {why}"},
    "unsupported": {"en": "this lab cannot do it: {why}", "ja": "このラボではできません: {why}"},
    "powershell_banner": {"en": "Windows PowerShell\nCopyright (C) Microsoft Corporation. All rights reserved.",
                          "ja": "Windows PowerShell\nCopyright (C) Microsoft Corporation. All rights reserved."},
    "prompt_closed": {"en": "the prompt closes (its environment variables with it); a new one opens",
                      "ja": "プロンプトが閉じます (環境変数も消えます)。新しいプロンプトが開きます"},
    "needs_signin": {"en": "sign in first", "ja": "先にサインインしてください"},
    "ping_ok": {"en": "{host} answers (the network check: {outcome}); the reference has no ping text",
                "ja": "{host} は応答します (ネットワークの確認: {outcome})。参照に ping の出力文はありません"},
    "ping_fail": {"en": "{host} does not answer (the network check: {outcome}); the reference has no ping text",
                  "ja": "{host} は応答しません (ネットワークの確認: {outcome})。参照に ping の出力文はありません"},
    "ping_other": {"en": "the model knows the way to {dc} only", "ja": "モデルが知っている宛先は {dc} だけです"},
    "pnp_note": {"en": "the model knows network adapters only, by their connection names (NW-3: hidden ones are "
                       "Status Unknown)",
                 "ja": "モデルはネットワーク アダプターだけを接続名で知っています (NW-3: 非表示のものは Status Unknown)"},
    "pnputil_none": {"en": "No devices were found on the system.", "ja": "No devices were found on the system."},
    "pnputil_note": {"en": "the model has no instance IDs: a device is named by its connection name",
                     "ja": "モデルにはインスタンス ID がありません: デバイスは接続名で指定します"},
    "no_device": {"en": "no device {device!r}; the model's network adapters: {names}",
                  "ja": "デバイス {device!r} はありません。モデルのネットワーク アダプター: {names}"},
    "devmgmt_title": {"en": "Device Manager - {computer}", "ja": "デバイス マネージャー - {computer}"},
    "devmgmt_group": {"en": "  Network adapters", "ja": "  ネットワーク アダプター"},
    "devmgmt_hidden": {"en": "    {name}  (dimmed: not present)", "ja": "    {name}  (淡色表示: 存在しない)"},
    "devmgmt_help": {"en": "a text view of Device Manager: `view hidden` (View > Show hidden devices), "
                           "`uninstall \"NAME\"`, `close`",
                     "ja": "デバイス マネージャーのテキスト表示: `view hidden` (表示 > 非表示のデバイスの表示)、"
                           "`uninstall \"名前\"`、`close`"},
    "devmgmt_prompt": {"en": "Device Manager> ", "ja": "デバイス マネージャー> "},
    "driver_prompt": {"en": "Uninstall Device: {name}. Delete the driver software for this device? (yes/no) [no]: ",
                      "ja": "デバイスのアンインストール: {name}。このデバイスのドライバー ソフトウェアを削除しますか? (yes/no) [no]: "},
    "driver_deleted": {"en": "not modelled: the reference covers uninstalling with the driver kept (NW-4), not "
                             "deleting it; nothing was done",
                       "ja": "モデル化されていません: 参照はドライバーを残すアンインストール (NW-4) だけを扱い、削除は扱いません。"
                             "何もしませんでした"},
    "devmgmt_commands": {"en": "in Device Manager: view hidden, uninstall \"NAME\", close",
                         "ja": "デバイス マネージャーでは: view hidden、uninstall \"名前\"、close"},
    "conflict_prompt": {"en": "Do you want to enter a different IP address for this adapter in the list of IP "
                              "addresses in the advanced dialog box? (Yes/No): ",
                        "ja": "詳細設定ダイアログボックスのIPアドレス一覧にこのアダプターに別のIPアドレスを入力して問題を解決しますか? "
                              "(はい/いいえ = Yes/No): "},
    "conflict_yes": {"en": "Yes: back to the dialog; nothing applied", "ja": "はい: ダイアログに戻ります。何も適用されません"},
    "credential_prompt": {"en": "Password for user {user}: ", "ja": "ユーザー {user} のパスワード: "},
    "netdom_prompt": {"en": "Type the password associated with the domain user: ",
                      "ja": "Type the password associated with the domain user: "},
    "credential_note": {"en": "the lab uses {user}'s own password; what you type is neither checked nor kept",
                        "ja": "ラボは {user} 自身のパスワードを使います。入力した内容は確認も保存もされません"},
    "credential_refused": {"en": "{why}", "ja": "{why}"},
    "clock": {"en": "the model keeps lab time, no calendar: {computer}'s clock is at {local}, {dc}'s at {dc_time} "
                    "(from the lab's start); {computer} is {skew} {side} (Kerberos allows {max}, TM-3); the "
                    "reference has no text for this command",
              "ja": "モデルはラボ時間だけを持ち、暦はありません: {computer} の時計は {local}、{dc} は {dc_time} "
                    "(ラボ開始から)。{computer} は {skew} {side} (Kerberos の許容は {max}、TM-3)。このコマンドの出力文は参照にありません"},
    "ahead": {"en": "ahead", "ja": "進んでいます"},
    "behind": {"en": "behind", "ja": "遅れています"},
    "in_step": {"en": "in step", "ja": "一致しています"},
    "help_title": {"en": "what this console knows here ({shell}):", "ja": "ここでこのコンソールが知っていること ({shell}):"},
    "help_world": {"en": "at any screen (your hands): unplug, plug, wait DURATION, power off, power on",
                   "ja": "どの画面でも (手で行うこと): unplug、plug、wait 期間、power off、power on"},
    "help_trustlab": {"en": "trustlab: check (grade the fix), hint (the next hint); Ctrl-D leaves the console",
                      "ja": "trustlab: check (修正を採点)、hint (次のヒント)。Ctrl-D でコンソールを終了"},
    "check_head": {"en": "check: {passed}/{total} ({percent}%), {minutes} after the break, lab time {clock}",
                   "ja": "確認: {passed}/{total} ({percent}%)、障害から {minutes}、ラボ時間 {clock}"},
    "passed": {"en": "passed ", "ja": "合格"},
    "not_yet": {"en": "not yet", "ja": "未達"},
    "fixed": {"en": "all conditions hold: fixed", "ja": "すべての条件を満たしました: 修正完了"},
    "hint": {"en": "hint {n}/{of}: {text}", "ja": "ヒント {n}/{of}: {text}"},
    "no_hint": {"en": "no more hints; the trainer's `trustlab lab solve` shows the official way",
                "ja": "ヒントはもうありません。トレーナーの `trustlab lab solve` で公式の手順を見られます"},
    "done": {"en": "done", "ja": "完了"},
    "unplugged": {"en": "the network cable of {computer} is pulled", "ja": "{computer} の LAN ケーブルを抜きました"},
    "plugged": {"en": "the network cable of {computer} is plugged in", "ja": "{computer} の LAN ケーブルを挿しました"},
    "waited": {"en": "{span} pass", "ja": "{span} 経過しました"},
    "no_adapter": {"en": "no adapter {name!r}; the present adapter is {present}",
                   "ja": "アダプター {name!r} はありません。現在のアダプターは {present} です"},
    "handover": {"en": "ready for the trainee: `{way}`; `trustlab lab check{flags}` grades the fix, `trustlab lab "
                       "hint{flags}` gives a hint, `trustlab lab reset{flags}` starts the exercise again",
                 "ja": "トレーニー用の準備ができました: `{way}`。`trustlab lab check{flags}` で採点、`trustlab lab "
                       "hint{flags}` でヒント、`trustlab lab reset{flags}` で最初からやり直せます"},
    "reset_done": {"en": "a fresh copy of the exercise; the record so far is archived",
                   "ja": "演習を最初の状態に戻しました。これまでの記録は保存されています"},
    "not_modelled_here": {"en": "not modelled here: {name} is a real Windows command this lab's model does not cover; "
                                "`help` lists what it does",
                          "ja": "ここではモデル化されていません: {name} は Windows の実在のコマンドですが、このラボのモデルは扱いません。"
                                "`help` で扱うコマンドを表示します"},
    "uninstalled": {"en": "uninstalled {name}", "ja": "{name} をアンインストールしました"},
    "uninstalled_kept": {"en": "uninstalled {name} (driver kept); it returns at the next restart",
                         "ja": "{name} をアンインストールしました (ドライバーは残しています)。次回の再起動で戻ります"},
    "yes_or_no": {"en": "answer yes or no", "ja": "yes か no で答えてください"},
    "caveat": {"en": "note: {text}", "ja": "注意: {text}"},
    "left_domain": {"en": "{computer} is not in a domain: only .\\Administrator can sign in",
                    "ja": "{computer} はドメインに参加していません: サインインできるのは .\\Administrator だけです"},
})
say = SCREENS.say


def mark(key: str, lang: str, **values) -> str:
    """A line that is the model speaking, not Windows."""
    return MARK + say(key, lang, **values)


def duplicate_warning(lang: str, ip: str, name: str) -> str:
    """NW-2 (KB269155); the Japanese text as the seed article quotes the dialog."""
    if lang == "ja":
        return (f"このネットワークアダプタ用に入力したIPアドレス{ip}は、既にこのコンピューターの別のアダプター'{name}'に"
                "割り当てられています。同じアドレスが2つのアダプターに割り当てられた場合は、両方ともアクティブになりますが"
                "1つのみがこのアドレスと使用します。これによりシステム構成が無効になることがあります。")
    return tool_texts.DUPLICATE_WARNING.format(ip=ip, name=name)


def span(seconds: float) -> str:
    return durations.format(abs(int(seconds)))


def signed(seconds: float) -> str:
    """A lab time or offset with its sign: +201d, -200d."""
    return ("+" if seconds >= 0 else "") + durations.format(seconds)


def minutes(seconds: float, lang: str) -> str:
    m, s = divmod(int(seconds), 60)
    return f"{m} min {s} s" if lang == "en" else f"{m} 分 {s} 秒"


# ipconfig as Windows prints it (en-US): "Windows IP Configuration", one block per present adapter, dot-leader labels,
# an APIPA address as "Autoconfiguration IPv4 Address" with mask 255.255.0.0, "Media disconnected" for a pulled
# cable. The layout: Microsoft's "Debug Windows drivers step-by-step lab (echo kernel mode)" (MicrosoftDocs/
# windows-driver-docs, debugger/debug-universal-drivers---step-by-step-lab--echo-kernel-mode-.md, its ipconfig
# output); "ipconfig" in the Windows commands reference for /all, /renew and /flushdns. The model has no IPv6, no
# DNS suffix and no gateway in the lab: those lines are left empty, as on a lab network. The labels stay English in
# Japanese too (an en-US image; the Japanese labels are not sourced here).
DOTS = {  # the exact lines Windows prints (the dot leaders are fixed per label, not computed from a width)
    "media": "   Media State . . . . . . . . . . . : ",
    "suffix": "   Connection-specific DNS Suffix  . : ",
    "ipv4": "   IPv4 Address. . . . . . . . . . . : ",
    "apipa": "   Autoconfiguration IPv4 Address. . : ",
    "mask": "   Subnet Mask . . . . . . . . . . . : ",
    "gateway": "   Default Gateway . . . . . . . . . : ",
    "description": "   Description . . . . . . . . . . . : ",
    "physical": "   Physical Address. . . . . . . . . : ",
    "dhcp": "   DHCP Enabled. . . . . . . . . . . : ",
    "autoconf": "   Autoconfiguration Enabled . . . . : ",
    "netbios": "   NetBIOS over Tcpip. . . . . . . . : ",
    "host": "   Host Name . . . . . . . . . . . . : ",
    "primary": "   Primary Dns Suffix  . . . . . . . : ",
    "node": "   Node Type . . . . . . . . . . . . : ",
    "routing": "   IP Routing Enabled. . . . . . . . : ",
    "wins": "   WINS Proxy Enabled. . . . . . . . : ",
    "search": "   DNS Suffix Search List. . . . . . : ",
}


def _stable(text: str) -> int:
    return zlib.crc32(text.encode("utf-8"))


def apipa(computer: str, adapter: str) -> str:
    """The 169.254/16 address an adapter picks for itself (RFC 3927), the same every time for the same adapter."""
    n = _stable(f"{computer}/{adapter}")
    return f"169.254.{1 + n % 254}.{1 + (n >> 8) % 254}"


def mac(computer: str, adapter: str) -> str:
    n = _stable(f"mac/{computer}/{adapter}")
    return "00-15-5D-" + "-".join(f"{(n >> s) & 0xFF:02X}" for s in (16, 8, 0))   # Hyper-V's prefix


def mask(prefix: int) -> str:
    bits = (0xFFFFFFFF << (32 - prefix)) & 0xFFFFFFFF
    return ".".join(str((bits >> s) & 0xFF) for s in (24, 16, 8, 0))


def ipconfig_lines(adapters: list[dict], outcome: str, computer: str, realm: str, every: bool = False) -> list[str]:
    """`ipconfig` (and `/all`) for the present adapters the network probe reports."""
    lines = ["", "Windows IP Configuration", ""]
    if every:
        lines += [DOTS["host"] + computer, DOTS["primary"] + realm, DOTS["node"] + "Hybrid",
                  DOTS["routing"] + "No", DOTS["wins"] + "No", DOTS["search"] + realm, ""]
    present = [a for a in adapters if a["present"]]
    for a in present:
        lines += [f"Ethernet adapter {a['name']}:", ""]
        block = []
        dhcp = a["ipv4"] == "DHCP"
        if outcome == "UNPLUGGED":
            block += [DOTS["media"] + "Media disconnected", DOTS["suffix"]]
            if every:
                block += [DOTS["description"] + _description(a['name']), DOTS["physical"] + mac(computer, a["name"]),
                          DOTS["dhcp"] + ("Yes" if dhcp else "No"), DOTS["autoconf"] + "Yes"]
            lines += block + [""]
            continue
        block.append(DOTS["suffix"] + (realm if dhcp and a.get("leased") else ""))
        if every:
            block += [DOTS["description"] + _description(a['name']), DOTS["physical"] + mac(computer, a["name"]),
                      DOTS["dhcp"] + ("Yes" if dhcp else "No"), DOTS["autoconf"] + "Yes"]
        tag = "(Preferred)" if every else ""
        if dhcp and a.get("leased"):
            block += [DOTS["ipv4"] + a["leased"] + tag, DOTS["mask"] + "255.255.255.0"]
        elif dhcp:                                        # NW-1: no DHCP server, an APIPA address (NW-5)
            block += [DOTS["apipa"] + apipa(computer, a["name"]) + tag, DOTS["mask"] + "255.255.0.0"]
        elif a.get("duplicate"):                          # NW-5: the address is another machine's
            block += [DOTS["ipv4"] + a["ipv4"] + ("(Duplicate)" if every else ""),
                      DOTS["mask"] + mask(a.get("prefix", 24)),
                      DOTS["apipa"] + apipa(computer, a["name"]) + tag, DOTS["mask"] + "255.255.0.0"]
        else:
            block += [DOTS["ipv4"] + a["ipv4"] + tag, DOTS["mask"] + mask(a.get("prefix", 24))]
        block.append(DOTS["gateway"])
        if every:
            block.append(DOTS["netbios"] + "Enabled")
        lines += block + [""]
    return [line.rstrip() for line in lines]


def _description(name: str) -> str:
    """The driver's name, with Windows' `#2` for its second instance ("Ethernet 2")."""
    number = name.rsplit(" ", 1)[-1]
    return "Microsoft Hyper-V Network Adapter" + (f" #{number}" if number.isdigit() else "")
