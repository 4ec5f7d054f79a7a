# Add-Computer: join the domain, optionally under a new name (SC-7), with the given account or, without one, the
# session's own identity. A new name equal to the one the computer has would raise NewNameIsOldName and join
# nothing (SC-8, PowerShell Computer.cs), so it is passed only when it differs. The harness reboots afterwards.
param(
    [Parameter(Mandatory = $true)] [string] $Domain,
    [string] $UserName = '',
    [string] $Password = '',
    [string] $NewName = ''
)

$arguments = @{ DomainName = $Domain; Force = $true; ErrorAction = 'Stop' }
if ($UserName) {
    $arguments['Credential'] = New-Credential -UserName $UserName -Password $Password
}
if ($NewName -and [System.Net.Dns]::GetHostName() -ne $NewName) {
    $arguments['NewName'] = $NewName
}
try {
    Add-Computer @arguments
    Write-Answer @{ ok = $true; error = $null; win32 = $null }
} catch {
    Write-Answer @{ ok = $false; error = $_.Exception.Message; win32 = (Get-ErrorCode $_) }
}
