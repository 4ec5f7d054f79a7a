# Remove-Computer to a workgroup (the first half of a rejoin, SC-7). The harness reboots afterwards.
param([string] $UserName = '', [string] $Password = '', [string] $Workgroup = 'TRUSTLAB')

$arguments = @{ WorkgroupName = $Workgroup; Force = $true; ErrorAction = 'Stop' }
if ($UserName) {
    $arguments['UnjoinDomainCredential'] = New-Credential -UserName $UserName -Password $Password
}
try {
    Remove-Computer @arguments
    Write-Answer @{ ok = $true; error = $null; win32 = $null }
} catch {
    Write-Answer @{ ok = $false; error = $_.Exception.Message; win32 = (Get-ErrorCode $_) }
}
