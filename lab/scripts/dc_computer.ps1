# On the DC: what happens to a computer object (MP-7): ADUC's Reset Account, delete, disable, enable, or another
# machine joining under the same name (djoin /provision /reuse sets the account a new password, as such a join does).
# A refused dsmod or djoin is a failed step: each exits non-zero when it fails (djoin: the NET_API_STATUS of
# NetProvisionComputerAccount, learn.microsoft.com/en-us/windows/win32/api/lmjoin/nf-lmjoin-netprovisioncomputeraccount;
# dsmod's codes are not documented, so any non-zero one is a failure). The account is read with Find-ADIdentity:
# Get-ADComputer's not-found is terminating, and after a delete it is the answer.
param(
    [Parameter(Mandatory = $true)] [string] $Computer,
    [Parameter(Mandatory = $true)] [ValidateSet('reset', 'delete', 'disable', 'enable', 'duplicate', 'show')] [string] $Action,
    [string] $Domain = ''
)

Wait-ActiveDirectory
$account = Find-ADIdentity -Kind 'computer' -Identity $Computer -Properties @('Enabled', 'PasswordLastSet')
if ($null -eq $account) {
    Write-Answer @{ ok = ($Action -eq 'show'); exists = $false; error = "no computer account $Computer"; lines = @() }
    return
}
$lines = @()
$run = $null
if ($Action -eq 'reset') {
    $run = Invoke-Native -FilePath 'dsmod.exe' -ArgumentList @('computer', $account.DistinguishedName, '-reset')
} elseif ($Action -eq 'delete') {
    Remove-ADObject -Identity $account.DistinguishedName -Recursive -Confirm:$false
} elseif ($Action -eq 'disable') {
    Disable-ADAccount -Identity $account
} elseif ($Action -eq 'enable') {
    Enable-ADAccount -Identity $account
} elseif ($Action -eq 'duplicate') {
    $file = Join-Path $env:TEMP ('trustlab-djoin-' + [guid]::NewGuid().ToString() + '.txt')
    $run = Invoke-Native -FilePath 'djoin.exe' -ArgumentList @('/provision', '/domain', $Domain, '/machine', $Computer,
                                                               '/reuse', '/savefile', $file)
    Remove-Item -LiteralPath $file -ErrorAction SilentlyContinue
}
$ok = $true
$failure = $null
$code = $null
if ($null -ne $run) {
    $lines = $run.Lines
    $ok = $run.Ok
    if (-not $ok) {
        $code = $run.ExitCode
        $failure = "$Action of $Computer refused (exit $code)"
    }
}
$account = Find-ADIdentity -Kind 'computer' -Identity $Computer -Properties @('Enabled', 'PasswordLastSet')
$exists = $null -ne $account
if ($Action -eq 'delete' -and $exists) {
    $ok = $false
    $failure = "$Computer is still there after Remove-ADObject"
}
$set = $null
if ($exists -and $null -ne $account.PasswordLastSet) {
    $set = $account.PasswordLastSet.ToUniversalTime().ToString('o')
}
Write-Answer @{ ok = $ok; exists = $exists; enabled = ($exists -and $account.Enabled); password_last_set = $set
                lines = $lines; error = $failure; win32 = $code }
