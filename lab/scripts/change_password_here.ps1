# The user changes their password at this computer (Ctrl+Alt+Del, Change a password): the DC takes the change.
param(
    [Parameter(Mandatory = $true)] [string] $Domain,
    [Parameter(Mandatory = $true)] [string] $User,
    [Parameter(Mandatory = $true)] [string] $OldPassword,
    [Parameter(Mandatory = $true)] [string] $NewPassword
)

try {
    $account = [ADSI]("WinNT://" + $Domain + "/" + $User + ",user")
    $account.ChangePassword($OldPassword, $NewPassword)
    Write-Answer @{ ok = $true; error = $null; win32 = $null }
} catch {
    Write-Answer @{ ok = $false; error = $_.Exception.Message; win32 = (Get-ErrorCode $_) }
}
