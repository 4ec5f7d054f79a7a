# The client: CachedLogonsCount (LG-3), then the domain join with the lab admin, once the DC has its users (waiting
# for DNS alone is not enough: vagrant-libvirt brings machines up in parallel, and the Vagrantfile's ordering could be
# overridden). Vagrant has already given the machine its name and rebooted it (SC-8: hashicorp/vagrant
# plugins/guests/windows/cap/change_host_name.rb), and Add-Computer -NewName with the name the computer has raises
# NewNameIsOldName and joins nothing (PowerShell Computer.cs), so the name is passed only when it differs.
# The Vagrantfile reboots afterwards.
param([Parameter(Mandatory = $true)] [string] $Settings)

$ErrorActionPreference = 'Stop'
$lab = [System.Text.Encoding]::UTF8.GetString([System.Convert]::FromBase64String($Settings)) | ConvertFrom-Json
$winlogon = 'HKLM:\SOFTWARE\Microsoft\Windows NT\CurrentVersion\Winlogon'
Set-ItemProperty -Path $winlogon -Name 'CachedLogonsCount' -Value ([string]$lab.policies.cached_logons_count) -Type String
# A member takes its time from the domain hierarchy (TM-10); the hypervisor's provider is off (base.ps1).
Set-Service -Name W32Time -StartupType Automatic
if ((Get-CimInstance -ClassName Win32_ComputerSystem).PartOfDomain) {
    Write-Output "client: already joined to $($lab.realm)"
    return
}
$admin = $lab.users | Where-Object { $_.role -eq 'admin' } | Select-Object -First 1
$account = "$($lab.domain)\$($admin.name)"
$watch = [System.Diagnostics.Stopwatch]::StartNew()
$ready = $false
while (-not $ready) {
    $srv = Resolve-DnsName -Name "_ldap._tcp.dc._msdcs.$($lab.realm)" -Type SRV -ErrorAction SilentlyContinue
    if ($null -ne $srv) {
        $entry = New-Object System.DirectoryServices.DirectoryEntry -ArgumentList "LDAP://$($lab.realm)", $account, $admin.password
        try {
            $ready = $null -ne $entry.NativeGuid              # an authenticated bind as the admin: the DC has its users
        } catch {
            $ready = $false
        } finally {
            $entry.Dispose()
        }
    }
    if (-not $ready) {
        if ($watch.Elapsed.TotalMinutes -gt 30) {
            throw "the DC does not answer for $($lab.realm) with the lab admin $account after 30 minutes"
        }
        Start-Sleep -Seconds 10
    }
}
$secure = ConvertTo-SecureString -String $admin.password -AsPlainText -Force
$credential = New-Object System.Management.Automation.PSCredential -ArgumentList $account, $secure
$arguments = @{ DomainName = $lab.realm; Credential = $credential; Force = $true }
if ([System.Net.Dns]::GetHostName() -ne $lab.machine.hostname) {
    $arguments['NewName'] = $lab.machine.hostname
}
Add-Computer @arguments
Write-Output "client: joined $($lab.realm) as $($lab.machine.hostname); rebooting"
