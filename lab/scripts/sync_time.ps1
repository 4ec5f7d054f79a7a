# What an admin does for a wrong clock on a member: let W32Time take the time from the domain hierarchy (LG-8),
# then stop it again so the harness keeps control of the clocks. The NTP client provider, off in the lab, is on
# only meanwhile.
$provider = 'HKLM:\SYSTEM\CurrentControlSet\Services\W32Time\TimeProviders\NtpClient'
Set-ItemProperty -Path $provider -Name 'Enabled' -Value 1 -Type DWord
Set-Service -Name W32Time -StartupType Manual
Start-Service -Name W32Time
try {
    $config = Invoke-Native -FilePath 'w32tm.exe' -ArgumentList @('/config', '/syncfromflags:domhier', '/update')
    $resync = Invoke-Native -FilePath 'w32tm.exe' -ArgumentList @('/resync', '/force')
} finally {
    Stop-Service -Name W32Time -Force
    Set-Service -Name W32Time -StartupType Disabled
    Set-ItemProperty -Path $provider -Name 'Enabled' -Value 0 -Type DWord
}
Write-Answer @{ ok = ($resync.ExitCode -eq 0); lines = ($config.Lines + $resync.Lines)
                now = (Get-Date).ToUniversalTime().ToString('o') }
