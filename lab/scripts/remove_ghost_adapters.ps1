# Remove the hidden lab NICs (NW-3): pnputil /remove-device for each one; it also succeeds with 3010 and 1641 (a
# restart needed or started: "PnPUtil return values").
$removed = @()
$failed = @()
$restart = $false
foreach ($ghost in @(Get-HiddenNic)) {
    $run = Invoke-Native -FilePath 'pnputil.exe' -ArgumentList @('/remove-device', $ghost.instance) `
           -SuccessCodes @(0, 3010, 1641)
    if ($run.Ok) {
        $removed += $ghost.name
        $restart = $restart -or $run.RestartNeeded
    } else {
        $failed += "$($ghost.name) (exit $($run.ExitCode))"
    }
}
Write-Answer @{ removed = $removed; failed = $failed; restart_needed = $restart }
