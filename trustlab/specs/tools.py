"""What the tools and dialogs at a lab computer say (SC-3, SC-4, SC-5, SC-7, NW-2), in the words every backend uses
for them and the console shows: one text per message, so a technician reads the same words whichever backend
answers."""
from __future__ import annotations

from trustlab.specs.outcomes import Outcome

POWERED_OFF = "{computer} is powered off"
NEEDS_ADMIN = "{computer}: this needs an administrator session (local_admin_logon first)"

# What the tools and dialogs say (SC-3, SC-4, SC-5, SC-7), in the words every backend uses for them.
ALREADY_JOINED = "{computer} is already joined to {domain}"
ALREADY_OFF = "{computer} is already off"
ALREADY_ON = "{computer} is already on"
NOT_SIGNED_IN = "{user} is not signed in at {computer}"
NO_SNAPSHOT = "{computer} has no snapshot {name!r}"
NO_ACCOUNT = "no computer account {computer}"
NOT_IN_DOMAIN = "{tool}: the computer is not joined to a domain"
DC_UNREACHABLE = "{tool}: the server is not operational ({domain} unreachable)"
ACCOUNT_NOT_FOUND = "{tool}: the computer account {computer} was not found in {domain}"
RESET_DENIED = ("Cannot reset the secure channel password for the computer account in the domain {domain}. "
                "Access is denied.")                                                    # SC-4
CHANNEL_STATE = "The secure channel between the local computer and the domain {domain} is {state}."   # SC-3
NETDOM_RESET = ["The machine account password for the local machine has been successfully reset.",
                "The command completed successfully."]                                  # SC-5
JOIN_DENIED = "Add-Computer: Access is denied."
NO_JOINER = "Add-Computer: this lab has no delegated joining account (lab: joiner)"
REUSE_BLOCKED = ("2732: An account with the same name exists in Active Directory. "
                 "Re-using the account was blocked by security policy.")               # SC-7, KB5020276
LEFT = "Remove-Computer: left the domain; restarted"
JOINED = "Add-Computer: joined {domain} as {computer}; restarted"
DOMAIN_UNAVAILABLE = Outcome.NOT_JOINED.meaning.en
PASSWORD_CHANGED = "{user} changed the password ({where})"
CHANGE_NEEDS_DC = "{computer}: the domain isn't available to change the password"
MUST_CHANGE = "{user} must change the password at next logon"
DUPLICATE_JOINED = "another computer joined the domain as {computer}"
DUPLICATE_WARNING = (  # NW-2, KB269155
    "The IP address {ip} you have entered for this network adapter is already assigned to another adapter '{name}'. "
    "'{name}' is hidden from the network and Dial-up Connections folder because it is not physically in the "
    "computer or is a legacy adapter that is not working.")

# gpupdate (TM-2): its progress lines, and the Group Policy events it reports when processing fails: event 1129 (no
# connectivity to a DC) and event 1006 (the computer could not authenticate to AD: a broken secure channel).
# learn.microsoft.com: "gpupdate" (Windows commands) and "Troubleshoot Group Policy event IDs 1129 / 1006".
GPUPDATE_OK = ["Updating policy...", "", "Computer Policy update has completed successfully.",
               "User Policy update has completed successfully."]
GPUPDATE_FAILED = ["Updating policy...", "",
                   "Computer policy could not be updated successfully. The following errors were encountered:", ""]
GP_NO_DC = ("The processing of Group Policy failed because of lack of network connectivity to a domain controller. "
            "This may be a transient condition.")
GP_NO_AUTH = ("The processing of Group Policy failed. Windows could not authenticate to the Active Directory service "
              "on a domain controller. (LDAP Bind function call failed). Look in the details tab for error code and "
              "description.")

# What a tool says when a plain user runs what needs an administrator (the model's NEEDS_ADMIN, in Windows' words):
# nltest's I_NetLogonControl status line (the form of SC-2's lines) with Win32 error 5; netsh's elevation refusal;
# the Win32 text of ERROR_ACCESS_DENIED elsewhere (learn.microsoft.com, System Error Codes 0-499: "Access is
# denied.").
ACCESS_DENIED = {
    "nltest": "I_NetLogonControl failed: Status = 5 0x5 ERROR_ACCESS_DENIED",
    "sc_query": "I_NetLogonControl failed: Status = 5 0x5 ERROR_ACCESS_DENIED",
    "sc_change_pwd": "I_NetLogonControl failed: Status = 5 0x5 ERROR_ACCESS_DENIED",
    "configure_ip": "The requested operation requires elevation (Run as administrator).",
    "resync": "The following error occurred: Access is denied. (0x80070005)",
}


def access_denied(screen: str, program: str) -> str:
    if screen in ACCESS_DENIED:
        return ACCESS_DENIED[screen]
    if "-" in program:                                   # a cmdlet
        return f"{program} : Access is denied."
    return "Access is denied."
