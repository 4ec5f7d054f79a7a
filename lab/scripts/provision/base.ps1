# Both machines, first boot: the lab address on the lab adapter, the clock left to the harness (W32Time off), and
# WinRM ready for NTLM with message encryption. Settings arrive as one base64 JSON argument from the Vagrantfile.
param([Parameter(Mandatory = $true)] [string] $Settings)

$ErrorActionPreference = 'Stop'
$lab = [System.Text.Encoding]::UTF8.GetString([System.Convert]::FromBase64String($Settings)) | ConvertFrom-Json
$machine = $lab.machine

Stop-Service -Name W32Time -Force -ErrorAction SilentlyContinue
Set-Service -Name W32Time -StartupType Disabled
$providers = 'HKLM:\SYSTEM\CurrentControlSet\Services\W32Time\TimeProviders'
Set-ItemProperty -Path "$providers\NtpClient" -Name 'Enabled' -Value 0 -Type DWord -ErrorAction SilentlyContinue
Set-ItemProperty -Path "$providers\VMICTimeProvider" -Name 'Enabled' -Value 0 -Type DWord -ErrorAction SilentlyContinue

$wanted = ([string]$machine.mac).Replace(':', '-').ToUpperInvariant()
$adapter = Get-NetAdapter | Where-Object { $_.MacAddress -eq $wanted } | Select-Object -First 1
if ($null -eq $adapter) {
    $all = @(Get-NetAdapter)
    if ($all.Count -ne 1) {
        throw "no adapter has the lab MAC address $wanted"
    }
    $adapter = $all[0]
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

Set-Item -Path 'WSMan:\localhost\Service\Auth\Negotiate' -Value $true
Set-Item -Path 'WSMan:\localhost\MaxTimeoutms' -Value 1800000
Set-Item -Path 'WSMan:\localhost\Shell\MaxMemoryPerShellMB' -Value 2048
New-Item -ItemType Directory -Force -Path 'C:\ProgramData\trustlab\scripts' | Out-Null
Write-Output "base: $($machine.hostname) on $($machine.ip), W32Time disabled"
