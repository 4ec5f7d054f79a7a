# What the preflight needs to know of the DC (trustlab/backends/vagrant/preflight.py judges it): its adapters and
# management addresses, where its DNS listens and which addresses it has for the DC, its time service, the service
# identities, the join delegation, the ages of the lab's passwords, its evaluation end, its clock.
param(
    [Parameter(Mandatory = $true)] [string] $MacAddress,
    [Parameter(Mandatory = $true)] [string] $Realm,
    [Parameter(Mandatory = $true)] [string] $Hostname,
    [Parameter(Mandatory = $true)] [string[]] $Users,
    [Parameter(Mandatory = $true)] [string[]] $ServiceIdentities,
    [Parameter(Mandatory = $true)] [string] $Joiner,
    [Parameter(Mandatory = $true)] [string] $Computer
)

Wait-ActiveDirectory
$now = Get-Date
$domain = Get-ADDomain
$ages = @{}
foreach ($name in @($Users + $ServiceIdentities)) {
    $user = Find-ADIdentity -Kind 'user' -Identity $name -Properties @('PasswordLastSet')
    if ($null -ne $user -and $null -ne $user.PasswordLastSet) {
        $ages[$name] = [int]($now - $user.PasswordLastSet).TotalSeconds
    }
}
$machine = Find-ADIdentity -Kind 'computer' -Identity $Computer -Properties @('PasswordLastSet')
if ($null -ne $machine -and $null -ne $machine.PasswordLastSet) {
    $ages["$Computer`$"] = [int]($now - $machine.PasswordLastSet).TotalSeconds
}
$identities = @{}
foreach ($name in @($ServiceIdentities + @('vagrant', 'Administrator'))) {
    $user = Find-ADIdentity -Kind 'user' -Identity $name -Properties @('PasswordNeverExpires')
    if ($null -ne $user) {
        $identities[$name] = @{ enabled = [bool]$user.Enabled; never_expires = [bool]$user.PasswordNeverExpires }
    }
}
$joinerUser = Find-ADIdentity -Kind 'user' -Identity $Joiner
$delegated = $false
if ($null -ne $joinerUser) {
    $joinerSid = $joinerUser.SID
    $acl = Get-Acl -Path ("AD:CN=Computers," + $domain.DistinguishedName)
    foreach ($rule in $acl.Access) {
        $sid = $rule.IdentityReference.Translate([System.Security.Principal.SecurityIdentifier])
        if ($sid -eq $joinerSid -and ([string]$rule.ActiveDirectoryRights) -match 'CreateChild') {
            $delegated = $true
        }
    }
}
$records = @{}
foreach ($name in @('@', $Hostname)) {
    $records[$name] = @(Get-DnsServerResourceRecord -ZoneName $Realm -Name $name -RRType A -ErrorAction SilentlyContinue |
                        ForEach-Object { $_.RecordData.IPv4Address.IPAddressToString })
}
$w32 = 'HKLM:\SYSTEM\CurrentControlSet\Services\W32Time'
Write-Answer @{
    adapters = @(Get-AdapterFacts -MacAddress $MacAddress)
    dns = @{ listening = @((Get-DnsServerSetting -All).ListeningIPAddress | ForEach-Object { [string]$_ }); records = $records }
    time = @{ service = [string](Get-Service -Name W32Time).Status
              type = (Get-ItemProperty -Path "$w32\Parameters" -Name 'Type' -ErrorAction SilentlyContinue).Type
              ntp_server = (Get-ItemProperty -Path "$w32\TimeProviders\NtpServer" -Name 'Enabled' -ErrorAction SilentlyContinue).Enabled }
    identities = $identities
    joiner_delegated = $delegated
    password_ages = $ages
    evaluation_end = (Get-EvaluationEnd)
    os = (Get-CimInstance -ClassName Win32_OperatingSystem | ForEach-Object { "$($_.Caption) $($_.Version)" })
    clock = $now.ToUniversalTime().ToString('o')
}
