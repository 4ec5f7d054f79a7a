# The client: CachedLogonsCount (LG-3) and the machine password policy, then the domain join with the lab admin.
# The Vagrantfile reboots afterwards.
param([Parameter(Mandatory = $true)] [string] $Settings)

$ErrorActionPreference = 'Stop'
$lab = [System.Text.Encoding]::UTF8.GetString([System.Convert]::FromBase64String($Settings)) | ConvertFrom-Json
$winlogon = 'HKLM:\SOFTWARE\Microsoft\Windows NT\CurrentVersion\Winlogon'
Set-ItemProperty -Path $winlogon -Name 'CachedLogonsCount' -Value ([string]$lab.policies.cached_logons_count) -Type String
if ((Get-CimInstance -ClassName Win32_ComputerSystem).PartOfDomain) {
    Write-Output "client: already joined to $($lab.realm)"
    return
}
$deadline = (Get-Date).AddMinutes(15)
while (-not (Resolve-DnsName -Name $lab.realm -Type A -ErrorAction SilentlyContinue)) {
    if ((Get-Date) -gt $deadline) {
        throw "the DC does not answer DNS for $($lab.realm)"
    }
    Start-Sleep -Seconds 10
}
$admin = $lab.users | Where-Object { $_.admin } | Select-Object -First 1
$secure = ConvertTo-SecureString -String $admin.password -AsPlainText -Force
$credential = New-Object System.Management.Automation.PSCredential -ArgumentList "$($lab.domain)\$($admin.name)", $secure
Add-Computer -DomainName $lab.realm -NewName $lab.machine.hostname -Credential $credential -Force
Write-Output "client: joined $($lab.realm) as $($lab.machine.hostname); rebooting"
