# Shared helpers, dot-sourced before every step and probe script (Windows PowerShell 5.1).

function Write-Answer {
    # The script's structured answer: one line the harness looks for.
    param([Parameter(Mandatory = $true)] $Value)
    $json = ConvertTo-Json -InputObject $Value -Compress -Depth 6
    [Console]::Out.WriteLine('TRUSTLAB-JSON:' + $json)
}

function Invoke-Native {
    # Runs a program with its arguments as an array, never as a string to be parsed again.
    param([Parameter(Mandatory = $true)] [string] $FilePath, [string[]] $ArgumentList = @())
    $previous = $ErrorActionPreference
    $ErrorActionPreference = 'Continue'
    try {
        $lines = @(& $FilePath @ArgumentList 2>&1 | ForEach-Object { "$_" })
        $code = $LASTEXITCODE
    } finally {
        $ErrorActionPreference = $previous
    }
    return [pscustomobject]@{ ExitCode = $code; Lines = $lines }
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
    # The adapter on the lab's network: the one with the lab MAC address, present or hidden.
    param([Parameter(Mandatory = $true)] [string] $MacAddress)
    $wanted = $MacAddress.Replace(':', '-').ToUpperInvariant()
    return Get-NetAdapter -ErrorAction SilentlyContinue | Where-Object { $_.MacAddress -eq $wanted } | Select-Object -First 1
}
