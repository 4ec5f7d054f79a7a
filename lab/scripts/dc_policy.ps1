# On the DC: the default domain password policy's maximum password age (TM-5), in days.
param([Parameter(Mandatory = $true)] [int] $MaxPasswordAgeDays)

Wait-ActiveDirectory
$domain = Get-ADDomain
Set-ADDefaultDomainPasswordPolicy -Identity $domain.DistinguishedName -MaxPasswordAge (New-TimeSpan -Days $MaxPasswordAgeDays)
Write-Answer @{ ok = $true }
