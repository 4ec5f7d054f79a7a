"""The one base of trustlab's errors: what went wrong, in words for the user, and the exit status it means. The
command line turns any of them into its lines and its status; nothing keeps a list of error classes."""
from __future__ import annotations

from typing import Optional

OK, FAILED, BAD_INPUT = 0, 1, 2
"""Exit statuses: all went as claimed; something did not hold (a claim, a check); nothing was run (bad input, no
lab to be had)."""


class TrustlabError(Exception):
    """A problem trustlab explains to its user and ends on (molecule's `MoleculeError(message, code)`)."""

    code: int = BAD_INPUT

    def __init__(self, message: str = "", code: Optional[int] = None):
        super().__init__(message)
        if code is not None:
            self.code = code

    def lines(self) -> list[str]:
        """What the user reads, one line each."""
        return [f"error: {self}"]
