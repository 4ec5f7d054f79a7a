# On the client: no path to the DC except through the lab cable. The management adapters (Vagrant's NAT, Hyper-V's
# Default Switch, libvirt's management network) reach the host and the DC's own management address, so an
# unplugged lab cable would not make the laptop offline; an outbound block on those adapters for the lab network and
# the DC's management addresses does. WinRM's answers still flow: they belong to connections the host opened.
param(
    [Parameter(Mandatory = $true)] [string] $MacAddress,
    [Parameter(Mandatory = $true)] [string[]] $Blocked
)

$wanted = $MacAddress.Replace(':', '-').ToUpperInvariant()
$management = @(Get-NetAdapter | Where-Object { $_.MacAddress -ne $wanted } | ForEach-Object { $_.Name })
# Behind VirtualBox's NAT every guest has the same address: the DC's is this machine's own, no path to the DC.
$own = @(Get-NetIPAddress -AddressFamily IPv4 -ErrorAction SilentlyContinue | ForEach-Object { $_.IPAddress })
$remote = @($Blocked | Where-Object { $own -notcontains $_ })
Get-NetFirewallRule -Group 'trustlab' -ErrorAction SilentlyContinue | Remove-NetFirewallRule
if ($management.Count -gt 0 -and $remote.Count -gt 0) {
    New-NetFirewallRule -Name 'trustlab-offline' -DisplayName 'trustlab: the DC only through the lab cable' `
        -Group 'trustlab' -Direction Outbound -Action Block -RemoteAddress $remote -InterfaceAlias $management | Out-Null
}
Write-Answer @{ ok = $true; management = $management; blocked = $remote }
