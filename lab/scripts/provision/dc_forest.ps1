# The DC, before its reboot: AD DS and a new forest with DNS. The built-in Administrator becomes the domain's at the
# promotion with the password it has, so it gets one of the lab's own first (never the box's well-known one); the
# Vagrant account becomes a domain account too (trustlab disables it once the lab is built). The Vagrantfile reboots.
param([Parameter(Mandatory = $true)] [string] $Settings)

$ErrorActionPreference = 'Stop'
$lab = [System.Text.Encoding]::UTF8.GetString([System.Convert]::FromBase64String($Settings)) | ConvertFrom-Json
if ((Get-CimInstance -ClassName Win32_ComputerSystem).DomainRole -ge 4) {
    Write-Output "dc: already a domain controller of $($lab.realm)"
    return
}
$administrator = ConvertTo-SecureString -String $lab.administrator_password -AsPlainText -Force
Set-LocalUser -Name 'Administrator' -Password $administrator -PasswordNeverExpires $true
Install-WindowsFeature -Name AD-Domain-Services -IncludeManagementTools | Out-Null
$safeMode = ConvertTo-SecureString -String $lab.safe_mode_password -AsPlainText -Force
Install-ADDSForest -DomainName $lab.realm -DomainNetbiosName $lab.domain -SafeModeAdministratorPassword $safeMode `
    -InstallDns -CreateDnsDelegation:$false -NoRebootOnCompletion -Force | Out-Null
Write-Output "dc: forest $($lab.realm) created; rebooting"
