# The lab adapter and the hidden ones (NW-1, NW-3: Get-PnpDevice shows non-present devices as Unknown), the static
# addresses hidden adapters still hold, and whether the DC answers on LDAP.
param([Parameter(Mandatory = $true)] [string] $DcAddress, [Parameter(Mandatory = $true)] [string] $Address)

$devices = @(Get-PnpDevice -Class Net -ErrorAction SilentlyContinue)
$interfaces = 'HKLM:\SYSTEM\CurrentControlSet\Services\Tcpip\Parameters\Interfaces'
$present = @()
foreach ($adapter in @(Get-NetAdapter -ErrorAction SilentlyContinue)) {
    $ip = @(Get-NetIPAddress -InterfaceIndex $adapter.ifIndex -AddressFamily IPv4 -ErrorAction SilentlyContinue |
            ForEach-Object { $_.IPAddress })
    $present += @{ name = $adapter.Name; status = [string]$adapter.Status; mac = $adapter.MacAddress
                   guid = [string]$adapter.InterfaceGuid; ipv4 = $ip }
}
$hidden = @()
foreach ($device in $devices | Where-Object { $_.Status -eq 'Unknown' }) {
    $guid = (Get-PnpDeviceProperty -InstanceId $device.InstanceId -KeyName 'DEVPKEY_Device_Driver' `
             -ErrorAction SilentlyContinue).Data
    $static = @()
    $netCfg = Get-ItemProperty -Path ("HKLM:\SYSTEM\CurrentControlSet\Control\Class\" + $guid) `
              -Name 'NetCfgInstanceId' -ErrorAction SilentlyContinue
    if ($null -ne $netCfg) {
        $settings = Get-ItemProperty -Path (Join-Path $interfaces $netCfg.NetCfgInstanceId) -ErrorAction SilentlyContinue
        if ($null -ne $settings -and $settings.EnableDHCP -eq 0) {
            $static = @($settings.IPAddress)
        }
    }
    $hidden += @{ name = $device.FriendlyName; instance = $device.InstanceId; static_ipv4 = $static }
}
$reachable = $false
$client = New-Object System.Net.Sockets.TcpClient
try {
    $reachable = $client.ConnectAsync($DcAddress, 389).Wait(3000)
} catch {
    $reachable = $false
} finally {
    $client.Dispose()
}
Write-Answer @{ present = $present; hidden = $hidden; dc_reachable = $reachable; address = $Address }
