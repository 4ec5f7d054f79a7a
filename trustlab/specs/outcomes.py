"""The common outcome names every backend maps its results to, with the Win32 code, NTSTATUS and the message a
technician sees (LG-9). Texts marked `source="LG-9"` are quoted in the reference; the others are the Windows
message-table texts and are listed so a report never shows a bare number."""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


@dataclass(frozen=True)
class Meaning:
    win32: int
    ntstatus: int
    en: str
    ja: str
    source: str


class Outcome(str, Enum):
    """What an interactive logon (or an unlock) ended in."""

    SUCCESS = "SUCCESS"
    SUCCESS_CACHED = "SUCCESS_CACHED"
    TRUST_FAILURE = "TRUST_FAILURE"
    NO_TRUST_ACCOUNT = "NO_TRUST_ACCOUNT"
    WRONG_PASSWORD = "WRONG_PASSWORD"
    NO_LOGON_SERVERS = "NO_LOGON_SERVERS"
    PASSWORD_EXPIRED = "PASSWORD_EXPIRED"
    PASSWORD_MUST_CHANGE = "PASSWORD_MUST_CHANGE"
    ACCOUNT_DISABLED = "ACCOUNT_DISABLED"
    ACCOUNT_LOCKED_OUT = "ACCOUNT_LOCKED_OUT"
    ACCOUNT_EXPIRED = "ACCOUNT_EXPIRED"
    NETLOGON_NOT_STARTED = "NETLOGON_NOT_STARTED"
    CLOCK_SKEW = "CLOCK_SKEW"
    NOT_JOINED = "NOT_JOINED"
    NO_SUCH_USER = "NO_SUCH_USER"

    @property
    def meaning(self) -> Meaning:
        return MEANINGS[self]

    @property
    def usable(self) -> bool:
        """The user got a desktop."""
        return usable(self.value)


MEANINGS: dict[Outcome, Meaning] = {
    Outcome.SUCCESS: Meaning(0, 0x00000000, "The operation completed successfully.", "この操作を正しく終了しました。", "win32"),
    Outcome.SUCCESS_CACHED: Meaning(
        0, 0x00000000,
        "You have been logged on using cached account information. Changes to your profile since you last logged on "
        "might not be available.",
        "キャッシュされたアカウント情報を使用してログオンしました。前回のログオン以降のプロファイルの変更は利用できない可能性があります。",
        "LG-2",
    ),
    Outcome.TRUST_FAILURE: Meaning(
        1789, 0xC000018D,
        "The trust relationship between this workstation and the primary domain failed.",
        "このワークステーションとプライマリ ドメインとの信頼関係に失敗しました。", "LG-9",
    ),
    Outcome.NO_TRUST_ACCOUNT: Meaning(
        1787, 0xC000018B,
        "The security database on the server does not have a computer account for this workstation trust relationship.",
        "サーバーのセキュリティ データベースに、このワークステーションの信頼関係用のコンピューター アカウントがありません。", "LG-9",
    ),
    Outcome.WRONG_PASSWORD: Meaning(
        1326, 0xC000006A, "The user name or password is incorrect.", "ユーザー名またはパスワードが正しくありません。", "LG-9",
    ),
    Outcome.NO_LOGON_SERVERS: Meaning(
        1311, 0xC000005E,
        "There are currently no logon servers available to service the logon request.",
        "現在、ログオン要求を処理できるログオン サーバーはありません。", "LG-9",
    ),
    Outcome.PASSWORD_EXPIRED: Meaning(
        1330, 0xC0000071, "The password for this account has expired.", "このアカウントのパスワードは有効期限が切れています。", "LG-9",
    ),
    Outcome.PASSWORD_MUST_CHANGE: Meaning(
        1907, 0xC0000224, "The user's password must be changed before signing in.",
        "サインインする前にユーザーのパスワードを変更する必要があります。", "LG-9",
    ),
    Outcome.ACCOUNT_DISABLED: Meaning(
        1331, 0xC0000072, "This user can't sign in because this account is currently disabled.",
        "このユーザーのアカウントは現在無効になっているため、サインインできません。", "win32",
    ),
    Outcome.ACCOUNT_LOCKED_OUT: Meaning(
        1909, 0xC0000234, "The referenced account is currently locked out and may not be logged on to.",
        "参照されたアカウントは現在ロックアウトされているため、ログオンできない可能性があります。", "LG-9",
    ),
    Outcome.ACCOUNT_EXPIRED: Meaning(
        1793, 0xC0000193, "The user's account has expired.", "ユーザーのアカウントの有効期限が切れています。", "LG-9",
    ),
    Outcome.NETLOGON_NOT_STARTED: Meaning(
        1792, 0xC0000192, "An attempt was made to logon, but the network logon service was not started.",
        "ログオンしようとしましたが、ネットワーク ログオン サービスが開始されていませんでした。", "LG-9",
    ),
    Outcome.CLOCK_SKEW: Meaning(
        1398, 0xC0000133, "There is a time and/or date difference between the client and server.",
        "クライアントとサーバーの間に時刻または日付の違いがあります。", "win32",
    ),
    Outcome.NOT_JOINED: Meaning(
        1355, 0xC00000DF, "The specified domain either does not exist or could not be contacted.",
        "指定されたドメインが存在しないか、または接続できません。", "win32",
    ),
    Outcome.NO_SUCH_USER: Meaning(
        1317, 0xC0000064, "The specified account does not exist.", "指定されたアカウントは存在しません。", "win32",
    ),
}


class ChannelStatus(str, Enum):
    """What `nltest /sc_verify` reports for the secure channel (SC-1, SC-2)."""

    OK = "OK"
    BROKEN = "BROKEN"
    NO_TRUST_ACCOUNT = "NO_TRUST_ACCOUNT"
    NO_LOGON_SERVERS = "NO_LOGON_SERVERS"
    NOT_JOINED = "NOT_JOINED"

    @property
    def win32(self) -> tuple[int, str]:
        return CHANNEL_CODES[self]


CHANNEL_CODES = {
    ChannelStatus.OK: (0, "NERR_Success"),
    ChannelStatus.BROKEN: (5, "ERROR_ACCESS_DENIED"),
    ChannelStatus.NO_TRUST_ACCOUNT: (1787, "ERROR_NO_TRUST_SAM_ACCOUNT"),
    ChannelStatus.NO_LOGON_SERVERS: (1311, "ERROR_NO_LOGON_SERVERS"),
    ChannelStatus.NOT_JOINED: (1355, "ERROR_NO_SUCH_DOMAIN"),
}


class NetworkStatus(str, Enum):
    """Whether the workstation can reach its DC, and if not, the first reason a technician would find."""

    UP = "UP"
    UNPLUGGED = "UNPLUGGED"
    NO_ADAPTER = "NO_ADAPTER"
    NO_ADDRESS = "NO_ADDRESS"
    DC_DOWN = "DC_DOWN"
    POWERED_OFF = "POWERED_OFF"


class AccountState(str, Enum):
    """What the DC shows of a computer's object (`Get-ADComputer NAME -Properties Enabled, PasswordLastSet`):
    present and enabled, disabled, or gone (MP-7)."""

    PRESENT = "PRESENT"
    DISABLED = "DISABLED"
    MISSING = "MISSING"


USABLE = frozenset(s.value for s in (Outcome.SUCCESS, Outcome.SUCCESS_CACHED, ChannelStatus.OK, NetworkStatus.UP))


def usable(outcome: object) -> bool:
    """The one meaning of "usable": the user got a desktop, the channel works, the network is up."""
    return outcome in USABLE
