# The member's own policies: CachedLogonsCount (LG-3), MaximumPasswordAge and DisablePasswordChange (MP-1, MP-2).
# A value left out is left as it is. (The KB5020276 opt-out NetJoinLegacyAccountReuse is gone since August 2024:
# SC-7; the lab's reuse rules are the accounts' creators, not a switch.)
param([int] $CachedLogonsCount = -1, [int] $MachinePasswordAgeDays = -1, [int] $DisablePasswordChange = -1)

$winlogon = 'HKLM:\SOFTWARE\Microsoft\Windows NT\CurrentVersion\Winlogon'
$netlogon = 'HKLM:\SYSTEM\CurrentControlSet\Services\Netlogon\Parameters'
if ($CachedLogonsCount -ge 0) {
    Set-ItemProperty -Path $winlogon -Name 'CachedLogonsCount' -Value ([string]$CachedLogonsCount) -Type String
}
if ($MachinePasswordAgeDays -ge 0) {
    Set-ItemProperty -Path $netlogon -Name 'MaximumPasswordAge' -Value $MachinePasswordAgeDays -Type DWord
}
if ($DisablePasswordChange -ge 0) {
    Set-ItemProperty -Path $netlogon -Name 'DisablePasswordChange' -Value $DisablePasswordChange -Type DWord
}
Write-Answer @{ ok = $true }
