# What the preflight needs to know of the client (trustlab/backends/vagrant/preflight.py judges it): its adapters,
# its domain membership and secure channel, what its DNS says of the DC, its time source and whether the DC answers
# NTP, its hidden lab NICs, the local account trustlab signs in with, its evaluation end, its clock.
param(
    [Parameter(Mandatory = $true)] [string] $MacAddress,
    [Parameter(Mandatory = $true)] [string] $DcName,
    [Parameter(Mandatory = $true)] [string] $DcAddress,
    [Parameter(Mandatory = $true)] [string] $Realm,
    [Parameter(Mandatory = $true)] [string] $Domain
)

$computer = Get-CimInstance -ClassName Win32_ComputerSystem
$answers = @{}
foreach ($name in @($DcName, $Realm)) {
    $answers[$name] = @(Resolve-DnsName -Name $name -Type A -DnsOnly -ErrorAction SilentlyContinue |
                        Where-Object { $_.Type -eq 'A' } | ForEach-Object { $_.IPAddress })
}
$srv = @(Resolve-DnsName -Name "_ldap._tcp.dc._msdcs.$Realm" -Type SRV -DnsOnly -ErrorAction SilentlyContinue |
         Where-Object { $_.Type -eq 'SRV' } | ForEach-Object { $_.NameTarget })
$channel = Invoke-Native -FilePath 'nltest.exe' -ArgumentList @("/sc_verify:$Domain")
$source = Invoke-Native -FilePath 'w32tm.exe' -ArgumentList @('/query', '/source')
$ntp = Invoke-Native -FilePath 'w32tm.exe' -ArgumentList @('/stripchart', "/computer:$DcAddress", '/samples:1', '/dataonly')
$sourceText = ''
if ($source.Ok) {
    $sourceText = (@($source.Lines) -join ' ').Trim()
}
$local = Get-LocalUser -Name 'vagrant' -ErrorAction SilentlyContinue
$rule = Get-NetFirewallRule -Group 'trustlab' -ErrorAction SilentlyContinue | Select-Object -First 1
$blocked = @()
if ($null -ne $rule) {
    $blocked = @(($rule | Get-NetFirewallAddressFilter).RemoteAddress)
}
Write-Answer @{
    adapters = @(Get-AdapterFacts -MacAddress $MacAddress)
    name = $computer.Name; domain = $computer.Domain; joined = [bool]$computer.PartOfDomain
    channel = @{ exit_code = $channel.ExitCode; lines = $channel.Lines }
    dns = @{ names = $answers; srv = $srv }
    time = @{ service = [string](Get-Service -Name W32Time).Status; source = $sourceText
              ntp_ok = ($ntp.Ok -and (@($ntp.Lines) -join ' ') -match '[+-]\d+\.\d+s'); ntp = $ntp.Lines }
    hidden = @(Get-HiddenNic)
    local_admin = @{ exists = ($null -ne $local); never_expires = ($null -ne $local -and $null -eq $local.PasswordExpires) }
    offline_rule = $blocked
    evaluation_end = (Get-EvaluationEnd)
    os = (Get-CimInstance -ClassName Win32_OperatingSystem | ForEach-Object { "$($_.Caption) $($_.Version)" })
    clock = (Get-Date).ToUniversalTime().ToString('o')
}
