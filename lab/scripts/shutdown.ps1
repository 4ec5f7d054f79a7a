# Shut down now, as a user does before the laptop goes into the drawer (the harness waits for the VM to be off).
$run = Invoke-Native -FilePath 'shutdown.exe' -ArgumentList @('/s', '/t', '2', '/f')
Write-Answer @{ ok = $run.Ok; lines = $run.Lines }
