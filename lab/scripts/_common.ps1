# Shared helpers, dot-sourced before every step and probe script (Windows PowerShell 5.1).

function Write-Answer {
    # The script's structured answer: one line the harness looks for.
    param([Parameter(Mandatory = $true)] $Value)
    $json = ConvertTo-Json -InputObject $Value -Compress -Depth 6
    [Console]::Out.WriteLine('TRUSTLAB-JSON:' + $json)
}

function Invoke-Native {
    # Runs a program with its arguments as an array, never as a string to be parsed again. `Ok` is whether the exit
    # code is one of the program's success codes (0 unless told: pnputil also succeeds with 3010 and 1641, a restart
    # needed or started; learn.microsoft.com "PnPUtil return values").
    param([Parameter(Mandatory = $true)] [string] $FilePath, [string[]] $ArgumentList = @(),
          [int[]] $SuccessCodes = @(0))
    $previous = $ErrorActionPreference
    $ErrorActionPreference = 'Continue'
    try {
        $lines = @(& $FilePath @ArgumentList 2>&1 | ForEach-Object { "$_" })
        $code = $LASTEXITCODE
    } finally {
        $ErrorActionPreference = $previous
    }
    return [pscustomobject]@{ ExitCode = $code; Lines = $lines; Ok = ($SuccessCodes -contains $code)
                              RestartNeeded = (@(3010, 1641) -contains $code) }
}

function New-Credential {
    param([Parameter(Mandatory = $true)] [string] $UserName, [Parameter(Mandatory = $true)] [string] $Password)
    $secure = ConvertTo-SecureString -String $Password -AsPlainText -Force
    return New-Object System.Management.Automation.PSCredential -ArgumentList $UserName, $secure
}

function Get-ErrorCode {
    # The Win32 code inside an exception, when it carries one (HResult 0x8007xxxx or NativeErrorCode).
    param([Parameter(Mandatory = $true)] $ErrorRecord)
    $exception = $ErrorRecord.Exception
    while ($null -ne $exception) {
        if ($exception -is [System.ComponentModel.Win32Exception]) {
            return $exception.NativeErrorCode
        }
        if (($exception.HResult -band 0xFFFF0000) -eq 0x80070000) {
            return $exception.HResult -band 0xFFFF
        }
        $exception = $exception.InnerException
    }
    return $null
}

function Get-LabAdapter {
    # The present adapter on the lab's network: the one with the lab MAC address.
    param([Parameter(Mandatory = $true)] [string] $MacAddress)
    $wanted = $MacAddress.Replace(':', '-').ToUpperInvariant()
    return Get-NetAdapter -ErrorAction SilentlyContinue | Where-Object { $_.MacAddress -eq $wanted } | Select-Object -First 1
}

function Get-HiddenNic {
    # Network adapters that are installed but not present (NW-1, NW-3: Get-PnpDevice shows them as Unknown) on the
    # buses a lab NIC sits on (PCI, Hyper-V's VMBus): software adapters such as the kernel debugger's (ROOT\KDNIC)
    # are hidden on every Windows and are not the lab's. Each with the static IPv4 addresses its TCP/IP settings
    # still hold (Tcpip\Parameters\Interfaces\{NetCfgInstanceId}, KB269155); a removed device has none.
    $interfaces = 'HKLM:\SYSTEM\CurrentControlSet\Services\Tcpip\Parameters\Interfaces'
    $found = @()
    foreach ($device in @(Get-PnpDevice -Class Net -ErrorAction SilentlyContinue | Where-Object { $_.Status -eq 'Unknown' })) {
        if (-not ($device.InstanceId.StartsWith('PCI\') -or $device.InstanceId.StartsWith('VMBUS\'))) {
            continue
        }
        $driver = (Get-PnpDeviceProperty -InstanceId $device.InstanceId -KeyName 'DEVPKEY_Device_Driver' `
                   -ErrorAction SilentlyContinue).Data
        $static = @()
        $guid = $null
        $netCfg = Get-ItemProperty -Path ('HKLM:\SYSTEM\CurrentControlSet\Control\Class\' + $driver) `
                  -Name 'NetCfgInstanceId' -ErrorAction SilentlyContinue
        if ($null -ne $netCfg) {
            $guid = $netCfg.NetCfgInstanceId
            $settings = Get-ItemProperty -Path (Join-Path $interfaces $guid) -ErrorAction SilentlyContinue
            if ($null -ne $settings -and $settings.EnableDHCP -eq 0) {
                $static = @($settings.IPAddress)
            }
        }
        $found += @{ name = $device.FriendlyName; instance = $device.InstanceId; guid = $guid; static_ipv4 = $static }
    }
    return $found
}

function Wait-ActiveDirectory {
    # The AD cmdlets need Active Directory Web Services, which a DC starts some time after boot ("Unable to find a
    # default server with Active Directory Web Services running"); rgl/windows-domain-controller-vagrant waits the same.
    # Elapsed time, not the clock: the harness moves the clock. Within the script's own deadline (WinRM's run, 300 s
    # by default), so that the wait ends with AD's own error rather than a terminated command.
    param([int] $Seconds = 240)
    Import-Module ActiveDirectory
    $watch = [System.Diagnostics.Stopwatch]::StartNew()
    while ($true) {
        try {
            Get-ADDomain | Out-Null
            return
        } catch {
            if ($watch.Elapsed.TotalSeconds -gt $Seconds) {
                throw
            }
            Start-Sleep -Seconds 5
        }
    }
}

function Find-ADIdentity {
    # Get-ADUser or Get-ADComputer -Identity, or $null when there is no such object: the not-found is a terminating
    # error (ADIdentityNotFoundException) that -ErrorAction does not stop (about_Error_Handling;
    # PowerShell/PowerShell#14819, by design), so it is caught here; any other error (no AD Web Services) goes on.
    param([Parameter(Mandatory = $true)] [ValidateSet('user', 'computer')] [string] $Kind,
          [Parameter(Mandatory = $true)] [string] $Identity, [string[]] $Properties = @())
    $arguments = @{ Identity = $Identity }
    if ($Properties.Count -gt 0) {
        $arguments['Properties'] = $Properties
    }
    try {
        if ($Kind -eq 'user') {
            return Get-ADUser @arguments
        }
        return Get-ADComputer @arguments
    } catch {
        if ($_.Exception.GetType().Name -eq 'ADIdentityNotFoundException') {
            return $null
        }
        throw
    }
}

function Get-EvaluationEnd {
    # TM-9: when this Windows' evaluation ends (SoftwareLicensingProduct.EvaluationEndDate of Windows itself,
    # ApplicationID 55c92734-d682-4d71-983e-d6ec3f16059f), UTC; $null for an image that is no evaluation (its
    # EvaluationEndDate is 1601-01-01).
    $filter = "ApplicationID = '55c92734-d682-4d71-983e-d6ec3f16059f' AND PartialProductKey IS NOT NULL"
    $product = Get-CimInstance -ClassName SoftwareLicensingProduct -Filter $filter -ErrorAction SilentlyContinue |
               Select-Object -First 1
    if ($null -eq $product -or $product.EvaluationEndDate.Year -le 1601) {
        return $null
    }
    return $product.EvaluationEndDate.ToUniversalTime().ToString('o')
}

function Get-AdapterFacts {
    # Every present adapter with its addresses, DNS servers and DNS registration; `lab` marks the one with the lab MAC.
    param([Parameter(Mandatory = $true)] [string] $MacAddress)
    $wanted = $MacAddress.Replace(':', '-').ToUpperInvariant()
    $facts = @()
    foreach ($adapter in @(Get-NetAdapter -ErrorAction SilentlyContinue)) {
        $ip = @(Get-NetIPAddress -InterfaceIndex $adapter.ifIndex -AddressFamily IPv4 -ErrorAction SilentlyContinue |
                ForEach-Object { $_.IPAddress })
        $dns = @(Get-DnsClientServerAddress -InterfaceIndex $adapter.ifIndex -AddressFamily IPv4 -ErrorAction SilentlyContinue |
                 ForEach-Object { $_.ServerAddresses })
        $client = Get-DnsClient -InterfaceIndex $adapter.ifIndex -ErrorAction SilentlyContinue
        $facts += @{ name = $adapter.Name; mac = $adapter.MacAddress; status = [string]$adapter.Status; ipv4 = $ip
                     dns = $dns; registers = ($null -ne $client -and $client.RegisterThisConnectionsAddress)
                     lab = ($adapter.MacAddress -eq $wanted) }
    }
    return $facts
}
