"""A real lab's life: built, reset, side by side, torn down, and cleaned after a crash or Ctrl-C."""
from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time

import pytest

from tests.backends.samba.conftest import leftovers
from tests.conftest import ROOT, lab_name


def _wait(predicate, timeout=120.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_up_reset_down_leave_nothing(samba_ready):
    from trustlab.backends.samba import netns
    from trustlab.backends.samba.domain import SambaLab

    a, b = SambaLab.named(lab_name("life-a")), SambaLab.named(lab_name("life-b"))
    try:
        a.up()
        b.up()
        assert a.meta["subnet"] != b.meta["subnet"]                 # side by side
        assert set(a.namespaces()) | set(b.namespaces()) <= set(netns.existing())
        assert a.status()["dc"].endswith("(running)") and b.status()["dc"].endswith("(running)")
        assert a.reset() < 10
        assert stat.S_IMODE(a.dir.stat().st_mode) == 0o700 and a.dir.stat().st_uid == 0
        for secret in (a.dir / "secrets.json", a.dir / "golden" / "dc" / "private" / "sam.ldb",
                       a.dir / "dc" / "private" / "secrets.keytab"):
            assert secret.exists(), secret
            peek = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "cat", str(secret)],
                                  capture_output=True, text=True)
            assert peek.returncode != 0 and "Permission denied" in peek.stderr, (secret, peek)   # nobody cannot
        for ns in a.namespaces():                                   # nothing is routed out of the lab
            routes = subprocess.run(["ip", "-n", ns, "route", "show"], capture_output=True, text=True).stdout
            assert "default" not in routes
            assert all(line.startswith(f"10.213.{a.index}.0/24") for line in routes.splitlines() if line)
    finally:
        a.down()
        b.down()
    assert leftovers(lab_name("life")) == []
    assert a.status()["state"] == "absent"


def _run_in_background(lab: str) -> subprocess.Popen:
    env = {**os.environ, "TRUSTLAB_SAMBA_LAB": lab, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-m", "trustlab", "run", "stale-snapshot-one-rotation",
                             "-r", "repair-secure-channel-with-credential", "--backend", "samba", "--profile", "samba"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def _member_running(lab: str) -> bool:
    from trustlab.backends.samba import netns

    return bool(netns.pids(f"tl-{lab}-m"))


def test_sigkill_mid_run_then_clean_removes_everything(samba_ready):
    from trustlab.backends.samba import netns
    from trustlab.backends.samba.domain import clean

    name = lab_name("kill")
    proc = _run_in_background(name)
    try:
        assert _wait(lambda: _member_running(name)), "the run never got its member going"
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        assert leftovers(name) != []                                 # the harness is dead, the lab is not
        others = [n for n in netns.existing() if n not in (f"tl-{name}-dc", f"tl-{name}-m")]
        clean(name=name)
        assert leftovers(name) == []
        assert [n for n in netns.existing() if not n.startswith(f"tl-{name}-")] == others   # other labs untouched
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        clean(name=name)


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_ctrl_c_or_sigterm_mid_run_tears_down_the_lab_it_built(samba_ready, stop):
    from trustlab.backends.samba.domain import clean

    name = lab_name(f"stop{int(stop)}")
    proc = _run_in_background(name)
    try:
        assert _wait(lambda: _member_running(name)), "the run never got its member going"
        if stop == signal.SIGINT:
            os.killpg(proc.pid, stop)                               # Ctrl-C: the terminal's whole group
        else:
            os.kill(proc.pid, stop)                                 # a CI's stop: the command alone
        assert proc.wait(timeout=60) == (1 if stop == signal.SIGINT else 143)
        assert leftovers(name) == []
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        clean(name=name)


def test_lab_name_is_checked():
    from trustlab.backends.samba.domain import LabError, SambaLab

    with pytest.raises(LabError, match="bad lab name 'Bad Name'"):
        SambaLab.named("Bad Name")


def test_clean_removes_a_doctor_probe_whose_process_is_gone(samba_ready):
    """`trustlab doctor` killed between making its probe namespace and removing it: any `lab clean` removes it; a
    live doctor's probe is left alone."""
    from trustlab.backends.samba import netns
    from trustlab.backends.samba.doctor import PROBE
    from trustlab.backends.samba.domain import clean
    from trustlab.backends.samba.processes import alive

    gone = next(pid for pid in range(4194303, 1, -1) if not alive(pid))
    dead, live = f"{PROBE}{gone}", f"{PROBE}{os.getpid()}"
    for ns in (dead, live):
        netns.create(ns)
    try:
        removed = clean(name=lab_name("nothing"))
        assert f"namespace {dead}" in removed and dead not in netns.existing() and live in netns.existing()
    finally:
        for ns in (dead, live):
            netns.delete(ns)


def test_clean_removes_the_lab_named_and_no_other(samba_ready):
    """`lab clean --name N` removes N's namespaces and not those of a lab named N-x (no prefix match); with no
    --name it cleans the lab every other lab command uses ($TRUSTLAB_SAMBA_LAB, else `default`), never every lab on
    the host; `--all` is that, and says so."""
    from trustlab.backends.samba import netns

    def namespaces(lab: str) -> list[str]:
        return [f"tl-{lab}-dc", f"tl-{lab}-m"]

    name, beside = lab_name("nc"), lab_name("other")
    made = namespaces(name) + namespaces(f"{name}-x") + namespaces(beside)
    for ns in made:
        netns.create(ns)
    try:
        cleaned = subprocess.run([sys.executable, "-m", "trustlab", "lab", "clean", "--backend", "samba", "--name",
                                  name], capture_output=True, text=True, timeout=120)
        assert cleaned.returncode == 0, cleaned.stderr
        assert [ns in netns.existing() for ns in made] == [False, False, True, True, True, True]
        env = {**os.environ, "TRUSTLAB_SAMBA_LAB": f"{name}-x"}
        cleaned = subprocess.run([sys.executable, "-m", "trustlab", "lab", "clean", "--backend", "samba"], env=env,
                                 capture_output=True, text=True, timeout=120)
        assert cleaned.returncode == 0, cleaned.stderr
        assert [ns in netns.existing() for ns in made] == [False, False, False, False, True, True]
    finally:
        for ns in made:
            netns.delete(ns)
    both = subprocess.run([sys.executable, "-m", "trustlab", "lab", "clean", "--backend", "samba", "--all", "--name",
                           name], capture_output=True, text=True, timeout=120)
    assert both.returncode == 2 and "--all takes no --name" in both.stderr
    vagrant = subprocess.run([sys.executable, "-m", "trustlab", "lab", "clean", "--backend", "vagrant", "--all"],
                             capture_output=True, text=True, timeout=120)
    assert vagrant.returncode == 2 and "the vagrant backend's labs have no names" in vagrant.stderr
    assert "--all" in subprocess.run([sys.executable, "-m", "trustlab", "lab", "clean", "--help"],
                                     capture_output=True, text=True).stdout


def test_faketime_leaves_nothing_in_dev_shm(real_lab):
    """libfaketime makes a semaphore and shared memory named by the pid of each process it is preloaded into and
    removes them at exit: a tool run leaves none (it is preloaded into the tool, not into the `ip` that execs it), and
    a daemon killed before its exit code ran has its pair removed by whoever stopped it."""
    from trustlab.backends.samba import processes

    node = real_lab.node("member")
    node.offset = 86400
    pair = lambda pid: [f"/dev/shm/sem.faketime_sem_{pid}", f"/dev/shm/faketime_shm_{pid}"]   # noqa: E731
    tool = subprocess.Popen(node.argv(["date"]), env=node.env(), stdout=subprocess.PIPE, text=True)
    assert tool.communicate(timeout=30)[0].strip()
    assert not any(os.path.exists(f) for f in pair(tool.pid))
    daemon = subprocess.Popen(node.argv(["sleep", "60"]), env=node.env())
    assert _wait(lambda: all(os.path.exists(f) for f in pair(daemon.pid)), 30)   # preloaded: its pair exists
    processes.stop([daemon.pid])                  # TERM: sleep dies of it, no exit code runs
    daemon.wait(timeout=10)
    assert not any(os.path.exists(f) for f in pair(daemon.pid))


def test_the_dc_tool_worker_answers_as_samba_tool_does(real_lab):
    """samba-tool's command classes in the DC's long-lived worker give the exit status and the words of a
    samba-tool process, for commands that succeed, refuse and do not exist."""
    from trustlab.backends.samba import dc as dc_mod

    dc = real_lab.node("dc")
    where = ["-H", str(dc.dir / "private" / "sam.ldb"), "-s", str(dc.conf)]
    for args in (["user", "show", "alice"], ["computer", "show", "NOSUCH"], ["user", "disable", "bob"],
                 ["user", "enable", "bob"], ["domain", "passwordsettings", "show"], ["nosuchcommand"]):
        worker, process = dc_mod.tool(dc, *args, check=False), dc.run("samba-tool", *args, *where)
        assert (worker.rc, worker.output.split()) == (process.rc, process.output.split()), args


def test_reset_keeps_the_dc_running_and_its_answers_golden(real_lab):
    """A reset restores the running DC's databases in place: the same process answers over LDAP as after a start
    from the golden copy (a changed password and policy are back); a DC started since is reset in full."""
    import re

    from trustlab.backends.samba import dc as dc_mod
    from trustlab.backends.samba import inplace

    lab, spec = real_lab, real_lab.spec
    dc = lab.node("dc")

    def answers() -> list:
        out = dc.run("ldbsearch", "-H", f"ldap://{dc.address}", "-U", spec.admin,
                     f"--password={lab.password(spec.admin, 1)}", "-b", dc_mod.base_dn(spec.realm),
                     "(|(sAMAccountName=alice)(objectClass=domainDNS))", "pwdLastSet", "maxPwdAge",
                     faked=False).output
        return sorted(re.findall(r"^(pwdLastSet|maxPwdAge): (.*)$", out, re.M))

    inplace.forget(lab.dir)
    lab.reset()                                   # a DC started from the golden copy
    golden, pid = answers(), inplace.root_process(dc.ns)
    assert golden and pid
    dc_mod.tool(dc, "user", "setpassword", "alice", f"--newpassword={lab.password('alice', 2)}")
    dc_mod.tool(dc, "domain", "passwordsettings", "set", "--min-pwd-age=0", "--max-pwd-age=1")
    assert answers() != golden
    lab.reset()
    assert inplace.root_process(dc.ns) == pid and answers() == golden
    dc.stop_all()
    dc_mod.start(dc, spec.realm)                  # restarted: not the golden copy's process any more
    lab.reset()
    assert inplace.root_process(dc.ns) not in (None, pid) and answers() == golden
