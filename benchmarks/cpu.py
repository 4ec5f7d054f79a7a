"""CPU time of this process and everything it starts (tools, and daemons while they run), from a cgroup made for
the benchmark: cgroup v1 `cpuacct.usage` (ns) where the cpuacct controller is mounted, else cgroup v2 `cpu.stat`
(`usage_usec`). A steadier measure than wall time on a shared, loaded machine. Without either (not root, no cgroup
fs), `resource.getrusage` of this process and its waited-for children (daemons not counted)."""
from __future__ import annotations

import os
import resource
from pathlib import Path
from typing import Optional

V1 = Path("/sys/fs/cgroup/cpuacct")
V2 = Path("/sys/fs/cgroup")


class CpuMeter:
    def __init__(self, name: str) -> None:
        self.dir: Optional[Path] = None
        self.kind = "rusage"
        for root, kind in ((V1, "cpuacct"), (V2, "cgroup2")):
            probe = root / ("cpuacct.usage" if kind == "cpuacct" else "cgroup.controllers")
            if not probe.exists():
                continue
            try:
                folder = root / f"{name}-{os.getpid()}"
                folder.mkdir(exist_ok=True)
                (folder / "cgroup.procs").write_text(str(os.getpid()))
                self.dir, self.kind, self.root = folder, kind, root
                break
            except OSError:
                continue

    def seconds(self) -> float:
        if self.kind == "cpuacct":
            return int((self.dir / "cpuacct.usage").read_text()) / 1e9
        if self.kind == "cgroup2":
            stat = dict(line.split() for line in (self.dir / "cpu.stat").read_text().splitlines())
            return int(stat["usage_usec"]) / 1e6
        me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime

    def close(self) -> None:
        """Back to the parent cgroup, and the benchmark's own removed (it must hold no process by then)."""
        if self.dir is None:
            return
        try:
            (self.root / "cgroup.procs").write_text(str(os.getpid()))
            self.dir.rmdir()
        except OSError:
            pass
