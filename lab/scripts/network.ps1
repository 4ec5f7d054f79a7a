# The adapters and the hidden lab NICs (NW-1, NW-3), the static addresses hidden NICs still hold, and whether the DC
# answers on LDAP.
param([Parameter(Mandatory = $true)] [string] $DcAddress, [Parameter(Mandatory = $true)] [string] $Address)

$present = @()
foreach ($adapter in @(Get-NetAdapter -ErrorAction SilentlyContinue)) {
    $ip = @(Get-NetIPAddress -InterfaceIndex $adapter.ifIndex -AddressFamily IPv4 -ErrorAction SilentlyContinue |
            ForEach-Object { $_.IPAddress })
    $present += @{ name = $adapter.Name; status = [string]$adapter.Status; mac = $adapter.MacAddress
                   guid = [string]$adapter.InterfaceGuid; ipv4 = $ip }
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
Write-Answer @{ present = $present; hidden = @(Get-HiddenNic); dc_reachable = $reachable; address = $Address }
