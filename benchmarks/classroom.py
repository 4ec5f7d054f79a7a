"""How many seats `trustlab classroom` serves at once on this machine with the console's latency under 100 ms (p95).

The server runs as `trustlab classroom seed-loaner-story --seats N` in a process of its own on 127.0.0.1 (a free
port, a fresh $TRUSTLAB_TRAINING); the trainees are threads of this process, one keep-alive HTTP connection each,
every one typing the seed story the right way, a line every --think seconds (staggered), a Check every 10 lines, as
a browser page does (POST /seat/N/line with the seat's token). Latency is from the request sent to the answer read.
Each class size runs --seconds; the sizes double from --start until the p95 passes 100 ms (or --max), then the gap
is halved three times. Everything
stays on loopback; every loop is bounded in count and time, and the server is stopped at the end.

Usage: python benchmarks/classroom.py [--think 2] [--seconds 30] [--start 5] [--max 320]
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

from tests.training.scripts import RIGHT

LINES = [line for line in RIGHT if line != "check"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(seats: int, port: int, home: str) -> tuple[subprocess.Popen, dict[int, str]]:
    env = {**os.environ, "TRUSTLAB_TRAINING": home}
    server = subprocess.Popen([sys.executable, "-m", "trustlab", "classroom", "seed-loaner-story", "--seats",
                               str(seats), "--port", str(port), "--name", f"bench{seats}"],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    tokens: dict[int, str] = {}
    deadline = time.monotonic() + 120
    while len(tokens) < seats and time.monotonic() < deadline:
        line = server.stdout.readline()
        if not line:
            break
        found = re.search(r"/seat/(\d+)\?t=(\S+)", line)
        if found:
            tokens[int(found.group(1))] = found.group(2)
    if len(tokens) < seats:
        server.kill()
        raise RuntimeError(f"the classroom did not start: {len(tokens)} of {seats} seats")
    for _ in range(200):                                   # until it listens
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    return server, tokens


def trainee(port: int, n: int, token: str, think: float, until: float, offset: float, out: list[float],
            errors: list[str]) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"X-Trustlab-Token": token, "Content-Type": "application/json"}
    time.sleep(offset)
    i = 0
    while time.monotonic() < until:
        if i and i % 10 == 0:
            path, body = f"/seat/{n}/check", b"{}"
        else:
            path, body = f"/seat/{n}/line", json.dumps({"line": LINES[i % len(LINES)]}).encode()
        started = time.perf_counter()
        try:
            conn.request("POST", path, body, headers)
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                errors.append(f"{path}: {response.status}")
        except OSError as e:
            errors.append(f"{path}: {e}")
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        out.append((time.perf_counter() - started) * 1000)
        i += 1
        time.sleep(max(0.0, think - (time.perf_counter() - started)))


def measure(seats: int, think: float, seconds: float) -> dict:
    with tempfile.TemporaryDirectory(prefix="trustlab-classroom-bench-") as home:
        port = free_port()
        server, tokens = serve(seats, port, home)
        try:
            latencies: list[float] = []
            errors: list[str] = []
            until = time.monotonic() + seconds
            threads = [threading.Thread(target=trainee, args=(port, n, tokens[n], think, until,
                                                              think * (n - 1) / seats, latencies, errors))
                       for n in tokens]
            for t in threads:
                t.start()
            for t in threads:
                t.join(timeout=seconds + 60)
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
    ordered = sorted(latencies)
    p95 = ordered[int(0.95 * (len(ordered) - 1))] if ordered else float("inf")
    return {"seats": seats, "requests": len(ordered), "median_ms": round(statistics.median(ordered), 1),
            "p95_ms": round(p95, 1), "max_ms": round(ordered[-1], 1), "errors": len(errors),
            "per_second": round(len(ordered) / seconds, 1)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--think", type=float, default=2.0, help="seconds between a trainee's lines")
    parser.add_argument("--seconds", type=float, default=30.0, help="how long each class size runs")
    parser.add_argument("--start", type=int, default=5)
    parser.add_argument("--max", type=int, default=320)
    args = parser.parse_args()
    print(f"cores: {os.cpu_count()}, load average {os.getloadavg()[0]:.1f}; a line every {args.think} s per "
          f"trainee, a Check every 10; {args.seconds:.0f} s per class size")
    seats, best, failed = args.start, None, None
    while seats <= args.max:                               # double until the p95 passes 100 ms...
        row = measure(seats, args.think, args.seconds)
        print(json.dumps(row), flush=True)
        if row["p95_ms"] >= 100 or row["errors"]:
            failed = seats
            break
        best, seats = row, seats * 2
    for _ in range(3 if best and failed else 0):           # ...then halve the gap three times
        seats = (best["seats"] + failed) // 2
        if seats in (best["seats"], failed):
            break
        row = measure(seats, args.think, args.seconds)
        print(json.dumps(row), flush=True)
        if row["p95_ms"] >= 100 or row["errors"]:
            failed = seats
        else:
            best = row
    print(f"served at once with p95 < 100 ms: {best['seats'] if best else 0} seats" +
          (f" (p95 {best['p95_ms']} ms, median {best['median_ms']} ms)" if best else ""))


if __name__ == "__main__":
    main()
