# What an admin does for a wrong clock on a member: let W32Time take the time from the domain hierarchy (LG-8),
# then stop it again so the harness keeps control of the clocks.
Set-Service -Name W32Time -StartupType Manual
Start-Service -Name W32Time
$config = Invoke-Native -FilePath 'w32tm.exe' -ArgumentList @('/config', '/syncfromflags:domhier', '/update')
$resync = Invoke-Native -FilePath 'w32tm.exe' -ArgumentList @('/resync', '/force')
Stop-Service -Name W32Time -Force
Set-Service -Name W32Time -StartupType Disabled
Write-Answer @{ ok = ($resync.ExitCode -eq 0); lines = ($config.Lines + $resync.Lines)
                now = (Get-Date).ToUniversalTime().ToString('o') }
