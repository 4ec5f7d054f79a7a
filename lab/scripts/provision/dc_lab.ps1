# The DC, after its reboot: the lab's users (first password version); the admin in Domain Admins; the help desk's
# delegated joining account (SC-7: it may create computer objects and join them, and is no admin); the service
# identities that never expire in lab time; the domain password policy (TM-5); DNS for the lab only; the DC as the
# lab's time server (TM-10). Settings arrive as one base64 JSON argument.
param([Parameter(Mandatory = $true)] [string] $Settings)

$ErrorActionPreference = 'Stop'
$lab = [System.Text.Encoding]::UTF8.GetString([System.Convert]::FromBase64String($Settings)) | ConvertFrom-Json

# Active Directory Web Services comes up a while after the boot (rgl's domain-controller-wait-for-ready.ps1).
Import-Module ActiveDirectory
$watch = [System.Diagnostics.Stopwatch]::StartNew()
while ($true) {
    try {
        Get-ADDomain | Out-Null
        break
    } catch {
        if ($watch.Elapsed.TotalMinutes -gt 15) {
            throw
        }
        Start-Sleep -Seconds 10
    }
}
$domain = Get-ADDomain
foreach ($user in $lab.users) {
    $password = ConvertTo-SecureString -String $user.password -AsPlainText -Force
    if (Get-ADUser -Filter "SamAccountName -eq '$($user.name)'" -ErrorAction SilentlyContinue) {
        Set-ADAccountPassword -Identity $user.name -Reset -NewPassword $password
    } else {
        New-ADUser -Name $user.name -SamAccountName $user.name -UserPrincipalName "$($user.name)@$($lab.realm)" `
            -AccountPassword $password -Enabled $true -ChangePasswordAtLogon $false
    }
    if ($user.role -ne 'user') {
        # The admin and the joiner are the harness's service identities: the 180-day policy must not expire them
        # halfway through a scenario's jump (TM-5), or every DC step would be refused.
        Set-ADUser -Identity $user.name -PasswordNeverExpires $true
    }
    if ($user.role -eq 'admin') {
        Add-ADGroupMember -Identity 'Domain Admins' -Members $user.name
    }
    if ($user.role -eq 'joiner') {
        # What a help desk is delegated to join computers: create computer objects in CN=Computers, and on them
        # reset the password, write the account restrictions, DNS host name and SPNs (the "Create custom task"
        # delegation for joining; KB5020276 then decides about reuse, SC-7).
        $container = "CN=Computers,$($domain.DistinguishedName)"
        $who = "$($lab.domain)\$($user.name)"
        $grants = @("${who}:CC;computer", "${who}:CA;Reset Password;computer", "${who}:WP;Account Restrictions;computer",
                    "${who}:WS;Validated write to DNS host name;computer",
                    "${who}:WS;Validated write to service principal name;computer")
        $arguments = @($container, '/I:T') + @($grants | ForEach-Object { @('/G', $_) })
        $ErrorActionPreference = 'Continue'          # Windows PowerShell 5.1 turns a native stderr line into an error
        $said = @(& dsacls.exe @arguments 2>&1 | ForEach-Object { "$_" })
        $code = $LASTEXITCODE
        $ErrorActionPreference = 'Stop'
        if ($code -ne 0) {
            throw "dsacls could not delegate the join to ${who}: $($said -join ' / ')"
        }
    }
}
Set-ADDefaultDomainPasswordPolicy -Identity $domain.DistinguishedName -ComplexityEnabled $true `
    -MaxPasswordAge (New-TimeSpan -Days $lab.policies.max_password_age_days) -MinPasswordAge (New-TimeSpan -Days 0) `
    -PasswordHistoryCount 0
# The promoted Administrator: a lab password already (dc_forest.ps1), and disabled: nothing signs in with it.
Disable-ADAccount -Identity 'Administrator'

# DNS answers for the lab only: no forwarders (unknown names fail fast), listening on the lab address alone, and no
# record of a management address (rgl's domain-controller-configure.ps1 does the same for Vagrant's NAT address);
# Netlogon registers no A records of its own for the domain and the GC name (DnsAvoidRegisterRecords mnemonics
# LdapIpAddress, GcIpAddress), which are written once here for the lab address.
Get-DnsServerForwarder | ForEach-Object { $_.IPAddress } | ForEach-Object {
    Remove-DnsServerForwarder -IPAddress $_ -Force
}
$settingsAll = Get-DnsServerSetting -All
$settingsAll.ListeningIPAddress = @($lab.machine.ip)
Set-DnsServerSetting -InputObject $settingsAll
Set-ItemProperty -Path 'HKLM:\SYSTEM\CurrentControlSet\Services\Netlogon\Parameters' -Name 'DnsAvoidRegisterRecords' `
    -Value @('LdapIpAddress', 'GcIpAddress') -Type MultiString
Restart-Service -Name Netlogon -Force                  # it registers its records anew, without those
foreach ($zone in @($lab.realm, "_msdcs.$($lab.realm)")) {
    Get-DnsServerResourceRecord -ZoneName $zone -RRType A |
        Where-Object { $_.RecordData.IPv4Address.IPAddressToString -ne $lab.machine.ip } |
        Remove-DnsServerResourceRecord -ZoneName $zone -Force
}
$records = @(@($lab.realm, '@'), @($lab.realm, 'DomainDnsZones'), @($lab.realm, 'ForestDnsZones'),
             @("_msdcs.$($lab.realm)", 'gc'))
foreach ($record in $records) {
    $a = @{ ZoneName = $record[0]; Name = $record[1]; IPv4Address = $lab.machine.ip; ErrorAction = 'SilentlyContinue' }
    Add-DnsServerResourceRecordA @a
}
Clear-DnsClientCache

# The forest root PDC serves time to the members, even unsynchronised (TM-10): W32Time running with the NTP server
# on, announcing itself a reliable source, and taking its own time from nowhere (Type NoSync), so that its clock
# stays the harness's.
$w32 = 'HKLM:\SYSTEM\CurrentControlSet\Services\W32Time'
Set-ItemProperty -Path "$w32\Parameters" -Name 'Type' -Value 'NoSync' -Type String
Set-ItemProperty -Path "$w32\Config" -Name 'AnnounceFlags' -Value 5 -Type DWord
Set-ItemProperty -Path "$w32\TimeProviders\NtpServer" -Name 'Enabled' -Value 1 -Type DWord
Set-ItemProperty -Path "$w32\TimeProviders\NtpClient" -Name 'Enabled' -Value 0 -Type DWord
Set-Service -Name W32Time -StartupType Automatic
Restart-Service -Name W32Time -Force
Write-Output "dc: users $(@($lab.users | ForEach-Object { $_.name }) -join ', '); max password age $($lab.policies.max_password_age_days) d; serving time"
