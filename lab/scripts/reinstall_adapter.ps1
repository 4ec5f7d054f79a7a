# Uninstall the present lab adapter without deleting its driver (NW-4); the harness reboots so it is re-detected.
param([Parameter(Mandatory = $true)] [string] $MacAddress)

$adapter = Get-LabAdapter -MacAddress $MacAddress
if ($null -eq $adapter) {
    Write-Answer @{ ok = $false; error = 'no present adapter has the lab MAC address' }
    return
}
$run = Invoke-Native -FilePath 'pnputil.exe' -ArgumentList @('/remove-device', $adapter.PnPDeviceID)
Write-Answer @{ ok = ($run.ExitCode -eq 0); error = $null; lines = $run.Lines }
