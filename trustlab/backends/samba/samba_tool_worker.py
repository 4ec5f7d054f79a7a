"""samba-tool's own command classes run by one long-lived process per DC, on one sam.ldb connection (issue 23): a
samba-tool process spends ~0.3 s opening sam.ldb and loading the schema for a change of 0.03-0.09 s. Run by the
system's python3 (where the samba modules are), under the DC's environment: its namespace, /run/samba and clock.

One JSON object a line on stdin, {"argv": [samba-tool's arguments]} or {"pwdlastset": "ACCOUNT$"}; one JSON line
back, {"rc": int, "out": str}. A command runs as /usr/bin/samba-tool runs it (cmd_sambatool()._run("samba-tool",
subcommand, *args); SystemExit's code, or 1 after show_command_error; the exit status modulo 256). The changes:
every `SamDB(url=...)` of the user, computer, domain and group commands is the one connection opened for that url
(ldb re-reads its caches when another process wrote: the tdb sequence number, lib/ldb/ldb_tdb/ldb_tdb.c), a
command's outf/errf are the current sys.stdout/sys.stderr (Command.__init__ binds them when it is made), and the
log handlers a command adds (samba.logger.get_samba_logger) are removed after it."""
import io
import json
import logging
import sys

import samba.netcmd
from samba.auth import system_session
from samba.netcmd.main import cmd_sambatool
from samba.samdb import SamDB

_connections = {}
_out = sys.stdout


def shared(url=None, session_info=None, credentials=None, lp=None, **kwargs):
    if url not in _connections:
        _connections[url] = SamDB(url=url, session_info=session_info or system_session(), credentials=credentials,
                                  lp=lp, **kwargs)
    return _connections[url]


for _name in ("user", "computer", "domain", "group"):
    __import__(f"samba.netcmd.{_name}", fromlist=["SamDB"]).SamDB = shared
samba.netcmd.Command.outf = property(lambda self: sys.stdout, lambda self, value: None)
samba.netcmd.Command.errf = property(lambda self: sys.stderr, lambda self, value: None)


def samba_tool(argv):
    cmd = cmd_sambatool()
    try:
        rc = cmd._run("samba-tool", argv[0], *argv[1:])
    except SystemExit as e:
        rc = e.code
    except Exception as e:     # noqa: BLE001 (as /usr/bin/samba-tool: the command's error, status 1)
        cmd.show_command_error(e)
        rc = 1
    if rc is None:
        return 0
    return rc % 256 if isinstance(rc, int) else 1


def password_last_set(url, account):
    db = shared(url=url)
    found = db.search(base=db.domain_dn(), expression=f"(sAMAccountName={account})", attrs=["pwdLastSet"])
    return 0, str(found[0]["pwdLastSet"][0]) if len(found) and "pwdLastSet" in found[0] else ""


def serve(url):
    for line in sys.stdin:
        request = json.loads(line)
        buf = io.StringIO()
        sys.stdout = sys.stderr = buf
        try:
            if "pwdlastset" in request:
                rc, text = password_last_set(url, request["pwdlastset"])
                buf.write(text)
            else:
                rc = samba_tool(request["argv"])
        except Exception as e:     # noqa: BLE001
            rc = 1
            buf.write(f"ERROR: {e}\n")
        finally:
            sys.stdout, sys.stderr = _out, sys.__stderr__
            for logger in [logging.getLogger(), *logging.Logger.manager.loggerDict.values()]:
                if isinstance(logger, logging.Logger):
                    logger.handlers.clear()
        _out.write(json.dumps({"rc": rc, "out": buf.getvalue()}) + "\n")
        _out.flush()


if __name__ == "__main__":
    serve(sys.argv[1])
