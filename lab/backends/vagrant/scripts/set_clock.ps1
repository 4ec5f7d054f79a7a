# Move this machine's clock by a number of seconds, with the time service stopped so nothing moves it back.
param([Parameter(Mandatory = $true)] [double] $Seconds)

Stop-Service -Name W32Time -Force -ErrorAction SilentlyContinue
Set-Service -Name W32Time -StartupType Disabled
$now = Set-Date -Adjust ([TimeSpan]::FromSeconds($Seconds))
Write-Answer @{ now = $now.ToUniversalTime().ToString('o') }
