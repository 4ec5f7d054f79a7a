# Give the present lab adapter the lab's static address. The network control panel warns when a hidden adapter
# holds it (NW-2); PowerShell does not, so the warning is found here and the answer (cancel or apply) honoured. Only
# an installed, non-present adapter counts (KB269155): the TCP/IP keys of removed devices stay in the registry and
# warn of nothing.
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
$conflict = $null
foreach ($hidden in @(Get-HiddenNic)) {
    if (@($hidden.static_ipv4) -contains $Address) {
        $conflict = $hidden.name
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
