# Delete a user's profile as "User Profiles" in System Properties does: the Win32_UserProfile instance.
param([Parameter(Mandatory = $true)] [string] $User)

$profiles = @(Get-CimInstance -ClassName Win32_UserProfile |
              Where-Object { -not $_.Special -and (Split-Path -Leaf $_.LocalPath) -eq $User })
foreach ($userProfile in $profiles) {
    Remove-CimInstance -InputObject $userProfile
}
Write-Answer @{ removed = $profiles.Count }
