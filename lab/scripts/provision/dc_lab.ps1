# The DC, after its reboot: the lab's users (first password version), the admin in Domain Admins, and the domain
# password policy (the seed organisation's 180-day maximum age, TM-5). DNS answers only for the lab (no forwarders).
param([Parameter(Mandatory = $true)] [string] $Settings)

$ErrorActionPreference = 'Stop'
$lab = [System.Text.Encoding]::UTF8.GetString([System.Convert]::FromBase64String($Settings)) | ConvertFrom-Json
$deadline = (Get-Date).AddMinutes(15)
while ($true) {
    try {
        Import-Module ActiveDirectory
        Get-ADDomain | Out-Null
        break
    } catch {
        if ((Get-Date) -gt $deadline) {
            throw
        }
        Start-Sleep -Seconds 10
    }
}
foreach ($user in $lab.users) {
    $password = ConvertTo-SecureString -String $user.password -AsPlainText -Force
    if (Get-ADUser -Filter "SamAccountName -eq '$($user.name)'" -ErrorAction SilentlyContinue) {
        Set-ADAccountPassword -Identity $user.name -Reset -NewPassword $password
    } else {
        New-ADUser -Name $user.name -SamAccountName $user.name -UserPrincipalName "$($user.name)@$($lab.realm)" `
            -AccountPassword $password -Enabled $true -ChangePasswordAtLogon $false
    }
    if ($user.admin) {
        Add-ADGroupMember -Identity 'Domain Admins' -Members $user.name
    }
}
$domain = Get-ADDomain
Set-ADDefaultDomainPasswordPolicy -Identity $domain.DistinguishedName -ComplexityEnabled $true `
    -MaxPasswordAge (New-TimeSpan -Days $lab.policies.max_password_age_days) -MinPasswordAge (New-TimeSpan -Days 0) `
    -PasswordHistoryCount 0
Get-DnsServerForwarder | ForEach-Object { $_.IPAddress } | ForEach-Object {
    Remove-DnsServerForwarder -IPAddress $_ -Force
}
Write-Output "dc: users $(@($lab.users | ForEach-Object { $_.name }) -join ', '); max password age $($lab.policies.max_password_age_days) d"
