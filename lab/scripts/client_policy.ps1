# The member's own policies: CachedLogonsCount (LG-3), MaximumPasswordAge and DisablePasswordChange (MP-1, MP-2),
# and the KB5020276 account-reuse block (SC-7). A value left out is left as it is.
param([int] $CachedLogonsCount = -1, [int] $MachinePasswordAgeDays = -1, [int] $DisablePasswordChange = -1,
      [int] $BlockAccountReuse = -1)

$winlogon = 'HKLM:\SOFTWARE\Microsoft\Windows NT\CurrentVersion\Winlogon'
$netlogon = 'HKLM:\SYSTEM\CurrentControlSet\Services\Netlogon\Parameters'
$lsa = 'HKLM:\SYSTEM\CurrentControlSet\Control\Lsa'
if ($CachedLogonsCount -ge 0) {
    Set-ItemProperty -Path $winlogon -Name 'CachedLogonsCount' -Value ([string]$CachedLogonsCount) -Type String
}
if ($MachinePasswordAgeDays -ge 0) {
    Set-ItemProperty -Path $netlogon -Name 'MaximumPasswordAge' -Value $MachinePasswordAgeDays -Type DWord
}
if ($DisablePasswordChange -ge 0) {
    Set-ItemProperty -Path $netlogon -Name 'DisablePasswordChange' -Value $DisablePasswordChange -Type DWord
}
if ($BlockAccountReuse -ge 0) {
    Set-ItemProperty -Path $lsa -Name 'NetJoinLegacyAccountReuse' -Value (1 - $BlockAccountReuse) -Type DWord
}
Write-Answer @{ ok = $true }
