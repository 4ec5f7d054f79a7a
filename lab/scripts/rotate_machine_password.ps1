# A machine password change started by the member, as its scavenger does (MP-1): nltest /sc_change_pwd asks Netlogon
# for the change the scavenger makes.
param([Parameter(Mandatory = $true)] [string] $Domain)

$run = Invoke-Native -FilePath 'nltest.exe' -ArgumentList @("/sc_change_pwd:$Domain")
Write-Answer @{ ok = $run.Ok; lines = $run.Lines }
