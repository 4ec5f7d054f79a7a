"""Faults on the real lab: a samba run killed with SIGKILL at a random point, then `trustlab lab clean`, many times;
counts what survived each round on the host (namespaces, live processes, mounts, /etc/netns entries, lab folders,
keytabs and ccaches). Goal: 0 every round.

A round starts `trustlab run SCENARIO -r REMEDIATION --backend samba` on a lab of its own (built cold by the run, so
kills land in `up` too), kills it after a random 0.2 s to --window seconds (the harness alone, its children orphaned,
or its whole process group, as a cancelled CI job is), runs `trustlab lab clean --backend samba --name LAB`, and
looks. At the end `trustlab lab clean` with no --name (the lab TRUSTLAB_SAMBA_LAB names: the soak's) catches anything
the scoped ones missed. Other labs on the host are not the soak's and are left alone.

Usage (root, packages installed): python benchmarks/samba_soak.py [--rounds 50] [--seed 1] [--window 14]
"""
from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from trustlab.backends.samba.doctor import require
from trustlab.backends.samba.domain import leftovers

ROOT = Path(__file__).resolve().parent.parent
NAME = f"soak-{os.getpid()}"   # a name of its own: labs of others may run beside it


def trustlab(*args: str, **kwargs) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TRUSTLAB_SAMBA_LAB": NAME}
    return subprocess.Popen([sys.executable, "-m", "trustlab", *args], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, **kwargs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--window", type=float, default=14.0, help="latest kill, seconds after the start")
    parser.add_argument("--scenario", default="stale-snapshot-one-rotation")
    parser.add_argument("--remediation", default="repair-secure-channel-with-credential")
    args = parser.parse_args()
    require()
    if leftovers(NAME):
        sys.exit(f"the soak's lab is not clean before the soak: {leftovers(NAME)}; run `trustlab lab clean --backend "
                 f"samba --name {NAME}`")
    rng = random.Random(args.seed)
    dirty, finished, killed_dirty, started = [], 0, 0, time.monotonic()
    for n in range(1, args.rounds + 1):
        delay, group = rng.uniform(0.2, args.window), rng.random() < 0.5
        run = trustlab("run", args.scenario, "-r", args.remediation, "--backend", "samba", start_new_session=True)
        try:
            run.wait(timeout=delay)
            finished += 1                              # it ended before the kill: a round that tests nothing new
        except subprocess.TimeoutExpired:
            os.killpg(run.pid, signal.SIGKILL) if group else run.kill()
            run.wait()
        before = len(leftovers(NAME))                  # what the kill left: the counter is not blind
        trustlab("lab", "clean", "--backend", "samba", "--name", NAME).wait(timeout=120)
        left = leftovers(NAME)
        killed_dirty += before > 0
        dirty += [(n, item) for item in left]
        print(f"round {n:3d}: killed {'the group' if group else 'the harness'} at {delay:5.2f} s; "
              f"{before} things left by the kill, {len(left)} after clean{': ' + '; '.join(left) if left else ''}", flush=True)
    trustlab("lab", "clean", "--backend", "samba").wait(timeout=120)
    print(f"{args.rounds} rounds in {time.monotonic() - started:.0f} s ({finished} ended before their kill): "
          f"{killed_dirty} kills left a lab behind; after `lab clean`, {len(dirty)} leftovers in {len({n for n, _ in dirty})} rounds; after the final clean: {len(leftovers(NAME))}")
    sys.exit(1 if dirty or leftovers(NAME) else 0)


if __name__ == "__main__":
    main()
