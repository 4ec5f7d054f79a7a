# The user changes their password at this computer (Ctrl+Alt+Del, Change a password): the DC takes the change.
# NetUserChangePassword authenticates with the old password itself; an ADSI bind would need credentials that a
# WinRM session (a network logon) cannot pass on to the DC (the second hop).
param(
    [Parameter(Mandatory = $true)] [string] $Domain,
    [Parameter(Mandatory = $true)] [string] $User,
    [Parameter(Mandatory = $true)] [string] $OldPassword,
    [Parameter(Mandatory = $true)] [string] $NewPassword
)

Add-Type -TypeDefinition @'
using System.Runtime.InteropServices;

public static class TrustlabPassword
{
    [DllImport("netapi32.dll", CharSet = CharSet.Unicode)]
    public static extern int NetUserChangePassword(string domainName, string userName, string oldPassword, string newPassword);
}
'@

$code = [TrustlabPassword]::NetUserChangePassword($Domain, $User, $OldPassword, $NewPassword)
Write-Answer @{ ok = ($code -eq 0); win32 = $code; error = $(if ($code -eq 0) { $null } else { "NetUserChangePassword returned $code" }) }
