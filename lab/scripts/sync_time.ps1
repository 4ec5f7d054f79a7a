# What an admin does for a wrong clock on a member: w32tm /resync, the member's time from the domain hierarchy
# (LG-8), its DC serving time (TM-10).
$resync = Invoke-Native -FilePath 'w32tm.exe' -ArgumentList @('/resync', '/rediscover')
Write-Answer @{ ok = $resync.Ok; lines = $resync.Lines; now = (Get-Date).ToUniversalTime().ToString('o') }
