# On the DC: what happens to a computer object (MP-7): ADUC's Reset Account, delete, disable, enable, or another
# machine joining under the same name (djoin /provision /reuse sets the account a new password, as such a join does).
param(
    [Parameter(Mandatory = $true)] [string] $Computer,
    [Parameter(Mandatory = $true)] [ValidateSet('reset', 'delete', 'disable', 'enable', 'duplicate', 'show')] [string] $Action,
    [string] $Domain = ''
)

Wait-ActiveDirectory
try {
    $account = Get-ADComputer -Identity $Computer -Properties @('Enabled', 'PasswordLastSet')
} catch {
    Write-Answer @{ ok = ($Action -eq 'show'); exists = $false; error = $_.Exception.Message }
    return
}
$lines = @()
if ($Action -eq 'reset') {
    $lines = (Invoke-Native -FilePath 'dsmod.exe' -ArgumentList @('computer', $account.DistinguishedName, '-reset')).Lines
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
    $lines = $run.Lines
}
$account = Get-ADComputer -Identity $Computer -Properties @('Enabled', 'PasswordLastSet') -ErrorAction SilentlyContinue
$exists = $null -ne $account
$set = $null
if ($exists -and $null -ne $account.PasswordLastSet) {
    $set = $account.PasswordLastSet.ToUniversalTime().ToString('o')
}
Write-Answer @{ ok = $true; exists = $exists; enabled = ($exists -and $account.Enabled); password_last_set = $set
                lines = $lines; error = $null }
