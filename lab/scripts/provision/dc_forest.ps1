# The DC, before its reboot: AD DS and a new forest with DNS. WinRM keeps working after the promotion because the
# Vagrant account becomes a domain account with the same password; the Vagrantfile reboots afterwards.
param([Parameter(Mandatory = $true)] [string] $Settings)

$ErrorActionPreference = 'Stop'
$lab = [System.Text.Encoding]::UTF8.GetString([System.Convert]::FromBase64String($Settings)) | ConvertFrom-Json
if ((Get-CimInstance -ClassName Win32_ComputerSystem).DomainRole -ge 4) {
    Write-Output "dc: already a domain controller of $($lab.realm)"
    return
}
Install-WindowsFeature -Name AD-Domain-Services -IncludeManagementTools | Out-Null
$safeMode = ConvertTo-SecureString -String $lab.safe_mode_password -AsPlainText -Force
Install-ADDSForest -DomainName $lab.realm -DomainNetbiosName $lab.domain -SafeModeAdministratorPassword $safeMode `
    -InstallDns -NoRebootOnCompletion -Force | Out-Null
Write-Output "dc: forest $($lab.realm) created; rebooting"
