# Reset-ComputerMachinePassword or netdom resetpwd (SC-5): a new machine password on the member and the DC.
param(
    [Parameter(Mandatory = $true)] [ValidateSet('powershell', 'netdom')] [string] $Tool,
    [Parameter(Mandatory = $true)] [string] $Server,
    [string] $UserName = '',
    [string] $Password = ''
)

if ($Tool -eq 'netdom') {
    if ($null -eq (Get-Command -Name 'netdom.exe' -ErrorAction SilentlyContinue)) {
        Write-Answer @{ ok = $false; lines = @(); win32 = $null
                        error = 'netdom.exe is not installed on this client (it comes with RSAT: AD DS tools)' }
        return
    }
    $arguments = @('resetpwd', "/s:$Server")
    if ($UserName) {
        $arguments += @("/ud:$UserName", "/pd:$Password")
    }
    $run = Invoke-Native -FilePath 'netdom.exe' -ArgumentList $arguments
    Write-Answer @{ ok = ($run.ExitCode -eq 0); error = $null; lines = $run.Lines; win32 = $run.ExitCode }
    return
}
$arguments = @{ Server = $Server; ErrorAction = 'Stop' }
if ($UserName) {
    $arguments['Credential'] = New-Credential -UserName $UserName -Password $Password
}
try {
    Reset-ComputerMachinePassword @arguments
    Write-Answer @{ ok = $true; error = $null; lines = @(); win32 = $null }
} catch {
    Write-Answer @{ ok = $false; error = $_.Exception.Message; lines = @(); win32 = (Get-ErrorCode $_) }
}
