# Restart now (the harness waits for the new boot time).
$run = Invoke-Native -FilePath 'shutdown.exe' -ArgumentList @('/r', '/t', '2', '/f')
Write-Answer @{ ok = ($run.ExitCode -eq 0); lines = $run.Lines }
