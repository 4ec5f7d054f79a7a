# Uninstall the present lab adapter without deleting its driver (NW-4); the harness reboots so it is re-detected.
# pnputil also succeeds with 3010 and 1641 (a restart needed or started: "PnPUtil return values").
param([Parameter(Mandatory = $true)] [string] $MacAddress)

$adapter = Get-LabAdapter -MacAddress $MacAddress
if ($null -eq $adapter) {
    Write-Answer @{ ok = $false; error = 'no present adapter has the lab MAC address' }
    return
}
$run = Invoke-Native -FilePath 'pnputil.exe' -ArgumentList @('/remove-device', $adapter.PnPDeviceID) `
       -SuccessCodes @(0, 3010, 1641)
Write-Answer @{ ok = $run.Ok; restart_needed = $run.RestartNeeded; exit_code = $run.ExitCode; error = $null
                lines = $run.Lines }
