# Give the present lab adapter the lab's static address. The network control panel warns when a hidden adapter
# holds it (NW-2); PowerShell does not, so the warning is found here and the answer (cancel or apply) honoured.
param(
    [Parameter(Mandatory = $true)] [string] $MacAddress,
    [Parameter(Mandatory = $true)] [string] $Address,
    [Parameter(Mandatory = $true)] [int] $PrefixLength,
    [Parameter(Mandatory = $true)] [string] $DnsServer,
    [Parameter(Mandatory = $true)] [ValidateSet('cancel', 'apply')] [string] $OnConflict
)

$adapter = Get-LabAdapter -MacAddress $MacAddress
if ($null -eq $adapter) {
    Write-Answer @{ ok = $false; conflict = $null; applied = $false; error = 'no present adapter has the lab MAC address' }
    return
}
$interfaces = 'HKLM:\SYSTEM\CurrentControlSet\Services\Tcpip\Parameters\Interfaces'
$conflict = $null
foreach ($key in @(Get-ChildItem -Path $interfaces)) {
    if ($key.PSChildName -eq [string]$adapter.InterfaceGuid) {
        continue
    }
    $settings = Get-ItemProperty -Path $key.PSPath -ErrorAction SilentlyContinue
    if ($null -ne $settings -and $settings.EnableDHCP -eq 0 -and @($settings.IPAddress) -contains $Address) {
        $conflict = $key.PSChildName
    }
}
if ($null -ne $conflict -and $OnConflict -eq 'cancel') {
    Write-Answer @{ ok = $true; conflict = $conflict; applied = $false; error = $null }
    return
}
Get-NetIPAddress -InterfaceIndex $adapter.ifIndex -AddressFamily IPv4 -ErrorAction SilentlyContinue |
    Remove-NetIPAddress -Confirm:$false -ErrorAction SilentlyContinue
Set-NetIPInterface -InterfaceIndex $adapter.ifIndex -Dhcp Disabled
New-NetIPAddress -InterfaceIndex $adapter.ifIndex -IPAddress $Address -PrefixLength $PrefixLength | Out-Null
Set-DnsClientServerAddress -InterfaceIndex $adapter.ifIndex -ServerAddresses @($DnsServer)
Write-Answer @{ ok = $true; conflict = $conflict; applied = $true; error = $null }
