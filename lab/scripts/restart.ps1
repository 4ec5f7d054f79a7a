# Restart now. A volatile registry key marks this boot first: it is gone after the restart (a volatile key lives in
# memory only, RegistryOptions.Volatile), which is how the harness tells the new boot from the old one; boot times
# follow the clock, which the harness moves.
$key = [Microsoft.Win32.Registry]::LocalMachine.CreateSubKey('SOFTWARE\trustlab-boot',
       [Microsoft.Win32.RegistryKeyPermissionCheck]::Default, [Microsoft.Win32.RegistryOptions]::Volatile)
$key.Close()
$run = Invoke-Native -FilePath 'shutdown.exe' -ArgumentList @('/r', '/t', '2', '/f')
Write-Answer @{ ok = $run.Ok; lines = $run.Lines }
