# On the DC, once the lab is built: the box's well-known accounts became domain accounts at the promotion (the local
# vagrant account with its published password); nothing of the lab signs in with them, so they are disabled.
param([Parameter(Mandatory = $true)] [string[]] $Disable)

Wait-ActiveDirectory
foreach ($name in $Disable) {
    Disable-ADAccount -Identity $name
}
Write-Answer @{ ok = $true; disabled = $Disable }
