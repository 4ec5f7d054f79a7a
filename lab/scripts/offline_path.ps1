# Run with the lab cable pulled: is there still a path to the DC? The DC locator (nltest /dsgetdc), TCP to each of
# the DC's addresses on Kerberos, LDAP and SMB, and DNS. Unplugged must mean offline on every adapter (LG-2).
param(
    [Parameter(Mandatory = $true)] [string] $Realm,
    [Parameter(Mandatory = $true)] [string[]] $Addresses
)

$locator = Invoke-Native -FilePath 'nltest.exe' -ArgumentList @("/dsgetdc:$Realm", '/force')
$open = @()
foreach ($address in $Addresses) {
    foreach ($port in @(88, 389, 445)) {
        $client = New-Object System.Net.Sockets.TcpClient
        try {
            if ($client.ConnectAsync($address, $port).Wait(2000)) {
                $open += "${address}:$port"
            }
        } catch {
        } finally {
            $client.Dispose()
        }
    }
}
$resolved = @(Resolve-DnsName -Name $Realm -Type A -DnsOnly -QuickTimeout -ErrorAction SilentlyContinue |
              Where-Object { $_.Type -eq 'A' } | ForEach-Object { $_.IPAddress })
Write-Answer @{ locator_found = $locator.Ok; locator = $locator.Lines; open = $open; resolved = $resolved }
