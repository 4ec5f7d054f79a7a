"""Lab passwords: derived from a lab's own secret seed, so they are never written in specs, journals or reports.
The Vagrantfile derives the same values in Ruby (HMAC-SHA256), and both real backends use this one rule."""
from __future__ import annotations

import hashlib
import hmac


def lab_password(seed: bytes, user: str, version: int) -> str:
    """Meets AD complexity (upper, lower, digit, symbol) and differs for every user and version."""
    digest = hmac.new(seed, f"{user}:{version}".encode(), hashlib.sha256).hexdigest()[:20]
    return f"Tl{version}-{digest}!x"
