# Set this machine's clock to a UTC time (ISO 8601). W32Time keeps running: on the DC it takes its time from nowhere
# (NoSync) and serves it; a member corrects itself from the DC at its next poll, as a real one does (TM-10, LG-8).
param([Parameter(Mandatory = $true)] [string] $At)

$utc = [DateTime]::Parse($At, [Globalization.CultureInfo]::InvariantCulture,
                         [Globalization.DateTimeStyles]::AdjustToUniversal)
$now = Set-Date -Date $utc.ToLocalTime()
Write-Answer @{ now = $now.ToUniversalTime().ToString('o') }
