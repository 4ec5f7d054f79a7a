# On the DC: a user's password changed by the user elsewhere (old and new), set by an admin, or flagged for a change
# at the next logon.
param(
    [Parameter(Mandatory = $true)] [string] $User,
    [Parameter(Mandatory = $true)] [ValidateSet('change', 'set', 'force_change')] [string] $Action,
    [string] $OldPassword = '',
    [string] $NewPassword = ''
)

Wait-ActiveDirectory
try {
    if ($Action -eq 'change') {
        $old = ConvertTo-SecureString -String $OldPassword -AsPlainText -Force
        $new = ConvertTo-SecureString -String $NewPassword -AsPlainText -Force
        Set-ADAccountPassword -Identity $User -OldPassword $old -NewPassword $new
    } elseif ($Action -eq 'set') {
        $new = ConvertTo-SecureString -String $NewPassword -AsPlainText -Force
        Set-ADAccountPassword -Identity $User -Reset -NewPassword $new
        Set-ADUser -Identity $User -ChangePasswordAtLogon $false
    } else {
        Set-ADUser -Identity $User -ChangePasswordAtLogon $true
    }
    Write-Answer @{ ok = $true; error = $null }
} catch {
    Write-Answer @{ ok = $false; error = $_.Exception.Message }
}
