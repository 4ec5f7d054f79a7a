"""The engine: runs a scenario (and a remediation) on a backend and keeps the journal."""
