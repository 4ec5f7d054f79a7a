# Remove non-present network adapters (NW-3): pnputil /remove-device for each one Get-PnpDevice lists as Unknown.
$removed = @()
$failed = @()
foreach ($device in @(Get-PnpDevice -Class Net -ErrorAction SilentlyContinue | Where-Object { $_.Status -eq 'Unknown' })) {
    $run = Invoke-Native -FilePath 'pnputil.exe' -ArgumentList @('/remove-device', $device.InstanceId)
    if ($run.ExitCode -eq 0) {
        $removed += $device.FriendlyName
    } else {
        $failed += $device.FriendlyName
    }
}
Write-Answer @{ removed = $removed; failed = $failed }
