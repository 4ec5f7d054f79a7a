# Move this machine's clock by a number of seconds, or set it to a UTC time (ISO 8601), with the time service
# stopped so nothing moves it back.
param([double] $Seconds = 0, [string] $At = '')

Stop-Service -Name W32Time -Force -ErrorAction SilentlyContinue
Set-Service -Name W32Time -StartupType Disabled
if ($At) {
    $utc = [DateTime]::Parse($At, [Globalization.CultureInfo]::InvariantCulture,
                             [Globalization.DateTimeStyles]::AdjustToUniversal)
    $now = Set-Date -Date $utc.ToLocalTime()
} else {
    $now = Set-Date -Adjust ([TimeSpan]::FromSeconds($Seconds))
}
Write-Answer @{ now = $now.ToUniversalTime().ToString('o') }
