"""The DC-side oracle's worker: runs inside the lab's DC namespace under the DC's clock (libfaketime) and asks the DC
with impacket, a client trustlab did not write. Started once per lab and clock (`python oracle_worker.py`), it reads
one JSON request a line on stdin and writes one JSON answer a line: an interpreter and impacket's import cost about
0.5 s, a probe in a running worker 0.04 to 0.14 s (notes/issue19-dc-oracle.md, "Cost per probe"). Secrets come on
stdin only, never on a command line or in the environment, and no answer carries one. It imports nothing of
trustlab, so it runs as a plain file.

    {"probe": "netlogon", "dc_ip", "domain", "account", "secret", "computer_name"}  NetrServerAuthenticate3
    {"probe": "kerberos", "dc_ip", "realm", "principal", "secret"}                  an AS-REQ (PA-ENC-TIMESTAMP)
    {"probe": "session", "dc_ip", "domain", "user", "secret", "computer_name"}      an SMB session with NTLMSSP

An answer is {"status", "answered"}: `status` the DC's own name (NT_STATUS_*, a Kerberos error name, OK) or
NO_ANSWER when nothing answered, so a refusal is told from an unreachable DC."""
from __future__ import annotations

import hashlib
import json
import os
import socket
import sys
from struct import unpack

TIMEOUT = 5.0


def _nt_name(code: int) -> str:
    from impacket import nt_errors
    entry = nt_errors.ERROR_MESSAGES.get(code)
    return f"NT_{entry[0]}" if entry else f"NT_STATUS_0x{code:08x}"


def netlogon(req: dict) -> dict:
    """NetrServerReqChallenge + NetrServerAuthenticate3 (workstation channel, AES) for the account with the secret,
    under a computer name of the oracle's own: the DC keys its challenge and its schannel state by computer name
    (schannel_state_tdb.c), so a probe as the member's own name would replace winbind's channel (seen: its next
    logons fail WRONG_PASSWORD). Samba 4.17 does not compare the account with the computer name."""
    from impacket import ntlm
    from impacket.dcerpc.v5 import epm, nrpc, transport
    from impacket.dcerpc.v5.rpcrt import DCERPCException
    try:
        binding = epm.hept_map(req["dc_ip"], nrpc.MSRPC_UUID_NRPC, protocol="ncacn_ip_tcp")
        dce = transport.DCERPCTransportFactory(binding).get_dce_rpc()
        dce.connect()
        dce.bind(nrpc.MSRPC_UUID_NRPC)
    except (OSError, DCERPCException) as e:
        code = getattr(e, "error_code", None)
        return {"status": _nt_name(code) if code else "NO_ANSWER", "answered": bool(code)}
    name = req["computer_name"] + "\x00"
    try:
        client = os.urandom(8)
        server = nrpc.hNetrServerReqChallenge(dce, "\x00", name, client)["ServerChallenge"]
        key = nrpc.ComputeSessionKeyAES(None, client, server, ntlm.compute_nthash(req["secret"]))
        resp = nrpc.hNetrServerAuthenticate3(dce, "\x00", req["account"] + "\x00",
                                             nrpc.NETLOGON_SECURE_CHANNEL_TYPE.WorkstationSecureChannel, name,
                                             nrpc.ComputeNetlogonCredentialAES(client, key), 0x612FFFFF)
        mutual = nrpc.ComputeNetlogonCredentialAES(server, key) == resp["ServerCredential"]
        return {"status": "NT_STATUS_OK" if mutual else "SERVER_CREDENTIAL_MISMATCH", "answered": True}
    except DCERPCException as e:
        code = e.get_error_code()
        return {"status": _nt_name(int(code)) if code is not None else "RPC_ERROR", "answered": True}
    except OSError:
        return {"status": "NO_ANSWER", "answered": False}
    finally:
        try:
            dce.disconnect()
        except Exception:
            pass


def _fast_string_to_key() -> None:
    """impacket derives AES keys with a pure-Python PBKDF2 (0.7 s a key here); RFC 3962's string-to-key is
    PBKDF2-HMAC-SHA1, which hashlib computes in C: the same bytes (tests/backends/samba/test_oracle.py compares
    both), a hundred times faster."""
    from impacket.krb5 import crypto

    def string_to_key(cls, string, salt, params):
        string = string if isinstance(string, bytes) else string.encode("utf-8")
        salt = salt if isinstance(salt, bytes) else salt.encode("utf-8")
        (iterations,) = unpack(">L", params or b"\x00\x00\x10\x00")
        seed = hashlib.pbkdf2_hmac("sha1", string, salt, iterations, cls.seedsize)
        return cls.derive(cls.random_to_key(seed), b"kerberos")

    if "_slow_string_to_key" not in crypto._AESEnctype.__dict__:
        crypto._AESEnctype._slow_string_to_key = crypto._AESEnctype.__dict__["string_to_key"]
        crypto._AESEnctype.string_to_key = classmethod(string_to_key)


def kerberos(req: dict) -> dict:
    """An AS-REQ with the secret (impacket getKerberosTGT: AES keys from the KDC's salt). The KDC checks the
    pre-authentication against the current keys only: no old-password window (heimdal kdc/kerberos5.c)."""
    _fast_string_to_key()
    from impacket.krb5 import constants
    from impacket.krb5.kerberosv5 import KerberosError, getKerberosTGT
    from impacket.krb5.types import Principal
    try:
        name = Principal(req["principal"], type=constants.PrincipalNameType.NT_PRINCIPAL.value)
        getKerberosTGT(name, req["secret"], req["realm"].upper(), b"", b"", "", kdcHost=req["dc_ip"])
        return {"status": "OK", "answered": True}
    except KerberosError as e:
        code = int(e.getErrorCode())
        try:
            return {"status": constants.ErrorCodes(code).name, "answered": True}
        except ValueError:
            return {"status": f"KRB_ERROR_{code}", "answered": True}
    except OSError:
        return {"status": "NO_ANSWER", "answered": False}


def session(req: dict) -> dict:
    """An SMB session set up with NTLMSSP as the account: winbind's first step before NETLOGON, and where a Samba
    DC accepts the previous password for `old password allowed period` (auth_sam.c)."""
    from impacket import ntlm
    from impacket.smbconnection import SessionError, SMBConnection
    try:
        conn = SMBConnection(req["dc_ip"], req["dc_ip"], myName=req["computer_name"], timeout=TIMEOUT)
    except Exception:                  # impacket wraps socket errors in its own types
        return {"status": "NO_ANSWER", "answered": False}
    try:
        conn.login(req["user"], "", domain=req["domain"], nthash=ntlm.compute_nthash(req["secret"]).hex())
        conn.logoff()
        return {"status": "NT_STATUS_OK", "answered": True}
    except SessionError as e:
        return {"status": _nt_name(int(e.getErrorCode())), "answered": True}
    except Exception:
        return {"status": "NO_ANSWER", "answered": False}
    finally:
        try:
            conn.close()
        except Exception:
            pass


PROBES = {"netlogon": netlogon, "kerberos": kerberos, "session": session}


def serve(lines, out) -> None:
    for line in lines:
        req = json.loads(line)
        try:
            answer = PROBES[req["probe"]](req)
        except Exception as e:         # a probe's own failure is an answer too, never a dead worker
            answer = {"status": f"PROBE_ERROR {type(e).__name__}", "answered": False}
        out.write(json.dumps(answer) + "\n")
        out.flush()


if __name__ == "__main__":
    socket.setdefaulttimeout(TIMEOUT)
    serve(sys.stdin, sys.stdout)
