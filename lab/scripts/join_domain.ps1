# Add-Computer: join the domain, optionally under a new name (SC-7). The harness reboots afterwards.
param(
    [Parameter(Mandatory = $true)] [string] $Domain,
    [Parameter(Mandatory = $true)] [string] $UserName,
    [Parameter(Mandatory = $true)] [string] $Password,
    [string] $NewName = ''
)

$arguments = @{ DomainName = $Domain; Credential = (New-Credential -UserName $UserName -Password $Password)
                Force = $true; ErrorAction = 'Stop' }
if ($NewName) {
    $arguments['NewName'] = $NewName
}
try {
    Add-Computer @arguments
    Write-Answer @{ ok = $true; error = $null; win32 = $null }
} catch {
    Write-Answer @{ ok = $false; error = $_.Exception.Message; win32 = (Get-ErrorCode $_) }
}
