# Test-ComputerSecureChannel -Repair (SC-4), with the given domain credential or, without one, the session's own.
param([Parameter(Mandatory = $true)] [string] $Server, [string] $UserName = '', [string] $Password = '')

$arguments = @{ Repair = $true; Server = $Server; ErrorAction = 'Stop' }
if ($UserName) {
    $arguments['Credential'] = New-Credential -UserName $UserName -Password $Password
}
try {
    $repaired = [bool](Test-ComputerSecureChannel @arguments)
    Write-Answer @{ ok = $repaired; error = $null; win32 = $null }
} catch {
    Write-Answer @{ ok = $false; error = $_.Exception.Message; win32 = (Get-ErrorCode $_) }
}
