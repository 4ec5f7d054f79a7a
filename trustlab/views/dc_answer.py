"""The DC's own answer beside a real probe, in one line (terminal and report): a reader sees at once when the member
and the DC disagree (winbind offline while NETLOGON refuses, a user "with no logon servers" the DC accepts)."""
from __future__ import annotations

from typing import Any, Optional, Union

from trustlab.engine.dc_answer import DcAnswer


def dc_said(answer: Union[DcAnswer, dict[str, Any]]) -> str:
    a = DcAnswer.from_dict(answer) if isinstance(answer, dict) else answer
    if not a.answered:
        return "the DC: no answer"
    parts = [f"{label} {value.removeprefix('NT_STATUS_').removeprefix('KDC_ERR_')}"
             for label, value in (("NETLOGON", a.netlogon), ("Kerberos", a.kerberos), ("NTLM session", a.session),
                                  ("user's password", a.user)) if value is not None]
    if a.account is not None:
        o = a.account
        parts.append("account missing" if not o.exists else
                     f"account {'disabled' if o.disabled else 'enabled'}, key version {o.key_version}, password set "
                     f"{_ago(o.password_age)}")
    return "the DC: " + "; ".join(parts)


def offline_while_answering(outcome: Optional[str], answer: Optional[DcAnswer]) -> Optional[str]:
    """NO_LOGON_SERVERS from a member whose DC answered is no missing DC: the member went offline after the DC
    refused its session (SC-9)."""
    if outcome == "NO_LOGON_SERVERS" and answer is not None and answer.answered:
        return "the DC answered: the member is offline after the DC refused its session (SC-9), not without a DC"
    return None


def _ago(seconds: Any) -> str:
    if seconds is None:
        return "never"
    s = int(seconds)
    return f"{s} s ago" if s < 120 else f"{s // 60} min ago" if s < 7200 else f"{s // 3600} h ago" if s < 172800 \
        else f"{s // 86400} d ago"
