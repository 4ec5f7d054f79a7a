# Both machines, first boot: the lab address on the lab adapter (found by its MAC, never guessed), the management
# adapters kept out of the lab (no DNS registration, no IPv6, DNS only from the DC), the host's time kept out of the
# guest, the box's own hidden NICs removed, and WinRM ready. Settings arrive as one base64 JSON argument.
param([Parameter(Mandatory = $true)] [string] $Settings)

$ErrorActionPreference = 'Stop'
$lab = [System.Text.Encoding]::UTF8.GetString([System.Convert]::FromBase64String($Settings)) | ConvertFrom-Json
$machine = $lab.machine

# The hypervisor's time provider off: the lab's clocks are the harness's and, on members, the DC's (TM-10).
$providers = 'HKLM:\SYSTEM\CurrentControlSet\Services\W32Time\TimeProviders'
Set-ItemProperty -Path "$providers\VMICTimeProvider" -Name 'Enabled' -Value 0 -Type DWord -ErrorAction SilentlyContinue
# Secure Time Seeding off: it sets the clock from the times in TLS handshakes, which a guest with a NAT route out
# makes, and could pull a jumped clock back. UtilizeSslTimeData is read when W32Time starts (MicrosoftDocs/
# windowsserverdocs PR #7728, windows-server-2016-improvements.md); provisioning reboots every guest after it.
Set-ItemProperty -Path 'HKLM:\SYSTEM\CurrentControlSet\Services\W32Time\Config' -Name 'UtilizeSslTimeData' -Value 0 -Type DWord

$wanted = ([string]$machine.mac).Replace(':', '-').ToUpperInvariant()
$adapter = Get-NetAdapter | Where-Object { $_.MacAddress -eq $wanted } | Select-Object -First 1
if ($null -eq $adapter) {
    # Never another adapter instead: on Hyper-V the only other one is Vagrant's own management adapter.
    $seen = @(Get-NetAdapter | ForEach-Object { "$($_.Name) $($_.MacAddress)" }) -join '; '
    throw "no adapter has the lab MAC address $wanted (adapters: $seen); on Hyper-V the Vagrantfile's trigger adds it"
}
Rename-NetAdapter -Name $adapter.Name -NewName 'Lab' -ErrorAction SilentlyContinue
$current = @(Get-NetIPAddress -InterfaceIndex $adapter.ifIndex -AddressFamily IPv4 -ErrorAction SilentlyContinue |
             ForEach-Object { $_.IPAddress })
if ($current -notcontains $machine.ip) {
    Get-NetIPAddress -InterfaceIndex $adapter.ifIndex -AddressFamily IPv4 -ErrorAction SilentlyContinue |
        Remove-NetIPAddress -Confirm:$false -ErrorAction SilentlyContinue
    Set-NetIPInterface -InterfaceIndex $adapter.ifIndex -Dhcp Disabled
    New-NetIPAddress -InterfaceIndex $adapter.ifIndex -IPAddress $machine.ip -PrefixLength $lab.network.prefix_length | Out-Null
}
Set-DnsClientServerAddress -InterfaceIndex $adapter.ifIndex -ServerAddresses @($lab.dc_ip)

# The management adapters (NAT, Hyper-V's Default Switch, libvirt's management network) reach the host and, through
# it, more than the lab: their DHCP DNS answers NXDOMAIN for the lab's domain, and a DC would register their
# addresses in it. As rgl/windows-domain-controller-vagrant does: no registration, no IPv6; DNS asks the DC only,
# which fails fast when the lab cable is out (the client's firewall blocks that path, lab/scripts/preflight).
foreach ($other in @(Get-NetAdapter | Where-Object { $_.MacAddress -ne $wanted })) {
    Set-DnsClient -InterfaceIndex $other.ifIndex -RegisterThisConnectionsAddress $false
    Set-DnsClientServerAddress -InterfaceIndex $other.ifIndex -ServerAddresses @($lab.dc_ip)
    Disable-NetAdapterBinding -Name $other.Name -ComponentID 'ms_tcpip6' -ErrorAction SilentlyContinue
}

# NICs the box's build left behind, hidden: they are not the lab's (NW-1 counts only the lab's own).
foreach ($ghost in @(Get-PnpDevice -Class Net -ErrorAction SilentlyContinue | Where-Object { $_.Status -eq 'Unknown' })) {
    if ($ghost.InstanceId.StartsWith('PCI\') -or $ghost.InstanceId.StartsWith('VMBUS\')) {
        & pnputil.exe /remove-device $ghost.InstanceId | Out-Null
    }
}

# The local account Vagrant and trustlab sign in with must not expire in lab time (local accounts expire after
# 42 days by default; the box builds set it too, gusztavvargadr/packer src/windows/vagrant/Autounattend.ps1).
Set-LocalUser -Name 'vagrant' -PasswordNeverExpires $true
Set-Item -Path 'WSMan:\localhost\Service\Auth\Negotiate' -Value $true
if ($machine.role -eq 'dc') {
    # After the promotion Vagrant reaches the DC with Basic over its management link (rgl's Vagrantfile does the
    # same: negotiate stops working for Vagrant there); trustlab itself uses NTLM with encryption.
    Set-Item -Path 'WSMan:\localhost\Service\AllowUnencrypted' -Value $true
    Set-Item -Path 'WSMan:\localhost\Service\Auth\Basic' -Value $true
}
Set-Item -Path 'WSMan:\localhost\MaxTimeoutms' -Value 1800000
Set-Item -Path 'WSMan:\localhost\Shell\MaxMemoryPerShellMB' -Value 2048
New-Item -ItemType Directory -Force -Path 'C:\ProgramData\trustlab\scripts' | Out-Null
Write-Output "base: $($machine.hostname) on $($machine.ip) (lab adapter $wanted)"
