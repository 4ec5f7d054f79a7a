"""What the machine's console says when a step cannot start, the same on every backend."""

POWERED_OFF = "{computer} is powered off"
NEEDS_ADMIN = "{computer}: this needs an administrator session (local_admin_logon first)"
